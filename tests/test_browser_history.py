"""The verdict history and the embeddable card in a real browser (Debian's Chromium through
Playwright), the site served under /archive/ as GitHub Pages serves it."""

from __future__ import annotations

import pytest

from conftest import _served
from generator.build import BuildOptions, build
from test_history import Repo
from test_history_site import scripted

BASE = "https://example.org/archive/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    repo = scripted(Repo(tmp_path_factory.mktemp("browser-history") / "archive"))
    output = repo.root.parent / "site"
    assert build(BuildOptions(content=repo.content, output=output, processes=1)).built
    yield from _served(output)


def test_the_claim_page_shows_its_timeline_and_the_updates_lead_to_it(page, served):
    page.goto(served + "claims/a-meeting/index.html")
    timeline = page.locator("section.history li")
    assert timeline.all_inner_texts() == [
        "1 March 2025: first published as Too early to tell",
        "2 March 2025: Too early to tell → Came true. Talks happened in Geneva",
        "4 March 2025: Came true → Partly came true. Meeting was cut short: partly",
    ]
    assert page.locator("section.history").is_visible()
    page.click("footer >> text=Updates and corrections")
    assert page.url == served + "updates/index.html"
    updates = page.locator("li.update")
    assert updates.count() == 3
    assert "Correction" in updates.nth(1).inner_text()
    updates.nth(1).locator("a").first.click()
    assert page.url == served + "claims/b-visit/index.html"
    assert "Correction. The claim was credited to Anna Berg." in page.locator("section.history").inner_text()
    assert page.errors == []


def test_the_card_embeds_from_the_code_the_claim_page_gives(page, served, browser):
    page.goto(served + "claims/b-visit/index.html")
    code = page.locator("#embed-code").input_value()
    assert page.locator("#embed-code").get_attribute("readonly") is not None
    # Another site's page with the code pasted in (the card's address as served here).
    host = browser.new_context(viewport={"width": 700, "height": 400}).new_page()
    host.set_content(f"<!DOCTYPE html><html><body><h1>A blog</h1>{code.replace(BASE, served)}</body></html>")
    frame = host.frame_locator("iframe")
    card = frame.locator("article.card")
    card.wait_for()
    assert "Ben Ode" in card.inner_text() and "“He will visit.”" in card.inner_text()
    assert "Too early to tell" in card.locator(".badge").inner_text()
    assert frame.locator("a").get_attribute("href") == BASE + "claims/b-visit/"
    assert frame.locator("a").get_attribute("target") == "_blank"
    height = host.frames[1].evaluate("() => document.documentElement.scrollHeight")
    assert height <= 230, "the card fits the frame the code gives it, with no scroll bar"
    host.context.close()
