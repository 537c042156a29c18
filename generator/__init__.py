"""Rapport: turn a consultant's plain data files into client dashboards and survey pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.errors import DataError, RapportError

__all__ = ["DataError", "RapportError", "__version__"]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """The errors, imported when first asked for: `rapport build` handed to its server never needs them."""
    if name in ("DataError", "RapportError"):
        from generator import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'generator' has no attribute {name!r}")
