"""Helpers for the tests of rebuilds: a small synthetic archive, building it, comparing sites."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from generator import similarity
from generator.build import BuildOptions, build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synthetic  # noqa: E402


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    synthetic.generate(120, tmp_path / "archive")
    return tmp_path / "archive"


def run(archive: Path, output: str = "site", incremental_: bool = True, templates: Path | None = None):
    options = BuildOptions(content=archive / "content", output=archive / output, search=False, extract=False,
                           incremental=incremental_)
    if templates is not None:
        options = BuildOptions(**{**options.__dict__, "templates": templates})
    result = build(options)
    assert result.built, result.problems
    return result


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def same_as_full_build(archive: Path) -> None:
    run(archive, "full", incremental_=False)
    built, full = tree(archive / "site"), tree(archive / "full")
    assert sorted(built) == sorted(full), (f"only in the incremental build: {sorted(built.keys() - full.keys())[:5]}; "
                                           f"only in the full build: {sorted(full.keys() - built.keys())[:5]}")
    different = [path for path in full if built[path] != full[path]]
    assert different == [], f"incremental output differs from a full build in {different[:5]}"
    shutil.rmtree(archive / "full")


def inodes(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("index.html")}


def sheet_of(archive: Path, claim_id: str) -> Path:
    for sheet in (archive / "content/articles").rglob("*.yaml"):
        if re.search(rf"- id: {claim_id}\n", sheet.read_text("utf-8")):
            return sheet
    raise AssertionError(claim_id)


@pytest.fixture()
def forks(monkeypatch) -> list[str]:
    """Builds fork for any site, in small batches; the kinds of process start asked for."""
    from generator import parallel, rendering

    monkeypatch.setattr(rendering, "PARALLEL_FROM", 0)
    monkeypatch.setattr(rendering, "BATCH", 37)
    asked: list[str] = []
    real_context = parallel.multiprocessing.get_context
    monkeypatch.setattr(parallel.multiprocessing, "get_context", lambda kind: asked.append(kind) or real_context(kind))
    return asked


def build_incrementally(archive: Path):
    return build(BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                              incremental=True))


@pytest.fixture()
def parsed(monkeypatch) -> list[str]:
    """The claim sheets each build parses (rather than takes from the cache), by path."""
    from generator import contents

    seen: list[str] = []
    real = contents.parse_file
    monkeypatch.setattr(contents, "parse_file", lambda raw, shown, **how: seen.append(shown) or real(raw, shown, **how))
    return seen


@pytest.fixture()
def scored(monkeypatch) -> list[int]:
    """How many claims were scored for similar statements, each time some were, in this test's
    builds: all of them (found anew), or those an edit can change (found again)."""
    calls: list[int] = []
    score_all, refind = similarity._score_all, similarity.SimilarityRecord.refind

    def counting_all(index, askers=None):
        if askers is None:   # all of them; `refind` counts those it ranks again itself
            calls.append(len(index))
        return score_all(index, askers)

    def counting_refind(record, *args, **kwargs):
        done = refind(record, *args, **kwargs)
        if done:
            calls.append(record.rescored)
        return done

    monkeypatch.setattr(similarity, "_score_all", counting_all)
    monkeypatch.setattr(similarity.SimilarityRecord, "refind", counting_refind)
    return calls


def folders_and_files(site: Path) -> tuple[list[str], dict[str, bytes]]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir()), tree(site)


def copied_in_background(archive: Path, wait: float = 30.0) -> None:
    """Wait for the copy of the site a build leaves as the next one's spare to be made."""
    import time

    deadline = time.monotonic() + wait
    while list(archive.glob("site.*.old")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(archive.glob("site.*.old"))


def similar_found_beside(archive: Path, request, monkeypatch) -> None:
    """A one-process full build in `serial` to compare with; then builds fork as a large
    archive's would, and find similar statements beside the rest however few the claims."""
    from generator import linking

    run(archive, "serial", incremental_=False)
    request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)


def edit(sheet: Path, old: str, new: str) -> None:
    text = sheet.read_text("utf-8")
    assert old in text, old
    sheet.write_text(text.replace(old, new, 1), "utf-8")


def walked(site: Path) -> tuple[int, int]:
    files = [path for path in site.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def not_the_site(monkeypatch) -> None:
    """Builds may walk a folder of the site (the search index's), never the whole site."""
    from generator import writers

    real = writers.files_under
    monkeypatch.setattr(writers, "files_under", lambda staging, folder: pytest.fail("the site was walked")
                        if folder in (".", "") else real(staging, folder))
