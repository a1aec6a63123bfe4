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


# What extraction needs to tell which seeds changed, kept from one run to the next: each sheet's
# seed and the fingerprint it records (by its path below content/articles/), and each seed's
# fingerprint (by its name), each with the file system's report of the file as it was read
# (inode, size, modification and change times, device: see `contents._stat_key`). Kept beside
# the content folder, not the site: extraction knows no site folder.
SEED_INDEX_VERSION = 1


def seed_index_path(content: Path) -> Path:
    return store.cache_path(content, "seeds")


def read_seed_index(content: Path) -> tuple[dict[str, tuple], dict[str, tuple]]:
    """Sheet -> (file report, seed or None, fingerprint or None), and seed name -> (file report,
    fingerprint), as an earlier run read them; empty when there is none, or one this code did
    not write."""
    kept = store.read_sealed(seed_index_path(content), "seed index", SEED_INDEX_VERSION)
    if not (isinstance(kept, tuple) and len(kept) == 3 and kept[0] == code_digest()
            and isinstance(kept[1], dict) and isinstance(kept[2], dict)):
        return {}, {}
    return kept[1], kept[2]


def write_seed_index(content: Path, sheets: dict[str, tuple], seeds: dict[str, tuple],
                     before: tuple[dict[str, tuple], dict[str, tuple]]) -> None:
    """Keep what this run read for the next one, unless it is what is kept already; a folder
    that cannot be written to (a read-only checkout) only costs the next run a full read."""
    if (sheets, seeds) == before:
        return
    try:
        store.write_sealed(seed_index_path(content), "seed index", SEED_INDEX_VERSION, (code_digest(), sheets, seeds))
    except OSError:
        pass
