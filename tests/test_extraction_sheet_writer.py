"""A brand-new claim sheet is written without ruamel.yaml's emitter, byte for byte as it writes
it: over the seeds and the PolNeAR dev texts, and over text made to trip the quoting rules."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from generator.extraction import articles, sheets
from generator.extraction.articles import SourceArticle
from generator.model import Claim

ROOT = Path(__file__).parent.parent
POLNEAR_DEV = ROOT.parent / "shared" / "eval" / "polnear" / "dev" / "text"


def sheet_of(article: SourceArticle, claims: list[Claim]):
    sheet = sheets.CommentedMap()
    sheet["article"] = sheets.article_map(article, "0" * 64)
    listing = sheets.CommentedSeq()
    for claim in claims:
        listing.append(sheets.claim_map(claim))
    sheet["claims"] = listing
    return sheet


def sentence_claims(article: SourceArticle) -> list[Claim]:
    """Every sentence of the article as a claim, its words spread over the fields a sheet has."""
    found = []
    for n, paragraph in enumerate(article.paragraphs):
        for m, sentence in enumerate(re.split(r"(?<=[.?!])\s+", paragraph)):
            words = sentence.split()
            found.append(Claim(
                id=f"x-{n}-{m}", statement=sentence, form="direct", speaker=words[0].lower() if words else None,
                speaker_as_written=" ".join(words[:3]) or None, role=" ".join(words[-2:]) or None,
                said=article.published, said_basis="published", said_precision="day" if m % 2 else "month",
                context=paragraph, topics=tuple(w.strip(",.") for w in words[:m % 4] if w.strip(",.")),
                kind="assertion"))
    return found


def texts() -> list[Path]:
    found = sorted((ROOT / "seeds").glob("*.txt"))
    if not POLNEAR_DEV.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POLNEAR_DEV} is missing (CI=true: not skipping); put ../shared beside the clone")
        pytest.skip(f"{POLNEAR_DEV} is missing")
    return found + sorted(POLNEAR_DEV.glob("*.txt"))


def test_new_sheets_of_the_seeds_and_the_dev_texts_are_what_ruamel_writes(monkeypatch):
    slow = []
    dump = sheets.dump
    monkeypatch.setattr(sheets, "dump", lambda data, handler=None: slow.append(1) or dump(data, handler))
    paths = texts()
    for path in paths:
        article = articles.read_article(path.read_text(encoding="utf-8"), f"seeds/{path.name}")
        sheet = sheet_of(article, sentence_claims(article))
        assert sheets.new_sheet_text(sheet) == dump(sheet), path.name
    assert len(slow) <= len(paths) // 10   # the fast writer, not ruamel.yaml, wrote nearly all of them


TRICKY = st.text(alphabet=st.sampled_from(list("aZ 09-:#,'\"?!@%&*[]{}|>`.\\/~_") +
                                         ["“", "”", "’", "é", "\u00a0", "\t", "\n", "\u2028", "\ufeff", "\x85",
                                          "\x07", "😀", "ÿ"]), max_size=30)
WORDS = st.one_of(TRICKY, st.sampled_from(["no", "yes", "on", "null", "~", "true", "0o17", "1e3", "12:30",
                                          "2019-01-02", "- a", "---", "...", ": x", "x:", "a #b", "'q'"]))


@settings(max_examples=300, deadline=None)
@given(title=WORDS, statement=st.lists(WORDS, min_size=1, max_size=12).map(" ".join), who=WORDS, role=WORDS,
       topics=st.lists(WORDS, max_size=3), byline=st.lists(WORDS, max_size=2))
def test_any_text_is_written_as_ruamel_writes_it(title, statement, who, role, topics, byline):
    article = SourceArticle(seed="seeds/t.txt", title=title or "T", byline=byline, published=dt.date(2021, 4, 22),
                            paragraphs=[statement], quality=["missing-url"])
    claim = Claim(id="2021-x-y", statement=statement, form="indirect", speaker=None, speaker_as_written=who or None,
                  role=role or None, said=None, said_basis=None, said_precision="day", context=statement,
                  topics=tuple(topics), kind="assertion")
    sheet = sheet_of(article, [claim, claim])
    assert written(sheets.new_sheet_text, sheet) == written(sheets.dump, sheet)


def written(writer, sheet) -> str:
    """What a writer writes, or the error it raises: ruamel.yaml refuses a folded text with a
    control character in it, which the article reader never leaves in."""
    try:
        return writer(sheet)
    except Exception as error:  # noqa: BLE001 - the same error either way is what is compared
        return f"{type(error).__name__}: {error}"


def test_a_sheet_with_no_claims_and_a_dek():
    article = SourceArticle(seed="seeds/t.txt", title="Title", dek="A dek: with a colon", paragraphs=[])
    sheet = sheet_of(article, [])
    assert sheets.new_sheet_text(sheet) == sheets.dump(sheet)
    assert "claims: []" in sheets.new_sheet_text(sheet)
