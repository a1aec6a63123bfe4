"""Filing claim sheets: valid, deterministic, atomic, and never losing an editor's work."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import yaml

from generator import readers
from generator.cli import main
from generator import writers
from generator.validation import check_schema

HERE = Path(__file__).parent
ROOT = HERE.parent
FIXTURES = HERE / "fixtures" / "extraction"


@pytest.fixture
def project(fresh_project: Path) -> Path:
    """A fresh project with the messy seed in seeds/."""
    shutil.copy(FIXTURES / "messy_seed.txt", fresh_project / "seeds" / "messy_seed.txt")
    return fresh_project


def extract(project: Path, *seeds: str) -> int:
    return main(["extract", "--content", str(project / "content"), *[str(project / s) for s in seeds]])


def sheets_in(project: Path) -> list[Path]:
    return sorted((project / "content" / "articles").rglob("*.yaml"))


def lines_kept_in_order(before: str, after: str) -> bool:
    """Every line of `before` is still in `after`, in the same order."""
    remaining = iter(after.splitlines())
    return all(any(line == candidate for candidate in remaining) for line in before.splitlines())


def test_new_sheet_is_valid_and_placed_by_year(project, capsys):
    assert extract(project, "seeds/messy_seed.txt") == 0
    [path] = sheets_in(project)
    assert path.parent.name == "2025"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../generator/schemas/article.schema.json\n")
    document, problems = readers.parse_yaml(text, str(path))
    assert problems == [] and check_schema(document, "article") == []
    data = yaml.safe_load(text)
    assert data["article"]["seed"] == "seeds/messy_seed.txt"
    assert len(data["article"]["seed_sha256"]) == 64
    assert {c["review"] for c in data["claims"]} == {"draft"}
    assert all(c["outcome"] == {"status": "unrated"} for c in data["claims"])
    assert "published: 2025-03-14\n" in text  # dates unquoted
    line = capsys.readouterr().out
    assert "messy_seed.txt" in line and "claims found" in line and "new speaker" in line
    assert main(["check", "--content", str(project / "content")]) == 0  # the archive's own checker agrees


def test_undated_article_goes_to_undated(project):
    (project / "seeds" / "undated.txt").write_text(
        "A headline without a date\nMr. Peskov said that the talks would resume in Istanbul next month.\n",
        encoding="utf-8")
    assert extract(project, "seeds/undated.txt") == 0
    [path] = sheets_in(project)
    assert path.parent.name == "undated"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["article"]["published"] is None and "missing-date" in data["article"]["quality"]
    assert data["claims"][0]["said"] is None


def test_rerun_is_byte_identical(project, capsys):
    assert extract(project, "seeds/messy_seed.txt") == 0
    [path] = sheets_in(project)
    first = path.read_bytes()
    people = (project / "content" / "people.yaml").read_bytes()
    capsys.readouterr()
    assert extract(project, "seeds/messy_seed.txt") == 0
    assert path.read_bytes() == first
    assert (project / "content" / "people.yaml").read_bytes() == people
    assert "(unchanged)" in capsys.readouterr().out


def test_same_input_gives_same_bytes_in_another_folder(project, tmp_path):
    assert extract(project, "seeds/messy_seed.txt") == 0
    other = tmp_path / "again"
    shutil.copytree(project, other, ignore=shutil.ignore_patterns("articles"))
    (other / "content" / "articles").mkdir()
    shutil.copy(FIXTURES / "messy_seed.txt", other / "seeds" / "messy_seed.txt")
    (other / "content" / "people.yaml").write_bytes((ROOT / "content" / "people.yaml").read_bytes())
    assert extract(other, "seeds/messy_seed.txt") == 0
    assert sheets_in(project)[0].read_bytes() == sheets_in(other)[0].read_bytes()


def test_editor_work_survives_rerun(project, capsys):
    # an editor moved and renamed the sheet, reviewed one claim, shortened its statement,
    # wrote a claim by hand and commented the file
    moved = project / "content" / "articles" / "2025" / "peskov-sets-conditions.yaml"
    moved.parent.mkdir(parents=True)
    before = (FIXTURES / "edited_sheet.yaml").read_text(encoding="utf-8")
    moved.write_text(before, encoding="utf-8")
    reviewed_before = yaml.safe_load(before)["claims"][0]

    assert extract(project, "seeds/messy_seed.txt") == 0
    assert sheets_in(project) == [moved]  # found by its seed, not by its name
    after = moved.read_text(encoding="utf-8")
    assert lines_kept_in_order(before, after)  # comments, order and values all kept
    data = yaml.safe_load(after)
    assert data["claims"][0] == reviewed_before  # reviewed: untouched, no duplicate added
    assert [c["id"] for c in data["claims"]].count("2025-peskov-meeting-only-after-draft") == 1
    assert not any(c["statement"].startswith("Any meeting between the two leaders") for c in data["claims"])
    assert data["claims"][1]["id"] == "2025-peskov-hand-written"  # not found again, kept
    assert len(data["claims"]) > 2  # new claims added after the editor's
    assert data["article"]["byline"] == ["Anna Smith"]  # written by the editor: not changed
    assert data["article"]["published_basis"] == "editor"
    assert len(data["article"]["seed_sha256"]) == 64  # was empty: filled
    out = capsys.readouterr().out
    assert "no longer found (kept): 2025-peskov-hand-written" in out


def test_empty_fields_of_draft_claims_are_filled_and_edits_kept(project):
    assert extract(project, "seeds/messy_seed.txt") == 0
    [path] = sheets_in(project)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first = data["claims"][0]
    text = path.read_text(encoding="utf-8")
    text = text.replace(f"role: {first['role']}", "role:", 1)  # emptied by an editor
    text = text.replace(f"kind: {first['kind']}", "kind: opinion", 1)  # changed by an editor
    path.write_text(text, encoding="utf-8")
    assert extract(project, "seeds/messy_seed.txt") == 0
    again = yaml.safe_load(path.read_text(encoding="utf-8"))["claims"][0]
    assert again["role"] == first["role"]
    assert again["kind"] == "opinion"


def test_new_speakers_are_appended_to_people_as_drafts(project):
    before = (project / "content" / "people.yaml").read_text(encoding="utf-8")
    assert extract(project, "seeds/messy_seed.txt") == 0
    after = (project / "content" / "people.yaml").read_text(encoding="utf-8")
    assert lines_kept_in_order(before, after)  # comments and entries untouched
    people = {p["id"]: p for p in yaml.safe_load(after)["people"]}
    assert people["petro-ivanenko"]["review"] == "draft"
    assert people["petro-ivanenko"]["name"] == "Petro Ivanenko"
    document, problems = readers.parse_yaml(after, "people.yaml")
    assert problems == [] and check_schema(document, "people") == []


def test_claim_ids_are_unique_across_the_archive(project):
    assert extract(project, "seeds/messy_seed.txt") == 0
    [path] = sheets_in(project)
    ids = [c["id"] for c in yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]]
    copy = project / "seeds" / "messy_copy.txt"
    copy.write_text((FIXTURES / "messy_seed.txt").read_text(encoding="utf-8").replace("Kremlin Says", "Copy: Kremlin Says"),
                    encoding="utf-8")
    assert extract(project, "seeds/messy_copy.txt") == 0
    other = [p for p in sheets_in(project) if p != path][0]
    other_ids = [c["id"] for c in yaml.safe_load(other.read_text(encoding="utf-8"))["claims"]]
    assert not set(ids) & set(other_ids)
    assert all(len(i) <= 80 for i in ids + other_ids)
    assert other_ids[0] == ids[0] + "-2"


def test_write_is_atomic(tmp_path, monkeypatch):
    target = tmp_path / "sheet.yaml"
    target.write_text("old: true\n", encoding="utf-8")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        writers.write_text_atomically(target, "new: true\n")
    assert target.read_text(encoding="utf-8") == "old: true\n"
    assert [p.name for p in tmp_path.iterdir()] == ["sheet.yaml"]  # no temporary file left


def test_missing_seed_is_a_clear_error(project, capsys):
    assert extract(project, "seeds/nowhere.txt") == 1
    err = capsys.readouterr().err
    assert "nowhere.txt" in err and "cannot read the seed" in err


def test_broken_sheet_is_reported_not_overwritten(project, capsys):
    broken = project / "content" / "articles" / "2025" / "broken.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("article:\n  seed: seeds/messy_seed.txt\n  title: [unclosed\n", encoding="utf-8")
    before = broken.read_bytes()
    extract(project, "seeds/messy_seed.txt")
    assert broken.read_bytes() == before
    assert "broken.yaml" in capsys.readouterr().err


def test_claim_rejected_by_an_editor_is_not_added_again(project, capsys):
    assert extract(project, "seeds/messy_seed.txt") == 0
    [path] = sheets_in(project)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    struck = data["claims"][0]
    text = path.read_text(encoding="utf-8")
    # The editor strikes the first claim out, with a reason, instead of deleting it.
    start = text.index(f"  - id: {struck['id']}\n")
    review_at = text.index("    review: draft\n", start)
    text = (text[:review_at] + "    review: rejected\n    note: the reporter's summary, not a statement\n"
            + text[review_at + len("    review: draft\n"):])
    path.write_text(text, encoding="utf-8")
    capsys.readouterr()

    assert extract(project, "seeds/messy_seed.txt") == 0
    assert path.read_text(encoding="utf-8") == text  # nothing re-added, nothing filled
    assert "(unchanged)" in capsys.readouterr().out
    assert main(["check", "--content", str(project / "content")]) == 0


def test_claim_deleted_by_an_editor_comes_back_so_rejecting_is_the_way(project):
    """Deleting leaves no trace, so extraction restores the claim as a draft: this is why
    CONTRIBUTING tells editors to reject a claim rather than delete it."""
    assert extract(project, "seeds/messy_seed.txt") == 0
    [path] = sheets_in(project)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    first_id = data["claims"][0]["id"]
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {first_id}\n")
    end = text.index("  - id: ", start + 1)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert extract(project, "seeds/messy_seed.txt") == 0
    again = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [c["id"] for c in again["claims"]].count(first_id) == 1


def test_date_an_editor_gave_an_undated_article_dates_new_claims(project):
    (project / "seeds" / "undated.txt").write_text(
        "A headline without a date\nMr. Peskov said on Friday that the talks would resume in Istanbul.\n",
        encoding="utf-8")
    assert extract(project, "seeds/undated.txt") == 0
    [path] = sheets_in(project)
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["claims"][0]["said"] is None
    # The editor establishes the date (a Wednesday), empties the claims for a fresh draft.
    text = text.replace("published: null", "published: 2025-07-23", 1)
    text = text[:text.index("claims:")] + "claims: []\n"
    path.write_text(text, encoding="utf-8")
    assert extract(project, "seeds/undated.txt") == 0
    [claim] = yaml.safe_load(path.read_text(encoding="utf-8"))["claims"]
    assert claim["said"] == dt.date(2025, 7, 18) and claim["said_basis"] == "on Friday"
    assert claim["id"].startswith("2025-")
