"""Cross-links between claims: question timelines in date order, the same speaker in other
years, and similar statements found by wording (through an inverted index, not all pairs)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import HealthCheck, given, settings, strategies as st

from generator import linking, similarity
from generator.linking import link_archive
from generator.similarity import AT_LEAST, SimilarityRecord, said_statement, similar_statements, similarity_digest
from generator.retrieval import ClaimIndex, corpus_size, idf
from generator.model import Archive, Article, Claim, Outcome, Person, Publisher, Site, Topic


def claim(claim_id: str, statement: str, speaker: str, said: dt.date | None, article: str,
          topics: tuple[str, ...] = ()) -> Claim:
    return Claim(id=claim_id, statement=statement, form="direct", speaker=speaker, said=said,
                 kind="position", topics=topics, outcome=Outcome(), article=article)


def archive_of(claims: list[Claim]) -> Archive:
    articles: dict[str, Article] = {}
    for item in claims:
        articles.setdefault(item.article, Article(item.article, item.article.title(), "Outlet", item.said, None))
        articles[item.article].claims.append(item)
    speakers = {item.speaker for item in claims}
    topics = {topic for item in claims for topic in item.topics}
    return Archive(
        site=Site("T", "D", "en", "https://example.org/", Publisher("P", "https://example.org/")),
        people={s: Person(s, s.title()) for s in speakers},
        topics={t: Topic(t, t, t + "?") for t in topics},
        articles=list(articles.values()),
    )


def stated(claims: list[Claim]) -> tuple[list, frozenset]:
    """What the build ranks (`linking.similar_inputs`): the claims in date order, and the words
    of speakers' names."""
    return linking.similar_inputs(archive_of(claims)) if claims else ([], frozenset())


def found_for(claims: list[Claim], at_least: float = AT_LEAST) -> dict:
    return similar_statements(*stated(claims), at_least=at_least)


def test_repeated_position_years_apart_is_similar_even_without_shared_topic():
    claims = [
        claim("a", "The leaders will meet only to sign a finished peace agreement, not for a photo.",
              "peskov", dt.date(2019, 11, 12), "one"),
        claim("b", "A summit of the leaders is possible only to sign a finished agreement on peace.",
              "peskov", dt.date(2025, 7, 25), "two", topics=("talks",)),
        claim("c", "Grain exports through the Black Sea resumed on Tuesday.", "guterres",
              dt.date(2022, 8, 1), "three"),
    ]
    found = found_for(claims)
    assert [s.claim for s in found["a"]] == ["b"] and found["a"][0].overlap >= AT_LEAST
    assert "c" not in found


def test_claims_in_the_same_article_are_not_offered_as_similar():
    claims = [claim("a", "Sanctions on Russian oil exports will stay until troops withdraw.", "x", None, "one"),
              claim("b", "Sanctions on Russian oil exports will stay until troops withdraw.", "y", None, "one")]
    assert found_for(claims) == {}


def test_timelines_speaker_years_and_citations():
    claims = [
        claim("late", "Later word on the meeting.", "peskov", dt.date(2025, 7, 25), "p2025", ("meet",)),
        claim("early", "First word on the meeting.", "peskov", dt.date(2019, 11, 12), "p2019", ("meet",)),
        claim("middle", "A word in between on the meeting.", "zelensky", dt.date(2022, 3, 1), "z2022", ("meet",)),
        claim("undated", "Some day, a meeting.", "zelensky", None, "zx", ("meet",)),
    ]
    claims[0].outcome = Outcome("held", dt.date(2025, 8, 1), evidence=(linking_evidence("early"),))
    links = link_archive(archive_of(claims))
    assert links.by_topic["meet"] == ("early", "middle", "late", "undated")
    neighbours = links.per_claim["middle"].on_question[0]
    assert (neighbours.earlier, neighbours.later, neighbours.page) == (
        ("early",), ("late",), 1)   # the nearest on each side; the timeline holds the rest
    assert links.per_claim["early"].speaker_other_years == (("2025", ("late",)),)
    assert links.per_claim["middle"].speaker_other_years == (("undated", ("undated",)),)
    assert links.per_claim["early"].cited_by == ("late",)
    assert links.years() == ["2019", "2022", "2025", "undated"]


def linking_evidence(claim_id: str):
    from generator.model import Evidence
    return Evidence(claim=claim_id)


def test_sharing_only_a_speakers_name_is_not_similarity():
    claims = [
        claim("a", "Vladimir Putin will attend.", "x", dt.date(2022, 1, 1), "one"),
        claim("b", "Vladimir Putin rejected it.", "y", dt.date(2023, 1, 1), "two"),
        claim("c", "Vladimir Putin praised harvests.", "z", dt.date(2024, 1, 1), "three"),
    ]
    archive = archive_of(claims)
    archive.people["x"].name = "Vladimir Putin"
    assert link_archive(archive).per_claim["a"].similar == ()
    assert similar_statements(*linking.similar_inputs(archive), at_least=0.0) == {}, "names are not among the words ranked"
    assert found_for(claims, at_least=0.0)["a"], "with no speaker of that name, its words would match"


def test_topic_page_spans_dated_years_and_counts_the_undated():
    from generator.pages import plan_pages, render_page

    claims = [claim("a", "First.", "x", dt.date(2019, 5, 1), "one", ("meet",)),
              claim("b", "Second.", "x", dt.date(2022, 5, 1), "two", ("meet",)),
              claim("c", "Third.", "x", None, "three", ("meet",))]
    archive = archive_of(claims)
    pages = plan_pages(archive, link_archive(archive))
    topic = next(page for page in pages if page.path == "topics/meet/index.html")
    html = render_page(topic).decode("utf-8")
    assert "3 claims from 2019 to 2022, 1 of them with an unknown date." in html


def test_a_claim_page_shows_the_speakers_nearest_other_years_only():
    from generator import linking

    years = range(2005, 2025)
    claims = [claim(f"c{year}", f"Statement number {year}.", "peskov", dt.date(year, 3, 1), f"a{year}")
              for year in years]
    links = link_archive(archive_of(claims))
    shown = [year for year, _ in links.per_claim["c2015"].speaker_other_years]
    assert shown == ["2014", "2016"]   # one year each side: the nearest
    assert len(shown) == linking.OTHER_YEARS_SHOWN
    edge = [year for year, _ in links.per_claim["c2005"].speaker_other_years]
    assert edge == ["2006", "2007"]    # at the edge, the nearest are both later


def test_a_claim_cited_by_many_lists_the_first_few_and_counts_the_rest():
    from generator.pages import plan_pages, render_page

    cited = claim("cited", "The talks will resume in spring.", "peskov", dt.date(2019, 1, 10), "first")
    citing = [claim(f"later{n}", f"Later statement number {n}.", "zelensky", dt.date(2020, 1, 1 + n), f"a{n}")
              for n in range(linking.CITED_BY_SHOWN + 2)]
    for item in citing:
        item.outcome = Outcome("held", dt.date(2021, 1, 1), evidence=(linking_evidence("cited"),))
    archive = archive_of([cited, *citing])
    links = link_archive(archive)
    assert len(links.per_claim["cited"].cited_by) == linking.CITED_BY_SHOWN + 2   # all are linked
    page = next(page for page in plan_pages(archive, links)
                if page.path == "claims/cited/index.html")
    html = render_page(page).decode("utf-8")
    cited_section = html.split('id="cited-heading"', 1)[1].split("</section>", 1)[0]
    assert cited_section.count("<li>") == linking.CITED_BY_SHOWN
    assert "later0/index.html" in cited_section   # the earliest citations first
    assert "And 2 more claims." in cited_section


# --- Similar statements found again after an edit (SimilarityRecord.refind) -----------------------

_VOCABULARY = [f"w{number}" for number in range(40)]


def _random_claim(random, number: int) -> Claim:
    words = random.sample(_VOCABULARY[:random.choice((12, 25, 40))], random.randint(2, 7))
    return claim(f"c{number}", " ".join(words), f"s{random.randrange(6)}",
                 random.choice((None, dt.date(2000 + random.randrange(5), 1 + random.randrange(12), 1))),
                 f"a{random.randrange(30)}")


def _edited(random, claims: list[Claim], next_number: int) -> tuple[list[Claim], int]:
    """`claims` after one to three random edits: statements reworded, dates, articles and
    speakers changed, claims added and removed."""
    import dataclasses

    claims = list(claims)
    for _ in range(random.choice((1, 1, 1, 2, 3))):
        edit = random.choice(("statement", "statement", "word", "date", "article", "speaker", "add", "remove"))
        if edit == "add" or not claims:
            claims.append(_random_claim(random, next_number))
            next_number += 1
            continue
        at = random.randrange(len(claims))
        old = claims[at]
        if edit == "remove":
            del claims[at]
        elif edit == "statement":
            claims[at] = dataclasses.replace(old, statement=_random_claim(random, 0).statement)
        elif edit == "word":   # one word swapped: most features stay
            words = old.statement.split()
            words[random.randrange(len(words))] = random.choice(_VOCABULARY)
            claims[at] = dataclasses.replace(old, statement=" ".join(words))
        elif edit == "date":
            claims[at] = dataclasses.replace(old, said=_random_claim(random, 0).said)
        elif edit == "article":
            claims[at] = dataclasses.replace(old, article=f"a{random.randrange(30)}")
        else:
            claims[at] = dataclasses.replace(old, speaker=f"s{random.randrange(6)}")
    return claims, next_number


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_similar_statements_found_again_after_edits_are_those_found_from_scratch(monkeypatch, seed):
    """After any run of edits, the record's similar statements equal those found anew, while
    small limits make frequencies cross weight steps, the posting cap and the candidate cut."""
    import random as randoms

    from generator.linking import similar_inputs
    from generator.similarity import SimilarityRecord, similarity_digest

    monkeypatch.setattr(similarity, "REFIND_AT_MOST", 1.0)
    random = randoms.Random(seed)
    claims = [_random_claim(random, number) for number in range(random.randint(1, 70))]
    number = len(claims)
    at_least = 0.05
    ordered, names = stated(claims)
    record = SimilarityRecord.find(ordered, names, similarity_digest(ordered, names), at_least)
    assert record.found == similar_statements(ordered, names, at_least)
    for _ in range(12):
        claims, number = _edited(random, claims, number)
        ordered, names = stated(claims)
        digest = similarity_digest(ordered, names)
        if record.refind(ordered, names, digest, at_least):
            assert record.found == similar_statements(ordered, names, at_least)
        else:   # every weight or length moved, or the speakers' names changed
            assert corpus_size(len(ordered)) != record.corpus or names != record.names or ClaimIndex(
                [said_statement(claim, names) for claim in ordered]).mean_length != record.mean_length
            record = SimilarityRecord.find(ordered, names, digest, at_least)


def test_an_edited_statement_is_scored_again_with_the_claims_near_it_only():
    """Statements reworded one at a time among 3,000 (words drawn as in prose: a few common,
    most rare): each time some claims are ranked again, not all, and the result is the one
    found from scratch."""
    import dataclasses
    import random as randoms

    random, count = randoms.Random(7), 3000
    vocabulary = [f"word{number}" for number in range(3000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]   # Zipf's law

    def statement() -> str:
        return " ".join(random.choices(vocabulary, weights, k=random.randint(8, 16)))

    claims = [claim(f"c{i}", statement(), f"s{i % 50}", dt.date(2005 + i % 20, 1 + i % 12, 1), f"a{i // 4}")
              for i in range(count)]
    ordered, names = stated(claims)
    record = SimilarityRecord.find(ordered, names, similarity_digest(ordered, names))
    rescored = []
    for _ in range(8):
        at = random.randrange(count)
        claims[at] = dataclasses.replace(claims[at], statement=statement())
        ordered, names = stated(claims)
        assert record.refind(ordered, names, similarity_digest(ordered, names))
        rescored.append(record.rescored)
    assert record.found == similar_statements(ordered, names)
    assert all(1 <= number < count // 5 for number in rescored) and sorted(rescored)[4] < count // 10, rescored


def test_a_weight_changes_only_where_a_frequency_crosses_a_step():
    """Rarer words weigh more; a weight changes only at quarter powers of two of the number of
    statements using the word, and with the collection's size only at powers of two."""
    import math

    import numpy as np

    weights = idf(np.arange(1, 5000), 10_000).tolist()
    assert weights == sorted(weights, reverse=True)
    changes = {frequency for frequency in range(2, 5000) if weights[frequency - 1] != weights[frequency - 2]}
    assert changes == {math.ceil(2 ** (k / 4)) for k in range(1, 50) if 2 <= math.ceil(2 ** (k / 4)) < 5000}
    assert corpus_size(10_000) == corpus_size(16_384) == 16_384 != corpus_size(16_385)


def test_articles_added_in_stock_phrases_leave_the_similar_statements_those_found_from_scratch(monkeypatch):
    """Stock phrases repeat word pairs hundreds of times: each added article moves counts
    across weight steps, so claims far from it grow shorter or longer, and a claim none of
    whose own words changed weight may now rank one it did not list before (or no longer
    rank one it did). After each article added, and each removed, the record's similar
    statements are those found from scratch."""
    import random as randoms

    monkeypatch.setattr(similarity, "REFIND_AT_MOST", 1.0)   # so alike, most claims are scored again: not anew
    random = randoms.Random(11)
    subjects = ["the talks", "a ceasefire", "the meeting", "sanctions", "the summit", "the memorandum",
                "security guarantees", "the prisoner exchange"]
    verbs = ["will resume", "is possible", "cannot succeed", "depends on", "has stalled", "must begin"]
    tails = ["within weeks", "at the highest level", "if both sides agree", "after expert work",
             "for the sake of peace", "in the near future", "despite the pressure"]
    places = [f"place{number}" for number in range(60)]

    def statement() -> str:
        return " ".join(f"{random.choice(subjects)} {random.choice(verbs)} {random.choice(tails)} near "
                        f"{random.choice(places)}." for _ in range(random.randint(1, 3)))

    claims = [claim(f"c{i}", statement(), f"s{i % 40}", dt.date(2005 + i % 20, 1 + i % 12, 1), f"a{i // 5}")
              for i in range(1500)]
    ordered, names = stated(claims)
    record = SimilarityRecord.find(ordered, names, similarity_digest(ordered, names))
    for number in range(6):
        claims = claims + [claim(f"n{number}-{i}", statement(), f"s{i}", dt.date(2015, 6, 1), f"new{number}")
                           for i in range(5)]
        ordered, names = stated(claims)
        if not record.refind(ordered, names, similarity_digest(ordered, names)):   # the mean length moved
            record = SimilarityRecord.find(ordered, names, similarity_digest(ordered, names))
        assert record.found == similar_statements(ordered, names), f"after article {number} was added"
    for gone in ("a7", "new2", "a100"):
        claims = [item for item in claims if item.article != gone]
        ordered, names = stated(claims)
        if not record.refind(ordered, names, similarity_digest(ordered, names)):
            record = SimilarityRecord.find(ordered, names, similarity_digest(ordered, names))
        assert record.found == similar_statements(ordered, names), f"after {gone} was removed"


FILLER = ("Grain exports through the Black Sea resumed on Tuesday.", "Sanctions on oil will stay until troops withdraw.",
          "The harvest was the largest in a decade.", "Inflation fell for the third month running.",
          "Gas prices in Europe doubled over the winter.", "The army recaptured two villages in the east.")


def _position_restated(speaker: str, topics: tuple[str, ...]) -> tuple[list[Claim], dict]:
    """A 2019 position, and a 2025 one in other words by `speaker` on `topics`, among others."""
    claims = [claim("early", "Putin would not hold a meeting just for the sake of a meeting.", "peskov",
                    dt.date(2019, 11, 12), "p2019", ("meet",)),
              claim("late", "Ruled out a meeting of leaders before a draft settlement is agreed.", speaker,
                    dt.date(2025, 7, 25), "p2025", topics)]
    claims += [claim(f"f{n}", text, f"s{n}", dt.date(2022, 1, 1 + n), f"a{n}", ("other",)) for n, text in enumerate(FILLER)]
    found = similar_statements(*stated(claims), at_least=0.0)
    return claims, {item.claim: item.overlap for item in found.get("late", ())}


def test_the_same_speaker_on_the_same_question_is_linked_at_the_lower_bar():
    claims, overlaps = _position_restated("peskov", ("meet",))
    assert similarity.SAME_SPEAKER_AND_QUESTION_AT_LEAST <= overlaps["early"] < AT_LEAST, overlaps
    links = link_archive(archive_of(claims))
    assert links.per_claim["late"].said_before == ("early",)
    assert links.per_claim["early"].said_since == ("late",)


def test_another_speaker_or_another_question_needs_the_general_bar():
    for speaker, topics in (("podolyak", ("meet",)), ("peskov", ("talks",)), ("peskov", ())):
        claims, overlaps = _position_restated(speaker, topics)
        assert overlaps["early"] < AT_LEAST, overlaps   # the same words as when linked
        links = link_archive(archive_of(claims))
        assert links.per_claim["late"].similar == () and links.per_claim["early"].similar == (), (speaker, topics)
