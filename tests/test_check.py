"""`hindsight check` on the sample archive and on a corpus of bad files.

Each file in tests/fixtures/bad/ says where it goes in a copy of the sample archive
(`# place:`) and what the checker must report (`# expect: SEVERITY @ ANCHOR | message | hint`).
ANCHOR is text in the file where the problem must be reported (`text#2` for its second
occurrence, `^` for the start of the file), so every expectation pins file, line and column.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from generator import readers
from generator.cli import main
from generator.validation import schema, SCHEMA_KINDS

HERE = Path(__file__).parent
SAMPLE = HERE / "fixtures" / "sample"
BAD = HERE / "fixtures" / "bad"
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.*)$")


@dataclass
class Reported:
    path: str
    line: int
    column: int
    severity: str
    message: str
    hint: str = ""


def run_check(capsys, content: Path, *extra: str) -> tuple[int, list[Reported], str]:
    code = main(["check", "--content", str(content), *extra])
    out = capsys.readouterr()
    reported: list[Reported] = []
    for text in out.out.splitlines():
        match = LINE.match(text)
        if match:
            reported.append(Reported(match["path"], int(match["line"]), int(match["col"]),
                                     match["severity"], match["message"]))
        elif text.startswith("    hint: ") and reported:
            reported[-1].hint = text[len("    hint: "):]
    return code, reported, out.err


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A fresh copy of the sample archive; returns its content folder."""
    shutil.copytree(SAMPLE, tmp_path / "sample")
    return tmp_path / "sample" / "content"


def test_sample_archive_is_clean(capsys, archive):
    code, reported, summary = run_check(capsys, archive)
    assert reported == []
    assert code == 0
    assert "0 errors, 0 warnings in 2 claim sheets, 5 claims, 4 speakers" in summary


def test_shipped_content_has_no_errors(capsys):
    code, reported, _ = run_check(capsys, HERE.parent / "content")
    assert [r for r in reported if r.severity == "error"] == []
    assert code == 0


# ---------------------------------------------------------------------------
# The bad-file corpus


def _expectations(text: str) -> tuple[str, list[tuple[str, str, list[str]]]]:
    place = re.search(r"^# place: (.+)$", text, re.M).group(1).strip()
    expects = []
    for line in re.findall(r"^# expect: (.+)$", text, re.M):
        head, *fragments = [part.strip(" ") for part in line.split(" | ")]   # not str.strip: an anchor may start with U+2028
        severity, anchor = head.split(" @ ", 1)
        expects.append((severity, anchor, fragments))
    return place, expects


def _anchor_position(text: str, anchor: str) -> tuple[int, int]:
    if anchor == "^":
        return 1, 1
    occurrence = 1
    if re.search(r"#\d+$", anchor):
        anchor, number = anchor.rsplit("#", 1)
        occurrence = int(number)
    anchor = anchor.replace("\\t", "\t")
    body_start = max(m.end() for m in re.finditer(r"^# (place|expect): .*$", text, re.M)) + 1
    index = body_start - 1
    for _ in range(occurrence):
        index = text.index(anchor, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


BAD_FILES = sorted(BAD.glob("*.yaml"))


def test_corpus_is_large_enough():
    assert len(BAD_FILES) >= 80


@pytest.mark.parametrize("bad_file", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_file_is_reported_at_its_place(capsys, archive, bad_file):
    text = bad_file.read_text("utf-8")
    place, expects = _expectations(text)
    assert expects, f"{bad_file.name} declares nothing to expect"
    target = archive / place
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")

    code, reported, _ = run_check(capsys, archive)

    for severity, anchor, fragments in expects:
        line, column = _anchor_position(text, anchor)
        at_place = [r for r in reported if r.path == str(target) and (r.line, r.column) == (line, column)
                    and r.severity == severity]
        assert at_place, (f"expected a {severity} at {place}:{line}:{column} ({anchor!r}); got:\n"
                          + "\n".join(f"{r.line}:{r.column} {r.severity} {r.message} | {r.hint}" for r in reported))
        message, *hint = fragments
        assert any(message in r.message and all(h in r.hint for h in hint) for r in at_place), \
            f"{[(r.message, r.hint) for r in at_place]} lack {fragments}"
    errors_expected = any(severity == "error" for severity, _, _ in expects)
    assert code == (1 if errors_expected else 0)
    # Nothing else is reported against the untouched sample files.
    assert all(r.path == str(target) or "people.yaml" in place or "topics.yaml" in place
               or "duplicate" in bad_file.name for r in reported)


def test_all_problems_are_reported_in_one_run(capsys, archive):
    """Two broken files and a broken registry: every problem comes out at once."""
    for name in ("several-errors.yaml", "unknown-speaker.yaml", "topics-misspelt-field.yaml"):
        text = (BAD / name).read_text("utf-8")
        place, _ = _expectations(text)
        (archive / place).parent.mkdir(parents=True, exist_ok=True)
        (archive / place).write_text(text, "utf-8")
    code, reported, summary = run_check(capsys, archive)
    files = {Path(r.path).name for r in reported if r.severity == "error"}
    assert {"several-errors.yaml", "unknown-speaker.yaml", "topics.yaml"} <= files
    assert len([r for r in reported if r.path.endswith("several-errors.yaml")]) >= 4
    assert code == 1
    assert re.search(r"\d+ errors", summary)


# ---------------------------------------------------------------------------
# Files that are not YAML text at all


def test_byte_order_mark_is_accepted(capsys, archive):
    sheet = archive / "articles" / "2019" / "nyt-zelensky-seeks-meeting-with-putin.yaml"
    sheet.write_bytes(b"\xef\xbb\xbf" + sheet.read_bytes())
    code, reported, _ = run_check(capsys, archive)
    assert (code, reported) == (0, [])


def test_non_utf8_file_points_at_the_bad_byte(capsys, archive):
    sheet = archive / "articles" / "2019" / "latin1.yaml"
    sheet.write_bytes("article:\n  title: Mevl\u00fct \u00c7avu\u015fo\u011flu\n".encode("cp1254"))
    code, reported, _ = run_check(capsys, archive)
    (problem,) = [r for r in reported if r.path == str(sheet)]
    assert (problem.line, problem.column) == (2, 14)
    assert "not UTF-8" in problem.message and "UTF-8" in problem.hint
    assert code == 1


def test_binary_file_is_reported_not_crashed_on(capsys, archive):
    sheet = archive / "articles" / "2019" / "binary.yaml"
    sheet.write_bytes(bytes(range(256)) * 4)
    code, reported, _ = run_check(capsys, archive)
    assert [r.path for r in reported] == [str(sheet)]
    assert code == 1


def test_oversized_file_is_refused_before_parsing(capsys, archive, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024 * 1024)
    sheet = archive / "articles" / "2019" / "huge.yaml"
    sheet.write_text("claims:\n" + "  - statement: padding padding padding\n" * 40000, "utf-8")
    code, reported, _ = run_check(capsys, archive)
    (problem,) = [r for r in reported if r.path == str(sheet)]
    assert "the limit is 1 MB" in problem.message
    assert code == 1


def test_billion_laughs_is_refused(capsys, archive):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    sheet = archive / "articles" / "2019" / "laughs.yaml"
    sheet.write_text("\n".join(lines) + "\n", "utf-8")
    code, reported, _ = run_check(capsys, archive)
    (problem,) = [r for r in reported if r.path == str(sheet)]
    assert "aliases" in problem.message
    assert (problem.line, problem.column) == (2, 10)  # the first *a0
    assert code == 1


def test_merge_keys_and_non_text_keys_are_refused(capsys, archive):
    sheet = archive / "articles" / "2019" / "merge.yaml"
    sheet.write_text("base: &b {title: x}\narticle:\n  <<: *b\n", "utf-8")
    other = archive / "articles" / "2019" / "number-key.yaml"
    other.write_text("article:\n  1945: year\n", "utf-8")
    code, reported, _ = run_check(capsys, archive)
    by_file = {Path(r.path).name: r for r in reported}
    assert "merge keys" in by_file["merge.yaml"].message and by_file["merge.yaml"].line == 3
    assert "field names must be plain words" in by_file["number-key.yaml"].message
    assert (by_file["number-key.yaml"].line, by_file["number-key.yaml"].column) == (2, 3)


def test_stray_files_are_reported_not_skipped(capsys, archive):
    (archive / "articles" / "2019" / "notes.txt").write_text("todo", "utf-8")
    (archive / "articles" / "loose.yaml").write_text("article: {}", "utf-8")
    code, reported, _ = run_check(capsys, archive)
    assert {Path(r.path).name for r in reported if r.severity == "warning"} == {"notes.txt", "loose.yaml"}
    assert code == 0


def test_missing_registry_is_an_error(capsys, archive):
    (archive / "people.yaml").unlink()
    code, reported, _ = run_check(capsys, archive)
    assert any(r.path.endswith("people.yaml") and "missing" in r.message for r in reported)
    assert code == 1


# ---------------------------------------------------------------------------
# Exit codes and output formats


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["check", "--no-such-option"])
    assert stop.value.code == 2
    assert main([]) == 2


def test_strict_turns_warnings_into_failure(capsys, archive):
    text = (BAD / "wrong-year-folder.yaml").read_text("utf-8")
    (archive / "articles" / "2020").mkdir()
    (archive / "articles" / "2020" / "wrong-year-folder.yaml").write_text(text, "utf-8")
    assert run_check(capsys, archive)[0] == 0
    assert run_check(capsys, archive, "--strict")[0] == 1


def test_json_format_for_tools(capsys, archive):
    text = (BAD / "unknown-field.yaml").read_text("utf-8")
    (archive / "articles" / "2019" / "unknown-field.yaml").write_text(text, "utf-8")
    code = main(["check", "--content", str(archive), "--format", "json"])
    problems = json.loads(capsys.readouterr().out)
    assert code == 1
    (problem,) = problems
    assert problem["severity"] == "error" and problem["message"] == "unknown field 'speakr'"
    assert problem["hint"] == "did you mean 'speaker'?"
    assert (problem["line"], problem["column"]) == _anchor_position(text, "speakr:")


def test_github_annotations_under_actions(capsys, archive, monkeypatch):
    text = (BAD / "unknown-field.yaml").read_text("utf-8")
    target = archive / "articles" / "2019" / "unknown-field.yaml"
    target.write_text(text, "utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    main(["check", "--content", str(archive)])
    out = capsys.readouterr().out
    line, col = _anchor_position(text, "speakr:")
    escaped = str(target).replace(":", "%3A").replace(",", "%2C")
    assert f"::error file={escaped},line={line},col={col}::unknown field 'speakr' (hint%3A" not in out
    assert f"::error file={escaped},line={line},col={col}::unknown field 'speakr' (hint: did you mean 'speaker'?)" in out


def test_no_annotations_outside_actions(capsys, archive, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (archive / "articles" / "2019" / "x.yaml").write_text((BAD / "unknown-field.yaml").read_text("utf-8"), "utf-8")
    main(["check", "--content", str(archive)])
    assert "::error" not in capsys.readouterr().out


# ---------------------------------------------------------------------------
# The schemas editors' IDEs use


@pytest.mark.parametrize("kind", SCHEMA_KINDS)
def test_shipped_schemas_are_valid_json_schema(kind):
    import jsonschema

    document = schema(kind)
    jsonschema.validators.validator_for(document).check_schema(document)


def _yaml_files():
    root = HERE.parent
    return sorted([*root.glob("content/**/*.yaml"), *SAMPLE.glob("content/**/*.yaml")])


@pytest.mark.parametrize("path", _yaml_files(), ids=lambda p: str(p.relative_to(HERE.parent)))
def test_every_content_file_names_its_schema(path):
    first = path.read_text("utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, f"{path} does not start with a yaml-language-server schema line"
    target = (path.parent / match.group(1)).resolve()
    assert target.is_file(), f"{path} points at {target}, which does not exist"
    kind = {"site.yaml": "site", "people.yaml": "people", "topics.yaml": "topics"}.get(path.name, "article")
    assert target.name == f"{kind}.schema.json"


def test_yaml_is_read_with_the_c_loader():
    assert readers._Loader is yaml.CSafeLoader


def _schema_cases():
    """The corpus files that parse as YAML, with the kind of file each stands for."""
    for bad_file in BAD_FILES:
        text = bad_file.read_text("utf-8")
        place, _ = _expectations(text)
        document, _ = readers.parse_yaml(text, place)
        if document is not None:
            kind = {"people.yaml": "people", "topics.yaml": "topics", "site.yaml": "site"}.get(place, "article")
            yield pytest.param(document, kind, id=bad_file.stem)


@pytest.mark.parametrize(("document", "kind"), list(_schema_cases()))
def test_fast_and_detailed_validators_agree(document, kind):
    """The compiled validator answers first; it must reject exactly what jsonschema rejects."""
    from generator.validation import _fast_validator, _validator

    detailed_valid = not list(_validator(kind).iter_errors(document.value))
    assert _fast_validator(kind).is_valid(document.value) == detailed_valid
