"""A large site is built by several processes: rendering, exports and similar statements beside
it, sheets parsed in two; the site is byte for byte the one a single process builds, and a
failure in any of them fails the build and keeps the site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator import validation
from generator.build import BuildOptions, build

from rebuilds import (  # noqa: F401 - fixtures among them
    archive, forks, not_the_site, run, sheet_of, similar_found_beside, tree, walked,
)


def test_rendering_in_two_processes_gives_the_same_site(archive: Path, request):
    run(archive, "serial", incremental_=False)
    pools = request.getfixturevalue("forks")
    parallel = run(archive, "parallel")   # records what each page read, from the workers
    assert pools == ["fork"], "the pages were rendered by worker processes"
    assert tree(archive / "parallel") == tree(archive / "serial")
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    again = run(archive, "parallel")
    assert again.rendered < parallel.rendered
    run(archive, "serial", incremental_=False)
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_reading_sheets_in_two_processes_gives_the_same_documents_and_problems(archive: Path, monkeypatch):
    import multiprocessing

    from generator import contents

    sheets = sorted((archive / "content" / "articles").rglob("*.yaml"))
    sheets[3].write_text(sheets[3].read_text("utf-8").replace("claims:", "claims: [", 1), "utf-8")
    sheets[-2].write_text(sheets[-2].read_text("utf-8") + "\nextra: 1\nextra: 2\n", "utf-8")
    sheets[-1].write_text(sheets[-1].read_text("utf-8").replace("claims:", "editor: 1\nclaims:", 1), "utf-8")

    def read(processes: int):
        problems: list = []
        files, _ = contents.read_content(archive / "content", problems, processes)
        problems += contents.check_schemas(files) + validation.check_archive(files, dt.date(2026, 1, 1))   # with the lines of what is wrong
        for document in files.articles:
            document.position(())   # a sheet read by another process works out its positions when asked
        return [(d.path, d.value, d.values_at, d.keys_at) for d in files.articles], problems

    alone = read(1)
    monkeypatch.setattr(contents, "PARALLEL_FROM", 5)
    pools = []
    real_context = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda kind: pools.append(kind) or real_context(kind))
    assert read(2) == alone
    assert pools == ["fork"], "the sheets were read by a second process"
    assert {str(sheets[3]), str(sheets[-2]), str(sheets[-1])} <= {problem.path for problem in alone[1]}
    unknown = [problem for problem in alone[1] if "editor" in problem.message]
    assert unknown and unknown[0].line > 1, "the unknown field is shown where it is written"


def test_a_full_build_writes_its_exports_beside_the_render_workers(archive: Path, request, monkeypatch, tmp_path):
    import os

    from generator import rendering

    run(archive, "serial", incremental_=False)
    forked = request.getfixturevalue("forks")
    real_export, exported_by = rendering.export, tmp_path / "exported-by"

    def export(*args, **kwargs):   # inherited by the forked process: it says where it ran in a file
        exported_by.write_text(str(os.getpid()))
        return real_export(*args, **kwargs)

    monkeypatch.setattr(rendering, "export", export)
    run(archive, "parallel", incremental_=False)
    assert forked == ["fork"], "one pool of processes renders the pages and makes the exports"
    assert int(exported_by.read_text()) != os.getpid(), "the exports were made by a forked process"
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_a_large_full_build_renders_other_pages_while_a_forked_process_finds_similar_statements(
        archive: Path, request, monkeypatch, tmp_path):
    import os

    from generator import linking

    serial = run(archive, "serial", incremental_=False)
    assert any("Said before and since" in html.decode() for path, html in tree(archive / "serial").items()
               if path.startswith("claims/")), "the archive has similar statements to find"
    forked = request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    real_similar, found_by = linking.similar_statements, tmp_path / "found-by"

    def similar_statements(*args, **kwargs):   # inherited by the forked process: it says where it ran
        found_by.write_text(str(os.getpid()))
        return real_similar(*args, **kwargs)

    monkeypatch.setattr(linking, "similar_statements", similar_statements)
    parallel = run(archive, "parallel", incremental_=False)
    assert forked == ["fork", "fork"], "one process finds similar statements, then a pool renders"
    assert "similar" not in serial.stages and parallel.stages["similar"] > 0, \
        "the time taken beside rendering is reported on its own (bench/build_speed.py shows it)"
    assert int(found_by.read_text()) != os.getpid(), "the similar statements were found by a forked process"
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_a_full_build_makes_its_exports_while_it_waits_for_similar_statements(archive: Path, request, monkeypatch,
                                                                             tmp_path):
    import os
    import time

    from generator import linking, rendering

    similar_found_beside(archive, request, monkeypatch)
    real_similar, real_export, exported_by = linking.similar_statements, rendering.export, tmp_path / "exported-by"

    def slow_similar_statements(*args, **kwargs):   # in the forked process: found after every other page is rendered
        time.sleep(3)
        return real_similar(*args, **kwargs)

    def export(*args, **kwargs):
        exported_by.write_text(str(os.getpid()))
        return real_export(*args, **kwargs)

    monkeypatch.setattr(linking, "similar_statements", slow_similar_statements)
    monkeypatch.setattr(rendering, "export", export)
    run(archive, "parallel", incremental_=False)
    assert int(exported_by.read_text()) == os.getpid(), "this process made the exports instead of waiting"
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_similar_statements_are_found_while_the_archive_is_checked_and_a_problem_still_stops_the_build(
        archive: Path, request, monkeypatch):
    from generator import build as pipeline, linking

    run(archive, incremental_=False)
    before = tree(archive / "site")
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace("speaker: speaker-", "speaker: nobody-", 1), "utf-8")
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False)
    alone = build(options)
    assert not alone.built and alone.problems

    request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    steps: list[str] = []
    real_start, real_check, real_close = linking.SimilarLater.start, pipeline.check_archive, linking.SimilarLater.close
    monkeypatch.setattr(linking.SimilarLater, "start", lambda *args: steps.append("start") or real_start(*args))
    monkeypatch.setattr(pipeline, "check_archive", lambda *args: steps.append("check") or real_check(*args))
    monkeypatch.setattr(linking.SimilarLater, "close", lambda later: steps.append("close") or real_close(later))
    beside = build(options)
    assert steps == ["start", "check", "close"], "found while the archive was checked, then stopped"
    assert not beside.built and beside.problems == alone.problems, "the same problems, at the same lines"
    assert tree(archive / "site") == before


def test_an_archive_that_cannot_be_modelled_before_its_checks_is_modelled_after_them(archive: Path, request,
                                                                                      monkeypatch):
    from generator import build as pipeline

    similar_found_beside(archive, request, monkeypatch)
    real_model, calls = pipeline.model_archive, []

    def model_archive(*args, **kwargs):   # fails the first time, as on a value only the checks across files refuse
        calls.append(len(calls))
        if len(calls) == 1:
            raise ValueError("month must be in 1..12")
        return real_model(*args, **kwargs)

    monkeypatch.setattr(pipeline, "model_archive", model_archive)
    built = run(archive, "parallel", incremental_=False)
    assert calls == [0, 1] and built.stages["similar"] > 0, "modelled again after the checks, then linked as before"
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_the_process_finding_similar_statements_is_forked_before_the_content_is_read(archive: Path, request,
                                                                                   monkeypatch):
    import multiprocessing

    from generator import build as pipeline

    similar_found_beside(archive, request, monkeypatch)
    real_read, running = pipeline.read_content, []

    def read_content(*args, **kwargs):   # forked later, it would keep a copy of all that reading leaves behind
        running.extend(process.name for process in multiprocessing.active_children())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_content", read_content)
    built = run(archive, "parallel", incremental_=False)
    assert running == ["similar statements"] and built.stages["similar"] > 0
    assert tree(archive / "parallel") == tree(archive / "serial")
    assert not multiprocessing.active_children(), "it has ended with the build"


@pytest.mark.parametrize("when", ["while finding them", "before it is sent the statements"])
def test_a_process_finding_similar_statements_that_dies_fails_the_build_and_says_so(archive: Path, request,
                                                                                  monkeypatch, when):
    import os
    import signal

    from generator import linking

    run(archive, incremental_=False)
    before = tree(archive / "site")
    request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    if when == "while finding them":
        monkeypatch.setattr(linking, "similar_statements", lambda *args, **kwargs: os._exit(3))
        code = "3"
    else:
        real_start = linking.SimilarLater.start

        def start(later, *args):
            os.kill(later._process.pid, signal.SIGKILL)
            later._process.join()
            return real_start(later, *args)

        monkeypatch.setattr(linking.SimilarLater, "start", start)
        code = "-9"
    with pytest.raises(RuntimeError, match=rf"finding similar statements stopped without a result .*exit code {code}\)"):
        build(BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False))
    assert tree(archive / "site") == before
    assert not list(archive.glob("site.*.building")), "the half-built staging folder is gone"


@pytest.mark.parametrize("forked", [
    ("linking.LINK_LATER_FROM", "linking", "similar_statements", "the statements could not be compared",
     "could not be compared"),
    ("rendering.PARALLEL_FROM", "exports", "write_offline_index", "the fallback index could not be made",
     "writing the exports failed"),
], ids=["finding similar statements", "the exports beside rendering"])
def test_a_failure_in_a_forked_process_fails_the_build_and_keeps_the_site(archive: Path, monkeypatch, forked):
    import importlib

    threshold, module, function, message, reported = forked
    run(archive, incremental_=False)
    before = tree(archive / "site")
    monkeypatch.setattr(f"generator.{threshold}", 0)

    def broken(*args, **kwargs):  # noqa
        raise RuntimeError(message)

    # inherited by the forked process
    monkeypatch.setattr(importlib.import_module(f"generator.{module}"), function, broken)
    with pytest.raises(RuntimeError, match=reported):
        build(BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False))
    assert tree(archive / "site") == before
    assert not list(archive.glob("site.*.building")), "the half-built staging folder is gone"


def test_a_full_build_counts_the_site_it_made_without_walking_it(archive: Path, request, monkeypatch):
    """Also when forked processes rendered the pages, made the exports and found similar statements."""
    from generator import linking

    not_the_site(monkeypatch)
    alone = run(archive, incremental_=False)
    assert (alone.files, alone.size) == walked(archive / "site")
    request.getfixturevalue("forks")
    forked = run(archive, "forked", incremental_=False)
    assert (forked.files, forked.size) == walked(archive / "forked") == (alone.files, alone.size)
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    later = run(archive, "later", incremental_=False)
    assert (later.files, later.size) == walked(archive / "later") == (alone.files, alone.size)
