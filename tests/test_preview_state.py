"""The live preview keeps what its last build read and made (`PreviewState`): its rebuilds read
and work out again only what changed, and make the site a build from disk makes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator import publishing, similarity
from generator.incremental import record as record_module, sheets as sheet_cache, store
from generator.incremental.preview import PreviewState
from generator.build import BuildOptions, build

from rebuilds import (  # noqa: F401 - fixtures among them
    archive, copied_in_background, edit, folders_and_files, parsed, run, same_as_full_build, scored, sheet_of,
)


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
    # (In 120 claims of stock phrases every claim shares a rare word with an edited one: all are ranked again.)
    assert len(scored) == 1 and scored[0] <= 120, "found again from the older record"
    same_as_full_build(archive)


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
    # The speaker's pages, and those listing the speaker's claims (said before and since too): not the site.
    assert renamed.rendered * 2 < renamed.pages, "one speaker's pages, not the site"
    copied = renamed.rendered * 4 >= renamed.pages
    if copied:
        copied_in_background(archive)
    both(lambda copy: edit(copy / "content/topics.yaml", 'question: "', 'question: "Really: '), walks=copied,
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
