"""A claim page's "Said before and since" in a real browser, served under /archive/: the links an
editor confirmed first and labelled so, then the claims found automatically, labelled as such,
split by when they were said, never repeating a confirmed one; on a phone too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE_CONTENT, _served

REPEAT = """# yaml-language-server: $schema=../../../../../../generator/schemas/article.schema.json
article:
  title: Kremlin sets terms for a leaders' summit
  outlet: null
  url: null
  published: 2023-03-02
  published_basis: editor
  byline: []
  seed: null
  quality: [missing-url]
claims:
  - id: 2023-peskov-summit-only-ends-settlement
    statement: >-
      A summit meeting can only put an end to the settlement and formalize the
      modalities and agreements worked out in the course of expert work.
    form: direct
    speaker: dmitry-peskov
    speaker_as_written: Peskov
    said: 2023-03-01
    said_basis: on Wednesday
    topics: [putin-zelensky-meeting]
    kind: position
    outcome:
      status: unrated
    review: reviewed
"""
ASKED = "2025-peskov-summit-should-end-settlement"
CONFIRMED = "2019-peskov-not-meeting-for-sake-of-meeting"
REPEATED = "2023-peskov-summit-only-ends-settlement"


@pytest.fixture(scope="module")
def said_site(tmp_path_factory):
    """The sample archive, with an editor's confirmed link on one claim and, in another year, an
    article repeating that claim's words; built and served under /archive/."""
    from generator.build import BuildOptions, build

    folder = tmp_path_factory.mktemp("said-before")
    content = folder / "content"
    shutil.copytree(SAMPLE_CONTENT, content)
    shutil.copy(Path(__file__).parent.parent / "content" / "pages" / "methodology.md", content / "pages")   # the page linked
    sheet = content / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
    text = sheet.read_text("utf-8")
    start = text.index(f"  - id: {ASKED}\n")
    at = text.index("    kind: position\n", start)
    sheet.write_text(text[:at] + f"    related: [{CONFIRMED}]\n" + text[at:], "utf-8")
    (content / "articles" / "2023").mkdir()
    (content / "articles" / "2023" / "kremlin-sets-terms-for-summit.yaml").write_text(REPEAT, "utf-8")
    result = build(BuildOptions(content=content, output=folder / "site", search=False))
    assert result.built, [str(problem) for problem in result.problems]
    yield from _served(folder / "site")


def section(page):
    return page.locator("section.said-before")


def test_confirmed_links_come_first_and_found_ones_are_labelled_and_split_by_date(page, said_site):
    page.goto(said_site + f"claims/{ASKED}/index.html")
    found = section(page)
    assert found.locator("h2").inner_text() == "Said before and since"
    headings = found.locator("h3").all_inner_texts()
    assert headings[0] == "Confirmed by an editor" and "Said before" in headings[1:], headings
    confirmed = found.locator("h3#said-confirmed + p + ul a").evaluate_all("links => links.map(a => a.href)")
    assert confirmed == [said_site + f"claims/{CONFIRMED}/index.html"]
    automatic = found.locator(".found-automatically")
    assert "Found automatically" in automatic.inner_text() and "not checked by an editor" in automatic.inner_text()
    before = automatic.locator("h3#said-before + ul a").evaluate_all("links => links.map(a => a.href)")
    assert before[0] == said_site + f"claims/{REPEATED}/index.html"
    every = automatic.locator("a[href*='/claims/']").evaluate_all("links => links.map(a => a.href)")
    assert said_site + f"claims/{CONFIRMED}/index.html" not in every, "a confirmed link is not repeated as found"
    automatic.locator("a", has_text="How they are found").click()
    assert page.url == said_site + "pages/methodology/index.html#said-before-and-since"
    assert page.locator("#said-before-and-since").count() == 1, "the link lands on the section"
    assert page.errors == []


def test_the_methodology_page_gives_the_least_overlap_in_use():
    import re

    from generator.similarity import AT_LEAST

    text = (Path(__file__).parent.parent / "content" / "pages" / "methodology.md").read_text("utf-8")
    section = text[text.index("## Said before and since"):]
    assert re.search(r"at\s+least\s+\*\*([0-9.]+)\*\*", section).group(1) == f"{AT_LEAST:g}"


def test_the_earlier_claim_lists_the_later_one_as_said_since(page, said_site):
    page.goto(said_site + f"claims/{ASKED}/index.html")
    section(page).locator(f"h3#said-before + ul a[href*='{REPEATED}']").click()
    assert page.url == said_site + f"claims/{REPEATED}/index.html"
    since = section(page).locator("h3#said-since + ul a").evaluate_all("links => links.map(a => a.href)")
    assert said_site + f"claims/{ASKED}/index.html" in since
    assert section(page).locator("#said-confirmed").count() == 0, "confirmed links are the editor's, one way"
    assert page.errors == []


def test_a_claim_with_no_repeat_has_no_section(page, said_site):
    page.goto(said_site + "claims/2025-zelensky-begins-with-meeting-of-leaders/index.html")
    assert page.locator("h1").count() == 1
    assert section(page).count() == 0


def test_the_section_fits_a_phone(browser, said_site, tmp_path):
    context = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=2)
    phone = context.new_page()
    phone.goto(said_site + f"claims/{ASKED}/index.html")
    found = section(phone)
    found.scroll_into_view_if_needed()
    box = found.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "nothing wider than the screen"
    found.screenshot(path=str(tmp_path / "said-before-phone.png"))
    context.close()
