"""Validation stage: checks the documents `readers` produced, file by file against the
JSON Schemas in `generator/schemas/`, then across the archive (ids, references, dates,
rating scales, links).

It consumes `Document`s and produces `Problem`s, every one with file, line, column, what is
wrong and how to fix it; it never stops at the first. How problems are shown to people and tools is
`problems`' job.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator
from urllib.parse import urlsplit

import jsonschema_rs

from generator.memory import cache_of_archive_text
from generator.model import REJECTED, STATUS_SCALES, UNRATED, slugify, statuses_for
from generator.problems import Problem
from generator.readers import Document

if TYPE_CHECKING:
    import jsonschema

SCHEMA_KINDS = ("site", "people", "topics", "article")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
YEAR_FOLDER = re.compile(r"^(\d{4}|undated)$")
# The longest name of a sheet or page, as the schemas' ids: its page's path in the offline zip
# then stays within 200 characters (hindsight-YYYY-MM-DD/articles/<name>/index.html), which
# leaves Windows' 260 room for the folder the zip is unpacked in.
MAX_NAME = 120
# Names Windows reserves for devices: a folder called con/ cannot be opened there, so an id or
# file name that becomes one would break the archive (and its offline zip) on Windows.
RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                            *(f"lpt{n}" for n in range(1, 10))})

_JSON_TYPES = {
    "string": "text",
    "array": "a list",
    "object": "a set of fields",
    "null": "empty",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


@cache
def schema(kind: str) -> dict:
    """The JSON Schema shipped for one kind of content file."""
    text = resources.files("generator.schemas").joinpath(f"{kind}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    """The slow validator whose errors are detailed enough to explain; imported only when a
    file fails its schema (its import alone is a fifth of a second, a build's start-up)."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema(kind))
    return cls(schema(kind), format_checker=cls.FORMAT_CHECKER)


def is_date(text: str) -> bool:
    """A calendar date written YYYY-MM-DD that Python can hold (years 1 to 9999)."""
    if len(text) != 10 or not text.isascii():
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


@cache
def _fast_validator(kind: str):
    """A compiled validator that answers valid-or-not a hundred times faster than jsonschema.

    Its dates are checked by `is_date`, as the loader reads them: its own checker accepts the
    year 0, which no date can hold.
    """
    return jsonschema_rs.validator_for(schema(kind), validate_formats=True, formats={"date": is_date})


# ---------------------------------------------------------------------------
# File by file: the schema


def check_schema(document: Document, kind: str) -> list[Problem]:
    """Every way `document` departs from the schema of its kind, and its blank text.

    Most files are valid, so a compiled validator answers first; only a file it rejects
    is walked by jsonschema, whose detailed errors become editors' messages.
    """
    blank = _blank_text(document, kind)
    if _fast_validator(kind).is_valid(document.value):
        return blank
    problems: list[Problem] = blank
    for error in _validator(kind).iter_errors(document.value):
        problems.extend(_explain(document, error))
    if not problems:  # the two validators disagree: still say something, never pass it silently
        for error in _fast_validator(kind).iter_errors(document.value):
            problems.append(document.problem(tuple(error.instance_path), error.message))
    return problems


# What shows nothing on a page: spaces of every width (\\s: Unicode's, NBSP and the ideographic
# space among them), zero-width and other format characters, fillers, the braille blank.
_BLANK = re.compile("[\\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                    "\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]*")


_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0"   # the Hangul fillers: letters to Unicode, blank on the page


def is_blank(text: str) -> bool:
    """Whether `text` is not empty but shows nothing: an empty heading, an invisible link."""
    return bool(text) and _BLANK.fullmatch(text) is not None


def blank_message(name: str, text: str) -> tuple[str, str]:
    """The message and hint for blank text in the field `name`."""
    seen = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in dict.fromkeys(text))
    return (f"{name!r} is blank: it holds only spaces or invisible characters ({seen})",
            "write the text, or remove the field if it is optional")


@cache
def _free_text(kind: str) -> dict:
    """Where the schema's free-text fields are (text with no pattern, format or list of
    values: what a blank value would publish as nothing), as a plan for `_blank_text`: a
    mapping's text fields, its lists of text, and the plans of its mappings and lists of them."""
    root = schema(kind)

    def resolve(node: dict) -> dict:
        ref = node.get("$ref", "")
        return root["$defs"][ref.rsplit("/", 1)[1]] if ref.startswith("#/$defs/") else node

    def branches(node: dict) -> list[dict]:
        node = resolve(node)
        return [resolve(branch) for branch in node.get("oneOf", ())] + [node]

    def is_text(node: dict) -> bool:
        return any(branch.get("type") == "string" and not ({"pattern", "format", "enum"} & branch.keys())
                   for branch in branches(node))

    def plan(node: dict) -> dict:
        texts, lists, mappings, mapping_lists = [], [], {}, {}
        for branch in branches(node):
            for name, child in branch.get("properties", {}).items():
                items = next((b.get("items") for b in branches(child) if b.get("type") == "array"), None)
                if is_text(child):
                    texts.append(name)
                elif items is not None and is_text(items):
                    lists.append(name)
                elif items is not None and plan(items):
                    mapping_lists[name] = plan(items)
                elif any(b.get("properties") for b in branches(child)) and plan(child):
                    mappings[name] = plan(child)
        found = {"texts": tuple(dict.fromkeys(texts)), "lists": tuple(dict.fromkeys(lists)),
                 "mappings": mappings, "mapping_lists": mapping_lists}
        return found if any(found.values()) else {}

    return plan(root)


def _blank_text(document: Document, kind: str) -> list[Problem]:
    """Free text that shows nothing, at its place. A walk of the fields the plan names only,
    and a string that starts with a letter or digit is not looked at further: this runs on
    every sheet read (but for the few blank letters, `_BLANK_LETTERS`)."""
    problems: list[Problem] = []

    def blank(text: Any) -> bool:
        return text.__class__ is str and text != "" and (not text[0].isalnum() or text[0] in _BLANK_LETTERS) \
            and is_blank(text)

    def report(where: tuple, text: str) -> None:
        problems.append(document.problem(where, *blank_message(_field_name(where), text)))

    def walk(value: Any, plan: dict, where: tuple) -> None:
        if not isinstance(value, dict):
            return
        for key in plan["texts"]:
            text = value.get(key)
            if text.__class__ is str and text != "" and blank(text):
                report(where + (key,), text)
        for key in plan["lists"]:
            items = value.get(key)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    if blank(item):
                        report(where + (key, index), item)
        for key, inner in plan["mappings"].items():
            walk(value.get(key), inner, where + (key,))
        for key, inner in plan["mapping_lists"].items():
            items = value.get(key)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    walk(item, inner, where + (key, index))

    walk(document.value, _free_text(kind), ())
    return problems


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    if isinstance(value, list):
        return "a list"
    return "a set of fields"


def _field_name(where: tuple) -> str:
    names = [str(part) for part in where if isinstance(part, str)]
    return names[-1] if names else "the file"


def _closest(word: str, options: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _explain(document: Document, error: jsonschema.ValidationError) -> Iterator[Problem]:
    where = tuple(error.absolute_path)
    name = _field_name(where)
    instance = error.instance
    rule = error.validator
    if rule == "oneOf":
        yield from _explain_one_of(document, error)
    elif rule == "required":
        properties = error.schema.get("properties", {})
        missing = [key for key in error.validator_value if key not in instance]
        for key in missing:
            description = properties.get(key, {}).get("description")
            yield document.problem(where, f"missing field {key!r}" + (f" in {name!r}" if where else ""),
                                   f"add `{key}:`" + (f" ({description})" if description else ""), key=True)
    elif rule == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in sorted(set(instance) - set(allowed)):
            guess = _closest(key, allowed)
            hint = f"did you mean {guess!r}?" if guess else f"allowed fields here: {', '.join(allowed)}"
            yield document.problem(where + (key,), f"unknown field {key!r}", hint, key=True)
    elif rule == "enum":
        options = [str(option) for option in error.validator_value]
        guess = _closest(str(instance), options) if isinstance(instance, str) else None
        hint = (f"did you mean {guess!r}? " if guess else "") + f"allowed: {', '.join(options)}"
        yield document.problem(where, f"{_describe(instance)} is not an allowed value for {name!r}", hint)
    elif rule == "type":
        # A field left empty (`claims:` and nothing after it) is shown at its name.
        yield document.problem(where, *_type_message(name, instance, error.validator_value, error.schema,
                                                     document.written_as(where)), key=instance is None)
    elif rule == "pattern":
        yield document.problem(where, *_pattern_message(name, instance, error.schema))
    elif rule == "format":
        yield document.problem(where, f"{_describe(instance)} in {name!r} is not a real date",
                               "write dates as YYYY-MM-DD, e.g. 2019-11-12")
    elif rule == "minLength":
        yield document.problem(where, f"{name!r} is empty", "write the text, or remove the field if it is optional")
    elif rule == "maxLength":
        yield document.problem(where, f"{name!r} is {len(instance)} characters long; the limit is "
                               f"{error.validator_value}", "shorten it; long context belongs in the source article")
    elif rule == "uniqueItems":
        yield document.problem(where, f"{name!r} lists the same value twice", "remove the repeated entry")
    else:
        yield document.problem(where, f"{name!r}: {error.message}")


def _explain_one_of(document: Document, error: jsonschema.ValidationError) -> Iterator[Problem]:
    where = tuple(error.absolute_path)
    instance = error.instance
    branches = error.validator_value
    if isinstance(instance, dict) and any("claim" in b.get("required", []) for b in branches):
        has_claim, has_url = "claim" in instance, "url" in instance
        if has_claim and has_url:
            message = "evidence gives both 'claim' and 'url'"
            hint = "make it two evidence entries: one `claim:`, one `url:` with `title:`"
        elif has_url:
            message = "evidence link has no 'title'"
            hint = "add `title:` (and `outlet:`, `date:`) so readers know what the link is"
        else:
            message = "evidence needs 'claim' or 'url'"
            hint = "use `claim: <id of a claim in this archive>` or `url:` with `title:`, `outlet:`, `date:`"
        yield document.problem(where, message, hint)
        return
    # A nullable field: explain the failure of the non-empty branch.
    specific = [sub for sub in error.context if sub.validator != "type" or sub.validator_value != "null"]
    best = [sub for sub in specific if sub.validator != "type"] or specific
    if best:
        # A sub-error's absolute_path already runs through its parent's path to the field.
        yield from _explain(document, best[0])
    else:  # pragma: no cover - every oneOf in the schemas has a non-null branch
        yield document.problem(where, error.message)


def _type_message(name: str, instance: Any, expected: str | list, rule: dict,
                  written: str | None = None) -> tuple[str, str]:
    wanted = expected if isinstance(expected, str) else expected[0]
    shown = _describe(instance)
    if written is not None and written.lower() not in (shown, str(instance).lower()):
        shown = f"`{written}` (YAML reads it as {shown})"  # 12:30 is read as 750, no as false
    subject = name if name == "the file" else repr(name)
    message = f"{subject} should be {_JSON_TYPES.get(wanted, wanted)}, not {shown}"
    if wanted == "string" and rule.get("format") == "date":
        return message, "write dates as YYYY-MM-DD, e.g. 2019-11-12"
    if wanted == "string" and isinstance(instance, bool):
        return message, ("YAML reads bare yes/no/on/off/true/false as true or false; "
                         "put the text in quotes, e.g. \"no\"")
    if wanted == "string" and isinstance(instance, (int, float)):
        return message, "put the value in quotes to keep it as text"
    if wanted == "string" and instance is None:
        return message, "write a value after the colon, or remove the field if it is optional"
    if wanted == "array":
        return message, f"write one item per line under `{name}:`, each starting with '- '"
    if wanted == "object" and name == "the file":
        return message, "a content file is a set of fields (`field: value`, one per line); see CONTRIBUTING.md"
    if wanted == "object":
        return message, f"write the fields indented under `{name}:`"
    return message, "check the field reference in CONTRIBUTING.md"


def _pattern_message(name: str, instance: str, rule: dict) -> tuple[str, str]:
    pattern = rule.get("pattern", "")
    if instance == "":
        return f"{name!r} is empty", rule.get("description") or "fill it in"
    if pattern.startswith("^https?"):
        scheme = instance.split(":", 1)[0].lower() if ":" in instance else ""
        if scheme in ("javascript", "data", "vbscript", "file"):
            return (f"{name!r} uses a {scheme}: link, which is not allowed",
                    "link only to web pages: https://...")
        return f"{_describe(instance)} in {name!r} is not a web address", "write the full address starting with https://"
    if pattern.startswith("^[a-z0-9]"):
        return (f"{_describe(instance)} in {name!r} is not a valid id",
                f"ids use lower-case letters, digits and single hyphens, e.g. {slugify(instance) or 'vladimir-putin'!r}")
    if pattern.startswith("^Q"):
        return f"{_describe(instance)} is not a Wikidata id", "write it like Q7747 (the Q number from the item's page)"
    if pattern.startswith("^seeds/"):
        return f"{_describe(instance)} is not a seed path", "write it like seeds/000_6c3adef788cc973e.txt"
    return f"{_describe(instance)} in {name!r} has the wrong form", rule.get("description", "")


# ---------------------------------------------------------------------------
# Across the archive


@dataclass
class ContentFiles:
    """The parsed content, by kind, as `contents.read_content` finds it."""

    site: Document | None = None
    people: Document | None = None
    topics: Document | None = None
    articles: list[Document] = field(default_factory=list)
    project_root: Any = None  # pathlib.Path of the folder that holds content/ and seeds/
    # Kept only when reading with the cache of sheets read before (incremental builds):
    digests: dict[str, str] = field(default_factory=dict)    # sheet path -> digest of its bytes
    schema_valid: set[str] = field(default_factory=set)      # sheets that passed their schema
    cached: dict[str, bytes] = field(default_factory=dict)   # sheet path -> its value as cached
    # Kept only for a long-running process (`contents.read_content`'s `settled_before`):
    settled: dict[str, tuple[tuple[int, ...], str, bytes]] = field(default_factory=dict)   # path -> (stat, digest, bytes)
    settled_registries: dict[str, tuple[tuple[int, ...], Any, list]] = field(default_factory=dict)   # path -> (stat, document, problems)


def _entries(document: Document | None, key: str) -> Iterator[tuple[tuple, dict]]:
    if document is None or not isinstance(document.value, dict):
        return
    items = document.value.get(key)
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            yield (key, index), item


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class Checked:
    """What `check_archive` found, kept by a long-running process (the live preview) for its
    next build: each sheet's problems with its claims and the evidence they cite (sheet ->
    (digest of its bytes, its problems, its claims' ids and the claims they cite, what its
    evidence was checked against: `_evidence_state`)), with what all sheets were checked
    against (`against`: the day, the speakers' and questions' ids); and the problems found with
    evidence going round in circles, with the citations they were found in."""

    against: tuple = ()
    sheets: dict[str, tuple[str, list[Problem], tuple, tuple]] = field(default_factory=dict)
    circles: tuple[tuple, list[Problem]] = ((), [])


def check_archive(files: ContentFiles, today: dt.date, checked: Checked | None = None) -> list[Problem]:
    """Checks that need more than one file, or more than the schema can say.

    With `checked` (what the last build found, for a long-running process), a sheet whose
    bytes are those checked then, against the same day and ids, and whose evidence cites
    claims as they were then (in the archive, and published or not), keeps the problems found
    with its claims then; the circles of evidence are looked for again only when the
    citations changed. `checked` is updated for the next build."""
    problems: list[Problem] = []
    people = _unique_ids(files.people, "people", "speaker", problems)
    topics = _unique_ids(files.topics, "topics", "topic", problems)
    _check_people(files.people, today, problems)
    _check_aliases(files.people, problems)

    _check_site(files.site, problems)

    claims: dict[str, tuple[Document, tuple, dict]] = {}
    slugs: dict[str, Document] = {}
    for sheet in files.articles:
        _check_sheet_place(sheet, slugs, files, problems)
        for where, claim in _entries(sheet, "claims"):
            claim_id = _str(claim.get("id"))
            if claim_id is None:
                continue
            _check_unnamed_speaker(sheet, where, claim, problems)
            if claim_id in RESERVED_NAMES:
                problems.append(sheet.problem(where + ("id",), *_reserved_message("claim id", claim_id)))
            if claim_id in claims:
                first_sheet, first_where, _ = claims[claim_id]
                line, _ = first_sheet.position(first_where + ("id",))
                problems.append(sheet.problem(where + ("id",), f"claim id {claim_id!r} is already used "
                                              f"({first_sheet.path}:{line})",
                                              "give this claim its own id; ids are permalinks and must be unique"))
            else:
                claims[claim_id] = (sheet, where, claim)

    against = (today, frozenset(people), frozenset(topics))
    before = checked if checked is not None and checked.against == against else Checked()
    now = Checked(against)
    evidence = _EvidenceState(claims) if checked is not None else None   # nothing is kept without `checked`
    cites: dict[str, list[str]] = {}   # claim id -> the claims in the archive its evidence cites, where any
    for sheet in files.articles:
        digest = files.digests.get(sheet.path)
        kept = before.sheets.get(sheet.path)
        if digest is not None and kept is not None and kept[0] == digest and kept[3] == evidence(kept[2]):
            _, found, citing, state = kept
        else:
            found = []
            published = _date(sheet.value.get("article", {}).get("published")) if isinstance(sheet.value, dict) \
                and isinstance(sheet.value.get("article"), dict) else None
            for where, claim in _entries(sheet, "claims"):
                _check_claim(sheet, where, claim, published, today, people, topics, claims, found)
            citing = tuple((claim.get("id"), tuple(_cited(claim)), tuple(_related(claim)))
                           for _, claim in _entries(sheet, "claims"))
            state = evidence(citing) if evidence is not None else ()
        problems.extend(found)
        first_here: set[str] = set()   # the first claim of an id is the one in `claims`, as above
        for claim_id, targets, _ in citing:   # a circle of `related:` links is no fault: only evidence
            if isinstance(claim_id, str) and claim_id not in first_here and claims[claim_id][0] is sheet:
                first_here.add(claim_id)
                if targets:
                    cites[claim_id] = [t for t in targets if isinstance(t, str) and t in claims and t != claim_id]
        if digest is not None and checked is not None:
            now.sheets[sheet.path] = (digest, found, citing, state)
    if checked is None:
        _check_evidence_cycles(claims, cites, problems)
        return problems
    # A circle is reported where its claims are: the same citations in the same sheets, and each
    # sheet named unchanged (its lines too), are the same problems.
    citations = (cites, tuple(claims[claim_id][0].path for claim_id in cites))
    if before.against and before.circles[0] == citations and all(
            before.sheets.get(problem.path, ("",))[0] == files.digests.get(problem.path) for problem in before.circles[1]):
        now.circles = before.circles
    else:
        circles: list[Problem] = []
        _check_evidence_cycles(claims, cites, circles)
        now.circles = (citations, circles)
    problems.extend(now.circles[1])
    vars(checked).update(vars(now))
    return problems


class _EvidenceState:
    """What the checks of a sheet's evidence depend on beyond the sheet: whether each claim it
    cites is in the archive and published; and, when one is not in it, every claim's id (the
    guess at which was meant)."""

    def __init__(self, claims: dict[str, tuple[Document, tuple, dict]]):
        self.claims = claims
        self.rejected = {claim_id for claim_id, (_, _, claim) in claims.items() if claim.get("review") == REJECTED}

    def __call__(self, citing: tuple) -> tuple:
        state = []
        for _, *references in citing:
            for target in (target for targets in references for target in targets):
                if isinstance(target, str):
                    if target not in self.claims:
                        return (frozenset(self.claims),)
                    state.append(target in self.rejected)
        return tuple(state)


def _related(claim: dict) -> list:
    related = claim.get("related")
    return list(related) if isinstance(related, list) else []


def _cited(claim: dict) -> list:
    outcome = claim.get("outcome") if isinstance(claim.get("outcome"), dict) else {}
    return [item.get("claim") for item in outcome.get("evidence") or [] if isinstance(item, dict)]


def _unique_ids(document: Document | None, key: str, noun: str, problems: list[Problem]) -> dict[str, dict]:
    seen: dict[str, dict] = {}
    first_line: dict[str, int] = {}
    for where, entry in _entries(document, key):
        entry_id = _str(entry.get("id"))
        if entry_id is None:
            continue
        if entry_id in RESERVED_NAMES:
            problems.append(document.problem(where + ("id",), *_reserved_message(f"{noun} id", entry_id)))
        if entry_id in seen:
            problems.append(document.problem(where + ("id",), f"{noun} id {entry_id!r} is used twice "
                                             f"(first at line {first_line[entry_id]})",
                                             "merge the two entries, or give one another id"))
        else:
            seen[entry_id] = entry
            first_line[entry_id] = document.position(where + ("id",))[0]
    return seen


def _check_people(document: Document | None, today: dt.date, problems: list[Problem]) -> None:
    for where, person in _entries(document, "people"):
        for index, role in enumerate(person.get("roles") or []):
            if not isinstance(role, dict):
                continue
            at = where + ("roles", index)
            start, end = _date(role.get("from")), _date(role.get("to"))
            if start and end and end < start:
                problems.append(document.problem(at + ("to",), f"role ends ({end}) before it starts ({start})",
                                                 "swap `from` and `to`, or correct the year"))
            for key, day in (("from", start), ("to", end)):
                if day and day > today:
                    problems.append(document.problem(at + (key,), f"role date {day} is in the future",
                                                     "record only what has happened; leave `to` empty while in office"))


def _check_aliases(document: Document | None, problems: list[Problem]) -> None:
    owners: dict[str, str] = {}
    for where, person in _entries(document, "people"):
        person_id = _str(person.get("id")) or "?"
        for index, alias in enumerate(person.get("aliases") or []):
            if not isinstance(alias, str):
                continue
            folded = slugify(alias)
            if folded in owners and owners[folded] != person_id:
                problems.append(document.problem(
                    where + ("aliases", index), f"alias {alias!r} also belongs to {owners[folded]!r}",
                    "extraction cannot tell the two apart; keep the alias on one person only",
                    severity="warning"))
            owners.setdefault(folded, person_id)


def _check_sheet_place(sheet: Document, slugs: dict[str, Document], files: ContentFiles,
                       problems: list[Problem]) -> None:
    parts = sheet.path.replace("\\", "/").split("/")
    stem = parts[-1].rsplit(".", 1)[0]
    folder = parts[-2] if len(parts) >= 2 else ""
    if not SLUG.match(stem):
        problems.append(Problem(sheet.path, 1, 1, f"the file name {stem!r} cannot be a page address",
                                f"rename the file to {slugify(stem) or 'article'}.yaml"))
    elif len(stem) > MAX_NAME:
        problems.append(Problem(sheet.path, 1, 1, *_long_name_message("the file name", stem, "articles")))
    elif stem in RESERVED_NAMES:
        problems.append(Problem(sheet.path, 1, 1, *_reserved_message("the file name", stem)))
    elif stem in slugs:
        problems.append(Problem(sheet.path, 1, 1, f"another sheet has the same name: {slugs[stem].path}",
                                "article pages are named after the file; rename one of them"))
    else:
        slugs[stem] = sheet
    if not isinstance(sheet.value, dict) or not isinstance(sheet.value.get("article"), dict):
        return
    article = sheet.value["article"]
    published = _date(article.get("published"))
    if article.get("published") is None and "published" in article:
        problems.append(sheet.problem(("article", "published"), "the publication date is unknown",
                                      "find it (dateline, web address, archive copy) and write it as YYYY-MM-DD; "
                                      "set `published_basis: editor` and say how in `note:`", severity="warning"))
    expected = str(published.year) if published else "undated"
    if YEAR_FOLDER.match(folder) and folder != expected:
        problems.append(Problem(sheet.path, 1, 1, f"the sheet is in {folder}/ but the article is "
                                + (f"from {published.year}" if published else "undated"),
                                f"move it to content/articles/{expected}/", "warning"))
    if published and "missing-date" in (article.get("quality") or []):
        problems.append(sheet.problem(("article", "quality"), "'missing-date' is flagged but the date is filled in",
                                      "remove missing-date from quality", severity="warning"))
    url = _str(article.get("url"))
    if url:
        _check_url(sheet, ("article", "url"), url, problems)
    seed = _str(article.get("seed"))
    if seed and files.project_root is not None and not (files.project_root / seed).is_file():
        problems.append(sheet.problem(("article", "seed"), f"the seed file {seed} does not exist",
                                      "correct the path, or set `seed:` empty for an article without a seed",
                                      severity="warning"))


def _check_site(document: Document | None, problems: list[Problem]) -> None:
    """The published address is where every page's address starts: a query or fragment in it
    would end up in the middle of every canonical link, feed entry and sitemap entry."""
    if document is None or not isinstance(document.value, dict):
        return
    base_url = _str(document.value.get("base_url"))
    if base_url and base_url.startswith(("http://", "https://")):
        _check_url(document, ("base_url",), base_url, problems)
        if "?" in base_url or "#" in base_url:
            problems.append(document.problem(("base_url",), f"{base_url!r} has a query (?...) or fragment (#...)",
                                             "give the address of the archive's front page, e.g. "
                                             "https://example.org/archive/"))
    publisher = document.value.get("publisher")
    url = _str(publisher.get("url")) if isinstance(publisher, dict) else None
    if url and url.startswith(("http://", "https://")):
        _check_url(document, ("publisher", "url"), url, problems)


def _reserved_message(what: str, name: str) -> tuple[str, str]:
    return (f"{what} {name!r} cannot be a page address: Windows reserves the name {name!r}",
            f"add a word to it, e.g. {name + '-1'!r}; the archive must open on every computer")


def check_page_name(path: Path) -> Problem | None:
    """A Markdown page becomes pages/<name>/: its file name must be a page address."""
    stem = path.stem
    if not SLUG.match(stem):
        return Problem(str(path), 1, 1, f"the page name {stem!r} cannot be a page address",
                       f"rename the file to {slugify(stem) or 'page'}.md (lower-case letters, digits and hyphens)")
    if len(stem) > MAX_NAME:
        return Problem(str(path), 1, 1, *_long_name_message("the page name", stem, "pages"))
    if stem in RESERVED_NAMES:
        return Problem(str(path), 1, 1, *_reserved_message("the page name", stem))
    return None


def _long_name_message(what: str, name: str, folder: str) -> tuple[str, str]:
    return (f"{what} is {len(name)} characters long; the limit is {MAX_NAME}, as for ids",
            f"shorten it: in the offline zip its page is hindsight-YYYY-MM-DD/{folder}/<name>/index.html, and "
            "Windows cannot open a path of more than 260 characters, counting the folder it is unpacked in")


def _check_url(document: Document, where: tuple, url: str, problems: list[Problem]) -> None:
    wrong = _url_problem(url)
    if wrong is not None:
        problems.append(document.problem(where, *wrong))


@cache_of_archive_text(maxsize=65_536)   # the live preview checks every claim's evidence again after each edit
def _url_problem(url: str) -> tuple[str, str] | None:
    """What is wrong with a web address (message, how to fix it), or None."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return f"{url!r} is not a valid web address", "copy the address again from the browser's address bar"
    if parts.scheme not in ("http", "https"):
        return None  # the schema already reported it
    if "." not in host and host != "localhost":
        return f"{url!r} has no valid host name", "write the full address, e.g. https://www.nytimes.com/..."
    return None


def _check_unnamed_speaker(sheet: Document, where: tuple, claim: dict, problems: list[Problem]) -> None:
    """A claim whose speaker extraction could not name (`speaker:` empty) waits for an editor: a
    warning on a draft, which is not published; an error on a reviewed claim; nothing once rejected."""
    if "speaker" not in claim or claim.get("speaker") is not None or claim.get("review") == REJECTED:
        return
    written = _str(claim.get("speaker_as_written"))
    message = "the speaker could not be named" + (f" (the article says {written!r})" if written else "")
    fix = ("set `speaker:` to their id in content/people.yaml (hindsight new person adds one), "
           "or set `review: rejected` with a note")
    reviewed = claim.get("review") == "reviewed"
    problems.append(sheet.problem(where + ("speaker",), message, fix, severity="error" if reviewed else "warning"))


def _check_claim(sheet: Document, where: tuple, claim: dict, published: dt.date | None, today: dt.date,
                 people: dict, topics: dict, claims: dict, problems: list[Problem]) -> None:
    speaker = _str(claim.get("speaker"))
    if speaker and SLUG.match(speaker) and speaker not in people:
        guess = _closest(speaker, people)
        problems.append(sheet.problem(where + ("speaker",), f"speaker {speaker!r} is not in content/people.yaml",
                                      f"did you mean {guess!r}?" if guess else "add them to content/people.yaml "
                                      "(hindsight new person) or correct the id"))
    for index, topic in enumerate(claim.get("topics") or []):
        if isinstance(topic, str) and SLUG.match(topic) and topic not in topics:
            guess = _closest(topic, topics)
            problems.append(sheet.problem(where + ("topics", index), f"topic {topic!r} is not in content/topics.yaml",
                                          f"did you mean {guess!r}?" if guess else
                                          f"known topics: {', '.join(sorted(topics)) or 'none yet'}"))
    if claim.get("review") == REJECTED and not _str(claim.get("note")):
        problems.append(sheet.problem(where + ("review",), "a rejected claim does not say why",
                                      "add `note:` with the reason (a fragment, a duplicate of another claim, "
                                      "the reporter's words) so the next editor does not restore it"))
    said = _date(claim.get("said"))
    kind = _str(claim.get("kind"))
    if said and said > today:
        problems.append(sheet.problem(where + ("said",), f"'said' date {said} is in the future",
                                      "check the year; a claim is recorded after it is made"))
    if said and published and said > published:
        problems.append(sheet.problem(where + ("said",), f"said on {said}, after the article was published "
                                      f"({published})", "check the year and month; an article reports what was "
                                      "said before it appeared"))
    basis = _str(claim.get("said_basis"))
    if said and basis and (claim.get("said_precision") or "day") == "day":
        named = _weekdays_named(basis)
        weekday = _WEEKDAYS[said.weekday()]   # not strftime's %A, which speaks the locale's language
        if named and weekday not in named:
            problems.append(sheet.problem(where + ("said_basis",), f"the basis says {' or '.join(sorted(named))}, "
                                          f"but {said} was a {weekday}", "check the date said: count the day back "
                                          "from the article's date (and its time zone)", severity="warning"))
    if claim.get("said") is None and published:
        problems.append(sheet.problem(where + ("said",), "the date said is empty",
                                      f"fill it in, or use the publication date {published} with "
                                      "`said_basis: published`", severity="warning"))
    outcome = claim.get("outcome")
    if not isinstance(outcome, dict):
        return
    status = _str(outcome.get("status"))
    if kind in STATUS_SCALES and status and status not in statuses_for(kind):
        allowed = ", ".join(statuses_for(kind))
        problems.append(sheet.problem(where + ("outcome", "status"),
                                      f"{status!r} is not on the scale for a {kind}",
                                      f"a {kind} can be: {allowed}" + ("" if STATUS_SCALES[kind] else
                                                                     " (opinions are not rated)")))
    as_of = _date(outcome.get("as_of"))
    if as_of and said and as_of < said:
        problems.append(sheet.problem(where + ("outcome", "as_of"), f"rated as of {as_of}, before the claim was "
                                      f"said ({said})", "set `as_of` to the day the outcome was last checked"))
    if as_of and as_of > today:
        problems.append(sheet.problem(where + ("outcome", "as_of"), f"'as_of' date {as_of} is in the future",
                                      "set it to the day the outcome was last checked"))
    if status and status != UNRATED and not as_of:
        problems.append(sheet.problem(where + ("outcome", "status"), f"the rating {status!r} has no 'as_of' date",
                                      "add `as_of:` with the day the outcome was checked"))
    for index, item in enumerate(outcome.get("evidence") or []):
        if not isinstance(item, dict):
            continue
        at = where + ("outcome", "evidence", index)
        target = _str(item.get("claim"))
        if target and SLUG.match(target):
            if target == claim.get("id"):
                problems.append(sheet.problem(at + ("claim",), "a claim cannot be its own evidence",
                                              "cite a later claim or a public-record link"))
            elif target not in claims:
                guess = _closest(target, claims)
                problems.append(sheet.problem(at + ("claim",), f"evidence claim {target!r} is not in the archive",
                                              f"did you mean {guess!r}?" if guess else "check the claim's id"))
            elif claims[target][2].get("review") == REJECTED:
                problems.append(sheet.problem(at + ("claim",), f"evidence claim {target!r} was rejected by an "
                                              "editor and is not published", "cite a published claim or a "
                                              "public-record link instead"))
        url = _str(item.get("url"))
        if url:
            _check_url(sheet, at + ("url",), url, problems)
        day = _date(item.get("date"))
        if day and day > today:
            problems.append(sheet.problem(at + ("date",), f"evidence date {day} is in the future",
                                          "check the year"))
    for index, target in enumerate(_related(claim)):
        target = _str(target)
        at = where + ("related", index)
        if not target or not SLUG.match(target):
            continue
        if target == claim.get("id"):
            problems.append(sheet.problem(at, "a claim cannot be related to itself", "delete this line"))
        elif target not in claims:
            guess = _closest(target, claims)
            problems.append(sheet.problem(at, f"related claim {target!r} is not in the archive",
                                          f"did you mean {guess!r}?" if guess else "check the claim's id"))
        elif claims[target][2].get("review") == REJECTED:
            problems.append(sheet.problem(at, f"related claim {target!r} was rejected by an editor and is not "
                                          "published", "delete this line or link a published claim"))


# A day of the week a claim was said on ("on Tuesday", "by phone on Friday"), not one it was said
# after or before, or that names something else ("after Wednesday's meeting").
_WEEKDAY = re.compile(r"(?<!after )(?<!before )(?<!since )(?<!until )(?<!by )"
                      r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?!['’]s)", re.I)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@cache_of_archive_text(maxsize=4096)   # a few bases ("on Tuesday") stand for most claims
def _weekdays_named(basis: str) -> frozenset[str]:
    return frozenset(day.capitalize() for day in _WEEKDAY.findall(basis))


def _check_evidence_cycles(claims: dict[str, tuple[Document, tuple, dict]], cites: dict[str, list[str]],
                           problems: list[Problem]) -> None:
    """Evidence points forward in time; a loop of claims citing each other is a mistake.
    `cites`: each claim citing others in the archive, and those; a claim citing none is in no loop."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset] = set()
    for start in sorted(cites):
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(cites[start]))]
        path = [start]
        state[start] = 1
        while stack:
            node, targets = stack[-1]
            nxt = next(targets, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                loop = path[path.index(nxt):]
                if frozenset(loop) not in reported:
                    reported.add(frozenset(loop))
                    sheet, where, _ = claims[node]
                    problems.append(sheet.problem(where + ("outcome", "evidence"),
                                                  "evidence goes round in a circle: " + " -> ".join(loop + [nxt]),
                                                  "evidence should be a later claim or a public record; "
                                                  "remove one of the links"))
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(cites.get(nxt, ()))))
