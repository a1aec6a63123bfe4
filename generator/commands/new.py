"""`hindsight new article|claim|person|topic|page`: scaffolds content for editors.

Consumes a web address, seed file, sheet or name; writes a claim sheet, or appends a
claim, speaker or question, with every field present and explained; or writes the
transparency pages (corrections policy, funding and ownership, team, contact) an archive
lacks, never touching one that exists. Exit 0 on success, 1 when the content is in a
state the scaffold cannot extend, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import sys
from pathlib import Path

from generator.readers import INVISIBLE, invisible_character, read_yaml
from generator.scaffolding import (
    TRANSPARENCY_PAGES,
    ScaffoldError,
    append_entry,
    article_from_url,
    article_sheet,
    claim_lines,
    first_claim_id,
    page_text,
    person_lines,
    sheet_path,
    topic_lines,
    write_new_file,
)
from generator.model import slugify
from generator.problems import format_problem
from generator.validation import SLUG, blank_message, is_blank
from generator.writers import write_text_atomically


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "new",
        help="start a new claim sheet, claim, speaker, question or transparency page",
        description="Write a correctly formed entry for an editor to fill in: every field is present, "
        "with a comment above it saying what it means. Run `hindsight check` afterwards; it lists "
        "what is still missing.",
    )
    command.add_argument("--content", default="content", metavar="DIR", help="the content folder (default: content)")
    kinds = command.add_subparsers(dest="kind", metavar="WHAT", required=True)

    article = kinds.add_parser("article", help="a claim sheet for a new source article",
                               description="Start a claim sheet from the article's web address (an empty sheet "
                               "to fill in), or from its text saved as a file: the file is copied into seeds/ "
                               "and extraction drafts the sheet with the claims it finds.")
    article.add_argument("source", metavar="SEED-OR-URL", help="https://… address, or a .txt file of the article")
    article.set_defaults(run=new_article)

    claim = kinds.add_parser("claim", help="add a claim to an existing claim sheet",
                             description="Append an empty claim, with an id of its own, to a claim sheet.")
    claim.add_argument("sheet", metavar="ARTICLE", help="the claim sheet, e.g. content/articles/2019/x.yaml")
    claim.add_argument("--speaker", default="", help="the speaker's id in content/people.yaml")
    claim.add_argument("--statement", default="", help="what was said")
    claim.add_argument("--said", type=dt.date.fromisoformat, help="when it was said, YYYY-MM-DD")
    claim.set_defaults(run=new_claim)

    person = kinds.add_parser("person", help="add a speaker to content/people.yaml",
                              description="Add a person or institution the archive quotes.")
    person.add_argument("name", help="the name as the archive should show it")
    person.add_argument("--id", help="the id claim sheets will use (default: made from the name)")
    person.add_argument("--wikidata", help="Wikidata item id, e.g. Q7747")
    person.set_defaults(run=new_person)

    topic = kinds.add_parser("topic", help="add a question to content/topics.yaml",
                             description="Add a question the archive follows across years.")
    topic.add_argument("id", help="the id claims will use, e.g. ceasefire-before-talks")
    topic.add_argument("--title", required=True, help="a short heading")
    topic.add_argument("--question", required=True, help="the open question, e.g. Will there be a ceasefire?")
    topic.set_defaults(run=new_topic)

    names = ", ".join(f"{name} ({title})" for name, title in TRANSPARENCY_PAGES.items())
    page = kinds.add_parser("page", help="write the transparency pages the archive lacks",
                            description="Write the pages a fact-checker's site shows its readers, in "
                            f"content/pages/: {names}. Each is a draft to finish: replace every "
                            "[EDITOR: write …] with your own words. A page that exists is never "
                            "changed. The Contact page takes its address from `contact:` in "
                            "content/site.yaml (`email:` or `form:`).")
    page.add_argument("names", nargs="*", metavar="NAME",
                      help=f"which pages (default: all of them): {', '.join(TRANSPARENCY_PAGES)}")
    page.set_defaults(run=new_page)


def _fail(message: str) -> int:
    print(f"hindsight new: {message}", file=sys.stderr)
    return 1


def _refused(texts: dict[str, str | None]) -> int | None:
    """Exit code 2, having said why, when a text given on the command line is one the checker
    would refuse (an invisible character, blank text); None when every one is fine."""
    for what, text in texts.items():
        if not text:
            continue
        invisible = INVISIBLE.search(text)
        if invisible:
            message, hint = invisible_character(invisible.group())
            message = message.replace("the text", f"the {what}", 1)
        elif is_blank(text):
            message, hint = blank_message(what, text)[0], f"give the {what} in letters a reader can see"
        else:
            continue
        print(f"hindsight new: {message}\n    hint: {hint}", file=sys.stderr)
        return 2
    return None


def new_article(args: argparse.Namespace) -> int:
    content = Path(args.content)
    source = args.source
    refused = _refused({"address": source})
    if refused is not None:
        return refused
    if re.match(r"^https?://", source):
        known = article_from_url(source)
        slug, published = known["slug"], known["published"]
        text = article_sheet(url=source, outlet=known["outlet"], published=published,
                             published_basis=known["published_basis"], claim_id=first_claim_id(slug, published))
    else:
        seed = Path(source)
        if not seed.is_file():
            print(f"hindsight new: {source} is neither a web address nor a file", file=sys.stderr)
            return 2
        seeds = content.parent / "seeds"
        target = seeds / seed.name
        if seed.resolve() != target.resolve():
            if target.exists():
                return _fail(f"seeds/{seed.name} already exists; rename the file you are adding")
            seeds.mkdir(exist_ok=True)
            shutil.copyfile(seed, target)
        # A seed's sheet is drafted by extraction, which records the seed's fingerprint so that
        # later builds know when its text changes.
        from generator.extraction.seeds import extract

        return extract(content, [target])
    path = sheet_path(content, slug, published)
    if path.exists():
        return _fail(f"{path} already exists; edit it, or add a claim with `hindsight new claim {path}`")
    write_text_atomically(path, text)
    print(f"wrote {path}: fill in the fields, then run `hindsight check`")
    return 0


def new_claim(args: argparse.Namespace) -> int:
    refused = _refused({"speaker": args.speaker, "statement": args.statement})
    if refused is not None:
        return refused
    path = Path(args.sheet)
    document, problems = read_yaml(path, str(path)) if path.is_file() else (None, [])
    if document is None or not isinstance(document.value, dict):
        return _fail(f"{path} is not a readable claim sheet; run `hindsight check`")
    existing = {claim.get("id") for claim in document.value.get("claims") or [] if isinstance(claim, dict)}
    number = len(existing) + 1
    while f"{path.stem[:60]}-{number}" in existing:
        number += 1
    claim_id = f"{path.stem[:60]}-{number}"
    try:
        append_entry(path, "claims", claim_lines(claim_id, speaker=args.speaker, statement=args.statement,
                                                 said=args.said, said_basis="editor" if args.said else None),
                     claim_id)
    except ScaffoldError as error:
        return _fail(str(error))
    print(f"added claim {claim_id} to {path}")
    return 0


def new_person(args: argparse.Namespace) -> int:
    refused = _refused({"name": args.name, "id": args.id, "Wikidata id": args.wikidata})
    if refused is not None:
        return refused
    person_id = args.id or slugify(args.name)
    if not SLUG.match(person_id):
        print(f"hindsight new: {person_id!r} cannot be an id; use lower-case letters, digits and hyphens",
              file=sys.stderr)
        return 2
    return _append_registry(Path(args.content) / "people.yaml", "people", person_id,
                            person_lines(person_id, args.name, args.wikidata))


def new_topic(args: argparse.Namespace) -> int:
    refused = _refused({"id": args.id, "title": args.title, "question": args.question})
    if refused is not None:
        return refused
    if not SLUG.match(args.id):
        print(f"hindsight new: {args.id!r} cannot be an id; try {slugify(args.id)!r}", file=sys.stderr)
        return 2
    return _append_registry(Path(args.content) / "topics.yaml", "topics", args.id,
                            topic_lines(args.id, args.title, args.question))


def _append_registry(path: Path, key: str, entry_id: str, lines: list[str]) -> int:
    document, problems = read_yaml(path, str(path)) if path.is_file() else (None, [])
    if document is None and problems:
        return _fail(f"{path} cannot be read, so nothing was added to it:\n{format_problem(problems[0])}")
    if document is None:
        return _fail(f"{path} is missing; run `hindsight check`")
    ids = {entry.get("id") for entry in document.value.get(key) or [] if isinstance(entry, dict)}
    if entry_id in ids:
        return _fail(f"{entry_id!r} is already in {path}")
    try:
        append_entry(path, key, lines, entry_id)
    except ScaffoldError as error:
        return _fail(str(error))
    print(f"added {entry_id} to {path}")
    return 0


def new_page(args: argparse.Namespace) -> int:
    content = Path(args.content)
    unknown = [name for name in args.names if name not in TRANSPARENCY_PAGES]
    if unknown:
        print(f"hindsight new: there is no page scaffold named {unknown[0]!r}; the pages are: "
              f"{', '.join(TRANSPARENCY_PAGES)}", file=sys.stderr)
        return 2
    site_file = content / "site.yaml"
    document, problems = read_yaml(site_file, str(site_file)) if site_file.is_file() else (None, [])
    if document is None or problems or not isinstance(document.value, dict):
        detail = f":\n{format_problem(problems[0])}" if problems else ""
        return _fail(f"{site_file} cannot be read, and the pages name the archive from it; "
                     f"run `hindsight check`{detail}")
    site = document.value
    if not all(isinstance(site.get(key), str) for key in ("title",)) or not isinstance(site.get("publisher"), dict):
        return _fail(f"{site_file} has no title or publisher yet; run `hindsight check` and fill them in")
    pages_dir = content / "pages"
    present = {path.stem for path in pages_dir.glob("*.md")} if pages_dir.is_dir() else set()
    kept = []
    for name in args.names or TRANSPARENCY_PAGES:
        path = pages_dir / f"{name}.md"
        if write_new_file(path, page_text(name, site, present | set(TRANSPARENCY_PAGES))):
            print(f"wrote {path}: replace each [EDITOR: write …] with your own words")
        else:
            kept.append(path)
            print(f"kept {path}: it exists, and is not changed")
    return 1 if args.names and kept else 0
