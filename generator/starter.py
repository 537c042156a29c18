"""The files of a new, empty practice (`rapport init`): minimal, valid, and explained by their comments."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from generator.csv_text import csv_lines
from generator.load.contacts import CONTACT_COLUMNS
from generator.load.followups import FOLLOWUP_COLUMNS
from generator.portfolio import INVITATION_COLUMNS

SURVEY_ID = "annual-review"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(text, ensure_ascii=False)


def site_yaml(business: str, email: str | None, language: str, today: dt.date) -> str:
    """`site.yaml`: the business, its language, and the day its records begin."""
    email_line = f"  email: {_quoted(email)}\n" if email else "  # email: hello@example.com\n"
    return (
        "# Settings of this practice (Rapport's README lists every key).\n"
        "business:\n"
        f"  name: {_quoted(business)}\n"
        f"{email_line}"
        "  # phone: \"+1 555 0100\"\n"
        "site:\n"
        f"  language: {_quoted(language)}\n"
        "  # base_url: https://YOUR-NAME.github.io/YOUR-REPOSITORY/   (where the site is published)\n"
        "# The day this folder's records begin: visits and surveys are counted from here.\n"
        f"tracking_since: {today.isoformat()}\n"
        "# as_of: YYYY-MM-DD   (a fixed report date; absent = today)\n"
        "targets:\n"
        "  onsite_min_per_month: 1\n"
        "  onsite_typical_per_month: 2\n"
        "  survey_cadence: annual\n"
        "  survey_lead_days: 60\n"
    )


def clients_yaml(today: dt.date) -> str:
    """`clients.yaml`: no client yet, one commented example."""
    return (
        "# Your service-agreement clients, one entry each. To add one, copy the example below,\n"
        "# remove the leading '# ', change the values, and delete the '[]' line at the end.\n"
        "# id: a short name of your choice (a-z, 0-9, -), used in contacts.csv and in survey links.\n"
        "#\n"
        "# - id: acme-dental\n"
        "#   name: Acme Dental Group\n"
        "#   contact: {name: Dana Ruiz, email: dana@acme.example, phone: \"+1 555 0101\"}\n"
        "#   pcs: 18\n"
        "#   servers: 1\n"
        "#   wan: false\n"
        f"#   agreement: {{start: {today.isoformat()}, term_months: 12, monthly_fee: 1450}}\n"
        "[]\n"
    )


def survey_yaml(business: str) -> str:
    """`surveys/annual-review.yaml`: overall rating, NPS, and how to improve."""
    survey = {
        "id": SURVEY_ID,
        "title": "Annual service review",
        "intro": f"Thank you for working with {business}. This takes about a minute.",
        "questions": [
            {"id": "overall", "type": "rating", "csat": True, "required": True,
             "label": "Overall, how satisfied are you with our service?"},
            {"id": "recommend", "type": "nps", "required": True,
             "label": f"How likely are you to recommend {business} to a colleague?"},
            {"id": "improve", "type": "text", "label": "How can we improve our service?"},
        ],
    }
    return yaml.safe_dump(survey, sort_keys=False, allow_unicode=True, width=1000)


def write_starter(folder: Path, business: str, email: str | None, language: str, today: dt.date) -> list[str]:
    """Write the files into `folder` (which must be empty or missing); return what was made."""
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("surveys", "responses", "pages"):
        (folder / sub).mkdir()
    files = {
        "site.yaml": site_yaml(business, email, language, today),
        "clients.yaml": clients_yaml(today),
        "contacts.csv": csv_lines([list(CONTACT_COLUMNS)]).decode("utf-8"),
        "invitations.csv": csv_lines([list(INVITATION_COLUMNS)]).decode("utf-8"),  # rapport invite appends here
        "followups.csv": csv_lines([list(FOLLOWUP_COLUMNS)]).decode("utf-8"),
        f"surveys/{SURVEY_ID}.yaml": survey_yaml(business),
        "pages/index.md": f"# {business}\n",
    }
    for name, text in files.items():
        with (folder / name).open("x", encoding="utf-8", newline="") as handle:  # "x": never overwrite
            handle.write(text)
    return [*files, "responses/"]
