"""Dating stage: finds when a statement was made from the time phrase around it ("on
Tuesday", "last month", "in June", "on March 17", "mid-November", "earlier this month",
"last week"), resolved against the article's publication date.

Consumes a piece of text (the words around the speech verb, outside the quotation) and a
publication date; produces `SaidDate(day, basis, precision)`. A phrase naming a period
resolves to its first day (mid-month to the 15th, late month to the 20th), the convention an
editor can correct, and its precision says so ("month": "in June"; "about": "last week";
"year": "last year") so the site shows "June 2025", not a day nobody named. A weekday is the publication day itself when it matches, else the latest
one before. With no phrase the publication date is used (basis `published`); with no
publication date the day is unknown (None) and the phrase is kept for the editor.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name[:3]: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), start=1)}
MONTHS["sep"] = 9
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_MONTH = (r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
          r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)")
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORDINAL = r"(?:st|nd|rd|th)?"

# Most specific first; each has a name the resolver dispatches on.
PHRASES = [
    ("ymd", re.compile(rf"\b(?:(?i:on)\s+)?(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}}),\s+(?P<year>(?:19|20)\d\d)\b")),
    ("md", re.compile(rf"\b(?:(?i:on)\s+)?(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s*\d)")),
    ("dmy", re.compile(rf"\b(?:(?i:on)\s+)?(?:(?i:the)\s+)?(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:(?i:of)\s+)?"
                       rf"(?P<mon>{_MONTH}),?\s+(?P<year>(?:19|20)\d\d)\b")),
    ("dm", re.compile(rf"\b(?:(?i:on)\s+)?(?:(?i:the)\s+)?(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:(?i:of)\s+)?"
                      rf"(?P<mon>{_MONTH})\b")),
    ("weekday", re.compile(rf"\b(?:(?i:on|last|this|early|late|connected)\s+)?(?P<weekday>{_WEEKDAY})(?:\s+(?:morning|afternoon|evening|night))?\b")),
    ("yesterday", re.compile(r"\byesterday\b", re.I)),
    ("earlier-week", re.compile(r"\b(?:earlier|early) this week\b", re.I)),
    ("today", re.compile(r"\b(?:today|this week|this morning|tonight|earlier today)\b", re.I)),
    ("last-week", re.compile(r"\blast week\b", re.I)),
    ("this-month", re.compile(r"\bearlier this month\b|\bthis month\b", re.I)),
    ("last-month", re.compile(r"\blast month\b", re.I)),
    ("part-month", re.compile(rf"\b(?P<part>mid|early|late)[- ](?P<mon>{_MONTH})\b", re.I)),
    ("in-month", re.compile(rf"\b(?i:in|since|during|by|successful)\s+(?P<mon>{_MONTH})(?:\s+(?P<year>(?:19|20)\d\d))?\b")),
    ("last-year", re.compile(r"\blast year\b", re.I)),
]


@dataclass(frozen=True)
class SaidDate:
    day: dt.date | None
    basis: str | None  # the phrase, or "published"
    precision: str = "day"  # day, month, year, or about (a week, "mid-November", "several weeks")


def precision(kind: str, phrase: str) -> str:
    """How exactly a phrase of this kind names the day."""
    if kind in ("this-month", "last-month", "in-month"):
        return "month"
    if kind == "last-year":
        return "year"
    if kind in ("last-week", "part-month", "earlier-week") or (kind == "today" and "week" in phrase.lower()):
        return "about"
    return "day"


def _month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")[:3]]


def _latest(month: int, day: int, published: dt.date, upcoming: bool = False) -> dt.date | None:
    """The latest date with this month and day on or before publication; with `upcoming`, None
    for a day in the weeks just after it ("a visit on June 8" in an article of June 1 is to
    come, not a year back)."""
    for year in (published.year, published.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            return None
        if candidate <= published:
            return candidate
        if upcoming and (candidate - published).days <= UPCOMING_DAYS:
            return None
    return None


UPCOMING_DAYS = 45


def resolve(kind: str, match: re.Match, published: dt.date) -> dt.date | None:
    """The day a matched time phrase points to, seen from the publication date."""
    if kind in ("ymd", "dmy"):
        try:
            return dt.date(int(match["year"]), _month_number(match["mon"]), int(match["day"]))
        except ValueError:
            return None
    if kind in ("md", "dm"):
        return _latest(_month_number(match["mon"]), int(match["day"]), published, upcoming=True)
    if kind == "weekday":
        target = WEEKDAYS.index(match["weekday"].lower())
        back = (published.weekday() - target) % 7
        return published - dt.timedelta(days=back)
    if kind == "yesterday":
        return published - dt.timedelta(days=1)
    if kind == "today":
        return published
    if kind == "last-week":
        return published - dt.timedelta(days=7)
    if kind == "earlier-week":
        # some day before publication in the same week: its Monday (the day before, on a Monday)
        monday = published - dt.timedelta(days=published.weekday())
        return monday if monday < published else published - dt.timedelta(days=1)
    if kind == "this-month":
        return published.replace(day=1)
    if kind == "last-month":
        first = published.replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=1)
    if kind == "part-month":
        day = {"mid": 15, "early": 1, "late": 20}[match["part"].lower()]
        month = _month_number(match["mon"])
        if month == published.month and day > published.day:
            return published  # "mid-November" in an article of 12 November: this month, by then
        return _latest(month, day, published)
    if kind == "in-month":
        month = _month_number(match["mon"])
        if match["year"]:
            return dt.date(int(match["year"]), month, 1)
        return _latest(month, 1, published)
    if kind == "last-year":
        return dt.date(published.year - 1, 1, 1)
    return None


_WEEKDAY_SHORT = r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.?"
_CALENDAR = [
    re.compile(rf"(?:(?:{_WEEKDAY}|{_WEEKDAY_SHORT}),?\s+)?(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<mon>{_MONTH}),?"
               rf"\s+(?P<year>(?:19|20)\d\d)", re.I),
    re.compile(rf"(?:(?:{_WEEKDAY}|{_WEEKDAY_SHORT}),?\s+)?(?P<mon>{_MONTH})\s+(?P<day>\d{{1,2}}){_ORDINAL},?"
               rf"\s+(?P<year>(?:19|20)\d\d)", re.I),
]
# What may follow the date on a dateline: a time and a time zone ("| 10:42 am BST").
_TIME_AFTER = re.compile(r"[\s,|·•–—-]*(?:(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?\s?m\.?)?\s*(?:[A-Z]{2,5}(?:[+-]\d+)?)?)?"
                         r"\s*$", re.I)


def calendar_date(line: str) -> dt.date | None:
    """The date a dateline gives however it is written: "Thu 22nd April 2021", "22nd April,
    2021", "Thursday, April 22nd, 2021 10:42 am"; None when the line is anything else."""
    text = re.sub(r"^(?:published|updated|posted|last updated|date)\s*:?\s*(?:on\s+)?", "", line.strip(), flags=re.I)
    for pattern in _CALENDAR:
        match = pattern.match(text)
        if match and _TIME_AFTER.match(text, match.end()):
            try:
                return dt.date(int(match["year"]), _month_number(match["mon"]), int(match["day"]))
            except ValueError:
                return None
    return None


def find_phrases(text: str) -> list[tuple[int, str, re.Match]]:
    """Every time phrase in the text as (position, kind, match), without overlaps, in order."""
    found: list[tuple[int, str, re.Match]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PHRASES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append((start, kind, match))
    found.sort(key=lambda item: item[0])
    return found


def said_date(text: str, published: dt.date | None, anchor: int | None = None,
              blocked: dict[int, int] | None = None) -> SaidDate:
    """When a statement was made, from the time phrase in `text` nearest to `anchor`
    (the speech verb's position in `text`); the publication date when there is none.

    Phrases starting at a `blocked` position (words that belong to another verb) are used
    only when there is no other."""
    blocked = blocked or {}
    phrases = [item for item in find_phrases(text) if _blocked(item, blocked) < 2]
    if phrases:
        if anchor is not None:
            phrases.sort(key=lambda item: (_blocked(item, blocked), abs(item[0] - anchor), item[0]))
        _, kind, match = phrases[0]
        phrase = match[0].strip()
        if published is None:
            return SaidDate(None, phrase)
        day = resolve(kind, match, published)
        if day is not None and day <= published:
            return SaidDate(day, phrase, precision(kind, phrase))
    if published is None:
        return SaidDate(None, None)
    return SaidDate(published, "published")


def _blocked(item: tuple[int, str, re.Match], blocked: dict[int, int]) -> int:
    start, _, match = item
    return max([tier for position, tier in blocked.items() if start <= position < match.end()] or [0])
