"""Throughput of `hindsight extract --jobs N` on a back catalogue: the PolNeAR dev texts.

    .venv/bin/python bench/extraction_speed.py              # --jobs 1 and 2
    .venv/bin/python bench/extraction_speed.py --jobs 1 2 3 --repeat 3

Each run is the real command, in a fresh project with an empty registry (the texts are
copied to a temporary seeds/ folder, never into the repository; ../shared/eval/polnear/
is read at run time). Words per second count the words of the texts over the command's
wall time, with and without the start-up (Python, spaCy and the model: the time of the
same command on one short seed). CPU seconds add up the processes of the run: words per
CPU second is the one-process speed a machine nobody else uses would give. Peak memory is
the largest resident set of any one process of the run (the command or one of its parsing
processes). The machine is shared: the load average before each run is printed beside it.
Each run's sheets and people.yaml are compared with the first run's: every setting must write
the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLNEAR = ROOT.parent / "shared" / "eval" / "polnear" / "dev" / "text"
TARGETS = {"words_per_second": 3000, "speed_up_2": 1.7, "peak_mb": 300}


def _project(folder: Path, texts: list[Path]) -> Path:
    content = folder / "content"
    (content / "articles").mkdir(parents=True)
    (folder / "seeds").mkdir()
    for name in ("site.yaml", "topics.yaml"):
        shutil.copy(ROOT / "content" / name, content / name)
    (content / "people.yaml").write_text("people: []\n", encoding="utf-8")
    for path in texts:
        shutil.copy(path, folder / "seeds" / path.name)
    return content


def _written(content: Path) -> str:
    """A digest of every file the run wrote under content/, names and bytes."""
    digest = hashlib.sha256()
    for path in sorted(content.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(content)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _run(texts: list[Path], jobs: int) -> tuple[float, float, float, str]:
    """(wall seconds, peak resident MB of any one process, CPU seconds of all its processes, digest
    of what it wrote) of one extraction run."""
    with tempfile.TemporaryDirectory() as folder:
        content = _project(Path(folder), texts)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        start = time.perf_counter()
        finished = subprocess.run([sys.executable, "-m", "generator", "extract", "--content", str(content),
                                   "--jobs", str(jobs)], cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if finished.returncode != 0:
            raise SystemExit(f"hindsight extract failed ({finished.returncode}):\n{finished.stderr[-2000:]}")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        # ru_maxrss of the children is the largest of any one process waited for so far
        return seconds, max(usage.ru_maxrss, before) / 1024, usage.ru_utime + usage.ru_stime - cpu, \
            _written(content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="runs per setting, alternating; the summary keeps the fastest")
    args = parser.parse_args(argv)
    if not POLNEAR.is_dir():
        print(f"PolNeAR not found at {POLNEAR}", file=sys.stderr)
        return 2
    texts = sorted(POLNEAR.glob("*.txt"))
    words = sum(len(path.read_text(encoding="utf-8").split()) for path in texts)
    startup, _, startup_cpu, _ = min(_run(texts[:1], 1) for _ in range(args.repeat))
    print(f"{len(texts)} texts, {words:,} words; start-up {startup:.1f}s (one short seed); {os.cpu_count()} cores")
    print("| jobs | wall s | words/s | words/s after start-up | CPU s, all processes | words per CPU s "
          "after start-up | peak MB, one process | load before |")
    print("|-----:|-------:|--------:|-----------------------:|---------------------:|"
          "--------------------------:|---------------------:|------------:|")
    digests: list[tuple[int, str]] = []
    # Settings alternate run by run (1, 2, 1, 2, ...): the load of a shared machine drifts
    # within minutes, and each pair of neighbouring runs meets about the same load.
    results: dict[int, list[tuple[float, float, float]]] = {jobs: [] for jobs in args.jobs}
    for _ in range(args.repeat):
        for jobs in args.jobs:
            load = os.getloadavg()[0]
            seconds, peak, cpu, digest = _run(texts, jobs)
            digests.append((jobs, digest))
            results[jobs].append((seconds, peak, cpu))
            print(f"| {jobs} | {seconds:.1f} | {words / seconds:,.0f} | {words / max(seconds - startup, 1e-9):,.0f} | "
                  f"{cpu:.1f} | {words / max(cpu - startup_cpu, 1e-9):,.0f} | {peak:,.0f} | {load:.2f} |", flush=True)
    same = all(digest == digests[0][1] for _, digest in digests)
    print(f"\nsheets and people.yaml of every run the same bytes as the first (--jobs {digests[0][0]}): "
          + ("yes" if same else "NO: " + ", ".join(f"--jobs {j} {d[:12]}" for j, d in digests)))
    speeds = {jobs: words / max(min(s for s, _, _ in runs) - startup, 1e-9) for jobs, runs in results.items()}
    if 1 in results and 2 in results:
        pairs = [(words / max(b[0] - startup, 1e-9)) / (words / max(a[0] - startup, 1e-9))
                 for a, b in zip(results[1], results[2])]
        print(f"speed-up of each run with 2 jobs over the run with 1 just before it: "
              + ", ".join(f"{x:.2f}x" for x in pairs))
    if 1 in speeds and 2 in speeds:
        print(f"speed-up with 2 jobs, fastest runs (after start-up): {speeds[2] / speeds[1]:.2f}x "
              f"(target {TARGETS['speed_up_2']}x); one process: {speeds[1]:,.0f} words/s "
              f"(target {TARGETS['words_per_second']:,}); peak per process target {TARGETS['peak_mb']} MB")
    print("load average at the end (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
