"""`hindsight build` on the sample archive: what it writes, that every internal link is
relative and resolves, that output is byte-identical across builds, and that a failed build
keeps the previous site."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import stat
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest

from generator.cli import main
from generator.exports import CSV_COLUMNS, spreadsheet_safe
from generator.model import STATUS_SCALES
from generator.structured_data import rating, verdict_scale

from conftest import SAMPLE_CONTENT

ATOM = "{http://www.w3.org/2005/Atom}"


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.base: str | None = None
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "base":
            self.base = values.get("href")
        for name in ("href", "src"):
            if values.get(name) is not None and not (tag == "base"):
                self.links.append(values[name])
        if tag == "script":
            self._script = values
            self.scripts.append((values, ""))

    def handle_data(self, data):
        if self._script is not None:
            values, text = self.scripts[-1]
            self.scripts[-1] = (values, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def parse(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text("utf-8"))
    return collector


def html_pages(site: Path) -> list[Path]:
    return sorted(path for path in site.rglob("*.html") if "pagefind" not in path.relative_to(site).parts)


def build_cli(content: Path, output: Path, *extra: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), *extra])


def test_every_kind_of_page_is_written(built_site):
    claims = json.loads((built_site / "claims.json").read_text("utf-8"))["claims"]
    assert claims, "the sample has claims"
    for claim in claims:
        assert (built_site / "claims" / claim["id"] / "index.html").is_file()
        assert (built_site / "speakers" / claim["speaker"]["id"] / "index.html").is_file()
        assert (built_site / "articles" / claim["article"]["slug"] / "index.html").is_file()
        for topic in claim["topics"]:
            assert (built_site / "topics" / topic / "index.html").is_file()
        year = claim["said"][:4] if claim["said"] else "undated"
        assert (built_site / "years" / year / "index.html").is_file()
    for name in ("index.html", "404.html", "search/index.html", "pages/about/index.html",
                 "pages/methodology/index.html", "feed.xml", "sitemap.xml", "claims.csv",
                 "search-fallback.js", "pagefind/shards.json", "static/hindsight.css"):
        assert (built_site / name).is_file(), name


def test_every_internal_link_is_relative_and_resolves(built_site):
    assert links_resolve(built_site) > 100


def links_resolve(built_site: Path) -> int:
    """Check every link of every page; returns how many internal links were followed."""
    checked = 0
    for page in html_pages(built_site):
        found = parse(page)
        for link in found.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme and not parts.netloc, f"{page}: non-relative link {link}"
            if not parts.path:
                continue  # a fragment on the same page
            if page.name == "404.html":
                # Served at any depth: its links resolve from <base href> (the published path).
                assert found.base and found.base.startswith("/"), "404 page needs <base href>"
                target = built_site / unquote(parts.path)
            else:
                assert not link.startswith("/"), f"{page}: root-absolute link {link} breaks under a subpath"
                target = page.parent / unquote(parts.path)
            assert not parts.path.endswith("/"), f"{page}: {link} names a folder; file:// needs index.html"
            assert target.resolve().is_file(), f"{page}: broken link {link}"
            checked += 1
    return checked


def test_claim_page_shows_statement_speaker_source_and_outcome(built_site):
    claim = next(c for c in json.loads((built_site / "claims.json").read_text("utf-8"))["claims"]
                 if c["outcome"]["status"] != "unrated")
    html = (built_site / "claims" / claim["id"] / "index.html").read_text("utf-8")
    for expected in (claim["speaker"]["name"], claim["article"]["title"], claim["outcome"]["label"]):
        assert _escaped(expected) in html
    assert "data-pagefind-body" in html
    for name in ("speaker", "topic", "year", "outlet", "outcome"):
        assert f'data-pagefind-filter="{name}"' in html
    assert 'data-pagefind-sort="said[datetime]"' in html


def test_related_claims_are_one_line_each_and_timelines_keep_what_came_of_them(built_site):
    """Beside a claim, each related claim is one line: date, speaker, the start of its
    statement linking to it, its badge; no outcome summary (a claim page shows a dozen).
    The question and speaker timelines still say what came of each claim."""
    claims = {c["id"]: c for c in json.loads((built_site / "claims.json").read_text("utf-8"))["claims"]}
    lines = []
    for claim_id in claims:
        html = (built_site / "claims" / claim_id / "index.html").read_text("utf-8")
        related = html[html.index('<div class="related">'):html.index('<footer')]
        assert "outcome-summary" not in related and "claim-item" not in related
        lines += re.findall(r'<li>(.*?)</li>', related.replace("\n", " "))
    assert lines, "the sample has claims on shared questions"
    for line in lines:
        [target] = re.findall(r'href="\.\./\.\./claims/([^/]+)/index\.html"', line)
        other = claims[unquote(target)]
        text = re.search(r'index\.html"[^>]*>(.*?)</a>', line).group(1)
        statement = _escaped(" ".join(other["statement"].split()))
        assert statement.startswith(text.removesuffix("…")) and len(text) <= 90
        assert 'class="badge' in line and _escaped(other["outcome"]["label"]) in line
    summarised = [c for c in claims.values() if c["outcome"]["summary"] and c["topics"]]
    timeline = (built_site / "topics" / summarised[0]["topics"][0] / "index.html").read_text("utf-8")
    assert "outcome-summary" in timeline


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def test_rated_claims_carry_claim_review(built_site):
    claims = json.loads((built_site / "claims.json").read_text("utf-8"))["claims"]
    rated = [c for c in claims if c["outcome"]["status"] in STATUS_SCALES.get(c["kind"], ())]
    assert rated
    for claim in claims:
        found = parse(built_site / "claims" / claim["id"] / "index.html")
        blocks = [text for attrs, text in found.scripts if attrs.get("type") == "application/ld+json"]
        if claim not in rated:
            assert not blocks
            continue
        review = json.loads(blocks[0])
        assert review["@type"] == "ClaimReview"
        assert review["claimReviewed"] == claim["statement"]
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["itemReviewed"]["author"]["name"] == claim["speaker"]["name"]
        rating = review["reviewRating"]
        assert rating["alternateName"] == claim["outcome"]["label"]
        if claim["outcome"]["status"] not in verdict_scale(claim["kind"]):
            assert not {"ratingValue", "bestRating", "worstRating"} & set(rating)  # no degree of truth: no number
        else:
            assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert review["url"] == claim["url"]


def test_verdicts_are_numbered_best_to_worst_on_every_scale():
    from generator.model import Claim, Outcome

    for kind, scale in STATUS_SCALES.items():
        values = []
        for status in scale:
            found = rating(Claim("c", "s", "direct", "x", None, kind, outcome=Outcome(status)))
            assert found["alternateName"]
            if status in verdict_scale(kind):
                assert (found["worstRating"], found["bestRating"]) == (1, len(verdict_scale(kind)))
                values.append(found["ratingValue"])
            else:
                assert not {"ratingValue", "bestRating", "worstRating"} & set(found), (kind, status)
        assert values == sorted(values, reverse=True) and len(set(values)) == len(values)


def test_exports_feed_and_sitemap(built_site):
    claims = json.loads((built_site / "claims.json").read_text("utf-8"))["claims"]
    rows = list(csv.DictReader(io.StringIO((built_site / "claims.csv").read_text("utf-8-sig"))))
    assert [row["id"] for row in rows] == [claim["id"] for claim in claims]
    for row, claim in zip(rows, claims):   # each column holds the JSON record's value of its name
        outcome, article = claim["outcome"], claim["article"]
        expected = {
            "id": claim["id"], "statement": claim["statement"], "speaker_id": claim["speaker"]["id"],
            "speaker": claim["speaker"]["name"], "role": claim["role"], "said": claim["said"],
            "said_basis": claim["said_basis"], "said_precision": claim["said_precision"], "kind": claim["kind"],
            "form": claim["form"], "topics": " ".join(claim["topics"]), "outcome_status": outcome["status"],
            "outcome": outcome["label"], "outcome_as_of": outcome["as_of"], "outcome_summary": outcome["summary"],
            "article": article["slug"], "outlet": article["outlet"], "published": article["published"],
            "original_url": article["url"], "quality": " ".join(article["quality"]), "review": claim["review"],
            "url": claim["url"], "damaged_copy": "; ".join(claim["damaged_copy"]),
            "original_wording": claim["original_wording"],
            "corrections": "\n".join(": ".join(part for part in (correction.get("date"), " ".join(
                text for text in (correction.get("wrong"), correction.get("changed")) if text)) if part)
                for correction in claim["corrections"]),
        }
        assert tuple(row) == CSV_COLUMNS
        assert row == {column: spreadsheet_safe(value) for column, value in expected.items()}
    feed = ElementTree.parse(built_site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert entries and all(entry.find(f"{ATOM}updated").text.endswith("Z") for entry in entries)
    ids = [entry.find(f"{ATOM}id").text for entry in entries]
    assert len(ids) == len(set(ids))
    sitemap = ElementTree.parse(built_site / "sitemap.xml").getroot()
    locations = {loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert {claim["url"] for claim in claims} <= locations


def test_base_url_sets_only_published_addresses(tmp_path):
    assert build_cli(SAMPLE_CONTENT, tmp_path / "site", "--no-search", "--base-url", "https://news.example/fc/") == 0
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert '<link rel="canonical" href="https://news.example/fc/">' in home
    assert "https://news.example/fc/claims/" in (tmp_path / "site" / "sitemap.xml").read_text("utf-8")
    assert 'href="claims/' in home or 'href="topics/' in home
    assert 'href="https://news.example/fc/claims/' not in home


def test_identical_input_gives_identical_output(tmp_path, built_site):
    again = tmp_path / "again"
    assert build_cli(SAMPLE_CONTENT, again) == 0
    first = {path.relative_to(built_site): path.read_bytes() for path in built_site.rglob("*") if path.is_file()}
    second = {path.relative_to(again): path.read_bytes() for path in again.rglob("*") if path.is_file()}
    assert sorted(first) == sorted(second)
    different = [str(path) for path in first if first[path] != second[path]]
    assert different == []


def test_failed_build_keeps_previous_site(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    output = tmp_path / "site"
    assert build_cli(content, output, "--no-search") == 0
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    sheet = next((content / "articles").rglob("*.yaml"))
    sheet.write_text(sheet.read_text("utf-8").replace("kind: position", "kind: positon", 1), "utf-8")
    capsys.readouterr()
    assert build_cli(content, output, "--no-search") == 1
    out = capsys.readouterr().out
    assert re.search(r":\d+:\d+: error: ", out), out
    after = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "site"], "no staging folder left behind"


def test_failed_search_index_keeps_previous_site(tmp_path, monkeypatch, capsys):
    from generator import search

    output = tmp_path / "site"
    assert build_cli(SAMPLE_CONTENT, output, "--no-search") == 0
    before = {path: path.read_bytes() for path in output.rglob("*") if path.is_file()}

    def broken(site, language, *rest, **options):
        (site / "pagefind").mkdir()
        raise search.SearchIndexError("Pagefind failed (exit 1): out of disk")

    monkeypatch.setattr(search, "index_site", broken)
    assert build_cli(SAMPLE_CONTENT, output) == 1
    assert "out of disk" in capsys.readouterr().err
    assert {path: path.read_bytes() for path in output.rglob("*") if path.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name != ".hindsight-cache"] == ["site"], \
        "no staging folder left behind (the cache of the verdict history may stay)"


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path, capsys):
    output = tmp_path / "precious"
    output.mkdir()
    (output / "notes.txt").write_text("keep me", "utf-8")
    assert build_cli(SAMPLE_CONTENT, output, "--no-search") == 2
    assert (output / "notes.txt").read_text("utf-8") == "keep me"


def test_build_help_speaks_newsroom():
    with pytest.raises(SystemExit) as stop:
        main(["build", "--help"])
    assert stop.value.code == 0


def test_markdown_pages_are_rendered_and_linked(built_site):
    about = (built_site / "pages" / "about" / "index.html").read_text("utf-8")
    source = (SAMPLE_CONTENT / "pages" / "about.md").read_text("utf-8")
    heading = next(line[2:].strip() for line in source.splitlines() if line.startswith("# "))
    assert f"<h1>{_escaped(heading)}</h1>" in about
    assert f"<title>{_escaped(heading)} · " in about
    home = (built_site / "index.html").read_text("utf-8")
    assert 'href="pages/about/index.html"' in home


def test_feed_has_new_claims_and_outcome_updates(built_site):
    claims = json.loads((built_site / "claims.json").read_text("utf-8"))["claims"]
    feed = ElementTree.parse(built_site / "feed.xml").getroot()
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    rated = [c for c in claims if c["outcome"]["status"] != "unrated" and c["outcome"]["as_of"]]
    assert any(title.startswith("New claim: ") for title in titles)
    assert rated and any(title.startswith(f"Outcome: {rated[0]['outcome']['label']}") for title in titles)
    days = [entry.find(f"{ATOM}updated").text for entry in feed.findall(f"{ATOM}entry")]
    assert days == sorted(days, reverse=True)
    assert feed.find(f"{ATOM}updated").text == days[0]


def test_home_counts_and_questions(built_site):
    claims = json.loads((built_site / "claims.json").read_text("utf-8"))["claims"]
    home = (built_site / "index.html").read_text("utf-8")
    assert f"<strong>{len(claims)}</strong> claims" in home
    for topic in {t for c in claims for t in c["topics"]}:
        assert f'href="topics/{topic}/index.html"' in home


def test_missing_tools_fail_under_ci(monkeypatch):
    from conftest import need

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        need(False, "a browser")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        need(False, "a browser")
    need(True, "a browser")


def test_long_timelines_continue_on_numbered_pages(tmp_path, monkeypatch):
    from generator import linking

    monkeypatch.setattr(linking, "CLAIMS_PER_PAGE", 2)
    output = tmp_path / "site"
    assert build_cli(SAMPLE_CONTENT, output, "--no-search") == 0
    claims = json.loads((output / "claims.json").read_text("utf-8"))["claims"]
    topic = max({t for c in claims for t in c["topics"]}, key=lambda t: sum(t in c["topics"] for c in claims))
    on_topic = [c["id"] for c in claims if topic in c["topics"]]
    assert len(on_topic) > 2
    listed = []
    number = 1
    while True:
        path = output / "topics" / topic / ("index.html" if number == 1 else f"page-{number}/index.html")
        if not path.is_file():
            break
        html = path.read_text("utf-8")
        assert f"Page {number} of " in html
        listed += re.findall(r'href="\.\./\.\./(?:\.\./)?claims/([^/]+)/index.html"', html.split('id="timeline-heading"')[1])
        number += 1
    assert number - 1 == -(-len(on_topic) // 2)
    assert list(dict.fromkeys(listed)) == on_topic, "every claim once, in date order, across the pages"
    last = on_topic[-1]
    claim_html = (output / "claims" / last / "index.html").read_text("utf-8")
    assert f"topics/{topic}/page-{number - 1}/index.html" in claim_html, "claims link to their own page"
    assert links_resolve(output) > 50


def sample_with_peskov_claim_edited(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the sample content in which an editor replaced `old` by `new` in one claim."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    sheet = content / "articles" / "2019" / "nyt-zelensky-seeks-meeting-with-putin.yaml"
    text = sheet.read_text("utf-8")
    start = text.index("  - id: 2019-peskov-not-meeting-for-sake-of-meeting\n")
    assert text.find(old, start) > start
    sheet.write_text(text[:start] + text[start:].replace(old, new, 1), "utf-8")
    return content


def test_claim_rejected_by_an_editor_is_left_off_the_site(tmp_path):
    content = sample_with_peskov_claim_edited(
        tmp_path, "    review: reviewed\n", "    review: rejected\n    note: a duplicate of the quote\n")
    assert build_cli(content, tmp_path / "site", "--no-search") == 0
    site = tmp_path / "site"
    assert not (site / "claims" / "2019-peskov-not-meeting-for-sake-of-meeting").exists()
    assert (site / "claims" / "2019-nazarbayev-separate-personal-meeting" / "index.html").exists()
    published = [claim["id"] for claim in json.loads((site / "claims.json").read_text("utf-8"))["claims"]]
    assert "2019-peskov-not-meeting-for-sake-of-meeting" not in published and published
    everything = "".join(path.read_text("utf-8") for path in site.rglob("*.html"))
    assert "2019-peskov-not-meeting-for-sake-of-meeting" not in everything


def test_a_month_named_by_the_article_is_shown_as_a_month_not_a_day(tmp_path):
    content = sample_with_peskov_claim_edited(
        tmp_path, "    said: 2019-11-12\n    said_basis: on Tuesday\n",
        "    said: 2019-10-01\n    said_basis: last month\n    said_precision: month\n")
    assert main(["check", "--content", str(content)]) == 0
    assert build_cli(content, tmp_path / "site", "--no-search") == 0
    page = (tmp_path / "site" / "claims" / "2019-peskov-not-meeting-for-sake-of-meeting" / "index.html").read_text("utf-8")
    assert ">October 2019</span></time>" in page and "1 October 2019" not in page
    speaker = (tmp_path / "site" / "speakers" / "dmitry-peskov" / "index.html").read_text("utf-8")
    assert "October 2019" in speaker and "1 October 2019" not in speaker
    fallback = (tmp_path / "site" / "search-fallback.js").read_text("utf-8")
    assert '"October 2019"' in fallback
    claims = json.loads((tmp_path / "site" / "claims.json").read_text("utf-8"))["claims"]
    [record] = [c for c in claims if c["id"] == "2019-peskov-not-meeting-for-sake-of-meeting"]
    assert (record["said"], record["said_precision"]) == ("2019-10-01", "month")


def test_speaker_roles_read_as_sentences(built_site):
    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts: list[str] = []

        def handle_data(self, data):
            self.parts.append(data)

    reader = Text()
    reader.feed((built_site / "speakers" / "volodymyr-zelensky" / "index.html").read_text("utf-8"))
    text = " ".join("".join(reader.parts).split())
    assert "President, Ukraine from 20 May 2019 on" in text


def test_site_folder_is_readable_like_any_folder(tmp_path):
    output = tmp_path / "site"
    old = os.umask(0o022)
    try:
        assert build_cli(SAMPLE_CONTENT, output, "--no-search") == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(output.stat().st_mode) == 0o755
    assert stat.S_IMODE((output / "index.html").stat().st_mode) == 0o644


def _current_nav_links(html: str) -> list[tuple[str, str]]:
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)" aria-current="([^"]+)">', nav)


def test_the_navigation_marks_where_the_reader_is(built_site):
    """The header is rendered once per depth and section and reused: each page must still
    mark its own section (and the section's index as the page itself)."""
    assert _current_nav_links((built_site / "topics/index.html").read_text("utf-8")) == [
        ("../topics/index.html", "page")]
    topic = next((built_site / "topics").glob("*/index.html"))
    assert _current_nav_links(topic.read_text("utf-8")) == [("../../topics/index.html", "true")]
    assert _current_nav_links((built_site / "speakers/index.html").read_text("utf-8")) == [
        ("../speakers/index.html", "page")]
    assert _current_nav_links((built_site / "pages/about/index.html").read_text("utf-8")) == [
        ("../../pages/about/index.html", "page")]
    claim = next((built_site / "claims").glob("*/index.html"))
    assert _current_nav_links(claim.read_text("utf-8")) == []
    home = (built_site / "index.html").read_text("utf-8")
    assert '<a class="brand" href="index.html" aria-current="page">' in home
    assert 'rel="alternate" type="application/atom+xml"' in home   # feed readers discover the feed here
