"""Finding who said what: direct quotes in their messy forms, and reported speech."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.extraction import claims, language
from generator.extraction.articles import SourceArticle
from generator.extraction.quotes import find_quotes
from generator.extraction.speakers import Registry

PEOPLE = [
    {"id": "dmitry-peskov", "name": "Dmitry Peskov", "aliases": ["Dmitri S. Peskov", "Peskov", "Mr. Peskov"],
     "roles": [{"title": "Kremlin spokesman", "organisation": "Presidential Executive Office of Russia"}]},
    {"id": "vladimir-putin", "name": "Vladimir Putin", "aliases": ["Vladimir V. Putin", "Putin", "Mr. Putin"],
     "roles": [{"title": "President", "organisation": "Russia"}]},
    {"id": "volodymyr-zelensky", "name": "Volodymyr Zelensky",
     "aliases": ["Volodymyr Zelenskyy", "Volodymyr Zelenskiy", "Zelensky", "Zelenskyy", "Zelenskiy"],
     "roles": [{"title": "President", "organisation": "Ukraine"}]},
    {"id": "the-kremlin", "name": "The Kremlin", "kind": "organisation", "aliases": ["Kremlin", "the Kremlin"]},
]
PUBLISHED = dt.date(2019, 11, 12)  # a Tuesday


def extract(*paragraphs: str, published=PUBLISHED, quality=()):
    article = SourceArticle(seed="seeds/t.txt", title="T", published=published, paragraphs=list(paragraphs),
                            quality=list(quality))
    registry = Registry(PEOPLE)
    result = claims.extract_claims(article, language.parse(list(paragraphs)), registry, [])
    return result.claims, registry, result


def only(found, speaker):
    return [c for c in found if c.speaker == speaker]


def test_curly_quote_then_attribution():
    found, _, _ = extract("“We are not against a meeting,” Mr. Peskov said on Tuesday.")
    assert [(c.speaker, c.form, c.statement) for c in found] == [
        ("dmitry-peskov", "direct", "We are not against a meeting.")]
    assert found[0].said == PUBLISHED and found[0].said_basis == "on Tuesday"


def test_straight_quotes_and_attribution_before():
    found, _, _ = extract('Mr. Putin said: "Russia is open to contacts. We will see."')
    assert [(c.speaker, c.form, c.statement) for c in found] == [
        ("vladimir-putin", "direct", "Russia is open to contacts. We will see.")]


def test_quote_broken_by_the_attribution_is_one_statement():
    found, _, _ = extract("“I already received agreement,” Mr. Peskov said. “I have told the president. Now we will see.”")
    assert len(found) == 1
    assert found[0].statement == "I already received agreement. I have told the president. Now we will see."


def test_partial_quote_inside_reported_speech_is_mixed():
    found, _, _ = extract("Mr. Putin would not hold “a meeting just for the sake of a meeting,” Mr. Peskov said.")
    assert [(c.speaker, c.form) for c in found] == [("dmitry-peskov", "mixed")]
    assert found[0].statement == "Mr. Putin would not hold “a meeting just for the sake of a meeting.”"


def test_quote_continuing_across_paragraphs():
    found, _, _ = extract("“It is a long road,” Mr. Peskov said. “Nobody should expect a breakthrough soon.",
                          "“The sides are far apart.”", "Mr. Putin spoke to reporters in Moscow about the war.")
    assert len(found) == 1
    assert found[0].statement.endswith("Nobody should expect a breakthrough soon. The sides are far apart.")


def test_unbalanced_mark_does_not_swallow_the_article():
    found, _, result = extract(
        '"This is the most important question. We are focussing on this, said Kremlin spokesman Dmitry Peskov, '
        "referring to the corridor.",
        "The Kremlin has shown no willingness to vacate any territory, and talks have stalled for months.")
    assert [(c.speaker, c.form, c.statement) for c in found] == [
        ("dmitry-peskov", "direct", "This is the most important question. We are focussing on this.")]
    assert any("not closed" in w for w in result.warnings)


def test_unbalanced_mark_without_attribution_stops_at_the_paragraph():
    quotes, _ = find_quotes('He said "this goes on and on without an end')
    assert len(quotes) == 1 and quotes[0].end == len('He said "this goes on and on without an end') \
        and not quotes[0].closed


@pytest.mark.parametrize("sentence, speaker", [
    ("Kremlin spokesman Dmitry Peskov indicated that any meeting could only take place after a deal.", "dmitry-peskov"),
    ("Mr. Peskov told reporters that the two presidents would not meet this year.", "dmitry-peskov"),
    ("Mr. Peskov insisted that talks take place without a ceasefire at all.", "dmitry-peskov"),
    ("Mr. Peskov warned that the talks could collapse within weeks.", "dmitry-peskov"),
    ("Mr. Putin suggested that Russia was not seeking to seize more territory.", "vladimir-putin"),
    ("The Kremlin ruled out any meeting between the two presidents before a deal.", "the-kremlin"),
    ("Talks will resume in Istanbul next month, according to Mr. Peskov.", "dmitry-peskov"),
])
def test_reported_speech_verbs(sentence, speaker):
    found, _, _ = extract(sentence)
    assert [(c.speaker, c.form) for c in found] == [(speaker, "indirect")]


def test_according_to_gives_the_sentence_without_the_phrase():
    found, _, _ = extract("Talks will resume in Istanbul next month, according to Mr. Peskov.")
    assert found[0].statement == "Talks will resume in Istanbul next month."


def test_beliefs_and_intentions_are_not_statements():
    found, _, _ = extract("Mr. Putin wants a neutral Ukraine that stays out of every alliance.",
                          "Mr. Peskov hopes that the talks resume before the end of the year.",
                          "Mr. Zelensky believes that the war will end with a victory.")
    assert found == []


def test_speech_reported_inside_a_statement_is_not_a_second_claim():
    found, _, _ = extract("Mr. Peskov claimed that Ukraine had agreed to much of the draft that he said Russia had sent.")
    assert len(found) == 1 and found[0].statement.startswith("Ukraine had agreed")


def test_a_group_of_unnamed_people_speaks_as_a_group():
    found, registry, _ = extract("U.S. officials said that Russia was not prepared to negotiate in good faith.")
    assert [(c.speaker, c.speaker_as_written) for c in found] == [("u-s-officials", "U.S. officials")]
    assert registry.people["u-s-officials"].kind == "group" and registry.people["u-s-officials"].new


def test_kind_from_cues():
    found, _, _ = extract("“Putin and Zelensky could meet only to finalize a document,” Mr. Peskov said.",
                          "“We will send a delegation to Istanbul,” Mr. Zelensky said.",
                          "“The talks will probably collapse,” Mr. Putin said.")
    assert [c.kind for c in found] == ["position", "promise", "prediction"]


def test_ids_are_stable_slugs_derived_from_content():
    first, _, _ = extract("“We are not against a meeting,” Mr. Peskov said on Tuesday.")
    again, _, _ = extract("“We are not against a meeting,” Mr. Peskov said on Tuesday.")
    assert first[0].id == again[0].id == "2019-peskov-against-meeting"
    undated, _, _ = extract("“We are not against a meeting,” Mr. Peskov said.", published=None)
    assert undated[0].id.startswith("undated-peskov-") and undated[0].said is None


def test_statement_runs_on_after_an_attribution_that_interrupts_it():
    found, _, _ = extract("The talks were going well, Mr. Peskov said, until the delegation left the room in March.")
    assert [(c.speaker, c.statement) for c in found] == [
        ("dmitry-peskov", "The talks were going well until the delegation left the room in March.")]


def test_coordinated_clause_after_an_interrupting_attribution_is_kept():
    found, _, _ = extract("Exports rose by four percent in May, the Kremlin said in a statement, "
                          "and imports fell by two percent.")
    assert [(c.speaker, c.statement) for c in found] == [
        ("the-kremlin", "Exports rose by four percent in May and imports fell by two percent.")]


def test_clause_after_the_verb_wins_over_an_earlier_sentence_part():
    found, _, _ = extract("The sanctions had little effect: Mr. Peskov said the economy was growing faster than expected.")
    assert [(c.speaker, c.statement) for c in found] == [
        ("dmitry-peskov", "The economy was growing faster than expected.")]


def test_an_infinitive_speech_verb_does_not_cut_the_statement_short():
    found, _, _ = extract("Mr. Peskov said Russia was ready for talks, because the West had finally agreed "
                          "to demand guarantees.")
    assert [c.statement for c in found] == [
        "Russia was ready for talks, because the West had finally agreed to demand guarantees."]


def test_the_speaker_is_the_subject_outside_the_quotation():
    # the parser also gives the verb a subject inside the quotation ("My answer")
    found, _, _ = extract("“My answer, that was final,” Mr. Peskov said in an interview with reporters. "
                          "“We will not change it.”")
    assert [(c.speaker, c.form, c.statement) for c in found] == [
        ("dmitry-peskov", "direct", "My answer, that was final. We will not change it.")]
    found, _, _ = extract('"If it does not stop now, it will at some point, probably sooner rather than later," '
                          'said Dmitry Peskov, a spokesman who is close to the president.')
    assert [(c.speaker, c.form) for c in found] == [("dmitry-peskov", "direct")]


def test_poll_respondents_speak_but_are_not_a_named_speaker():
    found, _, result = extract("In the survey, 63 percent of voters said the government should resign.")
    assert [(f.speaker, f.speaker_text, f.statement) for f in result.found] == [
        (None, "63 percent of voters", "The government should resign.")]
    # written without a speaker, for an editor to name or reject: never a person invented
    assert [(c.speaker, c.speaker_as_written) for c in found] == [(None, "63 percent of voters")]
    assert len(result.unnamed) == 1
