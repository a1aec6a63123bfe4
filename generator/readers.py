"""Reading stage: turns the YAML files under `content/` into plain documents with a
source map (path inside the document -> line and column), and Markdown pages into text.

It consumes files and produces `Document`s plus `Problem`s for whatever could not be
read: syntax errors, duplicate keys, tags, anchors and aliases, bad encodings. It parses
with PyYAML's C loader and builds the values itself, so that nothing but plain data
(mappings, lists, strings, numbers, booleans, null) ever leaves this module; dates stay
the strings the editor wrote and are checked against the schema later.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.problems import Problem

try:  # PyYAML built with libyaml: about twenty times faster than the pure-Python loader.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - exercised only where libyaml is missing
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]



class _Composer(_Loader):
    """The safe loader, resolving each scalar's tag exactly as it does, with less Python per
    node: a 100,000-claim archive composes some 40 million nodes, and PyYAML's resolver
    (pure Python, even beside libyaml) was a sixth of reading. The safe loader has no path
    resolvers, so descending and ascending have nothing to do."""

    _by_first = {first: tuple(resolvers) + tuple(_Loader.yaml_implicit_resolvers.get(None, ()))
                 for first, resolvers in _Loader.yaml_implicit_resolvers.items() if first is not None}
    _anywhere = tuple(_Loader.yaml_implicit_resolvers.get(None, ()))

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in self._by_first.get(value[:1], self._anywhere):
                    if pattern.match(value):
                        return tag
            return self.DEFAULT_SCALAR_TAG
        return self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode else self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


assert not _Loader.yaml_path_resolvers, "the composer above resolves no paths"

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_NODES = 1_000_000
# No text this short holds MAX_NODES values (each takes a character or more, and the values
# that share one's place, such as a list and its first item, a dash or bracket more): only
# longer files are counted before they are composed.
NODES_SURELY_WITHIN = MAX_NODES // 4

# Characters no editor means to type and no reader can see: control characters (tab and line
# breaks aside), the bidirectional overrides, embeddings and isolates that make text display in
# another order than it reads ("Trojan Source"), Unicode line separators (YAML 1.1 reads them
# as line breaks), lone surrogates and non-characters. Refused wherever they appear in a
# content file, whether typed or written as an escape such as "\u202e".
INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                       "\u2028\u2029\ud800-\udfff\ufffe\uffff]")

# The line breaks YAML 1.1 knows beyond the editor's own (\n, \r): written raw, they end a line
# for YAML but not on the editor's screen.
_YAML_LINE_BREAK = re.compile("[\x85\u2028\u2029]")
_CONTROL_NAMES = {"\x85": "NEXT LINE"}   # unicodedata names no control character

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str": "string",
    "tag:yaml.org,2002:int": "int",
    "tag:yaml.org,2002:float": "float",
    "tag:yaml.org,2002:bool": "bool",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "timestamp",
    "tag:yaml.org,2002:map": "map",
    "tag:yaml.org,2002:seq": "seq",
}

Path_ = tuple  # a path inside a document: keys and list indexes


@dataclass
class Document:
    """One YAML file's plain value plus where each part of it was written.

    A document whose value was read before (an unchanged sheet, from the build's cache) keeps
    its file's bytes in `unparsed` instead of positions: they are worked out again from the
    bytes the first time a problem needs them."""

    path: str  # as shown to editors, e.g. content/articles/2019/nyt-zelensky.yaml
    value: Any
    values_at: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys_at: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    written: dict[tuple, str] = field(default_factory=dict)  # numbers and true/false as the editor typed them
    unparsed: bytes | None = field(default=None, repr=False, compare=False)

    def _place(self) -> None:
        """Fill in the positions of a document read from the cache, from its bytes."""
        if self.unparsed is None:
            return
        document, _ = parse_file(self.unparsed, self.path)
        self.unparsed = None
        if document is not None:
            self.values_at, self.keys_at, self.written = document.values_at, document.keys_at, document.written

    def written_as(self, where: tuple) -> str | None:
        """A number or true/false at `where` as the editor typed it."""
        self._place()
        return self.written.get(where)

    def position(self, where: tuple, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at `where`, or of its key.

        Falls back to the nearest enclosing part that has a position.
        """
        self._place()
        table = self.keys_at if key else self.values_at
        while True:
            if where in table:
                return table[where]
            if where in self.values_at:
                return self.values_at[where]
            if not where:
                return (1, 1)
            where = where[:-1]

    def problem(self, where: tuple, message: str, hint: str | None = None, *, key: bool = False,
                severity: str = "error") -> Problem:
        line, column = self.position(where, key=key)
        return Problem(self.path, line, column, message, hint, severity)


class _Unreadable(Exception):
    def __init__(self, line: int, column: int, message: str, hint: str | None = None):
        super().__init__(message)
        self.line, self.column, self.message, self.hint = line, column, message, hint


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    """Builds plain values from a composed node tree, recording positions."""

    def __init__(self, text: str):
        self.text = text
        self.values_at: dict[tuple, tuple[int, int]] = {}
        self.keys_at: dict[tuple, tuple[int, int]] = {}
        self.written: dict[tuple, str] = {}
        self.seen: set[int] = set()
        self.count = 0

    def build(self, node: yaml.Node, where: tuple) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Unreadable(*_mark(node), "the file is too large to be a claim sheet",
                              "split it into one file per article")
        if id(node) in self.seen:
            line, column = self._alias_position(node)
            raise _Unreadable(line, column, "anchors and aliases (&name, *name) are not allowed",
                              "write the value out in full where it is needed")
        self.seen.add(id(node))
        self.values_at[where] = _mark(node)
        kind = _PLAIN_TAGS.get(node.tag)
        if kind is None:
            raise _Unreadable(*_mark(node), f"the YAML tag {node.tag!r} is not allowed",
                              "claim sheets hold plain text, numbers, dates, lists and fields; remove the tag")
        if isinstance(node, yaml.MappingNode):
            if kind != "map":
                raise _Unreadable(*_mark(node), f"the YAML tag {node.tag!r} is not allowed")
            return self._mapping(node, where)
        if isinstance(node, yaml.SequenceNode):
            if kind != "seq":
                raise _Unreadable(*_mark(node), f"the YAML tag {node.tag!r} is not allowed")
            return [self.build(item, where + (i,)) for i, item in enumerate(node.value)]
        if kind in ("int", "float", "bool"):
            self.written[where] = node.value
        return self._scalar(node, kind)

    def _mapping(self, node: yaml.MappingNode, where: tuple) -> dict:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Unreadable(*_mark(key_node), "merge keys (<<) are not allowed",
                                  "write the fields out in full")
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                raise _Unreadable(*_mark(key_node), f"field names must be plain words, not {shown!r}",
                                  "quote the field name or fix the indentation")
            key = key_node.value
            invisible = INVISIBLE.search(key)
            if invisible:
                raise _Unreadable(*self._written_at(key_node, invisible.group()), *invisible_character(invisible.group()))
            if key in result:
                first = self.keys_at[where + (key,)]
                raise _Unreadable(*_mark(key_node), f"duplicate field {key!r} (first written at line {first[0]})",
                                  "keep one of the two; YAML would silently drop the first")
            self.keys_at[where + (key,)] = _mark(key_node)
            result[key] = self.build(value_node, where + (key,))
        return result

    def _scalar(self, node: yaml.ScalarNode, kind: str) -> Any:
        text = node.value
        invisible = INVISIBLE.search(text)
        if invisible:
            raise _Unreadable(*self._written_at(node, invisible.group()), *invisible_character(invisible.group()))
        try:
            return _scalar_value(text, kind)
        except _LongNumber:
            raise _Unreadable(*_mark(node), f"YAML reads this as a number of {len(text):,} characters, "
                              "more than a number can hold", "put the value in quotes to keep it as text") from None

    def _written_at(self, node: yaml.Node, character: str) -> tuple[int, int]:
        """Where `character` is typed inside the scalar, or the scalar's start when it is written
        as an escape."""
        start, end = node.start_mark.index, node.end_mark.index
        found = self.text.find(character, start, end)
        if found < 0:
            return _mark(node)
        return _line_and_column(self.text, found)

    def _alias_position(self, node: yaml.Node) -> tuple[int, int]:
        """Where the first alias to this node is written (the composed tree only knows the anchor)."""
        try:
            for event in yaml.parse(self.text, Loader=_Loader):
                if isinstance(event, yaml.AliasEvent):
                    return event.start_mark.line + 1, event.start_mark.column + 1
        except yaml.YAMLError:
            pass
        return _mark(node)


class _Unusual(Exception):
    """Something `_plain_value` leaves to `_Builder` to explain."""


def _plain_value(root: yaml.Node) -> Any:
    """The value of a composed tree, with no positions recorded: for a claim sheet, whose
    positions are worked out again from its bytes only if a problem needs them (recording
    them was a fifth of reading). Raises `_Unusual` at anything but mappings of plain,
    unique keys, lists and plain scalars, without invisible characters, tags, anchors or
    aliases: `_Builder` then reads the file as always and says what is wrong."""
    seen: set[int] = set()

    def value(node: yaml.Node) -> Any:
        if id(node) in seen or len(seen) >= MAX_NODES:
            raise _Unusual
        seen.add(id(node))
        kind = _PLAIN_TAGS.get(node.tag)
        if isinstance(node, yaml.MappingNode):
            if kind != "map":
                raise _Unusual
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str" \
                        or key_node.value in result or INVISIBLE.search(key_node.value):
                    raise _Unusual
                result[key_node.value] = value(value_node)
            return result
        if isinstance(node, yaml.SequenceNode):
            if kind != "seq":
                raise _Unusual
            return [value(item) for item in node.value]
        if kind is None or kind == "map" or kind == "seq" or INVISIBLE.search(node.value):
            raise _Unusual
        return _scalar_value(node.value, kind)

    try:
        return value(root)
    except RecursionError:
        raise _Unusual from None


class _LongNumber(_Unusual):
    """A whole number of more digits than Python reads or prints (`sys.get_int_max_str_digits`)."""


_LONGEST_NUMBER = 10 ** 4300   # the first number of more than 4,300 digits: Python's limit


def _scalar_value(text: str, kind: str) -> Any:
    """A plain scalar's value, from its text and resolved kind."""
    if kind == "string" or kind == "timestamp":
        return text  # dates stay as written; the schema checks their form
    if kind == "null":
        return None
    if kind == "bool":
        return text.lower() in ("true", "yes", "on", "y")
    if kind == "int":
        try:
            value = yaml.safe_load(text)
        except yaml.YAMLError:
            return text
        except ValueError:   # more digits than Python turns into a number
            raise _LongNumber from None
        if isinstance(value, int) and abs(value) >= _LONGEST_NUMBER:   # 1:59:59:... multiplied up
            raise _LongNumber
        return value
    if kind == "float":
        value = yaml.safe_load(text)
        return value if isinstance(value, float) else text
    return text


def invisible_character(character: str) -> tuple[str, str]:
    """The message and hint for an invisible character found in a content file."""
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "") or _CONTROL_NAMES.get(character, "")
    shown = f"{code} ({name})" if name else code
    if "\u202a" <= character <= "\u202e" or "\u2066" <= character <= "\u2069":
        return (f"the text contains the invisible character {shown}, which makes text display in a "
                "different order than it reads", "delete it; right-to-left text displays correctly without it")
    if character in "\u2028\u2029\x85":
        return (f"the text contains the invisible character {shown}, which YAML reads as a line break",
                "replace it with an ordinary line break or space")
    return (f"the text contains the invisible control character {shown}",
            "delete it; it usually comes from copying text out of a PDF or a word processor")


def _line_and_column(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def decode(raw: bytes) -> str:
    """UTF-8 text of a file, with a leading byte-order mark removed; UnicodeDecodeError otherwise."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    return raw.decode("utf-8")


def parse_yaml(text: str, shown_path: str, unparsed: bytes | None = None) -> tuple[Document | None, list[Problem]]:
    """Parse one YAML text into a Document, or explain why it cannot be read. Given the
    file's bytes as `unparsed`, a document with nothing unusual in it keeps them instead of
    its positions, which are worked out again only if a problem needs them."""
    # YAML ends a line at these, so its positions and messages would be a line off. (Three
    # searches, a hundred times faster than one of the pattern: 20 MB of sheets in 2 ms.)
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        return None, [Problem(shown_path, *_line_and_column(text, breaking.start()),
                              *invisible_character(breaking.group()))
                      for breaking in itertools.islice(_YAML_LINE_BREAK.finditer(text), 20)]
    if "\t" in text:
        for number, line in enumerate(text.split("\n"), 1):
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indent:
                return None, [Problem(shown_path, number, indent.index("\t") + 1,
                                      "a tab is used for indentation", "indent with spaces only (two per level)")]
    try:
        crowded = _past_node_limit(text) if len(text) > NODES_SURELY_WITHIN else None
        if crowded is not None:
            return None, [Problem(shown_path, crowded.line + 1, crowded.column + 1,
                                  f"the file holds more than {MAX_NODES:,} values (fields and list items); "
                                  "it is too large to be a claim sheet", "split it into one file per article")]
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as error:
        # An unclosed quote or bracket is found only at the end of the file: point at its start.
        scanning = bool(error.context and error.context.startswith("while scanning") and error.context_mark)
        mark = error.context_mark if scanning else (error.problem_mark or error.context_mark)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or "the file is not valid YAML"
        if error.context:
            what = f"{what} ({error.context})"
        return None, [Problem(shown_path, line, column, f"YAML syntax: {what}",
                              "check indentation, colons after field names, and quotes around text containing ': ' or '#'")]
    except yaml.reader.ReaderError as error:
        # A character YAML refuses to read at all: point at it.
        line, column = _line_and_column(text, error.position) if error.position < len(text) else (1, 1)
        return None, [Problem(shown_path, line, column, *invisible_character(chr(error.character)))]
    except yaml.YAMLError as error:
        return None, [Problem(shown_path, 1, 1, f"YAML syntax: {error}")]
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        return None, [Problem(shown_path, 1, 1, "the file is empty", "fill it in, or delete it")]
    if unparsed is not None:
        try:
            return Document(shown_path, _plain_value(node), unparsed=unparsed), []
        except _Unusual:
            pass
    builder = _Builder(text)
    try:
        value = builder.build(node, ())
    except _Unreadable as error:
        return None, [Problem(shown_path, error.line, error.column, error.message, error.hint)]
    except RecursionError:
        return None, [Problem(shown_path, 1, 1, "the file is nested too deeply to be a claim sheet")]
    return Document(shown_path, value, builder.values_at, builder.keys_at, builder.written), []


def _past_node_limit(text: str) -> yaml.Mark | None:
    """Where the file's values pass MAX_NODES, counted from the parser's events before any is
    composed (a node tree takes hundreds of bytes a value), or None."""
    count = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, _NODE_EVENTS):
            count += 1
            if count > MAX_NODES:
                return event.start_mark
    return None


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def read_yaml(path: Path, shown_path: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML file from disk."""
    raw, problems = read_file(path, shown_path)
    if raw is None:
        return None, problems
    return parse_file(raw, shown_path)


def read_file(path: Path | str, shown_path: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of one content file, or why they cannot be read (missing, too large, not an
    ordinary file). Opened without waiting (a named pipe put in the file's place would wait for
    a writer for ever), and read only once the open file is known to be an ordinary one."""
    try:
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as stream:
            status = os.fstat(stream.fileno())
            if not stat.S_ISREG(status.st_mode):
                return None, [not_a_file(shown_path, status.st_mode)]
            size = status.st_size
            if size > MAX_FILE_BYTES:
                return None, [Problem(shown_path, 1, 1, f"the file is {size // (1024 * 1024)} MB; the limit is "
                                      f"{MAX_FILE_BYTES // (1024 * 1024)} MB", "split it into one file per article")]
            return stream.read(), []
    except OSError as error:
        return None, [Problem(shown_path, 1, 1, f"cannot read the file: {error.strerror}")]


def not_a_file(shown_path: str, mode: int) -> Problem:
    """The problem with a content path that is not an ordinary file (told from its `mode`)."""
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not an ordinary file")
    return Problem(shown_path, 1, 1, f"this is {what}, which the archive does not read: content is read from "
                   "ordinary files only", "delete it, and put the file itself here")


def parse_file(raw: bytes, shown_path: str, positions: bool = True) -> tuple[Document | None, list[Problem]]:
    """Parse the bytes of one YAML file, or explain why they cannot be read. Without
    `positions`, the document keeps the bytes instead, if nothing in it is unusual (see
    `parse_yaml`)."""
    try:
        text = decode(raw)
    except UnicodeDecodeError as error:
        return None, [_encoding_problem(raw, error, shown_path)]
    return parse_yaml(text, shown_path, None if positions else raw)


def _encoding_problem(raw: bytes, error: UnicodeDecodeError, shown_path: str) -> Problem:
    before = raw[: error.start]
    line = before.count(b"\n") + 1
    column = error.start - (before.rfind(b"\n") + 1) + 1
    return Problem(shown_path, line, column, f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x})",
                   "save the file as UTF-8 in your editor")
