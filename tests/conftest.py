"""Shared fixtures for the site tests: the sample archive built once, served over HTTP under
/archive/, and the browser and Node tools (skipped locally when missing, failing under CI)."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

HERE = Path(__file__).parent
SAMPLE_CONTENT = HERE / "fixtures" / "sample" / "content"
TOOLS = HERE / "tools"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def need(ready: bool, what: str) -> None:
    """Skip when a tool is missing, except under CI where a missing tool is a failure."""
    if ready:
        return
    message = f"{what} is missing; run tests/install-tools.sh"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: not skipping)")
    pytest.skip(message)


@pytest.fixture
def fresh_project(tmp_path: Path) -> Path:
    """A project folder for extraction: content/ with the archive's own registries and no
    sheets yet, and an empty seeds/."""
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    for name in ("people.yaml", "topics.yaml", "site.yaml"):
        shutil.copy(HERE.parent / "content" / name, content / name)
    (tmp_path / "seeds").mkdir()
    return tmp_path


def _built(tmp_path_factory, content: Path, name: str) -> Path:
    from generator.build import BuildOptions, build

    output = tmp_path_factory.mktemp(name) / "site"
    result = build(BuildOptions(content=content, output=output))
    assert result.built, [str(problem) for problem in result.problems]
    return output


def _served(site: Path):
    """`site` served on loopback under /archive/, as GitHub Pages serves a project; yields its address."""
    from generator.commands.serve import make_server

    server = make_server(site, "/archive/", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/archive/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The sample archive built with its search index, once per test run."""
    return _built(tmp_path_factory, SAMPLE_CONTENT, "built")


@pytest.fixture(scope="session")
def built_archive(tmp_path_factory) -> Path:
    """The project's own archive (content/: the curated seeds, a damaged copy among them) built
    for publishing with its search index, once per test run."""
    return _built(tmp_path_factory, HERE.parent / "content", "archive")


@pytest.fixture(scope="session")
def served_site(built_site):
    """The built sample served under /archive/; yields the site's address."""
    yield from _served(built_site)


@pytest.fixture(scope="session")
def served_archive(built_archive):
    """The project's archive served under /archive/; yields its address."""
    yield from _served(built_archive)


@pytest.fixture(scope="session")
def browser():
    need(CHROMIUM.is_file(), "Chromium (/usr/bin/chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        need(False, "Playwright for Python")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    """A fresh browser page that records console errors and uncaught exceptions."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    yield tab
    context.close()


def node_tool(name: str) -> Path:
    binary = TOOLS / "node_modules" / ".bin" / name
    need(binary.is_file() and shutil.which("node") is not None, f"{name} (npm ci in tests/tools)")
    return binary
