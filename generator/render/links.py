"""Personal links whenever you want them (issue #14): `dashboard/links.csv` and each client page's links.

Every active client × survey, due or not, so a consultant can send a survey when they
choose. The CSV is ready for a mail merge: one row per link, UTF-8 with a BOM, formula-like
text defused (render/exports.py). Each link is made by `personal_link` of the invitation kit
(render/invitations.py), so a change of link scheme changes both in one place.

`last_sent` is the latest invitation or reminder recorded in `data/invitations.csv` (`rapport invite`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from generator.charts.data import Response
from generator.files import OutputFile
from generator.model import Survey
from generator.render.dashboard_common import DashboardSite
from generator.render.exports import csv_bytes, fields, kept_lines
from generator.render.invitations import cached_token, personal_link

LINKS_PATH = "links.csv"
LINKS_HEADER = ("client", "contact", "email", "survey", "link", "due_date", "last_sent", "last_answered",
                "client_id", "survey_id")


LATEST_ANSWERS = "latest_answers"  # site.cache's (and the memo's held) latest answers of each survey's responses
MAIL_LINKS = "mail_links"  # site.cache's (and the memo's held) links of each survey, token and language


def last_answers(site: DashboardSite) -> dict[tuple[str, str], dt.date]:
    """(survey id, client id) → the date of the client's latest response to that survey on or before A."""
    key = "links.last_answers"
    if key not in site.cache:
        latest: dict[tuple[str, str], dt.date] = {}
        for survey_id, responses in site.charts.data.responses.items():
            latest.update(_latest_answers(site, survey_id, responses))
        site.cache[key] = latest
    found: dict[tuple[str, str], dt.date] = site.cache[key]
    return found


def _latest_answers(site: DashboardSite, survey_id: str, responses: list[Response]) -> dict[tuple[str, str], dt.date]:
    """`last_answers` of one survey's responses; taken from `site.cache[LATEST_ANSWERS]` while they are the very list
    it was made from (the charts hold each survey's list while its responses are unchanged: a build of `rapport serve`
    after a response to another survey finds it there). The list is held with it, so no other list takes its id."""
    made: dict[str, tuple[list[Response], dict[tuple[str, str], dt.date]]] = site.cache.setdefault(LATEST_ANSWERS, {})
    found = made.get(survey_id)
    if found is not None and found[0] is responses:
        return found[1]
    latest: dict[tuple[str, str], dt.date] = {}
    for response in responses:
        if response.client:
            pair = (survey_id, response.client)
            latest[pair] = max(latest.get(pair, response.date), response.date)
    made[survey_id] = (responses, latest)
    return latest


def mail_link(site: DashboardSite, survey: Survey, token: str, language: str | None = None) -> tuple[str, str]:
    """(href on the dashboards, the link as written in an e-mail): absolute with `site.base_url`; to `language`'s page.

    Made once per site address, site language, survey, token and language (`site.cache[MAIL_LINKS]`, held for the
    next build of `rapport serve`): every active client's links are shown on its page and in links.csv."""
    settings = site.portfolio.settings.site
    key = (settings.base_url, settings.language, survey.id, token, language)
    made: dict[tuple[str | None, str, str, str, str | None], tuple[str, str]] = site.cache.setdefault(MAIL_LINKS, {})
    found = made.get(key)
    if found is None:
        href, text = personal_link(site, survey, token, language)
        found = made[key] = (href, href if href.startswith(("https://", "http://")) else text)
    return found


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


def link_rows(site: DashboardSite, secret: bytes, clients: Sequence[dict[str, Any]] | None = None) -> list[list[Any]]:
    """The rows of links.csv: active clients by name (or `clients`, active ones), each with every survey in the site's order."""
    rows: list[list[Any]] = []
    surveys: dict[str, Survey] = {survey.id: survey for survey in site.portfolio.surveys}
    sent = site.charts.reports.response_rates.last_sent()
    for row in _active(site) if clients is None else clients:
        contact = row["client"].contact
        for entry in client_links(site, row, secret):
            survey = entry["survey"]
            rows.append([row["name"], contact.name or "", contact.email or "", surveys[survey.id].title, entry["text"],
                         entry["due"], sent.get((survey.id, row["id"]), ""), entry["last_answered"], row["id"], survey.id])
    return rows


def _active(site: DashboardSite) -> list[dict[str, Any]]:
    """The active clients' rows, by name."""
    return sorted((row for row in site.charts.data.clients if row["active"]), key=lambda row: (row["name"].casefold(), row["id"]))


def render_links(site: DashboardSite, secret: bytes, held: dict[str, Any] | None = None,
                 key: Callable[[dict[str, Any]], Hashable] | None = None) -> OutputFile:
    """`dashboard/links.csv`: every active client × survey with its personal link.

    With `held` (exports.py `kept_lines`), the lines of a client whose `key` (its row and record), latest answers
    and invitations sent are as in the last build are taken from there."""
    path = f"dashboard/{LINKS_PATH}"
    if held is None or key is None:
        return OutputFile(path, csv_bytes(LINKS_HEADER, link_rows(site, secret)))
    surveys = site.portfolio.surveys
    answered, sent = last_answers(site), site.charts.reports.response_rates.last_sent()
    settings = site.portfolio.settings.site
    # what every line is made from besides its client's key: the surveys' titles, the site's address and language
    context = (LINKS_HEADER, tuple((survey.id, survey.title) for survey in surveys), settings.base_url, settings.language)

    def client_key(row: dict[str, Any]) -> Hashable:
        pairs = [(survey.id, row["id"]) for survey in surveys]
        return key(row), tuple(answered.get(pair) for pair in pairs), tuple(sent.get(pair, "") for pair in pairs)

    def lines(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
        made = list(map(",".join, zip(*(fields(column) for column in zip(*link_rows(site, secret, rows))))))
        # every active client has a link per survey, in the site's order
        return [made[start:start + len(surveys)] for start in range(0, len(surveys) * len(rows), len(surveys) or 1)]

    return OutputFile(path, kept_lines(held, context, LINKS_HEADER, _active(site), client_key, lines))
