"""What the published archive tells readers, search engines and aggregators can be trusted:
damaged copies are flagged wherever a claim is listed, spun text is never quoted as anyone's
words, ratings are numbers only on scales of truth, lists are in the article's order and do
not repeat each other, and the curated claims keep to the Methodology. Built from the
project's own archive (content/), whose seed 003 is a machine-reworded copy."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import yaml

from generator.model import STATUS_SCALES
from generator.structured_data import TRUTH_SCALES

ROOT = Path(__file__).parent.parent
SPUN = "u-s-sees-little-prospect-for-ukraine-talks-with-putin-after"
QUOTES = re.compile(r"[“”\"]")


def _claims(site: Path) -> dict[str, dict]:
    return {claim["id"]: claim for claim in json.loads((site / "claims.json").read_text("utf-8"))["claims"]}


class Items(HTMLParser):
    """Each claim listed on a page: the claim's id, the flags before it and its words."""

    def __init__(self):
        super().__init__()
        self.items: list[dict] = []
        self._line = None
        self._in_flag = self._in_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "li" or (tag == "p" and "claim-line" in classes):
            self._line = {"flags": "", "words": "", "id": None, "dir": None}
            self.items.append(self._line)
        elif tag == "span" and "flag" in classes and self._line is not None:
            self._in_flag = True
        elif tag == "a" and self._line is not None and "/claims/" in (attrs.get("href") or "") \
                and self._line["id"] is None:
            self._line["id"] = attrs["href"].split("/claims/")[1].split("/")[0]
            self._line["dir"] = attrs.get("dir")
            self._in_link = True

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_flag = False
        if tag == "a":
            self._in_link = False

    def handle_data(self, data):
        if self._line is None:
            return
        if self._in_flag:
            self._line["flags"] += data
        elif self._in_link:
            self._line["words"] += data


def _listed(page: Path) -> list[dict]:
    reader = Items()
    reader.feed(page.read_text("utf-8"))
    return [item for item in reader.items if item["id"]]


def _spun_ids(site: Path) -> set[str]:
    return {claim_id for claim_id, claim in _claims(site).items() if claim["article"]["slug"] == SPUN}


def test_every_listing_flags_a_claim_from_the_damaged_copy(built_archive):
    spun = _spun_ids(built_archive)
    assert spun
    pages = [built_archive / "index.html", *built_archive.glob("speakers/*/index.html"),
             *built_archive.glob("topics/*/index.html"), *built_archive.glob("years/*/index.html"),
             *built_archive.glob("articles/*/index.html"), *built_archive.glob("claims/*/index.html")]
    seen = set()
    for page in pages:
        for item in _listed(page):
            if item["id"] in spun:
                seen.add(item["id"])
                assert "Reworded copy" in item["flags"] or "Original wording" in item["flags"], (page, item)
                if "Reworded copy" in item["flags"]:
                    assert not QUOTES.search(item["words"]), (page, item)
            assert item["dir"] == "auto", (page, item)
    assert seen == spun


def test_a_claim_page_shows_the_original_wording_where_recorded_and_never_quotes_spun_text(built_archive):
    claims = _claims(built_archive)
    restored = claims["2022-kirby-president-precise-accordant-astir-hes"]
    assert restored["original_wording"].startswith("The president has been very consistent")
    page = (built_archive / "claims" / restored["id"] / "index.html").read_text("utf-8")
    heading = re.search(r'<h1 class="statement([^"]*)"[^>]*>(.*?)</h1>', page, re.S)
    assert "quoted" in heading.group(1) and heading.group(2).startswith("The president has been very consistent")
    assert "Original wording, restored by an editor" in page
    spun = claims["2022-rasmussen-tin-reason-rather-confidently-arsenic"]
    assert not spun["original_wording"]
    page = (built_archive / "claims" / spun["id"] / "index.html").read_text("utf-8")
    heading = re.search(r'<h1 class="statement([^"]*)"[^>]*>(.*?)</h1>', page, re.S)
    assert "quoted" not in heading.group(1) and "reworded" in heading.group(1)
    assert "Reworded copy" in page
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert not QUOTES.search(heading.group(2)) and "&#34;" not in heading.group(2) and "&#34;" not in title


def test_a_reworded_copys_context_is_never_quoted(built_archive):
    for claim_id in _spun_ids(built_archive):
        page = (built_archive / "claims" / claim_id / "index.html").read_text("utf-8")
        context = re.search(r'<blockquote class="context reworded"[^>]*>(.*?)</blockquote>', page, re.S)
        if context:
            assert not QUOTES.search(context.group(1)) and "&#34;" not in context.group(1), claim_id


def test_feed_and_downloads_flag_the_damaged_copy(built_archive):
    spun = _spun_ids(built_archive)
    feed = ElementTree.parse(built_archive / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = [(entry.find(f"{atom}link").get("href"), entry.find(f"{atom}title").text,
                entry.find(f"{atom}summary").text) for entry in feed.findall(f"{atom}entry")]
    flagged = [entry for entry in entries if any(f"/claims/{claim_id}/" in entry[0] for claim_id in spun)]
    assert flagged
    for _, title, summary in flagged:
        assert "Reworded copy" in title or "Original wording" in title
    rows = list(csv.DictReader(io.StringIO((built_archive / "claims.csv").read_text("utf-8-sig"))))
    for row in rows:
        assert bool(row["damaged_copy"]) == (row["id"] in spun or "stripped-diacritics" in row["quality"])
    records = _claims(built_archive)
    assert all(records[claim_id]["damaged_copy"] for claim_id in spun)
    offline = (built_archive / "search-fallback.js").read_text("utf-8")
    assert offline.count("Reworded copy") >= len([c for c in spun if not records[c]["original_wording"]])


def _claim_review(site: Path, claim_id: str) -> list[dict]:
    html = (site / "claims" / claim_id / "index.html").read_text("utf-8")
    return [json.loads(block) for block in
            re.findall(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', html, re.S)]


# Google's fact-check markup documentation: what it requires or recommends of each type.
CLAIM_REVIEW_REQUIRED = ("claimReviewed", "reviewRating", "url")
CLAIM_REVIEW_RECOMMENDED = ("author", "itemReviewed")
CLAIM_RECOMMENDED = ("appearance", "author", "datePublished", "firstAppearance")
RATING_REQUIRED = ("alternateName",)
RATING_NUMERIC = ("bestRating", "ratingValue", "worstRating")   # required when the rating is a number


def test_claim_review_has_every_property_google_documents_and_numbers_only_truth(built_archive):
    claims = _claims(built_archive)
    reviewed = 0
    for claim_id, claim in claims.items():
        blocks = _claim_review(built_archive, claim_id)
        rated = claim["outcome"]["status"] in STATUS_SCALES.get(claim["kind"], ())
        assert len(blocks) == (1 if rated else 0), claim_id   # one ClaimReview per claim page
        if not rated:
            continue
        reviewed += 1
        review = blocks[0]
        assert review["@type"] == "ClaimReview" and review["@context"] == "https://schema.org"
        for name in CLAIM_REVIEW_REQUIRED + CLAIM_REVIEW_RECOMMENDED:
            assert review.get(name), (claim_id, name)
        assert review["author"]["name"] and review["author"]["url"]
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        for name in CLAIM_RECOMMENDED:
            assert item.get(name), (claim_id, name)
        assert item["author"]["name"] == claim["speaker"]["name"]
        assert item["firstAppearance"]["@type"] == "NewsArticle" and item["firstAppearance"]["headline"]
        rating = review["reviewRating"]
        for name in RATING_REQUIRED:
            assert rating.get(name), (claim_id, name)
        assert rating["alternateName"] == claim["outcome"]["label"]   # the verdict the page shows
        html = (built_archive / "claims" / claim_id / "index.html").read_text("utf-8")
        finding = html[html.index('class="finding'):html.index("</section>", html.index('class="finding'))]
        assert f">{claim['outcome']['label']}</span>" in finding.replace("&#39;", "'")
        truth = claim["outcome"]["status"] in TRUTH_SCALES.get(claim["kind"], ())
        assert all((name in rating) == truth for name in RATING_NUMERIC), (claim_id, rating)
        if truth:
            assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        shown = claim["original_wording"] or claim["statement"]
        if claim["damaged_copy"] and not claim["original_wording"]:
            assert not QUOTES.search(review["claimReviewed"])
        else:
            assert review["claimReviewed"] == shown
    assert reviewed > 40
    held = [claim_id for claim_id, claim in claims.items() if claim["outcome"]["status"] == "held"]
    assert held and all("ratingValue" not in _claim_review(built_archive, c)[0]["reviewRating"] for c in held)


def test_each_finding_links_to_its_scale_on_the_methodology_page(built_archive):
    methodology = (built_archive / "pages" / "methodology" / "index.html").read_text("utf-8")
    anchors = set(re.findall(r'<h[234] id="([^"]+)"', methodology))
    for claim_id, claim in _claims(built_archive).items():
        html = (built_archive / "claims" / claim_id / "index.html").read_text("utf-8")
        link = re.search(r'<a class="scale-link" href="\.\./\.\./pages/methodology/index\.html#([^"]+)"', html)
        assert link, claim_id
        assert link.group(1) in anchors, (claim_id, link.group(1))
        expected = {"assertion": "assertions", "prediction": "predictions", "promise": "promises",
                    "position": "positions", "opinion": "opinions"}[claim["kind"]]
        assert link.group(1) == (expected if claim["outcome"]["status"] != "unrated" else "not-rated")


def _sheet_order(content: Path) -> dict[str, tuple[str, int]]:
    order = {}
    for sheet in sorted((content / "articles").rglob("*.yaml")):
        for position, claim in enumerate(yaml.safe_load(sheet.read_text("utf-8"))["claims"]):
            order[claim["id"]] = (sheet.stem, position)
    return order


def test_earlier_and_later_are_other_articles_claims_in_order_and_the_article_is_grouped_apart(built_archive):
    claims = _claims(built_archive)
    order = _sheet_order(ROOT / "content")
    for claim_id, claim in claims.items():
        html = (built_archive / "claims" / claim_id / "index.html").read_text("utf-8")
        for section in re.findall(r'<h2 id="q-\d+">(.*?)(?=<section|<h2 id="speaker-years")', html, re.S):
            for part in re.split(r"<h3>", section)[1:]:
                ids = re.findall(r'href="\.\./\.\./claims/([^/]+)/index\.html"', part)
                assert all(claims[other]["article"]["slug"] != claim["article"]["slug"] for other in ids), claim_id
                keys = [(claims[other]["said"] or "9999", other) for other in ids]
                assert [key[0] for key in keys] == sorted(key[0] for key in keys)
        same = re.search(r'id="same-article-heading".*?</section>', html, re.S)
        siblings = [other for other in claims if other != claim_id
                    and claims[other]["article"]["slug"] == claim["article"]["slug"]]
        if siblings:
            listed = re.findall(r'href="\.\./\.\./claims/([^/]+)/index\.html"', same.group(0))
            assert listed == sorted(siblings, key=lambda other: order[other][1])


def test_same_day_claims_of_one_article_keep_its_order_in_a_questions_timeline(built_archive):
    order = _sheet_order(ROOT / "content")
    claims = _claims(built_archive)
    html = (built_archive / "topics" / "putin-zelensky-meeting" / "index.html").read_text("utf-8")
    listed = [item["id"] for item in _listed(built_archive / "topics" / "putin-zelensky-meeting" / "index.html")]
    assert listed and html
    for first, second in zip(listed, listed[1:]):
        a, b = claims[first], claims[second]
        if a["said"] == b["said"] and a["article"]["slug"] == b["article"]["slug"]:
            assert order[first][1] < order[second][1], (first, second)


def test_home_lists_do_not_repeat_and_speaker_counts_agree(built_archive):
    html = (built_archive / "index.html").read_text("utf-8")
    latest = html[html.index('id="latest-heading"'):html.index('id="updates-heading"')]
    updates = html[html.index('id="updates-heading"'):html.index('id="years-heading"')]
    pick = re.compile(r'href="claims/([^/]+)/index\.html"')
    assert not set(pick.findall(latest)) & set(pick.findall(updates))
    speakers = int(re.search(r"<strong>(\d+)</strong> speakers", html).group(1))
    index = (built_archive / "speakers" / "index.html").read_text("utf-8")
    rows = re.findall(r'<li><a href="\.\./speakers/[^"]+">.*?</a> <span class="muted">(\d+) claim', index)
    assert len(rows) == speakers and all(int(count) > 0 for count in rows)
    published = {claim["speaker"]["id"] for claim in _claims(built_archive).values()}
    assert {path.parent.name for path in (built_archive / "speakers").glob("*/index.html")} == published


def test_curated_claims_keep_to_the_methodology(built_archive):
    """The reporter's analysis is left out of claims: each fixed claim checked against its seed."""
    claims = _claims(built_archive)
    seed = (ROOT / "seeds" / "003_3790867567689bd3.txt").read_text("utf-8")
    peskov = claims["2022-peskov-united-states-still-admit-caller"]
    assert "evident notation" in seed and "evident notation" in peskov["context"]
    for aside in ("notation", "referendums", "annex"):
        assert aside not in peskov["statement"] and aside not in (peskov["original_wording"] or "")
    zelensky = claims["2022-zelensky-warfare-extremity-until-ukraine-reclaimed"]
    assert "2014" not in zelensky["statement"]
    assert not claims["2019-nazarbayev-negotiations-delayed-zelensky-late-october"]["statement"].startswith("With")
