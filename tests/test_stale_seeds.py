"""Which seeds the live preview extracts again: found without parsing every claim sheet. A
sheet or seed the file system reports unchanged since the last run is not read again; any
other is, so an edit is never missed."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from generator import contents, readers
from generator.extraction import seeds as seeds_module
from generator.extraction.seeds import stale_seeds
from generator.incremental import sheets as kept_sheets
from generator.incremental import store

TEXT = b"Talks go on, officials say.\n\nThe minister said talks would go on.\n"


def _project(tmp_path: Path, fingerprint: str | None = None) -> Path:
    """A content folder with one sheet extracted from seeds/talks.txt, and the seed."""
    project = tmp_path / "project"
    (project / "content" / "articles" / "2024").mkdir(parents=True)
    (project / "seeds").mkdir()
    (project / "seeds" / "talks.txt").write_bytes(TEXT)
    fingerprint = fingerprint or hashlib.sha256(TEXT).hexdigest()
    _sheet(project).write_text(f"article:\n  title: Talks\n  seed: seeds/talks.txt\n  seed_sha256: {fingerprint}\n"
                               "claims: []\n", "utf-8")
    return project / "content"


def _sheet(project: Path) -> Path:
    return project / "content" / "articles" / "2024" / "talks.yaml"


def _rewrite(path: Path, raw: bytes) -> None:
    """New bytes of the same size, with the modification time put back: only the change time
    (which no one can set) tells."""
    status = path.stat()
    time.sleep(0.02)
    path.write_bytes(raw)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size


@pytest.fixture
def settled_at_once(monkeypatch):
    """Files count as settled as soon as they are written (a test cannot wait two seconds)."""
    monkeypatch.setattr(contents, "SETTLED_SECONDS", 0)
    time.sleep(0.02)


def _no_reading(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("read again")
    monkeypatch.setattr(readers, "parse_file", refuse)
    monkeypatch.setattr(seeds_module, "read_seed_bytes", refuse)


def test_no_sheet_is_read_when_seeds_holds_no_seed(tmp_path, monkeypatch):
    content = _project(tmp_path)
    (content.parent / "seeds" / "talks.txt").unlink()
    (content.parent / "seeds" / "notes.md").write_text("not a seed", "utf-8")
    _no_reading(monkeypatch)
    assert stale_seeds(content) == []
    assert not kept_sheets.seed_index_path(content).exists()


def test_unchanged_sheets_and_seeds_are_not_read_again(tmp_path, monkeypatch, settled_at_once):
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    _no_reading(monkeypatch)
    assert stale_seeds(content) == []


def test_a_sheet_edited_since_is_read_again(tmp_path, settled_at_once):
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    sheet = _sheet(content.parent)
    _rewrite(sheet, sheet.read_bytes().replace(hashlib.sha256(TEXT).hexdigest().encode(), b"f" * 64))
    assert [seed.name for seed in stale_seeds(content)] == ["talks.txt"]


def test_a_seed_edited_since_is_read_again(tmp_path, settled_at_once):
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    _rewrite(content.parent / "seeds" / "talks.txt", TEXT.replace(b"Talks", b"Walks"))
    assert [seed.name for seed in stale_seeds(content)] == ["talks.txt"]
    assert [seed.name for seed in stale_seeds(content)] == ["talks.txt"]   # until it is extracted again


def test_a_seed_swapped_for_a_link_is_refused_as_before(tmp_path, settled_at_once):
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    seed = content.parent / "seeds" / "talks.txt"
    (tmp_path / "elsewhere.txt").write_bytes(TEXT)
    seed.unlink()
    seed.symlink_to(tmp_path / "elsewhere.txt")
    assert [seed.name for seed in stale_seeds(content)] == ["talks.txt"]


def test_a_sheet_that_became_unreadable_makes_its_seed_stale(tmp_path, settled_at_once):
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    sheet = _sheet(content.parent)
    _rewrite(sheet, sheet.read_bytes().replace(b"  title: Talks\n", b" title: Talks\n "))
    assert [seed.name for seed in stale_seeds(content)] == ["talks.txt"]


def test_a_new_sheet_taking_the_seed_first_is_seen(tmp_path, settled_at_once):
    """Sheets are taken in path order: an earlier sheet added since holds the seed, with its own
    fingerprint."""
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    (content / "articles" / "2023").mkdir()
    (content / "articles" / "2023" / "copy.yaml").write_text(
        f"article:\n  seed: seeds/talks.txt\n  seed_sha256: {'e' * 64}\nclaims: []\n", "utf-8")
    assert [seed.name for seed in stale_seeds(content)] == ["talks.txt"]


def test_sheets_written_just_now_are_not_kept(tmp_path):
    """A write within the clock's tick of the reading could leave the file's times unchanged:
    such files are read again next time, never taken from the index."""
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    assert kept_sheets.read_seed_index(content) == ({}, {})


def test_a_damaged_index_is_ignored(tmp_path, settled_at_once):
    content = _project(tmp_path)
    assert stale_seeds(content) == []
    index = kept_sheets.seed_index_path(content)
    assert index.parent == store.cache_path(content, "seeds").parent == content.parent / ".hindsight-cache"
    sheets_kept, seeds_kept = kept_sheets.read_seed_index(content)
    assert list(sheets_kept) == ["2024/talks.yaml"] and list(seeds_kept) == ["talks.txt"]
    index.write_bytes(index.read_bytes()[:-3] + b"xyz")
    assert kept_sheets.read_seed_index(content) == ({}, {})
    sheet = _sheet(content.parent)
    _rewrite(sheet, sheet.read_bytes().replace(hashlib.sha256(TEXT).hexdigest().encode(), b"f" * 64))
    assert [seed.name for seed in stale_seeds(content)] == ["talks.txt"]


def test_a_read_only_project_still_answers(tmp_path, settled_at_once, monkeypatch):
    content = _project(tmp_path)

    def cannot_write(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(store, "write_sealed", cannot_write)
    assert stale_seeds(content) == []
    (content.parent / "seeds" / "new.txt").write_bytes(TEXT + b"more\n")
    assert [seed.name for seed in stale_seeds(content)] == ["new.txt"]
