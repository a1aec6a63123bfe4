"""Bad and odd content that cannot be a committed fixture: raw invisible characters, files
generated at test time (50 MB), names and links in the file system, and odd but valid input
(every script, emoji, reserved-looking ids) that must be accepted and published intact.

Each case either is refused at `file:line:col` with a hint, or builds a site that shows it
correctly; none ends in a traceback.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from generator.cli import main

from test_check import run_check

HERE = Path(__file__).parent
SAMPLE = HERE / "fixtures" / "sample"
SHEET = Path("articles") / "2019" / "nyt-zelensky-seeks-meeting-with-putin.yaml"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "sample")
    return tmp_path / "sample" / "content"


def edit_first_claim(content: Path, **fields) -> Path:
    """Set fields on the first claim of the sample's 2019 sheet (written back with PyYAML)."""
    path = content / SHEET
    document = yaml.safe_load(path.read_text("utf-8"))
    document["claims"][0].update(fields)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10_000), "utf-8")
    return path


def build(content: Path, output: Path) -> int:
    return main(["build", "--content", str(content), "--output", str(output), "--no-search", "--no-extract"])


# ---------------------------------------------------------------------------
# Invisible characters typed straight into a file (the corpus holds their escaped forms)


@pytest.mark.parametrize("character", ["\u202e", "\u202d", "\u2066", "\u0007", "\u001b", "\u0000", "\u009b", "\u007f"],
                         ids=lambda c: f"U+{ord(c):04X}")
def test_raw_invisible_character_is_refused_where_it_is(capsys, archive, character):
    path = archive / SHEET
    text = path.read_text("utf-8")
    anchor = "Mr. Putin would not"
    path.write_text(text.replace(anchor, "Mr. Putin" + character + " would not", 1), "utf-8")
    line = text[: text.index(anchor)].count("\n") + 1
    column = text.index(anchor) - text.rfind("\n", 0, text.index(anchor)) + len("Mr. Putin")

    code, reported, _ = run_check(capsys, archive)

    (problem,) = reported
    assert (problem.path, problem.line, problem.column) == (str(path), line, column)
    assert f"U+{ord(character):04X}" in problem.message and "invisible" in problem.message
    assert problem.hint.startswith("delete it")
    assert code == 1


def test_raw_invisible_character_in_a_markdown_page_is_built_harmlessly(tmp_path, archive):
    """Pages are Markdown rendered to escaped HTML: a stray control character cannot make markup."""
    (archive / "pages" / "about.md").write_text("# About\n\nBell \u0007 and \u202eoverride\n", "utf-8")
    assert build(archive, tmp_path / "site") == 0
    html = (tmp_path / "site" / "pages" / "about" / "index.html").read_text("utf-8")
    assert "Bell" in html and "<script" not in html


# ---------------------------------------------------------------------------
# Files that are too big, too deep or not files


def test_fifty_megabyte_file_is_refused_unread(capsys, archive):
    path = archive / "articles" / "2019" / "huge.yaml"
    line = b"  - statement: padding padding padding padding padding padding padding\n"
    with path.open("wb") as stream:
        stream.write(b"claims:\n")
        stream.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert path.stat().st_size > 50 * 1024 * 1024

    code, reported, _ = run_check(capsys, archive)

    (problem,) = reported
    assert (problem.path, problem.line, problem.column) == (str(path), 1, 1)
    assert "the file is 50 MB; the limit is 20 MB" in problem.message
    assert "split it" in problem.hint
    assert code == 1


def test_a_sheet_of_more_values_than_the_limit_is_refused_before_it_is_composed(capsys, archive, monkeypatch):
    """`quality: [a,a,...]` of millions of items: the values are counted as the parser meets
    them, and the file is refused where they pass the limit, before any node tree is built
    (9.4 million items took 3.1 GB and 38 s to compose, then were refused)."""
    from generator import readers

    header = "article:\n  title: A\n  outlet: B\n  published: 2019-11-12\n  seed: null\n  quality: ["
    values_before_the_list = 13   # the document, article, its mapping, four fields and their values, quality
    items = readers.MAX_NODES + 10
    path = archive / "articles" / "2019" / "crowded.yaml"
    path.write_text(header + "a," * (items - 1) + "a]\nclaims: []\n", "utf-8")
    composed = []
    compose = yaml.compose
    monkeypatch.setattr(yaml, "compose", lambda text, *a, **k: composed.append(len(text)) or compose(text, *a, **k))

    code, reported, _ = run_check(capsys, archive)

    (problem,) = reported
    assert (problem.path, problem.line) == (str(path), 6)
    item = (problem.column - len("  quality: [") + 1) // 2   # the item reported, counted from 1
    assert values_before_the_list + item == readers.MAX_NODES + 1
    assert problem.message == ("the file holds more than 1,000,000 values (fields and list items); "
                               "it is too large to be a claim sheet")
    assert problem.hint == "split it into one file per article"
    assert max(composed) < 1_000_000, "the crowded file was composed"
    assert code == 1


def test_a_long_sheet_within_the_limit_is_read_as_any_other(tmp_path):
    """Past the length below which no file can hold the limit's values, a file is counted
    first, then read as always."""
    from generator import readers

    claim = ("  - id: claim-{n}\n    statement: Statement number {n}.\n    form: direct\n    speaker: vladimir-putin\n"
             "    said: 2019-11-11\n    kind: prediction\n    review: draft\n")
    text = "article:\n  title: A\n  outlet: B\n  published: 2019-11-12\n  seed: null\nclaims:\n" + \
        "".join(claim.format(n=n) for n in range(3000))
    assert len(text) > readers.NODES_SURELY_WITHIN
    document, problems = readers.parse_yaml(text, "long.yaml")
    assert problems == [] and len(document.value["claims"]) == 3000
    assert document.position(("claims", 2999, "statement")) == (6 + 2999 * 7 + 2, 16)


def test_deeply_nested_file_is_refused(capsys, archive):
    path = archive / "articles" / "2019" / "deep.yaml"
    path.write_text("claims: " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    code, reported, _ = run_check(capsys, archive)
    (problem,) = reported
    assert problem.path == str(path) and problem.severity == "error"
    assert code == 1


def test_symbolic_links_are_not_followed(capsys, archive, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("token=hunter2\n", "utf-8")
    (archive / "pages" / "leak.md").symlink_to(secret)
    (archive / "articles" / "2019" / "linked.yaml").symlink_to(archive / SHEET)
    code, reported, _ = run_check(capsys, archive)
    assert sorted((Path(r.path).name, r.line, r.column) for r in reported) == [("leak.md", 1, 1), ("linked.yaml", 1, 1)]
    assert all("symbolic link" in r.message and r.severity == "error" for r in reported)
    assert code == 1
    assert build(archive, tmp_path / "site") == 1
    assert not (tmp_path / "site").exists()


def run_cli(root: Path, *command: str, timeout: float = 60):
    """A `hindsight` command on the archive at `root` in a process of its own, so that a
    hang fails the test after `timeout` seconds instead of stopping the run."""
    import subprocess
    import sys

    environment = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    return subprocess.run([sys.executable, "-m", "generator", *command], cwd=root, capture_output=True,
                          text=True, env=environment, timeout=timeout)


@pytest.mark.parametrize("place", ["articles/2019/pipe.yaml", "articles/pipe.yaml", "pages/pipe.md",
                                   "people.yaml", "topics.yaml", "site.yaml"])
def test_a_named_pipe_is_refused_unopened_by_check_build_and_serve(tmp_path, archive, place):
    """Opening a named pipe waits for a writer for ever (SIGTERM did not end it): anything
    that is not an ordinary file is refused at its place, and never opened."""
    path = archive / place
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    root = archive.parent
    expected = f"content/{place}:1:1: error: this is a named pipe (FIFO), which the archive does not read"
    for command in (["check"], ["build", "--no-search", "--no-extract"]):
        finished = run_cli(root, *command)
        assert finished.returncode == 1, finished.stderr
        assert expected in finished.stdout and "Traceback" not in finished.stdout + finished.stderr
        assert "    hint: delete it, and put the file itself here" in finished.stdout
    assert not (root / "site").exists()
    served = run_cli(root, "serve", "--no-search", "--no-extract", "--port", "0", "--no-watch")
    assert served.returncode == 1 and expected in served.stdout, "serve builds first, and says why it cannot"


def test_a_socket_in_the_articles_folder_is_refused(capsys, archive):
    import socket

    path = archive / "articles" / "2019" / "s.yaml"
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(path))
        code, reported, _ = run_check(capsys, archive)
    (problem,) = reported
    assert (problem.path, problem.line, problem.column) == (str(path), 1, 1)
    assert problem.message.startswith("this is a socket, which the archive does not read")
    assert code == 1


def test_a_sheet_replaced_by_a_named_pipe_after_it_was_listed_is_not_waited_on(tmp_path):
    """`read_file` opens without waiting and reads only an ordinary file: a pipe put in a
    sheet's place between listing and reading cannot hang the build."""
    import threading

    from generator.readers import read_file

    path = tmp_path / "sheet.yaml"
    os.mkfifo(path)
    answer = []
    reader = threading.Thread(target=lambda: answer.append(read_file(path, "sheet.yaml")), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert answer, "read_file waited on a named pipe"
    raw, (problem,) = answer[0]
    assert raw is None and (problem.path, problem.line, problem.column) == ("sheet.yaml", 1, 1)
    assert "named pipe" in problem.message


# ---------------------------------------------------------------------------
# Names that become folders of the site


@pytest.mark.parametrize("name, message, hint", [
    ("Über uns", "the page name 'Über uns' cannot be a page address", "uber-uns.md"),
    ("..", "the page name '..' cannot be a page address", "page.md"),
    ("con", "the page name 'con' cannot be a page address: Windows reserves the name", "con-1"),
    ("Methodology", "the page name 'Methodology' cannot be a page address", "methodology.md"),
])
def test_page_file_name_must_be_a_page_address(capsys, archive, tmp_path, name, message, hint):
    page = archive / "pages" / f"{name}.md"
    page.write_text("# A page\n\nText.\n", "utf-8")
    code, reported, _ = run_check(capsys, archive)
    (problem,) = reported
    assert (problem.path, problem.line, problem.column, problem.severity) == (str(page), 1, 1, "error")
    assert message in problem.message and hint in problem.hint
    assert code == 1
    assert build(archive, tmp_path / "site") == 1
    assert not (tmp_path / "site").exists()


def test_a_page_name_longer_than_the_zip_can_carry_is_refused(capsys, archive):
    page = archive / "pages" / ("methodology-" * 12 + "x.md")
    page.write_text("# Method\n", "utf-8")
    code, reported, _ = run_check(capsys, archive)
    (problem,) = reported
    assert (problem.path, problem.line, problem.column) == (str(page), 1, 1)
    assert problem.message == "the page name is 145 characters long; the limit is 120, as for ids"
    assert "Windows cannot open a path of more than 260 characters" in problem.hint
    assert code == 1


def test_names_and_ids_at_their_longest_fit_the_offline_zip(tmp_path, archive):
    """A sheet, page, claim, speaker and question named at the limit: every path in the zip
    `build --zip` writes stays within 200 characters, which leaves Windows' 260 room for the
    folder it is unpacked in (C:\\Users\\<name>\\Downloads\\hindsight-YYYY-MM-DD\\)."""
    import zipfile

    from generator.validation import MAX_NAME

    def longest(stem: str) -> str:
        return (stem + "-" + "x" * MAX_NAME)[:MAX_NAME]

    sheet = archive / SHEET
    text = sheet.read_text("utf-8")
    claim_id = "2019-nazarbayev-separate-personal-meeting"
    for short, long in ((claim_id, longest(claim_id)), ("nursultan-nazarbayev", longest("nursultan-nazarbayev")),
                        ("putin-zelensky-meeting", longest("putin-zelensky-meeting"))):
        for path in archive.rglob("*.yaml"):
            path.write_text(path.read_text("utf-8").replace(short, long), "utf-8")
    sheet.rename(sheet.with_name(longest(sheet.stem) + ".yaml"))
    (archive / "pages" / (longest("about") + ".md")).write_text("# About, at length\n", "utf-8")
    assert text != (archive / SHEET.parent / (longest(SHEET.stem) + ".yaml")).read_text("utf-8")
    root = archive.parent
    finished = run_cli(root, "build", "--zip", "--no-extract", timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    (made,) = root.glob("hindsight-*.zip")
    names = zipfile.ZipFile(made).namelist()
    assert any(longest(SHEET.stem) in name for name in names) and any(longest(claim_id) in name for name in names)
    assert max(len(name) for name in names) <= 200, max(names, key=len)


def test_sheets_whose_names_collide_across_years(capsys, archive):
    """Article pages are named after the file: the same name in two year folders is one address."""
    other = archive / "articles" / "2025" / "nyt-zelensky-seeks-meeting-with-putin.yaml"
    text = (archive / SHEET).read_text("utf-8")
    other.write_text(text.replace("- id: 2019-", "- id: again-2019-"), "utf-8")
    code, reported, _ = run_check(capsys, archive)
    errors = [r for r in reported if r.severity == "error"]
    assert [(Path(r.path).parent.name, r.line, r.column) for r in errors] == [("2025", 1, 1)]
    assert "another sheet has the same name" in errors[0].message and "rename one" in errors[0].hint
    assert code == 1


@pytest.mark.parametrize("name", ["index", "static", "pagefind", "search", "claims", "page-2", "feed"])
def test_ids_that_look_like_site_folders_are_safe(tmp_path, archive, name):
    """Claims, speakers, questions and pages live in their own folders, so an id such as
    `index` or `static` cannot overwrite the home page or the assets: it is accepted."""
    edit_first_claim(archive, id=name)
    other = archive / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
    other.write_text(other.read_text("utf-8").replace("2019-nazarbayev-separate-personal-meeting", name), "utf-8")
    (archive / "pages" / f"{name}.md").write_text(f"# The {name} page\n", "utf-8")
    output = tmp_path / "site"
    assert build(archive, output) == 0
    claim = (output / "claims" / name / "index.html").read_text("utf-8")
    assert "a separate, personal meeting" in claim
    assert "The " + name + " page" in (output / "pages" / name / "index.html").read_text("utf-8")
    assert "<title>Hindsight</title>" in (output / "index.html").read_text("utf-8")
    assert (output / "static" / "hindsight.css").read_bytes() == (HERE.parent / "templates" / "static" /
                                                                    "hindsight.css").read_bytes()


# ---------------------------------------------------------------------------
# Long text


def test_statement_over_the_limit_is_refused_at_its_place(capsys, archive):
    path = edit_first_claim(archive, statement="word " * 4000 + "end")
    code, reported, _ = run_check(capsys, archive)
    (problem,) = reported
    text = path.read_text("utf-8")
    index = text.index("word word")
    assert (problem.line, problem.column) == (text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index))
    assert problem.message == "'statement' is 20003 characters long; the limit is 20000"
    assert code == 1


def test_long_statement_within_the_limit_is_published_whole(tmp_path, archive):
    statement = " ".join(f"w{n}" for n in range(4000))[:19_990] + " end."
    edit_first_claim(archive, statement=statement)
    assert build(archive, tmp_path / "site") == 0
    claims = json.loads((tmp_path / "site" / "claims.json").read_text("utf-8"))["claims"]
    assert statement in [claim["statement"] for claim in claims]


# ---------------------------------------------------------------------------
# Every script, emoji, and the accepted forms of dates


SCRIPTS = ("English, Русский, Українська, Ελληνικά, עברית, العربية, فارسی, हिन्दी, বাংলা, ਪੰਜਾਬੀ, தமிழ், "
           "ไทย, ລາວ, ქართული, Հայերեն, 中文, 日本語, 한국어, ትግርኛ, ᏣᎳᎩ, 𐌰𐌲𐌻𐌰, ㄅㄆㄇ, Tiếng Việt, "
           "e\u0301\u0301 Z\u0351\u0352a\u0353lgo, 👩🏽‍⚕️ 🇺🇦 👨‍👩‍👧 🏳️‍🌈, 𝕳𝖎𝖓𝖉𝖘𝖎𝖌𝖍𝖙, \u200d\u200c\u00ad")


def test_every_script_and_emoji_is_published_intact(tmp_path, archive):
    import csv
    import io
    from html.parser import HTMLParser
    from xml.etree import ElementTree

    edit_first_claim(archive, statement=SCRIPTS, context=SCRIPTS, speaker_as_written="Назарбаев 🇰🇿")
    output = tmp_path / "site"
    assert build(archive, output) == 0

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.text = ""

        def handle_data(self, data):
            self.text += data

    claim_id = "2019-nazarbayev-separate-personal-meeting"
    page = Text()
    page.feed((output / "claims" / claim_id / "index.html").read_text("utf-8"))
    assert SCRIPTS in page.text and "Назарбаев 🇰🇿" in page.text
    claims = {c["id"]: c for c in json.loads((output / "claims.json").read_text("utf-8"))["claims"]}
    assert claims[claim_id]["statement"] == SCRIPTS
    rows = list(csv.DictReader(io.StringIO((output / "claims.csv").read_text("utf-8-sig"))))
    assert SCRIPTS in [row["statement"] for row in rows]
    titles = [node.text for node in ElementTree.parse(output / "feed.xml").iter("{http://www.w3.org/2005/Atom}title")]
    assert any(SCRIPTS in (title or "") for title in titles)


def test_dates_in_quotes_are_dates_and_dates_in_text_fields_are_text(tmp_path, archive):
    path = archive / SHEET
    text = path.read_text("utf-8")
    text = text.replace("  published: 2019-11-12\n", "  published: '2019-11-12'\n", 1)
    text = text.replace("    said_basis: on Tuesday\n", "    said_basis: 2019-11-12\n", 1)
    path.write_text(text, "utf-8")
    output = tmp_path / "site"
    assert build(archive, output) == 0
    claims = {c["id"]: c for c in json.loads((output / "claims.json").read_text("utf-8"))["claims"]}
    claim = claims["2019-nazarbayev-separate-personal-meeting"]
    assert claim["article"]["published"] == "2019-11-12"
    assert claim["said_basis"] == "2019-11-12"


@pytest.mark.parametrize("basis, warned", [
    ("on Monday", "Monday"), ("by phone on Friday", "Friday"), ("connected Wednesday", "Wednesday"),
    ("ON SUNDAY", "Sunday"), ("on Tuesday", None), ("late on Tuesday night", None), ("published", None),
    ("after Wednesday’s meeting", None), ("after Friday's talks", None), ("a day before Wednesday", None),
    ("between Monday and Tuesday", None), ("tuesdayish", None),
])
def test_a_weekday_in_the_basis_that_is_not_the_date_said_is_warned(capsys, archive, basis, warned):
    """The sample's claim was said on 2019-11-12, a Tuesday."""
    path = edit_first_claim(archive, said_basis=basis)
    code, reported, _ = run_check(capsys, archive)
    if warned is None:
        assert reported == [] and code == 0
        return
    (problem,) = reported
    text = path.read_text("utf-8")
    index = text.index("said_basis: ") + len("said_basis: ")
    assert (problem.line, problem.column, problem.severity) == (text.count("\n", 0, index) + 1,
                                                                  index - text.rfind("\n", 0, index), "warning")
    assert problem.message == f"the basis says {warned}, but 2019-11-12 was a Tuesday"
    assert code == 0


def test_yes_and_no_in_quotes_stay_text(tmp_path, archive):
    path = archive / SHEET
    text = path.read_text("utf-8").replace("    speaker_as_written: Mr. Nazarbayev\n", "    speaker_as_written: 'No'\n", 1)
    text = text.replace("    role: a former president of Kazakhstan\n", "    role: \"on\"\n", 1)
    path.write_text(text, "utf-8")
    output = tmp_path / "site"
    assert build(archive, output) == 0
    claims = {c["id"]: c for c in json.loads((output / "claims.json").read_text("utf-8"))["claims"]}
    claim = claims["2019-nazarbayev-separate-personal-meeting"]
    assert (claim["speaker_as_written"], claim["role"]) == ("No", "on")


def test_no_check_or_build_prints_a_traceback_for_any_corpus_file(tmp_path):
    """The whole bad corpus at once, through the real command line in a subprocess."""
    import re
    import subprocess
    import sys

    from test_check import BAD_FILES, _expectations

    root = tmp_path / "archive"
    shutil.copytree(SAMPLE, root)
    for bad in BAD_FILES:
        text = bad.read_text("utf-8")
        place, _ = _expectations(text)
        if place in ("people.yaml", "topics.yaml", "site.yaml"):
            continue  # one registry at a time is covered file by file
        name = f"{bad.stem}-{Path(place).name}"
        target = root / "content" / Path(place).parent / (name if len(name) <= 255 else Path(place).name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    environment = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    for command in (["check"], ["build", "--no-search", "--no-extract", "--output", str(tmp_path / "site")]):
        finished = subprocess.run([sys.executable, "-m", "generator", *command, "--content", str(root / "content")],
                                  capture_output=True, text=True, env=environment, timeout=120)
        assert finished.returncode == 1, finished.stderr
        assert "Traceback" not in finished.stdout + finished.stderr
        assert len(re.findall(r"^\S.*:\d+:\d+: error: ", finished.stdout, re.M)) >= 50
    assert not (tmp_path / "site").exists()
