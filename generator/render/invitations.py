"""The invitation kit (issue #4): per survey, each active client whose survey is due within 30
days or overdue, with the contact, the personal link and a ready e-mail in the consultant's name;
and who has not answered since the link was due."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from generator.metrics import Reports
from generator.model import Client, Survey
from generator.render.dashboard_common import DUE_DAYS, DashboardSite
from generator.render.surveys import survey_links
from generator.write import OutputFile


def personal_link(site: DashboardSite, survey: Survey, token: str) -> tuple[str, str]:
    """(href, text) of a personal survey link, `survey/<survey-id>/#t=<token>`: absolute with
    `site.base_url`, else relative to the site root. The token rides in the fragment, which no
    server, log or `Referer` ever sees, and no published file holds."""
    base = site.portfolio.settings.site.base_url
    if base:
        url = base.rstrip("/") + f"/survey/{survey.id}/#t={token}"
        return url, url
    # from dashboard/invitations.html to the page under public/; the published copy rewrites it
    return f"../public/survey/{survey.id}/index.html#t={token}", f"survey/{survey.id}/#t={token}"


def mailto(site: DashboardSite, survey: Survey, client: Client, link: str) -> str:
    """A `mailto:` link with a ready subject and body, signed with the business's name and e-mail."""
    business = site.portfolio.settings.business
    greeting = (client.contact.name or "").split(" ")[0] or "there"
    body = (f"Dear {greeting},\n\nCould you spare two minutes to tell us how we are doing? "
            f"Your answers to our {survey.title.lower()} go straight to the people who look after your office, "
            f"and help us serve you better.\n\n{link}\n\nThank you,\n{business.name}"
            + (f"\n{business.email}" if business.email else ""))
    subject = f"{survey.title}: two minutes for {business.name}?"
    address = quote(client.contact.email or "", safe="@")
    return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def invitation_rows(site: DashboardSite, reports: Reports, secret: bytes) -> dict[str, list[dict[str, Any]]]:
    """Per survey id, the due clients (most overdue first) with link and e-mail."""
    data, as_of = site.charts.data, site.as_of
    rows: dict[str, list[dict[str, Any]]] = {survey.id: [] for survey in site.portfolio.surveys}
    for survey, client, token in survey_links(site.portfolio, reports, secret):
        row = data.by_id[client.id]
        due = row["survey_next_due"]
        if due is None or (due - as_of).days > DUE_DAYS:
            continue
        href, text = personal_link(site, survey, token)
        rows[survey.id].append({
            "row": row, "client": client, "href": href, "text": text, "due_in": (due - as_of).days,
            "mailto": mailto(site, survey, client, href if href.startswith("http") else text) if client.contact.email else "",
            "anchor": f"invite-{survey.id}-{client.id}",
        })
    for items in rows.values():
        items.sort(key=lambda item: (item["row"]["survey_next_due"], item["row"]["name"].casefold(), item["client"].id))
    return rows


def render_invitations(site: DashboardSite, reports: Reports, secret: bytes) -> OutputFile:
    """`dashboard/invitations.html`."""
    return site.page("dashboard_invitations.html", "invitations.html", "invitations",
                     surveys=site.portfolio.surveys, rows=invitation_rows(site, reports, secret),
                     base_url=site.portfolio.settings.site.base_url, due_days=DUE_DAYS)
