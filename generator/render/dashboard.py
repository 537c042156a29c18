"""Private dashboards: the portfolio overview and one page per client."""

from __future__ import annotations

import datetime as dt

import jinja2
import pandas as pd

from generator.metrics import Reports
from generator.model import CONTACT_KINDS
from generator.portfolio import Portfolio
from generator.render.common import html_file, root_prefix
from generator.write import OutputFile

DASHBOARD_CSS = "dashboard.css"


def contact_counts(portfolio: Portfolio) -> dict[str, dict[str, dict[str, int]]]:
    """Per client: contacts by kind over all time and over the 365 days ending on as_of."""
    as_of = pd.Timestamp(portfolio.as_of)
    contacts = portfolio.contacts[portfolio.contacts["date"] <= as_of]
    recent = contacts[contacts["date"] > as_of - pd.Timedelta(days=365)]
    counts: dict[str, dict[str, dict[str, int]]] = {
        client.id: {"all": dict.fromkeys(CONTACT_KINDS, 0), "12m": dict.fromkeys(CONTACT_KINDS, 0)}
        for client in portfolio.clients
    }
    for period, frame in (("all", contacts), ("12m", recent)):
        grouped = frame.groupby(["client", "kind"]).size()
        for (client_id, kind), number in zip(grouped.index.tolist(), grouped.tolist()):
            counts[client_id][period][kind] = int(number)
    return counts


def last_contacts(portfolio: Portfolio) -> dict[str, dt.date]:
    """Per client, the latest contact on or before as_of."""
    contacts = portfolio.contacts[portfolio.contacts["date"] <= pd.Timestamp(portfolio.as_of)]
    latest = contacts.groupby("client")["date"].max()
    return {client_id: stamp.date() for client_id, stamp in zip(latest.index.tolist(), latest.tolist())}


def render_dashboard(portfolio: Portfolio, reports: Reports, secret: bytes, environment: jinja2.Environment) -> list[OutputFile]:
    """Every file under `dashboard/`."""
    counts = contact_counts(portfolio)
    latest = last_contacts(portfolio)
    active = dict(zip(reports.clients["id"].tolist(), reports.clients["active"].tolist()))
    rows = [
        {"client": client, "active": active[client.id], "counts": counts[client.id],
         "last_contact": latest.get(client.id), "href": f"clients/{client.id}.html"}
        for client in portfolio.clients
    ]
    common = {"business": portfolio.settings.business, "site": portfolio.settings.site,
              "as_of": portfolio.as_of, "kinds": CONTACT_KINDS}
    files = [html_file("dashboard/index.html", environment.get_template("dashboard_overview.html").render(
        root=root_prefix("index.html"), rows=rows, **common))]
    client_template = environment.get_template("dashboard_client.html")
    for row in rows:
        path = f"clients/{row['client'].id}.html"
        files.append(html_file(f"dashboard/{path}", client_template.render(root=root_prefix(path), row=row, **common)))
    source, _, _ = environment.loader.get_source(environment, DASHBOARD_CSS)
    files.append(OutputFile(f"dashboard/assets/{DASHBOARD_CSS}", source.encode("utf-8")))
    return files
