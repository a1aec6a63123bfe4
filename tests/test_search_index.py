"""The search index in shards, one per year said: an edit re-indexes only the shards whose
pages changed, the result is byte for byte a full build's, and the served site finds the
new words (Pagefind in Debian's Chromium)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
import sys
import threading
from pathlib import Path

import pytest

from generator import search
from generator.build import BuildOptions, build

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synthetic  # noqa: E402


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    synthetic.generate(120, tmp_path / "archive")
    return tmp_path / "archive"


def run(archive: Path, output: str = "site", incremental: bool = True):
    result = build(BuildOptions(content=archive / "content", output=archive / output, extract=False,
                                incremental=incremental))
    assert result.built, result.problems
    return result


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def bundle_inodes(site: Path) -> dict[str, dict[str, int]]:
    """Shard -> {file in its bundle: inode}."""
    shards = json.loads((site / "pagefind" / "shards.json").read_text("utf-8"))["shards"]
    return {name: {path.relative_to(site / "pagefind" / name).as_posix(): path.stat().st_ino
                   for path in (site / "pagefind" / name).rglob("*") if path.is_file()} for name in shards}


def shard_of_page(site: Path) -> dict[str, str]:
    claims = json.loads((site / "claims.json").read_text("utf-8"))["claims"]
    shards = search.plan_shards({f"claims/{claim['id']}/index.html":
                                 dt.date.fromisoformat(claim["said"]) if claim["said"] else None for claim in claims})
    return {path: name for name, paths in shards.items() for path in paths}


def words_indexed(bundle: Path) -> bytes:
    """Every word chunk of a bundle, unpacked (words are stored as plain strings)."""
    return b"".join(gzip.decompress(path.read_bytes()) for path in sorted((bundle / "index").iterdir()))


def edit_statement(archive: Path, claim_id: str, words: str) -> None:
    for sheet in (archive / "content/articles").rglob("*.yaml"):
        text = sheet.read_text("utf-8")
        if re.search(rf"- id: {claim_id}\n", text):
            text = re.sub(rf'(- id: {claim_id}\n    statement: ")', rf"\1{words} ", text)
            sheet.write_text(text, "utf-8")
            return
    raise AssertionError(claim_id)


def claims_showing(site: Path, claim_id: str) -> set[str]:
    """The claim itself and the claims that cite it as evidence: the claim pages whose indexed
    text holds its statement (a related-claims list beside the indexed text does not count)."""
    claims = json.loads((site / "claims.json").read_text("utf-8"))["claims"]
    return {f"claims/{claim['id']}/index.html" for claim in claims if claim["id"] == claim_id
            or any(item.get("claim") == claim_id for item in claim["outcome"]["evidence"])}


@pytest.mark.parametrize("small_decade", [0, search.SMALL_DECADE], ids=["a shard per year", "sparse decades grouped"])
def test_an_edit_reindexes_only_the_shards_whose_indexed_text_changed(archive: Path, monkeypatch, small_decade):
    monkeypatch.setattr(search, "SMALL_DECADE", small_decade)   # 0: every year its own shard, as in a large archive
    run(archive)
    site = archive / "site"
    before = bundle_inodes(site)
    assert search.QUESTIONS in before, "the questions are searchable, in a shard of their own"
    assert len(set(before) - {search.QUESTIONS}) == (19 if small_decade == 0 else 3), "120 claims said over 2005-2025"
    assert search.read_record(site) is not None
    assert search.record_path(site).is_file() and site.resolve() not in search.record_path(site).parents, \
        "the record is kept beside the site, never in it"

    edit_statement(archive, "claim-60", "Quokkaflux zebrawidget")
    second = run(archive)
    files = [path for path in site.rglob("*") if path.is_file()]
    assert (second.files, second.size) == (len(files), sum(path.stat().st_size for path in files)), \
        "counted as a walk of the site, the search index included"
    after = bundle_inodes(site)
    shards = shard_of_page(site)
    reindexed = {name for name in after if after[name] != before.get(name)}
    assert reindexed == {shards[path] for path in claims_showing(site, "claim-60")}
    assert second.rendered > 1, "pages in other years list claim-60 beside them, yet their shards stay"
    for name in set(after) - reindexed:   # linked from the site in place: the same files
        assert after[name] == before[name]
    own = site / "pagefind" / shards["claims/claim-60/index.html"]
    assert b"quokkaflux" in words_indexed(own)
    assert not any(b"quokkaflux" in words_indexed(site / "pagefind" / name) for name in set(after) - reindexed)

    run(archive, "full", incremental=False)
    built, full = tree(site), tree(archive / "full")
    assert sorted(built) == sorted(full)
    assert [path for path in full if built[path] != full[path]] == [], "the same index a full build makes"


def test_the_live_preview_keeps_unchanged_shards_where_they_are(archive: Path, monkeypatch):
    """A process that keeps its last build in memory starts from the spare it left, where the
    shards kept as they were are already, the very files of the site in place: they are not
    linked again. Shards indexed again, and a year that loses its last claim, are replaced
    or removed; each build's site is the one a full build makes."""
    from generator import writers
    from generator.incremental.preview import PreviewState

    monkeypatch.setattr(search, "SMALL_DECADE", 0)   # a shard per year
    memory = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", extract=False, incremental=True)
    linked: list[str] = []
    real_link = writers.link_tree
    monkeypatch.setattr(writers, "link_tree", lambda source, target: linked.append(source.name)
                        or real_link(source, target))
    site = archive / "site"

    def rebuild(words: str, claim_id: str = "claim-60"):
        edit_statement(archive, claim_id, words)
        linked.clear()
        before = bundle_inodes(site)
        result = build(options, memory)
        assert result.built, result.problems
        run(archive, "full", incremental=False)
        assert tree(site) == tree(archive / "full"), "the same index a full build makes"
        shutil.rmtree(archive / "full")
        return before, bundle_inodes(site)

    assert build(options, memory).built
    rebuild("Quokkaflux")   # the spare was the command line's: shards are linked from the site
    before, after = rebuild("Zebrawidget")   # from here on the spare is this process's
    reindexed = {name for name in after if after[name] != before.get(name)}
    assert reindexed and len(reindexed) < len(after)
    assert linked == [], "every shard kept as it was is in place already"
    for name in set(after) - reindexed:
        assert after[name] == before[name]
    assert b"zebrawidget" in words_indexed(site / "pagefind" / shard_of_page(site)["claims/claim-60/index.html"])

    # A year whose claims all move to the year before loses its shard.
    claims = json.loads((site / "claims.json").read_text("utf-8"))["claims"]
    years: dict[int, list[str]] = {}
    for claim in claims:
        years.setdefault(int(claim["said"][:4]), []).append(claim["id"])
    emptied = min((year for year in years if year - 1 in years), key=lambda year: (len(years[year]), year))
    for sheet in (archive / "content/articles").rglob("*.yaml"):
        text = sheet.read_text("utf-8")
        for claim_id in years[emptied]:
            text = re.sub(rf"(- id: {claim_id}\n(?:    .*\n)*?    said: ){emptied}-(\d\d-\d\d)",
                          lambda found: f"{found.group(1)}{emptied - 1}-{found.group(2).replace('02-29', '02-28')}",
                          text, count=1)
        sheet.write_text(text, "utf-8")
    assert str(emptied) in json.loads((site / "pagefind/shards.json").read_text("utf-8"))["shards"]
    rebuild("Moved")
    assert str(emptied) not in json.loads((site / "pagefind/shards.json").read_text("utf-8"))["shards"]
    assert not (site / "pagefind" / str(emptied)).exists()


def test_shards_are_years_and_sparse_decades_and_move_only_where_a_claim_does(monkeypatch):
    monkeypatch.setattr(search, "SMALL_DECADE", 3)
    said = {"a": dt.date(1995, 1, 1), "b": dt.date(1998, 5, 5), "c": dt.date(2011, 1, 1), "d": dt.date(2012, 1, 1),
            "e": dt.date(2012, 6, 1), "f": None}
    assert search.plan_shards(said) == {"1990-1999": ["a", "b"], "2011": ["c"], "2012": ["d", "e"], "undated": ["f"]}
    assert search.plan_shards(dict(reversed(said.items()))) == {
        "undated": ["f"], "2012": ["e", "d"], "2011": ["c"], "1990-1999": ["b", "a"]}
    moved = search.plan_shards({**said, "e": dt.date(1999, 1, 1)})   # the 1990s reach 3 claims, the 2010s fall below
    assert moved == {"1995": ["a"], "1998": ["b"], "1999": ["e"], "2010-2019": ["c", "d"], "undated": ["f"]}


def test_the_indexed_part_of_a_page_ends_with_its_body_unless_pagefind_reads_on():
    page = b'<html lang="en"><main><article data-pagefind-body><div>a</div><div>b</div></article>'
    assert search.indexed_part(page + b'<ul><li>beside</li></ul>') == page
    assert search.indexed_part(page + b"<ul><li>other</li></ul>") == search.indexed_part(page + b"<p>x</p>")
    for read_on in (b'<span data-pagefind-filter="year">2020</span>', b'<img src="a.png">', b"<h1>Title</h1>"):
        assert search.indexed_part(page + read_on) == page + read_on
    assert search.indexed_part(b"<html><p>no body</p></html>") == b"<html><p>no body</p></html>"
    unclosed = b"<html><article data-pagefind-body><p>cut"
    assert search.indexed_part(unclosed) == unclosed


def test_a_full_build_drops_the_record_and_a_missing_bundle_is_indexed_again(archive: Path):
    run(archive)
    site = archive / "site"
    run(archive, incremental=False)
    assert search.read_record(site) is None, "a full build keeps no record; the old one may be stale"
    first = run(archive)        # no record: every shard indexed
    assert search.read_record(site) is not None
    name = json.loads((site / "pagefind" / "shards.json").read_text("utf-8"))["shards"][0]
    shutil.rmtree(site / "pagefind" / name)
    run(archive)
    assert (site / "pagefind" / name / "pagefind-entry.json").is_file()
    assert first.built


def test_a_full_build_lets_go_of_the_archive_before_pagefind_indexes_it(archive: Path, monkeypatch):
    """Pagefind's processes run beside the build's: at 100,000 claims the archive was a gigabyte
    held for nothing while they indexed."""
    import weakref

    from generator import build as pipeline, pages, search as search_stage

    run(archive, "kept", incremental=True)
    modelled: list[weakref.ref] = []
    seen: dict[str, bool | int] = {}
    real_validate, real_index = pipeline.validate, search_stage.index_staged

    def validate(*args, **kwargs):
        archive_made, problems, left_out = real_validate(*args, **kwargs)
        modelled.append(weakref.ref(archive_made.articles[0].claims[0]))
        return archive_made, problems, left_out

    def index(*args, **kwargs):
        seen["a claim alive"] = modelled[-1]() is not None
        seen["titles cached"] = pages._short.cache_info().currsize
        return real_index(*args, **kwargs)

    monkeypatch.setattr(pipeline, "validate", validate)
    monkeypatch.setattr(search_stage, "index_staged", index)
    run(archive, "full", incremental=False)
    assert seen == {"a claim alive": False, "titles cached": 0}
    run(archive, "kept", incremental=True)   # an incremental build keeps them: its record is written after
    assert seen["a claim alive"] and seen["titles cached"] > 100
    assert tree(archive / "full") == tree(archive / "kept")



def test_pages_first_publishes_the_edit_with_the_previous_bundle_and_the_next_build_indexes_it(archive: Path):
    """The live preview's rebuild (`search.pages_first`): the edited page is published while
    its shard keeps the previous bundle, the very files; the record says so, so the next
    incremental build indexes that shard and the site is then the one a full build makes."""
    run(archive)
    site = archive / "site"
    before = bundle_inodes(site)
    edit_statement(archive, "claim-60", "Quokkaflux zebrawidget")
    with search.pages_first() as deferred:
        run(archive)
    own = shard_of_page(site)["claims/claim-60/index.html"]
    assert "Quokkaflux zebrawidget" in (site / "claims/claim-60/index.html").read_text("utf-8")
    assert own in deferred.shards
    assert bundle_inodes(site) == before, "every shard as it was: nothing indexed"
    assert b"quokkaflux" not in words_indexed(site / "pagefind" / own)

    run(archive)
    after = bundle_inodes(site)
    assert own in {name for name in after if after[name] != before[name]}
    assert b"quokkaflux" in words_indexed(site / "pagefind" / own)
    run(archive, "full", incremental=False)
    assert tree(site) == tree(archive / "full"), "the same index a full build makes"



def test_pages_first_in_the_live_preview_keeps_the_feeds_in_place_and_the_next_build_writes_them(archive: Path):
    """The live preview's pages-first rebuild (its state kept between builds) links the feeds
    made from the whole archive (updates, each speaker's and question's, ClaimReview's) from
    the site in place, the very files; the build straight after writes them with the edit,
    and the site is then the one a full build makes. When the speakers or questions are not
    those whose feeds the site has, the feeds are made at once."""
    from generator.incremental.preview import PreviewState

    state = PreviewState()
    options = BuildOptions(content=archive / "content", output=archive / "site", extract=False, incremental=True,
                           processes=1)
    site = archive / "site"
    assert build(options, state).built
    edit_statement(archive, "claim-60", "Quokkaflux zebrawidget")
    inodes = {path.relative_to(site).as_posix(): path.stat().st_ino for path in site.rglob("*") if path.is_file()}
    with search.pages_first() as deferred:
        assert build(options, state).built
    assert "Quokkaflux" in (site / "claims/claim-60/index.html").read_text("utf-8")
    assert {"updates.xml", "claimreview-feed.json"} <= set(deferred.feeds)
    assert all((site / path).stat().st_ino == inodes[path] for path in deferred.feeds), "the very files kept"
    showing_before = {path for path in deferred.feeds if "Quokkaflux" in (site / path).read_text("utf-8")}
    assert not showing_before

    assert build(options, state).built
    showing = {path for path in deferred.feeds if "Quokkaflux" in (site / path).read_text("utf-8")}
    assert showing, "the speaker's or a question's feed names the edited claim's words"
    run(archive, "full", incremental=False)
    assert tree(site) == tree(archive / "full"), "the same feeds a full build makes"

    state.feeds = (((), ()), state.feeds[1])   # as if a speaker had been added: feeds the site lacks
    edit_statement(archive, "claim-60", "Snorkelwidget")
    with search.pages_first() as deferred:
        assert build(options, state).built
    assert not deferred.feeds
    assert any("Snorkelwidget" in (site / path).read_text("utf-8") for path in showing)


def test_the_live_preview_shows_the_edited_page_then_updates_the_search_index(archive: Path, monkeypatch):
    """`hindsight serve` after an edit: the open pages reload once the page is rebuilt (the
    shard not indexed yet), and again once the search index has the new words."""
    from generator.cli import parser
    from generator.commands.build import run_build
    from generator.commands.serve import Preview
    from generator.incremental.preview import PreviewState

    site = archive / "site"
    args = parser().parse_args(["serve", "--content", str(archive / "content"), "--output", str(site),
                                "--no-extract"])
    args.incremental = True
    state = PreviewState()
    assert run_build(args, state)[0] == 0
    preview = Preview(args, [archive / "content"], state)
    seen = []
    real_bump = preview._bump

    def bump(said: str) -> None:
        own = site / "pagefind" / shard_of_page(site)["claims/claim-60/index.html"]
        seen.append(("Quokkaflux" in (site / "claims/claim-60/index.html").read_text("utf-8"),
                     b"quokkaflux" in words_indexed(own)))
        real_bump(said)

    monkeypatch.setattr(preview, "_bump", bump)
    edit_statement(archive, "claim-60", "Quokkaflux zebrawidget")
    assert preview.rebuild_if_changed() is True
    assert seen == [(True, False), (True, True)] and preview.version == 2 and preview.errors == []


def test_the_served_site_finds_words_of_the_edited_claim(archive: Path, page):
    from generator.commands.serve import make_server

    run(archive)
    edit_statement(archive, "claim-60", "Quokkaflux zebrawidget")
    run(archive)
    server = make_server(archive / "site", "/archive/", 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        address = f"http://127.0.0.1:{server.server_address[1]}/archive/"
        page.goto(address + "search/index.html?q=quokkaflux")
        page.wait_for_function("document.getElementById('search-status').textContent.includes('found')")
        links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
        assert links == [address + "claims/claim-60/index.html"]
        said = {address + f"claims/{c['id']}/index.html": c["said"] for c in
                json.loads((archive / "site" / "claims.json").read_text("utf-8"))["claims"]}
        for order, newest_first in (("oldest", False), ("newest", True)):
            page.goto(address + f"search/index.html?q=settlement&order={order}")
            page.wait_for_function("document.getElementById('search-status').textContent.includes('found')")
            links = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
            dates = [said[link] for link in links]
            assert len({date[:4] for date in dates}) > 2, "results from many year shards"
            assert dates == sorted(dates, reverse=newest_first)
            status = page.locator("#search-status").inner_text()
            page.goto(address + "search/index.html?q=settlement")
            page.wait_for_function("document.getElementById('search-status').textContent.includes('found')")
            claims_found = re.findall(r"(\d+) claims?\b", page.locator("#search-status").inner_text())[-1]
            assert claims_found == status.split()[0], \
                "sorted or not, the same claims are found (none of them undated; questions have no date)"
        assert page.errors == []
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("damage", ["empty entry", "empty script", "entry not JSON", "pages missing"])
def test_a_broken_search_index_fails_the_build_and_keeps_the_site(archive: Path, monkeypatch, tmp_path, damage):
    """A full disk while Pagefind writes gave 0-byte pagefind.js and pagefind-entry.json files,
    exit code 0 and a site published with half its search; the JSON error was printed as a note."""
    from generator.cli import main

    run(archive, incremental=False)
    before = tree(archive / "site")
    real = search._pagefind()
    fault = tmp_path / "pagefind-with-a-full-disk.py"
    fault.write_text(f"""import json, subprocess, sys
from pathlib import Path
finished = subprocess.run({real!r} + sys.argv[1:])
bundle = Path(sys.argv[sys.argv.index("--output-path") + 1])
damage = {damage!r}
if damage == "empty entry":
    (bundle / "pagefind-entry.json").write_bytes(b"")
elif damage == "empty script":
    (bundle / "pagefind.js").write_bytes(b"")
elif damage == "entry not JSON":
    (bundle / "pagefind-entry.json").write_bytes(b'{{"version":"1.5.2","languages":{{"en":{{"ha')
else:
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    entry["languages"]["en"]["page_count"] = 1
    (bundle / "pagefind-entry.json").write_text(json.dumps(entry))
sys.exit(finished.returncode)
""", "utf-8")
    monkeypatch.setattr(search, "_pagefind", lambda: [sys.executable, str(fault)])
    edit_statement(archive, "claim-60", "Quokkaflux zebrawidget")
    code = main(["build", "--content", str(archive / "content"), "--output", str(archive / "site")])
    assert code == 1
    assert tree(archive / "site") == before, "the previous site stays as it was"
