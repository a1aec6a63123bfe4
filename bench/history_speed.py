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

from generator.history import _READ as remembered  # noqa: E402
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
        day = f"2026-{1 + number % 11:02d}-{1 + number % 28:02d}"   # after every synthetic claim was said, before today
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
    def cached() -> None:
        remembered.clear()   # as a new process: the cache read from disk, not the last read kept in memory
        read_history(content, cache)
    print(f"cached, nothing new:        {best(3, cached)}")

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


# ---------------------------------------------------------------------------
# The whole build, with and without the history

_BUILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from generator.build import BuildOptions, build
start = time.perf_counter()
result = build(BuildOptions(content=Path({content!r}), output=Path({output!r}), search=False,
                            incremental={incremental!r}{history}))
assert result.built, [str(problem) for problem in result.problems[:3]]
print(json.dumps({{"seconds": time.perf_counter() - start, "history": result.stages.get("history", 0.0),
                   "rendered": result.rendered, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "notes": result.notes, "stages": {{k: round(v, 2) for k, v in result.stages.items()}}}}))
"""


def build_once(content: Path, output: Path, history: bool | None, incremental: bool = False,
               code: Path | None = None) -> dict:
    """One build in a fresh process (as `hindsight build` runs): its wall seconds, its history
    stage's, the pages it rendered and the process's peak resident memory (MB). `code`: another
    copy of the generator and templates (an earlier commit's, with `history` None)."""
    import json
    code = _BUILD.format(root=str(code or Path(__file__).resolve().parent.parent), content=str(content),
                         output=str(output), incremental=incremental,
                         history="" if history is None else f", history={history!r}")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def builds(out: Path, rounds: int, before: Path | None = None) -> None:
    """Full builds without the history, with it and no cache (a fresh clone), and with it and the
    cache of the last build; then incremental builds after one new commit, with and without it.
    Interleaved, `rounds` times each; the best of each is given."""
    from generator.incremental.store import cache_path
    content = out / "content"
    output = out.parent / f"{out.name}-site"
    cache = cache_path(output, "history")
    full = {"without history": [], "history, no cache": [], "history, cached": []}
    if before is not None:
        full["before (`before`)"] = []
    for _ in range(rounds):
        if before is not None:
            full["before (`before`)"].append(build_once(content, output, None, code=before))
        full["without history"].append(build_once(content, output, False))
        cache.unlink(missing_ok=True)
        full["history, no cache"].append(build_once(content, output, True))
        full["history, cached"].append(build_once(content, output, True))
    for name, runs in full.items():
        fastest = min(runs, key=lambda run: run["seconds"])
        print(f"full build, {name:18} {fastest['seconds']:6.2f} s (history stage {fastest['history']:.2f} s), "
              f"peak RSS {max(run['rss'] for run in runs):.0f} MB\n    stages: {fastest['stages']}")
    base = subprocess.run(["git", "-C", str(out), "rev-parse", "HEAD"], check=True, capture_output=True,
                          text=True).stdout.strip()
    sheet = next((content / "articles").rglob("*.yaml"))
    original = sheet.read_text("utf-8")
    incremental = {True: [], False: []}
    for _ in range(rounds):
        for history in (True, False):
            subprocess.run(["git", "-C", str(out), "reset", "-q", "--hard", base], check=True)
            build_once(content, output, history, incremental=True)   # the site and its caches as of `base`
            sheet.write_text(original.replace("summary: ", "summary: Updated again. ", 1), "utf-8")
            subprocess.run(["git", "-C", str(out), "commit", "-qam", "One more"], check=True,
                           env={"GIT_AUTHOR_NAME": "B", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "B",
                                "GIT_COMMITTER_EMAIL": "b@x", "PATH": "/usr/bin:/bin"})
            incremental[history].append(build_once(content, output, history, incremental=True))
    subprocess.run(["git", "-C", str(out), "reset", "-q", "--hard", base], check=True)
    for history, runs in incremental.items():
        fastest = min(runs, key=lambda run: run["seconds"])
        print(f"incremental after one commit, {'with' if history else 'without'} history: {fastest['seconds']:.2f} s "
              f"(history stage {fastest['history']:.3f} s, {fastest['rendered']} pages rendered), "
              f"peak RSS {max(run['rss'] for run in runs):.0f} MB")


if __name__ == "__main__":
    # python bench/history_speed.py --builds /tmp/history-10k 3 [a copy of an earlier commit's generator and templates]
    if len(sys.argv) > 1 and sys.argv[1] == "--builds":
        builds(Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3,
               Path(sys.argv[4]) if len(sys.argv) > 4 else None)
    else:
        main()
