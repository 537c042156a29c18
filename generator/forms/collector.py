"""The built-in collector (`rapport collect`/`serve`): a plain POST to /api/responses."""

from __future__ import annotations

from generator.forms.target import FormTarget
from generator.model import Settings, Survey

DEFAULT_ENDPOINT = "/api/responses"


def form_target(settings: Settings, survey: Survey, thanks_url: str) -> FormTarget:
    """Post every field under its own name; the collector answers 303 to the thanks page."""
    return FormTarget(action=settings.forms.endpoint or DEFAULT_ENDPOINT)
