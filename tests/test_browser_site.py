"""The built sample archive in a real browser (Debian's Chromium through Playwright): search
served under /archive/, its filters, navigation between claims, speakers and questions, the
file:// copy with its offline search, no console errors, and axe-core accessibility checks."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path


from conftest import TOOLS, need
from generator import search

SEVERE = ("serious", "critical")


def claims_of(site: Path) -> list[dict]:
    return json.loads((site / "claims.json").read_text("utf-8"))["claims"]


def speaker_across_years(site: Path) -> tuple[str, set[str]]:
    """A speaker with claims in more than one year, and those years (from the sample's data)."""
    years: dict[str, set[str]] = {}
    names = {}
    for claim in claims_of(site):
        if claim["said"]:
            years.setdefault(claim["speaker"]["id"], set()).add(claim["said"][:4])
            names[claim["speaker"]["id"]] = claim["speaker"]["name"]
    speaker = next(s for s in sorted(years) if len(years[s]) > 1)
    return names[speaker], years[speaker]


def result_texts(page) -> list[str]:
    return page.locator("#search-results li").all_inner_texts()


def wait_for_results(page) -> None:
    page.wait_for_function("document.getElementById('search-status').textContent.includes('found')")


def test_search_for_a_speaker_finds_claims_from_several_years(page, served_site, built_site):
    name, years = speaker_across_years(built_site)
    surname = name.split()[-1]
    page.goto(served_site + "search/index.html")
    page.fill("#search-input", surname)
    page.press("#search-input", "Enter")
    wait_for_results(page)
    texts = result_texts(page)
    found_years = {year for text in texts for year in re.findall(r"\b(?:19|20)\d\d\b", text.split("\n")[0])}
    assert years <= found_years, texts
    assert page.locator("#search-mode").is_hidden(), "served over HTTP, Pagefind must be used, not the fallback"
    links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    assert all(link.startswith(served_site + "claims/") and link.endswith("/index.html") for link in links)
    assert page.errors == []


def test_filters_narrow_results(page, served_site, built_site):
    name, years = speaker_across_years(built_site)
    page.goto(served_site + "search/index.html?q=" + name.split()[-1])
    wait_for_results(page)
    before = len(result_texts(page))
    year = sorted(years)[0]
    option = page.locator("#filter-year option", has_text=year)
    page.select_option("#filter-year", value=option.get_attribute("value"))
    page.wait_for_function(f"document.getElementById('search-results').children.length < {before}")
    after = result_texts(page)
    assert 0 < len(after) < before
    assert all(year in text.split("\n")[0] for text in after)
    assert "year=" + year in page.url
    assert page.errors == []


def test_oldest_first_sorts_by_date_said(page, served_site):
    page.goto(served_site + "search/index.html?q=meeting&order=oldest")
    wait_for_results(page)
    dates = page.locator("#search-results .claim-meta").all_inner_texts()
    years = [int(re.search(r"\d{4}", text).group()) for text in dates if re.search(r"\d{4}", text)]
    assert len(years) > 1 and years == sorted(years)


def test_one_search_spans_the_year_shards_sorted_and_filtered(page, served_site, built_site):
    shards = json.loads((built_site / "pagefind" / "shards.json").read_text("utf-8"))["shards"]
    assert len(shards) >= 2, "the sample's claims were said in more than one year"
    planned = search.plan_shards({f"{served_site}claims/{c['id']}/index.html":
                                  dt.date.fromisoformat(c["said"]) if c["said"] else None for c in claims_of(built_site)})
    shard_of = {link: name for name, links in planned.items() for link in links}
    year_of = {link: date[:4] for link, date in ((f"{served_site}claims/{c['id']}/index.html", c["said"] or "")
                                                 for c in claims_of(built_site))}
    name, years = speaker_across_years(built_site)
    page.goto(served_site + "search/index.html?order=newest&q=" + name.split()[-1])
    wait_for_results(page)
    links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    found_in = [shard_of[link] for link in links]
    assert len(set(found_in)) >= 2 and set(found_in) <= set(shards)
    assert found_in == sorted(found_in, reverse=True), "newest first across shards"
    year = year_of[links[-1]]
    page.select_option("#filter-year", value=year)
    page.wait_for_function(f"document.getElementById('search-results').children.length < {len(links)}")
    links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    assert links and {year_of[link] for link in links} == {year}
    assert page.errors == []


def test_claim_to_speaker_to_question(page, served_site, built_site):
    claim = next(c for c in claims_of(built_site) if c["topics"])
    page.goto(served_site + f"claims/{claim['id']}/index.html")
    assert page.locator("h1").inner_text().strip("“”") == " ".join(claim["statement"].split())
    page.locator(".byline a").first.click()
    page.wait_for_url(f"**/speakers/{claim['speaker']['id']}/index.html")
    assert page.locator("h1").inner_text() == claim["speaker"]["name"]
    page.locator(f"a[href$='topics/{claim['topics'][0]}/index.html']").first.click()
    page.wait_for_url(f"**/topics/{claim['topics'][0]}/index.html")
    assert page.locator(f"a[href$='claims/{claim['id']}/index.html']").count() >= 1
    assert page.errors == []


def test_file_copy_navigates_and_falls_back_to_offline_search(page, built_site):
    name, years = speaker_across_years(built_site)
    page.goto((built_site / "index.html").as_uri())
    assert page.locator("link[rel=stylesheet]").evaluate("link => link.sheet !== null")
    page.locator(".site-nav a", has_text="Speakers").click()
    page.wait_for_url("**/speakers/index.html")
    page.locator("main a", has_text=name).first.click()
    page.wait_for_url("**/index.html")
    assert page.locator("h1").inner_text() == name
    page.locator(".site-nav a", has_text="Search").click()
    page.wait_for_url("**/search/index.html")
    notice = page.locator("#search-mode")
    notice.wait_for(state="visible")
    assert "served over the web" in notice.inner_text()
    page.fill("#search-input", name.split()[-1])
    page.press("#search-input", "Enter")
    wait_for_results(page)
    texts = result_texts(page)
    assert {y for t in texts for y in re.findall(r"\b(?:19|20)\d\d\b", t.split("\n")[0])} >= years
    page.locator("#search-results a").first.click()
    page.wait_for_url("file://**/claims/**/index.html")
    assert page.errors == []


def every_page(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if "pagefind" not in p.parts)


def test_no_page_logs_a_console_error_or_leaves_the_site(page, served_site, built_site):
    elsewhere = []
    page.on("request", lambda request: None if request.url.startswith(served_site) else elsewhere.append(request.url))
    for path in every_page(built_site):
        page.goto(served_site + path + ("?q=meeting" if path.startswith("search") else ""))
        page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert elsewhere == [], "pages must not fetch anything from outside the site"


def test_missing_address_shows_the_styled_404_page(page, served_site):
    response = page.goto(served_site + "claims/no-such-claim/index.html")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.locator("link[rel=stylesheet]").evaluate("link => link.sheet !== null")
    page.locator("main a", has_text="home page").click()
    page.wait_for_url(served_site + "index.html")


def test_accessibility_has_no_serious_violations(browser, served_site, built_site):
    axe = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
    need(axe.is_file(), "axe-core (npm ci in tests/tools)")
    failures = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        for path in every_page(built_site):
            tab.goto(served_site + path + ("?q=meeting" if path.startswith("search") else ""))
            if path.startswith("search"):
                tab.wait_for_function("document.getElementById('search-status').textContent.includes('found')")
            tab.add_script_tag(path=str(axe))
            result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
            for violation in result["violations"]:
                if violation["impact"] in SEVERE:
                    failures.append(f"{scheme} {path}: {violation['id']}: {violation['help']} "
                                    f"({violation['nodes'][0]['target']})")
        context.close()
    assert failures == []


def test_keyboard_skip_link_reaches_main_content(page, served_site):
    page.goto(served_site + "index.html")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_search_works_at_a_domain_root(page, built_site):
    import threading

    from generator.commands.serve import make_server

    server = make_server(built_site, "/", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        root = f"http://127.0.0.1:{server.server_address[1]}/"
        name, years = speaker_across_years(built_site)
        page.goto(root + "search/index.html?q=" + name.split()[-1])
        wait_for_results(page)
        links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
        assert links and all(link.startswith(root + "claims/") for link in links)
        page.goto(links[0])
        assert page.locator("h1").count() == 1
        assert page.errors == []
    finally:
        server.shutdown()
        server.server_close()
