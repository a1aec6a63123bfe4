"""Imports flow one way: the pipeline never imports the command line, and extraction (article
text -> claim sheets) never imports rendering. Every import counts, those inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
FRONT_ENDS = {"generator.cli", "generator.__main__"}   # they may import the commands; nothing else may
RENDERING = {"generator.pages", "generator.rendering", "generator.feeds", "generator.exports", "generator.search",
             "generator.structured_data", "generator.build", "generator.publishing", "generator.urls"}


def module_name(path: Path) -> str:
    parts = path.relative_to(GENERATOR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module `path` imports, absolute, with the line it is imported on."""
    found = []
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]   # `from generator import pages`
    return found


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(GENERATOR.rglob("*.py"))}


def broken(importer: callable, imported: callable) -> list[str]:
    return [f"{path.relative_to(GENERATOR.parent)}:{line} imports {name}"
            for module, path in modules().items() if importer(module)
            for line, name in imports_of(path) if imported(name)]


def test_nothing_in_the_pipeline_imports_the_command_line():
    def is_command(name: str) -> bool:
        return name == "generator.commands" or name.startswith("generator.commands.")

    assert broken(lambda module: not is_command(module) and module not in FRONT_ENDS, is_command) == []


def test_extraction_imports_nothing_from_rendering():
    def is_rendering(name: str) -> bool:
        return any(name == module or name.startswith(module + ".") for module in RENDERING)

    assert broken(lambda module: module.startswith("generator.extraction"), is_rendering) == []


def test_the_checks_see_every_kind_of_import(tmp_path: Path):
    """The contract tests would pass on anything if `imports_of` missed an import."""
    sample = GENERATOR / "commands" / "check.py"
    names = {name for _, name in imports_of(sample)}
    assert "generator.build" in names and "generator.build.check_for_editors" in names
    build = {name for _, name in imports_of(GENERATOR / "build.py")}
    assert "generator.publishing" in build   # `from generator import publishing, ...`
