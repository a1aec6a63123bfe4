"""Indexing stage: builds the Pagefind search index of a written site, in one call.

Consumes a folder of finished HTML pages (the staging folder, before it is swapped into
place); produces its `pagefind/` bundle. Only claim pages carry `data-pagefind-body`, so
results are claims, and only `claims/` is read (a fifth fewer pages to parse); their filters (speaker, topic, year, outlet, outcome) and the
`said` sort come from attributes in the claim template.

Pagefind writes its filter indexes in hash-map order, which changes from run to run
(upstream issue Pagefind/pagefind#638). `make_reproducible` rewrites those few files with
their entries sorted, renames them by their new content hash and updates the references,
so the same pages always give the same bundle, byte for byte.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


def index_site(site: Path, language: str) -> list[str]:
    """Run the bundled Pagefind binary once over the whole folder; returns notes for the editor."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind",
               "--keep-index-url", "--glob", "claims/**/*.{html}", "--force-language", language.split("-")[0].lower(), "--quiet"]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"could not run Pagefind: {error}") from error
    if finished.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
        output = (finished.stdout + finished.stderr).strip()
        raise SearchIndexError(f"Pagefind failed (exit {finished.returncode}): {output}")
    try:
        make_reproducible(site / "pagefind")
    except (ValueError, KeyError, IndexError, TypeError) as error:
        # Search still works; only byte-identical rebuilds are lost until this is updated.
        return [f"the search index could not be made reproducible (a new Pagefind version?): {error!r}; "
                "see make_reproducible in generator/search.py"]
    return []


# ---------------------------------------------------------------------------
# Reproducible filter indexes


def _read_cbor(raw: bytes, at: int = 0) -> tuple[Any, int]:
    """Decode the subset of CBOR Pagefind writes: integers, strings, bytes, arrays, maps."""
    head = raw[at]
    major, extra = head >> 5, head & 31
    at += 1
    if extra < 24:
        value = extra
    elif extra in (24, 25, 26, 27):
        width = 1 << (extra - 24)
        value = int.from_bytes(raw[at:at + width], "big")
        at += width
    else:
        raise ValueError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major == 2:
        return bytes(raw[at:at + value]), at + value
    if major == 3:
        return raw[at:at + value].decode("utf-8"), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _read_cbor(raw, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, at = _read_cbor(raw, at)
            mapping[key], at = _read_cbor(raw, at)
        return mapping, at
    raise ValueError(f"unsupported CBOR item {head:#x}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for extra, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * width):
            return bytes([major << 5 | extra]) + value.to_bytes(width, "big")
    raise ValueError("integer too large")


def _write_cbor(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError("unsupported CBOR value")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode("utf-8")
        return _head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_write_cbor(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(_write_cbor(k) + _write_cbor(v) for k, v in value.items())
    raise ValueError(f"unsupported CBOR value {type(value)}")


def _load(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path.name} is not a Pagefind index file")
    value, end = _read_cbor(raw, len(SIGNATURE))
    if end != len(raw):
        raise ValueError(f"{path.name} has trailing bytes")
    return value


def _dump(value: Any) -> tuple[bytes, str]:
    raw = SIGNATURE + _write_cbor(value)
    return gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()


def make_reproducible(bundle: Path) -> None:
    """Sort Pagefind's filter indexes and rename them (and the metadata) by content hash.

    Everything is read and re-encoded first; files change only when the whole bundle was
    understood, so an unexpected layout leaves Pagefind's own output untouched."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    writes: dict[Path, bytes] = {}
    removals: list[Path] = []
    for language, details in entry["languages"].items():
        meta_path = bundle / f"pagefind.{details['hash']}.pf_meta"
        meta = _load(meta_path)
        renamed = []
        for name, old_hash in meta[3]:
            old_path = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = _load(old_path)
            values = sorted(([value, sorted(pages)] for value, pages in values), key=lambda item: item[0])
            packed, digest = _dump([filter_name, values])
            new_hash = f"{language}_{digest[:7]}"
            removals.append(old_path)
            writes[bundle / "filter" / f"{new_hash}.pf_filter"] = packed
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed)
        packed, digest = _dump(meta)
        details["hash"] = f"{language}_{digest[:10]}"
        removals.append(meta_path)
        writes[bundle / f"pagefind.{details['hash']}.pf_meta"] = packed
    writes[entry_path] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    for path in removals:
        path.unlink()
    for path, packed in writes.items():
        path.write_bytes(packed)
