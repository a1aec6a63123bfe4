"""Faults during a build: killed part way, a read-only folder, a full disk, two builds at once.

In every case the previously published site survives whole and byte-identical (or, for two
builds, the site is one whole build), the command says what went wrong without a traceback,
and no staging folder is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

import pytest

from generator import publishing, writers
from generator.cli import main

from conftest import SAMPLE_CONTENT

ROOT = Path(__file__).parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def build_cli(content: Path, output: Path) -> int:
    return main(["build", "--content", str(content), "--output", str(output), "--no-search", "--no-extract"])


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """A project with a built site; the content then changes, so a new build would differ."""
    content = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    output = tmp_path / "site"
    assert build_cli(content, output) == 0
    before = snapshot(output)
    about = content / "pages" / "about.md"
    about.write_text(about.read_text("utf-8") + "\nA new paragraph.\n", "utf-8")
    return content, output, before


def leftovers(output: Path, wait: float = 10.0) -> list[str]:
    """Folders and files a build left beside the site. The site a build replaced is removed
    in the background after the build returns: give that removal `wait` seconds to finish."""
    deadline = time.monotonic() + wait
    while True:
        left = sorted(p.name for p in output.parent.iterdir()
                      if p.name.startswith((output.name + ".", f".{output.name}.")))
        if not any(name.endswith(".old") for name in left) or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def test_the_replaced_site_is_removed_after_the_build_returns(published, monkeypatch):
    """Swapping in a new site does not wait for the old one's files to be deleted (seconds
    for a large archive); a detached process deletes them, and the next build removes
    whatever that process did not."""
    content, output, before = published
    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def popen(command, *args, **kwargs):
        if command[0] != "git":   # the build also reads the verdict history with git
            started.append(list(command))
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(publishing.subprocess, "Popen", popen)
    assert build_cli(content, output) == 0
    [command] = started
    assert command[-1].endswith(".old") and Path(command[-1]).parent == output.parent
    assert "A new paragraph." in (output / "pages" / "about" / "index.html").read_text("utf-8")
    assert leftovers(output) == []

    # A removal that never ran: the next build removes the retired site.
    monkeypatch.setattr(publishing.subprocess, "Popen", lambda command, *args, **kwargs:
                        real_popen(command, *args, **kwargs) if command[0] == "git" else None)
    assert build_cli(content, output) == 0
    [retired] = [p for p in output.parent.iterdir() if p.name.endswith(".old")]
    assert (retired / output.name / publishing.MARKER).is_file()
    assert build_cli(content, output) == 0
    assert not retired.exists()


def test_a_build_leaves_a_retired_site_to_the_process_removing_it(published, monkeypatch):
    """The next build does not remove, and wait for, a retired site its remover is still
    deleting (it holds the folder's lock while it runs); one whose remover is gone, it does."""
    content, output, before = published
    held: list[int] = []
    real_popen = subprocess.Popen

    def popen(command, *args, pass_fds=(), **kwargs):   # a remover that keeps the lock and does nothing
        if command[0] == "git":   # the build also reads the verdict history with git
            return real_popen(command, *args, pass_fds=pass_fds, **kwargs)
        held.extend(os.dup(descriptor) for descriptor in pass_fds)

    monkeypatch.setattr(publishing.subprocess, "Popen", popen)
    assert build_cli(content, output) == 0
    [retired] = [p for p in output.parent.iterdir() if p.name.endswith(".old")]
    assert len(held) == 1, "the remover was handed the folder's lock"
    assert build_cli(content, output) == 0
    assert retired.is_dir(), "left to its remover, still at work"
    os.close(held.pop(0))   # its remover ends without finishing
    assert build_cli(content, output) == 0
    assert not retired.exists()
    assert snapshot(output) != before
    for descriptor in held:
        os.close(descriptor)


# A build in a subprocess whose file writing is instrumented by `HINDSIGHT_TEST_FAULT`:
#   pause-write: write half the files, say "PAUSED", then wait (to be killed or released)
#   pause-swap:  on a system that cannot swap two folders in one step, move the old site aside,
#                say "PAUSED", then wait (to be killed)
#   kill-rename:WHEN:N:  SIGKILL itself before or after (WHEN) the Nth rename that names the site
#                folder (os.replace, os.rename, or the one-step exchange of two folders)
#   pause-lock:  once holding the build lock, say "PAUSED" and wait for the file RELEASE
RUNNER = r"""
import os, sys, time
from pathlib import Path
from generator import publishing, writers

fault = os.environ["HINDSIGHT_TEST_FAULT"]
release = Path(os.environ["HINDSIGHT_TEST_RELEASE"])

def pause():
    print("PAUSED", flush=True)
    while not release.exists():
        time.sleep(0.02)

if fault == "pause-write":
    original = writers.write_files
    def write_files(staging, files):
        names = sorted(files)
        original(staging, {name: files[name] for name in names[: len(names) // 2]})
        pause()
        original(staging, files)
    writers.write_files = write_files
elif fault.startswith("kill-rename:"):
    import signal
    _, when, at = fault.split(":")
    site = str(Path(sys.argv[sys.argv.index("--output") + 1]).resolve())
    renames = []
    def killing(rename):
        def renaming(source, target, *rest, **named):
            touches = site in (os.fspath(source), os.fspath(target))
            renames.extend([source] if touches else [])
            if touches and len(renames) == int(at) and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            done = rename(source, target, *rest, **named)
            if touches and len(renames) == int(at) and when == "after":
                os.kill(os.getpid(), signal.SIGKILL)
            return done
        return renaming
    os.replace, os.rename = killing(os.replace), killing(os.rename)
    if hasattr(writers, "_exchange"):
        publishing._exchange = killing(publishing._exchange)
elif fault == "pause-swap":
    publishing._exchange = lambda first, second: False
    original_replace = os.replace
    def replace(source, target):
        original_replace(source, target)
        if str(target).endswith(".old/site"):
            pause()
    writers.os.replace = replace
elif fault == "pause-lock":
    original_open = publishing.open_staging
    def open_staging(output):
        pause()
        return original_open(output)
    publishing.open_staging = open_staging

from generator.cli import main
sys.exit(main(sys.argv[1:]))
"""


def start_build(content: Path, output: Path, fault: str, release: Path) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "HINDSIGHT_TEST_FAULT": fault,
                   "HINDSIGHT_TEST_RELEASE": str(release)}
    return subprocess.Popen([sys.executable, "-c", RUNNER, "build", "--content", str(content), "--output", str(output),
                             "--no-search", "--no-extract"], env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for_pause(process: subprocess.Popen) -> None:
    line = process.stdout.readline()
    assert line == "PAUSED\n", (line, process.stderr.read() if process.poll() is not None else "")


# ---------------------------------------------------------------------------
# Killed part way


def test_build_killed_while_writing_leaves_the_previous_site_whole(published, tmp_path):
    content, output, before = published
    process = start_build(content, output, "pause-write", tmp_path / "never")
    wait_for_pause(process)
    staging = [p for p in output.parent.iterdir() if p.name.endswith(".building")]
    assert staging and any(staging[0].rglob("*.html")), "the build was killed mid-write"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)

    assert snapshot(output) == before

    # The next build cleans up after the killed one and publishes the new content.
    assert build_cli(content, output) == 0
    assert "A new paragraph." in (output / "pages" / "about" / "index.html").read_text("utf-8")
    assert leftovers(output) == []


@pytest.mark.parametrize("when, rename", [(when, rename) for rename in (1, 2, 3) for when in ("before", "after")])
def test_build_killed_at_any_step_of_the_swap_leaves_a_whole_site(published, tmp_path, when, rename):
    """The new site takes the old one's place in one step: killed before or after any rename
    of the swap, the site folder is there, whole, the old site or the new one, with nothing to
    recover first (a reader may have it open from disk; Pages may be uploading it)."""
    content, output, before = published
    process = start_build(content, output, f"kill-rename:{when}:{rename}", tmp_path / "never")
    _, err = process.communicate(timeout=120)
    assert process.returncode in (-signal.SIGKILL, 0), err

    now = snapshot(output)
    assert now == before or "A new paragraph." in now["pages/about/index.html"].decode("utf-8")
    assert now != before or process.returncode == -signal.SIGKILL
    assert (output / publishing.MARKER).is_file() and "index.html" in now and "claims.json" in now
    assert build_cli(content, output) == 0
    assert "A new paragraph." in (output / "pages" / "about" / "index.html").read_text("utf-8")
    assert leftovers(output) == []


def test_build_killed_between_moving_the_old_site_and_the_new_one_in(published, tmp_path, capsys):
    """Where two folders cannot trade places in one step, the site folder is missing for a
    moment: the next build, even one that fails on a content error, puts the previous site
    back first."""
    content, output, before = published
    process = start_build(content, output, "pause-swap", tmp_path / "never")
    wait_for_pause(process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert not output.exists()

    sheet = next((content / "articles").rglob("*.yaml"))
    sheet.write_text(sheet.read_text("utf-8").replace("kind: position", "kind: positon", 1), "utf-8")
    assert build_cli(content, output) == 1
    assert snapshot(output) == before
    assert leftovers(output) == []


# ---------------------------------------------------------------------------
# A full disk, a read-only folder


def test_full_disk_mid_write_keeps_the_previous_site(published, monkeypatch, capsys):
    content, output, before = published
    original = writers.write_files

    def write_files(staging, files):
        """The disk fills up half way through the pages."""
        names = sorted(files)
        original(staging, {name: files[name] for name in names[: len(names) // 2]})
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(staging / names[len(names) // 2]))

    monkeypatch.setattr(writers, "write_files", write_files)
    capsys.readouterr()
    assert build_cli(content, output) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "the previous site was kept" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    assert snapshot(output) == before
    assert leftovers(output) == []


@pytest.mark.parametrize("failing", ["staging", "exchange", "retire", "swap"])
def test_folder_that_cannot_be_written_keeps_the_previous_site(published, monkeypatch, capsys, failing):
    """Read-only parent folder (no staging folder can be made), the one-step exchange of the
    two folders refused, or, where there is none, a read-only site folder (it cannot be moved
    aside) or the final move failing: the error is named, nothing is lost."""
    content, output, before = published
    denied = OSError(errno.EACCES, os.strerror(errno.EACCES), str(output))
    if failing == "staging":
        def mkdtemp(*args, **kwargs):
            raise denied
        monkeypatch.setattr(writers.tempfile, "mkdtemp", mkdtemp)
    elif failing == "exchange":
        def exchange(first, second):
            raise denied
        monkeypatch.setattr(publishing, "_exchange", exchange)
    else:
        monkeypatch.setattr(publishing, "_exchange", lambda first, second: False)
        original = os.replace

        def replace(source, target):
            moving = "retire" if Path(source) == output.resolve() else "swap" if str(source).endswith(".building") \
                else "restore"
            if moving == failing:
                raise denied
            return original(source, target)
        monkeypatch.setattr(writers.os, "replace", replace)
    capsys.readouterr()
    assert build_cli(content, output) == 2
    err = capsys.readouterr().err
    assert f"cannot write {output}: Permission denied" in err and "previous site was kept" in err
    monkeypatch.undo()
    assert snapshot(output) == before
    assert leftovers(output) == []


def _immutable(path: Path, on: bool) -> None:
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True, capture_output=True, timeout=30)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_really_read_only_folders(tmp_path):
    """The same with real permissions. Root ignores permissions, so as root the build runs as
    an unprivileged user when the interpreter allows it, and otherwise against folders made
    immutable (chattr +i), which stops root too."""
    base = Path(tempfile.mkdtemp(prefix="hindsight-readonly-"))
    lock: Callable[[Path, bool], None] = lambda path, on: os.chmod(path, 0o555 if on else 0o755)
    try:
        os.chmod(base, 0o755)
        content = base / "content"
        shutil.copytree(SAMPLE_CONTENT, content)
        project = base / "project"
        project.mkdir()
        output = project / "site"
        assert build_cli(content, output) == 0
        before = snapshot(output)
        for path in [base, *base.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        user = {"user": 65534, "group": 65534} if os.geteuid() == 0 else {}
        if user:
            try:
                subprocess.run([sys.executable, "-c", "pass"], check=True, timeout=60, **user)
                for path in [project, *project.rglob("*")]:
                    os.chown(path, 65534, 65534)
            except PermissionError:  # the interpreter lives where only root may go
                user = {}
                try:
                    _immutable(project, True)
                    _immutable(project, False)
                except (OSError, subprocess.CalledProcessError) as error:
                    if os.environ.get("CI") == "true":
                        raise AssertionError(f"cannot make a folder read-only for root here: {error}") from error
                    pytest.skip(f"neither an unprivileged user nor chattr is available here ({error})")
                lock = _immutable

        def attempt() -> subprocess.CompletedProcess:
            return subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(content), "--output",
                                   str(output), "--no-search", "--no-extract"], capture_output=True, text=True,
                                  env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(base)}, cwd=base,
                                  timeout=120, **user)

        refused = ("Permission denied", "Operation not permitted")
        lock(project, True)  # read-only parent: no staging folder, no lock file
        finished = attempt()
        lock(project, False)
        assert finished.returncode == 2, finished.stderr
        assert any(word in finished.stderr for word in refused) and "Traceback" not in finished.stderr
        assert snapshot(output) == before

        lock(output, True)  # read-only site folder: it cannot be moved aside
        finished = attempt()
        lock(output, False)
        assert finished.returncode == 2, finished.stderr
        assert any(word in finished.stderr for word in refused) and "Traceback" not in finished.stderr
        assert snapshot(output) == before
        assert leftovers(output) == []
    finally:
        for path in [base, *base.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                with contextlib.suppress(OSError, subprocess.CalledProcessError):
                    if lock is _immutable:
                        _immutable(path, False)
                os.chmod(path, 0o755)
        shutil.rmtree(base)


# ---------------------------------------------------------------------------
# Two builds at once


def test_second_build_waits_for_the_first(published, tmp_path):
    content, output, _ = published
    release = tmp_path / "release"
    first = start_build(content, output, "pause-lock", release)
    wait_for_pause(first)
    second = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content), "--output",
                               str(output), "--no-search", "--no-extract"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    waited = ""
    deadline = time.monotonic() + 60
    while "waiting for it to finish" not in waited and time.monotonic() < deadline:
        waited += second.stderr.readline()
    assert "another build of" in waited and "waiting for it to finish" in waited
    assert second.poll() is None, "the second build waits while the first holds the lock"
    release.write_text("go", "utf-8")
    assert first.wait(timeout=60) == 0, first.stderr.read()
    assert second.wait(timeout=60) == 0, second.stderr.read()

    reference = tmp_path / "reference"
    assert build_cli(content, reference) == 0
    assert snapshot(output) == snapshot(reference)
    assert leftovers(output) == []


def test_lock_is_released_when_the_holder_is_killed(published, tmp_path):
    content, output, before = published
    process = start_build(content, output, "pause-lock", tmp_path / "never")
    wait_for_pause(process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert snapshot(output) == before
    assert build_cli(content, output) == 0
    assert leftovers(output) == []
