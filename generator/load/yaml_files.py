"""Load `site.yaml`, `clients.yaml` and `surveys/*.yaml` into typed records."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from generator.errors import Problem, did_you_mean, not_utf8
from generator.load.languages import check_survey_translations
from generator.load.schema_errors import field_path, problems_from
from generator.model import Client, Settings, Survey
from generator.yamlio import Location, YamlDocument, YamlSyntaxError, read_yaml

Model = TypeVar("Model", bound=BaseModel)


def _read(path: Path, shown: str, problems: list[Problem], label: str = "") -> YamlDocument | None:
    """Parse one YAML file; report why it cannot be read, and every key written twice.

    `label` prefixes field names, as in `clients[0].name`.
    """
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        problems.append(Problem(shown, exc.line, "", exc.message))
        return None
    except UnicodeDecodeError as exc:
        problems.append(not_utf8(shown, exc))
        return None
    for duplicate in doc.duplicates:
        problems.append(Problem(shown, duplicate.line, label + field_path(duplicate.location),
                                f"duplicate key '{duplicate.location[-1]}' (first on line {duplicate.first_line})"))
    return doc


def _validate(
    model: type[Model], data: object, doc: YamlDocument, shown: str, problems: list[Problem],
    base: Location = (), label: str = "",
) -> Model | None:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from(exc, model, doc, shown, base, label))
        return None


def load_settings(path: Path, shown: str, problems: list[Problem]) -> Settings | None:
    """Read `site.yaml`; a missing file is a problem because `business.name` is required."""
    if not path.is_file():
        problems.append(Problem(shown, 0, "", "file is missing (expected at least business: {name: …})"))
        return None
    doc = _read(path, shown, problems)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        problems.append(Problem(shown, 1, "", "expected a mapping of settings (business:, targets:, …)"))
        return None
    return _validate(Settings, doc.data, doc, shown, problems)


def load_clients(path: Path, shown: str, problems: list[Problem]) -> tuple[list[Client], set[str]]:
    """Read `clients.yaml`: valid client records, plus every id named (empty when unreadable).

    For callers that need a set; `read_clients` also says when the ids are unknown.
    """
    clients, client_ids = read_clients(path, shown, problems)
    return clients, set() if client_ids is None else client_ids


def read_clients(path: Path, shown: str, problems: list[Problem]) -> tuple[list[Client], set[str] | None]:
    """Read `clients.yaml`: valid client records, plus every id named (even on a bad record).

    The ids of records with problems still count as known, so that one bad field does
    not make every contact of that client an error too. When the file is missing or
    cannot be read as a list the ids are None (unknown), so that the one problem is
    not buried under a 'not a client id' for every contact and response.
    """
    if not path.is_file():
        problems.append(Problem(shown, 0, "", "file is missing (expected a list of clients)"))
        return [], None
    doc = _read(path, shown, problems, "clients")
    if doc is None:
        return [], None
    if doc.data is None:
        # an empty file (or only comments) is more likely lost or unsaved than meant: `[]` says "none yet";
        # the ids are unknown, so contacts and responses are not each reported for naming a client
        problems.append(Problem(shown, 1, "", "no clients (expected a list of clients: - id: …; or [] for none yet)"))
        return [], None
    if not isinstance(doc.data, list):
        problems.append(Problem(shown, 1, "", "expected a list of clients (- id: …)"))
        return [], None
    clients: list[Client] = []
    first_line: dict[str, int] = {}
    for index, entry in enumerate(doc.data):
        if not isinstance(entry, dict):
            problems.append(Problem(shown, doc.line_of((index,)), f"clients[{index}]", "expected a client record (id:, name:, …)"))
            continue
        client = _validate(Client, entry, doc, shown, problems, (index,), f"clients[{index}]")
        client_id = entry.get("id")
        if isinstance(client_id, str) and client_id in first_line:
            problems.append(Problem(
                shown, doc.line_of((index, "id")), f"clients[{index}].id",
                f"duplicate id '{client_id}' (first used on line {first_line[client_id]})",
            ))
            continue
        if isinstance(client_id, str):
            first_line[client_id] = doc.line_of((index, "id"))
        if client is not None:
            clients.append(client)
    return clients, set(first_line)


def load_surveys(folder: Path, shown_folder: str, problems: list[Problem], backend: str | None = None) -> list[Survey]:
    """Read every `surveys/<id>.yaml`; the id must equal the file name.

    With the `google_forms` backend each survey also needs its Google Form's entry ids.
    """
    surveys: list[Survey] = []
    if not folder.is_dir():
        return surveys
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
            continue
        shown = f"{shown_folder}/{path.name}"
        doc = _read(path, shown, problems)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(shown, 1, "", "expected a survey mapping (id:, title:, questions:)"))
            continue
        survey = _validate(Survey, doc.data, doc, shown, problems)
        if survey is None:
            written_id = doc.data.get("id")
            if isinstance(written_id, str) and written_id != path.stem:
                problems.append(_misnamed(written_id, path.stem, doc, shown))
            continue
        found = _check_survey(survey, path.stem, doc, shown)
        if backend == "google_forms":
            found += _check_google_entries(survey, doc, shown)
        problems.extend(found)
        if not found:
            surveys.append(survey)
    return surveys


def _check_survey(survey: Survey, stem: str, doc: YamlDocument, shown: str) -> list[Problem]:
    """Cross-field rules a schema cannot express."""
    found: list[Problem] = []
    if survey.id != stem:
        found.append(_misnamed(survey.id, stem, doc, shown))
    seen: dict[str, int] = {}
    for index, question in enumerate(survey.questions):
        where = ("questions", index)
        if question.id in seen:
            found.append(Problem(shown, doc.line_of(where + ("id",)), f"questions[{index}].id",
                                 f"duplicate question id '{question.id}' (first used in questions[{seen[question.id]}])"))
        seen.setdefault(question.id, index)
        if question.show_if is not None:
            target = question.show_if.question
            earlier = [q.id for q in survey.questions[:index]]
            if target not in earlier:
                expected = f"expected one of {', '.join(earlier)}" if earlier else "no question comes before this one"
                found.append(Problem(shown, doc.line_of(where + ("show_if", "question")), f"questions[{index}].show_if.question",
                                     f"'{target}' is not an earlier question ({expected}){did_you_mean(target, earlier)}"))
    found += check_survey_translations(survey, doc, shown)
    for column, question_id in (survey.import_map or {}).items():
        if question_id not in seen and question_id not in IMPORT_ROLES:
            found.append(Problem(shown, doc.line_of(("import_map", column)), f"import_map.{column}",
                                 f"'{question_id}' is not a question of this survey{did_you_mean(question_id, seen)}"))
    return found


# what import_map may name besides a question id (generator/ingest/importers/columns.py reads them)
IMPORT_ROLES = ("client", "submitted_at", "response_id", "token", "survey", "shown_at", "honeypot", "ignore")


def _misnamed(survey_id: str, stem: str, doc: YamlDocument, shown: str) -> Problem:
    return Problem(shown, doc.line_of(("id",)), "id", f"'{survey_id}' differs from the file name (expected '{stem}')")


def _check_google_entries(survey: Survey, doc: YamlDocument, shown: str) -> list[Problem]:
    """Google Forms only records fields it knows: every question needs its `entry.N` id."""
    if survey.google_form is None:
        return [Problem(shown, 1, "google_form", "missing (forms.backend is google_forms: expected google_form: {id: …, token_entry: entry.N})")]
    return [
        Problem(shown, doc.line_of(("questions", index)), f"questions[{index}].google_entry",
                "missing (forms.backend is google_forms: expected the question's entry.N id from the form's pre-filled link)")
        for index, question in enumerate(survey.questions) if question.google_entry is None
    ]
