"""The load stage: read every file in `data/`, validate it, and return a Portfolio."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import numpy as np
import pandas as pd

from generator.digests import row_hashes
from generator.errors import DataError, Problem, RapportError
from generator.load.ahead import ReadAhead, contacts_read
from generator.load.contacts import append_contacts, load_contacts
from generator.load.followups import load_followups
from generator.load.held import held_count
from generator.load.invitations import after_visit_problems, load_invitations
from generator.load.keys import contacts_key, file_key, responses_key
from generator.load.languages import check_client_languages
from generator.load.pages import load_pages
from generator.load.responses import append_responses, empty_responses, load_responses, scores_frame, unknown_response_file
from generator.load.timeline import future_rows, rows_after
from generator.load.yaml_files import load_settings, load_surveys, read_clients
from generator.memo import NO_MEMO, Memo, held_for
from generator.portfolio import Portfolio, records_json
from generator.texts import check_texts

__all__ = ["load_portfolio"]


def load_portfolio(data_dir: Path | str, as_of: dt.date | None = None, memo: Memo = NO_MEMO,
                   ahead: ReadAhead | None = None) -> Portfolio:
    """Load and validate `data_dir`; raise DataError listing every problem in every file.

    A file that loaded without a problem may be kept in `memo` (generator/memo.py), keyed by its
    bytes and whatever its checks read (generator/load/keys.py), and taken from it next time.
    `ahead`, when given, is contacts.csv being read by a fork (generator/load/ahead.py).
    """
    try:
        return _load(Path(data_dir), as_of, memo, ahead)
    finally:
        if ahead is not None:
            ahead.cancel()  # what it has not delivered is not needed: the memo had it, or a problem stopped the load


def _load(data_dir: Path, as_of: dt.date | None, memo: Memo, ahead: ReadAhead | None) -> Portfolio:
    """`load_portfolio`."""
    if not data_dir.is_dir():
        raise RapportError(f"{data_dir}: no such data folder (expected site.yaml, clients.yaml, …)")
    shown = str(data_dir).rstrip("/")
    problems: list[Problem] = []

    # each file's problems, listed in this order whatever order the files are read in
    found: dict[str, list[Problem]] = {part: [] for part in ("settings", "clients", "surveys", "contacts", "responses")}
    settings = load_settings(data_dir / "site.yaml", f"{shown}/site.yaml", found["settings"])
    backend = settings.forms.backend if settings else None
    surveys = load_surveys(data_dir / "surveys", f"{shown}/surveys", found["surveys"], backend)
    # client_ids is None when clients.yaml cannot be read: then client ids in other files go unchecked
    clients_path = data_dir / "clients.yaml"
    clients, client_ids = memo.load(
        "clients", [file_key(clients_path)], lambda: read_clients(clients_path, f"{shown}/clients.yaml", found["clients"]),
        found["clients"])
    clients.sort(key=lambda client: client.id)

    responses: dict[str, pd.DataFrame] = {}
    sources: dict[str, list[bytes]] = {"contacts": contacts_key(data_dir, client_ids)}
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
            sources[f"responses/{survey.id}"] = responses_key(path, survey, client_ids)
            # a file that only grew at its end since it was kept is read from there (generator/load/appended.py)
            responses[survey.id] = memo.load_grown(
                f"responses-{survey.id}", sources[f"responses/{survey.id}"][1:], path,
                functools.partial(load_responses, path, shown_path, survey, client_ids, found["responses"]),
                functools.partial(append_responses, shown=shown_path, survey=survey, client_ids=client_ids),
                found["responses"])
    # the files that need no contacts, listed after those above: read while a fork may still be reading contacts.csv
    after: list[Problem] = []
    # a survey file with problems was reported already: invitations to it are not a second problem
    survey_ids = set(survey_by_id) | {path.stem for path in (data_dir / "surveys").glob("*.y*ml")}
    invitations = load_invitations(data_dir / "invitations.csv", f"{shown}/invitations.csv", client_ids, survey_ids, after)
    after += after_visit_problems(settings, survey_ids, data_dir / "site.yaml", f"{shown}/site.yaml")
    pages = load_pages(data_dir / "pages", f"{shown}/pages", after)
    after += check_texts(data_dir, shown)  # data/texts/*.yaml: the words clients see
    if settings is not None:  # each client's language, and the survey translations it needs
        after += check_client_languages(data_dir, shown, settings, clients, surveys)
    def response_ids() -> dict[str, set[str]]:
        return {s.id: set(responses[s.id]["response_id"].tolist()) if s.id in responses else set() for s in surveys}

    followups = load_followups(data_dir / "followups.csv", f"{shown}/followups.csv", client_ids, response_ids, after)
    # last: the file a fork may be reading ahead, the longest to read
    contacts, contacts_rows = _contacts(data_dir, shown, memo, client_ids, ahead, found["contacts"])
    problems = [problem for part in found.values() for problem in part] + after
    problems += future_rows(contacts, responses, shown, dt.datetime.now().astimezone(), memo)

    if problems or settings is None:
        raise DataError(problems)
    for survey in surveys:
        if survey.id not in responses:
            responses[survey.id] = empty_responses(survey)
    report_date = as_of or settings.as_of or dt.date.today()
    frames = {"contacts": contacts, **{f"responses/{survey_id}": frame for survey_id, frame in responses.items()}}
    # a digest of every row, for what later stages keep in the memo (a new row changes only its own hash)
    made = {"contacts": contacts_rows}
    hashes = {name: _row_hashes(memo, name, frame, sources.get(name), data_dir, made.get(name)) for name, frame in frames.items()}
    fixed = "--as-of" if as_of else "site.yaml" if settings.as_of else None
    notice = rows_after(contacts, responses, report_date, fixed) if fixed else None
    return Portfolio(
        data_dir=data_dir, settings=settings, clients=tuple(clients),
        surveys=tuple(sorted(surveys, key=lambda s: s.id)), contacts=contacts,
        responses=responses, scores=scores_frame(tuple(surveys), responses, memo),
        pages=pages, as_of=report_date, followups=followups, row_hashes=hashes, notices=(notice,) if notice else (),
        held=held_count(data_dir), invitations=invitations,
        # the same records as the last build's (the very list the memo kept): their JSON as that build wrote it
        known_records_json=held_for(memo, "records-json", clients, lambda: records_json(clients)),
    )


def _row_hashes(memo: Memo, name: str, frame: pd.DataFrame, source: list[bytes] | None, data_dir: Path,
                made: np.ndarray | None = None) -> np.ndarray:
    """The frame's row hashes, kept in the memo; for a file that only grew at its end, the kept ones and the new rows'.

    `made`, when given, are the hashes of this very frame (read ahead with it: generator/load/ahead.py).
    """
    entry = f"rows-{name.replace('/', '-')}"
    if source is None:  # no file: no rows
        return memo.load(entry, [b"empty"], functools.partial(row_hashes, frame), [])

    def grown(kept: np.ndarray, data: bytes, length: int) -> np.ndarray | None:
        # the file's first bytes are the kept one's, which had no problem: its rows start the frame, unchanged
        return np.concatenate([kept, row_hashes(frame.iloc[len(kept):])]) if len(kept) <= len(frame) else None

    hashes = (lambda: made) if made is not None else functools.partial(row_hashes, frame)
    return memo.load_grown(entry, source[1:], data_dir / f"{name}.csv", hashes, grown, [])


def _contacts(data_dir: Path, shown: str, memo: Memo, client_ids: set[str] | None, ahead: ReadAhead | None,
              problems: list[Problem]) -> tuple[pd.DataFrame, np.ndarray | None]:
    """contacts.csv (its client ids checked against clients.yaml's), and its row hashes when it was read ahead."""
    path = data_dir / "contacts.csv"
    rows: list[np.ndarray] = []

    def read() -> pd.DataFrame:
        made = contacts_read(ahead, path, f"{shown}/contacts.csv", client_ids) if ahead is not None else None
        if made is None:
            return load_contacts(path, f"{shown}/contacts.csv", client_ids, problems)
        rows.append(made[1])
        return made[0]

    contacts = memo.load_grown(
        "contacts", contacts_key(data_dir, client_ids)[1:], path, read,
        functools.partial(append_contacts, shown=f"{shown}/contacts.csv", client_ids=client_ids), problems)
    return contacts, rows[0] if rows else None

