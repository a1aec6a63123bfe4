"""`hindsight serve` as a live preview: rebuilds on change, shows content errors in the page."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.cli import parser
from generator.commands.build import run_build
from generator.commands.serve import Preview, make_server
from generator.pages import TEMPLATES

SAMPLE = Path(__file__).parent / "fixtures" / "sample"


@pytest.fixture
def preview_server(tmp_path, capsys):
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    args = parser().parse_args(["serve", "--content", str(project / "content"),
                                "--output", str(project / "site"), "--no-search", "--subpath", "/archive/"])
    assert run_build(args)[0] == 0
    preview = Preview(args, [project / "content", project / "seeds", TEMPLATES])
    server = make_server(project / "site", "/archive/", 0, quiet=True, preview=preview)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/archive/"
    yield project, preview, base
    server.shutdown()
    server.server_close()


def serve_command(project: Path, port: int) -> tuple[list[str], dict]:
    """`hindsight serve` of `project` (no search, no extraction) on `port`, as a process runs
    it from this checkout: its command line, and the working folder and environment to run it in."""
    root = Path(__file__).resolve().parent.parent
    return ([sys.executable, "-m", "generator", "serve", "--content", str(project / "content"),
             "--output", str(project / "site"), "--no-search", "--no-extract", "--port", str(port)],
            {"cwd": root, "env": {**os.environ, "PYTHONPATH": str(root)}})


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_pages_reload_themselves_and_the_built_files_stay_clean(preview_server):
    project, preview, base = preview_server
    status, page = fetch(base)
    assert status == 200 and "__hindsight/version" in page
    assert "__hindsight" not in (project / "site" / "index.html").read_text("utf-8")
    assert fetch(base + "__hindsight/version") == (200, "0")



def test_a_page_asking_since_a_version_is_answered_as_soon_as_a_rebuild_changes_it(preview_server):
    """The reload script asks `?since=<version>`; the server holds that request until a
    rebuild, so an open page reloads as soon as the site changes, not at its next poll."""
    import time

    project, preview, base = preview_server
    assert fetch(base + "__hindsight/version?since=5") == (200, "0"), "a version not current: answered at once"
    sheet = project / "content" / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
    answers: list[tuple[float, tuple[int, str]]] = []
    asking = threading.Thread(target=lambda: answers.append((time.monotonic(), fetch(base + "__hindsight/version?since=0"))))
    asking.start()
    time.sleep(0.5)
    assert answers == [], "held while nothing changed"
    sheet.write_text(sheet.read_text("utf-8").replace("It won't work", "It will not work"), "utf-8")
    assert preview.rebuild_if_changed() is True
    rebuilt = time.monotonic()
    asking.join(10)
    (answered, reply), = answers
    assert reply == (200, "1") and answered - rebuilt < 0.5


def test_a_change_rebuilds_and_an_error_is_shown_instead_of_a_stale_site(preview_server):
    project, preview, base = preview_server
    assert preview.rebuild_if_changed() is False
    sheet = project / "content" / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
    good = sheet.read_text("utf-8")
    sheet.write_text(good.replace("speaker: volodymyr-zelensky", "speaker: <b>volodymyr-zelenski</b>"), "utf-8")
    assert preview.rebuild_if_changed() is True

    status, page = fetch(base + "claims/2019-nazarbayev-separate-personal-meeting/index.html")
    assert status == 500
    assert "kremlin-rules-out-putin-zelenskyy-meeting.yaml:" in page and "is not a valid id" in page
    assert "&lt;b&gt;volodymyr-zelenski&lt;/b&gt;" in page and "<b>volodymyr" not in page
    assert fetch(base + "__hindsight/version") == (200, "1")

    sheet.write_text(good.replace("It won't work any other way", "It will not work any other way"), "utf-8")
    assert preview.rebuild_if_changed() is True
    status, page = fetch(base + "claims/2025-zelensky-begins-with-meeting-of-leaders/index.html")
    assert status == 200 and "It will not work any other way" in page


def test_the_watcher_sees_files_added_changed_and_removed_in_nested_folders_but_not_dot_files(preview_server):
    """What the watcher compares (`Preview._snapshot`): every file under the watched folders,
    however deep, by modification time and size; editors' dot files are not changes."""
    project, preview, base = preview_server
    assert preview.rebuild_if_changed() is False
    sheet = next((project / "content" / "articles").rglob("*.yaml"))
    (sheet.parent / f".{sheet.name}.swp").write_bytes(b"an editor's swap file")
    assert preview.rebuild_if_changed() is False, "a dot file is not a change"
    deep = project / "content" / "pages" / "notes" / "deeper"
    deep.mkdir(parents=True)
    (deep / "scratch.txt").write_text("a note", "utf-8")
    assert preview.rebuild_if_changed() is True, "a file added two folders down"
    assert str(deep / "scratch.txt") in preview.snapshot
    (deep / "scratch.txt").write_text("a longer note", "utf-8")
    assert preview.rebuild_if_changed() is True, "a file changed"
    (deep / "scratch.txt").unlink()
    assert preview.rebuild_if_changed() is True, "a file removed"
    assert not any(path.startswith(str(deep)) for path in preview.snapshot)
    assert preview.rebuild_if_changed() is False


def test_the_preview_writes_the_record_once_idle_for_the_next_command_line_build(preview_server):
    """Each rebuild keeps its record in memory and leaves an empty stand-in on disk, which a
    command-line build does not trust; the watcher writes the record at its next idle look,
    unless another build replaced the site meanwhile."""
    from generator.incremental.record import read_record

    project, preview, base = preview_server
    preview.args.incremental = True   # as `hindsight serve` sets it
    site = project / "site"
    sheet = project / "content" / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
    good = sheet.read_text("utf-8")

    def command_line():
        result = run_build(parser().parse_args(["build", "--content", str(project / "content"), "--output", str(site),
                                                "--no-search", "--incremental"]))[1]
        assert result.built
        return result

    sheet.write_text(good.replace("No meeting of the two leaders", "Still no meeting of the two leaders"), "utf-8")
    assert preview.rebuild_if_changed() is True
    assert read_record(site) is None and preview.state.record is not None
    sheet.write_text(good, "utf-8")   # and a build from the command line before the preview sees it
    everything = command_line()   # the stand-in is no record: every page rendered, and the record written
    assert everything.rendered == everything.pages
    its_own = read_record(site)
    assert its_own.digests != preview.state.record.digests
    preview.keep_record()
    assert read_record(site).digests == its_own.digests, "the site's own record, not the preview's"

    assert preview.rebuild_if_changed() is True
    assert read_record(site) is None
    assert preview.rebuild_if_changed() is False
    written = read_record(site)
    assert written is not None and written.pages == preview.state.record.pages
    assert preview.state.describes(site), "the preview still knows the site in place as its own"
    sheet.write_text(good.replace("No meeting of the two leaders", "No meeting yet of the two leaders"), "utf-8")
    result = command_line()
    assert 0 < result.rendered < result.pages, "the command line went on from the record"


def test_hindsight_serve_stopped_by_kill_writes_its_record_and_exits_cleanly(tmp_path):
    """`hindsight serve` keeps its builds' record in memory; stopped by SIGTERM right after a
    rebuild (before the watcher's next idle look), it still writes the record and exits 0."""
    import queue
    import signal
    import subprocess
    import time

    from generator.incremental.record import read_record

    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    command, where = serve_command(project, 0)
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, **where)
    said: queue.Queue = queue.Queue()   # its lines on stderr, read beside the test: a silent server never hangs it
    reader = threading.Thread(target=lambda: [said.put(line) for line in server.stderr] + [said.put("")], daemon=True)
    reader.start()
    try:
        def wait_for(text: str) -> None:
            deadline = time.monotonic() + 60
            while True:
                try:
                    line = said.get(timeout=max(deadline - time.monotonic(), 0.01))
                except queue.Empty:
                    raise AssertionError(f"hindsight serve never said {text!r}") from None
                assert line, f"hindsight serve ended before saying {text!r}"
                if text in line:
                    return

        wait_for("Serving the archive")
        sheet = project / "content" / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
        sheet.write_text(sheet.read_text("utf-8").replace("No meeting of the two leaders",
                                                          "Still no meeting of the two leaders"), "utf-8")
        wait_for("rebuilt in")
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        reader.join(timeout=10)   # it has read to the end
        server.stderr.close()
    record = read_record(project / "site")
    assert record is not None, "the record is on disk for the next build from the command line"
    page = "claims/2025-zelensky-begins-with-meeting-of-leaders/index.html"
    assert page in record.pages


def test_hindsight_serve_that_cannot_listen_still_leaves_its_builds_record(tmp_path):
    """The first build of `hindsight serve` keeps its record in memory; when the port is taken
    and the preview gives up, the record is written before it exits."""
    import socket
    import subprocess

    from generator.incremental.record import read_record

    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        command, where = serve_command(project, taken.getsockname()[1])
        finished = subprocess.run(command, capture_output=True, text=True, timeout=120, **where)
    assert finished.returncode == 2 and "cannot listen on port" in finished.stderr
    assert read_record(project / "site") is not None


def test_an_edit_saved_while_a_rebuild_runs_is_rebuilt_for(preview_server):
    """The rebuild may read a sheet before the editor saves it again: the next look compares
    with the files as they were when the rebuild began, sees the save, and rebuilds."""
    project, preview, base = preview_server
    sheet = project / "content" / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
    good = sheet.read_text("utf-8")
    sheet.write_text(good.replace("It won't work any other way", "It will not work any other way"), "utf-8")
    rebuild = preview.rebuild

    def rebuild_while_the_editor_saves():
        rebuild()   # reads the first edit, then, before it returns, the editor saves a second one
        sheet.write_text(good.replace("It won't work any other way", "It cannot work any other way, really"),
                         "utf-8")

    preview.rebuild = rebuild_while_the_editor_saves
    assert preview.rebuild_if_changed() is True
    page = base + "claims/2025-zelensky-begins-with-meeting-of-leaders/index.html"
    assert "It will not work any other way" in fetch(page)[1]
    preview.rebuild = rebuild
    assert preview.rebuild_if_changed() is True, "the save made during the rebuild is a change"
    assert "It cannot work any other way, really" in fetch(page)[1]
    assert preview.rebuild_if_changed() is False


def test_sheets_extraction_writes_during_a_rebuild_settle_after_one_more_look(preview_server):
    """A new seed is extracted by the rebuild it starts; the sheet it writes is seen by the
    next look (one quick rebuild that extracts nothing), and then nothing changes."""
    project, preview, base = preview_server
    preview.args.extract = True
    seed = Path(__file__).parent.parent / "seeds" / "002_5b48e9b5bbe33ae5.txt"   # not one of the sample's
    shutil.copy(seed, project / "seeds" / seed.name)
    sheets = set((project / "content" / "articles").rglob("*.yaml"))
    assert preview.rebuild_if_changed() is True
    assert set((project / "content" / "articles").rglob("*.yaml")) > sheets, "the seed was extracted"
    looks = 1
    while preview.rebuild_if_changed():
        looks += 1
        assert looks < 4, "the preview keeps rebuilding"
    assert not preview.errors


def test_a_rebuild_tells_the_editor_what_its_build_noted(preview_server, capsys):
    """Only the first build printed its notes: a seed added while the preview ran, which could
    not be extracted, left the editor with "rebuilt" and no word of the missing article."""
    project, preview, _ = preview_server
    capsys.readouterr()
    (project / "seeds" / "009_utf16.txt").write_bytes("Kremlin says talks stalled\n\n\"We see no progress,\" "
                                                      "Peskov said on Monday.\n".encode("utf-16"))
    assert preview.rebuild_if_changed()
    told = capsys.readouterr().err
    assert "could not be extracted" in told, told
