"""Publishing stage: a finished site takes the old one's place in one step, or not at all.

A build writes into a staging folder beside the site (`open_staging`); `swap` puts it in the
site's place at once only when everything is written, and the site it replaces becomes the
next incremental build's spare (`adopt_spare`) or is removed in the background. One build at a
time per site folder (`build_lock`); a build killed midway is cleaned up by the next (`recover`).
A failed build removes its staging folder and leaves the site as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from generator.writers import OutputError, copy_tree


MARKER = ".hindsight-site"  # marks a folder as a built site that a new build may replace


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


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


def mark_site(staging: Path) -> dict[str, int]:
    """Mark the folder as a site hindsight built (so the next build may replace it). Returns
    the files written and their sizes, as `copy_tree` does."""
    marks = {MARKER: b"Built by hindsight build; replaced by the next build.\n",
             ".nojekyll": b""}   # GitHub Pages: publish the files as they are
    for name, data in marks.items():
        (staging / name).write_bytes(data)
    return {name: len(data) for name, data in marks.items()}


def finish(staging: Path, static: Path) -> dict[str, int]:
    """The static assets, and the marks that say the folder is a finished site; returns the
    files written and their sizes."""
    return {**copy_tree(static, staging, "static"), **mark_site(staging)}


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
