"""Indexing stage: builds the Pagefind search index of a written site, in one call.

Consumes a folder of finished HTML pages (the staging folder, before it is swapped into
place); produces its `pagefind/` bundle. Only claim pages carry `data-pagefind-body`, so
results are claims; their filters (speaker, topic, year, outlet, outcome) and the
`said` sort come from attributes in the claim template.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexError(Exception):
    """Pagefind failed; the message carries its output."""


def index_site(site: Path, language: str) -> None:
    """Run the bundled Pagefind binary once over the whole folder."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind",
               "--keep-index-url", "--force-language", language.split("-")[0].lower(), "--quiet"]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"could not run Pagefind: {error}") from error
    if finished.returncode != 0 or not (site / "pagefind" / "pagefind.js").is_file():
        output = (finished.stdout + finished.stderr).strip()
        raise SearchIndexError(f"Pagefind failed (exit {finished.returncode}): {output}")
