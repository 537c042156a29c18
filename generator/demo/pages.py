"""The sample's settings (site.yaml) and the business's own pages (pages/*.md)."""

from __future__ import annotations

import datetime as dt

INDEX_PAGE = """\
# Harbor Point IT

Friendly, dependable IT support for small offices: dental practices, law firms, architects,
accountants, clinics and shops with 10 to 35 computers and a server or two.

## How we work

- **We show up.** Every agreement includes regular on-site visits — at least once a month,
  usually twice — so small problems get fixed before they become big ones.
- **We answer.** Call, e-mail or open a ticket; a real person who knows your office picks it up.
- **We ask.** A two-minute review before every renewal, and a quick pulse each quarter for
  those who want it. We read every answer, and we act on them.

## Get in touch

Call **+1 555 0100** or write to [hello@harborpoint.example](mailto:hello@harborpoint.example).
We'll visit, look at what you have, and send a plain-language proposal — no charge.
"""

SERVICES_PAGE = """\
# Services

Everything a small office needs from an IT department, for one monthly fee.

## Managed support agreement

- Helpdesk by phone, e-mail and remote session, business hours, with a same-day response
- On-site visits at least monthly: patching, checks, and whatever has piled up
- Monitoring of servers, backups and security updates, with a quarterly report
- 12- or 24-month terms, from $600 a month depending on the number of PCs and servers

## Backups and recovery

Nightly backups to the cloud plus a local copy, and a restore test every quarter — because a
backup nobody has restored is only a hope.

## Security

Multi-factor sign-in, a managed firewall, phishing-awareness training for your staff, and a
plan for what to do on the bad day.

## Hardware and licences

We quote, order, set up and retire PCs, printers and network gear, and keep track of warranties
and renewals so nothing lapses by surprise.

## Training

Short, practical sessions on the tools you already pay for: Microsoft 365, your scanner,
your practice software, and spotting a fake invoice.
"""


def site_settings(as_of: dt.date) -> dict[str, object]:
    """The sample's site.yaml, its report date fixed to `as_of`."""
    return {
        "business": {"name": "Harbor Point IT", "email": "hello@harborpoint.example", "phone": "+1 555 0100"},
        "site": {"base_url": "https://example.github.io/rapport/", "language": "en"},
        "as_of": as_of,
        "targets": {"onsite_min_per_month": 1, "onsite_typical_per_month": 2,
                    "survey_cadence": "annual", "survey_lead_days": 60},
        "ideal_client": {"pcs": [10, 35], "servers": [1, 2], "wan": False},
        "forms": {"backend": "collector"},
        "dashboards": {"publish": "encrypted"},
    }
