"""The kinds of contact and the range of dates the data may hold: plain values, without the records' schema.

The readers of contacts.csv need only these: a fork runs them before pydantic and the schema
(generator/model.py) are imported (generator/load/ahead.py).
"""

from __future__ import annotations

import datetime as dt

CONTACT_KINDS = ("onsite", "remote", "phone", "email")

# Bounds on every date in the data files (generator/model.py bounds the numbers). Far beyond any real practice,
# and small enough that every later stage can do its arithmetic (pandas dates) without overflowing: a typo is
# an error here, not a crash in the build.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
