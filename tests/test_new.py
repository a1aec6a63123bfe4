"""`hindsight new`: scaffolds that an editor fills in until `hindsight check` is clean."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.fields import fields

SAMPLE = Path(__file__).parent / "fixtures" / "sample"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "project")
    monkeypatch.chdir(tmp_path / "project")
    return tmp_path / "project"


def check(capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["check"])
    lines = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("    hint:")]
    return code, lines


def test_new_article_from_url_lists_what_to_fill_then_checks_clean(project, capsys):
    url = "https://www.nytimes.com/2022/05/17/world/europe/ukraine-russia-peace-talks.html"
    assert main(["new", "article", url]) == 0
    sheet = project / "content" / "articles" / "2022" / "ukraine-russia-peace-talks.yaml"
    text = sheet.read_text("utf-8")
    assert "outlet: The New York Times" in text and "published: 2022-05-17" in text
    assert "published_basis: url" in text
    capsys.readouterr()

    code, problems = check(capsys)
    assert code == 1
    assert [re.sub(r"^.*?:\d+:\d+: ", "", line) for line in problems] == [
        "error: 'title' is empty", "error: 'statement' is empty", "error: 'speaker' is empty",
        "warning: the date said is empty"]

    text = (text.replace('title: ""', "title: With Ukraine Taking Firmer Stance, Peace Talks Grind to a Halt")
                .replace('statement: ""', "statement: We are defending ourselves.")
                .replace('speaker: ""', "speaker: volodymyr-zelensky")
                .replace("said: null", "said: 2022-05-17"))
    sheet.write_text(text, "utf-8")
    assert check(capsys) == (0, [])


def test_every_field_is_present_and_explained(project, capsys):
    main(["new", "article", "https://example.org/story"])
    text = (project / "content" / "articles" / "undated" / "story.yaml").read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../generator/schemas/article.schema.json\n")
    machine_written = {"article.seed_sha256", "claims[].suggested_related"}  # written by extraction, not an editor
    for item in fields("article"):
        if item.path in machine_written:
            continue
        key = item.path.rsplit(".", 1)[-1].removesuffix("[]")
        assert re.search(rf"^\s*(#\s+)?(- )?{re.escape(key)}:", text, re.M), f"{item.path} is missing"
        if item.description and not item.path.startswith("claims[].outcome.evidence[]."):  # shown as examples
            assert f"# {item.description}" in text


def test_newcomer_flow_from_seed_to_clean_check(project, capsys):
    """CONTRIBUTING.md's flow: add an article as a seed, fix what the checker reports, get a clean check."""
    source = Path(__file__).parent.parent / "seeds" / "002_5b48e9b5bbe33ae5.txt"
    assert main(["new", "article", str(source)]) == 0
    assert (project / "seeds" / source.name).read_bytes() == source.read_bytes()
    (sheet,) = [p for p in (project / "content" / "articles").rglob("*.yaml")
                if f"seeds/{source.name}" in p.read_text("utf-8")]
    assert sheet.parent.name == "undated"  # the text gives no date

    code = main(["check", "--strict"])
    out = capsys.readouterr().out
    assert code == 1 and "the publication date is unknown" in out

    # The editor dates the article from the events it reports, and moves the sheet to its year.
    text = sheet.read_text("utf-8").replace("published: null", "published: 2022-05-17", 1)
    text = text.replace("published_basis: null", "published_basis: editor", 1)
    text = text.replace("said: null", "said: 2022-05-17").replace("said_basis: null", "said_basis: published")
    text = re.sub(r"(?m)^  quality: \[(.*)\]$",
                  lambda m: "  quality: [" + ", ".join(f for f in m[1].split(", ") if f and f != "missing-date") + "]",
                  text, count=1)
    # Statements whose speaker extraction could not name ("officials said"): the editor rejects them.
    claims = text.split("\n  - id: ")
    text = "\n  - id: ".join(claim.replace("review: draft", "review: rejected\n    note: the article does not "
                                           "say who") if "\n    speaker: null\n" in claim else claim
                             for claim in claims)
    (project / "content" / "articles" / "2022").mkdir(exist_ok=True)
    (project / "content" / "articles" / "2022" / sheet.name).write_text(text, "utf-8")
    sheet.unlink()
    assert main(["check", "--strict"]) == 0, capsys.readouterr().out


def test_new_article_never_overwrites(project, capsys):
    url = "https://example.org/2020/01/02/story.html"
    assert main(["new", "article", url]) == 0
    sheet = project / "content" / "articles" / "2020" / "story.yaml"
    sheet.write_text(sheet.read_text("utf-8") + "# an editor's note\n", "utf-8")
    before = sheet.read_bytes()
    assert main(["new", "article", url]) == 1
    assert sheet.read_bytes() == before
    assert "already exists" in capsys.readouterr().err


def test_new_claim_appends_and_keeps_every_byte(project, capsys):
    sheet = project / "content" / "articles" / "2019" / "nyt-zelensky-seeks-meeting-with-putin.yaml"
    before = sheet.read_text("utf-8")
    assert main(["new", "claim", str(sheet), "--speaker", "vladimir-putin",
                 "--statement", "Now we will see.", "--said", "2019-11-11"]) == 0
    after = sheet.read_text("utf-8")
    assert after.startswith(before)
    assert "id: nyt-zelensky-seeks-meeting-with-putin-3" in after
    assert "statement: Now we will see." in after
    assert check(capsys) == (0, [])


def test_new_claim_refuses_when_claims_is_not_last(project, capsys):
    sheet = project / "content" / "articles" / "2025" / "kremlin-rules-out-putin-zelenskyy-meeting.yaml"
    text = sheet.read_text("utf-8")
    head, claims = text.split("claims:\n", 1)
    article_block = head.split("article:\n", 1)
    reordered = article_block[0] + "claims:\n" + claims + "article:\n" + article_block[1]
    sheet.write_text(reordered, "utf-8")
    assert main(["new", "claim", str(sheet)]) == 1
    assert sheet.read_text("utf-8") == reordered
    assert "not the file's last field" in capsys.readouterr().err


def test_new_person_and_topic(project, capsys):
    assert main(["new", "person", "Mevlüt Çavuşoğlu", "--wikidata", "Q355848"]) == 0
    assert main(["new", "topic", "grain-corridor", "--title", "Grain corridor",
                 "--question", "Will grain ships sail from Odesa?"]) == 0
    people = (project / "content" / "people.yaml").read_text("utf-8")
    assert "id: mevlut-cavusoglu" in people and "name: Mevlüt Çavuşoğlu" in people
    assert check(capsys) == (0, [])
    assert main(["new", "person", "Mevlut Cavusoglu"]) == 1
    assert "already in" in capsys.readouterr().err


def test_bad_ids_are_usage_errors(project, capsys):
    assert main(["new", "topic", "Grain Corridor", "--title", "t", "--question", "q"]) == 2
    assert "'grain-corridor'" in capsys.readouterr().err


def test_contributing_field_reference_is_up_to_date():
    """CONTRIBUTING.md's field reference is generated from the schemas; regenerate it when they change."""
    from generator.fields import replace_reference

    guide = (Path(__file__).parent.parent / "CONTRIBUTING.md").read_text("utf-8")
    assert guide == replace_reference(guide), (
        "CONTRIBUTING.md is out of date: run `python -m generator.fields --write CONTRIBUTING.md`")
    for kind in ("site", "people", "topics", "article"):
        for item in fields(kind):
            assert f"| `{item.path}` |" in guide


@pytest.mark.parametrize("command, said", [
    (["new", "person", "Evil\u202eName"], "the name contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    (["new", "person", "Ann", "--wikidata", "Q1\u2066"], "the Wikidata id contains the invisible character U+2066"),
    (["new", "topic", "talks", "--title", "Talks\u0007", "--question", "Will?"],
     "the title contains the invisible control character U+0007"),
    (["new", "claim", "content/articles/2019/nyt-zelensky-seeks-meeting-with-putin.yaml", "--statement", "a\u2028b"],
     "the statement contains the invisible character U+2028 (LINE SEPARATOR)"),
    (["new", "person", "\u00a0\u3000"], "'name' is blank: it holds only spaces or invisible characters (U+00A0"),
    (["new", "topic", "talks", "--title", "Talks", "--question", "\u200b"], "'question' is blank"),
])
def test_text_the_checker_would_refuse_is_refused_with_the_true_reason(project, capsys, command, said):
    """Not "`people:` is not the file's last field": what is wrong with the text given."""
    before = {path: path.read_bytes() for path in (project / "content").rglob("*.yaml")}
    assert main(command) == 2
    err = capsys.readouterr().err
    assert said in err and "last field" not in err and "\n    hint: " in err
    assert {path: path.read_bytes() for path in (project / "content").rglob("*.yaml")} == before


def test_an_entry_that_cannot_be_read_back_is_not_blamed_on_the_file(project):
    """`append_entry` says what is wrong with the entry itself, wherever it would go."""
    from generator.scaffolding import ScaffoldError, append_entry, person_lines

    people = project / "content" / "people.yaml"
    before = people.read_bytes()
    with pytest.raises(ScaffoldError) as refused:
        append_entry(people, "people", person_lines("evil", "Evil\u202eName"), "evil")
    assert "U+202E" in str(refused.value) and "last field" not in str(refused.value)
    assert people.read_bytes() == before


def test_a_registry_that_cannot_be_read_is_named_with_its_problem(project, capsys):
    people = project / "content" / "people.yaml"
    people.write_text(people.read_text("utf-8").replace("people:\n", "people:\n  - id: big\n    name: " + "7" * 5000
                                                        + "\n", 1), "utf-8")
    assert main(["new", "person", "Ann Lee"]) == 1
    err = capsys.readouterr().err
    assert "content/people.yaml:5:11: error: YAML reads this as a number of 5,000 characters" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("url, year_folder, published, claim_id", [
    ("https://example.org/news/2025-08-19/putin-trump-alaska-summit-ends-without-a-deal", "2025", "2025-08-19",
     "2025-unknown-putin-trump-alaska-summit-ends"),
    ("https://example.org/world/putin-and-trump-meet-in-anchorage-alaska-for-a-summit-on-ukraine-2025-08-15.html",
     "2025", "2025-08-15", "2025-unknown-putin-trump-meet-anchorage-alaska"),
    ("https://www.nytimes.com/2022/05/17/world/europe/ukraine-russia-peace-talks.html", "2022", "2022-05-17",
     "2022-unknown-ukraine-russia-peace-talks"),
    ("https://example.org/story", "undated", "null", "undated-unknown-story"),
])
def test_new_article_from_url_takes_its_date_and_names_the_claim_as_the_archive_does(project, capsys, url,
                                                                                   year_folder, published, claim_id):
    """A date written 2025-08-19 in the address dates the sheet (not undated/), and the first
    claim's id is year-speaker-words, as extraction's, never cut inside a date."""
    from generator.validation import SLUG

    assert main(["new", "article", url]) == 0
    (sheet,) = [path for path in (project / "content" / "articles").rglob("*.yaml")
                if url in path.read_text("utf-8")]
    text = sheet.read_text("utf-8")
    assert sheet.parent.name == year_folder
    assert f"\n  published: {published}\n" in text
    assert f"\n    id: {claim_id}\n" in text and SLUG.match(claim_id)
    code, problems = check(capsys)
    assert not any("id" in line and "error" in line and claim_id in line for line in problems)


def test_every_claim_id_quoted_in_the_docs_and_templates_is_in_the_archive():
    """An editor copies the example: an id that is in no sheet teaches a broken link."""
    from generator.scaffolding import article_sheet

    root = Path(__file__).parent.parent
    texts = {"the scaffold `hindsight new` writes": article_sheet()}
    for path in [root / "README.md", root / "CONTRIBUTING.md", *sorted((root / "templates").rglob("*")),
                 *sorted((root / "generator" / "schemas").glob("*.json"))]:
        if path.is_file() and path.suffix in (".md", ".html", ".xml", ".json", ".txt", ".js"):
            texts[str(path.relative_to(root))] = path.read_text("utf-8")
    quoted = {(where, match) for where, text in texts.items()
              for match in re.findall(r"\bclaims?: ([a-z0-9]+(?:-[a-z0-9]+)+)|claims/([a-z0-9]+(?:-[a-z0-9]+)+)/"
                                      r"|\b((?:19|20)[0-9]{2}(?:-[0-9]+)*-[a-z][a-z0-9]*(?:-[a-z0-9]+)*)\b", text)}
    quoted = {(where, next(part for part in match if part)) for where, match in quoted}
    ids = set()
    for sheet in (root / "content" / "articles").rglob("*.yaml"):
        ids.update(re.findall(r"^  - id: (\S+)$", sheet.read_text("utf-8"), re.M))
    assert any(where == "CONTRIBUTING.md" for where, _ in quoted), "the pattern finds the ids quoted"
    assert sorted((where, claim_id) for where, claim_id in quoted if claim_id not in ids) == []


def test_a_claims_corrections_validate_and_a_malformed_one_is_explained(project, capsys):
    """`corrections:` as the scaffold's example shows it passes `hindsight check`; each way of
    getting an entry wrong is named at its line and column."""
    sheet = project / "content" / "articles" / "2019" / "nyt-zelensky-seeks-meeting-with-putin.yaml"
    text = sheet.read_text("utf-8")
    at = text.index("    review: reviewed")
    good = ("    corrections:\n      - date: 2019-12-01\n        wrong: The claim named the wrong speaker.\n"
            "        changed: The speaker is now the one the article names.\n")
    sheet.write_text(text[:at] + good + text[at:], "utf-8")
    assert check(capsys) == (0, [])

    line = text[:at].count("\n") + 1
    bad = good + "      - date: 1 December\n        what: a typo\n        changed: \"  \"\n"
    sheet.write_text(text[:at] + bad + text[at:], "utf-8")
    code, problems = check(capsys)
    shown = "content/articles/2019/nyt-zelensky-seeks-meeting-with-putin.yaml"
    assert code == 1 and problems == [
        f"{shown}:{line + 4}:9: error: missing field 'wrong' in 'corrections'",
        f"{shown}:{line + 4}:15: error: '1 December' in 'date' is not a real date",
        f"{shown}:{line + 5}:9: error: unknown field 'what'",
        f"{shown}:{line + 6}:18: error: 'changed' is blank: it holds only spaces or invisible characters "
        "(U+0020 SPACE)"]


TRANSPARENCY = ("corrections-policy", "funding", "team", "contact")


def test_new_page_scaffolds_the_transparency_pages_for_this_archive(project, capsys):
    from generator.scaffolding import PLACEHOLDER, unfinished

    pages = project / "content" / "pages"
    assert main(["new", "page"]) == 0
    out = capsys.readouterr().out
    for name in TRANSPARENCY:
        assert f"wrote content/pages/{name}.md" in out
    texts = {name: (pages / f"{name}.md").read_text("utf-8") for name in TRANSPARENCY}
    assert [text.splitlines()[0] for text in texts.values()] == [
        "# Corrections policy", "# Funding and ownership", "# Team", "# Contact"]
    assert "Hindsight is published by [Hindsight Archive](<https://hindsight.example.org/>)." in texts["funding"]
    assert "[corrections policy](../corrections-policy/index.html)" in texts["contact"]
    assert "](../contact/index.html)" in texts["corrections-policy"]
    # What only the editors can say is marked, and found where it is.
    assert "{{" not in "".join(texts.values()) and "{%" not in "".join(texts.values())
    for name in ("funding", "team", "contact", "corrections-policy"):
        lines = texts[name].splitlines()
        spots = unfinished(texts[name])
        assert spots and all(lines[line - 1][column - 1:].startswith(PLACEHOLDER) for line, column in spots)
    assert check(capsys) == (0, [])


def test_new_page_never_overwrites_an_editors_page(project, capsys):
    pages = project / "content" / "pages"
    (pages / "team.md").write_text("# Team\n\nAnn Lee, editor.\n", "utf-8")
    assert main(["new", "page"]) == 0
    assert (pages / "team.md").read_text("utf-8") == "# Team\n\nAnn Lee, editor.\n"
    assert "kept content/pages/team.md: it exists, and is not changed" in capsys.readouterr().out
    written = {name: (pages / f"{name}.md").read_bytes() for name in TRANSPARENCY}
    (pages / "funding.md").write_text("# Funding and ownership\n\nOur own words.\n", "utf-8")
    assert main(["new", "page"]) == 0                       # all there: nothing written
    assert main(["new", "page", "funding"]) == 1            # asked for by name: told it exists
    assert (pages / "funding.md").read_text("utf-8") == "# Funding and ownership\n\nOur own words.\n"
    assert {name: (pages / f"{name}.md").read_bytes() for name in TRANSPARENCY if name != "funding"} == {
        name: data for name, data in written.items() if name != "funding"}
    assert not list(pages.glob(".*"))                       # no temporary file left behind
    assert main(["new", "page", "faq"]) == 2
    assert "no page scaffold named 'faq'" in capsys.readouterr().err


def test_contact_page_takes_the_address_from_site_yaml(project, capsys):
    from generator.markdown import render_markdown

    site = project / "content" / "site.yaml"
    original = site.read_text("utf-8")
    site.write_text(original + "contact:\n  email: not an address\n", "utf-8")
    code, problems = check(capsys)
    assert code == 1 and problems == ["content/site.yaml:14:10: error: 'not an address' in 'email' has the wrong form"]
    site.write_text(original.replace("title: Hindsight", "title: \"Sample <b>*Archive*</b>\"")
                    + "contact:\n  email: fact_desk@example.org\n  form: https://example.org/tips?from=(site)\n",
                    "utf-8")
    assert check(capsys) == (0, [])
    assert main(["new", "page", "contact", "funding"]) == 0
    contact = (project / "content" / "pages" / "contact.md").read_text("utf-8")
    assert "[EDITOR" not in contact
    html = str(render_markdown(contact))
    assert html.count('<a href="mailto:fact_desk@example.org?subject=A%20correction">fact_desk@example.org</a>') == 1
    assert html.count('<a href="https://example.org/tips?from=(site)">our form</a>') == 2
    funding = str(render_markdown((project / "content" / "pages" / "funding.md").read_text("utf-8")))
    assert "<p>Sample &lt;b&gt;*Archive*&lt;/b&gt; is published by" in funding


def test_missing_and_unfinished_transparency_pages_are_named_for_the_check(project, capsys):
    from generator.scaffolding import transparency_warnings

    pages_dir = project / "content" / "pages"

    def warned() -> list[str]:
        pages = {path.stem: path.read_text("utf-8") for path in sorted(pages_dir.glob("*.md"))}
        return [f"{problem.path}:{problem.line}:{problem.column}: {problem.message}"
                for problem in transparency_warnings(Path("content/pages"), pages)]

    assert warned() == [f"content/pages/{name}.md:1:1: the archive has no {title} page, which readers of a "
                        "fact-check archive look for" for name, title in [
                            ("corrections-policy", "Corrections policy"), ("funding", "Funding and ownership"),
                            ("team", "Team"), ("contact", "Contact")]]
    assert main(["new", "page"]) == 0
    assert warned()[0] == "content/pages/contact.md:8:1: the page still holds a placeholder for the editors to fill in"
    for path in pages_dir.glob("*.md"):
        path.write_text(re.sub(r"\[EDITOR: write [^\]]*\]", "Our own words.", path.read_text("utf-8")), "utf-8")
    assert warned() == []
