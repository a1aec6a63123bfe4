"""Measure extraction on what `hindsight extract` writes: PolNeAR attributions, the seeds, speed.

    .venv/bin/python bench/evaluate_extraction.py            # everything (about two minutes)
    .venv/bin/python bench/evaluate_extraction.py --seeds    # only the seeds (fast)
    .venv/bin/python bench/evaluate_extraction.py --details  # also list misses and wrong claims

(a) PolNeAR development split, read at run time from ../shared/eval/polnear/ (never copied
    into the repository). Every text is copied as a seed into a temporary project whose
    content folder has an EMPTY people.yaml, `hindsight extract` runs on them as a user would
    run it, and the claim sheets it writes are scored. Gold: every attribution with a Source,
    a Content and a cue that is an act of speech or writing (GOLD_VERBS in any form, their
    noun forms NOUN_CUES, "according to"); beliefs and intentions stay out. The cue list is
    the bench's own, not the extractor's. A written statement is aligned back to the text
    word by word; it finds a gold attribution when it covers at least half of the gold
    Content's words and its speaker is the gold Source (see `speaker_is`). Texts annotated
    twice use the first annotator.
(b) The seeds, extracted the same way into a fresh project with an empty registry, against
    tests/gold/seeds.yaml; and, as before, in memory with the curated registry.
(c) For comparison, the figure this bench gave before issue 21: the library's attributions
    (not the CLI's output) against gold filtered by the extractor's own verb list of the time.
(d) Speed: words per second and peak memory of the `hindsight extract` process.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.extraction import seeds as seed_driver  # noqa: E402
from generator.extraction import articles, claims, language  # noqa: E402
from generator.extraction.sheets import fold_statement  # noqa: E402
from generator.extraction.speakers import Registry, bare_name, first_name_genders, fold  # noqa: E402



def read_registry(path: Path, key: str) -> list[dict]:
    """The entries under `key` in people.yaml or topics.yaml; stops the bench if it cannot be read."""
    entries, problems = seed_driver.read_registry(path, key)
    if problems:
        raise SystemExit(f"{problems[0].path}:{problems[0].line}: {problems[0].message}")
    return entries


POLNEAR = ROOT.parent / "shared" / "eval" / "polnear"
GOLD = ROOT / "tests" / "gold" / "seeds.yaml"

TARGETS = {"polnear_precision": 0.90, "polnear_recall": 0.80, "seed_direct": 1.0, "seed_reported": 0.90,
           "seed_dates": 0.95}

# The gold's speech cues (issue 21), independent of what the extractor knows.
GOLD_VERBS = frozenset("""
say tell add state announce indicate insist deny warn write argue claim assert declare explain note reply
respond suggest urge acknowledge admit ask call stress tweet predict promise
""".split())
NOUN_CUES = {
    "statement": "state", "announcement": "announce", "claim": "claim", "warning": "warn", "denial": "deny",
    "assertion": "assert", "declaration": "declare", "explanation": "explain", "argument": "argue",
    "suggestion": "suggest", "insistence": "insist", "indication": "indicate", "reply": "reply",
    "response": "respond", "admission": "admit", "acknowledgment": "acknowledge",
    "acknowledgement": "acknowledge", "prediction": "predict", "promise": "promise", "tweet": "tweet",
    "note": "note", "call": "call",
}
_IRREGULAR = {"say": ["says", "said", "saying"], "tell": ["tells", "told", "telling"],
              "write": ["writes", "wrote", "written", "writing"], "admit": ["admits", "admitted", "admitting"]}
# Words before a cue that make it a noun: "in a statement", "the claim", "his warning".
_DETERMINERS = {"a", "an", "the", "his", "her", "their", "its", "our", "my", "your", "this", "that", "s",
                "such", "whose", "in", "of", "new", "earlier", "latest", "written", "joint", "repeated"}
# The extractor's verb list before issue 21, frozen here so the old figure stays comparable.
OLD_FILTER_VERBS = frozenset("""
say tell add state announce indicate insist deny warn write claim suggest note declare explain
argue assert stress reiterate repeat acknowledge admit confirm report reply respond answer
predict promise pledge vow urge caution complain concede contend emphasize emphasise maintain
mention observe remark reveal tweet testify rule allege accuse boast recall
threaten assure inform disclose demand propose retort
""".split())


def _inflections(lemma: str) -> list[str]:
    if lemma in _IRREGULAR:
        return [lemma, *_IRREGULAR[lemma]]
    if lemma.endswith("e"):
        return [lemma, lemma + "s", lemma + "d", lemma[:-1] + "ing"]
    if lemma.endswith("y") and lemma[-2] not in "aeiou":
        return [lemma, lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"]
    if lemma.endswith(("s", "sh", "ch", "x", "z")):
        return [lemma, lemma + "es", lemma + "ed", lemma + "ing"]
    return [lemma, lemma + "s", lemma + "ed", lemma + "ing"]


VERB_FORMS = {form: lemma for lemma in GOLD_VERBS for form in _inflections(lemma)}
NOUN_FORMS = {**NOUN_CUES, **{noun + ("es" if noun.endswith("s") else "s"): lemma
                              for noun, lemma in NOUN_CUES.items() if noun != "insistence"}}
NOUN_FORMS["replies"] = "reply"


def plain(text: str) -> str:
    """Lower-case ASCII words separated by single spaces (the bench's own folding). A curly
    apostrophe splits words as a straight one does: "Trump’s" is "trump s", never "trumps"."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.findall(r"[a-z0-9]+", text))


def cue_class(cue: str, before: str = "", after: str = "") -> str | None:
    """'verb', 'noun' or 'according to' when the cue is an act of speech or writing, else None.
    `before` and `after` are the words around the cue in the text (for "called for" and
    "in a statement")."""
    words = plain(cue).split()
    if "according" in words and words[words.index("according") + 1: words.index("according") + 2] in (["to"], []):
        return "according to"
    context_before = plain(before).split()[-1:]
    following = plain(after).split()[:1]
    found = None
    for i, word in enumerate(words):
        previous = words[i - 1] if i else (context_before[0] if context_before else "")
        nxt = words[i + 1] if i + 1 < len(words) else (following[0] if following else "")
        as_noun = word in NOUN_FORMS and (word not in VERB_FORMS or previous in _DETERMINERS)
        lemma = NOUN_FORMS[word] if as_noun else VERB_FORMS.get(word)
        if lemma is None:
            continue
        if lemma == "call" and nxt not in ("for", "on"):
            continue  # "called him a liar" names; "called for", "called on" ask
        kind = "noun" if as_noun else "verb"
        if kind == "verb":
            return kind
        found = found or kind
    return found


# ---------------------------------------------------------------------------
# Running the command as a user does


def fresh_project(where: Path, seeds: list[tuple[str, str]]) -> tuple[Path, list[Path]]:
    """A project folder with an empty registry and no topics, and the given (name, text) seeds."""
    content = where / "content"
    (content / "articles").mkdir(parents=True)
    (content / "people.yaml").write_text("people: []\n", encoding="utf-8")
    (content / "topics.yaml").write_text("topics: []\n", encoding="utf-8")
    folder = where / "seeds"
    folder.mkdir()
    paths = []
    for name, text in seeds:
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return content, paths


@dataclass
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_extract(content: Path, seeds: list[Path], jobs: int | None = None) -> Run:
    """`python -m generator extract` in a child process, timed, with its peak memory."""
    command = [sys.executable, "-m", "generator", "extract", "--content", str(content), *map(str, seeds)]
    if jobs:
        command[4:4] = ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return Run(seconds, max(peak, before) / 1024, done.returncode, done.stdout, done.stderr)


@dataclass
class Written:
    """One claim as `hindsight extract` wrote it, with the spellings its speaker goes by."""

    statement: str
    form: str
    speaker: str | None
    as_written: str
    names: list[str]  # the registry entry's name and aliases (empty when no speaker was resolved)
    kind: str


def read_output(content: Path) -> dict[str, list[Written]]:
    """The claims written under content/articles, by seed file name."""
    people = {p.get("id"): p for p in read_registry(content / "people.yaml", "people")}
    result: dict[str, list[Written]] = {}
    for path in sorted((content / "articles").rglob("*.yaml")):
        sheet = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        seed = Path(str((sheet.get("article") or {}).get("seed", ""))).name
        for claim in sheet.get("claims") or []:
            speaker = claim.get("speaker") or None
            entry = people.get(speaker, {}) if speaker else {}
            names = [str(n) for n in [entry.get("name"), *(entry.get("aliases") or [])] if n]
            if speaker and not names:
                names = [speaker.replace("-", " ")]
            result.setdefault(seed, []).append(Written(
                str(claim.get("statement") or ""), str(claim.get("form") or ""), speaker,
                str(claim.get("speaker_as_written") or ""), names, str(entry.get("kind") or "person")))
    return result


# ---------------------------------------------------------------------------
# (b) the seeds


@dataclass
class SeedScore:
    direct_total: int = 0
    direct_found: int = 0
    reported_total: int = 0
    reported_found: int = 0
    dated_total: int = 0
    dated_right: int = 0
    claims: int = 0
    claims_matched: int = 0
    misses: list[str] = field(default_factory=list)
    wrong_dates: list[str] = field(default_factory=list)

    @staticmethod
    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    @property
    def direct(self) -> float:
        return self.ratio(self.direct_found, self.direct_total)

    @property
    def reported(self) -> float:
        return self.ratio(self.reported_found, self.reported_total)

    @property
    def dates(self) -> float:
        return self.ratio(self.dated_right, self.dated_total)

    @property
    def precision(self) -> float:
        return self.ratio(self.claims_matched, self.claims)


def _gold_date(value):
    if value is None or isinstance(value, dt.date):
        return value
    if value == "unknown":
        return "unknown"
    return dt.date.fromisoformat(str(value))


def score_seeds(root: Path = ROOT, gold_path: Path = GOLD) -> SeedScore:
    """Extract the seeds in memory with the curated registry (nothing is written) and compare
    with the gold file."""
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))["seeds"]
    registry = Registry(read_registry(root / "content" / "people.yaml", "people"))
    topics = read_registry(root / "content" / "topics.yaml", "topics")
    score = SeedScore()
    for seed, expected in sorted(gold.items()):
        text = (root / seed).read_text(encoding="utf-8")
        article = articles.read_article(text, seed, registry.names())
        docs = language.parse(article.paragraphs)
        found = claims.extract_claims(article, docs, registry, topics).claims
        score.claims += len(found)
        matched_claims: set[int] = set()
        for entry in expected["statements"]:
            want = fold_statement(entry["text"])
            hits = [i for i, c in enumerate(found) if c.speaker == entry["speaker"] and want in fold_statement(c.statement)]
            _count(score, entry, bool(hits), seed)
            if not hits:
                continue
            matched_claims.update(hits)
            _count_date(score, entry, found[hits[0]].said, seed)
        score.claims_matched += len(matched_claims)
    return score


def _count(score: SeedScore, entry: dict, hit: bool, seed: str) -> None:
    if entry["form"] == "direct":
        score.direct_total += 1
        score.direct_found += hit
    else:
        score.reported_total += 1
        score.reported_found += hit
    if not hit:
        score.misses.append(f"{seed}: {entry['speaker']}: {entry['text']}")


def _count_date(score: SeedScore, entry: dict, got, seed: str) -> None:
    said = _gold_date(entry.get("said"))
    if said == "unknown":
        return
    score.dated_total += 1
    if got == said:
        score.dated_right += 1
    else:
        score.wrong_dates.append(f"{seed}: {entry['text'][:40]}: {got} (gold {said})")


_NAME_NOISE = {"the", "mr", "mrs", "ms", "dr"}


def _spelling(name: str) -> str:
    return " ".join(w for w in plain(name).split() if w not in _NAME_NOISE)


def score_seeds_fresh(root: Path = ROOT, gold_path: Path = GOLD) -> tuple[SeedScore, Run]:
    """`hindsight extract` on the seeds into a fresh project with an empty registry. A gold
    speaker is recognised by the spellings the curated registry gives them (name and aliases):
    a claim has the right speaker when its new registry entry shares one of those spellings."""
    gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))["seeds"]
    curated = {p["id"]: p for p in read_registry(root / "content" / "people.yaml", "people")}
    score = SeedScore()
    with tempfile.TemporaryDirectory(prefix="hindsight-seeds-") as tmp:
        content, paths = fresh_project(Path(tmp), [(Path(s).name, (root / s).read_text(encoding="utf-8"))
                                                   for s in sorted(gold)])
        run = run_extract(content, paths)
        if run.returncode not in (0, 1) or "Traceback" in run.stderr:
            raise SystemExit(f"hindsight extract failed on the seeds ({run.returncode}):\n{run.stderr[-2000:]}")
        written = read_output(content)
        dated = _written_dates(content)
    for seed, expected in sorted(gold.items()):
        found = written.get(Path(seed).name, [])
        score.claims += len(found)
        matched_claims: set[int] = set()
        for entry in expected["statements"]:
            person = curated.get(entry["speaker"], {})
            spellings = {_spelling(n) for n in [person.get("name", entry["speaker"]), *(person.get("aliases") or [])]}
            want = fold_statement(entry["text"])
            hits = [i for i, c in enumerate(found) if want in fold_statement(c.statement)
                    and spellings & {_spelling(n) for n in c.names}]
            _count(score, entry, bool(hits), seed)
            if hits:
                matched_claims.update(hits)
                _count_date(score, entry, dated.get((Path(seed).name, found[hits[0]].statement)), seed)
        score.claims_matched += len(matched_claims)
    return score, run


def _written_dates(content: Path) -> dict[tuple[str, str], dt.date | None]:
    result = {}
    for path in sorted((content / "articles").rglob("*.yaml")):
        sheet = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        seed = Path(str((sheet.get("article") or {}).get("seed", ""))).name
        for claim in sheet.get("claims") or []:
            result[(seed, str(claim.get("statement") or ""))] = claim.get("said")
    return result


# ---------------------------------------------------------------------------
# (a) PolNeAR


@dataclass
class GoldAttribution:
    content: list[tuple[int, int]]
    source: list[tuple[int, int]]
    source_text: str
    cue: str
    cue_spans: list[tuple[int, int]] = field(default_factory=list)
    cue_class: str | None = None  # verb, noun, according to; None when not speech
    old_filter: bool = False  # kept by the filter this bench used before issue 21
    antecedents: list[str] | None = None  # for a pronoun Source: the words it may stand for


def _spans(field_text: str) -> list[tuple[int, int]]:
    spans = []
    for part in field_text.split(";"):
        a, b = part.split()
        spans.append((int(a), int(b)))
    return spans


def read_annotations(path: Path, text: str) -> list[GoldAttribution]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    relations = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, where = parts[1].partition(" ")
            spans[parts[0]] = (label, _spans(where))
        elif line.startswith("E") and len(parts) >= 2:
            relations.append(dict(item.split(":", 1) for item in parts[1].split()))
    result = []
    for relation in relations:
        content = spans.get(relation.get("Content", ""), ("", []))[1]
        source = spans.get(relation.get("Source", ""), ("", []))[1]
        cue = spans.get(relation.get("Cue", ""), ("", []))[1]
        if not content:
            continue
        source_text = " ".join(text[a:b] for a, b in source)
        cue_text = " ".join(text[a:b] for a, b in cue)
        if source and cue and plain(source_text) and all(w in VERB_FORMS for w in plain(source_text).split()) \
                and not any(w in VERB_FORMS for w in plain(cue_text).split()):
            source, cue = cue, source  # a few annotations swap the Source and the Cue ("said Mulgrew")
        result.append(GoldAttribution(content, source, " ".join(text[a:b] for a, b in source),
                                      " ".join(text[a:b] for a, b in cue), cue))
    result.sort(key=lambda g: min(a for a, _ in g.content))
    return result


PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "his", "its", "their", "our"}
RELATIVE = {"who", "which", "that", "whom", "whose"}
_FEMININE = {"she", "her", "mrs", "ms", "woman", "spokeswoman", "congresswoman", "chairwoman", "mother", "wife",
             "daughter", "sister", "madam"}
_MASCULINE = {"he", "him", "his", "mr", "man", "spokesman", "congressman", "chairman", "father", "husband",
              "son", "brother"}


def _is_pronoun(text: str) -> bool:
    return plain(text) in PRONOUNS


_NOT_PERSONS = {"tweet", "tweets", "campaign", "report", "poll", "polls", "statement", "study", "survey",
                "network", "newspaper", "department", "committee", "agency", "office", "group", "organization",
                "website", "letter", "video", "ad", "book", "memo", "document", "email", "emails", "analysis",
                "article", "story", "data", "company", "administration", "government", "foundation", "times",
                "post", "news", "journal", "party", "council", "court", "house", "senate", "congress"}


def _has_name(text: str) -> bool:
    """Whether the words contain a proper name (a capitalised word after the first)."""
    words = re.findall(r"[\w’'.-]+", text)
    return any(w[:1].isupper() for w in words[1:]) or (len(words) == 1 and words[0][:1].isupper())


def _genders(text: str) -> dict[str, str]:
    """Surnames whose gender the text states: "Mr. Clarke", "Ms. LaBelle", "Wimes said she", or
    shows by a first name the US census gives almost only to one gender ("Barack Obama" makes
    "Obama" a man; "Bill Clinton" and "Hillary Clinton" leave "Clinton" open)."""
    result: dict[str, str] = {}
    for title, name in re.findall(r"\b(Mr|Mrs|Ms|Miss)\.? ([A-Z][\w’'-]+)", text):
        result.setdefault(plain(name), "m" if title == "Mr" else "f")
    for name, pronoun in re.findall(r"\b([A-Z][\w’'-]+),? (?:said|says|added|told \w+|wrote) (he|she)\b", text):
        result.setdefault(plain(name), "m" if pronoun == "he" else "f")
    by_first: dict[str, set[str]] = {}
    for first, name in re.findall(r"\b([A-Z][a-z]+) (?:[A-Z]\. )?([A-Z][\w’'-]+)", text):
        gender = first_name_genders().get(first.lower())
        if gender:
            by_first.setdefault(plain(name), set()).add(gender)
    for name, genders in by_first.items():
        if len(genders) == 1:
            result.setdefault(name, genders.pop())
    return result


def _source_gender(candidate: str, genders: dict[str, str]) -> str | None:
    """The gender a Source shows: a gendered word ("spokeswoman", "Mrs."), else its first name's
    (census), else what the text shows of its surname."""
    words = set(plain(candidate).split())
    if words & _FEMININE:
        return "f"
    if words & _MASCULINE:
        return "m"
    core = _core(candidate.split(",")[0])
    if len(core) >= 2 and first_name_genders().get(core[-2]):
        return first_name_genders()[core[-2]]  # "Clinton communication director Jennifer Palmieri"
    return genders.get(core[-1]) if core else None


# plural quantifiers a Source may be ("Some believe", "Many say"): never "he" or "she"
_QUANTIFIERS = {"some", "many", "others", "several", "few", "both", "all", "most", "critics", "experts"}


def resolve_gold_pronouns(gold: list[GoldAttribution], text: str, not_one: set[str] = frozenset(),
                          names: set[str] | None = None, people: set[str] | None = None) -> None:
    """Give each pronoun Source the words it may stand for: the nearest earlier Source that is
    not a pronoun and does not disagree with it (gender by Mr./Mrs., spokesman/spokeswoman; he
    and she never stand for a campaign, a tweet or a report), and when that one names no one
    ("the Republican nominee"; for he and she, "the GOP candidate" names no person either), also
    the nearest earlier one with a name. A relative pronoun
    ("Mr. Kamin, who emphasized") stands for the words just before it."""
    genders = None
    named = sorted(((g.source[0][0], g.source_text) for g in gold if g.source and not _is_pronoun(g.source_text)
                    and plain(g.source_text) not in RELATIVE), key=lambda s: s[0])
    for g in gold:
        if not g.source:
            continue
        word = plain(g.source_text)
        start = g.source[0][0]
        if word in RELATIVE:
            before = text[max(0, start - 100): start]
            before = re.split(r"[.;:\n]", before)[-1]
            g.antecedents = [before.rstrip(" ,")]
        elif word in PRONOUNS:
            wanted = "f" if word in _FEMININE else "m" if word in _MASCULINE else None
            g.antecedents = []
            genders = genders if genders is not None else _genders(text)
            for _, candidate in reversed([n for n in named if n[0] < start][-12:]):
                gender = _source_gender(candidate, genders)
                head = candidate.split(",")[0]  # "Angelique Brunner, a developer and spokeswoman": one person
                if wanted and candidate in not_one:
                    continue  # a group, a country, a people: not he or she
                if wanted and gender and gender != wanted:
                    continue
                # the noun that names, before an apposition or a preposition: "Nick Witney, a fellow
                # at ... whose efforts face strict limits" is not a group of limits
                named_part = " ".join(next((head.split()[:i] for i, w in enumerate(head.split())
                                            if i and plain(w) in _PREPOSITIONS), head.split()))
                last = plain(named_part).split()[-1:]
                if wanted and plain(head) in _QUANTIFIERS:
                    continue
                if wanted and (last and last[0] in _NOT_PERSONS or " and " in head
                               or last and last[0].endswith("s") and named_part.split()[-1][:1].islower()
                               or plain(candidate) in ("delegates", "democrats", "republicans")):
                    continue  # he and she stand for one person, not a campaign or a group
                g.antecedents.append(candidate)
                known = people if wanted and people is not None else names
                if candidate in known if known is not None else _has_name(candidate):
                    break


_PREPOSITIONS = {"at", "of", "for", "from", "with", "in", "on", "to", "who", "which", "whose"}


def _core(text: str) -> list[str]:
    """The words that name: no leading article or title, no party tag "(R-Wis.)", no possessive
    ending (the Source of "Donald Trump's claim that" is "Donald Trump's": Trump)."""
    words = plain(re.sub(r"\([^)]*\)?", " ", text)).split()
    while words and words[0] in _NAME_NOISE | {"a", "an", "s"}:
        words = words[1:]
    if len(words) > 1 and words[-1] == "s":
        words = words[:-1]
    return words


def _names_source(name: str, source: str, person: bool) -> bool:
    """Whether one spelling of the speaker names the Source: one ends with the other
    ("Donald Trump" / "Mr. Trump"; "Kellyanne Conway" / "campaign manager Kellyanne Conway"),
    or, for a person, the surname is the Source's last word. "Trump's campaign" is not Trump."""
    name_words = _core(name)
    if not name_words:
        return False
    parts = [_core(part) for part in re.sub(r"\([^)]*\)?", " ", source).split(",")]
    for whole in list(parts):
        # "Dan McLaughlin at the National Review": the head before the preposition names too
        cut = next((i for i, w in enumerate(whole) if w in _PREPOSITIONS), len(whole))
        parts.append(whole[:cut])
    for source_words in parts:
        if not source_words:
            continue
        n = min(len(name_words), len(source_words))
        if name_words[-n:] == source_words[-n:] and (n == len(name_words) or n == len(source_words)):
            return True
        if person and len(name_words) > 1 and name_words[-1] == source_words[-1]:
            return True  # "Barack Obama" is "President Obama"
        short, long = sorted((name_words, source_words), key=len)
        if len(short) >= 2 and long[:len(short)] == short and long[len(short):len(short) + 1] != ["s"]:
            return True  # "all the experts" / "all the experts I interviewed"; not "Trump's campaign"
    return False


def speaker_is(claim: Written, gold: GoldAttribution) -> bool:
    """Whether the claim's speaker is the gold Source. A pronoun Source counts only through the
    words it stands for, matched against the speaker the extractor resolved (not the pronoun it
    wrote); a named Source matches the resolved speaker's name or aliases, or the speaker as
    written."""
    if not gold.source:
        return False
    person = claim.kind == "person"
    if gold.antecedents is not None or _is_pronoun(gold.source_text) or plain(gold.source_text) in RELATIVE:
        # what the extractor resolved, or the words it wrote for the pronoun when it named no one
        # ("an architect" for "who"; "they [Mr. Grassley and Mr. Leahy]"), never the pronoun itself
        written = claim.as_written
        inside = re.fullmatch(r"(\w+) \[(.+)\]", written)
        if inside and (_is_pronoun(inside.group(1)) or plain(inside.group(1)) in RELATIVE):
            written = inside.group(2)
        spellings = list(claim.names)
        if written and not _is_pronoun(written) and plain(written) not in RELATIVE:
            spellings.append(written)
        return any(_names_source(n, target, person) for target in gold.antecedents or [] for n in spellings)
    spellings = list(claim.names)
    if claim.as_written and not _is_pronoun(claim.as_written) and plain(claim.as_written) not in RELATIVE:
        spellings.append(claim.as_written)
    return any(_names_source(n, gold.source_text, person) for n in spellings)


_WORD = re.compile(r"\w+")


@dataclass
class Words:
    """The text's words, folded, with their character offsets, for aligning statements back."""

    words: list[str]
    starts: list[int]
    index: dict[str, list[int]]

    @classmethod
    def of(cls, text: str) -> "Words":
        words, starts, index = [], [], {}
        for match in _WORD.finditer(text):
            word = plain(match.group()) or match.group().lower()
            index.setdefault(word, []).append(len(words))
            words.append(word)
            starts.append(match.start())
        return cls(words, starts, index)

    def positions(self, spans: list[tuple[int, int]]) -> set[int]:
        result = set()
        for a, b in spans:
            result.update(range(bisect.bisect_left(self.starts, a), bisect.bisect_left(self.starts, b)))
        return result


def align(statement: str, text: Words) -> set[int]:
    """The positions of the text's words the statement reproduces: runs of at least two words
    in order (one word when it continues the run before), near the statement's longest run."""
    said = [plain(w) or w.lower() for w in _WORD.findall(statement)]
    if not said:
        return set()

    def run_at(i: int, p: int) -> int:
        k = 0
        while i + k < len(said) and p + k < len(text.words) and said[i + k] == text.words[p + k]:
            k += 1
        return k

    best = (0, 0, 0)
    for i in range(len(said)):
        for p in text.index.get(said[i], []):
            k = run_at(i, p)
            if k > best[0]:
                best = (k, i, p)
    if best[0] == 0:
        return set()
    anchor = best[2]
    covered: set[int] = set()
    i, last = 0, None
    while i < len(said):
        options = []
        for p in text.index.get(said[i], []):
            if abs(p - anchor) > 400:
                continue
            k = run_at(i, p)
            distance = abs(p - last) if last is not None else abs(p - anchor)
            options.append((k, -distance, p))
        if options:
            k, _, p = max(options)
            if k >= 2 or (last is not None and 0 <= p - last <= 3):
                covered.update(range(p, p + k))
                last = p + k
                i += k
                continue
        i += 1
    return covered


@dataclass
class PolnearScore:
    texts: int = 0
    words: int = 0
    attributions: int = 0  # every attribution in the gold, beliefs included
    gold: int = 0  # speech cue, with Source and Content
    recalled: int = 0
    by_class: dict[str, list[int]] = field(default_factory=dict)  # class -> [gold, recalled]
    old_gold: int = 0
    old_recalled: int = 0
    claims: int = 0
    right_any: int = 0  # claims that match some gold attribution (any cue)
    right_speech: int = 0  # claims that match a speech-cue gold attribution
    right_part: int = 0  # claims matching none, but a piece of a longer Content, by its Source
    unresolved: int = 0  # claims written without a speaker (drafts the editor names; counted as claims)
    unresolved_right: int = 0  # of those, right through the speaker as written ("the researchers")
    unresolved_statement: int = 0  # of those, whose statement covers an attribution's Content, whoever spoke
    run: Run | None = None
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right_any / self.claims if self.claims else 0.0

    @property
    def recall(self) -> float:
        return self.recalled / self.gold if self.gold else 0.0


def polnear_documents(folder: Path = POLNEAR) -> list[tuple[str, str, list[GoldAttribution]]]:
    """(name, text, gold) for every dev text, gold classified by cue and pronouns resolved."""
    first: dict[str, Path] = {}
    for path in sorted((folder / "dev" / "attributions").glob("*.ann")):
        first.setdefault(path.stem.rsplit("_", 1)[0], path)
    documents = []
    for path in sorted((folder / "dev" / "text").glob("*.txt")):
        if path.stem not in first:
            continue
        text = path.read_text(encoding="utf-8")
        gold = read_annotations(first[path.stem], text)
        for g in gold:
            if g.cue_spans:
                a, b = g.cue_spans[0][0], g.cue_spans[-1][1]
                g.cue_class = cue_class(g.cue, text[max(0, a - 30): a], text[b: b + 20])
        documents.append((path.name, text, gold))
    nlp = language.pipeline()
    sources = sorted({g.source_text for _, _, gold in documents for g in gold if g.source})
    parsed = list(nlp.pipe(sources))
    # what a Source is, read from its head (the words before an apposition's comma)
    heads = dict(zip(sources, nlp.pipe([source.split(",")[0] or source for source in sources])))
    not_one = {doc.text for doc in parsed if doc[:].root.morph.get("Number") == ["Plur"]
               and doc[:].root.ent_type_ != "PERSON"  # "Leslie Wimes" is tagged plural
               or doc[:].root.ent_type_ in ("GPE", "NORP") or doc[:].root.pos_ == "ADJ"}
    names = {doc.text for doc in parsed if any(t.ent_type_ in ("PERSON", "ORG") for t in doc)}
    # for he and she a Source names someone when a person's name is its head ("Trump", "Rep. Gwen
    # Moore"), not when a name only qualifies a role ("The GOP candidate")
    people = {source for source, doc in heads.items()
              if doc[:].root.text[:1].isupper() or any(t.ent_type_ == "PERSON" for t in doc)}
    for _, text, gold in documents:
        resolve_gold_pronouns(gold, text, not_one, names, people)
    lemmas = {doc.text: {t.lemma_.lower() for t in doc}
              for doc in nlp.pipe(sorted({g.cue.lower() for _, _, gold in documents for g in gold}))}
    for _, _, gold in documents:
        for g in gold:
            g.old_filter = bool(g.source) and (bool(lemmas.get(g.cue.lower(), set()) & OLD_FILTER_VERBS)
                                               or "according to" in g.cue.lower())
    return documents


def score_polnear(folder: Path = POLNEAR, jobs: int | None = None) -> PolnearScore:
    """Run `hindsight extract` on the dev texts with an empty registry and score what it writes."""
    documents = polnear_documents(folder)
    score = PolnearScore(texts=len(documents))
    with tempfile.TemporaryDirectory(prefix="hindsight-polnear-") as tmp:
        content, paths = fresh_project(Path(tmp), [(name, text) for name, text, _ in documents])
        score.run = run_extract(content, paths, jobs)
        if score.run.returncode not in (0, 1) or "Traceback" in score.run.stderr:
            raise SystemExit(f"hindsight extract failed ({score.run.returncode}):\n{score.run.stderr[-2000:]}")
        written = read_output(content)
    for name, text, gold in documents:
        score.words += len(text.split())
        words = Words.of(text)
        found = written.get(name, [])
        covered = [align(c.statement, words) for c in found]
        contents = [words.positions(g.content) for g in gold]

        def finds(ci: int, gi: int) -> bool:
            want = contents[gi]
            return bool(want) and len(covered[ci] & want) * 2 >= len(want) and speaker_is(found[ci], gold[gi])

        def part_of(ci: int, gi: int) -> bool:
            """The claim is a piece of a longer Content (four fifths of its words inside it), by its Source."""
            want, have = contents[gi], covered[ci]
            return bool(want) and bool(have) and len(have & want) * 5 >= len(have) * 4 and speaker_is(found[ci], gold[gi])

        score.attributions += len(gold)
        hit = [any(finds(ci, gi) for ci in range(len(found))) for gi in range(len(gold))]
        for gi, g in enumerate(gold):
            if g.cue_class and g.source:
                score.gold += 1
                score.recalled += hit[gi]
                row = score.by_class.setdefault(g.cue_class, [0, 0])
                row[0] += 1
                row[1] += hit[gi]
                if not hit[gi]:
                    score.misses.append(f"{name}: [{g.source_text}] {g.cue} | {text[g.content[0][0]:g.content[-1][1]][:100]}")
            if g.old_filter:
                score.old_gold += 1
                score.old_recalled += hit[gi]
        for ci, c in enumerate(found):
            score.claims += 1
            score.unresolved += not c.speaker
            right = [gi for gi in range(len(gold)) if finds(ci, gi)]
            score.right_any += bool(right)
            score.right_speech += any(gold[gi].cue_class and gold[gi].source for gi in right)
            if not c.speaker:
                score.unresolved_right += bool(right)
                score.unresolved_statement += any(contents[gi] and len(covered[ci] & contents[gi]) * 2 >= len(contents[gi])
                                                  for gi in range(len(gold)))
            if not right and any(part_of(ci, gi) for gi in range(len(gold))):
                score.right_part += 1
            if not right:
                near = max(range(len(gold)), key=lambda gi: len(covered[ci] & contents[gi]), default=None)
                why = "no attribution there" if near is None or not covered[ci] & contents[near] else \
                    f"nearest: [{gold[near].source_text}" + (f" = {' / '.join(gold[near].antecedents)}"
                                                             if gold[near].antecedents else "") + \
                    f"] {gold[near].cue} ({len(covered[ci] & contents[near])}/{len(contents[near])} words)"
                score.wrong.append(f"{name}: [{c.as_written} -> {c.speaker}] {c.statement[:90]} || {why}")
    return score


@dataclass
class LibraryScore:
    gold: int = 0
    recalled: int = 0
    found: int = 0
    right: int = 0


def score_library_before(folder: Path = POLNEAR) -> LibraryScore:
    """The measure this bench made before issue 21: the library's attributions (including those
    the CLI drops), gold filtered by the extractor's verb list of the time, speakers matched by
    span overlap or surname."""
    documents = polnear_documents(folder)
    score = LibraryScore()
    for _, text, gold in documents:
        paragraphs, offsets, position = [], [], 0
        for line in text.split("\n"):
            if line.strip():
                paragraphs.append(line)
                offsets.append(position)
            position += len(line) + 1
        docs = language.parse(paragraphs)
        _, found, _, _ = claims.extract_paragraphs(paragraphs, docs, Registry([]), offsets=offsets)
        kept = [g for g in gold if g.old_filter]
        score.gold += len(kept)
        score.found += len(found)
        score.right += sum(any(_old_matches(f, g, text) for g in gold) for f in found)
        score.recalled += sum(any(_old_matches(f, g, text) for f in found) for g in kept)
    return score


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(y, w) - max(x, v)) for x, y in a for v, w in b)


def _old_matches(found, gold: GoldAttribution, text: str) -> bool:
    length = sum(b - a for a, b in gold.content)
    if not (length > 0 and _overlap(found.spans, gold.content) * 2 >= length):
        return False
    source = gold.source
    if gold.source_text.strip().lower() in RELATIVE and source:
        start = source[0][0]
        comma = text.rfind(",", 0, start)
        before = text.rfind(".", 0, max(comma, 0))
        source = [(max(before + 1, start - 80), start)] + source
    if found.speaker_span and _overlap([found.speaker_span], source) > 0:
        return True
    if found.speaker is None:
        return False
    name = bare_name(found.speaker.id.replace("-", " "))
    surname = name.split()[-1] if name else ""
    return bool(surname) and surname in set(fold(gold.source_text).split())


# ---------------------------------------------------------------------------


def _row(name: str, value: str, target: str = "", ok: bool | None = None) -> str:
    mark = "" if ok is None else ("ok" if ok else "BELOW TARGET")
    return f"| {name:<62} | {value:>16} | {target:>8} | {mark:<12} |"


def _seed_rows(label: str, seeds: SeedScore) -> list[str]:
    return [
        _row(f"seeds ({label}): direct quotes, right speaker", f"{seeds.direct_found}/{seeds.direct_total} "
             f"{seeds.direct:.0%}", "100%", seeds.direct >= TARGETS["seed_direct"]),
        _row(f"seeds ({label}): reported statements, right speaker",
             f"{seeds.reported_found}/{seeds.reported_total} {seeds.reported:.0%}", ">= 90%",
             seeds.reported >= TARGETS["seed_reported"]),
        _row(f"seeds ({label}): dates right (of found, gold dated)", f"{seeds.dated_right}/{seeds.dated_total} "
             f"{seeds.dates:.0%}", ">= 95%", seeds.dates >= TARGETS["seed_dates"]),
        _row(f"seeds ({label}): claims matching a gold statement", f"{seeds.claims_matched}/{seeds.claims} "
             f"{seeds.precision:.0%}"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", action="store_true", help="only the seeds")
    parser.add_argument("--details", action="store_true", help="list misses and claims matching no gold")
    parser.add_argument("--no-before", action="store_true", help="skip the library measure from before issue 21")
    parser.add_argument("--jobs", type=int, default=None, help="pass --jobs N to hindsight extract")
    parser.add_argument("--polnear", type=Path, default=POLNEAR, help=f"the PolNeAR folder (default: {POLNEAR})")
    args = parser.parse_args(argv)
    lines = [_row("measure", "value", "target", None),
             "|" + "-" * 64 + "|" + "-" * 18 + "|" + "-" * 10 + "|" + "-" * 14 + "|"]
    fresh, seed_run = score_seeds_fresh()
    lines += _seed_rows("empty registry, CLI", fresh)
    curated = score_seeds()
    lines += _seed_rows("curated registry", curated)
    pol = None
    if not args.seeds:
        if not args.polnear.is_dir():
            print(f"PolNeAR not found at {args.polnear}; run with --seeds, or put the corpus there", file=sys.stderr)
            return 2
        pol = score_polnear(args.polnear, jobs=args.jobs)
        lines.append(_row("PolNeAR dev: texts / attributions (all cues)", f"{pol.texts} / {pol.attributions}"))
        lines.append(_row("PolNeAR dev: gold (speech cue, Source, Content)", f"{pol.gold}"))
        lines.append(_row("PolNeAR dev: gold's share of all attributions", f"{pol.gold / pol.attributions:.1%}"))
        lines.append(_row("PolNeAR dev: claims written (no speaker resolved)", f"{pol.claims} ({pol.unresolved})"))
        lines.append(_row("PolNeAR dev: precision (claim matches any attribution)", f"{pol.precision:.3f}",
                          ">= 0.90", pol.precision >= TARGETS["polnear_precision"]))
        lines.append(_row("PolNeAR dev: precision, a piece of a longer Content by its Source also right",
                          f"{(pol.right_any + pol.right_part) / pol.claims if pol.claims else 0:.3f} (+{pol.right_part})"))
        lines.append(_row("PolNeAR dev: precision (vs speech-cue gold only)",
                          f"{pol.right_speech / pol.claims if pol.claims else 0:.3f}"))
        named = pol.claims - pol.unresolved
        lines.append(_row("PolNeAR dev: precision of claims filed under a speaker",
                          f"{pol.right_any - pol.unresolved_right}/{named} "
                          f"{(pol.right_any - pol.unresolved_right) / named if named else 0:.3f}"))
        lines.append(_row("PolNeAR dev: no-speaker drafts: right as written / statement found",
                          f"{pol.unresolved_right} / {pol.unresolved_statement} of {pol.unresolved}"))
        lines.append(_row("PolNeAR dev: recall (speech-cue gold)", f"{pol.recalled}/{pol.gold} {pol.recall:.3f}",
                          ">= 0.80", pol.recall >= TARGETS["polnear_recall"]))
        for kind in ("verb", "noun", "according to"):
            total, hit = pol.by_class.get(kind, [0, 0])
            lines.append(_row(f"PolNeAR dev: recall, {kind} cues", f"{hit}/{total} {hit / total if total else 0:.3f}"))
        lines.append(_row("PolNeAR dev: recalled share of all attributions",
                          f"{pol.recalled / pol.attributions:.1%}"))
        lines.append(_row("PolNeAR dev: recall, gold of the old filter (CLI)",
                          f"{pol.old_recalled}/{pol.old_gold} {pol.old_recalled / pol.old_gold:.3f}"))
        if not args.no_before:
            before = score_library_before(args.polnear)
            lines.append(_row("BEFORE issue 21's measure: library, old filter, recall",
                              f"{before.recalled}/{before.gold} {before.recalled / before.gold:.3f}"))
            lines.append(_row("BEFORE issue 21's measure: library, precision",
                              f"{before.right}/{before.found} {before.right / before.found:.3f}"))
        run = pol.run
        lines.append(_row("speed: words per second (hindsight extract, model load incl.)",
                          f"{pol.words / run.seconds:,.0f}"))
        lines.append(_row("speed: words / seconds", f"{pol.words} / {run.seconds:.1f}s"))
        lines.append(_row("memory: peak resident set of the extract process", f"{run.peak_mb:,.0f} MB"))
    print("\n".join(lines))
    if args.details:
        print("\nSeed misses (empty registry):\n  " + "\n  ".join(fresh.misses or ["none"]))
        print("Seed misses (curated):\n  " + "\n  ".join(curated.misses or ["none"]))
        print("Seed wrong dates (curated):\n  " + "\n  ".join(curated.wrong_dates or ["none"]))
        if pol:
            print(f"\nPolNeAR misses ({len(pol.misses)}):\n  " + "\n  ".join(pol.misses))
            print(f"\nPolNeAR claims matching no attribution ({len(pol.wrong)}):\n  " + "\n  ".join(pol.wrong))
    if seed_run.returncode not in (0, 1):
        print(f"\nhindsight extract on the seeds exited {seed_run.returncode}:\n{seed_run.stderr[-1000:]}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
