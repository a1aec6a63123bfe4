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

    from generator.similarity import AT_LEAST, SAME_SPEAKER_AND_QUESTION_AT_LEAST

    text = (Path(__file__).parent.parent / "content" / "pages" / "methodology.md").read_text("utf-8")
    section = text[text.index("## Said before and since"):]
    assert re.search(r"at\s+least\s+\*\*([0-9.]+)\*\*", section).group(1) == f"{AT_LEAST:g}"
    assert re.search(r"the\s+bar\s+is\s+lower,\s+\*\*([0-9.]+)\*\*", section).group(1) == f"{SAME_SPEAKER_AND_QUESTION_AT_LEAST:.2f}"


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


# The seed archive's automatic links, each read (both statements, in their articles) and judged one an
# editor would agree with: Peskov's 2019 answer to the offer of a Putin-Zelensky meeting and his 2025
# terms for one, the Kremlin's position that leaders meet only over a finished settlement. A link not
# in this list fails the test until someone has read it and added it here.
AGREED = {frozenset(pair) for pair in (
    ("2019-peskov-russian-leader-immediately-accept", "2025-peskov-ruled-meeting-leaders-draft-settlement"),
    ("2019-peskov-russian-leader-immediately-accept", "2025-peskov-meeting-between-two-leaders-take"),
    ("2019-peskov-putin-hold-meeting-sake-meeting", "2025-peskov-ruled-meeting-leaders-draft-settlement"),
    ("2019-peskov-putin-hold-meeting-sake-meeting", "2025-peskov-meeting-between-two-leaders-take"),
)}
# Pairs sharing words but not a position (different speakers): never shown.
WRONG = {frozenset(pair) for pair in (
    ("2022-peskov-putin-remained-open-contacts-negotiations", "2022-podolyak-talks-pause-given-russias-faltering"),
    ("2019-nazarbayev-already-received-agreement-zelensky-tete", "2022-medinsky-russia-still-received-response-draft"),
)}
SEED_ASKED = "2025-peskov-ruled-meeting-leaders-draft-settlement"
SEED_BEFORE = "2019-peskov-russian-leader-immediately-accept"


def _found_automatically(site: Path) -> dict[str, list[str]]:
    """Each claim page's automatic said-before/since links, as claim ids, read from the built HTML."""
    import re

    found = {}
    for page in sorted((site / "claims").glob("*/index.html")):
        html = page.read_text("utf-8")
        block = re.search(r'<div class="found-automatically">(.*?)</div>', html, re.S)
        found[page.parent.name] = re.findall(r'href="\.\./\.\./claims/([^/"]+)/index\.html"', block[1]) if block else []
    return found


def test_the_seed_archive_shows_only_links_an_editor_agreed_with(built_archive):
    found = _found_automatically(built_archive)
    shown = {frozenset((claim, other)) for claim, others in found.items() for other in others}
    assert shown, "the seed archive shows said-before links"
    assert shown <= AGREED, sorted(map(sorted, shown - AGREED))
    assert not shown & WRONG
    assert SEED_BEFORE in found[SEED_ASKED] and SEED_ASKED in found[SEED_BEFORE]


def test_a_seed_claim_page_shows_the_position_said_before_on_desktop_and_phone(browser, served_archive, tmp_path):
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height})
        tab = context.new_page()
        errors = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(served_archive + f"claims/{SEED_ASKED}/index.html")
        automatic = tab.locator("section.said-before .found-automatically")
        assert "Found automatically" in automatic.inner_text()
        before = automatic.locator("h3#said-before + ul a").evaluate_all("links => links.map(a => a.href)")
        assert served_archive + f"claims/{SEED_BEFORE}/index.html" in before
        every = automatic.locator("a[href*='/claims/']").evaluate_all("links => links.map(a => a.href)")
        assert not any("podolyak" in link or "medinsky" in link or "nazarbayev" in link for link in every), every
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, "nothing wider than the screen"
        automatic.scroll_into_view_if_needed()
        tab.screenshot(path=str(tmp_path / f"seed-said-before-{width}.png"))
        automatic.locator(f"h3#said-before + ul a[href*='{SEED_BEFORE}']").click()
        assert tab.url == served_archive + f"claims/{SEED_BEFORE}/index.html"
        since = tab.locator("section.said-before h3#said-since + ul a").evaluate_all("links => links.map(a => a.href)")
        assert served_archive + f"claims/{SEED_ASKED}/index.html" in since
        assert errors == []
        context.close()
