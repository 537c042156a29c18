"""Rapport: turn a consultant's plain data files into client dashboards and survey pages."""

import os

# Before numpy is first imported: its OpenBLAS would start a pool of threads that spin while
# they wait for work. Rapport does no linear algebra, and it renders on every core itself.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from generator.errors import DataError, RapportError
from generator.portfolio import Portfolio

__all__ = ["DataError", "Portfolio", "RapportError", "__version__"]

__version__ = "0.1.0"
