"""The sample's two surveys (surveys/<id>.yaml) and the header of their response files."""

from __future__ import annotations

from typing import NotRequired, TypedDict

ANNUAL_ID, PULSE_ID = "annual-review", "quarterly-pulse"
VISIT_OPTIONS = ("Too few", "About right", "Too many")
AREA_OPTIONS = ("Helpdesk", "Backups", "Security", "Hardware", "Training")


class ShowIf(TypedDict):
    """Show a question only when another's answer is at most this (docs/data-formats.md)."""

    question: str
    at_most: int


class Question(TypedDict):
    """One entry of a survey's `questions`, keys in the order they are written."""

    id: str
    type: str
    label: str
    required: NotRequired[bool]
    csat: NotRequired[bool]
    low_label: NotRequired[str]
    high_label: NotRequired[str]
    options: NotRequired[list[str]]
    show_if: NotRequired[ShowIf]


class Survey(TypedDict):
    """A surveys/<id>.yaml file."""

    id: str
    title: str
    intro: str
    questions: list[Question]


def survey_header(survey: Survey) -> tuple[str, ...]:
    """The header row of the survey's responses/<id>.csv."""
    return ("response_id", "client", "submitted_at", *(q["id"] for q in survey["questions"]))


ANNUAL_SURVEY: Survey = {
    "id": ANNUAL_ID,
    "title": "Annual service review",
    "intro": ("Thank you for working with **Harbor Point IT** this year.\n\n"
              "This review takes about two minutes. Your answers go straight to the people who look after "
              "your office, and we read every one — the critical ones most carefully. Only the first two "
              "questions are required.\n"),
    "questions": [
        {"id": "overall", "type": "rating", "label": "Overall, how satisfied are you with our service?",
         "required": True, "csat": True, "low_label": "Very dissatisfied", "high_label": "Very satisfied"},
        {"id": "recommend", "type": "nps", "label": "How likely are you to recommend Harbor Point IT to a colleague?",
         "required": True, "low_label": "Not at all likely", "high_label": "Extremely likely"},
        {"id": "responsiveness", "type": "rating", "label": "When you need help, how quickly do we respond?",
         "low_label": "Far too slowly", "high_label": "Right away"},
        {"id": "visits", "type": "choice", "label": "Our on-site visits are…", "options": list(VISIT_OPTIONS)},
        {"id": "areas", "type": "multi", "label": "Which areas matter most to you for the coming year?",
         "options": list(AREA_OPTIONS)},
        {"id": "followup", "type": "text", "label": "What went wrong, and what would fix it?",
         "show_if": {"question": "overall", "at_most": 3}},
        {"id": "improve", "type": "text", "label": "How can we improve our service?"},
    ],
}
PULSE_SURVEY: Survey = {
    "id": PULSE_ID,
    "title": "Quarterly pulse",
    "intro": "Three quick questions about the last three months — under a minute, promise.\n",
    "questions": [
        {"id": "pulse", "type": "rating", "label": "How happy were you with our support this quarter?",
         "required": True, "csat": True, "low_label": "Not at all", "high_label": "Very happy"},
        {"id": "recommend", "type": "nps", "label": "How likely are you to recommend Harbor Point IT to a friend or colleague?",
         "low_label": "Not at all likely", "high_label": "Extremely likely"},
        {"id": "comment", "type": "text", "label": "Anything we should know?"},
    ],
}
