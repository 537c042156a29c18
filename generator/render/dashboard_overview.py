"""The overview: who needs attention and why, coming renewals and surveys, visits, satisfaction."""

from __future__ import annotations

from generator.files import OutputFile
from generator.render.dashboard_common import DashboardSite, days_between, money, status


def ideal_text(site: DashboardSite) -> str:
    """The ideal client profile in words."""
    ideal = site.portfolio.settings.ideal_client
    return (f"{ideal.pcs[0]}–{ideal.pcs[1]} PCs, {ideal.servers[0]}–{ideal.servers[1]} servers, "
            + ("a WAN" if ideal.wan else "no WAN"))


def render_overview(site: DashboardSite) -> OutputFile:
    """`dashboard/index.html`."""
    charts, as_of = site.charts, site.as_of
    attention, by_id = charts.reports.attention, charts.data.by_id
    rows = charts.data.clients
    active = [row for row in rows if row["active"]]
    risk_rows = [by_id[client] for client in attention.at_risk]
    renewals = [{**by_id[client], "fee": money(by_id[client]["client"].agreement.monthly_fee)} for client in attention.renewals]
    surveys_due = [{**by_id[client], "due_in": days_between(by_id[client]["survey_next_due"], as_of)}
                   for client in attention.surveys_due]
    below_last_month = sum(1 for heat in charts.heatmap.rows if len(heat.cells) > 1 and heat.cells[-2].state == "below")
    summary = {"active": len(active), "at_risk": len(risk_rows), "renewals": len(renewals),
               "surveys_due": len(surveys_due), "below_min": below_last_month}
    return site.page(
        "dashboard_overview.html", "index.html", "overview",
        summary=summary, tiles=charts.tiles, risk_rows=risk_rows, renewals=renewals, surveys_due=surveys_due,
        heatmap=charts.heatmap, figures=charts.overview, misfits=[row for row in active if not row["fit"]],
        ideal=ideal_text(site), clients=[{**row, "status": status(row)} for row in rows],
        renewal_days=attention.renewal_days, due_days=attention.due_days,
    )
