"""The digest as an e-mail to the consultant: RFC 5322, multipart text + HTML, from and to the business address."""

from __future__ import annotations

import datetime as dt
import hashlib
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from generator.metrics.digest import RENEWAL_DAYS, Digest
from generator.model import Business
from generator.plurals import plural


def digest_text(digest: Digest, names: dict[str, str], dashboard: str) -> str:
    """The plain-text part: the same lists as the page, each cut at `list_size` with a count of the rest."""
    size = digest.list_size
    rate = digest.response_rate
    lines = [f"Weekly digest: {digest.since.isoformat()} to {digest.as_of.isoformat()}", "",
             f"{plural(len(digest.responses), 'new response')} · {plural(digest.comments, 'comment')} · "
             f"{plural(len(digest.detractors), 'new detractor')} · {plural(len(digest.contacts), 'contact')} · "
             f"{plural(len(digest.followups_open), 'open follow-up')} "
             f"({digest.followups_overdue} overdue) · response rate "
             + ("—" if rate.percent is None else f"{rate.percent} %")]

    def section(title: str, items: list[str], empty: str) -> None:
        lines.extend(["", title, "-" * len(title)])
        lines.extend(f"- {item}" for item in items[:size])
        if len(items) > size:
            lines.append(f"and {len(items) - size} more")
        if not items:
            lines.append(empty)

    section(f"Follow-ups: {len(digest.followups_open)} open, {digest.followups_overdue} overdue "
            f"({digest.followups_opened} opened, {digest.followups_closed} closed this week)",
            [f"{names.get(f.client, f.client)}: {f.reason} · due {f.due.isoformat()}"
             + (f" (overdue {plural(f.days_overdue, 'day')})" if f.overdue else "") + f" · id {f.id}" for f in digest.followups_open],
            "None open.")
    section("New detractors", [f"{r.name}: NPS {r.nps} on {r.date.isoformat()} ({r.survey})" for r in digest.detractors],
            "None.")
    section("New responses and comments",
            [f"{r.date.isoformat()} · {r.name} · {r.survey}" + ("" if r.nps is None else f" · NPS {r.nps}")
             + "".join(f'\n    "{" ".join(comment.split())}"' for comment in r.comments) for r in digest.responses],
            "No response this week.")
    onsite = sum(1 for c in digest.contacts if c.kind == "onsite")
    section(f"Contacts logged: {len(digest.contacts)}, {onsite} on site",
            [f"{c.date.isoformat()} · {c.name} · {c.kind}" + (f" · {c.staff}" if c.staff else "") for c in digest.contacts],
            "No contact logged.")
    section("On-site visits due this month", [f"{d.name}: {d.detail}" for d in digest.visits_due],
            "Every active client has had its visits this month.")
    section("Surveys due", [f"{d.name}: {d.detail} {d.date.isoformat() if d.date else ''}".rstrip() for d in digest.surveys_due],
            "No survey due.")
    section(f"Renewals in the next {plural(RENEWAL_DAYS, 'day')}",
            [f"{d.name}: {d.date.isoformat() if d.date else ''}, {d.detail}" for d in digest.renewals],
            f"No renewal in the next {plural(RENEWAL_DAYS, 'day')}.")
    lines.extend(["", "Response rate", "-------------",
                  ("—" if rate.percent is None else f"{rate.percent} %") + f": {rate.answered} of {rate.asked} ({rate.definition})",
                  "", f"The dashboards: {dashboard}", "Private: this e-mail holds client data.", ""])
    return "\n".join(lines)


def digest_message(business: Business, digest: Digest, text: str, html: str) -> EmailMessage:
    """The e-mail: From and To the business's address, dated on the report date, text with an HTML alternative."""
    address = Address(business.name, addr_spec=business.email or "")
    message = EmailMessage(policy=SMTP)
    message["From"] = address
    message["To"] = address
    message["Subject"] = (f"Weekly digest {digest.since.isoformat()} to {digest.as_of.isoformat()}: "
                          f"{plural(len(digest.responses), 'new response')}, "
                          f"{plural(digest.followups_overdue, 'overdue follow-up')}")
    # the report date at 08:00 UTC: the same data gives the same bytes (no clock, no random Message-ID)
    message["Date"] = format_datetime(dt.datetime.combine(digest.as_of, dt.time(8, 0), tzinfo=dt.UTC))
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    # a boundary from the content, not a random one, and never a line of either part
    message.set_boundary("rapport-digest-" + hashlib.sha256(f"{text}\0{html}".encode()).hexdigest()[:32])
    return message
