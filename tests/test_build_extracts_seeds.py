"""`hindsight build` extracts seeds that have no claim sheet yet, or whose text changed, first."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from generator.cli import main
from generator.commands.extract import stale_seeds

SAMPLE = Path(__file__).parent / "fixtures" / "sample"
SEEDS = Path(__file__).parent.parent / "seeds"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    return project


def test_hand_written_sheets_are_not_re_extracted(tmp_path):
    project = _project(tmp_path)
    # The sample's sheets were written by hand: no fingerprint, so their seeds are not stale.
    assert stale_seeds(project / "content") == []


def test_build_extracts_a_new_seed_then_leaves_it_alone(tmp_path, capsys):
    project = _project(tmp_path)
    shutil.copy(SEEDS / "004_aa59c3a3474d19f0.txt", project / "seeds")
    content = project / "content"
    assert [seed.name for seed in stale_seeds(content)] == ["004_aa59c3a3474d19f0.txt"]

    assert main(["build", "--content", str(content), "--output", str(project / "site"), "--no-search"]) == 0
    sheets = [path for path in (content / "articles").rglob("*.yaml")
              if "004_aa59c3a3474d19f0" in path.read_text("utf-8")]
    assert len(sheets) == 1
    claims = yaml.safe_load(sheets[0].read_text("utf-8"))["claims"]
    assert any(claim["speaker"] == "dmitry-peskov" for claim in claims)
    assert stale_seeds(content) == []
    # The claims are on the site.
    assert (project / "site" / "claims" / claims[0]["id"] / "index.html").is_file()

    # A changed seed is extracted again; an unchanged one is not.
    seed = project / "seeds" / "004_aa59c3a3474d19f0.txt"
    seed.write_text(seed.read_text("utf-8") + "\n", "utf-8")
    assert [s.name for s in stale_seeds(content)] == ["004_aa59c3a3474d19f0.txt"]


def test_no_extract_builds_only_what_is_there(tmp_path, capsys):
    project = _project(tmp_path)
    shutil.copy(SEEDS / "004_aa59c3a3474d19f0.txt", project / "seeds")
    assert main(["build", "--content", str(project / "content"), "--output", str(project / "site"),
                 "--no-search", "--no-extract"]) == 0
    assert len(list((project / "content" / "articles").rglob("*.yaml"))) == 2
