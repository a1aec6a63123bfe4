"""The review gate: only what an editor reviewed reaches readers.

Consumes the checked `Archive`; produces the archive a site for publishing is built from
(claims marked `review: reviewed` only, and only the articles, speakers and questions that
still have one; no page an editor has not finished) and `LeftOut`, what was left out and why, for the build to print. The live
preview keeps drafts (each marked on the site) and gives no pages to speakers and questions
without claims all the same; nothing here changes the archive it is given.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from generator.model import Archive
from generator.scaffolding import PLACEHOLDER, unfinished

REVIEWED = "reviewed"
SHOWN_AT_MOST = 10   # names listed per kind of thing left out; the rest are counted


@dataclass
class LeftOut:
    """What a build for publishing left out, and why."""

    drafts: dict[str, list[str]] = field(default_factory=dict)   # claim sheet -> ids of its claims not reviewed
    articles: list[str] = field(default_factory=list)            # sheets none of whose claims is reviewed
    speakers: list[str] = field(default_factory=list)            # speakers with no published claim
    questions: list[str] = field(default_factory=list)           # questions with no published claim
    citations: list[str] = field(default_factory=list)           # "claim cites claim" where the cited one is unpublished
    pages: list[str] = field(default_factory=list)               # pages still holding a scaffold's placeholder

    def lines(self) -> list[str]:
        """One line per kind of thing left out, for the build's output."""
        found = []
        count = sum(map(len, self.drafts.values()))
        if count:
            sheets = [f"{sheet} ({', '.join(ids)})" for sheet, ids in self.drafts.items()]
            found.append(f"left out {count} claim{'s' * (count != 1)} not yet reviewed (review: draft), from "
                         f"{_listed(sheets)}; set `review: reviewed` once an editor has checked each against its "
                         "source, or preview them with --drafts")
        for names, noun, why in ((self.articles, "source article", "no reviewed claim"),
                                 (self.speakers, "speaker", "no published claim"),
                                 (self.questions, "question", "no published claim")):
            if names:
                found.append(f"left out {_counted(len(names), noun)} with {why}: {_listed(names)}")
        if self.citations:
            found.append(f"left out {_counted(len(self.citations), 'piece')} of evidence citing a claim that is not "
                         f"published: {_listed(self.citations)}; review the cited claim, or cite another source")
        if self.pages:
            found.append(f"left out {_counted(len(self.pages), 'page')} still holding an {PLACEHOLDER}…] "
                         f"placeholder: {_listed(self.pages)}; replace it with your own words, or preview the page "
                         "with --drafts")
        return found


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN_AT_MOST])
    return shown + (f" and {len(names) - SHOWN_AT_MOST} more" if len(names) > SHOWN_AT_MOST else "")


def reviewed_only(archive: Archive) -> tuple[Archive, LeftOut]:
    """The archive as published: its reviewed claims, and the articles, speakers and questions
    that have one. Articles without drafts are the very same objects; the others are copies."""
    left_out = LeftOut()
    articles = []
    for article in archive.articles:
        drafts = [claim.id for claim in article.claims if claim.review != REVIEWED]
        if drafts:
            left_out.drafts[article.source] = drafts
            article = dataclasses.replace(article, claims=[claim for claim in article.claims
                                                           if claim.review == REVIEWED])
        if article.claims:
            articles.append(article)
        else:
            left_out.articles.append(article.source)
    articles = _without_unpublished_evidence(articles, left_out)
    speakers = {claim.speaker for article in articles for claim in article.claims}
    topics = {topic for article in articles for claim in article.claims for topic in claim.topics}
    left_out.speakers = sorted(set(archive.people) - speakers)
    left_out.questions = sorted(set(archive.topics) - topics)
    left_out.pages = sorted(name for name, text in archive.pages.items() if unfinished(text))
    published = dataclasses.replace(
        archive, articles=articles, drafts_shown=False,
        pages={name: text for name, text in archive.pages.items() if name not in left_out.pages},
        people={key: person for key, person in archive.people.items() if key in speakers},
        topics={key: topic for key, topic in archive.topics.items() if key in topics})
    return published, left_out


def _without_unpublished_evidence(articles: list, left_out: LeftOut) -> list:
    """The articles with evidence that cites an unpublished claim taken out of their claims'
    outcomes: a published page or download never names what no editor reviewed."""
    published = {claim.id for article in articles for claim in article.claims}
    kept = []
    for article in articles:
        claims = []
        for claim in article.claims:
            cited = [item.claim for item in claim.outcome.evidence if item.claim and item.claim not in published]
            if cited:
                left_out.citations.extend(f"{claim.id} cites {other}" for other in cited)
                outcome = dataclasses.replace(claim.outcome, evidence=tuple(
                    item for item in claim.outcome.evidence if item.claim not in cited))
                claim = dataclasses.replace(claim, outcome=outcome)
            claims.append(claim)
        kept.append(article if claims == article.claims else dataclasses.replace(article, claims=claims))
    return kept
