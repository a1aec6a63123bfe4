"""Extraction quality on the five seeds against the hand-written gold (tests/gold/seeds.yaml)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def load_bench():
    spec = importlib.util.spec_from_file_location("evaluate_extraction", ROOT / "bench" / "evaluate_extraction.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_seed_gold_targets():
    bench = load_bench()
    score = bench.score_seeds()
    assert score.direct_total > 30 and score.reported_total > 40  # the gold file is complete
    assert score.direct == 1.0, score.misses  # every direct quote, with the right speaker
    assert score.reported >= 0.90, score.misses
    assert score.dates >= 0.95, score.wrong_dates


def test_bench_reads_a_curly_possessive_source_as_the_possessor():
    # PolNeAR marks "Donald Trump’s" as the Source of "Donald Trump’s claim that ..."
    bench = load_bench()
    for source in ("Donald Trump’s", "Donald Trump's"):
        gold = bench.GoldAttribution(content=[(0, 10)], source=[(0, 1)], source_text=source, cue="claim")
        claim = bench.Written(statement="x", form="indirect", speaker="donald-trump", as_written="Donald Trump",
                              names=["Donald Trump"], kind="person")
        assert bench.speaker_is(claim, gold), source
        assert bench.cue_class("claim", source) == "noun", source
    campaign = bench.GoldAttribution(content=[(0, 10)], source=[(0, 1)], source_text="Trump’s campaign", cue="said")
    claim = bench.Written(statement="x", form="indirect", speaker="donald-trump", as_written="Trump",
                          names=["Donald Trump"], kind="person")
    assert not bench.speaker_is(claim, campaign)  # "Trump's campaign" is not Trump


def _gold_at(bench, text, source, cue, after=0):
    start = text.index(source, after)
    return bench.GoldAttribution(content=[(start, start + 1)], source=[(start, start + len(source))],
                                 source_text=source, cue=cue)


def test_bench_pronoun_antecedent_agrees_in_gender_by_first_name():
    # "Gwen", "Jennifer", "Hillary" are women's names in the census counts, "Michael" a man's:
    # the bench's guess for "he" or "she" skips a Source of the other gender
    bench = load_bench()
    text = ("Trump spoke. Rep. Gwen Moore (D-Wis.) said it was wrong. Michael Tanner said it was vague. "
            "Clinton communication director Jennifer Palmieri said no. He said yes. She said no.")
    gold = [_gold_at(bench, text, s, "said") for s in ("Trump", "Rep. Gwen Moore (D-Wis.)", "Michael Tanner",
                                                         "Clinton communication director Jennifer Palmieri")]
    he = _gold_at(bench, text, "He", "said", text.index("no."))
    she = _gold_at(bench, text, "She", "said", text.index("yes."))
    bench.resolve_gold_pronouns([*gold, he, she], text, names=set(gold[i].source_text for i in range(4)),
                                people=set(gold[i].source_text for i in range(4)))
    assert he.antecedents == ["Michael Tanner"]
    assert she.antecedents == ["Clinton communication director Jennifer Palmieri"]


def test_bench_pronoun_antecedent_is_one_person_of_an_apposition_with_and():
    # "a developer and spokeswoman" describes one woman; "Some" is never "she"
    bench = load_bench()
    text = ("Some said it was a fraud. Angelique Brunner, a developer and spokeswoman for the coalition, "
            "said it worked. She said more.")
    some = _gold_at(bench, text, "Some", "said")
    brunner = _gold_at(bench, text, "Angelique Brunner, a developer and spokeswoman for the coalition,", "said")
    she = _gold_at(bench, text, "She", "said")
    bench.resolve_gold_pronouns([some, brunner, she], text, names={brunner.source_text}, people={brunner.source_text})
    assert she.antecedents == [brunner.source_text]
    text = "Some said it was a fraud. She said more."
    some, she = _gold_at(bench, text, "Some", "said"), _gold_at(bench, text, "She", "said")
    bench.resolve_gold_pronouns([some, she], text, names=set(), people=set())
    assert she.antecedents == []


def test_bench_a_role_qualified_by_a_name_names_no_person_for_he():
    # "The GOP candidate" names no one, so "he" may also stand for the named Source before it
    bench = load_bench()
    text = "Trump said it. The GOP candidate said more. He said yes."
    trump, candidate = _gold_at(bench, text, "Trump", "said"), _gold_at(bench, text, "The GOP candidate", "said")
    he = _gold_at(bench, text, "He", "said")
    bench.resolve_gold_pronouns([trump, candidate, he], text, names={"Trump", "The GOP candidate"}, people={"Trump"})
    assert he.antecedents == ["The GOP candidate", "Trump"]


def test_bench_pronoun_antecedent_is_not_a_group_because_of_a_plural_after_a_preposition():
    bench = load_bench()
    text = ("Nick Witney, a fellow who ran an institution whose efforts face strict limits, said it. "
            "He said more.")
    witney = _gold_at(bench, text, "Nick Witney, a fellow who ran an institution whose efforts face strict limits,",
                      "said")
    he = _gold_at(bench, text, "He", "said")
    bench.resolve_gold_pronouns([witney, he], text, names={witney.source_text}, people={witney.source_text})
    assert he.antecedents == [witney.source_text]


def test_bench_pronoun_source_counts_the_antecedent_the_extractor_wrote_never_the_pronoun():
    bench = load_bench()
    gold = bench.GoldAttribution(content=[(0, 10)], source=[(0, 4)], source_text="they", cue="say",
                                 antecedents=["Mr. Grassley and Mr. Leahy"])
    draft = bench.Written(statement="x", form="indirect", speaker=None, as_written="they [Mr. Grassley and Mr. Leahy]",
                          names=[], kind="person")
    assert bench.speaker_is(draft, gold)
    bare = bench.Written(statement="x", form="indirect", speaker=None, as_written="they", names=[], kind="person")
    assert not bench.speaker_is(bare, gold)
    other = bench.Written(statement="x", form="indirect", speaker=None, as_written="they [Proponents]", names=[],
                          kind="person")
    assert not bench.speaker_is(other, gold)
