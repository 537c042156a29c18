"""The dashboards of the sample: every page kind exists, the overview says who is at risk and why,
and each client page shows that client's figures exactly as `rapport report --json` gives them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.load import load_portfolio
from tests.conftest import SAMPLE_DATA, SAMPLE_SECRET

SECRET = SAMPLE_SECRET


@pytest.fixture(scope="module")
def sample(sample_output: Path) -> Path:
    return sample_output / "dashboard"


@pytest.fixture(scope="module")
def report() -> dict:
    result = CliRunner().invoke(cli, ["report", "--json", "--data", str(SAMPLE_DATA)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def text_of(page: Path) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces collapsed."""
    source = page.read_text(encoding="utf-8")
    source = re.sub(r"<script\b.*?</script>", " ", source, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", source)))


def section(page: Path, heading_id: str) -> str:
    """The text of one `<section>` of a page, found by its heading's id."""
    source = page.read_text(encoding="utf-8")
    start = source.index(f'id="{heading_id}"')
    end = source.find("</section>", start)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", source[start:end])))


def test_every_page_kind_is_built(sample: Path) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    expected = {"index.html", "inbox.html", "calendar.html", "calendar.ics", "invitations.html", "links.csv",
                "exports/clients.csv", "exports/contacts-per-month.csv",
                "assets/dashboard.css", "assets/dashboard.js", "assets/inbox.js", "assets/plotly.min.js"}
    expected |= {f"clients/{c.id}.html" for c in portfolio.clients}
    expected |= {f"surveys/{s.id}.html" for s in portfolio.surveys}
    expected |= {f"exports/responses-{s.id}.csv" for s in portfolio.surveys}
    expected |= {"clients/index.html", *(f"lists/{name}.html" for name in ("at-risk", "renewals", "surveys-due", "misfits", "onsite",
                                                                     "followups"))}
    expected |= {f"surveys/{s.id}/answers.html" for s in portfolio.surveys if any(q.type == "text" for q in s.questions)}
    built = {str(p.relative_to(sample)) for p in sample.rglob("*") if p.is_file()}
    # a long list goes on in numbered pages (`page-2.html`, …), each following the page before; the inbox and
    # the written answers keep their older entries on archive pages numbered from the oldest (`inbox-archive-1.html`, …)
    later = {path for path in built if re.search(r"-([2-9]|\d\d+)\.html$", path) and "-archive-" not in path}
    for path in later:
        number = int(re.search(r"-(\d+)\.html$", path).group(1))
        assert re.sub(r"-\d+\.html$", ".html" if number == 2 else f"-{number - 1}.html", path) in built, path
    archive = {path for path in built if re.search(r"-archive-\d+\.html$", path)}
    for path in archive:
        number = int(re.search(r"-(\d+)\.html$", path).group(1))
        assert re.sub(r"-archive-\d+\.html$", ".html" if number == 1 else f"-archive-{number - 1}.html", path) in built, path
    later |= archive
    assert built - later == expected


def test_the_overview_names_each_client_at_risk_with_its_reasons(sample: Path, report: dict) -> None:
    at_risk = [c for c in report["clients"] if c["risk"] in ("high", "medium")]
    assert len(at_risk) == report["portfolio"]["clients_at_risk"] >= 3
    names = {c.id: c.name for c in load_portfolio(SAMPLE_DATA).clients}
    risk = section(sample / "index.html", "risk")
    for client in at_risk:
        assert names[client["id"]] in risk
        for reason in client["risk_reasons"]:
            assert reason in risk
    for client in report["clients"]:
        if client["risk"] == "low":
            assert names[client["id"]] not in risk
    # most urgent first: every high before any medium
    order = list(at_risk)
    order.sort(key=lambda c: risk.index(names[c["id"]]))
    levels = [c["risk"] for c in order]
    assert levels == sorted(levels, key=["high", "medium"].index)


def test_each_client_page_shows_its_figures_from_report_json(sample: Path, report: dict) -> None:
    for client in report["clients"]:
        text = text_of(sample / "clients" / f"{client['id']}.html")
        figures = section(sample / "clients" / f"{client['id']}.html", "figures")
        for key in ("nps_12m", "csat_12m"):
            if client[key] is not None:
                assert f"{client[key]:.1f}" in figures, (client["id"], key)
        assert f"Responses, 12m {client['responses_12m']};" in figures
        assert f"On-site visits, last 12 months {client['onsite_12m']};" in figures
        assert f"{client['months_below_min_12m']} month" in figures
        for key in ("last_response", "next_renewal", "survey_next_due"):
            if client[key]:
                assert client[key] in text, (client["id"], key)
        if client["days_since_contact"] is not None:
            days = client["days_since_contact"]
            assert f"({days} day{'' if days == 1 else 's'} ago)" in figures
        for reason in client["risk_reasons"]:
            assert reason in figures
        if client["risk"]:
            assert client["risk"] in figures
        for issue in client["fit_issues"]:
            assert issue in text


def test_kpi_tiles_show_the_portfolio_figures_with_their_n(sample: Path, report: dict) -> None:
    portfolio = report["portfolio"]
    tiles = section(sample / "index.html", "kpis-title")
    assert f"NPS, 12 months {portfolio['nps_12m']:.1f}" in tiles
    assert f"CSAT, 12 months {portfolio['csat_12m']:.1f}%" in tiles
    assert f"Responses, 12 months {portfolio['responses_12m']}" in tiles
    assert f"Surveys overdue {portfolio['clients_survey_overdue']}" in tiles
    assert f"Clients at risk {portfolio['clients_at_risk']} of {portfolio['clients_active']} active clients" in tiles
    assert re.search(r"NPS, 12 months [\d.]+ n = \d+ answers (▲|▼|no change)", tiles)


def test_pages_link_relatively_and_load_assets_from_the_dashboard_folder(sample: Path) -> None:
    for page in sample.rglob("*.html"):
        source = page.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="([^"]*)"', source):
            assert not url.startswith(("/", "http://", "//")), (page.name, url)
            if url.startswith(("mailto:", "tel:", "https:", "#", "data:")):
                continue
            target = (page.parent / url.split("#")[0]).resolve()
            assert target.exists(), (page.name, url)
        assert "cdn" not in source.lower()
        assert "<style" not in source and " style=" not in source  # the CSP allows stylesheets from 'self' only


def test_plotly_is_loaded_once_from_assets_and_never_inlined(sample: Path) -> None:
    overview = (sample / "index.html").read_text(encoding="utf-8")
    assert overview.count("<script src=") == 1  # dashboard.js, which loads assets/plotly.min.js on demand
    assert "Plotly.newPlot" not in overview
    script = (sample / "assets" / "dashboard.js").read_text(encoding="utf-8")
    assert 'new URL("plotly.min.js", document.currentScript.src)' in script
    assert (sample / "assets" / "plotly.min.js").read_bytes().startswith(b"/**\n* plotly.js")


def test_every_chart_has_a_stable_id_a_caption_and_a_table(sample: Path) -> None:
    for page in [sample / "index.html", *sorted((sample / "clients").glob("*.html")), *sorted((sample / "surveys").glob("*.html"))]:
        source = page.read_text(encoding="utf-8")
        ids = re.findall(r'<div class="plot h\d+" id="(chart-[a-z0-9-]+)" data-spec="\1-spec"', source)
        assert len(ids) == len(set(ids)) == source.count('class="plot ')
        for chart_id in ids:
            assert f'<figcaption id="{chart_id}-caption">' in source
            assert f'<script type="application/json" id="{chart_id}-spec">' in source
            block = source[source.index(f'id="{chart_id}"'):]
            assert block.index("<table") < block.index("</figure>")


def test_the_client_page_lists_every_response_with_all_its_answers(sample: Path) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    client = next(c for c in portfolio.clients if c.id == "bayview-dental")
    text = text_of(sample / "clients" / f"{client.id}.html")
    frames = {s.id: f[(f["client"] == client.id) & (f["date"] <= str(portfolio.as_of))] for s, f in
              ((s, portfolio.responses[s.id]) for s in portfolio.surveys)}
    assert f"Responses ({sum(len(f) for f in frames.values())})" in text
    for survey in portfolio.surveys:
        for _, row in frames[survey.id].iterrows():
            for question in survey.questions:
                answer = row[question.id]
                if question.type == "text" and answer:
                    assert re.sub(r"\s+", " ", answer).strip() in text


def test_notes_are_markdown_and_what_to_do_next_is_shown(sample: Path) -> None:
    source = (sample / "clients" / "bayview-dental.html").read_text(encoding="utf-8")
    assert "<strong>Renewal soon</strong>" in source
    next_steps = section(sample / "clients" / "bayview-dental.html", "next")
    assert "Follow up the detractor: latest NPS answer 5 on 2026-10-18" in next_steps
    assert "Prepare the renewal meeting" in next_steps


def test_survey_pages_show_distributions_trends_and_every_written_answer(sample: Path) -> None:
    portfolio = load_portfolio(SAMPLE_DATA)
    for survey in portfolio.surveys:
        page = sample / "surveys" / f"{survey.id}.html"
        source = page.read_text(encoding="utf-8")
        text = text_of(page)
        frame = portfolio.responses[survey.id]
        frame = frame[frame["date"] <= str(portfolio.as_of)]
        assert f"{len(frame)} response" in text
        assert 'id="chart-survey-responses"' in source
        # the newest written answers on the survey page, every one on its paged answer list
        answers = " ".join(text_of(p) for p in sorted((sample / "surveys" / survey.id).glob("answers*.html")))
        for question in survey.questions:
            if question.type == "text":
                for answer in frame[question.id]:
                    if answer:
                        assert re.sub(r"\s+", " ", answer).strip() in answers
            else:
                assert f'id="chart-survey-{question.id}-distribution"' in source
            if question.type == "nps":
                assert re.search(r"\d+ promoters \(9–10\) · \d+ passives \(7–8\) · \d+ detractors \(0–6\)", text)


def test_the_footer_lists_every_export_with_a_separator_between_each(sample: Path) -> None:
    """'Exports (CSV, UTF-8): clients · … · calendar (.ics)': no two links run together."""
    footer = re.search(r'<footer class="bottom">(.*?)</footer>', (sample / "index.html").read_text(encoding="utf-8"), re.S)
    assert footer is not None
    links = re.findall(r"<a [^>]*>[^<]*</a>", footer.group(1))
    assert links[-1].endswith("calendar (.ics)</a>") and len(links) >= 3
    between = re.split(r"<a [^>]*>[^<]*</a>", footer.group(1).split(":", 1)[1])[1:-1]
    assert between == [" · "] * (len(links) - 1)
