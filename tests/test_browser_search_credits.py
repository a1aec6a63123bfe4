"""Search on the project's own archive, in a real browser, served under /archive/ as GitHub
Pages serves it: each query finds what its words belong to, and nothing credits one person's
words to another. Results are the claims whose own words or facts hold the query (statement,
speaker, context, outcome summary, question titles), never those that only cite them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

TITLES = {topic["id"]: topic["title"] for topic in
          yaml.safe_load((Path(__file__).parent.parent / "content" / "topics.yaml").read_text("utf-8"))["topics"]}


def _search(page, served: str, query: str) -> list[dict]:
    page.goto(served + "search/index.html?q=" + query)
    page.wait_for_function("document.getElementById('search-status').textContent.includes('found')")
    return page.locator("#search-results li").evaluate_all("""items => items.map(li => ({
        meta: li.querySelector('.claim-meta').textContent,
        href: li.querySelector('.claim-line a').href,
        text: li.querySelector('.claim-line a').textContent,
        excerpt: (li.querySelector('.excerpt') || {textContent: ''}).textContent,
        flag: (li.querySelector('.flag') || {textContent: ''}).textContent}))""")


def _claims(site: Path) -> list[dict]:
    return json.loads((site / "claims.json").read_text("utf-8"))["claims"]


def test_modalities_finds_the_one_claim_whose_words_they_are(page, served_archive, built_archive):
    said = [claim for claim in _claims(built_archive) if "modalities" in claim["statement"]]
    assert len(said) == 1 and said[0]["speaker"]["name"] == "Dmitry Peskov"
    found = _search(page, served_archive, "modalities")
    assert [item["href"] for item in found] == [served_archive + f"claims/{said[0]['id']}/"
                                                + "index.html"], found
    assert "Dmitry Peskov" in found[0]["meta"] and "2025" in found[0]["meta"]
    assert not page.errors


def test_excerpts_are_the_claims_own_words_without_page_labels(page, served_archive, built_archive):
    claims = {claim["id"]: claim for claim in _claims(built_archive)}
    for query in ("Peskov", "meeting", "Putin"):
        found = _search(page, served_archive, query)
        assert found, query
        for item in found:
            excerpt = " ".join(item["excerpt"].split())
            assert "named in the article as" not in excerpt and "date from the article" not in excerpt
            assert not re.search(r"\bSaid\b|\bSource\b|Evidence", excerpt), excerpt
            if "/claims/" not in item["href"]:
                continue
            key = item["href"].rsplit("/claims/", 1)[1].split("/")[0]
            claim = claims[key]
            own = " ".join(filter(None, [claim["statement"], claim["original_wording"], claim["speaker"]["name"],
                                         claim["context"], claim["outcome"]["summary"],
                                         *(TITLES[topic] for topic in claim["topics"])]))
            words = re.findall(r"\w+", excerpt.replace("…", " "))
            others = [word for word in words if word.lower() not in own.lower()]
            assert not others, (query, key, excerpt, others)   # nothing but the claim's own words and facts
    assert not page.errors


def test_donbas_finds_the_territory_question(page, served_archive):
    found = _search(page, served_archive, "Donbas")
    assert found and found[0]["href"] == served_archive + "topics/territory/index.html", found
    assert "Question followed" in found[0]["meta"]
    assert all("/claims/" not in item["href"] for item in found), "no claim says Donbas"
    status = page.locator("#search-status").inner_text()
    assert "1 result found" in status and "1 question" in status, status


def test_questions_are_found_by_best_match_and_date_order_says_so(page, served_archive):
    found = _search(page, served_archive, "Donbas&order=oldest")
    assert found == []
    status = page.locator("#search-status").inner_text()
    assert "No claim or question found" in status and "choose “Best match”" in status


def test_a_speakers_name_finds_that_speakers_claims_first(page, served_archive, built_archive):
    by_speaker: dict[str, int] = {}
    for claim in _claims(built_archive):
        by_speaker[claim["speaker"]["name"]] = by_speaker.get(claim["speaker"]["name"], 0) + 1
    for name in ("Lavrov", "Medinsky", "Peskov"):
        full = next(speaker for speaker in by_speaker if speaker.endswith(name))
        found = _search(page, served_archive, name)
        theirs = [item for item in found if item["meta"].endswith(full)]
        assert len(theirs) == by_speaker[full], (name, found)
        first = [item["meta"].endswith(full) for item in found]
        assert first == sorted(first, reverse=True), f"{name}: another speaker's claim ranked above {full}'s"


def test_a_query_that_matches_nothing_says_so(page, served_archive):
    found = _search(page, served_archive, "zzyzxquorble")
    assert found == []
    assert "No claim or question found for “zzyzxquorble”" in page.locator("#search-status").inner_text()


def test_search_results_flag_a_damaged_copy_and_show_no_spun_quotes(page, served_archive, built_archive):
    found = _search(page, served_archive, "Rasmussen")
    assert found
    for item in found:
        assert item["flag"], item   # every Rasmussen claim comes from the reworded copy
        if "Reworded copy" in item["flag"]:
            assert not re.search(r"[“”\"]", item["text"]), item
