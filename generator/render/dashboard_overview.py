"""The overview: who needs attention and why, coming renewals and surveys, visits, satisfaction."""

from __future__ import annotations

from typing import Any

from generator.render.dashboard_common import DUE_DAYS, RENEWAL_DAYS, DashboardSite, days_between, money, status
from generator.files import OutputFile

RISK_ORDER = {"high": 0, "medium": 1}


def urgency(row: dict[str, Any]) -> tuple:
    """High before medium; then the nearest renewal; then the most reasons; then the name."""
    days = row["days_to_renewal"]
    return (RISK_ORDER[row["risk"]], days is None, days or 0, -len(row["risk_reasons"]), row["name"].casefold(), row["id"])


def ideal_text(site: DashboardSite) -> str:
    """The ideal client profile in words."""
    ideal = site.portfolio.settings.ideal_client
    return (f"{ideal.pcs[0]}–{ideal.pcs[1]} PCs, {ideal.servers[0]}–{ideal.servers[1]} servers, "
            + ("a WAN" if ideal.wan else "no WAN"))


def render_overview(site: DashboardSite) -> OutputFile:
    """`dashboard/index.html`."""
    charts, as_of = site.charts, site.as_of
    rows = charts.data.clients
    active = [row for row in rows if row["active"]]
    risk_rows = sorted((row for row in active if row["risk"] in RISK_ORDER), key=urgency)
    renewals = sorted(
        ({**row, "fee": money(row["client"].agreement.monthly_fee)} for row in active
         if row["days_to_renewal"] is not None and row["days_to_renewal"] <= RENEWAL_DAYS),
        key=lambda row: (row["next_renewal"], row["name"].casefold(), row["id"]))
    surveys_due = sorted(
        ({**row, "due_in": days_between(row["survey_next_due"], as_of)} for row in active
         if row["survey_next_due"] is not None and (row["survey_next_due"] - as_of).days <= DUE_DAYS),
        key=lambda row: (row["survey_next_due"], row["name"].casefold(), row["id"]))
    below_last_month = sum(1 for heat in charts.heatmap.rows if len(heat.cells) > 1 and heat.cells[-2].state == "below")
    summary = {"active": len(active), "at_risk": len(risk_rows), "renewals": len(renewals),
               "surveys_due": len(surveys_due), "below_min": below_last_month}
    return site.page(
        "dashboard_overview.html", "index.html", "overview",
        summary=summary, tiles=charts.tiles, risk_rows=risk_rows, renewals=renewals, surveys_due=surveys_due,
        heatmap=charts.heatmap, figures=charts.overview, misfits=[row for row in active if not row["fit"]],
        ideal=ideal_text(site), clients=[{**row, "status": status(row)} for row in rows],
        renewal_days=RENEWAL_DAYS, due_days=DUE_DAYS,
    )
