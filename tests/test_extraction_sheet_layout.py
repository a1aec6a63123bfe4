"""Re-extraction writes only what it adds: a sheet or people.yaml an editor laid out their own
way (CRLF, an unindented list, escapes, spaced flow lists, a `---` line, no final newline,
comments at the end, a byte-order mark) keeps every line it did not change byte for byte, and
its file mode."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from generator.cli import main

SEED = Path(__file__).parent.parent / "seeds" / "004_aa59c3a3474d19f0.txt"


def _crlf(text):
    return text.replace("\n", "\r\n")


def _unindented(text):
    head, _, claims = text.partition("\nclaims:\n")
    return head + "\nclaims:\n" + re.sub(r"(?m)^  ", "", claims)


def _escaped(text):
    return re.sub(r"(?m)^(  outlet: ).*$", r'\1"Caf\\u00e9 \\u0026 Co"', text, count=1)


def _spaced(text):
    return re.sub(r"(?m)^(\s*topics:) \[(.*)\]$", r"\1    [ \2 ]   # as the desk files them", text)


def _document_start(text):
    head, _, rest = text.partition("\n")
    return head + "\n---\n" + rest


def _no_final_newline(text):
    return text.rstrip("\n")


def _trailing_comment(text):
    return text + "# end of the sheet\n\n"


def _bom(text):
    return "\ufeff" + text


def _wide(text):  # the claims' dashes at four spaces
    head, _, claims = text.partition("\nclaims:\n")
    return head + "\nclaims:\n" + re.sub(r"(?m)^(?=.)", "  ", claims)


LAYOUTS = [lambda t: t, _crlf, _unindented, _escaped, _spaced, _document_start, _no_final_newline,
           _trailing_comment, _bom, _wide, lambda t: _crlf(_unindented(_escaped(_spaced(t))))]
NAMES = ["as-written", "crlf", "unindented", "escaped", "spaced", "document-start", "no-final-newline",
         "trailing-comment", "bom", "wide", "all-at-once"]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """The sheet extraction writes for one seed, and the project it is in."""
    project = tmp_path_factory.mktemp("layout")
    (project / "content" / "articles").mkdir(parents=True)
    for name in ("people.yaml", "topics.yaml", "site.yaml"):
        shutil.copy(Path(__file__).parent.parent / "content" / name, project / "content" / name)
    (project / "seeds").mkdir()
    shutil.copy(SEED, project / "seeds" / SEED.name)
    people_before = (project / "content" / "people.yaml").read_bytes()
    assert main(["extract", "--content", str(project / "content")]) == 0
    [sheet] = (project / "content" / "articles").rglob("*.yaml")
    return project, sheet, sheet.read_text("utf-8"), people_before


def _only_added(before: str, after: str, changed: set[int] = frozenset()) -> list[str]:
    """The lines of `after` not in `before`, asserting that every other line is kept as it was
    (compared with their line endings) and that only the lines numbered in `changed` differ.
    A last line without a line break may gain one, so that lines can follow it."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    if old and not old[-1].endswith("\n") and not after.endswith(old[-1]):
        old[-1] += "\r\n" if "\r\n" in after else "\n"
    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        assert tag in ("insert", "replace"), (tag, old[i1:i2], new[j1:j2])
        if tag == "replace":
            assert set(range(i1, i2)) <= set(changed), (old[i1:i2], new[j1:j2])
        added.extend(new[j1:j2])
    return added


@pytest.mark.parametrize("layout", LAYOUTS, ids=NAMES)
@pytest.mark.parametrize("mode", [0o644, 0o640])
def test_re_extraction_changes_only_what_it_adds(drafted, layout, mode, capsys):
    project, sheet, written, _ = drafted
    full = layout(written)
    lines = full.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"\s*- id:", line)]
    assert len(starts) >= 3
    # an editor's copy: the last claim missing, one field emptied, another deleted
    kept = lines[: starts[-1]]
    context = next(i for i in range(starts[0], starts[1]) if re.match(r"\s*context: \S", kept[i]))
    kept[context] = re.match(r"(\s*context:)", kept[context]).group(1) + ("\r\n" if "\r\n" in full else "\n")
    kind = next(i for i in range(starts[1], starts[2]) if re.match(r"\s*kind: ", kept[i]))
    del kept[kind]
    tail = lines[starts[-1]:]
    tail_after_claims = [line for line in tail if line.startswith("#") or not line.strip()]
    edited = "".join(kept + tail_after_claims)
    sheet.write_text(edited, "utf-8", newline="")
    os.chmod(sheet, mode)

    assert main(["extract", "--content", str(project / "content")]) == 0
    capsys.readouterr()
    after = sheet.read_bytes().decode("utf-8")

    assert stat.S_IMODE(sheet.stat().st_mode) == mode
    assert yaml.safe_load(after.lstrip("\ufeff")) == yaml.safe_load(full.lstrip("\ufeff"))
    added = _only_added(edited, after, changed={context})
    assert any(re.match(r"\s*context: \S", line) for line in added)
    assert any(re.match(r"\s*kind: ", line) for line in added)
    assert any(re.match(r"\s*(- )?id: ", line) for line in added)
    if "\r\n" in full:
        assert after.count("\n") == after.count("\r\n")
    assert main(["check", "--content", str(project / "content")]) == 0, capsys.readouterr().out
    capsys.readouterr()
    assert main(["extract", "--content", str(project / "content")]) == 0   # nothing to add: not written at all
    assert "(unchanged)" in capsys.readouterr().out
    assert sheet.read_bytes() == after.encode("utf-8")


PEOPLE_LAYOUTS = [lambda t: t, _crlf, lambda t: re.sub(r"(?m)^  ", "", t), _trailing_comment, _no_final_newline,
                  lambda t: t.replace("aliases: [", "aliases:   [ ")]


@pytest.mark.parametrize("layout", PEOPLE_LAYOUTS, ids=["as-written", "crlf", "unindented", "trailing-comment",
                                                         "no-final-newline", "spaced"])
def test_new_speakers_are_appended_and_people_yaml_keeps_its_layout_and_mode(drafted, layout, capsys):
    project, sheet, _, people_before = drafted
    people = project / "content" / "people.yaml"
    text = layout(people_before.decode("utf-8"))
    people.write_text(text, "utf-8", newline="")
    os.chmod(people, 0o644)
    sheet.unlink()   # drafted again: its new speaker is added again

    assert main(["extract", "--content", str(project / "content")]) == 0
    capsys.readouterr()
    after = people.read_bytes().decode("utf-8")
    assert stat.S_IMODE(people.stat().st_mode) == 0o644
    added = _only_added(text, after)
    assert any("id: top-turkish-officials" in line for line in added), added
    before_people = yaml.safe_load(text)["people"]
    assert yaml.safe_load(after)["people"][: len(before_people)] == before_people
    assert main(["check", "--content", str(project / "content")]) == 0, capsys.readouterr().out


# ---------------------------------------------------------------------------
# The same promise over many layouts at once, without the language model: the sheet an editor
# left (claims dropped from the end, fields emptied or deleted) is completed the way merging
# completes it, and written with `write_edited`.

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from generator.extraction import sheets  # noqa: E402

BASE = """# yaml-language-server: $schema=../../../generator/schemas/article.schema.json
article:
  title: Kremlin says talks can wait
  outlet: The Example Times
  url: https://example.org/news/a
  published: 2025-08-19
  byline: [Anna Example, Ivan Test]
  seed: seeds/000_example.txt
  quality: []
claims:
  - id: 2025-dmitry-peskov-talks-can-wait
    statement: >-
      Talks between the two presidents can wait until the experts have done their work, and that
      may take many months yet.
    form: direct
    speaker: dmitry-peskov
    said: 2025-08-19
    context: Peskov spoke to reporters in Moscow.
    topics: [peace-talks, summit]
    kind: prediction
    outcome:
      status: unrated
    review: draft
  - id: 2025-vladimir-putin-open-to-contacts
    statement: "Russia is open to contacts: we will see."
    form: direct
    speaker: vladimir-putin
    said: 2025-08-18
    context: 'At a press conference, he said it twice.'
    topics: [peace-talks]
    kind: statement
    outcome:
      status: unrated
    review: draft  # checked by the desk
  - id: 2025-sergei-lavrov-no-meeting
    statement: There will be no meeting this year.
    form: reported
    speaker: sergei-lavrov
    said: 2025-08-17
    context: Lavrov in an interview.
    topics: []
    kind: prediction
    outcome:
      status: unrated
    review: draft
"""

TRANSFORMS = {"unindented": _unindented, "escaped": _escaped, "spaced": _spaced, "document-start": _document_start,
              "trailing-comment": _trailing_comment, "wide": _wide, "no-final-newline": _no_final_newline}
FIELDS = ("context", "said", "kind", "topics", "outcome")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=st.lists(st.sampled_from(sorted(TRANSFORMS)), unique=True), crlf=st.booleans(), bom=st.booleans(),
       dropped=st.integers(0, 2), emptied=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(FIELDS)), max_size=3),
       deleted=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(FIELDS)), max_size=3))
def test_any_layout_keeps_every_line_merging_does_not_change(tmp_path, layout, crlf, bom, dropped, emptied, deleted):
    full = BASE
    for name in sorted(layout, key=lambda n: n == "no-final-newline"):   # cutting the last newline comes last
        full = TRANSFORMS[name](full)
    full = (_bom if bom else str)(_crlf(full) if crlf else full)
    ending = "\r\n" if crlf else "\n"
    lines = full.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if re.match(r"\s*- id:", line)]
    claim_end = [*starts[1:], next(i for i, line in enumerate(lines) if i > starts[-1] and line.lstrip().startswith("# end of the sheet"))
                 if "trailing-comment" in layout else len(lines)]
    keep = 3 - dropped
    edited, changed, removed = [], set(), set()
    for number, line in enumerate(lines):
        claim = next((c for c in range(3) if starts[c] <= number < claim_end[c]), None)
        if claim is not None and claim >= keep:
            continue
        field_name = re.match(r"\s*(?:- )?(\w+):", line)
        key = field_name.group(1) if field_name and claim is not None else None
        indent = len(line) - len(line.lstrip(" -"))
        if key and (claim, key) in deleted and not line.lstrip().startswith("- ") and key != "id":
            removed.add((claim, key))
            continue
        if key and (claim, key) in emptied and (claim, key) not in deleted and key in ("context", "said", "kind"):
            changed.add(len(edited))
            edited.append(line[: line.index(":") + 1] + ending)
            removed.add((claim, key))
            continue
        if claim is not None and any(c == claim and k == "outcome" for c, k in removed) and line[:indent].count(" ") \
                > len(re.match(r"\s*", lines[starts[claim]]).group()) + 2 and "status" in line:
            continue   # the outcome's own field goes with it
        edited.append(line)
    text = "".join(edited)
    if not text.endswith(ending) and "no-final-newline" not in layout:
        text += ending
    path = tmp_path / "sheet.yaml"
    path.write_bytes(text.encode("utf-8"))
    os.chmod(path, 0o640)

    handler = sheets.round_trip()
    data = handler.load(text)
    complete = yaml.safe_load(full.lstrip("\ufeff"))
    edits = []
    for (claim, key) in sorted(removed):
        if claim < keep:
            data["claims"][claim][key] = sheets._text(handler.load(sheets.dump({key: complete["claims"][claim][key]}))[key]) \
                if key not in ("topics", "outcome") else handler.load(
                    sheets.dump({key: complete["claims"][claim][key]}).replace("[]", "[]"))[key]
            edits.append(("fill", ("claims", claim), key))
    for claim in range(keep, 3):
        data["claims"].append(handler.load(sheets.dump(complete["claims"][claim])))
        edits.append(("add", ("claims",), claim))
    sheets.write_edited(path, text.encode("utf-8"), data, edits, handler)

    after = path.read_bytes().decode("utf-8")
    assert yaml.safe_load(after.lstrip("\ufeff")) == complete
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    _only_added(text, after, changed)
    if crlf:
        assert after.count("\n") == after.count("\r\n")


def test_a_layout_too_odd_to_splice_is_rewritten_whole_in_its_line_endings_and_mode(tmp_path):
    text = ("article:\r\n  title: A\r\n  seed: seeds/a.txt\r\n"
            "claims: [{id: a-one, statement: One., review: draft}]\r\n")
    path = tmp_path / "sheet.yaml"
    path.write_bytes(text.encode("utf-8"))
    os.chmod(path, 0o604)
    handler = sheets.round_trip()
    data = handler.load(text)
    data["claims"].append(handler.load("id: a-two\nstatement: Two.\nreview: draft\n"))
    sheets.write_edited(path, text.encode("utf-8"), data, [("add", ("claims",), 1)], handler)
    after = path.read_bytes().decode("utf-8")
    assert yaml.safe_load(after)["claims"][1] == {"id": "a-two", "statement": "Two.", "review": "draft"}
    assert after.count("\n") == after.count("\r\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
