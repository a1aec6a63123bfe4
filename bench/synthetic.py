"""Synthetic archives for benchmarks: a content folder of N claims over 20 years.

Consumes a claim count and a seed; produces `content/` (site, people, topics, claim sheets,
pages) that passes `hindsight check`, with realistic statement lengths, a few common and many
rare words (place names), many speakers and questions, outcomes whose evidence points at
later claims, and speakers who repeat a position years apart (so similar-statement linking
has real work to do). Same arguments, same bytes.

Its phrases come from a small stock, so the site compresses far better than one of real
reporting: 13 times, where the seeds' prose alone compresses 2.6 times. With `prose="varied"`
each word of those phrases is swapped for a made-up word drawn from 40,000 by Zipf's law
(prose that compresses as the seeds' does), for measuring what a compressed upload weighs.

    python bench/synthetic.py 10000 /tmp/archive-10k [--prose varied]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
from pathlib import Path

FIRST = ("Anna", "Boris", "Chen", "Dmytro", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kateryna",
         "Luis", "Maria", "Nikolai", "Olga", "Pavel", "Qiang", "Rosa", "Sergei", "Tomas", "Ulla", "Viktor",
         "Wen", "Xenia", "Yusuf", "Zofia")
LAST = ("Abramov", "Berg", "Costa", "Dovzhenko", "Eriksen", "Fischer", "Garcia", "Horvath", "Ivanenko",
        "Jensen", "Kowalski", "Lindqvist", "Morozov", "Novak", "Orlov", "Petrenko", "Quinn", "Rossi",
        "Schmidt", "Tkachenko", "Urban", "Volkov", "Weber", "Yilmaz", "Zielinski")
TITLES = ("President", "Foreign Minister", "Spokesman", "Prime Minister", "Defence Minister", "Ambassador",
          "Negotiator", "Adviser")
COUNTRIES = ("Russia", "Ukraine", "United States", "France", "Germany", "Turkey", "Kazakhstan", "Poland",
             "Italy", "Estonia", "United Kingdom", "China")
OUTLETS = ("The Daily Ledger", "Morning Courier", "The Evening Wire", "Capital Review", "Harbour Times",
           "The Northern Post", "Continental Herald", "The Record")
SUBJECTS = ("the talks", "a ceasefire", "the meeting", "the grain corridor", "the prisoner exchange",
            "the settlement", "sanctions", "the border", "security guarantees", "the negotiations",
            "the summit", "the memorandum", "the working groups", "the agreement", "humanitarian access")
VERBS = ("will resume", "cannot succeed", "must begin", "will not happen", "depends on", "requires",
         "has stalled", "is possible", "remains open", "will be signed", "is unacceptable", "should end")
FILLER = ("without preconditions", "within weeks", "before the end of the year", "only at the final stage",
          "as long as troops remain", "if both sides agree", "under international supervision",
          "after expert work is finished", "in Istanbul", "with European partners", "at the highest level",
          "for the sake of peace", "despite the pressure", "in the near future", "on fair terms")
KINDS = ("assertion", "prediction", "promise", "position", "opinion")
SCALES = {"assertion": ("accurate", "partly-accurate", "inaccurate", "unverifiable"),
          "prediction": ("came-true", "partly-came-true", "did-not-come-true", "too-early"),
          "promise": ("kept", "compromise", "broken", "stalled", "in-the-works"),
          "position": ("held", "shifted", "reversed"), "opinion": ()}
FIRST_YEAR, YEARS = 2006, 20
CLAIMS_PER_ARTICLE = 5


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


SYLLABLES = ("ka", "vo", "ri", "lan", "mer", "sto", "bel", "gra", "dun", "zel", "pol", "tar", "nik", "os", "ve")


def _place(rng: random.Random) -> str:
    """A place name drawn log-uniformly from 50,000: a few common, most rare, as in real reporting."""
    number = int(50_000 ** rng.random())
    name = ""
    while True:
        number, syllable = divmod(number, len(SYLLABLES))
        name += SYLLABLES[syllable]
        if not number:
            return name.capitalize()


def _statement(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        words = [rng.choice(SUBJECTS).capitalize(), rng.choice(VERBS), rng.choice(FILLER)]
        if rng.random() < 0.7:
            words += ["near", _place(rng)]
        if rng.random() < 0.6:
            words += ["and", rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(FILLER)]
        sentences.append(" ".join(words) + ".")
    return " ".join(sentences)


def _varied_words(seed: int, draws: int | None = None):
    """A function that rewrites phrases in made-up words: 40,000 of them, letters in English
    proportions, each drawn with weight 1/rank (Zipf's law), a word at a time. `draws`, when
    given, seeds the drawing apart from the vocabulary (the same words, drawn anew)."""
    rng = random.Random(seed)
    vocabulary = sorted({"".join(rng.choices(LETTERS, LETTER_WEIGHTS, k=rng.choice(WORD_LENGTHS)))
                         for _ in range(40_000)})
    rng.shuffle(vocabulary)
    ranks, total = [], 0.0
    for rank in range(1, len(vocabulary) + 1):
        total += 1 / rank
        ranks.append(total)

    if draws is not None:
        rng = random.Random(draws)

    def rewrite(phrases: str) -> str:
        sentences = []
        for sentence in phrases.split(". "):
            words = rng.choices(vocabulary, cum_weights=ranks, k=len(sentence.split()))
            sentences.append(" ".join(words).capitalize())
        return ". ".join(sentences).rstrip(".") + "."
    return rewrite


LETTERS = "etaoinshrdlcumwfgypbvkjxqz"
LETTER_WEIGHTS = (12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0,
                  1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07)
WORD_LENGTHS = (2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9)   # 4.8 letters on average, as English text


def generate(claims: int, out: Path, seed: int = 7, prose: str = "phrases") -> dict[str, int]:
    """Write a content folder with `claims` claims under `out`; return what it holds. `prose`
    is "phrases" (readable, very compressible) or "varied" (compresses as real prose does);
    the archive's shape is the same either way."""
    rng = random.Random(seed)
    rewrite = _varied_words(seed + 1) if prose == "varied" else (lambda phrases: phrases)

    def say() -> str:
        return rewrite(_statement(rng))
    content = out / "content"
    if out.exists():
        shutil.rmtree(out)
    (content / "articles").mkdir(parents=True)
    (content / "pages").mkdir()
    (out / "seeds").mkdir()

    speakers = max(20, claims // 40)
    topics = max(10, claims // 400)
    (content / "site.yaml").write_text(
        "title: Synthetic archive\ndescription: A generated archive for benchmarks.\nlanguage: en\n"
        "base_url: https://bench.example.org/archive/\npublisher:\n  name: Bench\n  url: https://bench.example.org/\n",
        "utf-8")
    people = ["people:"]
    for number in range(speakers):
        name = f"{FIRST[number % len(FIRST)]} {LAST[(number // len(FIRST)) % len(LAST)]} {number}"
        start = dt.date(FIRST_YEAR + rng.randrange(0, 10), rng.randrange(1, 13), rng.randrange(1, 28))
        people += [f"  - id: speaker-{number}", f"    name: {_q(name)}",
                   f"    aliases: [{_q(LAST[(number // len(FIRST)) % len(LAST)] + f' {number}')}]", "    roles:",
                   f"      - title: {rng.choice(TITLES)}", f"        organisation: {rng.choice(COUNTRIES)}",
                   f"        from: {start.isoformat()}"]
    (content / "people.yaml").write_text("\n".join(people) + "\n", "utf-8")
    lines = ["topics:"]
    for number in range(topics):
        subject = SUBJECTS[number % len(SUBJECTS)]
        lines += [f"  - id: question-{number}", f"    title: {_q(subject.capitalize() + f' ({number})')}",
                  f"    question: {_q(f'Will {subject} succeed? ({number})')}",
                  f"    description: {_q('A generated question about ' + subject + '.')}",
                  f"    terms: [{_q(subject)}]"]
    (content / "topics.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    (content / "pages" / "about.md").write_text("# About\n\nA generated archive.\n", "utf-8")

    earlier_by_speaker: dict[int, list[str]] = {}
    written = 0
    article_number = 0
    claim_ids: list[tuple[str, dt.date]] = []
    while written < claims:
        year = FIRST_YEAR + (article_number * YEARS) // max(1, claims // CLAIMS_PER_ARTICLE + 1)
        published = dt.date(year, rng.randrange(1, 13), rng.randrange(1, 28))
        slug = f"article-{article_number}"
        sheet = ["article:", f"  title: {_q('Talks ' + rng.choice(VERBS) + ', officials say (' + str(article_number) + ')')}",
                 f"  outlet: {_q(rng.choice(OUTLETS))}",
                 f"  url: https://news.example.org/{year}/{slug}.html",
                 f"  published: {published.isoformat()}", "  published_basis: dateline",
                 f"  byline: [{_q(rng.choice(FIRST) + ' ' + rng.choice(LAST))}]", "  seed: null", "claims:"]
        for _ in range(min(CLAIMS_PER_ARTICLE, claims - written)):
            speaker = rng.randrange(speakers)
            said = published - dt.timedelta(days=rng.randrange(0, 4))
            earlier = earlier_by_speaker.setdefault(speaker, [])
            statement = rng.choice(earlier) if earlier and rng.random() < 0.15 else say()
            earlier.append(statement)
            kind = rng.choice(KINDS)
            claim_id = f"claim-{written}"
            sheet += [f"  - id: {claim_id}", f"    statement: {_q(statement)}",
                      f"    form: {rng.choice(('direct', 'indirect', 'mixed'))}", f"    speaker: speaker-{speaker}",
                      f"    speaker_as_written: {_q('Mr. ' + LAST[speaker % len(LAST)])}",
                      f"    role: {rng.choice(TITLES)}", f"    said: {said.isoformat()}",
                      f"    said_basis: on {said:%A}" if said != published else "    said_basis: published",
                      f"    context: {_q(statement + ' ' + say())}",
                      f"    topics: [question-{rng.randrange(topics)}, question-{rng.randrange(topics)}]"
                      if rng.random() < 0.3 else f"    topics: [question-{rng.randrange(topics)}]",
                      f"    kind: {kind}"]
            if SCALES[kind] and claim_ids and rng.random() < 0.5:
                evidence_id, evidence_day = rng.choice(claim_ids[-200:])
                sheet += ["    outcome:", f"      status: {rng.choice(SCALES[kind])}",
                          f"      as_of: {max(said, evidence_day).isoformat()}",
                          f"      summary: {_q('What happened next: ' + say())}",
                          "      evidence:", f"        - claim: {evidence_id}",
                          f"        - url: https://records.example.org/{written}",
                          f"          title: {_q('Record ' + str(written))}",
                          f"          outlet: {_q(rng.choice(OUTLETS))}",
                          f"          date: {said.isoformat()}"]
            else:
                sheet += ["    outcome:", "      status: unrated"]
            sheet.append("    review: reviewed")
            claim_ids.append((claim_id, said))
            written += 1
        folder = content / "articles" / str(year)
        folder.mkdir(exist_ok=True)
        (folder / f"{slug}.yaml").write_text("\n".join(sheet) + "\n", "utf-8")
        article_number += 1
    return {"claims": written, "articles": article_number, "speakers": speakers, "topics": topics}


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("claims", type=int)
    options.add_argument("out", type=Path)
    options.add_argument("--seed", type=int, default=7)
    options.add_argument("--prose", choices=("phrases", "varied"), default="phrases")
    args = options.parse_args()
    print(generate(args.claims, args.out, args.seed, args.prose))


if __name__ == "__main__":
    main()
