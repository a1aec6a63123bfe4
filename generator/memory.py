"""Memory between the build's steps: what one step freed is handed back to the system
before a process is forked, or before a long step goes on with less; and the caches of
text made from the archive, emptied once the build lets go of the archive; and the cycle
collector, paused while a build runs.

Used by the build (`build.py`), by similar statements' indexing (`linking.py`), and by the
modules whose caches it empties; it consumes and produces nothing else.
"""

from __future__ import annotations

import ctypes
import functools
import gc
from functools import lru_cache

_TEXT_CACHES: list = []


def cache_of_archive_text(maxsize: int):
    """`functools.lru_cache(maxsize)`, for a function of text from the archive (statements,
    paths, addresses): `let_go_of_archive_text` empties it."""
    def cached(function):
        wrapped = lru_cache(maxsize=maxsize)(function)
        _TEXT_CACHES.append(wrapped)
        return wrapped
    return cached


def let_go_of_archive_text() -> None:
    """Empty the caches of text from the archive. Made among the archive's objects, their
    entries would keep most of its memory from going back to the system once it is let go:
    Python's allocator returns a block of memory only when nothing in it lives."""
    for cached in _TEXT_CACHES:
        cached.cache_clear()


def give_back_freed_memory() -> None:
    """Hand the memory that earlier steps freed back to the system.

    glibc's allocator keeps freed memory for reuse rather than return it: a process forked
    then shares those pages, and the first reuse copies them; a process that goes on with
    less still holds them. Elsewhere than glibc (no `malloc_trim`), nothing is done."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def without_cycle_collection(step):
    """Run `step` with Python's cycle collector paused.

    A build makes millions of small objects and no reference cycles; the collector would
    rescan all of them again and again (a quarter of a 100,000-claim build). It is restored,
    as it was, when the step ends."""
    @functools.wraps(step)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return step(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()
    return paused
