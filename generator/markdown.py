"""Safe Markdown: renders editors' Markdown (pages, summaries, notes) to HTML.

Consumes Markdown text from content files; produces HTML markup. Raw HTML in the source is
shown as text, and links or images whose address uses a scheme other than http(s), mailto
or a relative path (javascript:, data:, vbscript:, file: ...) lose their address.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

from generator.memory import cache_of_archive_text

SAFE_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
_IGNORED = re.compile(r"[\x00-\x20\x7f]+")


@cache_of_archive_text(maxsize=65_536)   # an article's address is shown on each of its claims' pages
def safe_href(url: str | None) -> str | None:
    """The address itself when it is safe to emit as a link, else None."""
    if url is None:
        return None
    squeezed = _IGNORED.sub("", url)
    if not squeezed:
        return None
    match = _SCHEME.match(squeezed)
    if match is None:
        # No scheme: a relative address, a fragment, or a protocol-relative //host link.
        return url if not squeezed.startswith("\\") else None
    return url if match.group(1).lower() in SAFE_SCHEMES else None


def _validate_link(url: str) -> bool:
    return safe_href(url) is not None


# Text with nothing Markdown would read as markup: no \ ` * _ [ ] < > & ~ | anywhere, one
# line, no leading or trailing space, and not starting like a heading, quote, list or rule.
# Most summaries and notes are such plain sentences; the parser took 0.6 ms for each.
_PLAIN_TEXT = re.compile(r"(?![#>=+\-]|\d{1,9}[.)](?: |$))[^\\`*_\[\]<>&~|\s]"
                         r"(?:[^\\`*_\[\]<>&~|\x00-\x1f\x7f]*[^\\`*_\[\]<>&~|\s])?")


def _plain(source: str) -> str | None:
    """The HTML of plain text, exactly as the parser would write it; None when the text may
    hold Markdown (then the parser decides)."""
    if _PLAIN_TEXT.fullmatch(source) is None:
        return None
    return source.replace('"', "&quot;")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = _validate_link
    return parser


def render_markdown(source: str | None) -> Markup:
    """Markdown to safe HTML; empty text gives empty markup."""
    if not source:
        return Markup("")
    plain = _plain(source)
    if plain is not None:
        return Markup(f"<p>{plain}</p>\n")
    return Markup(_parser().render(source))


@cache_of_archive_text(maxsize=65_536)   # a summary shows in a claim's entry on its article, speaker and question pages
def render_inline(source: str | None) -> Markup:
    """One paragraph of Markdown without the surrounding <p>: for summaries and notes in lists."""
    if not source:
        return Markup("")
    plain = _plain(source)
    if plain is not None:
        return Markup(plain)
    return Markup(_parser().renderInline(source))


def first_heading(source: str) -> str | None:
    """The text of the first level-one heading, used as a page's title."""
    tokens = _parser().parse(source)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            return tokens[index + 1].content
    return None


def markdown_as_text(source: str | None) -> str:
    """The words of one paragraph of Markdown without its markup ("**not** [seen](url)" ->
    "not seen"): for metadata and feeds, which show text, not HTML."""
    return render_inline(source).striptags() if source else ""
