"""The wall time of each step of a build (`BuildResult.stages`), timed with `with stages.timed(name):`."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator


class Stages:
    """The wall time of each step of a build, by name, in the order they first ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        """Add the time spent in the `with` block to step `name`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def each(self, name: str, steps: Iterator) -> Iterator:
        """The items of an iterator, each one's making timed under `name`."""
        while True:
            with self.timed(name):
                item = next(steps, _END)
            if item is _END:
                return
            yield item


_END = object()
