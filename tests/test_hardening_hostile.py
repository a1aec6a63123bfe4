"""A hostile archive, built: every text field of every content file carries markup, script,
attribute breakouts, `</script>`, script links and a spreadsheet formula; every web address
carries a quote breakout; every Markdown field and page carries raw HTML and javascript:/data:
links. The built files are parsed (HTML, JSON-LD, JSON, CSV, Atom, sitemap, the fallback
search script) and must hold the text as text, and nothing else.

Which fields are text comes from the JSON Schemas, so a field added later is covered too.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml

from generator.cli import main
from generator.exports import FORMULA_STARTS
from generator.markdown import safe_href
from generator.validation import schema

from conftest import SAMPLE_CONTENT

KINDS = {"site.yaml": "site", "people.yaml": "people", "topics.yaml": "topics"}
MARKDOWN_FIELDS = {"note", "summary", "description"}   # rendered as Markdown where shown
# Fields a reader must see on the site, by name (the others feed extraction or exports only).
SHOWN = {"title", "question", "statement", "context", "outlet", "name", "summary"}


def payload(number: int, limit: int = 10_000) -> str:
    """Hostile text, tagged with its number; it starts with a spreadsheet formula character.
    Fields with a length limit get the part that fits."""
    start = FORMULA_STARTS[number % len(FORMULA_STARTS)]
    short = (f"{start}cmd|'/C calc'!A{number} \"'><hx{number} onmouseover=alert({number})>&amp;</script>"
             f"<script>alert({number})</script> [m{number}](javascript:alert({number})) [d{number}](data:text/html,x)")
    long = (f"{short} <!-- ]]> [t{number}](https://ok.example/ \"t\\\"><hz{number}>\") "
            f"<javascript:alert({number})>")
    return long if len(long) <= limit else short


class Filler:
    """Walks a document beside its schema and replaces every value it can make hostile."""

    def __init__(self) -> None:
        self.fields: dict[int, str] = {}   # payload number -> field name
        self.limits: dict[int, int] = {}   # payload number -> the field's length limit

    def fill(self, root: dict, node: dict, value, name: str = ""):
        node = self._resolve(root, node)
        if isinstance(value, dict):
            properties = node.get("properties", {})
            return {key: self.fill(root, properties[key], item, key) if key in properties else item
                    for key, item in value.items()}
        if isinstance(value, list):
            items = node.get("items")
            return [self.fill(root, items, item, name) for item in value] if items else value
        if not isinstance(value, str):
            return value
        for branch in (self._resolve(root, b) for b in node.get("oneOf", [node])):
            if branch.get("type") != "string":
                continue
            if not {"pattern", "format", "enum"} & set(branch):
                number = len(self.fields) + 1
                self.fields[number] = name
                self.limits[number] = branch.get("maxLength", 10_000)
                return payload(number, self.limits[number])
            if branch.get("pattern", "").startswith("^https?") and name != "base_url":
                return value + "?q=\"'><hu/onmouseover=alert(1)>"
        return value

    @staticmethod
    def _resolve(root: dict, node: dict) -> dict:
        while "$ref" in node:
            node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        return node


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-everywhere")
    content = root / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    filler = Filler()
    for path in sorted(content.rglob("*.yaml")):
        kind = KINDS.get(path.name, "article")
        document = yaml.safe_load(path.read_text("utf-8"))
        # Fill the optional Markdown fields too, so they are rendered.
        if kind == "article":
            document["article"].setdefault("note", "x")
            for claim in document["claims"]:
                claim.setdefault("note", "x")
                if claim.get("outcome", {}).get("status", "unrated") != "unrated":
                    claim["outcome"].setdefault("summary", "x")
        if kind == "people":
            for person in document["people"]:
                person.setdefault("description", "x")
        hostile_document = filler.fill(schema(kind), schema(kind), document)
        path.write_text(yaml.safe_dump(hostile_document, allow_unicode=True, sort_keys=False, width=10_000), "utf-8")
    for page in (content / "pages").glob("*.md"):
        page.write_text(f"# {payload(900)}\n\n<script>alert(901)</script> <img src=x onerror=alert(902)>\n\n"
                        f"{payload(903)}\n\n[x](javascript:alert(904)) [y](data:text/html,x) "
                        f"[z](https://ok.example/ \"a\\\"><hz905>\") ![i](javascript:alert(906))\n", "utf-8")
    output = root / "site"
    code = main(["build", "--content", str(content), "--output", str(output), "--no-search", "--drafts"])
    assert code == 0
    return output, filler.fields, filler.limits


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = True
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag):
        self._script = self._script and tag != "script"

    def handle_data(self, data):
        if self._script:
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        else:
            self.text.append(data)


def parsed_pages(site: Path) -> dict[str, Page]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        page = Page()
        page.feed(path.read_text("utf-8"))
        page.close()
        pages[str(path.relative_to(site))] = page
    return pages


def test_every_text_field_was_made_hostile(hostile):
    _, fields, _ = hostile
    assert len(fields) >= 100
    assert SHOWN <= set(fields.values())


def test_no_page_gains_markup_scripts_or_script_links(hostile):
    site, _, _ = hostile
    pages = parsed_pages(site)
    assert len(pages) > 20
    for path, page in pages.items():
        for tag, attrs in page.tags:
            assert not re.fullmatch(r"h[xzu]\d*", tag), (path, tag)
            assert not [name for name in attrs if name.startswith("on")], (path, tag, attrs)
            for name in ("href", "src", "action", "formaction"):
                if attrs.get(name) is not None:
                    assert safe_href(attrs[name]) is not None, (path, tag, attrs)
        for attrs, body in page.scripts:
            if attrs.get("type") == "application/ld+json":
                assert json.loads(body)["@type"] == "ClaimReview"
            else:
                assert body == "" and attrs.get("src", "").endswith(".js"), (path, attrs, body)


def test_hostile_text_is_shown_as_text(hostile):
    site, fields, limits = hostile
    text = "\n".join("".join(page.text) for page in parsed_pages(site).values())
    for number, name in fields.items():
        if name in SHOWN and name not in MARKDOWN_FIELDS:
            # (reading a file as text turns a carriage return into a line break, as HTML parsers do)
            assert payload(number, limits[number]).replace("\r", "\n") in text, (number, name)
    for number, name in fields.items():
        if name in MARKDOWN_FIELDS:  # rendered as Markdown: the raw HTML is text, the script links are gone
            assert f"<hx{number} onmouseover=alert({number})>" in text, (number, name)
            assert f"[m{number}](javascript:alert({number}))" in text, (number, name)
    assert payload(900) in text  # a page title from a Markdown heading


def test_json_ld_holds_the_statement_exactly(hostile):
    site, _, _ = hostile
    claims = {c["id"]: c for c in json.loads((site / "claims.json").read_text("utf-8"))["claims"]}
    reviewed = 0
    for claim_id, claim in claims.items():
        page = parsed_pages(site / "claims" / claim_id)["index.html"]
        for attrs, body in page.scripts:
            if attrs.get("type") == "application/ld+json":
                assert "<" not in body
                review = json.loads(body)
                assert review["claimReviewed"] == claim["statement"]
                assert review["itemReviewed"]["appearance"]["headline"] == claim["article"]["title"]
                reviewed += 1
    assert reviewed >= 1


def test_csv_cells_never_start_a_formula(hostile):
    site, fields, limits = hostile
    rows = list(csv.reader(io.StringIO((site / "claims.csv").read_text("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert body
    for row in body:
        assert len(row) == len(header)
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
    statements = [row[header.index("statement")] for row in body]
    starts = {cell[1] for cell in statements}
    assert all(cell.startswith("'") for cell in statements)
    assert len(starts) >= 2, "several formula characters were tried"


def test_feed_sitemap_json_and_fallback_index_parse(hostile):
    site, _, _ = hostile
    claims = json.loads((site / "claims.json").read_text("utf-8"))["claims"]
    statements = {claim["statement"] for claim in claims}
    assert all("<script>alert(" in statement for statement in statements)

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(site / "feed.xml").getroot()
    titles = [entry.find(f"{atom}title").text for entry in feed.iter(f"{atom}entry")]
    assert titles and all(any(statement in title for statement in statements) for title in titles)
    links = [link.get("href") for link in feed.iter(f"{atom}link")]
    assert all(link.startswith("https://") and "<" not in link for link in links)

    sitemap = ElementTree.parse(site / "sitemap.xml").getroot()
    assert all(loc.text.startswith("https://") for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"))

    script = (site / "search-fallback.js").read_text("utf-8")
    match = re.fullmatch(r"window\.HINDSIGHT_FALLBACK_SEARCH = (.*);\n", script, re.S)
    assert match and "<" not in match.group(1)
    index = json.loads(match.group(1))
    assert {row[1] for row in index["claims"]} == statements
    assert all(row[0].startswith("claims/") and row[0].endswith("/index.html") for row in index["claims"])
