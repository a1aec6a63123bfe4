"""Articles for extraction that are not what it expects: empty, binary, huge, without quotes,
only quotes, unbalanced quotes everywhere, other languages, markup, invisible characters.

One `hindsight extract` run over the whole corpus (the language model loads once) must end
with one clear line per seed and no traceback, in bounded time; every sheet it drafts must
pass `hindsight check`, so a bad seed never leaves the archive unbuildable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.extraction import articles

HERE = Path(__file__).parent
ROOT = HERE.parent
BAD_SEEDS = HERE / "fixtures" / "bad-seeds"

# Seeds written at test time: (file name, bytes)
GENERATED = {
    "empty.txt": b"",
    "blank.txt": b" \n\n\t\n   \n",
    "binary.txt": bytes(range(256)) * 64,
    "utf-16.txt": "Talks resume\n\n\"We are ready,\" Putin said.\n".encode("utf-16"),
    "nul-bytes.txt": b"\x00\x00\x00\x00" * 1000,
    "invisible.txt": ("Kremlin\u202e answers\u0007\n\n\u201cWe are ready\u2028to talk,\u201d Dmitry Peskov said on "
                      "Tuesday.\x85\n").encode("utf-8"),
    "ten-megabytes.txt": b"Big article\n\n" + b"\"We will see,\" Vladimir Putin said. " * (10 * 1024 * 1024 // 36),
    "huge-title.txt": ("Headline " * 200 + "\n\n\"We are ready,\" Vladimir Putin said on Tuesday.\n").encode("utf-8"),
    "one-long-paragraph.txt": ("Long read\n\n" + "\"Talks,\" Putin said. " * 4000 + "\n\n"
                               "\"The door is open,\" Volodymyr Zelensky said on Tuesday.\n").encode("utf-8"),
}

# What each seed must end with: a fragment of its line on stdout (extracted) or stderr (refused).
EXPECTED = {
    "empty.txt": ("stderr", "the seed has no text; nothing extracted"),
    "blank.txt": ("stderr", "the seed has no text; nothing extracted"),
    "binary.txt": ("stderr", "is not UTF-8 text (byte 128); save it as UTF-8"),
    "utf-16.txt": ("stderr", "is not UTF-8 text (byte 0); save it as UTF-8"),
    "nul-bytes.txt": ("stderr", "the seed has no text; nothing extracted"),
    "invisible.txt": ("stdout", "2 invisible control characters removed from the text"),
    "ten-megabytes.txt": ("stderr", "the seed is 10.5 MB, more than any news article (the limit is 2.1 MB)"),
    "huge-title.txt": ("stdout", "the first line is too long for a headline; the title was cut"),
    "one-long-paragraph.txt": ("stdout", "a paragraph of 83,999 characters was left out"),
    "no-quotes.txt": ("stdout", "1 statement whose speaker could not be named"),  # "according to the regional administration"
    "only-quotes.txt": ("stdout", "0 claims found"),
    "unbalanced-quotes.txt": ("stdout", "a quotation mark is not closed"),
    "russian.txt": ("stdout", "the text does not read as English, and extraction reads English only"),
    "ukrainian.txt": ("stdout", "the text does not read as English, and extraction reads English only"),
    "german.txt": ("stdout", "the text does not read as English, and extraction reads English only"),
    "markup.txt": ("stdout", "claims found"),
}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The sample archive with every bad seed extracted in one run."""
    project = tmp_path_factory.mktemp("bad-seeds")
    shutil.copytree(HERE / "fixtures" / "sample" / "content", project / "content")
    seeds = project / "seeds"
    seeds.mkdir()
    for path in sorted(BAD_SEEDS.glob("*.txt")):
        shutil.copy(path, seeds / path.name)
    for name, data in GENERATED.items():
        (seeds / name).write_bytes(data)
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    finished = subprocess.run([sys.executable, "-m", "generator", "extract", "--content", str(project / "content"),
                               *[str(seeds / name) for name in sorted(EXPECTED)]],
                              capture_output=True, text=True, env=environment, timeout=600)
    return project, finished


def test_corpus_covers_every_seed(extracted):
    project, _ = extracted
    assert sorted(p.name for p in (project / "seeds").iterdir()) == sorted(EXPECTED)


def test_extraction_finishes_without_a_traceback(extracted):
    _, finished = extracted
    assert "Traceback" not in finished.stdout + finished.stderr
    assert finished.returncode == 1  # some seeds were refused


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_seed_gets_one_clear_line(extracted, name):
    _, finished = extracted
    stream, fragment = EXPECTED[name]
    lines = [line for line in getattr(finished, stream).splitlines()
             if line.startswith(name) or re.search(rf"[/\\]{re.escape(name)}: ", line)]
    assert len(lines) == 1, (name, finished.stdout, finished.stderr)
    assert fragment in lines[0], lines[0]


def test_every_drafted_sheet_passes_the_checker(extracted, capsys):
    from generator.cli import main

    project, _ = extracted
    drafted = sorted((project / "content" / "articles" / "undated").glob("*.yaml"))
    assert len(drafted) == sum(stream == "stdout" for stream, _ in EXPECTED.values())
    code = main(["check", "--content", str(project / "content")])
    out = capsys.readouterr().out
    assert ": error: " not in out, out
    assert code == 0


def test_invisible_characters_leave_the_text_readable():
    article = articles.read_article("Kremlin\u202e answers\u0007\n\n\u201cWe are\u2028ready,\u201d Peskov said.\x85\n",
                                    "seeds/x.txt")
    assert article.title == "Kremlin answers"
    assert article.paragraphs == ["\u201cWe are ready,\u201d Peskov said."]
    assert article.warnings == ["2 invisible control characters removed from the text"]


@pytest.mark.parametrize("text, english", [
    ("The minister said on Tuesday that the talks would resume in the spring, and that it was not yet clear "
     "who would attend.", True),
    ("Der Minister sagte am Dienstag, dass die Gespräche im Frühjahr wieder aufgenommen würden und noch "
     "nicht klar sei, wer teilnehmen werde.", False),
    ("Министр заявил во вторник, что переговоры возобновятся весной и что пока неясно, кто в них примет участие.",
     False),
    ("Short line.", True),
])
def test_reads_as_english(text, english):
    assert articles.reads_as_english(text) == english
