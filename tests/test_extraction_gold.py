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
