"""Typed records for the YAML files of `data/`: settings, clients and surveys."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from generator.bounds import EARLIEST_DATE, LATEST_DATE
from generator.errors import shorten
from generator.translations import LANGUAGE_PATTERN, LanguageTag, SurveyTranslation

SLUG = re.compile(r"^[a-z0-9-]+$")
QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RESERVED_COLUMNS = ("response_id", "client", "submitted_at")
# form field names (generator/forms/fields.py) and response columns cannot be question ids
RESERVED_QUESTION_IDS = RESERVED_COLUMNS + ("survey", "token", "shown_at", "website", "date", "line")
CADENCE_MONTHS = {"annual": 12, "semiannual": 6, "quarterly": 3}
QUESTION_TYPES = ("rating", "nps", "choice", "multi", "text")

# Bounds on every number in the data files (generator/bounds.py bounds the dates). Far beyond any real practice,
# and small enough that every later stage can do its arithmetic (month sums, 64-bit counts) without
# overflowing: a typo is an error here, not a crash in the build.
MAX_MACHINES = 100_000          # pcs, servers, and the ideal-client ranges
MAX_PER_MONTH = 1_000           # on-site visits per month (targets and client overrides)
MAX_TERM_MONTHS = 600           # an agreement of up to 50 years
MAX_FEE = 10**12                # monthly_fee
MAX_DAYS = 3_660                # day counts: renewal window, days without contact (ten years)
MAX_LEAD_DAYS = 366             # survey_lead_days: at most a year before renewal
MAX_COUNT = 1_000_000           # min_responses
MAX_SECONDS = 3_600             # forms.min_seconds
MAX_PAGE_SIZE = 1_000           # dashboards.list_size and page_size: beyond this a page is no longer small
# the client index lives beside the client pages (dashboard/clients/index.html, page-2.html, …)
RESERVED_CLIENT_ID = re.compile(r"^(index|page-[0-9]+)$")


class FieldProblem(ValueError):
    """A rule of a whole record broken by one of its keys: reported at that key's line and name."""

    def __init__(self, key: str | tuple[str | int, ...], message: str):
        self.key = (key,) if isinstance(key, str) else tuple(key)
        super().__init__(message)


def _null_words_are_none(value: Any) -> Any:
    """Treat a plain `null`/`None` as absent where the field is not text."""
    if isinstance(value, str) and value.strip() in ("", "null", "Null", "NULL", "None", "~"):
        return None
    return value


def _iso_date(value: Any) -> Any:
    """Accept only `YYYY-MM-DD` text for dates (no timestamps, no 2024-1-5)."""
    if isinstance(value, str):
        if not ISO_DATE.match(value.strip()):
            raise ValueError(f"'{shorten(value)}' is not a date (expected YYYY-MM-DD)")
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"'{shorten(value)}' is not a real date (expected YYYY-MM-DD)") from None
    if isinstance(value, dt.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"'{value.isoformat()}' is out of range (expected a date from {EARLIEST_DATE} to {LATEST_DATE})")
    return value


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise ValueError(f"'{shorten(value)}' is not a slug (expected lower-case letters, digits and '-')")
    return value


def _question_id(value: str) -> str:
    if not QUESTION_ID.match(value):
        raise ValueError(f"'{shorten(value)}' is not a question id (expected lower-case letters, digits, '_' and '-', starting with a letter or digit)")
    if value in RESERVED_QUESTION_IDS:
        raise ValueError(f"'{value}' is a reserved name (reserved: {', '.join(RESERVED_QUESTION_IDS)}; choose another id)")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
OptionalDate = Annotated[dt.date | None, BeforeValidator(_iso_date), BeforeValidator(_null_words_are_none)]
Slug = Annotated[str, AfterValidator(_slug)]


def _client_id(value: str) -> str:
    if RESERVED_CLIENT_ID.match(value):
        raise ValueError(f"'{value}' is a reserved name (the client index pages are dashboard/clients/index.html "
                         "and page-2.html, page-3.html, …; choose another id)")
    return value


ClientId = Annotated[str, AfterValidator(_slug), AfterValidator(_client_id)]
QuestionId = Annotated[str, AfterValidator(_question_id)]
Cadence = Literal["annual", "semiannual", "quarterly"]
NonNegativeInt = Annotated[int, Field(ge=0)]
Machines = Annotated[int, Field(ge=0, le=MAX_MACHINES)]
PerMonth = Annotated[int, Field(ge=0, le=MAX_PER_MONTH)]
Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]


class Strict(BaseModel):
    """Base for every record: unknown keys are errors, records are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# ---------------------------------------------------------------- settings


class Business(Strict):
    name: Annotated[str, Field(min_length=1)]
    email: str | None = None
    phone: str | None = None


def _web_address(value: str | None) -> str | None:
    """`site.base_url` is put into links and redirects: only an http(s) address with a host."""
    if value is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s]*)?", value):
        raise ValueError(f"'{shorten(value)}' is not a web address (expected https://… or http://…, "
                         "as in https://example.github.io/rapport/)")
    return value


class SiteOptions(Strict):
    base_url: Annotated[str | None, AfterValidator(_web_address)] = None
    # a language tag (en, de, de-CH): it names the texts file, data/texts/<language>.yaml
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN)] = "en"


class Targets(Strict):
    onsite_min_per_month: PerMonth = 1
    onsite_typical_per_month: PerMonth = 2
    survey_cadence: Cadence = "annual"
    survey_lead_days: Annotated[int, Field(ge=0, le=MAX_LEAD_DAYS)] = 60
    min_responses: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 5
    # renewal-risk thresholds (see generator/metrics/risk.py)
    renewal_window_days: Days = 90
    no_contact_days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 30
    detractor_max_nps: Annotated[int, Field(ge=0, le=10)] = 6
    unhappy_max_rating: Annotated[int, Field(ge=1, le=5)] = 3
    below_min_months_of_3: Annotated[int, Field(ge=1, le=3)] = 2
    # a fall of a few points between two small periods is noise, not a trend
    # (NPS runs from -100 to 100, so no fall is larger than 200 points)
    falling_min_drop: Annotated[float, Field(ge=0, le=200, allow_inf_nan=False)] = 10
    # follow-ups (generator/metrics/followups.py): a rating at or below this opens one; due this many working days later
    followup_max_rating: Annotated[int, Field(ge=1, le=5)] = 2
    followup_days: Annotated[int, Field(ge=0, le=MAX_DAYS)] = 2
    # an answer older than this many days when it arrives opens none (an old export read again)
    followup_lookback_days: Days = 60


class IdealClient(Strict):
    pcs: tuple[Machines, Machines] = (10, 35)
    servers: tuple[Machines, Machines] = (1, 2)
    wan: bool = False

    @model_validator(mode="after")
    def _ranges_run_upwards(self) -> IdealClient:
        for name in ("pcs", "servers"):
            low, high = getattr(self, name)
            if low > high:
                raise FieldProblem(name, f"[{low}, {high}] runs downwards (expected [least, most], as in [{high}, {low}])")
        return self


class Forms(Strict):
    """How survey forms post; each backend needs its own keys (see generator/forms/)."""

    backend: Literal["collector", "formspree", "google_forms", "http_post", "mailto"] = "collector"
    endpoint: str | None = None
    formspree_id: str | None = None
    email: str | None = None
    min_seconds: Annotated[int, Field(ge=0, le=MAX_SECONDS)] = 3

    @model_validator(mode="after")
    def _backend_has_its_keys(self) -> Forms:
        if self.backend == "formspree" and not self.formspree_id:
            raise ValueError("backend formspree needs formspree_id (the id in https://formspree.io/f/<id>)")
        if self.backend == "http_post" and not (self.endpoint or "").startswith(("https://", "http://")):
            raise ValueError("backend http_post needs endpoint: the https:// URL the form posts to")
        if self.formspree_id is not None and not re.fullmatch(r"[A-Za-z0-9]+", self.formspree_id):
            raise ValueError(f"formspree_id '{self.formspree_id}' is not a Formspree form id (expected letters and digits)")
        return self


class Dashboards(Strict):
    publish: Literal["encrypted", "omit"] = "encrypted"
    # how much a dashboard page holds (generator/metrics/paging.py): pages stay small at any portfolio size
    list_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 25
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 100


def _keywords(values: tuple[str, ...]) -> tuple[str, ...]:
    """Match keywords: each non-empty, none written twice (ignoring case)."""
    seen: dict[str, int] = {}
    for index, value in enumerate(values):
        if value.strip() == "":
            raise FieldProblem((index,), "is empty (expected a word or phrase found in an event title or location)")
        folded = value.strip().casefold()
        if folded in seen:
            raise FieldProblem((index,), f"'{shorten(value)}' is listed twice (first as [{seen[folded]}])")
        seen[folded] = index
    return values


def _one_is_a_list(value: Any) -> Any:
    """`match: Acme` means `match: [Acme]`."""
    return (value,) if isinstance(value, str) else value


def _kind_keys(kinds: dict[str, str]) -> dict[str, str]:
    if any(key.strip() == "" for key in kinds):
        raise ValueError("a key is empty (expected a keyword, project, task or tag)")
    return kinds


ContactKind = Literal["onsite", "remote", "phone", "email"]


class ContactsImport(Strict):
    """`rapport import-contacts`: which keyword, project, task or tag means which kind of contact."""

    kinds: Annotated[dict[str, ContactKind], AfterValidator(_kind_keys)] = {}


class AllowedText(Strict):
    """A text the leak gate lets through (generator/safety/leak_gate.py), and why."""

    text: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=1)]


class LeakGate(Strict):
    allow: tuple[AllowedText, ...] = ()


class AfterVisit(Strict):
    """`after_visit`: an on-site visit puts the client on the next `rapport invite` of this survey (docs/invitations.md)."""

    survey: Slug
    within_days: Days = 2


class Settings(Strict):
    """`data/site.yaml`."""

    business: Business
    site: SiteOptions = SiteOptions()
    as_of: OptionalDate = None
    # when this folder's records begin (written by `rapport init`): no visit, contact or survey
    # schedule counts before it (generator/metrics/tracking.py)
    tracking_since: OptionalDate = None
    targets: Targets = Targets()
    ideal_client: IdealClient = IdealClient()
    forms: Forms = Forms()
    dashboards: Dashboards = Dashboards()
    contacts_import: ContactsImport = ContactsImport()
    # how imports read 03/04/2026: a locale with a region (en-GB day first, en-US month first)
    locale: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")] | None = None
    leak_gate: LeakGate = LeakGate()
    # invitations (generator/invite/, docs/invitations.md): remind after this many days, this often per round
    reminder_after_days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 7
    max_reminders: Annotated[int, Field(ge=0, le=10)] = 2
    after_visit: AfterVisit | None = None

    @model_validator(mode="after")
    def _mailto_has_an_address(self) -> Settings:
        if self.forms.backend == "mailto" and not (self.forms.email or self.business.email):
            raise ValueError("backend mailto needs forms.email or business.email (where answers are sent)")
        return self


# ---------------------------------------------------------------- clients


class Contact(Strict):
    name: str | None = None
    email: str | None = None
    phone: str | None = None


class Agreement(Strict):
    start: IsoDate
    term_months: Annotated[int, Field(ge=1, le=MAX_TERM_MONTHS)] = 12
    monthly_fee: Annotated[float, Field(ge=0, le=MAX_FEE, allow_inf_nan=False)] | None = None


class Client(Strict):
    """One entry of `data/clients.yaml`."""

    id: ClientId
    name: Annotated[str, Field(min_length=1)]
    contact: Contact = Contact()
    pcs: Machines
    servers: Machines
    wan: bool = False
    agreement: Agreement
    survey_cadence: Annotated[Cadence | None, BeforeValidator(_null_words_are_none)] = None
    onsite_min_per_month: Annotated[PerMonth | None, BeforeValidator(_null_words_are_none)] = None
    onsite_typical_per_month: Annotated[PerMonth | None, BeforeValidator(_null_words_are_none)] = None
    ended: OptionalDate = None
    tracking_since: OptionalDate = None  # overrides site.yaml's, and the default (metrics/tracking.py)
    notes: str | None = None
    # keywords that name this client in calendar events and time entries (rapport import-contacts)
    match: Annotated[tuple[str, ...], AfterValidator(_keywords), BeforeValidator(_one_is_a_list)] = ()
    # the language of the client's survey pages and e-mails; None: site.language (generator/load/languages.py checks it)
    language: Annotated[LanguageTag | None, BeforeValidator(_null_words_are_none)] = None


# ---------------------------------------------------------------- surveys


GoogleEntry = Annotated[str, Field(pattern=r"^entry\.\d+$")]


class ShowIf(Strict):
    question: str
    at_most: Annotated[float, Field(allow_inf_nan=False)] | None = None
    at_least: Annotated[float, Field(allow_inf_nan=False)] | None = None
    equals: str | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> ShowIf:
        given = [name for name in ("at_most", "at_least", "equals") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("needs exactly one of at_most, at_least, equals")
        return self


class Question(Strict):
    id: QuestionId
    type: Literal["rating", "nps", "choice", "multi", "text"]
    label: Annotated[str, Field(min_length=1)]
    required: bool = False
    csat: bool = False
    options: tuple[str, ...] | None = None
    show_if: ShowIf | None = None
    google_entry: GoogleEntry | None = None
    low_label: str | None = None
    high_label: str | None = None
    contact_request: bool = False  # "may we contact you?": its yes answer opens a follow-up (metrics/followups.py)

    @model_validator(mode="after")
    def _options_fit_type(self) -> Question:
        if self.type in ("choice", "multi") and not self.options:
            raise FieldProblem("options", f"a {self.type} question needs options (a list of answers)")
        if self.type not in ("choice", "multi") and self.options:
            raise FieldProblem("options", f"a {self.type} question takes no options")
        if self.csat and self.type != "rating":
            raise FieldProblem("csat", f"only a rating question counts toward CSAT (expected no csat: true on a {self.type} question)")
        if self.contact_request and self.type != "choice":
            raise FieldProblem("contact_request", f"only a choice question can ask to be contacted (expected "
                                                  f"type: choice with options such as [Yes, No], not {self.type})")
        first: dict[str, int] = {}
        for index, option in enumerate(self.options or ()):
            if option.strip() == "":
                raise FieldProblem(("options", index), "is empty (expected the text of an answer; an empty cell means unanswered)")
            if option in first:
                raise FieldProblem(("options", index), f"'{option}' is listed twice (first as options[{first[option]}]; expected each option once)")
            if self.type == "multi" and ";" in option:
                raise FieldProblem(("options", index), f"'{option}' contains ';' (a multi question's answers are stored "
                                                       "';'-joined; expected an option without ';')")
            first[option] = index
        return self


class GoogleForm(Strict):
    """The Google Form a survey posts to when `forms.backend` is `google_forms`."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
    token_entry: GoogleEntry
    survey_entry: GoogleEntry | None = None
    shown_at_entry: GoogleEntry | None = None


class Survey(Strict):
    """One `data/surveys/<id>.yaml`."""

    id: Slug
    title: Annotated[str, Field(min_length=1)]
    intro: str | None = None
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]
    import_map: dict[str, str] | None = None
    google_form: GoogleForm | None = None
    language: LanguageTag | None = None  # the language of the texts above; None: site.language
    translations: dict[LanguageTag, SurveyTranslation] = {}  # generator/translations.py

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return next((q for q in self.questions if q.id == question_id), None)
