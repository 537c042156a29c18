"""One `.eml` file per invitation: an RFC 5322 message, multipart/alternative text and HTML, as a draft.

`X-Unsent: 1` makes Outlook open the file as a draft to send (not as a received message), and
`X-Uniform-Type-Identifier: com.apple.mail-draft` does the same in Apple Mail; Thunderbird
opens it and sends it with "Edit as New Message". Built with Python's `email` package under
the SMTP policy: CRLF line ends, lines folded, non-ASCII text encoded for 7-bit transport.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from generator.invite.message import Message


class AddressProblem(ValueError):
    """An address (or the name beside it) that cannot go into a header: the reason, in words."""


def address(name: str | None, email: str, what: str) -> Address:
    """`Name <email>` for a header; AddressProblem when the e-mail is not an address."""
    text = email.strip()
    if any(char in text or char in (name or "") for char in "\r\n") or text.count("@") != 1:
        raise AddressProblem(f"{what} '{text[:80]}' is not an e-mail address")
    user, _, domain = text.partition("@")
    if not user or "." not in domain or " " in text:
        raise AddressProblem(f"{what} '{text[:80]}' is not an e-mail address")
    try:
        return Address(display_name=(name or "").strip(), username=user, domain=domain)
    except (ValueError, IndexError) as exc:
        raise AddressProblem(f"{what} '{text[:80]}' is not an e-mail address ({exc})") from None


def eml_bytes(message: Message, sender: Address, recipient: Address, when: dt.datetime, key: str) -> bytes:
    """The message as file bytes; `key` (date, survey, client, kind) makes its Message-ID, so a re-run writes the same one."""
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = sender
    mail["To"] = recipient
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(when)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    mail["Message-ID"] = f"<rapport.{digest}@{sender.domain}>"
    mail["X-Unsent"] = "1"
    mail["X-Uniform-Type-Identifier"] = "com.apple.mail-draft"
    mail.set_content(message.text, charset="utf-8")
    mail.add_alternative(message.html, subtype="html", charset="utf-8")
    mail.set_boundary(f"=_rapport_{digest}")  # not a random one: the same run writes the same bytes
    return mail.as_bytes(policy=policy.SMTP)
