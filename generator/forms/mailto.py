"""No service at all: the browser's mail program sends the answers as plain text."""

from __future__ import annotations

from urllib.parse import quote

from generator.forms.target import FormTarget
from generator.model import Settings, Survey


def form_target(settings: Settings, survey: Survey, thanks_url: str) -> FormTarget:
    """A `text/plain` form posted to the consultant's address, subject naming the survey."""
    address = settings.forms.email or settings.business.email
    subject = quote(f"Survey: {survey.title} [{survey.id}]")
    return FormTarget(action=f"mailto:{address}?subject={subject}", enctype="text/plain")
