"""Write a believable, deterministic sample portfolio into a folder (`rapport demo`).

Everything comes from one `random.Random(seed)`, never from the clock, so the same
arguments give byte-identical files. The first clients play fixed roles that make the
dashboards tell a story (see STORY_ROLES); the rest are drawn at random.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from generator.csv_text import csv_lines
from generator.demo_content import (
    ANGRY_FOLLOWUP, ANGRY_IMPROVE, ANNUAL_ID, ANNUAL_SURVEY, AREA_OPTIONS, DROP_COMMENTS, DROP_FOLLOWUP, FIRST_NAMES,
    INDEX_PAGE, KIND_KEYS, KINDS, MINUTES, NON_LATIN, NOTE_LINES, NOTES, PLACES, PULSE_ID, PULSE_SURVEY, SCHEDULED,
    SERVICES_PAGE, STAFF, SURNAMES, TEXTS, VOICES,
)

__all__ = ["DemoCounts", "STORY_ROLES", "write_demo"]

DAY = dt.timedelta(days=1)

#: Which fixed client plays which part of the sample's story, in order.
STORY_ROLES = {
    "bayview-dental": "on-site visits dropped in the last six months, satisfaction fell after; renews within 90 days",
    "northgate-logistics": "outside the ideal profile: 60 PCs, 4 servers, a WAN",
    "cafe-lumiere": "ended about five months ago",
    "kestrel-architecture": "started about eight months ago; never surveyed",
    "pemberton-tax": "renewal survey overdue: renews in about 40 days, last response over 14 months ago",
    "redwood-physio": "detractor: NPS 2 with an angry comment",
    "mueller-soehne": "accents, an ampersand and quotes in its name and notes",
    "obrien-associates": "survey_cadence: semiannual override",
    "cedar-hollow-vet": "onsite_min_per_month: 2 override",
}


@dataclass(frozen=True)
class DemoCounts:
    """How much `write_demo` wrote."""

    clients: int
    contacts: int
    surveys: int
    responses: int


def write_demo(out_dir: Path, clients: int = 14, seed: int = 7,
               as_of: dt.date = dt.date(2026, 11, 30)) -> DemoCounts:
    """Write a sample `data/` folder (DESIGN.md §2) with `clients` clients into out_dir."""
    if clients < 1:
        raise ValueError("clients must be at least 1")
    rng = random.Random(seed)
    plans = _story_plans(rng, as_of)[:clients]
    taken = set(STORY_ROLES)
    while len(plans) < clients:
        plans.append(_random_plan(rng, as_of, taken))
    contacts = _contacts(rng, plans, as_of)
    annual, pulse = _responses(rng, plans, as_of)
    files = {
        "site.yaml": _yaml(_site(as_of)),
        "clients.yaml": _yaml([plan.record for plan in plans]),
        "contacts.csv": _csv(("date", "client", "kind", "staff", "minutes", "note"), contacts),
        f"surveys/{ANNUAL_ID}.yaml": _yaml(ANNUAL_SURVEY),
        f"surveys/{PULSE_ID}.yaml": _yaml(PULSE_SURVEY),
        f"responses/{ANNUAL_ID}.csv": _csv(_header(ANNUAL_SURVEY), annual),
        f"responses/{PULSE_ID}.csv": _csv(_header(PULSE_SURVEY), pulse),
        "pages/index.md": INDEX_PAGE.encode("utf-8"),
        "pages/services.md": SERVICES_PAGE.encode("utf-8"),
    }
    out_dir = Path(out_dir)
    for name, content in files.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return DemoCounts(clients=len(plans), contacts=len(contacts), surveys=2, responses=len(annual) + len(pulse))


# ---------------------------------------------------------------- calendar


def _add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, the day clamped to the month's end (31 Aug + 6 → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _days_in(year, month + 1)))


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


@lru_cache(maxsize=None)
def _weekdays(index: int) -> tuple[dt.date, ...]:
    """Monday–Friday dates of the month with this `_month_index`."""
    year, month = divmod(index, 12)
    first = dt.date(year, month + 1, 1)
    return tuple(d for d in (first + k * DAY for k in range(_days_in(year, month + 1))) if d.weekday() < 5)


def _central_offset(day: dt.date) -> int:
    """UTC offset in hours of US Central time (DST: 2nd Sunday of March to 1st Sunday of November)."""
    march = dt.date(day.year, 3, 8)
    november = dt.date(day.year, 11, 1)
    dst_start = march + (6 - march.weekday()) * DAY
    dst_end = november + (6 - november.weekday()) * DAY
    return -5 if dst_start <= day < dst_end else -6


def _timestamp(rng: random.Random, day: dt.date, utc: bool = False) -> tuple[str, float]:
    """An ISO 8601 time on `day` (local, or UTC when `utc`) and its instant for sorting."""
    hour = rng.choices((7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
                       (1, 4, 7, 8, 7, 5, 6, 7, 7, 6, 4, 3, 2, 2))[0]
    minute, second = rng.randrange(60), rng.randrange(60)
    offset = _central_offset(day)
    instant = (day.toordinal() * 86400 + hour * 3600 + minute * 60 + second) - offset * 3600
    if utc and hour - offset < 24:
        return f"{day.isoformat()}T{hour - offset:02d}:{minute:02d}:{second:02d}Z", instant
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}{offset:+03d}:00", instant


# ---------------------------------------------------------------- clients


@dataclass
class _Plan:
    """One client: its clients.yaml record and how its history is drawn."""

    record: dict[str, Any]
    kind: str
    rate: float                       # mean on-site visits a month
    lead: int                         # days before each anniversary the review goes out
    pulse: bool                       # receives the quarterly pulse
    tech: str
    bias: float = 0.0                 # how much happier than its visits alone suggest
    voice: str = "en"                 # language of some free-text answers
    role: str = ""
    onsite: dict[int, int] = field(default_factory=dict)   # month index → forced on-site count
    answers_until: dt.date | None = None                   # no responses after this date
    monthly: dict[int, int] = field(default_factory=dict)  # month index → on-site visits drawn

    @property
    def id(self) -> str:
        return self.record["id"]

    @property
    def start(self) -> dt.date:
        return self.record["agreement"]["start"]

    @property
    def last_day(self) -> dt.date | None:
        return self.record.get("ended")

    def onsite_rate_before(self, day: dt.date) -> float:
        """On-site visits a month over the three months before `day`'s month."""
        index = _month_index(day)
        months = [self.monthly[m] for m in range(index - 3, index) if m in self.monthly]
        return sum(months) / len(months) if months else self.rate


def _client(cid: str, name: str, person: tuple[str, str], pcs: int, servers: int, start: dt.date,
            fee: int, term: int = 12, wan: bool = False, **extra: Any) -> dict[str, Any]:
    first, last = person
    domain = cid.replace("-", "") + ".example"
    record: dict[str, Any] = {
        "id": cid, "name": name,
        "contact": {"name": f"{first} {last}", "email": f"{_slug(first)}.{_slug(last)}@{domain}".replace("-", ""),
                    "phone": f"+1 {300 + len(cid) * 17 % 600} 555 01{len(name) * 7 % 100:02d}"},
        "pcs": pcs, "servers": servers, "wan": wan,
        "agreement": {"start": start, "term_months": term, "monthly_fee": fee},
    }
    record.update({key: value for key, value in extra.items() if key != "notes"})
    record["notes"] = extra["notes"]
    return record


def _story_plans(rng: random.Random, as_of: dt.date) -> list[_Plan]:
    """The fixed clients whose histories make the sample tell a story."""
    month_one = as_of.replace(day=1)
    here = _month_index(as_of)
    plans: list[_Plan] = []

    renews = _add_months(month_one, 2)
    drop = {here - 6 + k: count for k, count in enumerate((1, 1, 0, 1, 0, 0, 0))}
    plans.append(_Plan(_client(
        "bayview-dental", "Bayview Dental Care", ("Dana", "Ruiz"), 22, 1, _add_months(renews, -48), 1650,
        notes=("Four-chair practice, open 7:30–17:00. Dana runs the office and signs off on spending.\n\n"
               "- Imaging server (Dentrix + X-ray sensors) in the back closet; nightly backup to the NAS.\n"
               "- Tomás was their regular on-site tech until he moved to the Northgate project in "
               f"{_add_months(month_one, -6):%B %Y}; visits have been patchy since.\n"
               "- **Renewal soon** — book a visit and a call with Dana before sending the review.\n")),
        "dental", rate=2.5, lead=75, pulse=True, tech=STAFF[1], bias=0.08, role="drop", onsite=drop))

    plans.append(_Plan(_client(
        "northgate-logistics", "Northgate Logistics", ("Marcus", "Okafor"), 60, 4,
        _add_months(month_one, -rng.randint(44, 52)), 2950, term=24, wan=True,
        notes=("Outside our usual profile: two warehouses linked by a site-to-site VPN, 60 PCs, "
               "4 servers (file, ERP, print, backup).\n\n"
               "- Scanner guns on the warehouse Wi-Fi; handhelds are theirs, we only do the access points.\n"
               "- Marcus prefers e-mail; escalations go to the ops director.\n")),
        "logistics", rate=2.6, lead=80, pulse=True, tech=STAFF[1], bias=0.05))

    ended = _add_months(month_one, -4) - DAY
    plans.append(_Plan(_client(
        "cafe-lumiere", "Café Lumière", ("Noémie", "Laurent"), 12, 1, _add_months(ended + DAY, -48),
        650, ended=ended,
        notes=("Three cafés plus the bakery kitchen; POS terminals, office PCs and the recipe server.\n\n"
               f"Sold in {ended:%B %Y}. The new owners use their franchise's IT provider — "
               "Noémie said they'd \"happily recommend us\". Exported their backups and handed over "
               "the admin passwords in a sealed envelope.\n")),
        "cafe", rate=1.5, lead=70, pulse=True, tech=STAFF[0], bias=0.06, voice="fr"))

    plans.append(_Plan(_client(
        "kestrel-architecture", "Kestrel Architecture Studio", ("Ingrid", "Halvorsen"), 16, 1,
        _add_months(month_one, -7), 1150,
        notes=("New this year. CAD workstations with big GPUs, a plotter that hates everyone, and "
               "a NAS full of Revit projects.\n\n"
               "- First review goes out a couple of months before the first renewal.\n")),
        "architecture", rate=2.0, lead=70, pulse=False, tech=STAFF[2]))

    renews = as_of + 40 * DAY
    renews = renews.replace(day=min(renews.day, 28))
    plans.append(_Plan(_client(
        "pemberton-tax", "Pemberton Tax & Accounting", ("Graham", "Pemberton"), 14, 1,
        _add_months(renews, -48), 900,
        notes=("Two partners and a seasonal crew from January to April; tax software updates every December.\n\n"
               "- Last year's review never went out (busy season). **Send it early this time.**\n")),
        "accounting", rate=1.4, lead=70, pulse=False, tech=STAFF[0], bias=0.04,
        answers_until=_add_months(as_of, -15)))

    anniversary = _add_months(month_one, 1).replace(day=15)
    plans.append(_Plan(_client(
        "redwood-physio", "Redwood Physical Therapy", ("Brenda", "Kowalski"), 13, 1,
        _add_months(anniversary, -36), 800, term=24,
        notes=("Scheduling and billing run on a hosted EMR; the front-desk PCs are what matter.\n\n"
               "- Brenda is unhappy after the front-desk outage in the autumn — see the latest review.\n"
               "- Agreed to cut visits to one a month to save money; that was a mistake.\n")),
        "physio", rate=0.8, lead=70, pulse=False, tech=STAFF[2], bias=-0.08, role="detractor"))

    plans.append(_Plan(_client(
        "mueller-soehne", 'Müller & Söhne "Bäckerei"', ("Jürgen", "Müller"), 11, 1,
        _add_months(month_one, -rng.randint(36, 44)), 700,
        notes=('Family bakery, three shops. Jürgen calls it "die Firma"; his daughter Lena handles the '
               "web shop.\n\n"
               "- Ovens start at 4:00 — never schedule updates before 6:00.\n"
               "- Prefers German for anything written; *Kassensystem* = the POS.\n")),
        "bakery", rate=1.6, lead=65, pulse=True, tech=STAFF[1], bias=0.06, voice="de"))

    plans.append(_Plan(_client(
        "obrien-associates", "O'Brien & Associates", ("Siobhán", "O'Brien"), 19, 2,
        _add_months(month_one, 4 - 48), 1350, survey_cadence="semiannual",
        notes=("Litigation practice; document management server and a scanner per floor.\n\n"
               "- Siobhán asked for a review every six months — she shares the results with the partners.\n")),
        "law", rate=1.8, lead=70, pulse=False, tech=STAFF[0], bias=0.05))

    plans.append(_Plan(_client(
        "cedar-hollow-vet", "Cedar Hollow Veterinary Clinic", ("Kwame", "Mensah"), 24, 2,
        _add_months(month_one, -rng.randint(40, 50)), 1800, onsite_min_per_month=2,
        notes=("Surgery suite, lab analysers and an X-ray PC; the practice software must never be down "
               "in clinic hours.\n\n"
               "- Contract says two on-site visits a month minimum.\n")),
        "vet", rate=2.6, lead=75, pulse=True, tech=STAFF[2], bias=0.05))
    return plans


def _random_plan(rng: random.Random, as_of: dt.date, taken: set[str]) -> _Plan:
    """One client drawn at random, with an id not in `taken` (which it joins)."""
    kind = rng.choice(KIND_KEYS)
    templates, (low, high), systems = KINDS[kind]
    for _ in range(40):
        name = rng.choice(templates).format(place=rng.choice(PLACES), surname=rng.choice(SURNAMES),
                                            surname2=rng.choice(SURNAMES))
        cid = _slug(name)
        if cid not in taken:
            break
    else:
        number = 2
        while f"{cid}-{number}" in taken:
            number += 1
        cid, name = f"{cid}-{number}", f"{name} ({number})"
    taken.add(cid)
    pcs = rng.randint(low, high) if rng.random() < 0.9 else rng.choice((6, 8, 9, 38, 42, 48))
    servers = rng.choices((0, 1, 2, 3), (1, 12, 6, 1))[0]
    wan = rng.random() < 0.05
    months_ago = rng.choices(range(11, 59), [3 if k > 34 else 2 for k in range(11, 59)])[0]  # 2022–2025, older likelier
    start = _add_months(as_of.replace(day=1), -months_ago)
    if rng.random() < 0.3:
        start = start.replace(day=15)
    fee = min(3000, max(600, round((450 + pcs * 48 + servers * 160 + rng.randint(-150, 150)) / 25) * 25))
    extra: dict[str, Any] = {}
    if rng.random() < 0.06 and _add_months(start, 14) < as_of:
        extra["ended"] = _add_months(as_of, -rng.randint(1, 12)).replace(day=1) - DAY
    person = (rng.choice(FIRST_NAMES), rng.choice(SURNAMES))
    rate = min(3.0, max(0.5, rng.triangular(0.5, 3.0, 1.9)))
    system = rng.choice(systems)
    lines = rng.sample(NOTE_LINES, 2)
    notes = (f"{pcs} PCs, {servers} server{'s' if servers != 1 else ''}. Key system: the {system}.\n\n"
             f"- {lines[0]}\n- {lines[1]}\n").replace("{first}", person[0])
    record = _client(cid, name, person, pcs, servers, start, fee, term=12 if rng.random() < 0.8 else 24,
                     wan=wan, notes=notes, **extra)
    return _Plan(record, kind, rate=rate, lead=rng.randint(62, 88), pulse=rng.random() < 0.85,
                 tech=rng.choice(STAFF), bias=rng.gauss(0, 0.06))


def _ascii(text: str) -> str:
    text = text.translate(_TRANSLIT)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _slug(name: str) -> str:
    """A `[a-z0-9-]+` id from a business name."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(name).replace("'", "")).strip("-")


_TRANSLIT = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "ı": "i",
                            "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


# ---------------------------------------------------------------- contacts


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _contacts(rng: random.Random, plans: Sequence[_Plan], as_of: dt.date) -> list[tuple[Any, ...]]:
    """Every contact row up to as_of, sorted."""
    history_start = dt.date(as_of.year - 3, 1, 1)
    rows: list[tuple[Any, ...]] = []
    for plan in plans:
        first = max(plan.start, history_start)
        last = min(plan.last_day or as_of, as_of)
        size = plan.record["pcs"] / 20
        systems = KINDS[plan.kind][2]
        person = plan.record["contact"]["name"].split()[0]
        for index in range(_month_index(first), _month_index(last) + 1):
            all_days = _weekdays(index)
            days = [d for d in all_days if first <= d <= last]
            if not days:
                continue
            share = len(days) / len(all_days)
            if index in plan.onsite:
                visits = plan.onsite[index]
            else:
                visits = max(0, int(plan.rate * share + rng.gauss(0, 0.55) + 0.5))
            plan.monthly[index] = visits
            counts = (("onsite", min(visits, len(days))), ("remote", _poisson(rng, 0.9 * size * share)),
                      ("phone", _poisson(rng, 0.45 * share)), ("email", _poisson(rng, 0.55 * share)))
            for kind, count in counts:
                for day in (rng.sample(days, count) if kind == "onsite" else rng.choices(days, k=count)):
                    rows.append(_contact_row(rng, plan, day, kind, person, systems))
    active = [p for p in plans if p.last_day is None and p.role != "drop" and p.start <= as_of]
    # Planned visits belong in the calendar, not the log: none is written after as_of. The random
    # draws that once made them are still made, so every other row of the sample stays the same.
    for _plan in rng.sample(active, min(4, len(active))):
        rng.randint(1, 12)
        rng.choice(SCHEDULED)
    rows.sort()
    return rows


def _contact_row(rng: random.Random, plan: _Plan, day: dt.date, kind: str, person: str,
                 systems: Sequence[str]) -> tuple[Any, ...]:
    staff = plan.tech if rng.random() < (0.8 if kind == "onsite" else 0.5) else rng.choice(STAFF)
    low, high, step = MINUTES[kind]
    minutes = rng.randrange(low, high + 1, step)
    note = rng.choice(NOTES[kind])
    if "{" in note:
        note = note.format(first=person, system=rng.choice(systems), n=rng.randint(2, 19))
    return (day.isoformat(), plan.id, kind, staff, minutes, note)


# ---------------------------------------------------------------- responses


def _responses(rng: random.Random, plans: Sequence[_Plan], as_of: dt.date) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of both response files, sorted by time and numbered."""
    history_start = dt.date(as_of.year - 3, 1, 1)
    annual: list[tuple[float, str, dict[str, str]]] = []
    pulse: list[tuple[float, str, dict[str, str]]] = []
    for plan in plans:
        first = max(plan.start, history_start)
        limit = min(plan.last_day or as_of, as_of, plan.answers_until or as_of)
        step = 6 if plan.record.get("survey_cadence") == "semiannual" else 12
        sends = []
        k = 1
        while (send := _add_months(plan.start, k * step) - plan.lead * DAY) <= limit:
            if send >= first:
                sends.append(send)
            k += 1
        for number, send in enumerate(sends):
            latest = number == len(sends) - 1
            if not latest and rng.random() < 0.05:
                continue
            respondents = 1 + (rng.random() < 0.55) + (rng.random() < 0.2)
            if latest and plan.role == "detractor":
                respondents = 1  # the angry answer is the client's latest word
            for respondent in range(respondents):
                day = min(send + rng.choices((0, 1, 2, 3, 5, 8, 12), (5, 5, 3, 2, 2, 1, 1))[0] * DAY, limit)
                annual.append(_annual_response(rng, plan, day, latest and respondent == 0))
        if plan.pulse:
            for index in range(_month_index(first), _month_index(limit) + 1):
                if index % 3:  # January, April, July, October
                    continue
                earliest = rng.randint(3, 9)
                send = next(d for d in _weekdays(index) if d.day >= earliest)
                for _ in range(1 + (rng.random() < 0.6) + (rng.random() < 0.15)):
                    day = send + rng.choices((0, 1, 2, 4, 7, 11), (6, 4, 3, 2, 1, 1))[0] * DAY
                    if first <= day <= limit and rng.random() < 0.85:
                        pulse.append(_pulse_response(rng, plan, day))
    for _ in range(max(4, len(plans) // 4)):
        day = as_of - rng.randint(1, 700) * DAY
        mood = min(1.0, max(0.0, rng.gauss(0.62, 0.2)))
        if rng.random() < 0.4:
            annual.append(_stamp(rng, day, "", _annual_answers(rng, mood, 1.8, "en")))
        else:
            pulse.append(_stamp(rng, day, "", _pulse_answers(rng, mood, "en")))
    return _numbered("ar", annual, _header(ANNUAL_SURVEY)), _numbered("qp", pulse, _header(PULSE_SURVEY))


def _stamp(rng: random.Random, day: dt.date, client: str, answers: dict[str, str], utc: bool = False) -> tuple[float, str, dict[str, str]]:
    text, instant = _timestamp(rng, day, utc)
    return instant, text, {"client": client, **answers}


def _numbered(prefix: str, rows: list[tuple[float, str, dict[str, str]]], header: Sequence[str]) -> list[tuple[Any, ...]]:
    rows.sort(key=lambda row: (row[0], row[2]["client"], row[1]))
    return [(f"{prefix}-{number:06d}", answers["client"], submitted, *(answers.get(q, "") for q in header[3:]))
            for number, (_, submitted, answers) in enumerate(rows, start=1)]


def _mood(rng: random.Random, plan: _Plan, day: dt.date) -> tuple[float, float]:
    """Satisfaction 0–1 on `day`, driven by recent on-site visits; and that visit rate."""
    rate = plan.onsite_rate_before(day)
    if plan.role == "drop":
        return (0.85, rate) if not _after_drop(plan, day) else (0.3, rate)
    mood = 0.62 + 0.14 * (min(rate, 3.0) - 1.5) + plan.bias + rng.gauss(0, 0.1)
    return min(1.0, max(0.0, mood)), rate


def _annual_response(rng: random.Random, plan: _Plan, day: dt.date, headline: bool) -> tuple[float, str, dict[str, str]]:
    """One review; `headline` marks the respondent whose answer carries a story client's point."""
    mood, rate = _mood(rng, plan, day)
    answers = _annual_answers(rng, mood, rate, plan.voice)
    if plan.role == "drop":
        answers.update(_drop_scores(rng, plan, day, answers["recommend"], "improve"))
    if plan.role == "detractor" and headline:
        answers.update(overall="1", recommend="2", responsiveness="1", visits="Too few", areas="Helpdesk;Hardware",
                       followup=ANGRY_FOLLOWUP, improve=ANGRY_IMPROVE)
    if int(answers["overall"]) > 3:
        answers.pop("followup", None)  # the form hides this question above 3
    return _stamp(rng, day, plan.id, answers)


def _pulse_response(rng: random.Random, plan: _Plan, day: dt.date) -> tuple[float, str, dict[str, str]]:
    mood, rate = _mood(rng, plan, day)
    answers = _pulse_answers(rng, mood, plan.voice)
    if plan.role == "drop":
        answers.update(_drop_scores(rng, plan, day, answers.get("recommend", ""), "comment"))
    return _stamp(rng, day, plan.id, answers, utc=rng.random() < 0.08)


def _after_drop(plan: _Plan, day: dt.date) -> bool:
    return _month_index(day) >= min(plan.onsite) + 3


def _drop_scores(rng: random.Random, plan: _Plan, day: dt.date, recommend: str, text: str) -> dict[str, str]:
    """Bayview: promoters (9–10) until the visits thinned out, detractors (≤ 6) a few months after."""
    if not recommend:
        return {}
    if not _after_drop(plan, day):
        return {"recommend": str(max(9, int(recommend)))}
    answers = {"recommend": str(min(6, int(recommend))), text: rng.choice(DROP_COMMENTS)}
    if text == "improve":
        answers.update(visits="Too few", followup=DROP_FOLLOWUP)
    return answers


def _scale(rng: random.Random, mood: float, low: int, high: int, spread: float) -> str:
    value = low + (high - low) * mood + rng.gauss(0, spread)
    return str(min(high, max(low, round(value))))


def _annual_answers(rng: random.Random, mood: float, rate: float, voice: str) -> dict[str, str]:
    overall = int(_scale(rng, min(1.0, mood + 0.08), 1, 5, 0.45))
    recommend = int(_scale(rng, mood, 2, 11, 0.8)) if mood > 0.2 else rng.randint(0, 5)
    recommend = min(recommend, 10)
    answers = {"overall": str(overall), "recommend": str(recommend)}
    if rng.random() < 0.95:
        answers["responsiveness"] = str(min(5, max(1, overall + rng.choice((-1, 0, 0, 0, 1)))))
    if rng.random() < 0.9:
        if rate < 1.1:
            answers["visits"] = "Too few" if rng.random() < 0.8 else "About right"
        else:
            answers["visits"] = "Too many" if rate > 2.5 and rng.random() < 0.2 else (
                "Too few" if rng.random() < 0.08 else "About right")
    if rng.random() < 0.8:
        picked = set(rng.sample(AREA_OPTIONS, rng.choice((1, 1, 2, 2, 3))))
        answers["areas"] = ";".join(option for option in AREA_OPTIONS if option in picked)
    if overall <= 3 and rng.random() < 0.85:
        answers["followup"] = _text(rng, "angry" if overall <= 2 and rng.random() < 0.5 else "constructive", voice)
    if rng.random() < 0.6:
        answers["improve"] = _text(rng, _tone(recommend), voice)
    return answers


def _pulse_answers(rng: random.Random, mood: float, voice: str) -> dict[str, str]:
    answers = {"pulse": _scale(rng, min(1.0, mood + 0.08), 1, 5, 0.45)}
    recommend = min(10, int(_scale(rng, mood, 2, 11, 0.8)))
    if rng.random() < 0.85:
        answers["recommend"] = str(recommend)
    if rng.random() < 0.35:
        answers["comment"] = _text(rng, _tone(recommend), voice)
    return answers


def _tone(recommend: int) -> str:
    return "positive" if recommend >= 9 else "constructive" if recommend >= 4 else "angry"


def _text(rng: random.Random, tone: str, voice: str) -> str:
    if voice != "en" and tone != "angry" and rng.random() < 0.6:
        return rng.choice(VOICES[voice][tone == "positive"])
    if tone == "positive" and rng.random() < 0.12:
        return rng.choice(NON_LATIN)
    return rng.choice(TEXTS[tone])


# ---------------------------------------------------------------- writing


def _header(survey: dict[str, Any]) -> tuple[str, ...]:
    return ("response_id", "client", "submitted_at", *(q["id"] for q in survey["questions"]))


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return csv_lines([header, *rows])


class _Dumper(yaml.SafeDumper):
    """Block mappings, short lists in flow style, multi-line text as `|` blocks, no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flow = all(not isinstance(item, (dict, list, tuple)) for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(tuple, _represent_list)


def _yaml(data: Any) -> bytes:
    # SafeDumper quotes every string a YAML 1.1 reader would turn into a number, bool or date
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
    return text.encode("utf-8")


def _site(as_of: dt.date) -> dict[str, Any]:
    return {
        "business": {"name": "Harbor Point IT", "email": "hello@harborpoint.example", "phone": "+1 555 0100"},
        "site": {"base_url": "https://example.github.io/rapport/", "language": "en"},
        "as_of": as_of,
        "targets": {"onsite_min_per_month": 1, "onsite_typical_per_month": 2,
                    "survey_cadence": "annual", "survey_lead_days": 60},
        "ideal_client": {"pcs": [10, 35], "servers": [1, 2], "wan": False},
        "forms": {"backend": "collector"},
        "dashboards": {"publish": "encrypted"},
    }
