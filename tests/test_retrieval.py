"""The "said before" ranking engine (generator/retrieval.py): what it finds, and what it leaves out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from generator.build import check as check_archive
from generator.retrieval import ClaimIndex, Quote, Statement, archive_statements, quoted, words

SAMPLE = Path(__file__).parent / "fixtures" / "sample" / "content"

COLLECTION = [
    Statement("talks", "The negotiations will resume in Istanbul within weeks."),
    Statement("grain", "The grain corridor has stalled near Odesa."),
    Statement("summit", "A summit can only finalize an agreement worked out by experts.",
              title="Will the presidents meet?"),
    Statement("sanctions", "Sanctions on oil exports will stay until the troops leave."),
]


def test_a_reworded_claim_finds_the_one_it_repeats_first():
    index = ClaimIndex.of(COLLECTION)
    found = index.rank("Negotiating resumes in Istanbul, they say")   # stems meet: negotiating/negotiations
    assert found[0].id == "talks"
    assert index.rank("Presidents meeting")[0].id == "summit"        # the headline counts too


def test_claims_sharing_no_word_are_left_out_and_so_is_the_claim_itself():
    index = ClaimIndex.of(COLLECTION)
    assert index.rank("Rainfall in Patagonia") == []
    assert index.rank("it was said that they would") == []         # stop words only
    assert [m.id for m in index.rank("the grain corridor stalled", exclude=["grain"])] == []
    assert "grain" not in [m.id for m in index.like(COLLECTION[1])]


def test_limit_order_and_overlap():
    index = ClaimIndex.of(COLLECTION)
    found = index.rank("negotiations resume grain corridor sanctions oil", limit=2)
    assert len(found) == 2
    assert found[0].score >= found[1].score > 0
    same = index.rank(COLLECTION[3].text)[0]
    assert same.id == "sanctions" and same.overlap == 1.0
    assert all(0 < m.overlap < 1 for m in index.rank("oil and grain"))


def test_equal_scores_keep_the_collection_order():
    twins = [Statement("b", "Ceasefire talks stalled."), Statement("a", "Ceasefire talks stalled.")]
    assert [m.id for m in ClaimIndex.of(twins).rank("ceasefire")] == ["b", "a"]


def test_the_speaker_and_the_month_said_decide_between_equal_wordings():
    collection = [Statement("other", "Photo of the rally in Houston was altered."),
                  Statement("named", "Photo of the rally in Houston was altered, Ilhan Omar said."),
                  Statement("dated", "In March 2019 a photo of the rally in Houston was altered.")]
    index = ClaimIndex.of(collection)
    assert index.rank("The rally photo from Houston", speaker="Ilhan Omar")[0].id == "named"
    assert index.rank("The rally photo from Houston", said=dt.date(2019, 3, 2))[0].id == "dated"
    assert index.rank("The rally photo from Houston")[0].id == "other"   # shortest, when nothing else tells


def test_a_pasted_tweet_gives_its_words_speaker_and_date():
    tweet = ("Trump hotels *worldwide* could be a target https://t.co/AbC pic.twitter.com/XyZ "
             "— Ilhan Omar (@IlhanMN) January 6, 2020")
    assert quoted(tweet) == Quote("Trump hotels *worldwide* could be a target", "Ilhan Omar", dt.date(2020, 1, 6))
    assert quoted("No signature here — just a dash") == Quote("No signature here — just a dash")
    assert quoted("Cut short — Someone (@handle) December 14, 201").speaker == "Someone"


def test_hashtags_and_handles_split_where_their_case_changes():
    assert words("#PrayforAmazonia @SpeakerPelosi Zelenskyy’s plan") == [
        "prayfor", "amazonia", "speaker", "pelosi", "zelenskyy’s", "plan"]
    assert words("Tête-à-tête") == ["tete", "a", "tete"]


def test_archive_claims_carry_their_questions_and_speakers_name():
    archive, problems = check_archive(SAMPLE)
    assert archive is not None, problems
    statements = {s.id: s for s in archive_statements(archive)}
    assert len(statements) == len(archive.claims())
    peskov = statements["2019-peskov-not-meeting-for-sake-of-meeting"]
    assert peskov.speaker == "Dmitry Peskov"
    assert "Will Putin and Zelensky meet?" in peskov.title
    assert peskov.said == dt.date(2019, 11, 12)
    index = ClaimIndex.of(statements.values())
    found = [m.id for m in index.like(peskov)]
    assert found and peskov.id not in found


def test_all_at_once_agrees_with_one_at_a_time_and_skips_common_words():
    archive, _ = check_archive(SAMPLE)
    statements = [dataclasses.replace(s, article="") for s in archive_statements(archive)] + COLLECTION
    index = ClaimIndex.of(statements)
    together = index.neighbours(limit=3)
    assert set(together) == {s.id for s in statements}
    for statement in statements:
        alone = [(m.id, round(m.score, 3), m.overlap) for m in index.like(statement, limit=3)]
        assert [(m.id, round(m.score, 3), m.overlap) for m in together[statement.id]] == alone
    close = index.neighbours(limit=3, at_least=0.3)
    assert all(m.overlap >= 0.3 for found in close.values() for m in found)
    assert sum(map(len, close.values())) < sum(map(len, together.values()))
    # a word every statement uses is above `common`: it alone makes no neighbours
    crowd = [Statement(str(n), f"ceasefire {word}") for n, word in enumerate(("alpha", "beta", "gamma", "alpha"))]
    found = ClaimIndex.of(crowd).neighbours(limit=5, common=3)
    assert [m.id for m in found["0"]] == ["3"] and found["1"] == [] and found["2"] == []
    assert [m.id for m in ClaimIndex.of(crowd).like(crowd[1], limit=5)] == ["0", "2", "3"]


def test_claims_of_one_article_are_not_each_others_neighbours():
    twins = [Statement("a", "Ceasefire talks stalled in Istanbul.", article="x"),
             Statement("b", "Ceasefire talks stalled in Istanbul again.", article="x"),
             Statement("c", "Istanbul ceasefire talks stalled.", article="y")]
    found = ClaimIndex.of(twins).neighbours(limit=5)
    assert [m.id for m in found["a"]] == ["c"] and [m.id for m in found["c"]] == ["a", "b"]
    assert [m.id for m in ClaimIndex.of(twins).neighbours(limit=5, askers=[2])["c"]] == ["a", "b"]
    assert set(ClaimIndex.of(twins).neighbours(limit=5, askers=[2])) == {"c"}


def test_an_empty_archive_or_a_wordless_claim_answers_nothing():
    empty = ClaimIndex.of([])
    assert empty.rank("anything") == [] and empty.neighbours() == {}
    index = ClaimIndex.of([Statement("dash", "—"), *COLLECTION])
    assert index.like(Statement("dash", "—")) == []
    assert index.neighbours()["dash"] == []
    assert index.rank("grain")[0].id == "grain"


def test_suggested_related_lists_the_archive_claims_a_new_one_repeats_with_scores():
    from generator.retrieval import suggested_related

    archive = COLLECTION + [Statement("same-article", "The negotiations will resume in Istanbul.", article="new-a")]
    new = [Statement("draft-1", "Negotiations resume in Istanbul within weeks, he said.", article="new-a"),
           Statement("draft-2", "Rainfall in Patagonia was heavy.", article="new-a")]
    found = suggested_related(new, archive)
    assert [m.id for m in found["draft-1"]] == ["talks"], "its own article's claim is not a suggestion"
    assert found["draft-1"][0].score > 0 and found["draft-1"][0].overlap >= 0.2
    assert found["draft-2"] == []
    assert sum(1 for matches in found.values() if matches) == 1   # "1 new claim repeats an earlier one"


def test_words_are_ordered_as_a_stable_sort_orders_them():
    import numpy as np

    from generator.retrieval import by_word_order

    rng = np.random.default_rng(25)
    for high in (10, 70_000, 5_000_000):   # ids within one 16-bit half, and across both
        term = rng.integers(0, high, size=20_000).astype(np.int32)
        assert np.array_equal(by_word_order(term), np.argsort(term, kind="stable"))
