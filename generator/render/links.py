"""Personal links whenever you want them (issue #14): `dashboard/links.csv` and each client page's links.

Every active client × survey, due or not, so a consultant can send a survey when they
choose. The CSV is ready for a mail merge: one row per link, UTF-8 with a BOM, formula-like
text defused (render/exports.py). Each link is made by `personal_link` of the invitation kit
(render/invitations.py), so a change of link scheme changes both in one place.

`last_sent` is the latest invitation or reminder recorded in `data/invitations.csv` (`rapport invite`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.files import OutputFile
from generator.model import Survey
from generator.render.dashboard_common import DashboardSite
from generator.render.exports import csv_bytes
from generator.render.invitations import cached_token, personal_link

LINKS_PATH = "links.csv"
LINKS_HEADER = ("client", "contact", "email", "survey", "link", "due_date", "last_sent", "last_answered",
                "client_id", "survey_id")


def last_answers(site: DashboardSite) -> dict[tuple[str, str], dt.date]:
    """(survey id, client id) → the date of the client's latest response to that survey on or before A."""
    key = "links.last_answers"
    if key not in site.cache:
        latest: dict[tuple[str, str], dt.date] = {}
        for survey_id, responses in site.charts.data.responses.items():
            for response in responses:
                if response.client:
                    pair = (survey_id, response.client)
                    latest[pair] = max(latest.get(pair, response.date), response.date)
        site.cache[key] = latest
    found: dict[tuple[str, str], dt.date] = site.cache[key]
    return found


def mail_link(site: DashboardSite, survey: Survey, token: str, language: str | None = None) -> tuple[str, str]:
    """(href on the dashboards, the link as written in an e-mail): absolute with `site.base_url`; to `language`'s page."""
    href, text = personal_link(site, survey, token, language)
    return href, href if href.startswith(("https://", "http://")) else text


def client_links(site: DashboardSite, row: dict[str, Any], secret: bytes) -> list[dict[str, Any]]:
    """One entry per survey for an active client: survey, href, the e-mail link, due and last answered."""
    if not row["active"]:
        return []
    answered = last_answers(site)
    entries = []
    for survey in site.portfolio.surveys:
        href, text = mail_link(site, survey, cached_token(site, secret, survey.id, row["id"]), row["client"].language)
        # href: absolute, or relative to the dashboard root (a page puts its own `root` before it)
        entries.append({"survey": survey, "href": href, "text": text, "absolute": href == text,
                        "due": row["survey_next_due"],
                        "last_answered": answered.get((survey.id, row["id"]))})
    return entries


def client_tokens(site: DashboardSite, row: dict[str, Any]) -> list[str]:
    """The client's tokens, one per survey: what its page's links are made from besides the row."""
    return [cached_token(site, site.secret, survey.id, row["id"]) for survey in site.portfolio.surveys]


def link_rows(site: DashboardSite, secret: bytes) -> list[list[Any]]:
    """The rows of links.csv: active clients by name, each with every survey in the site's order."""
    rows: list[list[Any]] = []
    clients = sorted((row for row in site.charts.data.clients if row["active"]),
                     key=lambda row: (row["name"].casefold(), row["id"]))
    surveys: dict[str, Survey] = {survey.id: survey for survey in site.portfolio.surveys}
    sent = site.charts.reports.response_rates.last_sent()
    for row in clients:
        contact = row["client"].contact
        for entry in client_links(site, row, secret):
            survey = entry["survey"]
            rows.append([row["name"], contact.name or "", contact.email or "", surveys[survey.id].title, entry["text"],
                         entry["due"], sent.get((survey.id, row["id"]), ""), entry["last_answered"], row["id"], survey.id])
    return rows


def render_links(site: DashboardSite, secret: bytes) -> OutputFile:
    """`dashboard/links.csv`: every active client × survey with its personal link."""
    return OutputFile(f"dashboard/{LINKS_PATH}", csv_bytes(LINKS_HEADER, link_rows(site, secret)))
