"""Google Forms: post `entry.N` fields to the form's formResponse URL; its reply cannot be read."""

from __future__ import annotations

from generator.forms.target import FormTarget
from generator.model import Settings, Survey


def form_target(settings: Settings, survey: Survey, thanks_url: str) -> FormTarget:
    """Map every question and the token to the survey's configured entry ids."""
    google = survey.google_form
    assert google is not None, "checked when the survey was loaded"
    return FormTarget(
        action=f"https://docs.google.com/forms/d/e/{google.id}/formResponse",
        token_field=google.token_entry,
        survey_field=google.survey_entry,
        shown_at_field=google.shown_at_entry,
        field_names={question.id: question.google_entry or question.id for question in survey.questions},
        post_into_frame=True,
    )
