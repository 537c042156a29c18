"""Write a believable, deterministic sample portfolio into a folder (`rapport demo`).

Everything comes from one `random.Random(seed)`, never from the clock, so the same
arguments give byte-identical files. The first clients play fixed roles that make the
dashboards tell a story (see STORY_ROLES); the rest are drawn at random. The order of the
draws is part of the output: clients, then contacts, then responses.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from generator.demo.clients import STORY_ROLES, random_plan, story_plans
from generator.demo.contacts import CONTACT_COLUMNS, contact_rows
from generator.demo.files import csv_bytes, yaml_bytes
from generator.demo.pages import INDEX_PAGE, SERVICES_PAGE, site_settings
from generator.demo.responses import response_rows
from generator.demo.surveys import ANNUAL_ID, ANNUAL_SURVEY, PULSE_ID, PULSE_SURVEY, survey_header


@dataclass(frozen=True)
class DemoCounts:
    """How much `write_demo` wrote."""

    clients: int
    contacts: int
    surveys: int
    responses: int


def write_demo(out_dir: Path, clients: int = 14, seed: int = 7,
               as_of: dt.date = dt.date(2026, 11, 30)) -> DemoCounts:
    """Write a sample `data/` folder (docs/data-formats.md) with `clients` clients into out_dir."""
    if clients < 1:
        raise ValueError("clients must be at least 1")
    rng = random.Random(seed)
    plans = story_plans(rng, as_of)[:clients]
    taken = set(STORY_ROLES)
    while len(plans) < clients:
        plans.append(random_plan(rng, as_of, taken))
    contacts = contact_rows(rng, plans, as_of)
    annual, pulse = response_rows(rng, plans, as_of)
    files = {
        "site.yaml": yaml_bytes(site_settings(as_of)),
        "clients.yaml": yaml_bytes([plan.record for plan in plans]),
        "contacts.csv": csv_bytes(CONTACT_COLUMNS, contacts),
        f"surveys/{ANNUAL_ID}.yaml": yaml_bytes(ANNUAL_SURVEY),
        f"surveys/{PULSE_ID}.yaml": yaml_bytes(PULSE_SURVEY),
        f"responses/{ANNUAL_ID}.csv": csv_bytes(survey_header(ANNUAL_SURVEY), annual),
        f"responses/{PULSE_ID}.csv": csv_bytes(survey_header(PULSE_SURVEY), pulse),
        "pages/index.md": INDEX_PAGE.encode("utf-8"),
        "pages/services.md": SERVICES_PAGE.encode("utf-8"),
    }
    out_dir = Path(out_dir)
    for name, content in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return DemoCounts(clients=len(plans), contacts=len(contacts), surveys=2, responses=len(annual) + len(pulse))
