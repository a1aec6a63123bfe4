"""Quotation stage: finds who-said-what in parsed paragraphs: direct quotes (straight and
curly marks, several sentences, quotes broken by the attribution, quotes continuing
across paragraphs, unbalanced marks) and reported speech introduced by a speech verb
(said that, told reporters that, indicated, ruled out, insisted, warned, suggested,
according to).

Consumes paragraphs and their spaCy parses; produces `Attribution`s: the statement's text
and character spans, its form (direct, indirect, mixed), the speech cue, the speaker as
written (a spaCy span, resolved to a person later by `speakers`) and the words around the
cue where a time phrase may be. Beliefs and intentions (think, hope, want, expect) are not
speech and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Verbs that report speech (lemmas). Beliefs and intentions are deliberately absent.
SPEECH_VERBS = frozenset("""
say tell add state announce indicate insist deny warn write claim suggest note declare explain
argue assert stress reiterate repeat acknowledge admit confirm report reply respond answer
predict promise pledge vow urge caution complain concede contend emphasize emphasise maintain
mention observe remark reveal tweet testify rule allege accuse boast recall
threaten assure inform disclose demand propose retort conclude underline underscore
offer ask call
""".split())
# Verbs that need a particle to be speech ("ruled out").
PARTICLE_VERBS = {"rule": "out"}
# Verbs that are speech only with one of these prepositions or particles ("called for a
# ceasefire", "called on Kyiv to ...", "accused Kyiv of ..."), or with an infinitive ("offered to meet").
NEEDS = {"call": {"for", "on", "upon"}, "accuse": {"of"}, "offer": {"xcomp"}}
# Verbs whose object, not a clause, is what was said: the statement keeps the verb
# ("Ruled out any meeting", "Called for a ceasefire", "Asked allies to send ...").
OBJECT_CONTENT = {"rule", "call", "accuse", "offer", "ask"}
# Where a statement was made: a verb of any kind with "in a statement" reports speech.
OCCASIONS = {"statement", "interview", "tweet", "post", "letter", "release", "speech", "message", "video",
             "address", "briefing", "op-ed", "column", "essay", "memo", "email", "posting"}
# Nouns that report a statement when a that-clause and its author hang on them:
# "Putin's claim that ...", "the Kremlin's announcement that ...".
NOUN_CUES = {"statement", "announcement", "claim", "assertion", "warning", "insistence", "suggestion",
             "promise", "pledge", "denial", "argument", "declaration", "admission", "prediction", "accusation",
             "allegation", "contention", "vow", "threat", "acknowledgment", "acknowledgement"}
# Verbs whose object may be what was said when there is no clause ("acknowledged the reality
# of climate change", "announced the arrest of a man").
OBJECT_STATEMENTS = {"acknowledge", "announce", "deny", "reveal", "confirm", "promise", "pledge", "propose",
                     "demand", "reiterate", "repeat", "admit", "disclose", "predict", "vow", "stress", "emphasize",
                     "emphasise", "underline", "underscore"}

OPENING = "“„«"
CLOSING = "”»"
STRAIGHT = '"'
_ATTRIBUTION_INSIDE = re.compile(
    r",\s+(?=(?:(?:he|she|they|helium|it)\s+)?(?:said|added|says|adds|told|stated|wrote)\b)"
    r"|,\s+(?=(?:said|added|says)\s+[A-Za-z])"
    r"|,\s+(?=(?:Mr\.|Ms\.|Mrs\.|Dr\.)?\s?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,4}\s+(?:said|added|says)\b)"
)
# What follows a reported clause and still belongs to it ("... a juggernaut until it went bankrupt").
_CONTINUES = re.compile(r"\s*,?\s*(?:but|and|because|until|unless|when|while|whereas|although|though|"
                        r"including|since|so that|which|where|if|than|or)\b|\s*[:;—–]\s")


@dataclass
class Quote:
    start: int  # the opening mark
    end: int  # one past the closing mark (or the end of the quoted words when unclosed)
    closed: bool = True
    repaired: bool = False  # the closing mark was missing and the attribution closed it
    open_width: int = 1  # two for ''...'' and ``...'' marks
    close_width: int = 1

    @property
    def inner(self) -> tuple[int, int]:
        return self.start + self.open_width, self.end - (self.close_width if self.closed and not self.repaired else 0)


@dataclass
class Attribution:
    paragraph: int
    statement: str
    form: str  # direct, indirect or mixed
    spans: list[tuple[int, int]]  # the statement's characters in the paragraph
    cue: str
    cue_start: int
    subject: object | None  # spaCy Span of the speaker as written, None when unknown
    frame: str  # the paragraph with statements blanked out: where time phrases are looked for
    context: str
    continued: list[tuple[int, list[tuple[int, int]]]] = field(default_factory=list)  # (paragraph, spans) further on
    blocked: dict[int, int] = field(default_factory=dict)  # frame positions of time phrases that belong to other verbs
    speaker_from: "Attribution | None" = None  # a quotation standing alone after this one's paragraph: same speaker
    group: str | None = None  # for "they" with nobody named: the plural subject it stands for


def find_quotes(text: str) -> tuple[list[Quote], list[str]]:
    """Quotations in one paragraph, and warnings about unbalanced marks.

    A mark left open is closed at an attribution inside it ("..., said X"); otherwise it
    runs to the end of the paragraph only (it never swallows the rest of the article).
    """
    quotes: list[Quote] = []
    warnings: list[str] = []
    open_at: int | None = None
    open_width = 1
    # typewriter-style doubled marks (''quoted'' or ``quoted'') read as one straight mark
    view = text.replace("''", '"\x01').replace("``", '"\x01')

    def close_unbalanced(limit: int) -> None:
        nonlocal open_at
        assert open_at is not None
        region = text[open_at:limit]
        match = _ATTRIBUTION_INSIDE.search(region)
        if match:
            end = open_at + match.start() + 1  # keep the comma inside, as in “...,”
            quotes.append(Quote(open_at, end, closed=True, repaired=True, open_width=open_width))
            warnings.append(f"a quotation mark is not closed; closed it before the attribution "
                            f"({text[open_at:open_at + 40]!r}...)")
        else:
            quotes.append(Quote(open_at, limit, closed=False, open_width=open_width))
        open_at = None

    text = view
    for i, ch in enumerate(text):
        if ch == "\x01":
            continue
        if ch in OPENING or (ch == STRAIGHT and open_at is None):
            if open_at is not None:
                close_unbalanced(i)
            if ch == STRAIGHT and i + 1 < len(text) and text[i + 1].isspace() and i > 0 and not text[i - 1].isspace():
                continue  # a stray closing mark
            open_at = i
            open_width = 2 if text[i + 1: i + 2] == "\x01" else 1
        elif ch in CLOSING or ch == STRAIGHT:
            if open_at is None:
                continue  # closes a quote opened in an earlier paragraph
            width = 2 if text[i + 1: i + 2] == "\x01" else 1
            quotes.append(Quote(open_at, i + width, open_width=open_width, close_width=width))
            open_at = None
    if open_at is not None:
        close_unbalanced(len(text))  # an open quotation may continue in the next paragraph
    return quotes, warnings


def _inside(position: int, quotes: list[Quote]) -> Quote | None:
    for quote in quotes:
        if quote.start <= position < quote.end:
            return quote
    return None


def _starts_sentence(text: str, quote: Quote) -> bool:
    before = text[: quote.start].rstrip()
    return not before or bool(re.search(r"[.?!:…—]$|[.?!][”\"’']{1,2}$", before)) or before.endswith(",") and \
        bool(re.search(r"\b(?:said|says|added|adds|told \w+|asked)\s*,$", before))


def _is_cue(token) -> bool:
    if token.lower_ == "according":
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        return nxt is not None and nxt.lower_ == "to"
    if token.pos_ == "NOUN" and token.lemma_.lower() in NOUN_CUES and not _verb_like(token):
        return (_noun_clause(token) is not None or _by_own_word(token) is not None) and _noun_author(token) is not None
    if token.pos_ != "VERB" and not _verb_like(token):
        return False
    if token.lemma_.lower() not in SPEECH_VERBS:
        # "In a statement, the Kremlin rejected the proposal"; not "as she put it in a statement"
        return _in_a_statement(token) and any(c.dep_ == "nsubj" for c in token.children) and any(
            c.dep_ in ("dobj", "ccomp", "xcomp") and c.i > token.i and c.pos_ != "PRON" for c in token.children)
    particle = PARTICLE_VERBS.get(token.lemma_.lower())
    if particle:
        return any(child.dep_ == "prt" and child.lower_ == particle for child in token.children)
    if token.lemma_.lower() in OBJECT_CONTENT and (
            any(c.dep_ in ("nsubjpass", "auxpass") for c in token.children)
            or token.tag_ == "VBN" and not any(c.dep_ == "aux" for c in token.children)):
        return False  # "was accused of", "the question asked of": the subject did not say it
    if token.lemma_.lower() == "ask" and not (
            any(c.dep_ == "nsubj" for c in token.children)
            and any(c.dep_ in ("ccomp", "xcomp") for c in token.children)):
        return False  # "asked whether ...", "asked allies to send ...", not "asked about it"
    needs = NEEDS.get(token.lemma_.lower())
    if needs:
        return any(child.lower_ in needs and child.dep_ in ("prep", "prt") or child.dep_ in needs
                   for child in token.children)
    return True


def _verb_like(token) -> bool:
    """A speech verb the tagger took for a noun ("But Trump claims that he ..."): it has a
    subject and a clause of its own."""
    return token.pos_ in ("NOUN", "PROPN") and token.lemma_.lower() in SPEECH_VERBS and any(
        c.dep_ == "nsubj" for c in token.children) and any(c.dep_ == "ccomp" for c in token.children)


def _in_a_statement_prep(prep) -> bool:
    return prep.lower_ in ("in", "on", "via", "through") and any(
        obj.dep_ == "pobj" and obj.lemma_.lower() in OCCASIONS for obj in prep.children)


def _in_a_statement(verb) -> bool:
    """Whether a verb is said to be done in a statement, an interview, a tweet..."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("in", "on", "via", "through"):
            for obj in child.children:
                if obj.dep_ == "pobj" and obj.lemma_.lower() in OCCASIONS:
                    return True
    return False


def _noun_clause(noun):
    """The that-clause a noun cue carries ("the claim that Ukraine had refused ...")."""
    for child in noun.children:
        if child.dep_ in ("acl", "ccomp", "relcl") and child.i > noun.i and any(
                m.dep_ == "mark" and m.lower_ == "that" for m in child.children) and any(
                m.dep_ in ("nsubj", "nsubjpass", "expl") for m in child.children):  # "that there have been"
            return child
    return None


# Verbs whose subject makes the statement a noun cue names: "Democrats persisted in arguments
# that ...", "the ministry issued a statement that ..." (not "rejected the claim that ...").
SUPPORT_VERBS = {"make", "issue", "repeat", "renew", "reiterate", "persist", "voice", "release", "publish",
                 "press"}


def _noun_author(noun):
    """Who made the statement a noun cue names: its possessor, "by X" or "from X", or the subject
    of a verb that makes it ("Democrats persisted in arguments that ...")."""
    for child in noun.children:
        if child.dep_ == "poss" and child.pos_ != "PRON" or child.dep_ == "poss" and child.lower_ in ("his", "her"):
            return child
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    # "Tulsa police’s earlier claim": the parser read the possessive "’s" as a verb of its own
    before = noun.i - 1
    while before > 0 and noun.doc[before].head.i == noun.i and noun.doc[before].dep_ in ("amod", "compound"):
        before -= 1
    mark = noun.doc[before] if before > 0 else None
    if mark is not None and mark.tag_ == "POS" and mark.head.i != noun.i and noun.doc[before - 1].pos_ in ("NOUN", "PROPN"):
        return noun.doc[before - 1]
    verb = noun.head.head if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else noun.head if noun.dep_ == "dobj" \
        else None
    if verb is not None and verb.lemma_.lower() in SUPPORT_VERBS and not any(c.dep_ == "neg" for c in verb.children):
        for child in verb.children:
            if child.dep_ == "nsubj" and child.i < noun.i:
                return child
    return None


def _by_own_word(noun):
    """The clause "By Trump's own admission, ..." introduces: the noun is the object of a
    sentence-opening "by" and has a possessor; None otherwise."""
    prep = noun.head
    if noun.dep_ != "pobj" or prep.lower_ != "by" or prep.head.i == prep.i or prep.i > prep.head.i:
        return None
    if not any(c.dep_ == "poss" for c in noun.children) or prep.head.dep_ != "ROOT":
        return None
    return prep.head


def _subject(token, quotes: list[Quote] = ()):
    """The grammatical subject of a speech verb, climbing out of participles ("..., saying").
    A speaker is never inside quotation marks: when the parser gives the verb a subject there
    too (“My reaction, that was outrageous,” the strategist said), the one outside is taken."""
    if token.lower_ == "according":
        for to in token.children:
            if to.lower_ == "to":
                for obj in to.children:
                    if obj.dep_ == "pobj":
                        return obj
        nxt = token.nbor(1)
        for obj in nxt.children:
            if obj.dep_ == "pobj":
                return obj
        return None
    if token.pos_ == "NOUN" and not _verb_like(token):
        return _noun_author(token)
    current = token
    for _ in range(4):
        subjects = [child for child in current.children if child.dep_ in ("nsubj", "nsubjpass") and child.i != token.i]
        # a dash read as a subject ("... were made public ― Trump boasted") is not one
        subjects = [child for child in subjects if any(c.isalnum() for c in child.text)] or subjects
        outside = [child for child in subjects if _inside(child.idx, quotes) is None]
        if len(outside) < len(subjects) and outside:
            subjects = sorted(outside, key=lambda child: abs(child.i - current.i))
        for child in subjects:
            if child.lower_ in ("who", "that", "which") and current.dep_ == "relcl":
                return _described(current.head)
            return child
        if current.dep_ in ("advcl", "xcomp", "conj", "pcomp", "prep", "acl", "pobj", "dobj") and current.head.i != current.i:
            current = current.head
            continue
        break
    return None


def _described(noun):
    """Who a relative clause's noun stands for: the name it is in apposition to ("McConnell, now
    the Senate majority leader, who ..."), or the subject of "is" it describes ("Trump is a
    serial liar who ...")."""
    current = noun
    for _ in range(8):
        if current.dep_ in ("conj", "appos") and current.head.i != current.i and current.head.pos_ in ("NOUN", "PROPN"):
            current = current.head
            continue
        break
    verb = current.head
    if current.dep_ == "attr" and verb.lemma_ == "be":
        for clause in (verb, verb.head if verb.dep_ == "conj" else verb):   # "X incites ... and is a liar who"
            subjects = [child for child in clause.children if child.dep_ == "nsubj"]
            if subjects:
                return subjects[0]
    return current


def _subject_span(subject, quotes: list[Quote]):
    """The words naming the speaker: the subject with its titles and appositions, without
    relative clauses ("Peskov, who has repeatedly ruled out ..., said" -> "Peskov")."""
    doc = subject.doc
    skip: set[int] = set()
    for token in subject.subtree:
        if token.dep_ in ("relcl", "acl", "advcl") and token.i != subject.i:
            skip.update(t.i for t in token.subtree)
    kept = [t for t in subject.subtree if t.i not in skip and _inside(t.idx, quotes) is None]
    if not kept:
        return doc[subject.i: subject.i + 1]
    # keep the contiguous run around the head
    start = end = subject.i
    indexes = {t.i for t in kept}
    while start - 1 in indexes:
        start -= 1
    while end + 1 in indexes:
        end += 1
    while start < end and (doc[start].is_punct or doc[start].dep_ == "cc"):
        start += 1
    while end > start and (doc[end].is_punct or doc[end].dep_ in ("cc", "case")):
        end -= 1  # "Putin's claim": the speaker is Putin
    return doc[start: end + 1]


def _content_span(head, doc, quotes: list[Quote], exclude: set[int]) -> tuple[int, int] | None:
    tokens = [t for t in head.subtree if t.i not in exclude]
    if not tokens:
        return None
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    # a partial quote cut by the clause runs to its closing mark
    for quote in quotes:
        if quote.start < end <= quote.end or quote.start < end < quote.end:
            end = max(end, quote.end)
        if quote.start < start < quote.end:
            start = quote.start
    text = doc.text
    # drop a leading "that" and trailing commas
    lead = re.match(r"(?:(?:on|connected)\s+\w+day\s+)?(?:that|whether),?\s+", text[start:end])
    if lead:
        start += lead.end()
    while end > start and text[end - 1] in ",;— ":
        end -= 1
    return (start, end) if end > start else None


def _statement_from_quotes(text: str, quote_list: list[Quote]) -> tuple[str, list[tuple[int, int]]]:
    parts, spans = [], []
    for quote in quote_list:
        a, b = quote.inner
        words = text[a:b].strip()
        # drop the closing comma the attribution leaves: “..., ” he said.
        words = re.sub(r"\s*[,—-]+$", ".", words) if words else words
        if words:
            parts.append(words)
            spans.append((a, b))
    return " ".join(parts), spans


# The reporter's sourcing at the end of a reported statement: "..., according to RBC News",
# "..., Sky News." It says who relayed the words, not what was said.
_SOURCING = re.compile(r"(?:,\s*|\s+)according to\s+(?:[A-Z]|(?:the|a|an|local|state|official)\s+(?:[\w-]+\s+)?"
                       r"(?:agency|newspaper|report|outlet|broadcaster|channel|website|statement|readout|transcript|"
                       r"media|sources?)\b|media\b|reports?\b|sources?\b)[^,;:“”\"]*$"
                       r"|,\s*(?:[A-Z][\w.’'-]*\s+){0,3}(?:News|Times|Post|Press|Agency|TV|Radio|Reuters|AFP|TASS|"
                       r"Interfax|Ukrinform)\.?$")


def _without_sourcing(statement: str) -> str:
    return _SOURCING.sub("", statement.rstrip(" .")) + ("." if statement.rstrip().endswith(".") else "")


def _tidy(statement: str) -> str:
    """One line of text, starting with a capital (not with the comma that followed the cue) and
    ending with a full stop."""
    statement = re.sub(r"\s+", " ", statement).strip().lstrip(",;:—– ")
    if statement[:1].isalpha() and statement[:1].islower():
        statement = statement[:1].upper() + statement[1:]
    statement = re.sub(r",([”\"])$", r".\1", statement)
    if statement and statement[-1] not in ".?!\"”…":
        statement += "."
    return statement


def _sentence_bounds(doc, start: int, end: int, quotes: list[Quote]) -> tuple[int, int]:
    s, e = start, end
    for sent in doc.sents:
        a, b = sent.start_char, sent.end_char
        if a <= start < b or (start <= a < end):
            s = min(s, a)
            e = max(e, b)
    for quote in quotes:
        if quote.start < e < quote.end:
            e = quote.end
        if quote.start < s < quote.end:
            s = quote.start
    return s, e


@dataclass
class _Paragraph:
    """One paragraph being read: its text and parse, its quotations and speech cues, and the
    quotations already given to a statement."""

    number: int
    text: str
    doc: object
    quotes: list[Quote]
    cues: list = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # indexes of quotes already attributed


def find_attributions(paragraphs: list[str], docs: list) -> tuple[list[Attribution], list[str]]:
    """Every statement with its speech cue in the article, in reading order, and warnings."""
    found: list[Attribution] = []
    warnings: list[str] = []
    open_claim: Attribution | None = None  # a quotation still open at the end of the last paragraph
    lead_in = None  # (speaker span, cue, attribution) the last paragraph ended on: "He wrote:", "..., he said."
    for number, (text, doc) in enumerate(zip(paragraphs, docs)):
        quotes, quote_warnings = find_quotes(text)
        warnings.extend(f"paragraph {number + 1}: {w}" for w in quote_warnings)
        para = _Paragraph(number, text, doc, quotes)
        open_claim = _continue_quotation(para, open_claim)
        para.cues = [t for t in doc if _inside(t.idx, quotes) is None and _is_cue(t)]
        here = [a for a in (_attribute(para, cue) for cue in para.cues) if a is not None]
        warnings.extend(_give_standalone_quotes(para, here, lead_in))
        here = _outer_reports(here)
        found.extend(here)
        lead_in = _lead_in(text, doc, quotes, para.cues, here)
        open_claim, warning = _left_open(para, here, open_claim, paragraphs)
        warnings.extend(warning)
    return found, warnings


def _continue_quotation(para: _Paragraph, open_claim: Attribution | None) -> Attribution | None:
    """A quotation left open in the last paragraph goes on in this one's first quotation;
    the claim still open after this paragraph's start, if any."""
    text, quotes = para.text, para.quotes
    if open_claim is None or not quotes or (quotes[0].start != 0 and text[: quotes[0].start].strip() != ""):
        return None
    quote = quotes[0]
    words, spans = _statement_from_quotes(text, [quote])
    open_claim.statement = _tidy(open_claim.statement + " " + words)
    open_claim.continued.append((para.number, spans))
    para.used.add(0)
    return None if quote.closed else open_claim


def _attribute(para: _Paragraph, cue) -> Attribution | None:
    """The statement one speech cue introduces, with its speaker as written; None when the cue
    has no speaker or introduces no statement."""
    speaker = _speaker_of(cue, para.quotes)
    if speaker is None:
        return None
    subject, subject_span = speaker
    found = _quoted_statement(para, cue, subject_span) or _reported_statement(para, cue, subject, subject_span)
    if found is None:
        return None
    statement, spans, form = found
    if form != "direct" and spans and not any(_has_verb(para.doc, span) for span in spans) \
            and lemma_of(cue) not in OBJECT_STATEMENTS | OBJECT_CONTENT \
            and not (cue.pos_ == "VERB" and lemma_of(cue) not in SPEECH_VERBS):
        return None  # "said in an interview on CBS's 'Face the Nation'": no statement, a circumstance
    if len(statement.split()) < (2 if form == "direct" else 3):
        return None  # "something he had said he would not do": no statement to record
    return _attribution(para, cue, subject_span, statement, spans, form)


def _speaker_of(cue, quotes: list[Quote]):
    """(head token, span) of who speaks through `cue`: its subject, or the name after an
    inverted or adjacent cue; None when there is none, or it cannot speak."""
    subject = _subject(cue, quotes)
    subject_span = None
    if subject is None:
        subject_span = _inverted_subject(cue, quotes) or _following_subject(cue, quotes) \
            or _adjacent_name(cue, quotes)
        if subject_span is None:
            return None
        subject = subject_span.root
    if _inside(subject.idx, quotes) is not None:
        return None
    subject_span = subject_span or _subject_span(subject, quotes)
    if not _can_speak(subject_span) and not _it_says(cue, subject_span):
        return None  # "the truck story suggests", "federal law discloses": not a speaker
    return subject, subject_span


def _quoted_statement(para: _Paragraph, cue, subject_span) -> tuple[str, list[tuple[int, int]], str] | None:
    """(statement, spans, form) when the cue attributes a quotation next to it: “...,” X said;
    X said: “...”; Mr. Putin “is not saying ...,” X said (mixed). None otherwise."""
    text, doc, quotes, used = para.text, para.doc, para.quotes, para.used
    frame_start = max([q.end for q in quotes if q.end <= cue.idx] or [0])
    frame_end = min([q.start for q in quotes if q.start > cue.idx] or [len(text)])
    direct: list[int] = []
    # a quotation just before the attribution: “...,” X said / “...,” said X
    before = [i for i, q in enumerate(quotes) if q.end == frame_start and i not in used]
    gap = text[frame_start: min(cue.idx, subject_span.start_char)] if before else ""
    closes_sentence = bool(before) and text[: quotes[before[0]].inner[1]].rstrip().endswith(".") \
        and not quotes[before[0]].repaired
    if before and not closes_sentence and not re.search(r"[A-Za-z]", gap):
        index = before[0]
        quote = quotes[index]
        if _starts_sentence(text, quote) or quote.start == 0:
            direct = [index]
        else:
            # Mr. Putin “is not saying ...,” X said: the sentence up to the attribution
            start = _sentence_bounds(doc, quote.start, quote.start + 1, [])[0]
            if not (_title(text[quote.start: quote.end]) and _circumstance(cue, doc, start, quote.start)):
                used.add(index)
                return text[start: quote.end], [(start, quote.end)], "mixed"
            # "In an interview on “Face the Nation,” X said ...": the quotation is a title
    # a quotation just after: X said: “...” / X said, “...”
    if not direct:
        after = [i for i, q in enumerate(quotes) if q.start == frame_end and i not in used]
        between = text[cue.idx + len(cue.text): frame_end]
        nearer = [c for c in para.cues if cue.idx < c.idx < frame_end]
        if after and re.search(r"[:,]\s*$", between) and not re.search(r"[.?!]\s", between) \
                and len(between) < 120 and not re.search(r"\bthat\W*$", between) and not nearer:
            # "Asked about Trump's declaration that it was a bomb, Clinton said, “...”": the
            # quotation is Clinton's, whose cue stands nearer to it
            direct = [after[0]]
    if not direct:
        return None
    direct += _following_quotes(para, cue, direct[-1])
    used.update(direct)
    statement, spans = _statement_from_quotes(text, [quotes[i] for i in direct])
    return statement, spans, "direct"


def _title(quoted: str) -> bool:
    """Whether quoted words are a title or a name, not speech: every word over three letters
    capitalised ("Face the Nation", "Make Your Kid a Millionaire")."""
    words = re.findall(r"[^\W\d_][\w’'-]*", quoted)
    long = [w for w in words if len(w) > 3]
    return len(words) >= 2 and bool(long) and all(w[0].isupper() for w in long)


def _circumstance(cue, doc, start: int, end: int) -> bool:
    """Whether the words from `start` to `end` (before a quotation) only say where or how the
    cue's speaker spoke: phrases hanging from the cue ("In an interview on “Face the Nation,”"),
    or one prepositional phrase ("In his 2002 book, “Make Your Kid a Millionaire,”")."""
    around = {t.i for child in cue.children if child.dep_ in ("prep", "advcl", "npadvmod", "advmod")
              and child.i < cue.i for t in child.subtree}
    words = [t for t in doc if start <= t.idx < end and not t.is_punct and not t.is_space]
    if words and words[0].dep_ == "prep":
        around |= {t.i for t in words[0].subtree}   # "In his 2002 book, “...,” X suggested ..."
    return bool(words) and all(t.i in around for t in words)


def _following_quotes(para: _Paragraph, cue, last: int) -> list[int]:
    """The quotations after quotation `last` that have no attribution of their own: they
    belong to the same speaker."""
    text, quotes, cues = para.text, para.quotes, para.cues
    more: list[int] = []
    nxt = last + 1
    while nxt < len(quotes) and nxt not in para.used:
        between_start = quotes[nxt - 1].end
        between_text = text[between_start: quotes[nxt].start]
        has_cue = any(between_start <= c.idx < quotes[nxt].start for c in cues)
        if has_cue and any(between_start <= c.idx < quotes[nxt].start and c.i != cue.i for c in cues):
            break
        resumed = between_start <= cue.idx < quotes[nxt].start and between_text.rstrip().endswith(",")
        if not _starts_sentence(text, quotes[nxt]) and not resumed:
            break  # “...,” Trump said, “but ...”: the same quotation resumed
        if len(between_text) > 200:
            break
        more.append(nxt)
        nxt += 1
    return more


def _reported_statement(para: _Paragraph, cue, subject, subject_span) -> tuple[str, list[tuple[int, int]], str] | None:
    """(statement, spans, form) of reported speech: the clause or object the cue governs,
    with the words of an attribution that interrupts it taken out. None when there is none."""
    clause = _clause_heads(para, cue, subject_span)
    if clause is None:
        return None
    heads, exclude, colon_span = clause
    exclude |= set(range(subject_span.start, subject_span.end))
    if cue not in subject.subtree:  # not "Peskov, who has ruled out ..."
        exclude |= {t.i for t in subject.subtree}
    heads = _content_heads(cue, heads, subject_span, para.cues)
    extent = _statement_extent(para, cue, subject_span, heads, exclude, colon_span)
    if extent is None:
        return None
    return _reported_words(para, cue, subject_span, heads, extent, colon_span)


_TIME_ADVERBS = {"when", "whenever", "where", "while", "once", "before", "after", "until"}


def _clause_heads(para: _Paragraph, cue, subject_span):
    """(heads, excluded token indexes, colon span) of what a reporting cue governs: the clause
    after "said", the object of "ruled out", the noun clause of "claim that", the sentence
    around "according to", or the unquoted words after "added:". None when there is none."""
    text, quotes, cues = para.text, para.quotes, para.cues
    lemma = cue.lemma_.lower()
    colon_span = None
    heads = []
    if cue.lower_ == "according":
        heads = [cue.head] if cue.head.i != cue.i else []
        exclude = {t.i for t in cue.subtree}
        if heads and any(_is_cue(t) for t in heads[0].subtree if t.i != cue.i and _inside(t.idx, quotes) is None):
            return None  # "..., Peskov said, according to TASS": the verb is the cue
    elif cue.pos_ == "NOUN" and not _verb_like(cue):
        heads = [_noun_clause(cue)]
        exclude = set()
        if heads[0] is None:   # "By Trump's own admission, his tax returns ...": the sentence, less the "by"
            heads = [_by_own_word(cue)]
            exclude = {t.i for t in cue.head.subtree}
    else:
        exclude = set()
        occasion = lemma not in SPEECH_VERBS  # "In a statement, the Kremlin rejected ..."
        if lemma in OBJECT_CONTENT or occasion:
            # "ruled out any meeting ... before the last stage": the object and what limits it
            kept = ("dobj", "prep", "advcl", "xcomp", "ccomp", "dative", "pobj", "prt") \
                if lemma != "rule" else ("dobj", "prep", "advcl")
            exclude |= {t.i for c in cue.children if c.dep_ not in kept or c.i < cue.i
                        or c.dep_ == "prep" and _in_a_statement_prep(c)
                        or lemma == "rule" and c.dep_ == "prt" for t in c.subtree} | {cue.i}
            heads = [cue] if any(c.dep_ in kept and c.i > cue.i and c.i not in exclude
                                 for c in cue.children) else []
        for child in ([] if lemma in OBJECT_CONTENT or occasion else cue.children):
            if child.dep_ in ("ccomp", "xcomp") or (lemma in OBJECT_CONTENT and child.dep_ == "dobj"):
                heads.append(child)
        if not heads and lemma in SPEECH_VERBS:
            # "told reporters on a conference call that ...": the parser takes the
            # that-clause for a relative clause of the call
            for child in cue.children:
                for obj in (child.children if child.dep_ == "prep" else []):
                    clause = _noun_clause(obj) if obj.dep_ == "pobj" else None
                    if clause is not None and clause.dep_ == "relcl" and any(
                            m.dep_ == "mark" and m.lower_ == "that" for m in clause.children):
                        heads.append(clause)   # not "for a panel that all agreed ...", where "that" is its subject
        if not heads:
            # the parser sometimes hangs the clause as an adverbial: "said he would not accept ..."
            # but not a past participle with no subject: "indicated as much in an email, released as ..."
            # nor a time after an object: "what Liz Wahl said when she resigned", "tell the
            # government when someone dies" (but "have not said when they would take it up" asks)
            has_object = any(c.dep_ in ("dobj", "dative") for c in cue.children)
            heads = [c for c in cue.children if c.dep_ == "advcl" and c.i > cue.i
                     and not any(m.dep_ == "mark" or has_object and m.dep_ == "advmod" and m.i < c.i
                                 and m.lower_ in _TIME_ADVERBS for m in c.children)
                     and (c.tag_ != "VBN" or any(m.dep_ in ("nsubj", "nsubjpass", "expl") for m in c.children))]
        if not heads and lemma in OBJECT_STATEMENTS:
            heads = [c for c in cue.children if c.dep_ == "dobj" and len(list(c.subtree)) >= 3]
        if not heads and cue.dep_ == "parataxis" and cue.head.i != cue.i and not any(
                t.text == ":" for t in cue.doc[cue.head.i: min(t.i for t in cue.subtree)]):
            # "Russia will never agree, the Kremlin said": the clause the verb comments on (not "We
            # have been here before: bin Laden declared war", where the verb's clause explains it)
            heads = [cue.head]
            exclude = {t.i for t in cue.subtree}
        if lemma in SPEECH_VERBS and cue.i > subject_span.start and all(h.i > cue.i for h in heads):
            # "The governor added: It's typical of ...": what follows the colon, unquoted
            colon = re.match(r"[ \t]*:[ \t]+(?=[A-Z])", text[cue.idx + len(cue.text):])
            if colon and not quotes_after(quotes, cue.idx):
                colon_from = cue.idx + len(cue.text) + colon.end()
                colon_span = (colon_from, len(text.rstrip()))
                heads = [cue]
        # "We have been here before: bin Laden declared war": a clause before a colon is not what
        # the sentence after it reports
        heads = [h for h in heads if not (h.i < subject_span.start and any(
            t.text == ":" for t in cue.doc[max(t.i for t in h.subtree if t.i < subject_span.start): subject_span.start]))]
        if not heads:
            return None
    return heads, exclude, colon_span


def _statement_extent(para: _Paragraph, cue, subject_span, heads: list, exclude: set[int], colon_span):
    """(start, end, tail) of a reported statement's characters: from its first clause to its
    last, cut at an attribution that interrupts it, with what runs on after the attribution
    as `tail`. None when no clause has words of its own."""
    text, doc, quotes, cues = para.text, para.doc, para.quotes, para.cues
    span = None
    for head in heads:
        span = _content_span(head, doc, quotes, exclude)
        if span:
            break
    if colon_span is not None:
        span = colon_span
    if not span:
        return None
    start, end = span
    for head in heads[1:]:
        # "Flynn said Trump has ... and his rubble comment was ...": one statement
        more = _content_span(head, doc, quotes, exclude)
        if more and more[0] >= end:
            end = max(end, more[1])
    tail = None
    if start < subject_span.start_char < end:
        # "Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt": the
        # attribution interrupts the statement, which runs on after it
        attribution_end = max(t.idx + len(t.text) for t in cue.subtree if t.i not in
                              {u.i for h in heads if h.i != cue.head.i for u in h.subtree})
        tail = _tail(text, attribution_end, end, cue, cues)
        if tail is None and cue.dep_ == "parataxis" and heads[0].i > cue.i:
            # "The effort, the materials indicate, is led by ...": the verb of the
            # statement comes after the attribution, so the statement runs on there
            rest = re.match(r"\s*,?\s*", text[attribution_end:])
            if rest and end - (attribution_end + rest.end()) > 8:
                tail = (attribution_end + rest.end(), end)
        end = subject_span.start_char
        while end > start and text[end - 1] in ",;— ":
            end -= 1
    elif end <= subject_span.start_char and not heads[0].i > cue.i:
        tail = _tail(text, _attribution_end(cue, heads), cue.sent.end_char, cue, cues)
    return start, end, tail


def _reported_words(para: _Paragraph, cue, subject_span, heads: list, extent, colon_span):
    """(statement, spans, form) from a reported statement's extent: a quotation that is all of
    it is direct; the sentence without "according to ..."; the clause with what continues it,
    keeping a negated or hedged verb ("has not ruled out"). None inside a quotation taken."""
    text, quotes, cues, used = para.text, para.quotes, para.cues, para.used
    start, end, tail = extent
    inner = [q for q in quotes if start <= q.start and q.end <= end]
    if inner and all(q.start <= start + 1 and end <= q.end for q in inner):
        used.update(i for i, q in enumerate(quotes) if q in inner)
        statement, spans = _statement_from_quotes(text, inner)
        return statement, spans, "direct"
    # a clause that lies inside a quotation already taken is not a new statement
    if any(q.start <= start and end <= q.end for q in quotes):
        return None
    if len(inner) == 1 and start < cue.idx and not text[inner[0].end: end].strip(" ,.;") \
            and _title(text[inner[0].start: inner[0].end]) and _circumstance(cue, para.doc, start, inner[0].start):
        return None   # "In his 2002 book, “Make Your Kid a Millionaire,”": a title, and where it was said
    if cue.lower_ == "according":
        # the statement is the sentence without the "according to" phrase
        sent = cue.sent
        start, end = sent.start_char, sent.end_char
        cut_a = min(t.idx for t in cue.subtree)
        cut_b = max(t.idx + len(t.text) for t in cue.subtree)
        statement = (text[start:cut_a] + text[cut_b:end])
        statement = re.sub(r"\s*,\s*([.?!]?)$", r"\1", statement.strip())
        statement = re.sub(r"\s+,", ",", statement).lstrip(" ,")
        spans = [(a, b) for a, b in ((start, cut_a), (cut_b, end)) if text[a:b].strip(" ,.")]
    else:
        rest = text[end: cue.sent.end_char]
        if _CONTINUES.match(rest) and cue.idx < start and not any(
                end <= c.idx < cue.sent.end_char for c in cues if c.i != cue.i and _reports(c)):
            end = cue.sent.end_char  # "..., but only “if ...”": the rest of the sentence
            for q in quotes:
                if q.start < end < q.end:
                    end = q.end
            while end > start and text[end - 1] in ",;— .":
                end -= 1
        statement = text[start:end]
        said_from = _cue_phrase_start(cue, subject_span)
        if colon_span is None and said_from < start and (cue.lemma_.lower() in OBJECT_CONTENT
                                                          or any(h.dep_ == "dobj" or h is cue for h in heads)
                                                          or said_from < cue.idx):
            # what was confirmed, ruled out or not said keeps its verb and its
            # negation: "has not ruled out a meeting", "isn't saying if ..."
            statement = text[said_from:start] + statement
        spans = [(start, end)]
        if tail and tail[0] >= end:
            statement = statement.rstrip(" ,") + " " + text[tail[0]:tail[1]]
            spans.append(tail)
    form = "mixed" if any(start <= q.start < end for q in quotes) else "indirect"
    for i, q in enumerate(quotes):
        if start <= q.start < end:
            used.add(i)
    return statement, spans, form


def _attribution(para: _Paragraph, cue, subject_span, statement: str, spans: list[tuple[int, int]],
                 form: str) -> Attribution:
    """The attribution found, with its context sentence and the frame where its time phrases
    are looked for: the cue's own sentence with statements and quotations blanked out."""
    text, doc, quotes = para.text, para.doc, para.quotes
    low = min([a for a, _ in spans] + [cue.idx, subject_span.start_char])
    high = max([b for _, b in spans] + [cue.idx + len(cue.text), subject_span.end_char])
    c_start, c_end = _sentence_bounds(doc, low, high, quotes)
    frame = list(text)
    for a, b in spans:
        frame[a:b] = " " * (b - a)
    for q in quotes:
        frame[q.start:q.end] = " " * (q.end - q.start)
    frame_text = "".join(frame)
    sentence = cue.sent
    # time phrases only in the cue's own sentence (and the quotation it introduces)
    window_a = min(sentence.start_char, low)
    window_b = max(sentence.end_char, high)
    frame_text = " " * window_a + frame_text[window_a:window_b] + " " * (len(text) - window_b)
    attribution = Attribution(
        paragraph=para.number, statement=_tidy(_without_sourcing(statement) if form != "direct" else statement),
        form=form, spans=spans, cue=cue.text,
        cue_start=cue.idx, subject=subject_span, frame=frame_text,
        context=re.sub(r"\s+", " ", text[c_start:c_end]).strip(),
    )
    attribution.blocked = _other_verb_phrases(doc, cue, frame_text)
    return attribution


def _give_standalone_quotes(para: _Paragraph, here: list[Attribution], lead_in) -> list[str]:
    """Quotations no cue took: each goes to the quoted statement before it in the paragraph,
    or, in a paragraph that is only quotation, to the speaker the last paragraph ended on.
    Warnings for those left without a speaker."""
    text, quotes, used = para.text, para.quotes, para.used
    warnings = []
    for index, quote in enumerate(quotes):
        if index in used:
            continue
        if not _starts_sentence(text, quote):
            continue
        earlier = [a for a in here if a.form in ("direct", "mixed") and max(b for _, b in a.spans) <= quote.start]
        if earlier:
            target = earlier[-1]
            words, spans = _statement_from_quotes(text, [quote])
            if target.form == "mixed":
                words = text[quote.start:quote.end]
            target.statement = _tidy(target.statement + " " + words)
            target.spans.extend(spans)
            used.add(index)
        elif lead_in is not None and not para.cues and not text[: quote.start].strip() and not here:
            # a paragraph that is only a quotation, after one that ends "X wrote:" or on an
            # attribution: the same speaker goes on
            taken = [i for i, q in enumerate(quotes) if i not in used and (i == index or _starts_sentence(text, q))]
            words, spans = _statement_from_quotes(text, [quotes[i] for i in taken])
            subject_span, lead_cue, owner = lead_in
            if len(words.split()) >= 2:
                here.append(Attribution(
                    paragraph=para.number, statement=_tidy(words), form="direct", spans=spans, cue=lead_cue.text,
                    cue_start=quote.start, subject=subject_span, frame=" " * len(text),
                    context=re.sub(r"\s+", " ", text).strip(), speaker_from=owner))
                used.update(taken)
        elif len(text[quote.start:quote.end].split()) >= 4:
            warnings.append(f"paragraph {para.number + 1}: a quotation has no speaker: "
                            f"{text[quote.start:quote.start + 50]!r}...")
    return warnings


def _outer_reports(here: list[Attribution]) -> list[Attribution]:
    """A paragraph's attributions without those reported inside another statement ("the deal
    that he said Russia had submitted"), keeping the inner one where the outer only relays it
    ("X told reporters that ..., the agency reported"); in reading order."""
    relays = [b for b in here if b.cue.lower() in RELAY_CUES and any(
        b is not a and any(s <= a.cue_start < e for s, e in b.spans) for a in here)]
    here = [a for a in here if a not in relays]
    here = [a for a in here if not any(b is not a and any(s <= a.cue_start < e for s, e in b.spans)
                                      for b in here)]
    here.sort(key=lambda a: min(s for s, _ in a.spans))
    return here


def _left_open(para: _Paragraph, here: list[Attribution], open_claim: Attribution | None,
               paragraphs: list[str]) -> tuple[Attribution | None, list[str]]:
    """The claim whose quotation is still open at the end of the paragraph (it may go on in the
    next one), and a warning when a quotation mark is never closed."""
    quotes = para.quotes
    if not quotes or quotes[-1].closed:
        return open_claim, []
    owners = [a for a in here if any(b == quotes[-1].end or b == quotes[-1].inner[1] for _, b in a.spans)]
    if owners:
        return owners[-1], []
    if para.number + 1 < len(paragraphs) and paragraphs[para.number + 1].lstrip()[:1] in OPENING + STRAIGHT:
        return None, []
    return open_claim, [f"paragraph {para.number + 1}: a quotation mark is never closed"]


PUBLISHING = {"publish", "release", "air", "broadcast", "post", "print"}
# A synonym spinner's stand-ins for prepositions, which the parser takes for verbs.
SPUN_NOT_VERBS = {"connected", "successful", "astatine", "arsenic", "helium", "beryllium"}
RELAY_CUES = {"reported", "reports", "according", "reporting"}


def _other_verb_phrases(doc, cue, frame: str) -> dict[int, int]:
    """Positions in the frame of words that hang from another verb than the cue
    ("In comments on Thursday, released Friday, X said": Friday belongs to 'released'):
    1 for a verb of publishing (a fallback date), 2 for any other verb (not the statement's date)."""
    blocked: dict[int, int] = {}
    for token in cue.sent:
        if token.i == cue.i or frame[token.idx: token.idx + 1].isspace():
            continue
        current = token
        for _ in range(8):
            if current.i == cue.i or current.head.i == current.i:
                break
            current = current.head
            if current.i != cue.i and current.pos_ == "VERB" and current.lower_ not in SPUN_NOT_VERBS:
                blocked[token.idx] = 1 if current.lemma_.lower() in PUBLISHING else 2
                break
    return blocked


def quotes_after(quotes: list[Quote], position: int) -> bool:
    """Whether a quotation opens after a position (then the quotation is the statement)."""
    return any(q.start > position for q in quotes)


def _lead_in(text: str, doc, quotes: list[Quote], cues: list, here: list[Attribution]):
    """The speaker a paragraph hands on to a next paragraph that is only a quotation: "X wrote:"
    (a cue with nothing after it), or the attribution in its last sentence."""
    last_sentence = list(doc.sents)[-1] if len(doc) else None
    if last_sentence is None:
        return None
    if text.rstrip().endswith(":"):
        for cue in reversed(cues):
            if cue.i >= last_sentence.start and cue.pos_ == "VERB":
                subject = _subject(cue, quotes)
                if subject is not None and _inside(subject.idx, quotes) is None:
                    span = _subject_span(subject, quotes)
                    if _can_speak(span):
                        return span, cue, None
        return None
    for attribution in reversed(here):
        if attribution.cue_start >= last_sentence.start_char and attribution.speaker_from is None:
            cue = next((t for t in doc if t.idx == attribution.cue_start), None)
            return (attribution.subject, cue, attribution) if cue is not None else None
    return None


NEGATING_VERBS = {"decline", "refuse", "fail", "avoid", "stop", "cease", "hesitate"}


def _negated(verb) -> bool:
    return any(child.dep_ == "neg" for child in verb.children)


def _cue_phrase_start(cue, subject_span) -> int:
    """Where the verb phrase reporting a statement starts when it negates or hedges it: its
    auxiliaries and negation ("has not ruled out", "did not confirm"), or the verb it depends
    on ("declined to rule out", "would not want to say"); the verb itself otherwise."""
    verb = cue
    if cue.dep_ == "xcomp" and cue.head.pos_ in ("VERB", "AUX") and cue.head.i < cue.i and (
            _negated(cue.head) or cue.head.lemma_.lower() in NEGATING_VERBS):
        verb = cue.head
    if not _negated(verb) and verb is cue:
        return cue.idx
    start = verb.idx
    for child in verb.children:
        if child.dep_ in ("aux", "auxpass", "neg") and child.i < verb.i:
            start = min(start, child.idx)
    if subject_span is not None and start <= subject_span.start_char < cue.idx:
        start = cue.idx  # "Did the Kremlin not say ...": the subject is not part of the statement
    return start


def _reports(cue) -> bool:
    """Whether a speech verb starts a report of its own: it has a subject, or it is a participle
    or a verb coordinated with another ("..., adding that", "said ... and warned"); an
    infinitive ("to demand information") is part of the statement around it."""
    if any(child.dep_ in ("nsubj", "nsubjpass") for child in cue.children):
        return True
    if any(child.dep_ == "aux" and child.lower_ == "to" for child in cue.children):
        return False
    return cue.tag_ == "VBG" or cue.dep_ == "conj" or cue.lower_ == "according"


def _content_heads(cue, heads: list, subject_span, cues: list) -> list:
    """The clauses that are what was said, when the parser hangs several on the verb.

    A clause before the verb and one after it ("...: Republicans said they're convinced",
    "While he acknowledged ..., Ham noted ...") : the one after, unless the attribution
    interrupts the statement ("A, X said, that B": both, the first leading). Clauses
    that are reports of their own ("and Democrats accused ...") are left to their verb."""
    clauses = [h for h in heads if h.dep_ == "ccomp" and h.i != cue.head.i]
    if len(clauses) < 2 or len(clauses) != len(heads):
        return heads
    before = [h for h in clauses if h.i < cue.i]
    after = [h for h in clauses if h.i > cue.i and not (_is_cue(h) and _reports(h))]
    if before and after:
        doc = cue.doc
        last = max(t.i for t in before[-1].subtree)
        gap = doc[last + 1: min(subject_span.start, cue.i)].text
        said_that = any(m.dep_ == "mark" and m.lower_ == "that" and m.i == cue.i + 1 for h in after for m in h.children)
        if re.fullmatch(r"\s*,?\s*[”\"’']?\s*", gap) and not said_that:   # "X noted that B" says B
            return before + after
        return after
    return after or heads


def _attribution_end(cue, heads: list) -> int:
    """Where the words of the attribution end: the verb and what hangs on it that is not the
    statement ("the agency said in a June report")."""
    content = {t.i for h in heads for t in h.subtree}
    end = cue.idx + len(cue.text)
    for child in cue.children:
        if child.i > cue.i and child.i not in content and child.dep_ in ("prep", "npadvmod", "advmod", "dative",
                                                                           "dobj", "agent"):
            end = max(end, max(t.idx + len(t.text) for t in child.subtree))
    return end


_TAIL = re.compile(r"\s*,?\s*(?=(?:but|and|because|until|unless|when|while|whereas|although|though|including|"
                   r"since|so|that|if|as|before|after|or)\b)")


def _tail(text: str, attribution_end: int, limit: int, cue, cues: list) -> tuple[int, int] | None:
    """The part of a statement after an attribution that interrupts it: ", until it went bankrupt",
    ", and those in the bottom fifth paid ...", ", that the most-visited page ...". Only when a
    comma and a joining word follow the attribution, and no other report starts there."""
    match = _TAIL.match(text, attribution_end)
    if not match or "," not in text[attribution_end - 1: match.end()]:
        return None
    start = match.end()
    end = max(limit, start)
    if any(start <= c.idx < end for c in cues if c.i != cue.i and _reports(c)):
        return None
    while end > start and text[end - 1] in ",;— .":
        end -= 1
    return (start, end) if end - start > 8 else None


def _inverted_subject(cue, quotes: list[Quote]):
    """The speaker named in commas just before a verb that the parser left without a subject:
    "..., a former president of Kazakhstan, Nursultan Nazarbayev, said on Tuesday"."""
    doc = cue.doc
    sentence = cue.sent
    chunks: list[list] = []
    current: list = []
    for token in reversed(doc[sentence.start: cue.i]):
        if _inside(token.idx, quotes) is not None:
            break
        if token.text == ",":
            if current:
                chunks.append(list(reversed(current)))
                current = []
            if len(chunks) >= 2:
                break
            continue
        current.append(token)
    if current and len(chunks) < 2:
        chunks.append(list(reversed(current)))
    taken: list = []
    for chunk in chunks:
        if len(chunk) > 12 or any(t.pos_ in ("VERB", "AUX") for t in chunk):
            break
        if not any(t.pos_ in ("PROPN", "NOUN") for t in chunk):
            break
        taken = chunk + taken
    if not taken or not any(t.pos_ == "PROPN" or t.ent_type_ in ("PERSON", "ORG") for t in taken):
        return None
    if taken[0].i == sentence.start:
        return None  # the whole clause before the verb is a name: nothing was said
    return doc[taken[0].i: taken[-1].i + 1]


_FOLLOWING = re.compile(r"\s+((?:[A-Z]|the |a |an |presidential |top |former |senior )[^.;:“”\"]{2,120}?)"
                        r"(?=,\s+(?:referring|adding|saying|speaking|who|which|according|told)\b|[.;:]\s|[.;:]?$)")


def _adjacent_name(cue, quotes: list[Quote]):
    """A name right before a verb the parser left without a subject, having hung the name on a
    phrase before it: "In a meeting with the editorial board of the Washington Post Trump said"."""
    doc = cue.doc
    if cue.i == 0 or cue.pos_ != "VERB":
        return None
    before = doc[cue.i - 1]
    if before.pos_ != "PROPN" or _inside(before.idx, quotes) is not None:
        return None
    if before.ent_type_ and before.ent_iob_ != "O":
        for ent in doc.ents:
            if ent.start <= before.i < ent.end and ent.end == cue.i and ent.label_ in ("PERSON", "ORG"):
                # "the Washington Post Trump": a name run on from a title keeps only its last word
                return doc[before.i: cue.i] if ent[0].lower_ == "the" and len(ent) > 2 else ent
        return None
    return doc[before.i: cue.i]


def _following_subject(cue, quotes: list[Quote]):
    """The speaker named after the verb when the parser found no subject:
    "..., said Turkeys foreign minister, Mevlt avuolu, referring to ..."."""
    doc = cue.doc
    end_of_cue = cue.idx + len(cue.text)
    match = _FOLLOWING.match(doc.text, end_of_cue)
    if not match or _inside(match.start(1), quotes) is not None:
        return None
    span = doc.char_span(match.start(1), match.end(1), alignment_mode="expand")
    if span is None or not any(t.pos_ == "PROPN" for t in span):
        return None
    return span


def lemma_of(token) -> str:
    return token.lemma_.lower()


def _has_verb(doc, span: tuple[int, int]) -> bool:
    """Whether a reported clause has a verb of its own (a statement, not a phrase)."""
    start, end = span
    return any(start <= t.idx < end and t.pos_ in ("VERB", "AUX") for t in doc)


# Head nouns of subjects that cannot be speakers ("the truck story suggests", "federal law
# discloses"): things and numbers. A deny-list keeps unusual speakers. Poll respondents
# ("73 percent said") do speak; they are left unnamed, so they never become claims.
MUTE_NOUNS = frozenset("""
story law index number numbers data investment investments figure figures amount
share rate rates tax taxes bill bills money price prices cost costs level levels record records
everything anything nothing something program programme plan plans rule rules policy policies
video videos photo photos image images picture pictures chart map table list page pages site
mass body test tests trend trends move moves decision decisions deal deals idea ideas fact facts
problem problems issue issues question questions section sections response responses spate performance
sign signs
""".split())
NOT_SPEAKERS = frozenset({"it", "this", "that", "which", "what", "there", "these", "those"})


# Verbs whose "it" is someone who spoke, an organisation or a document ("It said the law was
# unconstitutional"), not a thing that shows ("it suggests", "it means").
IT_SAYS = frozenset("say tell write add announce state declare report claim deny warn note insist argue "
                    "explain respond reply tweet".split())


def _it_says(cue, span) -> bool:
    """Whether "it" is the subject of a verb of saying: a speaker to resolve, or to leave for the editor."""
    return len(span) == 1 and span.root.lower_ == "it" and span.root.dep_ == "nsubj" \
        and lemma_of(cue) in IT_SAYS


def _can_speak(span) -> bool:
    """Whether the words naming the speaker can name someone who speaks."""
    root = span.root
    if root.lower_ in NOT_SPEAKERS:
        return False
    if root.pos_ == "NUM" or root.like_num:
        # "one of the family's attorneys, Justin Bamberg" speaks; "73 percent" are not named
        return root.lower_ in ("one", "two", "three") and any(c.dep_ == "prep" and c.lower_ == "of"
                                                               for c in root.children)
    if root.pos_ in ("PRON", "PROPN") or root.ent_type_ in ("PERSON", "ORG", "NORP", "GPE"):
        return True
    return root.lemma_.lower() not in MUTE_NOUNS and root.lower_ not in MUTE_NOUNS
