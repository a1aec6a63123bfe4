"""Hash every file a build writes, for full, draft, incremental and live-preview builds, so two
commits' output can be compared byte for byte (a refactor must not change a single byte).

It builds with whichever `generator` package Python imports first, so the same script measures
any commit: put that commit's tree first on PYTHONPATH.

    git worktree add /tmp/base 1f44c50
    PYTHONPATH=/tmp/base .venv/bin/python bench/compare_output.py --out /tmp/base.json
    PYTHONPATH=. .venv/bin/python bench/compare_output.py --out /tmp/head.json
    .venv/bin/python bench/compare_output.py --diff /tmp/base.json /tmp/head.json

Archives: the seed archive (the imported tree's `content/`) and a synthetic one of 10,000 claims
(`bench/synthetic.py`, this script's copy, so both commits build the very same content). For each:
`build`, `build --drafts`, `build --base-url`, then `build --incremental` from nothing, again unchanged, after a
claim's statement is edited, a claim's outcome edited, a sheet added, a sheet deleted; then the
live preview's path (one process, the state kept between builds, drafts shown, one render
process after the first build) through the same edits, and last a command-line incremental build
that reads the record the preview wrote when idle. Extraction of seeds is left out.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.append(str(BENCH))   # after the tree under test: only synthetic and build_speed come from here

import generator  # noqa: E402
from generator.build import BuildOptions, build  # noqa: E402

import synthetic  # noqa: E402

try:   # the live preview's state between builds: where it is since issue 27, or before
    from generator.incremental.preview import PreviewState as _State, write_remembered_record
except ImportError:
    from generator.incremental import Memory as _State, write_remembered_record


def site_hashes(site: Path) -> dict[str, str]:
    """Every file under `site`, by path, and the SHA-256 of its bytes."""
    found = {}
    for folder, _, files in os.walk(site):
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(site).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(found.items()))


def outcome(result, site: Path) -> dict:
    if not result.built:
        return {"built": False, "problems": [f"{p.path}:{p.line}: {p.message}" for p in result.problems]}
    return {"built": True, "pages": result.pages, "files": result.files, "left_out": result.left_out,
            "hashes": site_hashes(site)}


def delete_one_sheet(archive: Path) -> Path:
    """A sheet from the archive's first third on whose claims no other sheet cites as evidence."""
    sheets = sorted((archive / "content/articles").rglob("*.yaml"))
    texts = {sheet: sheet.read_text("utf-8") for sheet in sheets}
    cited = {claim for text in texts.values() for claim in re.findall(r"- claim: (\S+)", text)}
    for sheet in sheets[len(sheets) // 3:] + sheets[:len(sheets) // 3]:
        if cited.isdisjoint(re.findall(r"\n  - id: (\S+)", texts[sheet])):
            sheet.unlink()
            return sheet
    raise SystemExit("every sheet's claims are cited elsewhere")


def edit_one_sheet(pattern: str, replacement: str):
    """An edit to the first claim it fits in the archive's middle sheet or after, as an editor would."""
    def edit(archive: Path) -> Path:
        sheets = sorted((archive / "content/articles").rglob("*.yaml"))
        for sheet in sheets[len(sheets) // 2:] + sheets[:len(sheets) // 2]:
            text = sheet.read_text("utf-8")
            changed = re.sub(pattern, replacement, text, count=1)
            if changed != text:
                sheet.write_text(changed, "utf-8")
                return sheet
        raise SystemExit(f"nothing fits {pattern}")
    return edit


def add_one_sheet(archive: Path) -> Path:
    """The middle sheet again, under new ids and a new address."""
    sheets = sorted((archive / "content/articles").rglob("*.yaml"))
    model = sheets[len(sheets) // 2]
    text = re.sub(r"- id: (\S+)", r"- id: added-\1", model.read_text("utf-8"))
    text = re.sub(r"(\n  url: https?://\S+)", r"\1-added", text, count=1)
    added = model.with_name(f"added-{model.name}")
    added.write_text(text, "utf-8")
    return added


EDITS = [("statement", edit_one_sheet(r'(\n    statement: "?)', r"\1Corrected, ")),
         ("outcome", edit_one_sheet(r'(\n      summary: (?:"|>-\n\s+)?)', r"\1Update, ")),
         ("new sheet", add_one_sheet),
         ("deleted sheet", delete_one_sheet)]


def run_archive(name: str, make, work: Path, search: bool) -> dict:
    """Every build of one archive; `make(root)` writes its content/ under root."""
    results = {}

    def fresh(label: str) -> Path:
        root = work / name / label
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        make(root)
        return root

    def say(label: str, found: dict) -> None:
        results[label] = found
        size = len(found.get("hashes", {}))
        print(f"  {name} {label}: {'built' if found['built'] else 'not built'}, {size} files", file=sys.stderr,
              flush=True)

    for label, extra in (("build", {}), ("build --drafts", {"drafts": True}),
                         ("build --base-url", {"base_url": "https://elsewhere.example.net/sub/"})):
        root = fresh(label.replace(" ", "").replace("-", ""))
        options = BuildOptions(content=root / "content", output=root / "site", search=search, **extra)
        say(label, outcome(build(options), options.output))

    root = fresh("incremental")
    options = BuildOptions(content=root / "content", output=root / "site", search=search, incremental=True)
    say("incremental: first", outcome(build(options), options.output))
    say("incremental: unchanged", outcome(build(options), options.output))
    for edit, change in EDITS:
        change(root)
        say(f"incremental: {edit}", outcome(build(options), options.output))

    root = fresh("preview")
    options = BuildOptions(content=root / "content", output=root / "site", search=search, incremental=True,
                           drafts=True)
    state = _State()
    say("preview: first", outcome(build(options, state), options.output))
    options = dataclasses.replace(options, processes=1)
    for edit, change in EDITS:
        change(root)
        say(f"preview: {edit}", outcome(build(options, state), options.output))
    write_remembered_record(options.output, state)
    change = EDITS[0][1]
    change(root)
    say("preview, then incremental: statement", outcome(build(dataclasses.replace(options, processes=2)),
                                                        options.output))
    return results


def seed_archive(root: Path) -> None:
    tree = Path(generator.__file__).resolve().parent.parent
    shutil.copytree(tree / "content", root / "content")
    shutil.copytree(tree / "seeds", root / "seeds")


def bench_archive(claims: int):
    def make(root: Path) -> None:
        synthetic.generate(claims, root)
    return make


def diff(one: Path, other: Path) -> int:
    before, after = json.loads(one.read_text()), json.loads(other.read_text())
    differences = 0
    for label in sorted(set(before) | set(after)):
        if before.get(label) == after.get(label):
            print(f"same       {label}")
            continue
        differences += 1
        print(f"DIFFERENT  {label}")
        was, now = before.get(label) or {}, after.get(label) or {}
        for key in sorted(set(was) | set(now)):
            if key != "hashes" and was.get(key) != now.get(key):
                print(f"    {key}: {was.get(key)!r} -> {now.get(key)!r}")
        old, new = was.get("hashes", {}), now.get("hashes", {})
        changed = sorted(path for path in set(old) | set(new) if old.get(path) != new.get(path))
        for path in changed[:20]:
            print(f"    {path}: {'missing' if path not in old else 'changed' if path in new else 'gone'}")
        if len(changed) > 20:
            print(f"    ... and {len(changed) - 20} more files")
    print(f"{differences} of {len(set(before) | set(after))} builds differ")
    return 1 if differences else 0


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--out", type=Path, help="write the hashes here, as JSON")
    options.add_argument("--archives", default="seed,10k", help="comma-separated: seed, 1k, 10k (default: seed,10k)")
    options.add_argument("--search", choices=("on", "off"), default="on", help="index with Pagefind (default: on)")
    options.add_argument("--work", type=Path, help="where to build (default: a temporary folder, removed after)")
    options.add_argument("--diff", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                         help="compare two files of hashes instead of building")
    args = options.parse_args()
    if args.diff:
        return diff(*args.diff)
    if args.out is None:
        options.error("--out is needed to build")
    print(f"building with {Path(generator.__file__).resolve().parent}", file=sys.stderr)
    archives = {"seed": seed_archive, "1k": bench_archive(1_000), "10k": bench_archive(10_000)}
    work = args.work or Path(tempfile.mkdtemp(prefix="hindsight-compare-"))
    results = {}
    try:
        for name in args.archives.split(","):
            for label, found in run_archive(name, archives[name], work, args.search == "on").items():
                results[f"{name} {label}"] = found
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True))
    print(f"wrote {args.out}: {len(results)} builds", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
