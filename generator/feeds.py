"""Feeds: the Atom feed of new claims and outcome changes; the verdict history's feeds (the
site's updates and corrections, each speaker's and question's); and `sitemap.xml`.

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
from generator.markdown import markdown_as_text
from generator.memory import cache_of_archive_text
from generator.history import Entry, site_updates
from generator.model import STATUS_LABELS, Archive, Claim
from generator.pages import DAMAGE_MARKS, ORIGINAL_MARK, damage_of, wording
from generator.urls import canonical_url, claim_path, feed_path, speaker_path, topic_path

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
    category: str | None = None   # "correction": the archive corrected itself


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
                                     f"{label}. {markdown_as_text(claim.outcome.summary)}".strip()))
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
    return _atom(archive, "new claims and outcomes", "feed.xml", "index.html", feed_entries(archive, links))


def _atom(archive: Archive, title: str, path: str, page: str, entries: list[FeedEntry]) -> bytes:
    """An Atom feed at `path`, of `page` (its HTML alternate), titled after the site."""
    site = archive.site
    updated = max((entry.day for entry in entries), default=dt.date(1970, 1, 1))
    base = canonical_url(site.base_url, "index.html")
    own = canonical_url(site.base_url, page)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={xml_attribute(site.language)}>',
        f"<title>{xml_text(site.title)}: {xml_text(title)}</title>",
        f"<subtitle>{xml_text(site.description)}</subtitle>",
        f"<id>{xml_text(own if path == 'feed.xml' else canonical_url(site.base_url, path))}</id>",
        f"<link rel=\"alternate\" type=\"text/html\" href={xml_attribute(own)}/>",
        f"<link rel=\"self\" href={xml_attribute(canonical_url(site.base_url, path))}/>",
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
        ]
        if entry.category:
            lines.append(f"<category term={xml_attribute(entry.category)} label=\"Correction\"/>")
        lines += [f"<summary>{xml_text(entry.summary)}</summary>", "</entry>"]
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------
# Feeds of the verdict history: the site's updates, and each speaker's and question's


UPDATES_FEED = "updates.xml"


def history_feeds(archive: Archive, links: Links, timelines: dict[str, tuple[Entry, ...]]) -> dict[str, bytes]:
    """updates.xml (every outcome change and correction, corrections marked as such), and a
    feed per speaker and per question: their new claims and the changes to their findings
    and corrections. Dates come from git (a change's commit) and the sheets, never the clock."""
    updates = site_updates(timelines)
    files = {UPDATES_FEED: _atom(archive, "updates and corrections", UPDATES_FEED, "updates/index.html",
                                 [_update_entry(archive, links, entry) for entry in updates[:FEED_ENTRIES]])}
    events: dict[str, list[tuple[dt.date, str, str | Entry]]] = {}   # claim -> its feed events, keyed
    for claim in links.claims.values():
        added = links.articles[claim.article].published or claim.said
        if added:
            events.setdefault(claim.id, []).append((added, f"claim/{claim.id}", claim.id))
    for entry in updates:
        events.setdefault(entry.claim, []).append((entry.day, entry.key, entry))
    for owner, path, title, ids in _owners(archive, links):
        chosen = heapq.nlargest(FEED_ENTRIES, (event for claim_id in ids for event in events.get(claim_id, ())),
                                key=lambda event: (event[0], event[1]))
        entries = [_update_entry(archive, links, item) if isinstance(item, Entry)
                   else _new_claim_entry(archive, links, day, key, links.claims[item]) for day, key, item in chosen]
        files[feed_path(path)] = _atom(archive, title, feed_path(path), path, entries)
    return files


def _owners(archive: Archive, links: Links):
    """(owner, page path, feed title, claim ids) of each speaker with claims and each question."""
    for person_id in sorted(links.by_speaker):
        yield person_id, speaker_path(person_id), f"{archive.people[person_id].name}: new claims and updates", \
            links.by_speaker[person_id]
    for topic_id in sorted(archive.topics):
        yield topic_id, topic_path(topic_id), f"{archive.topics[topic_id].title}: new claims and updates", \
            links.by_topic.get(topic_id, ())


def _who_and_words(archive: Archive, links: Links, claim: Claim) -> tuple[str, str]:
    article = links.articles[claim.article]
    words, _ = wording(claim, article)
    damage = damage_of(article)
    flag = f"[{ORIGINAL_MARK if claim.original else DAMAGE_MARKS[damage[0]]}] " if damage else ""
    return archive.people[claim.speaker].name, f"{flag}{words}"


def _new_claim_entry(archive: Archive, links: Links, day: dt.date, key: str, claim: Claim) -> FeedEntry:
    who, words = _who_and_words(archive, links, claim)
    spun = "spun-text" in links.articles[claim.article].quality
    said = f"{who}, in a reworded copy of the article: {words}" if spun else f"{who} said: {words}"
    return FeedEntry(day, key, f"New claim: {who}: {words}",
                     canonical_url(archive.site.base_url, claim_path(claim.id)), said)


def _update_entry(archive: Archive, links: Links, entry: Entry) -> FeedEntry:
    claim = links.claims[entry.claim]
    who, words = _who_and_words(archive, links, claim)
    url = canonical_url(archive.site.base_url, claim_path(claim.id))
    if entry.kind == "correction":
        return FeedEntry(entry.day, entry.key, f"Correction: {who}: {words}", url,
                         f"Correction. {entry.wrong} {entry.why}".strip(), "correction")
    before, after = (STATUS_LABELS.get(status, status) for status in (entry.before, entry.after))
    change = f"{after}, finding updated" if entry.before == entry.after else f"{before} → {after}"
    return FeedEntry(entry.day, entry.key, f"{change}: {who}: {words}", url,
                     f"{change}." + (f" {entry.why}" if entry.why else ""))


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
