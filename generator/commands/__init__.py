"""The `hindsight` subcommands, one module each; every module exposes `register(subparsers)`.

A command is listed here only when it works end to end.
"""

COMMANDS = ("check", "new", "build", "serve", "extract")
