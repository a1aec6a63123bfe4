"""Verdict history: what the repository's git history says about each published claim.

Consumes the git history of the claim sheets (read once, from the git command line, along
the branch's first parents: the history readers saw); produces, per claim id, every change
of its outcome (status, as_of, summary, evidence) and every correction added, each with its
commit. Only versions where the claim was `review: reviewed` count: a draft's or a rejected
version's text is never compared nor shown, and a claim rejected at the latest commit has no
history at all. Without git, outside a repository or in a shallow clone, the history is
empty and carries one note saying why. `HistoryCache` keeps what was read by commit, so a
later read parses only the new commits.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import yaml

from generator.incremental import store
from generator.model import UNRATED, Correction, Evidence, Outcome
from generator.readers import Document, Problem

try:  # PyYAML built with libyaml: about twenty times faster than the pure-Python loader.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - exercised only where libyaml is missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

REVIEWED = "reviewed"
REJECTED = "rejected"
TEXT_FIELDS = ("statement", "speaker", "said")   # what a correction must explain when it changes
NO_COMMIT = "0" * 40

# ---------------------------------------------------------------------------
# What the history gives


@dataclass(frozen=True)
class Commit:
    id: str                  # the full commit id
    committed: dt.datetime   # when it was committed (the committer's date, with its offset)
    message: str             # the whole message
    subject: str             # its first line; a merge's first line of body (the pull request's title)


@dataclass(frozen=True)
class OutcomeChange:
    """A published outcome and what it replaced; `before` is None for the claim's first
    published version (the start of its timeline, not a change)."""

    claim: str
    commit: Commit
    before: Outcome | None
    after: Outcome


@dataclass(frozen=True)
class CorrectionMade:
    """A correction as first published, and the commit that published it."""

    claim: str
    commit: Commit
    correction: Correction


@dataclass(frozen=True)
class Unexplained:
    """A reviewed claim whose statement, speaker or date differs from an earlier published
    version with no correction added since to say why."""

    claim: str
    fields: tuple[str, ...]                         # which of TEXT_FIELDS changed
    before: dict[str, Any]                          # the published values of those fields
    after: dict[str, Any]                           # the values now
    published: Commit                               # the commit of the published version it differs from
    changed_in: Commit | None                       # the commit that changed it; None: not committed yet


# One claim version, kept as plain values (marshal-able, comparable):
# (review, statement, speaker, said, outcome, corrections), where outcome is
# (status, as_of, summary, evidence as sorted (key, value) pairs per item), and
# corrections a tuple of (date, wrong, changed).
Version = tuple


@dataclass
class History:
    """Every published outcome and correction of each claim, oldest first."""

    available: bool = True
    note: str | None = None          # said once when the history could not be read
    head: str | None = None          # the commit the history was read up to
    commits: list[Commit] = field(default_factory=list)
    outcome_events: dict[str, list[tuple]] = field(default_factory=dict)     # claim -> (commit, before, after)
    correction_events: dict[str, list[tuple]] = field(default_factory=dict)  # claim -> (commit, correction)
    published_texts: dict[str, list[tuple]] = field(default_factory=dict)    # claim -> (commit, text, corrections)

    def outcome_changes(self, claim: str) -> list[OutcomeChange]:
        """The claim's timeline: its first published outcome, then each change, oldest first."""
        return [OutcomeChange(claim, self.commits[index], _outcome(before), _outcome(after))
                for index, before, after in self.outcome_events.get(claim, ())]

    def corrections(self, claim: str) -> list[CorrectionMade]:
        return [CorrectionMade(claim, self.commits[index], Correction(*entry))
                for index, entry in self.correction_events.get(claim, ())]

    def updates(self, claims: Iterable[str] | None = None) -> list[OutcomeChange | CorrectionMade]:
        """Outcome changes (not first publications) and corrections of `claims` (default: every
        claim with a history), newest first; ties in claim order, then as committed."""
        wanted = self.outcome_events.keys() | self.correction_events.keys() if claims is None else claims
        found = []
        for claim in wanted:
            for number, change in enumerate(self.outcome_changes(claim)):
                if change.before is not None:
                    found.append((change.commit.committed, claim, number, change))
            for number, made in enumerate(self.corrections(claim)):
                found.append((made.commit.committed, claim, 1_000_000 + number, made))
        found.sort(key=lambda item: (-item[0].timestamp(), item[1], item[2]))
        return [item[3] for item in found]

    def unexplained(self, sheets: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, int, Unexplained]]:
        """For `hindsight check`: (sheet, claim's index, what changed) for each reviewed claim in
        `sheets` ((path, the sheet's value) as read now) whose statement, speaker or date differs
        from an earlier published version, the latest such change, when no correction was added
        after that version."""
        for path, value in sheets:
            claims = value.get("claims") if isinstance(value, dict) else None
            for index, entry in enumerate(claims if isinstance(claims, list) else ()):
                if not isinstance(entry, dict) or entry.get("review") != REVIEWED:
                    continue
                claim = entry.get("id")
                texts = self.published_texts.get(claim) if isinstance(claim, str) else None
                if not texts:
                    continue
                now = _version(entry)
                found = _latest_unexplained(claim, texts, (None, _text(now), now[5]), self.commits)
                if found is not None:
                    yield path, index, found


def _latest_unexplained(claim: str, texts: list[tuple], current: tuple, commits: list[Commit]) -> Unexplained | None:
    versions = [*texts, current]
    added_since = lambda corrections: set(current[2]) - set(corrections)  # noqa: E731
    for number in range(len(versions) - 1, 0, -1):
        before, after = versions[number - 1], versions[number]
        changed = tuple(name for name, old, new in zip(TEXT_FIELDS, before[1], after[1]) if old != new)
        if not changed:
            continue
        if added_since(before[2]):
            return None
        old, new = dict(zip(TEXT_FIELDS, before[1])), dict(zip(TEXT_FIELDS, after[1]))
        return Unexplained(claim, changed, {name: old[name] for name in changed}, {name: new[name] for name in changed},
                           commits[before[0]], None if after[0] is None else commits[after[0]])
    return None


def _text(version: Version) -> tuple:
    """Statement (its spacing aside), speaker and date of a version."""
    statement = version[1]
    return (" ".join(statement.split()) if isinstance(statement, str) else statement, version[2], version[3])


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _outcome(value: tuple | None) -> Outcome | None:
    if value is None:
        return None
    status, as_of, summary, evidence = value
    items = []
    for pairs in evidence:
        item = dict(pairs)
        items.append(Evidence(claim=_str(item.get("claim")), url=_str(item.get("url")), title=_str(item.get("title")),
                              outlet=_str(item.get("outlet")), date=_day(item.get("date")), note=_str(item.get("note"))))
    return Outcome(status, _day(as_of), summary if isinstance(summary, str) else None, tuple(items))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------------------
# Reading one version of a sheet


def _plain(value: Any) -> Any:
    """A parsed value as the sheet's text gives it: dates as the strings YYYY-MM-DD, lists and
    mappings as tuples (so versions compare and marshal)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return tuple(_plain(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(key), _plain(item)) for key, item in value.items()))
    return value


def _version(entry: dict) -> Version:
    outcome = entry.get("outcome")
    if isinstance(outcome, dict) and isinstance(outcome.get("status"), str):
        evidence = outcome.get("evidence")
        outcome = (outcome["status"], _plain(outcome.get("as_of")), _plain(outcome.get("summary")),
                   tuple(_plain(item) for item in evidence if isinstance(item, dict))
                   if isinstance(evidence, list) else ())
    else:
        outcome = (UNRATED, None, None, ())   # as the site shows a claim with no outcome: not rated
    corrections = entry.get("corrections")
    corrections = tuple((_plain(item.get("date")), _plain(item.get("wrong")), _plain(item.get("changed")))
                        for item in corrections if isinstance(item, dict)) if isinstance(corrections, list) else ()
    return (_plain(entry.get("review")), _plain(entry.get("statement")), _plain(entry.get("speaker")),
            _plain(entry.get("said")), outcome, corrections)


_CLAIMS = re.compile(r"(?m)^claims:[ \t]*(?:#.*)?\r?$")
_TOP_LEVEL = re.compile(r"(?m)^[^\s#-]")


class SheetReader:
    """Claim versions from a sheet's text. Each claim's block of lines is parsed once, however
    many versions of the sheet repeat it: a commit that changes one claim parses one claim."""

    def __init__(self) -> None:
        self.blocks: dict[str, tuple[str, Version] | None] = {}

    def claims(self, text: str) -> list[tuple[str, Version]] | None:
        """(id, version) for each claim with an id, in order; None when the text cannot be read."""
        blocks = _claim_blocks(text)
        if blocks is not None:
            found = []
            for block in blocks:
                if block not in self.blocks:
                    self.blocks[block] = self._block(block)
                claim = self.blocks[block]
                if claim is None:
                    break   # a block that is not one claim alone (an anchor, odd layout): read the whole sheet
                found.append(claim)
            else:
                return found
        value = _load(text)
        claims = value.get("claims") if isinstance(value, dict) else None
        if not isinstance(claims, list):
            return None if claims is not None or not isinstance(value, dict) else []
        return [(entry["id"], _version(entry)) for entry in claims
                if isinstance(entry, dict) and isinstance(entry.get("id"), str)]

    @staticmethod
    def _block(block: str) -> tuple[str, Version] | None:
        dash = len(block) - len(block.lstrip(" "))
        value = _load(_UNUSED_FIELD[dash].sub("", block) if dash in _UNUSED_FIELD else block)
        if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict)
                and isinstance(value[0].get("id"), str)):
            return None
        return value[0]["id"], _version(value[0])


# A claim's fields that no version comparison reads, with their continuation lines (indented
# further), by the indent of the claim's dash: left out before parsing, as a third of its
# nodes. (A field's line starts at the dash's indent plus two; nothing inside another field
# can, not even a block scalar's text.)
_UNUSED_FIELD = {dash: re.compile(
    rf"(?m)^ {{{dash + 2}}}(?:context|said_basis|said_precision|speaker_as_written|role|topics|form|kind|original"
    rf"|note):(?:[ \t].*)?(?:\n|\Z)(?:[ \t]*(?:\n|\Z)| {{{dash + 3},}}.*(?:\n|\Z))*") for dash in range(0, 9)}


class _Composer(_Loader):
    """libyaml's parser, resolving no types: every scalar stays the text written (dates the
    strings YYYY-MM-DD, as `readers` keeps them), which is three times faster than loading."""

    def resolve(self, kind, value, implicit):
        return "" if kind is yaml.ScalarNode else "[]" if kind is yaml.SequenceNode else "{}"

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
MAX_NODES = 100_000   # per text: aliases could otherwise multiply a small text without end


def _load(text: str) -> Any:
    """The plain value of one YAML text (None when it cannot be read)."""
    loader = _Composer(text)
    budget = [MAX_NODES]

    def value(node: yaml.Node) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise RecursionError
        if isinstance(node, yaml.ScalarNode):
            return None if node.style is None and node.value in _NULLS else node.value
        if isinstance(node, yaml.SequenceNode):
            return [value(item) for item in node.value]
        return {key.value: value(item) for key, item in node.value if isinstance(key, yaml.ScalarNode)}

    try:
        return value(loader.get_single_node())
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


def _claim_blocks(text: str) -> list[str] | None:
    """The text of each item of the sheet's `claims:` list, when it is written as a block list
    (as `hindsight new` and extraction write it); None for any other layout."""
    start = _CLAIMS.search(text)
    if start is None:
        return None
    rest = text[start.end():]
    end = _TOP_LEVEL.search(rest)
    region = rest[:end.start()] if end else rest
    first = re.search(r"(?m)^( *)- ", region)
    if first is None:
        return None if region.strip(" \t\r\n") and not _only_comments(region) else []
    if region[:first.start()].strip() and not _only_comments(region[:first.start()]):
        return None
    # An item's lines are indented further than its dash, block scalars too: a line starting
    # with the dash at that indent starts the next item. ("-" alone on its line is not split:
    # its block then holds two items, and the sheet is read whole.)
    separator = "\n" + first.group(1) + "- "
    parts = region[first.start():].split(separator)
    blocks = [parts[0] + "\n"] + [separator[1:] + part + "\n" for part in parts[1:]]
    blocks[-1] = blocks[-1][:-1] if blocks[-1].endswith("\n\n") else blocks[-1]
    return blocks


def _only_comments(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


# ---------------------------------------------------------------------------
# The state a read leaves, for the next one


HISTORY_VERSION = 2


class HistoryCache:
    """What a read of the history left: the sheets' claims at the last commit read, the last
    published version of each claim, and the events so far. Kept in one sealed file (kind
    "history", HISTORY_VERSION): any other file, version or Python is read as absent."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict | None:
        state = store.read_sealed(self.path, "history", HISTORY_VERSION)
        return state if isinstance(state, dict) and state.get("version") == HISTORY_VERSION else None

    def save(self, state: dict) -> None:
        store.write_sealed(self.path, "history", HISTORY_VERSION, state)


def _empty_state(prefix: str) -> dict:
    return {
        "version": HISTORY_VERSION, "prefix": prefix, "head": None,
        "commits": [],          # (id, committed ISO date, message)
        "sheets": {},           # sheet path -> ids of its claims, at the last commit read
        "claims": {},           # claim id -> (sheet path, version), at the last commit read
        "published": {},        # claim id -> its last reviewed version
        "outcomes": {},         # claim id -> [(commit index, outcome before or None, outcome after)]
        "corrections": {},      # claim id -> [(commit index, correction)]
        "texts": {},            # claim id -> [(commit index, text, corrections)] where they changed
    }


# ---------------------------------------------------------------------------
# Reading git


class _NoHistory(Exception):
    pass


def _git(repository: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(["git", "-C", str(repository), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise _NoHistory("git is not installed") from None
    except OSError as error:
        raise _NoHistory(f"git could not be run ({error.strerror})") from None
    if check and done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _NoHistory(f"git said: {said[-1] if said else 'exit code ' + str(done.returncode)}")
    return done


def read_history(content: Path, cache: HistoryCache | None = None) -> History:
    """The verdict history of the claim sheets under `content/articles`, up to HEAD. Reads only
    the commits after those `cache` holds, when they are HEAD's first-parent ancestors, and
    saves the new state there."""
    content = Path(content)
    try:
        top = _git(content if content.is_dir() else content.parent, "rev-parse", "--show-toplevel",
                   "--is-shallow-repository", check=False)
        if top.returncode != 0:
            said = top.stderr.decode("utf-8", "replace").strip().splitlines()
            if said and "not a git repository" not in said[0]:   # e.g. git refuses a repository of another user
                raise _NoHistory(f"git said: {said[0].removeprefix('fatal: ')}")
            raise _NoHistory(f"{content} is not in a git repository")
        root_text, shallow = top.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
        if shallow.strip() == "true":
            raise _NoHistory("this is a shallow clone; fetch the whole history (git fetch --unshallow) to show it")
        root = Path(root_text)
        head = _git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
        if head.returncode != 0:
            return History()   # no commit yet: nothing was ever published
        head_id = head.stdout.decode().strip()
        try:
            prefix = (content.resolve() / "articles").relative_to(root.resolve()).as_posix()
        except ValueError:
            raise _NoHistory(f"{content} is outside the repository at {root}") from None
        remembered = _READ.get(cache.path) if cache is not None else None
        if remembered is not None and remembered[0] == (prefix, head_id) and cache.path.exists():
            return remembered[1]   # a long-running process (the live preview), no new commit: nothing to read
        state = cache.load() if cache is not None else None
        if state is None or state["prefix"] != prefix or not _follows(root, state["head"], head_id):
            state = _empty_state(prefix)
        if state["head"] != head_id:
            _read_commits(root, state, head_id)
            if cache is not None:
                cache.save(state)
    except _NoHistory as reason:
        return History(available=False, note=f"verdict history is not shown: {reason}")
    history = _history(state)
    if cache is not None:
        _READ.clear()
        _READ[cache.path] = ((prefix, head_id), history)
    return history


# The last history read with a cache, by the cache's path: (prefix, head) -> History.
_READ: dict[Path, tuple[tuple[str, str], History]] = {}


def _follows(root: Path, before: str | None, head: str) -> bool:
    """Whether `head` is `before` or a first-parent descendant of it (the branch grew; its
    history was not rewritten), so that reading on from `before` gives what a full read gives."""
    if before is None:
        return False
    if before == head:
        return True
    listed = _git(root, "rev-list", "--first-parent", "--reverse", "--parents", f"{before}..{head}", check=False)
    first = listed.stdout.split(b"\n", 1)[0].split()
    return listed.returncode == 0 and len(first) >= 2 and first[1].decode() == before


def _read_commits(root: Path, state: dict, head: str) -> None:
    since = state["head"]
    span = f"{since}..{head}" if since else head
    log = _git(root, "-c", "log.showSignature=false", "log", "--first-parent", "--diff-merges=first-parent",
               "--reverse", "--no-renames", "--no-abbrev", "--raw", "-z", "--no-color",
               "--format=%x1e%H%x00%cI%x00%B%x00", span, "--", state["prefix"])
    commits = list(_commits(log.stdout, state["prefix"]))
    blobs = [blob for _, _, _, changes in commits for _, blob in changes if blob != NO_COMMIT]
    reader = SheetReader()
    with _Blobs(root, blobs) as stream:
        for commit_id, date, message, changes in commits:
            state["commits"].append((commit_id, date, message))
            sheets = {path: (None if blob == NO_COMMIT else stream.next()) for path, blob in changes}
            _apply(state, len(state["commits"]) - 1, sheets, reader)
    state["head"] = head


def _commits(raw: bytes, prefix: str) -> Iterator[tuple[str, str, str, list[tuple[str, str]]]]:
    """(id, date, message, [(sheet, its new blob or NO_COMMIT when deleted)]) per commit in `git
    log -z --raw` output; only files where the build reads sheets (articles/YYYY/x.yaml)."""
    for record in raw.split(b"\x1e")[1:]:
        parts = record.split(b"\0")
        commit_id, date, message = (part.decode("utf-8", "replace") for part in parts[:3])
        changes = []
        rest = parts[3:]
        for number in range(len(rest) - 1):
            meta = rest[number].strip()
            if not meta.startswith(b":"):
                continue
            fields = meta.split()
            path = rest[number + 1].decode("utf-8", "surrogateescape")
            inside = path[len(prefix) + 1:].split("/") if path.startswith(prefix + "/") else []
            if len(inside) == 2 and inside[1].endswith(".yaml") and inside[1] != ".yaml":
                changes.append((path, fields[3].decode() if fields[4][:1] != b"D" else NO_COMMIT))
        yield commit_id, date, message, changes


class _Blobs:
    """The texts of many blobs, in order, from one `git cat-file --batch`; the ids are written
    from a thread so that neither side of the pipe waits on the other."""

    def __init__(self, root: Path, blobs: list[str]):
        self.root, self.blobs = root, blobs

    def __enter__(self) -> _Blobs:
        if not self.blobs:
            self.process = None
            return self
        try:
            self.process = subprocess.Popen(["git", "-C", str(self.root), "cat-file", "--batch"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError as error:
            raise _NoHistory(f"git could not be run ({error.strerror})") from None
        self.writer = threading.Thread(target=self._write, args=(self.process.stdin,), daemon=True)
        self.writer.start()
        return self

    def _write(self, stream: IO[bytes]) -> None:
        try:
            for start in range(0, len(self.blobs), 512):
                stream.write("".join(blob + "\n" for blob in self.blobs[start:start + 512]).encode())
            stream.close()
        except (BrokenPipeError, ValueError):
            pass

    def next(self) -> str | None:
        """The next blob's text; None when it is missing or not UTF-8."""
        out = self.process.stdout
        header = out.readline().split()
        if len(header) != 3:
            if not header:
                raise _NoHistory("git cat-file stopped early")
            return None   # "<id> missing"
        body = out.read(int(header[2]) + 1)[:-1]
        try:
            return body.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.stdout.close()
            self.process.wait()
            self.writer.join()


def _apply(state: dict, commit: int, sheets: dict[str, str | None], reader: SheetReader) -> None:
    """Move the state on by one commit's sheets (their new text; None when deleted), recording
    what the claims' published versions show."""
    claims, by_sheet = state["claims"], state["sheets"]
    left: dict[str, Version] = {}          # claims that were in a changed sheet before this commit
    arrived: dict[str, tuple[str, Version]] = {}
    for path, text in sheets.items():
        found = reader.claims(text) if text is not None else []
        if found is None:
            continue   # a version that cannot be read: its claims stay as they were
        for claim in by_sheet.get(path, ()):
            if claim in claims and claims[claim][0] == path:
                left[claim] = claims.pop(claim)[1]
        for claim, version in found:
            arrived.setdefault(claim, (path, version))
        if found:
            by_sheet[path] = tuple(claim for claim, _ in found)
        else:
            by_sheet.pop(path, None)
    gone = {claim: version for claim, version in left.items() if claim not in arrived and claim not in claims}
    for claim, (path, version) in arrived.items():
        before = left.get(claim, claims[claim][1] if claim in claims else None)
        if before is None and gone:
            _renamed(state, claim, version, gone)
        claims[claim] = (path, version)
        if version != before:
            _observe(state, commit, claim, version)
    for claim in gone:
        claims.pop(claim, None)


def _renamed(state: dict, claim: str, version: Version, gone: dict[str, Version]) -> None:
    """A new id for a claim whose id left in the same commit, with the same statement, speaker
    and date: an editor renamed it; its history carries over to the new id."""
    for old, left in gone.items():
        if _text(left) == _text(version) and old not in state["claims"]:
            for kind in ("published", "outcomes", "corrections", "texts"):
                if old in state[kind]:
                    state[kind][claim] = state[kind].pop(old)
            del gone[old]
            return


def _observe(state: dict, commit: int, claim: str, version: Version) -> None:
    """Record a claim's new version, when it is published (reviewed): a draft's or a rejected
    version's text is never recorded nor compared."""
    if version[0] != REVIEWED:
        return
    before = state["published"].get(claim)
    state["published"][claim] = version
    if before is None or before[4] != version[4]:
        state["outcomes"].setdefault(claim, []).append((commit, None if before is None else before[4], version[4]))
    for correction in _added(before[5] if before is not None else (), version[5]):
        state["corrections"].setdefault(claim, []).append((commit, correction))
    if before is None or _text(before) != _text(version) or before[5] != version[5]:
        state["texts"].setdefault(claim, []).append((commit, _text(version), version[5]))


def _added(before: tuple, after: tuple) -> list[tuple]:
    """The corrections in `after` that are new: not in `before`, and not a rewording of one
    that was (the same date, in place of an entry no longer there)."""
    reworded = [entry[0] for entry in before if entry not in after]
    added = []
    for entry in after:
        if entry in before:
            continue
        if entry[0] in reworded:
            reworded.remove(entry[0])
        else:
            added.append(entry)
    return added


def _history(state: dict) -> History:
    """What may be shown: the claims at the last commit read that are not rejected there."""
    shown = {claim for claim, (_, version) in state["claims"].items() if version[0] != REJECTED}
    commits = [Commit(commit_id, dt.datetime.fromisoformat(date), message, _subject(message))
               for commit_id, date, message in state["commits"]]
    pick = lambda kind: {claim: events for claim, events in state[kind].items() if claim in shown}  # noqa: E731
    return History(head=state["head"], commits=commits, outcome_events=pick("outcomes"),
                   correction_events=pick("corrections"), published_texts=pick("texts"))


def _subject(message: str) -> str:
    lines = [line.strip() for line in message.strip().splitlines()]
    if lines and lines[0].startswith("Merge ") and len(lines) > 2 and lines[1] == "" and lines[2]:
        return lines[2]
    return lines[0] if lines else ""


def correction_warnings(history: History, sheets: Iterable[Document]) -> list[Problem]:
    """`hindsight check`'s warnings: a reviewed claim whose statement, speaker or date differs
    from a published version in git, with no correction added since to say why; at the field."""
    by_path = {sheet.path: sheet for sheet in sheets}
    found = []
    for path, index, change in history.unexplained((path, sheet.value) for path, sheet in by_path.items()):
        named = " and ".join(_FIELD_NAMES[name] for name in change.fields)
        when = change.published.committed.date().isoformat()
        since = (f"changed in {change.changed_in.id[:12]} ({change.changed_in.subject})" if change.changed_in
                 else "changed since the last commit")
        was = "; ".join(f"{name} was {value!r}" for name, value in change.before.items())
        found.append(by_path[path].problem(
            ("claims", index, change.fields[0]),
            f"the {named} of claim '{change.claim}' differ{'s' * (len(change.fields) == 1)} from the version "
            f"published on {when} ({change.published.id[:12]}), {since}, and no correction says why ({was})",
            "add an entry under the claim's `corrections:` (date, what was wrong, what changed), "
            "or put back the published text", severity="warning"))
    return found


_FIELD_NAMES = {"statement": "statement", "speaker": "speaker", "said": "date said"}


# ---------------------------------------------------------------------------
# What readers see: each claim's timeline, and the site's updates


@dataclass(frozen=True)
class Entry:
    """One dated line of a claim's timeline, or of the site's updates: plain values only, so
    that a page plan holding them is compared and digested like any other (an incremental
    build renders a claim page again when its timeline changed)."""

    day: dt.date
    kind: str                 # "published" (the first published outcome), "outcome" (a change), "correction"
    claim: str
    before: str | None = None  # the status before an outcome change
    after: str | None = None   # the status it became; a first publication's status
    why: str = ""             # an outcome change's commit message (its subject); a correction's "what changed"
    wrong: str = ""           # a correction's "what was wrong"
    key: str = ""             # unique and stable: the feed entry's id

    @property
    def is_update(self) -> bool:
        return self.kind != "published"


def timeline(history: History, claim: str, corrections: tuple[Correction, ...] = ()) -> tuple[Entry, ...]:
    """A claim's dated timeline, oldest first: its first published outcome and each change of
    it from git (the commit's day and message), and its corrections as its sheet dates them.
    Empty when there is nothing but a first publication to show."""
    events = history.outcome_events.get(claim, ())
    if len(events) < 2 and not corrections:
        return ()
    entries = []
    for number, (index, before, after) in enumerate(events):
        commit = history.commits[index]
        day = commit.committed.date()
        if before is None:
            entries.append(Entry(day, "published", claim, None, after[0], "", "", f"published/{claim}/{commit.id[:12]}"))
        else:
            entries.append(Entry(day, "outcome", claim, before[0], after[0], commit.subject, "",
                                 f"outcome/{claim}/{commit.id[:12]}/{number}"))
    for number, correction in enumerate(corrections):
        day = _day(correction.date)
        if day is not None:
            entries.append(Entry(day, "correction", claim, None, None, correction.changed or "", correction.wrong or "",
                                 f"correction/{claim}/{correction.date}/{number}"))
    if not any(entry.is_update for entry in entries):
        return ()
    order = {"published": 0, "outcome": 1, "correction": 2}
    return tuple(sorted(entries, key=lambda entry: (entry.day, order[entry.kind])))


def site_updates(timelines: dict[str, tuple[Entry, ...]]) -> list[Entry]:
    """Every outcome change and correction of the published claims, newest first; on one day,
    by claim id, then as they came."""
    found = [(entry, number) for claim_entries in timelines.values()
             for number, entry in enumerate(claim_entries) if entry.is_update]
    found.sort(key=lambda item: (-item[0].day.toordinal(), item[0].claim, item[1]))
    return [entry for entry, _ in found]
