"""Rapport: turn a consultant's plain data files into client dashboards and survey pages."""

from generator.errors import DataError, RapportError

__all__ = ["DataError", "RapportError", "__version__"]

__version__ = "0.1.0"
