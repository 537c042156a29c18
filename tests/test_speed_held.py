"""Values held in memory only between the builds of one process (`Memo.hold`, generator/memo.py), as `rapport serve` builds.

Held under the key of what they are a function of, never written: a build without a `Kept`
holds nothing, and a value is taken only under the same key. Builds sharing a `Kept` give a
clean build's bytes after every kind of change (tests/test_speed_kept.py).
"""

from __future__ import annotations

from pathlib import Path

from generator.build import build_site
from generator.charts import Charts, build_charts
from generator.portfolio import Portfolio, records_json
from generator.render.dashboard import TOKENS
from generator.speed import Speed
from generator.speed.cache import DiskMemo, Kept
from tests.conftest import demo_data_fixture
from tests.test_speed import SECRET, clean_build, new_contact, new_response, renamed_client, tree

CLIENTS = 24


data = demo_data_fixture(SECRET, CLIENTS, seed=11)


def test_a_value_is_held_in_memory_only_and_taken_only_under_its_key(tmp_path: Path) -> None:
    kept = Kept()
    DiskMemo(tmp_path / "cache", kept).hold("rows", [b"v1"], ["one"])
    assert DiskMemo(tmp_path / "cache", kept).held("rows", [b"v1"]) == ["one"], "the next build of the process"
    assert DiskMemo(tmp_path / "other", kept).held("rows", [b"v1"]) is None, "another project's memo"
    assert DiskMemo(tmp_path / "cache").held("rows", [b"v1"]) is None, "another process"
    assert DiskMemo(tmp_path / "cache", kept).held("rows", [b"v2"]) is None, "another key"
    assert DiskMemo(tmp_path / "cache", kept).held("rows", [b"v1"]) is None, "let go once another key was asked for"
    assert not (tmp_path / "cache").exists(), "never written"
    alone = DiskMemo(tmp_path / "cache")
    alone.hold("rows", [b"v1"], ["one"])
    assert alone.held("rows", [b"v1"]) is None, "no `Kept`: nothing is held"


def test_a_new_response_leaves_the_other_surveys_responses_as_the_last_build_made_them(data: Path, tmp_path: Path) -> None:
    out, kept, first, second = data.parent / "output", Kept(), list[object](), list[object]()
    build_site(data, out, speed=Speed.on(kept=kept), keep=first)
    new_response(data)  # to the annual review
    build_site(data, out, speed=Speed.on(kept=kept), keep=second)
    before, after = (next(value for value in values if isinstance(value, Charts)).data.responses for values in (first, second))
    assert after["quarterly-pulse"] is before["quarterly-pulse"]
    assert after["annual-review"] is not before["annual-review"]
    assert after["annual-review"][0].response_id == "new-1"
    assert tree(out) == clean_build(data, tmp_path)


def test_the_contact_months_and_heatmap_are_held_while_the_contacts_are_unchanged(data: Path, tmp_path: Path) -> None:
    out, kept, builds = data.parent / "output", Kept(), list[Charts]()

    def build() -> Charts:
        values: list[object] = []
        build_site(data, out, speed=Speed.on(kept=kept), keep=values)
        charts = next(value for value in values if isinstance(value, Charts))
        assert charts.heatmap.rows
        return charts

    builds.append(build())
    new_response(data)
    builds.append(build())
    assert builds[1].data.months is builds[0].data.months and builds[1].heatmap is builds[0].heatmap
    new_contact(data)
    builds.append(build())
    assert builds[2].data.months is not builds[1].data.months and builds[2].heatmap is not builds[1].heatmap
    assert tree(out) == clean_build(data, tmp_path)


def test_the_survey_tokens_are_held_for_the_next_build(data: Path) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))
    tokens = DiskMemo.for_data(data, kept).held(TOKENS, [])
    assert isinstance(tokens, dict) and len(tokens) == 2 * CLIENTS  # two surveys
    new_response(data)
    build_site(data, out, speed=Speed.on(kept=kept))
    assert DiskMemo.for_data(data, kept).held(TOKENS, []) is tokens
    assert DiskMemo.for_data(data).held(TOKENS, []) is None, "another process"


def test_a_new_response_leaves_the_other_surveys_scores_comments_and_distributions_as_they_were(data: Path) -> None:
    out, kept = data.parent / "output", Kept()
    build_site(data, out, speed=Speed.on(kept=kept))

    def held() -> dict[str, object]:
        memo, surveys = DiskMemo.for_data(data, kept), {path.stem: path for path in (data / "surveys").glob("*.yaml")}
        assert set(surveys) == {"annual-review", "quarterly-pulse"}
        from generator.load import load_portfolio

        portfolio = load_portfolio(data)
        found = {}
        for survey in portfolio.surveys:
            key = [survey.model_dump_json().encode()]
            found[f"comments-{survey.id}"] = memo.held(f"comments-{survey.id}", key)
            found[f"distributions-{survey.id}"] = memo.held(f"distributions-{survey.id}", key)
            found[f"scores-{survey.id}"] = memo.held(f"scores-{survey.id}", key)
        assert all(value is not None for value in found.values())
        return found

    before = held()
    new_response(data)  # to the annual review
    build_site(data, out, speed=Speed.on(kept=kept))
    after = held()
    for name in before:
        assert (after[name] is before[name]) == name.endswith("quarterly-pulse"), name


def test_each_clients_responses_are_newest_first_across_surveys(data: Path) -> None:
    from generator.charts.responses import NEWEST
    from generator.load import load_portfolio
    from generator.metrics import compute_reports

    portfolio = load_portfolio(data)
    charts = build_charts(portfolio, compute_reports(portfolio))
    lists = charts.data.by_client_responses
    assert lists and any(len({response.survey.id for response in named}) > 1 for named in lists.values())
    for named in lists.values():
        assert named == sorted(named, key=NEWEST, reverse=True)


def test_a_value_held_for_a_source_is_taken_for_that_very_object_only(tmp_path: Path) -> None:
    from generator.memo import held_for

    memo, first, second = DiskMemo(tmp_path / "cache", Kept()), ["rows"], ["rows"]
    made: list[str] = []
    assert held_for(memo, "grouped", first, lambda: made.append("one") or "one") == "one"
    assert held_for(memo, "grouped", first, lambda: made.append("again") or "again") == "one", "the very object"
    assert held_for(memo, "grouped", second, lambda: made.append("two") or "two") == "two", "an equal one is not it"
    assert made == ["one", "two"]


def test_the_template_environment_is_taken_from_the_last_build_while_every_template_file_is_the_same(
        data: Path, tmp_path: Path) -> None:
    import jinja2

    out, kept, user = data.parent / "output", Kept(), tmp_path / "templates"
    user.mkdir()
    (user / "notes.txt").write_text("one", encoding="utf-8")

    def environment() -> jinja2.Environment:
        values: list[object] = []
        build_site(data, out, templates_dir=user, speed=Speed.on(kept=kept), keep=values)
        return next(value for value in values if isinstance(value, jinja2.Environment))

    first = environment()
    new_response(data)
    assert environment() is first
    (user / "notes.txt").write_text("two", encoding="utf-8")  # any file of the template folders
    assert environment() is not first


def test_the_records_json_is_held_while_the_records_are_the_memos_and_made_again_after_a_rename(data: Path,
                                                                                              tmp_path: Path) -> None:
    out, kept = data.parent / "output", Kept()

    def portfolio() -> Portfolio:
        values: list[object] = []
        build_site(data, out, speed=Speed.on(kept=kept), keep=values)
        return next(value for value in values if isinstance(value, Portfolio))

    first = portfolio()
    new_response(data)
    second = portfolio()
    assert second.records_json is first.records_json, "the same records: the last build's JSON"
    renamed_client(data)
    third = portfolio()
    assert third.records_json == records_json(third.clients) != first.records_json
    assert tree(out) == clean_build(data, tmp_path)
