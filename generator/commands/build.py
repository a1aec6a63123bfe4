"""`hindsight build`: turns the content folder into the website folder.

Consumes the command line (content folder, output folder, published address, whether to
index for search); runs `generator.build.build` and prints every content problem as
`path:line:col: error: ...` with its hint. Exit 0 when built, 1 on content problems,
2 when the output folder cannot be used.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from generator.build import BuildOptions, BuildResult, build
from generator.incremental.preview import PreviewState
from generator.search import SearchIndexError
from generator.problems import format_problem
from generator import writers
from generator.writers import OutputError


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "build",
        help="build the archive website into site/, for publishing: reviewed claims only",
        description="Turn every claim sheet, speaker, question and page under content/ into the archive "
        "website: a page per claim, speaker, question, source article and year, with search, an Atom feed "
        "and downloads. Only claims marked `review: reviewed` are published (the default, and what the "
        "publishing workflow runs); drafts, and the articles, speakers and questions left with no published "
        "claim, are left out, and the build lists them. It reads content/ only: it never extracts seeds nor "
        "writes into content/ (that is `hindsight extract`). Nothing is published until the whole build "
        "succeeds: a build that stops keeps the previous site. The finished folder works at any address, "
        "even opened straight from disk.",
    )
    add_build_arguments(command)
    command.add_argument("--no-history", dest="history", action="store_false",
                         help="do not read the verdict history from git: claim pages show their corrections but "
                         "no timeline of findings, and the updates hold corrections only")
    command.set_defaults(run=run)


def add_build_arguments(command: argparse.ArgumentParser) -> None:
    """The options `build` and `serve` share. Their defaults differ: `build` makes the site to
    publish (reviewed claims only, no extraction); `serve` is the editor's live preview
    (drafts shown and marked, new or changed seeds extracted)."""
    preview = command.prog.rsplit(" ", 1)[-1] == "serve"
    command.add_argument("--content", default="content", metavar="DIR",
                         help="the content folder (default: content)")
    command.add_argument("--output", default="site", metavar="DIR",
                         help="where the website goes (default: site); replaced only when the build succeeds")
    command.add_argument("--base-url", metavar="URL",
                         help="the address the archive is published at, e.g. https://example.org/archive/; "
                         "used only for canonical links, the feed, the sitemap and structured data "
                         "(default: base_url in content/site.yaml)")
    command.add_argument("--no-search", dest="search", action="store_false",
                         help="skip the search index (faster; search then uses the small offline index)")
    command.add_argument("--zip", action="store_true",
                         help="also write a dated zip of the finished site (hindsight-YYYY-MM-DD.zip beside the "
                         "site folder) for readers without a connection: unzip it and open index.html")
    command.add_argument("--incremental", action="store_true",
                         help="render only the pages whose content changed since the last --incremental build "
                         "(the result is the same as a full build; what each page shows, the claim sheets already read "
                         "and the previous site are kept in .hindsight-cache/ beside the site folder, never "
                         "published; delete it at any time); `hindsight serve` always does this")
    if preview:
        command.add_argument("--no-drafts", dest="drafts", action="store_false",
                             help="preview only what publishing would show: claims marked `review: reviewed` "
                             "(by default the preview also shows drafts, each marked \"Draft, not yet reviewed\")")
        command.add_argument("--no-extract", dest="extract", action="store_false",
                             help="do not extract claims from seeds/ files that have no claim sheet yet or whose "
                             "text changed (by default they are extracted first, as `hindsight extract` would)")
        command.set_defaults(drafts=True, extract=True)
    else:
        command.add_argument("--drafts", action="store_true",
                             help="also include claims not yet reviewed, each marked \"Draft, not yet reviewed\": "
                             "for looking at them, never for publishing (default: reviewed claims only, which is "
                             "what the publishing workflow builds)")
        command.add_argument("--no-extract", dest="extract", action="store_false", help=argparse.SUPPRESS)
        command.set_defaults(drafts=False, extract=False)   # --no-extract: what build always does now


def options_from(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(content=Path(args.content), output=Path(args.output), base_url=args.base_url,
                        search=args.search, drafts=args.drafts, extract=args.extract, incremental=args.incremental,
                        history=getattr(args, "history", True))


def run_build(args: argparse.Namespace, state: PreviewState | None = None) -> tuple[int, BuildResult | None]:
    """Build as the arguments say and tell the editor how it went; `state` as for `build`'s `preview`."""
    if args.base_url is not None and not args.base_url.startswith(("http://", "https://")):
        print(f"hindsight build: --base-url must start with http:// or https://, not {args.base_url!r}",
              file=sys.stderr)
        return 2, None
    try:
        result = build(options_from(args), state)
    except OutputError as error:
        print(f"hindsight build: {error}", file=sys.stderr)
        return 2, None
    except OSError as error:  # a full disk, a read-only folder: the staging folder is already removed
        where = f" {error.filename}" if error.filename else ""
        print(f"hindsight build: cannot write{where}: {error.strerror or error}; nothing was published and the "
              "previous site was kept. Free some disk space or make the folder writable, then build again",
              file=sys.stderr)
        return 2, None
    except SearchIndexError as error:
        print(f"hindsight build: the search index failed, so the previous site was kept: {error}",
              file=sys.stderr)
        return 1, None
    for problem in result.problems:
        print(format_problem(problem))
    if not result.built:
        errors = sum(problem.severity == "error" for problem in result.problems)
        print(f"hindsight build: {errors} error{'s' * (errors != 1)} in the content; nothing was built "
              "and the previous site was kept", file=sys.stderr)
        return 1, result
    for note in result.notes:
        print(f"hindsight build: note: {note}", file=sys.stderr)
    for line in result.left_out:
        print(f"hindsight build: {line}", file=sys.stderr)
    shown = "reviewed claims and drafts, drafts marked" if args.drafts else "reviewed claims only"
    print(f"Built {result.pages} pages ({result.files} files, {result.size / 1_000_000:.1f} MB; {shown}) into "
          f"{args.output} in {result.seconds:.1f} s.", file=sys.stderr)
    if getattr(args, "zip", False):
        day = datetime.date.today()
        output = Path(args.output)
        target = output.resolve().parent / f"hindsight-{day.isoformat()}.zip"
        writers.write_zip(output, target, f"hindsight-{day.isoformat()}", day)
        print(f"Wrote the offline copy {target} ({target.stat().st_size / 1_000_000:.1f} MB): "
              "unzip it and open index.html.", file=sys.stderr)
    return 0, result


def run(args: argparse.Namespace) -> int:
    return run_build(args)[0]
