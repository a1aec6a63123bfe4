"""Said before, in the build: for each claim, the claims of other articles that say most nearly the same.

Consumes the archive's claims in date order and the words of speakers' names; produces, for each claim,
its closest claims from other articles, best first, whose overlap reaches the least any pair is shown
at (`FOUND_AT_LEAST`; each pair's own bar, `bar_for`, is applied by linking). Ranking is
`retrieval.ClaimIndex.neighbours`, the engine `hindsight similar` asks too: one home for "has
this been said before?". After an edit, an incremental build ranks again only the claims whose
lists the edit can change (`SimilarityRecord.refind`), with the result ranking them all gives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

from generator.retrieval import COMMON, ClaimIndex, Statement, corpus_size, frequency_steps, words

SIMILAR_SHOWN = 3     # claim pages are most of the site: each line on them counts against Pages' 1 GB
CANDIDATES = 5        # ranked for each claim, for the pair's bar (`bar_for`) to choose SIMILAR_SHOWN from
# Least overlap (the share of two claims' weighted words they have in common) for a claim to be
# shown as said before or since. Calibrated on CheckThat! 2020 train and dev and this archive's
# evidence pairs (bench/README.md, "Said before on claim pages"); methodology.md explains it.
AT_LEAST = 0.35
# The lower bar for two claims by the same speaker (the registry's id) filed under a question they
# share: one person's position on one question, restated years apart in other words. Calibrated
# on CheckThat! train and dev (a tweet whose author the fact-check names: its first answer is as
# often right at 0.10 as others' are at 0.35) and checked link by link on this archive.
SAME_SPEAKER_AND_QUESTION_AT_LEAST = 0.10
FOUND_AT_LEAST = min(AT_LEAST, SAME_SPEAKER_AND_QUESTION_AT_LEAST)   # what the stage keeps: the pair's bar is linking's
REFIND_AT_MOST = 0.25  # share of the claims: ranking more of them again, it is quicker to rank all anew


@dataclass(frozen=True, slots=True)   # slots: a build holds one for each of 5 candidates of every claim
class Similar:
    claim: str
    score: float     # BM25 over the rare words the two share: higher is closer
    overlap: float   # share of the two claims' weighted words they have in common, 0 to 1


def similarity_digest(claims: list, names: frozenset[str]) -> str:
    """A digest of everything the lists are found from: each claim's id, words, date and article,
    in order, and the words of speakers' names. With the same code, equal digests give equal results."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update("".join([f"{claim.id}\0{claim.statement}\0{claim.original or ''}\0"   # as `_inputs_of`, one string
                           f"{claim.said.toordinal() if claim.said else 0}\0{claim.article}\n" for claim in claims]).encode())
    digest.update("\0".join(sorted(names)).encode())
    return digest.hexdigest()


def said_statement(claim, names: frozenset[str]) -> Statement:
    """A claim as claim pages rank it: its own words (the statement and its undamaged original),
    without the words of speakers' names, which say who is talked about, not what is said
    ("Putin will attend", "Putin praised harvests"); not its questions nor speaker, which the
    claim page links by already."""
    text = " ".join(part for part in (claim.statement, claim.original) if part)
    return Statement(claim.id, " ".join(word for word in words(text) if word not in names), "", None,
                     claim.said, claim.article)


def similar_statements(claims: list, names: frozenset[str] = frozenset(), at_least: float = FOUND_AT_LEAST
                       ) -> dict[str, tuple[Similar, ...]]:
    """For each claim that has any, its closest claims from other articles, best first. (`claims`:
    `Claim`s, or anything with their id, statement, original, said and article.)"""
    return _shown(_score_all(ClaimIndex([said_statement(claim, names) for claim in claims])), at_least)


def _score_all(index: ClaimIndex, askers: Iterable[int] | None = None) -> dict[str, tuple[Similar, ...]]:
    """Each claim's CANDIDATES best candidates, whatever their overlap (those at `askers` only)."""
    found = index.neighbours(limit=CANDIDATES, askers=askers, make=Similar)
    return {claim: tuple(matches) for claim, matches in found.items() if matches}


def _shown(ranked: dict[str, tuple[Similar, ...]], at_least: float) -> dict[str, tuple[Similar, ...]]:
    """Of each claim's best candidates, those whose overlap reaches `at_least`."""
    shown = {}
    for claim, items in ranked.items():
        kept = tuple(item for item in items if item.overlap >= at_least)
        if kept:
            shown[claim] = kept if len(kept) < len(items) else items
    return shown


def _inputs_of(claim) -> tuple:
    """What a claim's list, and its place in others', is found from (the day said as a number)."""
    return claim.id, claim.statement, claim.original or "", claim.said.toordinal() if claim.said else 0, claim.article


def _rare(frequency: int) -> bool:
    """Whether claims find each other through a word used this often (`ClaimIndex.neighbours`)."""
    return 2 <= frequency <= COMMON


@dataclass
class SimilarityRecord:
    """What the build found, and what it found it from, kept so that the next incremental build
    ranks again only the claims an edit can change.

    Word weights move only when a word's count crosses a step or the number of claims crosses a
    power of two (`retrieval.idf`), and lengths only with the mean length's quarter word. A
    claim's list then changes only if it, or a claim it shares a rare word with, changed or holds
    a word whose weight moved, or it listed such a claim: `refind` ranks those again; the others'
    lists are what ranking all of them gives, to the bit (the same sums in the same order)."""

    digest: str
    found: dict[str, tuple[Similar, ...]]
    at_least: float = FOUND_AT_LEAST
    names: frozenset[str] = frozenset()
    corpus: int = 0
    mean_length: float = 0.0
    inputs: dict[str, tuple] = field(default_factory=dict)             # claim id -> `_inputs_of`, in order
    vocabulary: dict[str, int] = field(default_factory=dict)           # word -> its id, words added as met
    codes: dict[str, bytes] = field(default_factory=dict)              # claim id -> its words' ids (int32)
    # Claim id -> its CANDIDATES best candidates, whatever their overlap: whether an edited claim
    # could enter a list is told by the score of its last.
    ranked: dict[str, tuple[Similar, ...]] = field(default_factory=dict)
    rescored: int = 0                                                  # claims the last find or refind ranked
    unread: Callable[[], tuple] | None = field(default=None, repr=False)

    @classmethod
    def find(cls, claims: list, names: frozenset[str], digest: str, at_least: float = FOUND_AT_LEAST
             ) -> "SimilarityRecord":
        """Every claim's list, as `similar_statements` finds it, and the record."""
        index = ClaimIndex([said_statement(claim, names) for claim in claims])
        ranked = _score_all(index)
        vocabulary, flat, lengths = index.coded_terms()
        flat = flat.astype(np.int32)
        ends = np.cumsum(lengths).tolist()
        codes = {claim.id: flat[end - length:end].tobytes() for claim, end, length in zip(claims, ends, lengths.tolist())}
        return cls(digest, _shown(ranked, at_least), at_least, names, corpus_size(len(claims)),
                   index.mean_length, {claim.id: _inputs_of(claim) for claim in claims}, vocabulary, codes,
                   ranked, len(claims))

    def plain(self) -> tuple[tuple, tuple]:
        """The record as plain values, in two parts: what was found, and the rest."""
        return ((self.digest, {claim: tuple((item.claim, item.score, item.overlap) for item in items)
                               for claim, items in self.found.items()}),
                (self.at_least, tuple(sorted(self.names)), self.corpus, self.mean_length, self.inputs, self.vocabulary,
                 self.codes,
                 {claim: tuple((item.claim, item.score, item.overlap) for item in items)
                  for claim, items in self.ranked.items()}))

    @classmethod
    def from_plain(cls, digest, found, rest: Callable[[], tuple]) -> "SimilarityRecord":
        if not (isinstance(digest, str) and isinstance(found, dict)):
            raise TypeError("not a record of similar statements")
        return cls(digest, {claim: tuple(Similar(*item) for item in items) for claim, items in found.items()},
                   unread=rest)

    def _read_rest(self) -> bool:
        rest, self.unread = self.unread, None
        try:
            at_least, names, corpus, mean_length, inputs, vocabulary, codes, ranked = rest()
            ranked = {claim: tuple(Similar(*item) for item in items) for claim, items in ranked.items()}
        except (TypeError, ValueError, AttributeError):   # none kept, or not as written
            return False
        if not (isinstance(corpus, int) and all(isinstance(part, dict) for part in (inputs, vocabulary, codes))):
            return False
        self.at_least, self.corpus, self.mean_length, self.inputs = at_least, corpus, mean_length, inputs
        self.vocabulary, self.codes = vocabulary, codes
        self.ranked, self.names = ranked, frozenset(names)
        return True

    def refind(self, claims: list, names: frozenset[str], digest: str, at_least: float = FOUND_AT_LEAST) -> bool:
        """Bring the record up to date with `statements` (whose digest is `digest`), ranking again
        only the claims whose lists can change; False (the record spoilt) when it cannot, or when
        so many would be ranked again that ranking all anew is quicker."""
        if self.unread is not None and not self._read_rest():
            return False
        if at_least != self.at_least or names != self.names:
            return False
        inputs = {claim.id: (claim.id, claim.statement, claim.original or "",   # `_inputs_of`, inline: 100k calls
                             claim.said.toordinal() if claim.said else 0, claim.article) for claim in claims}
        if len(inputs) != len(claims):   # an id twice (the build refuses such an archive)
            return False
        known = self.inputs
        changed = {claim for claim, made in inputs.items() if known.get(claim) != made}
        gone = self.inputs.keys() - inputs.keys()
        reader, vocabulary = ClaimIndex([]), self.vocabulary
        # Only the changed claims' words are read again; the others' are the record's, as ids. (The
        # index is given the claims themselves: it asks them only their id and article.)
        codes = self.codes   # changed in place: a record that cannot be brought up to date is not used again
        before = {claim: codes[claim] for claim in changed | gone if claim in codes}   # their words before
        for claim in claims:
            if claim.id in changed:
                codes[claim.id] = np.array([vocabulary.setdefault(term, len(vocabulary)) for term in
                                            reader.statement_terms(said_statement(claim, names))], dtype=np.int32).tobytes()
        for claim in gone:
            codes.pop(claim, None)
        words_of = [codes[claim] for claim in inputs]   # in claim order
        joined = b"".join(words_of)
        lengths = np.fromiter(map(len, words_of), dtype=np.int64, count=len(words_of)) >> 2
        statements = claims
        index = ClaimIndex(claims, coded=(vocabulary, np.frombuffer(joined, dtype=np.int32), lengths))
        if corpus_size(len(statements)) != self.corpus or index.mean_length != self.mean_length:
            return False   # every weight or length moved

        def held(code: bytes) -> frozenset[int]:
            return frozenset(np.frombuffer(code, dtype=np.int32).tolist())

        # How many claims used each word of a changed claim, before and now (by word id).
        before_versions = [held(code) for code in before.values()]
        now_versions = [held(codes[claim]) for claim in changed]
        words = sorted(frozenset().union(*before_versions, *now_versions))
        counted_now = np.array([len(index.holders_of(word)) for word in words], dtype=np.int64)
        delta = {word: 0 for word in words}
        for version in now_versions:
            for word in version:
                delta[word] -= 1
        for version in before_versions:
            for word in version:
                delta[word] += 1
        counted_before = counted_now + np.array([delta[word] for word in words], dtype=np.int64)
        moved = frequency_steps(counted_now) != frequency_steps(counted_before)
        rare_now = {word: _rare(int(n)) for word, n in zip(words, counted_now)}
        rare_before = {word: _rare(int(n)) for word, n in zip(words, counted_before)}
        reweighed = [word for word, step_moved in zip(words, moved) if step_moved or rare_now[word] != rare_before[word]]
        at_most = REFIND_AT_MOST * len(statements)

        def ids(word: int) -> set[str]:
            return {index.statements[place].id for place in index.holders_of(word).tolist()}

        dirty = changed | gone
        for word in reweighed:
            dirty |= ids(word)
            if len(dirty) > at_most + len(gone):
                return False
        again = set(dirty & inputs.keys())
        # A claim's list changes only if it ranked a dirty claim among its best, or a dirty claim now
        # scores as high as its last best (all: when it has fewer than CANDIDATES).
        again |= {claim for claim, items in self.ranked.items()
                  if claim in inputs and any(item.claim in dirty for item in items)}
        if len(again) > at_most:
            return False
        for claim in dirty & inputs.keys():
            scores = index.scores_towards(index.place(claim))
            for place in np.flatnonzero(scores > 0).tolist():
                other = index.statements[place].id
                items = self.ranked.get(other, ())
                if other not in again and (len(items) < CANDIDATES or scores[place] >= items[-1].score - 1e-4):
                    again.add(other)   # (1e-4: as high, give or take the last bits of a sum)
            if len(again) > at_most:
                return False
        places = sorted(index.place(claim) for claim in again)
        part = _score_all(index, askers=places) if places else {}
        # New dicts (copied in C), equal to ranking all (in another order): the last build's links hold
        # the old `found`, and a reused list is told by being the very same object.
        self.ranked, self.found = dict(self.ranked), dict(self.found)
        for claim in again | gone:
            self.ranked.pop(claim, None)
            self.found.pop(claim, None)
        self.ranked.update(part)
        self.found.update(_shown(part, at_least))
        self.inputs, self.codes = inputs, codes
        self.digest, self.rescored = digest, len(again)
        return True



def bar_for(claim, other) -> float:
    """The least overlap for `other` to be shown on `claim`'s page: lower when the same speaker
    said both on a question an editor filed both under, the general bar otherwise."""
    if claim.speaker == other.speaker and not set(claim.topics).isdisjoint(other.topics):
        return SAME_SPEAKER_AND_QUESTION_AT_LEAST
    return AT_LEAST
