"""Said before, measured: does `generator.retrieval` put the claim that settles a new one first?

    .venv/bin/python bench/evaluate_retrieval.py --data ../shared/eval/checkthat2020 --split dev
    .venv/bin/python bench/evaluate_retrieval.py --archive content     # Recall@5 over evidence pairs
    .venv/bin/python bench/evaluate_retrieval.py --cost 100000         # time and memory, synthetic
    .venv/bin/python bench/evaluate_retrieval.py --cost 100000 --engine today   # today's stage, to compare

CheckThat! 2020 Task 2: each query (a tweet) is ranked against the 10,373 verified claims
(claim and fact-check title), each tweet read as pasted (`retrieval.quoted`: its signature
gives speaker and date); prints MAP@5 (the official measure) on a line of its own, and
MAP@1, P@1 and Recall@5. Definitions as the task's scorer (trectools) computes them, over the
queries of the split's qrels: AP@k = sum, over the relevant claims in the top k, of the
precision at their rank, divided by the query's number of relevant claims; P@k = relevant in
the top k / k; Recall@k = relevant in the top k / relevant.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.build import check as check_archive  # noqa: E402
from generator.retrieval import _STOPWORDS, ClaimIndex, Statement, archive_statements, quoted, words  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "checkthat2020"


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a tab-separated file, its header row (first cell empty) dropped."""
    csv.field_size_limit(1 << 24)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return rows[1:] if rows and rows[0] and rows[0][0] == "" else rows


def verified_claims(data: Path) -> list[Statement]:
    return [Statement(id=row[0], text=row[1], title=row[2] if len(row) > 2 else "")
            for row in read_tsv(data / "verified_claims.docs.tsv")]


def queries(data: Path, split: str) -> dict[str, str]:
    return {row[0]: row[1] for row in read_tsv(data / split / "tweets.queries.tsv")}


def qrels(data: Path, split: str) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = defaultdict(set)
    for line in (data / split / "tweet-vclaim-pairs.qrels").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            relevant[parts[0]].add(parts[2])
    return relevant


def average_precision(ranked: list[str], relevant: set[str], depth: int) -> float:
    hits, total = 0, 0.0
    for rank, found in enumerate(ranked[:depth], start=1):
        if found in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def measures(runs: dict[str, list[str]], gold: dict[str, set[str]]) -> dict[str, float]:
    """MAP@1, MAP@3, MAP@5, P@1, Recall@5, MRR (in the top 5), over the queries in `gold`."""
    n = len(gold)
    ranked = {query: runs.get(query, []) for query in gold}
    return {
        "MAP@1": sum(average_precision(ranked[q], gold[q], 1) for q in gold) / n,
        "MAP@3": sum(average_precision(ranked[q], gold[q], 3) for q in gold) / n,
        "MAP@5": sum(average_precision(ranked[q], gold[q], 5) for q in gold) / n,
        "P@1": sum(len(set(ranked[q][:1]) & gold[q]) for q in gold) / n,
        "Recall@5": sum(len(set(ranked[q][:5]) & gold[q]) / len(gold[q]) for q in gold) / n,
        "MRR@5": sum(next((1 / r for r, c in enumerate(ranked[q][:5], 1) if c in gold[q]), 0.0)
                     for q in gold) / n,
    }


def checkthat(data: Path, split: str, show_misses: bool = False) -> dict[str, float]:
    started = time.perf_counter()
    index = ClaimIndex.of(verified_claims(data))
    indexed = time.perf_counter()
    texts = queries(data, split)
    gold = qrels(data, split)
    runs = {}
    for query in gold:
        tweet = quoted(texts[query])   # as an editor pastes it: the signature gives speaker and date
        runs[query] = [match.id for match in index.rank(tweet.text, tweet.speaker, tweet.said, limit=5)]
    answered = time.perf_counter()
    result = measures(runs, gold)
    if show_misses:
        by_id = {s.id: s for s in index.statements}
        for query in gold:
            if runs[query][:1] != sorted(gold[query])[:1]:
                print(f"\n# {query}: {texts[query]}")
                for claim in gold[query]:
                    print(f"  GOLD {claim} at {runs[query].index(claim) + 1 if claim in runs[query] else '-'}: "
                          f"{by_id[claim].text} | {by_id[claim].title}")
                for claim in runs[query][:3]:
                    print(f"  got  {claim}: {by_id[claim].text}")
    result["index seconds"] = indexed - started
    result["query ms"] = 1000 * (answered - indexed) / max(len(gold), 1)
    result["queries"] = len(gold)
    return result


def archive_pairs(content: Path) -> dict[str, float]:
    """Recall@5 over the archive's gold pairs: every claim an editor cited as evidence for
    another claim's outcome. Each citing claim asks (`ClaimIndex.like`, itself left out): is
    the cited claim in its top 5? And the other way round (what "said since" would show)."""
    archive, problems = check_archive(content)
    if archive is None:
        sys.exit(f"{content}: content errors; run hindsight check ({len(problems)} problems)")
    statements = {s.id: s for s in archive_statements(archive)}
    index = ClaimIndex.of(statements.values())
    pairs = sorted({(claim.id, evidence.claim) for claim in archive.claims() for evidence in claim.outcome.evidence
                    if evidence.claim and evidence.claim != claim.id and evidence.claim in statements})
    cited = sum(after in {m.id for m in index.like(statements[before], limit=5)} for before, after in pairs)
    citing = sum(before in {m.id for m in index.like(statements[after], limit=5)} for before, after in pairs)
    return {"claims": len(statements), "pairs": len(pairs), "found from citing": cited, "found from cited": citing}


THRESHOLDS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)


def calibrate(data: Path, content: Path) -> None:
    """How the least overlap shown on claim pages (similarity.AT_LEAST) trades links shown for
    links right: on CheckThat! train and dev, of the queries whose first answer reaches each
    overlap, the share answered and the share whose first answer is right; on this archive,
    the pages showing a said-before or said-since link, the links, and the evidence pairs
    (across articles) shown in either direction."""
    # As claim pages rank: the claims' own words only (no headline, speaker or date).
    claims = verified_claims(data)
    index = ClaimIndex.of(Statement(claim.id, claim.text) for claim in claims)
    checked = {claim.id: set(words(f"{claim.text} {claim.title}")) for claim in claims}
    for split in ("train", "dev"):
        texts, gold = queries(data, split), qrels(data, split)
        firsts = []
        for query in gold:
            tweet = quoted(texts[query])
            found = index.rank(tweet.text, limit=1)
            # "same speaker": the fact-check names the tweet's author (a word of the signature's name)
            named = {word for word in words(tweet.speaker or "") if len(word) > 2 and word not in _STOPWORDS}
            firsts.append((found[0].overlap, found[0].id in gold[query], bool(named & checked[found[0].id]))
                          if found else (0.0, False, False))
        for group, which in (("all", (True, False)), ("same speaker", (True,)), ("other speaker", (False,))):
            asked = [first for first in firsts if first[2] in which]
            for at_least in THRESHOLDS:
                shown = [right for overlap, right, same in asked if overlap >= at_least]
                print(f"checkthat {split} {group} at_least {at_least:.2f}: answered {len(shown) / len(firsts):.3f}, "
                      f"first right {sum(shown) / max(len(shown), 1):.3f} ({sum(shown)}/{len(shown)})")
    from generator.linking import similar_inputs
    from generator.linking import link_archive
    from generator.similarity import AT_LEAST, CANDIDATES, bar_for, said_statement
    archive, problems = check_archive(content)
    statements, names = similar_inputs(archive)
    articles = {s.id: s.article for s in statements}
    pairs = {frozenset((claim.id, evidence.claim)) for claim in archive.claims() for evidence in claim.outcome.evidence
             if evidence.claim and evidence.claim in articles and articles[evidence.claim] != claim.article}
    found = ClaimIndex([said_statement(claim, names) for claim in statements]).neighbours(limit=CANDIDATES)
    by_id = {claim.id: claim for claim in statements}
    for group, pair_of in (("any pair", lambda a, b: True),
                           ("same speaker and question", lambda a, b: bar_for(a, b) != AT_LEAST),
                           ("other pairs", lambda a, b: bar_for(a, b) == AT_LEAST)):
        for at_least in THRESHOLDS:
            shown = {claim: [m for m in matches if m.overlap >= at_least and pair_of(by_id[claim], by_id[m.id])]
                     for claim, matches in found.items()}
            links = {frozenset((claim, m.id)) for claim, matches in shown.items() for m in matches}
            print(f"archive {group} at_least {at_least:.2f}: {sum(1 for m in shown.values() if m)} pages with links, "
                  f"{len(links)} links, {len(links & pairs)}/{len(pairs)} evidence pairs across articles shown")
    links = link_archive(archive)
    print(f"archive as built (each pair's bar): {sum(1 for made in links.per_claim.values() if made.similar)} pages "
          f"with links, {sum(len(made.similar) for made in links.per_claim.values())} links")
    for claim, made in links.per_claim.items():
        for other in made.similar:
            print(f"  {claim} -> {other}")


def _peak_reset() -> float:
    """Start measuring peak memory afresh (Linux: VmHWM); the resident MB now."""
    gc.collect()
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status("VmRSS")


def _status(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cost(claims: int, asked: int = 2000, engine: str = "retrieval") -> dict[str, float]:
    """Time and memory at `claims` synthetic claims (bench/synthetic.py), once loaded.

    engine "retrieval": the index built once, `asked` claims ranked against all one at a time
    (`hindsight similar`), then every claim at once (`neighbours`, what a build needs).
    engine "today": the similar-statements stage as it is (linking.similar_statements, one
    process), for comparison on the same machine at the same moment. Memory: the peak resident
    size while the stage runs, over what the process held when it began (archive loaded)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from synthetic import generate
    with tempfile.TemporaryDirectory() as folder:
        generate(claims, Path(folder))
        archive, problems = check_archive(Path(folder) / "content")
    found: dict[str, float] = {"claims": len(archive.claims())}
    if engine == "build":   # the claim pages' said-before stage, as a build runs it, and after edits
        import dataclasses

        from generator.linking import similar_inputs
        from generator.similarity import SimilarityRecord, similar_statements, similarity_digest
        print(f"load average {os.getloadavg()[0]:.1f} at the start", flush=True)
        before = _peak_reset()
        wall, cpu = time.perf_counter(), time.process_time()
        stated, names = similar_inputs(archive)
        similar_statements(stated, names)
        found.update({"stage wall s": time.perf_counter() - wall, "stage CPU s": time.process_time() - cpu,
                      "stage peak MB over the loaded archive": _status("VmHWM") - before})
        before = _peak_reset()
        wall = time.perf_counter()
        record = SimilarityRecord.find(stated, names, similarity_digest(stated, names))
        found.update({"with its record (incremental) wall s": time.perf_counter() - wall,
                      "with its record peak MB over the loaded archive": _status("VmHWM") - before,
                      "pages with links": len(record.found)})
        random_ = random.Random(25)
        gc.disable()   # as the build runs (memory.without_cycle_collection)
        for edit in range(3):
            at = random_.randrange(len(stated))
            stated[at] = dataclasses.replace(stated[at], statement="Corrected: " + " ".join(reversed(
                stated[at].statement.split())))
            wall, cpu = time.perf_counter(), time.process_time()
            done = record.refind(stated, names, similarity_digest(stated, names))
            found[f"statement edit {edit + 1}: refind wall s"] = time.perf_counter() - wall
            found[f"statement edit {edit + 1}: refind CPU s"] = time.process_time() - cpu
            found[f"statement edit {edit + 1}: claims ranked again"] = record.rescored if done else "all (anew)"
        template = stated[random_.randrange(len(stated))]
        added = [dataclasses.replace(template, id=f"new-{n}", article="new-article",
                                     statement=stated[random_.randrange(len(stated))].statement) for n in range(5)]
        stated = stated + added
        wall, cpu = time.perf_counter(), time.process_time()
        done = record.refind(stated, names, similarity_digest(stated, names))
        found["new article (5 claims): refind wall s"] = time.perf_counter() - wall
        found["new article (5 claims): refind CPU s"] = time.process_time() - cpu
        found["new article: claims ranked again"] = record.rescored if done else "all (anew)"
        gc.enable()
        return found
    if engine == "today":
        try:
            from generator.similarity import similar_statements, similar_inputs   # after issue 27
        except ImportError:
            from generator.linking import similar_statements, similar_inputs
        stated, ignore = similar_inputs(archive)
        before = _peak_reset()
        wall, cpu = time.perf_counter(), time.process_time()
        similar_statements(stated, ignore=ignore)
        found.update({"today's stage wall s": time.perf_counter() - wall, "today's stage CPU s": time.process_time() - cpu,
                      "today's stage peak MB over the loaded archive": _status("VmHWM") - before})
        return found
    statements = archive_statements(archive)   # the archive stays loaded, as in a build
    before = _peak_reset()
    wall, cpu = time.perf_counter(), time.process_time()
    index = ClaimIndex.of(statements)
    found.update({"index wall s": time.perf_counter() - wall, "index CPU s": time.process_time() - cpu,
                  "index peak MB over the loaded archive": _status("VmHWM") - before})
    sample = random.Random(25).sample(statements, min(asked, len(statements)))
    wall = time.perf_counter()
    for statement in sample:
        index.like(statement, limit=5)
    found["one claim asked (like) ms"] = 1000 * (time.perf_counter() - wall) / len(sample)
    before = _peak_reset()
    wall, cpu = time.perf_counter(), time.process_time()
    index.neighbours(limit=5)
    found.update({"every claim (neighbours) wall s": time.perf_counter() - wall,
                  "every claim (neighbours) CPU s": time.process_time() - cpu,
                  "neighbours peak MB over the index": _status("VmHWM") - before})
    return found


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--data", type=Path, default=DEFAULT_DATA,
                         help=f"CheckThat! 2020 Task 2 folder (default: {DEFAULT_DATA})")
    options.add_argument("--split", default="dev", help="a folder of --data with queries and qrels (default: dev)")
    options.add_argument("--misses", action="store_true", help="print every query whose first answer is wrong")
    options.add_argument("--archive", type=Path, metavar="CONTENT",
                         help="instead: Recall@5 over the evidence pairs of this content folder")
    options.add_argument("--cost", type=int, metavar="CLAIMS",
                         help="instead: index and query time and memory at this many synthetic claims")
    options.add_argument("--engine", choices=("retrieval", "build", "today"), default="retrieval",
                         help="with --cost: the engine alone, the claim pages' stage (build), or the stage "
                              "before issue 25 (today; run it from a checkout of that code)")
    options.add_argument("--calibrate", type=Path, metavar="CONTENT",
                         help="instead: links shown and right at each least overlap, CheckThat! and this content")
    args = options.parse_args()
    if args.calibrate:
        calibrate(args.data, args.calibrate)
        return
    if args.archive:
        found = archive_pairs(args.archive)
        pairs = max(found["pairs"], 1)
        print(f"archive Recall@5 {found['found from citing'] / pairs:.4f} "
              f"({found['found from citing']}/{found['pairs']} pairs, the citing claim asking; {found['claims']} claims)")
        print(f"archive Recall@5 reverse {found['found from cited'] / pairs:.4f} "
              f"({found['found from cited']}/{found['pairs']}, the cited claim asking)")
        return
    if args.cost:
        for name, value in cost(args.cost, engine=args.engine).items():
            print(f"{name} {value:.2f}" if isinstance(value, float) else f"{name} {value}")
        return
    result = checkthat(args.data, args.split, args.misses)
    print(f"MAP@5 {result['MAP@5']:.4f}")
    for name in ("MAP@1", "MAP@3", "P@1", "Recall@5", "MRR@5"):
        print(f"{name} {result[name]:.4f}")
    print(f"queries {result['queries']}, index {result['index seconds']:.2f} s, "
          f"{result['query ms']:.1f} ms a query", file=sys.stderr)


if __name__ == "__main__":
    main()
