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


# The truth scales: only on these is a verdict a degree of truth, published as a number (best
# first). Every other status (a promise's, a position's, a verdict not yet in) is published as
# words only: "Position held" is no "True", and "too early to tell" is not scored below
# "did not come true".
TRUTH_SCALES: dict[str, tuple[str, ...]] = {
    "assertion": ("accurate", "partly-accurate", "inaccurate"),
    "prediction": ("came-true", "partly-came-true", "did-not-come-true"),
}


def verdict_scale(kind: str) -> tuple[str, ...]:
    """The statuses of a kind that are degrees of truth, best first; none for other kinds."""
    return TRUTH_SCALES.get(kind, ())


def rating(claim: Claim) -> dict[str, Any] | None:
    """The outcome as a schema.org Rating, named as the page shows it: degrees of truth also
    numbered on their scale (best is its length, worst is 1); every other status by name only."""
    status = claim.outcome.status
    if status not in STATUS_SCALES.get(claim.kind, ()):
        return None
    label = STATUS_LABELS.get(status, status)
    found: dict[str, Any] = {"@type": "Rating", "alternateName": label, "name": label}
    if claim.outcome.summary:
        found["ratingExplanation"] = claim.outcome.summary
    scale = verdict_scale(claim.kind)
    if status in scale:
        found.update(ratingValue=len(scale) - scale.index(status), bestRating=len(scale), worstRating=1)
    return found


def claim_review(claim: Claim, speaker: Person, article: Article, site: Site, url: str,
                 role: str | None = None, words: str | None = None) -> dict[str, Any] | None:
    """The ClaimReview of a rated claim's page: `words` are the claim's words as the page shows
    them (`pages.wording`), the statement when not given."""
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
    # The source article is where the archive found the claim: its first appearance as far as
    # the archive knows, and an appearance.
    item: dict[str, Any] = {"@type": "Claim", "author": author, "appearance": appearance,
                            "firstAppearance": appearance}
    if claim.said:
        item["datePublished"] = claim.said.isoformat()
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": words if words is not None else claim.statement,
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
