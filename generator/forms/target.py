"""What a survey form needs to post to a backend: action, field names, extra hidden fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from generator.forms.fields import HONEYPOT_FIELD, SHOWN_AT_FIELD, SURVEY_FIELD, TOKEN_FIELD


@dataclass(frozen=True)
class FormTarget:
    """How one survey's form posts to its backend."""

    action: str
    honeypot: str = HONEYPOT_FIELD
    token_field: str | None = TOKEN_FIELD
    survey_field: str | None = SURVEY_FIELD
    shown_at_field: str | None = SHOWN_AT_FIELD
    field_names: Mapping[str, str] = field(default_factory=dict)  # question id → posted name
    hidden: tuple[tuple[str, str], ...] = ()
    enctype: str | None = None
    # the reply cannot be read (Google Forms): with JavaScript, post into a hidden frame
    # and then show our own thanks page
    post_into_frame: bool = False

    def name_for(self, question_id: str) -> str:
        """The posted field name of a question."""
        return self.field_names.get(question_id, question_id)

    @property
    def csp_source(self) -> str:
        """The CSP `form-action` source allowing this action and nothing else."""
        parts = urlsplit(self.action)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
        if parts.scheme == "mailto":
            return "mailto:"
        return "'self'"
