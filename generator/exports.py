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
import operator
from dataclasses import dataclass, field
from typing import Any

from generator.linking import Links
from generator.model import STATUS_LABELS, Archive, Claim
from generator.pages import canonical_url, claim_path, long_date, said_label
from generator.structured_data import json_ld, script_safe

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = ("id", "statement", "speaker_id", "speaker", "role", "said", "said_basis", "said_precision", "kind",
               "form", "topics", "outcome_status", "outcome", "outcome_as_of", "outcome_summary", "article",
               "outlet", "published", "original_url", "quality", "review", "url")


def claim_record(archive: Archive, links: Links, claim: Claim, base_url: str) -> dict[str, Any]:
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
        "review": claim.review,
        "url": canonical_url(base_url, claim_path(claim.id)),
    }


def claim_records(archive: Archive, links: Links, base_url: str) -> list[dict[str, Any]]:
    """Every claim's record, in date order."""
    return [claim_record(archive, links, claim, base_url) for claim in links.claims.values()]


@dataclass
class Downloads:
    """`claims.json` and `claims.csv` as written, and where each claim's line is in each:
    claim id -> (what the line was made from, start and end in the JSON, start and end in
    the CSV). A later build copies the line of a claim made from the same parts."""

    json: bytes
    csv: bytes
    places: dict[str, tuple[str, int, int, int, int]] = field(default_factory=dict)


_JSON_HEAD = b'{"claims":[\n'


def downloads(archive: Archive, links: Links, base_url: str, made_from: dict[str, str] | None = None,
              before: Downloads | None = None) -> Downloads:
    """Both downloads, a line per claim in date order. `made_from` (claim id -> a digest of
    the claim, its article and its speaker, as the incremental record knows them) lets a
    claim's lines be copied from `before` (the previous build's downloads, the same code
    and address) when they were made from the same; the others are written afresh."""
    made_from = made_from or {}
    copied = before.places if before is not None else {}
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Compact, one claim per line: json's C encoder runs only without indentation (5x faster
    # at 100,000 claims), and a line per claim still diffs well.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    csv_head = ("\ufeff" + buffer.getvalue()).encode("utf-8")   # a byte-order mark: spreadsheets read UTF-8
    lines, rows, places = [], [], {}
    json_at, csv_at = len(_JSON_HEAD), len(csv_head)
    run = None   # lines copied that follow one another in `before`: copied in one piece

    def copy(run: tuple[int, int, int, int]) -> None:
        lines.append(before.json[run[0]:run[1]])   # with the ",\n" between its lines
        rows.append(before.csv[run[2]:run[3]])

    for claim in links.claims.values():
        source = made_from.get(claim.id)
        place = copied.get(claim.id)
        if source is not None and place is not None and place[0] == source:
            _, json_start, json_end, csv_start, csv_end = place
            if run is not None and json_start == run[1] + 2 and csv_start == run[3]:
                run = (run[0], json_end, run[2], csv_end)
            else:
                if run is not None:
                    copy(run)
                run = (json_start, json_end, csv_start, csv_end)
            json_length, csv_length = json_end - json_start, csv_end - csv_start
        else:
            if run is not None:
                copy(run)
                run = None
            record = claim_record(archive, links, claim, base_url)
            line = encoder.encode(record).encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(_csv_row(claim, record))
            row = buffer.getvalue().encode("utf-8")
            lines.append(line)
            rows.append(row)
            json_length, csv_length = len(line), len(row)
        if source is not None:
            places[claim.id] = (source, json_at, json_at + json_length, csv_at, csv_at + csv_length)
        json_at += json_length + 2   # ",\n"
        csv_at += csv_length
    if run is not None:
        copy(run)
    site = json.dumps({"title": archive.site.title, "url": canonical_url(base_url, "index.html")},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return Downloads(_JSON_HEAD + b",\n".join(lines) + b'\n],"site":' + site.encode("utf-8") + b"}\n",
                     csv_head + b"".join(rows), places)


def claims_json(archive: Archive, links: Links, base_url: str) -> bytes:
    return downloads(archive, links, base_url).json


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_row(claim: Claim, record: dict[str, Any]) -> list[str]:
    speaker, outcome, article = record["speaker"], record["outcome"], record["article"]
    row = (record["id"], record["statement"], speaker["id"], speaker["name"], record["role"], record["said"],
           record["said_basis"], record["said_precision"], record["kind"], record["form"], " ".join(claim.topics),
           claim.outcome.status, outcome["label"], outcome["as_of"], claim.outcome.summary, claim.article,
           article["outlet"], article["published"], article["url"], " ".join(article["quality"]),
           record["review"], record["url"])   # in CSV_COLUMNS' order
    return [value if type(value) is str and not value.startswith(FORMULA_STARTS) else spreadsheet_safe(value)
            for value in row]


def claims_csv(archive: Archive, links: Links, base_url: str) -> bytes:
    return downloads(archive, links, base_url).csv


NAMES = "\0names"   # where `search_fallback`'s rows keep the names they were numbered by: no claim id


def search_fallback(archive: Archive, links: Links, rows_before: dict[str, tuple] | None = None,
                    rows: dict[str, tuple] | None = None) -> bytes:
    """A plain script assigning the claims to a global, for search where Pagefind cannot run.

    Each claim is a row of `fields`; a speaker, question, outlet or outcome is written once in
    `names` and a row holds its number there (a 100,000-claim archive repeats each many times).
    The names are every speaker's, question's, outlet's and outcome's in the registries, in
    alphabetical order: an edit that adds none leaves every number as it was. A row's `when`
    is empty where it is the long form of `said`, and its year is `said`'s.

    A long-running process hands in the last build's `rows` as `rows_before` (claim id -> what
    its row was made from, and the row as written; `NAMES` -> the names), and an empty `rows`
    to fill: with the same names, a row made from the very same claim, speaker, article and
    questions is copied as written."""
    people, topics, articles = archive.people, archive.topics, links.articles
    names = sorted({person.name for person in people.values()} | {topic.title for topic in topics.values()}
                   | {article.outlet or "" for article in articles.values()} | set(STATUS_LABELS.values()))
    numbers = {name: number for number, name in enumerate(names)}
    if rows_before is None or rows_before.get(NAMES) != names:
        rows_before = {}
    if rows is not None:
        rows[NAMES] = names
    written = []
    for claim in links.claims.values():
        person, article = people[claim.speaker], articles[claim.article]
        questions = tuple(topics[topic] for topic in claim.topics if topic in topics)
        made_from = (claim, person, article) + questions
        before = rows_before.get(claim.id)
        if before is not None and len(before[0]) == len(made_from) and all(map(operator.is_, before[0], made_from)):
            row = before[1]
        else:
            when = said_label(claim)
            row = script_safe(json.dumps([
                claim_path(claim.id), claim.statement, numbers[person.name], claim.said.isoformat() if claim.said else "",
                "" if claim.said and when == long_date(claim.said) else when,
                [numbers[topic.title] for topic in questions], numbers[article.outlet or ""],
                numbers[STATUS_LABELS[claim.outcome.status]]], ensure_ascii=False, separators=(",", ":")))
        if rows is not None:
            rows[claim.id] = (made_from, row)
        written.append(row)
    # As json_ld writes the whole (keys sorted, compact), a row at a time.
    fields = json_ld(["path", "statement", "speaker", "said", "when", "topics", "outlet", "outcome"])
    body = f'{{"claims":[{",".join(written)}],"fields":{fields},"names":{json_ld(names)}}}'
    return f"window.HINDSIGHT_FALLBACK_SEARCH = {body};\n".encode("utf-8")
