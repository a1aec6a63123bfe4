"""What `hindsight check` costs to refuse a crowded claim sheet: a 19 MB sheet whose
`quality:` list holds 9.4 million items (issue 23), in a copy of the sample archive.

Prints the exit code, the wall time and the check's peak resident memory (its own process).

    python bench/crowded_sheet.py [--items 9400000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--items", type=int, default=9_400_000)
    args = options.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "project"
        shutil.copytree(ROOT / "tests" / "fixtures" / "sample", project)
        sheet = project / "content" / "articles" / "2019" / "crowded.yaml"
        with sheet.open("w", encoding="utf-8") as stream:
            stream.write("article:\n  title: A\n  outlet: B\n  published: 2019-11-12\n  seed: null\n  quality: [")
            stream.write("a," * (args.items - 1) + "a]\nclaims: []\n")
        started = time.perf_counter()
        finished = subprocess.run([sys.executable, "-m", "generator", "check"], cwd=project, capture_output=True,
                                  text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{sheet.stat().st_size / 1e6:.1f} MB sheet, {args.items:,} items: exit {finished.returncode}, "
              f"{seconds:.1f} s, peak {peak:,.0f} MiB")
        print(finished.stdout.splitlines()[0] if finished.stdout else finished.stderr[-500:])


if __name__ == "__main__":
    main()
