"""Where each page lives in the site, and its published address.

Paths are relative to the site's root and name `index.html` explicitly (the site then reads
the same from `file://`); `canonical_url` gives the address a reader and a search engine see.
"""

from __future__ import annotations

from urllib.parse import quote

from generator.memory import cache_of_archive_text


@cache_of_archive_text(maxsize=262_144)   # a path segment per claim, speaker, question, article: quoted once
def _segment(text: str) -> str:
    return quote(text, safe="")


def claim_path(claim_id: str) -> str:
    return f"claims/{_segment(claim_id)}/index.html"


def card_path(claim_id: str) -> str:
    """A claim's embeddable card, beside its page."""
    return f"claims/{_segment(claim_id)}/card/index.html"


def speaker_path(person_id: str) -> str:
    return f"speakers/{_segment(person_id)}/index.html"


def topic_path(topic_id: str) -> str:
    return f"topics/{_segment(topic_id)}/index.html"


def article_path(slug: str) -> str:
    return f"articles/{_segment(slug)}/index.html"


def year_path(year: str) -> str:
    return f"years/{_segment(year)}/index.html"


def numbered_path(first: str, number: int) -> str:
    """Page `number` of a list whose first page is `first`: topics/x/index.html, topics/x/page-2/index.html."""
    if number <= 1:
        return first
    return first[: -len("index.html")] + f"page-{number}/index.html"


def feed_path(page_path: str) -> str:
    """The Atom feed of a speaker's or question's page, beside it (of any of its numbered pages):
    speakers/x/index.html and speakers/x/page-2/index.html -> speakers/x/feed.xml."""
    folder = page_path[: -len("index.html")]
    return (folder.rsplit("page-", 1)[0] if "/page-" in folder else folder) + "feed.xml"


def text_page_path(slug: str) -> str:
    return f"pages/{_segment(slug)}/index.html"


def site_root(base_url: str) -> str:
    """The path the site is served under, from the root of its host: "/archive/" of https://example.org/archive."""
    return ("/" + base_url.split("://", 1)[-1].partition("/")[2]).rstrip("/") + "/"


def canonical_url(base_url: str, path: str) -> str:
    """The published address of a page: directory form, no index.html."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    if path == "index.html":
        return base
    if path.endswith("/index.html"):
        return base + path[: -len("index.html")]
    return base + path
