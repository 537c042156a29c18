"""Load `responses/<survey-id>.csv` and derive the numeric `scores` frame."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from generator.errors import Problem, did_you_mean, shorten
from generator.load.appended import appended, tail_text
from generator.load.checks import check_member, check_unique, check_whole_numbers, parse_timestamps, plain_numbers, stripped
from generator.load.csv_rows import read_csv_bytes
from generator.memo import NO_MEMO, Memo, held_for
from generator.model import RESERVED_COLUMNS, Question, Survey

SCALE = {"rating": (1, 5), "nps": (0, 10)}
SCORE_COLUMNS = ("survey", "response_id", "client", "date", "question", "type", "csat", "score")


def empty_responses(survey: Survey) -> pd.DataFrame:
    """A response frame with no rows and this survey's columns."""
    columns = {name: pd.Series(dtype=object) for name in RESERVED_COLUMNS}
    columns["date"] = pd.Series(dtype="datetime64[ns]")
    columns.update({question.id: pd.Series(dtype=object) for question in survey.questions})
    columns["line"] = pd.Series(dtype="int64")
    # the documented order (generator/portfolio.py): reserved columns, date, answers, line
    return pd.DataFrame(columns)


def load_responses(
    path: Path, shown: str, survey: Survey, client_ids: set[str] | None, problems: list[Problem],
) -> pd.DataFrame:
    """Validate every response against its survey; the frame holds only good rows.

    `client_ids` None means clients.yaml could not be read: client ids are not checked.
    """
    return responses_from(path.read_bytes(), shown, survey, client_ids, problems)


def append_responses(before: pd.DataFrame, data: bytes, length: int, shown: str, survey: Survey,
                     client_ids: set[str] | None) -> pd.DataFrame | None:
    """The responses of `data`, which is the file that gave `before` from its first `length` bytes
    plus appended ones: only those are read; None when that is not possible, or they have a
    problem or an id used before (then the whole file is read: generator/load/appended.py)."""
    tail = tail_text(data, length)
    if tail is None:
        return None
    problems: list[Problem] = []
    after = responses_from(tail[0], shown, survey, client_ids, problems)
    if problems or after["response_id"].isin(before["response_id"]).any():
        return None
    return appended(before, after, tail[1])


def responses_from(
    raw: bytes, shown: str, survey: Survey, client_ids: set[str] | None, problems: list[Problem],
) -> pd.DataFrame:
    """`load_responses` of the file's bytes."""
    question_ids = tuple(q.id for q in survey.questions)
    table = read_csv_bytes(raw, shown, RESERVED_COLUMNS, RESERVED_COLUMNS + question_ids, problems)
    if table is None:
        return empty_responses(survey)
    frame = table.frame
    for question_id in question_ids:
        if question_id not in frame.columns:
            # a question added after these responses were collected: unanswered
            frame[question_id] = ""
    before = len(problems)
    check_unique(frame, "response_id", shown, problems)
    good = frame["response_id"] != ""
    good &= ~frame["response_id"].duplicated(keep="first")
    good &= check_member(frame, "client", client_ids, shown, problems, "a client id",
                         "an id from clients.yaml, or empty for an anonymous response", allow_empty=True)
    dates = parse_timestamps(frame, "submitted_at", shown, problems)
    good &= dates.notna()
    for question in survey.questions:
        good &= check_answers(frame, question, shown, problems)
    if len(problems) == before:
        good[:] = True
    frame = _scale_answers_as_checked(frame, survey)
    ordered = [*RESERVED_COLUMNS, "date", *question_ids, "line"]
    frame = frame.assign(date=dates)[ordered][good]
    return frame.reset_index(drop=True)


def check_answers(frame: pd.DataFrame, question: Question, shown: str, problems: list[Problem]) -> pd.Series:
    """Check one question's answers; the mask of rows whose answer is good."""
    column = question.id
    if question.type in SCALE:
        low, high = SCALE[question.type]
        numbers = check_whole_numbers(frame, column, low, high, shown, problems, f"a whole number {low}–{high}")
        good = numbers.notna() | (frame[column] == "")
        if good.all():  # every answer a number or empty (the usual file)
            return good
        # the check strips (a spreadsheet's no-break space too): a blank cell is unanswered
        answered = stripped(frame[column]) != ""
        return ~answered | numbers.notna()
    answered = frame[column] != ""
    # the model requires options on a choice or multi question
    options = question.options or ()
    if question.type == "choice":
        return check_member(frame, column, options, shown, problems, "an option", ", ".join(options), allow_empty=True)
    if question.type == "multi":
        return _check_multi(frame, column, options, shown, problems)
    return pd.Series(True, index=frame.index)


def _scale_answers_as_checked(frame: pd.DataFrame, survey: Survey) -> pd.DataFrame:
    """Rating and nps answers as the check read them: `' '` unanswered, `'9\u00a0'` 9.

    Every later stage then sees the value that was checked, not the padding around it.
    """
    for question in survey.questions:
        if question.type in SCALE:
            frame[question.id] = stripped(frame[question.id])
    return frame


def _check_multi(frame: pd.DataFrame, column: str, options: tuple[str, ...], shown: str, problems: list[Problem]) -> pd.Series:
    good = pd.Series(True, index=frame.index)
    allowed = set(options)
    for index, value, line in zip(frame.index, frame[column].tolist(), frame["line"].tolist()):
        if value == "":
            continue
        named: set[str] = set()
        for part in value.split(";"):
            if part not in allowed:
                problems.append(Problem(shown, int(line), column,
                                        f"'{shorten(part)}' is not an option (expected some of {', '.join(options)}, separated by ';')"
                                        f"{did_you_mean(part, options)}"))
                good[index] = False
            elif part in named:
                problems.append(Problem(shown, int(line), column,
                                        f"'{part}' is named twice (expected each option at most once, separated by ';')"))
                good[index] = False
            named.add(part)
    return good


def scores_frame(surveys: tuple[Survey, ...], responses: dict[str, pd.DataFrame], memo: Memo = NO_MEMO) -> pd.DataFrame:
    """One row per numeric answer across all surveys (rating and nps questions); each survey's rows held in `memo` for
    the next build of this process while its responses are the very frame the memo kept."""
    parts: list[pd.DataFrame] = []
    for survey in surveys:
        frame = responses.get(survey.id)
        if frame is None or frame.empty:
            continue
        parts += held_for(memo, f"scores-{survey.id}", frame, functools.partial(_survey_scores, survey, frame),
                          [survey.model_dump_json().encode()])
    if not parts:
        return pd.DataFrame({
            "survey": pd.Series(dtype=object), "response_id": pd.Series(dtype=object),
            "client": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
            "question": pd.Series(dtype=object), "type": pd.Series(dtype=object),
            "csat": pd.Series(dtype=bool), "score": pd.Series(dtype=float),
        })
    return pd.concat(parts, ignore_index=True)


def _survey_scores(survey: Survey, frame: pd.DataFrame) -> list[pd.DataFrame]:
    """`scores_frame`'s rows of one survey's responses, a frame per answered numeric question."""
    parts: list[pd.DataFrame] = []
    for question in survey.questions:
        if question.type not in SCALE:
            continue
        # only the four columns needed, not the whole frame's rows
        answered = (frame[question.id] != "").to_numpy()
        if not answered.any():
            continue
        parts.append(pd.DataFrame({
            "survey": survey.id, "response_id": frame["response_id"][answered], "client": frame["client"][answered],
            "date": frame["date"][answered], "question": question.id, "type": question.type,
            "csat": bool(question.csat), "score": _scores(frame[question.id][answered]),
        }))
    return parts


def _scores(answers: pd.Series) -> pd.Series:
    """Checked answers (`'7'`, `'+7'`, `'007'`) as floats."""
    plain = plain_numbers(answers.tolist(), str(answers.name), answers.index)  # the usual answers: read at once
    return (pd.to_numeric(answers) if plain is None else plain).astype(float)


def unknown_response_file(path: Path, shown: str, survey_ids: list[str]) -> Problem:
    """The problem for a response file whose survey does not exist."""
    return Problem(shown, 0, "", f"no survey '{path.stem}' (expected a matching surveys/{path.stem}.yaml){did_you_mean(path.stem, survey_ids)}")
