"""Rendering stage: plans every HTML page of the site and renders each one to bytes.

Consumes the `Archive` and its `Links`; produces `Page` plans (an output path, a template
and the values it shows) and, through `render_page`, the bytes of each page. Rendering is
a pure function of the plan, so the same plan always gives the same bytes.

Every internal link is relative and names an `index.html` file explicitly, so the site
reads the same at a domain root, under a subpath and from `file://`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import itertools
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator import linking
from generator.linking import CITED_BY_SHOWN, UNDATED, ClaimLinks, Links
from generator.history import Entry, site_updates
from generator.markdown import first_heading, markdown_as_text, render_inline, render_markdown, safe_href
from generator.memory import cache_of_archive_text
from generator.model import (
    STATUS_LABELS,
    STATUS_SCALES,
    UNRATED,
    Archive,
    Article,
    Claim,
    Person,
    Topic,
    slugify,
)
from generator.scaffolding import TRANSPARENCY_PAGES
from generator.structured_data import claim_review, json_ld
from generator.urls import (article_path, canonical_url, card_path, claim_path, feed_path, numbered_path, site_root,
                            speaker_path, text_page_path, topic_path, year_path)

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

LATEST_ON_HOME = 10

# How a status reads at a glance: the badge colour family.
STATUS_TONES = {
    "accurate": "good", "came-true": "good", "kept": "good",
    "inaccurate": "bad", "did-not-come-true": "bad", "broken": "bad",
    "partly-accurate": "mixed", "partly-came-true": "mixed", "compromise": "mixed",
    "unverifiable": "open", "too-early": "open", "in-the-works": "open", "stalled": "open",
    "held": "steady", "shifted": "mixed", "reversed": "turned",
    UNRATED: "none",
}

QUALITY_NOTES = {
    "spun-text": "The copy this claim sheet was made from is a reworded (“spun”) version of the "
                 "original article: quotations may not be word for word. Check the original.",
    "stripped-diacritics": "The copy this claim sheet was made from lost its accents and other "
                           "diacritics: names and quotations may be misspelt. Check the original.",
    "missing-date": "The source copy carried no publication date.",
    "missing-outlet": "The source copy did not name its outlet.",
    "missing-url": "The source copy carried no link to the original article.",
    "web-junk": "The source copy contained unrelated web page text (menus, adverts) that was left out.",
    "truncated": "The source copy ends early: the article may say more than shown here.",
}
DAMAGE_FLAGS = ("spun-text", "stripped-diacritics")
# What every listing says beside a claim from a damaged copy, and what its page says at length.
DAMAGE_MARKS = {
    "spun-text": "Reworded copy: not the speaker’s exact words",
    "stripped-diacritics": "Copy without accents: names may be misspelt",
}
METHODOLOGY = "methodology"   # the text page that explains each scale, under a heading named for it
SCALE_ANCHORS = {"assertion": "assertions", "prediction": "predictions", "promise": "promises",
                 "position": "positions", "opinion": "opinions", UNRATED: "not-rated"}
ORIGINAL_MARK = "Original wording, restored by an editor from an undamaged copy"
DRAFT_MARK = "Draft, not yet reviewed by an editor"
_QUOTATION_MARKS = str.maketrans("", "", "\"“”„‟«»")


def damage_of(article: Article) -> list[str]:
    return [flag for flag in article.quality if flag in DAMAGE_FLAGS]


def wording(claim: Claim, article: Article) -> tuple[str, bool]:
    """The words a page shows for a claim, and whether they are a damaged copy's rewording
    rather than the speaker's: the editor's record of the original wording when the copy is
    damaged and it is known; else a spun copy's text without its quotation marks (it may not
    be shown as anyone's words); else the statement."""
    if claim.original and damage_of(article):
        return claim.original, False
    if "spun-text" in article.quality:
        return unquoted(claim.statement), True
    return claim.statement, False


def unquoted(text: str) -> str:
    """A damaged copy's text without its quotation marks: none of it may be shown as anyone's words."""
    return " ".join(text.translate(_QUOTATION_MARKS).split())


def marks_html(claim: Claim, article: Article, drafts_shown: bool) -> str:
    """The flags a listing shows before a claim's words: a draft, a damaged copy, restored words."""
    marks = []
    if drafts_shown and claim.review != "reviewed":
        marks.append(f'<span class="flag flag-draft">{DRAFT_MARK}</span>')
    damage = damage_of(article)
    if claim.original and damage:
        marks.append(f'<span class="flag flag-restored">{ORIGINAL_MARK}</span>')
    else:
        marks.extend(f'<span class="flag flag-damaged">{_html(DAMAGE_MARKS[flag])}</span>' for flag in damage)
    return " ".join(marks) + (" " if marks else "")

KIND_LABELS = {
    "assertion": "Assertion", "prediction": "Prediction", "promise": "Promise",
    "position": "Position", "opinion": "Opinion",
}
FORM_LABELS = {"direct": "Direct quotation", "indirect": "Paraphrase", "mixed": "Partly quoted"}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


# ---------------------------------------------------------------------------
# Small formatting helpers the templates use

def _html(text: str) -> str:
    """`text` escaped for HTML as Markup escapes it, as a plain string: the pieces of lists
    are joined by the thousand, and making a Markup of each costs more than escaping it."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;") \
        .replace('"', "&#34;")


def long_date(day: dt.date | None) -> str:
    if day is None:
        return "Date unknown"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def said_label(claim: Claim) -> str:
    """When the claim was said, no more exactly than the article says: "June 2025" for "in June"."""
    day = claim.said
    if day is None:
        return long_date(None)
    if claim.said_precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    if claim.said_precision == "year":
        return str(day.year)
    if claim.said_precision == "about":
        return "around " + long_date(day)
    return long_date(day)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "none")


@lru_cache(maxsize=None)
def badge(status: str) -> Markup:
    """An outcome's label in its tone's colours, as shown beside every claim: made once per status."""
    return Markup('<span class="badge tone-{}">{}</span>').format(status_tone(status), status_label(status))


_STATUS = operator.attrgetter("outcome.status")


def outcome_tally(claims: list[Claim]) -> list[tuple[str, int]]:
    """(status, count) in scale order, unrated last; only statuses that occur."""
    counts = Counter(map(_STATUS, claims))
    order = [status for scale in STATUS_SCALES.values() for status in scale] + [UNRATED]
    return [(status, counts[status]) for status in order if counts[status]]


# ---------------------------------------------------------------------------
# Page plans

@dataclass
class Page:
    path: str                 # output path relative to the site root, e.g. claims/x/index.html
    template: str
    title: str
    values: dict[str, Any] = field(default_factory=dict)
    section: str = ""         # which main-navigation entry is current
    # What a list's pages were made from (`planned_before`), for the live preview's next plans.
    made_from: tuple | None = field(default=None, repr=False, compare=False)


def part_key(part: Claim | Person | Topic | Article) -> str:
    """How a page's reads name one part of the model: claim:ID, person:ID, topic:ID, article:SLUG."""
    if isinstance(part, Claim):
        return "claim:" + part.id
    if isinstance(part, Person):
        return "person:" + part.id
    if isinstance(part, Topic):
        return "topic:" + part.id
    return "article:" + part.slug


@dataclass(frozen=True)
class SiteView:
    """What every page needs to know about the site and its neighbours.

    Templates reach other claims, speakers, questions and articles only through these
    methods, which note each part read by the page being rendered (see `render_page`):
    incremental rebuilds render a page again only when something it read changed."""

    archive: Archive
    links: Links
    text_pages: tuple[tuple[str, str], ...]   # (slug, title) of Markdown pages
    templates: Path = TEMPLATES
    # Each claim's escaped pieces, and the site's header and footer per depth: made once.
    _entries: dict = field(default_factory=dict, compare=False, repr=False)
    _reads: list = field(default_factory=list, compare=False, repr=False)   # the rendering page's reads

    @property
    def base_url(self) -> str:
        return self.archive.site.base_url

    def _note(self, key: str) -> None:
        reads = self._reads[-1] if self._reads else None   # None: a page whose reads are not recorded
        if reads is not None:
            reads.add(key)

    def _note_claims(self, claims, speakers: bool = True) -> None:
        """Note that the rendering page read these claims, their articles (a damaged copy is
        flagged wherever its claims are listed) and, when shown, their speakers."""
        reads = self._reads[-1] if self._reads else None
        if reads is not None:
            for claim in claims:
                reads.add("claim:" + claim.id)
                if speakers:
                    reads.add("person:" + claim.speaker)
                reads.add("article:" + claim.article)

    def _pieces(self, claim: Claim) -> tuple[str, str, str, str, str]:
        """A claim's pieces as every list shows them, escaped: when it was said (as a `time`
        element), its page's path, its words (`wording`), and what came of it, and the flags
        shown before its words (a draft, a damaged copy). Made once per claim: a claim is
        listed on five pages or so, and on eight claim pages beside it."""
        pieces = self._entries.get(claim.id)
        if pieces is None:
            when = f' datetime="{claim.said.isoformat()}"' if claim.said else ""
            outcome = claim.outcome
            as_of = f' <span class="as-of">as of {long_date(outcome.as_of)}</span>' if outcome.as_of else ""
            summary = (f' <span class="outcome-summary" dir="auto">{render_inline(outcome.summary)}</span>'
                       if outcome.summary else "")
            article = self.links.articles[claim.article]
            words = wording(claim, article)[0]
            pieces = self._entries[claim.id] = (f"<time{when}>{_html(said_label(claim))}</time>",
                                                _html(claim_path(claim.id)), _html(words),
                                                f"{badge(outcome.status)}{as_of}{summary}",
                                                marks_html(claim, article, self.archive.drafts_shown))
        return pieces

    def _speaker_link(self, person_id: str, root: str) -> str:
        key = ("speaker", person_id, root)
        link = self._entries.get(key)
        if link is None:
            speaker = self.archive.people[person_id]
            link = self._entries[key] = f'<a href="{_html(root + speaker_path(speaker.id))}">{_html(speaker.name)}</a>'
        return link

    def claim_entries(self, claims: list[Claim], root: str, show_speaker: bool = True,
                      show_date: bool = True) -> Markup:
        """Claims in a timeline (a question's, a speaker's, an article's), each an item: when,
        who, what, and what came of it. Made here from escaped pieces rather than by a macro:
        a list page shows 200 of them, and a Jinja loop and call cost more than the items."""
        self._note_claims(claims)
        items = []   # `root` is "../" repeated: nothing in it to escape
        for claim in claims:
            when, path, statement, outcome, marks = self._pieces(claim)
            meta = " · ".join(((when,) if show_date else ()) +
                              ((self._speaker_link(claim.speaker, root),) if show_speaker else ()))
            items.append(f'<li class="claim-item">\n<p class="claim-meta">{meta}</p>\n'
                         f'<p class="claim-line">{marks}<a href="{root}{path}" dir="auto">{statement}</a></p>\n'
                         f'<p class="claim-outcome">{outcome}</p>\n</li>\n\n')   # the blank line the macro wrote
        return Markup("".join(items))

    def claim_lines(self, claim_ids, root: str, show_speaker: bool = True) -> Markup:
        """Claims beside a claim, one short line each, as a list (a method, not a macro: a claim
        page shows up to five such lists, and a Jinja macro per line would be a large share
        of a claim page's rendering). Each claim's line is made once, in two parts: what
        comes before and after `root`, the only part that depends on the page."""
        claims = list(map(self.links.claims.__getitem__, claim_ids))
        self._note_claims(claims, show_speaker)
        lines = []
        for claim in claims:
            line = self._line(claim, show_speaker)
            lines.append(f'<li>{line[0]}<a href="{root}{line[1]}</li>\n')
        return Markup('<ul class="claim-lines">\n' + "".join(lines) + "</ul>")

    def claim_reference(self, claim_id: str, root: str) -> Markup:
        """One claim as `claim_lines` shows it, without the list: for evidence."""
        claim = self.claim(claim_id)
        self._note_claims((claim,))
        line = self._line(claim, True)
        return Markup(f'{line[0]}<a href="{root}{line[1]}')

    def _line(self, claim: Claim, show_speaker: bool) -> tuple[str, str]:
        """A claim's short line in two parts: what comes before and after the page's root."""
        key = ("line", claim.id, show_speaker)
        line = self._entries.get(key)
        if line is None:
            speaker = f" · {_html(self.archive.people[claim.speaker].name)}" if show_speaker else ""
            pieces = self._pieces(claim)
            words = wording(claim, self.links.articles[claim.article])[0]
            line = self._entries[key] = (f"{_html(said_label(claim))}{speaker}: {pieces[4]}",
                                         f'{pieces[1]}" dir="auto">{_html(_short(words, 80))}</a> '
                                         f"{badge(claim.outcome.status)}")
        return line

    def scale_link(self, claim: Claim) -> str | None:
        """Where the Methodology page explains the scale the claim is rated on; None when the
        archive has no such page."""
        if METHODOLOGY not in self.archive.pages:
            return None
        return f"{text_page_path(METHODOLOGY)}#{SCALE_ANCHORS[claim.kind if claim.outcome.rated else UNRATED]}"

    def chrome(self, template: str, root: str, section: str = "") -> Markup:
        """The site's header or footer: the same on every page of a section at one depth, so
        rendered once per (depth, section). It shows only the site's settings and text pages'
        titles, which every page depends on anyway (see incremental.fingerprint)."""
        key = ("chrome", template, root, section)
        chrome = self._entries.get(key)
        if chrome is None:
            chrome = Markup(environment(self.templates).get_template(template).render(
                view=self, site=self.archive.site, root=root, section=section))
            self._entries[key] = chrome
        return chrome

    def person(self, person_id: str) -> Person:
        self._note("person:" + person_id)
        return self.archive.people[person_id]

    def topic(self, topic_id: str) -> Topic:
        self._note("topic:" + topic_id)
        return self.archive.topics[topic_id]

    def has_claim(self, claim_id: str) -> bool:
        self._note("claim:" + claim_id)
        return claim_id in self.links.claims

    def claim(self, claim_id: str) -> Claim:
        self._note("claim:" + claim_id)
        return self.links.claims[claim_id]

    def claims(self, claim_ids) -> list[Claim]:
        return [self.claim(claim_id) for claim_id in claim_ids]

    def article_of(self, claim: Claim) -> Article:
        self._note("article:" + claim.article)
        return self.links.articles[claim.article]

    def claim_review(self, claim: Claim) -> Markup | None:
        """The ClaimReview JSON-LD of a rated claim's page, None for an unrated one. Made while
        the page renders (in the render workers), not while pages are planned."""
        if not claim.outcome.rated:
            return None
        article = self.article_of(claim)
        review = claim_review(claim, self.person(claim.speaker), article, self.archive.site,
                              canonical_url(self.base_url, claim_path(claim.id)), self.role_when_said(claim),
                              wording(claim, article)[0])
        return json_ld(review) if review else None

    def role_when_said(self, claim: Claim) -> str | None:
        return role_when_said(claim, self.person(claim.speaker))


def role_when_said(claim: Claim, speaker: Person) -> str | None:
    """The speaker's role as the claim gives it, else the one they held when it was said."""
    if claim.role:
        return claim.role
    role = speaker.role_on(claim.said)
    if role is None:
        return None
    return f"{role.title}, {role.organisation}" if role.organisation else role.title


def plan_pages(archive: Archive, links: Links, templates: Path = TEMPLATES,
               before: dict[str, Page] | None = None, timelines: dict[str, tuple[Entry, ...]] | None = None
               ) -> list[Page]:
    """Every page of the site, planned: its path, template, title and values. `before`, the
    plans of a previous build kept in memory (path -> plan), gives back the plan of a claim or
    article page, or a list of claims, that would be made from the very same objects (an
    unchanged claim or sheet; a question, speaker or year whose claims are all unchanged): the
    same Page, with this build's site view (`incremental.same_plan` knows it is the same at once).
    `timelines` (claim id -> `history.Entry`s) are the claims' verdict histories: shown on
    their pages and, newest first, on the updates pages."""
    _templates_as_they_are(templates)
    text_pages = tuple(sorted((slug, first_heading(source) or slug.replace("-", " ").capitalize())
                              for slug, source in archive.pages.items()))
    view = SiteView(archive, links, text_pages, templates)
    pages = [home_page(view), search_page(view), not_found_page(view),
             topics_index(view), speakers_index(view), years_index(view)]
    before = before or {}
    timelines = timelines or {}
    pages += [claim_page(view, claim, before.get(claim_path(claim.id)), timelines.get(claim.id, ()))
              for claim in links.claims.values()]
    pages += [card_page(view, claim, before.get(card_path(claim.id))) for claim in links.claims.values()]
    pages += updates_pages(view, timelines)
    pages += [page for topic_id in sorted(archive.topics) for page in topic_pages(view, topic_id, before)]
    pages += [page for person_id in sorted(archive.people) for page in speaker_pages(view, person_id, before)]
    pages += [article_page(view, article, before.get(article_path(article.slug)))
              for article in sorted(archive.articles, key=lambda a: a.slug)]
    pages += [page for year in links.years() for page in year_pages(view, year, before)]
    pages += [text_page(view, slug, title) for slug, title in text_pages]
    for page in pages:
        page.values.setdefault("view", view)
    return pages


def claim_page(view: SiteView, claim: Claim, before: Page | None = None, history: tuple[Entry, ...] = ()) -> Page:
    article = view.article_of(claim)
    speaker = view.person(claim.speaker)
    links = view.links.per_claim[claim.id]
    if before is not None:
        values = before.values
        if values["claim"] is claim and values["links"] is links and values["speaker"] is speaker \
                and values["article"] is article and values["history"] == history:   # what every other value is made from
            return _again(before, view)
    words, spun = wording(claim, article)
    return Page(claim_path(claim.id), "claim.html", f"{speaker.name}: {_short(words)}", {
        "claim": claim, "article": article, "speaker": speaker,
        "role": view.role_when_said(claim), "links": links,
        "damage": damage_of(article), "words": words, "spun": spun,
        "original_url": safe_href(article.url),
        "same_article": [other.id for other in article.claims if other.id != claim.id],
        "history": history,
        "embed": embed_code(view.archive.site.title, speaker.name, words, canonical_url(view.base_url,
                                                                                          card_path(claim.id))),
    }, "claims")


def embed_code(site_title: str, speaker: str, words: str, card_url: str) -> str:
    """The HTML a reader copies to show a claim's card on their own page (shown as text)."""
    title = f"{speaker}: {_short(words, 60)} ({site_title})"
    return (f'<iframe src="{_html(card_url)}" title="{_html(title)}" width="100%" height="230" '
            'style="border:0;max-width:40rem" loading="lazy"></iframe>')


def card_page(view: SiteView, claim: Claim, before: Page | None = None) -> Page:
    """A claim's embeddable card: who said it, when, the words and the finding, linking back."""
    article = view.article_of(claim)
    speaker = view.person(claim.speaker)
    if before is not None and before.values["claim"] is claim and before.values["speaker"] is speaker \
            and before.values["article"] is article:
        return _again(before, view)
    words, spun = wording(claim, article)
    return Page(card_path(claim.id), "card.html", f"{speaker.name}: {_short(words)}", {
        "claim": claim, "article": article, "speaker": speaker, "role": view.role_when_said(claim),
        "words": words, "spun": spun, "damage": damage_of(article),
        "claim_url": canonical_url(view.base_url, claim_path(claim.id)),
    }, "claims")


UPDATES = "updates/index.html"
UPDATES_PER_PAGE = 200


def updates_pages(view: SiteView, timelines: dict[str, tuple[Entry, ...]]) -> list[Page]:
    """"Updates and corrections": every outcome change and correction of a published claim,
    newest first, in parts of UPDATES_PER_PAGE counted from the oldest, so that a new update
    changes the newest part alone (the first page), not every page after it; the parts
    before it keep their addresses (updates/part-N/) and entries until a new part begins."""
    found = site_updates(timelines)
    oldest_first = found[::-1]
    parts = [oldest_first[start:start + UPDATES_PER_PAGE][::-1]
             for start in range(0, len(found), UPDATES_PER_PAGE)] or [[]]
    paths = tuple([UPDATES] + [f"updates/part-{number}/index.html" for number in range(len(parts) - 1, 0, -1)])
    title = "Updates and corrections"
    corrections = sum(entry.kind == "correction" for entry in found)
    return [Page(path, "updates.html", title if number == 1 else f"{title} (page {number} of {len(parts)})",
                 {"updates": part, "pager": Pager(number, len(parts), paths),   # the totals on the first page only
                  "count": len(found) if number == 1 else None, "corrections": corrections if number == 1 else None},
                 "updates")
            for number, (path, part) in enumerate(zip(paths, reversed(parts)), start=1)]


def with_similar(pages: list[Page], changed: dict[str, ClaimLinks]) -> None:
    """The claim pages' plans given their claims' links as they are now (`changed`, by claim
    id: links that similar statements were added to after the pages were planned)."""
    for page in pages:
        if page.template == "claim.html":
            links = changed.get(page.values["claim"].id)
            if links is not None:
                page.values["links"] = links


@dataclass(frozen=True)
class Pager:
    number: int
    count: int
    paths: tuple[str, ...]    # every page of the list, first to last

    @property
    def previous(self) -> str | None:
        return self.paths[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.paths[self.number] if self.number < self.count else None


def planned_before(before: dict[str, Page], first: str, made_from: tuple, view: SiteView) -> list[Page] | None:
    """A list's pages as planned before from the very same objects and the same other values
    (`made_from`: a tuple of objects, a tuple of plain values), given this build's `view`."""
    page = before.get(first)
    if page is None or page.made_from is None:
        return None
    objects, plain = page.made_from
    if len(objects) != len(made_from[0]) or plain != made_from[1] or not all(map(operator.is_, objects,
                                                                                  made_from[0])):
        return None
    pages = [before.get(path) for path in page.values["pager"].paths]
    if None in pages:
        return None
    return [_again(page, view) for page in pages]


def _again(page: Page, view: SiteView) -> Page:
    """A plan of the last build's, given again with this build's site view."""
    page.values["view"] = view
    return page


def numbered_pages(first: str, template: str, title: str, claims: list[Claim], values: dict[str, Any],
                   section: str, year_said: dict[str, str], made_from: tuple | None = None) -> list[Page]:
    """A list of claims as one page, or as numbered pages of `linking.CLAIMS_PER_PAGE` when it is long;
    what it was made from (see `planned_before`) is noted on each page."""
    size = linking.CLAIMS_PER_PAGE
    chunks = [claims[start:start + size] for start in range(0, len(claims), size)] or [[]]
    paths = tuple(numbered_path(first, number) for number in range(1, len(chunks) + 1))
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        shown = title if number == 1 else f"{title} (page {number} of {len(chunks)})"
        pages.append(Page(paths[number - 1], template, shown, {
            **values, "claims": chunk, "by_year": _by_year(chunk, year_said),
            "pager": Pager(number, len(chunks), paths),
        }, section, made_from=made_from))
    return pages


def topic_pages(view: SiteView, topic_id: str, before: dict[str, Page] | None = None) -> list[Page]:
    topic = view.archive.topics[topic_id]
    ids = view.links.by_topic.get(topic_id, ())
    claims = list(map(view.links.claims.__getitem__, ids))
    made_from = ((topic, *claims), ())
    again = planned_before(before, topic_path(topic_id), made_from, view) if before else None
    if again is not None:
        return again
    year_said = view.links.year_said
    labels = list(map(year_said.__getitem__, ids))
    return numbered_pages(topic_path(topic_id), "topic.html", topic.question, claims, {
        "topic": topic, "tally": outcome_tally(claims), "count": len(claims),
        "years": sorted(set(labels) - {UNDATED}), "undated": labels.count(UNDATED),
    }, "topics", year_said, made_from)


_TOPICS = operator.attrgetter("topics")


def speaker_pages(view: SiteView, person_id: str, before: dict[str, Page] | None = None) -> list[Page]:
    person = view.person(person_id)
    claims = list(map(view.links.claims.__getitem__, view.links.by_speaker.get(person_id, ())))
    made_from = ((person, *claims), ())
    again = planned_before(before, speaker_path(person_id), made_from, view) if before else None
    if again is not None:
        return again
    topics = Counter(itertools.chain.from_iterable(map(_TOPICS, claims)))
    return numbered_pages(speaker_path(person_id), "speaker.html", person.name, claims, {
        "person": person, "tally": outcome_tally(claims), "count": len(claims),
        "drafts_shown": view.archive.drafts_shown,
        "topics": sorted(topics.items(), key=lambda item: (-item[1], item[0])),
    }, "speakers", view.links.year_said, made_from)


def article_page(view: SiteView, article: Article, before: Page | None = None) -> Page:
    if before is not None and before.values["article"] is article:   # what every other value is made from
        return _again(before, view)
    return Page(article_path(article.slug), "article.html", article.title, {
        "article": article, "claims": list(article.claims),
        "quality": [(flag, QUALITY_NOTES.get(flag, flag)) for flag in article.quality],
        "original_url": safe_href(article.url),
    }, "years")


def year_pages(view: SiteView, year: str, before: dict[str, Page] | None = None) -> list[Page]:
    claims = list(map(view.links.claims.__getitem__, view.links.by_year[year]))
    made_from = (tuple(claims), (year, tuple(view.links.years())))   # each claim's article comes with it
    again = planned_before(before, year_path(year), made_from, view) if before else None
    if again is not None:
        return again
    slugs = sorted({claim.article for claim in claims})
    articles = sorted((view.links.articles[slug] for slug in slugs),
                      key=lambda a: (a.published is None, a.published or dt.date.min, a.slug))
    years = view.links.years()
    index = years.index(year)
    title = f"Claims made in {year}" if year != UNDATED else "Claims with an unknown date"
    return numbered_pages(year_path(year), "year.html", title, claims, {
        "year": year, "articles": articles, "tally": outcome_tally(claims), "count": len(claims),
        "previous": years[index - 1] if index > 0 else None,
        "next": years[index + 1] if index + 1 < len(years) else None,
    }, "years", view.links.year_said, made_from)


def home_page(view: SiteView) -> Page:
    claims = list(view.links.claims.values())   # in date order (date_order), the undated last
    latest = list(itertools.islice((claim for claim in reversed(claims) if claim.said), LATEST_ON_HOME))
    year_said = view.links.year_said
    shown = {claim.id for claim in latest}   # the two lists never repeat each other
    updates = heapq.nlargest(LATEST_ON_HOME, (claim for claim in claims if claim.outcome.rated and claim.outcome.as_of
                                              and claim.id not in shown),
                             key=lambda claim: (claim.outcome.as_of, claim.id))
    questions = []
    for topic_id in sorted(view.archive.topics):
        ids = view.links.by_topic.get(topic_id, ())
        years = sorted(set(map(year_said.__getitem__, ids)) - {UNDATED})
        questions.append((view.archive.topics[topic_id], len(ids), years))
    questions.sort(key=lambda item: (-item[1], item[0].id))
    return Page("index.html", "home.html", view.archive.site.title, {
        "questions": questions, "latest": latest, "updates": updates,
        "counts": {"claims": len(claims), "speakers": len(view.links.by_speaker),
                   "articles": len(view.archive.articles), "questions": len(view.archive.topics),
                   "rated": sum(claim.outcome.rated for claim in claims)},
        "years": view.links.years(), "tally": outcome_tally(claims),
    }, "home")


def topics_index(view: SiteView) -> Page:
    rows = [(view.archive.topics[topic_id], [view.links.claims[c] for c in view.links.by_topic.get(topic_id, ())])
            for topic_id in sorted(view.archive.topics)]
    return Page("topics/index.html", "topics.html", "Questions followed", {"rows": rows}, "topics")


def speakers_index(view: SiteView) -> Page:
    people = sorted((view.archive.people[person_id] for person_id in view.links.by_speaker),
                    key=lambda person: (person.name.casefold(), person.id))   # those with claims on the site
    rows = [(person, len(view.links.by_speaker[person.id])) for person in people]
    return Page("speakers/index.html", "speakers.html", "Speakers", {"rows": rows}, "speakers")


def years_index(view: SiteView) -> Page:
    rows = [(year, len(view.links.by_year[year])) for year in view.links.years()]
    return Page("years/index.html", "years.html", "Claims by year", {"rows": rows}, "years")


def search_page(view: SiteView) -> Page:
    return Page("search/index.html", "search.html", "Search the archive", {}, "search")


def not_found_page(view: SiteView) -> Page:
    # Served by the host for any missing address, at any depth: links resolve from <base>.
    return Page("404.html", "404.html", "Page not found", {"base_path": site_root(view.base_url)})


def text_page(view: SiteView, slug: str, title: str) -> Page:
    return Page(text_page_path(slug), "text.html", title,
                {"body": _with_anchors(render_markdown(view.archive.pages[slug]))}, f"page:{slug}")


_HEADING = re.compile(r"<h([2-4])>(.*?)</h\1>", re.DOTALL)


def _with_anchors(body: Markup) -> Markup:
    """Section headings given ids made from their words ("### Not rated": not-rated), so that
    other pages can link to a section (each outcome badge to its scale on the Methodology)."""
    seen: Counter[str] = Counter()

    def anchored(found: re.Match) -> str:
        anchor = slugify(re.sub(r"<[^>]*>", "", found.group(2))) or "section"
        seen[anchor] += 1
        if seen[anchor] > 1:
            anchor = f"{anchor}-{seen[anchor]}"
        return f'<h{found.group(1)} id="{anchor}">{found.group(2)}</h{found.group(1)}>'

    return Markup(_HEADING.sub(anchored, str(body)))


def _by_year(claims: list[Claim], year_said: dict[str, str]) -> list[tuple[str, list[Claim]]]:
    """Claims grouped by year (`Links.year_said`); they come in date order, as every list in
    `Links` is."""
    years: dict[str, list[Claim]] = {}
    for claim in claims:
        years.setdefault(year_said[claim.id], []).append(claim)
    return list(years.items())


@cache_of_archive_text(maxsize=262_144)   # a title per claim page: the live preview plans them all after each edit
def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


# ---------------------------------------------------------------------------
# Rendering

def _templates_as_they_are(templates: Path) -> None:
    """Forget the compiled templates when any template's bytes changed since they were compiled
    (`serve` plans again after an edit; compiling them all costs more than rendering a few pages)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(templates.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(f"{path.relative_to(templates).as_posix()}\0".encode())
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    if _COMPILED_FROM.get(templates) != digest.digest():
        environment.cache_clear()
        _COMPILED_FROM.clear()
        _COMPILED_FROM[templates] = digest.digest()


_COMPILED_FROM: dict[Path, bytes] = {}   # templates folder -> digest of the bytes compiled


class _Environment(jinja2.Environment):
    """Jinja's environment with each template's globals in one plain mapping. Jinja layers a
    template's own globals over the environment's in a ChainMap, so that the environment's
    may still change; these are set once, before any template is loaded, and every page
    rendered copied the ChainMap key by key (some 15 microseconds a page)."""

    def make_globals(self, d):
        return {**self.globals, **(d or {})}


@lru_cache(maxsize=4)
def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The templates, each read and compiled once until one changes (`plan_pages` looks):
    not looked at again for every page rendered (that was a stat per template per page)."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        auto_reload=False,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        claim_path=claim_path, speaker_path=speaker_path, topic_path=topic_path,
        article_path=article_path, year_path=year_path, text_page_path=text_page_path,
        numbered_path=numbered_path,
        status_label=status_label, status_tone=status_tone, badge=badge, kind_labels=KIND_LABELS,
        form_labels=FORM_LABELS, UNDATED=UNDATED, CITED_BY_SHOWN=CITED_BY_SHOWN, safe_href=safe_href,
        DRAFT_MARK=DRAFT_MARK, DAMAGE_MARKS=DAMAGE_MARKS, ORIGINAL_MARK=ORIGINAL_MARK,
        FOOTER_ONLY=TRANSPARENCY_PAGES, feed_path=feed_path,
    )
    env.filters.update(long_date=long_date, said_label=said_label, markdown=render_markdown, inline=render_inline,
                       short=_short, unquoted=unquoted, as_text=markdown_as_text)
    return env


def render_page(page: Page, templates: Path = TEMPLATES, reads: set[str] | None = None) -> bytes:
    """One page to bytes: a pure function of the plan. The parts of the model the page reads
    through its `SiteView` are added to `reads`, when given."""
    env = environment(templates)
    depth = page.path.count("/")
    view: SiteView = page.values["view"]
    view._reads.append(reads)
    try:
        html = env.get_template(page.template).render(
            page=page, site=view.archive.site, root="../" * depth,
            canonical=canonical_url(view.base_url, page.path), **page.values,
        )
    finally:
        view._reads.pop()
    return html.encode("utf-8")
