"""Similar statements: which claims say much the same as each other, found by wording.

Consumes the claims (in date order) and the words of speakers' names, which do not make
statements alike; produces, for each claim, the claims most alike, best first, with their
scores. An inverted index over rare words and word pairs: each claim looks up only its
rarest features, features shared by too many claims are never walked, and only claims
sharing enough rare features are scored, so the work grows with the number of claims times
a fixed bound rather than with every pair. After an edit, an incremental build scores again
only the claims whose similar statements it can change (`SimilarityRecord.refind`), with
the same result as scoring them all.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Callable, Iterable

from generator import parallel
from generator.memory import cache_of_archive_text, give_back_freed_memory
from generator.model import Claim

SIMILAR_SHOWN = 3            # claim pages are most of the site: each line on them counts against Pages' 1 GB

RAREST_FEATURES = 12         # features each claim looks up in the index


POSTING_CAP = 200            # features shared by more claims than this are too common to look up


MIN_SHARED = 2               # candidates must share this many looked-up features


CANDIDATES_SCORED = 50       # of those, only the ones sharing most are scored


MIN_SIMILARITY = 0.18


_STOPWORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own said same say says she should so some such than that the their theirs them themselves
then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves mr mrs ms
""".split())


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@dataclass(frozen=True)
class Similar:
    claim: str
    score: float
    same_speaker: bool


@cache_of_archive_text(maxsize=200_000)
def _stem(word: str) -> str:
    for suffix, keep in (("'s", 2), ("’s", 2), ("ies", 4), ("ing", 5), ("ed", 5), ("es", 5), ("s", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def _plain_words(text: str) -> list[str]:
    plain = text.casefold()
    if not plain.isascii():   # most statements are plain ASCII: nothing to fold
        plain = unicodedata.normalize("NFKD", plain)
        plain = "".join(char for char in plain if not unicodedata.combining(char))
    return _WORD.findall(plain)


def name_words(people) -> frozenset[str]:
    """Words of speakers' names and aliases: they say who is talked about, not what is said."""
    return frozenset(word for person in people for text in (person.name, *person.aliases)
                     for word in _plain_words(text))


def statement_features(text: str, ignore: frozenset[str] = frozenset()) -> frozenset[str]:
    """Content words (lower case, accents dropped, lightly stemmed) and adjacent word pairs;
    stop words and the `ignore` words (speakers' names) left out."""
    words = [_stem(word) for word in _plain_words(text)
             if word not in _STOPWORDS and word not in ignore and len(word) > 1]
    pairs = (f"{first} {second}" for first, second in zip(words, words[1:]))
    return frozenset(words).union(pairs)


WEIGHT_STEPS = 4          # a feature's weight changes at each quarter power of two of its frequency,


COARSE_FROM = 256         # and from here on (above POSTING_CAP), at each half power of two only


WEIGHT_SCALE = 1 << 16    # weights, squared, are whole numbers of 1/65,536


def _corpus(claims: int) -> int:
    """The number of claims that weights are worked out from: the power of two at or above
    the real number, so that adding an article or two changes no weight."""
    return 1 << max(claims - 1, 0).bit_length()


@lru_cache(maxsize=4096)
def _weight(frequency: int, corpus: int) -> int:
    """A feature's weight, squared, as a whole number: the rarer, the heavier.

    Its frequency is rounded down to a quarter power of two first (a half power, for the
    common features no claim looks up), so that an edit, which adds or removes a claim or
    two from a feature's count, changes no weight but where a count crosses a step: the
    claims sharing a word keep their lengths (norms), and an incremental build scores again
    only the claims near the edit. (A common word crossing a step changes the length of
    hundreds of claims: its steps are few.) A whole number sums to the same in any order,
    so a claim scored alone (see `SimilarityRecord`) gets the very score it gets among all
    the others."""
    if frequency < COARSE_FROM:
        step = (frequency ** WEIGHT_STEPS).bit_length() - 1   # floor(4 * log2(frequency)), exactly
    else:
        step = 2 * ((frequency ** 2).bit_length() - 1)       # the same in half powers
    return round(math.log(1 + corpus / 2 ** (step / WEIGHT_STEPS)) ** 2 * WEIGHT_SCALE)


def _walked(frequency: int) -> bool:
    """Whether claims look a feature up: shared by another claim, and not too common."""
    return 2 <= frequency <= POSTING_CAP


def similarity_digest(claims: list[Claim], ignore: frozenset[str]) -> str:
    """A digest of everything similar statements are found from: each claim's id, statement,
    article and speaker in date order, and the words left out. With the same code, equal
    digests give equal results."""
    digest = hashlib.blake2b(digest_size=16)
    for claim in claims:
        digest.update(f"{claim.id}\0{claim.statement}\0{claim.article}\0{claim.speaker}\n".encode())
    digest.update("\0".join(sorted(ignore)).encode())
    return digest.hexdigest()


def similar_statements(claims: list[Claim], work: Counter[str] | None = None,
                       ignore: frozenset[str] = frozenset(), processes: int = 1,
                       meanwhile=None) -> dict[str, tuple[Similar, ...]]:
    """For each claim, the most similar statements from other articles, best first.

    Each claim walks the postings of its RAREST_FEATURES rarest features (each list at most
    POSTING_CAP long), and only the CANDIDATES_SCORED claims sharing most of them are scored:
    the work per claim is bounded, so the whole grows linearly with the number of claims.
    `work`, when given, counts the postings walked and the pairs scored.

    With `processes` > 1, `processes` - 1 forked processes score claims a batch at a time,
    and this process too once it has done `meanwhile` (other work, run here in any case):
    each takes the next batch not yet taken, so they end together (same result). This
    process works rather than wait because each forked one copies much of its memory."""
    index = _SimilarityIndex.of(claims, ignore)
    give_back_freed_memory()   # what ranking the features took
    return _score_all(index, work, processes, meanwhile)


def _score_all(index: "_SimilarityIndex", work: Counter[str] | None, processes: int,
               meanwhile) -> dict[str, tuple[Similar, ...]]:
    claims = index.claims
    work = work if work is not None else Counter()
    batches = [(start, min(start + SCORED_AT_ONCE, len(claims))) for start in range(0, len(claims), SCORED_AT_ONCE)]
    shares = max(1, min(processes, len(batches)))
    if shares == 1:
        if meanwhile is not None:
            meanwhile()
        found = [index.score(*bounds) for bounds in batches]
    else:
        taken = parallel.Batches(len(batches))
        with taken.forked((index, batches, taken), shares - 1) as pool:
            others = [pool.apply_async(parallel.run, (_score_forked,)) for _ in range(shares - 1)]
            if meanwhile is not None:
                meanwhile()
            scored = dict(_score_batches(index, batches, taken))
            for other in others:
                scored.update(other.get())
        found = [scored[number] for number in range(len(batches))]   # claim order, as in one process
    result: dict[str, tuple[Similar, ...]] = {}
    for part, counted in found:
        result.update(part)
        work.update(counted)
    return result


def _inputs_of(claim: Claim) -> tuple:
    """What a claim's similar statements, and its place among others' candidates, are found from."""
    return claim.statement, claim.article, claim.speaker, claim.said.isoformat() if claim.said else None


def _kept(features: frozenset[str]) -> tuple[str, ...]:
    """A claim's features as a `SimilarityRecord` keeps them."""
    return tuple(map(sys.intern, features))


def _lookups(features, frequency: Counter[str]) -> frozenset[str]:
    """A claim's RAREST_FEATURES rarest walked features, as `_SimilarityIndex` ranks them."""
    walked = [(count, feature) for feature in features   # `_walked`, written out: asked of every feature
              if 2 <= (count := frequency[feature]) <= POSTING_CAP]
    if len(walked) > RAREST_FEATURES:
        walked = heapq.nsmallest(RAREST_FEATURES, walked)
    return frozenset(feature for _, feature in walked)


@dataclass
class SimilarityRecord:
    """What finding similar statements found, and everything it found them from, kept so
    that the next incremental build scores again only the claims an edit can change.

    `refind` gives exactly what finding them all again would: the claims it leaves alone
    are those whose result cannot change. A claim's result depends on its own statement,
    article and speaker; its rarest features (`lookups`, from the features' frequencies);
    the claims holding those (`postings`, with their articles, speakers and order); and
    the weights and norms of the claims it scores, which change only when a frequency
    crosses a step (`_weight`) or the number of claims crosses a power of two."""

    digest: str                                 # `similarity_digest` of the claims found from
    found: dict[str, tuple[Similar, ...]]       # claim id -> its similar statements, when it has any
    ignore: frozenset[str] = frozenset()
    corpus: int = 0                             # `_corpus` of the number of claims
    inputs: dict[str, tuple] = field(default_factory=dict)              # claim id -> `_inputs_of`
    # Claim id -> its statement's features, as a tuple of interned strings: far smaller than a
    # frozenset of them, and each word spelt once however many claims use it.
    features: dict[str, tuple[str, ...]] = field(default_factory=dict)
    frequency: Counter[str] = field(default_factory=Counter)            # feature -> how many claims hold it
    # Feature looked up (`_walked`) -> its claims; lists, not sets: a set of ten claims takes five times the room.
    postings: dict[str, list[str]] = field(default_factory=dict)
    # Claim id -> `_lookups`: sets, though tuples take a fifth of the room, as `in` asks them on a hot path.
    lookups: dict[str, frozenset[str]] = field(default_factory=dict)
    norms: dict[str, float] = field(default_factory=dict)               # claim id -> its features' length
    rescored: int = 0                           # claims the last `refind` scored again
    unread: Callable[[], tuple] | None = field(default=None, repr=False)   # gives the rest, as `plain` made it
    # Feature -> the claims looking it up (`lookups` the other way round): made by the first
    # `refind` that needs it, kept up to date by the others (the live preview's). Not written.
    lookers: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def find(cls, claims: list[Claim], ignore: frozenset[str], digest: str, processes: int = 1,
             meanwhile=None) -> "SimilarityRecord":
        """Every claim's similar statements, as `similar_statements` finds them, and the record
        (`digest`: the claims' `similarity_digest`)."""
        index = _SimilarityIndex.of(claims, ignore, keep=True)
        features = {claim.id: _kept(spelt) for claim, spelt in zip(claims, index.spelt)}
        index.spelt = []   # let go before scoring: `features` holds them now
        found = _score_all(index, None, processes, meanwhile)
        frequency, postings = index.frequency, defaultdict(list)
        for claim, held in features.items():
            for feature in held:
                if _walked(frequency[feature]):   # not those of one claim: most word pairs
                    postings[feature].append(claim)
        ranked = index.ranked
        return cls(digest, found, ignore, _corpus(len(claims)),
                   {claim.id: _inputs_of(claim) for claim in claims}, features, frequency, dict(postings),
                   {claim.id: frozenset(map(ranked.__getitem__, ranks)) for claim, ranks in zip(claims, index.lookups)},
                   {claim.id: norm for claim, norm in zip(claims, index.norms)}, len(claims))

    def plain(self) -> tuple[tuple, tuple]:
        """The record as plain values, for `writers.write_sealed`, in two parts: what was found
        (all a build needs while no statement changes), and the rest."""
        return ((self.digest, {claim: tuple((item.claim, item.score, item.same_speaker) for item in similar)
                               for claim, similar in self.found.items()}),
                (self.ignore, self.corpus, self.inputs, self.features, dict(self.frequency), self.postings,
                 self.lookups, self.norms))

    @classmethod
    def from_plain(cls, digest, found, rest: Callable[[], tuple]) -> "SimilarityRecord":
        """The record `plain` made; `rest` gives its second part, read only if `refind` needs it."""
        if not (isinstance(digest, str) and isinstance(found, dict)):
            raise TypeError("not a record of similar statements")
        return cls(digest, {claim: tuple(Similar(*item) for item in similar) for claim, similar in found.items()},
                   unread=rest)

    def _read_rest(self) -> bool:
        rest, self.unread = self.unread, None
        try:
            ignore, corpus, inputs, features, frequency, postings, lookups, norms = rest()
        except (TypeError, ValueError):   # none kept, or not as written
            return False
        if not (isinstance(corpus, int) and all(isinstance(part, dict) for part in (
                inputs, features, frequency, postings, lookups, norms))):
            return False
        self.ignore, self.corpus, self.inputs, self.features = frozenset(ignore), corpus, inputs, features
        self.frequency, self.postings, self.lookups, self.norms = Counter(frequency), postings, lookups, norms
        return True

    def refind(self, claims: list[Claim], ignore: frozenset[str], digest: str) -> bool:
        """Bring the record up to `claims` (in date order), scoring again only the claims whose
        similar statements may have changed. False when that would be most of them, or the
        weights all changed: the record is then spoilt, and they are all found again."""
        if self.unread is not None and not self._read_rest():
            return False
        corpus = _corpus(len(claims))
        if ignore != self.ignore or corpus != self.corpus:
            return False
        self._index_lookers()
        inputs = {claim.id: _inputs_of(claim) for claim in claims}
        changed = {claim for claim, made_from in inputs.items() if self.inputs.get(claim) != made_from}
        changed.update(claim for claim in self.inputs if claim not in inputs)
        at_most = len(claims) * REFIND_AT_MOST
        if len(changed) > at_most:
            return False
        counted_before, versions = self._count_again(changed, inputs, ignore)
        self.inputs = inputs
        reweighed, holders = self._post_again(counted_before, corpus)
        again = {claim for claim in changed if claim in inputs}
        pair = _Pair(self, corpus)
        measured = self._measure_again(again, reweighed, holders, pair, at_most)
        if measured is None:
            return False
        lengthened, norms_before = measured
        again.update(lengthened)
        self._rank_features_again(counted_before, holders, changed, again)
        resorted = self._touched_by(versions, lengthened - changed, norms_before, pair, again, at_most)
        if resorted is None:
            return False
        self._score_again(claims, again, resorted, pair)
        self.digest, self.rescored = digest, len(again)
        return True

    def _index_lookers(self) -> None:
        """`lookers`, made from `lookups` the first time a `refind` needs it."""
        if self.lookers is None:
            lookers: dict[str, list[str]] = {}
            for claim, looked in self.lookups.items():
                for feature in looked:
                    lookers.setdefault(feature, []).append(claim)
            self.lookers = lookers

    def _count_again(self, changed: set[str], inputs: dict[str, tuple], ignore: frozenset[str]
                     ) -> tuple[dict[str, int], list[tuple[str, ...]]]:
        """The changed claims' features, frequencies and postings brought up to date; returns
        each feature an edit added or took with its frequency before, and each changed claim's
        features before and after."""
        frequency, postings, features = self.frequency, self.postings, self.features
        counted_before: dict[str, int] = {}
        versions: list[tuple[str, ...]] = []
        for claim in changed:
            kept_had = features.pop(claim, ())
            kept_has = ()
            if claim in inputs:
                made_from = self.inputs.get(claim)
                kept_has = kept_had if made_from is not None and made_from[0] == inputs[claim][0] \
                    else _kept(statement_features(inputs[claim][0], ignore))
                features[claim] = kept_has
            versions += (kept_had,) if kept_has is kept_had else (kept_had, kept_has)
            had, has = frozenset(kept_had), frozenset(kept_has)
            for feature in had - has:
                counted_before.setdefault(feature, frequency[feature])
                frequency[feature] -= 1
                if feature in postings:
                    postings[feature].remove(claim)
            for feature in has - had:
                counted_before.setdefault(feature, frequency[feature])
                frequency[feature] += 1
                if feature in postings:
                    postings[feature].append(claim)
        return counted_before, versions

    def _post_again(self, counted_before: dict[str, int], corpus: int
                    ) -> tuple[dict[str, None], Callable[[str], Iterable[str]]]:
        """The postings of the features whose counts moved, as they are looked up now; returns
        the features still held whose weight changed (their count crossed a step), and who
        holds a moved feature (`holders`), postings or not."""
        frequency, postings = self.frequency, self.postings
        reweighed = dict.fromkeys(feature for feature, before in counted_before.items() if before and frequency[feature]
                                  and _weight(before, corpus) != _weight(frequency[feature], corpus))
        # Who holds the features whose counts moved that have no postings (held by one claim, or
        # by too many to be looked up), where it matters: those looked up now, and those whose
        # weight changed. Found in one pass over every claim's features.
        looked_through: dict[str, list[str]] = {}
        wanted: dict[str, list[str]] = {}
        for feature in counted_before:
            count = frequency[feature]
            if count and feature in postings and not _walked(count):
                looked_through[feature] = list(postings[feature])   # its postings, about to go
            elif count and feature not in postings and (_walked(count) or feature in reweighed):
                looked_through[feature] = wanted[feature] = []
        if wanted:
            for claim, has in self.features.items():
                if not wanted.keys().isdisjoint(has):
                    for feature in has:
                        if feature in wanted:
                            wanted[feature].append(claim)

        def holders(feature: str):
            held = postings.get(feature)
            return held if held is not None else looked_through.get(feature, ())

        for feature in counted_before:
            count = frequency[feature]
            if count == 0:
                del frequency[feature]
            if not _walked(count):
                postings.pop(feature, None)
            elif feature not in postings:   # looked up now, not before
                postings[feature] = list(holders(feature))
        return reweighed, holders

    def _measure_again(self, again: set[str], reweighed: dict[str, None], holders, pair: "_Pair", at_most: int
                       ) -> tuple[set[str], dict[str, float | None]] | None:
        """The norms of the claims whose length changed: those scored `again` and those holding a
        feature whose weight changed. Returns them with their norms before; None when they are
        too many."""
        lengthened = set(again)
        for feature in reweighed:
            lengthened.update(holders(feature))
            if len(lengthened) > at_most:
                return None
        norms_before = {claim: self.norms.get(claim) for claim in lengthened}
        for claim in lengthened:
            self.norms[claim] = math.sqrt(sum(map(pair.weights.__getitem__, self.features[claim]))) or 1.0
        return lengthened, norms_before

    def _rank_features_again(self, counted_before: dict[str, int], holders, changed: set[str], again: set[str]
                             ) -> None:
        """The rarest features of the claims holding a moved feature, and of the changed claims;
        a claim whose rarest features changed is scored `again`."""
        frequency, features, inputs = self.frequency, self.features, self.inputs
        # They are as they were when each moved feature a claim holds was walked before and after, and
        # the claim looks up fewer than RAREST_FEATURES (all it can), or the feature grew rarer while
        # looked up, or commoner while not.
        for feature, before in counted_before.items():
            if _walked(before) or _walked(frequency[feature]):
                steady = _walked(before) and _walked(frequency[feature])
                rarer = frequency[feature] < before
                for claim in holders(feature):
                    if steady and (len(looked := self.lookups.get(claim, ())) < RAREST_FEATURES
                                   or (feature in looked) == rarer):
                        continue
                    now = _lookups(features[claim], frequency)
                    if now != self.lookups.get(claim):
                        again.add(claim)
                        self._look_up(claim, now)
        for claim in changed:   # their features changed, or they are gone
            self._look_up(claim, _lookups(features[claim], frequency) if claim in inputs else None)
            if claim not in inputs:
                self.norms.pop(claim, None)

    def _touched_by(self, versions: list[tuple[str, ...]], lengthened: set[str], norms_before: dict[str, float | None],
                    pair: "_Pair", again: set[str], at_most: int) -> set[str] | None:
        """The other claims an edit touches, added to `again`; returns those only to be put in
        order again, or None when too many are to be scored again."""
        # The others are scored again when they could have had, or could now have, a changed claim
        # as a candidate: sharing MIN_SHARED of their rarest features with it. (Their own rarest
        # features are as before: they would be scored again else.)
        for held in versions:
            again.update(self._sharing(held))
        # And when a candidate's length changed, if it was listed, or would be now. A claim none of
        # whose features changed weight has the same score with each candidate but those whose
        # length changed: where those are listed only, and their scores rose (they grew shorter),
        # the ones listed stay, and are only put in order again (`resorted`).
        resorted: set[str] = set()
        for other in lengthened:
            fell = self.norms[other] > norms_before[other]   # its scores with the others fell
            for claim in self._sharing(self.features[other]):
                if claim not in again:
                    listing = self._listing(claim, other, pair, fell)
                    if listing is _RESCORE:
                        again.add(claim)
                    elif listing is _RESORT:
                        resorted.add(claim)
            if len(again) > at_most:
                return None
        if len(again) > at_most:
            return None
        return resorted

    def _score_again(self, claims: list[Claim], again: set[str], resorted: set[str], pair: "_Pair") -> None:
        """`found` brought up to date: the claims `again` scored, the `resorted` put in order."""
        order = {claim.id: number for number, claim in enumerate(claims)}
        found = {claim: similar for claim, similar in self.found.items() if claim in self.inputs}
        for claim in again:
            similar = self._score(claim, order, pair)
            if similar:
                found[claim] = similar
            else:
                found.pop(claim, None)
        for claim in resorted - again:
            scored = sorted((-round(pair(claim, item.claim), 4), item.claim, item.same_speaker) for item in found[claim])
            found[claim] = tuple(Similar(other, -score, same_speaker) for score, other, same_speaker in scored)
        self.found = found

    def _sharing(self, held) -> list[str]:
        """The claims looking up at least MIN_SHARED of the features `held`: those that would
        take a claim holding them as a candidate."""
        lookers = self.lookers
        shared = Counter(chain.from_iterable(lookers[feature] for feature in held if feature in lookers))
        return [claim for claim, hits in shared.items() if hits >= MIN_SHARED]

    def _look_up(self, claim: str, now: frozenset[str] | None) -> None:
        """`claim` looks up the features `now` (None: it is gone): in `lookups`, and in `lookers`."""
        lookers, before = self.lookers, self.lookups.get(claim, frozenset())
        if now is None:
            self.lookups.pop(claim, None)
            now = frozenset()
        else:
            self.lookups[claim] = now
        for feature in before - now:
            looking = lookers[feature]
            looking.remove(claim)
            if not looking:
                del lookers[feature]
        for feature in now - before:
            lookers.setdefault(feature, []).append(claim)

    def _listing(self, claim: str, other: str, pair: "_Pair", fell: bool) -> object:
        """How `claim`'s similar statements may change now that `other`'s length did, all else
        the same: not at all (None) when `other` is not listed and would not rank now; put in
        order again (`_RESORT`) when it is listed and its score rose; else found again
        (`_RESCORE`): whoever comes after those listed is not known. (`claim` holds no feature
        whose weight changed, or it would be found again anyway: its score with `other` moved
        only with `other`'s length. One that fell cannot make an unlisted claim rank.)"""
        listed = self.found.get(claim, ())
        if any(item.claim == other for item in listed):
            return _RESCORE if fell else _RESORT
        if fell:
            return None
        score = pair(claim, other)
        if score < MIN_SIMILARITY:
            return None
        if len(listed) < SIMILAR_SHOWN or (-round(score, 4), other) < (-listed[-1].score, listed[-1].claim):
            return _RESCORE
        return None

    def _score(self, claim: str, order: dict[str, int], pair: "_Pair") -> tuple[Similar, ...]:
        """One claim's similar statements, as `_SimilarityIndex.score` finds them among all."""
        inputs = self.inputs
        shared: Counter[str] = Counter()
        for feature in self.lookups[claim]:
            shared.update(self.postings[feature])
        article, speaker = inputs[claim][1], inputs[claim][2]
        candidates = [(hits, other) for other, hits in shared.items()
                      if hits >= MIN_SHARED and inputs[other][1] != article]
        if len(candidates) > CANDIDATES_SCORED:
            candidates = heapq.nsmallest(CANDIDATES_SCORED, candidates, key=lambda item: (-item[0], order[item[1]]))
        scored = []
        for _, other in candidates:
            score = pair(claim, other)
            if score >= MIN_SIMILARITY:
                scored.append((-round(score, 4), other))
        return tuple(Similar(other, -score, inputs[other][2] == speaker)
                     for score, other in heapq.nsmallest(SIMILAR_SHOWN, scored))


class _Pair:
    """Two claims' similarity in a `SimilarityRecord`, as `_SimilarityIndex.score` works it out,
    with each weight and each claim's features as a set made once, when first asked for."""

    def __init__(self, record: SimilarityRecord, corpus: int):
        self.features, self.norms = record.features, record.norms
        self.weights = _Weights(record.frequency, corpus)
        self.held: dict[str, frozenset[str]] = {}

    def __call__(self, claim: str, other: str) -> float:
        held = self.held.get(claim)
        if held is None:
            held = self.held[claim] = frozenset(self.features[claim])
        shared = held.intersection(self.features[other])
        return sum(map(self.weights.__getitem__, shared)) / (self.norms[claim] * self.norms[other])


class _Weights(dict):
    """Feature -> its weight (`_weight`) at the frequencies given."""

    def __init__(self, frequency: Counter[str], corpus: int):
        super().__init__()
        self.frequency, self.corpus = frequency, corpus

    def __missing__(self, feature: str) -> int:
        weight = self[feature] = _weight(self.frequency[feature], self.corpus)
        return weight


_RESORT, _RESCORE = object(), object()   # what `SimilarityRecord._listing` asks for


REFIND_AT_MOST = 0.25   # share of the claims: scoring more of them again, it is quicker to find all anew


SCORED_AT_ONCE = 2000   # claims per batch of scoring


def _score_batches(index: "_SimilarityIndex", batches: list[tuple[int, int]], taken: parallel.Batches
                   ) -> list[tuple[int, tuple]]:
    """Batches no process has taken yet, scored as this process takes them: (batch number, result)."""
    return [(number, index.score(*batches[number])) for number in taken.take()]


def _score_forked(work: tuple) -> list[tuple[int, tuple]]:
    return _score_batches(*work)


@dataclass
class _SimilarityIndex:
    """Each claim's features and their weights, and the inverted index over the rare ones.

    Features are known by number (their rank, rarest first) once counted: sets of small
    numbers intersect and weigh faster than sets of strings (a quarter of scoring's time).
    Only features shared by two claims or more are ranked and kept in the claims' sets: one
    seen once is in no other claim's, and counts only in its claim's length (norm). In
    real prose most word pairs are seen once, and ranking them all would cost memory for
    nothing. `SimilarityRecord` scores with the features spelt, to
    the same result: weights are whole numbers, which sum to the same in any order."""

    claims: list[Claim]
    articles: list[str]            # claim number -> its article
    features: list[frozenset[int]]   # claim number -> ranks of its features shared with other claims
    squared: list[float]           # feature rank -> its weight, squared
    norms: list[float]
    postings: list[list[int]]      # feature rank -> claims (by number) that have it, for the walked ranks
    lookups: list[list[int]]       # claim number -> ranks of its rarest features
    # Kept for a SimilarityRecord: each claim's features, spelt, and each feature's frequency.
    spelt: list[tuple[str, ...]] = field(default_factory=list)
    frequency: Counter[str] = field(default_factory=Counter)
    ranked: list[str] = field(default_factory=list)   # rank -> feature

    @classmethod
    def of(cls, claims: list[Claim], ignore: frozenset[str], keep: bool = False) -> "_SimilarityIndex":
        spelt = [tuple(statement_features(claim.statement, ignore)) for claim in claims]   # a fifth of a set's size
        frequency: Counter[str] = Counter()
        for found in spelt:
            frequency.update(found)
        corpus = _corpus(len(claims))
        # Each shared feature is known by its rank, rarest first (ties by spelling), so a claim's rarest are its
        # lowest. The index walks only those not too common: the lowest ranks.
        ranked = sorted((feature for feature, count in frequency.items() if count >= 2),
                        key=lambda f: (frequency[f], f))
        rank = {feature: number for number, feature in enumerate(ranked)}
        squared = [_weight(frequency[feature], corpus) for feature in ranked]
        once = _weight(1, corpus)
        end_walked = sum(1 for feature in ranked if frequency[feature] <= POSTING_CAP)
        features, norms = [], []
        for found in spelt:
            shared = frozenset(number for number in map(rank.get, found) if number is not None)
            features.append(shared)
            norms.append(math.sqrt(sum(map(squared.__getitem__, shared)) + once * (len(found) - len(shared))) or 1.0)
        del rank
        postings: list[list[int]] = [[] for _ in range(end_walked)]
        lookups: list[list[int]] = []
        for number, found in enumerate(features):
            ranks = sorted(feature for feature in found if feature < end_walked)
            for feature in ranks:
                postings[feature].append(number)
            lookups.append(ranks[:RAREST_FEATURES])
        index = cls(claims, [claim.article for claim in claims], features, squared, norms, postings, lookups)
        if keep:
            index.spelt, index.frequency, index.ranked = spelt, frequency, ranked
        return index

    def score(self, first: int, end: int) -> tuple[dict[str, tuple[Similar, ...]], Counter[str]]:
        """The similar statements of claims number `first` to `end`, and the work it took."""
        claims, features, squared, norms, postings = self.claims, self.features, self.squared, self.norms, self.postings
        articles = self.articles
        work: Counter[str] = Counter()
        result: dict[str, tuple[Similar, ...]] = {}
        for number in range(first, end):
            claim = claims[number]
            shared: Counter[int] = Counter()
            for feature in self.lookups[number]:
                work["postings walked"] += len(postings[feature])
                shared.update(postings[feature])     # counted in C, not in a Python loop
            article = articles[number]
            candidates = [(hits, other) for other, hits in shared.items()
                          if hits >= MIN_SHARED and articles[other] != article]
            if len(candidates) > CANDIDATES_SCORED:   # most shared rare features first; ties by position
                candidates = heapq.nsmallest(CANDIDATES_SCORED, candidates, key=lambda item: (-item[0], item[1]))
            work["pairs scored"] += len(candidates)
            own, norm = features[number], norms[number]
            scored = []
            for _, other in candidates:
                score = sum(map(squared.__getitem__, own & features[other])) / (norm * norms[other])
                if score >= MIN_SIMILARITY:
                    scored.append((-round(score, 4), claims[other].id, other))
            if scored:
                best = heapq.nsmallest(SIMILAR_SHOWN, scored)
                result[claim.id] = tuple(Similar(other_id, -score, claims[other].speaker == claim.speaker)
                                         for score, other_id, other in best)
        return result, work
