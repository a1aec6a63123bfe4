"""Forked processes for one stage's work: parsing sheets, scoring similar statements,
rendering pages.

The work is handed to the forked processes by inheritance, never pickled: they see this
process's objects as they were when forked. Each takes the next batch not yet taken
(`Batches`) until none is left, so all finish together however the work falls.
Python's cycle collector stays off in them, as in the build: no cycles are made, and
scanning would touch (and so copy) memory they share with this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import Iterator

_WORK = None   # what the forked processes inherit, while a pool of them runs


@contextlib.contextmanager
def forked(work, processes: int, context=None):
    """A pool of `processes` forked processes that inherit `work`; give each a job with
    `pool.apply_async(parallel.run, (job, *arguments))`: it calls job(work, *arguments)."""
    global _WORK
    context = context or multiprocessing.get_context("fork")
    _WORK = work
    try:
        with context.Pool(processes) as pool:
            yield pool
    finally:
        _WORK = None


def run(job, *arguments):
    """In a forked process: `job` given the work it inherited."""
    gc.disable()
    return job(_WORK, *arguments)


class Batches:
    """`count` numbered batches of work, taken by this process and those it forks (`forked`),
    each the next batch no process has taken yet (`taken` counts them, shared by all)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._context = multiprocessing.get_context("fork")
        self.taken = self._context.Value("l", 0)

    def forked(self, work, processes: int):
        return forked(work, processes, self._context)

    def take(self) -> Iterator[int]:
        """The numbers of the batches no process has taken yet, one at a time, as this process
        takes them."""
        taken = self.taken
        while True:
            with taken.get_lock():
                number = taken.value
                taken.value = number + 1
            if number >= self.count:
                return
            yield number
