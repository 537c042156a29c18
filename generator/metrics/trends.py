"""Quarterly trends for the dashboards: NPS, CSAT, response count and rating-question means.

Per client (every answer of that client on or before A) and for the portfolio (the pooled
answers of the clients active on A; anonymous answers excluded, as in docs/metrics.md).
Quarters are calendar quarters labelled `YYYY-Qn`; only quarters with data have rows.
Every figure carries its n and `indicative` (n < `targets.min_responses`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.metrics.dates import shared_labels
from generator.metrics.inputs import Inputs
from generator.metrics.rounding import mean_2dp, percent_1dp
from generator.metrics.satisfaction import DETRACTOR_MAX, PROMOTER_MIN, SATISFIED_MIN, csat_rows, nps_rows


def quarter_of(days: np.ndarray) -> np.ndarray:
    """Calendar quarters since 1970-Q1 of int day numbers."""
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return months // 3


def quarter_names(quarters: np.ndarray) -> np.ndarray:
    """`YYYY-Qn` for quarters since 1970-Q1 (one string object per distinct quarter)."""
    return shared_labels(np.asarray(quarters, dtype=np.int64), _quarter_names)


def _quarter_names(quarters: np.ndarray) -> np.ndarray:
    years, index = np.divmod(quarters, 4)
    return np.char.add(np.char.add((years + 1970).astype(str), "-Q"), (index + 1).astype(str))


def _keyed(frame: pd.DataFrame, by_client: bool, active: np.ndarray) -> pd.DataFrame:
    """Rows with their grouping keys: (ci, quarter) per client, or (quarter) pooled over active clients."""
    ci = frame["ci"].to_numpy()
    keep = ci >= 0
    if not by_client:
        keep &= active[np.maximum(ci, 0)]
    chosen = frame[keep]
    return chosen.assign(quarter=quarter_of(chosen["day"].to_numpy()))


def _keys(by_client: bool) -> list[str]:
    return ["ci", "quarter"] if by_client else ["quarter"]


def quarterly(inputs: Inputs, by_client: bool) -> pd.DataFrame:
    """Responses, NPS and CSAT per quarter (and per client when `by_client`)."""
    keys, active, minimum = _keys(by_client), inputs.roster.active, inputs.targets.min_responses
    responses = _keyed(inputs.responses, by_client, active).groupby(keys).size().rename("responses")
    nps = _keyed(nps_rows(inputs.scores), by_client, active)
    nps = nps.assign(p=nps["score"] >= PROMOTER_MIN, d=nps["score"] <= DETRACTOR_MAX).groupby(keys).agg(
        nps_n=("score", "size"), p=("p", "sum"), d=("d", "sum"))
    csat = _keyed(csat_rows(inputs.scores), by_client, active)
    csat = csat.assign(h=csat["score"] >= SATISFIED_MIN).groupby(keys).agg(csat_n=("score", "size"), h=("h", "sum"))
    table = pd.concat([responses, nps, csat], axis=1).fillna(0).astype(np.int64).sort_index().reset_index()
    frame = pd.DataFrame({"quarter": quarter_names(table["quarter"].to_numpy())})
    if by_client:
        frame.insert(0, "client", inputs.roster.ids[table["ci"].to_numpy()])
    frame["responses"] = table["responses"].to_numpy()
    for name, part in (("nps", table["p"] - table["d"]), ("csat", table["h"])):
        n = table[f"{name}_n"].to_numpy()
        frame[name] = percent_1dp(part.to_numpy(), n)
        frame[f"{name}_n"] = n
        frame[f"{name}_indicative"] = n < minimum
    return frame


def question_means(inputs: Inputs, by_client: bool) -> pd.DataFrame:
    """Mean (2 decimals) and n of every rating question per quarter, survey and question."""
    scores = inputs.scores
    ratings = _keyed(scores[scores["type"].to_numpy() == "rating"], by_client, inputs.roster.active)
    keys = [*_keys(by_client), "survey", "question"]
    table = ratings.groupby(keys).agg(total=("score", "sum"), n=("score", "size")).sort_index().reset_index()
    frame = pd.DataFrame({"quarter": quarter_names(table["quarter"].to_numpy())})
    if by_client:
        frame.insert(0, "client", inputs.roster.ids[table["ci"].to_numpy()])
    n = table["n"].to_numpy().astype(np.int64)
    frame["survey"] = table["survey"].to_numpy().astype(object)
    frame["question"] = table["question"].to_numpy().astype(object)
    frame["mean"] = mean_2dp(table["total"].to_numpy(), n)
    frame["n"] = n
    frame["indicative"] = n < inputs.targets.min_responses
    return frame
