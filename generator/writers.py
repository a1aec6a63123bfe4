"""Writing stage: puts rendered files on disk without ever leaving a half-written site.

Consumes a mapping of output paths to bytes; produces a staging folder next to the output
folder (`site.XXXX`), and `swap` puts it in the site's place in one step only once everything
is written (the previous site is moved aside and removed in the background). A build that fails removes its
staging folder and leaves the previous site as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime
import errno
import functools
import glob
import marshal
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

MARKER = ".hindsight-site"  # marks a folder as a built site that a new build may replace


class OutputError(Exception):
    """The output folder cannot be written or replaced."""


def open_staging(output: Path) -> Path:
    """A fresh empty folder beside the output folder, on the same file system."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output} exists and is not a folder")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise OutputError(f"{output} is not empty and was not made by hindsight build; "
                          "choose another --output folder or empty it first")
    staging = Path(tempfile.mkdtemp(prefix=output.name + ".", suffix=".building", dir=output.parent))
    # mkdtemp makes the folder private (0700); the published site must be readable like any
    # folder made with mkdir, or a web server running as another user is refused.
    os.chmod(staging, 0o777 & ~_umask())
    return staging


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


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


def mark_site(staging: Path) -> dict[str, int]:
    """Mark the folder as a site hindsight built (so the next build may replace it). Returns
    the files written and their sizes, as `copy_tree` does."""
    marks = {MARKER: b"Built by hindsight build; replaced by the next build.\n",
             ".nojekyll": b""}   # GitHub Pages: publish the files as they are
    for name, data in marks.items():
        (staging / name).write_bytes(data)
    return {name: len(data) for name, data in marks.items()}


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


def adopt_spare(spare: Path, staging: Path, site: Path, kept: list[str],
                known: SpareContents | None = None, may_stay: frozenset[str] = frozenset()) -> list[str]:
    """Start the staging folder from `spare`, the site before the last one, instead of empty:
    of `kept` (pages unchanged since the site in place), those the spare already holds as
    the very same file (hard links to it) stay, with their folders; every other file in the
    spare is removed, and every folder left empty. Returns the kept pages still to link.

    Making ten thousand folders costs far more than listing them (a folder is made, and
    journaled, on disk; a listing is read): at 10,000 claims this is most of what keeping
    the unchanged pages took. Nothing in the spare is trusted: a file stays only when it
    is, by inode, the site's own file at that path. Without a spare, the staging folder
    stays empty and every kept page is linked.

    A long-running process that made both the spare and the site in place knows what tells
    them apart (`known`): then only those files are looked at, not the spare's every folder
    (a third of a rebuild at 10,000 claims), as long as the spare is still the folder it
    left there (`SpareContents.describes`). Files of `may_stay` (the search index's) stay
    too where the site in place has the same file, and are not linked where it does not."""
    if not spare.is_dir() or spare.is_symlink():
        return kept
    trusted = known is not None and known.describes(spare)   # looked at before the move changes its ctime
    os.replace(spare, staging)   # the empty staging folder is replaced: the spare is private from here
    if trusted:
        return _adopt_known(staging, site, kept, known, may_stay)
    wanted, site_text = set(kept), str(site)

    def same_as_site(relative: str, inode: int) -> bool:
        try:
            return os.lstat(f"{site_text}/{relative}").st_ino == inode
        except OSError:
            return False

    def clean(folder: str, prefix: str) -> bool:
        """Remove what must not stay under `folder`; True when nothing is left in it."""
        left = 0
        with os.scandir(folder) as entries:
            listed = list(entries)
        for entry in listed:
            relative = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if clean(entry.path, relative + "/"):
                    os.rmdir(entry.path)
                else:
                    left += 1
            elif relative in wanted and same_as_site(relative, entry.inode()):
                wanted.discard(relative)
                left += 1
            else:
                os.unlink(entry.path)
        return left == 0

    clean(str(staging), "")
    return sorted(wanted)


@dataclass(frozen=True)
class SpareContents:
    """What a spare holds, as the process that made it knows: every file of the site it was
    (`files`), which of them the site in place has in another file (`replaced`: written
    again by the build after; the rest are hard links to the same file), and the spare
    folder's inode and change time when it was moved there (`key`)."""

    files: frozenset[str]
    replaced: frozenset[str]
    key: tuple[int, int]

    @staticmethod
    def key_of(spare: Path) -> tuple[int, int] | None:
        try:
            stat = os.lstat(spare)
        except OSError:
            return None
        return stat.st_ino, stat.st_ctime_ns

    def describes(self, spare: Path) -> bool:
        return self.key == self.key_of(spare)


def _adopt_known(staging: Path, site: Path, kept: list[str], known: SpareContents,
                 may_stay: frozenset[str] = frozenset()) -> list[str]:
    """`adopt_spare` with the spare's files known: each file that is not a kept page (or one
    of `may_stay`) the site in place shares is removed. A folder where nothing stays (a
    search index shard's thousand files, a removed claim's page) is moved aside whole and
    removed in the background, as a retired site is, so no folder is left empty."""
    wanted = set(kept)
    staying = (known.files & (wanted | may_stay)) - known.replaced
    staging_text = str(staging)
    going = known.files - staying
    holding: set[str] = set()   # the folders something stays in
    for folder in {path.rpartition("/")[0] for path in staying}:
        while folder and folder not in holding:
            holding.add(folder)
            folder = folder.rpartition("/")[0]
    emptied, unlinked = set(), []
    for path in going:   # moved aside with the highest folder it is in where nothing stays, else unlinked
        below = next((folder for folder in _folders_of(path) if folder not in holding), None)
        if below is None:
            unlinked.append(path)
        else:
            emptied.add(below)
    if emptied:
        retired = Path(tempfile.mkdtemp(prefix=site.name + ".", suffix=".old", dir=site.parent))
        for number, folder in enumerate(sorted(emptied)):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{staging_text}/{folder}", retired / str(number))
        remove_in_background(retired)
    for path in unlinked:   # each in a folder where a file stays: no folder is left empty
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{staging_text}/{path}")
    return sorted(wanted - staying)


def _folders_of(path: str) -> list[str]:
    """The folders `path` is in, the highest first: a/b/c.html gives a, a/b."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]


def swap(staging: Path, output: Path, spare: Path | None = None) -> None:
    """Move the finished staging folder into place; the old site is removed only afterwards,
    or, given a `spare` place, kept there for the next build to start from (`adopt_spare`).

    Where the system can (Linux), the two folders trade places in one step, so that at no
    moment is there no site: the previous one until the exchange, the new one after it, and
    the old site then under the staging folder's name, which `recover` removes if the build
    is killed before it does. Elsewhere the old site is moved aside first, and the next
    build, or `hindsight serve`, which builds first, puts it back (`recover`) if the build
    died between the two moves."""
    output = output.resolve()
    if output.is_dir() and not output.is_symlink() and _exchange(staging, output):
        _retire(staging, output, spare)
        return
    retired = None
    if output.exists():
        retired = Path(tempfile.mkdtemp(prefix=output.name + ".", suffix=".old", dir=output.parent))
        try:
            os.replace(output, retired / output.name)
        except OSError:
            shutil.rmtree(retired, ignore_errors=True)
            raise
    try:
        os.replace(staging, output)
    except OSError:
        if retired is not None:
            os.replace(retired / output.name, output)
            shutil.rmtree(retired, ignore_errors=True)
        raise
    if retired is not None:
        if spare is not None:
            discard_spare(spare)
            try:
                spare.parent.mkdir(parents=True, exist_ok=True)
                os.replace(retired / output.name, spare)
                os.rmdir(retired)
                return
            except OSError:
                pass
        remove_in_background(retired)


def _retire(previous: Path, output: Path, spare: Path | None) -> None:
    """After an exchange: keep the `previous` site as the `spare`, or remove it in the
    background. The new site is published by now: what cannot be done here is left to the
    next build's `recover` (the previous site keeps the staging folder's name)."""
    with contextlib.suppress(OSError):
        if spare is not None:
            discard_spare(spare)
            with contextlib.suppress(OSError):
                spare.parent.mkdir(parents=True, exist_ok=True)
                os.replace(previous, spare)
                return
        retired = Path(tempfile.mkdtemp(prefix=output.name + ".", suffix=".old", dir=output.parent))
        os.replace(previous, retired / output.name)
        remove_in_background(retired)


_RENAME_EXCHANGE = 2   # linux/fs.h: renameat2 swaps the two paths


@functools.cache
def _renameat2():
    """libc's renameat2 (Linux, glibc 2.28 and later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step; False where the system or the file system cannot
    (then nothing was moved)."""
    function = _renameat2()
    if function is None:
        return False
    at_cwd = -100   # AT_FDCWD: the paths are taken as they are
    if function(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(first), None, str(second))


def discard_spare(spare: Path) -> None:
    """Remove a spare no build will start from, in the background like a retired site."""
    if not spare.is_dir():
        return
    # Beside the site, named as a retired site is: a removal cut short is finished by `recover`.
    retired = Path(tempfile.mkdtemp(prefix=spare.name + ".", suffix=".old", dir=spare.parent.parent))
    os.replace(spare, retired / spare.name)
    remove_in_background(retired)


# Run by a detached interpreter: remove the folder given, quietly.
_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def remove_in_background(folder: Path) -> None:
    """Delete a retired site without making the build wait for it (tens of thousands of
    folders take seconds): a detached process removes it, and finishes even after this
    one has exited. Where no process can be started it is removed here and now; and
    whatever a killed removal leaves is removed by the next build's `recover`.

    The folder is locked (flock) before the process starts, and the process inherits the
    lock and holds it until it ends: `recover` leaves a locked folder to its remover. (The
    next build would otherwise remove it too, waiting for the thousands of deletions a live
    preview's first rebuild leaves running.)"""
    if not _detached(folder, _REMOVE, str(folder)):
        shutil.rmtree(folder, ignore_errors=True)


def _detached(folder: Path, script: str, *arguments: str) -> bool:
    """Start `script` in a detached interpreter that outlives this one, holding the flock on
    `folder` (taken here, inherited, released when it ends) so that `recover` leaves the
    folder to it. False when no process could be started."""
    locked = _lock_folder(folder)
    try:
        subprocess.Popen([sys.executable, "-c", script, *arguments], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                         pass_fds=() if locked is None else (locked,))
        return True
    except OSError:
        return False
    finally:
        if locked is not None:
            os.close(locked)


# Run by a detached interpreter: give the folder argv[2] a hard link to every file of the site
# argv[1], folders and all, under argv[2]/spare; mark it complete and move it to argv[3] (when
# nothing is there), then remove argv[2]. Anything going wrong leaves no spare, only less speed.
_COPY = """import os, shutil, sys
site, work, spare = sys.argv[1:4]
copy = os.path.join(work, "spare")
try:
    for top, folders, names in os.walk(site):
        here = copy + top[len(site):]
        os.mkdir(here)
        for name in names:
            os.link(os.path.join(top, name), os.path.join(here, name), follow_symlinks=False)
    open(os.path.join(copy, %r), "wb").close()
    os.rename(copy, spare)
except OSError:
    pass
shutil.rmtree(work, ignore_errors=True)
"""
SPARE_COPY = ".hindsight-spare-copy"   # in a spare made by `copy_site_in_background`, once complete


def copy_site_in_background(site: Path, spare: Path) -> None:
    """Make the next incremental build's spare (`adopt_spare`) after a build that rendered most
    pages, when the site it replaced is no use as one: a copy of the new site by hard links,
    made by a detached process after this build has returned (the editor is reading the site
    meanwhile). Without it the next build links all the unchanged pages itself: at 10,000
    claims a second of making folders. The copy is made beside the site, named as a retired
    site is and locked as it is (`recover` leaves it alone while it is made and removes what a
    killed copy left), and moved to `spare` only when complete."""
    discard_spare(spare)
    spare.parent.mkdir(parents=True, exist_ok=True)
    site = site.resolve()
    work = Path(tempfile.mkdtemp(prefix=site.name + ".", suffix=".old", dir=site.parent))
    if not _detached(work, _COPY % SPARE_COPY, str(site), str(work), str(spare)):
        shutil.rmtree(work, ignore_errors=True)


def _lock_folder(folder: Path, wait: bool = True) -> int | None:
    """A descriptor of `folder` holding an exclusive flock on it; None where there is no flock,
    or, without `wait`, when another process holds it."""
    if fcntl is None:  # pragma: no cover - Windows
        return None
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


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


def cache_path(output: Path, kind: str) -> Path:
    """Where a build keeps `kind` between builds (the incremental record, the sheets read, the
    similar statements found, the search record, the spare site): beside the site folder, in
    `.hindsight-cache/`, never in it."""
    output = output.resolve()
    return output.parent / ".hindsight-cache" / f"{output.name}.{kind}"


# A file only this program writes and reads back (the incremental record, the sheets already
# read): a header naming what it holds, its version and the Python that wrote it (marshal's
# format is Python's own), then a CRC-32 of the body. Anything else, or a body that does not
# match its checksum (cut short, damaged, another version), is refused: read as if absent.
# (CRC-32 finds damage, not forgery, at a gigabyte a second; whoever can write here can
# write the site itself.)
_SEALED = b"hindsight %s %d python %s\n"


def write_sealed(path: Path, kind: str, version: int, value) -> None:
    """Write `value` (plain values only: dict, list, tuple, str, bytes, numbers, None) to
    `path` whole or not at all: through a temporary file renamed over it."""
    body = marshal.dumps(value)
    header = _SEALED % (kind.encode(), version, sys.version.encode("unicode_escape"))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    with open(temporary, "wb") as stream:
        stream.write(header + zlib.crc32(body).to_bytes(4, "big"))
        stream.write(body)
    os.replace(temporary, path)


def read_sealed(path: Path, kind: str, version: int):
    """The value `write_sealed` wrote to `path`; None when it is missing, unreadable, cut
    short, changed since, or of another kind, version or Python."""
    header = _SEALED % (kind.encode(), version, sys.version.encode("unicode_escape"))
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    checksum, body = raw[len(header):len(header) + 4], memoryview(raw)[len(header) + 4:]
    if not raw.startswith(header) or zlib.crc32(body).to_bytes(4, "big") != checksum:
        return None
    try:
        return marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None


@contextlib.contextmanager
def build_lock(output: Path, on_wait: Callable[[Path], None] | None = None) -> Iterator[None]:
    """Hold the lock on building `output`; when another build holds it, call `on_wait` and wait.

    The lock is a file beside the output folder (`.site.lock`), locked with flock so that a
    killed build releases it, and removed when the build ends.
    """
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    path = output.parent / f".{output.name}.lock"
    if fcntl is None:  # pragma: no cover - Windows: no flock; builds are not serialised
        yield
        return
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait(output)
                    on_wait = None
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:  # the build before may have removed the file it locked: lock the one there now
                current = os.stat(path).st_ino == os.fstat(descriptor).st_ino
            except FileNotFoundError:
                current = False
        except BaseException:
            os.close(descriptor)
            raise
        if current:
            break
        os.close(descriptor)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(descriptor)


def recover(output: Path) -> None:
    """Clean up after a build that was killed: remove its staging folder, and put the previous
    site back if the build died between moving it aside and moving the new one in. Call it
    while holding `build_lock`, so no running build's folders are touched."""
    output = output.resolve()
    if not output.parent.is_dir():
        return
    for retired in sorted(output.parent.glob(f"{glob.escape(output.name)}.*.old")):
        locked = _lock_folder(retired, wait=False)
        if locked is None and fcntl is not None:
            continue   # its background remover is at work (`remove_in_background`), or it is gone
        try:
            previous = retired / output.name
            if not output.exists() and (previous / MARKER).is_file():
                os.replace(previous, output)
            shutil.rmtree(retired, ignore_errors=True)
        finally:
            if locked is not None:
                os.close(locked)
    for staging in sorted(output.parent.glob(f"{glob.escape(output.name)}.*.building")):
        shutil.rmtree(staging, ignore_errors=True)
