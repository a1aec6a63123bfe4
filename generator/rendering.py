"""Rendering stage: every page to bytes, a batch at a time, and the exports beside them.

Consumes the page plans (`pages.plan_pages`) and the comparison that says which to render
(`incremental.record.compare`); produces the files, written into the staging folder in
batches so the site is never all in memory. A large site is rendered by several processes
(`parallel`); the exports (feeds, downloads, offline search index) are made beside it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

from generator import exports, feeds, parallel, writers
from generator.incremental.record import Comparison, note_exports, previous_exports, stale_lines
from generator.linking import Links, SimilarLater
from generator.memory import give_back_freed_memory
from generator.model import Archive
from generator.pages import Page, render_page, with_similar


def render(pages: list[Page], templates: Path, changes: Comparison, staging: Path,
           processes: int = 1, beside=None, later: tuple[SimilarLater, Links] | None = None,
           written: dict[str, int] | None = None) -> Iterator[dict[str, bytes]]:
    """Each page to bytes, a batch at a time, for `write`; what each page read is added to
    this build's record. `beside`, when given, is more work to do meanwhile (the exports),
    given `staging` to write into (after the pages, in one process); it returns the files it
    wrote and their sizes. The files written here rather than by `write` (by `beside`, by
    forked processes) are added to `written` with their sizes, when it is given.

    A large site is rendered by this process and `processes` - 1 forked ones (rendering is
    pure Python, and a process per core is the only way to use more than one). Each takes
    the next batch not yet taken until none is left, so all finish together however the
    work falls, and `beside` is the first forked process's first job. This process renders
    too rather than wait: every forked process copies much of this one's memory page by
    page as it touches its objects (their reference counts; some 200,000 page faults for a
    render process at 100,000 claims), so the fewer the better. Forked processes write the
    pages they render into `staging` themselves (their time counts as render time then):
    the pages are not sent back through a pipe. Forking is for the command line: a caller
    with busy threads (the live preview) asks for one process.

    `later`, when given, holds the similar statements still being found by a forked process
    and the links they go into: the pages that show none (all but claim pages) are rendered
    first, by this process alone while they are found (then `beside`, if they are still not
    found); then they are added to the links and the claim pages' plans, and the other render
    processes are forked (they need them)."""
    if later is not None:
        pages = [page for page in pages if page.template != "claim.html"] + \
                [page for page in pages if page.template == "claim.html"]
        waiting = sum(page.template != "claim.html" for page in pages)   # pages that need no similar statements
    else:
        waiting = 0
    ranges = _batches(0, waiting) + _batches(waiting, len(pages))
    processes = min(processes, os.cpu_count() or 1)
    recording = changes.recording
    if len(pages) < PARALLEL_FROM or processes < 2:
        for bounds in ranges:
            if later is not None and bounds[0] >= waiting:
                with_similar(pages, later[0].fill(later[1]))
                later = None
            files, reads = _render_batch(pages, templates, recording, bounds)
            changes.note_reads(reads)
            yield files
        if later is not None:
            with_similar(pages, later[0].fill(later[1]))
        if beside is not None:
            _note_written(written, beside(staging))
        return
    batches = parallel.Batches(len(ranges))   # taken by every process, the next one each time
    taken = batches.taken
    if later is not None:   # alone until the similar statements are found, or only claim pages are left
        while not later[0].ready() and taken.value < len(ranges) and ranges[taken.value][1] <= waiting:
            bounds = ranges[taken.value]
            taken.value += 1
            files, reads = _render_batch(pages, templates, recording, bounds)
            changes.note_reads(reads)
            yield files
        if beside is not None and not later[0].ready():   # nothing else to do here until they are found
            _note_written(written, beside(staging))
            beside = None
        with_similar(pages, later[0].fill(later[1]))
    give_back_freed_memory()   # or each forked process would start with a share of it, and copy it as it is reused
    work = (pages, templates, staging, recording, ranges, batches, beside)
    with batches.forked(work, processes - 1) as pool:
        others = [pool.apply_async(parallel.run, (_render_share, number == 0)) for number in range(processes - 1)]
        for number in batches.take():
            files, reads = _render_batch(pages, templates, recording, ranges[number])
            changes.note_reads(reads)
            yield files
        for other in others:
            reads, made = other.get()
            changes.note_reads(reads)   # the record is a mapping: the order batches end in does not matter
            _note_written(written, made)


def _note_written(written: dict[str, int] | None, made: dict[str, int]) -> None:
    if written is not None:
        written.update(made)


def _batches(first: int, end: int) -> list[tuple[int, int]]:
    return [(start, min(start + BATCH, end)) for start in range(first, end, BATCH)]


BATCH = 1000
PARALLEL_FROM = 8000     # below this, starting workers costs more than it saves


def _render_batch(pages: list[Page], templates: Path, recording: bool,
                  bounds: tuple[int, int]) -> tuple[dict[str, bytes], dict[str, set[str]]]:
    """Pages `bounds` rendered; with `recording` (an incremental build), what each read. A full
    build keeps no record, and 124,000 pages' reads cost seconds to send back from a worker."""
    files, reads = {}, {}
    for page in pages[bounds[0]:bounds[1]]:
        read = reads[page.path] = set() if recording else None
        files[page.path] = render_page(page, templates, read)
    return files, reads


def _render_share(work: tuple, first: bool) -> tuple[dict[str, set[str]], dict[str, int]]:
    """A forked process's share: the work `beside` first if it is the `first`, then batches
    until none is left. Returns what each page read and the files written, with their sizes."""
    pages, templates, staging, recording, ranges, batches, beside = work
    made: dict[str, int] = {}
    if first and beside is not None:
        made.update(beside(staging))
    reads: dict[str, set[str]] = {}
    for number in batches.take():
        files, found = _render_batch(pages, templates, recording, ranges[number])
        write(staging, files, made)
        reads.update(found)
    return reads, made


def export(archive: Archive, links: Links, pages: list[Page], changes: Comparison | None = None,
           output: Path | None = None, into: Path | None = None) -> dict[str, bytes]:
    """Feeds and downloads: Atom, sitemap, JSON, CSV and the offline search index. In an
    incremental build, the lines of the downloads and the rows of the offline search index
    of claims made from unchanged parts are copied from the site in place. With `into` (a
    full build's staging folder: it keeps no record of their lines), the downloads and the
    offline search index are written there line by line instead, and the rest returned."""
    listed = [page.path for page in pages if page.path != "404.html"]
    feeds_made = {"feed.xml": feeds.atom_feed(archive, links),
                  "sitemap.xml": feeds.sitemap(listed, archive.site.base_url)}
    if into is not None:
        exports.write_downloads(archive, links, into / "claims.json", into / "claims.csv")
        exports.write_offline_index(archive, links, into / "search-fallback.js")
        return feeds_made
    downloads_before = offline_before = stale = stale_rows = None
    if changes is not None and changes.recording and output is not None:
        downloads_before, offline_before = previous_exports(changes, output)
        stale, stale_rows = stale_lines(changes, links)
    downloads = exports.downloads(archive, links, downloads_before and downloads_before.lines, stale)
    offline = exports.offline_index(archive, links, offline_before, stale_rows)
    if changes is not None:
        note_exports(changes, downloads, offline)
    return {
        **feeds_made,
        "claims.json": downloads.json,
        "claims.csv": downloads.csv,
        "search-fallback.js": offline.script,
    }


class Exporting:
    """The exports of a build: made beside rendering (`beside`, a job for `render`) or when
    `finish` is called."""

    def __init__(self, make, beside: bool = False) -> None:
        self._make = make
        self.beside = functools.partial(_export_and_write, make) if beside else None

    def finish(self) -> dict[str, bytes]:
        """The export files still to write: none when they were written beside rendering."""
        return {} if self.beside is not None else self._make()


def export_beside(archive: Archive, links: Links, pages: list[Page], changes: Comparison, output: Path
                  ) -> Exporting:
    """The exports of a full build are made and written beside rendering, by a forked render
    process when the site is large (they take a tenth of the work and need nothing
    rendered), or by this one while it waits for similar statements (see `render`). An incremental build makes them after rendering: it copies unchanged claims'
    lines and notes what it wrote in this build's record."""
    make = functools.partial(export, archive, links, pages, changes, output)
    return Exporting(make, beside=not changes.recording)


def _export_and_write(make, staging: Path) -> dict[str, int]:
    try:
        files = make(into=staging)
    except Exception as error:
        raise RuntimeError(f"writing the exports failed: {type(error).__name__}: {error}") from error
    made: dict[str, int] = {name: (staging / name).stat().st_size for name in WRITTEN_AS_MADE}
    write(staging, files, made)
    return made


WRITTEN_AS_MADE = ("claims.json", "claims.csv", "search-fallback.js")   # the files `export` writes itself, given `into`


def write(staging: Path, files: dict[str, bytes], written: dict[str, int] | None = None) -> None:
    """Write `files` into the staging folder; their sizes are noted in `written`, when given."""
    writers.write_files(staging, files)
    if written is not None:
        written.update((path, len(data)) for path, data in files.items())
