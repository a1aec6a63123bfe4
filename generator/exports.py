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
from typing import Any

from generator.linking import Links
from generator.model import STATUS_LABELS, Archive, Claim
from generator.pages import canonical_url, claim_path, long_date, said_label
from generator.structured_data import json_ld

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
    """Every claim's record, in date order: made once for both claims.json and claims.csv."""
    return [claim_record(archive, links, claim, base_url) for claim in links.claims.values()]


def claims_json(archive: Archive, links: Links, base_url: str, records: list[dict[str, Any]] | None = None) -> bytes:
    document = {
        "site": {"title": archive.site.title, "url": canonical_url(base_url, "index.html")},
        "claims": records if records is not None else claim_records(archive, links, base_url),
    }
    # Compact, one claim per line: json's C encoder runs only without indentation (5x faster
    # at 100,000 claims), and a line per claim still diffs well.
    claims = ",\n".join(json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                         for record in document["claims"])
    site = json.dumps(document["site"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return ('{"claims":[\n' + claims + '\n],"site":' + site + "}\n").encode("utf-8")


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def claims_csv(archive: Archive, links: Links, base_url: str, records: list[dict[str, Any]] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    records = records if records is not None else claim_records(archive, links, base_url)
    for claim, record in zip(links.claims.values(), records):
        row = {
            **{key: record[key] for key in ("id", "statement", "role", "said", "said_basis", "said_precision",
                                            "kind", "form", "review", "url")},
            "speaker_id": record["speaker"]["id"], "speaker": record["speaker"]["name"],
            "topics": " ".join(claim.topics),
            "outcome_status": claim.outcome.status, "outcome": record["outcome"]["label"],
            "outcome_as_of": record["outcome"]["as_of"], "outcome_summary": claim.outcome.summary,
            "article": claim.article, "outlet": record["article"]["outlet"],
            "published": record["article"]["published"], "original_url": record["article"]["url"],
            "quality": " ".join(record["article"]["quality"]),
        }
        writer.writerow([spreadsheet_safe(row[column]) for column in CSV_COLUMNS])
    # A byte-order mark lets spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def search_fallback(archive: Archive, links: Links) -> bytes:
    """A plain script assigning the claims to a global, for search where Pagefind cannot run.

    Each claim is a row of `fields`; a speaker, question, outlet or outcome is written once in
    `names` and a row holds its number there (a 100,000-claim archive repeats each many times).
    A row's `when` is empty where it is the long form of `said`, and its year is `said`'s."""
    names: list[str] = []
    numbers: dict[str, int] = {}

    def number(name: str) -> int:
        if name not in numbers:
            numbers[name] = len(names)
            names.append(name)
        return numbers[name]

    rows = []
    for claim in links.claims.values():
        article = links.articles[claim.article]
        when = said_label(claim)
        rows.append([
            claim_path(claim.id), claim.statement, number(archive.people[claim.speaker].name),
            claim.said.isoformat() if claim.said else "",
            "" if claim.said and when == long_date(claim.said) else when,
            [number(archive.topics[topic].title) for topic in claim.topics if topic in archive.topics],
            number(article.outlet or ""), number(STATUS_LABELS.get(claim.outcome.status, claim.outcome.status)),
        ])
    fields = ["path", "statement", "speaker", "said", "when", "topics", "outlet", "outcome"]
    body = json_ld({"fields": fields, "names": names, "claims": rows})
    return f"window.HINDSIGHT_FALLBACK_SEARCH = {body};\n".encode("utf-8")
