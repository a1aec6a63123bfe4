"""`hindsight similar`: the archive's claims closest to a quote, for an editor checking it.

Consumes a quote (or `--claim ID`, a claim of the archive) and the content folder; prints the
closest claims, best first, each with its score, overlap (0 to 1), speaker, date and words, or JSON
with --format json. Found automatically by wording: candidates for an editor, not confirmed
links. Exit 0 when answered, 1 on content problems, 2 on usage errors (an unknown claim id).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from generator.build import check as check_archive
from generator.retrieval import ClaimIndex, archive_statements, quoted
from generator.problems import format_problem


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "similar",
        help="list the archive's claims closest to a quote: has this been said before?",
        description="Rank the archive's claims by how closely they repeat a quote, best first, with "
        "each one's score and overlap (the share of their weighted words the two have in common, 0 to 1), speaker, "
        "date and words. Paste the quote as it came: a tweet's closing signature (— Name (@handle) "
        "January 2, 2020) is read as its speaker and date, and links are set aside. With --claim, the "
        "quote is a claim of the archive (itself left out). These are found by wording alone: an editor "
        "decides which are really the same claim.",
    )
    command.add_argument("quote", nargs="?", help="the words to look for (quote them in the shell)")
    command.add_argument("--claim", metavar="ID", help="look for the claims closest to this claim of the archive")
    command.add_argument("--speaker", help="who said the quote (a name), if the quote does not say")
    command.add_argument("--said", type=_date, metavar="YYYY-MM-DD", help="when the quote was said")
    command.add_argument("--limit", type=_count, default=10, metavar="N", help="how many claims to list (default: 10)")
    command.add_argument("--content", default="content", metavar="DIR", help="the content folder (default: content)")
    command.add_argument("--format", choices=("text", "json"), default="text",
                         help="text for people (default), json for tools")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if (args.quote is None) == (args.claim is None):
        print("hindsight similar: give either a quote or --claim ID (not both)\n"
              '    hint: hindsight similar "the words to look for", or hindsight similar --claim 2025-peskov-...',
              file=sys.stderr)
        return 2
    if args.quote is not None and not args.quote.strip():
        print("hindsight similar: the quote is empty\n    hint: put the words to look for in quotes",
              file=sys.stderr)
        return 2
    archive, problems = check_archive(Path(args.content))
    if archive is None:
        for problem in problems:
            print(format_problem(problem), file=sys.stderr)
        print("hindsight similar: the content has errors; fix them (hindsight check lists them) and ask again",
              file=sys.stderr)
        return 1
    statements = archive_statements(archive)
    index = ClaimIndex.of(statements)
    if args.claim is not None:
        asked = next((s for s in statements if s.id == args.claim), None)
        if asked is None:
            print(f"hindsight similar: no claim has the id {args.claim!r}\n"
                  "    hint: the id is the `id:` of a claim in a claim sheet under content/articles/", file=sys.stderr)
            return 2
        matches = index.like(asked, limit=args.limit)
    else:
        quote = quoted(args.quote)
        matches = index.rank(quote.text, args.speaker or quote.speaker, args.said or quote.said, limit=args.limit)
    claims = {claim.id: claim for claim in archive.claims()}
    if args.format == "json":
        print(json.dumps([{"id": m.id, "overlap": m.overlap, "score": round(m.score, 4),
                           "speaker": claims[m.id].speaker,
                           "said": claims[m.id].said.isoformat() if claims[m.id].said else None,
                           "statement": claims[m.id].statement, "review": claims[m.id].review,
                           "sheet": _sheet(archive, claims[m.id])} for m in matches], ensure_ascii=False, indent=2))
        return 0
    if not matches:
        print("No claim in the archive shares a word with this quote.", file=sys.stderr)
        return 0
    for place, match in enumerate(matches, start=1):
        claim = claims[match.id]
        person = archive.people.get(claim.speaker)
        said = claim.said.isoformat() if claim.said else "undated"
        draft = "" if claim.review == "reviewed" else "  [draft, not yet reviewed]"
        print(f"{place:>2}. score {match.score:.1f}, overlap {match.overlap:.2f}: {match.id}{draft}\n"
              f"    {person.name if person else claim.speaker}, {said}: {_short(claim.statement)}\n"
              f"    {_sheet(archive, claim)}")
    print(f"{len(matches)} closest of {len(statements)} claims, found by wording (score: BM25, higher is closer; "
          "overlap: share of weighted words in common, 0 to 1). An editor decides which repeat the quote.",
          file=sys.stderr)
    return 0


def _sheet(archive, claim) -> str:
    try:
        return archive.article(claim.article).source
    except KeyError:
        return ""


def _short(text: str, most: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1].rsplit(" ", 1)[0] + "…"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-07-25") from None


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)
