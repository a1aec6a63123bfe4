"""Writing stage: puts files on disk: rendered pages into a staging folder (`publishing` makes
it and swaps it in), unchanged pages linked from the site in place, the offline zip, and a
text file replaced whole or not at all (`write_text_atomically`).
"""

from __future__ import annotations

import datetime
import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath


class OutputError(Exception):
    """The output folder cannot be written or replaced."""


def safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise OutputError(f"refusing to write outside the site: {path!r}")
    return relative


def write_files(staging: Path, files: dict[str, bytes]) -> None:
    """Write every file, in sorted order; the same files always give the same folder.

    Plain `open` and no fsync: the staging folder is private until `swap`, and a crash
    before the swap leaves the previous site in place."""
    made: set[str] = set()
    staging_text = str(staging)
    for path in sorted(files):
        folder, _, name = _checked(path).rpartition("/")   # text, not pathlib: a site has 124,000 pages
        folder = f"{staging_text}/{folder}" if folder else staging_text
        if folder not in made:
            _make_folder(folder)
            made.add(folder)
        descriptor = os.open(f"{folder}/{name}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            data, written = memoryview(files[path]), 0
            while written < len(data):
                written += os.write(descriptor, data[written:])
        finally:
            os.close(descriptor)


def _make_folder(folder: str) -> None:
    """One mkdir where the parent exists (a page's own folder, nearly always); else all of them."""
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(folder, exist_ok=True)


def link_files(site: Path, staging: Path, paths: list[str]) -> None:
    """Give the staging folder the site's files at `paths`, unchanged: hard links, so nothing
    is copied; a copy where the file system has no links. Nothing may write to these files
    afterwards (it would change the site in place too): only new files are written.

    Two system calls a file (a folder for it, a link), and as little else as can be: an
    incremental build keeps tens of thousands of pages this way."""
    made: set[str] = set()
    site_text, staging_text = str(site), str(staging)
    for path in sorted(paths):
        folder, _, _ = _checked(path).rpartition("/")
        if folder and folder not in made:
            _make_folder(f"{staging_text}/{folder}")
            made.add(folder)
        _link_or_copy(f"{site_text}/{path}", f"{staging_text}/{path}")


def link_tree(source: Path, target: Path) -> None:
    """Give `target` every file under `source`, unchanged, as `link_files` does: a whole
    folder of many small files (a search index shard), walked once."""
    source_text, target_text = str(source), str(target)
    for top, _, names in os.walk(source_text):
        here = target_text + top[len(source_text):]
        os.makedirs(here, exist_ok=True)
        for name in names:
            _link_or_copy(os.path.join(top, name), os.path.join(here, name))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:   # a file system without hard links
        shutil.copyfile(source, target)


def _checked(path: str) -> str:
    """`path` when it is a plain relative path inside the site (the usual case, told at once
    from the text); anything else is looked at closely by `safe_relative`."""
    if not path or path[0] in "/." or "/." in path or "//" in path or "\\" in path or path.endswith("/"):
        return safe_relative(path).as_posix()
    return path


def copy_tree(source: Path, staging: Path, under: str) -> dict[str, int]:
    """Copy static assets (stylesheets, scripts) into the staging folder. Returns the files
    written (paths in the site) and their sizes."""
    written = {}
    for path in sorted(source.rglob("*")):
        if path.is_file():
            relative = path.relative_to(source)
            target = staging / under / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = path.read_bytes()
            target.write_bytes(data)
            written[f"{under}/{relative.as_posix()}"] = len(data)
    return written


def write_zip(site: Path, target: Path, folder: str, day: datetime.date) -> None:
    """Pack the finished site into `target` under one top folder, for reading offline.

    Entries are sorted and stamped with `day`, so the same site gives the same bytes; the
    zip is written beside its final name and renamed into place only when complete.
    """
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    temporary = target.with_name(f".{target.name}.partial")
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for path in sorted(p for p in site.rglob("*") if p.is_file()):
                entry = zipfile.ZipInfo(f"{folder}/{path.relative_to(site).as_posix()}", date_time=stamp)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                archive.writestr(entry, path.read_bytes())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Write a text file through a temporary file in the same folder, then rename it over the
    target: a crash leaves either the old file or the new one, never half of one. The file keeps
    its mode (a new one gets the umask's, not mkstemp's 0600); line breaks are written as given."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def files_under(root: Path, folder: str) -> dict[str, int]:
    """Every file under `folder` of `root`, by path from `root`, and its size."""
    found = {}
    folders = [folder]
    while folders:
        relative = folders.pop()
        with os.scandir(root / relative) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(f"{relative}/{entry.name}")
                elif entry.is_file(follow_symlinks=False):
                    found[f"{relative}/{entry.name}"] = entry.stat(follow_symlinks=False).st_size
    return found
