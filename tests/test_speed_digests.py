"""The digests a rebuild keys a page's value by (generator/speed/fingerprints.py): equal values agree, any difference shows."""

from __future__ import annotations

import dataclasses
import datetime as dt

from generator.render.plan import ClientData, ClientInputs, values_bytes
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


def named(clients: tuple[ClientInputs | ClientData, ...], data: DataDigests | None = None) -> str:
    """The digest of a list page naming `clients` (and holding the same value)."""
    inputs = PageInputs(b"shared", data or DIGESTS)
    return inputs.from_value("dashboard/clients/index.html", {"title": "All clients"}, clients)


DIGESTS = DataDigests(
    clients={"acme": b"acme's data", "zeta": b"zeta's data"}, frames={}, records=b"",
    json={"acme": '{"id":"acme","name":"Acme"}', "zeta": '{"id":"zeta","name":"Zeta"}'},
    rows={"contacts": {"acme": b"acme's contacts"}, "responses/pulse": {"acme": b"acme's answers"}},
)


def test_a_list_page_changes_with_each_client_it_names() -> None:
    acme, zeta = ClientInputs("acme", {"id": "acme", "nps": 40.0}), ClientInputs("zeta", {"id": "zeta", "nps": 10.0})
    digests = {
        "both": named((acme, zeta)), "swapped": named((zeta, acme)), "one": named((acme,)),
        "row changed": named((acme, ClientInputs("zeta", {"id": "zeta", "nps": 20.0}))),
        "data changed": named((acme, zeta), dataclasses.replace(DIGESTS, clients={**DIGESTS.clients, "zeta": b"new"})),
        "record only": named((ClientData("acme", ()), ClientData("zeta", ()))),
        "contacts": named((ClientData("acme", ("contacts",)), ClientData("zeta", ("contacts",)))),
        "new contact": named((ClientData("acme", ("contacts",)), ClientData("zeta", ("contacts",))),
                             dataclasses.replace(DIGESTS, rows={**DIGESTS.rows, "contacts": {"acme": b"one more"}})),
        "renamed": named((ClientData("acme", ()), ClientData("zeta", ())),
                         dataclasses.replace(DIGESTS, json={**DIGESTS.json, "zeta": '{"id":"zeta","name":"Zed"}'})),
    }
    assert "" not in digests.values()
    assert len(set(digests.values())) == len(digests)
    # a frame the page does not name does not count
    answered = dataclasses.replace(DIGESTS, rows={**DIGESTS.rows, "responses/pulse": {"acme": b"a new answer"}})
    pair = (ClientData("acme", ("contacts",)), ClientData("zeta", ("contacts",)))
    assert named(pair, answered) == digests["contacts"]


def test_a_page_naming_a_client_without_data_is_made_by_every_build() -> None:
    assert named((ClientInputs("nobody", {"id": "nobody"}),)) == ""
    assert named((ClientData("nobody", ()),)) == ""
    assert named((ClientData("acme", ("responses/unknown",)),)) == ""


def test_a_rows_values_differing_only_in_kind_or_day_have_different_bytes() -> None:
    marked = b"D" + DAY.toordinal().to_bytes(4, "little")  # how a date is written before the pickle
    rows = [[DAY], [dt.date(2026, 12, 1)], [dt.datetime(2026, 11, 30)], [DAY.toordinal()], ["2026-11-30"], [marked],
            [marked, DAY], [DAY, DAY], [[DAY]], [(DAY,)], [1], [1.0], [True], [-0.0], [0.0], [None], [b""], []]
    written = [values_bytes(row) for row in rows]
    assert len(set(written)) == len(rows)
    assert values_bytes(["ac" + "me", dt.date.fromordinal(DAY.toordinal())]) == values_bytes(["acme", DAY])
