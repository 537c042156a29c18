"""Survey forms: the field names every backend shares, and one module per backend."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from generator.forms.target import FormTarget
from generator.model import Settings, Survey

__all__ = ["FormTarget", "form_target"]


def form_target(settings: Settings, survey: Survey, thanks_url: str) -> FormTarget:
    """The configured backend's form target for one survey."""
    backend = import_module(f"generator.forms.{settings.forms.backend}")
    # every backend module has this function (one module per backend)
    make: Callable[[Settings, Survey, str], FormTarget] = backend.form_target
    return make(settings, survey, thanks_url)
