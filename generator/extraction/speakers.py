"""Speaker stage: decides who made each statement. Names with titles and appositions
("Kremlin spokesman Dmitry Peskov", "a former president of Kazakhstan, Nursultan
Nazarbayev"), later references ("Mr. Peskov", "he", "the Russian leader", "the Kremlin
spokesman") and institutions ("the Kremlin", "the State Department") are matched to
`content/people.yaml` through names, aliases, transliterations and stripped accents
(Zelensky, Zelenskyy and Zelenskiy are one person); people met for the first time become
drafts.

Consumes the speakers registry (plain data from people.yaml) and the speaker as written
(a spaCy span); produces a `Speaker` (people id, as written, role as the article gives it)
or None when the speaker cannot be named (anonymous officials, an unresolved "they").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "president", "prime", "minister", "secretary", "gen", "general",
    "chancellor", "deputy", "foreign", "senator", "sen", "rep", "gov", "governor", "spokesman",
    "spokeswoman", "spokesperson", "ambassador", "adviser", "advisor", "presidential", "kremlin", "of",
    "state", "defense", "defence", "vice", "chief", "head", "former", "russian", "ukrainian", "turkish",
    "american", "french", "german", "british", "italian", "top", "senior", "the", "a", "an", "lt", "col",
}
PRONOUNS = {"he", "she", "him", "her"}
SPUN_PRONOUNS = {"helium": "he"}  # a synonym spinner's "he"
GENERIC_HEADS = {
    "official", "officials", "analyst", "analysts", "aide", "aides", "source", "sources", "diplomat",
    "diplomats", "expert", "experts", "observer", "observers", "critic", "critics", "people", "some",
    "many", "others", "lawmaker", "lawmakers", "leaders", "both", "sides", "negotiators", "report",
    "reports", "media", "they", "we", "it", "i", "you", "who", "one", "all", "most", "residents",
}
ROLE_WORDS = {
    "leader": {"president", "prime minister", "chancellor", "leader"},
    "president": {"president"},
    "spokesman": {"spokesman", "spokeswoman", "spokesperson", "press secretary"},
    "spokeswoman": {"spokesman", "spokeswoman", "spokesperson", "press secretary"},
    "spokesperson": {"spokesman", "spokeswoman", "spokesperson", "press secretary"},
    "minister": {"minister"},
    "negotiator": {"negotiator", "delegation"},
    "chancellor": {"chancellor"},
    "adviser": {"adviser", "advisor"},
}
DEMONYMS = {
    "russian": "russia", "ukrainian": "ukraine", "american": "united states", "u.s.": "united states",
    "us": "united states", "french": "france", "german": "germany", "turkish": "turkey", "kremlin": "kremlin",
    "italian": "italy", "british": "united kingdom", "kazakh": "kazakhstan", "estonian": "estonia",
}


def fold(text: str) -> str:
    """Lower-case ASCII with accents removed: "Mevlüt Çavuşoğlu" -> "mevlut cavusoglu"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    plain = re.sub(r"[’']s\b", "", plain)
    plain = re.sub(r"[^a-z0-9 ]+", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()


def strip(text: str) -> str:
    """Lower-case with every non-ASCII character dropped, as damaged copies have it:
    "Mevlüt Çavuşoğlu" -> "mevlt avuolu"."""
    plain = "".join(ch for ch in text if ch.isascii()).lower()
    plain = re.sub(r"'s\b", "", plain)
    plain = re.sub(r"[^a-z0-9 ]+", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()


def bare_name(text: str) -> str:
    """A name without titles and middle initials: "Mr. Vladimir V. Putin" -> "vladimir putin"."""
    words = fold(text).split()
    kept = [w for w in words if w not in TITLES and len(w) > 1]
    return " ".join(kept)


def name_keys(text: str) -> set[str]:
    keys = {fold(text), strip(text), bare_name(text)}
    stripped_bare = " ".join(w for w in strip(text).split() if w not in TITLES and len(w) > 1)
    keys.add(stripped_bare)
    return {k for k in keys if k}


@dataclass
class Person:
    id: str
    name: str
    kind: str = "person"
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # "title organisation" words, lower-case
    draft_role: str | None = None
    new: bool = False


@dataclass
class Speaker:
    id: str
    as_written: str
    role: str | None


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


class Registry:
    """The speakers known to the archive, indexed by every key their names fold to."""

    def __init__(self, people: list[dict]):
        self.people: dict[str, Person] = {}
        self.index: dict[str, str] = {}
        self.surnames: dict[str, set[str]] = {}
        for entry in people:
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
                continue
            roles = []
            for role in entry.get("roles") or []:
                if isinstance(role, dict) and role.get("title"):
                    roles.append(fold(f"{role.get('title')} {role.get('organisation') or ''}"))
            person = Person(str(entry["id"]), str(entry["name"]), str(entry.get("kind") or "person"),
                            [str(a) for a in entry.get("aliases") or []], roles)
            self._add(person)

    def _add(self, person: Person) -> None:
        self.people[person.id] = person
        for name in [person.name, *person.aliases]:
            for key in name_keys(name):
                self.index.setdefault(key, person.id)
            if person.kind == "person":
                words = bare_name(name).split() or fold(name).split()
                if words:
                    self.surnames.setdefault(words[-1], set()).add(person.id)
                    stripped = strip(name).split()
                    if stripped:
                        self.surnames.setdefault(stripped[-1], set()).add(person.id)

    def names(self) -> list[str]:
        return [name for p in self.people.values() for name in [p.name, *p.aliases]]

    def lookup(self, text: str, kind: str | None = None) -> str | None:
        """The id of the speaker this name refers to, or None."""
        candidates = [text]
        if re.search(r"[a-z]s$", text):  # "Lavrovs": an apostrophe lost
            candidates.append(text[:-1])
        for candidate in candidates:
            for key in name_keys(candidate):
                found = self.index.get(key)
                if found and (kind is None or self.people[found].kind == kind):
                    return found
        for candidate in candidates:
            words = bare_name(candidate).split()
            if len(words) == 1:
                ids = self.surnames.get(words[0], set())
                if kind:
                    ids = {i for i in ids if self.people[i].kind == kind}
                if len(ids) == 1:
                    return next(iter(ids))
        # transliterations no alias lists ("Dmitriy Peskov")
        key = bare_name(text)
        if len(key.split()) >= 2:
            choices = {k: v for k, v in self.index.items() if len(k.split()) >= 2
                       and (kind is None or self.people[v].kind == kind)}
            best = process.extractOne(key, list(choices), scorer=fuzz.ratio, score_cutoff=88)
            if best and best[0].split()[-1][:3] == key.split()[-1][:3]:
                return choices[best[0]]
        return None

    def add_draft(self, name: str, kind: str, role: str | None) -> Person:
        base = (slug(bare_name(name) or name) if kind == "person" else slug(name)) or slug(name)
        person_id, n = base, 2
        while person_id in self.people and self.people[person_id].name != name:
            person_id, n = f"{base}-{n}", n + 1
        if person_id in self.people:
            return self.people[person_id]
        person = Person(person_id, name, kind, [], [fold(role)] if role else [], draft_role=role, new=True)
        self._add(person)
        return person

    def by_role(self, words: list[str], prefer: list[str]) -> str | None:
        """A person whose role fits a description ("the Russian leader", "the Kremlin spokesman"),
        preferring those already mentioned in the article (most recent first)."""
        titles: set[str] = set()
        places: set[str] = set()
        for word in words:
            if word in ROLE_WORDS:
                titles |= ROLE_WORDS[word]
            if word in DEMONYMS:
                places.add(DEMONYMS[word])
        if not titles:
            return None

        def fits(person: Person) -> bool:
            for role in person.roles:
                if any(title in role for title in titles) and all(place in role for place in places):
                    return True
            return False

        for person_id in prefer:
            person = self.people.get(person_id)
            if person and fits(person):
                return person_id
        if not places:
            return None  # "the president" alone: only someone already in the article
        matches = [p.id for p in self.people.values() if fits(p)]
        return matches[0] if len(matches) == 1 else None


_NAME_RUN_POS = {"PROPN"}
PERSON_NOUNS = {
    "diplomat", "minister", "spokesman", "spokeswoman", "spokesperson", "official", "adviser", "advisor",
    "president", "ambassador", "professor", "analyst", "negotiator", "leader", "chief", "secretary", "envoy",
    "lawmaker", "senator", "expert", "aide", "head", "director", "chancellor", "commander", "general",
    "governor", "mayor", "journalist", "researcher", "strategist", "economist", "politician", "candidate",
}
ORG_WORDS = {"agency", "council", "department", "ministry", "news", "times", "party", "union", "house",
             "kremlin", "government", "office", "nations", "states", "post", "journal", "committee", "army",
             "forces", "bank", "fund", "commission", "parliament", "senate", "congress", "court", "school"}


def _name_runs(span) -> list:
    """Runs of proper nouns in a span, leaving out possessives ("Mr. Putin’s spokesman")."""
    runs, current = [], []
    for token in span:
        if token.pos_ in _NAME_RUN_POS or (current and token.text in ("-",) and False):
            current.append(token)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    result = []
    for run in runs:
        last = run[-1]
        nxt = last.doc[last.i + 1] if last.i + 1 < len(last.doc) else None
        if nxt is not None and nxt.lower_ in ("’s", "'s", "’", "'"):
            continue
        result.append(span.doc[run[0].i: last.i + 1])
    return result


def _accepted(run, span) -> bool:
    """A name that is the speaker itself or in apposition to it, not one inside a phrase
    ("A Kremlin readout of the call with Mr. Scholz" is not Mr. Scholz speaking)."""
    root = run.root
    if root.i == span.root.i or root.dep_ in ("appos", "nsubj", "nsubjpass", "compound", "ROOT"):
        return True
    return span.root.i in range(run.start, run.end)


def _full_name(ent):
    """A PERSON entity stretched over the capitalised words the model left out ("Anders" Fogh Rasmussen)."""
    doc = ent.doc
    start = ent.start
    while start > 0:
        token = doc[start - 1]
        if token.pos_ == "PROPN" and token.text[:1].isupper() and fold(token.text) not in TITLES \
                and token.ent_type_ not in ("GPE", "ORG", "NORP") and token.dep_ != "poss":
            start -= 1
        else:
            break
    return doc[start: ent.end]


def _clean_name(text: str) -> str:
    words = text.split()
    while words and fold(words[0]) in TITLES | {"mr", "ms", "mrs"} and len(words) > 2:
        words = words[1:]
    while words and words[0].rstrip(".").lower() in ("mr", "ms", "mrs", "dr"):
        words = words[1:]
    return " ".join(words).strip(" ,")


def _role(span, name_span) -> str | None:
    """The speaker's role as the article gives it: the subject without the name."""
    if name_span is None:
        return None
    cleaned = _clean_name(name_span.text)
    prefix = name_span.text[: name_span.text.find(cleaned)].strip() if cleaned and cleaned in name_span.text else ""
    text = span.text
    if prefix and not re.fullmatch(r"(?:Mr|Mrs|Ms|Dr)\.?", prefix):
        # "President Volodymyr Zelenskiy": the title is the role
        a = name_span.start_char - span.start_char
        return (span.text[:a] + prefix).strip(" ,") or None
    a = name_span.start_char - span.start_char
    b = name_span.end_char - span.start_char
    rest = (text[:a] + " " + text[b:])
    rest = re.sub(r"\b(?:Mr|Mrs|Ms|Dr)\.\s*$", "", rest.strip())
    rest = re.sub(r"\s+", " ", rest).strip(" ,;—-")
    rest = re.sub(r"\s+,", ",", rest)
    rest = re.sub(r"^(?:Mr|Mrs|Ms|Dr)\.$", "", rest)
    if not rest or not re.search(r"[a-z]", rest):
        return None
    return rest


class ArticleSpeakers:
    """Speaker resolution within one article: remembers who was named so far, their roles,
    and the subjects of main clauses (for "he" and "the Russian leader")."""

    def __init__(self, registry: Registry, spun: bool = False):
        self.registry = registry
        self.spun = spun
        self.roles: dict[str, str] = {}  # person id -> first role the article gives
        self.local: dict[str, str] = {}  # surname key -> person id met in this article
        self.subjects: list[tuple[int, str]] = []  # (global position, person id) of main-clause subjects
        self.mentioned: list[str] = []
        self.pending: dict[str, str] = {}  # surname key -> full name met, not yet a speaker

    def note_people(self, doc, offset: int) -> None:
        """Learn the full names in a paragraph so later "Mr. X" finds them."""
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            name = _clean_name(_full_name(ent).text)
            words = bare_name(name).split()
            if len(words) < 2:
                continue
            person_id = self.registry.lookup(name, "person")
            if person_id:
                self.local.setdefault(words[-1], person_id)
                self._mention(person_id)
            else:
                self.pending.setdefault(words[-1], name)

    def _mention(self, person_id: str) -> None:
        if person_id in self.mentioned:
            self.mentioned.remove(person_id)
        self.mentioned.insert(0, person_id)

    def pronoun(self, word: str) -> bool:
        word = word.lower()
        return word in PRONOUNS or (self.spun and word in SPUN_PRONOUNS)

    def resolve(self, span, position: int, exclude: list[tuple[int, int]] = (), create: bool = True) -> Speaker | None:
        """Who the words `span` (at `position` in the article) refer to."""
        text = span.text.strip()
        if not text:
            return None
        if len(span) == 1 and self.pronoun(span[0].text):
            for at, person_id in reversed(self.subjects):
                if at >= position or any(a <= at < b for a, b in exclude):
                    continue
                if self.registry.people[person_id].kind == "person":
                    return Speaker(person_id, text, self.roles.get(person_id))
            return None
        if span.root.lower_ in ("who", "which", "that"):
            return None
        # 1. a person's name, known to the archive or met earlier in the article
        runs = _name_runs(span)
        runs = [run for run in runs if _accepted(run, span)]
        for run in runs:
            name = _clean_name(run.text)
            if not name:
                continue
            words = bare_name(name).split()
            person_id = None
            if len(words) == 1 and words[0] in self.local:
                person_id = self.local[words[0]]
            if len(words) == 1 and words[0].endswith("s") and words[0][:-1] in self.local:
                person_id = self.local[words[0][:-1]]
            person_id = person_id or self.registry.lookup(name, "person")
            if person_id:
                return self._found(person_id, span, run)
            if len(words) == 1 and words[0] in self.pending and create:
                # "Mr. Rasmussen", named in full earlier in the article
                person = self.registry.add_draft(self.pending[words[0]], "person", None)
                self.local[words[0]] = person.id
                return self._found(person.id, span, run)
        # 1b. a known name the parser split ("Mevlt avuolu", tagged as a verb)
        for chunk in re.split(r"\s*,\s*", text):
            words = _clean_name(chunk).split()
            for size in (3, 2):
                for start in range(0, max(0, len(words) - size) + 1):
                    candidate = " ".join(words[start:start + size])
                    if len(candidate.split()) == size and candidate[:1].isupper():
                        person_id = self.registry.lookup(candidate, "person")
                        if person_id and len(bare_name(candidate).split()) >= 2:
                            piece = span.doc.char_span(span.start_char + text.find(candidate),
                                                       span.start_char + text.find(candidate) + len(candidate),
                                                       alignment_mode="expand")
                            return self._found(person_id, span, piece if piece is not None else span)
        # 2. a person the language model recognises
        for ent in span.ents:
            if ent.label_ != "PERSON" or not _accepted(ent, span):
                continue
            ent = _full_name(ent)
            nxt = ent.doc[ent.end] if ent.end < len(ent.doc) else None
            if nxt is not None and nxt.lower_ in ("’s", "'s"):
                continue
            name = _clean_name(ent.text)
            words = bare_name(name).split()
            if len(words) < 2 or not create:
                continue
            if words[-1] in self.local:
                return self._found(self.local[words[-1]], span, ent)
            person = self.registry.add_draft(name, "person", _role(span, ent))
            self.local[words[-1]] = person.id
            return self._found(person.id, span, ent)
        # 2b. a name the language model missed: two to four capitalised words
        for run in runs:
            name = _clean_name(run.text)
            words = name.split()
            described = span.root.lemma_.lower() in PERSON_NOUNS and run.root.dep_ == "appos"
            if create and 2 <= len(words) <= 4 and all(w[:1].isupper() for w in words) \
                    and (described or not any(t.ent_type_ in ("GPE", "NORP", "ORG", "DATE", "FAC", "LOC")
                                              for t in run if t.text in words)) \
                    and not any(fold(w) in ORG_WORDS for w in words) and len(bare_name(name).split()) >= 2:
                surname = bare_name(name).split()[-1]
                if surname in self.local:
                    return self._found(self.local[surname], span, run)
                person = self.registry.add_draft(name, "person", _role(span, run))
                self.local[surname] = person.id
                return self._found(person.id, span, run)
        # 3. an institution
        head_words = fold(text).split()
        if head_words and head_words[-1] in GENERIC_HEADS and not any(t.ent_type_ == "PERSON" for t in span):
            return None
        org_id = self.registry.lookup(text, "organisation")
        if org_id and not any(w in ROLE_WORDS for w in head_words):
            return Speaker(org_id, text, None)
        for ent in span.ents:
            if ent.label_ == "ORG" and ent.root.i == span.root.i or ent.label_ == "ORG" and ent.text == span.text.removeprefix("the ").removeprefix("The "):
                org_id = self.registry.lookup(ent.text, "organisation")
                if org_id:
                    return Speaker(org_id, text, None)
                if create:
                    name = re.sub(r"^(?:the|The)\s+", "", ent.text)
                    person = self.registry.add_draft(name, "organisation", None)
                    return Speaker(person.id, text, None)
        # 4. a description of someone named before: "the Russian leader", "the Kremlin spokesman"
        person_id = self.registry.by_role(head_words, self.mentioned)
        if person_id:
            self._mention(person_id)
            return Speaker(person_id, text, text if person_id not in self.roles else self.roles[person_id])
        return None

    def _found(self, person_id: str, span, name_span) -> Speaker:
        role = _role(span, name_span)
        if role and person_id not in self.roles:
            self.roles[person_id] = role
        words = bare_name(_clean_name(name_span.text)).split()
        if words:
            self.local.setdefault(words[-1], person_id)
        self._mention(person_id)
        return Speaker(person_id, span.text.strip(), role or self.roles.get(person_id))

    def note_subject(self, position: int, person_id: str) -> None:
        self.subjects.append((position, person_id))
