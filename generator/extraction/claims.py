"""Claims stage: runs the desk for one article: quotations and reported speech
(`quotes`), their speakers (`speakers`), when they were said (`dates`), topics and kinds
(`topics`), and gives each claim a stable id derived from its content.

Consumes a `SourceArticle`, the parsed paragraphs, the speakers registry and the topics;
produces draft `model.Claim`s in reading order, the statements whose speaker could not be named, and
warnings. Pure: nothing is read or written here.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field

from generator.extraction import dates, quotes, topics as tagging
from generator.extraction.articles import SourceArticle
from generator.extraction.speakers import ArticleSpeakers, Registry, Speaker, slug
from generator.model import Claim

MAX_ID = 80
_STOP = set("""a an the and or but of to in on at for with by from as is are was were be been being that this
these those it its it's he she they we i you his her their our my your not no do does did has have had will
would could should can may might must shall there here what which who whom whose when where why how than then
so if also just very more most much many any some such into over about after before up out off only own same
too s t mr ms mrs""".split())


@dataclass
class Found:
    """One attribution with its speaker, as the evaluation sees it (character offsets in the text)."""

    spans: list[tuple[int, int]]
    speaker: Speaker | None
    speaker_span: tuple[int, int] | None
    speaker_text: str | None
    cue: str
    form: str
    statement: str


@dataclass
class Extraction:
    claims: list[Claim] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)  # statements whose speaker could not be named
    warnings: list[str] = field(default_factory=list)


def claim_id(year: str, speaker: str, statement: str) -> str:
    """year-speaker-few-words: "2019-nazarbayev-think-need-separate-personal"."""
    who = speaker.split("-")[-1] if speaker else "unknown"
    words = [w for w in slug(statement).split("-") if w and w not in _STOP][:5]
    base = "-".join([year, who, *words]) if words else f"{year}-{who}"
    base = base[:MAX_ID].rstrip("-")
    return base


def _without_speaker(context: str, speaker_as_written: str | None) -> str:
    """The context without the words naming the speaker: "the former NATO chief" says who
    spoke, not what about, so it must not file the claim under NATO."""
    if not speaker_as_written:
        return context
    return context.replace(speaker_as_written, " ")


_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|me|my|we|We|us|our|Our|you|You|your)\b")


def _excerpt(doc, quote) -> bool:
    """Whether a quotation is a quoted passage of narrative rather than speech: it opens the
    paragraph, is left open (it goes on in the next one), and no one in it says I, we or you
    ("McCrummen reports:" / "Melanie thought the whole thing was outrageous. She wasn't ...")."""
    text = doc.text
    return not quote.closed and not text[:quote.start].strip() and not _FIRST_PERSON.search(text[quote.start:quote.end])


def _main_subjects(doc, quote_list) -> list:
    """Subjects of main clauses (and of speech verbs) outside quotations, or inside a quoted
    passage of narrative, whose "she" the passage's own "she said" means."""
    subjects = []
    for token in doc:
        if token.dep_ not in ("nsubj", "nsubjpass"):
            continue
        head = token.head
        inside = quotes._inside(token.idx, quote_list)
        if inside is not None and not _excerpt(doc, inside):
            continue
        if head.dep_ == "ROOT" or (head.dep_ == "conj" and head.head.dep_ == "ROOT") or quotes._is_cue(head):
            subjects.append(token)
    return subjects


def extract_paragraphs(paragraphs: list[str], docs: list, registry: Registry, *, spun: bool = False,
                       offsets: list[int] | None = None, on=None) -> tuple[list, list[Found], ArticleSpeakers, list[str]]:
    """Attributions with resolved speakers for a list of paragraphs (used for articles and
    for the evaluation corpus). Returns (pairs of attribution and speaker, found, resolver, warnings)."""
    if offsets is None:
        offsets, position = [], 0
        for paragraph in paragraphs:
            offsets.append(position)
            position += len(paragraph) + 1
    attributions, warnings = quotes.find_attributions(paragraphs, docs)
    resolver = ArticleSpeakers(registry, spun=spun, on=on)
    resolver.foresee(docs)
    by_paragraph: dict[int, list] = {}
    for attribution in attributions:
        by_paragraph.setdefault(attribution.paragraph, []).append(attribution)
    pairs = []
    found: list[Found] = []
    resolved: dict[int, object] = {}  # attribution -> its speaker
    for number, (text, doc) in enumerate(zip(paragraphs, docs)):
        offset = offsets[number]
        quote_list, _ = quotes.find_quotes(text)
        resolver.note_people(doc, offset, lambda at: quotes._inside(at, quote_list) is not None)
        for sentence in doc.sents:
            if any(t.is_alpha and quotes._inside(t.idx, quote_list) is None for t in sentence):
                resolver.note_narrative_sentence(offset + sentence.start_char)
        events = []
        taken = set()
        for attribution in by_paragraph.get(number, []):
            subject = attribution.subject
            events.append((subject.start_char, 0, attribution))
            taken.add(subject.root.i)
        reported = [span for attribution in by_paragraph.get(number, []) for span in attribution.spans]
        for token in _main_subjects(doc, quote_list):
            if token.i not in taken:
                events.append((token.idx, 1, token))
        events.sort(key=lambda e: (e[0], e[1]))
        for position, what, item in events:
            if what == 1:
                span = quotes._subject_span(item, quote_list)
                # drafts made here reach people.yaml only if they end up speaking
                speaker = resolver.resolve(span, offset + position)
                if speaker is None and item.pos_ == "PROPN":
                    resolver.note_unknown_subject(offset + position)
                if speaker is None or span.root.lower_ not in ("they", "it"):
                    resolver.note_group(offset + position, span)
                if speaker and not any(a <= position < b for a, b in reported):
                    # someone a reported statement names ("Earnest said that Obama has called for
                    # ...") is known, but is not who the next "he said" means: the speaker is
                    resolver.note_subject(offset + position, speaker.id)
                    # the words hanging from the subject's verb, outside quotations and its object
                    # ("visit to Istanbul on June 8" dates the visit, not the speaking)
                    verb = item.head
                    kept = {verb.i} | {t.i for child in [*verb.children, *item.children]
                                       if child.dep_ in ("prep", "npadvmod", "advmod") for t in child.subtree}
                    words = "".join(t.text_with_ws if t.i in kept and not quotes._inside(t.idx, quote_list)
                                    else " " * len(t.text_with_ws) for t in item.sent)
                    resolver.note_sentence(speaker.id, number, position, words)
                continue
            attribution = item
            exclude = [(offset + a, offset + b) for a, b in attribution.spans]
            if attribution.speaker_from is not None and id(attribution.speaker_from) in resolved:
                speaker = resolved[id(attribution.speaker_from)]  # a quotation standing alone: the same speaker
            else:
                speaker = resolver.resolve(attribution.subject, offset + position, exclude)
            resolved[id(attribution)] = speaker
            if speaker:
                resolver.note_subject(offset + position, speaker.id)
            if attribution.subject is not None and attribution.speaker_from is None \
                    and (speaker is None or attribution.subject.root.lower_ not in ("they", "it")):
                # "they say", nobody named: the plural subject it stands for, for the editor
                group = resolver.note_group(offset + position, attribution.subject, exclude)
                attribution.group = group if speaker is None else None
            spans = [(offset + a, offset + b) for a, b in attribution.spans]
            for later, later_spans in attribution.continued:
                spans.extend((offsets[later] + a, offsets[later] + b) for a, b in later_spans)
            subject = attribution.subject
            found.append(Found(spans, speaker, (offset + subject.start_char, offset + subject.end_char),
                               subject.text, attribution.cue, attribution.form, attribution.statement))
            pairs.append((attribution, speaker))
    return pairs, found, resolver, warnings


def extract_claims(article: SourceArticle, docs: list, registry: Registry,
                   topic_list: list[dict]) -> Extraction:
    """The claims an article reports, in reading order."""
    spun = "spun-text" in article.quality
    pairs, found, resolver, warnings = extract_paragraphs(article.paragraphs, docs, registry, spun=spun,
                                                          on=article.published)
    result = Extraction(found=found, warnings=list(warnings))
    compiled = tagging.compile_terms(topic_list)
    year = str(article.published.year) if article.published else "undated"
    last_dated: dict[str, tuple[int, dates.SaidDate]] = {}
    seen_ids: set[str] = set()
    seen_statements: set[tuple[str, str]] = set()
    for attribution, speaker in pairs:
        if speaker is None:
            # written all the same, without a speaker, for the editor to name (`hindsight check` asks)
            result.unnamed.append(f"{attribution.subject.text}: {attribution.statement[:60]}")
            speaker = resolver.undetermined(attribution.subject)
            if attribution.group:
                # what "they" stands for, in the brackets a newsroom uses for words it adds to a quotation
                speaker = Speaker(None, f"{speaker.as_written} [{attribution.group}]", None)
        when = dates.said_date(attribution.frame, article.published, attribution.cue_start, attribution.blocked)
        introduction = resolver.introduction(speaker.id, attribution.paragraph, attribution.cue_start) \
            if when.basis in ("published", None) and speaker.id else None
        if introduction:
            # "Zelenskyy on Monday reiterated his offer. “…,” he said.": the day of the sentence before
            carried = dates.said_date(introduction, article.published)
            if carried.basis not in ("published", None):
                when = carried
        earlier = last_dated.get(speaker.id)
        if when.basis in ("published", None) and earlier and attribution.paragraph - earlier[0] <= 1:
            when = earlier[1]  # the same speaker quoted again, right after, about the same occasion
        elif when.basis not in ("published", None):
            last_dated[speaker.id] = (attribution.paragraph, when)
        statement = attribution.statement
        if (speaker.id, statement) in seen_statements:
            continue
        seen_statements.add((speaker.id, statement))
        base = claim_id(year, speaker.id or "", statement)
        claim_id_, n = base, 2
        while claim_id_ in seen_ids:
            claim_id_, n = f"{base}-{n}", n + 1
        seen_ids.add(claim_id_)
        result.claims.append(Claim(
            id=claim_id_, statement=statement, form=attribution.form, speaker=speaker.id,
            speaker_as_written=speaker.as_written, role=speaker.role, said=when.day, said_basis=when.basis,
            said_precision=when.precision,
            context=attribution.context, topics=tuple(tagging.tag(statement + "\n" + _without_speaker(
                attribution.context, speaker.as_written), compiled)),
            kind=tagging.kind(statement, attribution.cue),
        ))
    return result
