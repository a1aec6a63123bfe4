"""The incremental record: plan digests and same_plan tell a changed page from an unchanged one,
and templates read the archive only through what the record notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.incremental import record as record_module

from rebuilds import archive, run, same_as_full_build, sheet_of  # noqa: F401 - fixtures among them


def test_templates_reach_the_archive_only_through_recorded_accessors():
    """An incremental build knows what a page read only through SiteView's accessors
    (view.claim, view.person, view.topic, ...). A template that walked view.archive or
    view.links directly would read claims unrecorded and go stale without any error."""
    from jinja2 import nodes

    from generator.pages import TEMPLATES, environment

    env = environment(TEMPLATES)
    offenders = []
    for path in sorted(TEMPLATES.glob("*.html")):
        tree = env.parse(path.read_text("utf-8"))
        for node in tree.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "view" and (
                    node.attr in ("archive", "links") or node.attr.startswith("_")):
                offenders.append(f"{path.name}:{node.lineno}: view.{node.attr}")
    assert offenders == []


def test_a_plan_digest_changes_with_any_value_of_the_plan_and_names_its_parts():
    import datetime as dt

    from generator.linking import Neighbours
    from generator.model import Claim
    from generator.pages import Page, Pager

    claim = Claim(id="c-1", statement="s", form="direct", speaker="p-1", said=dt.date(2020, 1, 2), kind="promise",
                  review="reviewed", article="a-1")

    def plan(**changes) -> Page:
        values = {"claim": claim, "claims": [claim], "pager": Pager(1, 2, ("x/index.html", "x/2/index.html")),
                  "neighbours": Neighbours("t-1", ("c-0",), (), 1), "day": dt.date(2020, 1, 2), "count": 3}
        return Page("x/index.html", "topic.html", "Title", {**values, **changes}, "topics")

    digest, parts = record_module.plan_digest(plan())
    assert parts == {"claim:c-1"}
    assert record_module.plan_digest(plan())[0] == digest, "the same plan, the same digest"
    for changed in ({"pager": Pager(2, 2, ("x/index.html", "x/2/index.html"))}, {"count": 4},
                    {"neighbours": Neighbours("t-1", ("c-9",), (), 1)}, {"day": dt.date(2020, 1, 3)},
                    {"claims": []}):
        assert record_module.plan_digest(plan(**changed))[0] != digest, changed
    with pytest.raises(TypeError, match="no stable order"):
        record_module.plan_digest(plan(count={1, 2}))


def test_unchanged_sheets_keep_their_parts_digests_from_the_record(archive: Path, monkeypatch):
    run(archive)
    digested: list[str] = []
    real = record_module._digest
    monkeypatch.setattr(record_module, "_digest", lambda text: digested.append(text) or real(text))
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    run(archive)
    claims = [text for text in digested if text.startswith("Claim(")]
    assert claims and all(f"article='{sheet.stem}'" in text for text in claims), \
        "only the edited sheet's claims are digested again"
    same_as_full_build(archive)


def test_plans_are_the_same_only_with_the_same_values_in_the_same_order():
    import datetime as dt

    from generator.pages import Page

    def plan(**changes) -> Page:
        values = {"count": 1, "counts": {"accurate": 2, "inaccurate": 1}, "day": dt.date(2020, 1, 2),
                  "view": object()}
        return Page("x/index.html", "topic.html", "Title", {**values, **changes}, "topics")

    assert record_module.same_plan(plan(), plan()), "the site view is left out: it is new in every build"
    for changed in ({"count": 2}, {"count": True}, {"count": 1.0}, {"counts": {"inaccurate": 1, "accurate": 2}},
                    {"day": dt.date(2020, 1, 3)}, {"extra": 1}):
        assert not record_module.same_plan(plan(), plan(**changed)), changed
    assert not record_module.same_plan(None, plan())
    assert not record_module.same_plan(plan(), Page("x/index.html", "topic.html", "Other", plan().values, "topics"))


def test_plans_hold_mappings_only_where_same_plan_compares_their_order(archive: Path):
    """`same_plan` compares the order of keys of a plan's mappings and of mappings within them,
    not deeper (== ignores it): a mapping deeper in a plan would need it to look further."""
    from generator.build import check
    from generator.linking import link_archive
    from generator.pages import plan_pages

    model, problems = check(archive / "content")
    assert model is not None, problems
    pages = plan_pages(model, link_archive(model))
    templates = {page.template for page in pages}

    def deepest(value, depth: int = 0) -> int:
        if isinstance(value, dict):
            return max([depth] + [deepest(item, depth + 1) for item in value.values()])
        if isinstance(value, (list, tuple)):
            return max([-1] + [deepest(item, depth) for item in value])
        if hasattr(value, "__dict__") and not isinstance(value, type):
            return max([-1] + [deepest(item, depth) for item in vars(value).values()])
        return -1

    for page in pages:
        values = {key: value for key, value in page.values.items() if key != "view"}
        assert deepest(values) <= 1, f"{page.path}: a mapping within a mapping within the plan"
    assert {"claim.html", "home.html", "topic.html", "speaker.html", "year.html", "article.html"} <= templates
