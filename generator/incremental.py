"""Incremental rebuilds: which pages must be rendered again, and the record that says so.

Consumes this build's page plans, the archive and its links, and the record the previous
build left; produces the pages to render, the pages to keep as they are, and after
rendering the new record. While a page renders, `pages.SiteView` notes every part it reads
(a claim, a speaker, a question, an article); the plan's own values (titles, counts,
neighbours, the ids it lists) are summed up in a digest. A page is rendered again when it is
new, when its plan digest changed, or when any part it read changed. A change to the
templates, to the generator's code, to the site settings, the published address or the text
pages' titles (in every page's navigation) renders everything.

The record is kept outside the site folder, in `.hindsight-cache/` beside it, so it is never
published. It is removed before the new site is swapped in and written again only after,
so it always describes the site that is in place; without a trustworthy record the build
renders every page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.linking import Links
from generator.model import Archive, Article, Claim, Person, Topic
from generator.pages import Page, SiteView, part_key

RECORD_VERSION = 1
CODE = Path(__file__).resolve().parent


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def part_digests(archive: Archive, links: Links) -> dict[str, str]:
    """A digest of every claim, speaker, question and article, by part key."""
    digests = {f"claim:{claim.id}": _digest(repr(claim)) for claim in links.claims.values()}
    digests.update((f"person:{person.id}", _digest(repr(person))) for person in archive.people.values())
    digests.update((f"topic:{topic.id}", _digest(repr(topic))) for topic in archive.topics.values())
    for article in archive.articles:   # its claims count as parts of their own
        fields = {name: value for name, value in vars(article).items() if name != "claims"}
        fields["claims"] = [claim.id for claim in article.claims]
        digests[f"article:{article.slug}"] = _digest(repr(fields))
    return digests


def fingerprint(view: SiteView) -> str:
    """What every page depends on: templates, code, site settings, address, text pages' titles."""
    parts = [f"record {RECORD_VERSION}", repr(view.archive.site), view.base_url, repr(view.text_pages)]
    for folder in (view.templates, CODE):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                parts.append(f"{path.relative_to(folder)} {hashlib.blake2b(path.read_bytes()).hexdigest()}")
    return _digest("\n".join(parts))


def plan_digest(page: Page) -> tuple[str, set[str]]:
    """A digest of a page's plan, and the parts of the model its values refer to.

    Parts (claims, speakers, questions, articles) enter the digest by key only: their content
    is compared through their own digests."""
    parts: set[str] = set()
    words: list[str] = [page.path, page.template, page.title, page.section]
    _describe(page.values, parts, words)
    return _digest("\x1f".join(words)), parts


def _describe(value: Any, parts: set[str], words: list[str]) -> None:
    if isinstance(value, (Claim, Person, Topic, Article)):
        key = part_key(value)
        parts.add(key)
        words.append(key)
    elif isinstance(value, SiteView):
        words.append("view")
    elif isinstance(value, (str, int, float, bool, type(None), dt.date)):
        words.append(repr(value))
    elif isinstance(value, dict):
        words.append("{")
        for key, item in value.items():
            words.append(repr(key))
            _describe(item, parts, words)
        words.append("}")
    elif isinstance(value, (list, tuple)):
        words.append("[")
        for item in value:
            _describe(item, parts, words)
        words.append("]")
    elif hasattr(value, "__dict__"):   # the plans' own small dataclasses: links, neighbours, pagers
        words.append(type(value).__name__)
        _describe(vars(value), parts, words)
    else:
        raise TypeError(f"cannot tell whether a {type(value).__name__} in a page plan changed")


@dataclass
class Record:
    """What the last build rendered, from what: enough to tell which pages changed since."""

    fingerprint: str
    digests: dict[str, str] = field(default_factory=dict)          # part key -> digest
    pages: dict[str, tuple[str, list[str]]] = field(default_factory=dict)   # path -> (plan digest, parts read)


@dataclass
class Comparison:
    """This build's pages sorted into those to render and those kept from the previous site."""

    record: Record
    stale: list[Page]
    kept: list[str]
    plans: dict[str, tuple[str, set[str]]]   # path -> (plan digest, parts in its values)

    def note_reads(self, reads: dict[str, set[str]]) -> None:
        """Add what the pages just rendered read, to the record of this build."""
        if not self.plans:
            return
        for path, parts in reads.items():
            digest, in_values = self.plans[path]
            self.record.pages[path] = (digest, sorted(parts | in_values))


def compare(pages: list[Page], previous: Record | None, archive: Archive, links: Links,
            keep_record: bool = True) -> Comparison:
    """Which pages to render: all of them without a usable previous record. Without
    `keep_record` (a full build that keeps no record), nothing is compared or digested."""
    if not keep_record:
        return Comparison(Record(""), list(pages), [], {})
    view: SiteView = pages[0].values["view"] if pages else None
    record = Record(fingerprint(view) if view else "", part_digests(archive, links))
    plans = {page.path: plan_digest(page) for page in pages}
    comparison = Comparison(record, [], [], plans)
    usable = previous is not None and previous.fingerprint == record.fingerprint
    for page in pages:
        before = previous.pages.get(page.path) if usable else None
        if before is not None and before[0] == plans[page.path][0] and all(
                previous.digests.get(key) == record.digests.get(key) for key in before[1]):
            comparison.kept.append(page.path)
            record.pages[page.path] = before
        else:
            comparison.stale.append(page)
    return comparison


# ---------------------------------------------------------------------------
# The record on disk


def record_path(output: Path) -> Path:
    output = output.resolve()
    return output.parent / ".hindsight-cache" / f"{output.name}.record.json"


def read_record(output: Path) -> Record | None:
    """The previous build's record, when there is one that describes the site in place."""
    path = record_path(output)
    if not (output / ".hindsight-site").is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("version") != RECORD_VERSION:
            return None
        return Record(data["fingerprint"], data["digests"],
                      {page: (digest, parts) for page, (digest, parts) in data["pages"].items()})
    except (OSError, ValueError, KeyError, TypeError):
        return None


def forget_record(output: Path) -> None:
    """Remove the record before the site changes, so a stale one is never trusted."""
    record_path(output).unlink(missing_ok=True)


def write_record(output: Path, record: Record) -> None:
    path = record_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(json.dumps({"version": RECORD_VERSION, "fingerprint": record.fingerprint,
                                     "digests": record.digests, "pages": record.pages},
                                    separators=(",", ":"), sort_keys=True), "utf-8")   # pages end in any order
    os.replace(temporary, path)
