"""An invitation run: load, choose the clients, compose each e-mail; then write the files and record them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from generator.invite.command import UsageProblem, unknown_client
from generator.invite.eml import AddressProblem, address, eml_bytes
from generator.invite.mailmerge import MergeRow, mail_merge_csv
from generator.invite.message import Message, compose, survey_link
from generator.invite.record import Sent, record_sent
from generator.invite.select import Choice, invitations, reminders, standing
from generator.model import Client, Survey
from generator.portfolio import Portfolio
from generator.texts import site_texts
from generator.tokens import survey_token

CHANNEL = "email"


@dataclass(frozen=True)
class Mail:
    """One e-mail ready to write: whose, which, and the draft's bytes (made when written: 10 ms each)."""

    choice: Choice
    message: Message
    sender: Address
    recipient: Address
    when: dt.datetime
    key: str  # date, survey, client, kind: the Message-ID's seed

    def eml(self) -> bytes:
        """The `.eml` file's bytes."""
        return eml_bytes(self.message, self.sender, self.recipient, self.when, self.key)


@dataclass(frozen=True)
class Batch:
    """What a run writes: the choices (written or skipped, in order) and the e-mails."""

    survey: Survey
    today: dt.date
    kind: str
    choices: list[Choice]
    mails: list[Mail]
    why: str  # why nobody was chosen, when nobody was


def prepare(data_dir: Path, as_of: dt.date | None, survey_id: str | None, named: Sequence[str],
            due: bool, reminders_only: bool) -> Batch:
    """Everything but the writing: a usage or data problem raises before any file is touched."""
    from generator.keys import resolve_secret
    from generator.load import load_portfolio

    secret = resolve_secret(data_dir)
    portfolio = load_portfolio(data_dir, as_of)
    survey = _survey(portfolio, survey_id, data_dir)
    known = [client.id for client in portfolio.clients]
    for client_id in named:
        if client_id not in known:
            raise unknown_client(client_id, known, data_dir)
    settings = portfolio.settings
    base_url = settings.site.base_url
    if not base_url:
        raise UsageProblem(f"site.base_url is not set in {data_dir}/site.yaml: the e-mails link to the published survey "
                           "page (set it to the site's address, e.g. https://YOU.github.io/REPOSITORY/)")
    if not settings.business.email:
        raise UsageProblem(f"business.email is not set in {data_dir}/site.yaml: it is the invitations' From address")
    try:
        sender = address(settings.business.name, settings.business.email, "business.email")
    except AddressProblem as exc:
        raise UsageProblem(f"{data_dir}/site.yaml: {exc}") from None
    state = standing(portfolio)
    if reminders_only:
        choices, why = reminders(portfolio, state, survey, named)
    else:
        choices, why = invitations(portfolio, state, survey, named, due)
    kind = "reminder" if reminders_only else "invite"
    when = _when(portfolio.as_of)
    done: list[Choice] = []
    mails: list[Mail] = []
    for choice in choices:
        if choice.skipped:
            done.append(choice)
            continue
        client = choice.client
        try:
            recipient = address(client.contact.name, client.contact.email or "", "contact e-mail")
        except AddressProblem as exc:
            done.append(Choice(client, skipped=f"{exc} (clients.yaml)"))
            continue
        language = language_of(client, portfolio)
        texts = site_texts(data_dir, language)
        token = survey_token(secret.value, survey.id, client.id)
        link = survey_link(base_url, survey, token, language, settings.site.language)
        message = compose(choice.kind, settings, survey, client, link, texts)
        key = f"{portfolio.as_of}|{survey.id}|{client.id}|{choice.kind}"
        mails.append(Mail(choice, message, sender, recipient, when, key))
        done.append(choice)
    return Batch(survey, portfolio.as_of, kind, done, mails, why)


def language_of(client: Client, portfolio: Portfolio) -> str:
    """The client's language when clients.yaml gives one, else the site's."""
    return client.language or portfolio.settings.site.language


def write(batch: Batch, folder: Path, data_dir: Path) -> tuple[list[Path], int]:
    """Write the mail-merge CSV and the drafts into `folder`, then record them; (files written, rows recorded)."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"{batch.survey.id}-{batch.kind}"
    merge = folder / f"{prefix}-mail-merge.csv"
    merge.write_bytes(mail_merge_csv([
        MergeRow(mail.choice.client.id, mail.choice.client.name, mail.choice.client.contact.name or "",
                 (mail.choice.client.contact.email or "").strip(), mail.message.subject, mail.message.text,
                 mail.message.html, mail.message.link)
        for mail in batch.mails]))
    files = [merge]
    for mail in batch.mails:
        path = folder / f"{prefix}-{mail.choice.client.id}.eml"
        path.write_bytes(mail.eml())
        files.append(path)
    recorded = record_sent(data_dir, [Sent(batch.today.isoformat(), mail.choice.client.id, batch.survey.id,
                                           mail.choice.round, CHANNEL, mail.choice.kind) for mail in batch.mails])
    return files, recorded


def _survey(portfolio: Portfolio, survey_id: str | None, data_dir: Path) -> Survey:
    ids = [survey.id for survey in portfolio.surveys]
    if survey_id is None:
        if len(ids) == 1:
            return portfolio.surveys[0]
        raise UsageProblem(f"name the survey with --survey (one of: {', '.join(ids) or 'none in ' + str(data_dir) + '/surveys/'})")
    found = portfolio.survey(survey_id)
    if found is None:
        raise UsageProblem(f"--survey '{survey_id[:60]}': no such survey in {data_dir}/surveys/ (one of: {', '.join(ids)})")
    return found


def _when(today: dt.date) -> dt.datetime:
    """The drafts' Date: now when the run is for today, else 09:00 local time on that day."""
    now = dt.datetime.now().astimezone()
    if now.date() == today:
        return now.replace(microsecond=0)
    return dt.datetime.combine(today, dt.time(9, 0)).astimezone()
