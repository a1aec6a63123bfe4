"""Incremental rebuilds: after a change, only the pages that read what changed are rendered,
and the site is byte for byte the one a full build makes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from generator import publishing, similarity, validation
from generator.incremental import record as record_module, sheets as sheet_cache, store
from generator.incremental.preview import PreviewState
from generator.incremental.similar import SIMILAR_VERSION
from generator.build import BuildOptions, build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synthetic  # noqa: E402


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    synthetic.generate(120, tmp_path / "archive")
    return tmp_path / "archive"


def run(archive: Path, output: str = "site", incremental_: bool = True, templates: Path | None = None):
    options = BuildOptions(content=archive / "content", output=archive / output, search=False, extract=False,
                           incremental=incremental_)
    if templates is not None:
        options = BuildOptions(**{**options.__dict__, "templates": templates})
    result = build(options)
    assert result.built, result.problems
    return result


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def same_as_full_build(archive: Path) -> None:
    run(archive, "full", incremental_=False)
    built, full = tree(archive / "site"), tree(archive / "full")
    assert sorted(built) == sorted(full)
    different = [path for path in full if built[path] != full[path]]
    assert different == [], f"incremental output differs from a full build in {different[:5]}"
    shutil.rmtree(archive / "full")


def inodes(site: Path) -> dict[str, int]:
    return {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("index.html")}


def sheet_of(archive: Path, claim_id: str) -> Path:
    for sheet in (archive / "content/articles").rglob("*.yaml"):
        if re.search(rf"- id: {claim_id}\n", sheet.read_text("utf-8")):
            return sheet
    raise AssertionError(claim_id)


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


@pytest.fixture()
def forks(monkeypatch) -> list[str]:
    """Builds fork for any site, in small batches; the kinds of process start asked for."""
    from generator import parallel, rendering

    monkeypatch.setattr(rendering, "PARALLEL_FROM", 0)
    monkeypatch.setattr(rendering, "BATCH", 37)
    asked: list[str] = []
    real_context = parallel.multiprocessing.get_context
    monkeypatch.setattr(parallel.multiprocessing, "get_context", lambda kind: asked.append(kind) or real_context(kind))
    return asked


def test_rendering_in_two_processes_gives_the_same_site(archive: Path, request):
    run(archive, "serial", incremental_=False)
    pools = request.getfixturevalue("forks")
    parallel = run(archive, "parallel")   # records what each page read, from the workers
    assert pools == ["fork"], "the pages were rendered by worker processes"
    assert tree(archive / "parallel") == tree(archive / "serial")
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    again = run(archive, "parallel")
    assert again.rendered < parallel.rendered
    run(archive, "serial", incremental_=False)
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_reading_sheets_in_two_processes_gives_the_same_documents_and_problems(archive: Path, monkeypatch):
    import multiprocessing

    from generator import contents

    sheets = sorted((archive / "content" / "articles").rglob("*.yaml"))
    sheets[3].write_text(sheets[3].read_text("utf-8").replace("claims:", "claims: [", 1), "utf-8")
    sheets[-2].write_text(sheets[-2].read_text("utf-8") + "\nextra: 1\nextra: 2\n", "utf-8")
    sheets[-1].write_text(sheets[-1].read_text("utf-8").replace("claims:", "editor: 1\nclaims:", 1), "utf-8")

    def read(processes: int):
        problems: list = []
        files, _ = contents.read_content(archive / "content", problems, processes)
        problems += contents.check_schemas(files) + validation.check_archive(files, dt.date(2026, 1, 1))   # with the lines of what is wrong
        for document in files.articles:
            document.position(())   # a sheet read by another process works out its positions when asked
        return [(d.path, d.value, d.values_at, d.keys_at) for d in files.articles], problems

    alone = read(1)
    monkeypatch.setattr(contents, "PARALLEL_FROM", 5)
    pools = []
    real_context = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context", lambda kind: pools.append(kind) or real_context(kind))
    assert read(2) == alone
    assert pools == ["fork"], "the sheets were read by a second process"
    assert {str(sheets[3]), str(sheets[-2]), str(sheets[-1])} <= {problem.path for problem in alone[1]}
    unknown = [problem for problem in alone[1] if "editor" in problem.message]
    assert unknown and unknown[0].line > 1, "the unknown field is shown where it is written"


def test_templates_reach_the_archive_only_through_recorded_accessors():
    """An incremental build knows what a page read only through SiteView's accessors
    (view.claim, view.person, view.topic, ...). A template that walked view.archive or
    view.links directly would read claims unrecorded and go stale without any error."""
    from jinja2 import nodes

    from generator.pages import TEMPLATES, environment

    env = environment(TEMPLATES)
    offenders = []
    for path in sorted(TEMPLATES.glob("*.html")):
        tree = env.parse(path.read_text("utf-8"))
        for node in tree.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and node.node.name == "view" and (
                    node.attr in ("archive", "links") or node.attr.startswith("_")):
                offenders.append(f"{path.name}:{node.lineno}: view.{node.attr}")
    assert offenders == []


# ---------------------------------------------------------------------------
# The sheets read before: kept beside the site, never trusted over the files


def build_incrementally(archive: Path):
    return build(BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                              incremental=True))


@pytest.fixture()
def parsed(monkeypatch) -> list[str]:
    """The claim sheets each build parses (rather than takes from the cache), by path."""
    from generator import contents

    seen: list[str] = []
    real = contents.parse_file
    monkeypatch.setattr(contents, "parse_file", lambda raw, shown, **how: seen.append(shown) or real(raw, shown, **how))
    return seen


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
                        lambda archive_, links, claim, base_url: written.append(claim.id) or real(archive_, links, claim,
                                                                                                  base_url))
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


@pytest.fixture()
def scored(monkeypatch) -> list[int]:
    """How many claims were scored for similar statements, each time some were, in this test's
    builds: all of them (found anew), or those an edit can change (found again)."""
    calls: list[int] = []
    score_all, refind = similarity._score_all, similarity.SimilarityRecord.refind

    def counting_all(index, *args, **kwargs):
        calls.append(len(index.claims))
        return score_all(index, *args, **kwargs)

    def counting_refind(record, *args, **kwargs):
        done = refind(record, *args, **kwargs)
        if done:
            calls.append(record.rescored)
        return done

    monkeypatch.setattr(similarity, "_score_all", counting_all)
    monkeypatch.setattr(similarity.SimilarityRecord, "refind", counting_refind)
    return calls


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
    assert len(scored) == 1 and 1 <= scored[0] < claims[0], \
        "a statement changed: the claims it can change are scored again, not all"
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


def test_after_the_live_preview_the_command_line_finds_similar_statements_from_the_record_on_disk(
        archive: Path, scored: list[int], monkeypatch):
    """The live preview keeps its record of similar statements up to date in memory only; the
    one on disk, older by the preview's edits, still gives the command line's next build what
    a full build finds."""
    monkeypatch.setattr(similarity, "REFIND_AT_MOST", 1.0)
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    assert build(options, memory).built
    record = store.cache_path(archive / "site", "similar-record")
    written = record.read_bytes()
    for claim_id, word in (("claim-60", "First: "), ("claim-7", "Second: ")):
        edit(sheet_of(archive, claim_id), 'statement: "', f'statement: "{word}')
        assert build(options, memory).built
    assert record.read_bytes() == written, "left as it was"
    scored.clear()
    edit(sheet_of(archive, "claim-33"), 'statement: "', 'statement: "Third: ')
    run(archive)
    assert len(scored) == 1 and scored[0] < 120, "found again from the older record, not anew"
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
    assert len(on_question) > 8 and 1 <= len(changed) <= len(on_question) // 3, (changed, on_question)
    assert result.rendered < result.pages // 4, "nor are pages made again whose similar statements only moved in score"
    same_as_full_build(archive)


def folders_and_files(site: Path) -> tuple[list[str], dict[str, bytes]]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir()), tree(site)


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


def copied_in_background(archive: Path, wait: float = 30.0) -> None:
    """Wait for the copy of the site a build leaves as the next one's spare to be made."""
    import time

    deadline = time.monotonic() + wait
    while list(archive.glob("site.*.old")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(archive.glob("site.*.old"))


def test_a_plan_digest_changes_with_any_value_of_the_plan_and_names_its_parts():
    import datetime as dt

    from generator.linking import Neighbours
    from generator.model import Claim
    from generator.pages import Page, Pager

    claim = Claim(id="c-1", statement="s", form="direct", speaker="p-1", said=dt.date(2020, 1, 2), kind="promise",
                  review="reviewed", article="a-1")

    def plan(**changes) -> Page:
        values = {"claim": claim, "claims": [claim], "pager": Pager(1, 2, ("x/index.html", "x/2/index.html")),
                  "neighbours": Neighbours("t-1", ("c-0",), (), 1), "day": dt.date(2020, 1, 2), "count": 3}
        return Page("x/index.html", "topic.html", "Title", {**values, **changes}, "topics")

    digest, parts = record_module.plan_digest(plan())
    assert parts == {"claim:c-1"}
    assert record_module.plan_digest(plan())[0] == digest, "the same plan, the same digest"
    for changed in ({"pager": Pager(2, 2, ("x/index.html", "x/2/index.html"))}, {"count": 4},
                    {"neighbours": Neighbours("t-1", ("c-9",), (), 1)}, {"day": dt.date(2020, 1, 3)},
                    {"claims": []}):
        assert record_module.plan_digest(plan(**changed))[0] != digest, changed
    with pytest.raises(TypeError, match="no stable order"):
        record_module.plan_digest(plan(count={1, 2}))


def test_a_full_build_writes_its_exports_beside_the_render_workers(archive: Path, request, monkeypatch, tmp_path):
    import os

    from generator import rendering

    run(archive, "serial", incremental_=False)
    forked = request.getfixturevalue("forks")
    real_export, exported_by = rendering.export, tmp_path / "exported-by"

    def export(*args, **kwargs):   # inherited by the forked process: it says where it ran in a file
        exported_by.write_text(str(os.getpid()))
        return real_export(*args, **kwargs)

    monkeypatch.setattr(rendering, "export", export)
    run(archive, "parallel", incremental_=False)
    assert forked == ["fork"], "one pool of processes renders the pages and makes the exports"
    assert int(exported_by.read_text()) != os.getpid(), "the exports were made by a forked process"
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_a_large_full_build_renders_other_pages_while_a_forked_process_finds_similar_statements(
        archive: Path, request, monkeypatch, tmp_path):
    import os

    from generator import linking

    serial = run(archive, "serial", incremental_=False)
    assert any("Similar statements" in html.decode() for path, html in tree(archive / "serial").items()
               if path.startswith("claims/")), "the archive has similar statements to find"
    forked = request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    real_similar, found_by = linking.similar_statements, tmp_path / "found-by"

    def similar_statements(*args, **kwargs):   # inherited by the forked process: it says where it ran
        found_by.write_text(str(os.getpid()))
        return real_similar(*args, **kwargs)

    monkeypatch.setattr(linking, "similar_statements", similar_statements)
    parallel = run(archive, "parallel", incremental_=False)
    assert forked == ["fork", "fork"], "one process finds similar statements, then a pool renders"
    assert "similar" not in serial.stages and parallel.stages["similar"] > 0, \
        "the time taken beside rendering is reported on its own (bench/build_speed.py shows it)"
    assert int(found_by.read_text()) != os.getpid(), "the similar statements were found by a forked process"
    assert tree(archive / "parallel") == tree(archive / "serial")


def similar_found_beside(archive: Path, request, monkeypatch) -> None:
    """A one-process full build in `serial` to compare with; then builds fork as a large
    archive's would, and find similar statements beside the rest however few the claims."""
    from generator import linking

    run(archive, "serial", incremental_=False)
    request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)


def test_a_full_build_makes_its_exports_while_it_waits_for_similar_statements(archive: Path, request, monkeypatch,
                                                                             tmp_path):
    import os
    import time

    from generator import linking, rendering

    similar_found_beside(archive, request, monkeypatch)
    real_similar, real_export, exported_by = linking.similar_statements, rendering.export, tmp_path / "exported-by"

    def slow_similar_statements(*args, **kwargs):   # in the forked process: found after every other page is rendered
        time.sleep(3)
        return real_similar(*args, **kwargs)

    def export(*args, **kwargs):
        exported_by.write_text(str(os.getpid()))
        return real_export(*args, **kwargs)

    monkeypatch.setattr(linking, "similar_statements", slow_similar_statements)
    monkeypatch.setattr(rendering, "export", export)
    run(archive, "parallel", incremental_=False)
    assert int(exported_by.read_text()) == os.getpid(), "this process made the exports instead of waiting"
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_similar_statements_are_found_while_the_archive_is_checked_and_a_problem_still_stops_the_build(
        archive: Path, request, monkeypatch):
    from generator import build as pipeline, linking

    run(archive, incremental_=False)
    before = tree(archive / "site")
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace("speaker: speaker-", "speaker: nobody-", 1), "utf-8")
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False)
    alone = build(options)
    assert not alone.built and alone.problems

    request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    steps: list[str] = []
    real_start, real_check, real_close = linking.SimilarLater.start, pipeline.check_archive, linking.SimilarLater.close
    monkeypatch.setattr(linking.SimilarLater, "start", lambda *args: steps.append("start") or real_start(*args))
    monkeypatch.setattr(pipeline, "check_archive", lambda *args: steps.append("check") or real_check(*args))
    monkeypatch.setattr(linking.SimilarLater, "close", lambda later: steps.append("close") or real_close(later))
    beside = build(options)
    assert steps == ["start", "check", "close"], "found while the archive was checked, then stopped"
    assert not beside.built and beside.problems == alone.problems, "the same problems, at the same lines"
    assert tree(archive / "site") == before


def test_an_archive_that_cannot_be_modelled_before_its_checks_is_modelled_after_them(archive: Path, request,
                                                                                      monkeypatch):
    from generator import build as pipeline

    similar_found_beside(archive, request, monkeypatch)
    real_model, calls = pipeline.model_archive, []

    def model_archive(*args, **kwargs):   # fails the first time, as on a value only the checks across files refuse
        calls.append(len(calls))
        if len(calls) == 1:
            raise ValueError("month must be in 1..12")
        return real_model(*args, **kwargs)

    monkeypatch.setattr(pipeline, "model_archive", model_archive)
    built = run(archive, "parallel", incremental_=False)
    assert calls == [0, 1] and built.stages["similar"] > 0, "modelled again after the checks, then linked as before"
    assert tree(archive / "parallel") == tree(archive / "serial")


def test_the_process_finding_similar_statements_is_forked_before_the_content_is_read(archive: Path, request,
                                                                                   monkeypatch):
    import multiprocessing

    from generator import build as pipeline

    similar_found_beside(archive, request, monkeypatch)
    real_read, running = pipeline.read_content, []

    def read_content(*args, **kwargs):   # forked later, it would keep a copy of all that reading leaves behind
        running.extend(process.name for process in multiprocessing.active_children())
        return real_read(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_content", read_content)
    built = run(archive, "parallel", incremental_=False)
    assert running == ["similar statements"] and built.stages["similar"] > 0
    assert tree(archive / "parallel") == tree(archive / "serial")
    assert not multiprocessing.active_children(), "it has ended with the build"


@pytest.mark.parametrize("when", ["while finding them", "before it is sent the statements"])
def test_a_process_finding_similar_statements_that_dies_fails_the_build_and_says_so(archive: Path, request,
                                                                                  monkeypatch, when):
    import os
    import signal

    from generator import linking

    run(archive, incremental_=False)
    before = tree(archive / "site")
    request.getfixturevalue("forks")
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    if when == "while finding them":
        monkeypatch.setattr(linking, "similar_statements", lambda *args, **kwargs: os._exit(3))
        code = "3"
    else:
        real_start = linking.SimilarLater.start

        def start(later, *args):
            os.kill(later._process.pid, signal.SIGKILL)
            later._process.join()
            return real_start(later, *args)

        monkeypatch.setattr(linking.SimilarLater, "start", start)
        code = "-9"
    with pytest.raises(RuntimeError, match=rf"finding similar statements stopped without a result .*exit code {code}\)"):
        build(BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False))
    assert tree(archive / "site") == before
    assert not list(archive.glob("site.*.building")), "the half-built staging folder is gone"


@pytest.mark.parametrize("forked", [
    ("linking.LINK_LATER_FROM", "linking", "similar_statements", "the statements could not be compared",
     "could not be compared"),
    ("rendering.PARALLEL_FROM", "exports", "write_offline_index", "the fallback index could not be made",
     "writing the exports failed"),
], ids=["finding similar statements", "the exports beside rendering"])
def test_a_failure_in_a_forked_process_fails_the_build_and_keeps_the_site(archive: Path, monkeypatch, forked):
    import importlib

    threshold, module, function, message, reported = forked
    run(archive, incremental_=False)
    before = tree(archive / "site")
    monkeypatch.setattr(f"generator.{threshold}", 0)

    def broken(*args, **kwargs):  # noqa
        raise RuntimeError(message)

    # inherited by the forked process
    monkeypatch.setattr(importlib.import_module(f"generator.{module}"), function, broken)
    with pytest.raises(RuntimeError, match=reported):
        build(BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False))
    assert tree(archive / "site") == before
    assert not list(archive.glob("site.*.building")), "the half-built staging folder is gone"


def test_unchanged_sheets_keep_their_parts_digests_from_the_record(archive: Path, monkeypatch):
    run(archive)
    digested: list[str] = []
    real = record_module._digest
    monkeypatch.setattr(record_module, "_digest", lambda text: digested.append(text) or real(text))
    sheet = sheet_of(archive, "claim-60")
    sheet.write_text(sheet.read_text("utf-8").replace('statement: "', 'statement: "Corrected: ', 1), "utf-8")
    run(archive)
    claims = [text for text in digested if text.startswith("Claim(")]
    assert claims and all(f"article='{sheet.stem}'" in text for text in claims), \
        "only the edited sheet's claims are digested again"
    same_as_full_build(archive)


# ---------------------------------------------------------------------------
# A long-running process (the live preview) keeps its last build in memory


def edit(sheet: Path, old: str, new: str) -> None:
    text = sheet.read_text("utf-8")
    assert old in text, old
    sheet.write_text(text.replace(old, new, 1), "utf-8")


def test_builds_from_memory_render_what_builds_from_disk_render_and_match_a_full_build(archive: Path,
                                                                                        tmp_path: Path,
                                                                                        monkeypatch):
    """The same edits to two copies of an archive: one built by a process that keeps its last
    build in memory, one built from what is kept on disk. Each edit renders the same pages
    in both, and the site is the one a full build makes, folders and all: among the edits, a
    claim moved to another day (its neighbours' pages change, not their parts), a sheet
    removed and one added. From the third build on, the process made both the spare and the
    site in place, so it starts from the spare without looking through it."""
    from generator import linking

    monkeypatch.setattr(similarity, "REFIND_AT_MOST", 1.0)   # similar statements found again, not anew, in so few
    twin = tmp_path / "twin"
    shutil.copytree(archive, twin)
    memory = PreviewState()
    walked, linked_again = [], []
    real_adopt, real_known, real_link = publishing.adopt_spare, publishing._adopt_known, linking._other_years
    monkeypatch.setattr(publishing, "adopt_spare", lambda *args: walked.append(args[0]) or real_adopt(*args))
    monkeypatch.setattr(publishing, "_adopt_known", lambda *args: walked.remove(walked[-1]) or real_known(*args))
    monkeypatch.setattr(linking, "_other_years", lambda *args: linked_again.append(args[0].id) or real_link(*args))

    def both(change, walks: bool, links_again: bool) -> None:
        for copy in (archive, twin):
            change(copy)
        walked.clear(), linked_again.clear()
        remembered = build(BuildOptions(content=archive / "content", output=archive / "site", search=False,
                                        extract=False, incremental=True), memory)
        assert remembered.built, remembered.problems
        assert bool(walked) == walks and bool(linked_again) == links_again
        from_disk = run(twin)
        assert remembered.rendered == from_disk.rendered < from_disk.pages
        assert folders_and_files(archive / "site") == folders_and_files(twin / "site")
        run(archive, "full", incremental_=False)
        assert folders_and_files(archive / "site") == folders_and_files(archive / "full")
        shutil.rmtree(archive / "full")
        return remembered

    for copy in (archive, twin):
        run(copy)
    sheet = sheet_of(archive, "claim-60").relative_to(archive)
    # The first two builds start from spares made by the command line's builds: looked through.
    both(lambda copy: edit(copy / sheet, 'summary: "', 'summary: "Update: '), walks=True, links_again=True)
    assert memory.record is not None and memory.plans, "the build was remembered"
    both(lambda copy: edit(copy / sheet, 'statement: "', 'statement: "Corrected: '), walks=True, links_again=False)
    said = re.search(r"said: (\d{4})-\d\d-\d\d", (archive / sheet).read_text("utf-8"))
    both(lambda copy: edit(copy / sheet, said.group(0), f"said: {said.group(1)}-01-01"), walks=False,
         links_again=True)
    both(lambda copy: edit(copy / sheet, 'summary: "Update: ', 'summary: "'), walks=False, links_again=False)
    # The speakers and questions are modelled again only when their file changed.
    renamed = both(lambda copy: edit(copy / "content/people.yaml", 'name: "', 'name: "Dr '), walks=False,
                   links_again=False)
    assert "Dr " in (archive / "site/speakers/speaker-0/index.html").read_text("utf-8")
    assert renamed.rendered * 4 < renamed.pages, "one speaker's pages, not the site"
    both(lambda copy: edit(copy / "content/topics.yaml", 'question: "', 'question: "Really: '), walks=False,
         links_again=False)
    last = max((archive / "content/articles").rglob("*.yaml"), key=lambda p: int(p.stem.split("-")[1]))
    removed = both(lambda copy: (copy / last.relative_to(archive)).unlink(), walks=False, links_again=True)
    # A build that rendered most pages leaves a copy of its site as the spare, made in the background.
    copied = removed.rendered * 4 >= removed.pages
    if copied:
        copied_in_background(archive)
    both(lambda copy: (copy / sheet).with_name("article-new.yaml").write_text(
        (copy / sheet).read_text("utf-8").replace("- id: claim-", "- id: new-claim-"), "utf-8"),
        walks=copied, links_again=True)


def test_the_live_preview_looks_through_a_spare_it_did_not_leave(archive: Path):
    """The live preview starts from the spare it left without looking through it. When the
    spare is not that folder any more (another was put in its place), it is looked through
    as the command line does: nothing in it is trusted."""

    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    sheet = sheet_of(archive, "claim-60")
    for word in ("One: ", "Two: ", "Three: "):
        edit(sheet, 'summary: "', f'summary: "{word}')
        assert build(options, memory).built
    spare = store.cache_path(archive / "site", "spare")
    assert memory.spare is not None and memory.spare.describes(spare)
    stand_in = spare.with_name("stand-in")
    shutil.copytree(spare, stand_in)
    (stand_in / "claims/claim-3/index.html").write_bytes(b"not the site's page")
    (stand_in / "junk.html").write_bytes(b"junk")
    shutil.rmtree(spare)
    stand_in.rename(spare)
    assert not memory.spare.describes(spare)
    edit(sheet, 'summary: "', 'summary: "Four: ')
    result = build(options, memory)
    assert result.built and result.rendered < result.pages
    assert not (archive / "site/junk.html").exists()
    assert b"not the site's page" not in (archive / "site/claims/claim-3/index.html").read_bytes()
    run(archive, "full", incremental_=False)
    assert folders_and_files(archive / "site") == folders_and_files(archive / "full")


def test_memory_is_not_trusted_once_another_build_replaced_the_site(archive: Path):
    """A build from the command line between two of the live preview's: the site in place is no
    longer the one the preview remembers, so it goes by the record on disk. Trusting its memory,
    it would keep the other build's page of an edit since undone."""
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    assert build(options, memory).built
    sheet = sheet_of(archive, "claim-60")
    original = sheet.read_text("utf-8")
    edit(sheet, 'statement: "', 'statement: "Meanwhile: ')
    run(archive)   # another process
    assert "Meanwhile: " in (archive / "site/claims/claim-60/index.html").read_text("utf-8")
    assert not memory.describes(archive / "site")
    sheet.write_text(original, "utf-8")
    result = build(options, memory)
    assert result.rendered < result.pages
    assert "Meanwhile: " not in (archive / "site/claims/claim-60/index.html").read_text("utf-8")
    same_as_full_build(archive)


def test_memory_keeps_the_sheets_and_articles_read_and_reads_only_what_changed(archive: Path, parsed: list[str],
                                                                               monkeypatch):
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    assert build(options, memory).built
    from generator import contents

    modelled, unmarshalled = [], []
    real_article, real_unmarshalled = contents._article, contents._unmarshalled
    monkeypatch.setattr(contents, "_article", lambda document: modelled.append(document.path)
                        or real_article(document))
    monkeypatch.setattr(contents, "_unmarshalled", lambda blob: unmarshalled.append(blob)
                        or real_unmarshalled(blob))
    monkeypatch.setattr(sheet_cache, "read_sheets_cache", lambda path: pytest.fail("the cache was read from disk"))
    monkeypatch.setattr(record_module, "read_record", lambda output: pytest.fail("the record was read from disk"))
    real_read = store.read_sealed
    monkeypatch.setattr(store, "read_sealed", lambda path, kind, version: pytest.fail(f"{kind} read from disk")
                        if kind in ("similar", "similar record", "sheets", "record") else real_read(path, kind, version))
    parsed.clear()
    sheet = sheet_of(archive, "claim-60")
    edit(sheet, 'summary: "', 'summary: "Update: ')
    result = build(options, memory)
    assert result.built and result.rendered < result.pages
    assert parsed == [str(sheet)] and modelled == [str(sheet)] and unmarshalled == []
    same_as_full_build(archive)


def test_plans_are_the_same_only_with_the_same_values_in_the_same_order():
    import datetime as dt

    from generator.pages import Page

    def plan(**changes) -> Page:
        values = {"count": 1, "counts": {"accurate": 2, "inaccurate": 1}, "day": dt.date(2020, 1, 2),
                  "view": object()}
        return Page("x/index.html", "topic.html", "Title", {**values, **changes}, "topics")

    assert record_module.same_plan(plan(), plan()), "the site view is left out: it is new in every build"
    for changed in ({"count": 2}, {"count": True}, {"count": 1.0}, {"counts": {"inaccurate": 1, "accurate": 2}},
                    {"day": dt.date(2020, 1, 3)}, {"extra": 1}):
        assert not record_module.same_plan(plan(), plan(**changed)), changed
    assert not record_module.same_plan(None, plan())
    assert not record_module.same_plan(plan(), Page("x/index.html", "topic.html", "Other", plan().values, "topics"))


def walked(site: Path) -> tuple[int, int]:
    files = [path for path in site.rglob("*") if path.is_file()]
    return len(files), sum(path.stat().st_size for path in files)


def not_the_site(monkeypatch) -> None:
    """Builds may walk a folder of the site (the search index's), never the whole site."""
    from generator import build as pipeline

    real = pipeline._files_under
    monkeypatch.setattr(pipeline, "_files_under", lambda staging, folder: pytest.fail("the site was walked")
                        if folder in (".", "") else real(staging, folder))


def test_a_full_build_counts_the_site_it_made_without_walking_it(archive: Path, request, monkeypatch):
    """Also when forked processes rendered the pages, made the exports and found similar statements."""
    from generator import linking

    not_the_site(monkeypatch)
    alone = run(archive, incremental_=False)
    assert (alone.files, alone.size) == walked(archive / "site")
    request.getfixturevalue("forks")
    forked = run(archive, "forked", incremental_=False)
    assert (forked.files, forked.size) == walked(archive / "forked") == (alone.files, alone.size)
    monkeypatch.setattr(linking, "LINK_LATER_FROM", 0)
    later = run(archive, "later", incremental_=False)
    assert (later.files, later.size) == walked(archive / "later") == (alone.files, alone.size)


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


def test_plans_hold_mappings_only_where_same_plan_compares_their_order(archive: Path):
    """`same_plan` compares the order of keys of a plan's mappings and of mappings within them,
    not deeper (== ignores it): a mapping deeper in a plan would need it to look further."""
    from generator.build import check
    from generator.linking import link_archive
    from generator.pages import plan_pages

    model, problems = check(archive / "content")
    assert model is not None, problems
    pages = plan_pages(model, link_archive(model), "https://example.org/")
    templates = {page.template for page in pages}

    def deepest(value, depth: int = 0) -> int:
        if isinstance(value, dict):
            return max([depth] + [deepest(item, depth + 1) for item in value.values()])
        if isinstance(value, (list, tuple)):
            return max([-1] + [deepest(item, depth) for item in value])
        if hasattr(value, "__dict__") and not isinstance(value, type):
            return max([-1] + [deepest(item, depth) for item in vars(value).values()])
        return -1

    for page in pages:
        values = {key: value for key, value in page.values.items() if key != "view"}
        assert deepest(values) <= 1, f"{page.path}: a mapping within a mapping within the plan"
    assert {"claim.html", "home.html", "topic.html", "speaker.html", "year.html", "article.html"} <= templates


def test_memory_reads_again_only_the_sheets_changed_on_disk(archive: Path, monkeypatch):
    """The live preview does not read a sheet (or parse the speakers' file) again while the file system reports the same
    file, size and times as when it last read it, and those times were not too recent then:
    a sheet rewritten, even with its old modification time put back, is read again."""
    import os

    from generator import contents

    opened: list[str] = []
    real_read = contents.read_file
    monkeypatch.setattr(contents, "read_file", lambda path, shown: opened.append(shown) or real_read(path, shown))
    monkeypatch.setattr(contents, "SETTLED_SECONDS", 0)
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    sheets = sorted((archive / "content/articles").rglob("*.yaml"))
    assert build(options, memory).built and len(opened) == len(sheets)

    sheet = sheet_of(archive, "claim-60")
    opened.clear()
    edit(sheet, 'summary: "', 'summary: "Update: ')
    assert build(options, memory).built
    assert opened == [str(sheet)]
    assert "Update: " in (archive / "site/claims/claim-60/index.html").read_text("utf-8")

    # The same size and modification time, other bytes: only the change time tells.
    opened.clear()
    before = sheet.stat()
    text = sheet.read_text("utf-8")
    sheet.write_text(text.replace("Update: ", "Latest: ", 1), "utf-8")
    os.utime(sheet, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert sheet.stat().st_size == before.st_size and sheet.stat().st_mtime_ns == before.st_mtime_ns
    assert build(options, memory).built
    assert opened == [str(sheet)]
    assert "Latest: " in (archive / "site/claims/claim-60/index.html").read_text("utf-8")
    same_as_full_build(archive)

    # The speakers' file likewise, though it is kept parsed.
    people = archive / "content/people.yaml"
    before = people.stat()
    text = people.read_text("utf-8")
    name = re.search(r'name: "(\w+) ', text).group(1)
    people.write_text(text.replace(f'name: "{name} ', f'name: "{name.upper()} ', 1), "utf-8")
    os.utime(people, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert people.stat().st_size == before.st_size
    assert build(options, memory).built
    assert name.upper() in (archive / "site/speakers/speaker-0/index.html").read_text("utf-8")
    same_as_full_build(archive)

    # Sheets written moments before they were read are read every time, until they settle.
    monkeypatch.setattr(contents, "SETTLED_SECONDS", 3600)
    assert build(options, memory).built
    opened.clear()
    assert build(options, memory).built
    assert len(opened) == len(sheets)


def test_memory_reports_every_problem_a_build_without_it_reports(archive: Path):
    """The live preview keeps what the checks across sheets found for unchanged sheets; the
    problems it reports are still those a fresh build reports, lines and all: a circle of
    evidence, then the sheet holding it shifted down a line, an unknown speaker, evidence
    citing a claim that does not exist, and all of them fixed."""
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)

    def reported(result) -> list[tuple]:
        return [(p.path, p.line, p.column, p.severity, p.message) for p in result.problems]

    def same_problems() -> list[tuple]:
        remembered = build(options, memory)
        fresh = build(BuildOptions(content=archive / "content", output=archive / "fresh", search=False,
                                   extract=False))
        assert reported(remembered) == reported(fresh)
        assert remembered.built == fresh.built
        return reported(fresh)

    assert same_problems() == []
    circle = sheet_of(archive, "claim-3")
    original = circle.read_text("utf-8")
    assert "- claim: claim-2" in original
    edit(circle, "    outcome:\n      status: unrated\n    review: reviewed\n  - id: claim-3",
         "    outcome:\n      status: unrated\n      evidence:\n        - claim: claim-3\n"
         "    review: reviewed\n  - id: claim-3")
    found = same_problems()
    assert [message for *_, message in found if "circle" in message]
    circle.write_text("# checked by the desk\n" + circle.read_text("utf-8"), "utf-8")
    shifted = same_problems()
    assert [line for _, line, *_ in shifted] == [line + 1 for _, line, *_ in found]
    # A sheet before it repeats its claims, citations and all: the circle is reported there now.
    repeated = circle.with_name("aaa-repeated.yaml")
    repeated.write_text(circle.read_text("utf-8").replace(".html\n", "-repeated.html\n", 1), "utf-8")
    assert [path for path, *_, message in same_problems() if "circle" in message] == [str(repeated)]
    repeated.unlink()
    assert same_problems() == shifted

    speaker_sheet = sheet_of(archive, "claim-60")
    edit(speaker_sheet, "speaker: speaker-", "speaker: nobody-")
    assert any("is not in content/people.yaml" in message for *_, message in same_problems())
    other = sheet_of(archive, "claim-90")
    edit(other, 'summary: "', 'summary: "Update: ')
    same_problems()
    edit(other, "outcome:\n      status: unrated\n", "outcome:\n      status: unrated\n      evidence:\n"
         "        - claim: claim-9999\n")
    assert any("claim-9999" in message for *_, message in same_problems())
    # A problem goes when another file gives what was missing, though its own sheet is unchanged.
    twin = circle.with_name("article-twin.yaml")
    twin.write_text(original.replace("- id: claim-", "- id: twin-claim-").replace("- id: twin-claim-3\n",
                                                                                "- id: claim-9999\n"), "utf-8")
    assert not any("claim-9999" in message for *_, message in same_problems())
    twin.unlink()

    circle.write_text(original, "utf-8")
    edit(speaker_sheet, "speaker: nobody-", "speaker: speaker-")
    edit(other, "        - claim: claim-9999\n", "        - claim: claim-3\n")
    assert same_problems() == []
    same_as_full_build(archive)


def test_memory_checks_again_only_the_sheets_an_edit_can_change(archive: Path, monkeypatch):
    """The live preview checks a new sheet's claims alone, not every sheet's again; a sheet
    citing a claim is checked again when that claim's standing changes in another sheet
    (rejected, then published again), or, citing one not in the archive, when the ids change
    (the guess at which was meant). It reports what a fresh build reports."""
    from generator import validation

    checked: list[str] = []
    check_claim = validation._check_claim

    def counted(sheet, where, claim, *rest):
        checked.append(claim.get("id"))
        return check_claim(sheet, where, claim, *rest)

    monkeypatch.setattr(validation, "_check_claim", counted)
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    assert build(options, memory).built
    assert len(checked) == 120

    source = sheet_of(archive, "claim-7")
    added = source.with_name("article-added.yaml")
    added.write_text(source.read_text("utf-8").replace("- id: claim-", "- id: added-claim-")
                     .replace(".html\n", "-added.html\n", 1), "utf-8")
    checked.clear()
    assert build(options, memory).built
    assert checked and all(claim_id.startswith("added-claim-") for claim_id in checked), checked

    citing = next(sheet for sheet in (archive / "content/articles").rglob("*.yaml")
                  if "- claim: claim-46\n" in sheet.read_text("utf-8"))
    before_citation = citing.read_text("utf-8").split("- claim: claim-46\n")[0]
    citer = re.findall(r"- id: (\S+)\n", before_citation)[-1]
    cited = sheet_of(archive, "claim-46")
    assert citing != cited
    text = cited.read_text("utf-8")
    start = text.index("- id: claim-46\n")
    rejected = text[:start] + text[start:].replace("    review: reviewed\n",
                                                   "    review: rejected\n    note: Misattributed.\n", 1)
    cited.write_text(rejected, "utf-8")
    checked.clear()
    result = build(options, memory)
    checked_then = list(checked)
    fresh = build(BuildOptions(content=archive / "content", output=archive / "fresh", search=False, extract=False))
    said = [(p.path, p.line, p.message) for p in result.problems]
    assert said == [(p.path, p.line, p.message) for p in fresh.problems]
    assert [message for path, _, message in said
            if path.endswith(citing.name) and "'claim-46' was rejected" in message]
    assert citer in checked_then and len(checked_then) < 120 // 2

    cited.write_text(text, "utf-8")
    checked.clear()
    assert build(options, memory).problems == []
    assert citer in checked

    # Citing a claim not in the archive, the guess at which was meant follows the ids of every sheet.
    citing_text = citing.read_text("utf-8")
    citing.write_text(citing_text.replace("- claim: claim-46\n", "- claim: claim-999\n"), "utf-8")
    guesses = []
    for closer in ("added-claim-7", "claim-9990"):   # the closest id: claim-99, then one added
        added.write_text(added.read_text("utf-8").replace("- id: added-claim-7\n", f"- id: {closer}\n"), "utf-8")
        result = build(options, memory)
        fresh = build(BuildOptions(content=archive / "content", output=archive / "fresh", search=False,
                                   extract=False))
        assert [(p.path, p.line, p.message, p.hint) for p in result.problems] == \
            [(p.path, p.line, p.message, p.hint) for p in fresh.problems]
        guesses += [p.hint for p in result.problems if "'claim-999' is not in the archive" in p.message]
    assert guesses == ["did you mean 'claim-99'?", "did you mean 'claim-9990'?"]
    citing.write_text(citing_text, "utf-8")
    added.unlink()
    assert build(options, memory).built
    same_as_full_build(archive)


def test_memory_keeps_neighbours_on_unchanged_questions_and_their_order_on_the_claim(archive: Path):
    """The live preview keeps a claim's neighbours on questions whose timelines did not change,
    in the order the claim now lists its questions: swapping them swaps the sections."""
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    assert build(options, memory).built
    sheet = sheet_of(archive, "claim-2")
    edit(sheet, "topics: [question-2, question-8]", "topics: [question-8, question-2]")
    assert build(options, memory).built
    page = (archive / "site/claims/claim-2/index.html").read_text("utf-8")
    assert page.index("topics/question-8/") < page.index("topics/question-2/")
    same_as_full_build(archive)


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


def test_the_live_preview_writes_the_sheets_cache_once_it_lacks_more_than_a_few(archive: Path, parsed: list[str],
                                                                               monkeypatch):
    """The live preview keeps the sheets it read in memory, and writes the cache on disk (100 MB
    at 100,000 claims) only once it lacks more than SHEETS_STALE_AT_MOST of them, or is gone. A
    build from the command line then parses again only the sheets the cache lacks."""
    from generator.incremental import reuse

    monkeypatch.setattr(reuse, "SHEETS_STALE_AT_MOST", 2)
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    cache = store.cache_path(archive / "site", "sheets")
    sheets = sorted({sheet_of(archive, f"claim-{number}") for number in range(0, 120, 7)})
    assert len(sheets) >= 6

    def written_again() -> bool:
        nonlocal inode
        before, inode = inode, cache.stat().st_ino   # written through a new file renamed over it
        return inode != before

    assert build(options, memory).built
    inode = cache.stat().st_ino
    changed = []
    for sheet, expected in zip(sheets, (False, False, True, False)):   # two may be lacking, not three
        edit(sheet, 'title: "', 'title: "Update: ')
        changed.append(str(sheet))
        assert build(options, memory).built
        assert written_again() == expected, changed
    cache.unlink()
    edit(sheets[4], 'title: "', 'title: "Update: ')
    assert build(options, memory).built
    assert cache.is_file()
    inode = cache.stat().st_ino
    edit(sheets[5], 'title: "', 'title: "Update: ')
    assert build(options, memory).built and not written_again()

    parsed.clear()
    run(archive)   # from the command line
    assert parsed == [str(sheets[5])]
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


def test_memory_plans_again_only_the_claim_pages_whose_links_changed_after_a_statement_edit(archive: Path):
    """A statement edit changes some claims' similar statements; the live preview plans again
    those claims' pages only, and keeps every other claim page's plan as the very same."""
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", search=False, extract=False,
                           incremental=True)
    assert build(options, memory).built
    plans = dict(memory.plans)
    edit(sheet_of(archive, "claim-60"), 'statement: "', 'statement: "Corrected: ')
    assert build(options, memory).built
    claim_pages = [path for path in plans if path.startswith("claims/")]
    planned_again = [path for path in claim_pages if memory.plans[path] is not plans[path]]
    assert "claims/claim-60/index.html" in planned_again
    assert len(planned_again) < len(claim_pages) / 10, planned_again
    same_as_full_build(archive)


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
