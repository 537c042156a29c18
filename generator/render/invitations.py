"""The invitation kit (issue #4): per survey, each active client whose survey is due within 30
days or overdue, with the contact, the personal link and a ready e-mail in the consultant's name;
and who has not answered since the link was due."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from generator.files import OutputFile
from generator.metrics import Reports
from generator.model import Client, Survey
from generator.render.dashboard_common import DashboardSite
from generator.render.paging import pages
from generator.render.surveys import survey_page_path
from generator.texts import Texts, site_texts
from generator.texts.surveys import survey_words
from generator.tokens import survey_token


def personal_link(site: DashboardSite, survey: Survey, token: str, language: str | None = None) -> tuple[str, str]:
    """(href, text) of a personal survey link, `survey/<survey-id>/#t=<token>` (`survey/<survey-id>/<language>/…`
    for a client who reads another language than the site's): absolute with `site.base_url`, else relative to
    the site root. The token rides in the fragment, which no server, log or `Referer` ever sees, and no
    published file holds."""
    settings = site.portfolio.settings
    return link_for(settings.site.base_url, survey.id, token, language, settings.site.language)


def cached_token(site: DashboardSite, secret: bytes, survey_id: str, client_id: str) -> str:
    """`survey_token`, made once: the plan, each client page, the invitation kit and links.csv show the same
    tokens, and each is an HMAC (held for the next build of the process: render/dashboard.py `dashboard_jobs`)."""
    made: dict[tuple[bytes, str, str], str] = site.cache.setdefault("survey_tokens", {})
    key = (secret, survey_id, client_id)
    token = made.get(key)
    if token is None:
        token = made[key] = survey_token(secret, survey_id, client_id)
    return token


def link_for(base: str | None, survey_id: str, token: str, language: str | None, site_language: str) -> tuple[str, str]:
    """`personal_link` from the site's address alone (`rapport invite` has no dashboard to render)."""
    page = survey_page_path(survey_id, language, site_language)
    if base:
        url = base.rstrip("/") + f"/{page}#t={token}"
        return url, url
    # from dashboard/invitations.html to the page under public/; the published copy rewrites it
    return f"../public/{page}index.html#t={token}", f"{page}#t={token}"


def mailto(site: DashboardSite, survey: Survey, client: Client, link: str, kind: str = "invitation") -> str:
    """A `mailto:` link with a ready subject and body, signed with the business's name and e-mail.

    `kind` is `invitation` or `reminder`: the words come from the texts (generator/texts/) in the
    client's language (default: the site's), like the survey page its link opens.
    """
    settings = site.portfolio.settings
    business, language = settings.business, client.language or settings.site.language
    words: dict[tuple[str, str], tuple[Texts, str]] = site.cache.setdefault("mail_words", {})
    if (survey.id, language) not in words:  # the same for every client of a language: a file's stat and a survey's texts
        words[survey.id, language] = (site_texts(site.portfolio.data_dir, language),
                                      survey_words(survey, language, settings.site.language).title)
    texts, title = words[survey.id, language]
    first_name = (client.contact.name or "").split(" ")[0]
    values = {"name": first_name, "survey": title, "survey_lower": title.lower(), "business": business.name}
    greeting = texts.plain(f"{kind}.greeting", **values) if first_name else texts.plain(f"{kind}.greeting_no_name", **values)
    body = (f"{greeting}\n\n{texts.plain(f'{kind}.body', **values)}\n\n{link}\n\n"
            f"{texts.plain(f'{kind}.closing', **values)}\n{business.name}"
            + (f"\n{business.email}" if business.email else ""))
    subject = texts.plain(f"{kind}.subject", **values)
    address = quote(client.contact.email or "", safe="@")
    return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def invitation_rows(site: DashboardSite, reports: Reports, secret: bytes) -> dict[str, list[dict[str, Any]]]:
    """Per survey id, the due clients (most overdue first) with link and e-mail."""
    data, as_of, due_soon = site.charts.data, site.as_of, set(reports.attention.surveys_due)
    rows: dict[str, list[dict[str, Any]]] = {survey.id: [] for survey in site.portfolio.surveys}
    due_clients = [client for client in site.portfolio.clients if client.id in due_soon and data.by_id[client.id]["active"]]
    for survey, client in ((survey, client) for survey in site.portfolio.surveys for client in due_clients):
        row = data.by_id[client.id]
        due = row["survey_next_due"]
        token = cached_token(site, secret, survey.id, client.id)
        href, text = personal_link(site, survey, token, client.language)
        link = href if href.startswith("http") else text
        has_email = bool(client.contact.email)
        rows[survey.id].append({
            "row": row, "client": client, "href": href, "text": text, "due_in": (due - as_of).days,
            "mailto": mailto(site, survey, client, link) if has_email else "",
            "reminder": mailto(site, survey, client, link, "reminder") if has_email and row["survey_overdue"] else "",
            "anchor": f"invite-{survey.id}-{client.id}",
        })
    for items in rows.values():
        items.sort(key=lambda item: (item["row"]["survey_next_due"], item["row"]["name"].casefold(), item["client"].id))
    return rows


def render_invitations(site: DashboardSite, reports: Reports, secret: bytes) -> list[OutputFile]:
    """`dashboard/invitations.html` and its further pages (`invitations-2.html`, …): the due clients of
    every survey, survey by survey, in pages of `dashboards.list_size` (generator/render/paging.py).

    The short size of the overview's lists, not the long lists' `page_size`: each entry carries two
    ready e-mails (about 1.3 KB), and a work list of 25 to send stays small and the same size
    whether the portfolio has a thousand clients or ten thousand."""
    rows = invitation_rows(site, reports, secret)
    surveys = site.portfolio.surveys
    entries = [(survey.id, item) for survey in surveys for item in rows[survey.id]]
    files = []
    for pager, chunk in pages(entries, reports.attention.limits.list_size, "invitations.html"):
        # a survey with nobody due says so on the first page; the others show on the pages that hold them
        shown = [s for s in surveys if any(sid == s.id for sid, _ in chunk) or (pager.number == 1 and not rows[s.id])]
        files.append(site.page("dashboard_invitations.html", pager.path, "invitations",
                               surveys=shown, rows={s.id: [item for sid, item in chunk if sid == s.id] for s in shown},
                               pager=pager, base_url=site.portfolio.settings.site.base_url,
                               due_days=reports.attention.due_days))
    return files
