"""The markup the dashboards write in Python (generator/render/dashboard_html.py) is the markup the
templates wrote, with every value from the data escaped."""

from __future__ import annotations

from generator.charts.spec import Figure
from generator.render.dashboard_html import chart_html, table_rows

HOSTILE = ["<script>alert(1)</script>", '" onmouseover="x', "Tom's & Jerry's", "</script><script>alert(2)//"]


def hostile_figure(note: str) -> Figure:
    return Figure(
        id="chart-client-contacts", caption=HOSTILE[0], note=note,
        spec={"data": [{"x": ["2026-01"], "y": [1], "name": HOSTILE[3]}], "layout": {"height": 320}},
        columns=("Month", HOSTILE[1], HOSTILE[2]),
        rows=[("2026-01", 1, HOSTILE[2]), ("2026-02", 1.0, True), ("2026-03", None, HOSTILE[1])],
    )


def test_chart_text_from_the_data_is_escaped_and_its_spec_cannot_close_the_script() -> None:
    html = str(chart_html(hostile_figure(HOSTILE[1])))
    assert "<script>alert" not in html
    assert html.count("</script>") == 1  # only the spec's own
    assert "<figcaption id=\"chart-client-contacts-caption\">&lt;script&gt;alert(1)&lt;/script&gt;</figcaption>" in html
    assert '<p class="note">&#34; onmouseover=&#34;x</p>' in html
    assert "<th scope=\"col\">Tom&#39;s &amp; Jerry&#39;s</th>" in html


def test_rows_with_equal_but_different_cells_are_each_written_as_they_are() -> None:
    # 1, 1.0 and True are equal keys in Python: each row must still show its own cell
    assert str(table_rows([("a", 1), ("a", 1.0), ("a", True)])) == (
        '<tr><th scope="row">a</th><td>1</td></tr>\n'
        '<tr><th scope="row">a</th><td>1.0</td></tr>\n'
        '<tr><th scope="row">a</th><td>True</td></tr>\n'
    )
    assert str(table_rows([["<b>", ["x"]]])) == '<tr><th scope="row">&lt;b&gt;</th><td>[&#x27;x&#x27;]</td></tr>\n'
    assert str(table_rows([("alone",), ("alone", 2)])) == \
        '<tr><th scope="row">alone</th></tr>\n<tr><th scope="row">alone</th><td>2</td></tr>\n'
