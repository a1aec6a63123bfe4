"""The field catalogue: reads the JSON Schemas shipped in `generator/schemas/` and lists,
for each kind of content file, every field with its form, whether it is required, its
allowed values and what it means.

Consumes the schemas; produces `Field` lists for the scaffolds `hindsight new` writes and
the field reference in CONTRIBUTING.md (`python -m generator.fields --write CONTRIBUTING.md`),
so that both stay in step with what `hindsight check` enforces.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.validation import schema

BEGIN = "<!-- field reference: generated from generator/schemas by `python -m generator.fields --write CONTRIBUTING.md`; do not edit by hand -->"
END = "<!-- end of field reference -->"

FILE_KINDS = (
    ("site", "content/site.yaml", "Settings for the whole archive."),
    ("people", "content/people.yaml", "The speakers: one entry under `people:` for each person or institution quoted."),
    ("topics", "content/topics.yaml", "The questions followed across years: one entry under `topics:` each."),
    ("article", "content/articles/YYYY/<slug>.yaml", "A claim sheet: one source article and the claims it reports."),
)


@dataclass(frozen=True)
class Field:
    path: str  # e.g. claims[].outcome.status
    form: str  # what to write, in words
    required: bool
    description: str


def _resolve(node: dict, root: dict) -> dict:
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return root["$defs"][ref.rsplit("/", 1)[1]]
    return node


def _form(node: dict, root: dict) -> str:
    node = _resolve(node, root)
    if "enum" in node:
        return "one of: " + ", ".join(f"`{value}`" for value in node["enum"])
    if "oneOf" in node:
        forms = [_form(branch, root) for branch in node["oneOf"] if branch.get("type") != "null"]
        nullable = any(branch.get("type") == "null" for branch in node["oneOf"])
        text = " or ".join(dict.fromkeys(forms)) or "see description"
        return text + (" (may be empty)" if nullable else "")
    kind = node.get("type")
    if kind == "array":
        return "list of " + _form(node.get("items", {}), root)
    if kind == "object":
        return "fields (below)"
    if kind == "string":
        if node.get("format") == "date":
            return "date (YYYY-MM-DD)"
        pattern = node.get("pattern", "")
        if pattern.startswith("^https?"):
            return "web address (https://…)"
        if pattern.startswith("^[a-z0-9]"):
            return "id (lower-case-with-hyphens)"
        if pattern.startswith("^Q"):
            return "Wikidata id (Q…)"
        if pattern.startswith("^seeds/"):
            return "path (seeds/…)"
        return "text"
    return kind or "value"


def fields(kind: str) -> list[Field]:
    """Every field of one kind of file, depth first, in the schema's order."""
    root = schema(kind)
    found: list[Field] = []

    def visit(node: dict, prefix: str) -> None:
        node = _resolve(node, root)
        required = set(node.get("required", []))
        for name, child in node.get("properties", {}).items():
            child = _resolve(child, root)
            path = f"{prefix}{name}"
            found.append(Field(path, _form(child, root), name in required, child.get("description", "")))
            if child.get("type") == "object":
                visit(child, path + ".")
            items = _resolve(child.get("items", {}), root) if child.get("type") == "array" else {}
            if items.get("type") == "object" or "properties" in items:
                visit(items, path + "[].")

    visit(root, "")
    return found


def markdown_reference() -> str:
    """The field reference for editors, as Markdown."""
    parts = [BEGIN, ""]
    for kind, where, summary in FILE_KINDS:
        parts += [f"### `{where}`", "", summary, "", "| field | what to write | required | meaning |",
                  "| --- | --- | --- | --- |"]
        for item in fields(kind):
            meaning = item.description.replace("|", "\\|").replace("\n", " ")
            parts.append(f"| `{item.path}` | {item.form} | {'yes' if item.required else ''} | {meaning} |")
        parts.append("")
    parts.append(END)
    return "\n".join(parts)


def replace_reference(document: str) -> str:
    """`document` with its generated field reference brought up to date."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise ValueError("the document has no field-reference markers")
    return document[:start] + markdown_reference() + document[end + len(END):]


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description="Print or update the editors' field reference.")
    options.add_argument("--write", metavar="FILE", help="update the reference inside FILE (e.g. CONTRIBUTING.md)")
    args = options.parse_args(argv)
    if args.write:
        path = Path(args.write)
        path.write_text(replace_reference(path.read_text("utf-8")), "utf-8")
    else:
        sys.stdout.write(markdown_reference() + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
