"""Untrusted text stays text: hostile statements, summaries and pages are escaped in HTML,
JSON-LD, Atom and CSV, Markdown never emits raw HTML or script links, and every page passes
the html-validate checker."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from generator.cli import main
from generator.exports import spreadsheet_safe
from generator.markdown import render_inline, render_markdown, safe_href
from generator.structured_data import json_ld

from conftest import SAMPLE_CONTENT, TOOLS, node_tool

BREAKOUT = '</script><script>alert("statement")</script>'
FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The sample archive with hostile text in every kind of field, built without search."""
    root = tmp_path_factory.mktemp("hostile")
    shutil.copytree(SAMPLE_CONTENT.parent, root, dirs_exist_ok=True)
    content = root / "content"
    sheet = sorted((content / "articles").rglob("*.yaml"))[0]
    document = yaml.safe_load(sheet.read_text("utf-8"))
    first = document["claims"][0]
    first["statement"] = f"{FORMULA} {BREAKOUT} & <b>bold</b>"
    first["original"] = first["statement"]   # the copy is damaged: these are the words the site shows
    first["context"] = "<img src=x onerror=alert(1)> said ]]> --> \"quoted\""
    first.setdefault("outcome", {})
    if first["outcome"].get("status", "unrated") != "unrated":
        first["outcome"]["summary"] = "[click](javascript:alert(1)) <script>alert(2)</script> **bold**"
    document["article"]["title"] = "Headline </title><script>alert(3)</script>"
    document["article"]["quality"] = ["spun-text", "stripped-diacritics"]
    sheet.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    (content / "pages" / "about.md").write_text(
        "# About\n\n<script>alert(4)</script>\n\n[bad](javascript:alert(5)) [data](data:text/html,x) "
        "[ok](https://example.org/)\n", "utf-8")
    output = root / "site"
    assert main(["build", "--content", str(content), "--output", str(output), "--no-search"]) == 0
    return output


def test_no_hostile_markup_reaches_any_page(hostile_site):
    for page in hostile_site.rglob("*.html"):
        html = page.read_text("utf-8")
        assert "<script>alert" not in html, page
        assert "<img src=x" not in html, page
        assert "<b>bold</b>" not in html, page
        assert not re.search(r"""(href|src)\s*=\s*["']?\s*(javascript|data|vbscript):""", html, re.I), page


def test_damaged_source_copy_is_flagged_on_its_claims(hostile_site):
    claims = json.loads((hostile_site / "claims.json").read_text("utf-8"))["claims"]
    for claim in claims:
        html = (hostile_site / "claims" / claim["id"] / "index.html").read_text("utf-8")
        damaged = "spun-text" in claim["article"]["quality"]
        assert ("Damaged source copy" in html) == damaged
        if damaged:
            assert "reworded" in html and "lost its accents" in html


def test_json_ld_cannot_break_out_of_its_script(hostile_site):
    claim = next(c for c in json.loads((hostile_site / "claims.json").read_text("utf-8"))["claims"]
                 if BREAKOUT in c["statement"])
    html = (hostile_site / "claims" / claim["id"] / "index.html").read_text("utf-8")
    if claim["outcome"]["status"] != "unrated":
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
        assert "<" not in block
        assert json.loads(block)["claimReviewed"] == claim["statement"]
    assert html.count("</script>") == html.count("<script")


def test_json_ld_escaping_round_trips():
    value = {"text": "</script><!-- \u2028 & >"}
    text = str(json_ld(value))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_csv_neutralises_formulas(hostile_site):
    rows = list(csv.reader(io.StringIO((hostile_site / "claims.csv").read_text("utf-8-sig"))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any(cell.startswith("'" + FORMULA) for row in rows for cell in row)


@given(st.text())
@settings(max_examples=200)
def test_spreadsheet_safe_never_starts_a_formula(text):
    safe = spreadsheet_safe(text)
    assert not unicodedata.normalize("NFKC", safe).lstrip().startswith(("=", "+", "-", "@"))
    assert not safe.startswith(("\t", "\r"))
    assert safe in (text, "'" + text)


@pytest.mark.parametrize("text", [" =1+1", "  =HYPERLINK(\"http://evil.example\")", "\u3000=cmd|' /C calc'!A0",
                                  "＝1+1", "＋cmd", "－1+1", "＠SUM(A1)", " ＝cmd", "\u00a0@SUM(A1)"])
def test_spaces_and_full_width_signs_do_not_get_past_the_formula_guard(text):
    assert spreadsheet_safe(text) == "'" + text


def test_csv_guards_a_spaced_or_full_width_formula_in_a_statement(tmp_path):
    root = tmp_path / "archive"
    shutil.copytree(SAMPLE_CONTENT.parent, root, dirs_exist_ok=True)
    sheet = sorted((root / "content" / "articles").rglob("*.yaml"))[0]
    document = yaml.safe_load(sheet.read_text("utf-8"))
    document["claims"][0]["statement"] = " =HYPERLINK(\"http://evil.example\",\"x\")"
    document["claims"][1]["statement"] = "＝1+1"
    sheet.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    assert main(["build", "--content", str(root / "content"), "--output", str(root / "site"), "--no-search"]) == 0
    rows = list(csv.DictReader(io.StringIO((root / "site" / "claims.csv").read_text("utf-8-sig"))))
    statements = {row["id"]: row["statement"] for row in rows}
    assert statements[document["claims"][0]["id"]] == "' =HYPERLINK(\"http://evil.example\",\"x\")"
    assert statements[document["claims"][1]["id"]] == "'＝1+1"


def test_atom_feed_stays_well_formed(hostile_site):
    feed = ElementTree.parse(hostile_site / "feed.xml").getroot()
    titles = [node.text for node in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(BREAKOUT in (title or "") for title in titles)


def test_markdown_drops_raw_html_and_script_links():
    html = str(render_markdown("<em>x</em> [a](javascript:alert(1)) [b](JAVASCRIPT:x) [c](data:text/html,1) "
                               "[d](java\tscript:x) [e](vbscript:x) ![i](data:image/png;base64,AA) "
                               "<javascript:alert(1)> [ok](https://example.org/a?b=1&c=2) [rel](../x/index.html)"))
    assert "<em>" not in html
    for scheme in ("javascript", "data:", "vbscript"):
        assert f'href="{scheme}' not in html.lower() and f'src="{scheme}' not in html.lower()
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html
    assert 'href="../x/index.html"' in html
    assert str(render_inline("**bold** <i>")) == "<strong>bold</strong> &lt;i&gt;"


@pytest.mark.parametrize("url, safe", [
    ("https://example.org/", True), ("mailto:desk@example.org", True), ("../index.html", True),
    ("javascript:alert(1)", False), (" JavaScript:alert(1)", False), ("java\nscript:x", False),
    ("data:text/html,x", False), ("vbscript:x", False), ("file:///etc/passwd", False),
])
def test_safe_href(url, safe):
    assert (safe_href(url) is not None) == safe


def test_every_page_passes_html_validate(built_site, hostile_site):
    validator = node_tool("html-validate")
    for site in (built_site, hostile_site):
        pages = sorted(str(p) for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)
        assert len(pages) > 10
        finished = subprocess.run([str(validator), "--config", str(TOOLS / ".htmlvalidate.json"), *pages],
                                  capture_output=True, text=True, cwd=TOOLS)
        assert finished.returncode == 0, finished.stdout + finished.stderr
