"""The JSON object of `rapport report --json` (docs/metrics.md): its keys only, ISO dates, None as null."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from generator.metrics.table import CONTRACT_CLIENT_FIELDS

if TYPE_CHECKING:
    from generator.metrics import Reports

CONTRACT_PORTFOLIO_FIELDS = (
    "clients_active", "responses_12m", "nps_12m", "csat_12m", "onsite_12m",
    "clients_survey_overdue", "clients_at_risk",
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def to_contract_json(reports: Reports) -> dict[str, Any]:
    """`{"as_of", "portfolio", "clients", "followups", "response_rates"}`: the contract keys, clients sorted by id,
    then the follow-up counts (metrics/followups.py) and the response rates (metrics/response_rate.py)."""
    from generator.metrics.response_rate import response_rates_json

    rows = reports.clients.sort_values("id", kind="stable")[list(CONTRACT_CLIENT_FIELDS)].to_dict("records")
    found = {
        "as_of": reports.as_of.isoformat(),
        "portfolio": {key: reports.portfolio[key] for key in CONTRACT_PORTFOLIO_FIELDS},
        "clients": [{key: _plain(value) for key, value in row.items()} for row in rows],
        # open and overdue follow-ups on as_of (generator/metrics/followups.py)
        "followups": {"open": len(reports.followups.open), "overdue": reports.followups.overdue},
        # zeros and no rounds before the first `rapport invite`: a key a script can always read
        "response_rates": response_rates_json(reports.response_rates),
    }
    return found
