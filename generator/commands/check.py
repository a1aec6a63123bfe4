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

from generator.contents import load_archive
from generator.validation import format_problem, github_annotation, problems_as_json


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
    command.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    content = Path(args.content)
    archive, problems = load_archive(content)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if args.format == "json":
        print(problems_as_json(problems))
    else:
        for problem in problems:
            print(format_problem(problem))
        if os.environ.get("GITHUB_ACTIONS") == "true":
            for problem in problems:
                print(github_annotation(problem))
        summary = f"{len(errors)} error{'s' * (len(errors) != 1)}, {len(warnings)} warning{'s' * (len(warnings) != 1)}"
        if archive is not None:
            claims = len(archive.claims())
            summary += (f" in {len(archive.articles)} claim sheets, {claims} claims, "
                        f"{len(archive.people)} speakers, {len(archive.topics)} topics")
        print(summary, file=sys.stderr)
    if errors or (args.strict and warnings):
        return 1
    return 0
