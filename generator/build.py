"""The build pipeline: content folder in, finished site folder out.

`build()` reads as the table of contents: load and validate the content, link claims across
years, render every page and export, write them to a staging folder, index it for search,
and swap it into place. Each step is a function below; only `write`, `index` and `swap`
touch the disk. A build that stops at any step leaves the previous site untouched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from generator import exports, feeds, search, writers
from generator.contents import load_archive
from generator.linking import Links, link_archive
from generator.model import Archive
from generator.pages import TEMPLATES, Page, plan_pages, render_page
from generator.readers import Problem


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    output: Path = Path("site")
    base_url: str | None = None      # None: content/site.yaml's base_url
    search: bool = True
    extract: bool = True              # extract seeds that have no sheet yet or whose text changed
    templates: Path = TEMPLATES


@dataclass
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # things worth telling the editor, not errors
    built: bool = False
    base_url: str = ""                 # the published address the site was built for
    pages: int = 0
    files: int = 0
    size: int = 0                      # bytes written, search index included
    seconds: float = 0.0


def build(options: BuildOptions) -> BuildResult:
    started = time.monotonic()
    extract_new_seeds(options)
    archive, problems = load(options.content)
    if archive is None:
        return BuildResult(problems=problems)
    base_url = options.base_url or archive.site.base_url
    links = link(archive)
    pages = plan_pages(archive, links, base_url, options.templates)
    files = render(pages, options.templates) | export(archive, links, pages, base_url)
    staging = writers.open_staging(options.output)
    try:
        write(staging, files, options.templates)
        notes = index(staging, archive) if options.search else []
        swap(staging, options.output)
    except BaseException:
        writers.discard(staging)
        raise
    return BuildResult(problems=problems, notes=notes, built=True, base_url=base_url, pages=len(pages),
                       files=_count_files(options.output), size=_folder_size(options.output),
                       seconds=time.monotonic() - started)


# ---------------------------------------------------------------------------
# The steps, in order


def extract_new_seeds(options: BuildOptions) -> None:
    """Seeds with no claim sheet yet, or whose text changed, are extracted before loading.

    Extraction only adds claims and fills empty fields, so editors' work is safe; its
    problems surface in the load step that follows.
    """
    if not options.extract:
        return
    from generator.commands.extract import extract, stale_seeds

    seeds = stale_seeds(options.content)
    if seeds:
        extract(options.content, seeds)


def load(content: Path) -> tuple[Archive | None, list[Problem]]:
    """Read every content file and validate it; no archive when anything is wrong."""
    return load_archive(content)


def link(archive: Archive) -> Links:
    return link_archive(archive)


def render(pages: list[Page], templates: Path) -> dict[str, bytes]:
    return {page.path: render_page(page, templates) for page in pages}


def export(archive: Archive, links: Links, pages: list[Page], base_url: str) -> dict[str, bytes]:
    """Feeds and downloads: Atom, sitemap, JSON, CSV and the offline search index."""
    listed = [page.path for page in pages if page.path != "404.html"]
    return {
        "feed.xml": feeds.atom_feed(archive, links, base_url),
        "sitemap.xml": feeds.sitemap(listed, base_url),
        "claims.json": exports.claims_json(archive, links, base_url),
        "claims.csv": exports.claims_csv(archive, links, base_url),
        "search-fallback.js": exports.search_fallback(archive, links),
    }


def write(staging: Path, files: dict[str, bytes], templates: Path) -> None:
    writers.write_files(staging, files)
    writers.copy_tree(templates / "static", staging, "static")


def index(staging: Path, archive: Archive) -> list[str]:
    """Pagefind over the claim pages; an archive without claims has nothing to index."""
    if not archive.claims():
        return []
    return search.index_site(staging, archive.site.language)


def swap(staging: Path, output: Path) -> None:
    writers.swap(staging, output)


def _count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file())


def _folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())
