"""The build pipeline: content folder in, finished site folder out.

`build()` reads as the table of contents: load and validate the content, link claims across
years, render every page and export, write them to a staging folder, index it for search,
and swap it into place. Each step is a function below; only `write`, `index` and `swap`
touch the disk. A build that stops at any step leaves the previous site untouched.
`BuildResult.stages` holds each step's wall time, for `bench/build_speed.py`.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator import exports, feeds, publishing, search, writers
from generator.incremental import record as incremental, store
from generator.incremental.preview import PreviewState, write_record_later
from generator.incremental import sheets as sheet_cache
from generator.contents import check_archive, check_schemas, model_archive, read_content
from generator.linking import Links, SimilarityRecord, SimilarLater, link_archive, similar_inputs
from generator.memory import give_back_freed_memory, let_go_of_archive_text
from generator.model import Archive
from generator.pages import TEMPLATES, Page, plan_pages, render_page, with_similar
from generator.review import LeftOut, reviewed_only
from generator.problems import Problem
from generator.validation import ContentFiles


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


class Stopwatch:
    """Runs one step and adds its wall time to `stages` under the step's name."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    def __call__(self, name, step, *args):
        started = time.perf_counter()
        try:
            return step(*args)
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started

    def each(self, name, steps):
        """The items of an iterator, each one's making timed under `name`."""
        while True:
            started = time.perf_counter()
            try:
                item = next(steps)
            except StopIteration:
                return
            finally:
                self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started
            yield item


def _without_cycle_collection(step):
    """Run `step` with Python's cycle collector paused.

    A build makes millions of small objects and no reference cycles; the collector would
    rescan all of them again and again (a quarter of a 100,000-claim build). It is restored,
    as it was, when the step ends."""
    @functools.wraps(step)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return step(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
    return paused


@_without_cycle_collection
def build(options: BuildOptions, memory: PreviewState | None = None) -> BuildResult:
    """One build at a time per output folder: a second one waits for the first to finish, then
    builds from the content as it is then. A build killed earlier is cleaned up first.

    A long-running process (the live preview) hands in the same `memory` to each incremental
    build: what the last one read and made is kept there instead of being read back."""
    with publishing.build_lock(options.output, on_wait=_say_waiting):
        publishing.recover(options.output)
        return _build(options, memory if options.incremental else None)


def _say_waiting(output: Path) -> None:
    print(f"hindsight build: another build of {output} is running; waiting for it to finish", file=sys.stderr,
          flush=True)


def _build(options: BuildOptions, memory: PreviewState | None = None) -> BuildResult:
    started, timed = time.monotonic(), Stopwatch()
    extracted = timed("extract", extract_new_seeds, options)
    cache = store.cache_path(options.output, "sheets") if options.incremental else None
    later = SimilarLater() if _may_link_later(options) else None   # forked now, while this process is small
    try:
        read = timed("load", load, options.content, options.processes, cache, memory)
        if later is not None and not _link_later(read[0]):   # found sooner by linking itself
            later.close()
            later = None
        archive, problems, left_out = timed("validate", validate, *read[:3], memory, later, options.drafts)
        if cache is not None:
            timed("load", remember, cache, read, memory)
        sheets = read[0].digests
        del read   # the documents read are let go once modelled: they hold every value's position
        if not options.incremental:   # it forks later: see `render`
            give_back_freed_memory()
        if archive is None:
            return BuildResult(problems=problems, notes=extracted, stages=timed.stages)
        base_url = options.base_url or archive.site.base_url
        if later is not None:
            links = timed("link", link_archive, archive, options.processes, None, None, later)
        else:
            links = timed("link", link, archive, options.processes, options.output if options.incremental else None,
                          memory)
        staged = _write_site(options, memory, timed, archive, sheets, base_url, links, later)
        let_go = memory is None and not options.incremental and options.search   # Pagefind next: it needs none of it
        if let_go:
            del archive, links   # and `_finish_site` lets go of the rest (`Staged.let_go`)
        result = _finish_site(options, memory, started, timed, staged, problems, base_url, let_go)
        result.left_out = left_out.lines() if left_out is not None else []
        result.notes[:0] = extracted
        if later is not None and later.seconds is not None:
            result.stages["similar"] = later.seconds   # beside plan and render: not to be added to them
        return result
    finally:
        if later is not None:
            later.close()


@dataclass
class Staged:
    """A site written into its staging folder, and what the steps after it need of the
    build: the files and bytes written (`tally`), the claim pages by search index shard, and,
    until `let_go` (a full build, before Pagefind runs: nothing after needs them), the
    comparison that sorted the pages, the files written and the pages themselves."""

    staging: Path
    spare: Path
    counted: tuple[int, int]                 # files and bytes in the staging folder, the search index's aside
    # Each shard's claim pages, their paths a line each: one string per shard, not one per page.
    # Strings made among the archive's objects would keep its memory from going back to the
    # system once it is let go (Python returns a block of memory only when nothing in it lives).
    shards: dict[str, str]
    language: str
    page_count: int
    rendered: int                            # how many pages were rendered (the others were kept)
    changes: incremental.Comparison | None
    written: dict[str, int] | None           # path -> bytes of each file this build wrote
    pages: list[Page] | None

    def let_go(self) -> None:
        """Let go of the pages, the comparison and the files written, and so of the archive
        they were made from (a build without a `Memory` holds it nowhere else), and of the
        caches of text from it; then hand that memory back. At 100,000 claims the build
        process went from 1 GB to 0.5 GB while Pagefind indexes beside it (it takes 0.8 s)."""
        self.pages = self.changes = self.written = None
        let_go_of_archive_text()
        give_back_freed_memory()


def _write_site(options: BuildOptions, memory: PreviewState | None, timed: Stopwatch, archive: Archive,
                sheets: dict[str, str], base_url: str, links: Links, later: SimilarLater | None) -> Staged:
    pages = timed("plan", plan_pages, archive, links, base_url, options.templates,
                  memory.plans if memory is not None else None)
    changes = timed("compare", compare, pages, archive, links, options, sheets, memory)
    staging = publishing.open_staging(options.output)
    spare = store.cache_path(options.output, "spare")
    written: dict[str, int] = {}
    try:
        timed("write", keep, staging, options.output, changes.kept, spare if _spare_worth_it(changes, spare) else None,
              memory.spare if memory is not None else None,
              memory.search_files() if memory is not None and options.search else frozenset())
        exporting = export_beside(archive, links, pages, base_url, changes, options)
        for files in timed.each("render", render(changes.stale, options.templates, changes, staging,
                                                 options.processes, exporting.beside, later and (later, links),
                                                 written)):
            timed("write", write, staging, files, written)   # a batch at a time: the site is never all in memory
        timed("write", write, staging, timed("export", exporting.finish), written)
        written.update(timed("write", finish, staging, options.templates))
        counted = timed("write", tally, staging, changes, written)   # not a walk of 124,000 folders (~3 s)
        shards = search.plan_shards({page.path: page.values["claim"].said for page in pages
                                     if page.template == "claim.html"}) if options.search else {}
        questions = [page.path for page in pages if page.template == "topic.html" and page.values["pager"].number == 1]
        if options.search and questions:   # found by their words and terms too, in a shard of their own
            shards[search.QUESTIONS] = questions
        return Staged(staging, spare, counted, {name: "\n".join(paths) for name, paths in shards.items()},
                      archive.site.language, len(pages), len(changes.stale), changes, written, pages)
    except BaseException:
        publishing.discard(staging)
        raise


def _finish_site(options: BuildOptions, memory: PreviewState | None, started: float, timed: Stopwatch,
                 staged: Staged, problems: list[Problem], base_url: str, let_go: bool = False) -> BuildResult:
    staging = staged.staging
    files, size = staged.counted
    shards = {name: paths.split("\n") for name, paths in staged.shards.items()}
    try:
        if let_go:
            timed("index", staged.let_go)   # before Pagefind's processes start beside this one
        notes, searched = timed("index", index, staging, shards, staged.language, options) if options.search \
            else ([], None)
        if (staging / search.BUNDLES).is_dir():
            bundles = timed("index", _files_under, staging, search.BUNDLES)
            files, size = files + len(bundles), size + sum(bundles.values())
            if staged.written is not None:
                staged.written.update(bundles)
        copy = options.incremental and not _rendered_few(staged.changes.record)
        timed("swap", swap, staging, options.output, staged.spare if options.incremental else None, copy)
    except BaseException:
        publishing.discard(staging)
        raise
    if options.incremental:
        if memory is None:
            incremental.write_record(options.output, staged.changes.record)
        else:   # kept in memory: written when the live preview is idle (`write_remembered_record`)
            write_record_later(options.output)
            memory.remember_site(options.output, staged.changes, staged.pages, staged.written,
                                 None if copy else staged.spare, _shared_search_files(options.output, staged.written))
        if searched is not None:
            search.write_record(options.output, searched)
    return BuildResult(problems=problems, notes=notes, built=True, base_url=base_url, pages=staged.page_count,
                       rendered=staged.rendered, files=files, size=size,
                       seconds=time.monotonic() - started, stages=timed.stages)


# ---------------------------------------------------------------------------
# The steps, in order


def extract_new_seeds(options: BuildOptions) -> list[str]:
    """In the live preview only (`options.extract`): seeds with no claim sheet yet, or whose
    text changed, are extracted before loading; a build for publishing never extracts.

    Extraction only adds claims and fills empty fields, so editors' work is safe. While any
    claim sheet cannot be read, nothing is extracted: that sheet's seed would look as if it
    had none, and be extracted into a second sheet. The load step that follows reports the
    sheet with its position. Returns what to tell the editor."""
    if not options.extract:
        return []
    from generator.commands.extract import extract, stale_seeds

    seeds = stale_seeds(options.content)
    if not seeds:
        return []
    unreadable = _unreadable_sheets(options.content / "articles")
    if unreadable:
        return [f"{len(seeds)} seed{'s' * (len(seeds) != 1)} not extracted while {', '.join(unreadable)} cannot be "
                "read: fix it first (its error is listed with its position)"]
    if extract(options.content, seeds) != 0:
        return ["a seed could not be extracted (see above); its claims are not in the preview"]
    return []


def _unreadable_sheets(folder: Path) -> list[str]:
    """The claim sheets under `folder` that are not well-formed YAML."""
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    unreadable = []
    for path in sorted(folder.rglob("*.yaml")) if folder.is_dir() else []:
        try:
            yaml.load(path.read_bytes(), Loader=loader)
        except (yaml.YAMLError, OSError, ValueError):
            unreadable.append(str(path))
    return unreadable


def load(content: Path, processes: int = 1, cache: Path | None = None, memory: PreviewState | None = None
         ) -> tuple[ContentFiles, dict[str, str], list[Problem], dict[str, tuple[str, bytes]]]:
    """Read every content file: YAML sheets into documents, Markdown pages into text. With a
    `cache` (incremental builds), sheets whose bytes are those read before are not parsed again;
    with a `memory` that holds them, the cache is not read either, nor the sheets that have
    not changed on disk since."""
    problems: list[Problem] = []
    if cache is not None and memory is not None and memory.sheets is not None:
        read_before, values_before = memory.sheets, memory.values
    else:
        read_before, values_before = (sheet_cache.read_sheets_cache(cache) if cache is not None else None), None
    files, pages = read_content(content, problems, min(processes, os.cpu_count() or 1), read_before, values_before,
                                memory.settled if memory is not None else None,
                                memory.settled_registries if memory is not None else None)
    if memory is not None:
        memory.settled, memory.settled_registries = files.settled, files.settled_registries
    return files, pages, problems, read_before


def validate(files: ContentFiles, pages: dict[str, str], problems: list[Problem],
             memory: PreviewState | None = None, later: SimilarLater | None = None, drafts: bool = True
             ) -> tuple[Archive | None, list[Problem], LeftOut | None]:
    """Check every file and the archive as a whole; no archive when anything is wrong. Without
    `drafts` (a build for publishing), the archive holds only what an editor reviewed
    (`review.reviewed_only`), and what was left out is returned with it.

    With `later`, the files are modelled as soon as they match their schemas, and the
    similar statements are being found by then (`later.start`) while the checks across files
    run: a second of one core at 100,000 claims. That model is kept only if those checks
    find nothing wrong; one they would have refused is never used."""
    problems = problems + check_schemas(files)
    modelled = _modelled_unchecked(files, pages, problems) if later is not None else None
    left_out = None
    if modelled is not None and not drafts:
        modelled, left_out = reviewed_only(modelled)
    if modelled is not None:
        later.start(*similar_inputs(modelled))
    problems += check_archive(files, dt.date.today(), memory.checked if memory is not None else None)
    if modelled is not None and not any(problem.severity == "error" for problem in problems):
        return modelled, sorted(problems, key=Problem.sort_key), left_out
    archive = model_archive(files, pages, problems, memory.articles if memory is not None else None,
                            memory.registries if memory is not None else None)
    if archive is not None and memory is not None:
        memory.articles = {article.source: (files.digests[article.source], article) for article in archive.articles
                           if article.source in files.digests}
        memory.registries = {"people": (files.people.value, archive.people),
                             "topics": (files.topics.value, archive.topics)}
    if archive is not None and not drafts:
        archive, left_out = reviewed_only(archive)
    return archive, sorted(problems, key=Problem.sort_key), left_out


def _modelled_unchecked(files: ContentFiles, pages: dict[str, str], problems: list[Problem]) -> Archive | None:
    """The archive modelled before the checks across files: None when a file does not match
    its schema, or when modelling fails on something only those checks would report (the
    model assumes what they check): the archive is then modelled after them, as always."""
    try:
        return model_archive(files, pages, problems)
    except Exception:   # noqa: BLE001 - reported by check_archive, or raised again by model_archive after it
        return None


def remember(cache: Path, read: tuple, memory: PreviewState | None = None) -> None:
    """Keep the sheets that passed their schema for the next build, even when another sheet
    has a problem (it is read again until it is fixed); in `memory` too, when there is one.

    A long-running process keeps them in `memory` for its own next build, and writes the
    cache on disk (for a build from the command line) only once it lacks more than
    SHEETS_STALE_AT_MOST of them: a sheet missing from it, or changed since, is parsed
    again by that build, no more. (At 100,000 claims the cache is 100 MB.)"""
    files, read_before = read[0], read[3]
    kept = sheet_cache.sheets_to_cache(files)
    if memory is None:
        sheet_cache.write_sheets_cache(cache, kept, read_before or {})
        return
    on_disk = memory.sheets_on_disk
    if on_disk is None or not cache.is_file() or len(kept.keys() ^ on_disk.keys()) + sum(
            on_disk.get(path, digest) != digest for path, (digest, _) in kept.items()) > SHEETS_STALE_AT_MOST:
        # The first build compares with what it read from disk, and writes only if that differs.
        sheet_cache.write_sheets_cache(cache, kept, (read_before or {}) if on_disk is None else {})
        memory.sheets_on_disk = {path: digest for path, (digest, _) in kept.items()}
    memory.sheets = kept
    memory.values = {document.path: (kept[document.path][0], document.value) for document in files.articles
                     if document.path in kept}


SHEETS_STALE_AT_MOST = 32   # sheets the cache on disk may lack while the live preview runs


def link(archive: Archive, processes: int = 1, output: Path | None = None,
         memory: PreviewState | None = None) -> Links:
    """Cross-links between claims. An incremental build (`output` given) keeps a record of the
    similar statements it found beside the site, and after an edit to statements scores again
    only the claims it can change; with a `memory`, the record is kept there too, and not
    read back, with the rest of the links."""
    code = store.code_digest() if output is not None else ""   # what they were found by: the same code, or found again
    if output is not None and memory is not None and memory.similar is not None:
        found_before, memory.similar = memory.similar, None   # changed in place: not kept should linking fail
    else:
        found_before = _read_similarity(output, code) if output is not None else None
    found_from = found_before.digest if found_before is not None else None
    links = link_archive(archive, min(processes, os.cpu_count() or 1), found_before,
                         memory.links if memory is not None else None, remember=output is not None)
    if output is not None and memory is not None:
        memory.similar, memory.links = links.similarity, links
    # Kept on disk when found anew, or brought up to date without a memory. The live preview
    # keeps its own up to date in memory and leaves the one on disk as it was: still true of
    # the statements it was found from, it is brought up to date by the next build that reads it.
    if output is not None and links.similarity.digest != found_from and (
            memory is None or links.similarity is not found_before):
        found, rest = links.similarity.plain()
        store.write_sealed(store.cache_path(output, "similar-record"), "similar record", SIMILAR_VERSION,
                             (code, links.similarity.digest, *rest))
        store.write_sealed(store.cache_path(output, "similar"), "similar", SIMILAR_VERSION, (code, *found))
    if memory is None:
        links.similarity = None   # on disk now: let go before the pages are planned (125 MB at 100,000 claims)
    return links


def _read_similarity(output: Path, code: str) -> SimilarityRecord | None:
    """The record of similar statements an earlier incremental build of `output` kept, if made
    by this code: what it found, and the rest, read only if statements changed."""
    def rest() -> tuple:
        code_then, digest_then, *kept = store.read_sealed(store.cache_path(output, "similar-record"),
                                                            "similar record", SIMILAR_VERSION)
        return tuple(kept) if code_then == code and digest_then == digest else ()

    try:
        code_then, digest, found = store.read_sealed(store.cache_path(output, "similar"), "similar",
                                                       SIMILAR_VERSION)
        return SimilarityRecord.from_plain(digest, found, rest) if code_then == code else None
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):   # none kept, or not as written
        return None


SIMILAR_VERSION = 6


def _may_link_later(options: BuildOptions) -> bool:
    """Whether similar statements may be found by a forked process while the archive is
    checked and linked, and the pages that show none are planned and rendered: in a full
    build with a core to spare, of an archive with sheets enough to hold LINK_LATER_FROM
    claims (they are counted once read: `_link_later`). (An incremental build reuses the
    similar statements it found before, or finds them in two processes: its record needs
    every page's plan complete before it renders.)"""
    return (not options.incremental and min(options.processes, os.cpu_count() or 1) >= 2
            and _sheets_at_least(options.content / "articles", LINK_LATER_FROM // CLAIMS_PER_SHEET_AT_MOST))


CLAIMS_PER_SHEET_AT_MOST = 40   # more than an article commonly holds (the seeds: 13 on average): fewer sheets
                                # than LINK_LATER_FROM / 40, and the archive is taken to be small


def _sheets_at_least(folder: Path, count: int) -> bool:
    """Whether `folder` holds `count` sheets or more, looking no further once it does."""
    found, folders = 0, [folder]
    while found < count and folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.endswith(".yaml"):
                        found += 1
        except OSError:
            continue
    return found >= count


def _link_later(files: ContentFiles) -> bool:
    """Whether the archive read is large enough for similar statements to be found beside the rest."""
    return sum(len(claims) for claims in (document.value.get("claims") for document in files.articles
                                          if isinstance(document.value, dict))
               if isinstance(claims, list)) >= LINK_LATER_FROM


LINK_LATER_FROM = 8000   # claims: below this, similar statements are found sooner than pages are planned


def compare(pages: list[Page], archive: Archive, links: Links, options: BuildOptions,
            sheets: dict[str, str] | None = None, memory: PreviewState | None = None) -> incremental.Comparison:
    """Which pages to render: those whose inputs changed since the last incremental build,
    or every page (a full build, or no record of the site in place). A `memory` of the build
    that made the site in place holds its record, plans and downloads: none is read back."""
    if memory is not None and options.incremental and memory.describes(options.output):
        changes = incremental.compare(pages, memory.record, archive, links, sheets=sheets, plans_before=memory.plans)
        changes.downloads_before, changes.offline_before = memory.downloads, memory.offline
        return changes
    if memory is not None:
        memory.forget_site()
    previous = incremental.read_record(options.output) if options.incremental else None
    return incremental.compare(pages, previous, archive, links, keep_record=options.incremental, sheets=sheets)


def keep(staging: Path, output: Path, paths: list[str], spare: Path | None = None,
         known: publishing.SpareContents | None = None, search_files: frozenset[str] = frozenset()) -> None:
    """Unchanged pages: linked from the site in place, not rendered again. An incremental
    build starts from the site before the last one (kept by the last build as a spare),
    where most of them are already, folders and all; any other build drops the spare.
    What the spare holds is `known` when the live preview made it and the site in place;
    then the search index's files it shares with the site stay too (`index` keeps them)."""
    if spare is None or not paths:
        publishing.discard_spare(spare or store.cache_path(output, "spare"))
    else:
        paths = publishing.adopt_spare(spare, staging, output, paths, known, search_files)
    writers.link_files(output, staging, paths)


def _spare_worth_it(changes: incremental.Comparison, spare: Path) -> bool:
    """The spare is the site before the one in place: close to it when the last build
    rendered few pages. After a build that rendered most (a template changed, a first
    build), nearly every file in it would be removed and linked again: slower than starting
    from an empty folder. Such a build leaves a copy of its own site as the spare instead
    (`swap`), which is worth it."""
    previous = changes.previous
    return previous is not None and (_rendered_few(previous) or (spare / publishing.SPARE_COPY).is_file())


def _rendered_few(record: incremental.Record) -> bool:
    return record.rendered * 4 < max(len(record.pages), 1)


def render(pages: list[Page], templates: Path, changes: incremental.Comparison, staging: Path,
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
    global _FORKED_WORK
    context = multiprocessing.get_context("fork")
    taken = context.Value("l", 0)   # how many batches were taken: shared by every process
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
    _FORKED_WORK = (pages, templates, staging, recording, ranges, taken, beside)   # inherited, never pickled
    try:
        with context.Pool(processes - 1) as pool:
            others = [pool.apply_async(_render_share, (number == 0,)) for number in range(processes - 1)]
            for bounds in _next_batches(ranges, taken):
                files, reads = _render_batch(pages, templates, recording, bounds)
                changes.note_reads(reads)
                yield files
            for other in others:
                reads, made = other.get()
                changes.note_reads(reads)   # the record is a mapping: the order batches end in does not matter
                _note_written(written, made)
    finally:
        _FORKED_WORK = None


def _note_written(written: dict[str, int] | None, made: dict[str, int]) -> None:
    if written is not None:
        written.update(made)


def _batches(first: int, end: int) -> list[tuple[int, int]]:
    return [(start, min(start + BATCH, end)) for start in range(first, end, BATCH)]


BATCH = 1000
PARALLEL_FROM = 8000     # below this, starting workers costs more than it saves
_FORKED_WORK: tuple | None = None


def _next_batches(ranges: list[tuple[int, int]], taken) -> Iterator[tuple[int, int]]:
    """The batches no process has taken yet, one at a time, as this process takes them."""
    while True:
        with taken.get_lock():
            number = taken.value
            taken.value = number + 1
        if number >= len(ranges):
            return
        yield ranges[number]


def _render_batch(pages: list[Page], templates: Path, recording: bool,
                  bounds: tuple[int, int]) -> tuple[dict[str, bytes], dict[str, set[str]]]:
    """Pages `bounds` rendered; with `recording` (an incremental build), what each read. A full
    build keeps no record, and 124,000 pages' reads cost seconds to send back from a worker."""
    files, reads = {}, {}
    for page in pages[bounds[0]:bounds[1]]:
        read = reads[page.path] = set() if recording else None
        files[page.path] = render_page(page, templates, read)
    return files, reads


def _render_share(first: bool) -> tuple[dict[str, set[str]], dict[str, int]]:
    """A forked process's share: the work `beside` first if it is the `first`, then batches
    until none is left. Returns what each page read and the files written, with their sizes."""
    gc.disable()   # as in the parent: no cycles are made, and scanning would touch shared memory
    pages, templates, staging, recording, ranges, taken, beside = _FORKED_WORK
    made: dict[str, int] = {}
    if first and beside is not None:
        made.update(beside(staging))
    reads: dict[str, set[str]] = {}
    for bounds in _next_batches(ranges, taken):
        files, found = _render_batch(pages, templates, recording, bounds)
        write(staging, files, made)
        reads.update(found)
    return reads, made


def export(archive: Archive, links: Links, pages: list[Page], base_url: str,
           changes: incremental.Comparison | None = None, output: Path | None = None,
           into: Path | None = None) -> dict[str, bytes]:
    """Feeds and downloads: Atom, sitemap, JSON, CSV and the offline search index. In an
    incremental build, the lines of the downloads and the rows of the offline search index
    of claims made from unchanged parts are copied from the site in place. With `into` (a
    full build's staging folder: it keeps no record of their lines), the downloads and the
    offline search index are written there line by line instead, and the rest returned."""
    listed = [page.path for page in pages if page.path != "404.html"]
    feeds_made = {"feed.xml": feeds.atom_feed(archive, links, base_url), "sitemap.xml": feeds.sitemap(listed, base_url)}
    if into is not None:
        exports.write_downloads(archive, links, base_url, into / "claims.json", into / "claims.csv")
        exports.write_offline_index(archive, links, into / "search-fallback.js")
        return feeds_made
    downloads_before = offline_before = stale = stale_rows = None
    if changes is not None and changes.recording and output is not None:
        downloads_before, offline_before = incremental.previous_exports(changes, output)
        stale, stale_rows = incremental.stale_lines(changes, links)
    downloads = exports.downloads(archive, links, base_url, downloads_before and downloads_before.lines, stale)
    offline = exports.offline_index(archive, links, offline_before, stale_rows)
    if changes is not None:
        incremental.note_exports(changes, downloads, offline)
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


def export_beside(archive: Archive, links: Links, pages: list[Page], base_url: str,
                  changes: incremental.Comparison, options: BuildOptions) -> Exporting:
    """The exports of a full build are made and written beside rendering, by a forked render
    process when the site is large (they take a tenth of the work and need nothing
    rendered), or by this one while it waits for similar statements (see `render`). An incremental build makes them after rendering: it copies unchanged claims'
    lines and notes what it wrote in this build's record."""
    make = functools.partial(export, archive, links, pages, base_url, changes, options.output)
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


def finish(staging: Path, templates: Path) -> dict[str, int]:
    """The static assets, and the marks that say the folder is a finished site; returns the
    files written and their sizes."""
    return {**writers.copy_tree(templates / "static", staging, "static"), **publishing.mark_site(staging)}


def index(staging: Path, shards: dict[str, list[str]], language: str,
          options: BuildOptions) -> tuple[list[str], search.Record | None]:
    """Pagefind over the claim pages, a shard per year said (or decade: `search.plan_shards`);
    an archive without claims has nothing to index. An incremental build indexes again only
    the shards whose pages changed, and returns the record that says so for the next one."""
    if not shards:
        return [], None
    previous = search.read_record(options.output) if options.incremental else None
    return search.index_site(staging, language, shards, options.output, previous,
                             min(options.processes, os.cpu_count() or 1), keep_record=options.incremental,
                             present=_shards_in(staging) if options.incremental else frozenset())


def _shards_in(staging: Path) -> frozenset[str]:
    """The search index shards the staging folder holds already: those the live preview's
    spare shares with the site in place (`keep`); none in any other build."""
    try:
        with os.scandir(staging / search.BUNDLES) as entries:
            return frozenset(entry.name for entry in entries if entry.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        return frozenset()


def swap(staging: Path, output: Path, spare: Path | None = None, copy: bool = False) -> None:
    """The staging folder becomes the site. The site it replaces becomes the next incremental
    build's `spare`, when given; or, with `copy` (this build rendered most pages, so that site
    is no use as one), a copy of the new site is made as the spare after this build returns."""
    incremental.forget_record(output)   # from here on the old records may not describe the site
    search.forget_record(output)
    publishing.swap(staging, output, None if copy else spare)
    if copy and spare is not None:
        publishing.copy_site_in_background(output, spare)


def tally(staging: Path, changes: incremental.Comparison, written: dict[str, int]) -> tuple[int, int]:
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


def _shared_search_files(site: Path, written: dict[str, int]) -> frozenset[str]:
    """The search index files of the new `site` that are the very files of the site it
    replaced (shards kept as they were, linked or left in place), by the inode of each
    shard's entry file: for the live preview's next spare (`Memory.remember_site`)."""
    shared = set()
    spare_shards: dict[str, bool] = {}
    for path in written:
        if not path.startswith(search.BUNDLES + "/") or path.count("/") < 2:
            continue
        shard = path.split("/")[1]
        if shard not in spare_shards:
            entry = f"{search.BUNDLES}/{shard}/pagefind-entry.json"
            spare_shards[shard] = _same_file(site / entry, store.cache_path(site, "spare") / entry)
        if spare_shards[shard]:
            shared.add(path)
    return frozenset(shared)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.lstat(one).st_ino == os.lstat(other).st_ino
    except OSError:
        return False


def _files_under(staging: Path, folder: str) -> dict[str, int]:
    """Every file under `folder` of the staging folder, by path in the site, and its size."""
    found = {}
    folders = [folder]
    while folders:
        relative = folders.pop()
        with os.scandir(staging / relative) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(f"{relative}/{entry.name}")
                elif entry.is_file(follow_symlinks=False):
                    found[f"{relative}/{entry.name}"] = entry.stat(follow_symlinks=False).st_size
    return found
