"""The archive's model: plain dataclasses for site settings, speakers, questions,
source articles, claims and their outcomes.

Every stage speaks in these types: `readers` produce them from `content/`,
`linking` relates them, `pages` render them. Nothing here does I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

KINDS = ("assertion", "prediction", "promise", "position", "opinion")
FORMS = ("direct", "indirect", "mixed")
REJECTED = "rejected"  # a claim an editor struck out: kept in its sheet, left off the site
QUALITY_FLAGS = (
    "spun-text",
    "stripped-diacritics",
    "missing-date",
    "missing-outlet",
    "missing-url",
    "web-junk",
    "truncated",
)

UNRATED = "unrated"

# Each kind of claim is rated on its own scale, best first; every kind may stay unrated.
STATUS_SCALES: dict[str, tuple[str, ...]] = {
    "assertion": ("accurate", "partly-accurate", "inaccurate", "unverifiable"),
    "prediction": ("came-true", "partly-came-true", "did-not-come-true", "too-early"),
    "promise": ("kept", "compromise", "broken", "stalled", "in-the-works"),
    "position": ("held", "shifted", "reversed"),
    "opinion": (),
}

# Words a reader sees for each status.
STATUS_LABELS = {
    "accurate": "Accurate",
    "partly-accurate": "Partly accurate",
    "inaccurate": "Inaccurate",
    "unverifiable": "Unverifiable",
    "came-true": "Came true",
    "partly-came-true": "Partly came true",
    "did-not-come-true": "Did not come true",
    "too-early": "Too early to tell",
    "kept": "Promise kept",
    "compromise": "Compromise",
    "broken": "Promise broken",
    "stalled": "Stalled",
    "in-the-works": "In the works",
    "held": "Position held",
    "shifted": "Position shifted",
    "reversed": "Position reversed",
    UNRATED: "Not rated",
}


def slugify(text: str) -> str:
    """A lower-case, hyphenated form of `text` fit for ids and file names (accents folded,
    apostrophes dropped: "Russia's" gives "russias"; dashes separate words:
    "Putin–Zelenskyy" gives "putin-zelenskyy")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    plain = re.sub(r"['’]", "", plain)
    plain = re.sub(r"[^\w]+|_", " ", plain)          # dashes and punctuation separate words
    plain = plain.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def statuses_for(kind: str) -> tuple[str, ...]:
    """The statuses a claim of this kind may carry."""
    return STATUS_SCALES.get(kind, ()) + (UNRATED,)


@dataclass(frozen=True)
class Role:
    title: str
    organisation: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def held_on(self, day: dt.date | None) -> bool:
        if day is None:
            return False
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass
class Person:
    id: str
    name: str
    kind: str = "person"  # or "organisation" for the Kremlin, the State Department, ...
    aliases: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    wikidata: str | None = None
    description: str | None = None
    review: str = "reviewed"

    def role_on(self, day: dt.date | None) -> Role | None:
        for role in self.roles:
            if role.held_on(day):
                return role
        return None


@dataclass
class Topic:
    id: str
    title: str
    question: str
    description: str | None = None
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """A later claim in this archive, or a public-record link, that shows an outcome."""

    claim: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    date: dt.date | None = None
    note: str | None = None


@dataclass
class Outcome:
    status: str = UNRATED
    as_of: dt.date | None = None
    summary: str | None = None
    evidence: tuple[Evidence, ...] = ()

    @property
    def rated(self) -> bool:
        return self.status != UNRATED


@dataclass(frozen=True)
class Correction:
    """An entry of a claim's `corrections:`: the archive itself got something wrong."""

    date: str | None    # YYYY-MM-DD as written
    wrong: str | None   # what was wrong
    changed: str | None  # what changed


@dataclass
class Claim:
    id: str
    statement: str
    form: str
    speaker: str
    said: dt.date | None
    kind: str
    review: str = "draft"
    speaker_as_written: str | None = None
    role: str | None = None
    said_basis: str | None = None
    said_precision: str = "day"  # day, month, year, or about: how exactly `said` is known
    context: str | None = None
    topics: tuple[str, ...] = ()
    related: tuple[str, ...] = ()  # ids of claims an editor confirmed say the same or answer it
    suggested_related: tuple[str, ...] = ()  # extraction's candidates for `related`, never published
    outcome: Outcome = field(default_factory=Outcome)
    corrections: tuple[Correction, ...] = ()  # where the archive itself got the claim wrong, and what changed
    note: str | None = None
    article: str = ""  # slug of the article the claim was published in
    original: str | None = None  # the words as the original article gives them, when the copy is damaged


@dataclass
class Article:
    slug: str
    title: str
    outlet: str | None
    published: dt.date | None
    seed: str | None
    source: str = ""  # the claim sheet's path, relative to the content folder's parent
    dek: str | None = None
    url: str | None = None
    published_basis: str | None = None
    byline: tuple[str, ...] = ()
    seed_sha256: str | None = None
    quality: tuple[str, ...] = ()
    note: str | None = None
    claims: list[Claim] = field(default_factory=list)


@dataclass
class Publisher:
    name: str
    url: str


@dataclass
class Site:
    title: str
    description: str
    language: str
    base_url: str
    publisher: Publisher


@dataclass
class Archive:
    """Everything under `content/`, loaded and validated."""

    site: Site
    people: dict[str, Person]
    topics: dict[str, Topic]
    articles: list[Article]
    pages: dict[str, str] = field(default_factory=dict)  # slug -> Markdown source
    # Whether claims not yet reviewed are in it (the live preview's), or only reviewed ones
    # (a build for publishing: `review.reviewed_only`).
    drafts_shown: bool = True

    def claims(self) -> list[Claim]:
        return [claim for article in self.articles for claim in article.claims]

    def article(self, slug: str) -> Article:
        for article in self.articles:
            if article.slug == slug:
                return article
        raise KeyError(slug)
