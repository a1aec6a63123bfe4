"""Filing stage: writes claim sheets and draft speakers, never losing an editor's work.

Consumes the recovered article and its claims; produces a new sheet under
`content/articles/YYYY/` (or `undated/`), or updates the sheet that already holds the
same seed (found by its `article.seed` field wherever an editor moved it): claims it did not
have are added and empty fields filled; nothing written is changed or deleted, and claims
marked `review: reviewed` or `review: rejected` (struck out by an editor, kept so it is not
added again) are not touched. Claims that extraction no longer finds are reported, not removed.
Merging works on ruamel.yaml's round-trip data; what it changed is then written into the file's
own text (new items after the last, filled fields in place), so every other line keeps its bytes,
the file its line endings and mode. Writes are atomic (temporary file, then rename) and the
output is the same bytes for the same input.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString, SingleQuotedScalarString

from generator.extraction.articles import SourceArticle
from generator.extraction.speakers import Person
from generator.model import REJECTED, Claim, slugify
from generator.writers import write_text_atomically

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SCHEMA = "generator/schemas/article.schema.json"
ARTICLE_FIELDS = ("title", "dek", "outlet", "url", "published", "published_basis", "byline", "seed",
                  "seed_sha256", "quality")
CLAIM_FIELDS = ("id", "statement", "form", "speaker", "speaker_as_written", "role", "said", "said_basis",
                "said_precision", "context", "topics", "kind", "outcome", "review")


class SheetError(Exception):
    """A sheet or registry that cannot be updated safely; the message says which and how to fix it."""


@dataclass
class Filed:
    path: Path
    created: bool
    added: list[str] = field(default_factory=list)
    filled: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # claims already there and found again
    missing: list[str] = field(default_factory=list)  # claims in the sheet extraction no longer finds
    suggested: list[str] = field(default_factory=list)  # claims added with earlier ones they may repeat
    warnings: list[str] = field(default_factory=list)
    changed: bool = False
    # what merging did, for writing it into the file's own text: ("fill", where, key) or ("add", where, index)
    edits: list[tuple] = field(default_factory=list)


def round_trip() -> YAML:
    handler = YAML(typ="rt")
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = 4096  # never re-wrap what editors wrote; new long text is folded by `_text`
    handler.preserve_quotes = True
    handler.allow_unicode = True
    handler.representer.ignore_aliases = lambda *args: True  # the checker refuses anchors and aliases
    return handler


FOLD_AT = 80


_PLAIN_TEXT = "tag:yaml.org,2002:str"


def _misread(text: str) -> bool:
    """True when the checker's YAML 1.1 reader would take this text, written bare, for something
    else: `no` and `on` for booleans, `12:30` for a number. ruamel.yaml writes YAML 1.2, where
    they are text, so it leaves them bare."""
    return yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False)) != _PLAIN_TEXT


def _quoted_if_misread(value):
    if isinstance(value, str) and type(value) is str and _misread(value):
        return SingleQuotedScalarString(value)
    return value


# An item of a flow list ([a, b]) that ruamel.yaml may write bare: it writes "? key" bare, which
# reads back as a mapping. Anything else is quoted.
_PLAIN_ITEM = re.compile(r"[^\W_](?:[^,\[\]{}#:?\"'\n]*[^\s,\[\]{}#:?\"'])?")


def _list_item(value):
    if type(value) is str and not (_PLAIN_ITEM.fullmatch(value) and not _misread(value)):
        return SingleQuotedScalarString(value)
    return value


def _text(value):
    """Text as the checker will read it back: quoted when YAML 1.1 would misread it, and long text
    as a folded block (`>-`) broken at single spaces, so sheets read well in an editor."""
    value = _quoted_if_misread(value)
    if type(value) is not str or len(value) <= FOLD_AT or "\n" in value or value != value.strip():
        return value
    positions, line_start, last = [], 0, None
    for index, char in enumerate(value):
        if char != " " or value[index - 1] == " " or value[index + 1: index + 2] in (" ", ""):
            continue
        if index - line_start > FOLD_AT and last is not None:
            positions.append(last)
            line_start = last + 1
        last = index
    if len(value) - line_start > FOLD_AT and last is not None and last > line_start:
        positions.append(last)
    if not positions:
        return value
    folded = FoldedScalarString(value)
    folded.fold_pos = positions
    return folded


def sheet_slug(title: str, limit: int = 60) -> str:
    words = slugify(title).split("-")
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or "article"


def seed_field(seed_path: Path) -> str:
    return f"seeds/{seed_path.name}"


# ---------------------------------------------------------------------------
# The archive as it is


@dataclass
class Archive:
    content: Path
    sheets_by_seed: dict[str, Path] = field(default_factory=dict)
    claim_ids: dict[str, Path] = field(default_factory=dict)
    published: dict[str, dt.date] = field(default_factory=dict)  # seed -> the date its sheet gives
    fingerprints: dict[str, str] = field(default_factory=dict)  # seed -> the seed_sha256 its sheet records
    names: set[str] = field(default_factory=set)  # sheet file stems
    problems: list[str] = field(default_factory=list)
    unreadable: dict[Path, str] = field(default_factory=dict)  # sheet -> why it cannot be read, with its place


def _date(value) -> dt.date | None:
    """A date as the reader gives it (text, unchecked): None when it is not a real one."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _unbuildable_value(text: str) -> str:
    """Where in a sheet ruamel.yaml could not turn a value into data (an impossible date, a
    number of thousands of digits): `line:column: the value`, or "" when none is found."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError) as error:
        mark = getattr(error, "problem_mark", None)
        return f"{mark.line + 1}:{mark.column + 1}" if mark else ""
    constructor = yaml.constructor.SafeConstructor()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node, deep=True)
            except Exception:  # noqa: BLE001 - any value the constructor refuses is the one to show
                shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
                return f"{node.start_mark.line + 1}:{node.start_mark.column + 1}: {shown!r}"
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
    return ""


# A sheet's `seed:` line, found in the text of a sheet that cannot be read as a whole
_SEED_LINE = re.compile(r"^[ \t]*seed:[ \t]*['\"]?(seeds/[A-Za-z0-9._-]+)['\"]?[ \t]*(?:#.*)?$", re.MULTILINE)


def survey(content: Path) -> Archive:
    """Which sheet holds which seed, and every claim id in the archive. A sheet that cannot be
    read (whatever the reason: syntax, an impossible date, a number too long) is reported with
    its place, and its seed, when its `seed:` line can be found, stays taken by it."""
    archive = Archive(content)
    articles = content / "articles"
    for path in sorted(articles.rglob("*.yaml")) if articles.is_dir() else []:
        archive.names.add(path.stem)
        data = _sheet_value(path, archive)
        if not isinstance(data, dict):
            continue
        article = data.get("article") if isinstance(data.get("article"), dict) else {}
        seed = article.get("seed")
        fingerprint = article.get("seed_sha256")
        if _take_seed(archive, path, seed, fingerprint if isinstance(fingerprint, str) else None):
            published = _date(article.get("published"))
            if published is not None:
                archive.published[seed] = published
        for claim in data.get("claims") or [] if isinstance(data.get("claims"), list) else []:
            if isinstance(claim, dict) and isinstance(claim.get("id"), str):
                archive.claim_ids.setdefault(claim["id"], path)
    return archive


def survey_seeds(content: Path, before: dict[str, tuple]) -> tuple[Archive, dict[str, tuple]]:
    """`survey`'s seeds, fingerprints and unreadable sheets only, without parsing a sheet the
    file system reports unchanged since an earlier run read it (the same file, size,
    modification and change times, which any write changes, as git's index does): `before`
    (sheet -> (file report, seed, fingerprint), `incremental.sheets.read_seed_index`) holds what
    it was read to hold. Any other sheet is read and parsed again. Returns the archive and what
    to keep for the next run."""
    from generator.contents import _settled, _stat_key

    archive = Archive(content)
    articles = content / "articles"
    shown_articles = str(articles)
    kept: dict[str, tuple] = {}
    for parts in _sheet_names(articles):
        name = "/".join(parts)
        shown = f"{shown_articles}/{name}"   # as str(articles.joinpath(*parts))
        status = _stat_key(shown)   # before reading: a write after it shows next time
        known = before.get(name)
        if status is not None and known is not None and known[0] == status:
            kept[name] = known
            if known[1] is not None:
                _take_seed(archive, Path(shown), known[1], known[2])
            continue
        path = Path(shown)
        data = _sheet_value(path, archive)
        if not isinstance(data, dict):
            continue
        article = data.get("article") if isinstance(data.get("article"), dict) else {}
        seed, fingerprint = article.get("seed"), article.get("seed_sha256")
        seed, fingerprint = (seed if isinstance(seed, str) else None,
                             fingerprint if isinstance(fingerprint, str) else None)
        if _settled(status):   # written within the clock's tick, a later write could leave it unchanged
            kept[name] = (status, seed, fingerprint)
        _take_seed(archive, path, seed, fingerprint)
    return archive, kept


def _sheet_names(articles: Path) -> list[tuple[str, ...]]:
    """The path parts below `articles` of what `sorted(articles.rglob("*.yaml"))` finds, in the
    same order (folders linked to are not entered), from one listing per folder: pathlib makes
    and compares a Path per file, a second at 20,000 sheets."""
    found: list[tuple[str, ...]] = []

    def walk(folder: str, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError:
            return
        for entry in entries:
            if entry.name.endswith(".yaml"):
                found.append(parts + (entry.name,))
            try:
                inside = entry.is_dir() and not entry.is_symlink()
            except OSError:
                inside = False
            if inside:
                walk(entry.path, parts + (entry.name,))

    if articles.is_dir():
        walk(str(articles), ())
    return sorted(found)


def _sheet_value(path: Path, archive: Archive):
    """A sheet's value, or None when it cannot be read: then it is reported, and the seed its
    `seed:` line names, if any, stays taken by it."""
    from generator import readers

    raw, problems = readers.read_file(path, str(path))
    document = None
    if raw is not None:
        document, problems = readers.parse_file(raw, str(path), positions=False)
    errors = [p for p in problems if p.severity == "error"]
    if document is not None and not errors:
        return document.value
    first = errors[0] if errors else problems[0]
    place = f"{first.path}:{first.line}:{first.column}"
    why = f"{first.message}" + (f" ({first.hint})" if first.hint else "")
    archive.unreadable[path] = f"{place}: {why}"
    archive.problems.append(f"{place}: cannot be read: {why}; its claims are not checked for duplicate "
                            "ids and extraction leaves it alone; `hindsight check` shows every problem")
    seed = _SEED_LINE.search(raw.decode("utf-8", "replace")) if raw is not None else None
    if seed and seed.group(1) not in archive.sheets_by_seed:
        archive.sheets_by_seed[seed.group(1)] = path
    return None


def _take_seed(archive: Archive, path: Path, seed, fingerprint: str | None) -> bool:
    """File `path` as the sheet of `seed` (a text) unless an earlier sheet holds it; whether it was."""
    if not isinstance(seed, str):
        return False
    if seed in archive.sheets_by_seed:
        archive.problems.append(f"{path}: seed {seed} is also in {archive.sheets_by_seed[seed]}; "
                                "keep one sheet per seed (updating the first)")
        return False
    archive.sheets_by_seed[seed] = path
    if fingerprint is not None:
        archive.fingerprints[seed] = fingerprint
    return True


# ---------------------------------------------------------------------------
# Building


def _flow(items: list[str]) -> CommentedSeq:
    seq = CommentedSeq(_list_item(item) for item in items)
    seq.fa.set_flow_style()
    return seq


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def article_map(article: SourceArticle, sha256: str) -> CommentedMap:
    values = {
        "title": article.title,
        "dek": article.dek,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published,
        "published_basis": article.published_basis,
        "byline": _flow(list(article.byline)),
        "seed": article.seed,
        "seed_sha256": sha256,
        "quality": _flow(list(article.quality)),
    }
    result = CommentedMap()
    for key in ARTICLE_FIELDS:
        if key == "dek" and values[key] is None:
            continue
        result[key] = _text(values[key])
    return result


def claim_map(claim: Claim) -> CommentedMap:
    outcome = CommentedMap()
    outcome["status"] = "unrated"
    values = {
        "id": claim.id,
        "statement": claim.statement,
        "form": claim.form,
        "speaker": claim.speaker,
        "speaker_as_written": claim.speaker_as_written,
        "role": claim.role,
        "said": claim.said,
        "said_basis": claim.said_basis,
        "said_precision": None if claim.said_precision == "day" else claim.said_precision,
        "context": claim.context,
        "topics": _flow(list(claim.topics)),
        "kind": claim.kind,
        "outcome": outcome,
        "review": claim.review,
    }
    result = CommentedMap()
    for key in CLAIM_FIELDS:
        if key == "said_precision" and values[key] is None:
            continue  # an exact day, the usual case, needs no field
        result[key] = _text(values[key])
    return result


def _with_suggestions(data: CommentedMap, claim: Claim) -> CommentedMap:
    """A new claim's map with the earlier claims it may repeat, after its topics. Only a claim
    written for the first time gets them: an editor who deleted the list has decided."""
    if claim.suggested_related:
        data.insert(list(data).index("topics") + 1, "suggested_related", _flow(list(claim.suggested_related)))
    return data


def fold_statement(text: str) -> str:
    """A statement reduced to lower-case ASCII words, for telling whether two are the same."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def _unique(candidate: str, taken: set[str]) -> str:
    result, n = candidate, 2
    while result in taken:
        suffix = f"-{n}"
        result, n = candidate[: 80 - len(suffix)].rstrip("-") + suffix, n + 1
    return result


def _same_claim(existing: dict, claim: Claim) -> bool:
    if existing.get("id") == claim.id:
        return True
    statement = existing.get("statement")
    if not isinstance(statement, str):
        return False
    if fold_statement(statement) == fold_statement(claim.statement):
        return True
    # an editor may have shortened or corrected the wording: most of the words still match
    return existing.get("speaker") == claim.speaker and fuzz.token_set_ratio(fold_statement(statement), fold_statement(claim.statement)) >= 85


def merge(sheet: CommentedMap, article: SourceArticle, sha256: str, claims: list[Claim],
          taken_ids: set[str], filed: Filed) -> None:
    """Add what the sheet lacks; change nothing that is there."""
    fresh = article_map(article, sha256)
    current = sheet.get("article")
    if not isinstance(current, dict):
        raise SheetError(f"{filed.path}: `article:` is not a set of fields; fix it by hand "
                         "(hindsight check explains), then run extraction again")
    for key in ARTICLE_FIELDS:
        if key not in current or _empty(current.get(key)):
            value = fresh.get(key)
            if value is None or (isinstance(value, list) and not value):
                continue
            current[key] = value
            filed.filled.append(f"article.{key}")
            filed.edits.append(("fill", ("article",), key))
    if isinstance(current.get("seed_sha256"), str) and current["seed_sha256"] != sha256:
        filed.warnings.append("the seed text changed since the sheet was extracted "
                              "(seed_sha256 differs); compare the claims with the new text")
    existing = _list_under(sheet, "claims", filed.path, "fix it by hand, then run extraction again")
    matched: set[int] = set()
    in_sheet = {c.get("id") for c in existing if isinstance(c, dict)}
    for claim in claims:
        index = next((i for i, c in enumerate(existing)
                      if isinstance(c, dict) and i not in matched and _same_claim(c, claim)), None)
        if index is None:
            claim_id = claim.id if claim.id not in in_sheet and claim.id not in taken_ids else \
                _unique(claim.id, taken_ids | in_sheet)
            fresh_claim = _with_suggestions(claim_map(claim), claim)
            fresh_claim["id"] = claim_id
            if claim.suggested_related:
                filed.suggested.append(claim_id)
            existing.append(fresh_claim)
            filed.edits.append(("add", ("claims",), len(existing) - 1))
            in_sheet.add(claim_id)
            matched.add(len(existing) - 1)
            filed.added.append(claim_id)
            continue
        matched.add(index)
        target = existing[index]
        filed.kept.append(str(target.get("id")))
        if target.get("review") != "draft":     # reviewed or rejected: an editor's decision
            continue
        for key, value in claim_map(claim).items():
            if key == "id":
                continue
            if key not in target or _empty(target.get(key)):
                if value is None or (isinstance(value, list) and not value):
                    continue
                target[key] = value
                filed.filled.append(f"{target.get('id')}.{key}")
                filed.edits.append(("fill", ("claims", index), key))
    for i, c in enumerate(existing):
        if i not in matched and isinstance(c, dict) and c.get("review") != REJECTED:
            filed.missing.append(str(c.get("id")))



def _list_under(mapping: CommentedMap, key: str, path: Path, consequence: str) -> CommentedSeq:
    """The list an editor's file holds under `key`, started when the key is missing."""
    listing = mapping.get(key)
    if listing is None:
        listing = CommentedSeq()
        mapping[key] = listing
    if not isinstance(listing, list):
        raise SheetError(f"{path}: `{key}:` is not a list; {consequence}")
    return listing

# ---------------------------------------------------------------------------
# Writing


def header(path: Path, content: Path) -> str:
    schema = content.resolve().parent / SCHEMA
    relative = os.path.relpath(schema, path.resolve().parent).replace(os.sep, "/")
    return f"# yaml-language-server: $schema={relative}\n"


def dump(data, handler: YAML | None = None) -> str:
    stream = io.StringIO()
    (handler or round_trip()).dump(data, stream)
    return stream.getvalue()


class _NotPlain(Exception):
    """A value `new_sheet_text` leaves to ruamel.yaml: its style needs ruamel's full rules."""


# What ruamel.yaml writes as it is (allow_unicode): printable, one line, no byte-order mark.
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]*")
_STR_TAG = "tag:yaml.org,2002:str"
_resolver = None


def _resolves_to_text(value: str) -> bool:
    """Whether ruamel.yaml (YAML 1.2) reads `value`, written bare, back as text."""
    global _resolver
    if _resolver is None:
        from ruamel.yaml.nodes import ScalarNode
        from ruamel.yaml.resolver import VersionedResolver

        resolver = VersionedResolver()
        _resolver = lambda text: resolver.resolve(ScalarNode, text, (True, False))  # noqa: E731
    return _resolver(value) == _STR_TAG


def _plain(value: str, flow: bool) -> bool:
    """Whether ruamel.yaml writes this printable one-line text bare (its analyze_scalar)."""
    if value[0] in "#,[]{}&*!|>'\"%@`" or value[0] in "?:-" and (len(value) == 1 or value[1] == " ") \
            or value.startswith(("---", "...")) or value[0] == " " or value[-1] in " :" \
            or ": " in value or " #" in value:
        return False
    if flow and (value[0] in "?:" or any(c in value for c in ",[]{}")):
        return False
    return _resolves_to_text(value)


def _scalar(value, flow: bool) -> str:
    """One value as ruamel.yaml's round-trip dump writes it after `key:` or in a flow list."""
    if value is None:
        return "null"
    if type(value) is dt.date:
        return value.isoformat()
    if not isinstance(value, str) or not value or len(value) > 2000 or not _PRINTABLE.fullmatch(value):
        raise _NotPlain
    if type(value) is SingleQuotedScalarString:
        return "'" + value.replace("'", "''") + "'"
    if type(value) is not str:
        raise _NotPlain
    if _plain(value, flow):
        return value
    if "'" not in value:
        return "'" + value + "'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'   # ruamel's choice when it holds a "'"


def _folded(value: FoldedScalarString, indent: int) -> str:
    """A folded block (`>-`) broken where `_text` chose, as ruamel.yaml writes it."""
    if not _PRINTABLE.fullmatch(value) or value[:1] in ("", " ") or value[-1] == " " \
            or not hasattr(value, "fold_pos"):   # one read from a file: ruamel.yaml chooses its breaks
        raise _NotPlain
    lines, start = [], 0
    for position in value.fold_pos:
        if not 0 < position < len(value) - 1 or value[position] != " " or value[position - 1].isspace() \
                or value[position + 1].isspace():
            raise _NotPlain   # ruamel.yaml folds only at a space between other characters
        lines.append(value[start:position])
        start = position + 1
    lines.append(value[start:])
    if max(map(len, lines)) > 2000:
        raise _NotPlain   # past its line width ruamel.yaml folds again
    margin = "\n" + " " * indent
    return ">-" + margin + margin.join(lines)


def _block_mapping(mapping, indent: int, first: str | None = None) -> list[str]:
    """The lines of a block mapping at `indent`; `first` replaces the first key's indentation
    (a list item's "- ")."""
    out = []
    for number, (key, value) in enumerate(mapping.items()):
        lead = first if number == 0 and first is not None else " " * indent
        if isinstance(value, CommentedMap):
            out.append(f"{lead}{key}:" + (" {}\n" if not value else "\n"))
            out.extend(_block_mapping(value, indent + 2) if value else [])
        elif isinstance(value, CommentedSeq) and value.fa.flow_style():
            line = f"{lead}{key}: [" + ", ".join(_scalar(item, True) for item in value) + "]\n"
            if len(line) > 2000:
                raise _NotPlain   # past its line width ruamel.yaml breaks a flow list
            out.append(line)
        elif isinstance(value, CommentedSeq):
            if not value:
                out.append(f"{lead}{key}: []\n")
                continue
            out.append(f"{lead}{key}:\n")
            for item in value:
                if not isinstance(item, CommentedMap) or not item:
                    raise _NotPlain
                out.extend(_block_mapping(item, indent + 4, " " * (indent + 2) + "- "))
        elif type(value) is FoldedScalarString:
            out.append(f"{lead}{key}: {_folded(value, indent + 2)}\n")
        else:
            out.append(f"{lead}{key}: {_scalar(value, False)}\n")
    return out


def new_sheet_text(sheet: CommentedMap) -> str:
    """A mapping's YAML (a brand-new sheet, a claim or speaker added to a file), byte for byte what
    `dump` writes, without ruamel.yaml's event machinery (the larger part of a run's own time);
    `dump` still writes anything else, or any value whose style needs its full rules."""
    if not isinstance(sheet, CommentedMap):
        return dump(sheet)
    try:
        return "".join(_block_mapping(sheet, 0))
    except _NotPlain:
        return dump(sheet)


class _CannotSplice(Exception):
    """The file's layout is one the splicer does not edit in place (a flow-style claim list...)."""


def write_edited(path: Path, original: bytes, data, edits: list[tuple], handler: YAML) -> None:
    """Write what merging changed into the file's own text: new list items appended after the
    last one, filled fields written in place, every other byte as it was (editors' diffs show
    only the change). Should the spliced text not read back as `data`, the whole file is written
    by ruamel.yaml instead, in the file's line endings."""
    text = original.decode("utf-8")
    expected = yaml.load(dump(data, handler), Loader=_Loader)
    try:
        spliced = splice(text, data, edits)
        if yaml.load(spliced, Loader=_Loader) != expected:
            raise _CannotSplice("the spliced text reads back differently")
    except (_CannotSplice, yaml.YAMLError, ValueError):
        spliced = dump(data, handler)
        if "\r\n" in text:
            spliced = spliced.replace("\n", "\r\n")
        if text.startswith("\ufeff"):
            spliced = "\ufeff" + spliced
    write_text_atomically(path, spliced)


def splice(text: str, data, edits: list[tuple]) -> str:
    """`text` with `edits` (see Filed.edits) written into it; raises _CannotSplice."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    root = yaml.compose(body, Loader=yaml.SafeLoader)   # the pure reader: marks count characters
    newline = "\r\n" if "\r\n" in body else "\n"
    changes: list[tuple[int, int, int, str]] = []   # start, end, order, replacement
    for order, (kind, where, detail) in enumerate(edits):
        if kind == "fill":
            node = _node_at(root, where)
            changes.append((*_fill(body, node, detail, _value_at(data, where)[detail]), order))
        else:
            changes.extend((*change, order) for change in _append(body, root, where[0], _value_at(data, where)[detail]))
    for start, end, _order, replacement in sorted(((s, e, o, r) for s, e, r, o in changes),
                                                  key=lambda c: (c[0], c[2]), reverse=True):
        body = body[:start] + replacement.replace("\n", newline) + body[end:]
    return bom + body


def _value_at(data, where: tuple):
    for step in where:
        data = data[step]
    return data


def _node_at(root, where: tuple):
    node = root
    for step in where:
        if isinstance(step, int):
            if not isinstance(node, yaml.SequenceNode) or node.flow_style or step >= len(node.value):
                raise _CannotSplice(str(where))
            node = node.value[step]
        else:
            node = _pair(node, step)[1]
            if node is None:
                raise _CannotSplice(str(where))
    if not isinstance(node, yaml.MappingNode) or node.flow_style or not node.value:
        raise _CannotSplice(str(where))
    return node


def _pair(mapping, key: str):
    if not isinstance(mapping, yaml.MappingNode):
        raise _CannotSplice(key)
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None, None


def _end(node) -> int:
    """Where a node's text ends (a block collection: where its last value ends)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        node = node.value[-1][1] if isinstance(node, yaml.MappingNode) else node.value[-1]
    return node.end_mark.index


def _after_line(text: str, index: int) -> int:
    """The start of the line after the one `index` is on (or `index`, at a line's start)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _lines(fragment: str, indent: int, first: str | None = None) -> str:
    """A fragment written at column 0, moved to `indent`; `first` replaces the first line's indent."""
    lines = fragment.rstrip("\n").split("\n")
    moved = [(" " * indent if line else "") + line for line in lines]
    if first is not None:
        moved[0] = first + lines[0]
    return "\n".join(moved) + "\n"


def _insert_at_line(text: str, index: int) -> tuple[int, str]:
    """Where to insert whole lines after the line holding `index`, and what must precede them."""
    at = _after_line(text, index)
    return at, ("\n" if at == len(text) and text and not text.endswith("\n") else "")


def _fill(text: str, mapping, key: str, value) -> tuple[int, int, str]:
    key_node, value_node = _pair(mapping, key)
    written = new_sheet_text(CommentedMap([(key, value)]))
    if not written.startswith(f"{key}:"):
        raise _CannotSplice(key)
    column = mapping.value[0][0].start_mark.column
    if key_node is None:   # a field the editor never wrote: a new line after the mapping's last
        at, before = _insert_at_line(text, _end(mapping))
        return at, at, before + _lines(written, column)
    if not isinstance(value_node, yaml.ScalarNode):
        raise _CannotSplice(key)
    colon = text.find(":", key_node.end_mark.index, value_node.start_mark.index + 1)
    rest = written[len(key) + 1:].rstrip("\n")
    if colon < 0 or (("\n" in rest) and text[value_node.end_mark.index:_after_line(text, value_node.end_mark.index)].strip()):
        raise _CannotSplice(key)   # a block value before a comment on the same line
    rest = rest.replace("\n", "\n" + " " * column) if "\n" in rest else rest
    return colon + 1, value_node.end_mark.index, rest


def _append(text: str, root, key: str, item) -> list[tuple[int, int, str]]:
    """Changes that append `item` to the block list under the top-level `key`."""
    key_node, listing = _pair(root, key)
    written = new_sheet_text(item)
    if isinstance(listing, yaml.SequenceNode) and not listing.flow_style and listing.value:
        first = listing.value[0].start_mark
        line_start = text.rfind("\n", 0, first.index) + 1
        lead = text[line_start:first.index]
        dash = lead.rfind("-")
        if dash < 0 or lead[:dash].strip() or lead[dash + 1:].strip():
            raise _CannotSplice(key)
        at, before = _insert_at_line(text, _end(listing))
        return [(at, at, before + _lines(written, first.column, lead))]
    empty = (isinstance(listing, yaml.SequenceNode) and not listing.value) or \
        (isinstance(listing, yaml.ScalarNode) and listing.tag == "tag:yaml.org,2002:null" and listing.value == "")
    if key_node is None or not empty or key_node.start_mark.column != 0:
        raise _CannotSplice(key)
    colon = text.find(":", key_node.end_mark.index, listing.start_mark.index + 1)
    if colon < 0:
        raise _CannotSplice(key)
    at, before = _insert_at_line(text, listing.end_mark.index)
    return [(colon + 1, listing.end_mark.index, ""), (at, at, before + _lines(written, 4, "  - "))]


def file_sheet(archive: Archive, article: SourceArticle, sha256: str, claims: list[Claim]) -> Filed:
    """Create or update the sheet for this article's seed."""
    taken = set(archive.claim_ids)
    existing_path = archive.sheets_by_seed.get(article.seed)
    handler = round_trip()
    if existing_path is not None:
        if existing_path in archive.unreadable:
            raise SheetError(f"its sheet {archive.unreadable[existing_path]}; fix it, then run extraction again")
        filed = Filed(existing_path, created=False)
        original = existing_path.read_bytes()
        text = original.decode("utf-8")
        try:
            sheet = handler.load(text)
        except Exception as error:  # ruamel raises many error types
            where = _unbuildable_value(text)
            raise SheetError(f"{existing_path}{':' + where if where else ''}: cannot be read as YAML "
                             f"({str(error).splitlines()[0]}); fix it (hindsight check explains), then run "
                             "extraction again") from error
        if not isinstance(sheet, dict):
            raise SheetError(f"{existing_path}: is not a claim sheet (no `article:` and `claims:`)")
        own = {c.get("id") for c in sheet.get("claims") or [] if isinstance(c, dict)}
        merge(sheet, article, sha256, claims, taken - own, filed)
        if filed.edits:
            write_edited(existing_path, original, sheet, filed.edits, handler)
            filed.changed = True
        for claim_id in filed.added:
            archive.claim_ids[claim_id] = existing_path
        return filed
    folder = str(article.published.year) if article.published else "undated"
    stem = sheet_slug(article.title)
    name, n = stem, 2
    while name in archive.names:
        name, n = f"{stem}-{n}", n + 1
    path = archive.content / "articles" / folder / f"{name}.yaml"
    filed = Filed(path, created=True)
    sheet = CommentedMap()
    sheet["article"] = article_map(article, sha256)
    claims_seq = CommentedSeq()
    for claim in claims:
        claim_id = _unique(claim.id, taken)
        taken.add(claim_id)
        data = _with_suggestions(claim_map(claim), claim)
        data["id"] = claim_id
        claims_seq.append(data)
        if claim.suggested_related:
            filed.suggested.append(claim_id)
        filed.added.append(claim_id)
    sheet["claims"] = claims_seq
    write_text_atomically(path, header(path, archive.content) + new_sheet_text(sheet))
    filed.changed = True
    archive.names.add(name)
    archive.sheets_by_seed[article.seed] = path
    for claim_id in filed.added:
        archive.claim_ids[claim_id] = path
    return filed


def add_people(path: Path, people: list[Person]) -> list[str]:
    """Append draft speakers to people.yaml, keeping its comments and layout; returns their ids."""
    if not people:
        return []
    handler = round_trip()
    original = path.read_bytes() if path.exists() else b"people: []\n"
    text = original.decode("utf-8")
    edits: list[tuple] = []
    try:
        data = handler.load(text)
    except Exception as error:
        raise SheetError(f"{path}: cannot be read as YAML ({str(error).splitlines()[0]}); new speakers were "
                         "not added; fix the file (hindsight check shows where) and run extraction again") from error
    if data is None:
        data = CommentedMap()
    listing = _list_under(data, "people", path, "new speakers were not added")
    present = {entry.get("id") for entry in listing if isinstance(entry, dict)}
    added = []
    for person in sorted(people, key=lambda p: p.id):
        if person.id in present:
            continue
        entry = CommentedMap()
        entry["id"] = _text(person.id)
        entry["name"] = _text(person.name)
        if person.kind != "person":
            entry["kind"] = person.kind
        if person.aliases:
            entry["aliases"] = _flow(sorted(person.aliases))
        if person.draft_role:
            entry["description"] = _text(f"Described in the source as: {person.draft_role}.")
        entry["review"] = "draft"
        listing.append(entry)
        added.append(person.id)
        edits.append(("add", ("people",), len(listing) - 1))
    if added:
        write_edited(path, original, data, edits, handler)
    return added


def sha256_text(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()
