"""Said before: rank the archive's claims by how closely they repeat a given one.

Consumes `Statement`s (a claim's words, and optionally a headline, speaker and date);
`ClaimIndex` indexes them once and `ClaimIndex.rank` answers one claim at a time with
`Match`es, best first. Pure: no I/O, nothing downloaded.

Ranking is BM25 (Lucene's variant) over Snowball-stemmed content words of the statement,
its headline and its speaker's name. The claim asked about is first cleared of what is not
the claim (links, image stubs, a pasted tweet's signature); its speaker's name, and the month
and year it was said, join its words, as fact-checks name who said what and when.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Sequence

import bm25s
import numpy as np
import Stemmer

from generator.model import Archive, Claim

K1, B = 1.2, 0.75   # BM25's usual values; CheckThat! train and dev are flat around them
COMMON = 200        # words used by more statements than this find no neighbours (all-claims ranking)


@dataclass(frozen=True)
class Statement:
    """A claim as ranking sees it."""

    id: str
    text: str
    title: str = ""              # the headline of the article or fact-check that carries it
    speaker: str | None = None   # the speaker's name, as words (not an id)
    said: dt.date | None = None


@dataclass(frozen=True)
class Quote:
    """The claim asked about: its words, and who said it when, where known."""

    text: str
    speaker: str | None = None
    said: dt.date | None = None


@dataclass(frozen=True)
class Match:
    id: str
    score: float     # BM25: higher is closer, comparable only within one answer
    overlap: float   # share of the two claims' weighted words they have in common, 0 to 1


_STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves
""".split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
_TAG = re.compile(r"[#@](\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)")
# A pasted tweet ends "— Name (@handle) January 2, 2020": who wrote it and when, not the claim.
_SIGNATURE = re.compile(r"\s*[—–]\s*(?P<name>[^—–]*?)\s*\(@\w+\)\s*"
                        r"(?:(?P<month>[A-Z][a-z]+)\s+(?P<day>\d{1,2}),\s+(?P<year>\d{1,4}))?[^\w]*$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def quoted(pasted: str) -> Quote:
    """A pasted claim, its tweet signature (if any) read as speaker and date, links taken out."""
    speaker = said = None
    signature = _SIGNATURE.search(pasted)
    if signature:
        pasted = pasted[:signature.start()]
        speaker = signature["name"] or None
        if signature["month"] in _MONTHS and len(signature["year"]) == 4:   # not one cut short
            try:
                said = dt.date(int(signature["year"]), _MONTHS.index(signature["month"]) + 1, int(signature["day"]))
            except ValueError:
                said = None
    return Quote(" ".join(_LINK.sub(" ", pasted).split()), speaker, said)


def words(text: str) -> list[str]:
    """Lower-case words, accents folded, hashtags and handles split where their case changes
    (#PrayForAmazonia: pray for amazonia)."""
    text = _TAG.sub(lambda tag: f" {_CAMEL.sub(' ', tag[1])} ", text)
    plain = text.casefold()
    if not plain.isascii():
        plain = "".join(c for c in unicodedata.normalize("NFKD", plain) if not unicodedata.combining(c))
    return _WORD.findall(plain)


class ClaimIndex:
    """BM25 over a collection of statements; built once, asked many times."""

    def __init__(self, statements: Sequence[Statement]):
        self.statements = list(statements)
        self._stemmer = Stemmer.Stemmer("english")
        corpus = [self.terms(f"{s.text} {s.title} {s.speaker or ''}") for s in self.statements]
        self._bm25 = bm25s.BM25(k1=K1, b=B)
        self._bm25.index(corpus, show_progress=False)
        frequency: dict[str, int] = {}
        for terms in corpus:
            for term in set(terms):
                frequency[term] = frequency.get(term, 0) + 1
        total = len(corpus)
        self._idf = {term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in frequency.items()}
        self._terms = [frozenset(terms) for terms in corpus]
        self._position = {s.id: n for n, s in enumerate(self.statements)}

    @classmethod
    def of(cls, statements: Iterable[Statement]) -> "ClaimIndex":
        return cls(list(statements))

    def __len__(self) -> int:
        return len(self.statements)

    def terms(self, text: str) -> list[str]:
        """Stemmed content words of `text`."""
        return self._stemmer.stemWords([word for word in words(text) if word not in _STOPWORDS])

    def query_terms(self, quote: Quote) -> list[str]:
        """What `quote` is looked up by: its words, its speaker's name and when it was said."""
        text = quote.text
        if quote.speaker:
            text += f" {quote.speaker}"
        if quote.said:
            text += f" {_MONTHS[quote.said.month - 1]} {quote.said.year}"
        known = self._bm25.vocab_dict
        return list(dict.fromkeys(term for term in self.terms(text) if term in known))   # each word once

    def scores(self, quote: Quote) -> np.ndarray:
        """A BM25 score for every statement, in index order."""
        terms = self.query_terms(quote)
        if not terms:
            return np.zeros(len(self.statements), dtype=np.float32)
        return self._bm25.get_scores(terms)

    def rank(self, text: str, speaker: str | None = None, said: dt.date | None = None,
             limit: int = 5, exclude: Iterable[str] = ()) -> list[Match]:
        """The `limit` statements closest to the claim `text`, best first; those sharing no
        word with it are left out, and so are the ids in `exclude` (the claim itself)."""
        quote = Quote(text, speaker, said)
        scores = self.scores(quote)
        for claim_id in exclude:
            if claim_id in self._position:
                scores[self._position[claim_id]] = 0.0
        limit = min(limit, len(scores))
        if limit <= 0:
            return []
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = sorted(top.tolist(), key=lambda n: (-scores[n], n))   # ties in index order
        asked = frozenset(self.query_terms(quote))
        return [Match(self.statements[n].id, float(scores[n]), self._overlap(asked, self._terms[n]))
                for n in top if scores[n] > 0]

    def like(self, statement: Statement, limit: int = 5) -> list[Match]:
        """The statements closest to one of the collection's own (itself left out). Its date
        is not looked up as words: within an archive, before and since are told by `said`."""
        return self.rank(f"{statement.text} {statement.title}", statement.speaker, None,
                         limit=limit, exclude=(statement.id,))

    def neighbours(self, limit: int = 5, common: int = COMMON) -> dict[str, list[Match]]:
        """For every statement, the `limit` closest others, best first, all at once.

        Candidates are the statements sharing a word that at most `common` statements use, and
        their score is BM25 over those words only: the work grows with the pairs sharing a rare
        word, not with every pair, so a whole archive is ranked in one pass of array sums."""
        columns = self._bm25.scores
        indptr, holders, weights = columns["indptr"], columns["indices"], columns["data"]
        sizes = np.diff(indptr)
        asking, found, gained = [], [], []
        for term in np.flatnonzero((sizes >= 2) & (sizes <= common)):
            docs = holders[indptr[term]:indptr[term + 1]].astype(np.int64)
            weight = weights[indptr[term]:indptr[term + 1]]
            n = len(docs)
            asking.append(np.repeat(docs, n))
            found.append(np.tile(docs, n))
            gained.append(np.tile(weight, n))
        result: dict[str, list[Match]] = {s.id: [] for s in self.statements}
        if not asking:
            return result
        asker, other, score = np.concatenate(asking), np.concatenate(found), np.concatenate(gained)
        keep = asker != other
        key = asker[keep] * len(self.statements) + other[keep]
        score = score[keep]
        order = np.argsort(key, kind="stable")
        key, score = key[order], score[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        pair, total = key[starts], np.add.reduceat(score, starts)
        asker, other = pair // len(self.statements), pair % len(self.statements)
        best = np.lexsort((other, -total, asker))            # per asker: best first, ties in index order
        asker, other, total = asker[best], other[best], total[best]
        first = np.flatnonzero(np.r_[True, asker[1:] != asker[:-1]])
        place = np.arange(len(asker)) - np.repeat(first, np.diff(np.r_[first, len(asker)]))
        for a, o, t in zip(asker[place < limit].tolist(), other[place < limit].tolist(), total[place < limit].tolist()):
            result[self.statements[a].id].append(
                Match(self.statements[o].id, t, self._overlap(self._terms[a], self._terms[o])))
        return result

    def _overlap(self, asked: frozenset[str], found: frozenset[str]) -> float:
        weight = self._idf.get
        shared = sum(weight(term, 0.0) for term in asked & found)
        whole = sum(weight(term, 0.0) for term in asked) + sum(weight(term, 0.0) for term in found)
        return round(2 * shared / whole, 4) if whole else 0.0


def archive_statements(archive: Archive) -> list[Statement]:
    """The archive's claims as ranking sees them: the statement, the undamaged original words
    and the sentence around it; the questions it is filed under as its headline; its speaker's
    name. (Editors cite as evidence claims on the same question, often by the same speaker.)"""
    return [claim_statement(archive, claim) for claim in archive.claims()]


def claim_statement(archive: Archive, claim: Claim) -> Statement:
    text = " ".join(part for part in (claim.statement, claim.original, claim.context) if part)
    questions = " ".join(f"{archive.topics[t].title} {archive.topics[t].question}"
                         for t in claim.topics if t in archive.topics)
    person = archive.people.get(claim.speaker)
    return Statement(claim.id, text, questions, person.name if person else claim.speaker, claim.said)
