"""The build pipeline: content folder in, finished site folder out.

`build()` reads as the table of contents: load the content, validate it, read the verdict
history from git, link claims across years, plan every page, compare with the last build, render and export, write into a staging
folder, index it for search, and swap it into place. Whether a build is full or incremental
is decided once, at the top (`Reuse`); each stage takes that one object, or nothing. Only
writing, indexing and the swap touch the site folder. A build that stops at any step leaves
the previous site untouched. `BuildResult.stages` holds each step's wall time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator import exports, feeds, publishing, search, writers
from generator.contents import check_schemas, model_archive, read_content
from generator.history import (History, HistoryCache, correction_warnings, read_history,
                               timeline)
from generator.incremental.preview import PreviewState
from generator.incremental import store
from generator.incremental.record import Comparison, compare, forget_record
from generator.incremental.reuse import Reuse, SheetsBefore
from generator.linking import Links, SimilarLater, link_archive, link_later, may_link_later, similar_inputs
from generator.memory import give_back_freed_memory, let_go_of_archive_text, without_cycle_collection
from generator.model import Archive
from generator.pages import TEMPLATES, Page, plan_pages
from generator.problems import Problem
from generator.rendering import export_beside, render, write
from generator.review import LeftOut, reviewed_only
from generator.scaffolding import transparency_warnings
from generator.timing import Stages
from generator.validation import ContentFiles, check_archive


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    output: Path = Path("site")
    base_url: str | None = None      # None: content/site.yaml's base_url
    search: bool = True
    drafts: bool = False              # also claims not yet reviewed, each marked: the live preview's, never published
    extract: bool = False             # extract seeds that have no sheet yet or whose text changed (the live preview)
    incremental: bool = False         # render only pages whose inputs changed since the last build
    processes: int = 2                # processes that render a large site; 1 renders in this one
    history: bool = True              # read the verdict history from git (the claim pages' timelines, updates)
    templates: Path = TEMPLATES


@dataclass
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # things worth telling the editor, not errors
    left_out: list[str] = field(default_factory=list)   # what the publishing gate left out, and why
    built: bool = False
    base_url: str = ""                 # the published address the site was built for
    pages: int = 0
    rendered: int = 0                  # pages rendered; the others were kept from the previous site
    files: int = 0
    size: int = 0                      # bytes written, search index included
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)   # step -> wall seconds, in order; "similar": beside the others


@without_cycle_collection
def build(options: BuildOptions, preview: PreviewState | None = None) -> BuildResult:
    """One build at a time per output folder: a second one waits for the first to finish, then
    builds from the content as it is then. A build killed earlier is cleaned up first.

    A long-running process (the live preview) hands in the same `preview` state to each
    incremental build: what the last one read and made is kept there instead of being read back."""
    with publishing.build_lock(options.output, on_wait=_say_waiting):
        publishing.recover(options.output)
        return _build(options, preview)


def _say_waiting(output: Path) -> None:
    print(f"hindsight build: another build of {output} is running; waiting for it to finish", file=sys.stderr,
          flush=True)


def _build(options: BuildOptions, preview: PreviewState | None = None) -> BuildResult:
    started, stages = time.monotonic(), Stages()
    timed = stages.timed
    reuse = Reuse(options.output, preview) if options.incremental else None   # full or incremental: decided here
    reading = HistoryRead(options) if options.history and preview is None else None   # beside load and validate
    with timed("extract"):
        extracted = extract_seeds(options)
    later = SimilarLater() if reuse is None and may_link_later(options.content, options.processes) \
        else None   # forked now, while this process is small
    try:
        with timed("load"):
            loaded = load(options.content, options.processes, reuse)
        if later is not None and not link_later(loaded.files):   # found sooner by linking itself
            later.close()
            later = None
        with timed("validate"):
            archive, problems, left_out = validate(loaded, reuse, later, options.drafts)
        if reuse is not None:
            with timed("load"):
                reuse.keep_sheets(loaded.files)
        sheets = loaded.files.digests
        if archive is not None:
            with timed("history"):
                shown, said = verdict_history(options, archive, reading)
        del loaded   # the documents read are let go once modelled: they hold every value's position
        if reuse is None:   # it forks later: see `render`
            give_back_freed_memory()
        if archive is None:
            return BuildResult(problems=problems, notes=extracted, stages=stages.seconds)
        if options.base_url:   # the address given for this build, in place of site.yaml's: set once, here
            archive = dataclasses.replace(archive, site=dataclasses.replace(archive.site, base_url=options.base_url))
        with timed("link"):
            links = link(archive, options.processes, reuse, later)
        staged = write_site(options, reuse, stages, archive, sheets, links, later, shown)
        let_go = reuse is None and options.search   # Pagefind next: it needs none of it
        if let_go:
            del archive, links   # and `publish_site` lets go of the rest (`Staged.let_go`)
        result = publish_site(options, reuse, started, stages, staged, problems, let_go)
        result.left_out = left_out.lines() if left_out is not None else []
        result.notes[:0] = extracted + said
        if later is not None and later.seconds is not None:
            result.stages["similar"] = later.seconds   # beside plan and render: not to be added to them
        return result
    finally:
        if later is not None:
            later.close()
        if reading is not None:
            reading.stop()


@dataclass
class Staged:
    """A site written into its staging folder, and what the steps after it need of the
    build: the files and bytes written (`tally`), the claim pages by search index shard, and,
    until `let_go` (a full build, before Pagefind runs: nothing after needs them), the
    comparison that sorted the pages, the files written and the pages themselves."""

    staging: Path
    counted: tuple[int, int]                 # files and bytes in the staging folder, the search index's aside
    # Each shard's claim pages, their paths a line each: one string per shard, not one per page.
    # Strings made among the archive's objects would keep its memory from going back to the
    # system once it is let go (Python returns a block of memory only when nothing in it lives).
    shards: dict[str, str]
    language: str
    base_url: str                            # the published address the site was built for
    page_count: int
    rendered: int                            # how many pages were rendered (the others were kept)
    changes: Comparison | None
    written: dict[str, int] | None           # path -> bytes of each file this build wrote
    pages: list[Page] | None

    def let_go(self) -> None:
        """Let go of the pages, the comparison and the files written, and so of the archive
        they were made from (a full build holds it nowhere else), and of the
        caches of text from it; then hand that memory back, before Pagefind indexes beside
        this process."""
        self.pages = self.changes = self.written = None
        let_go_of_archive_text()
        give_back_freed_memory()


def write_site(options: BuildOptions, reuse: Reuse | None, stages: Stages, archive: Archive,
               sheets: dict[str, str], links: Links, later: SimilarLater | None,
               shown: Timelines | None = None) -> Staged:
    """Plan every page, sort out those to render, and write the site into a staging folder:
    the pages kept, then those rendered a batch at a time, the exports and feeds, the static files."""
    timed = stages.timed
    shown = shown if shown is not None else Timelines()
    with timed("plan"):
        pages = plan_pages(archive, links, options.templates, reuse.plans if reuse is not None else None,
                           shown.timelines)
    with timed("compare"):
        changes = reuse.compare(pages, archive, links, sheets) if reuse is not None \
            else compare(pages, None, archive, links, keep_record=False)
    staging = publishing.open_staging(options.output)
    written: dict[str, int] = {}
    try:
        with timed("write"):
            keep(staging, options.output, changes, reuse, options.search)
        listed = [page for page in pages if page.template != "card.html"]   # the sitemap: cards are not for search engines
        exporting = export_beside(archive, links, listed, changes, options.output)
        for files in stages.each("render", render(changes.stale, options.templates, changes, staging,
                                                  options.processes, exporting.beside, later and (later, links),
                                                  written)):
            with timed("write"):
                write(staging, files, written)   # a batch at a time: the site is never all in memory
        with timed("export"):
            exported = exporting.finish()
            kept_feeds = whole_site_feeds(archive, links, shown, reuse, exported)
        with timed("write"):
            write(staging, exported, written)
            if kept_feeds:
                writers.link_files(options.output, staging, kept_feeds)
                written.update((path, os.lstat(staging / path).st_size) for path in kept_feeds)
            written.update(publishing.finish(staging, options.templates / "static"))
            counted = tally(staging, changes, written)   # not a walk of the site's folders
        shards = search.plan_shards({page.path: page.values["claim"].said for page in pages
                                     if page.template == "claim.html"}) if options.search else {}
        questions = [page.path for page in pages if page.template == "topic.html" and page.values["pager"].number == 1]
        if options.search and questions:   # found by their words and terms too, in a shard of their own
            shards[search.QUESTIONS] = questions
        return Staged(staging, counted, {name: "\n".join(paths) for name, paths in shards.items()},
                      archive.site.language, archive.site.base_url, len(pages), len(changes.stale), changes, written, pages)
    except BaseException:
        publishing.discard(staging)
        raise


def whole_site_feeds(archive: Archive, links: Links, shown: Timelines, reuse: Reuse | None,
                     exported: dict[str, bytes]) -> list[str]:
    """The feeds made from the whole archive (the verdict history's, ClaimReview's), added to
    `exported`; or, under the live preview's `search.pages_first`, none made when the site in
    place has each of them already: their paths are returned, to be linked from it as they
    are, and the build straight after makes them (each edit changes them, and making them
    is a large part of a rebuild after one)."""
    owners = (tuple(sorted(links.by_speaker)), tuple(sorted(archive.topics)))   # whose feeds there are
    deferred = search.deferring()
    kept = reuse.feeds_to_keep(owners) if reuse is not None and deferred is not None else None
    if kept is not None:
        deferred.feeds = kept
        return kept
    made = feeds.history_feeds(archive, links, shown.timelines)
    made[exports.CLAIMREVIEW_FEED] = exports.claimreview_feed(archive, links)
    exported.update(made)
    if reuse is not None:
        reuse.feeds_made(owners, made)
    return []


def publish_site(options: BuildOptions, reuse: Reuse | None, started: float, stages: Stages, staged: Staged,
                 problems: list[Problem], let_go: bool = False) -> BuildResult:
    """Index the staging folder for search and swap it into place; then keep what the next
    incremental build reuses."""
    timed, staging = stages.timed, staged.staging
    files, size = staged.counted
    shards = {name: paths.split("\n") for name, paths in staged.shards.items()}
    try:
        if let_go:
            with timed("index"):
                staged.let_go()   # before Pagefind's processes start beside this one
        notes, searched = [], None
        if options.search:
            with timed("index"):
                notes, searched = search.index_staged(staging, shards, staged.language, options.output,
                                                        options.processes, options.incremental)
        if (staging / search.BUNDLES).is_dir():
            with timed("index"):
                bundles = writers.files_under(staging, search.BUNDLES)
            files, size = files + len(bundles), size + sum(bundles.values())
            if staged.written is not None:
                staged.written.update(bundles)
        copy = reuse is not None and reuse.copy_spare(staged.changes)
        with timed("swap"):
            swap(staging, options.output, reuse.spare if reuse is not None else None, copy)
    except BaseException:
        publishing.discard(staging)
        raise
    if reuse is not None:
        reuse.keep_site(staged.changes, staged.pages, staged.written, copy)
        if searched is not None:
            search.write_record(options.output, searched)
    return BuildResult(problems=problems, notes=notes, built=True, base_url=staged.base_url, pages=staged.page_count,
                       rendered=staged.rendered, files=files, size=size,
                       seconds=time.monotonic() - started, stages=stages.seconds)


# ---------------------------------------------------------------------------
# The steps, in order


@dataclass
class Timelines:
    """What the verdict history shows: each published claim's timeline (claim id -> entries,
    only claims with an outcome change or a correction)."""

    timelines: dict[str, tuple] = field(default_factory=dict)


class HistoryRead:
    """The history read from git by a forked process while the build loads and checks the
    content: it leaves what it read in the cache (`HistoryCache`), where the build finds it."""

    def __init__(self, options: BuildOptions) -> None:
        self.pid = None
        if not hasattr(os, "fork"):
            return
        cache = HistoryCache(store.cache_path(options.output, "history"))
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:   # the reader: nothing of the build's is touched, and it leaves without cleaning up
            try:
                read_history(options.content, cache)
            finally:
                os._exit(0)
        self.pid = pid

    def wait(self) -> None:
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None

    def stop(self) -> None:
        """A build that stopped early does not wait for the history (its cache is written whole or not at all)."""
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self.wait()


def verdict_history(options: BuildOptions, archive: Archive,
                    reading: HistoryRead | None = None) -> tuple[Timelines, list[str]]:
    """Read the history from git once (only the commits since the last build's, kept by commit
    beside the site; `reading` may have read them already) and each published claim's timeline
    from it and its corrections; and what to tell the editor when the history could
    not be read (once)."""
    if reading is not None:
        reading.wait()
    history = read_history(options.content, HistoryCache(store.cache_path(options.output, "history"))) \
        if options.history else History(available=False)
    found = {}
    for article in archive.articles:
        for claim in article.claims:
            entries = timeline(history, claim.id, claim.corrections)
            if entries:
                found[claim.id] = entries
    return Timelines(found), [history.note] if history.note else []


def extract_seeds(options: BuildOptions) -> list[str]:
    """In the live preview only (`options.extract`): new or changed seeds are extracted before
    loading (`extraction.seeds.extract_new_seeds`, loaded only then). Returns what to tell the editor."""
    if not options.extract:
        return []
    from generator.extraction.seeds import extract_new_seeds
    return extract_new_seeds(options.content)


@dataclass
class Loaded:
    """The content as read, before any check: claim sheets and registries as documents,
    Markdown pages as text, and what could not be read."""

    files: ContentFiles
    pages: dict[str, str]
    problems: list[Problem]


def load(content: Path, processes: int = 1, reuse: Reuse | None = None) -> Loaded:
    """Read every content file: YAML sheets into documents, Markdown pages into text. An
    incremental build does not parse again the sheets whose bytes are those read before."""
    problems: list[Problem] = []
    before = reuse.sheets_before() if reuse is not None else SheetsBefore()
    files, pages = read_content(content, problems, min(processes, os.cpu_count() or 1), before.read, before.values,
                                before.settled, before.settled_registries)
    if reuse is not None:
        reuse.read(files)
    return Loaded(files, pages, problems)


def validate(loaded: Loaded, reuse: Reuse | None = None, later: SimilarLater | None = None, drafts: bool = True
             ) -> tuple[Archive | None, list[Problem], LeftOut | None]:
    """Check every file and the archive as a whole; no archive when anything is wrong. Without
    `drafts` (a build for publishing), the archive holds only what an editor reviewed
    (`review.reviewed_only`), and what was left out is returned with it.

    With `later`, the files are modelled as soon as they match their schemas, and the
    similar statements are being found by then (`later.start`) while the checks across files
    run. That model is kept only if those checks find nothing wrong; one they would have
    refused is never used."""
    files, pages = loaded.files, loaded.pages
    problems = loaded.problems + check_schemas(files)
    modelled = _modelled_unchecked(files, pages, problems) if later is not None else None
    left_out = None
    if modelled is not None and not drafts:
        modelled, left_out = reviewed_only(modelled)
    if modelled is not None:
        later.start(*similar_inputs(modelled))
    problems += check_archive(files, dt.date.today(), reuse.checked if reuse is not None else None)
    if modelled is not None and not any(problem.severity == "error" for problem in problems):
        return modelled, sorted(problems, key=Problem.sort_key), left_out
    archive = model_archive(files, pages, problems, *(reuse.models_before() if reuse is not None else ()))
    if archive is not None and reuse is not None:
        reuse.keep_models(files, archive)
    if archive is not None and not drafts:
        archive, left_out = reviewed_only(archive)
    return archive, sorted(problems, key=Problem.sort_key), left_out


def check(content: Path) -> tuple[Archive | None, list[Problem]]:
    """What `hindsight check` reports: the content loaded and validated as a build does (drafts
    kept), and the archive modelled from it; None when anything is wrong."""
    archive, problems, _ = validate(load(content))
    return archive, problems


def check_for_editors(content: Path, publish: bool = False) -> tuple[Archive | None, list[Problem], list[str]]:
    """What `hindsight check` reports: `check`'s problems, and the warnings git's history gives
    (a reviewed claim's statement, speaker or date changed since it was published, with no
    correction to say why); with `publish`, also each transparency page missing or unfinished.
    And what to tell the editor when the history could not be read (once)."""
    loaded = load(content)
    archive, problems, _ = validate(loaded)
    history = read_history(content, HistoryCache(store.cache_path(Path(content).parent / "site", "history")))
    problems += correction_warnings(history, loaded.files.articles)
    if publish:
        problems += transparency_warnings(Path(content) / "pages", loaded.pages)
    return archive, sorted(problems, key=Problem.sort_key), [history.note] if history.note else []


def _modelled_unchecked(files: ContentFiles, pages: dict[str, str], problems: list[Problem]) -> Archive | None:
    """The archive modelled before the checks across files: None when a file does not match
    its schema, or when modelling fails on something only those checks would report (the
    model assumes what they check): the archive is then modelled after them, as always."""
    try:
        return model_archive(files, pages, problems)
    except Exception:   # noqa: BLE001 - reported by check_archive, or raised again by model_archive after it
        return None


def link(archive: Archive, processes: int = 1, reuse: Reuse | None = None, later: SimilarLater | None = None
         ) -> Links:
    """Cross-links between claims. `later` has a forked process find the similar statements
    meanwhile (a full build of a large archive). An incremental build takes the similar
    statements the last one found, and after an edit to statements scores again only the
    claims it can change."""
    if later is not None:
        return link_archive(archive, processes, None, None, later)
    processes = min(processes, os.cpu_count() or 1)
    if reuse is None:
        links = link_archive(archive, processes)
        links.similarity = None   # not kept: let go before the pages are planned
        return links
    found_before = reuse.similar_before()
    links = link_archive(archive, processes, found_before, reuse.links_before, remember=True)
    reuse.keep_links(links, found_before)
    return links


def keep(staging: Path, output: Path, changes: Comparison, reuse: Reuse | None, search_on: bool) -> None:
    """Unchanged pages: linked from the site in place, not rendered again. An incremental
    build starts from the site before the last one (kept by the last build as a spare),
    where most of them are already, folders and all; any other build drops the spare.
    What the spare holds is known when the live preview made it and the site in place;
    then the search index's files it shares with the site stay too (`index` keeps them)."""
    paths = changes.kept
    spare = reuse.spare_to_start_from(changes) if reuse is not None else None
    if spare is None or not paths:
        publishing.discard_spare(spare or store.cache_path(output, "spare"))
    else:
        paths = publishing.adopt_spare(spare, staging, output, paths, reuse.spare_known, reuse.search_files(search_on))
    writers.link_files(output, staging, paths)


def swap(staging: Path, output: Path, spare: Path | None = None, copy: bool = False) -> None:
    """The staging folder becomes the site. The site it replaces becomes the next incremental
    build's `spare`, when given; or, with `copy` (this build rendered most pages, so that site
    is no use as one), a copy of the new site is made as the spare after this build returns."""
    forget_record(output)   # from here on the old records may not describe the site
    search.forget_record(output)
    publishing.swap(staging, output, None if copy else spare)
    if copy and spare is not None:
        publishing.copy_site_in_background(output, spare)


def tally(staging: Path, changes: Comparison, written: dict[str, int]) -> tuple[int, int]:
    """How many files the staging folder holds and their bytes, the search index's aside (they
    are counted once it is made), without walking its tens of thousands of folders: the pages
    kept are those of the site in place, whose sizes the record holds; every other file was
    written by this build (`written`, forked processes' files too). A page whose size is not
    known otherwise (kept from a site whose record had no sizes) is looked at. The pages'
    sizes go into this build's record."""
    sizes = changes.record.sizes
    for path in changes.kept:
        if path not in sizes:
            sizes[path] = os.lstat(staging / path).st_size
    for page in changes.stale:
        size = written.get(page.path)
        sizes[page.path] = size if size is not None else os.lstat(staging / page.path).st_size
    others = [size for path, size in written.items() if path not in sizes]
    return len(sizes) + len(others), sum(sizes.values()) + sum(others)
