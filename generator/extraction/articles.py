"""Reading stage: turns the plain text of a seed (an article copied from the web) into a
`SourceArticle`: title, dek, byline, outlet, web address, publication date, body
paragraphs and quality flags.

Consumes text only (no language model); produces the article with everything that is not
the article dropped (photo captions and credits, author bios, comment forms, share-button
and aggregator residue) and the source's damage named (spun text, stripped diacritics,
missing date, outlet or web address, web junk).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from generator.extraction.dates import MONTHS, calendar_date

# Hosts of outlets met in the archive's sources; other hosts are shown as the host name.
OUTLETS = {
    "nytimes.com": "The New York Times",
    "nationalinterest.org": "The National Interest",
    "reuters.com": "Reuters",
    "apnews.com": "Associated Press",
    "bbc.com": "BBC News",
    "bbc.co.uk": "BBC News",
    "theguardian.com": "The Guardian",
    "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal",
    "cnn.com": "CNN",
    "rt.com": "RT",
    "tass.com": "TASS",
    "aljazeera.com": "Al Jazeera",
    "kyivindependent.com": "The Kyiv Independent",
    "politico.com": "Politico",
    "politico.eu": "Politico Europe",
    "france24.com": "France 24",
    "dw.com": "DW",
    "euronews.com": "Euronews",
    "ft.com": "Financial Times",
    "bloomberg.com": "Bloomberg",
    "npr.org": "NPR",
    "foxnews.com": "Fox News",
    "nbcnews.com": "NBC News",
    "cbsnews.com": "CBS News",
    "abcnews.go.com": "ABC News",
    "themoscowtimes.com": "The Moscow Times",
    "kyivpost.com": "Kyiv Post",
    "ukrinform.net": "Ukrinform",
    "pravda.com.ua": "Ukrainska Pravda",
}
KNOWN_OUTLET_NAMES = sorted(set(OUTLETS.values()), key=len, reverse=True)

URL = re.compile(r"https?://[^\s<>\]\)\"']+")

# Limits that keep a seed that is not an article (a database dump, a whole website) from
# running for hours or drafting a sheet the checker refuses.
MAX_SEED_BYTES = 2 * 1024 * 1024      # far above any news article: a larger file is not one article
MAX_TITLE = 300                       # the schema allows 500 characters
MAX_PARAGRAPH = 50_000                # longer "paragraphs" are data, not prose

# Invisible characters copied in from the web: control characters (not tab or line breaks),
# bidirectional overrides and isolates, non-characters. They are removed (and counted), and
# Unicode line and paragraph separators become line breaks, so a drafted sheet never holds
# what `hindsight check` refuses. Kept in step with generator.readers.INVISIBLE.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069"
                        "\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")

# The commonest English words: a quarter of any English prose, almost none of other languages.
_ENGLISH_WORDS = frozenset("the of and to a in is that for on with as was were said says by it at from he she "
                           "his her be has have had are not this will would they we".split())

# Lines that are web furniture, not the article.
_JUNK_LINE = re.compile(
    r"^(?:\[?disclaimer\]?|read (?:the )?entire article|read more|read the rest(?: here)?\.?|"
    r"share(?: this(?: article)?)?:?|tweet|facebook|twitter|whatsapp|telegram|linkedin|email|print|"
    r"copy link|advertisement|supported by|source:?|related:?|comments?|post comment|"
    r"\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?) ago(?: \d+)?|"
    r"click to share on .*|share on .*)$",
    re.IGNORECASE,
)
# Links to other articles and the page's widgets, copied in between paragraphs ("Read also:
# Zelensky says ...", "Sign up for our newsletter"): never part of the article, and never glued
# onto the paragraph after them.
_LINK_LINE = re.compile(
    r"^(?:(?:read|see) also\b|also read\b|read more\b|more from\b|recommended\b|most read\b|trending now\b|"
    r"(?:related|more|watch|listen|video|live|latest|opinion|explainer|analysis)\s*[:|–—]\s|"
    r"(?:sign up|subscribe) (?:to|for) (?:our|the) |follow us on\b|click here\b|continue reading\b|"
    r"share (?:full article|this story)\b|listen to this article\b|skip to\b|"
    r"(?:image|media|video) caption\b|copyright\b|©|all rights reserved\b|editor['’]s note:)",
    re.IGNORECASE,
)
# A byline repeated inside the body: "By Jane Doe and John Roe".
_BODY_BYLINE = re.compile(r"^By (?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
                          r"April|May|June|July|August|September|October|November|December|Then|Now|Law)\b)"
                          r"(?:[A-Z][\w'’.-]+ ?){1,4}(?:(?:,| and) (?:[A-Z][\w'’.-]+ ?){1,4})*$")
# Junk that marks a copy scraped by an aggregator or a page with a comment form.
_WEB_JUNK = re.compile(
    r"^(?:\[?disclaimer\]?|read entire article|leave a reply|leave a comment|"
    r"\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?) ago(?: \d+)?)$",
    re.IGNORECASE,
)
# From here on, everything is a comment form.
_COMMENT_FORM = re.compile(r"^(?:leave a reply|leave a comment|add a comment|\d+ comments?)\b", re.IGNORECASE)
_COMMENT_FORM_TEXT = re.compile(
    r"your email address will not be published|required fields are marked|save my name, email|"
    r"^(?:name|email|website|comment)\s*\*?$|^post comment$",
    re.IGNORECASE,
)
_CREDIT = re.compile(r"Credit\s*\.\.\.|Credit…|Photograph:|Photo:|Image:", re.IGNORECASE)
_AGENCY = (r"(?:Getty Images|Reuters|Associated Press|AP|AFP|Agence France-Presse|EPA|Shutterstock|"
           r"Sputnik|TASS|Bloomberg|Pool|Kremlin|Anadolu(?: Agency)?)")
_NAME_WORD = r"[A-Z][\w'’.-]*"
# "Kirill Kudryavtsev/Agence France-Presse — Getty Images", "David Guttenfelder for The New York Times"
_PHOTO_CREDIT = re.compile(
    rf"^(?:{_NAME_WORD}(?: {_NAME_WORD}){{0,4}})(?:/| for | via ){_NAME_WORD}[\w'’. -]*(?:\s*[—-]\s*[\w'’. -]+)?$"
    rf"|^(?:{_NAME_WORD}(?: {_NAME_WORD}){{0,4}})/{_AGENCY}.*$"
)
_BIO = re.compile(
    r"^(?P<name>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]*){1,3}) (?:is|was|covers) (?:a|an|the) "
    r"(?:[\w-]+ ){0,4}(?:reporter|correspondent|writer|editor|columnist|journalist|bureau chief|contributor)\b"
)
_CONTRIBUTED = re.compile(r"^[A-Z][\w'’. ,-]+ contributed (?:reporting|research)\b.*$")
_BYLINE_BY = re.compile(r"^By (?P<names>[A-Z].+)$")
_NAMES_ONLY = re.compile(r"^(?:[A-Z][a-z'’-]+(?: [A-Z]\.)?(?: [A-Z][a-z'’-]+)+)+$")
_SEPARATOR = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")

# Datelines on a line of their own.
_MON = r"(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINES = [
    re.compile(r"^(?:date|published|updated|posted)?\s*:?\s*(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b", re.I),
    re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)$"),
    re.compile(rf"^(?:(?:published|updated|posted)\s*:?\s*)?(?:\w+day,?\s+)?{_MON}\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"^(?:(?:published|updated|posted)\s*:?\s*)?(?P<d>\d{{1,2}})\s+{_MON},?\s+(?P<y>\d{{4}})\b", re.I),
]
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?:/|$)")
_URL_DATE_DASHED = re.compile(r"/(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)(?:/|-|$)")
_TITLE_OUTLET = re.compile(r"^(?P<title>.+?)\s+[-|–—]\s+(?P<outlet>The [A-Z][\w ]+|[A-Z][\w.]+(?: [A-Z][\w.]+){0,3})$")
_CREDIT_OUTLET = re.compile(r"(?:Credit\s*\.\.\.|/| for )(?P<outlet>The New York Times|The Washington Post|"
                            r"The Wall Street Journal|The Guardian)\b")

# Synonym spinners replace common words with dictionary "synonyms"; these are the tell-tale
# substitutions (he -> helium, in -> successful, on -> connected, at -> astatine, as -> arsenic).
_SPIN_MARKS = [
    re.compile(p) for p in (
        r"\bhelium (?:said|says|would|had|has|added|is|was|did)\b",
        r"\bberyllium\b",
        r"\bastatine\b",
        r"\bsuccessful (?:the|a|an|his|her|its|their|Ukraine|Russia|Moscow|Kyiv|20\d\d|January|February|"
        r"March|April|May|June|July|August|September|October|November|December)\b",
        r"\bconnected (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|the|a|an|Feb|his|her)\b",
        r"\barsenic (?:well|far|good|agelong|portion|they|it)\b",
        r"\bne'er\b",
        r"\bperson (?:been|said|made|expressed|contemplated|deprived)\b",
        r"\bindispensable (?:travel|springiness)\b",
        r"\bimmoderate\b",
        r"\bantecedently\b",
    )
]


@dataclass
class SourceArticle:
    """An article as recovered from a seed's plain text."""

    seed: str  # seeds/NAME.txt
    title: str
    dek: str | None = None
    byline: list[str] = field(default_factory=list)
    outlet: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_basis: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    quality: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # lines that were not the article
    warnings: list[str] = field(default_factory=list)


def _valid_date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def date_from_url(url: str) -> dt.date | None:
    path = urlsplit(url).path
    for pattern in (_URL_DATE, _URL_DATE_DASHED):
        match = pattern.search(path)
        if match:
            day = _valid_date(match["y"], match["m"], match["d"])
            if day:
                return day
    return None


def dateline(line: str) -> dt.date | None:
    """The date of a line that is a dateline ("Dec. 2, 2022, 7:54 p.m. ET", "20220601",
    "9 Dec, 2019", "date 2025-05-13"), else None."""
    text = line.strip()
    if len(text) > 60:
        return None
    for pattern in _DATELINES:
        match = pattern.match(text)
        if not match:
            continue
        groups = match.groupdict()
        month = groups.get("m") or str(MONTHS[groups["mon"].lower()[:3]])
        day = _valid_date(groups["y"], month, groups["d"])
        if day:
            return day
    return calendar_date(text)  # "Thu 22nd April 2021", "22nd April, 2021"


def outlet_from_url(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    parts = host.split(".")
    for start in range(len(parts) - 1):
        candidate = ".".join(parts[start:])
        if candidate in OUTLETS:
            return OUTLETS[candidate]
    return host or None


def split_names(line: str) -> list[str]:
    """Authors from a byline line: "By A and B", "A, B", or names run together ("Michael CrowleyMichael D. Shear")."""
    match = _BYLINE_BY.match(line)
    text = match["names"] if match else line
    text = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", "\n", text)  # names run together when links were stripped
    names = re.split(r"\n|,\s*|\s+and\s+|\s*&\s*", text)
    return [name.strip() for name in names if name.strip()]


def is_spun(text: str) -> bool:
    """True when the text carries several tell-tale substitutions of a synonym spinner."""
    hits = sum(len(pattern.findall(text)) for pattern in _SPIN_MARKS)
    return hits >= 3


def has_stripped_diacritics(text: str, names: list[str]) -> bool:
    """True when a known name with accents or an apostrophe-s appears with those characters lost
    ("Mevlt avuolu" for Mevlüt Çavuşoğlu, "Lavrovs" for Lavrov's)."""
    for name in names:
        if name.isascii():
            continue
        stripped = "".join(ch for ch in name if ch.isascii()).strip()
        stripped = re.sub(r"\s+", " ", stripped)
        if len(stripped) >= 4 and stripped in text and name not in text:
            return True
    lost_apostrophes = 0
    for name in names:
        surname = name.split()[-1]
        if surname.isascii() and len(surname) >= 4 and surname[0].isupper() and not surname.endswith("s"):
            lost_apostrophes += len(re.findall(rf"\b{re.escape(surname)}s\b", text))
    return lost_apostrophes >= 2


def reads_as_english(text: str) -> bool:
    """False when the text is long enough to tell and is not English (the language model and
    the speech verbs extraction knows are English only)."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 12:
        return True
    return sum(word in _ENGLISH_WORDS for word in words) / len(words) >= 0.08


def _is_caption_candidate(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 45


@dataclass
class _Reading:
    """What is learnt of an article while its lines are read, phase by phase."""

    lines: list[str] = field(default_factory=list)  # kept lines; "" where one was taken out, "---" separators
    dropped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    url: str | None = None
    junk_seen: bool = False
    title_index: int = 0
    title: str = ""
    outlet: str | None = None
    published: dt.date | None = None
    basis: str | None = None
    byline: list[str] = field(default_factory=list)
    dek: str | None = None


def read_article(text: str, seed: str, known_names: list[str] | None = None) -> SourceArticle:
    """Recover an article from a seed's plain text.

    `known_names` (speakers' names and aliases) let the reader recognise names whose
    accents were lost.
    """
    reading = _Reading()
    _clean_lines(reading, text)
    nonblank = [i for i, line in enumerate(reading.lines) if line and line != "---"]
    if not nonblank:
        raise ValueError("the seed has no text")
    _title(reading, nonblank[0])
    if reading.url:
        reading.published = date_from_url(reading.url)
        reading.basis = "url" if reading.published else None
    _header(reading, nonblank)
    paragraphs = _paragraphs(reading, _body(reading))
    if reading.url and reading.outlet is None:
        reading.outlet = outlet_from_url(reading.url)
    if reading.outlet is None:
        for paragraph in paragraphs:
            match = re.search(r"\s[-–—]\s(The New York Times|The Washington Post|Reuters|Associated Press)\s*$",
                              paragraph)
            if match:
                reading.outlet = match[1]
                break
    full_text = "\n".join(paragraphs)
    if not reads_as_english(reading.title + "\n" + full_text):
        reading.warnings.append("the text does not read as English, and extraction reads English only: "
                                "add its claims by hand")
    return SourceArticle(seed=seed, title=reading.title, dek=reading.dek, byline=reading.byline,
                         outlet=reading.outlet, url=reading.url, published=reading.published,
                         published_basis=reading.basis, paragraphs=paragraphs,
                         quality=_quality(reading, full_text, known_names or []), dropped=reading.dropped,
                         warnings=reading.warnings)


def _clean_lines(reading: _Reading, text: str) -> None:
    """The text's lines without invisible characters, web junk, comment forms, link lines and
    body bylines; the article's address taken from a line that is only a URL."""
    text, removed = _INVISIBLE.subn("", _LINE_BREAKS.sub("\n", text))
    if removed:
        reading.warnings.append(f"{removed} invisible control character{'s' * (removed != 1)} removed from the text")
    raw_lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    dropped, lines = reading.dropped, reading.lines
    in_comment_form = False
    for line in raw_lines:
        if in_comment_form:
            if line:
                dropped.append(line)
            continue
        if _COMMENT_FORM.match(line):
            in_comment_form = True
            reading.junk_seen = True
            dropped.append(line)
            continue
        bare = line.strip("<> ")
        if URL.fullmatch(bare):
            reading.url = reading.url or bare
            dropped.append(line)
            continue
        if line and (_LINK_LINE.match(line) and (len(line.split()) <= 30 or line.lower().startswith("editor"))
                     or _BODY_BYLINE.match(line) and lines and any(lines)):
            dropped.append(line)
            continue
        if line and (_JUNK_LINE.match(line) or _COMMENT_FORM_TEXT.search(line)):
            reading.junk_seen = reading.junk_seen or bool(_WEB_JUNK.match(line)) \
                or bool(_COMMENT_FORM_TEXT.search(line))
            dropped.append(line)
            continue
        if _SEPARATOR.match(line):
            lines.append("---")
            continue
        lines.append(line)


def _title(reading: _Reading, title_index: int) -> None:
    """The title: the first non-empty line, without a Markdown heading mark or a known
    outlet's name after it ("... - Reuters"), cut when too long for a headline."""
    reading.title_index = title_index
    title = re.sub(r"^#+\s*", "", reading.lines[title_index]).strip()
    if len(title) > MAX_TITLE:
        title = title[:MAX_TITLE].rsplit(" ", 1)[0].rstrip() + "…"
        reading.warnings.append(f"the first line is too long for a headline; the title was cut to {len(title)} "
                                "characters: check it")
    match = _TITLE_OUTLET.match(title)
    if match and any(match["outlet"] == name for name in KNOWN_OUTLET_NAMES):
        title, reading.outlet = match["title"].strip(), match["outlet"]
    reading.title = title


def _header(reading: _Reading, nonblank: list[int]) -> None:
    """Dek, byline, dateline and captions: the lines after the title up to the last header
    marker (caption, credit, byline, dateline, separator) before the body starts. They are
    blanked out of the lines."""
    lines, dropped = reading.lines, reading.dropped
    header_end = reading.title_index  # index of the last header line
    candidates: list[int] = []
    for i in nonblank[1:8]:
        line = lines[i]
        if len(line.split()) >= 35 or re.search(r"[“”\"]", line) or re.match(r"^[A-Z][A-Z .,'-]+ [—-] ", line):
            break  # the body has started
        day = dateline(line)
        if day:
            if reading.published is None:
                reading.published, reading.basis = day, "dateline"
            header_end = i
            dropped.append(line)
            lines[i] = ""
            continue
        if _CREDIT.search(line):
            header_end = i
            continue
        if _PHOTO_CREDIT.match(line):
            continue  # bare photo credits also sit between body paragraphs: they do not end a header
        if _NAMES_ONLY.match(line.replace(" ", " ")) or _BYLINE_BY.match(line):
            if len(line.split()) <= 12:
                reading.byline = split_names(line)
                header_end = i
                dropped.append(line)
                lines[i] = ""
                continue
        candidates.append(i)
    # a "---" right after the header also ends it
    following = [i for i in range(header_end + 1, min(len(lines), header_end + 4)) if lines[i] == "---"]
    if following:
        header_end = following[0]
    header_lines = [i for i in candidates if i < header_end]
    if header_lines:
        # The first text line after the title is the dek; the rest before the body are captions.
        reading.dek = lines[header_lines[0]]
        dropped.append(reading.dek)
        lines[header_lines[0]] = ""
        for i in header_lines[1:]:
            if _is_caption_candidate(lines[i]):
                dropped.append(lines[i])
                lines[i] = ""
    lines[reading.title_index] = ""


def _body(reading: _Reading) -> list[str]:
    """The body's lines ("" between paragraphs), without credits, an author's bio at the end
    and contribution notes; the outlet, byline and dateline they give are kept."""
    lines, dropped = reading.lines, reading.dropped
    body: list[str] = []
    for i, line in enumerate(lines):
        if not line or line == "---":
            body.append("")
            continue
        if _CREDIT.search(line) or _PHOTO_CREDIT.match(line):
            if reading.outlet is None:
                credit = _CREDIT_OUTLET.search(line)
                if credit:
                    reading.outlet = credit["outlet"]
            dropped.append(line)
            body.append("")
            continue
        bio = _BIO.match(line)
        if bio and i > len(lines) // 2:
            if not reading.byline:
                reading.byline = [bio["name"]]
            dropped.append(line)
            body.append("")
            continue
        if _CONTRIBUTED.match(line):
            dropped.append(line)
            body.append("")
            continue
        if reading.published is None and i <= reading.title_index + 6:
            day = dateline(line)
            if day:
                reading.published, reading.basis = day, "dateline"
                dropped.append(line)
                body.append("")
                continue
        body.append(line)
    return body


def _paragraphs(reading: _Reading, body: list[str]) -> list[str]:
    """The body's paragraphs, rejoined where a copy broke them, without any too long to be one."""
    paragraphs = []
    for paragraph in _join_broken_paragraphs([line for line in body if line]):
        if len(paragraph) > MAX_PARAGRAPH:
            reading.warnings.append(f"a paragraph of {len(paragraph):,} characters was left out: "
                                    f"article paragraphs are under {MAX_PARAGRAPH:,}")
            continue
        paragraphs.append(paragraph)
    return paragraphs


def _quality(reading: _Reading, full_text: str, known_names: list[str]) -> list[str]:
    """The flags an editor sees on the sheet: spun text, lost accents, missing date, outlet or URL, web junk."""
    quality: list[str] = []
    if is_spun(full_text):
        quality.append("spun-text")
    if has_stripped_diacritics(full_text + "\n" + reading.title, known_names):
        quality.append("stripped-diacritics")
    if reading.published is None:
        quality.append("missing-date")
    if reading.outlet is None:
        quality.append("missing-outlet")
    if reading.url is None:
        quality.append("missing-url")
    if reading.junk_seen:
        quality.append("web-junk")
    return quality


_TERMINAL = re.compile(r"[.?!:;\"”’)\]…]$")


def _join_broken_paragraphs(paragraphs: list[str]) -> list[str]:
    """Rejoin paragraphs that a copy split mid-sentence ("...in exchange for the" / "White House meeting")."""
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined:
            previous = joined[-1]
            starts_lower = paragraph[:1].islower()
            unfinished = not _TERMINAL.search(previous) and len(previous.split()) >= 8
            if starts_lower and not _TERMINAL.search(previous) or unfinished:
                joined[-1] = previous + " " + paragraph
                continue
        joined.append(paragraph)
    return joined
