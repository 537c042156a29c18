"""The digests a rebuild keys a page's value by (generator/speed/fingerprints.py): equal values agree, any difference shows."""

from __future__ import annotations

import datetime as dt

from generator.speed.fingerprints import DataDigests, PageInputs

DAY = dt.date(2026, 11, 30)


def digest_of(value: object) -> str:
    return PageInputs(b"shared", DataDigests({}, {}, b"")).from_value("dashboard/lists/at-risk.html", value)


def test_values_that_differ_only_in_kind_or_day_have_different_digests() -> None:
    # a date is digested as bytes: a value holding those very bytes, or the day number, is still another value
    values = [
        DAY, dt.date(2026, 12, 1), dt.datetime(2026, 11, 30), DAY.toordinal(), "2026-11-30", None,
        b"D" + DAY.toordinal().to_bytes(4, "little"), (b"B", b"x"), b"x", (b"B", (b"B", b"x")),
        [DAY], (DAY,), {"due": DAY}, {"due": [DAY]}, {"due": b"D" + DAY.toordinal().to_bytes(4, "little")},
        [[DAY]], [(DAY,)], {"rows": [{"due": DAY, "risk": "high"}]}, {"rows": [{"due": DAY, "risk": "low"}]},
    ]
    digests = [digest_of(value) for value in values]
    assert "" not in digests
    assert len(set(digests)) == len(values)


def test_equal_values_built_apart_have_one_digest() -> None:
    first = {"rows": [{"id": "acme", "due": dt.date(2026, 11, 30), "reasons": ["renewal soon"]}], "page": (1, 4)}
    second = {"rows": [{"id": "ac" + "me", "due": dt.date.fromordinal(DAY.toordinal()), "reasons": ["renewal " + "soon"]}],
              "page": (1, 4)}
    assert first == second and first["rows"][0]["due"] is not second["rows"][0]["due"]
    assert digest_of(first) == digest_of(second)
