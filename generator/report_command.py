"""`rapport report`: the metrics of docs/metrics.md as exact JSON (`--json`) or as a table for the terminal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli import as_of_option, data_option, reports_errors
from generator.plurals import plural

if TYPE_CHECKING:
    # imported when the command runs: `rapport --help` should not load pandas
    from generator.metrics import Reports

RISK_ORDER = {"high": 0, "medium": 1, "low": 2, None: 3}


@click.command()
@data_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print exactly the JSON object of the contract fields (docs/metrics.md), nothing else.")
@reports_errors
def report(data_dir: Path, as_of: dt.date | None, as_json: bool) -> None:
    """Show every client's satisfaction, contact, survey schedule, fit and renewal risk."""
    from generator.load import load_portfolio
    from generator.metrics import compute_reports, to_contract_json

    reports = compute_reports(load_portfolio(data_dir, as_of))
    if as_json:
        click.echo(json.dumps(to_contract_json(reports), ensure_ascii=False))
    else:
        click.echo(terminal_report(reports))


def _figure(value: float | None, n: int, indicative: bool) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} (n={n}){'*' if indicative else ''}"


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def terminal_report(reports: Reports) -> str:
    """A readable table: clients at risk first (high, medium), each followed by its reasons."""
    p = reports.portfolio
    lines = [
        f"Rapport report as of {reports.as_of.isoformat()}",
        f"{plural(p['clients_active'], 'active client')} · {plural(p['responses_12m'], 'response')} in 12 months · "
        f"NPS {_figure(p['nps_12m'], p['nps_12m_n'], p['nps_12m_indicative'])} · "
        f"CSAT {_figure(p['csat_12m'], p['csat_12m_n'], p['csat_12m_indicative'])} · "
        f"{plural(p['onsite_12m'], 'on-site visit')} · {plural(p['clients_survey_overdue'], 'survey')} overdue · "
        f"{p['clients_at_risk']} at risk",
        "",
    ]
    header = ("client", "risk", "NPS 12m", "CSAT 12m", "on-site", "below min", "last contact", "renewal", "survey due")
    rows = reports.clients.to_dict("records")
    rows.sort(key=lambda row: (RISK_ORDER[row["risk"]], row["id"]))
    cells = [[
        row["id"], row["risk"] or "inactive",
        _figure(row["nps_12m"], row["nps_12m_n"], row["nps_12m_indicative"]),
        _figure(row["csat_12m"], row["csat_12m_n"], row["csat_12m_indicative"]),
        str(row["onsite_12m"]), str(row["months_below_min_12m"]),
        "never" if row["days_since_contact"] is None else f"{row['days_since_contact']} d ago",
        _text(row["next_renewal"]),
        _text(row["survey_next_due"]) + (" overdue" if row["survey_overdue"] else ""),
    ] for row in rows]
    widths = [max(len(line[i]) for line in [list(header), *cells]) for i in range(len(header))]

    def joined(values: list[str]) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths)).rstrip()

    lines += [joined(list(header)), joined(["-" * width for width in widths])]
    for row, line in zip(rows, cells):
        lines.append(joined(line))
        lines += [f"    - {reason}" for reason in row["risk_reasons"]]
    if not rows:
        lines.append("(no clients)")
    lines += ["", f"* indicative: fewer than {plural(p['min_responses'], 'answer')} (targets.min_responses)"]
    return "\n".join(lines)
