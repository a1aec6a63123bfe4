"""Said before: rank the archive's claims by how closely they repeat a given one.

Consumes `Statement`s (a claim's words, and optionally a headline, speaker and date);
`ClaimIndex.of` indexes them once, `ClaimIndex.rank` answers one claim at a time with
`Match`es, best first. Pure: no I/O, nothing downloaded.

Ranking is BM25 (Okapi, Lucene's variant) over Snowball-stemmed words of the statement
and its headline, the query first cleared of what is not the claim: links, a tweet's
signature, "pic.twitter.com" stubs.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

import bm25s
import numpy as np
import Stemmer


@dataclass(frozen=True)
class Statement:
    """A claim as ranking sees it."""

    id: str
    text: str
    title: str = ""           # the headline of the article or fact-check that carries it
    speaker: str | None = None
    said: dt.date | None = None


@dataclass(frozen=True)
class Match:
    id: str
    score: float


# Links, image stubs and a tweet's signature ("— Name (@handle) January 2, 2020") are not the claim.
_LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_SIGNATURE = re.compile(r"\s[—–-]+\s[^—–]*\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def clean(text: str) -> str:
    """The claim's own words: links, image stubs and a tweet's closing signature taken out."""
    text = _SIGNATURE.sub(" ", text)
    return _LINK.sub(" ", text)


def words(text: str) -> list[str]:
    """Lower-case words, accents folded."""
    plain = text.casefold()
    if not plain.isascii():
        plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    return _WORD.findall(plain)


class ClaimIndex:
    """BM25 over a collection of statements; built once, asked many times."""

    def __init__(self, statements: Sequence[Statement], stem: bool = True, k1: float = 1.2, b: float = 0.75):
        self.statements = list(statements)
        self._stemmer = Stemmer.Stemmer("english") if stem else None
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        corpus = [self.terms(f"{s.text} {s.title}") for s in self.statements]
        self._bm25.index(corpus, show_progress=False)

    @classmethod
    def of(cls, statements: Iterable[Statement], **options) -> "ClaimIndex":
        return cls(list(statements), **options)

    def terms(self, text: str) -> list[str]:
        found = words(text)
        return self._stemmer.stemWords(found) if self._stemmer else found

    def scores(self, text: str) -> np.ndarray:
        """A score for every statement, in index order."""
        known = [t for t in self.terms(clean(text)) if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(len(self.statements), dtype=np.float32)
        return self._bm25.get_scores(known)

    def rank(self, text: str, limit: int = 5) -> list[Match]:
        scores = self.scores(text)
        top = np.argsort(-scores, kind="stable")[:limit]
        return [Match(self.statements[i].id, float(scores[i])) for i in top if scores[i] > 0]
