"""Scaffolding for editors: writes new claim sheets, claims, speakers and questions with
every field present and a comment above each saying what it means.

Consumes what the editor knows (a web address, a seed file, a name) and the field
catalogue; produces YAML text, and appends it to content files in a way that keeps
everything an editor already wrote, comments included. The comments come from the
schemas' descriptions, so they say what `hindsight check` enforces.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from generator.fields import fields
from generator.readers import Problem, parse_yaml
from generator.model import slugify
from generator.writers import write_text_atomically

KNOWN_OUTLETS = {
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "reuters.com": "Reuters",
    "apnews.com": "The Associated Press",
    "bbc.co.uk": "BBC News",
    "bbc.com": "BBC News",
    "theguardian.com": "The Guardian",
    "nationalinterest.org": "The National Interest",
    "aljazeera.com": "Al Jazeera",
    "politico.com": "Politico",
    "politico.eu": "Politico Europe",
    "cnn.com": "CNN",
    "tass.com": "TASS",
    "kyivindependent.com": "The Kyiv Independent",
}


class ScaffoldError(Exception):
    """The scaffold cannot be written; the message says why and what to do."""


def _descriptions(kind: str) -> dict[str, str]:
    return {item.path: item.description for item in fields(kind)}


def _scalar(value) -> str:
    """A YAML scalar for value, quoted only when it must be."""
    if value is None:
        return "null"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    text = str(value)
    document, problems = parse_yaml(f"v: {text}\n", "-")
    if not problems and document.value == {"v": text} and text == text.strip() and text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _block(entries: list[tuple[str, str, object]], indent: int, first_prefix: str = "") -> list[str]:
    """YAML lines: for each (field path, key, value) a comment with the field's meaning, then the field."""
    lines: list[str] = []
    pad = " " * indent
    for number, (description, key, value) in enumerate(entries):
        lead = first_prefix if number == 0 and first_prefix else pad
        if description:
            lines.append(f"{lead}# {description}")
            lead = pad
        if isinstance(value, list) and value and isinstance(value[0], list):  # nested block
            if key:
                lines.append(f"{lead}{key}:")
            lines.extend(value[0])
        else:
            lines.append(f"{lead}{key}: {_scalar(value)}")
    return lines


def claim_lines(claim_id: str, *, speaker: str = "", statement: str = "", said: dt.date | None = None,
                said_basis: str | None = None) -> list[str]:
    """One claim, as the lines of a list item under `claims:`."""
    about = _descriptions("article")
    values = [
        ("id", claim_id), ("statement", statement), ("original", None), ("form", "direct"), ("speaker", speaker),
        ("speaker_as_written", None), ("role", None), ("said", said), ("said_basis", said_basis),
        ("said_precision", "day"),
        ("context", None), ("topics", []), ("related", []), ("kind", "assertion"),
    ]
    entries = [(about.get(f"claims[].{key}", ""), key, value) for key, value in values]
    outcome = _block([(about.get("claims[].outcome.status", ""), "status", "unrated"),
                      (about.get("claims[].outcome.as_of", ""), "as_of", None),
                      (about.get("claims[].outcome.summary", ""), "summary", None),
                      (about.get("claims[].outcome.evidence", ""), "evidence", [])], 6)
    outcome += [
        "      # For example, a later claim in this archive, and a public record:",
        "      #   - claim: 2025-peskov-summit-meeting-put-end-settlement",
        "      #   - url: https://www.reuters.com/world/europe/...",
        "      #     title: Kremlin rules out Putin-Zelenskiy meeting",
        "      #     outlet: Reuters",
        "      #     date: 2025-07-25",
        "      #     note: One sentence on what this record shows.",
    ]
    entries.append((about.get("claims[].outcome", ""), "outcome", [outcome]))
    entries.append((about.get("claims[].corrections", ""), "corrections", []))
    entries.append(("", "", [_correction_example(about)]))
    entries.append((about.get("claims[].note", ""), "note", None))
    entries.append((about.get("claims[].review", ""), "review", "draft"))
    return _block(entries, 4, first_prefix="  - ")


def _correction_example(about: dict[str, str]) -> list[str]:
    """Commented lines showing one entry of `corrections:`, each field explained."""
    return [
        "    # For example, when the archive had published the claim with the wrong speaker:",
        f"    #   # {about.get('claims[].corrections[].date', '')}",
        "    #   - date: 2025-09-02",
        f"    #     # {about.get('claims[].corrections[].wrong', '')}",
        "    #     wrong: The claim named Dmitry Peskov as the speaker.",
        f"    #     # {about.get('claims[].corrections[].changed', '')}",
        "    #     changed: The speaker is now Sergey Lavrov, as the article says.",
    ]


def article_from_url(url: str) -> dict:
    """What a web address tells about an article: outlet, date, a slug."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    outlet = next((name for domain, name in KNOWN_OUTLETS.items()
                   if host == domain or host.endswith("." + domain)), host or None)
    published = None
    for match in _URL_DATE.finditer(parts.path):   # /2025/08/19/ or 2025-08-19, the first real date
        try:
            published = dt.date(int(match[1]), int(match[2] or match[4]), int(match[3] or match[5]))
            break
        except ValueError:
            continue
    segments = [s for s in parts.path.split("/") if s and not s.isdigit() and not _DAY.fullmatch(s)]
    stem = re.sub(r"\.(html?|php|aspx?)$", "", segments[-1]) if segments else host
    return {"url": url, "outlet": outlet, "published": published,
            "published_basis": "url" if published else None, "slug": slugify(stem)[:80] or "article"}


# A date in a web address: /2025/08/19/, or 2025-08-19 as a segment or inside one.
_URL_DATE = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?:/([0-9]{1,2})/([0-9]{1,2})/|-([0-9]{2})-([0-9]{2})(?![0-9]))")
_DAY = re.compile(r"(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}")


def first_claim_id(slug: str, published: dt.date | None) -> str:
    """The id of a new sheet's first claim, as extraction makes them (year-speaker-words, the
    speaker `unknown` until an editor names one), from the words of the sheet's name without
    the date it may hold: 2025-unknown-putin-trump-summit-alaska."""
    from generator.extraction.claims import claim_id

    words = re.sub(rf"(?<![0-9]){_DAY.pattern}(?![0-9])", " ", slug).replace("-", " ")
    return claim_id(str(published.year) if published else "undated", "", words)


def article_sheet(*, title: str = "", outlet: str | None = None, url: str | None = None,
                  published: dt.date | None = None, published_basis: str | None = None,
                  seed: str | None = None, claim_id: str = "new-claim-1") -> str:
    """A whole claim sheet with every field present, each explained, and one empty claim."""
    about = _descriptions("article")
    quality = [] if published else ["missing-date"]
    values = [
        ("title", title), ("dek", None), ("outlet", outlet), ("url", url), ("published", published),
        ("published_basis", published_basis), ("byline", []), ("seed", seed), ("quality", quality), ("note", None),
    ]
    head = _block([(about.get(f"article.{key}", ""), key, value) for key, value in values], 2)
    lines = [
        "# yaml-language-server: $schema=../../../generator/schemas/article.schema.json",
        "# A claim sheet: one source article and the claims it reports.",
        "# After editing, run `hindsight check`; it says what is missing or wrong, and where.",
        f"# {about['article']}", "article:", *head,
        f"# {about['claims']}", "claims:", *claim_lines(claim_id),
    ]
    return "\n".join(lines) + "\n"


def sheet_path(content: Path, slug: str, published: dt.date | None) -> Path:
    return content / "articles" / (str(published.year) if published else "undated") / f"{slug}.yaml"


def person_lines(person_id: str, name: str, wikidata: str | None = None) -> list[str]:
    about = _descriptions("people")
    values = [("id", person_id), ("name", name), ("kind", "person"), ("aliases", []), ("roles", []),
              ("wikidata", wikidata), ("description", None), ("review", "draft")]
    return _block([(about.get(f"people[].{key}", ""), key, value) for key, value in values], 4,
                  first_prefix="  - ")


def topic_lines(topic_id: str, title: str, question: str) -> list[str]:
    about = _descriptions("topics")
    values = [("id", topic_id), ("title", title), ("question", question), ("description", None), ("terms", [])]
    return _block([(about.get(f"topics[].{key}", ""), key, value) for key, value in values], 4,
                  first_prefix="  - ")


def append_entry(path: Path, list_key: str, lines: list[str], entry_id: str) -> None:
    """Append a list item under the file's top-level `list_key`, keeping every byte already there.

    The file is re-read afterwards; if the new entry did not land as the list's last item
    (because the list is not the file's last field, say), the file is left as it was.
    """
    original = path.read_text("utf-8")
    document, problems = parse_yaml(original, str(path))
    if problems or not isinstance(document.value, dict):
        raise ScaffoldError(f"{path} has problems; run `hindsight check` and fix them first")
    items = document.value.get(list_key)
    text = original if original.endswith("\n") else original + "\n"
    if items in (None, []):
        text, count = re.subn(rf"(?m)^{list_key}:[ \t]*(\[\s*\])?[ \t]*$", f"{list_key}:", text, count=1)
        if not count:
            raise ScaffoldError(f"{path} has no top-level `{list_key}:` list")
    entry = "\n".join(lines) + "\n"
    alone, wrong = parse_yaml(f"{list_key}:\n{entry}", str(path))
    if wrong:   # the entry itself cannot be read back, wherever it goes: say why
        raise ScaffoldError(f"the new entry cannot be written to {path}: {wrong[0].message}"
                            + (f"; {wrong[0].hint}" if wrong[0].hint else ""))
    updated = text + entry
    check, problems = parse_yaml(updated, str(path))
    landed = (not problems and isinstance(check.value.get(list_key), list)
              and check.value[list_key][-1].get("id") == entry_id)
    if not landed:
        raise ScaffoldError(f"could not append to {path}: `{list_key}:` is not the file's last field; "
                            "move it to the end of the file and try again")
    write_text_atomically(path, updated)


# ---------------------------------------------------------------------------
# Transparency pages: what the IFCN Code of Principles asks a fact-checker's site to show.

# Page name (content/pages/<name>.md) -> its title; written by `hindsight new page`.
TRANSPARENCY_PAGES = {
    "corrections-policy": "Corrections policy",
    "funding": "Funding and ownership",
    "team": "Team",
    "contact": "Contact",
}
PAGE_SCAFFOLDS = Path(__file__).resolve().parent.parent / "templates" / "pages"
# Marks what an editor must still write in a scaffolded page; `unfinished` finds it.
PLACEHOLDER = "[EDITOR: write"

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def page_text(name: str, site: dict, pages: set[str]) -> str:
    """A transparency page's Markdown, from its scaffold in templates/pages/, filled in with
    the archive's settings (`site`: content/site.yaml's value) and the names of its other pages."""
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(PAGE_SCAFFOLDS), autoescape=False,
                                     keep_trailing_newline=True, undefined=jinja2.ChainableUndefined)
    environment.filters["text"] = lambda value: _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(value))
    contact = {"email": None, "form": None, **(site.get("contact") or {})}
    text = environment.get_template(f"{name}.md").render(site=site, contact=contact, pages=pages,
                                                         placeholder=PLACEHOLDER)
    return re.sub(r"\n{3,}", "\n\n", text.lstrip("\n"))


def unfinished(text: str) -> list[tuple[int, int]]:
    """(line, column) of each placeholder an editor has not yet replaced in a page's text."""
    return [(text.count("\n", 0, match.start()) + 1, match.start() - text.rfind("\n", 0, match.start()))
            for match in re.finditer(re.escape(PLACEHOLDER), text)]


def write_new_file(path: Path, text: str) -> bool:
    """Write `path` whole, only if nothing is there yet (not even a file another process wrote
    meanwhile): False, and nothing written, when it exists."""
    if path.exists() or path.is_symlink():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_text(text, "utf-8")
    try:
        os.link(temporary, path)   # fails when the name exists: never replaces an editor's file
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True


def transparency_warnings(pages_dir: Path, pages: dict[str, str]) -> list[Problem]:
    """`hindsight check`'s warnings before publishing: each transparency page the archive lacks,
    and each placeholder still in a page (`pages`: name -> Markdown, as the build reads them)."""
    found = []
    for name, title in TRANSPARENCY_PAGES.items():
        if name not in pages:
            found.append(Problem(str(pages_dir / f"{name}.md"), 1, 1,
                                 f"the archive has no {title} page, which readers of a fact-check archive look for",
                                 f"run `hindsight new page {name}`, then finish the page", "warning"))
    for name in sorted(pages):
        for line, column in unfinished(pages[name]):
            found.append(Problem(str(pages_dir / f"{name}.md"), line, column,
                                 "the page still holds a placeholder for the editors to fill in",
                                 "replace the [EDITOR: write …] text with your own words", "warning"))
    return found
