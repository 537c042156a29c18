"""The NPS 0–10 scale fits a 360 px phone (issue #17): two rows of six and five buttons,
no number broken over lines, no sideways scroll, every option visible and at least 24 px to tap;
one row of eleven from where they fit (a tablet, a laptop), and nothing in between."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import serve_folder
from tests.test_dashboard_paging import demo_site

MEASURE = """() => {
  const fieldset = [...document.querySelectorAll('fieldset.question.nps')][0];
  const labels = [...fieldset.querySelectorAll('.scale label')];
  return {
    page: [document.documentElement.scrollWidth, window.innerWidth],
    options: labels.map(label => {
      const span = label.querySelector('span');
      const box = span.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(span);
      return {text: span.textContent, left: box.left, right: box.right, top: box.top, width: box.width,
              height: box.height, lines: new Set([...range.getClientRects()].map(r => Math.round(r.top))).size};
    }),
    ends: [...fieldset.querySelectorAll('.ends span')].map(e => [e.getBoundingClientRect().left, e.getBoundingClientRect().right]),
  };
}"""


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale")
    demo_site(root, 14)
    return root / "output" / "public"


# two rows of six and five until the eleven fit one row: never ten and one (which 560–600 px gave)
@pytest.mark.parametrize("width, rows", [(360, 2), (390, 2), (480, 2), (560, 2), (600, 2), (640, 1), (768, 1), (1366, 1)])
def test_the_nps_scale_fits_the_screen_by_design(browser, public: Path, width: int, rows: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    with serve_folder(public) as base:
        page.goto(base + "survey/annual-review/index.html")
        page.locator("fieldset.nps").first.scroll_into_view_if_needed()
        found = page.evaluate(MEASURE)
        assert found["page"][0] <= found["page"][1]  # no sideways scroll
        options = found["options"]
        assert [o["text"] for o in options] == [str(n) for n in range(11)]
        assert all(o["lines"] == 1 for o in options)  # no number broken over two lines
        assert all(o["width"] >= 24 and o["height"] >= 24 for o in options)  # big enough to tap
        assert all(o["left"] >= 0 and o["right"] <= width for o in options)  # all visible
        tops = sorted({round(o["top"]) for o in options})
        assert len(tops) == rows
        if rows == 2:  # 0–5 above, 6–10 below, in order
            assert [o["text"] for o in options if round(o["top"]) == tops[0]] == [str(n) for n in range(6)]
        assert all(left >= 0 and right <= width for left, right in found["ends"])
        # the whole button is the target: a tap on its middle chooses it
        ten = options[10]
        page.mouse.click((ten["left"] + ten["right"]) / 2, ten["top"] + ten["height"] / 2)
        assert page.locator("fieldset.nps input[value='10']").first.is_checked()
    context.close()
