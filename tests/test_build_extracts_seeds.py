"""Publishing and extraction: `hindsight build` (what the publish workflow runs) reads content/
only and publishes reviewed claims only; the live preview extracts new or changed seeds and
shows drafts, marked; a claim sheet that cannot be read stops both, and nothing is extracted."""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

import yaml

from generator.build import BuildOptions, build
from generator.cli import main
from generator.extraction.seeds import stale_seeds

SAMPLE = Path(__file__).parent / "fixtures" / "sample"
SEEDS = Path(__file__).parent.parent / "seeds"
NEW_SEED = "004_aa59c3a3474d19f0.txt"


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(SAMPLE, project)
    return project


def _tree(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _site_text(site: Path) -> str:
    """Every file of the site as text, the search index's compressed files unpacked."""
    parts = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        parts.append(raw.decode("utf-8", "replace"))
    return "\n".join(parts)


def _drafted_claims(content: Path) -> list[dict]:
    sheets = [path for path in (content / "articles").rglob("*.yaml") if NEW_SEED in path.read_text("utf-8")]
    assert len(sheets) == 1, sheets
    return yaml.safe_load(sheets[0].read_text("utf-8"))["claims"]


def test_hand_written_sheets_are_not_re_extracted(tmp_path):
    project = _project(tmp_path)
    # The sample's sheets were written by hand: no fingerprint, so their seeds are not stale.
    assert stale_seeds(project / "content") == []


def test_a_new_seed_pushed_through_the_publish_path_reaches_no_reader(tmp_path, capsys):
    """A seed pushed without a sheet, then drafted by `hindsight extract` and not reviewed:
    the publishing build writes nothing into content/ and publishes none of its claims, in no
    page, feed, download, sitemap or search index; it says what it left out."""
    project = _project(tmp_path)
    content, site = project / "content", project / "site"
    shutil.copy(SEEDS / NEW_SEED, project / "seeds")
    before = _tree(content)
    assert main(["build", "--content", str(content), "--output", str(site)]) == 0
    assert _tree(content) == before, "the publishing build wrote into content/"
    assert NEW_SEED not in _site_text(site)

    assert main(["extract", "--content", str(content)]) == 0   # an editor drafts its sheet, but reviews nothing
    drafted = _drafted_claims(content)
    assert drafted and all(claim["review"] == "draft" for claim in drafted)
    capsys.readouterr()
    assert main(["build", "--content", str(content), "--output", str(site)]) == 0
    told = capsys.readouterr().err
    assert "not yet reviewed" in told and drafted[0]["id"] in told
    everything = _site_text(site)
    assert (site / "pagefind" / "shards.json").is_file() and (site / "claims.csv").is_file()
    for claim in drafted:
        assert not (site / "claims" / claim["id"]).exists()
        assert claim["id"] not in everything, claim["id"]
        assert " ".join(claim["statement"].split())[:60] not in everything
    published = {claim["id"] for claim in json.loads((site / "claims.json").read_text("utf-8"))["claims"]}
    assert "2025-putin-meet-zelensky-only-final-stage" not in published   # the sample's own draft
    assert "2025-zelensky-begins-with-meeting-of-leaders" in published

    # Built to look at them, with --drafts, they are there and each is marked.
    assert main(["build", "--content", str(content), "--output", str(project / "drafts"), "--no-search",
                 "--drafts"]) == 0
    page = (project / "drafts" / "claims" / drafted[0]["id"] / "index.html").read_text("utf-8")
    assert "Draft, not yet reviewed" in page
    home = (project / "drafts" / "index.html").read_text("utf-8")
    assert home.count("flag-draft") >= 1


def test_the_live_preview_extracts_a_new_seed_and_shows_its_drafts(tmp_path):
    project = _project(tmp_path)
    content = project / "content"
    shutil.copy(SEEDS / NEW_SEED, project / "seeds")
    gc.unfreeze()
    result = build(BuildOptions(content=content, output=project / "site", search=False, extract=True, drafts=True))
    assert result.built
    assert gc.get_freeze_count() == 0   # the preview runs for hours: nothing is kept from the collector
    claims = _drafted_claims(content)
    assert any(claim["speaker"] == "dmitry-peskov" for claim in claims)
    assert stale_seeds(content) == []
    assert "Draft, not yet reviewed" in (project / "site" / "claims" / claims[0]["id"] / "index.html").read_text()

    # A changed seed is extracted again; an unchanged one is not.
    seed = project / "seeds" / NEW_SEED
    seed.write_text(seed.read_text("utf-8") + "\n", "utf-8")
    assert [s.name for s in stale_seeds(content)] == [NEW_SEED]


def test_a_sheet_that_cannot_be_read_stops_the_build_and_nothing_is_extracted(tmp_path, capsys):
    """One indentation slip in a sheet extracted earlier: its seed looks as if it had no
    sheet, and was extracted into a second one. Now the build stops with the slip's position,
    in the preview too, and content/ is left as it was."""
    project = _project(tmp_path)
    content = project / "content"
    shutil.copy(SEEDS / NEW_SEED, project / "seeds")
    assert main(["extract", "--content", str(content)]) == 0
    [sheet] = [path for path in (content / "articles").rglob("*.yaml") if NEW_SEED in path.read_text("utf-8")]
    lines = sheet.read_text("utf-8").splitlines(keepends=True)
    slip = next(number for number, line in enumerate(lines) if line.startswith("    statement:"))
    lines[slip] = lines[slip][1:]   # one space too few
    sheet.write_text("".join(lines), "utf-8")
    before = _tree(content)

    assert main(["build", "--content", str(content), "--output", str(project / "site"), "--no-search"]) == 1
    out = capsys.readouterr().out
    assert f"{sheet}:{slip + 1}:" in out or f"{sheet}:{slip}:" in out, out
    result = build(BuildOptions(content=content, output=project / "preview", search=False, extract=True,
                                drafts=True))
    assert not result.built
    assert any(problem.path == str(sheet) and problem.line in (slip, slip + 1) for problem in result.problems)
    assert any("not extracted" in note for note in result.notes)
    assert _tree(content) == before, "a sheet that cannot be read made the build write into content/"


def test_a_seed_that_cannot_be_extracted_is_told_in_the_preview_and_never_published(tmp_path, capsys):
    """A UTF-16 seed gave a message, then "Built 108 pages" and exit 0. Publishing never
    extracts, so it can publish nothing of it; the preview, which does, says it failed."""
    project = _project(tmp_path)
    content = project / "content"
    (project / "seeds" / "005_utf16.txt").write_bytes("Kremlin says talks stalled\n\n\"We see no progress,\" "
                                                      "Peskov said on Monday.\n".encode("utf-16"))
    before = _tree(content)
    assert main(["build", "--content", str(content), "--output", str(project / "site"), "--no-search"]) == 0
    assert _tree(content) == before
    result = build(BuildOptions(content=content, output=project / "preview", search=False, extract=True,
                                drafts=True))
    assert result.built and any("could not be extracted" in note for note in result.notes), result.notes


def test_publishing_is_the_default_of_build_and_drafts_of_the_preview(capsys):
    from generator.cli import parser

    build_args, serve_args = parser().parse_args(["build"]), parser().parse_args(["serve"])
    assert (build_args.drafts, build_args.extract) == (False, False)
    assert (serve_args.drafts, serve_args.extract) == (True, True)
    assert parser().parse_args(["serve", "--no-drafts"]).drafts is False
    assert parser().parse_args(["build", "--drafts"]).drafts is True
    try:
        main(["build", "--help"])
    except SystemExit:
        pass
    told = " ".join(capsys.readouterr().out.split())
    assert "Only claims marked `review: reviewed` are published" in told and "--drafts" in told
    assert "never extracts" in told


def test_the_pull_request_check_shows_each_draft_beside_its_review_line(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path)
    content = project / "content"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check", "--content", str(content)]) == 0   # a draft is no error: it is just not published
    annotations = [line for line in capsys.readouterr().out.splitlines() if line.startswith("::")]
    drafts = []
    for sheet in sorted((content / "articles").rglob("*.yaml")):
        lines = sheet.read_text("utf-8").splitlines()
        drafts += [(sheet, number, lines[number - 1].index("review:") + 1) for number in range(1, len(lines) + 1)
                   if lines[number - 1].strip() == "review: draft"]
    assert len(drafts) == 1
    assert annotations == [f"::warning file={sheet},line={line},col={column}::claim "
                           f"'2025-putin-meet-zelensky-only-final-stage' is a draft, not yet reviewed: the published "
                           "site leaves it out (hint: check it against its source, then set `review: reviewed`)"
                           for sheet, line, column in drafts]


def test_evidence_citing_a_draft_is_left_out_of_what_is_published(tmp_path, capsys):
    """A reviewed claim citing a draft as evidence put the draft's id, and so its words, into
    claims.json although the draft itself was left out. The citation is left out and told."""
    project = tmp_path / "project"
    shutil.copytree(Path(__file__).parent.parent / "content", project / "content")
    cited = "2025-peskov-summit-meeting-put-end-settlement"
    [sheet] = [path for path in (project / "content" / "articles").rglob("*.yaml")
               if f"id: {cited}\n" in path.read_text("utf-8")]
    text = sheet.read_text("utf-8")
    start = text.index(f"id: {cited}\n")
    review = text.index("review: reviewed", start)
    sheet.write_text(text[:review] + "review: draft" + text[review + len("review: reviewed"):], "utf-8")

    assert main(["build", "--content", str(project / "content"), "--output", str(project / "site"),
                 "--no-search"]) == 0
    told = capsys.readouterr().err
    assert f"cites {cited}" in told and "evidence citing a claim that is not published" in told, told
    assert cited not in _site_text(project / "site")
    assert main(["build", "--content", str(project / "content"), "--output", str(project / "preview"),
                 "--no-search", "--drafts"]) == 0
    assert cited in (project / "preview" / "claims.json").read_text("utf-8")   # the preview keeps it


def test_a_scaffolded_page_is_published_only_once_an_editor_has_finished_it(tmp_path, monkeypatch, capsys):
    """`hindsight new page` drafts pages with [EDITOR: write …] placeholders; a build for
    publishing leaves such a page out (and says so) until the editor replaces them."""
    project = tmp_path / "project"
    shutil.copytree(Path(__file__).parent.parent / "content", project / "content")
    for written in ("team", "funding"):   # this archive has its own: start as an archive without them
        (project / "content" / "pages" / f"{written}.md").unlink()
    monkeypatch.chdir(project)
    assert main(["new", "page", "team", "funding"]) == 0
    build_args = ["build", "--content", str(project / "content"), "--no-search"]
    capsys.readouterr()

    assert main(build_args + ["--output", str(project / "site")]) == 0
    told = capsys.readouterr().err
    assert "left out 2 pages still holding an [EDITOR: write…] placeholder: funding, team" in told, told
    assert "EDITOR: write" not in _site_text(project / "site")
    assert not (project / "site" / "pages" / "team").exists()
    assert (project / "site" / "pages" / "methodology" / "index.html").exists()

    assert main(build_args + ["--output", str(project / "preview"), "--drafts"]) == 0
    assert (project / "preview" / "pages" / "team" / "index.html").exists()   # the preview shows it

    team = project / "content" / "pages" / "team.md"
    team.write_text(re.sub(r"\[EDITOR: write[^\]]*\]", "Ana Editor checks every claim.", team.read_text("utf-8")),
                    "utf-8")
    assert main(build_args + ["--output", str(project / "site")]) == 0
    assert "Ana Editor checks every claim." in (project / "site" / "pages" / "team" / "index.html").read_text("utf-8")
    assert not (project / "site" / "pages" / "funding").exists()
