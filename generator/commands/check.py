"""`hindsight check`: reads every content file and reports every problem in one run.

Consumes the content folder; prints problems as `path:line:col: error: ...` with a hint
(or JSON with --format json, plus GitHub annotations under GitHub Actions); exit code
0 when clean, 1 when there are content errors (or warnings with --strict), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.build import check_for_editors
from generator.model import Archive
from generator.problems import Problem, format_problem, github_annotation, problems_as_json


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "check",
        help="check every claim sheet, speaker and question for mistakes",
        description="Read every file under content/ (claim sheets, people, topics, site settings) and "
        "list every problem at once: misspelt fields, unknown speakers or topics, ratings that do not "
        "fit the kind of claim, impossible dates, unsafe links. Each problem says the file, line and "
        "column, what is wrong and how to fix it. Exit code 0 when clean, 1 when something must be fixed.",
    )
    command.add_argument("--content", default="content", metavar="DIR",
                         help="the content folder (default: content)")
    command.add_argument("--format", choices=("text", "json"), default="text",
                         help="text for people (default), json for tools")
    command.add_argument("--strict", action="store_true",
                         help="treat warnings (an unknown publication date, say) as errors")
    command.add_argument("--publish", action="store_true",
                         help="also what publishing needs: warn about each transparency page (corrections policy, "
                         "funding and ownership, team, contact) that is missing or unfinished")
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    content = Path(args.content)
    archive, problems, notes = check_for_editors(content, args.publish)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if args.format == "json":
        print(problems_as_json(problems))
    else:
        for problem in problems:
            print(format_problem(problem))
        drafts = unreviewed(archive) if archive is not None else []
        if os.environ.get("GITHUB_ACTIONS") == "true":
            for problem in problems + drafts:
                print(github_annotation(problem))
        summary = f"{len(errors)} error{'s' * (len(errors) != 1)}, {len(warnings)} warning{'s' * (len(warnings) != 1)}"
        if archive is not None:
            claims = len(archive.claims())
            summary += (f" in {len(archive.articles)} claim sheets, {claims} claims, "
                        f"{len(archive.people)} speakers, {len(archive.topics)} topics")
        print(summary, file=sys.stderr)
        for note in notes:
            print(f"hindsight check: {note}", file=sys.stderr)
        if drafts:
            print(f"{len(drafts)} claim{'s are' if len(drafts) != 1 else ' is'} not yet reviewed (review: draft), "
                  "and left off the published site until an editor marks "
                  f"{'them' if len(drafts) != 1 else 'it'} `review: reviewed`: "
                  + ", ".join(f"{draft.path}:{draft.line}" for draft in drafts[:10])
                  + (f" and {len(drafts) - 10} more" if len(drafts) > 10 else ""), file=sys.stderr)
    if errors or (args.strict and warnings):
        return 1
    return 0


def unreviewed(archive: Archive) -> list[Problem]:
    """Each claim not yet reviewed, at its `review:` line, as a warning: what the pull request
    shows beside it (the published site leaves it out). Not a problem of the content: it does
    not count towards the exit code, even with --strict."""
    found = []
    for article in archive.articles:
        drafts = [claim.id for claim in article.claims if claim.review != "reviewed"]
        if not drafts:
            continue
        lines = _review_lines(Path(article.source), drafts)
        for claim_id in drafts:
            line, column = lines.get(claim_id, (1, 1))
            found.append(Problem(article.source, line, column,
                                 f"claim '{claim_id}' is a draft, not yet reviewed: the published site leaves it out",
                                 "check it against its source, then set `review: reviewed`", "warning"))
    return found


def _review_lines(sheet: Path, claim_ids: list[str]) -> dict[str, tuple[int, int]]:
    """Where each claim's `review:` field is written in its sheet (line, column), else its id."""
    try:
        text = sheet.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    wanted, found, current = set(claim_ids), {}, None
    for number, line in enumerate(text, start=1):
        stripped = line.strip()
        if stripped.startswith("- id:") or stripped.startswith("id:"):
            value = stripped.split(":", 1)[1].strip().strip("'\"")
            current = value if value in wanted else None
            if current is not None:
                found[current] = (number, line.index("id:") + 1)
        elif current is not None and stripped.startswith("review:"):
            found[current] = (number, line.index("review:") + 1)
            current = None
    return found
