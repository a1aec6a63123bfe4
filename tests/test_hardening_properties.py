"""Property-based hardening with hypothesis.

1. Any valid claim sheet survives the files' round trip unchanged: drafted by extraction's
   writer (ruamel.yaml, YAML 1.2), read by the checker (PyYAML, YAML 1.1), and rewritten
   when extraction runs again over an editor's file.
2. Any text, in any text field, renders as text in every page, export and feed: parsed,
   never markup, never a broken script, feed or spreadsheet cell.

Example counts are modest so the suite stays fast; `derandomize` keeps runs reproducible.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import datetime as dt
import io
import json
import os
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from generator import exports, feeds
from generator.build import check
from generator.extraction import sheets
from generator.extraction.articles import SourceArticle
from generator.linking import link_archive
from generator.model import FORMS, KINDS, QUALITY_FLAGS, Claim
from generator.pages import plan_pages, render_page
from generator.readers import INVISIBLE, parse_file, parse_yaml
from generator.validation import check_schema

from conftest import SAMPLE_CONTENT

# HYPOTHESIS_EXAMPLES=600 runs a longer, random search; by default it is short and reproducible.
EXAMPLES = os.environ.get("HYPOTHESIS_EXAMPLES")
SETTINGS = settings(max_examples=int(EXAMPLES or 40), deadline=None, derandomize=EXAMPLES is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Text an editor could put in a field: any character the checker accepts, and the strings
# that trip YAML, HTML, XML, JSON-LD and spreadsheets.
TRICKY = ["no", "No", "on", "OFF", "yes", "y", "n", "~", "null", "true", "12:30", "1:2:3", "017", "0x1F", "1e3",
          ".inf", "-.5", "2019-11-12", "2019-11-12 10:00:00", "- item", "# comment", "a: b", "a #b", "'", '"',
          "&anchor", "*alias", "!tag", "|", ">", "%YAML", "@handle", "`tick", "---", "...", "? key", "{a}", "[a]",
          " padded ", "trailing ", "x\n y", "two\n\nparagraphs", "</script><script>alert(1)</script>",
          "<!--", "]]>", "&amp;", "&#x3C;", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
          "=1+1", "+1", "-1", "@SUM(A1)", "\t=cmd", "עברית ו-English", "👩🏽‍⚕️🇺🇦",
          "e\u0301", "\u00a0nbsp", "\ufeffbom", "🇺🇦" * 30]
CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Zl", "Zp"),
                           include_characters="\n\t")
TEXT = st.one_of(st.sampled_from(TRICKY), st.text(CHARACTERS, min_size=1, max_size=60),
                 st.lists(st.sampled_from(TRICKY) | st.text(CHARACTERS, min_size=1, max_size=12), min_size=2,
                          max_size=12).map(" ".join)).filter(lambda text: not INVISIBLE.search(text))
LONG_TEXT = st.one_of(TEXT, st.lists(TEXT, min_size=10, max_size=40).map(" ".join))
SHORT_TEXT = TEXT.filter(lambda text: len(text) <= 150)
SLUG = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,4}\Z")
DAY = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2025, 1, 1))


# ---------------------------------------------------------------------------
# 1. Sheets round-trip


@st.composite
def drafted_sheets(draw):
    article = SourceArticle(
        seed=draw(st.from_regex(r"\Aseeds/[A-Za-z0-9._-]{1,20}\Z")),
        title=draw(SHORT_TEXT), dek=draw(st.none() | LONG_TEXT), outlet=draw(st.none() | SHORT_TEXT),
        url=draw(st.none() | st.from_regex(r"\Ahttps://[a-z]{1,10}\.example/[A-Za-z0-9/?=&%._-]{0,40}\Z")),
        published=draw(st.none() | DAY), published_basis=draw(st.none() | st.sampled_from(("url", "dateline", "text"))),
        byline=draw(st.lists(SHORT_TEXT, max_size=3)),
        quality=draw(st.lists(st.sampled_from(QUALITY_FLAGS), unique=True, max_size=3)),
    )
    claims = [Claim(id=claim_id, statement=draw(LONG_TEXT), form=draw(st.sampled_from(FORMS)), speaker=draw(SLUG),
                    said=draw(st.none() | DAY), kind=draw(st.sampled_from(KINDS)),
                    speaker_as_written=draw(st.none() | SHORT_TEXT), role=draw(st.none() | SHORT_TEXT),
                    said_basis=draw(st.none() | SHORT_TEXT), context=draw(st.none() | LONG_TEXT),
                    topics=tuple(draw(st.lists(SLUG, unique=True, max_size=3))))
              for claim_id in draw(st.lists(SLUG, unique=True, max_size=3))]
    return article, claims


def expected_value(article: SourceArticle, sha256: str, claims: list[Claim]) -> dict:
    """The plain values the checker must read back: what was drafted, dates as written."""
    def day(value):
        return value.isoformat() if value else None

    head = {"title": article.title, "outlet": article.outlet, "url": article.url, "published": day(article.published),
            "published_basis": article.published_basis, "byline": list(article.byline), "seed": article.seed,
            "seed_sha256": sha256, "quality": list(article.quality)}
    if article.dek is not None:
        head["dek"] = article.dek
    return {"article": head, "claims": [
        {"id": c.id, "statement": c.statement, "form": c.form, "speaker": c.speaker,
         "speaker_as_written": c.speaker_as_written, "role": c.role, "said": day(c.said), "said_basis": c.said_basis,
         "context": c.context, "topics": list(c.topics), "kind": c.kind, "outcome": {"status": "unrated"},
         "review": "draft"} for c in claims]}


def draft_text(article: SourceArticle, sha256: str, claims: list[Claim]) -> str:
    """The sheet as `sheets.file_sheet` writes a new one."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    sheet = CommentedMap()
    sheet["article"] = sheets.article_map(article, sha256)
    sheet["claims"] = CommentedSeq(sheets.claim_map(claim) for claim in claims)
    return "# yaml-language-server: $schema=../../../generator/schemas/article.schema.json\n" + sheets.dump(sheet)


@SETTINGS
@given(drafted_sheets())
def test_a_drafted_sheet_reads_back_unchanged_and_valid(drafted):
    article, claims = drafted
    sha256 = "0" * 64
    text = draft_text(article, sha256, claims)
    document, problems = parse_yaml(text, "sheet.yaml")
    assert problems == [], text
    assert document.value == expected_value(article, sha256, claims), text
    assert check_schema(document, "article") == [], text


@SETTINGS
@given(drafted_sheets())
def test_an_editors_sheet_survives_extraction_rewriting_it(drafted):
    """Extraction reloads an existing sheet with ruamel.yaml and dumps it again: with nothing to
    add, the bytes and the values the checker reads are unchanged."""
    article, claims = drafted
    text = draft_text(article, "1" * 64, claims)
    handler = sheets.round_trip()
    again = sheets.dump(handler.load(text), handler)
    assert again == text
    assert parse_yaml(again, "sheet.yaml")[0].value == parse_yaml(text, "sheet.yaml")[0].value


@SETTINGS
@given(st.dictionaries(SLUG, st.one_of(TEXT, st.lists(SHORT_TEXT, max_size=3), st.none()), min_size=1, max_size=6))
def test_hand_written_text_survives_the_rewriter(fields):
    """A sheet written by an editor (here by PyYAML, with its own quoting) keeps its values when
    extraction's round-trip writer loads and dumps it."""
    import yaml

    text = yaml.safe_dump({"article": fields}, allow_unicode=True, sort_keys=False, width=60)
    before, problems = parse_yaml(text, "sheet.yaml")
    assert problems == [], text
    handler = sheets.round_trip()
    after, problems = parse_yaml(sheets.dump(handler.load(text), handler), "sheet.yaml")
    assert problems == []
    assert after.value == before.value


# Claim sheets are read without recording positions (generator.readers._plain_value), which
# are worked out again from the bytes when a problem needs them: whatever the file, the value,
# the problems and every position must be those of reading it with positions.
_YAML_LINES = ["a: 1", "b: text", "- x", "- y: 2", "c:", "  - &anchor z", "  - *anchor", "d: !tag v", "<<: {e: 1}",
               "a: again", "? [k]", ": v", "f: \"\\u202e\"", "g: \u200f", "h: yes", "i: 0x1F", "j: 1.5e3", "k: ~",
               "l: 2019-11-12", "m: [1, {n: 2}]", "n: {o: [p, q]}", "  r: s", "    t: u", "- - v", "w: |", "  block",
               "x: 'quoted: #'", "y: \"\\t\"", "z: 12:30", "\ufeffbom: 1", "'q': 1", "1: one", "null: 2", "\"\": empty"]


@SETTINGS
@given(st.lists(st.sampled_from(_YAML_LINES), min_size=1, max_size=12))
def test_a_sheet_read_without_positions_reads_as_one_read_with_them(lines):
    raw = "\n".join(lines).encode("utf-8") + b"\n"
    assert_read_alike(raw)


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: !custom 1\n", "base: &b {c: 1}\nd:\n  <<: *b\n", "a: 1\na: 2\n",
    "a: \"\\u202e\"\n", "\"\\u202ekey\": 1\n", "[1]: 2\n", "1: 2\n", "a:\n  b:\n    - [c, {d: e}]\n",
    "a: " + "[" * 2000 + "]" * 2000 + "\n", "", "# only a comment\n", "a: yes\nb: 0o17\nc: .inf\nd: 1_000\n",
], ids=["alias", "str tag", "custom tag", "merge key", "duplicate key", "invisible value", "invisible key",
        "list as key", "number as key", "nested", "too deep", "empty", "comment only", "numbers and booleans"])
def test_unusual_sheets_read_without_positions_give_the_same_problems(text):
    assert_read_alike(text.encode("utf-8"))


def assert_read_alike(raw: bytes) -> None:
    placed, problems = parse_file(raw, "sheet.yaml")
    plain, plain_problems = parse_file(raw, "sheet.yaml", positions=False)
    assert plain_problems == problems
    assert (plain is None) == (placed is None)
    if placed is None:
        return
    assert plain.value == placed.value
    for where in placed.values_at:
        assert plain.position(where) == placed.position(where)
        assert plain.written_as(where) == placed.written_as(where)
    for where in placed.keys_at:
        assert plain.position(where, key=True) == placed.position(where, key=True)


# ---------------------------------------------------------------------------
# 2. Any text renders as text


class PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "script":
            self._in_script = True
            self.scripts.append((values, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            values, body = self.scripts[-1]
            self.scripts[-1] = (values, body + data)
        else:
            self.text.append(data)


def read_page(html: str) -> PageReader:
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


_SAMPLE = check(SAMPLE_CONTENT)[0]


def render_site(archive) -> dict[str, str]:
    links = link_archive(archive)
    pages = plan_pages(archive, links)
    return {page.path: render_page(page).decode("utf-8") for page in pages}


def markup_of(site: dict[str, str]) -> set[tuple[str, tuple[str, ...]]]:
    """Every (tag, attribute names) the pages use."""
    return {(tag, tuple(sorted(attrs))) for html in site.values() for tag, attrs in read_page(html).tags}


_SAMPLE_SITE = render_site(_SAMPLE)
_SAMPLE_MARKUP = markup_of(_SAMPLE_SITE)


def with_text(text: str):
    """The sample archive with `text` in every plain-text field a reader sees."""
    archive = copy.deepcopy(_SAMPLE)
    archive.site = dataclasses.replace(archive.site, title=text, description=text,
                                       publisher=dataclasses.replace(archive.site.publisher, name=text))
    for person in archive.people.values():
        person.name = text
        person.roles = tuple(dataclasses.replace(role, title=text, organisation=text) for role in person.roles)
    for topic in archive.topics.values():
        topic.title, topic.question, topic.description = text, text, text
    for article in archive.articles:
        article.title, article.dek, article.outlet, article.byline = text, text, text, (text,)
        for claim in article.claims:
            claim.statement, claim.context, claim.speaker_as_written, claim.role = text, text, text, text
            claim.said_basis = text
            claim.outcome.evidence = tuple(dataclasses.replace(item, title=text, outlet=text, note=text)
                                           for item in claim.outcome.evidence)
    return archive


def squeeze(text: str) -> str:
    return " ".join(text.split())


@SETTINGS
@given(TEXT)
def test_any_text_renders_as_text_in_every_page(text):
    archive = with_text(text)
    site = render_site(archive)
    assert sorted(site) == sorted(_SAMPLE_SITE)
    # No page gains a tag or an attribute the templates do not write themselves.
    assert markup_of(site) <= _SAMPLE_MARKUP
    wanted = squeeze(text)
    for path, html in site.items():
        page = read_page(html)
        for attrs, body in page.scripts:
            if attrs.get("type") == "application/ld+json":
                review = json.loads(body)
                assert review["claimReviewed"] == text
                assert review["itemReviewed"]["author"]["name"] == text
            else:
                assert body == "" and attrs.get("src"), (path, attrs)
        if path.startswith(("claims/", "speakers/", "topics/", "articles/")) and path.count("/") == 2:
            assert wanted in squeeze("".join(page.text)), path


@SETTINGS
@given(TEXT)
def test_any_text_stays_text_in_exports_and_feed(text):
    archive = with_text(text)
    links = link_archive(archive)
    downloads = exports.downloads(archive, links)

    records = json.loads(downloads.json)["claims"]
    assert {record["statement"] for record in records} == {text}

    rows = list(csv.DictReader(io.StringIO(downloads.csv.decode("utf-8-sig"), newline="")))
    assert {row["statement"] for row in rows} == {exports.spreadsheet_safe(text)}
    for row in rows:
        assert not any(cell.startswith(exports.FORMULA_STARTS) for cell in row.values())

    script = exports.offline_index(archive, links).script.decode("utf-8")
    match = re.fullmatch(r"window\.HINDSIGHT_FALLBACK_SEARCH = (.*);\n", script, re.S)
    assert match and "<" not in match.group(1)
    assert {row[1] for row in json.loads(match.group(1))["claims"]} == {text}

    feed = ElementTree.fromstring(feeds.atom_feed(archive, links))
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}title").text == f"{text}: new claims and outcomes"
    assert all(entry.find(f"{atom}title").text.endswith(f"{text}: {text}") for entry in feed.iter(f"{atom}entry"))


# Plain sentences skip the Markdown parser (generator.markdown._plain): the shortcut must give
# exactly the parser's HTML, or hand the text to the parser. Text is drawn mostly from
# characters Markdown gives meaning to, at the start of a line and inside it.
_MARKDOWNISH = st.text(alphabet=st.sampled_from(list("ab Z9 1.)-+#>=*_`[]()<>&~|\\!\"'’:%\n\t\u00a0é")), max_size=14)


@settings(max_examples=int(EXAMPLES or 1000), deadline=None, derandomize=EXAMPLES is None)
@given(_MARKDOWNISH)
def test_plain_text_shortcut_matches_the_markdown_parser(text):
    from generator.markdown import _parser, render_inline, render_markdown

    render_inline.cache_clear()

    assert str(render_markdown(text)) == (_parser().render(text) if text else "")
    assert str(render_inline(text)) == (_parser().renderInline(text) if text else "")
