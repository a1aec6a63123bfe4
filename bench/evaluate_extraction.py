"""Measure extraction: PolNeAR attributions, the five seeds' gold file, and speed.

    .venv/bin/python bench/evaluate_extraction.py            # everything
    .venv/bin/python bench/evaluate_extraction.py --seeds    # only the seed gold (fast)

(a) PolNeAR development split, read at run time from ../shared/eval/polnear/ (never copied
    into the repository). Gold attributions are kept when their cue contains a speech verb
    (the lemmas in generator.extraction.quotes.SPEECH_VERBS, or "according to") and they
    have a Source. A gold statement is found when an extracted statement overlaps at least
    half of its Content span and the extracted speaker is its Source: the speaker as
    written overlaps the Source span (so a pronoun Source matches the pronoun the extractor
    resolved), or the resolved speaker's name shares its surname with the Source text.
    Recall is over the filtered gold; precision counts an extracted statement as right when
    it is found, in that sense, in any gold attribution (any cue); precision against the
    filtered gold only is printed too. Texts annotated twice use the first annotator.
(b) The five seeds against tests/gold/seeds.yaml (written by hand): direct quotes found
    with the right speaker, reported statements found, dates right.
(c) Speed: words per second and peak memory (resident set) extracting the PolNeAR texts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.commands.extract import read_registry  # noqa: E402
from generator.extraction import articles, claims, language  # noqa: E402
from generator.extraction.quotes import SPEECH_VERBS  # noqa: E402
from generator.extraction.sheets import fold_statement  # noqa: E402
from generator.extraction.speakers import Registry, bare_name, fold  # noqa: E402

POLNEAR = ROOT.parent / "shared" / "eval" / "polnear"
GOLD = ROOT / "tests" / "gold" / "seeds.yaml"

TARGETS = {"polnear_precision": 0.90, "polnear_recall": 0.80, "seed_direct": 1.0, "seed_reported": 0.90,
           "seed_dates": 0.95}


# ---------------------------------------------------------------------------
# (b) the seeds


@dataclass
class SeedScore:
    direct_total: int = 0
    direct_found: int = 0
    reported_total: int = 0
    reported_found: int = 0
    dated_total: int = 0
    dated_right: int = 0
    claims: int = 0
    claims_matched: int = 0
    misses: list[str] = field(default_factory=list)
    wrong_dates: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def direct(self) -> float:
        return self.ratio(self.direct_found, self.direct_total)

    @property
    def reported(self) -> float:
        return self.ratio(self.reported_found, self.reported_total)

    @property
    def dates(self) -> float:
        return self.ratio(self.dated_right, self.dated_total)

    @property
    def precision(self) -> float:
        return self.ratio(self.claims_matched, self.claims)


def _gold_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    if value == "unknown":
        return "unknown"
    return dt.date.fromisoformat(str(value))


def score_seeds(root: Path = ROOT, gold_path: Path = GOLD) -> SeedScore:
    """Extract the seeds in memory (nothing is written) and compare with the gold file."""
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))["seeds"]
    registry = Registry(read_registry(root / "content" / "people.yaml", "people"))
    topics = read_registry(root / "content" / "topics.yaml", "topics")
    score = SeedScore()
    for seed, expected in sorted(gold.items()):
        text = (root / seed).read_text(encoding="utf-8")
        article = articles.read_article(text, seed, registry.names())
        docs = language.parse(article.paragraphs)
        found = claims.extract_claims(article, docs, registry, topics).claims
        score.claims += len(found)
        matched_claims: set[int] = set()
        for entry in expected["statements"]:
            want = fold_statement(entry["text"])
            hits = [i for i, c in enumerate(found) if c.speaker == entry["speaker"] and want in fold_statement(c.statement)]
            direct = entry["form"] == "direct"
            if direct:
                score.direct_total += 1
                score.direct_found += bool(hits)
            else:
                score.reported_total += 1
                score.reported_found += bool(hits)
            if not hits:
                score.misses.append(f"{seed}: {entry['speaker']}: {entry['text']}")
                continue
            matched_claims.update(hits)
            said = _gold_date(entry.get("said"))
            if said != "unknown":
                score.dated_total += 1
                got = found[hits[0]].said
                if got == said:
                    score.dated_right += 1
                else:
                    score.wrong_dates.append(f"{seed}: {entry['text'][:40]}: {got} (gold {said})")
        score.claims_matched += len(matched_claims)
    return score


# ---------------------------------------------------------------------------
# (a) PolNeAR


@dataclass
class GoldAttribution:
    content: list[tuple[int, int]]
    source: list[tuple[int, int]]
    source_text: str
    cue: str
    speech: bool = False


def _spans(field_text: str) -> list[tuple[int, int]]:
    spans = []
    for part in field_text.split(";"):
        a, b = part.split()
        spans.append((int(a), int(b)))
    return spans


def read_annotations(path: Path, text: str) -> list[GoldAttribution]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    relations = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, where = parts[1].partition(" ")
            spans[parts[0]] = (label, _spans(where))
        elif line.startswith("E") and len(parts) >= 2:
            relations.append(dict(item.split(":", 1) for item in parts[1].split()))
    result = []
    for relation in relations:
        content = spans.get(relation.get("Content", ""), ("", []))[1]
        source = spans.get(relation.get("Source", ""), ("", []))[1]
        cue = spans.get(relation.get("Cue", ""), ("", []))[1]
        if not content:
            continue
        result.append(GoldAttribution(content, source, " ".join(text[a:b] for a, b in source),
                                      " ".join(text[a:b] for a, b in cue)))
    return result


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(y, w) - max(x, v)) for x, y in a for v, w in b)


RELATIVE = {"who", "which", "that", "whom"}


def _speaker_matches(found, gold: GoldAttribution, text: str = "") -> bool:
    source = gold.source
    if gold.source_text.strip().lower() in RELATIVE and source:
        # "Mr. Kamin, who emphasized that ...": the relative pronoun resolves to the words before it
        start = source[0][0]
        comma = text.rfind(",", 0, start)
        before = text.rfind(".", 0, max(comma, 0))
        source = [(max(before + 1, start - 80), start)] + source
    if found.speaker_span and _overlap([found.speaker_span], source) > 0:
        return True
    if found.speaker is None:
        return False
    source_words = set(fold(gold.source_text).split())
    name = bare_name(found.speaker.id.replace("-", " "))
    surname = name.split()[-1] if name else ""
    return bool(surname) and surname in source_words


def _matches(found, gold: GoldAttribution, text: str = "") -> bool:
    length = sum(b - a for a, b in gold.content)
    return length > 0 and _overlap(found.spans, gold.content) * 2 >= length and _speaker_matches(found, gold, text)


@dataclass
class PolnearScore:
    texts: int = 0
    words: int = 0
    gold_all: int = 0
    gold_speech: int = 0
    found: int = 0
    found_right_any: int = 0
    found_right_speech: int = 0
    recalled: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0


def score_polnear(folder: Path = POLNEAR) -> PolnearScore:
    texts = sorted((folder / "dev" / "text").glob("*.txt"))
    annotations = sorted((folder / "dev" / "attributions").glob("*.ann"))
    first: dict[str, Path] = {}
    for path in annotations:
        stem = path.stem.rsplit("_", 1)[0]
        first.setdefault(stem, path)
    nlp = language.pipeline()
    registry = Registry([])
    score = PolnearScore()
    documents = []
    for path in texts:
        if path.stem not in first:
            continue
        text = path.read_text(encoding="utf-8")
        documents.append((text, read_annotations(first[path.stem], text)))
    cue_lemmas = {}
    for cue_doc in nlp.pipe(sorted({g.cue.lower() for _, gold in documents for g in gold})):
        cue_lemmas[cue_doc.text] = {t.lemma_.lower() for t in cue_doc}
    for _, gold in documents:
        for g in gold:
            lemmas = cue_lemmas.get(g.cue.lower(), set())
            g.speech = bool(g.source) and (bool(lemmas & SPEECH_VERBS) or "according to" in g.cue.lower())
    start = time.perf_counter()
    results = []
    for text, gold in documents:
        paragraphs, offsets, position = [], [], 0
        for line in text.split("\n"):
            if line.strip():
                paragraphs.append(line)
                offsets.append(position)
            position += len(line) + 1
        docs = language.parse(paragraphs)
        _, found, _, _ = claims.extract_paragraphs(paragraphs, docs, Registry([]), offsets=offsets)
        results.append((found, gold, text))
        score.words += len(text.split())
    score.seconds = time.perf_counter() - start
    score.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    score.texts = len(documents)
    for found, gold, text in results:
        speech = [g for g in gold if g.speech]
        score.gold_all += len(gold)
        score.gold_speech += len(speech)
        score.found += len(found)
        score.found_right_any += sum(any(_matches(f, g, text) for g in gold) for f in found)
        score.found_right_speech += sum(any(_matches(f, g, text) for g in speech) for f in found)
        score.recalled += sum(any(_matches(f, g, text) for f in found) for g in speech)
    del registry
    return score


# ---------------------------------------------------------------------------


def _row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    mark = "" if ok is None else ("ok" if ok else "BELOW TARGET")
    return f"| {name:<52} | {value:>14} | {target:>8} | {mark:<12} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", action="store_true", help="only the seed gold evaluation")
    parser.add_argument("--details", action="store_true", help="list misses and wrong dates")
    args = parser.parse_args(argv)
    load = time.perf_counter()
    language.pipeline()
    load = time.perf_counter() - load
    lines = [_row("measure", "value", "target", None), "|" + "-" * 54 + "|"
             + "-" * 16 + "|" + "-" * 10 + "|" + "-" * 14 + "|"]
    seeds = score_seeds()
    lines.append(_row("seeds: direct quotes found, right speaker", f"{seeds.direct_found}/{seeds.direct_total} "
                      f"{seeds.direct:.0%}", "100%", seeds.direct >= TARGETS["seed_direct"]))
    lines.append(_row("seeds: reported statements found, right speaker",
                      f"{seeds.reported_found}/{seeds.reported_total} {seeds.reported:.0%}", ">= 90%",
                      seeds.reported >= TARGETS["seed_reported"]))
    lines.append(_row("seeds: dates right (of found, gold dated)", f"{seeds.dated_right}/{seeds.dated_total} "
                      f"{seeds.dates:.0%}", ">= 95%", seeds.dates >= TARGETS["seed_dates"]))
    lines.append(_row("seeds: claims matching a gold statement", f"{seeds.claims_matched}/{seeds.claims} "
                      f"{seeds.precision:.0%}", "", None))
    if not args.seeds:
        if not POLNEAR.is_dir():
            print(f"PolNeAR not found at {POLNEAR}; run with --seeds, or put the corpus there", file=sys.stderr)
            return 2
        pol = score_polnear()
        precision = pol.found_right_any / pol.found if pol.found else 0.0
        precision_speech = pol.found_right_speech / pol.found if pol.found else 0.0
        recall = pol.recalled / pol.gold_speech if pol.gold_speech else 0.0
        lines.append(_row("PolNeAR dev: texts / gold attributions (all cues)", f"{pol.texts} / {pol.gold_all}"))
        lines.append(_row("PolNeAR dev: gold kept (speech-verb cue, has Source)", f"{pol.gold_speech}"))
        lines.append(_row("PolNeAR dev: statements extracted", f"{pol.found}"))
        lines.append(_row("PolNeAR dev: precision (vs any gold attribution)", f"{precision:.3f}", ">= 0.90",
                          precision >= TARGETS["polnear_precision"]))
        lines.append(_row("PolNeAR dev: precision (vs speech-verb gold only)", f"{precision_speech:.3f}"))
        lines.append(_row("PolNeAR dev: recall (speech-verb gold)", f"{recall:.3f}", ">= 0.80",
                          recall >= TARGETS["polnear_recall"]))
        lines.append(_row("speed: words per second (parse + extract)", f"{pol.words / pol.seconds:,.0f}"))
        lines.append(_row("speed: words / seconds", f"{pol.words} / {pol.seconds:.1f}s"))
        lines.append(_row("memory: peak resident set (process, model incl.)", f"{pol.peak_mb:,.0f} MB"))
    lines.append(_row("model load (once per run)", f"{load:.2f}s"))
    print("\n".join(lines))
    if not args.seeds:
        verbs = ", ".join(sorted(SPEECH_VERBS)[:12])
        print(f"\nPolNeAR filter: gold attributions whose cue contains a speech-verb lemma ({verbs}, ... "
              f"{len(SPEECH_VERBS)} in all) or 'according to', and that have a Source; first annotator where a "
              "text was annotated twice. Found = an extracted statement overlaps >= half of the gold Content and "
              "its speaker as written overlaps the Source (a relative pronoun Source resolved to the words before "
              "it), or the resolved speaker's surname is in the Source. Speed: spaCy parse + extraction on "
              f"{os.cpu_count()} CPU cores; peak memory is the process's maximum resident set.")
    if args.details:
        print("\nSeed misses:\n  " + "\n  ".join(seeds.misses or ["none"]))
        print("Seed wrong dates:\n  " + "\n  ".join(seeds.wrong_dates or ["none"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
