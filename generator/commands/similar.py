"""`hindsight similar`: the archive's claims closest to a quote, for an editor checking it.

Consumes a quote (or `--claim ID`, a claim of the archive) and the content folder; prints the
closest claims, best first, each with its score, overlap (0 to 1), speaker, date and words, or JSON
with --format json. Found automatically by wording: candidates for an editor, not confirmed
links. Exit 0 when answered, 1 on content problems, 2 on usage errors (an unknown claim id).
The index is kept in the incremental cache beside the site folder and used again while no file
of the content (nor the code) changed since: then the archive is not read at all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
from pathlib import Path

from generator.incremental import store
from generator.retrieval import ClaimIndex, quoted

INDEX_VERSION = 2
_SEPARATOR = "\x1f"   # between the claims' fields as kept: no YAML text holds it


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
    command.add_argument("--output", default="site", metavar="DIR",
                         help="the site folder, beside which the index is kept for the next question (default: site)")
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
    found = _indexed(Path(args.content), Path(args.output))
    if isinstance(found, int):
        return found
    index, claims = found
    if args.claim is not None:
        asked = index.statements[index.place(args.claim)] if index.place(args.claim) is not None else None
        if asked is None:
            print(f"hindsight similar: no claim has the id {args.claim!r}\n"
                  "    hint: the id is the `id:` of a claim in a claim sheet under content/articles/", file=sys.stderr)
            return 2
        matches = index.like(asked, limit=args.limit)
    else:
        quote = quoted(args.quote)
        matches = index.rank(quote.text, args.speaker or quote.speaker, args.said or quote.said, limit=args.limit)
    if args.format == "json":
        print(json.dumps([{"id": m.id, "overlap": m.overlap, "score": round(m.score, 4),
                           "speaker": claims[m.id][0], "said": claims[m.id][2] or None, "statement": claims[m.id][3],
                           "review": claims[m.id][4], "sheet": claims[m.id][5]} for m in matches],
                         ensure_ascii=False, indent=2))
        return 0
    if not matches:
        print("No claim in the archive shares a word with this quote.", file=sys.stderr)
        return 0
    for place, match in enumerate(matches, start=1):
        _, name, said, statement, review, sheet = claims[match.id]
        draft = "" if review == "reviewed" else "  [draft, not yet reviewed]"
        print(f"{place:>2}. score {match.score:.1f}, overlap {match.overlap:.2f}: {match.id}{draft}\n"
              f"    {name}, {said or 'undated'}: {_short(statement)}\n"
              f"    {sheet}")
    print(f"{len(matches)} closest of {len(index)} claims, found by wording (score: BM25, higher is closer; "
          "overlap: share of weighted words in common, 0 to 1). An editor decides which repeat the quote.",
          file=sys.stderr)
    return 0


def _indexed(content: Path, output: Path) -> tuple[ClaimIndex, dict[str, tuple]] | int:
    """The archive's index and what is printed of each claim (speaker id and name, date said,
    statement, review, sheet): from the cache when no content file changed since it was made,
    else made from the checked archive and kept; or the exit code when the content has errors."""
    kept_at = store.cache_path(output, "similar-index")
    fingerprint = _fingerprint(content)
    kept = store.read_sealed(kept_at, "similar index", INDEX_VERSION)
    if isinstance(kept, tuple) and len(kept) == 3 and kept[0] == fingerprint:
        try:
            index = ClaimIndex.from_plain(kept[1])
            return index, _Shown(index, kept[2])
        except (TypeError, ValueError, KeyError):   # not as written: made again below
            pass
    from generator.build import check as check_archive   # only here: reading the archive is the slow part
    from generator.problems import format_problem
    from generator.retrieval import archive_statements

    archive, problems = check_archive(content)
    if archive is None:
        for problem in problems:
            print(format_problem(problem), file=sys.stderr)
        print("hindsight similar: the content has errors; fix them (hindsight check lists them) and ask again",
              file=sys.stderr)
        return 1
    index = ClaimIndex.of(archive_statements(archive))
    by_id = {claim.id: claim for claim in archive.claims()}
    sheets = {article.slug: article.source or "" for article in archive.articles}   # (Archive.article walks them all)
    shown = []
    for statement in index.statements:   # in the index's order
        claim = by_id[statement.id]
        person = archive.people.get(claim.speaker)
        shown.append((claim.speaker, person.name if person else claim.speaker,
                      claim.said.isoformat() if claim.said else "", claim.statement, claim.review,
                      sheets.get(claim.article, "")))
    columns = tuple(_SEPARATOR.join(column) for column in zip(*shown)) if shown else ("",) * 6
    try:
        store.write_sealed(kept_at, "similar index", INDEX_VERSION, (fingerprint, index.plain(), columns))
    except OSError:   # a read-only folder: answered all the same, and indexed again next time
        pass
    return index, _Shown(index, columns)


class _Shown:
    """What is printed of each claim, by claim id: (speaker id, name, date said or "", statement,
    review, sheet), from the fields kept one string each, split when first asked."""

    def __init__(self, index: ClaimIndex, columns: tuple[str, ...]):
        self._index, self._columns, self._split = index, columns, None

    def __getitem__(self, claim_id: str) -> tuple:
        if self._split is None:
            self._split = [column.split(_SEPARATOR) for column in self._columns]
        place = self._index.place(claim_id)
        return tuple(column[place] for column in self._split)


def _fingerprint(content: Path) -> str:
    """What the index is made from, without reading it: every content file's path, size and time
    of change, and the code's digest."""
    digest = hashlib.blake2b(store.code_digest().encode(), digest_size=16)
    found, folders = [], [content.resolve()]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(Path(entry.path))
                    else:
                        stat = entry.stat()
                        found.append(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}")
        except OSError:
            continue
    digest.update("\n".join(sorted(found)).encode())
    return digest.hexdigest()


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
