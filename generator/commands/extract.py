"""`hindsight extract`: turns seed articles (plain text in seeds/) into claim sheets.

Consumes seed files, content/people.yaml and content/topics.yaml; writes or updates
content/articles/YYYY/<slug>.yaml (undated/ when the date is unknown) and appends newly met
speakers to content/people.yaml as drafts. Prints one line per article; exit code 0 when
every seed was extracted, 1 when a seed or sheet could not be handled, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "extract",
        help="draft claim sheets from seed articles: who said what, and when",
        description="Read seed articles (plain text copied from the web) and draft a claim sheet for each: "
        "title, outlet, byline and date of the article; every direct quote and reported statement with its "
        "speaker, the day it was said and the questions it bears on. Speakers met for the first time are added "
        "to content/people.yaml as drafts. Running it again on a sheet an editor has worked on only adds claims "
        "and fills empty fields: nothing written is changed, reviewed claims are never touched, and claims no "
        "longer found are reported, not removed.",
    )
    command.add_argument("seeds", nargs="*", metavar="SEED",
                         help="seed files to extract (default: every .txt file in seeds/ next to the content folder)")
    command.add_argument("--content", default="content", metavar="DIR",
                         help="the content folder (default: content)")
    command.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                         help="read, parse and extract seeds in N processes, for back catalogues; the sheets "
                         "are the same as with one (default: 1)")
    command.set_defaults(run=run)


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of processes (1 or more)")
    return jobs


def run(args: argparse.Namespace) -> int:
    content = Path(args.content)
    if not content.is_dir():
        print(f"hindsight extract: the content folder {content} does not exist; "
              "run from the project folder or pass --content DIR", file=sys.stderr)
        return 2
    if args.seeds:
        seeds = [Path(s) for s in args.seeds]
    else:
        folder = content.resolve().parent / "seeds"
        seeds = sorted(folder.glob("*.txt"))
        if not seeds:
            print(f"hindsight extract: no seed files (*.txt) in {folder}", file=sys.stderr)
            return 2
    from generator.extraction.seeds import extract

    return extract(content, seeds, args.jobs, whole_run=True, suggest=_earlier_claims(content))


def _earlier_claims(content: Path):
    """What gives new claims the claims already in the archive they may repeat (`suggested_related:`),
    ranked as `hindsight similar` ranks them; None, said once, while the archive has errors."""
    from generator.build import check
    from generator.retrieval import ClaimIndex, archive_statements, claim_statement, suggested_related

    archive, _ = check(content)
    if archive is None:
        print("hindsight extract: the archive has errors (hindsight check lists them), so new claims are not "
              "compared with earlier ones this time", file=sys.stderr)
        return None
    index = ClaimIndex(archive_statements(archive))

    def suggest(claims: list, sheet: str | None) -> list[tuple[str, ...]]:
        asked = [claim_statement(archive, dataclasses.replace(claim, id=f"new-{number}", article=sheet or ""))
                 for number, claim in enumerate(claims)]
        found = suggested_related(asked, index)
        return [tuple(match.id for match in found[statement.id]) for statement in asked]

    return suggest

