"""Which pages must be rendered again, and the record that says so.

Consumes this build's page plans, the archive and its links, and the record the previous
build left; produces the pages to render, the pages to keep as they are, and after
rendering the new record. While a page renders, `pages.SiteView` notes every part it reads
(a claim, a speaker, a question, an article); the plan's own values (titles, counts,
neighbours, the ids it lists) are summed up in a digest. A page is rendered again when it is
new, when its plan digest changed, or when any part it read changed. A change to the
templates, to the generator's code, to the site settings, the published address or the text
pages' titles (in every page's navigation) renders everything.

The record is kept in `.hindsight-cache/` beside the site (`store`), never published. It is
removed before the new site is swapped in and written again only after, so it always
describes the site in place; without a trustworthy record the build renders every page. It
also keeps the length of each claim's line in `claims.json`, `claims.csv` and the offline
search index, so that those copy the lines of claims made from unchanged parts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import exports
from generator.incremental import store
from generator.incremental.store import cache_path, code_digest
from generator.linking import Links
from generator.model import Archive, Article, Claim, Person, Topic
from generator.pages import Page, SiteView, part_key

RECORD_VERSION = 5


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def part_digests(archive: Archive, links: Links, sheets: dict[str, str] | None = None,
                 previous: Record | None = None) -> tuple[dict[str, str], dict[str, tuple[str, dict[str, str]]]]:
    """A digest of every claim, speaker, question and article, by part key; and, by sheet, the
    digests of the article and claims it holds.

    An article and its claims are modelled from their sheet alone, so where a sheet's bytes
    (`sheets`: path -> digest of its bytes) are those of the `previous` record, with the same
    code, its parts' digests are taken from there instead of being worked out again."""
    sheets = sheets or {}
    known = previous.sheets if previous is not None else {}
    digests: dict[str, str] = {}
    by_sheet: dict[str, tuple[str, dict[str, str]]] = {}
    for article in archive.articles:
        sheet = sheets.get(article.source)
        before = known.get(article.source)
        if sheet is not None and before is not None and before[0] == sheet:
            own = before[1]
        else:
            own = {f"claim:{claim.id}": _digest(repr(claim)) for claim in article.claims}
            fields = {name: value for name, value in vars(article).items() if name != "claims"}
            fields["claims"] = [claim.id for claim in article.claims]   # its claims count as parts of their own
            own[f"article:{article.slug}"] = _digest(repr(fields))
        digests.update(own)
        if sheet is not None:
            by_sheet[article.source] = (sheet, own)
    digests.update((f"person:{person.id}", _digest(repr(person))) for person in archive.people.values())
    digests.update((f"topic:{topic.id}", _digest(repr(topic))) for topic in archive.topics.values())
    return digests, by_sheet


def fingerprint(view: SiteView) -> str:
    """What every page depends on: templates, code, site settings, address, text pages' titles."""
    parts = [f"record {RECORD_VERSION}", repr(view.archive.site), view.base_url, repr(view.text_pages),
             f"code {code_digest()}"]
    for path in sorted(view.templates.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            parts.append(f"{path.relative_to(view.templates)} {hashlib.blake2b(path.read_bytes()).hexdigest()}")
    return _digest("\n".join(parts))


def plan_digest(page: Page) -> tuple[str, set[str]]:
    """A digest of a page's plan, and the parts of the model its values refer to.

    Parts (claims, speakers, questions, articles) enter the digest by key only: their content
    is compared through their own digests. The plan is written out by json's C encoder, which
    calls back only for what is not plain JSON (parts, dates, the plans' own small dataclasses):
    a site's plans hold near a million values, too many to walk one by one in Python. The
    call back is the one Python step per part, so the commonest (a claim) is told first."""
    parts: set[str] = set()

    def describe(value: Any) -> Any:
        kind = type(value)
        if kind is Claim:
            key = "claim:" + value.id
        elif kind is SiteView:
            return "view"
        elif kind is Article:
            key = "article:" + value.slug
        elif kind is Person:
            key = "person:" + value.id
        elif isinstance(value, (Claim, Person, Topic, Article)):
            key = part_key(value)
        elif isinstance(value, dt.date):
            return value.isoformat()
        elif isinstance(value, (set, frozenset)):   # their order changes from one run to the next
            raise TypeError(f"a set in a page plan ({page.path}) has no stable order; use a sorted list")
        elif hasattr(value, "__dict__"):   # links, neighbours, pagers: their fields, named
            return vars(value)
        else:
            raise TypeError(f"cannot tell whether a {kind.__name__} in a page plan changed")
        parts.add(key)
        return key

    text = json.dumps([page.path, page.template, page.title, page.section, page.values], default=describe,
                      check_circular=False)
    return hashlib.blake2b(text.encode("ascii"), digest_size=12).hexdigest(), parts


@dataclass
class Record:
    """What the last build rendered, from what: enough to tell which pages changed since."""

    fingerprint: str
    digests: dict[str, str] = field(default_factory=dict)          # part key -> digest
    pages: dict[str, tuple[str, list[str]]] = field(default_factory=dict)   # path -> (plan digest, parts read)
    sheets: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)   # sheet -> (its bytes' digest, its parts' digests)
    # The claims in the order of their lines in the downloads and the offline search index;
    # claims.json's and claims.csv's checksums and each line's length; the offline search
    # index's checksum, the names its rows number, and each row's length.
    downloads: tuple[list[str], int, int, list[int], list[int]] = ([], 0, 0, [], [])
    offline: tuple[int, list[str], list[int]] = (0, [], [])
    rendered: int = 0   # how many pages the build rendered (the others it kept from the site before)
    sizes: dict[str, int] = field(default_factory=dict)   # page path -> its file's bytes


@dataclass
class Comparison:
    """This build's pages sorted into those to render and those kept from the previous site."""

    record: Record
    stale: list[Page]
    kept: list[str]
    plans: dict[str, tuple[str, set[str]]]   # path -> (plan digest, parts in its values), of the pages to render
    previous: Record | None = None           # the previous build's record, when it is usable
    recording: bool = False                  # whether this build keeps a record (an incremental build)
    # Parts (by part key) whose digest differs from the previous record's, or that are new or
    # gone; None when there is no usable previous record.
    changed: set[str] | None = None
    downloads: exports.Downloads | None = None   # the downloads made, for `PreviewState`
    downloads_before: exports.Downloads | None = None   # the previous build's, when `PreviewState` has them
    offline: exports.OfflineIndex | None = None          # the offline search index made, for `PreviewState`
    offline_before: exports.OfflineIndex | None = None   # the previous build's, when `PreviewState` has them

    def note_reads(self, reads: dict[str, set[str]]) -> None:
        """Add what the pages just rendered read, to the record of this build."""
        if not self.recording:
            return
        for path, parts in reads.items():
            digest, in_values = self.plans[path]
            # One string per part key, shared by every page that read it: the record on disk
            # then writes each key once and refers to it after.
            self.record.pages[path] = (digest, sorted(map(sys.intern, parts | in_values)))


def compare(pages: list[Page], previous: Record | None, archive: Archive, links: Links,
            keep_record: bool = True, sheets: dict[str, str] | None = None,
            plans_before: dict[str, Page] | None = None) -> Comparison:
    """Which pages to render: all of them without a usable previous record. Without
    `keep_record` (a full build that keeps no record), nothing is compared or digested.
    `sheets` (path -> digest of its bytes) lets unchanged sheets' parts keep their digests.

    `plans_before` (the previous build's plans, by path, kept in memory by a long-running
    process with the `previous` record they made) lets a plan be compared with the one before
    instead of digested: a page whose plan is the same (`same_plan`) keeps its digest; only
    the others are digested, and compared by digest as without it."""
    if not keep_record:
        return Comparison(Record(""), list(pages), [], {})
    view: SiteView = pages[0].values["view"] if pages else None
    code = fingerprint(view) if view else ""
    usable = previous is not None and previous.fingerprint == code
    digests, by_sheet = part_digests(archive, links, sheets, previous if usable else None)
    record = Record(code, digests, sheets=by_sheet)
    comparison = Comparison(record, [], [], {}, previous if usable else None, recording=True)
    changed: set[str] = set()
    if usable:
        before, now = previous.digests, record.digests
        changed = {key for key, digest in before.items() if now.get(key) != digest}
        changed.update(key for key in now if key not in before)
        comparison.changed = changed
    if not usable or plans_before is None:
        plans_before = None
        comparison.plans = {page.path: plan_digest(page) for page in pages}
    plans = comparison.plans
    for page in pages:
        before = previous.pages.get(page.path) if usable else None
        if before is not None and changed.isdisjoint(before[1]) and (
                plans_before is not None and same_plan(plans_before.get(page.path), page)
                or before[0] == (plans.get(page.path) or plans.setdefault(page.path, plan_digest(page)))[0]):
            comparison.kept.append(page.path)
            record.pages[page.path] = before
            size = previous.sizes.get(page.path)
            if size is not None:
                record.sizes[page.path] = size
        else:
            comparison.stale.append(page)
            if page.path not in plans:
                plans[page.path] = plan_digest(page)
    record.rendered = len(comparison.stale)
    return comparison


def same_plan(before: Page | None, page: Page) -> bool:
    """Whether two plans of a page are the same: then so are their digests (`plan_digest`).

    Values are compared with ==, in C, not digested one by one: several times faster. It is
    stricter where parts are concerned (a claim, a speaker, ... is equal only with the same
    content, where the digest names it by key) and as strict elsewhere, with two exceptions
    made up for here: == takes 1, 1.0 and True for the same, so the types of the plan's
    values are compared too (not those of items within them); and it ignores the order of a mapping's keys, which a template shows, so the
    order is compared for the mappings among the values and within them (plans hold none
    deeper: a test walks every template's plans). The site view every plan holds is the same
    for all pages and is left out: what pages read through it is compared through the parts
    they read."""
    if before is None:
        return False
    if page is before:   # planned again from the very same objects: the same plan (pages.plan_pages)
        return True
    if before.path != page.path or before.template != page.template \
            or before.title != page.title or before.section != page.section:
        return False
    old, new = before.values, page.values
    if list(old) != list(new):
        return False
    for key, value in new.items():
        if key == "view":
            continue
        was = old[key]
        if was is value:
            continue
        if type(was) is not type(value) or was != value:
            return False
        if type(value) is dict and not _same_order(was, value):
            return False
    return True


def _same_order(old: dict, new: dict) -> bool:
    return list(old) == list(new) and all(type(item) is not dict or _same_order(old[key], item)
                                          for key, item in new.items())


def stale_lines(changes: Comparison, links: Links) -> tuple[set[str] | None, set[str] | None]:
    """The claims whose lines must be made again, in the downloads and in the offline search
    index: those whose claim, article or speaker changed, or new; in the offline index, also
    those whose questions changed (it names them). None for all: no usable previous record."""
    if changes.changed is None:
        return None, None
    claims: set[str] = set()
    topics: list[str] = []
    for key in changes.changed:
        kind, _, name = key.partition(":")
        if kind == "claim":
            claims.add(name)
        elif kind == "article" and name in links.articles:
            claims.update(claim.id for claim in links.articles[name].claims)
        elif kind == "person":
            claims.update(links.by_speaker.get(name, ()))
        elif kind == "topic":
            topics.append(name)
    return claims, claims.union(*(links.by_topic.get(topic, ()) for topic in topics))


def previous_exports(changes: Comparison, output: Path
                     ) -> tuple[exports.Downloads | None, exports.OfflineIndex | None]:
    """The downloads and offline search index of the site in place, as the previous record
    describes them; None for each when there is no usable record or the file is not the one
    it describes."""
    if changes.previous is None:
        return None, None
    if changes.downloads_before is not None:
        return changes.downloads_before, changes.offline_before
    order, json_sum, csv_sum, json_lengths, csv_lengths = changes.previous.downloads
    offline_sum, names, row_lengths = changes.previous.offline
    json_file, csv_file, script = (_written(output / name) for name in ("claims.json", "claims.csv",
                                                                          "search-fallback.js"))
    downloads = offline = None
    if json_file is not None and csv_file is not None and zlib.crc32(json_file) == json_sum \
            and zlib.crc32(csv_file) == csv_sum:
        bodies = exports.download_bodies(json_file, csv_file, (json_lengths, csv_lengths))
        if bodies is not None:
            downloads = exports.Downloads(json_file, csv_file, exports.Lines(order, bodies, [json_lengths, csv_lengths]))
    if script is not None and zlib.crc32(script) == offline_sum:
        rows = exports.offline_body(script, row_lengths)
        if rows is not None:
            offline = exports.OfflineIndex(script, names, exports.Lines(order, [rows], [row_lengths]))
    return downloads, offline


def _written(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def note_exports(changes: Comparison, downloads: exports.Downloads, offline: exports.OfflineIndex) -> None:
    if changes.recording:   # a build that keeps a record
        changes.record.downloads = (downloads.lines.order, zlib.crc32(downloads.json), zlib.crc32(downloads.csv),
                                    *downloads.lines.lengths)
        changes.record.offline = (zlib.crc32(offline.script), offline.names, offline.lines.lengths[0])
        changes.downloads, changes.offline = downloads, offline


# ---------------------------------------------------------------------------
# The record on disk


def record_path(output: Path) -> Path:
    return cache_path(output, "record")


def read_record(output: Path) -> Record | None:
    """The previous build's record, when there is one that describes the site in place."""
    if not (output / ".hindsight-site").is_file():
        return None
    data = store.read_sealed(record_path(output), "record", RECORD_VERSION)
    try:
        fingerprint, digests, pages, sheets, downloads, offline, rendered, sizes = data
        order, json_sum, csv_sum, json_lengths, csv_lengths = downloads
        offline_sum, names, row_lengths = offline
        if not (isinstance(fingerprint, str) and isinstance(digests, dict) and isinstance(pages, dict)
                and isinstance(sheets, dict) and isinstance(rendered, int) and isinstance(sizes, dict)
                and all(isinstance(part, list) for part in (order, json_lengths, csv_lengths, names, row_lengths))
                and len(order) == len(json_lengths) == len(csv_lengths) == len(row_lengths)
                and all(isinstance(part, int) for part in (json_sum, csv_sum, offline_sum))):
            return None
        return Record(fingerprint, digests, pages, sheets, downloads, offline, rendered, sizes)
    except (TypeError, ValueError):
        return None


def forget_record(output: Path) -> None:
    """Remove the record before the site changes, so a stale one is never trusted."""
    record_path(output).unlink(missing_ok=True)


def write_record(output: Path, record: Record) -> None:
    store.write_sealed(record_path(output), "record", RECORD_VERSION,
                         (record.fingerprint, record.digests, record.pages, record.sheets, record.downloads,
                          record.offline, record.rendered, record.sizes))
