"""The load stage: read every file in `data/`, validate it, and return a Portfolio (generator/load/stage.py).

`load_portfolio` is imported when first asked for, not with the package: `rapport build` imports
the readers of contacts.csv (generator/load/ahead.py) and forks one to read it before it imports
the records' schema and the YAML reader the rest of the stage needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generator.load.stage import load_portfolio

__all__ = ["load_portfolio"]


def __getattr__(name: str) -> Any:
    if name == "load_portfolio":
        from generator.load.stage import load_portfolio

        return load_portfolio
    raise AttributeError(f"module 'generator.load' has no attribute {name!r}")
