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
import re
import unicodedata
from array import array
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
import Stemmer

from generator.model import Archive, Claim

K1, B = 1.2, 0.75   # BM25's usual values; CheckThat! train and dev are flat around them
BUILT_AT_ONCE = 10_000   # statements indexed per slice
COMMON = 200        # words used by more statements than this find no neighbours (all-claims ranking)


FREQUENCY_STEPS = 4  # a word's rarity counts in quarter powers of two of the statements using it
LENGTH_STEPS = 4     # the mean statement length counts in quarter words
IDF_SCALE = float(1 << 24)


def corpus_size(count: int) -> int:
    """The number of statements word weights are worked out from: the power of two at or above
    `count`, so that adding an article changes no weight but where a count crosses a step."""
    return 1 << max(count - 1, 0).bit_length()


def frequency_steps(frequency: np.ndarray) -> np.ndarray:
    """Each count of statements using a word, as its step: floor(4 x log2(count))."""
    return np.floor(FREQUENCY_STEPS * np.log2(np.maximum(frequency, 1)) + 1e-9)


def idf(frequency: np.ndarray, count: int) -> np.ndarray:
    """BM25's inverse document frequency, from the counts rounded down to their step and the
    collection rounded up to a power of two: an edit moves a weight only where a step is crossed."""
    rounded = 2.0 ** (frequency_steps(frequency) / FREQUENCY_STEPS)
    corpus = corpus_size(count)
    # to a 2^-24th: sums of a claim's idfs are then exact in float64, the same in any order
    return np.round(np.log1p((corpus - rounded + 0.5) / (rounded + 0.5)) * IDF_SCALE) / IDF_SCALE


def by_word_order(term: np.ndarray) -> np.ndarray:
    """The order that sorts word ids `term` (below 2^32), ties in their order: two stable sorts of
    16-bit halves, which numpy does by radix (a stable sort of 32-bit ids is a merge sort, 3x slower)."""
    low = np.argsort((term & 0xFFFF).astype(np.uint16), kind="stable")
    return low[np.argsort((term[low] >> 16).astype(np.uint16), kind="stable")]


def mean_length(lengths: np.ndarray) -> float:
    """The statements' mean length in words, to the quarter word (BM25's length norm)."""
    if not len(lengths):
        return 1.0
    return max(round(float(lengths.mean()) * LENGTH_STEPS) / LENGTH_STEPS, 1.0 / LENGTH_STEPS)


@dataclass(frozen=True)
class Statement:
    """A claim as ranking sees it."""

    id: str
    text: str
    title: str = ""              # the headline of the article or fact-check that carries it
    speaker: str | None = None   # the speaker's name, as words (not an id)
    said: dt.date | None = None
    article: str = ""            # claims of one article are not each other's neighbours (`neighbours`)


@dataclass(frozen=True)
class Quote:
    """The claim asked about: its words, and who said it when, where known."""

    text: str
    speaker: str | None = None
    said: dt.date | None = None


@dataclass(frozen=True, slots=True)   # slots: a build holds one for each of 5 candidates of every claim
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


_SEPARATOR = "\x1f"   # the unit separator: no claim's text holds it (YAML refuses such characters)


class _Stored(Sequence):
    """The statements of an index read back (`ClaimIndex.from_plain`): each made when asked for."""

    def __init__(self, count: int, columns: tuple[str, ...]):
        self.count, self._columns, self._split = count, columns, {}
        self.ids = columns[0].split(_SEPARATOR) if count else []

    def __len__(self) -> int:
        return self.count

    def _field(self, number: int) -> list[str]:
        if number not in self._split:
            self._split[number] = self._columns[number].split(_SEPARATOR)
        return self._split[number]

    def __getitem__(self, place):
        if isinstance(place, slice):
            return [self[n] for n in range(*place.indices(self.count))]
        said = self._field(4)[place]
        return Statement(self.ids[place], self._field(1)[place], self._field(2)[place], self._field(3)[place] or None,
                         dt.date.fromisoformat(said) if said else None, self._field(5)[place])


class ClaimIndex:
    """BM25 over a collection of statements; built once, asked many times.

    Held as two sparse arrays of BM25 weights: by statement (its words) and by word (the
    statements using it), so one claim is scored with one weighted count over the postings of
    its words, and a whole archive with the same sums, a slice of claims at a time."""

    def __init__(self, statements: Sequence[Statement], known: Sequence[Sequence[str]] | None = None,
                 coded: tuple[dict[str, int], np.ndarray, np.ndarray] | None = None):
        """`known`, when given, are each statement's `statement_terms` (known already: not read
        again); `coded`, each statement's words as ids of a vocabulary (`coded_terms`), one after
        the other, and how many each statement has."""
        self.statements = list(statements)
        self._stemmer = Stemmer.Stemmer("english")
        self._stems: dict[str, str] = {}
        count = len(self.statements)
        if coded is not None:
            self._vocabulary, flat, lengths = coded
            flat, lengths = np.asarray(flat, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
        else:
            self._vocabulary = {}
            lengths = np.zeros(count, dtype=np.int64)
            found = array("q")   # word ids, statement after statement: 8 bytes each, not a Python int
            for place, statement in enumerate(self.statements):
                ids = [self._vocabulary.setdefault(term, len(self._vocabulary))
                       for term in (known[place] if known is not None else self.statement_terms(statement))]
                found.extend(ids)
                lengths[place] = len(ids)
            flat = np.frombuffer(found, dtype=np.int64)
        self._flat, self._lengths = flat, lengths
        offsets = np.concatenate(([0], np.cumsum(lengths)))
        holders, terms, tfs = [], [], []
        for first in range(0, count, BUILT_AT_ONCE):   # a slice at a time: sorting temporaries stay small
            last = min(first + BUILT_AT_ONCE, count)
            pair, tf = np.unique((np.repeat(np.arange(first, last, dtype=np.int64), lengths[first:last]) << 32)
                                 | flat[offsets[first]:offsets[last]], return_counts=True)
            holders.append((pair >> 32).astype(np.int32))              # by statement, then word
            terms.append((pair & 0xFFFFFFFF).astype(np.int32))
            tfs.append(tf.astype(np.float32))
        holder = np.concatenate(holders) if holders else np.zeros(0, dtype=np.int32)
        term = np.concatenate(terms) if terms else np.zeros(0, dtype=np.int32)
        tf = np.concatenate(tfs) if tfs else np.zeros(0, dtype=np.float32)
        del holders, terms, tfs
        frequency = np.bincount(term, minlength=len(self._vocabulary))
        self.frequency = frequency
        self._idf = idf(frequency, count)
        self.mean_length = mean_length(lengths)
        length = (lengths / self.mean_length).astype(np.float32)[holder]
        weight = self._idf.astype(np.float32)[term] * tf / (tf + np.float32(K1) * (np.float32(1 - B) + np.float32(B) * length))
        del tf, length
        self._row_start = np.concatenate(([0], np.cumsum(np.bincount(holder, minlength=count))))
        self._row_terms = term
        by_word = by_word_order(term)
        self._column_start = np.concatenate(([0], np.cumsum(frequency)))
        self._column_holders = holder[by_word]
        self._column_weights = weight[by_word]
        self._places: dict[str, int] | None = None   # statement id -> place, once asked (`_position`)
        self._articles: dict[str, list[int]] | None = None   # article -> its statements' places, once asked

    def coded_terms(self) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
        """Each statement's words as ids of the vocabulary, one statement after the other, and how
        many each has: what `coded` takes to index them again without reading them."""
        return self._vocabulary, self._flat, self._lengths

    def holders_of(self, term: int) -> np.ndarray:
        """The places of the statements using the word with id `term`."""
        if term >= len(self._column_start) - 1:
            return np.zeros(0, dtype=np.int32)
        return self._column_holders[self._column_start[term]:self._column_start[term + 1]]

    _ARRAYS = ("frequency", "_idf", "_row_start", "_row_terms", "_column_start", "_column_holders", "_column_weights")

    def plain(self) -> tuple:
        """The index as plain values (for `incremental.store.write_sealed`): read back by `from_plain`
        far quicker than the statements are indexed again. Each field of the statements is one
        string (fields apart by a control character no YAML text holds), split only when asked."""
        columns = tuple(_SEPARATOR.join(column) for column in zip(*(
            (s.id, s.text, s.title, s.speaker or "", s.said.isoformat() if s.said else "", s.article)
            for s in self.statements))) if self.statements else ("",) * 6
        vocabulary = sorted(self._vocabulary, key=self._vocabulary.__getitem__)
        return (len(self.statements), columns, _SEPARATOR.join(vocabulary), self.mean_length,
                tuple((getattr(self, name).dtype.str, getattr(self, name).tobytes()) for name in self._ARRAYS))

    @classmethod
    def from_plain(cls, plain: tuple) -> "ClaimIndex":
        count, columns, vocabulary, mean, arrays = plain
        index = cls.__new__(cls)
        index.statements = _Stored(count, columns)
        index._stemmer, index._stems, index.mean_length = Stemmer.Stemmer("english"), {}, mean
        known = vocabulary.split(_SEPARATOR) if vocabulary else []
        index._vocabulary = dict(zip(known, range(len(known))))
        for name, (kind, raw) in zip(cls._ARRAYS, arrays):
            setattr(index, name, np.frombuffer(raw, dtype=np.dtype(kind)))
        index._places = dict(zip(index.statements.ids, range(count)))
        index._articles = None
        index._flat = index._lengths = np.zeros(0, dtype=np.int64)   # not kept: `coded_terms` is for records
        return index

    @classmethod
    def of(cls, statements: Iterable[Statement]) -> "ClaimIndex":
        return cls(list(statements))

    def __len__(self) -> int:
        return len(self.statements)

    def statement_terms(self, statement: Statement) -> list[str]:
        """What a statement is indexed by: the stemmed content words of its text, headline and speaker."""
        return self.terms(f"{statement.text} {statement.title} {statement.speaker or ''}")

    def holders(self, term: str) -> np.ndarray:
        """The places (in index order) of the statements using `term`."""
        at = self._vocabulary.get(term)
        if at is None:
            return np.zeros(0, dtype=np.int32)
        return self._column_holders[self._column_start[at]:self._column_start[at + 1]]

    @property
    def _position(self) -> dict[str, int]:
        if self._places is None:
            self._places = {s.id: n for n, s in enumerate(self.statements)}
        return self._places

    def place(self, statement_id: str) -> int | None:
        return self._position.get(statement_id)

    def terms(self, text: str) -> list[str]:
        """Stemmed content words of `text`."""
        stems, found = self._stems, []
        for word in words(text):
            stem = stems.get(word)
            if stem is None:
                stem = stems[word] = "" if word in _STOPWORDS else self._stemmer.stemWord(word)
            if stem:
                found.append(stem)
        return found

    def query_terms(self, quote: Quote) -> list[int]:
        """What `quote` is looked up by, each word once: its words, its speaker's name and the
        month and year it was said (as ids of the collection's words; unknown words dropped)."""
        text = quote.text
        if quote.speaker:
            text += f" {quote.speaker}"
        if quote.said:
            text += f" {_MONTHS[quote.said.month - 1]} {quote.said.year}"
        known = self._vocabulary
        return list(dict.fromkeys(known[term] for term in self.terms(text) if term in known))

    def scores(self, quote: Quote) -> np.ndarray:
        """A BM25 score for every statement, in index order."""
        terms = self.query_terms(quote)
        if not terms:
            return np.zeros(len(self.statements))
        spans = [slice(self._column_start[t], self._column_start[t + 1]) for t in terms]
        return np.bincount(np.concatenate([self._column_holders[span] for span in spans]),
                           weights=np.concatenate([self._column_weights[span] for span in spans]),
                           minlength=len(self.statements))

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
        return [Match(self.statements[n].id, float(scores[n]), self._overlap(asked, self._words_of(n)))
                for n in top if scores[n] > 0]

    def like(self, statement: Statement, limit: int = 5) -> list[Match]:
        """The statements closest to one of the collection's own (itself left out). Its date
        is not looked up as words: within an archive, before and since are told by `said`."""
        return self.rank(f"{statement.text} {statement.title}", statement.speaker, None,
                         limit=limit, exclude=(statement.id,))

    def neighbours(self, limit: int = 5, at_least: float = 0.0, common: int = COMMON,
                   pairs_at_once: int = 250_000, askers: Iterable[int] | None = None,
                   make: Callable[[str, float, float], object] = Match) -> dict[str, list[Match]]:
        """For every statement (or those at the places `askers`), the `limit` closest others, best
        first, all at once; those whose overlap is under `at_least` are left out of each list, and
        so are those of the asker's own article, when statements name their article. (Each made by
        `make` from the other's id, the score and the overlap: a `Match` unless told.)

        Candidates are the statements sharing a word that at most `common` statements use, and
        their score is BM25 over those words only: the work grows with the pairs sharing a rare
        word, not with every pair. Statements are taken a slice at a time, each slice's pairs
        (about `pairs_at_once`) summed and ranked with array operations, so memory stays flat."""
        count = len(self.statements)
        asked = np.ones(count, dtype=bool)
        if askers is not None:
            asked[:] = False
            asked[np.fromiter(askers, dtype=np.int64)] = True
        result: dict[str, list[Match]] = {s.id: [] for s, wanted in zip(self.statements, asked) if wanted}
        articles: dict[str, int] = {}

        def article_code(place: int) -> int:
            article = self.statements[place].article
            return articles.setdefault(article, len(articles)) if article else -1 - place

        # each statement's article as a number (none: a number of its own); for a few askers, only
        # those of the statements their pairs reach, looked up as met
        article_of = np.fromiter(map(article_code, range(count)), dtype=np.int64, count=count) \
            if askers is None else None
        users = np.diff(self._column_start)
        rare = (users >= 2) & (users <= common)
        row_of = np.repeat(np.arange(count, dtype=np.int32), np.diff(self._row_start))
        row_terms = self._row_terms
        kept = rare[row_terms] & asked[row_of]
        asker_of, term_of = row_of[kept], row_terms[kept]
        pairs_of = users[term_of]                       # pairs each (statement, rare word) makes
        done_by = np.concatenate(([0], np.cumsum(np.bincount(asker_of, weights=pairs_of, minlength=count))))
        del kept
        words_known = max(len(self._vocabulary), 1)
        row_keys = row_of.astype(np.int64) * words_known + row_terms   # sorted: by statement, then word
        mass = np.bincount(row_of, weights=self._idf[row_terms], minlength=count)
        del row_of
        first = 0
        while first < count:
            last = max(int(np.searchsorted(done_by, done_by[first] + pairs_at_once, side="right")) - 1, first + 1)
            last = min(last, count)
            lo, hi = np.searchsorted(asker_of, [first, last])
            asker, term, many = asker_of[lo:hi], term_of[lo:hi], pairs_of[lo:hi]
            if len(asker):
                at = np.repeat(self._column_start[term] - np.cumsum(many) + many, many) + np.arange(many.sum())
                other = self._column_holders[at].astype(np.int64)
                asker = np.repeat(asker.astype(np.int64), many)
                if article_of is None:
                    involved = np.unique(np.concatenate((asker, other)))
                    codes = np.fromiter(map(article_code, involved.tolist()), dtype=np.int64, count=len(involved))
                    mine = codes[np.searchsorted(involved, asker)] != codes[np.searchsorted(involved, other)]
                else:
                    mine = article_of[asker] != article_of[other]   # not itself, nor of its article
                key = (asker[mine] - first) * count + other[mine]
                if not len(key):   # only claims of their own articles share a word with them
                    first = last
                    continue
                # float32 weights summed in float64 are summed exactly: any slice of claims gets the same sums
                gained = self._column_weights[at][mine].astype(np.float64)
                order = np.argsort(key, kind="stable")
                key, gained = key[order], gained[order]
                starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
                pair, total = key[starts], np.add.reduceat(gained, starts) if len(starts) else gained
                asker, other = pair // count + first, pair % count
                best = np.lexsort((other, -total, asker))    # per asker: best first, ties in index order
                asker, other, total = asker[best], other[best], total[best]
                heads = np.flatnonzero(np.concatenate(([True], asker[1:] != asker[:-1])))
                place = np.arange(len(asker)) - np.repeat(heads, np.diff(np.concatenate((heads, [len(asker)]))))
                shown = place < limit
                asker, other, total = asker[shown], other[shown], total[shown]
                # overlap over all their words, common ones too: each of the asker's words looked up in the other's
                size = np.diff(self._row_start)[asker]
                at = np.repeat(self._row_start[asker] - np.cumsum(size) + size, size) + np.arange(size.sum())
                wanted = np.repeat(other, size) * words_known + row_terms[at].astype(np.int64)
                hit = row_keys[np.minimum(np.searchsorted(row_keys, wanted), len(row_keys) - 1)] == wanted
                pair_of = np.repeat(np.arange(len(asker)), size)
                shared = np.bincount(pair_of[hit], weights=self._idf[row_terms[at[hit]]], minlength=len(asker))
                whole = mass[asker] + mass[other]
                overlap = np.round(np.divide(2 * shared, whole, out=np.zeros_like(whole), where=whole > 0), 4)
                enough = overlap >= at_least
                asker, other, total, overlap = asker[enough], other[enough], total[enough], overlap[enough]
                for a, o, t, v in zip(asker.tolist(), other.tolist(), total.tolist(), overlap.tolist()):
                    result[self.statements[a].id].append(make(self.statements[o].id, t, v))
            first = last
        return result

    def scores_towards(self, place: int, common: int = COMMON) -> np.ndarray:
        """For every statement, the score `neighbours` gives the statement at `place` as its
        candidate: the sum of that statement's weights of the rare words the two share (0 for
        itself and its article's)."""
        count = len(self.statements)
        terms = self._row_terms[self._row_start[place]:self._row_start[place + 1]]
        users = self._column_start[terms + 1] - self._column_start[terms]
        terms = terms[(users >= 2) & (users <= common)]
        if not len(terms):
            return np.zeros(count)
        holders, weights = [], []
        for term in terms.tolist():
            column = slice(self._column_start[term], self._column_start[term + 1])
            held = self._column_holders[column]
            holders.append(held)
            weights.append(np.full(len(held), self._column_weights[column][np.searchsorted(held, place)]))
        scores = np.bincount(np.concatenate(holders), weights=np.concatenate(weights), minlength=count)
        scores[place] = 0.0
        if self.statements[place].article:
            if self._articles is None:
                self._articles = {}
                for other, statement in enumerate(self.statements):
                    self._articles.setdefault(statement.article, []).append(other)
            scores[self._articles[self.statements[place].article]] = 0.0
        return scores

    def _words_of(self, place: int) -> frozenset[int]:
        return frozenset(self._row_terms[self._row_start[place]:self._row_start[place + 1]].tolist())

    def _overlap(self, asked: frozenset[int], found: frozenset[int]) -> float:
        idf = self._idf
        shared = sum(idf[term] for term in asked & found)
        whole = sum(idf[term] for term in asked) + sum(idf[term] for term in found)
        return round(float(2 * shared / whole), 4) if whole else 0.0


def archive_statements(archive: Archive) -> list[Statement]:
    """The archive's claims as ranking sees them: the statement and the undamaged original
    words; the questions it is filed under as its headline; its speaker's name. (Editors cite
    as evidence claims on the same question, often by the same speaker.) The sentence around
    the claim is left out: it finds no more pairs and makes the index four times larger."""
    return [claim_statement(archive, claim) for claim in archive.claims()]


def claim_statement(archive: Archive, claim: Claim) -> Statement:
    text = " ".join(part for part in (claim.statement, claim.original) if part)
    questions = " ".join(f"{archive.topics[t].title} {archive.topics[t].question}"
                         for t in claim.topics if t in archive.topics)
    person = archive.people.get(claim.speaker)
    return Statement(claim.id, text, questions, person.name if person else claim.speaker, claim.said, claim.article)


SUGGESTED_AT_LEAST = 0.2   # suggestions go to an editor, not to readers: a lower bar than claim pages'


def suggested_related(new: Sequence[Statement], archive: Sequence[Statement] | ClaimIndex, limit: int = 3,
                      at_least: float = SUGGESTED_AT_LEAST) -> dict[str, list[Match]]:
    """For each new statement (a draft claim), the archive's claims it may repeat or answer,
    best first, with their scores: candidates an editor turns into `related:` or deletes.
    Claims of the new statement's own article are left out; so is any overlap under `at_least`.
    (Rank the archive as `archive_statements` gives it; `new` as `claim_statement` does.)"""
    index = archive if isinstance(archive, ClaimIndex) else ClaimIndex(archive)   # indexed once for many articles
    found: dict[str, list[Match]] = {}
    for statement in new:
        own = [other.id for other in index.statements if statement.article and other.article == statement.article]
        matches = index.rank(f"{statement.text} {statement.title}", statement.speaker, None,
                             limit=limit, exclude=(statement.id, *own))
        found[statement.id] = [match for match in matches if match.overlap >= at_least]
    return found
