"""`hindsight build --zip`: a dated offline copy that opens from disk."""

from __future__ import annotations

import datetime
import shutil
import zipfile
from pathlib import Path

from generator.cli import main

SAMPLE = Path(__file__).parent / "fixtures" / "sample"


def test_zip_holds_the_whole_site_under_one_dated_folder(tmp_path, capsys):
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    site = project / "site"
    args = ["build", "--content", str(project / "content"), "--output", str(site), "--no-search", "--zip"]
    assert main(args) == 0
    day = datetime.date.today().isoformat()
    target = project / f"hindsight-{day}.zip"
    assert f"hindsight-{day}.zip" in capsys.readouterr().err
    with zipfile.ZipFile(target) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
        files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
        assert sorted(names) == [f"hindsight-{day}/{name}" for name in files]
        assert archive.read(f"hindsight-{day}/index.html") == (site / "index.html").read_bytes()
    first = target.read_bytes()
    assert main(args) == 0
    assert target.read_bytes() == first  # same site, same bytes
    assert not list(project.glob(".*.partial"))
