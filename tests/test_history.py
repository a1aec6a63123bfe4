"""Verdict history from git: scripted commits in a real repository, read back as a reader sees them."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from generator.history import HistoryCache, SheetReader, read_history


class Repo:
    """A throwaway archive under git; each `commit` writes sheets and commits them on a given day."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"
        (self.content / "articles").mkdir(parents=True)
        self.day = 0
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": "Ed", "GIT_AUTHOR_EMAIL": "ed@example.org",
               "GIT_COMMITTER_NAME": "Ed", "GIT_COMMITTER_EMAIL": "ed@example.org",
               "GIT_COMMITTER_DATE": f"2025-03-{self.day:02d}T10:00:00+00:00",
               "GIT_AUTHOR_DATE": f"2025-03-{self.day:02d}T10:00:00+00:00"}
        return subprocess.run(["git", *args], cwd=self.root, env=env, check=True, capture_output=True,
                              text=True).stdout

    def write(self, name: str, *claims: str) -> Path:
        path = self.content / "articles" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sheet(*claims), "utf-8")
        return path

    def commit(self, message: str, **sheets: tuple[str, ...] | None) -> str:
        for name, claims in sheets.items():
            name = name.replace("__", "/") + ".yaml"
            if claims is None:
                (self.content / "articles" / name).unlink()
            else:
                self.write(name, *claims)
        self.day += 1
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


def sheet(*claims: str) -> str:
    return ("article:\n  title: Talks\n  outlet: Wire\n  published: 2025-01-02\n  seed: null\nclaims:\n"
            + "".join(claims))


def claim(claim_id: str, *, status: str = "too-early", summary: str | None = None, review: str = "reviewed",
          statement: str = "There will be a meeting.", speaker: str = "anna-berg", said: str = "2025-01-02",
          corrections: str = "") -> str:
    text = (f"  - id: {claim_id}\n    statement: {statement}\n    form: direct\n    speaker: {speaker}\n"
            f"    said: {said}\n    kind: prediction\n    outcome:\n      status: {status}\n")
    if summary:
        text += f"      summary: {summary}\n"
    return text + corrections + f"    review: {review}\n"


def correction(date: str, wrong: str, changed: str) -> str:
    return f"    corrections:\n      - date: {date}\n        wrong: {wrong}\n        changed: {changed}\n"


@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(tmp_path / "archive")


def timeline(history, claim_id):
    return [(change.before and change.before.status, change.after.status, change.commit.subject)
            for change in history.outcome_changes(claim_id)]


def test_each_outcome_change_is_dated_with_its_commit_and_what_it_replaced(repo):
    repo.commit("Add the talks sheet", **{"2025__talks": (claim("a-meeting"),)})
    second = repo.commit("Meeting held in Geneva\n\nThe readout confirms it.",
                         **{"2025__talks": (claim("a-meeting", status="came-true", summary="They met."),)})
    history = read_history(repo.content)
    assert history.available and history.note is None and history.head == second
    assert timeline(history, "a-meeting") == [(None, "too-early", "Add the talks sheet"),
                                               ("too-early", "came-true", "Meeting held in Geneva")]
    change = history.outcome_changes("a-meeting")[1]
    assert change.commit.id == second and change.commit.committed.isoformat() == "2025-03-02T10:00:00+00:00"
    assert change.commit.message == "Meeting held in Geneva\n\nThe readout confirms it.\n"
    assert change.after.summary == "They met." and change.before.summary is None
    assert [update.after.status for update in history.updates()] == ["came-true"]   # not first publications


def test_a_drafts_text_is_never_in_the_history(repo):
    repo.commit("Publish", **{"2025__talks": (claim("a-meeting"),)})
    repo.commit("Work in progress", **{"2025__talks": (claim("a-meeting", status="came-true", summary="UNCHECKED",
                                                             review="draft"),)})
    repo.commit("Reviewed", **{"2025__talks": (claim("a-meeting", status="did-not-come-true", summary="Called off."),)})
    repo.commit("A new draft", **{"2025__talks": (claim("a-meeting", status="did-not-come-true", summary="Called off."),
                                                 claim("b-draft", summary="NEVER SHOWN", review="draft"))})
    history = read_history(repo.content)
    assert timeline(history, "a-meeting") == [(None, "too-early", "Publish"),
                                               ("too-early", "did-not-come-true", "Reviewed")]
    assert history.outcome_changes("b-draft") == [] and history.corrections("b-draft") == []
    assert "UNCHECKED" not in repr(history) and "NEVER SHOWN" not in repr(history)


def test_a_claim_first_published_after_drafts_starts_its_timeline_there(repo):
    repo.commit("Draft", **{"2025__talks": (claim("a-meeting", status="came-true", review="draft"),)})
    repo.commit("Checked", **{"2025__talks": (claim("a-meeting", status="too-early"),)})
    assert timeline(read_history(repo.content), "a-meeting") == [(None, "too-early", "Checked")]


def test_a_rejected_claims_history_is_never_produced(repo):
    repo.commit("Publish", **{"2025__talks": (claim("a-meeting"), claim("b-other"))})
    repo.commit("Update", **{"2025__talks": (claim("a-meeting", status="came-true"), claim("b-other", status="came-true"))})
    repo.commit("Strike a-meeting out", **{"2025__talks": (claim("a-meeting", status="came-true", review="rejected"),
                                                          claim("b-other", status="came-true"))})
    history = read_history(repo.content)
    assert history.outcome_changes("a-meeting") == [] and "a-meeting" not in history.outcome_events
    assert [update.claim for update in history.updates()] == ["b-other"]


def test_corrections_are_dated_by_the_commit_that_published_them(repo):
    repo.commit("Publish", **{"2025__talks": (claim("a-meeting", speaker="anna-berg"),)})
    fix = correction("2025-03-04", "The claim named Anna Berg as the speaker.", "The speaker is Boris Costa.")
    repo.commit("Correct the speaker", **{"2025__talks": (claim("a-meeting", speaker="boris-costa", corrections=fix),)})
    history = read_history(repo.content)
    (made,) = history.corrections("a-meeting")
    assert made.commit.subject == "Correct the speaker"
    assert (made.correction.date, made.correction.changed) == ("2025-03-04", "The speaker is Boris Costa.")
    assert [type(update).__name__ for update in history.updates()] == ["CorrectionMade"]
    sheets = [("talks.yaml", {"claims": [{"id": "a-meeting", "review": "reviewed", "statement": "There will be a meeting.",
                                          "speaker": "boris-costa", "said": "2025-01-02",
                                          "corrections": [{"date": "2025-03-04", "wrong": "The claim named Anna Berg "
                                                           "as the speaker.", "changed": "The speaker is Boris Costa."}]}]})]
    assert list(history.unexplained(sheets)) == []


def test_check_finds_a_changed_speaker_statement_or_date_with_no_correction(repo):
    first = repo.commit("Publish", **{"2025__talks": (claim("a-meeting"), claim("b-other"))})
    repo.commit("Quietly change a speaker", **{"2025__talks": (claim("a-meeting", speaker="boris-costa"),
                                                              claim("b-other"))})
    history = read_history(repo.content)
    now = {"claims": [
        {"id": "a-meeting", "review": "reviewed", "statement": "There will be a meeting.", "speaker": "boris-costa",
         "said": "2025-01-02"},
        {"id": "b-other", "review": "reviewed", "statement": "There will be\n a meeting.", "speaker": "anna-berg",
         "said": "2025-01-09"},
    ]}
    found = {claim_id.claim: (index, claim_id) for _, index, claim_id in history.unexplained([("talks.yaml", now)])}
    committed = found["a-meeting"][1]
    assert found["a-meeting"][0] == 0 and committed.fields == ("speaker",)
    assert (committed.before, committed.after) == ({"speaker": "anna-berg"}, {"speaker": "boris-costa"})
    assert committed.published.id == first and committed.changed_in.subject == "Quietly change a speaker"
    uncommitted = found["b-other"][1]
    assert found["b-other"][0] == 1 and uncommitted.fields == ("said",) and uncommitted.changed_in is None
    # A draft is not published: its changes need no correction.
    now["claims"][1]["review"] = "draft"
    assert [found.claim for _, _, found in history.unexplained([("talks.yaml", now)])] == ["a-meeting"]


def test_no_git_no_repository_and_a_shallow_clone_say_so_once(repo, tmp_path, monkeypatch):
    repo.commit("One", **{"2025__talks": (claim("a-meeting"),)})
    repo.commit("Two", **{"2025__talks": (claim("a-meeting", status="came-true"),)})
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow)], check=True)
    outside = tmp_path / "plain" / "content"
    outside.mkdir(parents=True)
    for content, said in [(shallow / "content", "shallow clone"), (outside, "is not in a git repository")]:
        history = read_history(content)
        assert not history.available and said in history.note and history.outcome_changes("a-meeting") == []
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    history = read_history(repo.content)
    assert not history.available and history.note == "verdict history is not shown: git is not installed"


def test_the_cache_reads_only_new_commits_and_gives_what_a_full_read_gives(repo, tmp_path, monkeypatch):
    cache = HistoryCache(tmp_path / "cache" / "site.history")
    repo.commit("One", **{"2025__talks": (claim("a-meeting"), claim("b-other")), "2025__quiet": (claim("d-quiet"),)})
    repo.commit("Two", **{"2025__talks": (claim("a-meeting", status="came-true"), claim("b-other"))})
    first = read_history(repo.content, cache)
    assert cache.path.is_file() and first.head == cache.load()["head"]

    repo.commit("Three", **{"2025__more": (claim("c-new"),),
                            "2025__talks": (claim("a-meeting", status="came-true"), claim("b-other", status="kept"))})
    parsed = []
    block = SheetReader._block
    monkeypatch.setattr(SheetReader, "_block", staticmethod(lambda text: parsed.append(text) or block(text)))
    spans = []
    real_commits = __import__("generator.history", fromlist=["_commits"])._commits
    monkeypatch.setattr("generator.history._commits", lambda raw, prefix: spans.extend(
        c[2] for c in real_commits(raw, prefix)) or real_commits(raw, prefix))
    later = read_history(repo.content, cache)
    assert spans == ["Three\n"]                           # only the new commit was read from git
    assert sorted(text.split("\n", 1)[0] for text in parsed) == [   # the claims of the sheets it changed
        "  - id: a-meeting", "  - id: b-other", "  - id: c-new"]
    monkeypatch.undo()
    assert later == read_history(repo.content)            # what a full read gives
    assert read_history(repo.content, cache) == later     # nothing new: nothing read

    # History rewritten (an amended commit): the cache is not trusted, the history is read again.
    repo.git("commit", "-q", "--amend", "-m", "Three, amended")
    rewritten = read_history(repo.content, cache)
    assert rewritten == read_history(repo.content) and rewritten.commits[-1].subject == "Three, amended"


def test_a_damaged_cache_is_read_as_absent(repo, tmp_path):
    cache = HistoryCache(tmp_path / "site.history")
    repo.commit("One", **{"2025__talks": (claim("a-meeting"),)})
    read_history(repo.content, cache)
    cache.path.write_bytes(cache.path.read_bytes()[:-3])
    assert cache.load() is None
    assert read_history(repo.content, cache) == read_history(repo.content)


def test_moved_sheets_and_renamed_ids_keep_their_history(repo):
    repo.commit("Undated", **{"undated__talks": (claim("undated-meeting"),)})
    repo.commit("Dated and moved", **{"undated__talks": None, "2025__talks": (claim("undated-meeting",
                                                                                    status="came-true"),)})
    repo.commit("Renamed id", **{"2025__talks": (claim("2025-berg-meeting", status="came-true"),)})
    repo.commit("Update", **{"2025__talks": (claim("2025-berg-meeting", status="did-not-come-true"),)})
    history = read_history(repo.content)
    assert timeline(history, "2025-berg-meeting") == [(None, "too-early", "Undated"),
                                                       ("too-early", "came-true", "Dated and moved"),
                                                       ("came-true", "did-not-come-true", "Update")]
    assert history.outcome_changes("undated-meeting") == []


def test_a_merged_branch_counts_from_its_merge(repo):
    repo.commit("Publish", **{"2025__talks": (claim("a-meeting"),)})
    repo.git("checkout", "-q", "-b", "update")
    repo.commit("Draft on a branch", **{"2025__talks": (claim("a-meeting", status="came-true", review="draft"),)})
    repo.commit("Checked on the branch", **{"2025__talks": (claim("a-meeting", status="came-true"),)})
    repo.git("checkout", "-q", "main")
    repo.commit("Elsewhere", **{"2025__other": (claim("b-other"),)})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge pull request #7 from ed/update\n\nThe meeting took place",
             "update")
    assert timeline(read_history(repo.content), "a-meeting") == [(None, "too-early", "Publish"),
                                                                  ("too-early", "came-true", "The meeting took place")]


def test_sheets_in_any_layout_are_read():
    """A flow-style list, anchors across claims, or a claims list before the article: read whole."""
    reader = SheetReader()
    block = "claims:\n  - &one {id: a, review: reviewed, statement: S, outcome: {status: kept}}\n  - id: b\n    review: draft\n"
    assert [claim_id for claim_id, _ in reader.claims(block)] == ["a", "b"]
    flow = "article: {title: T}\nclaims: [{id: a, review: reviewed, statement: S, said: 2025-01-02}]\n"
    ((claim_id, version),) = reader.claims(flow)
    assert claim_id == "a" and version[3] == "2025-01-02" and version[4][0] == "unrated"
    first = "claims:\n- id: a\n  review: reviewed\n  statement: S\narticle:\n  title: T\n"
    assert [claim_id for claim_id, _ in reader.claims(first)] == ["a"]
    assert reader.claims("claims: [unclosed\n") is None
    laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 10)}]\n" for n in range(8))
    assert reader.claims(laughs + "claims: *i\n") is None   # 10^9 nodes: refused, not expanded


def test_check_warns_at_the_changed_field_and_says_how_to_fix_it(repo):
    from generator.history import correction_warnings
    from generator.readers import read_yaml

    repo.commit("Publish", **{"2025__talks": (claim("a-meeting"),)})
    path = repo.write("2025/talks.yaml", claim("a-meeting", speaker="boris-costa", said="2025-01-03"))
    shown = "content/articles/2025/talks.yaml"
    document, _ = read_yaml(path, shown)
    (problem,) = correction_warnings(read_history(repo.content), [document])
    assert (problem.path, problem.line, problem.column, problem.severity) == (shown, 10, 14, "warning")
    assert problem.message.startswith("the speaker and date said of claim 'a-meeting' differ from the version "
                                      "published on 2025-03-01 (")
    assert problem.message.endswith("changed since the last commit, and no correction says why "
                                    "(speaker was 'anna-berg'; said was '2025-01-02')")
    assert "corrections:" in problem.hint
    fixed = claim("a-meeting", speaker="boris-costa", said="2025-01-03",
                  corrections=correction("2025-03-02", "The wrong speaker and day.", "Both as the article gives them."))
    path = repo.write("2025/talks.yaml", fixed)
    document, _ = read_yaml(path, shown)
    assert correction_warnings(read_history(repo.content), [document]) == []


def test_windows_line_endings_a_byte_order_mark_and_an_unreadable_version(repo):
    """A sheet saved with CRLF and a BOM reads as any other; a version that is not UTF-8 is
    passed over, its claims kept as they were, not taken for deleted and published anew."""
    repo.commit("Publish", **{"2025__talks": (claim("a-meeting"),)})
    path = repo.content / "articles" / "2025" / "talks.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + sheet(claim("a-meeting", status="came-true")).replace("\n", "\r\n").encode())
    repo.day += 1
    repo.git("commit", "-qam", "Saved on Windows")
    path.write_bytes(sheet(claim("a-meeting", status="did-not-come-true", summary="Caf\xe9")).encode("latin-1"))
    repo.day += 1
    repo.git("commit", "-qam", "Latin-1")
    repo.commit("Fixed", **{"2025__talks": (claim("a-meeting", status="did-not-come-true", summary="Café"),)})
    assert timeline(read_history(repo.content), "a-meeting") == [
        (None, "too-early", "Publish"), ("too-early", "came-true", "Saved on Windows"),
        ("came-true", "did-not-come-true", "Fixed")]


@pytest.mark.parametrize("variant", ["as saved", "crlf", "no final newline", "notes last"])
def test_claims_read_block_by_block_are_what_the_whole_sheet_says(variant):
    """Reading claim by claim (split at the dashes, unread fields dropped) gives every claim's
    version exactly as parsing the whole sheet does, on the archive's own sheets."""
    from generator.history import _load, _version

    sheets = sorted((Path(__file__).parent.parent / "content" / "articles").rglob("*.yaml"))
    assert sheets
    for path in sheets:
        text = path.read_text("utf-8")
        if variant == "crlf":
            text = text.replace("\n", "\r\n")
        elif variant == "no final newline":
            text = text.rstrip("\n")
        elif variant == "notes last":   # a folded note closing each claim, the last line of its block
            text = re.sub(r"(?<!claims:)\n  - id: ", "\n    note: >-\n      A note\n      on two lines.\n  - id: ", text)
        whole = [(entry["id"], _version(entry)) for entry in _load(text)["claims"]]
        assert SheetReader().claims(text) == whole, path.name
        assert any(version[0] == "reviewed" for _, version in whole)


def test_a_reworded_correction_is_not_a_new_one(repo):
    first = correction("2025-03-02", "The wrong speaker.", "The speaker is Boris Costa.")
    repo.commit("Publish", **{"2025__talks": (claim("a-meeting"),)})
    repo.commit("Correct", **{"2025__talks": (claim("a-meeting", speaker="boris-costa", corrections=first),)})
    reworded = first.replace("The wrong speaker.", "The claim named Anna Berg as the speaker.")
    repo.commit("Reword", **{"2025__talks": (claim("a-meeting", speaker="boris-costa", corrections=reworded),)})
    second = reworded + ("      - date: 2025-03-05\n        wrong: The wrong day.\n"
                         "        changed: The day the article gives.\n")
    repo.commit("Another", **{"2025__talks": (claim("a-meeting", speaker="boris-costa", said="2025-01-01",
                                                    corrections=second),)})
    history = read_history(repo.content)
    assert [(made.commit.subject, made.correction.wrong) for made in history.corrections("a-meeting")] == [
        ("Correct", "The wrong speaker."), ("Another", "The wrong day.")]


def test_a_repository_git_refuses_is_named_with_gits_reason(repo, monkeypatch, tmp_path):
    repo.commit("One", **{"2025__talks": (claim("a-meeting"),)})
    config = tmp_path / "gitconfig"
    config.write_text("[safe]\n\tdirectory = /nowhere\n", "utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")   # as a checkout owned by another user
    history = read_history(repo.content)
    assert not history.available and history.note.startswith("verdict history is not shown: git said: detected "
                                                             "dubious ownership in repository at")
