"""Tagging stage: files each statement under the archive's questions (`content/topics.yaml`
terms found in the statement or its context, case-insensitive, whole words) and decides
its kind from wording cues: a promise (we will), a position (would only, never, must,
rules out), a prediction (will, would, likely), an opinion (a judgement), or else an
assertion.

Consumes statement text and topics (plain data); produces topic ids and a kind.
"""

from __future__ import annotations

import re

_POSITION = re.compile(
    r"\b(?:would only|will only|could only|can only|only (?:if|when|after|to)|never|ne'er|must|"
    r"should(?:n't| not)?|need(?:s)? to|have to|has to|will not|won't|would not|wouldn't|cannot|can't|"
    r"no intentions?|not (?:prepared|ready|willing)|(?:is|are|remains?|remained) (?:open|ready|willing|"
    r"interested|determined|committed)|willing to|ready to|insist\w*|rule[sd]? out|oppose[sd]?|"
    r"unacceptable|not acceptable|is impossible)\b", re.IGNORECASE)
_PROMISE = re.compile(r"\b(?:I|we)(?:\s+(?:will|shall|are going to|am going to)|'ll|’ll)\s+(?!see\b|wait\b|know\b)\w+|"
                      r"\b(?:I|we)\s+(?:promise|pledge|vow)\b", re.IGNORECASE)
_PREDICTION = re.compile(
    r"\b(?:will|would|'ll|going to|likely|unlikely|expect\w*|probably|bound to|soon|may|might|could|"
    r"forecast|predict\w*)\b", re.IGNORECASE)
_OPINION = re.compile(
    r"\b(?:I think|I believe|in my view|barbaric|shameful|disgrace\w*|absurd|ridiculous|better|worse|"
    r"good|bad|wrong|right thing|sincere|insincere|trap|illegal|brutal|unprovoked|outrageous)\b",
    re.IGNORECASE)


def kind(statement: str, cue: str = "") -> str:
    """assertion, prediction, promise, position or opinion, from the wording."""
    cue = cue.lower()
    if _PROMISE.search(statement) or cue.startswith(("promis", "pledg", "vow")):
        return "promise"
    if _POSITION.search(statement) or cue.startswith(("insist", "rule", "demand", "urge")):
        return "position"
    if _PREDICTION.search(statement) or cue.startswith(("predict", "warn")):
        return "prediction"
    if _OPINION.search(statement):
        return "opinion"
    return "assertion"


def compile_terms(topics: list[dict]) -> list[tuple[str, re.Pattern]]:
    """(topic id, pattern of its terms) for each topic, in file order."""
    compiled = []
    for topic in topics:
        if not isinstance(topic, dict) or not topic.get("id"):
            continue
        terms = [str(t) for t in topic.get("terms") or [] if str(t).strip()]
        if not terms:
            continue
        alternatives = "|".join(re.escape(t.strip()).replace(r"\ ", r"\s+") for t in sorted(terms, key=len, reverse=True))
        compiled.append((str(topic["id"]), re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)))
    return compiled


def tag(text: str, compiled: list[tuple[str, re.Pattern]]) -> list[str]:
    """The topics whose terms appear in the text, sorted."""
    return sorted(topic_id for topic_id, pattern in compiled if pattern.search(text))
