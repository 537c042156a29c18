"""The load stage: read every file in `data/`, validate it, and return a Portfolio."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from generator.errors import DataError, Problem, RapportError
from generator.load.cache import LoadCache, contacts_key, file_key, responses_key
from generator.load.contacts import load_contacts
from generator.load.pages import load_pages
from generator.load.responses import empty_responses, load_responses, scores_frame, unknown_response_file
from generator.load.yaml_files import load_settings, load_surveys, read_clients
from generator.portfolio import Portfolio

__all__ = ["load_portfolio"]


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
    settings = load_settings(data_dir / "site.yaml", f"{shown}/site.yaml", problems)
    # None when clients.yaml cannot be read: then client ids in other files go unchecked
    clients, client_ids = cache.load(
        "clients", [file_key(data_dir / "clients.yaml")],
        lambda: read_clients(data_dir / "clients.yaml", f"{shown}/clients.yaml", problems), problems)
    clients.sort(key=lambda client: client.id)
    backend = settings.forms.backend if settings else None
    surveys = load_surveys(data_dir / "surveys", f"{shown}/surveys", problems, backend)
    contacts = cache.load(
        "contacts", contacts_key(data_dir, client_ids),
        lambda: load_contacts(data_dir / "contacts.csv", f"{shown}/contacts.csv", client_ids, problems), problems)

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
                    problems.append(unknown_response_file(path, shown_path, sorted(survey_by_id)))
                continue
            responses[survey.id] = cache.load(
                f"responses-{survey.id}", responses_key(path, survey, client_ids),
                lambda: load_responses(path, shown_path, survey, client_ids, problems), problems)
    pages = load_pages(data_dir / "pages", f"{shown}/pages", problems)

    if problems or settings is None:
        raise DataError(problems)
    for survey in surveys:
        if survey.id not in responses:
            responses[survey.id] = empty_responses(survey)
    report_date = as_of or settings.as_of or dt.date.today()
    return Portfolio(
        data_dir=data_dir, settings=settings, clients=tuple(clients),
        surveys=tuple(sorted(surveys, key=lambda s: s.id)), contacts=contacts,
        responses=responses, scores=scores_frame(tuple(surveys), responses),
        pages=pages, as_of=report_date,
    )
