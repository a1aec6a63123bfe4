"""Indexing stage: builds the Pagefind search index of a written site, one bundle per year.

Consumes the staging folder (finished HTML pages, before it is swapped into place) and the
day each claim page's claim was said; produces `pagefind/<shard>/`, one Pagefind bundle per
shard, and `pagefind/shards.json`, the list the search page loads (the first bundle, then the
others merged into it with Pagefind's `mergeIndex`). Only claim pages carry
`data-pagefind-body`, so results are claims; their filters (speaker, topic, year, outlet,
outcome) and the `said` sort come from attributes in the claim template.

A shard is the claims said in one year (a sparse decade's claims together, undated claims
on their own; see `plan_shards`): Pagefind holds a whole bundle in memory while it indexes,
so an archive of 100,000 claims is indexed in pieces of a few thousand, at most `processes`
at a time, and a changed claim re-indexes only its own year. A year never spans two shards,
which is what lets the search page sort across them. Each shard is indexed from a temporary
folder of hard links to its pages, so result addresses stay `claims/<id>/index.html`. An
incremental build hands in the previous build's `Record`: a shard whose pages read the same
to Pagefind (`indexed_part`) is linked from the site in place instead of indexed again. Each
bundle depends only on its own pages, so the result is the one a full build makes.

Pagefind writes its filter indexes in hash-map order, which changes from run to run
(upstream issue Pagefind/pagefind#638). `make_reproducible` rewrites those few files with
their entries sorted, renames them by their new content hash and updates the references,
so the same pages always give the same bundle, byte for byte.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import publishing, writers
from generator.incremental import store

SIGNATURE = b"pagefind_dcd"
UNDATED = "undated"
QUESTIONS = "questions"  # the shard of the questions' pages (the others are the claims', by year)
SMALL_DECADE = 1000      # claims; see plan_shards
MANIFEST = "shards.json"
BUNDLES = "pagefind"     # the folder in the site that holds the bundles and the manifest
RECORD_VERSION = 1
# Pagefind's ready-made interfaces: the search page uses its JavaScript API only.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


def plan_shards(said: dict[str, dt.date | None]) -> dict[str, list[str]]:
    """Claim pages (path -> day said) by shard. A shard is one year, named by it ("2019"); a
    decade of fewer than SMALL_DECADE claims is one shard ("1990-1999"), so an archive with
    a long thin past does not make the search page load a bundle for every sparse year; no
    date, the undated shard. An edit moves a decade across the line only by a claim, and
    then only that decade's shards change."""
    decades = Counter(day.year // 10 for day in said.values() if day is not None)
    shards: dict[str, list[str]] = {}
    for path, day in said.items():
        if day is None:
            name = UNDATED
        elif decades[day.year // 10] < SMALL_DECADE:
            first = day.year // 10 * 10
            name = f"{first:04d}-{first + 9:04d}"
        else:
            name = f"{day.year:04d}"
        shards.setdefault(name, []).append(path)
    return shards


@dataclass
class Record:
    """What the last build indexed: enough to tell which shards' pages changed since."""

    fingerprint: str
    shards: dict[str, str] = field(default_factory=dict)        # shard -> digest of its pages
    files: dict[str, list] = field(default_factory=dict)        # page -> [inode, size, mtime_ns, digest]


@dataclass
class Deferred:
    """What a build left as the previous build made it (`pages_first`): the search index
    shards it kept with their previous bundle, and the feeds of the verdict history it kept
    (`feeds`: their paths), for the build straight after to bring up to date."""

    shards: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.shards or self.feeds)


_deferring: contextvars.ContextVar[Deferred | None] = contextvars.ContextVar("deferring", default=None)


@contextlib.contextmanager
def pages_first() -> Iterator[Deferred]:
    """Within: an incremental build publishes its pages without waiting for Pagefind. A shard
    whose pages changed keeps its previous bundle, and the record says the bundle is of the
    previous pages, so the next incremental build indexes it (the live preview runs one
    straight after). A shard with no previous bundle is indexed as always."""
    deferred = Deferred()
    token = _deferring.set(deferred)
    try:
        yield deferred
    finally:
        _deferring.reset(token)


def deferring() -> Deferred | None:
    """The `pages_first` in force, if any."""
    return _deferring.get()


def index_site(site: Path, language: str, shards: dict[str, list[str]], previous_site: Path | None = None,
               previous: Record | None = None, processes: int = 2,
               keep_record: bool = False, present: frozenset[str] = frozenset()) -> tuple[list[str], Record | None]:
    """Index each shard's pages (shard -> page paths) into `site/pagefind/<shard>/`.

    With `keep_record`, returns the record of this index for the next build; a shard whose
    digest is in `previous` and whose bundle is in `previous_site` is linked from there,
    unless `site` holds it already (`present`: shards whose bundle `site` has, the very files
    of `previous_site`'s). A present shard indexed again, or gone, is removed first."""
    notes: list[str] = []
    language = language.split("-")[0].lower()
    names = sorted(shards, key=lambda name: (name == UNDATED, name))
    record = Record(_fingerprint(language)) if keep_record else None
    usable = (record is not None and previous is not None and previous_site is not None
              and previous.fingerprint == record.fingerprint)
    if record is not None:
        for name in names:
            record.shards[name] = _shard_digest(site, record.fingerprint, shards[name],
                                                previous.files if usable else {}, record.files)
    bundles = site / BUNDLES
    stale = []
    deferring = _deferring.get()
    for name in names:
        old = previous_site / "pagefind" / name if usable else None
        kept = usable and name in previous.shards and (old / "pagefind-entry.json").is_file()
        if kept and previous.shards[name] != record.shards[name] and deferring is not None:
            record.shards[name] = previous.shards[name]   # the bundle kept is the previous pages'
            deferring.shards.append(name)
        elif not kept or previous.shards[name] != record.shards[name]:
            stale.append(name)
            continue
        if name not in present:
            writers.link_tree(old, bundles / name)
    for name in sorted(present - (set(names) - set(stale))):   # not kept as it is
        shutil.rmtree(bundles / name, ignore_errors=True)
    if stale:
        sources = Path(tempfile.mkdtemp(prefix=site.name + ".search.", suffix=".building", dir=site.parent))
        try:
            # The largest shards first, so the processes finish together.
            stale.sort(key=lambda name: (-len(shards[name]), name))
            with ThreadPoolExecutor(max(1, processes)) as pool:
                done = list(pool.map(lambda name: _index_shard(site, sources / name, shards[name], bundles / name,
                                                               language), stale))
        finally:
            shutil.rmtree(sources, ignore_errors=True)
        for name, note in zip(stale, done):
            if note:
                notes.append(note)
                if record is not None:   # not reproducible: never reuse it
                    del record.shards[name]
    bundles.mkdir(exist_ok=True)
    (bundles / MANIFEST).write_bytes(json.dumps({"shards": names}, separators=(",", ":")).encode("utf-8"))
    return sorted(set(notes)), record


def _index_shard(site: Path, source: Path, pages: list[str], bundle: Path, language: str) -> str | None:
    """One Pagefind process over one shard's pages; returns a note when it could not be made reproducible."""
    writers.link_files(site, source, pages)
    command = [*_pagefind(), "--site", str(source), "--output-path", str(bundle), "--keep-index-url",
               "--glob", "{claims,topics}/**/*.{html}", "--force-language", language, "--quiet"]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"could not run Pagefind: {error}") from error
    finally:
        shutil.rmtree(source, ignore_errors=True)
    if finished.returncode != 0 or not (bundle / "pagefind.js").is_file():
        output = (finished.stdout + finished.stderr).strip()
        raise SearchIndexError(f"Pagefind failed on the {bundle.name} shard (exit {finished.returncode}): {output}")
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)
    check_bundle(bundle, len(pages))
    try:
        make_reproducible(bundle)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        # Search still works; only byte-identical rebuilds are lost until this is updated.
        return (f"the search index could not be made reproducible (a new Pagefind version?): {error!r}; "
                "see make_reproducible in generator/search.py")
    return None


BUNDLE_FILES = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")   # besides those the entry names


def check_bundle(bundle: Path, pages: int) -> None:
    """Refuse a bundle the search page could not use: a file missing or empty (a full disk
    while Pagefind wrote it exits 0 all the same), an entry file that is not the JSON it should
    be, or an index of fewer pages than it was given. The build then keeps the site in place."""
    def fault(what: str) -> SearchIndexError:
        return SearchIndexError(f"the search index of the {bundle.name} shard is broken: {what}; nothing was "
                                "published (is the disk full?)")

    for name in BUNDLE_FILES:
        if not (bundle / name).is_file() or (bundle / name).stat().st_size == 0:
            raise fault(f"{name} is missing or empty")
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
        languages = entry["languages"].values()
        indexed = sum(int(language["page_count"]) for language in languages)
        needed = [f"pagefind.{language['hash']}.pf_meta" for language in languages] + \
            [f"wasm.{language['wasm']}.pagefind" for language in languages]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise fault(f"pagefind-entry.json cannot be read ({error})") from error
    if indexed < pages:
        raise fault(f"it holds {indexed} of its {pages} pages")
    for name in needed:
        if not (bundle / name).is_file():
            raise fault(f"{name} is missing")
    for folder, _, names in os.walk(bundle):
        for name in names:
            if os.path.getsize(os.path.join(folder, name)) == 0:
                raise fault(f"{os.path.relpath(os.path.join(folder, name), bundle)} is empty")


def _pagefind() -> list[str]:
    """The Pagefind binary itself when its package is installed (starting Python for each
    shard costs half a second), else its Python launcher."""
    try:
        from pagefind_bin import get_executable
        return [str(get_executable())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "pagefind"]


def _fingerprint(language: str) -> str:
    """What every bundle depends on besides its pages: this code, the Pagefind binary, the language."""
    binary = Path(_pagefind()[0])
    about = binary.stat() if binary.is_file() else None
    parts = [f"record {RECORD_VERSION}", language, str(binary), f"{about.st_size} {about.st_mtime_ns}" if about else "",
             hashlib.blake2b(Path(__file__).read_bytes()).hexdigest()]
    return _digest("\n".join(parts).encode("utf-8"))


def _digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def _shard_digest(site: Path, fingerprint: str, pages: list[str], previous_files: dict[str, list],
                  files: dict[str, list]) -> str:
    """A digest of the shard's pages: each one's path and the part of it Pagefind reads. A page
    whose inode, size and modification time are those recorded (a page kept from the previous
    site, hard-linked) is not read again."""
    lines = [fingerprint]
    folder = str(site)
    for path in sorted(pages):
        file = os.path.join(folder, path)
        about = os.stat(file)
        known = previous_files.get(path)
        if known is not None and known[:3] == [about.st_ino, about.st_size, about.st_mtime_ns]:
            digest = known[3]
        else:
            with open(file, "rb") as page:
                digest = _digest(indexed_part(page.read()))
        files[path] = [about.st_ino, about.st_size, about.st_mtime_ns, digest]
        lines.append(f"{path} {digest}")
    return _digest("\n".join(lines).encode("utf-8"))


_OUTSIDE_THE_BODY = re.compile(rb"data-pagefind-|<h1[\s>]|<img[\s>/]", re.IGNORECASE)


def indexed_part(html: bytes) -> bytes:
    """The bytes of a page that its index entry depends on: everything up to the end of its
    `data-pagefind-body` element. Pagefind reads past it only for attributes it is told to
    (`data-pagefind-*`) and for a first heading or an image after the heading, so a page
    with any of those after the body counts whole. A claim page's list of related claims,
    after the body, changes whenever a neighbour's statement does: this keeps such edits from
    re-indexing every year the neighbours were said in."""
    marked = html.find(b"data-pagefind-body")
    opening = html.rfind(b"<", 0, marked)
    tag = re.match(rb"<([A-Za-z][A-Za-z0-9-]*)", html[opening:]) if marked >= 0 and opening >= 0 else None
    if tag is None:
        return html
    depth, end = 0, -1
    for found in re.finditer(rb"<(/?)" + re.escape(tag.group(1)) + rb"[\s>/]", html[opening:], re.IGNORECASE):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            end = html.index(b">", opening + found.end() - 1) + 1
            break
    if end < 0 or _OUTSIDE_THE_BODY.search(html, end):
        return html
    return html[:end]


# ---------------------------------------------------------------------------
# The record on disk, beside the site (never in it), like the incremental build's


def record_path(output: Path) -> Path:
    return store.cache_path(output, "search")


def read_record(output: Path) -> Record | None:
    """The previous build's search record, when there is one that describes the site in place."""
    if not (output / publishing.MARKER).is_file():
        return None
    data = store.read_sealed(record_path(output), "search", RECORD_VERSION)
    try:
        fingerprint, shards, files = data
        if not (isinstance(fingerprint, str) and isinstance(shards, dict) and isinstance(files, dict)):
            return None
        return Record(fingerprint, shards, files)
    except (TypeError, ValueError):
        return None


def forget_record(output: Path) -> None:
    """Remove the record before the site changes, so a stale one is never trusted."""
    record_path(output).unlink(missing_ok=True)


def write_record(output: Path, record: Record) -> None:
    store.write_sealed(record_path(output), "search", RECORD_VERSION, (record.fingerprint, record.shards, record.files))


# ---------------------------------------------------------------------------
# Reproducible filter indexes


def _read_cbor(raw: bytes, at: int = 0) -> tuple[Any, int]:
    """Decode the subset of CBOR Pagefind writes: integers, strings, bytes, arrays, maps."""
    head = raw[at]
    major, extra = head >> 5, head & 31
    at += 1
    if extra < 24:
        value = extra
    elif extra in (24, 25, 26, 27):
        width = 1 << (extra - 24)
        value = int.from_bytes(raw[at:at + width], "big")
        at += width
    else:
        raise ValueError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major == 2:
        return bytes(raw[at:at + value]), at + value
    if major == 3:
        return raw[at:at + value].decode("utf-8"), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _read_cbor(raw, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, at = _read_cbor(raw, at)
            mapping[key], at = _read_cbor(raw, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR item {head:#x}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * width):
            return bytes([major << 5 | extra]) + value.to_bytes(width, "big")
    raise ValueError("integer too large")


def _write_cbor(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError("unsupported CBOR value")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_write_cbor(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_write_cbor(k) + _write_cbor(v) for k, v in value.items())
    raise ValueError(f"unsupported CBOR value {type(value)}")


def _load(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind index file")
    value, end = _read_cbor(raw, len(SIGNATURE))
    if end != len(raw):
        raise ValueError(f"{path.name} has trailing bytes")
    return value


def _dump(value: Any) -> tuple[bytes, str]:
    raw = SIGNATURE + _write_cbor(value)
    return gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()


def make_reproducible(bundle: Path) -> None:
    """Sort Pagefind's filter indexes and rename them (and the metadata) by content hash.

    Everything is read and re-encoded first; files change only when the whole bundle was
    understood, so an unexpected layout leaves Pagefind's own output untouched."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    writes: dict[Path, bytes] = {}
    removals: list[Path] = []
    for language, details in entry["languages"].items():
        meta_path = bundle / f"pagefind.{details['hash']}.pf_meta"
        meta = _load(meta_path)
        renamed = []
        for name, old_hash in meta[3]:
            old_path = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = _load(old_path)
            values = sorted(([value, sorted(pages)] for value, pages in values), key=lambda item: item[0])
            packed, digest = _dump([filter_name, values])
            new_hash = f"{language}_{digest[:7]}"
            removals.append(old_path)
            writes[bundle / "filter" / f"{new_hash}.pf_filter"] = packed
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed)
        packed, digest = _dump(meta)
        details["hash"] = f"{language}_{digest[:10]}"
        removals.append(meta_path)
        writes[bundle / f"pagefind.{details['hash']}.pf_meta"] = packed
    writes[entry_path] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    for path in removals:
        path.unlink()
    for path, packed in writes.items():
        path.write_bytes(packed)


def index_staged(staging: Path, shards: dict[str, list[str]], language: str, output: Path, processes: int,
                 incremental: bool) -> tuple[list[str], Record | None]:
    """Pagefind over a build's staging folder, a shard per year said (or decade: `plan_shards`);
    an archive without claims has nothing to index. An incremental build indexes again only
    the shards whose pages changed, and returns the record that says so for the next one."""
    if not shards:
        return [], None
    previous = read_record(output) if incremental else None
    return index_site(staging, language, shards, output, previous, min(processes, os.cpu_count() or 1),
                      keep_record=incremental, present=_shards_in(staging) if incremental else frozenset())


def _shards_in(staging: Path) -> frozenset[str]:
    """The search index shards the staging folder holds already: those the live preview's
    spare shares with the site in place (`build.keep`); none in any other build."""
    try:
        with os.scandir(staging / BUNDLES) as entries:
            return frozenset(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        return frozenset()
