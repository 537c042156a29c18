"""The sample's survey responses: annual reviews and quarterly pulses whose mood follows the visits."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from generator.demo.clients import Plan
from generator.demo.dates import DAY, add_months, month_index, timestamp, weekdays
from generator.demo.surveys import ANNUAL_SURVEY, AREA_OPTIONS, PULSE_SURVEY, survey_header
from generator.demo.wording import (
    ANGRY_FOLLOWUP,
    ANGRY_IMPROVE,
    DROP_COMMENTS,
    DROP_FOLLOWUP,
    NON_LATIN,
    TEXTS,
    VOICES,
)

#: One responses/<survey>.csv row: response_id, client, submitted_at, then one cell per question.
ResponseRow = tuple[str, ...]

# an answer not yet numbered: its instant (for sorting), its submitted_at text, client and answers
_Stamped = tuple[float, str, dict[str, str]]


def response_rows(rng: random.Random, plans: Sequence[Plan], as_of: dt.date) -> tuple[list[ResponseRow], list[ResponseRow]]:
    """The rows of both response files (annual review, quarterly pulse), sorted by time and numbered.

    Reads each plan's `monthly` on-site counts, so the contacts must be drawn first.
    """
    history_start = dt.date(as_of.year - 3, 1, 1)
    annual: list[_Stamped] = []
    pulse: list[_Stamped] = []
    for plan in plans:
        first = max(plan.start, history_start)
        limit = min(plan.last_day or as_of, as_of, plan.answers_until or as_of)
        step = 6 if plan.record.get("survey_cadence") == "semiannual" else 12
        sends = []
        k = 1
        while (send := add_months(plan.start, k * step) - plan.lead * DAY) <= limit:
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
            for index in range(month_index(first), month_index(limit) + 1):
                if index % 3:  # January, April, July, October
                    continue
                earliest = rng.randint(3, 9)
                send = next(d for d in weekdays(index) if d.day >= earliest)
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
    return _numbered("ar", annual, survey_header(ANNUAL_SURVEY)), _numbered("qp", pulse, survey_header(PULSE_SURVEY))


def _stamp(rng: random.Random, day: dt.date, client: str, answers: dict[str, str], utc: bool = False) -> _Stamped:
    text, instant = timestamp(rng, day, utc)
    return instant, text, {"client": client, **answers}


def _numbered(prefix: str, rows: list[_Stamped], header: Sequence[str]) -> list[ResponseRow]:
    rows.sort(key=lambda row: (row[0], row[2]["client"], row[1]))
    return [(f"{prefix}-{number:06d}", answers["client"], submitted, *(answers.get(q, "") for q in header[3:]))
            for number, (_, submitted, answers) in enumerate(rows, start=1)]


def _mood(rng: random.Random, plan: Plan, day: dt.date) -> tuple[float, float]:
    """Satisfaction 0–1 on `day`, driven by recent on-site visits; and that visit rate."""
    rate = plan.onsite_rate_before(day)
    if plan.role == "drop":
        return (0.85, rate) if not _after_drop(plan, day) else (0.3, rate)
    mood = 0.62 + 0.14 * (min(rate, 3.0) - 1.5) + plan.bias + rng.gauss(0, 0.1)
    return min(1.0, max(0.0, mood)), rate


def _annual_response(rng: random.Random, plan: Plan, day: dt.date, headline: bool) -> _Stamped:
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


def _pulse_response(rng: random.Random, plan: Plan, day: dt.date) -> _Stamped:
    mood, _rate = _mood(rng, plan, day)
    answers = _pulse_answers(rng, mood, plan.voice)
    if plan.role == "drop":
        answers.update(_drop_scores(rng, plan, day, answers.get("recommend", ""), "comment"))
    return _stamp(rng, day, plan.id, answers, utc=rng.random() < 0.08)


def _after_drop(plan: Plan, day: dt.date) -> bool:
    return month_index(day) >= min(plan.onsite) + 3


def _drop_scores(rng: random.Random, plan: Plan, day: dt.date, recommend: str, text: str) -> dict[str, str]:
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
