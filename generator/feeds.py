"""Feeds: the Atom feed of new claims and outcome changes, and `sitemap.xml`.

Consumes the `Archive`, its `Links` and the published base address; produces XML bytes.
Every date comes from the content (when a claim was said or published, an outcome's as-of
date), never from the clock, so the same archive always gives the same feed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from generator.linking import Links
from generator.memory import cache_of_archive_text
from generator.model import STATUS_LABELS, Archive
from generator.pages import DAMAGE_MARKS, ORIGINAL_MARK, damage_of, wording
from generator.urls import canonical_url, claim_path

FEED_ENTRIES = 50
# Characters XML 1.0 forbids even when escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    # A bare carriage return would be read back as a line break: write it as a reference.
    return escape(_NOT_XML.sub("", text), {"\r": "&#13;"})


def xml_attribute(text: str) -> str:
    return quoteattr(_NOT_XML.sub("", text))


@dataclass(frozen=True)
class FeedEntry:
    day: dt.date
    key: str       # unique and stable: the entry's id after the base address
    title: str
    url: str
    summary: str


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def feed_entries(archive: Archive, links: Links) -> list[FeedEntry]:
    """The FEED_ENTRIES latest: new claims (on the day their article appeared, or were said)
    and outcomes (on their as-of day), newest first. Only those are written out."""
    latest = heapq.nlargest(FEED_ENTRIES, _feed_events(links))
    entries = []
    for day, key, claim in latest:
        person = archive.people[claim.speaker]
        url = canonical_url(archive.site.base_url, claim_path(claim.id))
        article = links.articles[claim.article]
        words, spun = wording(claim, article)
        damage = damage_of(article)
        # A damaged copy's claim says so first; its words are never given as what the speaker said.
        flag = f"[{ORIGINAL_MARK if claim.original else DAMAGE_MARKS[damage[0]]}] " if damage else ""
        said = f"{person.name}, in a reworded copy of the article: {words}" if spun else f"{person.name} said: {words}"
        if key.startswith("claim/"):
            entries.append(FeedEntry(day, key, f"New claim: {flag}{person.name}: {words}", url, f"{flag}{said}"))
        else:
            label = STATUS_LABELS.get(claim.outcome.status, claim.outcome.status)
            entries.append(FeedEntry(day, key, f"Outcome: {label}: {flag}{person.name}: {words}", url,
                                     f"{label}. {claim.outcome.summary or ''}".strip()))
    return entries


def _feed_events(links: Links):
    """(day, key, claim) of every claim's appearance and rated outcome; keys are unique."""
    for claim in links.claims.values():
        added = links.articles[claim.article].published or claim.said
        if added:
            yield added, f"claim/{claim.id}", claim
        if claim.outcome.rated and claim.outcome.as_of:
            yield claim.outcome.as_of, f"outcome/{claim.id}/{claim.outcome.as_of.isoformat()}", claim


def atom_feed(archive: Archive, links: Links) -> bytes:
    site = archive.site
    entries = feed_entries(archive, links)
    updated = entries[0].day if entries else dt.date(1970, 1, 1)
    base = canonical_url(site.base_url, "index.html")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={xml_attribute(site.language)}>',
        f"<title>{xml_text(site.title)}: new claims and outcomes</title>",
        f"<subtitle>{xml_text(site.description)}</subtitle>",
        f"<id>{xml_text(base)}</id>",
        f"<link rel=\"alternate\" type=\"text/html\" href={xml_attribute(base)}/>",
        f"<link rel=\"self\" href={xml_attribute(canonical_url(site.base_url, 'feed.xml'))}/>",
        f"<updated>{_stamp(updated)}</updated>",
        f"<author><name>{xml_text(site.publisher.name)}</name><uri>{xml_text(site.publisher.url)}</uri></author>",
    ]
    for entry in entries:
        lines += [
            "<entry>",
            f"<id>{xml_text(base + '#' + entry.key)}</id>",
            f"<title>{xml_text(entry.title)}</title>",
            f"<link rel=\"alternate\" type=\"text/html\" href={xml_attribute(entry.url)}/>",
            f"<updated>{_stamp(entry.day)}</updated>",
            f"<summary>{xml_text(entry.summary)}</summary>",
            "</entry>",
        ]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sitemap(paths: list[str], base_url: str) -> bytes:
    return _sitemap(tuple(paths), base_url)


@cache_of_archive_text(maxsize=1)   # the live preview's next build lists the same pages, unless one was added
def _sitemap(paths: tuple[str, ...], base_url: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in sorted(paths):
        lines.append(f"<url><loc>{xml_text(canonical_url(base_url, path))}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")
