"""The invitation kit is paged like the other lists (issue #17): every due invitation once, survey by
survey, in pages of `dashboards.list_size`, with the links between the pages."""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_dashboard_paging import LIST_SIZE as PAGE_SIZE
from tests.test_dashboard_paging import demo_site

# 60 demo clients have 8 invitations due, 4 per survey: two pages of 5 and 3, one survey on both


def test_the_invitation_kit_pages_every_due_invitation_once(tmp_path: Path) -> None:
    dashboard = demo_site(tmp_path, 60)
    files = sorted(dashboard.glob("invitations*.html"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 1))
    count = len(files)
    assert count >= 2
    assert [p.name for p in files] == ["invitations.html", *(f"invitations-{n}.html" for n in range(2, count + 1))]
    seen: list[str] = []
    survey_of: list[str] = []
    for number, path in enumerate(files, start=1):
        page = path.read_text(encoding="utf-8")
        anchors = re.findall(r'<tr id="invite-([a-z0-9-]+)">', page)
        assert 1 <= len(anchors) <= PAGE_SIZE
        entries = f"entry {len(seen) + 1}" if len(anchors) == 1 else f"entries {len(seen) + 1}–{len(seen) + len(anchors)}"
        assert f"Page {number} of {count} · {entries} of " in page
        if number < count:
            assert f'<a href="invitations-{number + 1}.html" rel="next">Next page</a>' in page
        if number > 1:
            assert f'<title>Invitations (page {number}) · ' in page
            assert '<a href="invitations.html" rel="first">First page</a>' in page
        # each entry's section is its survey's; a survey's entries run on from page to page
        sections = re.findall(r'<h2 id="survey-([a-z0-9-]+)">', page)
        for anchor in anchors:
            survey_of += [survey for survey in sections if anchor.startswith(f"{survey}-")]
        assert len(survey_of) == len(seen) + len(anchors)
        seen += anchors
    assert len(seen) == len(set(seen))
    total = re.search(r"(\d+) invitations on (\d+) pages", files[0].read_text(encoding="utf-8"))
    assert total and int(total.group(1)) == len(seen) and int(total.group(2)) == count
    assert len(set(survey_of)) > 1 and survey_of == sorted(survey_of, key=survey_of.index)  # survey by survey
