"""`hindsight similar`: an editor asks whether a quote was said before, and gets the closest claims."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main

SAMPLE = Path(__file__).parent / "fixtures" / "sample" / "content"
OUTPUT = Path()


@pytest.fixture(autouse=True)
def _output(tmp_path):
    """Each test's index kept beside a site folder of its own."""
    global OUTPUT
    OUTPUT = tmp_path / "site"


def similar(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(["similar", "--content", str(SAMPLE), "--output", str(OUTPUT), *arguments])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_quote_lists_the_closest_claims_best_first_with_scores(capsys):
    code, out, err = similar(capsys, "Putin will not hold a meeting for the sake of a meeting", "--limit", "3")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(" 1. score ") and "2019-peskov-not-meeting-for-sake-of-meeting" in first
    assert "Dmitry Peskov, 2019-11-12: Mr. Putin would not hold" in out
    assert "content/articles/2019/nyt-zelensky-seeks-meeting-with-putin.yaml" in out
    assert len([line for line in out.splitlines() if line[:3].strip().rstrip(".").isdigit()]) == 3
    assert "found by wording" in err


def test_json_gives_the_same_ranking_for_tools(capsys):
    code, out, _ = similar(capsys, "a meeting just for the sake of a meeting", "--format", "json")
    assert code == 0
    found = json.loads(out)
    assert found[0]["id"] == "2019-peskov-not-meeting-for-sake-of-meeting"
    assert found[0]["speaker"] == "dmitry-peskov" and found[0]["said"] == "2019-11-12"
    assert [entry["score"] for entry in found] == sorted((entry["score"] for entry in found), reverse=True)
    assert all(0 <= entry["overlap"] <= 1 for entry in found)


def test_a_claim_of_the_archive_finds_others_not_itself(capsys):
    code, out, _ = similar(capsys, "--claim", "2025-putin-meet-zelensky-only-final-stage", "--format", "json")
    assert code == 0
    ids = [entry["id"] for entry in json.loads(out)]
    assert ids and "2025-putin-meet-zelensky-only-final-stage" not in ids


def test_a_pasted_tweet_is_read_for_its_words_not_its_signature(capsys):
    pasted = "a meeting just for the sake of a meeting https://t.co/x — Someone Else (@else) May 2, 2020"
    code, out, _ = similar(capsys, pasted, "--format", "json")
    assert code == 0 and json.loads(out)[0]["id"] == "2019-peskov-not-meeting-for-sake-of-meeting"


def test_usage_errors_say_what_to_do(capsys):
    code, _, err = similar(capsys)
    assert code == 2 and "give either a quote or --claim ID" in err
    code, _, err = similar(capsys, "words", "--claim", "2019-peskov-not-meeting-for-sake-of-meeting")
    assert code == 2 and "not both" in err
    code, _, err = similar(capsys, "--claim", "no-such-claim")
    assert code == 2 and "no claim has the id 'no-such-claim'" in err and "hint:" in err
    code, _, err = similar(capsys, "   ")
    assert code == 2 and "the quote is empty" in err


def test_no_shared_word_says_so(capsys):
    code, out, err = similar(capsys, "Rainfall over Patagonia")
    assert code == 0 and out == "" and "No claim in the archive shares a word" in err


def test_content_errors_are_listed_not_ranked(capsys, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    sheet = next((content / "articles").rglob("*.yaml"))
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("speaker: dmitry-peskov", "speaker: nobody-known", 1),
                     encoding="utf-8")
    code = main(["similar", "--content", str(content), "--output", str(tmp_path / "site"), "a meeting"])
    err = capsys.readouterr().err
    assert code == 1
    assert "error:" in err and "hindsight check lists them" in err


def test_the_index_is_kept_and_used_again_until_a_content_file_changes(capsys, tmp_path, monkeypatch):
    from generator import build

    content = tmp_path / "content"
    shutil.copytree(SAMPLE, content)
    ask = ["similar", "--content", str(content), "--output", str(tmp_path / "site"), "--format", "json",
           "a meeting just for the sake of a meeting"]
    assert main(ask) == 0
    first = json.loads(capsys.readouterr().out)
    assert (tmp_path / ".hindsight-cache" / "site.similar-index").is_file()
    read = []
    real_check = build.check
    monkeypatch.setattr(build, "check", lambda *args: read.append(args) or real_check(*args))
    assert main(ask) == 0
    assert json.loads(capsys.readouterr().out) == first and read == [], "answered from the kept index"
    sheet = content / "articles" / "2019" / "nyt-zelensky-seeks-meeting-with-putin.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace(
        'Mr. Putin would not hold "a meeting just for the sake of a meeting."', "Pelicans flew over the estuary.", 1),
        "utf-8")
    assert main(ask) == 0
    again = json.loads(capsys.readouterr().out)
    assert len(read) == 1, "a sheet changed: the archive is read again"
    assert again[0]["id"] != first[0]["id"]
