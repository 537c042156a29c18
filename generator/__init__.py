"""Rapport: turn a consultant's plain data files into client dashboards and survey pages."""

from generator.errors import DataError, RapportError
from generator.portfolio import Portfolio

__all__ = ["DataError", "Portfolio", "RapportError", "__version__"]

__version__ = "0.1.0"
