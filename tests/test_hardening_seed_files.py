"""Seeds and sheets that extraction must refuse, never follow or crash on: links out of seeds/
(the environment, /dev/zero), named pipes, names a sheet's `seed:` field cannot carry, and
sheets holding a value no reader can build (an impossible date, a number of 5,000 digits).
Each is refused with the file, what is wrong and what to do; nothing else is skipped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from generator.cli import main, parser
from generator.commands.serve import Preview

HERE = Path(__file__).parent
ROOT = HERE.parent
SEED = ROOT / "seeds" / "004_aa59c3a3474d19f0.txt"
SECRET = "HINDSIGHT_TEST_TOKEN_8c1f2e"


def _sheets(content: Path) -> dict[str, str]:
    return {str(p): p.read_text("utf-8") for p in sorted((content / "articles").rglob("*.yaml"))}


def _extract(project: Path, *seeds: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), SECRET: "secret-value-4711"}
    return subprocess.run([sys.executable, "-m", "generator", "extract", "--content", str(project / "content"),
                           *map(str, seeds)], capture_output=True, text=True, env=environment, timeout=300)


def test_links_and_pipes_in_seeds_are_refused_and_the_good_seed_is_extracted(fresh_project):
    seeds = fresh_project / "seeds"
    outside = fresh_project / "outside.txt"
    outside.write_text(f"Leaked headline\n\n\"{SECRET} here,\" Vladimir Putin said on Tuesday.\n", "utf-8")
    (seeds / "999_environ.txt").symlink_to("/proc/self/environ")
    (seeds / "998_zero.txt").symlink_to("/dev/zero")
    (seeds / "997_outside.txt").symlink_to(outside)
    os.mkfifo(seeds / "996_pipe.txt")
    shutil.copy(SEED, seeds / SEED.name)

    finished = _extract(fresh_project)

    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    for name, target in (("999_environ.txt", "/proc/self/environ"), ("998_zero.txt", "/dev/zero"),
                         ("997_outside.txt", str(outside))):
        [line] = [line for line in finished.stderr.splitlines() if f"{name}:" in line]
        assert f"{seeds / name}: is a symbolic link (to {target}); seeds are read from ordinary files only" in line
        assert "put the article's text itself in the file" in line
    [line] = [line for line in finished.stderr.splitlines() if "996_pipe.txt:" in line]
    assert "is a named pipe (FIFO), not an ordinary file" in line
    assert f"{SEED.name} -> " in finished.stdout   # the good seed is extracted in the same run
    written = "".join(_sheets(fresh_project / "content").values())
    assert SECRET not in written and "secret-value" not in written and "Leaked" not in written
    assert len(_sheets(fresh_project / "content")) == 1


def test_the_preview_never_publishes_what_a_link_points_to(fresh_project):
    seeds = fresh_project / "seeds"
    outside = fresh_project / "outside.txt"
    outside.write_text(f"Leaked {SECRET}\n\n\"We will see,\" Vladimir Putin said on Tuesday.\n", "utf-8")
    (seeds / "997_outside.txt").symlink_to(outside)
    result = build(BuildOptions(content=fresh_project / "content", output=fresh_project / "site", search=False,
                                extract=True, drafts=True))
    assert any("could not be extracted" in note for note in result.notes), result.notes
    site = "".join(p.read_text("utf-8", "replace") for p in (fresh_project / "site").rglob("*") if p.is_file())
    assert SECRET not in site
    assert _sheets(fresh_project / "content") == {}


@pytest.mark.parametrize("name, renamed", [("my seed.txt", "my_seed.txt"), ("café-talks.txt", "cafe-talks.txt"),
                                           ("переговоры.txt", "seed.txt")])
def test_a_seed_name_a_sheet_cannot_carry_is_refused_with_a_name_that_works(fresh_project, capsys, name, renamed):
    seed = fresh_project / "seeds" / name
    shutil.copy(SEED, seed)
    assert main(["extract", "--content", str(fresh_project / "content")]) == 1
    err = capsys.readouterr().err
    assert f"{seed}: the name has characters a seed's name may not have" in err
    assert f"rename it, e.g. to {renamed}, and run again" in err
    assert _sheets(fresh_project / "content") == {}   # nothing `check` would then refuse
    assert main(["check", "--content", str(fresh_project / "content")]) == 0
    seed.rename(seed.with_name(renamed))             # the hint works
    capsys.readouterr()
    assert main(["extract", "--content", str(fresh_project / "content")]) == 0
    assert main(["check", "--content", str(fresh_project / "content")]) == 0


@pytest.mark.parametrize("field, value, shown", [("said", "2025-02-30", "'2025-02-30'"),
                                                 ("published", "2025-13-01", "'2025-13-01'"),
                                                 ("outlet", "1" * 5000, "YAML reads this as a number of 5,000 characters")])
def test_a_sheet_with_a_value_no_reader_can_build_is_named_with_its_place(fresh_project, capsys, field, value, shown):
    content = fresh_project / "content"
    shutil.copy(SEED, fresh_project / "seeds" / SEED.name)
    assert main(["extract", "--content", str(content)]) == 0
    [(path, text)] = _sheets(content).items()
    lines = text.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if re.match(rf"\s*(- )?{field}:", line))
    indent = re.match(rf"(\s*(?:- )?){field}:", lines[number]).group(1)
    lines[number] = f"{indent}{field}: {value}\n"
    Path(path).write_text("".join(lines), "utf-8")
    capsys.readouterr()

    # extraction again: the sheet is named with line and column, nothing is written, no second sheet
    (fresh_project / "seeds" / SEED.name).write_text(SEED.read_text("utf-8") + "\nA new last line.\n", "utf-8")
    assert main(["extract", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if line.startswith(str(fresh_project / "seeds" / SEED.name))]
    assert f"{path}:{number + 1}:{len(indent) + len(field) + 3}: {shown}" in line, err
    assert "then run extraction again" in line and "Traceback" not in err
    assert list(_sheets(content)) == [path]

    # the live preview: no traceback, the problem names the file and line
    result = build(BuildOptions(content=content, output=fresh_project / "site", search=False, extract=True,
                                drafts=True))
    assert not result.built
    assert any(p.path.endswith(Path(path).name) and p.line == number + 1 for p in result.problems), result.problems

    # `hindsight serve`: the error page names the file and line
    args = parser().parse_args(["serve", "--content", str(content), "--output", str(fresh_project / "site"),
                                "--no-search"])
    preview = Preview(args, [content, fresh_project / "seeds"])
    preview.rebuild()
    page = preview.error_page().decode("utf-8")
    assert f"{Path(path).name}:{number + 1}:" in page and "the build failed" not in page, page
