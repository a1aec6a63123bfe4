"""Speaker stage: decides who made each statement. Names with titles and appositions
("Kremlin spokesman Dmitry Peskov", "a former president of Kazakhstan, Nursultan
Nazarbayev"), later references ("Mr. Peskov", "he", "the Russian leader", "the Kremlin
spokesman") and institutions ("the Kremlin", "the State Department") are matched to
`content/people.yaml` through names, aliases, transliterations and stripped accents
(Zelensky, Zelenskyy and Zelenskiy are one person, and so are Vladimir and Volodymyr
Zelensky even when the registry is empty); people, organisations ("Trump campaign", "the
Foreign Ministry") and groups ("U.S. officials", "Democrats") met for the first time become
drafts of their kind. A role ("the spokesman for the Russian president") is whoever held
that role, never its principal.

Consumes the speakers registry (plain data from people.yaml) and the speaker as written
(a spaCy span); produces a `Speaker` (people id, as written, role as the article gives it)
or None when the speaker cannot be named (an unnamed official, "critics", an unresolved
"they"); `ArticleSpeakers.undetermined` then describes them for the editor.
"""

from __future__ import annotations

import bisect
import functools
import importlib.resources
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
GENDERED_PRONOUNS = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f",
                     "herself": "f"}
GENDERED = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "spokesman": "m", "spokeswoman": "f", "congressman": "m",
            "congresswoman": "f", "chairman": "m", "chairwoman": "f", "businessman": "m", "businesswoman": "f",
            "wife": "f", "husband": "m", "mother": "f", "father": "m", "daughter": "f", "son": "m", "sister": "f",
            "brother": "m", "actress": "f", "actor": "m", "sen": None, "king": "m", "queen": "f", "lady": "f"}
GENDERED = {word: gender for word, gender in GENDERED.items() if gender}
# A first name is taken for one gender's when the census counts it at least this many times as
# often for that gender as for the other: Jan, Robin, Leslie, Jordan, Kelly, Chris tell nothing.
ONE_GENDER_RATIO = 10


@functools.lru_cache(maxsize=1)
def first_name_genders() -> dict[str, str]:
    """First names that are almost only one gender's ("she" is never John Stumpf), from the US
    census's first-name counts shipped in the `names` package (MIT). Names it does not count,
    as many non-English ones, tell nothing."""
    shares: dict[str, dict[str, float]] = {}
    folder = importlib.resources.files("names")
    for gender, file in (("m", "dist.male.first"), ("f", "dist.female.first")):
        for line in folder.joinpath(file).read_text(encoding="ascii").splitlines():
            fields = line.split()
            if len(fields) >= 2:
                shares.setdefault(fields[0].lower(), {})[gender] = float(fields[1])
    genders = {}
    for name, share in shares.items():
        male, female = share.get("m", 0.0), share.get("f", 0.0)
        if male >= ONE_GENDER_RATIO * female:
            genders[name] = "m"
        elif female >= ONE_GENDER_RATIO * male:
            genders[name] = "f"
    return genders


COLLECTIVE_PRONOUNS = {"they": ("group", "organisation"), "it": ("organisation",)}
POSSESSIVES = {"his": ("person",), "her": ("person",), "their": ("group", "organisation"), "its": ("organisation",)}
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
    "secretary": {"secretary"},
}
DEMONYMS = {
    "russian": "russia", "ukrainian": "ukraine", "american": "united states", "u.s.": "united states",
    "us": "united states", "french": "france", "german": "germany", "turkish": "turkey", "kremlin": "kremlin",
    "italian": "italy", "british": "united kingdom", "kazakh": "kazakhstan", "estonian": "estonia",
}


_POSSESSIVE = re.compile(r"[’']s\b")
_ASCII_POSSESSIVE = re.compile(r"'s\b")
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=65536)   # the same names are folded again and again in a run
def fold(text: str) -> str:
    """Lower-case ASCII with accents removed: "Mevlüt Çavuşoğlu" -> "mevlut cavusoglu"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    plain = _POSSESSIVE.sub("", plain)
    plain = _NOT_WORD.sub(" ", plain)
    return _SPACES.sub(" ", plain).strip()


@functools.lru_cache(maxsize=65536)
def strip(text: str) -> str:
    """Lower-case with every non-ASCII character dropped, as damaged copies have it:
    "Mevlüt Çavuşoğlu" -> "mevlt avuolu"."""
    plain = "".join(ch for ch in text if ch.isascii()).lower()
    plain = _ASCII_POSSESSIVE.sub("", plain)
    plain = _NOT_WORD.sub(" ", plain)
    return _SPACES.sub(" ", plain).strip()


def bare_name(text: str) -> str:
    """A name without titles and middle initials: "Mr. Vladimir V. Putin" -> "vladimir putin"."""
    words = fold(text).split()
    kept = [w for w in words if w not in TITLES and len(w) > 1]
    return " ".join(kept)


_DOUBLED = re.compile(r"(.)\1+")
_I_ENDING = re.compile(r"(?:iy|ij|yi|y|i)$")


@functools.lru_cache(maxsize=65536)
def _translit(word: str) -> str:
    """A word with the differences between English transliterations evened out:
    Zelensky, Zelenskyy, Zelenskiy -> "zelenski"; Dmitri, Dmitry, Dmitriy -> "dmitri"."""
    word = _DOUBLED.sub(r"\1", word).replace("kh", "h").replace("w", "v")
    return _I_ENDING.sub("i", word)


def _skeleton(word: str) -> str:
    """A first name by its consonants: Ukrainian and Russian forms of one name differ in their
    vowels (Volodymyr and Vladimir -> "vldmr", Dmytro and Dmitry -> "dmtr")."""
    word = _translit(word)
    return word[:1] + re.sub(r"[aeiouy]", "", word[1:])


def translit_keys(text: str) -> tuple[str | None, str | None]:
    """(full name, surname) keys under which transliterations of one name meet."""
    words = bare_name(text).split()
    if not words:
        return None, None
    surname = _translit(words[-1])
    if len(words) < 2:
        return None, surname
    return f"{_skeleton(words[0])} {surname}", surname


def bare_name_words(text: str) -> list[str]:
    """The words of a name as written, without titles and initials ("Mr. Vladimir V. Putin" ->
    Vladimir Putin)."""
    return [w for w in text.split() if fold(w) not in TITLES and len(w.rstrip(".")) > 1]


def name_keys(text: str, person: bool = True) -> set[str]:
    """The keys a name is indexed under; titles are dropped from people's names only
    ("President Zelensky"), never from an organisation's or a group's ("Turkish officials")."""
    if not person:
        return {k for k in (fold(text), strip(text)) if k}
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
    terms: list[tuple[str, object, object]] = field(default_factory=list)  # (role words, from, to) dates


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
        self.translit: dict[str, str] = {}  # transliteration key of a full name -> id
        self.looked_up: dict[tuple[str, str | None], str | None] = {}
        self.genders: dict[str, str] = {}  # what articles of this run showed of a person's gender ("m", "f")
        self.fuzzy_choices: dict[str, str] | None = None  # registered people's full names, for near spellings
        # what extraction changes, in order, while it is a list: the changes a parsing process sends
        # back, to be made the same way in every other copy of the registry (`replay`)
        self.journal: list[tuple] | None = None
        for entry in people:
            if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
                continue
            roles, terms = [], []
            for role in entry.get("roles") or []:
                if isinstance(role, dict) and role.get("title"):
                    roles.append(fold(f"{role.get('title')} {role.get('organisation') or ''}"))
                    terms.append((roles[-1], _day(role.get("from")), _day(role.get("to"))))
            person = Person(str(entry["id"]), str(entry["name"]), str(entry.get("kind") or "person"),
                            [str(a) for a in entry.get("aliases") or []], roles, terms=terms)
            self._add(person)

    def _add(self, person: Person) -> None:
        self.looked_up.clear()
        self.people[person.id] = person
        for name in [person.name, *person.aliases]:
            for key in name_keys(name, person.kind == "person"):
                self.index.setdefault(key, person.id)
            if person.kind == "person":
                words = bare_name(name).split() or fold(name).split()
                if words:
                    self.surnames.setdefault(words[-1], set()).add(person.id)
                    stripped = strip(name).split()
                    if stripped:
                        self.surnames.setdefault(stripped[-1], set()).add(person.id)
                full, surname = translit_keys(name)
                if surname:
                    self.surnames.setdefault("~" + surname, set()).add(person.id)
                if full:
                    self.translit.setdefault(full, person.id)

    def names(self) -> list[str]:
        return [name for p in self.people.values() for name in [p.name, *p.aliases]]

    def lookup(self, text: str, kind: str | None = None) -> str | None:
        """The id of the speaker this name refers to, or None (remembered until a speaker is added)."""
        key = (text, kind)
        if key not in self.looked_up:
            self.looked_up[key] = self._lookup(text, kind)
        return self.looked_up[key]

    def _lookup(self, text: str, kind: str | None) -> str | None:
        candidates = [text]
        if re.search(r"[a-z]s$", text):  # "Lavrovs": an apostrophe lost
            candidates.append(text[:-1])
        for candidate in candidates:
            for key in name_keys(candidate, kind in (None, "person")):
                found = self.index.get(key)
                if found and (kind is None or self.people[found].kind == kind) \
                        and (self.people[found].kind == "person" or key in name_keys(candidate, False)):
                    return found
        for candidate in candidates:
            words = bare_name(candidate).split()
            if len(words) == 1:
                for key in (words[0], "~" + _translit(words[0])):
                    ids = self.surnames.get(key, set())
                    if kind:
                        ids = {i for i in ids if self.people[i].kind == kind}
                    if len(ids) == 1:
                        return next(iter(ids))
        if kind in (None, "person"):
            full, _ = translit_keys(text)
            if full and full in self.translit:
                return self.translit[full]
        # spellings of registered people no alias lists ("Dmitriy Peskov"); drafts met in this run
        # are matched by their transliteration keys only
        key = bare_name(text)
        if len(key.split()) >= 2 and kind in (None, "person"):
            if self.fuzzy_choices is None:
                self.fuzzy_choices = {k: v for k, v in self.index.items() if len(k.split()) >= 2
                                      and self.people[v].kind == "person" and not self.people[v].new}
            best = process.extractOne(key, list(self.fuzzy_choices), scorer=fuzz.ratio, score_cutoff=88)
            if best and best[0].split()[-1][:3] == key.split()[-1][:3]:
                return self.fuzzy_choices[best[0]]
        return None

    def note_alias(self, person_id: str, spelling: str) -> None:
        """Keep another spelling a draft was met under ("Zelenskiy" for Volodymyr Zelenskyy), for the
        editor and for the next run; reviewed entries are never changed."""
        if self.journal is not None:
            self.journal.append(("alias", person_id, spelling))
        person = self.people[person_id]
        if not person.new or not spelling or fold(spelling) in {fold(n) for n in [person.name, *person.aliases]}:
            return
        person.aliases.append(spelling)
        self._add(person)

    def note_role(self, person_id: str, role: str) -> None:
        """A role a draft was met with ("the Kremlin spokesman" later finds it); reviewed entries are
        never changed."""
        if self.journal is not None:
            self.journal.append(("role", person_id, role))
        person = self.people[person_id]
        if person.new and fold(role) not in person.roles:
            person.roles.append(fold(role))

    def note_gender(self, person_id: str, gender: str) -> None:
        """What an article showed of a person's gender ("m", "f"), for the articles after it."""
        if self.journal is not None:
            self.journal.append(("gender", person_id, gender))
        self.genders[person_id] = gender

    def replay(self, changes: list[tuple]) -> None:
        """Make the changes another copy of the registry journaled, in the same order: the copies
        then hold the same entries, ids, aliases and order."""
        for change in changes:
            kind, *values = change
            if kind == "draft":
                self.add_draft(*values)
            elif kind == "alias":
                self.note_alias(*values)
            elif kind == "role":
                self.note_role(*values)
            else:
                self.note_gender(*values)

    def add_draft(self, name: str, kind: str, role: str | None) -> Person:
        if self.journal is not None:
            self.journal.append(("draft", name, kind, role))
        if kind != "person":
            known = self.lookup(name, kind)
            if known:
                return self.people[known]
        base = (slug(bare_name(name) or name) if kind == "person" else slug(name)) or slug(name) or kind
        person_id, n = base, 2
        while person_id in self.people and self.people[person_id].name != name:
            person_id, n = f"{base}-{n}", n + 1
        if person_id in self.people:
            return self.people[person_id]
        person = Person(person_id, name, kind, [], [fold(role)] if role else [], draft_role=role, new=True)
        self._add(person)
        return person

    def by_role(self, words: list[str], prefer: list[str], head: str | None = None, on=None) -> str | None:
        """A person whose role fits a description ("the Russian leader", "the Kremlin spokesman"),
        preferring those already mentioned in the article (most recent first). The role is
        the description's head noun (`head`; "the spokesman for the Russian president" is a
        spokesman), held on the day `on` when the registry gives the role's dates."""
        titles: set[str] = set()
        places: set[str] = set()
        for word in words:
            if word in ROLE_WORDS and (head is None or word == head):
                titles |= ROLE_WORDS[word]
            if word in DEMONYMS:
                places.add(DEMONYMS[word])
        if not titles:
            return None

        def fits(person: Person) -> bool:
            terms = person.terms or [(role, None, None) for role in person.roles]
            for role, start, end in terms:
                if on is not None and (start and on < start or end and on > end):
                    continue
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


def _day(value):
    """A role's first or last day as a date (YAML gives one), else None."""
    import datetime as dt

    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


_NAME_RUN_POS = {"PROPN"}
PERSON_NOUNS = {
    "diplomat", "minister", "spokesman", "spokeswoman", "spokesperson", "official", "adviser", "advisor",
    "president", "ambassador", "professor", "analyst", "negotiator", "leader", "chief", "secretary", "envoy",
    "lawmaker", "senator", "expert", "aide", "head", "director", "chancellor", "commander", "general",
    "governor", "mayor", "journalist", "researcher", "strategist", "economist", "politician", "candidate",
}
GROUP_NOUNS = {
    "official", "aide", "source", "diplomat", "analyst", "expert", "observer", "critic", "lawmaker", "negotiator",
    "member", "supporter", "advocate", "voter", "resident", "protester", "investigator", "prosecutor", "lawyer",
    "attorney", "officer", "activist", "scientist", "worker", "employee", "representative", "legislator",
    "executive", "authority", "organizer", "organiser", "ally", "opponent", "donor", "delegate", "leader",
    "democrat", "republican", "conservative", "liberal", "progressive", "people", "person", "citizen", "witness",
    "agent", "soldier", "troop", "investor", "economist", "journalist", "reporter", "spokesman", "spokesperson",
    "senator", "minister", "strategist", "adviser", "advisor", "researcher", "student", "parent", "doctor",
    "manager", "staffer", "pollster", "campaigner", "candidate", "politician", "judge", "governor", "mayor",
}
ORG_HEADS = {
    "ministry", "department", "agency", "office", "government", "administration", "campaign", "committee",
    "council", "commission", "party", "newspaper", "paper", "magazine", "network", "channel", "station",
    "website", "outlet", "publication", "company", "firm", "corporation", "bank", "group", "organization",
    "organisation", "foundation", "institute", "university", "court", "police", "army", "military", "embassy",
    "mission", "team", "union", "association", "federation", "board", "bureau", "parliament", "senate",
    "congress", "assembly", "legislature", "cabinet", "presidency", "kremlin", "coalition", "alliance",
    "movement", "church", "center", "centre", "fund", "panel", "caucus", "delegation", "regime", "service",
    "report", "document", "statement", "study", "survey", "poll", "memo", "letter", "email", "filing",
    "readout", "analysis", "audit", "review", "investigation", "inquiry", "release", "book", "article",
}
# Written things: the organisation they come from speaks through them.
DOCUMENT_HEADS = {"report", "document", "statement", "study", "survey", "poll", "memo", "letter", "email",
                  "filing", "readout", "analysis", "audit", "review", "release", "book", "article"}
ORG_WORDS = {"agency", "council", "department", "ministry", "news", "times", "party", "union", "house",
             "kremlin", "government", "office", "nations", "states", "post", "journal", "committee", "army",
             "forces", "bank", "fund", "commission", "parliament", "senate", "congress", "court", "school"}


def _runs(span, belongs) -> list[list]:
    """The runs of consecutive tokens of a span for which `belongs(token, run so far)` holds."""
    runs, current = [], []
    for token in span:
        if belongs(token, current):
            current.append(token)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _name_runs(span) -> list:
    """Runs of proper nouns in a span, leaving out possessives ("Mr. Putin’s spokesman")."""
    runs = _runs(span, lambda token, run: token.pos_ in _NAME_RUN_POS)
    result = []
    for run in runs:
        last = run[-1]
        nxt = last.doc[last.i + 1] if last.i + 1 < len(last.doc) else None
        if nxt is not None and nxt.lower_ in ("’s", "'s", "’", "'") and nxt.i < span.end:
            continue  # a possessor inside the span; "Putin" of "Putin's claim that" is the speaker
        result.append(span.doc[run[0].i: last.i + 1])
    return result


_CONNECTORS = {"de", "del", "da", "van", "von", "bin", "al", "el", "la", "le", "du", "-"}
_NOT_NAMES = {"the", "a", "an", "his", "her", "their", "its", "our", "my", "this", "that", "these", "those",
              "mr", "mrs", "ms", "dr", "i", "we", "he", "she", "they", "it", "but", "and", "in", "on", "at"}


def _capitalised_runs(span, possessors: bool = False) -> list[list]:
    """Runs of capitalised words in a span (with name particles inside: "Bill de Blasio"),
    leaving out possessors ("Mr. Putin's spokesman", unless asked for) and the objects of prepositions."""
    def capitalised(token, run) -> bool:
        word = token.text
        return word[:1].isupper() and fold(word) not in _NOT_NAMES and any(c.isalpha() for c in word) \
            or bool(run) and word.lower() in _CONNECTORS

    runs = _runs(span, capitalised)
    result = []
    for run in runs:
        while run and run[-1].lower_ in _CONNECTORS:
            run = run[:-1]
        if not run:
            continue
        last = run[-1]
        nxt = last.doc[last.i + 1] if last.i + 1 < len(last.doc) else None
        if nxt is not None and nxt.lower_ in ("’s", "'s", "’", "'") and not possessors:
            continue
        if any(t.dep_ == "pobj" or t.head.dep_ == "pobj" and t.head.i not in {r.i for r in run}
               for t in run) and not any(t.i == span.root.i for t in run):
            continue
        result.append(run)
    return result


def _accepted(run, span) -> bool:
    """A name that is the speaker itself or in apposition to it, not one inside a phrase
    ("A Kremlin readout of the call with Mr. Scholz" is not Mr. Scholz speaking)."""
    root = run.root
    if root.i == span.root.i or root.dep_ in ("appos", "nsubj", "nsubjpass", "compound", "ROOT"):
        return True
    return span.root.i in range(run.start, run.end)


def _qualifies_role(run) -> bool:
    """Whether a name only qualifies a common noun after it: the Clinton of "a Clinton spokesman"
    or "Clinton communication director Jennifer Palmieri" names the principal, not the speaker."""
    last = run[-1]
    head = last.head
    if last.dep_ not in ("compound", "amod", "nmod") or head.pos_ != "NOUN" or head.i < last.i:
        return False
    # the chain of nouns it qualifies ("Clinton communication director"), up to the first one that
    # is a role, an office, a group or a body's head; "Trump demands" (a verb read as a noun) is not
    while head.dep_ in ("compound", "amod", "nmod") and head.head.pos_ == "NOUN" and head.head.i > head.i \
            and head.lemma_.lower() not in _QUALIFIED_HEADS:
        head = head.head
    return head.lemma_.lower() in _QUALIFIED_HEADS or head.lower_ in _QUALIFIED_HEADS


def _same_first_name(known: str, name: str) -> bool:
    """Whether two names of one surname can be one person: "Bill Clinton" is not Hillary Clinton."""
    a, b = bare_name(known).split(), bare_name(name).split()
    return len(a) < 2 or len(b) < 2 or _skeleton(a[0]) == _skeleton(b[0]) or a[0][:1] == b[0][:1] and (
        a[0].startswith(b[0]) or b[0].startswith(a[0]))


def _lost_capital(token) -> bool:
    """A lower-case word that is the rest of a name whose accented capital a damaged copy
    dropped ("Mevlüt Çavuşoğlu" -> "Mevlt avuolu"): the parser can only place it as a proper
    noun, or as a verb in apposition, which no verb can be."""
    return token.text[:1].islower() and token.text.isalpha() and token.lower_ not in _NOT_NAMES \
        and (token.tag_ == "NNP" or token.pos_ == "VERB" and token.dep_ == "appos")


def _full_name(ent):
    """A PERSON entity stretched over the capitalised words the model left out ("Anders" Fogh Rasmussen),
    and over a surname that lost its capital with its accent ("Mevlt avuolu")."""
    doc = ent.doc
    start = ent.start
    while start > 0:
        token = doc[start - 1]
        if token.pos_ == "PROPN" and token.text[:1].isupper() and fold(token.text) not in TITLES \
                and token.ent_type_ not in ("GPE", "ORG", "NORP") and token.dep_ != "poss":
            start -= 1
        else:
            break
    end = ent.end
    if end < len(doc) and doc[end - 1].text[:1].isupper() and _lost_capital(doc[end]):
        end += 1
    return doc[start: end]


OFFICE_WORDS = {"speaker", "majority", "minority", "leader", "ceo", "rep", "reps", "attorney", "city", "rival",
                "nominee", "candidate", "chairman", "chairwoman", "director", "judge", "justice", "sheriff",
                "commissioner", "house", "senate", "gop", "democratic", "republican", "executive", "founder"}


# what a name before it may qualify: "Clinton spokesman", "the Trump campaign"
_QUALIFIED_HEADS = PERSON_NOUNS | GROUP_NOUNS | set(ROLE_WORDS) | OFFICE_WORDS | ORG_HEADS | {
    "manager", "staff", "camp", "staffer", "surrogate", "lawyer", "attorney", "chair", "counsel"}


def _clean_name(text: str) -> str:
    """A name without the titles and offices written before it ("Majority Leader Mitch McConnell",
    "rival Hillary Clinton" -> the name) and without honorifics."""
    words = text.split()
    while len(words) > 2 and (fold(words[0]) in TITLES | OFFICE_WORDS | PERSON_NOUNS | {"mr", "ms", "mrs"}
                              or words[0][:1].islower()):
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



def _full_names(doc):
    """The full names the parse tags as people's: (entity, name, its words), two words or more
    and not a surname such as "De Blasio"."""
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        name = _clean_name(_full_name(ent).text)
        words = bare_name(name).split()
        if len(words) >= 2 and words[0] not in _CONNECTORS:
            yield ent, name, words

class ArticleSpeakers:
    """Speaker resolution within one article: remembers who was named so far, their roles,
    and the subjects of main clauses (for "he" and "the Russian leader")."""

    def __init__(self, registry: Registry, spun: bool = False, on=None):
        self.registry = registry
        self.spun = spun
        self.on = on  # the day roles are looked up for: the article's publication
        self.by_head: dict[str, str] = {}  # head noun -> organisation or group met ("ministry": foreign-ministry)
        self.roles: dict[str, str] = {}  # person id -> first role the article gives
        self.local: dict[str, str] = {}  # surname key -> person id met in this article
        self.subjects: list[tuple[int, str]] = []  # (global position, person id) of main-clause subjects
        self.mentioned: list[str] = []
        self.pending: dict[str, str] = {}  # surname key -> full name met, not yet a speaker
        self.foreseen: dict[str, str] = {}  # transliteration key -> full name the article gives somewhere
        self.sentences: list[tuple[int, int, str, str]] = []  # (paragraph, position, speaker, words)
        self.gender: dict[str, str] = {}  # person id -> "m" or "f", as the article shows it
        self.first_named: dict[str, str] = {}  # surname key -> the first full name the article gives it
        self.named: list[tuple[int, str]] = []  # (position, person id or full name) named outside quotations
        self.narrative: list[int] = []  # where the sentences with words outside quotations start
        self.unknown_subjects: list[int] = []  # where main clauses' subjects name someone not resolved
        self.groups: list[tuple[int, str]] = []  # (position, words) of plural subjects nobody was named for
        self.things: list[tuple[int, str]] = []  # (position, words) of singular subjects no body was found for

    def note_people(self, doc, offset: int, quoted=lambda at: False) -> None:
        """Learn the full names in a paragraph so later "Mr. X" finds them, and where people are
        named outside quotations (`quoted` tells a character offset inside one)."""
        full = set()
        for ent, name, words in _full_names(doc):
            full.add(ent.start)
            person_id = self.registry.lookup(name, "person")
            if person_id:
                if self._first_with_surname(name):
                    self.local.setdefault(words[-1], person_id)
                    self.local.setdefault("~" + _translit(words[-1]), person_id)
                self._mention(person_id)
                self._learn_gender(person_id, ent, pronouns=False)
            else:
                self.pending.setdefault(words[-1], self.pending.get("~" + _translit(words[-1]), name))
                self.pending.setdefault("~" + _translit(words[-1]), name)
            if not quoted(ent.start_char) and not _qualifies_role(list(ent)):
                self.named.append((offset + ent.start_char, person_id or re.sub(r"[’']s$", "", name)))
        for ent in doc.ents:
            # "Mr. Obama", named in full before
            words = bare_name(ent.text).split()
            if ent.label_ == "PERSON" and ent.start not in full and len(words) == 1 and not quoted(ent.start_char) \
                    and not _qualifies_role(list(ent)):  # the Clinton of "the Clinton campaign" is not named
                person_id = self.local.get(words[0]) or self.local.get("~" + _translit(words[0])) \
                    or self.pending.get(words[0]) or self.pending.get("~" + _translit(words[0]))
                if person_id:
                    self.named.append((offset + ent.start_char, person_id))
        self.named.sort(key=lambda n: n[0])

    def note_unknown_subject(self, position: int) -> None:
        """A main clause's subject that names someone not known ("Wines believes ...")."""
        self.unknown_subjects.append(position)

    def note_group(self, position: int, span, exclude=()) -> str | None:
        """A main clause's subject no speaker was found for, plural ("Critics of the program",
        "Mr. Grassley and Mr. Leahy") or a thing ("The city"), or a "they" or "it" standing for
        one: what a later "they" or "it" may mean. Returns the words a "they"/"it" here stands for."""
        text = span.text.strip().strip(",").strip()
        word = span.root.lower_
        if len(span) == 1 and word in ("they", "it"):
            phrase = self.group_before(position, word, exclude=exclude)
            if phrase:
                (self.groups if word == "they" else self.things).append((position, phrase))
            return phrase
        if span.root.tag_ in ("NNS", "NNPS") or any(t.dep_ == "conj" and t.head.i == span.root.i for t in span):
            self.groups.append((position, text))
        elif span.root.tag_ == "NN" and span.root.lemma_.lower() not in PERSON_NOUNS | GROUP_NOUNS:
            self.things.append((position, text))
        return None

    def group_before(self, position: int, word: str = "they", after: int = -1, exclude=()) -> str | None:
        """The plural subject (for "it", the thing) last met after `after` in the sentence before
        `position` or in its own, outside `exclude` (the statement itself)."""
        own = bisect.bisect_right(self.narrative, position) - 1
        start = self.narrative[own - 1] if own >= 1 else 0
        for at, phrase in reversed(self.groups if word == "they" else self.things):
            if max(start, after + 1) <= at < position and not any(a <= at < b for a, b in exclude):
                return phrase
        return None

    def note_narrative_sentence(self, position: int) -> None:
        """A sentence with words outside quotations starts at `position` (in reading order)."""
        self.narrative.append(position)

    def _named_just_before(self, position: int, exclude, gender: str | None) -> str | None:
        """For "he" or "she": the person last named (outside quotations) in the sentence before
        and in the pronoun's own, when no main-clause subject there can take the pronoun
        ("... which concerns Henry Crespo. “No one is writing songs for Hillary,” he said.")."""
        if gender is None:
            return None
        own = bisect.bisect_right(self.narrative, position) - 1
        if own < 1:
            return None
        start = self.narrative[own - 1]
        if any(start <= at < position for at in self.unknown_subjects):
            return None
        for at, person_id in self.subjects:
            if start <= at < position and self.registry.people[person_id].kind == "person" \
                    and (self._gender(person_id) or gender) == gender:
                return None
        for at, person in reversed(self.named):
            if start <= at < position and not any(a <= at < b for a, b in exclude) \
                    and self._gender(person) == gender:
                if person in self.registry.people:
                    return person
                return self.registry.lookup(person, "person") or self.registry.add_draft(person, "person", None).id
        return None

    def foresee(self, docs) -> None:
        """Learn the people the whole article names, so a name the parser takes for an
        organisation in one paragraph ("Volodymyr Zelenskyy said") is known as a person's."""
        # The article's first full name for a surname is what the bare surname means: named first
        # as "Hillary Clinton's health", she is "Clinton" even where "Bill Clinton" is the first
        # name the parser tags as a person's.
        names = []  # (paragraph, token, name)
        for number, doc in enumerate(docs):
            names.extend((number, ent.start, name) for ent, name, _ in _full_names(doc))
        # Names the parser did not take for a person's: two to four capitalised words whose last
        # is also met alone, as people's surnames are ("Volodymyr Zelenskyy ... Zelenskiy added").
        alone: set[str] = set()
        runs = []
        for number, doc in enumerate(docs):
            for run in _capitalised_runs(doc[:], possessors=True):
                words = [fold(t.text) for t in run if fold(t.text)]
                if len(words) == 1 and run[0].ent_type_ not in ("GPE", "NORP", "DATE"):
                    alone.add(_translit(words[0]))
                elif 2 <= len(words) <= 4 and not any(w in ORG_WORDS or w in ORG_HEADS for w in words) \
                        and not any(t.ent_type_ in ("GPE", "NORP", "DATE", "LOC", "FAC") for t in run):
                    runs.append((number, run[0].i, " ".join(t.text for t in run)))
        for number, at, name in runs:
            name = _clean_name(name)
            words = bare_name(name).split()
            if len(words) >= 2 and _translit(words[-1]) in alone and not self.registry.lookup(name, "organisation"):
                names.append((number, at, name))
        for _, _, name in sorted(names):
            name = re.sub(r"[’']s$", "", name)
            self.first_named.setdefault(_translit(bare_name(name).split()[-1]), name)
            if self.registry.lookup(name, "person"):
                continue
            self.pending.setdefault("~" + _translit(bare_name(name).split()[-1]), name)
            self.foreseen.setdefault(translit_keys(name)[0], name)

    def _mention(self, person_id: str) -> None:
        if person_id in self.mentioned:
            self.mentioned.remove(person_id)
        self.mentioned.insert(0, person_id)

    def pronoun(self, word: str) -> bool:
        word = word.lower()
        return word in PRONOUNS or (self.spun and word in SPUN_PRONOUNS)

    def _antecedent(self, kinds: tuple[str, ...], position: int, exclude=(), gender: str | None = None) -> str | None:
        """The latest subject before `position` of one of these kinds (outside `exclude`) that does
        not disagree with `gender` ("she" is not a man the article called Mr. or "he")."""
        return self._antecedent_at(kinds, position, exclude, gender)[0]

    def _antecedent_at(self, kinds, position: int, exclude=(), gender: str | None = None) -> tuple[str | None, int]:
        for at, person_id in reversed(self.subjects):
            if at >= position or any(a <= at < b for a, b in exclude):
                continue
            known = self._gender(person_id)
            if self.registry.people[person_id].kind in kinds and (known or gender) == gender:
                return person_id, at
        return None, -1

    def _gender(self, person: str) -> str | None:
        """A person's gender as the article or the archive shows it, else as their first name does;
        `person` is an id or, for someone named but not yet a speaker, their name."""
        known = self.gender.get(person) or self.registry.genders.get(person)
        if known:
            return known
        return self._first_name_gender(person)

    def _first_name_gender(self, person: str) -> str | None:
        entry = self.registry.people.get(person)
        if entry is not None and entry.kind != "person":
            return None
        words = bare_name(entry.name if entry is not None else person).split()
        if len(words) == 1 and entry is not None and entry.name[:1].isupper():
            # a draft the article names by a first name alone ("Melanie said", "Kevin was snoring")
            return first_name_genders().get(words[0])
        return first_name_genders().get(words[0]) if len(words) >= 2 else None

    def _first_with_surname(self, name: str) -> bool:
        """Whether `name` may stand for its bare surname: it is the first full name the article
        gives that surname ("Clinton" is Hillary where she is named before Bill Clinton)."""
        words = bare_name(name).split()
        first = self.first_named.get(_translit(words[-1])) if words else None
        return first is None or _same_first_name(first, name)

    def _rival(self, person_id: str, gender: str) -> bool:
        """Whether someone else the article names could be the "he" or "she" given to `person_id`."""
        others = {p for p in self.mentioned if self.registry.people[p].kind == "person"}
        others |= {self.registry.lookup(name, "person") or name for name in self.pending.values()}
        others.discard(person_id)
        return any(self._gender(other) in (None, gender)
                   and bare_name(self.registry.people[person_id].name) != bare_name(other) for other in others)

    def _learn_gender(self, person_id: str, span, pronouns: bool = True) -> None:
        """What the article tells of a person's gender: Mr. or Mrs., a spokeswoman, or the first
        "he" or "her" after their name in the same sentence, before anyone else is named."""
        if person_id in self.registry.genders or self.registry.people[person_id].kind != "person":
            return
        before = span.doc[max(span.start - 1, 0): span.start]
        for token in [*before, *span]:
            word = token.lower_.rstrip(".")
            if word in GENDERED:
                self.gender[person_id] = GENDERED[word]
                self.registry.note_gender(person_id, GENDERED[word])
                return
        if pronouns and self._first_name_gender(person_id):
            return  # "Trump was waving to the crowd, and she was switching off the TV" is not about Trump
        for token in span.doc[span.end: span.sent.end] if pronouns else ():
            if token.ent_type_ == "PERSON" or token.pos_ == "PROPN":
                return
            word = token.lower_
            if word in GENDERED_PRONOUNS or (self.spun and word in SPUN_PRONOUNS):
                self.gender[person_id] = GENDERED_PRONOUNS.get(word, "m")
                self.registry.note_gender(person_id, self.gender[person_id])
                return

    def resolve(self, span, position: int, exclude: list[tuple[int, int]] = (), create: bool = True) -> Speaker | None:
        """Who the words `span` (at `position` in the article) refer to."""
        text = span.text.strip()
        if not text:
            return None
        if len(span) == 1 and (self.pronoun(span[0].text) or span[0].lower_ == "his"):
            # "he said", and "his claim that ..."
            gender = GENDERED_PRONOUNS.get(SPUN_PRONOUNS.get(span[0].lower_, span[0].lower_))
            person_id = self._named_just_before(position, exclude, gender) or \
                self._antecedent(("person",), position, exclude, gender)
            if person_id and gender and not self._rival(person_id, gender):
                # the pronoun shows the gender only when nobody else named could take it: a wrong
                # guess ("Warren told Stumpf, after he admitted") would mislead every later pronoun
                self.gender.setdefault(person_id, gender)
            return Speaker(person_id, text, self.roles.get(person_id)) if person_id else None
        if len(span) == 1 and span[0].lower_ in (*COLLECTIVE_PRONOUNS, "their"):
            word = span[0].lower_.replace("their", "they")
            found, at = self._antecedent_at(COLLECTIVE_PRONOUNS[word], position, exclude)
            if self.group_before(position, word, at, exclude):
                # "The city sent a letter. It says ...": a subject met since the last body is meant
                return None
            return Speaker(found, text, None) if found else None
        if span.root.lower_ in ("who", "which", "that"):
            return None
        # 0. a name known to the archive, whatever the parser made of its words
        found = self._known_name(span)
        if found:
            return found
        # 1. a person's name, known to the archive or met earlier in the article
        runs = _name_runs(span)
        runs = [run for run in runs if _accepted(run, span) and not _qualifies_role(run)]
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
            if words[-1] in self.local and _same_first_name(self.registry.people[self.local[words[-1]]].name, name):
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
        head_words = fold(text).split()
        head = span.root.lemma_.lower()
        if head in ROLE_WORDS or span.root.lower_ in ROLE_WORDS:
            # a role: whoever held it ("the spokesman for the Russian president"), never its principal
            person_id = self.registry.by_role(head_words, self.mentioned, head if head in ROLE_WORDS
                                              else span.root.lower_, self.on)
            if person_id:
                self._mention(person_id)
                return Speaker(person_id, text, self.roles.get(person_id, text))
            return None
        # 2c. one name the article shows is a person's ("Mr. Biden", "President Biden"), never given in full
        root = span.root
        if create and root.pos_ == "PROPN" and root.text[:1].isupper() and head not in ORG_HEADS \
                and fold(root.text) not in ORG_WORDS and root.ent_type_ not in ("GPE", "NORP", "LOC", "FAC"):
            before = span.doc[max(root.i - 2, span.start): root.i]
            if root.ent_type_ == "PERSON" and root.ent_type_ != "ORG" or \
                    any(fold(t.text) in TITLES - {"the", "a", "an", "of"} | OFFICE_WORDS for t in before):
                run = next((r for r in _capitalised_runs(span) if r[0].i <= root.i <= r[-1].i), [root])
                name = _clean_name(" ".join(t.text for t in run))
                words = name.split()
                while len(words) > 1 and (fold(words[0]) in TITLES | OFFICE_WORDS):
                    words = words[1:]
                name = " ".join(words)
                if name and not self.registry.lookup(name, "organisation"):
                    person = self.registry.lookup(name, "person") or self.registry.add_draft(name, "person", None).id
                    return self._found(person, span, span.doc[run[0].i: run[-1].i + 1])
        # 3. an institution or a group
        found = self._body(span, position, create)
        if found is not None or head in PERSON_NOUNS or head in GROUP_NOUNS:
            return found
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
        person_id = self.registry.by_role(head_words, self.mentioned, head, self.on)
        if person_id:
            self._mention(person_id)
            return Speaker(person_id, text, text if person_id not in self.roles else self.roles[person_id])
        return None

    def _known_name(self, span) -> Speaker | None:
        """A person or organisation of the registry named by capitalised words of the span, whatever
        their part of speech or entity tag ("Zelenskyy" read as a noun or an organisation). People
        come first, anywhere in the phrase ("Kremlin spokesman Dmitry Peskov"); an organisation only
        as the phrase's head."""
        runs = [run for run in _capitalised_runs(span) if _accepted(span.doc[run[0].i: run[-1].i + 1], span)]
        for kind in ("person", "organisation"):
            for run in runs:
                if kind == "organisation" and not (run[0].i <= span.root.i <= run[-1].i):
                    continue
                if kind == "person" and _qualifies_role(run):
                    continue  # "Clinton spokesman Jesse Lehrich" is the spokesman, not Clinton
                for size in range(min(len(run), 4), 0, -1):
                    for start in range(0, len(run) - size + 1):
                        window = run[start: start + size]
                        rest = run[:start] + run[start + size:]
                        if any(fold(t.text) not in TITLES and t.lower_ not in _CONNECTORS
                               and len(t.text.rstrip(".")) > 1 for t in rest):
                            continue  # "Hunter Biden" is not Biden
                        name = _clean_name(" ".join(t.text for t in window))
                        words = bare_name(name).split()
                        if not words:
                            continue
                        found = None
                        if kind == "person" and len(words) >= 2:
                            full = translit_keys(name)[0]
                            if full in self.foreseen:
                                found = self.registry.lookup(self.foreseen[full], "person") or \
                                    self.registry.add_draft(self.foreseen[full], "person", None).id
                        if kind == "person" and len(words) == 1:
                            found = self.local.get(words[0]) or self.local.get("~" + _translit(words[0]))
                            pending = self.pending.get(words[0]) or self.pending.get("~" + _translit(words[0]))
                            first = self.first_named.get(_translit(words[0]))
                            if found is None and first:
                                found = self.registry.lookup(first, "person")
                            if found is None and pending:
                                # "Zelenskyy", named in full earlier in the article
                                found = self.registry.lookup(pending, "person") or \
                                    self.registry.add_draft(pending, "person", None).id
                        found = found or self.registry.lookup(name, kind)
                        if kind == "organisation" and found is None and len(words) == 1 \
                                and self.registry.lookup(name, "person") is None:
                            continue
                        if found:
                            piece = span.doc[window[0].i: window[-1].i + 1]
                            if kind == "person":
                                return self._found(found, span, piece)
                            return Speaker(found, span.text.strip(), None)
        return None

    def _body(self, span, position: int, create: bool) -> Speaker | None:
        """An organisation ("the Foreign Ministry", "Trump's campaign", "a WikiLeaks document") or
        a group ("U.S. officials", "Democrats") speaking. Named ones become drafts of their kind
        and merge across articles; a bare description ("the ministry") is the body of that kind
        met earlier in the article, else unknown."""
        root = span.root
        head = root.lemma_.lower()
        plural = root.tag_ in ("NNS", "NNPS") or root.ent_type_ == "NORP" and root.text.endswith("s")
        if plural and (head in GROUP_NOUNS or root.ent_type_ == "NORP" or root.pos_ == "PROPN"):
            kind = "group"
        elif head in ORG_HEADS or root.ent_type_ in ("ORG", "GPE", "FAC") or root.pos_ == "PROPN":
            kind = "organisation"
        else:
            return None
        if root.ent_type_ == "PERSON" or not (head in ORG_HEADS or head in GROUP_NOUNS or root.text[:1].isupper()) \
                or any(t.lower_.rstrip(".") in ("mr", "mrs", "ms", "dr") for t in span.doc[span.start: root.i]):
            return None  # a person's name ("Mr. Obama") or a common word the parser took for a name
        if kind == "organisation" and head in DOCUMENT_HEADS:
            # "a Kremlin readout", "a statement from the Foreign Ministry": the Kremlin, the ministry speak
            for child in root.children:
                if child.dep_ in ("compound", "poss") and child.pos_ == "PROPN" and child.i < root.i:
                    inner = span.doc[child.left_edge.i: child.i + 1]
                    found = self._known_name(inner) or self._body(inner, position, create)
                    if found and found.id:
                        return Speaker(found.id, span.text.strip(), None)
            for prep in root.children:
                if prep.dep_ == "prep" and prep.lower_ in ("from", "by"):
                    for obj in prep.children:
                        if obj.dep_ == "pobj" and any(t.pos_ == "PROPN" for t in obj.subtree):
                            inner = span.doc[obj.left_edge.i: obj.right_edge.i + 1]
                            found = self.resolve(inner, position, create=create)
                            if found:
                                return Speaker(found.id, span.text.strip(), None)
        words, named = [], False
        for token in span:
            if token.i > root.i and token.dep_ in ("prep", "relcl", "acl", "appos", "punct") or \
                    any(t.dep_ in ("prep", "relcl", "acl", "appos") and t.i > root.i for t in token.ancestors
                        if t.i != root.i and t.head.i == root.i):
                break
            lower = token.lower_
            if not words and (token.dep_ in ("det", "predet") or token.pos_ in ("NUM", "ADV", "SCONJ", "CCONJ", "ADP",
                                                                                "INTJ")) and lower not in POSSESSIVES:
                continue  # "the", "two", "Meanwhile", "When"
            if lower in ("’s", "'s", "’", "'"):
                continue
            if lower in POSSESSIVES and token.dep_ == "poss":
                owner = self._antecedent(POSSESSIVES[lower], position)
                if owner is None:
                    return None
                owner_name = self.registry.people[owner].name
                words.append(owner_name.split()[-1] if self.registry.people[owner].kind == "person" else owner_name)
                named = True
                continue
            if token.pos_ in ("PROPN",) or token.ent_type_ in ("ORG", "GPE", "NORP", "PERSON", "FAC") \
                    or fold(token.text) in DEMONYMS:
                named = True
            words.append(token.text)
        name = re.sub(r"\s+", " ", " ".join(words)).strip(" ,")
        if not name:
            return None
        if not named:
            earlier = self.by_head.get(head)
            return Speaker(earlier, span.text.strip(), None) if earlier else None
        name = name[:1].upper() + name[1:]
        person_id = self.registry.lookup(name, "person")
        if person_id:  # a registered person's name is never an organisation
            return self._found(person_id, span, span)
        body_id = self.registry.lookup(name, kind)
        if body_id is None:
            if not create:
                return None
            body_id = self.registry.add_draft(name, kind, None).id
        self.registry.note_alias(body_id, name)
        self.by_head.setdefault(head, body_id)
        return Speaker(body_id, span.text.strip(), None)

    def undetermined(self, span) -> Speaker:
        """The speaker as the article gives it when nobody can be named: an editor decides.
        A role keeps its description ("a spokesman for the ministry")."""
        text = span.text.strip() if span is not None else ""
        head = span.root.lemma_.lower() if span is not None else ""
        singular = span is not None and span.root.tag_ not in ("NNS", "NNPS")
        role = text if singular and (head in ROLE_WORDS or head in PERSON_NOUNS) else None
        return Speaker(None, text, role)

    def _found(self, person_id: str, span, name_span) -> Speaker:
        self._learn_gender(person_id, name_span if name_span is not None else span)
        role = _role(span, name_span)
        if role and person_id not in self.registry.genders and self.registry.people[person_id].kind == "person":
            # "Hope Hicks, a campaign spokeswoman"; an honorific in the role is its possessor's
            # ("Mrs. Clinton's spokesman")
            said = [GENDERED[w] for w in re.findall(r"[a-z]+", role.lower()) if w in GENDERED
                    and w not in ("mr", "mrs", "ms", "miss")]
            if said:
                self.gender[person_id] = said[0]
                self.registry.note_gender(person_id, said[0])
        if role and person_id not in self.roles:
            self.roles[person_id] = role
        if role and self.registry.people[person_id].new:
            self.registry.note_role(person_id, role)
        words = bare_name(_clean_name(name_span.text)).split()
        if len(words) >= 2 or words and span.root.pos_ == "PROPN" and len(span) <= 3:
            self.registry.note_alias(person_id, " ".join(bare_name_words(_clean_name(name_span.text))))
        if words and self.registry.people[person_id].kind == "person" and \
                self._first_with_surname(self.registry.people[person_id].name):
            self.local.setdefault(words[-1], person_id)
            self.local.setdefault("~" + _translit(words[-1]), person_id)
        self._mention(person_id)
        return Speaker(person_id, span.text.strip(), role or self.roles.get(person_id))

    def note_subject(self, position: int, person_id: str) -> None:
        self.subjects.append((position, person_id))

    def note_sentence(self, person_id: str, paragraph: int, at: int, words: str) -> None:
        """Remember a sentence (quotations blanked) whose subject is this speaker: it may name the
        day of the quotation it introduces ("Zelenskyy on Monday reiterated his offer.")."""
        self.sentences.append((paragraph, at, person_id, words))

    def introduction(self, person_id: str, paragraph: int, at: int) -> str | None:
        """The latest sentence before (`paragraph`, `at`), in that paragraph or the one before,
        whose subject is this speaker."""
        for number, start, speaker, words in reversed(self.sentences):
            if (number, start) < (paragraph, at) and paragraph - number <= 1 and speaker == person_id:
                return words
        return None
