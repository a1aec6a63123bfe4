"""Structured data: schema.org `ClaimReview` for rated claims, as JSON-LD.

Consumes a claim with its speaker, source article and the site's publisher; produces a plain
dict, and `json_ld` turns it into text safe to place inside a <script> element: `<`, `>`, `&`
and the JavaScript line separators are written as \\u escapes, so no field (a statement
containing `</script>`, say) can end the element early.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from generator.markdown import safe_href
from generator.model import STATUS_LABELS, STATUS_SCALES, Article, Claim, Person, Site

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


# Statuses that say the verdict is not in yet: they are published as words, never as a number,
# so "too early to tell" is not scored below "did not come true".
OPEN_STATUSES = frozenset({"unverifiable", "too-early", "stalled", "in-the-works"})


def verdict_scale(kind: str) -> tuple[str, ...]:
    """The statuses of a kind that are verdicts, best first."""
    return tuple(status for status in STATUS_SCALES.get(kind, ()) if status not in OPEN_STATUSES)


def rating(claim: Claim) -> dict[str, Any] | None:
    """The outcome as a schema.org Rating: verdicts numbered on their kind's scale (best is the
    scale's length, worst is 1); open statuses by name only."""
    status = claim.outcome.status
    if status not in STATUS_SCALES.get(claim.kind, ()):
        return None
    label = STATUS_LABELS.get(status, status)
    if status in OPEN_STATUSES:
        return {"@type": "Rating", "alternateName": label,
                "ratingExplanation": claim.outcome.summary or label}
    scale = verdict_scale(claim.kind)
    return {
        "@type": "Rating",
        "ratingValue": len(scale) - scale.index(status),
        "bestRating": len(scale),
        "worstRating": 1,
        "alternateName": label,
    }


def claim_review(claim: Claim, speaker: Person, article: Article, site: Site, url: str,
                 role: str | None = None) -> dict[str, Any] | None:
    review_rating = rating(claim)
    if review_rating is None:
        return None
    author: dict[str, Any] = {"@type": "Person" if speaker.kind == "person" else "Organization",
                              "name": speaker.name}
    if role and speaker.kind == "person":
        author["jobTitle"] = role
    if speaker.wikidata:
        author["sameAs"] = f"https://www.wikidata.org/wiki/{speaker.wikidata}"
    appearance: dict[str, Any] = {"@type": "NewsArticle", "headline": article.title}
    original = safe_href(article.url)
    if original:
        appearance["url"] = original
    if article.published:
        appearance["datePublished"] = article.published.isoformat()
    if article.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": article.outlet}
    # "appearance" only: the article is where the claim appears, not known to be its first.
    item: dict[str, Any] = {"@type": "Claim", "author": author, "appearance": appearance}
    if claim.said:
        item["datePublished"] = claim.said.isoformat()
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.statement,
        "itemReviewed": item,
        "reviewRating": review_rating,
        "author": {"@type": "Organization", "name": site.publisher.name, "url": site.publisher.url},
    }
    reviewed_on = claim.outcome.as_of or claim.said
    if reviewed_on:
        review["datePublished"] = reviewed_on.isoformat()
    return review


def json_ld(value: Any) -> Markup:
    """JSON for a <script type="application/ld+json"> element, unable to break out of it."""
    return Markup(script_safe(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))))  # compact: C encoder


def script_safe(text: str) -> str:
    """JSON text with the characters that could end a <script> element (or a line, in old
    JavaScript) written as escapes, which mean the same in JSON."""
    for raw, escaped in _ESCAPES.items():
        text = text.replace(raw, escaped)
    return text
