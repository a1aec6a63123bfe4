"""The claim sheets read before: their values, kept between builds by the bytes they were
parsed from, so that an unchanged sheet is not parsed again.

Consumes the sheets a build read and checked against their schema; produces the cache the
next build reads them back from (`contents.read_content` takes it).
"""

from __future__ import annotations

import marshal
from pathlib import Path

from generator.incremental import store
from generator.incremental.store import code_digest
from generator.validation import ContentFiles


SHEETS_VERSION = 1


def read_sheets_cache(path: Path) -> dict[str, tuple[str, bytes]]:
    """The valid sheets an earlier build read, by path: (digest of their bytes, their value
    marshalled). Empty when there is no cache, or one this code did not write (another
    version of hindsight, a damaged file): it is then made again, never trusted."""
    kept = store.read_sealed(path, "sheets", SHEETS_VERSION)
    if not (isinstance(kept, tuple) and len(kept) == 2 and kept[0] == code_digest() and isinstance(kept[1], dict)):
        return {}
    return kept[1]


def sheets_to_cache(files: ContentFiles) -> dict[str, tuple[str, bytes]]:
    """The sheets of this build that passed their schema, for the next build: a sheet with a
    problem of its own is never kept, so it is read and reported again every time. (Checks
    across sheets run on every sheet in every build, cached or not.)"""
    kept = {}
    for document in files.articles:
        digest = files.digests.get(document.path)
        if digest is not None and document.path in files.schema_valid:
            blob = files.cached.get(document.path)
            kept[document.path] = (digest, blob if blob is not None else marshal.dumps(document.value))
    return kept


def write_sheets_cache(path: Path, kept: dict[str, tuple[str, bytes]], before: dict[str, tuple[str, bytes]]) -> None:
    """Write the sheets kept for the next build, unless they are the ones kept already."""
    if kept.keys() == before.keys() and all(kept[name][0] == before[name][0] for name in kept):
        return
    store.write_sealed(path, "sheets", SHEETS_VERSION, (code_digest(), kept))
