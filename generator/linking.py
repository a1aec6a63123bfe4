"""Linking stage: relates claims to each other across articles and years.

Consumes a loaded `Archive`; produces `Links`: claims grouped by question (topic), speaker,
year and article in date order, and for each claim its neighbours on the same question,
the same speaker's claims in other years, the claims that cite it as evidence, and
*similar statements* found by wording.

Similar statements come from an inverted index over rare words and word pairs: each claim
looks up only its rarest features, features shared by too many claims are never walked,
and only claims sharing enough rare features are scored, so the work grows with the
number of claims times a fixed bound rather than with every pair.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from generator.model import Archive, Article, Claim

UNDATED = "undated"

NEIGHBOURS_ON_QUESTION = 1   # the claim just before and just after, per question (the timeline has the rest)
PER_OTHER_YEAR = 1           # the speaker's claims shown for each other year (claim pages are 80% of the site)
OTHER_YEARS_SHOWN = 2        # the speaker's other years shown on a claim page: the nearest ones
SIMILAR_SHOWN = 3            # a claim page at 100k claims must stay near 6 KB (GitHub Pages: 1 GB)
CITED_BY_SHOWN = 5           # claims citing this one as evidence, listed on its page; the rest counted
RAREST_FEATURES = 12         # features each claim looks up in the index
POSTING_CAP = 200            # features shared by more claims than this are too common to look up
MIN_SHARED = 2               # candidates must share this many looked-up features
CANDIDATES_SCORED = 50       # of those, only the ones sharing most are scored
MIN_SIMILARITY = 0.18
PARALLEL_FROM = 8000         # claims: below this, scoring in one process is quicker than starting two

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


@dataclass(frozen=True)
class Neighbours:
    """The claims just before and just after one claim on one question."""

    topic: str
    earlier: tuple[str, ...]
    later: tuple[str, ...]
    position: int   # 1-based place of the claim in the question's timeline
    total: int


@dataclass(frozen=True)
class ClaimLinks:
    on_question: tuple[Neighbours, ...] = ()
    speaker_other_years: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (year, claim ids)
    similar: tuple[Similar, ...] = ()
    cited_by: tuple[str, ...] = ()   # claims whose outcome evidence points at this claim


@dataclass
class Links:
    claims: dict[str, Claim]
    articles: dict[str, Article]
    by_topic: dict[str, tuple[str, ...]]
    by_speaker: dict[str, tuple[str, ...]]
    by_year: dict[str, tuple[str, ...]]
    per_claim: dict[str, ClaimLinks] = field(default_factory=dict)
    year_said: dict[str, str] = field(default_factory=dict, repr=False)   # claim id -> its year's label (year_of)
    # What similar statements were found from (see similarity_digest), and what was found:
    # an incremental build keeps them, and reuses them while no statement changes.
    similar_from: str = ""
    similar: dict[str, tuple["Similar", ...]] = field(default_factory=dict, repr=False)
    # What the rest of each claim's links are made from: each claim's id, date, speaker,
    # questions and the claims its evidence cites, in date order (see link_archive).
    outline: tuple = field(default=(), repr=False)

    def years(self) -> list[str]:
        """Year labels in order, the undated last."""
        return sorted(self.by_year, key=lambda year: (year == UNDATED, year))


def year_of(claim: Claim) -> str:
    return str(claim.said.year) if claim.said else UNDATED


def date_order(claim: Claim) -> tuple:
    """Claims sort by the day said (undated last), then by id so ties never depend on load order."""
    return (claim.said is None, claim.said or dt.date.min, claim.id)


def link_archive(archive: Archive, processes: int = 1,
                 found_before: tuple[str, dict[str, tuple[Similar, ...]]] | None = None,
                 linked_before: Links | None = None, later: "SimilarLater | None" = None) -> Links:
    """`processes` > 1 lets similar statements be scored in that many forked processes.
    `found_before` is an earlier build's (`similar_from`, `similar`): reused as they are when
    made from the same statements, which is most edits (outcomes, evidence, notes, topics).
    `linked_before`, an earlier build's links kept in memory, gives each claim's other links
    when they were made from the same `outline` (an edit to an outcome or a statement).
    `later` (a full build of a large archive) has a forked process find the similar statements
    meanwhile: each claim has none until `later.fill(links)` adds them; the build plans and
    renders the pages that show none while they are found (`found_before` is not used then)."""
    claims, ignore = similar_inputs(archive)
    if later is not None and not later.started:   # first: the rest is linked meanwhile
        later.start(claims, ignore)
    by_id = {claim.id: claim for claim in claims}
    by_topic: dict[str, list[str]] = defaultdict(list)
    by_speaker: dict[str, list[str]] = defaultdict(list)
    by_year: dict[str, list[str]] = defaultdict(list)
    cited_by: dict[str, list[str]] = defaultdict(list)
    year_said: dict[str, str] = {}
    for claim in claims:
        for topic in claim.topics:
            by_topic[topic].append(claim.id)
        by_speaker[claim.speaker].append(claim.id)
        year = year_said[claim.id] = year_of(claim)
        by_year[year].append(claim.id)
        for evidence in claim.outcome.evidence:
            if evidence.claim and evidence.claim in by_id and claim.id not in cited_by[evidence.claim]:
                cited_by[evidence.claim].append(claim.id)
    links = Links(
        claims=by_id,
        articles={article.slug: article for article in archive.articles},
        by_topic={topic: tuple(ids) for topic, ids in sorted(by_topic.items())},
        by_speaker={speaker: tuple(ids) for speaker, ids in sorted(by_speaker.items())},
        by_year={year: tuple(ids) for year, ids in sorted(by_year.items())},
        year_said=year_said,
    )
    links.similar_from = similarity_digest(claims, ignore)
    links.outline = tuple((claim.id, claim.said, claim.speaker, claim.topics,
                           tuple(evidence.claim for evidence in claim.outcome.evidence)) for claim in claims)
    others: list[tuple] = []   # each claim's links but the similar statements, in claim order
    before = linked_before.per_claim if linked_before is not None and linked_before.outline == links.outline \
        else None

    def link_each_claim() -> None:
        if before is not None:   # made from the same: the same
            others.extend((made.on_question, made.speaker_other_years, made.cited_by)
                          for made in map(before.__getitem__, by_id))
            return
        places = {topic: {claim_id: index for index, claim_id in enumerate(ids)}
                  for topic, ids in links.by_topic.items()}
        speaker_years = _speaker_years(claims)
        order = {claim.id: index for index, claim in enumerate(claims)}
        others.extend((
            tuple(_neighbours(links.by_topic[topic], places[topic][claim.id], topic) for topic in claim.topics),
            _other_years(claim, speaker_years, order),
            tuple(sorted(cited_by.get(claim.id, ()), key=order.__getitem__)),
        ) for claim in claims)

    if later is not None:
        link_each_claim()
        similar = {}
    elif found_before is not None and found_before[0] == links.similar_from:
        similar = found_before[1]
        link_each_claim()
    else:   # the rest is linked while forked processes score similar statements
        similar = similar_statements(claims, ignore=ignore, processes=processes if len(claims) >= PARALLEL_FROM else 1,
                                     meanwhile=link_each_claim)
    links.similar = similar
    if before is not None and similar is linked_before.similar:
        links.per_claim = before   # not changed from here on: shared
        return links
    for claim, (on_question, other_years, cited) in zip(claims, others):
        links.per_claim[claim.id] = ClaimLinks(on_question, other_years, similar.get(claim.id, ()), cited)
    return links


def similar_inputs(archive: Archive) -> tuple[list[Claim], frozenset[str]]:
    """What similar statements are found from: the claims in date order, and the speakers'
    names' words, which do not make statements alike."""
    return sorted(archive.claims(), key=date_order), name_words(archive.people.values())


class SimilarLater:
    """Similar statements being found by one forked process (started by `link_archive`, or
    by the build before it checks the archive across files), all claims in one go. `ready`
    says whether they are found; `fill` waits for them and adds them to the links; `close`
    stops the process if they are not wanted any more."""

    _pool = None
    seconds: float | None = None   # how long finding them took, once found

    def start(self, claims: list[Claim], ignore: frozenset[str]) -> None:
        import multiprocessing   # only here: linking is otherwise free of processes

        global _FORKED_LATER
        _FORKED_LATER = claims, ignore   # inherited by the forked process, never pickled
        try:
            self._pool = multiprocessing.get_context("fork").Pool(1)
            self._found = self._pool.apply_async(_find_forked)
        finally:
            _FORKED_LATER = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def ready(self) -> bool:
        return self._found.ready()

    def fill(self, links: Links) -> dict[str, ClaimLinks]:
        """Wait for the similar statements, add them to `links` and return the claims' links
        that changed (those with similar statements), by claim id."""
        try:
            found, self.seconds = self._found.get()
        finally:
            self.close()
        links.similar = {claim: tuple(Similar(*item) for item in items) for claim, items in found.items()}
        changed = {}
        for claim, similar in links.similar.items():
            before = links.per_claim[claim]
            changed[claim] = links.per_claim[claim] = ClaimLinks(before.on_question, before.speaker_other_years,
                                                                 similar, before.cited_by)
        return changed

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


_FORKED_LATER: tuple | None = None


def _find_forked() -> tuple[dict[str, tuple[tuple, ...]], float]:
    """The forked process's work: every claim's similar statements, as plain tuples (quicker to
    send back), and the seconds it took (for `BuildResult.stages`: it runs beside rendering)."""
    import gc
    import time

    gc.disable()   # as in the build: no cycles are made, and scanning would touch shared memory
    started = time.perf_counter()
    claims, ignore = _FORKED_LATER
    return ({claim: tuple((item.claim, item.score, item.same_speaker) for item in items)
             for claim, items in similar_statements(claims, ignore=ignore).items()}, time.perf_counter() - started)


def _neighbours(timeline: tuple[str, ...], index: int, topic: str) -> Neighbours:
    return Neighbours(
        topic=topic,
        earlier=timeline[max(0, index - NEIGHBOURS_ON_QUESTION):index],
        later=timeline[index + 1:index + 1 + NEIGHBOURS_ON_QUESTION],
        position=index + 1,
        total=len(timeline),
    )


@dataclass(frozen=True)
class _SpeakerYears:
    """A speaker's claims by year, and by year and question, each in date order."""

    years: dict[str, tuple[str, ...]]                    # speaker -> year labels in order
    by_year: dict[tuple[str, str], list[str]]            # (speaker, year) -> claim ids
    by_question: dict[tuple[str, str, str], list[str]]   # (speaker, year, topic) -> claim ids


def _speaker_years(claims: list[Claim]) -> _SpeakerYears:
    by_year: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_question: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    years: dict[str, set[str]] = defaultdict(set)
    for claim in claims:  # already in date order
        year = year_of(claim)
        years[claim.speaker].add(year)
        by_year[(claim.speaker, year)].append(claim.id)
        for topic in claim.topics:
            by_question[(claim.speaker, year, topic)].append(claim.id)
    ordered = {speaker: tuple(sorted(found, key=lambda label: (label == UNDATED, label)))
               for speaker, found in years.items()}
    return _SpeakerYears(ordered, by_year, by_question)


def _other_years(claim: Claim, index: _SpeakerYears, order: dict[str, int]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The speaker's claims in the OTHER_YEARS_SHOWN years nearest this claim's, a few per year:
    claims on a shared question first. (Every year is on the speaker's page; showing them all
    here made a prolific speaker's claim pages three times their size.)"""
    own_year = year_of(claim)
    result = []
    for year in _nearest_years(index.years[claim.speaker], own_year):   # the same for the speaker's year: cached
        chosen: list[str] = []
        for topic in claim.topics:
            for other in index.by_question.get((claim.speaker, year, topic), ())[:PER_OTHER_YEAR]:
                if other not in chosen:
                    chosen.append(other)
        chosen.sort(key=order.__getitem__)
        chosen = chosen[:PER_OTHER_YEAR]
        for other in index.by_year[(claim.speaker, year)]:
            if len(chosen) >= PER_OTHER_YEAR:
                break
            if other not in chosen:
                chosen.append(other)
        result.append((year, tuple(sorted(chosen, key=order.__getitem__))))
    return tuple(result)


@lru_cache(maxsize=65_536)
def _nearest_years(years: tuple[str, ...], own: str) -> tuple[str, ...]:
    """The OTHER_YEARS_SHOWN years closest to `own` (earlier first on a tie), in order; undated last."""
    others = tuple(year for year in years if year != own)
    if len(others) <= OTHER_YEARS_SHOWN:
        return others
    if own == UNDATED:
        return others[-OTHER_YEARS_SHOWN:]
    dated = [year for year in others if year != UNDATED]
    nearest = sorted(dated, key=lambda year: (abs(int(year) - int(own)), year))[:OTHER_YEARS_SHOWN]
    return tuple(sorted(nearest))


# ---------------------------------------------------------------------------
# Similar statements


@lru_cache(maxsize=200_000)
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


WEIGHT_STEPS = 4          # a feature's weight changes at each quarter power of two of its frequency
WEIGHT_SCALE = 1 << 16    # weights, squared, are whole numbers of 1/65,536


def _corpus(claims: int) -> int:
    """The number of claims that weights are worked out from: the power of two at or above
    the real number, so that adding an article or two changes no weight."""
    return 1 << max(claims - 1, 0).bit_length()


@lru_cache(maxsize=4096)
def _weight(frequency: int, corpus: int) -> int:
    """A feature's weight, squared, as a whole number: the rarer, the heavier.

    Its frequency is rounded down to a quarter power of two first, so that an edit, which
    adds or removes a claim or two from a feature's count, changes no weight but where
    a count crosses a step: the claims sharing a common word keep their lengths (norms),
    and an incremental build scores again only the claims near the edit. A whole number
    sums to the same in any order, so a claim scored alone (see `SimilarityRecord`) gets
    the very score it gets among all the others."""
    step = (frequency ** WEIGHT_STEPS).bit_length() - 1   # floor(4 * log2(frequency)), exactly
    return round(math.log(1 + corpus / 2 ** (step / WEIGHT_STEPS)) ** 2 * WEIGHT_SCALE)


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
    work = work if work is not None else Counter()
    index = _SimilarityIndex.of(claims, ignore)
    batches = [(start, min(start + SCORED_AT_ONCE, len(claims))) for start in range(0, len(claims), SCORED_AT_ONCE)]
    shares = max(1, min(processes, len(batches)))
    if shares == 1:
        if meanwhile is not None:
            meanwhile()
        found = [index.score(*bounds) for bounds in batches]
    else:
        import multiprocessing   # only here: linking is otherwise free of processes

        global _FORKED_INDEX
        context = multiprocessing.get_context("fork")
        taken = context.Value("l", 0)   # how many batches were taken, by any process
        _FORKED_INDEX = index, batches, taken    # inherited by the forked workers, never pickled
        try:
            with context.Pool(shares - 1) as pool:
                others = [pool.apply_async(_score_forked) for _ in range(shares - 1)]
                if meanwhile is not None:
                    meanwhile()
                scored = dict(_score_batches(index, batches, taken))
                for other in others:
                    scored.update(other.get())
        finally:
            _FORKED_INDEX = None
        found = [scored[number] for number in range(len(batches))]   # claim order, as in one process
    result: dict[str, tuple[Similar, ...]] = {}
    for part, counted in found:
        result.update(part)
        work.update(counted)
    return result


SCORED_AT_ONCE = 2000   # claims per batch of scoring
_FORKED_INDEX: tuple | None = None


def _score_batches(index: "_SimilarityIndex", batches: list[tuple[int, int]], taken) -> list[tuple[int, tuple]]:
    """Batches no process has taken yet, scored as this process takes them: (batch number, result)."""
    scored = []
    while True:
        with taken.get_lock():
            number = taken.value
            taken.value = number + 1
        if number >= len(batches):
            return scored
        scored.append((number, index.score(*batches[number])))


def _score_forked() -> list[tuple[int, tuple]]:
    import gc

    gc.disable()   # as in the build: no cycles are made, and scanning would touch shared memory
    return _score_batches(*_FORKED_INDEX)


@dataclass
class _SimilarityIndex:
    """Each claim's features and their weights, and the inverted index over the rare ones.

    Features are known by number (their rank, rarest first) once counted: sets of small
    numbers intersect and weigh faster than sets of strings (a quarter of scoring's time),
    and a set of numbers is always walked in the same order, so each score is summed in
    the same order in every run."""

    claims: list[Claim]
    articles: list[str]            # claim number -> its article
    features: list[frozenset[int]]
    squared: list[float]           # feature rank -> its weight, squared
    norms: list[float]
    postings: list[list[int]]      # feature rank -> claims (by number) that have it, for the walked ranks
    lookups: list[list[int]]       # claim number -> ranks of its rarest features

    @classmethod
    def of(cls, claims: list[Claim], ignore: frozenset[str]) -> "_SimilarityIndex":
        spelt = [statement_features(claim.statement, ignore) for claim in claims]
        frequency: Counter[str] = Counter()
        for found in spelt:
            frequency.update(found)
        count = len(claims)
        # Each feature is known by its rank, rarest first (ties by spelling), so a claim's rarest are its lowest.
        # The index walks only features shared by at least two claims and not too common: the lowest ranks
        # but those seen once, which rank first.
        ranked = sorted(frequency, key=lambda f: (frequency[f], f))
        rank = {feature: number for number, feature in enumerate(ranked)}
        corpus = _corpus(count)
        squared = [_weight(frequency[feature], corpus) for feature in ranked]
        first_walked = sum(1 for feature in ranked if frequency[feature] < 2)
        end_walked = sum(1 for feature in ranked if frequency[feature] <= POSTING_CAP)
        features = [frozenset(map(rank.__getitem__, found)) for found in spelt]
        norms = [math.sqrt(sum(map(squared.__getitem__, found))) or 1.0 for found in features]
        postings: list[list[int]] = [[] for _ in range(end_walked)]
        lookups: list[list[int]] = []
        for number, found in enumerate(features):
            ranks = sorted(feature for feature in found if first_walked <= feature < end_walked)
            for feature in ranks:
                postings[feature].append(number)
            lookups.append(ranks[:RAREST_FEATURES])
        return cls(claims, [claim.article for claim in claims], features, squared, norms, postings, lookups)

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
