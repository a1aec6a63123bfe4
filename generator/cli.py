"""Command line: `hindsight <command>` (also `python -m generator`).

Consumes the command line and dispatches to the command modules in `generator.commands`;
exit codes: 0 clean, 1 content problems, 2 usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from generator import __version__
from generator.commands import COMMANDS


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="hindsight",
        description="Hindsight turns news articles into claim sheets and claim sheets into a "
        "searchable fact-check archive: who said what, when, and what came of it.",
    )
    top.add_argument("--version", action="version", version=f"hindsight {__version__}")
    subparsers = top.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS + ("similar",):   # issue 25; joins COMMANDS once issue 27 lands
        importlib.import_module(f"generator.commands.{name}").register(subparsers)
    return top


def main(argv: list[str] | None = None) -> int:
    top = parser()
    args = top.parse_args(argv)
    if not getattr(args, "run", None):
        top.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("hindsight: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
