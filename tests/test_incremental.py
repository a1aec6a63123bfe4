"""Incremental rebuilds: after a change, only the pages that read what changed are rendered,
and the site is byte for byte the one a full build makes."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from generator import publishing, similarity
from generator.incremental import record as record_module, sheets as sheet_cache, store
from generator.incremental.preview import PreviewState
from generator.incremental.similar import SIMILAR_VERSION
from generator.build import BuildOptions, build

from rebuilds import (  # noqa: F401 - fixtures among them
    archive, copied_in_background, edit, folders_and_files, forks, inodes, not_the_site, parsed, run,
    same_as_full_build, scored, sheet_of, tree, walked,
)


def test_one_changed_statement_renders_only_the_pages_that_show_it(archive: Path):
    first = run(archive)
    assert first.rendered == first.pages, "without a record, every page is rendered"
    before = inodes(archive / "site")

    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    second = run(archive)

    assert 0 < second.rendered < second.pages / 4
    after = inodes(archive / "site")
    rewritten = {path for path in after if after[path] != before.get(path)}
    assert "claims/claim-60/index.html" in rewritten
    assert f"articles/{sheet.stem}/index.html" in rewritten
    assert "index.html" in rewritten or len(rewritten) == second.rendered
    assert len(rewritten) == second.rendered
    # A claim page that neither shows claim-60 nor shares its article, speaker or questions stays as it was.
    untouched = [path for path in after if path.startswith("claims/") and path not in rewritten
                 and "claim-60" not in (archive / "site" / path).read_text("utf-8")]
    assert untouched, "most claim pages do not mention claim-60"
    assert all(after[path] == before[path] for path in untouched)
    same_as_full_build(archive)


def test_added_removed_and_renamed_parts_match_a_full_build(archive: Path):
    run(archive)
    last = max((archive / "content/articles").rglob("*.yaml"), key=lambda p: int(p.stem.split("-")[1]))
    last.unlink()   # nothing cites the newest claims, so the archive stays valid
    people = archive / "content/people.yaml"
    people.write_text(people.read_text("utf-8").replace('name: "Anna Abramov 0"', 'name: "Anna Abramova 0"'),
                      "utf-8")
    result = run(archive)
    assert result.rendered < result.pages
    assert not (archive / "site/articles" / last.stem).exists()
    assert "Anna Abramova 0" in (archive / "site/speakers/speaker-0/index.html").read_text("utf-8")
    same_as_full_build(archive)

    model = sorted((archive / "content/articles").rglob("*.yaml"))[0]
    extra = model.with_name("article-new.yaml")
    extra.write_text(model.read_text("utf-8").replace("- id: claim-", "- id: new-claim-"), "utf-8")
    added = run(archive)
    assert added.rendered < added.pages
    assert (archive / "site/articles/article-new/index.html").is_file()
    same_as_full_build(archive)


def test_a_template_change_renders_every_page(archive: Path, tmp_path: Path):
    templates = tmp_path / "templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", templates)
    run(archive, templates=templates)
    claim = templates / "claim.html"
    claim.write_text(claim.read_text("utf-8").replace("What came of it", "What came of it later"), "utf-8")
    result = run(archive, templates=templates)
    assert result.rendered == result.pages
    assert "What came of it later" in (archive / "site/claims/claim-3/index.html").read_text("utf-8")


def test_the_record_is_kept_beside_the_site_and_dropped_by_a_full_build(archive: Path):
    run(archive)
    record = record_module.record_path(archive / "site")
    assert record.is_file() and archive / "site" not in record.parents
    assert not any(".record" in path.name for path in (archive / "site").rglob("*"))
    run(archive, incremental_=False)
    assert not record.exists(), "a full build changed the site, so the old record no longer describes it"
    again = run(archive)
    assert again.rendered == again.pages


def test_a_failed_incremental_build_keeps_the_site_and_its_record(archive: Path):
    run(archive)
    before = tree(archive / "site")
    sheet = sheet_of(archive, "claim-10")
    good = sheet.read_text("utf-8")
    sheet.write_text(good.replace("speaker: speaker-", "speaker: nobody-", 1), "utf-8")
    failed = build(BuildOptions(content=archive / "content", output=archive / "site", search=False,
                                extract=False, incremental=True))
    assert not failed.built
    assert tree(archive / "site") == before
    sheet.write_text(good.replace('statement: "', 'statement: "Fixed: ', 1), "utf-8")
    result = run(archive)
    assert result.rendered < result.pages
    same_as_full_build(archive)


# ---------------------------------------------------------------------------
# The sheets read before: kept beside the site, never trusted over the files


def test_an_edited_sheet_is_parsed_again_and_the_others_come_from_the_cache(archive: Path, parsed: list[str]):
    sheets = sorted(str(path) for path in (archive / "content/articles").rglob("*.yaml"))
    run(archive)
    assert sorted(parsed) == sheets, "the first build parses every sheet"
    assert store.cache_path(archive / "site", "sheets").is_file()
    parsed.clear()
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    result = run(archive)
    assert parsed == [str(sheet)]
    assert "Corrected: " in (archive / "site/claims/claim-60/index.html").read_text("utf-8")
    assert result.rendered < result.pages
    parsed.clear()
    run(archive, incremental_=False)   # a full build reads everything afresh, cache or not
    assert sorted(parsed) == sheets
    same_as_full_build(archive)


@pytest.mark.parametrize("damage", ["garbage", "one byte", "cut short", "other code", "empty"])
def test_a_damaged_or_foreign_cache_is_ignored(archive: Path, parsed: list[str], monkeypatch, damage: str):
    run(archive)
    cache = store.cache_path(archive / "site", "sheets")
    raw = cache.read_bytes()
    if damage == "garbage":
        cache.write_bytes(raw[:200] + bytes(255 - byte for byte in raw[200:]))
    elif damage == "one byte":   # a statement's letter changed inside the cache: never shown
        middle = raw.index(b"statement", len(raw) // 2) + 12
        cache.write_bytes(raw[:middle] + bytes([raw[middle] ^ 1]) + raw[middle + 1:])
    elif damage == "cut short":
        cache.write_bytes(raw[: len(raw) // 2])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:   # the generator's code changed since the cache was written
        monkeypatch.setattr(sheet_cache, "code_digest", lambda: "another version of the code")
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    parsed.clear()
    run(archive)
    assert len(parsed) == len(list((archive / "content/articles").rglob("*.yaml"))), "every sheet parsed again"
    same_as_full_build(archive)
    parsed.clear()
    run(archive)
    assert parsed == [], "and the cache written again"


def test_problems_are_reported_every_build_the_same_as_without_a_cache(archive: Path, parsed: list[str]):
    """A sheet with a problem of its own is never cached; problems found across sheets are
    looked for in every build, in cached sheets too, and point at the same line and column."""
    run(archive)
    own = sheet_of(archive, "claim-10")
    own.write_text(own.read_text("utf-8").replace("    kind: ", "    knid: ", 1), "utf-8")   # a misspelt field
    people = archive / "content/people.yaml"
    cited = re.search(r"speaker: (speaker-\d+)", sheet_of(archive, "claim-60").read_text("utf-8")).group(1)
    people.write_text(people.read_text("utf-8").replace(f"id: {cited}\n", f"id: {cited}-renamed\n"), "utf-8")

    def problems(incremental_: bool) -> list:
        parsed.clear()
        result = build(BuildOptions(content=archive / "content", output=archive / "site", search=False,
                                    extract=False, incremental=incremental_))
        assert not result.built
        return result.problems

    without_cache = problems(False)
    assert any(p.path == str(own) and "knid" in p.message for p in without_cache)
    assert any(f"speaker {cited!r} is not in" in p.message for p in without_cache)
    first = problems(True)
    assert first == without_cache
    second = problems(True)
    assert second == without_cache
    assert str(own) in parsed, "the sheet with a problem of its own is read again"
    assert len(parsed) < 5, "the others, with problems only across sheets, come from the cache"


def test_downloads_copy_the_lines_of_unchanged_claims_and_never_a_changed_file(archive: Path, monkeypatch):
    """The downloads' lines and the offline search index's rows of unchanged claims are
    copied from the site in place; a file changed since it was written is made afresh."""
    from generator import exports

    run(archive)
    written: list[str] = []   # claims whose download lines were made
    rows: list[str] = []      # claims whose offline search rows were made
    real, real_label = exports.claim_record, exports.said_label
    monkeypatch.setattr(exports, "claim_record",
                        lambda archive_, links, claim: written.append(claim.id) or real(archive_, links, claim))
    monkeypatch.setattr(exports, "said_label", lambda claim: rows.append(claim.id) or real_label(claim))
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    run(archive)
    assert written == rows == ["claim-60"], "only the changed claim's lines are written afresh"
    same_as_full_build(archive)
    claims = len(json.loads((archive / "site/claims.json").read_bytes())["claims"])

    # A download changed in the site since (by hand, say) is not the one the record describes: made afresh,
    # even where the change keeps every line's length.
    for name, old, new in [("claims.json", b"Corrected: ", b"Corrupted: "),
                           ("search-fallback.js", b"Corrected: ", b"Corrupted: ")]:
        published = archive / "site" / name
        published.write_bytes(published.read_bytes().replace(old, new, 1))
        written.clear(), rows.clear()
        edit(sheet, 'summary: "', 'summary: "Update: ')
        run(archive)
        assert (len(written), len(rows)) == ((claims, 1) if name == "claims.json" else (1, claims))
        same_as_full_build(archive)


def test_downloads_and_offline_search_after_two_questions_swap_titles(archive: Path):
    """Swapping two questions' titles leaves the offline search index's names as they were,
    but not the rows of those questions' claims, which number them: in the live preview and
    from the command line, the index is the one a full build writes."""
    topics = archive / "content/topics.yaml"
    titles = re.findall(r'title: "([^"]+)"', topics.read_text("utf-8"))[:2]
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    for remembered in (memory, None):
        assert build(options, remembered).built
        text = topics.read_text("utf-8")
        topics.write_text(text.replace(titles[0], "\0").replace(titles[1], titles[0]).replace("\0", titles[1]),
                          "utf-8")
        assert build(options, remembered).built
        same_as_full_build(archive)


@pytest.mark.parametrize("path", ["../outside.html", "/etc/passwd", "claims/../../outside.html", "claims//x.html",
                                  "", "./x/../../y"])
def test_kept_pages_are_linked_only_inside_the_staging_folder(tmp_path: Path, path: str):
    from generator import writers

    site, staging = tmp_path / "site", tmp_path / "staging"
    (site / "claims/a").mkdir(parents=True)
    (site / "claims/a/index.html").write_bytes(b"kept")
    staging.mkdir()
    writers.link_files(site, staging, ["claims/a/index.html"])
    assert (staging / "claims/a/index.html").read_bytes() == b"kept"
    assert (staging / "claims/a/index.html").stat().st_ino == (site / "claims/a/index.html").stat().st_ino
    if path == "claims//x.html":   # harmless once normalised: claims/x.html
        (site / "claims/x.html").write_bytes(b"x")
        writers.link_files(site, staging, [path])
        assert (staging / "claims/x.html").read_bytes() == b"x"
        return
    with pytest.raises(writers.OutputError):
        writers.link_files(site, staging, [path])


def test_similar_statements_are_found_again_only_when_statements_change(archive: Path, scored: list[int],
                                                                        monkeypatch):
    monkeypatch.setattr(similarity, "REFIND_AT_MOST", 1.0)   # in so small an archive, a third of the claims
    run(archive)
    claims = scored[:]
    assert len(scored) == 1 and claims[0] > 1
    sheet = sheet_of(archive, "claim-60")
    text = sheet.read_text("utf-8")
    edited = re.sub(r"(- id: claim-60\n(?:.*\n)*?\s+context: \")", r"\1An editor's fuller context. ", text, count=1)
    assert edited != text
    sheet.write_text(edited, "utf-8")   # a correction that leaves every statement as it was
    run(archive)
    assert scored == claims, "the similar statements found before are reused"
    same_as_full_build(archive)
    scored.clear()

    sheet.write_text(edited.replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    run(archive)
    # In 120 claims of stock phrases every claim shares a rare word with the edited one, so all may be
    # ranked again; that fewer are at scale is test_site_linking's.
    assert len(scored) == 1 and 1 <= scored[0] <= claims[0], "a statement changed: its claims are ranked again"
    same_as_full_build(archive)


@pytest.mark.parametrize("damage", ["cut", "foreign", "other code"])
def test_a_damaged_similar_statements_cache_is_not_trusted(archive: Path, scored: list[int], damage: str):
    run(archive)
    cache = store.cache_path(archive / "site", "similar")
    if damage == "cut":
        cache.write_bytes(cache.read_bytes()[:-20])
    elif damage == "foreign":   # sealed and readable, but not what link() wrote
        store.write_sealed(cache, "similar", SIMILAR_VERSION, ("x", {"claim-1": (("nope",),)}))
    else:   # what link() wrote, but found by other code (other thresholds, say)
        code, *record = store.read_sealed(cache, "similar", SIMILAR_VERSION)
        store.write_sealed(cache, "similar", SIMILAR_VERSION, ("older code", *record))
    scored.clear()
    run(archive)
    assert len(scored) == 1
    same_as_full_build(archive)


@pytest.mark.parametrize("damage", ["missing", "cut", "of another finding"])
def test_a_damaged_record_of_how_similar_statements_were_found_is_not_trusted(archive: Path, scored: list[int],
                                                                              monkeypatch, damage: str):
    """The record's second part, read when a statement changed: without it, or with one not
    made beside the first part, every claim is scored anew."""
    monkeypatch.setattr(similarity, "REFIND_AT_MOST", 1.0)
    run(archive)
    record = store.cache_path(archive / "site", "similar-record")
    if damage == "missing":
        record.unlink()
    elif damage == "cut":
        record.write_bytes(record.read_bytes()[:-20])
    else:
        code, _, *rest = store.read_sealed(record, "similar record", SIMILAR_VERSION)
        store.write_sealed(record, "similar record", SIMILAR_VERSION, (code, "another", *rest))
    claims = scored[:]
    scored.clear()
    edit(sheet_of(archive, "claim-60"), 'statement: "', 'statement: "Corrected: ')
    run(archive)
    assert scored == claims, "found anew"
    same_as_full_build(archive)


def test_a_claim_added_to_a_question_changes_its_neighbours_pages_not_every_claim_on_it(archive: Path):
    """A claim page names the page of the question's timeline that shows it, not its place
    in it: a claim added to a question changes the pages of the claims beside it, not of all
    the claims on it."""
    run(archive)
    sheet = sheet_of(archive, "claim-60")
    on_question = json.loads((archive / "site/claims.json").read_text("utf-8"))["claims"]
    topic = next(claim for claim in on_question if claim["id"] == "claim-60")["topics"][0]
    on_question = [claim["id"] for claim in on_question if topic in claim["topics"]]
    before = {claim: (archive / f"site/claims/{claim}/index.html").read_bytes() for claim in on_question}
    text = sheet.read_text("utf-8")
    start = text.index("  - id: claim-60\n")
    end = text.find("\n  - id: ", start + 1) + 1 or len(text)
    one = text[:text.index("claims:\n") + len("claims:\n")] + text[start:end]   # the article, with that claim only
    one = re.sub(r'statement: "([^"]*)"', lambda found: 'statement: "' + " ".join(reversed(found.group(1).split()))
                 + '"', one.replace("- id: claim-60", "- id: added-claim-60"))
    sheet.with_name("article-added.yaml").write_text(one.replace(".html\n", "-added.html\n", 1), "utf-8")
    result = run(archive)
    changed = [claim for claim in on_question
               if (archive / f"site/claims/{claim}/index.html").read_bytes() != before[claim]]
    # The added claim repeats claim-60's words: said before or since on the pages of claims worded like them.
    assert len(on_question) > 8 and 1 <= len(changed) < len(on_question), (changed, on_question)
    assert result.rendered < result.pages // 4, "nor are pages made again whose similar statements only moved in score"
    same_as_full_build(archive)


def test_the_site_before_the_last_is_the_next_staging_folder_and_nothing_stale_stays(archive: Path, monkeypatch):
    adopted = []
    real = publishing.adopt_spare
    monkeypatch.setattr(publishing, "adopt_spare", lambda *args: adopted.append(args[0]) or real(*args))
    spare = store.cache_path(archive / "site", "spare")
    run(archive)
    copied_in_background(archive)
    assert (spare / publishing.SPARE_COPY).is_file(), "a build that rendered every page leaves a copy of its site"
    assert inodes(spare) == inodes(archive / "site"), "made of links to the site's own files"
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    run(archive)
    assert adopted == [spare]
    assert (spare / "claims/claim-60/index.html").is_file(), "the site before is kept beside, out of the site"
    assert "Corrected: " not in (spare / "claims/claim-60/index.html").read_text("utf-8")

    # Whatever the spare holds that is not the site's own file is not trusted: junk, a page
    # changed in it (a copy, not a link), a folder the site no longer has.
    (spare / "junk.html").write_bytes(b"junk")
    (spare / "claims/no-such-claim").mkdir()
    (spare / "claims/no-such-claim/index.html").write_bytes(b"old")
    kept_page = spare / "claims/claim-3/index.html"
    copy = kept_page.read_bytes()
    kept_page.unlink()
    kept_page.write_bytes(copy.replace(b"</body>", b"<!-- stale --></body>"))
    last = max((archive / "content/articles").rglob("*.yaml"), key=lambda p: int(p.stem.split("-")[1]))
    last.unlink()   # its claims' folders go from the site
    result = run(archive)
    assert result.rendered < result.pages
    assert adopted == [spare, spare], "the build before rendered few pages: its spare is close to the site"
    site = archive / "site"
    assert not (site / "junk.html").exists() and not (site / "claims/no-such-claim").exists()
    assert b"<!-- stale -->" not in (site / "claims/claim-3/index.html").read_bytes()
    run(archive, "full", incremental_=False)
    assert folders_and_files(site) == folders_and_files(archive / "full"), "no file or empty folder left over"
    shutil.rmtree(archive / "full")

    run(archive, incremental_=False)   # a full build drops the spare
    assert not spare.exists()
    run(archive)   # every page rendered: the site it replaced would be nearly all stale, so a copy is made
    copied_in_background(archive)
    assert (spare / publishing.SPARE_COPY).is_file()
    edit(sheet, 'statement: "', 'statement: "Again: ')
    assert run(archive).rendered < result.pages
    assert adopted == [spare, spare, spare]
    same_as_full_build(archive)


# ---------------------------------------------------------------------------
# A long-running process (the live preview) keeps its last build in memory


def test_an_incremental_build_counts_the_site_it_made_without_walking_it(archive: Path, request, monkeypatch):
    """Files and bytes, as a walk of the site finds them: kept pages counted from the record,
    the rest as written; also when forked processes rendered the pages."""
    not_the_site(monkeypatch)
    first = run(archive)   # no record before: every page is looked at once
    assert (first.files, first.size) == walked(archive / "site")
    sheet = sheet_of(archive, "claim-60")
    edit(sheet, 'statement: "', 'statement: "A much longer statement than before, corrected: ')
    second = run(archive)
    assert second.rendered < second.pages
    assert (second.files, second.size) == walked(archive / "site") != (first.files, first.size)
    last = max((archive / "content/articles").rglob("*.yaml"), key=lambda p: int(p.stem.split("-")[1]))
    last.unlink()
    request.getfixturevalue("forks")
    third = run(archive)
    assert (third.files, third.size) == walked(archive / "site") != (second.files, second.size)


def test_offline_search_rows_name_their_claims_after_a_speaker_is_renamed(archive: Path):
    """The offline search index's rows hold numbers into its names, and the live preview
    copies the rows of unchanged claims. A new outlet, or a speaker renamed, renumbers the
    names: every row still names its claim's speaker, outlet and outcome, as a fresh build
    writes them."""
    from generator.model import STATUS_LABELS

    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)

    def named(site: Path) -> dict[str, tuple]:
        script = (site / "search-fallback.js").read_text("utf-8")
        index = json.loads(script.split(" = ", 1)[1].rstrip(";\n"))
        names = index["names"]
        return {row[0]: (names[row[2]], names[row[6]], names[row[7]]) for row in index["claims"]}

    def expected(site: Path) -> dict[str, tuple]:
        records = json.loads((site / "claims.json").read_text("utf-8"))["claims"]
        return {f"claims/{record['id']}/index.html": (record["speaker"]["name"], record["article"]["outlet"],
                                                       STATUS_LABELS[record["outcome"]["status"]])
                for record in records}

    assert build(options, memory).built
    assert named(archive / "site") == expected(archive / "site")
    source = sheet_of(archive, "claim-7")
    added = source.with_name("article-added.yaml")
    added.write_text(re.sub(r'outlet: "[^"]*"', 'outlet: "AAA Gazette"', source.read_text("utf-8"), count=1)
                     .replace("- id: claim-", "- id: added-claim-").replace(".html\n", "-added.html\n", 1), "utf-8")
    assert build(options, memory).built   # the new outlet's name comes first: every number moves up
    assert named(archive / "site") == expected(archive / "site")
    people = archive / "content/people.yaml"
    edit(people, 'name: "Anna Abramov 0"', 'name: "Zoe Abramov 0"')   # from first place to last
    edit(sheet_of(archive, "claim-90"), 'summary: "', 'summary: "Update: ')
    assert build(options, memory).built
    now = named(archive / "site")
    assert now == expected(archive / "site")
    assert "Zoe Abramov 0" in {speaker for speaker, _, _ in now.values()}
    same_as_full_build(archive)


def test_lines_are_taken_from_the_downloads_only_where_the_record_says_they_are(archive: Path):
    """The record's line lengths locate each claim's lines in the files written; lengths that
    do not fit the files (a record and files from different builds) give no lines to copy."""
    from generator import exports

    run(archive)
    record = record_module.read_record(archive / "site")
    order, _, _, json_lengths, csv_lengths = record.downloads
    _, _, row_lengths = record.offline
    json_file, csv_file = (archive / "site/claims.json").read_bytes(), (archive / "site/claims.csv").read_bytes()
    script = (archive / "site/search-fallback.js").read_bytes()
    bodies = exports.download_bodies(json_file, csv_file, (json_lengths, csv_lengths))
    assert [json.loads(line)["id"] for line in bytes(bodies[0]).split(b",\n")] == order
    assert [row[0] for row in csv.reader(io.StringIO(bytes(bodies[1]).decode("utf-8"), newline=""))] == order
    assert len(json.loads(b"[" + bytes(exports.offline_body(script, row_lengths)) + b"]")) == len(order)
    longer = [json_lengths[0] + 1] + json_lengths[1:]
    assert exports.download_bodies(json_file, csv_file, (longer, csv_lengths)) is None
    assert exports.download_bodies(json_file, csv_file, (json_lengths, csv_lengths[1:])) is None
    assert exports.offline_body(script, row_lengths[1:]) is None


def test_an_article_retitled_rewrites_the_download_lines_of_each_of_its_claims(archive: Path):
    """A claim's line in the downloads names its article: after the article's title and
    outlet change (and nothing in its claims), each of its claims' lines is made again, from
    the command line and in the live preview."""
    import yaml

    sheet = sheet_of(archive, "claim-15")
    claims = [claim["id"] for claim in yaml.safe_load(sheet.read_text("utf-8"))["claims"]]
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    for number, remembered in enumerate((None, memory, memory)):
        assert build(options, remembered).built
        text = sheet.read_text("utf-8")
        sheet.write_text(re.sub(r'(?m)^  (title|outlet): "', rf'  \1: "Renamed {number} ', text), "utf-8")
        assert build(options, remembered).built
        records = {record["id"]: record for record in json.loads((archive / "site/claims.json").read_bytes())["claims"]}
        assert all(records[claim]["article"]["outlet"].startswith(f"Renamed {number} ") for claim in claims)
        same_as_full_build(archive)
