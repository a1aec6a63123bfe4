"""What an incremental build takes from the last one, handed to each stage as one object.

A build for publishing has none (`build` decides once, at the top). An incremental build's
`Reuse` takes what the last build left from the live preview's `PreviewState` when there is
one, from `.hindsight-cache/` beside the site otherwise, and keeps what this build makes for
the next. Each stage asks it for its own part: the sheets read (load), what the checks and
the model found (validate), the similar statements and links (link), the plans (plan), the
record (compare), the spare site (write), and after the swap the site's record.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import publishing, search
from generator.incremental import record, sheets, similar, store
from generator.incremental.preview import PreviewState, write_record_later
from generator.linking import Links
from generator.model import Archive, Article
from generator.pages import Page
from generator.similarity import SimilarityRecord
from generator.validation import Checked, ContentFiles

SHEETS_STALE_AT_MOST = 32   # sheets the cache on disk may lack while the live preview runs


@dataclass
class SheetsBefore:
    """The sheets an earlier build read, for `contents.read_content`."""

    read: dict[str, tuple[str, bytes]] | None = None   # sheet -> (digest of its bytes, its value marshalled)
    values: dict[str, tuple[str, Any]] | None = None   # sheet -> (digest, its value), kept in memory
    settled: dict[str, tuple] | None = None            # sheets unchanged on disk for a while
    settled_registries: dict[str, tuple] | None = None


class Reuse:
    """An incremental build's link to the last build of the same site folder."""

    def __init__(self, output: Path, preview: PreviewState | None = None) -> None:
        self.output = output
        self.preview = preview
        self._sheets_read: dict[str, tuple[str, bytes]] = {}
        self._similar_from: str | None = None   # the digest of the similar statements taken, before linking
        self._feeds: tuple | None = None   # the whole-site feeds this build leaves: their owners, their paths

    # -- load ----------------------------------------------------------------

    def sheets_before(self) -> SheetsBefore:
        """Sheets whose bytes are those read before are not parsed again; the live preview's
        state holds them, so the cache is not read either, nor the sheets that have not
        changed on disk since."""
        preview = self.preview
        if preview is not None and preview.sheets is not None:
            read, values = preview.sheets, preview.values
        else:
            read, values = sheets.read_sheets_cache(store.cache_path(self.output, "sheets")), None
        self._sheets_read = read
        if preview is None:
            return SheetsBefore(read, values)
        return SheetsBefore(read, values, preview.settled, preview.settled_registries)

    def read(self, files: ContentFiles) -> None:
        """Note the sheets unchanged on disk for a while, for the live preview's next build."""
        if self.preview is not None:
            self.preview.settled, self.preview.settled_registries = files.settled, files.settled_registries

    def keep_sheets(self, files: ContentFiles) -> None:
        """Keep the sheets that passed their schema for the next build, even when another sheet
        has a problem (it is read again until it is fixed).

        The live preview keeps them in its state for its own next build, and writes the cache
        on disk (for a build from the command line) only once it lacks more than
        SHEETS_STALE_AT_MOST of them: a sheet missing from it, or changed since, is parsed
        again by that build, no more."""
        cache = store.cache_path(self.output, "sheets")
        kept = sheets.sheets_to_cache(files)
        preview, read_before = self.preview, self._sheets_read
        if preview is None:
            sheets.write_sheets_cache(cache, kept, read_before or {})
            return
        on_disk = preview.sheets_on_disk
        if on_disk is None or not cache.is_file() or len(kept.keys() ^ on_disk.keys()) + sum(
                on_disk.get(path, digest) != digest for path, (digest, _) in kept.items()) > SHEETS_STALE_AT_MOST:
            # The first build compares with what it read from disk, and writes only if that differs.
            sheets.write_sheets_cache(cache, kept, (read_before or {}) if on_disk is None else {})
            preview.sheets_on_disk = {path: digest for path, (digest, _) in kept.items()}
        preview.sheets = kept
        preview.values = {document.path: (kept[document.path][0], document.value) for document in files.articles
                          if document.path in kept}

    # -- validate ------------------------------------------------------------

    @property
    def checked(self) -> Checked | None:
        """What the checks across files found last time, kept by the live preview."""
        return self.preview.checked if self.preview is not None else None

    def models_before(self) -> tuple[dict[str, tuple[str, Article]] | None, dict[str, tuple[Any, dict]] | None]:
        """The articles, speakers and questions the live preview modelled last time."""
        if self.preview is None:
            return None, None
        return self.preview.articles, self.preview.registries

    def keep_models(self, files: ContentFiles, archive: Archive) -> None:
        if self.preview is not None:
            self.preview.articles = {article.source: (files.digests[article.source], article)
                                     for article in archive.articles if article.source in files.digests}
            self.preview.registries = {"people": (files.people.value, archive.people),
                                       "topics": (files.topics.value, archive.topics)}

    # -- link ----------------------------------------------------------------

    def similar_before(self) -> SimilarityRecord | None:
        """The similar statements found last time, if by this code: from the live preview's
        state (taken: it is changed in place, so not kept should linking fail), or from disk."""
        if self.preview is not None and self.preview.similar is not None:
            found, self.preview.similar = self.preview.similar, None
        else:
            found = similar.read_similar(self.output, store.code_digest())
        self._similar_from = found.digest if found is not None else None
        return found

    @property
    def links_before(self) -> Links | None:
        return self.preview.links if self.preview is not None else None

    def keep_links(self, links: Links, found_before: SimilarityRecord | None) -> None:
        """Keep the similar statements found: on disk when found anew, or brought up to date
        without the live preview. The preview keeps its own up to date in its state and leaves
        the one on disk as it was: still true of the statements it was found from, it is
        brought up to date by the next build that reads it. Without the preview, they are let
        go once on disk, before the pages are planned."""
        if self.preview is not None:
            self.preview.similar, self.preview.links = links.similarity, links
        if links.similarity.digest != self._similar_from and (self.preview is None or links.similarity is not found_before):
            similar.write_similar(self.output, store.code_digest(), links.similarity)
        if self.preview is None:
            links.similarity = None

    # -- plan and compare ----------------------------------------------------

    @property
    def plans(self) -> dict[str, Page] | None:
        """The last build's plans, by path, kept by the live preview."""
        return self.preview.plans if self.preview is not None else None

    def compare(self, pages: list[Page], archive: Archive, links: Links,
                sheet_digests: dict[str, str]) -> record.Comparison:
        """Which pages to render: those whose inputs changed since the last build, or every page
        when there is no record of the site in place. The live preview's state holds the record,
        plans and downloads of the build that made the site in place: none is read back."""
        preview = self.preview
        if preview is not None and preview.describes(self.output):
            changes = record.compare(pages, preview.record, archive, links, sheets=sheet_digests,
                                     plans_before=preview.plans)
            changes.downloads_before, changes.offline_before = preview.downloads, preview.offline
            return changes
        if preview is not None:
            preview.forget_site()
        return record.compare(pages, record.read_record(self.output), archive, links, sheets=sheet_digests)

    # -- write ---------------------------------------------------------------

    @property
    def spare(self) -> Path:
        return store.cache_path(self.output, "spare")

    def spare_to_start_from(self, changes: record.Comparison) -> Path | None:
        """The spare is the site before the one in place: close to it when the last build
        rendered few pages. After a build that rendered most (a template changed, a first
        build), nearly every file in it would be removed and linked again: slower than starting
        from an empty folder. Such a build leaves a copy of its own site as the spare instead
        (`copy_spare`), which is worth it."""
        previous = changes.previous
        worth_it = previous is not None and (rendered_few(previous) or (self.spare / publishing.SPARE_COPY).is_file())
        return self.spare if worth_it else None

    @property
    def spare_known(self) -> publishing.SpareContents | None:
        """What the spare holds, when the live preview made it and the site in place."""
        return self.preview.spare if self.preview is not None else None

    def search_files(self, search_on: bool) -> frozenset[str]:
        return self.preview.search_files() if self.preview is not None and search_on else frozenset()

    @staticmethod
    def copy_spare(changes: record.Comparison) -> bool:
        """Whether this build rendered most pages: then the site it replaces is no use as a spare,
        and a copy of the new site is made as the spare instead."""
        return not rendered_few(changes.record)

    def feeds_to_keep(self, owners: tuple) -> list[str] | None:
        """The whole-site feeds' paths, when the site in place is the live preview's last and
        has a feed for each of `owners` (the speakers and questions) and no other: they may stay."""
        preview = self.preview
        if preview is None or preview.feeds is None or preview.feeds[0] != owners \
                or not preview.describes(self.output):
            return None
        self._feeds = preview.feeds
        return sorted(preview.feeds[1])

    def feeds_made(self, owners: tuple, made: dict[str, bytes]) -> None:
        self._feeds = (owners, frozenset(made))

    # -- after the swap ------------------------------------------------------

    def keep_site(self, changes: record.Comparison, pages: list[Page], written: dict[str, int], copy: bool) -> None:
        """Write this build's record, for the next; the live preview keeps it in its state and
        writes it when idle (`write_remembered_record`), an empty stand-in meanwhile."""
        if self.preview is None:
            record.write_record(self.output, changes.record)
            return
        write_record_later(self.output)
        self.preview.remember_site(self.output, changes, pages, written, None if copy else self.spare,
                                   _shared_search_files(self.output, written), self._feeds)


def rendered_few(made: record.Record) -> bool:
    return made.rendered * 4 < max(len(made.pages), 1)


def _shared_search_files(site: Path, written: dict[str, int]) -> frozenset[str]:
    """The search index files of the new `site` that are the very files of the site it
    replaced (shards kept as they were, linked or left in place), by the inode of each
    shard's entry file: for the live preview's next spare (`PreviewState.remember_site`)."""
    shared = set()
    spare_shards: dict[str, bool] = {}
    for path in written:
        if not path.startswith(search.BUNDLES + "/") or path.count("/") < 2:
            continue
        shard = path.split("/")[1]
        if shard not in spare_shards:
            entry = f"{search.BUNDLES}/{shard}/pagefind-entry.json"
            spare_shards[shard] = _same_file(site / entry, store.cache_path(site, "spare") / entry)
        if spare_shards[shard]:
            shared.add(path)
    return frozenset(shared)


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.lstat(one).st_ino == os.lstat(other).st_ino
    except OSError:
        return False
