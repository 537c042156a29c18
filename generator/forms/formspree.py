"""Formspree: post to https://formspree.io/f/<id>; `_gotcha` is its honeypot, `_next` its redirect."""

from __future__ import annotations

from generator.forms.fields import FORMSPREE_HONEYPOT_FIELD, FORMSPREE_NEXT_FIELD
from generator.forms.target import FormTarget
from generator.model import Settings, Survey


def form_target(settings: Settings, survey: Survey, thanks_url: str) -> FormTarget:
    """Formspree needs an absolute `_next`; without `site.base_url` it shows its own thanks page."""
    hidden = ((FORMSPREE_NEXT_FIELD, thanks_url),) if thanks_url.startswith(("https://", "http://")) else ()
    return FormTarget(
        action=f"https://formspree.io/f/{settings.forms.formspree_id}",
        honeypot=FORMSPREE_HONEYPOT_FIELD,
        hidden=hidden,
    )
