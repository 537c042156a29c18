"""The sample's clients: nine that play fixed story roles, the rest drawn at random (records for clients.yaml)."""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from generator.demo.dates import DAY, add_months, month_index
from generator.demo.wording import FIRST_NAMES, KIND_KEYS, KINDS, NOTE_LINES, PLACES, STAFF, SURNAMES

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


class ContactPerson(TypedDict):
    """A client's contact person, as clients.yaml holds it."""

    name: str
    email: str
    phone: str


class Agreement(TypedDict):
    """A client's service agreement, as clients.yaml holds it."""

    start: dt.date
    term_months: int
    monthly_fee: int


class ClientRecord(TypedDict):
    """One entry of clients.yaml, keys in the order they are written (docs/data-formats.md)."""

    id: str
    name: str
    contact: ContactPerson
    pcs: int
    servers: int
    wan: bool
    agreement: Agreement
    ended: NotRequired[dt.date]
    survey_cadence: NotRequired[str]
    onsite_min_per_month: NotRequired[int]
    notes: NotRequired[str]


@dataclass
class Plan:
    """One client: its clients.yaml record and how its history is drawn."""

    record: ClientRecord
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
        """The client's id."""
        return self.record["id"]

    @property
    def start(self) -> dt.date:
        """The day the agreement started."""
        return self.record["agreement"]["start"]

    @property
    def last_day(self) -> dt.date | None:
        """The day the agreement ended, if it did."""
        return self.record.get("ended")

    def onsite_rate_before(self, day: dt.date) -> float:
        """On-site visits a month over the three months before `day`'s month."""
        index = month_index(day)
        months = [self.monthly[m] for m in range(index - 3, index) if m in self.monthly]
        return sum(months) / len(months) if months else self.rate


def client(cid: str, name: str, person: tuple[str, str], pcs: int, servers: int, start: dt.date, fee: int, *,
           notes: str, term: int = 12, wan: bool = False, ended: dt.date | None = None,
           survey_cadence: str | None = None, onsite_min_per_month: int | None = None) -> ClientRecord:
    """A clients.yaml record; the optional keys only when given, and the notes last."""
    first, last = person
    domain = cid.replace("-", "") + ".example"
    record: ClientRecord = {
        "id": cid, "name": name,
        "contact": {"name": f"{first} {last}", "email": f"{slug(first)}.{slug(last)}@{domain}".replace("-", ""),
                    "phone": f"+1 {300 + len(cid) * 17 % 600} 555 01{len(name) * 7 % 100:02d}"},
        "pcs": pcs, "servers": servers, "wan": wan,
        "agreement": {"start": start, "term_months": term, "monthly_fee": fee},
    }
    if ended is not None:
        record["ended"] = ended
    if survey_cadence is not None:
        record["survey_cadence"] = survey_cadence
    if onsite_min_per_month is not None:
        record["onsite_min_per_month"] = onsite_min_per_month
    record["notes"] = notes
    return record


def story_plans(rng: random.Random, as_of: dt.date) -> list[Plan]:
    """The fixed clients whose histories make the sample tell a story."""
    month_one = as_of.replace(day=1)
    here = month_index(as_of)
    plans: list[Plan] = []

    renews = add_months(month_one, 2)
    drop = {here - 6 + k: count for k, count in enumerate((1, 1, 0, 1, 0, 0, 0))}
    plans.append(Plan(client(
        "bayview-dental", "Bayview Dental Care", ("Dana", "Ruiz"), 22, 1, add_months(renews, -48), 1650,
        notes=("Four-chair practice, open 7:30–17:00. Dana runs the office and signs off on spending.\n\n"
               "- Imaging server (Dentrix + X-ray sensors) in the back closet; nightly backup to the NAS.\n"
               "- Tomás was their regular on-site tech until he moved to the Northgate project in "
               f"{add_months(month_one, -6):%B %Y}; visits have been patchy since.\n"
               "- **Renewal soon** — book a visit and a call with Dana before sending the review.\n")),
        "dental", rate=2.5, lead=75, pulse=True, tech=STAFF[1], bias=0.08, role="drop", onsite=drop))

    plans.append(Plan(client(
        "northgate-logistics", "Northgate Logistics", ("Marcus", "Okafor"), 60, 4,
        add_months(month_one, -rng.randint(44, 52)), 2950, term=24, wan=True,
        notes=("Outside our usual profile: two warehouses linked by a site-to-site VPN, 60 PCs, "
               "4 servers (file, ERP, print, backup).\n\n"
               "- Scanner guns on the warehouse Wi-Fi; handhelds are theirs, we only do the access points.\n"
               "- Marcus prefers e-mail; escalations go to the ops director.\n")),
        "logistics", rate=2.6, lead=80, pulse=True, tech=STAFF[1], bias=0.05))

    ended = add_months(month_one, -4) - DAY
    plans.append(Plan(client(
        "cafe-lumiere", "Café Lumière", ("Noémie", "Laurent"), 12, 1, add_months(ended + DAY, -48),
        650, ended=ended,
        notes=("Three cafés plus the bakery kitchen; POS terminals, office PCs and the recipe server.\n\n"
               f"Sold in {ended:%B %Y}. The new owners use their franchise's IT provider — "
               "Noémie said they'd \"happily recommend us\". Exported their backups and handed over "
               "the admin passwords in a sealed envelope.\n")),
        "cafe", rate=1.5, lead=70, pulse=True, tech=STAFF[0], bias=0.06, voice="fr"))

    plans.append(Plan(client(
        "kestrel-architecture", "Kestrel Architecture Studio", ("Ingrid", "Halvorsen"), 16, 1,
        add_months(month_one, -7), 1150,
        notes=("New this year. CAD workstations with big GPUs, a plotter that hates everyone, and "
               "a NAS full of Revit projects.\n\n"
               "- First review goes out a couple of months before the first renewal.\n")),
        "architecture", rate=2.0, lead=70, pulse=False, tech=STAFF[2]))

    renews = as_of + 40 * DAY
    renews = renews.replace(day=min(renews.day, 28))
    plans.append(Plan(client(
        "pemberton-tax", "Pemberton Tax & Accounting", ("Graham", "Pemberton"), 14, 1,
        add_months(renews, -48), 900,
        notes=("Two partners and a seasonal crew from January to April; tax software updates every December.\n\n"
               "- Last year's review never went out (busy season). **Send it early this time.**\n")),
        "accounting", rate=1.4, lead=70, pulse=False, tech=STAFF[0], bias=0.04,
        answers_until=add_months(as_of, -15)))

    anniversary = add_months(month_one, 1).replace(day=15)
    plans.append(Plan(client(
        "redwood-physio", "Redwood Physical Therapy", ("Brenda", "Kowalski"), 13, 1,
        add_months(anniversary, -36), 800, term=24,
        notes=("Scheduling and billing run on a hosted EMR; the front-desk PCs are what matter.\n\n"
               "- Brenda is unhappy after the front-desk outage in the autumn — see the latest review.\n"
               "- Agreed to cut visits to one a month to save money; that was a mistake.\n")),
        "physio", rate=0.8, lead=70, pulse=False, tech=STAFF[2], bias=-0.08, role="detractor"))

    plans.append(Plan(client(
        "mueller-soehne", 'Müller & Söhne "Bäckerei"', ("Jürgen", "Müller"), 11, 1,
        add_months(month_one, -rng.randint(36, 44)), 700,
        notes=('Family bakery, three shops. Jürgen calls it "die Firma"; his daughter Lena handles the '
               "web shop.\n\n"
               "- Ovens start at 4:00 — never schedule updates before 6:00.\n"
               "- Prefers German for anything written; *Kassensystem* = the POS.\n")),
        "bakery", rate=1.6, lead=65, pulse=True, tech=STAFF[1], bias=0.06, voice="de"))

    plans.append(Plan(client(
        "obrien-associates", "O'Brien & Associates", ("Siobhán", "O'Brien"), 19, 2,
        add_months(month_one, 4 - 48), 1350, survey_cadence="semiannual",
        notes=("Litigation practice; document management server and a scanner per floor.\n\n"
               "- Siobhán asked for a review every six months — she shares the results with the partners.\n")),
        "law", rate=1.8, lead=70, pulse=False, tech=STAFF[0], bias=0.05))

    plans.append(Plan(client(
        "cedar-hollow-vet", "Cedar Hollow Veterinary Clinic", ("Kwame", "Mensah"), 24, 2,
        add_months(month_one, -rng.randint(40, 50)), 1800, onsite_min_per_month=2,
        notes=("Surgery suite, lab analysers and an X-ray PC; the practice software must never be down "
               "in clinic hours.\n\n"
               "- Contract says two on-site visits a month minimum.\n")),
        "vet", rate=2.6, lead=75, pulse=True, tech=STAFF[2], bias=0.05))
    return plans


def random_plan(rng: random.Random, as_of: dt.date, taken: set[str]) -> Plan:
    """One client drawn at random, with an id not in `taken` (which it joins)."""
    kind = rng.choice(KIND_KEYS)
    templates, (low, high), systems = KINDS[kind]
    for _ in range(40):
        name = rng.choice(templates).format(place=rng.choice(PLACES), surname=rng.choice(SURNAMES),
                                            surname2=rng.choice(SURNAMES))
        cid = slug(name)
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
    start = add_months(as_of.replace(day=1), -months_ago)
    if rng.random() < 0.3:
        start = start.replace(day=15)
    fee = min(3000, max(600, round((450 + pcs * 48 + servers * 160 + rng.randint(-150, 150)) / 25) * 25))
    ended = None
    if rng.random() < 0.06 and add_months(start, 14) < as_of:
        ended = add_months(as_of, -rng.randint(1, 12)).replace(day=1) - DAY
    person = (rng.choice(FIRST_NAMES), rng.choice(SURNAMES))
    rate = min(3.0, max(0.5, rng.triangular(0.5, 3.0, 1.9)))
    system = rng.choice(systems)
    lines = rng.sample(NOTE_LINES, 2)
    notes = (f"{pcs} PCs, {servers} server{'s' if servers != 1 else ''}. Key system: the {system}.\n\n"
             f"- {lines[0]}\n- {lines[1]}\n").replace("{first}", person[0])
    record = client(cid, name, person, pcs, servers, start, fee, term=12 if rng.random() < 0.8 else 24,
                    wan=wan, notes=notes, ended=ended)
    return Plan(record, kind, rate=rate, lead=rng.randint(62, 88), pulse=rng.random() < 0.85,
                tech=rng.choice(STAFF), bias=rng.gauss(0, 0.06))


def slug(name: str) -> str:
    """A `[a-z0-9-]+` id from a business name."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(name).replace("'", "")).strip("-")


def _ascii(text: str) -> str:
    text = text.translate(_TRANSLIT)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


# letters NFKD does not decompose to ASCII, and German umlauts spelled the German way
_TRANSLIT = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "ı": "i",
                           "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
