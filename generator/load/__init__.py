"""The load stage: read every file in `data/`, validate it, and return a Portfolio."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from generator.errors import DataError, Problem, RapportError
from generator.load.cache import LoadCache, contacts_key, file_key, responses_key
from generator.load.checks import check_member
from generator.load.contacts import load_contacts
from generator.load.pages import load_pages
from generator.load.responses import empty_responses, load_responses, scores_frame, unknown_response_file
from generator.load.timeline import future_rows, rows_after
from generator.load.yaml_files import load_settings, load_surveys, read_clients
from generator.markdown_html import adopt as markdown_adopt
from generator.markdown_html import convert_ahead
from generator.parallel import Background, can_fork
from generator.portfolio import Portfolio

__all__ = ["load_portfolio"]


# Below this size contacts.csv is read in a few hundredths of a second: not worth a second process.
OVERLAP_FROM_BYTES = 1_000_000


def load_portfolio(
    data_dir: Path | str, as_of: dt.date | None = None, cache_writes: list[Callable[[], None]] | None = None,
) -> Portfolio:
    """Load and validate `data_dir`; raise DataError listing every problem in every file.

    Files that loaded without a problem are kept in the load cache (load/cache.py); with
    `cache_writes`, writing them is left to the caller, who calls each function put in the list.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise RapportError(f"{data_dir}: no such data folder (expected site.yaml, clients.yaml, …)")
    shown = str(data_dir).rstrip("/")
    problems: list[Problem] = []

    # files that loaded without a problem before are taken from the cache when their bytes are the same
    cache = LoadCache.for_data(data_dir, cache_writes)
    # each file's problems, listed in this order whatever order the files are read in
    found: dict[str, list[Problem]] = {part: [] for part in ("settings", "clients", "surveys", "contacts", "responses")}
    settings = load_settings(data_dir / "site.yaml", f"{shown}/site.yaml", found["settings"])
    backend = settings.forms.backend if settings else None
    surveys = load_surveys(data_dir / "surveys", f"{shown}/surveys", found["surveys"], backend)
    # client_ids is None when clients.yaml cannot be read: then client ids in other files go unchecked
    clients, client_ids, contacts = _clients_and_contacts(data_dir, shown, cache, found["clients"], found["contacts"])
    clients.sort(key=lambda client: client.id)

    responses = {}
    survey_by_id = {survey.id: survey for survey in surveys}
    response_folder = data_dir / "responses"
    if response_folder.is_dir():
        for path in sorted(response_folder.glob("*.csv")):
            shown_path = f"{shown}/responses/{path.name}"
            survey = survey_by_id.get(path.stem)
            if survey is None:
                # a survey file with problems was reported already; its responses add nothing
                if not any((data_dir / "surveys" / f"{path.stem}{suffix}").exists() for suffix in (".yaml", ".yml")):
                    found["responses"].append(unknown_response_file(path, shown_path, sorted(survey_by_id)))
                continue
            responses[survey.id] = cache.load(
                f"responses-{survey.id}", responses_key(path, survey, client_ids),
                lambda: load_responses(path, shown_path, survey, client_ids, found["responses"]), found["responses"])
    problems = [problem for part in found.values() for problem in part]
    pages = load_pages(data_dir / "pages", f"{shown}/pages", problems)
    problems += future_rows(contacts, responses, shown, dt.datetime.now().astimezone())

    if problems or settings is None:
        raise DataError(problems)
    for survey in surveys:
        if survey.id not in responses:
            responses[survey.id] = empty_responses(survey)
    report_date = as_of or settings.as_of or dt.date.today()
    fixed = "--as-of" if as_of else "site.yaml" if settings.as_of else None
    notice = rows_after(contacts, responses, report_date, fixed) if fixed else None
    return Portfolio(
        data_dir=data_dir, settings=settings, clients=tuple(clients),
        surveys=tuple(sorted(surveys, key=lambda s: s.id)), contacts=contacts,
        responses=responses, scores=scores_frame(tuple(surveys), responses),
        pages=pages, as_of=report_date, notices=(notice,) if notice else (),
    )


def _clients_and_contacts(
    data_dir: Path, shown: str, cache: LoadCache, clients_problems: list[Problem], contacts_problems: list[Problem],
) -> tuple[list, set[str] | None, pd.DataFrame]:
    """clients.yaml and contacts.csv: from the cache, else read; read side by side when both must be."""
    clients_path, contacts_path = data_dir / "clients.yaml", data_dir / "contacts.csv"
    clients_shown, contacts_shown = f"{shown}/clients.yaml", f"{shown}/contacts.csv"
    cached = cache.get("clients", [file_key(clients_path)])
    if cached is None and _both_to_read(cache, contacts_path):
        read = _read_side_by_side(data_dir, shown, cache)
        if read is not None:
            return read
    clients, client_ids = cached if cached is not None else cache.load(
        "clients", [file_key(clients_path)], lambda: read_clients(clients_path, clients_shown, clients_problems),
        clients_problems)
    contacts = cache.load(
        "contacts", contacts_key(data_dir, client_ids),
        lambda: load_contacts(contacts_path, contacts_shown, client_ids, contacts_problems), contacts_problems)
    if not contacts_problems and cache.get("contacts-source", []) != file_key(contacts_path):
        cache.remember("contacts-source", [], file_key(contacts_path))
    return clients, client_ids, contacts


def _both_to_read(cache: LoadCache, contacts_path: Path) -> bool:
    """A large contacts.csv that the cache does not hold (the one it holds came from other bytes)."""
    try:
        large = contacts_path.stat().st_size >= OVERLAP_FROM_BYTES
    except OSError:
        return False
    return large and can_fork() and cache.get("contacts-source", []) != file_key(contacts_path)


def _read_side_by_side(data_dir: Path, shown: str, cache: LoadCache) -> tuple[list, set[str], pd.DataFrame] | None:
    """clients.yaml read by a forked process while this one reads contacts.csv (its client ids checked after).

    Only for files without a problem: on any, None, and the caller reads them again one after
    the other, so that every message and its place in the list are those of that reading.
    """
    clients_path, contacts_path = data_dir / "clients.yaml", data_dir / "contacts.csv"
    clients_shown, contacts_shown = f"{shown}/clients.yaml", f"{shown}/contacts.csv"

    # set once contacts.csv is read here: the other process then stops making notes' HTML
    contacts_read = multiprocessing.get_context("fork").Value("b", 0, lock=False)

    def read_clients_aside() -> tuple[list, set[str] | None, list[Problem], dict[str, str]]:
        found: list[Problem] = []
        clients, client_ids = read_clients(clients_path, clients_shown, found)
        # contacts.csv takes longer: the notes' HTML is made meanwhile, as much as there is time for
        notes = {} if found else convert_ahead((client.notes for client in clients if client.notes),
                                               enough=lambda: bool(contacts_read.value))
        return clients, client_ids, found, notes

    beside = Background(read_clients_aside)
    found: list[Problem] = []
    contacts = load_contacts(contacts_path, contacts_shown, None, found)  # client ids: checked below
    contacts_read.value = 1
    clients, client_ids, found_there, notes = beside.result()
    markdown_adopt(notes)
    if found or found_there or client_ids is None:
        return None
    check_member(contacts, "client", client_ids, contacts_shown, found, "a client id", "an id from clients.yaml")
    if found:
        return None
    cache.remember("clients", [file_key(clients_path)], (clients, client_ids))
    cache.remember("contacts", contacts_key(data_dir, client_ids), contacts)
    cache.remember("contacts-source", [], file_key(contacts_path))
    return clients, client_ids, contacts
