"""Verdict history on the built site: a repository with scripted commits (outcome changes, a
correction, a rejected claim, a draft) builds into claim pages, an updates page and feeds
that show exactly the expected entries; without git and in a shallow clone the build says so once."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.build import BuildOptions, build
from test_history import Repo, claim, correction

ATOM = "{http://www.w3.org/2005/Atom}"
REGISTRIES = {
    "people.yaml": "people:\n  - id: anna-berg\n    name: Anna Berg\n  - id: ben-ode\n    name: Ben Ode\n",
    "topics.yaml": "topics:\n  - id: talks\n    title: Talks\n    question: Will there be talks?\n",
    "site.yaml": ("title: Archive\ndescription: Test archive.\nlanguage: en\n"
                  "base_url: https://example.org/archive/\npublisher:\n  name: Desk\n  url: https://example.org/\n"),
}


def on_talks(text: str) -> str:
    return rated(text.replace("    kind: prediction\n", "    kind: prediction\n    topics: [talks]\n"))


def rated(text: str) -> str:
    text = text.replace("    review: rejected\n", "    note: Struck out, not a claim of the speaker's.\n    review: rejected\n")
    return re.sub(r"(?m)^(      status: .*\n)", r"\1      as_of: 2025-03-01\n", text)


def scripted(repo: Repo) -> Repo:
    """Day 1: three claims published, one draft. Day 2: one comes true, the draft is still a
    draft whose text changes. Day 3: the speaker of another is corrected, with a correction;
    a third is rejected. Day 4: the first is rated again."""
    for name, text in REGISTRIES.items():
        (repo.content / name).write_text(text, "utf-8")
    first = lambda **kw: on_talks(claim("a-meeting", **kw))  # noqa: E731
    second = lambda **kw: on_talks(claim("b-visit", statement="He will visit.", **kw))  # noqa: E731
    third = lambda **kw: rated(claim("c-gone", statement="It is over.", speaker="ben-ode", **kw))  # noqa: E731
    draft = lambda **kw: rated(claim("d-draft", review="draft", **kw))  # noqa: E731
    repo.commit("Publish the talks sheet", **{"2025__talks": (first(), second(), third(),
                                                               draft(statement="SECRET DRAFT WORDS"))})
    repo.commit("Talks happened in Geneva", **{"2025__talks": (
        first(status="came-true", summary="They met in Geneva."), second(), third(),
        draft(statement="SECRET DRAFT WORDS, again", status="came-true"))})
    repo.commit("Correct the speaker of the visit claim", **{"2025__talks": (
        first(status="came-true", summary="They met in Geneva."),
        second(speaker="ben-ode", corrections=correction("2025-03-03", "The claim was credited to Anna Berg.",
                                                          "It was Ben Ode who said it, as the recording shows.")),
        third(review="rejected", status="came-true"), draft(statement="SECRET DRAFT WORDS"))})
    repo.commit("Meeting was cut short: partly", **{"2025__talks": (
        first(status="partly-came-true", summary="They met briefly."),
        second(speaker="ben-ode", corrections=correction("2025-03-03", "The claim was credited to Anna Berg.",
                                                          "It was Ben Ode who said it, as the recording shows.")),
        third(review="rejected", status="came-true"), draft(statement="SECRET DRAFT WORDS"))})
    return repo


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, object]:
    repo = scripted(Repo(tmp_path_factory.mktemp("history") / "archive"))
    output = repo.root.parent / "site"
    result = build(BuildOptions(content=repo.content, output=output, search=False, processes=1))
    assert result.built, [problem.message for problem in result.problems]
    return output, result


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def history_section(page: str) -> list[str]:
    found = re.search(r'<section class="history".*?</section>', page, re.S)
    return [text_of(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", found.group(0), re.S)] if found else []


def entries(feed: Path) -> list[tuple[str, str | None]]:
    root = ET.parse(feed).getroot()
    return [(entry.find(f"{ATOM}title").text, (entry.find(f"{ATOM}category").get("term")
                                                if entry.find(f"{ATOM}category") is not None else None))
            for entry in root.findall(f"{ATOM}entry")]


def test_the_claim_page_shows_its_dated_timeline(site):
    output, result = site
    assert result.notes == []   # the history was read: nothing to say
    page = (output / "claims" / "a-meeting" / "index.html").read_text("utf-8")
    assert history_section(page) == [
        "1 March 2025: first published as Too early to tell",
        "2 March 2025: Too early to tell → Came true. Talks happened in Geneva",
        "4 March 2025: Came true → Partly came true. Meeting was cut short: partly",
    ]


def test_a_correction_is_shown_on_its_claim_page_marked_as_one(site):
    output, _ = site
    page = (output / "claims" / "b-visit" / "index.html").read_text("utf-8")
    assert history_section(page) == [
        "1 March 2025: first published as Too early to tell",
        "3 March 2025: Correction. The claim was credited to Anna Berg. It was Ben Ode who said it, as the recording shows.",
    ]


def test_rejected_and_draft_claims_show_nothing_anywhere(site):
    output, _ = site
    assert not (output / "claims" / "c-gone").exists()
    assert not (output / "claims" / "d-draft").exists()
    for path in output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".csv", ".js"):
            text = path.read_text("utf-8")
            assert "SECRET DRAFT" not in text, path
            assert "c-gone" not in text and "It is over" not in text, path


def test_the_updates_page_lists_changes_and_corrections_newest_first(site):
    output, _ = site
    page = (output / "updates" / "index.html").read_text("utf-8")
    items = [text_of(item) for item in re.findall(r'<li class="update[^"]*">(.*?)</li>', page, re.S)]
    assert len(items) == 3
    assert items[0].startswith("4 March 2025 · Finding changed") and "Came true → Partly came true" in items[0]
    assert items[1].startswith("3 March 2025 · Correction") and "credited to Anna Berg" in items[1]
    assert items[2].startswith("2 March 2025 · Finding changed") and "Too early to tell → Came true" in items[2]
    assert '<link rel="alternate" type="application/atom+xml"' in page and 'href="../updates.xml"' in page


def test_the_updates_feed_marks_corrections(site):
    output, _ = site
    assert entries(output / "updates.xml") == [
        ("Came true → Partly came true: Anna Berg: There will be a meeting.", None),
        ("Correction: Ben Ode: He will visit.", "correction"),
        ("Too early to tell → Came true: Anna Berg: There will be a meeting.", None),
    ]


def test_speaker_and_question_feeds_hold_their_new_claims_and_changes(site):
    output, _ = site
    assert entries(output / "speakers" / "ben-ode" / "feed.xml") == [
        ("Correction: Ben Ode: He will visit.", "correction"),
        ("New claim: Ben Ode: He will visit.", None),
    ]
    assert entries(output / "speakers" / "anna-berg" / "feed.xml") == [
        ("Came true → Partly came true: Anna Berg: There will be a meeting.", None),
        ("Too early to tell → Came true: Anna Berg: There will be a meeting.", None),
        ("New claim: Anna Berg: There will be a meeting.", None),
    ]
    assert [title for title, _ in entries(output / "topics" / "talks" / "feed.xml")] == [
        "Came true → Partly came true: Anna Berg: There will be a meeting.",
        "Correction: Ben Ode: He will visit.",
        "Too early to tell → Came true: Anna Berg: There will be a meeting.",
        "New claim: Ben Ode: He will visit.",   # on one day: by claim id, the later first
        "New claim: Anna Berg: There will be a meeting.",
    ]
    for page, feed in (("speakers/ben-ode/index.html", "feed.xml"), ("topics/talks/index.html", "feed.xml")):
        html = (output / page).read_text("utf-8")
        assert f'<link rel="alternate" type="application/atom+xml" title="' in html
        assert f'href="../../{page.rsplit("/", 1)[0]}/{feed}"' in html


def test_every_page_links_the_updates_and_the_text_pages_from_its_footer(site):
    output, _ = site
    for page in output.rglob("*.html"):
        if page.parent.name == "card":   # a card is embedded in other sites' pages: no footer of its own
            continue
        footer = (page.read_text("utf-8").split('<footer class="site-footer">', 1) + [""])[1]
        assert "updates/index.html" in footer, page


def test_without_git_the_site_builds_and_says_so_once(site, tmp_path):
    output, _ = site
    copy = tmp_path / "copy"
    shutil.copytree(Path(output).parent / "archive" / "content", copy / "content")
    result = build(BuildOptions(content=copy / "content", output=copy / "site", search=False, processes=1))
    assert result.built
    notes = [note for note in result.notes if "verdict history" in note]
    assert len(notes) == 1 and "not in a git repository" in notes[0]
    # the correction comes from the sheet itself, dated as written
    assert history_section((copy / "site" / "claims" / "b-visit" / "index.html").read_text("utf-8")) == [
        "3 March 2025: Correction. The claim was credited to Anna Berg. It was Ben Ode who said it, as the recording shows."]
    assert "Finding changed" not in (copy / "site" / "updates" / "index.html").read_text("utf-8")


def test_in_a_shallow_clone_the_site_builds_and_says_so_once(site, tmp_path):
    output, _ = site
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{Path(output).parent / 'archive'}", str(clone)],
                   check=True, capture_output=True)
    result = build(BuildOptions(content=clone / "content", output=tmp_path / "site", search=False, processes=1))
    assert result.built
    notes = [note for note in result.notes if "verdict history" in note]
    assert len(notes) == 1 and "shallow clone" in notes[0]


def test_an_incremental_build_renders_a_claim_again_when_only_its_history_changed(tmp_path):
    """The sheet is edited and built before it is committed: the commit changes no file, only
    the history, and the next incremental build must still show it."""
    repo = scripted(Repo(tmp_path / "archive"))
    output = tmp_path / "site"
    options = BuildOptions(content=repo.content, output=output, search=False, processes=1, incremental=True)
    assert build(options).built
    sheet = repo.content / "articles" / "2025" / "talks.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace("status: partly-came-true", "status: did-not-come-true"), "utf-8")
    assert build(options).built
    page = output / "claims" / "a-meeting" / "index.html"
    assert "Did not come true" not in " ".join(history_section(page.read_text("utf-8")))
    repo.day += 1
    repo.git("commit", "-qam", "The meeting was called off")
    result = build(options)
    assert result.built and 0 < result.rendered < result.pages
    assert history_section(page.read_text("utf-8"))[-1] == (
        "5 March 2025: Partly came true → Did not come true. The meeting was called off")
    assert "The meeting was called off" in (output / "updates" / "index.html").read_text("utf-8")
    assert "The meeting was called off" in (output / "updates.xml").read_text("utf-8")


def hindsight(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    import sys
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env={**__import__("os").environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})


def test_check_warns_when_a_published_statement_changed_with_no_correction(tmp_path):
    repo = scripted(Repo(tmp_path / "archive"))
    done = hindsight("check", cwd=repo.root)
    assert done.returncode == 0 and "warning" not in done.stdout   # the speaker's change came with a correction
    sheet = repo.content / "articles" / "2025" / "talks.yaml"
    sheet.write_text(sheet.read_text("utf-8").replace("He will visit.", "He will visit soon."), "utf-8")
    done = hindsight("check", cwd=repo.root)
    [warning] = [line for line in done.stdout.splitlines() if ": warning: " in line]
    assert warning.startswith("content/articles/2025/talks.yaml:")
    assert "the statement of claim 'b-visit' differs from the version published on 2025-03-03" in warning
    assert "statement was 'He will visit.'" in warning
    assert hindsight("check", "--strict", cwd=repo.root).returncode == 1


def test_check_before_publishing_names_each_missing_transparency_page(tmp_path):
    repo = scripted(Repo(tmp_path / "archive"))
    assert "no Team page" not in hindsight("check", cwd=repo.root).stdout
    done = hindsight("check", "--publish", cwd=repo.root)
    for name, title in (("corrections-policy", "Corrections policy"), ("funding", "Funding and ownership"),
                        ("team", "Team"), ("contact", "Contact")):
        assert f"content/pages/{name}.md:1:1: warning: the archive has no {title} page" in done.stdout


def test_check_without_git_says_so_once(tmp_path):
    repo = scripted(Repo(tmp_path / "archive"))
    shutil.copytree(repo.content, tmp_path / "plain" / "content")
    done = hindsight("check", cwd=tmp_path / "plain")
    assert done.returncode == 0
    assert done.stderr.count("verdict history is not shown") == 1


def test_this_archive_has_every_transparency_page_finished_and_its_corrections_explained():
    root = Path(__file__).resolve().parent.parent
    done = hindsight("check", "--publish", cwd=root)
    assert done.returncode == 0, done.stdout
    assert ": warning: " not in done.stdout, done.stdout   # no page missing nor unfinished; no silent fix


def test_claim_pages_carry_open_graph_and_twitter_metadata(site):
    output, _ = site
    page = (output / "claims" / "a-meeting" / "index.html").read_text("utf-8")
    meta = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z_]+)" content="([^"]*)">', page))
    assert meta["og:title"] == meta["twitter:title"] == "Anna Berg: There will be a meeting."
    assert meta["og:description"] == meta["twitter:description"] == (
        "Finding: Partly came true as of 1 March 2025. They met briefly.")
    assert meta["og:url"] == "https://example.org/archive/claims/a-meeting/"
    assert meta["og:type"] == "article" and meta["twitter:card"] == "summary"


def test_each_claim_has_a_self_contained_card_and_its_page_the_code_to_embed_it(site):
    output, _ = site
    card = (output / "claims" / "b-visit" / "card" / "index.html").read_text("utf-8")
    assert not re.search(r'<(?:link rel="stylesheet"|script|img)\b|src=', card)   # nothing to fetch
    assert "Ben Ode" in card and "“He will visit.”" in card and "Too early to tell" in card
    assert 'href="https://example.org/archive/claims/b-visit/"' in card
    assert '<meta name="robots" content="noindex">' in card
    sitemap = (output / "sitemap.xml").read_text("utf-8")
    assert "claims/b-visit/</loc>" in sitemap and "/card/" not in sitemap and "updates/</loc>" in sitemap
    page = (output / "claims" / "b-visit" / "index.html").read_text("utf-8")
    code = re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    import html
    assert html.unescape(code) == ('<iframe src="https://example.org/archive/claims/b-visit/card/" '
                                   'title="Ben Ode: He will visit. (Archive)" width="100%" height="230" '
                                   'style="border:0;max-width:40rem" loading="lazy"></iframe>')


def test_the_claimreview_feed_holds_every_rated_published_claim(site):
    import json
    output, _ = site
    feed = json.loads((output / "claimreview-feed.json").read_text("utf-8"))
    assert feed["@type"] == "DataFeed" and feed["@context"] == "https://schema.org"
    reviews = [item["item"][0] for item in feed["dataFeedElement"]]
    assert sorted(review["url"] for review in reviews) == [
        "https://example.org/archive/claims/a-meeting/", "https://example.org/archive/claims/b-visit/"]
    assert {review["@type"] for review in reviews} == {"ClaimReview"}
    assert {review["itemReviewed"]["author"]["name"] for review in reviews} == {"Anna Berg", "Ben Ode"}


def test_a_speaker_page_gives_the_track_record_with_its_caveat(site):
    output, _ = site
    page = text_of((output / "speakers" / "anna-berg" / "index.html").read_text("utf-8"))
    assert "1 published claim, by finding: Partly came true 1" in page
    assert "These are the claims this archive chose to check" in page and "not a score of the person" in page


def test_a_new_update_changes_the_first_updates_page_alone():
    import datetime as dt
    from generator.history import Entry
    from generator.pages import UPDATES_PER_PAGE, updates_pages

    def timelines(count: int) -> dict:
        return {f"c{number:04d}": (Entry(dt.date(2025, 1, 1) + dt.timedelta(days=number), "outcome", f"c{number:04d}",
                                         "too-early", "came-true", "why", "", f"k{number}"),)
                for number in range(count)}

    before = {page.path: page.values for page in updates_pages(None, timelines(2 * UPDATES_PER_PAGE + 50))}
    after = {page.path: page.values for page in updates_pages(None, timelines(2 * UPDATES_PER_PAGE + 51))}
    assert list(before) == list(after) == ["updates/index.html", "updates/part-2/index.html",
                                           "updates/part-1/index.html"]
    assert [entry.claim for entry in after["updates/index.html"]["updates"][:2]] == ["c0450", "c0449"]
    assert len(after["updates/index.html"]["updates"]) == 51
    for path in ("updates/part-2/index.html", "updates/part-1/index.html"):
        assert after[path] == before[path]   # the same plan: kept by an incremental build
    assert after["updates/part-1/index.html"]["updates"][-1].claim == "c0000"


def test_shared_metadata_and_feeds_give_a_summary_s_words_not_its_markdown(tmp_path):
    from generator.build import BuildOptions, build

    sample = Path(__file__).parent / "fixtures" / "sample"
    shutil.copytree(sample, tmp_path / "sample")
    (sheet,) = (tmp_path / "sample" / "content" / "articles" / "2025").glob("*.yaml")
    text = sheet.read_text("utf-8")
    marked = "summary: '**No** meeting of the [two leaders](https://example.org/record) had taken place.'"
    sheet.write_text(text.replace("summary: No meeting of the two leaders had taken place.", marked, 1), "utf-8")
    assert marked in sheet.read_text("utf-8")
    result = build(BuildOptions(content=tmp_path / "sample" / "content", output=tmp_path / "site", search=False,
                                history=False))
    assert result.built, result.problems
    pages = [p.read_text("utf-8") for p in (tmp_path / "site" / "claims").glob("*/index.html")]
    descriptions = [d for page in pages for d in re.findall(r'<meta property="og:description" content="([^"]*)">', page)
                    if "had taken place" in d]
    assert descriptions and all("No meeting of the two leaders had taken place." in d for d in descriptions)
    assert "**" not in (tmp_path / "site" / "feed.xml").read_text("utf-8")
    assert "No meeting of the two leaders had taken place." in (tmp_path / "site" / "feed.xml").read_text("utf-8")


def test_the_downloads_carry_each_claims_corrections(site):
    """claims.json and claims.csv give the corrections the claim page shows, and none elsewhere."""
    output, _ = site
    claims = {claim["id"]: claim for claim in json.loads((output / "claims.json").read_text("utf-8"))["claims"]}
    assert claims["b-visit"]["corrections"] == [{
        "date": "2025-03-03", "wrong": "The claim was credited to Anna Berg.",
        "changed": "It was Ben Ode who said it, as the recording shows."}]
    assert claims["a-meeting"]["corrections"] == []
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO((output / "claims.csv").read_text("utf-8-sig")))}
    assert rows["b-visit"]["corrections"] == ("2025-03-03: The claim was credited to Anna Berg. "
                                              "It was Ben Ode who said it, as the recording shows.")
    assert rows["a-meeting"]["corrections"] == ""
