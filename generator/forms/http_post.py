"""Any HTTP endpoint (an Apps Script web app, Basin, a self-hosted collector)."""

from __future__ import annotations

from generator.forms.target import FormTarget
from generator.model import Settings, Survey


def form_target(settings: Settings, survey: Survey, thanks_url: str) -> FormTarget:
    """Post the same fields as the collector to `forms.endpoint`."""
    assert settings.forms.endpoint, "validated by the Forms model"
    return FormTarget(action=settings.forms.endpoint)
