"""Verdict history speed: a synthetic archive under git, with many commits changing outcomes.

Builds `bench/synthetic.py`'s archive of N claims in a fresh repository (one commit), then
C commits, each changing the outcomes of up to 10 random reviewed claims (status, as_of,
summary), written with `git fast-import`. Then times `generator.history.read_history`: a full
read (no cache), the same read writing the cache, a read with nothing new, and a read after
one new commit (the incremental case), each the best of three; and the full read's peak of
Python memory (tracemalloc, measured apart from the timings).

    python bench/history_speed.py 10000 2000 /tmp/history-10k
    python bench/history_speed.py 5000 1000 /tmp/history-5k   # 1,000 sheets
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate  # noqa: E402

from generator.history import HistoryCache, read_history  # noqa: E402
from generator.model import STATUS_SCALES  # noqa: E402

AUTHOR = b"Bench <bench@example.org>"


def _blocks(text: str) -> tuple[str, list[str]]:
    head, claims = text.split("claims:\n", 1)
    starts = [match.start() for match in re.finditer(r"(?m)^  - id: ", claims)]
    return head + "claims:\n", [claims[a:b] for a, b in zip(starts, starts[1:] + [len(claims)])]


def _changed(block: str, rng: random.Random, day: str, number: int) -> str:
    kind = re.search(r"(?m)^    kind: (\S+)", block)[1]
    status = rng.choice(STATUS_SCALES.get(kind) or ("unrated",))
    outcome = f"    outcome:\n      status: {status}\n      as_of: {day}\n      summary: Update number {number}.\n"
    return re.sub(r"(?ms)^    outcome:\n(?:      .*?\n)+", lambda _: outcome, block, count=1)


def make_repository(claims: int, commits: int, out: Path, seed: int = 7) -> int:
    """The archive and its history; returns the number of sheets."""
    if out.exists():
        shutil.rmtree(out)
    generate(claims, out)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    sheets = {path.relative_to(out).as_posix(): _blocks(path.read_text("utf-8"))
              for path in sorted((out / "content" / "articles").rglob("*.yaml"))}
    reviewed = [(path, index) for path, (_, blocks) in sheets.items() for index, block in enumerate(blocks)
                if "\n    review: reviewed" in block]
    rng = random.Random(seed)
    stream = bytearray()

    def data(payload: bytes) -> None:
        stream.extend(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(number: int, message: str, files: dict[str, str]) -> None:
        stream.extend(b"commit refs/heads/main\nmark :%d\n" % number)
        stream.extend(b"committer " + AUTHOR + b" %d +0000\n" % (1_700_000_000 + number * 3600))
        data(message.encode())
        if number > 1:
            stream.extend(b"from :%d\n" % (number - 1))
        for path, text in files.items():
            stream.extend(f"M 100644 inline {path}\n".encode())
            data(text.encode())

    whole = {path: head + "".join(blocks) for path, (head, blocks) in sheets.items()}
    whole.update({path.relative_to(out).as_posix(): path.read_text("utf-8")
                  for path in (out / "content").glob("*.yaml")})
    commit(1, "The archive", whole)
    for number in range(2, commits + 2):
        day = f"2025-{1 + number % 12:02d}-{1 + number % 28:02d}"
        touched = {}
        for path, index in rng.sample(reviewed, rng.randint(1, 10)):
            head, blocks = sheets[path]
            blocks[index] = _changed(blocks[index], rng, day, number)
            touched[path] = head + "".join(blocks)
        commit(number, f"Update outcomes ({number})\n", touched)
    subprocess.run(["git", "-C", str(out), "fast-import", "--quiet"], input=bytes(stream), check=True)
    subprocess.run(["git", "-C", str(out), "reset", "-q", "--hard", "main"], check=True)
    return len(sheets)


def _cpu() -> float:
    """CPU seconds of this process and of the git processes it waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def best(times: int, run) -> str:
    """The fastest of `times` runs: wall seconds, and CPU seconds (this process and git's),
    which a machine shared with other work inflates less."""
    spent = []
    for _ in range(times):
        start, cpu = time.perf_counter(), _cpu()
        run()
        spent.append((time.perf_counter() - start, _cpu() - cpu))
    wall, cpu = min(spent)
    return f"{wall:.3f} s (CPU {cpu:.3f} s)"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("claims", type=int)
    options.add_argument("commits", type=int)
    options.add_argument("out", type=Path)
    args = options.parse_args()
    start = time.perf_counter()
    sheets = make_repository(args.claims, args.commits, args.out)
    print(f"repository: {args.claims} claims in {sheets} sheets, {args.commits + 1} commits "
          f"(made in {time.perf_counter() - start:.1f} s)")
    content = args.out / "content"
    cache = HistoryCache(args.out.parent / f"{args.out.name}.history-cache")
    cache.path.unlink(missing_ok=True)

    history = read_history(content)
    changes = sum(len(events) for events in history.outcome_events.values())
    print(f"history: {len(history.commits)} commits read, {changes} outcome entries "
          f"(first publications included), {len(history.updates())} updates")
    print(f"full read, no cache:        {best(3, lambda: read_history(content))}")

    def cold_with_cache() -> None:
        cache.path.unlink(missing_ok=True)
        read_history(content, cache)
    print(f"full read, writing cache:   {best(3, cold_with_cache)} "
          f"(cache {cache.path.stat().st_size / 1e6:.1f} MB)")
    print(f"cached, nothing new:        {best(3, lambda: read_history(content, cache))}")

    base = subprocess.run(["git", "-C", str(args.out), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True).stdout.strip()
    sheet = next((content / "articles").rglob("*.yaml"))
    original = sheet.read_text("utf-8")

    def one_more_commit() -> tuple[float, float]:
        subprocess.run(["git", "-C", str(args.out), "reset", "-q", "--hard", base], check=True)
        read_history(content, cache)   # the cache is at main
        sheet.write_text(original.replace("status: ", "status: unrated\n      # was: ", 1), "utf-8")
        subprocess.run(["git", "-C", str(args.out), "commit", "-qam", "One more"], check=True,
                       env={"GIT_AUTHOR_NAME": "B", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "B",
                            "GIT_COMMITTER_EMAIL": "b@x", "PATH": "/usr/bin:/bin"})
        start, cpu = time.perf_counter(), _cpu()
        read_history(content, cache)
        spent = time.perf_counter() - start, _cpu() - cpu
        subprocess.run(["git", "-C", str(args.out), "reset", "-q", "--hard", base], check=True)
        return spent
    wall, cpu = min(one_more_commit() for _ in range(3))
    print(f"incremental, one commit:    {wall:.3f} s (CPU {cpu:.3f} s)")

    tracemalloc.start()
    read_history(content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"full read, Python memory peak: {peak / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
