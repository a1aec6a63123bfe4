"""Linking stage: relates claims to each other across articles and years.

Consumes a loaded `Archive`; produces `Links`: claims grouped by question (topic), speaker,
year and article in date order, and for each claim its neighbours on the same question,
the same speaker's claims in other years, the claims that cite it as evidence, and
the claims an editor confirmed as related, and the claims of other articles said before and
since in much the same words (`similarity`), in this process or, in a full build of a large
archive, in a forked one while the rest is linked (`SimilarLater`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from generator.memory import cache_of_archive_text
from generator.model import Archive, Article, Claim
from generator.retrieval import words
from generator.similarity import SIMILAR_SHOWN, Similar, SimilarityRecord, bar_for, similar_statements, similarity_digest

if TYPE_CHECKING:
    from generator.validation import ContentFiles

UNDATED = "undated"

NEIGHBOURS_ON_QUESTION = 1   # the claim just before and just after, per question (the timeline has the rest)
CLAIMS_PER_PAGE = 200        # long timelines (a question, a speaker, a year) continue on numbered pages
PER_OTHER_YEAR = 1           # the speaker's claims shown for each other year (claim pages are 80% of the site)
OTHER_YEARS_SHOWN = 2        # the speaker's other years shown on a claim page: the nearest ones
CITED_BY_SHOWN = 5           # claims citing this one as evidence, listed on its page; the rest counted


@dataclass(frozen=True)
class Neighbours:
    """The claims just before and just after one claim on one question."""

    topic: str
    earlier: tuple[str, ...]
    later: tuple[str, ...]
    # The page of the question's timeline that shows the claim (1: the first). Not its place
    # nor the timeline's length: a claim added to the question would change every claim's page.
    page: int


@dataclass(frozen=True)
class ClaimLinks:
    on_question: tuple[Neighbours, ...] = ()
    speaker_other_years: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (year, claim ids)
    # The similar statements' claims found automatically, best first, an editor's confirmed
    # ones left out. (Not their scores: an edit elsewhere moves scores a little, and the pages
    # showing them would be made again.)
    similar: tuple[str, ...] = ()
    cited_by: tuple[str, ...] = ()   # claims whose outcome evidence points at this claim
    confirmed: tuple[str, ...] = ()    # `related:` an editor set, in the editor's order
    said_before: tuple[str, ...] = ()  # of `similar`, those said earlier, best first
    said_since: tuple[str, ...] = ()   # those said the same day or later
    undated: tuple[str, ...] = ()      # those where either date is not known


@dataclass
class Links:
    claims: dict[str, Claim]
    articles: dict[str, Article]
    by_topic: dict[str, tuple[str, ...]]
    by_speaker: dict[str, tuple[str, ...]]
    by_year: dict[str, tuple[str, ...]]
    per_claim: dict[str, ClaimLinks] = field(default_factory=dict)
    year_said: dict[str, str] = field(default_factory=dict, repr=False)   # claim id -> its year's label (year_of)
    # What similar statements were found from (see similarity_digest), and what was found;
    # for an incremental build, how (`similarity`): the next one reuses it while no statement
    # changes, and otherwise scores again only the claims an edit can change.
    similar_from: str = ""
    similar: dict[str, tuple["Similar", ...]] = field(default_factory=dict, repr=False)
    similarity: "SimilarityRecord | None" = field(default=None, repr=False)   # how `similar` was found, when kept
    # What the rest of each claim's links are made from: each claim's id, date, speaker,
    # questions and the claims its evidence cites, in date order (see link_archive).
    outline: tuple = field(default=(), repr=False)

    def years(self) -> list[str]:
        """Year labels in order, the undated last."""
        return sorted(self.by_year, key=lambda year: (year == UNDATED, year))


def year_of(claim: Claim) -> str:
    return str(claim.said.year) if claim.said else UNDATED


def date_order(claim: Claim) -> tuple:
    """Claims sort by the day said (undated last), then by id so ties never depend on load order:
    the order similar statements are found in."""
    return (claim.said is None, claim.said or dt.date.min, claim.id)


def reading_order(archive: Archive) -> list[Claim]:
    """The claims as timelines list them: by the day said (undated last), and claims said on one
    day in the archive's order (articles by publication date and slug, each article's claims in
    the order it reports them): an article's first claim comes first."""
    return sorted(archive.claims(), key=lambda claim: (claim.said is None, claim.said or dt.date.min))


def link_archive(archive: Archive, processes: int = 1, found_before: "SimilarityRecord | None" = None,
                 linked_before: Links | None = None, later: "SimilarLater | None" = None,
                 remember: bool = False) -> Links:
    """`processes` is how many the build may use (similar statements are one numpy pass here).
    `found_before` is an earlier build's record of the similar statements it found: reused
    as it is when made from the same statements, which is most edits (outcomes, evidence,
    notes, topics), and brought up to date after others (`SimilarityRecord.refind`; it is
    changed in place, or spoilt when all are found again). With `remember`, or
    `found_before`, `links.similarity` is the record of what was found, for the next build.
    `linked_before`, an earlier build's links kept in memory, gives each claim's other links
    when they were made from the same `outline` (an edit to an outcome or a statement).
    `later` (a full build of a large archive) has a forked process find the similar statements
    meanwhile: each claim has none until `later.fill(links)` adds them; the build plans and
    renders the pages that show none while they are found (`found_before` is not used then)."""
    stated, names = similar_inputs(archive)
    if later is not None and not later.started:   # first: the rest is linked meanwhile
        later.start(stated, names)
    claims = reading_order(archive)
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
    links.similar_from = similarity_digest(stated, names)
    links.outline = tuple((claim.id, claim.said, claim.speaker, claim.topics,
                           tuple(evidence.claim for evidence in claim.outcome.evidence), claim.article,
                           claim.related)
                          for claim in claims)
    others: list[tuple] = []   # each claim's links but the similar statements, in claim order
    before = linked_before.per_claim if linked_before is not None and linked_before.outline == links.outline \
        else None

    def link_each_claim() -> None:
        if before is not None:   # made from the same: the same
            others.extend((made.on_question, made.speaker_other_years, made.cited_by)
                          for made in map(before.__getitem__, by_id))
            return
        steady = _topics_as_before(links, linked_before) if linked_before is not None else frozenset()
        places: dict[str, dict[str, int]] = {}   # question -> each claim's place in its timeline, once asked

        def place(topic: str, claim_id: str) -> int:
            found = places.get(topic)
            if found is None:
                found = places[topic] = {claim: index for index, claim in enumerate(links.by_topic[topic])}
            return found[claim_id]

        kept = _speakers_as_before(links, linked_before) if linked_before is not None else frozenset()
        speaker_years = _speaker_years([claim for claim in claims if claim.speaker not in kept])
        order = {claim.id: index for index, claim in enumerate(claims)}
        others.extend((
            linked_before.per_claim[claim.id].on_question
            if claim.topics and steady.issuperset(claim.topics) and linked_before.claims[claim.id].topics == claim.topics
            else tuple(_neighbours(links.by_topic[topic], place(topic, claim.id), topic, by_id)
                       for topic in claim.topics),
            linked_before.per_claim[claim.id].speaker_other_years if claim.speaker in kept
            else _other_years(claim, speaker_years, order),
            tuple(sorted(cited_by.get(claim.id, ()), key=order.__getitem__)),
        ) for claim in claims)

    if later is not None:
        link_each_claim()
        similar = {}
    elif found_before is not None and (found_before.digest == links.similar_from
                                       or found_before.refind(stated, names, links.similar_from)):
        links.similarity, similar = found_before, found_before.found
        link_each_claim()
    else:
        link_each_claim()
        if remember or found_before is not None:
            links.similarity = SimilarityRecord.find(stated, names, links.similar_from)
            similar = links.similarity.found
        else:
            similar = similar_statements(stated, names)
    links.similar = similar
    if before is not None and similar is linked_before.similar:
        links.per_claim = before   # not changed from here on: shared
        return links
    # A claim's links made of the very same parts as before are the very same object: the
    # page plans made from them are then kept as they are (`pages.claim_page`).
    made_before = linked_before.per_claim if linked_before is not None else {}
    for claim, (on_question, other_years, cited) in zip(claims, others):
        made = made_before.get(claim.id)
        fresh = _claim_links(claim, on_question, other_years, similar.get(claim.id, ()), cited, by_id)
        if made is None or made.on_question is not on_question or made.speaker_other_years is not other_years \
                or made != fresh:
            made = fresh
        links.per_claim[claim.id] = made
    return links


def similar_inputs(archive: Archive) -> tuple[list[Claim], frozenset[str]]:
    """What similar statements are found from: the claims in date order, and the words of
    speakers' names, which do not make statements alike (`similarity.said_statement`)."""
    return sorted(archive.claims(), key=date_order), frozenset(
        word for person in archive.people.values() for name in (person.name, *person.aliases) for word in words(name))


def _claim_links(claim: Claim, on_question, other_years, similar: tuple[Similar, ...], cited: tuple[str, ...],
                 by_id: dict[str, Claim]) -> ClaimLinks:
    """A claim's links: the editor's confirmed ones as set (those published), and the similar
    statements found automatically, but those already confirmed, told apart by when said."""
    confirmed = tuple(dict.fromkeys(other for other in claim.related if other in by_id and other != claim.id))
    found = tuple(islice((item.claim for item in similar
                          if item.claim not in confirmed and item.overlap >= bar_for(claim, by_id[item.claim])),
                         SIMILAR_SHOWN))
    before, since, undated = [], [], []
    for other in found:
        said = by_id[other].said
        (undated if said is None or claim.said is None else before if said < claim.said else since).append(other)
    return ClaimLinks(on_question, other_years, found, cited, confirmed, tuple(before), tuple(since), tuple(undated))


def may_link_later(content: Path, processes: int) -> bool:
    """Whether similar statements may be found by a forked process (`SimilarLater`) while the
    archive is checked and linked, and the pages that show none are planned and rendered: in a
    full build with a core to spare, of an archive with sheets enough to hold LINK_LATER_FROM
    claims (they are counted once read: `link_later`). (An incremental build reuses the
    similar statements it found before, or finds them in two processes: its record needs
    every page's plan complete before it renders.)"""
    return (min(processes, os.cpu_count() or 1) >= 2
            and _sheets_at_least(content / "articles", LINK_LATER_FROM // CLAIMS_PER_SHEET_AT_MOST))


CLAIMS_PER_SHEET_AT_MOST = 40   # more than an article commonly holds (the seeds: 13 on average): fewer sheets


def _sheets_at_least(folder: Path, count: int) -> bool:
    """Whether `folder` holds `count` sheets or more, looking no further once it does."""
    found, folders = 0, [folder]
    while found < count and folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.name.endswith(".yaml"):
                        found += 1
        except OSError:
            continue
    return found >= count


def link_later(files: ContentFiles) -> bool:
    """Whether the archive read is large enough for similar statements to be found beside the rest."""
    return sum(len(claims) for claims in (document.value.get("claims") for document in files.articles
                                          if isinstance(document.value, dict))
               if isinstance(claims, list)) >= LINK_LATER_FROM


LINK_LATER_FROM = 8000   # claims: below this, similar statements are found sooner than pages are planned


class SimilarLater:
    """Similar statements being found by one forked process, all claims in one go, while the
    build does the rest. The process is forked when this is made: early in a build, before the
    content is read, while this process is small. Forked later, it would keep its own copy of
    every page of memory this process changed since (the documents read, let go once
    modelled; everything made after). `start` sends it the statements (by pipe); `ready` says whether they are found; `fill` waits for them and adds them to the
    links; `close` stops the process if they are not wanted any more."""

    seconds: float | None = None   # how long finding them took, once found
    started = False

    def __init__(self) -> None:
        import multiprocessing   # only here: linking is otherwise free of processes

        context = multiprocessing.get_context("fork")
        self._results, theirs = context.Pipe()
        self._process = context.Process(target=_find_sent, args=(theirs,), name="similar statements", daemon=True)
        self._process.start()
        theirs.close()

    def start(self, claims: list[Claim], names: frozenset[str]) -> None:
        try:
            self._results.send(([_Stated(claim.id, claim.statement, claim.original, claim.said, claim.article)
                                 for claim in claims], names))
        except OSError:   # it ended before it was sent them: killed, say
            self._ended()
        self.started = True

    def ready(self) -> bool:
        return self._results.poll()

    def fill(self, links: Links) -> dict[str, ClaimLinks]:
        """Wait for the similar statements, add them to `links` and return the claims' links
        that changed (those with similar statements), by claim id."""
        try:
            try:
                sent = self._results.recv()
            except EOFError:
                self._ended()
        finally:
            self.close()
        if isinstance(sent, BaseException):
            raise sent
        found, self.seconds = sent
        links.similar = {claim: tuple(Similar(*item) for item in items) for claim, items in found.items()}
        changed = {}
        for claim, similar in links.similar.items():
            before = links.per_claim[claim]
            made = _claim_links(links.claims[claim], before.on_question, before.speaker_other_years, similar,
                                before.cited_by, links.claims)
            if made != before:
                changed[claim] = links.per_claim[claim] = made
        return changed

    def _ended(self) -> None:
        self._process.join()
        raise RuntimeError("finding similar statements stopped without a result "
                           f"(its process ended with exit code {self._process.exitcode})") from None

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._results.close()


class _Stated(NamedTuple):
    """What similar statements are found from, of one claim (as `similar_statements` reads a
    `Claim`): sent to the process finding them."""

    id: str
    statement: str
    original: str | None
    said: dt.date | None
    article: str


def _find_sent(connection) -> None:
    """The forked process's work: the statements `SimilarLater.start` sends, then every claim's
    similar statements back, as plain tuples (quicker to send), with the seconds it took (for
    `BuildResult.stages`: it runs beside rendering); or what stopped it."""
    import gc
    import time

    gc.disable()   # as in the build: no cycles are made
    try:
        claims, names = connection.recv()
    except EOFError:   # closed before any was sent: the build stopped first
        return
    started = time.perf_counter()
    try:
        found = {claim: tuple((item.claim, item.score, item.overlap) for item in items)
                 for claim, items in similar_statements(claims, names).items()}
        connection.send((found, time.perf_counter() - started))
    except Exception as error:  # noqa: BLE001 - raised again in the build, by `fill`
        try:
            connection.send(error)
        except Exception:  # noqa: BLE001 - one that cannot be sent is told by its text
            connection.send(RuntimeError(f"{type(error).__name__}: {error}"))


def _neighbours(timeline: tuple[str, ...], index: int, topic: str, by_id: dict[str, Claim]) -> Neighbours:
    """The claims nearest before and after the claim at `index` of a question's `timeline`,
    from other articles: its own article's claims are listed apart, in the article's order."""
    own = by_id[timeline[index]].article
    earlier = islice((timeline[at] for at in range(index - 1, -1, -1) if by_id[timeline[at]].article != own),
                               NEIGHBOURS_ON_QUESTION)
    later = islice((timeline[at] for at in range(index + 1, len(timeline))
                              if by_id[timeline[at]].article != own), NEIGHBOURS_ON_QUESTION)
    return Neighbours(
        topic=topic,
        earlier=tuple(reversed(tuple(earlier))),
        later=tuple(later),
        page=index // CLAIMS_PER_PAGE + 1,
    )


def _topics_as_before(links: Links, before: Links) -> frozenset[str]:
    """The questions whose timelines are those in `before`, each claim from the same article:
    their claims' neighbours on them are the same too."""
    articles = {entry[0]: entry[5] for entry in before.outline}
    return frozenset(topic for topic, ids in links.by_topic.items() if before.by_topic.get(topic) == ids
                     and all(articles.get(claim) == links.claims[claim].article for claim in ids))


def _speakers_as_before(links: Links, before: Links) -> frozenset[str]:
    """The speakers whose claims are the same as in `before`'s outline, in the same order: their
    claims' links to the speaker's other years are the same too."""
    then = {entry[0]: entry for entry in before.outline}
    now = {entry[0]: entry for entry in links.outline}
    return frozenset(speaker for speaker, ids in links.by_speaker.items()
                     if before.by_speaker.get(speaker) == ids and all(then.get(claim) == now[claim] for claim in ids))


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


@cache_of_archive_text(maxsize=65_536)
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


