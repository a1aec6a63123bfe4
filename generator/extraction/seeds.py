"""Extraction of seed articles into claim sheets: the driver behind `hindsight extract` and
the live preview.

Consumes seed files, content/people.yaml and content/topics.yaml; writes or updates
content/articles/YYYY/<slug>.yaml (undated/ when the date is unknown) and appends newly met
speakers to content/people.yaml as drafts. Prints one line per article.
"""

from __future__ import annotations

import collections
import dataclasses
import gc
import os
import pickle
import re
import stat
import sys
import unicodedata
from pathlib import Path
from typing import Callable, Iterator

from generator import readers
from generator.extraction import articles, claims, language, sheets
from generator.extraction.speakers import Registry


def _progress(done: int, total: int, name: str) -> None:
    width = 30
    filled = width * done // total
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:40]:<40}", end="", file=sys.stderr,
          flush=True)
    if done == total:
        print(file=sys.stderr)


def read_registry(path: Path, key: str) -> tuple[list[dict], list[readers.Problem]]:
    """The entries under `key` in people.yaml or topics.yaml (none when the file is missing),
    or the problems that stop it being read."""
    if not path.exists():
        return [], []
    document, problems = readers.read_yaml(path, str(path))
    if document is None:
        return [], problems
    data = document.value
    items = data.get(key) if isinstance(data, dict) else None
    return [item for item in items or [] if isinstance(item, dict)], []


def stale_seeds(content: Path) -> list[Path]:
    """Seeds in the project's seeds/ that have no claim sheet yet, or whose text changed since
    their sheet was extracted (a sheet written by hand records no fingerprint and never counts).
    Sheets and seeds the file system reports unchanged since the last run are not read again:
    what they held is kept in the seed index (`incremental.sheets.read_seed_index`)."""
    folder = content.parent / "seeds"
    seeds = sorted(folder.glob("*.txt"), key=lambda seed: seed.name) if folder.is_dir() else []
    if not seeds:
        return []   # no sheet need be looked at
    from generator.incremental.sheets import read_seed_index, write_seed_index

    before = read_seed_index(content)
    archive, kept_sheets = sheets.survey_seeds(content, before[0])
    kept_seeds: dict[str, tuple] = {}
    stale = []
    for seed in seeds:
        field = sheets.seed_field(seed)
        sheet = archive.sheets_by_seed.get(field)
        if sheet is None or (archive.unreadable and sheet in archive.unreadable):   # the build says why
            stale.append(seed)
            continue
        recorded = archive.fingerprints.get(field)
        if not recorded:
            continue  # a sheet written by hand records no fingerprint
        try:
            if recorded != _seed_fingerprint(seed, before[1], kept_seeds):
                stale.append(seed)
        except SeedRefused:
            stale.append(seed)  # extraction tells the editor why it is not read
    write_seed_index(content, kept_sheets, kept_seeds, before)
    return stale


def _seed_fingerprint(seed: Path, before: dict[str, tuple], kept: dict[str, tuple]) -> str:
    """The SHA-256 of a seed's bytes (`read_seed_bytes`, which raises SeedRefused), taken from
    `before` (name -> (file report, fingerprint)) while the file system reports the same
    ordinary file as when it was read; what to keep for the next run goes into `kept`."""
    from generator.contents import _settled

    try:
        status = os.lstat(seed)
    except OSError:
        status = None
    report, name = None, seed.name
    if status is not None and stat.S_ISREG(status.st_mode) and _SEED_NAME.fullmatch(name):
        report = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_dev)
        known = before.get(name)
        if known is not None and known[0] == report:
            kept[name] = known
            return known[1]
    fingerprint = sheets.sha256_text(read_seed_bytes(seed))
    if report is not None and _settled(report):   # looked at before reading: a write after it shows next time
        kept[name] = (report, fingerprint)
    return fingerprint


# Seed names a sheet's `seed:` field can carry (the schema's pattern): portable in paths, URLs and zips.
_SEED_NAME = re.compile(r"[A-Za-z0-9._-]+")


class SeedRefused(Exception):
    """A seed that is not read: the message names the file, what is wrong and what to do."""


def _portable_name(name: str) -> str:
    """`name` in the letters a seed's name may have: accents dropped, anything else an underscore."""
    stem, suffix = os.path.splitext(name)
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    return (re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("_.") or "seed") + re.sub(r"[^A-Za-z0-9.]", "", suffix)


def read_seed_bytes(seed: Path) -> bytes:
    """The bytes of one seed, at most the size limit: only a regular file whose name a sheet can
    record, not a link, and inside the folder it is listed in (a link to /proc/self/environ or
    /dev/zero would publish the environment or read for ever). Raises SeedRefused."""
    limit = articles.MAX_SEED_BYTES
    if not _SEED_NAME.fullmatch(seed.name):
        raise SeedRefused(f"{seed}: the name has characters a seed's name may not have (only A-Z, a-z, 0-9, '.', '_' "
                          f"and '-': no spaces or accents), so its sheet could not name it; rename it, e.g. "
                          f"to {_portable_name(seed.name)}, and run again")
    try:
        status = os.lstat(seed)
        if stat.S_ISLNK(status.st_mode):
            raise SeedRefused(f"{seed}: is a symbolic link (to {os.readlink(seed)}); seeds are read from ordinary "
                              "files only; put the article's text itself in the file")
        if not stat.S_ISREG(status.st_mode):
            raise SeedRefused(f"{seed}: is {_what(status.st_mode)}, not an ordinary file; seeds are read from "
                              "ordinary files only; delete it, or put the article's text in an ordinary file")
        folder = seed.absolute().parent
        if folder.resolve() not in seed.resolve().parents:
            raise SeedRefused(f"{seed}: resolves to {seed.resolve()}, outside {folder}; put the article's text in "
                              "an ordinary file in that folder")
        descriptor = os.open(seed, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as stream:
            status = os.fstat(stream.fileno())
            if not stat.S_ISREG(status.st_mode):   # swapped for something else since it was looked at
                raise SeedRefused(f"{seed}: is {_what(status.st_mode)}, not an ordinary file; seeds are read from "
                                  "ordinary files only; delete it, or put the article's text in an ordinary file")
            raw = stream.read(limit + 1)
    except OSError as error:
        raise SeedRefused(f"{seed}: cannot read the seed ({error.strerror}); check the path") from error
    if len(raw) > limit:
        size = max(status.st_size, len(raw))
        raise SeedRefused(f"{seed}: the seed is {size / 1_000_000:.1f} MB, more than any news article "
                          f"(the limit is {limit / 1_000_000:.1f} MB); check that it holds one "
                          "article's text; nothing extracted")
    return raw


def _what(mode: int) -> str:
    return ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a folder" if stat.S_ISDIR(mode)
            else "not an ordinary file")


@dataclasses.dataclass
class _Seed:
    """A seed read and its article recovered, or why not (`error`, printed in its turn)."""

    path: Path
    raw: bytes = b""
    article: object = None
    error: str | None = None


def _read_seed(seed: Path, known_names: list[str], archive) -> _Seed:
    try:
        raw = read_seed_bytes(seed)
        text = raw.decode("utf-8-sig")
    except SeedRefused as error:
        return _Seed(seed, error=str(error))
    except UnicodeDecodeError as error:
        return _Seed(seed, error=f"{seed}: is not UTF-8 text (byte {error.start}); save it as UTF-8 and run again")
    try:
        article = articles.read_article(text, sheets.seed_field(seed), known_names)
    except ValueError as error:
        return _Seed(seed, error=f"{seed}: {error}; nothing extracted")
    if article.published is None and article.seed in archive.published:
        # An editor established the date the text lacks: resolve "on Friday" against it.
        article = dataclasses.replace(article, published=archive.published[article.seed], published_basis="editor")
    return _Seed(seed, raw, article)


@dataclasses.dataclass
class _Extracted:
    """One seed's claims, found and ready to file (or why not): what a parsing process sends back.
    `changes` are what finding them changed in that process's copy of the registry."""

    path: Path
    article: object = None
    sha256: str = ""
    extraction: object = None
    changes: list = dataclasses.field(default_factory=list)
    error: str | None = None


def _extract_seed(entry: _Seed, docs: list, registry: Registry, topic_list: list[dict]) -> _Extracted:
    """The claims of one seed read and parsed. An unexpected failure names the seed; the run goes on."""
    if entry.error is not None:
        return _Extracted(entry.path, error=entry.error)
    try:
        extraction = claims.extract_claims(entry.article, docs, registry, topic_list)
    except Exception as error:  # noqa: BLE001 - a fault of extraction itself, reported with its seed
        return _Extracted(entry.path, error=_fault(entry.path, error))
    extraction.found = []   # the evaluation's view, not filed
    return _Extracted(entry.path, entry.article, sheets.sha256_text(entry.raw), extraction)


def _fault(seed: Path, error: BaseException) -> str:
    return (f"{seed}: extraction failed ({type(error).__name__}: {error}); nothing extracted from it; this is a "
            "fault in Hindsight, not in the seed: please report it with the seed")


def extract(content: Path, seeds: list[Path], jobs: int = 1, whole_run: bool = False,
            suggest: Callable[[list, str | None], list[tuple[str, ...]]] | None = None) -> int:
    """Extract claims from `seeds` into `content`, one summary line per seed; 1 if any seed failed.
    With `jobs` > 1, seeds are read, parsed and their claims found in that many processes, while
    this one files them in seed order (`_extract_in_processes`): the same sheets and lines as one.
    `suggest` (the claims of one article, its sheet's slug when it has one) gives each claim the
    earlier claims of the archive it may repeat, which new claims carry as `suggested_related:`."""
    people, people_problems = read_registry(content / "people.yaml", "people")
    topic_list, topic_problems = read_registry(content / "topics.yaml", "topics")
    if people_problems or topic_problems:
        for problem in people_problems + topic_problems:
            print(f"hindsight extract: cannot read {problem.path}:{problem.line}:{problem.column}: {problem.message}"
                  + (f"; {problem.hint}" if problem.hint else "") + "; run `hindsight check` to see where",
                  file=sys.stderr)
        return 1
    try:
        language.pipeline()
    except language.ModelMissing as error:
        print(f"hindsight extract: {error}", file=sys.stderr)
        return 1
    # The model's objects live for the whole run: the collector need not scan them again and
    # again, here or in the parsing processes forked from this one. Only in a run of its own
    # (`whole_run`): the live preview extracts now and then for hours, and what a freeze holds
    # is never collected.
    if whole_run:
        gc.freeze()
    registry = Registry(people)
    archive = sheets.survey(content)
    for problem in archive.problems:
        print(f"warning: {problem}", file=sys.stderr)
    show_progress = sys.stderr.isatty() or len(seeds) >= 20
    failures = 0
    used_people: set[str] = set()
    known_names = registry.names()  # as the registry was read: the same flags whatever the order of parsing
    done = 0
    repeating = 0   # new claims that may repeat earlier ones

    def file(found: _Extracted) -> None:
        nonlocal failures, done, repeating
        done += 1
        registry.replay(found.changes)
        if found.error is None:
            article, extraction = found.article, found.extraction
            if suggest is not None and extraction.claims:
                sheet = archive.sheets_by_seed.get(article.seed)
                extraction.claims = [dataclasses.replace(claim, suggested_related=related) for claim, related in
                                     zip(extraction.claims, suggest(extraction.claims, sheet.stem if sheet else None))]
            try:
                filed = sheets.file_sheet(archive, article, found.sha256, extraction.claims)
            except (sheets.SheetError, OSError) as error:
                found.error = f"{found.path}: {error}"
            else:
                used_people.update(c.speaker for c in extraction.claims if c.speaker)
                if show_progress:
                    _progress(done, len(seeds), found.path.name)
                print(_summary(found.path, filed, extraction, article, registry))
                repeating += len(filed.suggested)
        if found.error is not None:
            print(found.error, file=sys.stderr)
            failures += 1

    if jobs > 1 and len(seeds) > 1:
        for found in _extract_in_processes(seeds, min(jobs, len(seeds)), known_names, archive, registry, topic_list):
            file(found)
    else:
        for found in _extract_here(seeds, known_names, archive, registry, topic_list):
            file(found)
    new_people = [p for p in registry.people.values() if p.new and p.id in used_people]
    try:
        added = sheets.add_people(content / "people.yaml", new_people)
    except (sheets.SheetError, OSError) as error:
        print(f"{content / 'people.yaml'}: {error}", file=sys.stderr)
        return 1
    if added:
        print(f"{content / 'people.yaml'}: {len(added)} new draft speaker{'s' * (len(added) != 1)}: {', '.join(added)}")
    if suggest is not None:
        print(f"{repeating} new claim{'s' * (repeating != 1)} may repeat claims already in the archive: each lists "
              "them under `suggested_related:`; move the ones that do to `related:`, then delete the list")
    return 1 if failures else 0


def _extract_here(seeds: list[Path], known_names: list[str], archive, registry: Registry,
                  topic_list: list[dict]) -> Iterator[_Extracted]:
    """Each seed's claims in seed order, found in this process (paragraphs parsed in batches that
    run across seeds)."""
    read: dict[int, _Seed] = {}

    def paragraphs():
        for index, seed in enumerate(seeds):
            read[index] = entry = _read_seed(seed, known_names, archive)
            texts = entry.article.paragraphs if entry.article is not None else []
            for number, text in enumerate(texts):
                yield text, (index, number == len(texts) - 1)

    waiting, docs = 0, []   # the next seed to finish, and its paragraphs parsed so far
    for doc, (index, last) in language.parse_stream(paragraphs(), 1):
        while waiting < index:   # seeds before it had no paragraphs, or could not be read
            yield _extract_seed(read.pop(waiting), [], registry, topic_list)
            waiting += 1
        docs.append(doc)
        if last:
            yield _extract_seed(read.pop(index), docs, registry, topic_list)
            waiting, docs = index + 1, []
    while waiting < len(seeds):
        yield _extract_seed(read.pop(waiting) if waiting in read else _read_seed(seeds[waiting], known_names, archive),
                            [], registry, topic_list)
        waiting += 1


# Seeds a process holds that it has not parsed yet: one to parse next, one so it never waits for it
AHEAD = 2
# How far past the seed being filed seeds are handed out: a process quicker than the others (the
# machine is shared) parses ahead, holding at most this many seeds parsed while it waits for
# their turn to come
WINDOW = 16


def _extract_in_processes(seeds: list[Path], jobs: int, known_names: list[str], archive, registry: Registry,
                          topic_list: list[dict]) -> Iterator[_Extracted]:
    """Each seed's claims in seed order, found in `jobs` forked processes that each read, parse and
    extract whole seeds (the model is shared with this process, copy on write; only plain results
    travel back). The one thing a seed takes from those before it is the registry: a speaker
    drafted in one article is the speaker of the next. So a process finds the claims of seed i only
    once its copy of the registry holds the changes of seeds 0..i-1, which this process passes on
    in seed order: the claims, ids and drafts are those of one process. A process is given its next
    seed when it has parsed one, so a quicker one parses more. Should a process die, its seed is
    reported and the seeds not yet filed are extracted here."""
    import multiprocessing
    import queue

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = []
    for _ in range(jobs):
        inbox = context.Queue()
        process = context.Process(target=_parsing_process, daemon=True,
                                  args=(inbox, results, seeds, known_names, archive, registry, topic_list))
        process.start()
        workers.append((process, inbox))
    given = 0
    owner: dict[int, int] = {}   # seed -> the process it was given to
    held: dict[int, _Extracted] = {}
    next_seed = 0
    waiting: collections.deque = collections.deque()   # processes to give a seed once the window moves

    def give(worker: int) -> bool:
        nonlocal given
        if given >= len(seeds) or given >= next_seed + WINDOW:
            return False
        owner[given] = worker
        workers[worker][1].put(("seed", given))
        given += 1
        return True

    try:
        for _ in range(AHEAD):
            for worker in range(len(workers)):
                give(worker)
        while next_seed < len(seeds):
            try:
                message = results.get(timeout=0.5)
            except queue.Empty:
                stopped = [number for number, (process, _) in enumerate(workers) if not process.is_alive()]
                if not stopped:
                    continue
                lost = min((i for i in owner if i >= next_seed and owner[i] in stopped and i not in held),
                           default=None)
                for process, _ in workers:
                    process.terminate()
                for index in range(next_seed, len(seeds)):
                    if index == lost:
                        code = workers[owner[index]][0].exitcode
                        yield _Extracted(seeds[index], error=f"{seeds[index]}: the process extracting it stopped "
                                         f"({_exit(code)}); nothing extracted from it; the seeds after it were "
                                         "extracted in one process")
                    else:
                        yield from _extract_here([seeds[index]], known_names, archive, registry, topic_list)
                return
            if message[0] == "parsed":
                if not give(owner[message[1]]):
                    waiting.append(owner[message[1]])
                continue
            held[message[1]] = pickle.loads(message[2])
            while next_seed in held:
                found = held.pop(next_seed)
                for _, inbox in workers:
                    inbox.put(("changes", next_seed, found.changes))
                yield found
                next_seed += 1
            while waiting and give(waiting[0]):
                waiting.popleft()
        for _, inbox in workers:
            inbox.put(("stop",))
        for process, _ in workers:
            process.join(timeout=10)
    finally:
        for process, inbox in workers:
            if process.is_alive():
                process.terminate()
                process.join()
            inbox.cancel_join_thread()
        results.cancel_join_thread()


def _exit(code: int | None) -> str:
    if code is not None and code < 0:
        import signal

        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _parsing_process(inbox, results, seeds: list[Path], known_names: list[str], archive, registry: Registry,
                     topic_list: list[dict]) -> None:
    """One forked process of `_extract_in_processes`: reads and parses the seeds it is given, and
    finds the claims of seed i once its registry holds the changes of seeds 0..i-1; while it waits
    for them, it parses the next seed it was given. A fault outside any one seed ends the process
    with one line; the filing process reports the seed it held."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the filing process's to handle
    try:
        _parse_and_extract(inbox, results, seeds, known_names, archive, registry, topic_list)
    except Exception as error:  # noqa: BLE001 - a fault of Hindsight's: one line, not a traceback
        print(f"hindsight extract: a parsing process failed ({type(error).__name__}: {error})", file=sys.stderr)
        sys.stderr.flush()
        os._exit(70)


def _parse_and_extract(inbox, results, seeds: list[Path], known_names: list[str], archive, registry: Registry,
                       topic_list: list[dict]) -> None:
    import queue

    parent = os.getppid()
    nlp = language.pipeline()
    applied = 0   # the registry holds the changes of seeds 0..applied-1
    given: collections.deque = collections.deque()   # seeds to parse, in order; None: stop
    parsed: collections.deque = collections.deque()   # (seed, what was read, its paragraphs parsed)

    def handle(message) -> None:
        nonlocal applied
        if message[0] == "changes":
            if message[1] == applied:
                registry.replay(message[2])
                applied += 1
        else:
            given.append(message[1] if message[0] == "seed" else None)

    while True:
        if os.getppid() != parent:   # the filing process was killed: nothing more will be filed
            os._exit(1)
        try:
            while True:
                handle(inbox.get_nowait())
        except queue.Empty:
            pass
        if parsed and parsed[0][0] == applied:   # its turn: the registry is as one process would have it
            index, entry, docs = parsed.popleft()
            registry.journal = []
            found = _extract_seed(entry, docs, registry, topic_list)
            found.changes, registry.journal = registry.journal, None
            applied = index + 1
            try:   # here, not in the queue's thread, where a failure would be lost and the run wait for ever
                sent = pickle.dumps(found)
            except Exception as error:  # noqa: BLE001 - reported with its seed, in its turn
                sent = pickle.dumps(_Extracted(entry.path, changes=found.changes, error=_fault(entry.path, error)))
            results.put(("found", index, sent))
        elif given and given[0] is not None:
            index = given.popleft()
            docs = []
            try:
                entry = _read_seed(seeds[index], known_names, archive)
                if entry.article is not None:
                    docs = list(nlp.pipe(entry.article.paragraphs, batch_size=language.BATCH))
            except Exception as error:  # noqa: BLE001 - reported with its seed, in its turn
                entry, docs = _Seed(seeds[index], error=_fault(seeds[index], error)), []
            parsed.append((index, entry, docs))
            results.put(("parsed", index))
        elif given and not parsed:
            return
        else:
            try:
                handle(inbox.get(timeout=1))
            except queue.Empty:
                pass


def _summary(seed: Path, filed, extraction, article, registry) -> str:
    speakers = sorted({c.speaker for c in extraction.claims if c.speaker and registry.people[c.speaker].new})
    verb = "written" if filed.created else ("updated" if filed.changed else "unchanged")
    parts = [f"{len(extraction.claims)} claims found"]
    if not filed.created:
        parts.append(f"{len(filed.added)} added")
        if filed.filled:
            parts.append(f"{len(filed.filled)} empty fields filled")
    parts.append(f"{len(speakers)} new speaker{'s' * (len(speakers) != 1)}")
    if filed.suggested:
        parts.append(f"{len(filed.suggested)} may repeat claims already in the archive (suggested_related)")
    warnings = list(filed.warnings)
    if filed.missing:
        warnings.append(f"no longer found (kept): {', '.join(filed.missing)}")
    unnamed = sum(c.speaker is None for c in extraction.claims)
    if unnamed:
        warnings.append(f"{unnamed} statement{'s' * (unnamed != 1)} whose speaker could not be named, "
                        "written with `speaker:` empty for an editor to fill (hindsight check lists them)")
    warnings.extend(article.warnings)
    warnings.extend(extraction.warnings)
    flags = [q for q in article.quality]
    line = f"{seed.name} -> {filed.path} ({verb}): " + ", ".join(parts)
    if flags:
        line += f"; quality: {', '.join(flags)}"
    if warnings:
        line += f"; warnings: {len(warnings)}: " + " | ".join(warnings)
    return line


def extract_new_seeds(content: Path) -> list[str]:
    """What the live preview's build does first: seeds with no claim sheet yet, or whose text
    changed, are extracted (a build for publishing never extracts).

    Extraction only adds claims and fills empty fields, so editors' work is safe. While any
    claim sheet cannot be read, nothing is extracted: that sheet's seed would look as if it
    had none, and be extracted into a second sheet. The load step that follows reports the
    sheet with its position. Returns what to tell the editor."""
    seeds = stale_seeds(content)
    if not seeds:
        return []
    unreadable = _unreadable_sheets(content / "articles")
    if unreadable:
        return [f"{len(seeds)} seed{'s' * (len(seeds) != 1)} not extracted while {', '.join(unreadable)} cannot be "
                "read: fix it first (its error is listed with its position)"]
    if extract(content, seeds) != 0:
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
