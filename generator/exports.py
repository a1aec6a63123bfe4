"""Exports: the whole archive as `claims.json` and `claims.csv`, and the small search index
shipped as a plain script (`search-fallback.js`) for reading from `file://`.

Consumes the `Archive` and its `Links`; produces bytes with a stable order (claims by date,
JSON keys sorted). CSV cells that a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add
from pathlib import Path
from typing import Any, Callable

from generator.linking import Links
from generator.model import STATUS_LABELS, Archive, Claim
from generator.pages import (DAMAGE_MARKS, ORIGINAL_MARK, damage_of, long_date, role_when_said,
                             said_label, wording)
from generator.structured_data import claim_review, json_ld, script_safe
from generator.urls import canonical_url, claim_path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = ("id", "statement", "speaker_id", "speaker", "role", "said", "said_basis", "said_precision", "kind",
               "form", "topics", "outcome_status", "outcome", "outcome_as_of", "outcome_summary", "article",
               "outlet", "published", "original_url", "quality", "review", "url", "damaged_copy", "original_wording",
               "corrections")


def claim_record(archive: Archive, links: Links, claim: Claim) -> dict[str, Any]:
    article = links.articles[claim.article]
    person = archive.people[claim.speaker]
    return {
        "id": claim.id,
        "statement": claim.statement,
        "speaker": {"id": person.id, "name": person.name},
        "speaker_as_written": claim.speaker_as_written,
        "role": claim.role,
        "said": claim.said.isoformat() if claim.said else None,
        "said_basis": claim.said_basis,
        "said_precision": claim.said_precision,
        "kind": claim.kind,
        "form": claim.form,
        "context": claim.context,
        "topics": list(claim.topics),
        "outcome": {
            "status": claim.outcome.status,
            "label": STATUS_LABELS.get(claim.outcome.status, claim.outcome.status),
            "as_of": claim.outcome.as_of.isoformat() if claim.outcome.as_of else None,
            "summary": claim.outcome.summary,
            "evidence": [{key: value for key, value in (
                ("claim", item.claim), ("url", item.url), ("title", item.title), ("outlet", item.outlet),
                ("date", item.date.isoformat() if item.date else None), ("note", item.note)) if value is not None}
                for item in claim.outcome.evidence],
        },
        "article": {
            "slug": article.slug, "title": article.title, "outlet": article.outlet, "url": article.url,
            "published": article.published.isoformat() if article.published else None,
            "quality": list(article.quality),
        },
        "note": claim.note,
        # Where the archive itself got this claim wrong, as its page shows them: reusers need them too.
        "corrections": [{key: value for key, value in (
            ("date", correction.date), ("wrong", correction.wrong), ("changed", correction.changed))
            if value is not None} for correction in claim.corrections],
        "review": claim.review,
        "url": canonical_url(archive.site.base_url, claim_path(claim.id)),
        # A damaged source copy: what is wrong with it, and the words as the original gives them, if known.
        "damaged_copy": [DAMAGE_MARKS[flag] for flag in damage_of(article)],
        "original_wording": claim.original if damage_of(article) else None,
    }


@dataclass
class Lines:
    """Files made of a line per claim, in one order, as a build wrote them: the claims' ids in
    that order and, for each file, its lines joined (a view of the file without what comes
    before and after them) and each line's length in bytes. A later build copies the lines
    of the claims it need not make again (`lines`)."""

    order: list[str]
    bodies: list[memoryview]
    lengths: list[list[int]]


def lines(order: list[str], frames: list[tuple[bytes, bytes, bytes]], make: Callable[[str], tuple[bytes, ...]],
          before: Lines | None = None, stale: set[str] | None = None) -> tuple[list[bytes | bytearray], Lines]:
    """Files of a line per claim in `order`, each framed by its (head, separator between lines,
    tail), `make` giving a claim's lines; and the `Lines` they hold. With `before`, the lines
    of the files as written before, a claim not `stale` keeps its lines from there: runs of
    claims that follow one another there too are copied in one piece. Each claim then costs
    only a look-up of its place and a step along its run; the rest grows with the claims made
    again and the claims moved. Each file is put together in one copy. Made afresh, each
    file is a bytearray that grows line by line: far less memory at once than the lines
    made apart and then joined."""
    if before is None or stale is None:   # each line added to its file as it is made: the files, no more, in memory
        files = [bytearray() for _ in frames]
        return files, _lines_of(order, files, frames, write_lines(order, frames, make, [file.extend for file in files]))
    lengths: list[list[int]] = [[] for _ in frames]
    pieces: list[list] = [[head] for head, _, _ in frames]
    at_before = {claim: place for place, claim in enumerate(before.order)}
    at = [None if claim in stale else at_before.get(claim) for claim in order]
    starts = [list(accumulate(map(add, old, repeat(len(separator))), initial=0))
              for (_, separator, _), old in zip(frames, before.lengths)]
    place, count = 0, len(order)
    while place < count:
        first, end = at[place], place + 1
        if first is None:   # made afresh
            new_lines = make(order[place])
        else:   # the run of lines first to last - 1 in `before`
            while end < count and at[end] == first + end - place:
                end += 1
            last = first + end - place
            new_lines = [body[start[first]:start[last] - len(separator)]
                         for body, start, (_, separator, _) in zip(before.bodies, starts, frames)]
        for file, length, line, (_, separator, _), old in zip(pieces, lengths, new_lines, frames, before.lengths):
            if place:
                file.append(separator)
            file.append(line)
            if first is None:
                length.append(len(line))
            else:
                length += old[first:last]
        place = end
    files = []
    for file, (head, _, tail) in zip(pieces, frames):
        file.append(tail)
        files.append(b"".join(file))
    return files, _lines_of(order, files, frames, lengths)


def write_lines(order: list[str], frames: list[tuple[bytes, bytes, bytes]], make: Callable[[str], tuple[bytes, ...]],
                writes: list[Callable[[bytes], Any]]) -> list[list[int]]:
    """Files of a line per claim in `order`, each framed by its (head, separator between lines,
    tail), `make` giving a claim's lines: each piece is handed to its file's `write` as it is
    made. Returns each file's lines' lengths."""
    lengths: list[list[int]] = [[] for _ in frames]
    for write, (head, _, _) in zip(writes, frames):
        write(head)
    for place, claim in enumerate(order):
        for write, length, line, (_, separator, _) in zip(writes, lengths, make(claim), frames):
            if place:
                write(separator)
            write(line)
            length.append(len(line))
    for write, (_, _, tail) in zip(writes, frames):
        write(tail)
    return lengths


def _lines_of(order: list[str], files: list[bytes], frames: list[tuple[bytes, bytes, bytes]],
              lengths: list[list[int]]) -> Lines:
    return Lines(order, [memoryview(file)[len(head):len(file) - len(tail)] for file, (head, _, tail)
                         in zip(files, frames)], lengths)


@dataclass
class Downloads:
    """`claims.json` and `claims.csv` as written, and their lines (`Lines`: the JSON's, then the CSV's)."""

    json: bytes
    csv: bytes
    lines: Lines


_JSON_HEAD = b'{"claims":[\n'
_JSON_SEPARATOR = b",\n"   # between the JSON's lines; the CSV's rows end in their own
_JSON_AFTER = b'\n],"site":'   # how what follows the JSON's lines starts


def _csv_head() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(CSV_COLUMNS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")   # a byte-order mark: spreadsheets read UTF-8


CSV_HEAD = _csv_head()


def downloads(archive: Archive, links: Links, before: Lines | None = None, stale: set[str] | None = None
              ) -> Downloads:
    """Both downloads, a line per claim in date order. With `before`, the lines of the
    downloads as the previous build wrote them (the same code and address), only the `stale`
    claims' lines are made afresh (those whose claim, article or speaker changed, or new)."""
    (json_file, csv_file), made = lines(*_download_lines(archive, links), before, stale)
    return Downloads(json_file, csv_file, made)


def write_downloads(archive: Archive, links: Links, json_path: Path, csv_path: Path) -> None:
    """Both downloads, as `downloads` makes them afresh, written to these files line by line
    (a full build: at 100,000 claims they are 185 MB, never in memory at once)."""
    with open(json_path, "wb") as json_file, open(csv_path, "wb") as csv_file:
        write_lines(*_download_lines(archive, links), [json_file.write, csv_file.write])


def _download_lines(archive: Archive, links: Links
                    ) -> tuple[list[str], list[tuple[bytes, bytes, bytes]], Callable[[str], tuple[bytes, bytes]]]:
    """What the downloads are made of: the claims in date order, each file's frame, and what
    makes a claim's two lines."""
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Compact, one claim per line: json's C encoder runs only without indentation (5x faster
    # at 100,000 claims), and a line per claim still diffs well.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    claims = links.claims

    def make(claim_id: str) -> tuple[bytes, bytes]:
        claim = claims[claim_id]
        record = claim_record(archive, links, claim)
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(_csv_row(claim, record))
        return encoder.encode(record).encode("utf-8"), buffer.getvalue().encode("utf-8")

    site = json.dumps({"title": archive.site.title, "url": canonical_url(archive.site.base_url, "index.html")},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return list(claims), [(_JSON_HEAD, _JSON_SEPARATOR, _JSON_AFTER + site.encode("utf-8") + b"}\n"),
                          (CSV_HEAD, b"", b"")], make


def download_bodies(json_file: bytes, csv_file: bytes, lengths: tuple[list[int], list[int]]) -> list[memoryview] | None:
    """The claims' lines in the downloads as written (`Lines.bodies`), given each line's
    length; None when the files do not hold lines of those lengths where they should."""
    bodies = [_written_lines(json_file, _JSON_HEAD, _JSON_SEPARATOR, lengths[0], _JSON_AFTER),
              _written_lines(csv_file, CSV_HEAD, b"", lengths[1], b"")]
    return None if any(body is None for body in bodies) else bodies


def _written_lines(file: bytes, head: bytes, separator: bytes, lengths: list[int], after: bytes) -> memoryview | None:
    """The lines `lines` wrote in `file`, given each one's length: from the end of `head` to
    where `after` starts (the end of the file, when nothing is after them); None when the file
    does not hold them there."""
    end = len(head) + sum(lengths) + len(separator) * max(len(lengths) - 1, 0)
    if not (file.startswith(head) and (file.startswith(after, end) if after else end == len(file))):
        return None
    return memoryview(file)[len(head):end]


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if _formula_like(text) else text


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula: it starts with a formula character,
    after any spaces (" =1+1"), in any width ("＝1+1", which spreadsheets read as "=")."""
    if not text or (text[0].isascii() and text[0].isalnum()):   # most values: at once
        return False
    if text.startswith(FORMULA_STARTS):
        return True
    folded = unicodedata.normalize("NFKC", text[:64]).lstrip()
    return folded.startswith(FORMULA_STARTS)


def _csv_row(claim: Claim, record: dict[str, Any]) -> list[str]:
    speaker, outcome, article = record["speaker"], record["outcome"], record["article"]
    row = (record["id"], record["statement"], speaker["id"], speaker["name"], record["role"], record["said"],
           record["said_basis"], record["said_precision"], record["kind"], record["form"], " ".join(claim.topics),
           claim.outcome.status, outcome["label"], outcome["as_of"], claim.outcome.summary, claim.article,
           article["outlet"], article["published"], article["url"], " ".join(article["quality"]),
           record["review"], record["url"], "; ".join(record["damaged_copy"]),
           record["original_wording"], _corrections_cell(claim))   # in CSV_COLUMNS' order
    return [value if type(value) is str and not _formula_like(value) else spreadsheet_safe(value) for value in row]


def _corrections_cell(claim: Claim) -> str:
    """A claim's corrections in one cell, as its page words them: "date: what was wrong. What
    changed.", one a line."""
    return "\n".join(": ".join(part for part in (correction.date, " ".join(
        text for text in (correction.wrong, correction.changed) if text)) if part)
        for correction in claim.corrections)


@dataclass
class OfflineIndex:
    """The offline search index (`search-fallback.js`) as written, the names its rows number,
    and its rows (`Lines`)."""

    script: bytes
    names: list[str]
    lines: Lines


_OFFLINE_HEAD = b'window.HINDSIGHT_FALLBACK_SEARCH = {"claims":['
_OFFLINE_SEPARATOR = b","
_OFFLINE_AFTER = b'],"fields":'
_OFFLINE_FIELDS = ["path", "statement", "speaker", "said", "when", "topics", "outlet", "outcome", "flag"]


def offline_index(archive: Archive, links: Links, before: OfflineIndex | None = None,
                  stale: set[str] | None = None) -> OfflineIndex:
    """A plain script assigning the claims to a global, for search where Pagefind cannot run.

    Each claim is a row of `fields`; a speaker, question, outlet or outcome is written once in
    `names` and a row holds its number there (a 100,000-claim archive repeats each many times).
    The names are every speaker's, question's, outlet's and outcome's in the registries, in
    alphabetical order: an edit that adds none leaves every number as it was. A row's `when`
    is empty where it is the long form of `said`, and its year is `said`'s.

    With `before`, the index as the previous build wrote it, and the same names, only the
    `stale` claims' rows are made afresh (those whose claim, article, speaker or questions
    changed, or new)."""
    names, order, frames, make = _offline_rows(archive, links)
    same_names = before is not None and before.names == names
    (script,), made = lines(order, frames, make, before.lines if same_names else None, stale if same_names else None)
    return OfflineIndex(script, names, made)


def write_offline_index(archive: Archive, links: Links, path: Path) -> None:
    """The offline search index, as `offline_index` makes it afresh, written to this file row
    by row (a full build: 24 MB at 100,000 claims, never in memory at once)."""
    with open(path, "wb") as script:
        write_lines(*_offline_rows(archive, links)[1:], [script.write])


def _offline_rows(archive: Archive, links: Links
                  ) -> tuple[list[str], list[str], list[tuple[bytes, bytes, bytes]], Callable[[str], tuple[bytes]]]:
    """What the offline search index is made of: its names, the claims in date order, its
    frame, and what makes a claim's row."""
    people, topics, articles = archive.people, archive.topics, links.articles
    names = sorted({person.name for person in people.values()} | {topic.title for topic in topics.values()}
                   | {article.outlet or "" for article in articles.values()} | set(STATUS_LABELS.values()))
    numbers = {name: number for number, name in enumerate(names)}
    claims = links.claims

    def make(claim_id: str) -> tuple[bytes]:
        claim = claims[claim_id]
        when = said_label(claim)
        article = articles[claim.article]
        damage = damage_of(article)
        flag = (ORIGINAL_MARK if claim.original else DAMAGE_MARKS[damage[0]]) if damage else ""
        row = json.dumps([
            claim_path(claim.id), wording(claim, article)[0], numbers[people[claim.speaker].name],
            claim.said.isoformat() if claim.said else "", "" if claim.said and when == long_date(claim.said) else when,
            [numbers[topics[topic].title] for topic in claim.topics if topic in topics],
            numbers[article.outlet or ""], numbers[STATUS_LABELS[claim.outcome.status]], flag],
            ensure_ascii=False, separators=(",", ":"))
        return (script_safe(row).encode("utf-8"),)   # the one file's line

    # As json_ld writes the whole (keys sorted, compact), a row at a time.
    tail = _OFFLINE_AFTER + f'{json_ld(_OFFLINE_FIELDS)},"names":{json_ld(names)}}};\n'.encode("utf-8")
    return names, list(claims), [(_OFFLINE_HEAD, _OFFLINE_SEPARATOR, tail)], make


def offline_body(script: bytes, lengths: list[int]) -> memoryview | None:
    """The rows of the offline search index as written (`Lines.bodies`), given each row's
    length; None when the script does not hold rows of those lengths where it should."""
    return _written_lines(script, _OFFLINE_HEAD, _OFFLINE_SEPARATOR, lengths, _OFFLINE_AFTER)


# ---------------------------------------------------------------------------
# claimreview-feed.json: every published ClaimReview, as aggregators take them in

CLAIMREVIEW_FEED = "claimreview-feed.json"


def claimreview_feed(archive: Archive, links: Links) -> bytes:
    """A schema.org DataFeed with a DataFeedItem per rated claim, holding the ClaimReview its
    page carries (the same words, rating and dates), in the claims' date order. Dates come
    from the content, so the same archive gives the same bytes."""
    items = []
    for claim in links.claims.values():
        if not claim.outcome.rated:
            continue
        article = links.articles[claim.article]
        person = archive.people[claim.speaker]
        review = claim_review(claim, person, article, archive.site,
                              canonical_url(archive.site.base_url, claim_path(claim.id)),
                              role_when_said(claim, person), wording(claim, article)[0])
        if review is None:
            continue
        review.pop("@context", None)
        item: dict[str, Any] = {"@type": "DataFeedItem", "item": [review]}
        if "datePublished" in review:
            item["dateCreated"] = review["datePublished"]
        items.append(item)
    feed: dict[str, Any] = {"@context": "https://schema.org", "@type": "DataFeed",
                            "name": f"{archive.site.title}: fact checks (ClaimReview)",
                            "url": canonical_url(archive.site.base_url, CLAIMREVIEW_FEED),
                            "publisher": {"@type": "Organization", "name": archive.site.publisher.name,
                                          "url": archive.site.publisher.url},
                            "dataFeedElement": items}
    modified = max((item["dateCreated"] for item in items if "dateCreated" in item), default=None)
    if modified:
        feed["dateModified"] = modified
    return (json.dumps(feed, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")
