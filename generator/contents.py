"""Loading stage: finds every file under `content/`, reads it (`readers`), checks it
(`validation`) and, when nothing is wrong, turns it into the `Archive` model.

Consumes a content folder; produces `(Archive | None, [Problem])`. Every file found is
either read or reported: nothing is skipped in silence. The three steps (`read_content`,
`check_content`, `model_archive`) are separate so the build can time each one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import os
import stat
import time
from pathlib import Path
from typing import Any

from generator import parallel
from generator.model import (
    Archive,
    Article,
    Claim,
    Correction,
    Evidence,
    Outcome,
    REJECTED,
    Person,
    Publisher,
    Role,
    Site,
    Topic,
)
from generator.problems import Problem
from generator.readers import Document, decode, not_a_file, parse_file, read_file, read_yaml
from generator.validation import ContentFiles, check_page_name, check_schema

REGISTRIES = {"site.yaml": "site", "people.yaml": "people", "topics.yaml": "topics"}


def read_content(content_dir: Path, problems: list[Problem], processes: int = 1,
                 read_before: dict[str, tuple[str, bytes]] | None = None,
                 values_before: dict[str, tuple[str, Any]] | None = None,
                 settled_before: dict[str, tuple[tuple[int, ...], str, bytes]] | None = None,
                 registries_before: dict[str, tuple[tuple[int, ...], Any, list]] | None = None
                 ) -> tuple[ContentFiles, dict[str, str]]:
    """Read every content file into documents, and Markdown pages into text (not yet checked).
    With `processes` > 1, a large archive's claim sheets are parsed in that many processes.

    `read_before` (from `read_sheets_cache`) holds the sheets an earlier build read and found
    valid: a sheet whose bytes are the same is not parsed again, and `files.digests` records
    every sheet's bytes' digest for `sheets_to_cache` and the incremental record.
    `values_before` (path -> (digest, value)), kept in memory by a long-running process, spares
    unmarshalling those values again; it is used only beside `read_before`.
    `settled_before` (an earlier build's `files.settled`, kept in memory by a long-running
    process) spares reading a sheet again, as git's index does: its bytes are those read
    before while the file system reports the same file, size, and modification and change
    times, which any write changes. Only sheets whose times were SETTLED_SECONDS old when
    read are kept there: a write within the clock's tick of an earlier one could leave them
    unchanged. `registries_before` (`files.settled_registries`) does the same for the
    speakers', questions' and site's files, read and parsed."""
    files = ContentFiles(project_root=content_dir.parent)
    if not content_dir.is_dir():
        problems.append(Problem(str(content_dir), 1, 1, "the content folder does not exist",
                                "run from the archive's folder, or pass --content DIR"))
        return files, {}
    for name, kind in REGISTRIES.items():
        path = content_dir / name
        if path.is_symlink():
            problems.append(_link_problem(path))
            continue
        special = _special(path)
        if special is not None:
            problems.append(special)
            continue
        if not path.is_file():
            problems.append(Problem(str(path), 1, 1, f"{name} is missing",
                                    f"create it; see generator/schemas/{kind}.schema.json for its fields"))
            continue
        if registries_before is None:
            setattr(files, kind, _read(path, problems))
            continue
        shown = str(path)
        stat, known = _stat_key(shown), registries_before.get(shown)
        document, found = (known[1], known[2]) if known is not None and known[0] == stat else read_yaml(path, shown)
        problems.extend(found)
        setattr(files, kind, document)
        if _settled(stat):
            files.settled_registries[shown] = (stat, document, found)
    articles_dir = content_dir / "articles"
    sheets: list[str] = []   # paths as shown: no Path made per sheet (20,000 at 100,000 claims)
    articles_shown = str(articles_dir)
    for relative, kind in _files_under(articles_dir) if articles_dir.is_dir() else []:
        path = os.path.join(articles_shown, *relative)   # as str(articles_dir.joinpath(*relative))
        if kind == "link":
            problems.append(_link_problem(Path(path)))
            continue
        if kind == "special":   # a named pipe would hang whatever opens it: it is never opened
            problems.append(_special(Path(path)) or _link_problem(Path(path)))
            continue
        if relative[-1].endswith(".yaml") and relative[-1] != ".yaml" and len(relative) == 2:
            sheets.append(path)
        else:
            problems.append(Problem(path, 1, 1, "this file is not read: claim sheets are "
                                    "content/articles/YYYY/<slug>.yaml", "move or rename it, or delete it",
                                    "warning"))
    for document, found in _read_sheets(sheets, processes, files, read_before, values_before, settled_before):
        problems.extend(found)
        if document is not None:
            files.articles.append(document)
    pages: dict[str, str] = {}
    pages_dir = content_dir / "pages"
    for path in sorted(pages_dir.iterdir()) if pages_dir.is_dir() else []:
        if path.is_symlink():
            problems.append(_link_problem(path))
            continue
        special = _special(path)
        if special is not None:
            problems.append(special)
            continue
        if path.suffix != ".md" or not path.is_file():
            problems.append(Problem(str(path), 1, 1, "this file is not read: pages are Markdown files "
                                    "named <slug>.md", "rename it, or delete it", "warning"))
            continue
        misnamed = check_page_name(path)
        if misnamed:
            problems.append(misnamed)
            continue
        try:
            pages[path.stem] = decode(path.read_bytes())
        except UnicodeDecodeError:
            problems.append(Problem(str(path), 1, 1, "the page is not UTF-8 text", "save it as UTF-8"))
    return files, pages


def _files_under(folder: Path) -> list[tuple[tuple[str, ...], str]]:
    """Every file, symbolic link and other entry (a named pipe, a socket, a device) under
    `folder` (links to folders are not followed), as (path parts below `folder`, "file",
    "link" or "special"), in path order: one directory listing per folder, where walking with
    pathlib asks the file system about each file again."""
    found: list[tuple[tuple[str, ...], str]] = []
    folders: list[tuple[str, ...]] = [()]
    while folders:
        parts = folders.pop()
        try:
            with os.scandir(folder.joinpath(*parts)) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.is_symlink():
                found.append((parts + (entry.name,), "link"))
            elif entry.is_dir():
                folders.append(parts + (entry.name,))
            else:
                found.append((parts + (entry.name,), "file" if entry.is_file() else "special"))
    return sorted(found)


def _special(path: Path) -> Problem | None:
    """The problem with a path that is there but is neither an ordinary file, a folder nor a
    link (a named pipe, a socket, a device): told from `lstat`, without opening it."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return None
    return not_a_file(str(path), mode)


def _link_problem(path: Path) -> Problem:
    """Content is read from ordinary files only: a link could publish any file on the machine
    that builds the site (a CI runner's secrets, say)."""
    return Problem(str(path), 1, 1, "this is a symbolic link, which the archive does not follow",
                   "put the file itself here instead of a link to it")


PARALLEL_FROM = 2000   # sheets: below this, one process reads them sooner than two
PARSED_HERE = 1.0      # of an even share of the sheets, what this process parses. It also reads every
                       # sheet's bytes and unmarshals the others' values, but the others marshal and send
                       # them: a full even share ends with them


def _read_sheets(paths: list[str], processes: int, files: ContentFiles,
                 read_before: dict[str, tuple[str, bytes]] | None,
                 values_before: dict[str, tuple[str, Any]] | None = None,
                 settled_before: dict[str, tuple[tuple[int, ...], str, bytes]] | None = None
                 ) -> list[tuple[Document | None, list[Problem]]]:
    """Each sheet read, in the order given: taken from `read_before` when its bytes are those
    read before, else parsed. Parsing is pure Python after libyaml's scanner, so a second
    process is the only way to use a second core: the sheets to parse are split in
    `processes` shares, one parsed here, the others by forked processes that send back only
    the values they read, marshalled. No sheet parsed records where each value was written
    (a fifth of parsing; pickling them took half as long as parsing): it keeps its bytes
    instead, and its positions are worked out again from them if a problem needs them, as
    for a sheet read before (`readers.parse_yaml`)."""
    read: list[tuple[Document | None, list[Problem]] | None] = []
    unparsed: list[tuple[bytes, str]] = []
    for shown in paths:
        known = stat = digest = None
        if settled_before is not None:
            stat = _stat_key(shown)
            known = settled_before.get(shown)
        if known is not None and known[0] == stat:
            _, digest, raw = known
        else:
            raw, found = read_file(shown, shown)
            if raw is None:
                read.append((None, found))
                continue
        if read_before is not None:
            digest = digest or hashlib.blake2b(raw, digest_size=16).hexdigest()
            files.digests[shown] = digest
            if _settled(stat):
                files.settled[shown] = (stat, digest, raw)
            before = read_before.get(shown)
            value = None
            if before is not None and before[0] == digest:
                known = values_before.get(shown) if values_before is not None else None
                value = known[1] if known is not None and known[0] == digest else _unmarshalled(before[1])
            if value is not None:
                read.append((Document(shown, value, unparsed=raw), []))
                files.schema_valid.add(shown)
                files.cached[shown] = before[1]
                continue
        read.append(None)
        unparsed.append((raw, shown))
    parsed = iter(_parse_sheets(unparsed, processes))
    return [next(parsed) if done is None else done for done in read]


SETTLED_SECONDS = 2


def _stat_key(path: str) -> tuple[int, ...] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_dev


def _settled(stat: tuple[int, ...] | None) -> bool:
    """Whether a file's modification and change times (`_stat_key`) were SETTLED_SECONDS old
    as it was read: any later write then shows in them."""
    limit = time.time_ns() - SETTLED_SECONDS * 1_000_000_000
    return stat is not None and stat[2] < limit and stat[3] < limit


def _unmarshalled(blob: bytes):
    try:
        value = marshal.loads(blob)
    except (EOFError, ValueError, TypeError):
        return None
    return value if isinstance(value, dict) else None   # every valid sheet is a mapping


def _parse_sheets(sheets: list[tuple[bytes, str]], processes: int) -> list[tuple[Document | None, list[Problem]]]:
    shares = max(1, min(processes, len(sheets) // PARALLEL_FROM))
    if shares == 1:
        return [parse_file(raw, shown, positions=False) for raw, shown in sheets]
    here = int(len(sheets) * PARSED_HERE / shares)   # this process's share, the first; the others split the rest
    rest = len(sheets) - here
    bounds = [(0, here)] + [(here + rest * part // (shares - 1), here + rest * (part + 1) // (shares - 1))
                            for part in range(shares - 1)]
    with parallel.forked(sheets, shares - 1) as pool:
        others = [pool.apply_async(parallel.run, (_parse_share, share)) for share in bounds[1:]]
        read = [parse_file(raw, shown, positions=False) for raw, shown in sheets[bounds[0][0]:bounds[0][1]]]
        for (first, end), other in zip(bounds[1:], others):
            values, found = other.get()
            for (raw, shown), value, problems in zip(sheets[first:end], marshal.loads(values), found):
                read.append((None if value is _UNREAD else Document(shown, value, unparsed=raw), problems))
    return read

_UNREAD = None   # the value sent back for a sheet that could not be read: no valid sheet is None (the file is empty)


def _parse_share(sheets: list[tuple[bytes, str]], bounds: tuple[int, int]) -> tuple[bytes, list[list[Problem]]]:
    """A forked process's share: each sheet's value (`_UNREAD` when it could not be read),
    marshalled, and each one's problems."""
    read = [parse_file(raw, shown, positions=False) for raw, shown in sheets[bounds[0]:bounds[1]]]
    return (marshal.dumps([_UNREAD if document is None else document.value for document, _ in read]),
            [found for _, found in read])


def _read(path: Path, problems: list[Problem]) -> Document | None:
    document, found = read_yaml(path, str(path))
    problems.extend(found)
    return document


def check_schemas(files: ContentFiles) -> list[Problem]:
    """Every file against its schema: what `model_archive` needs to model the files."""
    problems: list[Problem] = []
    for kind in REGISTRIES.values():
        document = getattr(files, kind)
        if document is not None:
            problems.extend(check_schema(document, kind))
    for document in files.articles:
        if document.path in files.schema_valid:   # read before, and valid then: the same bytes, the same code
            continue
        found = check_schema(document, "article")
        if not found:
            files.schema_valid.add(document.path)
        problems.extend(found)
    return problems


def model_archive(files: ContentFiles, pages: dict[str, str], problems: list[Problem],
                  modelled_before: dict[str, tuple[str, Article]] | None = None,
                  registries_before: dict[str, tuple[Any, dict]] | None = None) -> Archive | None:
    """The archive model of checked files; None when any problem is an error.

    `modelled_before` (sheet path -> (digest of its bytes, its article)), kept in memory by a
    long-running process, gives back the article of a sheet whose bytes are the same: an
    article and its claims are made from their sheet alone, and never changed once made.
    `registries_before` ("people" or "topics" -> (the file's value, its model)) does the
    same for the speakers and questions when the file's value is equal."""
    if any(problem.severity == "error" for problem in problems):
        return None
    modelled_before = modelled_before or {}
    registries_before = registries_before or {}

    def registry(kind: str, model) -> dict:
        value = getattr(files, kind).value
        before = registries_before.get(kind)
        if before is not None and before[0] == value:
            return before[1]
        return {entry["id"]: model(entry) for entry in value[kind]}

    def article(document: Document) -> Article:
        before = modelled_before.get(document.path)
        if before is not None and before[0] == files.digests.get(document.path):
            return before[1]
        return _article(document)

    return Archive(
        site=_site(files.site.value),
        people=registry("people", _person),
        topics=registry("topics", _topic),
        articles=sorted((article(document) for document in files.articles),
                        key=lambda article: (article.published or dt.date.max, article.slug)),
        pages=pages,
    )


# ---------------------------------------------------------------------------
# From checked plain values to the model


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _site(value: dict) -> Site:
    publisher = value["publisher"]
    return Site(value["title"], value["description"], value["language"], value["base_url"],
                Publisher(publisher["name"], publisher["url"]))


def _person(entry: dict) -> Person:
    roles = tuple(Role(role["title"], role.get("organisation"), _day(role.get("from")), _day(role.get("to")))
                  for role in entry.get("roles") or [])
    return Person(
        id=entry["id"], name=entry["name"], kind=entry.get("kind") or "person",
        aliases=tuple(entry.get("aliases") or ()), roles=roles, wikidata=entry.get("wikidata"),
        description=entry.get("description"), review=entry.get("review") or "reviewed",
    )


def _topic(entry: dict) -> Topic:
    return Topic(entry["id"], entry["title"], entry["question"], entry.get("description"),
                 tuple(entry.get("terms") or ()))


def _outcome(value: dict | None) -> Outcome:
    if not value:
        return Outcome()
    evidence = tuple(
        Evidence(claim=item.get("claim"), url=item.get("url"), title=item.get("title"),
                 outlet=item.get("outlet"), date=_day(item.get("date")), note=item.get("note"))
        for item in value.get("evidence") or []
    )
    return Outcome(value["status"], _day(value.get("as_of")), value.get("summary"), evidence)


def _article(document: Document) -> Article:
    slug = Path(document.path).stem
    head = document.value["article"]
    article = Article(
        slug=slug, title=head["title"], outlet=head.get("outlet"), published=_day(head.get("published")),
        seed=head.get("seed"), source=document.path, dek=head.get("dek"), url=head.get("url"),
        published_basis=head.get("published_basis"), byline=tuple(head.get("byline") or ()),
        seed_sha256=head.get("seed_sha256"), quality=tuple(head.get("quality") or ()), note=head.get("note"),
    )
    for entry in document.value["claims"]:
        if entry["review"] == REJECTED or entry["speaker"] is None:   # no speaker named yet: not published
            continue
        article.claims.append(Claim(
            id=entry["id"], statement=entry["statement"], form=entry["form"], speaker=entry["speaker"],
            said=_day(entry.get("said")), kind=entry["kind"], review=entry["review"],
            speaker_as_written=entry.get("speaker_as_written"), role=entry.get("role"),
            said_basis=entry.get("said_basis"), said_precision=entry.get("said_precision") or "day",
            context=entry.get("context"),
            topics=tuple(entry.get("topics") or ()), related=tuple(entry.get("related") or ()), outcome=_outcome(entry.get("outcome")),
            corrections=tuple(Correction(item["date"], item["wrong"], item["changed"])
                              for item in entry.get("corrections") or ()),
            note=entry.get("note"), article=slug, original=entry.get("original"),
        ))
    return article
