"""The similar statements an incremental build found, kept beside the site for the next one:
what was found (read every build), and the rest of the record (read only when statements
changed: `linking.SimilarityRecord.refind` brings it up to date).
"""

from __future__ import annotations

from pathlib import Path

from generator.incremental import store
from generator.similarity import SimilarityRecord

SIMILAR_VERSION = 8


def read_similar(output: Path, code: str) -> SimilarityRecord | None:
    """The record of similar statements an earlier incremental build of `output` kept, if made
    by this code: what it found, and the rest, read only if statements changed."""
    def rest() -> tuple:
        code_then, digest_then, *kept = store.read_sealed(store.cache_path(output, "similar-record"),
                                                          "similar record", SIMILAR_VERSION)
        return tuple(kept) if code_then == code and digest_then == digest else ()

    try:
        code_then, digest, found = store.read_sealed(store.cache_path(output, "similar"), "similar", SIMILAR_VERSION)
        return SimilarityRecord.from_plain(digest, found, rest) if code_then == code else None
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):   # none kept, or not as written
        return None


def write_similar(output: Path, code: str, similarity: SimilarityRecord) -> None:
    found, rest = similarity.plain()
    store.write_sealed(store.cache_path(output, "similar-record"), "similar record", SIMILAR_VERSION,
                       (code, similarity.digest, *rest))
    store.write_sealed(store.cache_path(output, "similar"), "similar", SIMILAR_VERSION, (code, *found))
