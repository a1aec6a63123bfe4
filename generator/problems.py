"""Problems in the content, and how they are shown: to an editor (`path:line:col: error: ...`
with a hint), to GitHub Actions (inline annotations in a pull request) and to tools (JSON).

Every stage that reads or checks content produces `Problem`s; the command line shows them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    """Something wrong (or worth an editor's look) at a place in a content file."""

    path: str
    line: int
    column: int
    message: str
    hint: str | None = None
    severity: str = "error"  # or "warning"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.severity, self.message)


def format_problem(problem: Problem) -> str:
    """`path:line:col: error: message` and, indented below, how to fix it."""
    text = f"{problem.path}:{problem.line}:{problem.column}: {problem.severity}: {problem.message}"
    if problem.hint:
        text += f"\n    hint: {problem.hint}"
    return text


def _annotation_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that shows the problem inline in a pull request."""
    level = "error" if problem.severity == "error" else "warning"
    message = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    return (f"::{level} file={_annotation_escape(problem.path, property_value=True)},"
            f"line={problem.line},col={problem.column}::{_annotation_escape(message)}")


def problems_as_json(problems: list[Problem]) -> str:
    return json.dumps([asdict(problem) for problem in problems], ensure_ascii=False, indent=2)
