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
