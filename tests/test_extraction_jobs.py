"""`hindsight extract --jobs N`: several parsing processes, the same sheets as one, with progress."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.cli import main

SEEDS = Path(__file__).parent.parent / "seeds"
BAD_SEEDS = Path(__file__).parent / "fixtures" / "bad-seeds"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_two_jobs_write_the_same_sheets_and_lines_as_one(tmp_path, fresh_project, capsys):
    # real seeds with seeds that fail or have no paragraphs among them: lines stay in seed order
    seeds = sorted(SEEDS.glob("*.txt")) + [BAD_SEEDS / "no-quotes.txt", BAD_SEEDS / "only-quotes.txt"]
    empty = fresh_project / "seeds" / "empty.txt"
    empty.write_text("", encoding="utf-8")
    seeds.insert(2, empty)
    outputs = {}
    for jobs in (1, 2):
        project = tmp_path / f"jobs-{jobs}"
        shutil.copytree(fresh_project / "content", project / "content")
        (project / "content" / "people.yaml").write_text("people: []\n", encoding="utf-8")
        code = main(["extract", "--content", str(project / "content"), "--jobs", str(jobs), *map(str, seeds)])
        captured = capsys.readouterr()
        assert code == 1  # the empty seed is refused, in its turn
        outputs[jobs] = (_files(project / "content"), captured.out.replace(str(project), "PROJECT"),
                         captured.err.replace(str(project), "PROJECT"))
    assert outputs[2] == outputs[1]
    lines = outputs[1][1].splitlines()
    assert [line.split(" ")[0] for line in lines[:2]] == [seeds[0].name, seeds[1].name]
    assert "empty.txt: the seed has no text" in outputs[1][2]
    assert len(outputs[1][0]) > 5


def test_two_jobs_show_progress(fresh_project, capsys):
    for n in range(20):
        (fresh_project / "seeds" / f"{n:03}.txt").write_text(
            f"Title {n}\nMr. Peskov said the talks would resume in round {n}.\n", encoding="utf-8")
    assert main(["extract", "--content", str(fresh_project / "content"), "--jobs", "2"]) == 0
    err = capsys.readouterr().err
    assert "1/20" in err and "20/20" in err


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_a_bad_number_of_jobs_is_a_usage_error(fresh_project, capsys, value):
    with pytest.raises(SystemExit) as stop:
        main(["extract", "--content", str(fresh_project / "content"), "--jobs", value])
    assert stop.value.code == 2
    assert "is not a number of processes" in capsys.readouterr().err
