"""What the live preview keeps between its rebuilds, so that a rebuild after one edit reads
none of it back from `.hindsight-cache/` nor works it out again.

Consumes each build's sheets, models, links, record, plans and downloads; the next build
uses them where it would use what is on disk, under the same checks. The record itself is
written to disk only when the preview is idle (`write_remembered_record`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import exports, search
from generator.incremental.record import Comparison, Record, record_path, write_record
from generator.linking import Links
from generator.model import Article
from generator.pages import Page
from generator.publishing import MARKER, SpareContents, build_lock
from generator.validation import Checked


@dataclass
class PreviewState:
    """What a long-running process (the live preview) keeps of its last incremental build, so
    that the next one reads none of it back from `.hindsight-cache/` nor works it out again:
    the sheets read (their cache entries, their values, and their bytes while unchanged on
    disk), the articles, speakers and questions modelled from them, what the checks across
    sheets found, the links and similar statements found, and, while the site in place is
    the one that build made, its record, its plans, its downloads and offline search rows,
    its files and what tells its spare from it. Each is used where the build would use what
    is on disk, under the same checks, or where it was made from the very same objects; the
    site's part only while the record on disk is the very file that build wrote (another
    build of the same folder, or one that failed after the swap, replaces or removes it)."""

    sheets: dict[str, tuple[str, bytes]] | None = None   # the sheets cache's entries, as `contents` keeps them
    sheets_on_disk: dict[str, str] | None = None   # the sheets cache on disk, as this process last wrote it: sheet -> digest
    values: dict[str, tuple[str, Any]] = field(default_factory=dict)      # sheet -> (digest, its value)
    settled: dict[str, tuple] = field(default_factory=dict)   # sheets unchanged on disk for a while: path -> (stat, digest, bytes)
    settled_registries: dict[str, tuple] = field(default_factory=dict)   # the same: path -> (stat, document, problems)
    articles: dict[str, tuple[str, Article]] = field(default_factory=dict)   # sheet -> (digest, its article)
    registries: dict[str, tuple[Any, dict]] = field(default_factory=dict)   # people, topics -> (value, model)
    checked: Checked = field(default_factory=Checked)   # what the checks across files found
    similar: tuple[str, dict] | None = None   # the similar statements found, as `linking` hands them back
    links: Links | None = None   # the last build's links
    site: tuple[str, int, int, int] | None = None   # the record file written: path, inode, change time, size
    record: Record | None = None
    plans: dict[str, Page] = field(default_factory=dict)   # path -> the last build's plan of the page
    downloads: exports.Downloads | None = None
    offline: exports.OfflineIndex | None = None
    files: frozenset[str] | None = None   # every file of the site in place
    spare: SpareContents | None = None   # what the spare holds, when this process made it and the site
    searched: frozenset[str] = frozenset()   # the search index's files among `files`
    feeds: tuple | None = None   # the whole-site feeds in the site: whose they are (speakers, questions), their paths
    # Whether `record` is on disk too: the live preview writes it when idle (`write_remembered_record`),
    # not after each build; until then the record file is an empty stand-in.
    record_on_disk: bool = False

    def describes(self, output: Path) -> bool:
        """Whether the site in place at `output` is the one the remembered build made."""
        return self.site is not None and self.site == _file_key(record_path(output)) \
            and (output / MARKER).is_file()

    def remember_site(self, output: Path, changes: Comparison, pages: list[Page], written: dict[str, int],
                      spare: Path | None = None, shared: frozenset[str] = frozenset(),
                      feeds: tuple | None = None) -> None:
        """After a build's record is written, or its stand-in (`write_record_later`): its record,
        plans and downloads; the files of its site (`written` by it, or `shared` with the site
        before: search index shards kept, and the pages it kept); and, when the site it
        replaced became the `spare`, what that holds, if this process made that site too."""
        self.site = _file_key(record_path(output))
        self.record_on_disk = False
        self.record, self.downloads, self.offline = changes.record, changes.downloads, changes.offline
        self.plans = {page.path: page for page in pages}
        self.feeds = feeds
        replaced = frozenset(written).union(page.path for page in changes.stale) - shared
        before, self.files = self.files, frozenset(changes.record.sizes).union(written)
        self.searched = frozenset(path for path in written if path.startswith(search.BUNDLES + "/"))
        key = SpareContents.key_of(spare) if spare is not None and before is not None else None
        self.spare = SpareContents(before, replaced, key) if key is not None else None

    def forget_site(self) -> None:
        self.site, self.record, self.plans, self.downloads, self.files, self.spare = None, None, {}, None, None, None
        self.offline, self.searched, self.feeds = None, frozenset(), None

    def search_files(self) -> frozenset[str]:
        """The search index's files in the site in place, as far as this process knows."""
        return self.searched if self.spare is not None else frozenset()


def _file_key(path: Path) -> tuple[str, int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return str(path), stat.st_ino, stat.st_ctime_ns, stat.st_size


def write_record_later(output: Path) -> None:
    """An empty record file in place of the record: a build that reads it finds no record (and
    renders every page), while the live preview, which keeps the record in its state, knows
    the site in place by this very file (`PreviewState.describes`) and writes the record when
    idle: writing it after every edit would slow each rebuild of a large archive."""
    path = record_path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")


def write_remembered_record(output: Path, state: PreviewState) -> bool:
    """Write the record `state` holds, if not yet on disk and the site in place is still the
    one it describes (another build of the folder may have replaced it): True if written.
    Takes the build lock, so never call it from within a build."""
    if state.record is None or state.record_on_disk:
        return False
    with build_lock(output):
        if not state.describes(output):
            return False
        write_record(output, state.record)
        state.site, state.record_on_disk = _file_key(record_path(output)), True
    return True
