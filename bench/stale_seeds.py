"""How long the live preview takes to find which seeds changed (`stale_seeds`), on a synthetic
archive where a share of the sheets were extracted from a seed and record its fingerprint.

Generates the archive (`bench/synthetic.py`), gives every `--every`-th sheet a seed file and
its fingerprint, then times `stale_seeds` in a fresh process, `--runs` times in a row (the first run
after generating, or after the generator's code changed, finds no seed index; the others find
nothing changed), then as many times with seeds/ emptied. `--code DIR` times another checkout
of the generator (e.g. a `git archive` of an older commit) on the same archive.

    .venv/bin/python bench/stale_seeds.py --claims 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import synthetic  # noqa: E402

TIMED = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from generator.extraction.seeds import stale_seeds
imported = time.perf_counter()
stale = stale_seeds(Path("content"))
print(json.dumps({"seconds": time.perf_counter() - imported, "import": imported - started, "stale": len(stale)}))
"""


def give_seeds(archive: Path, every: int) -> int:
    """Every `every`-th sheet records a seed written beside it, as extraction leaves them."""
    count = 0
    for number, sheet in enumerate(sorted((archive / "content" / "articles").rglob("*.yaml"))):
        if number % every:
            continue
        name = f"{sheet.stem}.txt"
        raw = f"Talks go on, officials say ({sheet.stem}).\n\nThe minister said talks would go on.\n".encode()
        (archive / "seeds" / name).write_bytes(raw)
        text = sheet.read_text("utf-8")
        text = re.sub(r"^  seed: null$", f"  seed: seeds/{name}\n  seed_sha256: {hashlib.sha256(raw).hexdigest()}",
                      text, count=1, flags=re.MULTILINE)
        sheet.write_text(text, "utf-8")
        count += 1
    return count


def time_once(archive: Path, code: Path) -> dict:
    environment = dict(os.environ, PYTHONPATH=str(code))
    done = subprocess.run([sys.executable, "-c", TIMED], cwd=archive, env=environment, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--claims", type=int, default=100_000)
    options.add_argument("--every", type=int, default=4, help="one sheet in this many has a seed (default: 4)")
    options.add_argument("--runs", type=int, default=3)
    options.add_argument("--work", type=Path, default=BENCH / "out" / "stale-seeds")
    options.add_argument("--code", type=Path, default=BENCH.parent, help="the checkout whose generator is timed")
    options.add_argument("--keep", action="store_true", help="reuse the archive in --work as it is")
    args = options.parse_args()
    archive = args.work / "archive"
    if not args.keep or not archive.is_dir():
        made = synthetic.generate(args.claims, archive)
        made["seeds"] = give_seeds(archive, args.every)
        print(made)
    for label in ("seeds/ with files", "seeds/ empty"):
        seeds, aside = archive / "seeds", archive / "seeds.aside"
        if label == "seeds/ empty":
            seeds.rename(aside)
            seeds.mkdir()
        try:
            print(f"{label}, load average:", " ".join(f"{value:.2f}" for value in os.getloadavg()))
            for run in range(args.runs):
                found = time_once(archive, args.code.resolve())
                print(f"  run {run + 1}: stale_seeds {found['seconds']:.3f} s ({found['stale']} stale; "
                      f"import {found['import']:.2f} s)")
        finally:
            if aside.exists():
                seeds.rmdir()
                aside.rename(seeds)


if __name__ == "__main__":
    main()
