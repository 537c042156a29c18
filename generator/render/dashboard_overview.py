"""The overview: who needs attention and why, coming renewals and surveys, visits, satisfaction.

Each list shows its most pressing entries (as many as `dashboards.list_size`), counts the rest
and links to the full, paged list (generator/render/client_lists.py), so the page stays the
same size for 60 clients or 10,000.
"""

from __future__ import annotations

from typing import Any

from generator.files import OutputFile
from generator.metrics.paging import first
from generator.plurals import plural
from generator.render.client_lists import CLIENT_INDEX, LISTS, ONSITE_LIST, heatmap_rows, list_ids
from generator.render.dashboard_common import DashboardSite, days_between, money
from generator.render.followups import overview_followups
from generator.render.response_rate import overview_rate


def ideal_text(site: DashboardSite) -> str:
    """The ideal client profile in words."""
    ideal = site.portfolio.settings.ideal_client
    return f"{_span(ideal.pcs, 'PC')}, {_span(ideal.servers, 'server')}, " + ("a WAN" if ideal.wan else "no WAN")


def _span(bounds: tuple[int, int], noun: str) -> str:
    """"10–35 PCs", or "1 server" when the range is one number."""
    low, high = bounds
    return plural(low, noun) if low == high else f"{low}–{high} {noun}s"


def render_overview(site: DashboardSite) -> OutputFile:
    """`dashboard/index.html`."""
    charts, as_of = site.charts, site.as_of
    attention, by_id = charts.reports.attention, charts.data.by_id
    size = attention.limits.list_size
    full = list_ids(site)
    shown: dict[str, list[str]] = {}
    more: dict[str, dict[str, Any]] = {}
    for key, ids in full.items():
        shown[key], rest = first(ids, size)
        more[key] = {"rest": rest, "total": len(ids), "href": LISTS[key].path}
    heat = {row.client_id: row for row in charts.heatmap.rows}
    heat_ids, heat_rest = first([client for client in attention.onsite if client in heat], size)
    more["onsite"] = {"rest": heat_rest, "total": len(heat), "href": ONSITE_LIST}
    renewals = [{**by_id[client], "fee": money(by_id[client]["client"].agreement.monthly_fee)} for client in shown["renewals"]]
    surveys_due = [{**by_id[client], "due_in": days_between(by_id[client]["survey_next_due"], as_of)}
                   for client in shown["surveys-due"]]
    active = sum(1 for row in charts.data.clients if row["active"])
    summary = {"active": active, "at_risk": len(full["at-risk"]), "renewals": len(full["renewals"]),
               "surveys_due": len(full["surveys-due"]), "below_min": attention.below_last_month,
               "clients": len(attention.clients)}
    return site.page(
        "dashboard_overview.html", "index.html", "overview",
        summary=summary, tiles=charts.tiles, risk_rows=[by_id[client] for client in shown["at-risk"]],
        renewals=renewals, surveys_due=surveys_due, more=more, list_size=size,
        heatmap=charts.heatmap, heat_html=heatmap_rows([heat[client] for client in heat_ids], ""), figures=charts.overview,
        misfits=[by_id[client] for client in shown["misfits"]], ideal=ideal_text(site), client_index=CLIENT_INDEX,
        renewal_days=attention.renewal_days, due_days=attention.due_days, held=site.portfolio.held,
        response_rate=overview_rate(site),
        followups=overview_followups(site),
    )
