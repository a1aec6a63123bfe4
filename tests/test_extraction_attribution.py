"""Speech cues and sentence structures that report a statement (issue 21): each test names
one way news writing attributes words, and the statement and speaker it must give."""

from __future__ import annotations

import datetime as dt

from generator.extraction import claims, language
from generator.extraction.articles import SourceArticle
from generator.extraction.speakers import Registry

PEOPLE = [
    {"id": "dmitry-peskov", "name": "Dmitry Peskov", "aliases": ["Peskov", "Mr. Peskov"]},
    {"id": "vladimir-putin", "name": "Vladimir Putin", "aliases": ["Putin", "Mr. Putin"]},
    {"id": "volodymyr-zelensky", "name": "Volodymyr Zelensky", "aliases": ["Zelensky", "Zelenskyy", "Mr. Zelensky"]},
    {"id": "the-kremlin", "name": "The Kremlin", "kind": "organisation", "aliases": ["Kremlin", "the Kremlin"]},
]


def said(*paragraphs: str) -> list[tuple[str, str]]:
    """(speaker, statement) for every claim extracted from the paragraphs."""
    article = SourceArticle(seed="seeds/t.txt", title="T", published=dt.date(2025, 8, 20), paragraphs=list(paragraphs))
    result = claims.extract_claims(article, language.parse(list(paragraphs)), Registry(PEOPLE), [])
    return [(c.speaker, c.statement) for c in result.claims]


def has(found, speaker: str, words: str) -> bool:
    return any(who == speaker and words.lower() in statement.lower() for who, statement in found)


def test_concluded_reports_a_statement():
    found = said("Mr. Peskov concluded that the talks in Istanbul had produced nothing new.")
    assert has(found, "dmitry-peskov", "the talks in Istanbul had produced nothing new"), found


def test_underlined_reports_a_statement():
    found = said("Peskov underlined that Russia remained open to a settlement by diplomatic means.")
    assert has(found, "dmitry-peskov", "Russia remained open to a settlement"), found


def test_reiterated_reports_a_statement():
    found = said("Zelensky on Monday reiterated that he was ready to meet Putin in any format.")
    assert has(found, "volodymyr-zelensky", "he was ready to meet Putin in any format"), found


def test_offered_to_meet():
    found = said("Zelensky offered to meet Putin in Istanbul before the end of the month.")
    assert has(found, "volodymyr-zelensky", "offered to meet Putin in Istanbul"), found


def test_asked_reports_a_request():
    found = said("Zelensky asked Western allies to send more air defence systems to Ukraine.")
    assert has(found, "volodymyr-zelensky", "Western allies to send more air defence systems"), found


def test_called_for_and_called_on():
    found = said("Zelensky called for an immediate ceasefire along the whole front line.",
                 "Peskov called on Kyiv to withdraw its troops from the four regions.")
    assert has(found, "volodymyr-zelensky", "an immediate ceasefire along the whole front line"), found
    assert has(found, "dmitry-peskov", "Kyiv to withdraw its troops from the four regions"), found


def test_accused_of():
    found = said("The Kremlin accused Kyiv of dragging out the negotiations in Istanbul.")
    assert has(found, "the-kremlin", "accused Kyiv of dragging out the negotiations"), found


def test_by_saying():
    found = said("Peskov responded by saying that a meeting of the leaders had to be prepared by experts.")
    assert has(found, "dmitry-peskov", "a meeting of the leaders had to be prepared by experts"), found


def test_wrote_colon_then_a_quoted_paragraph():
    found = said("Zelensky wrote on Telegram:",
                 "“We are ready for a meeting of leaders in any format. Russia keeps avoiding it.”")
    assert has(found, "volodymyr-zelensky", "We are ready for a meeting of leaders in any format"), found


def test_quote_in_the_paragraph_after_he_said():
    found = said("Zelensky spoke to reporters in Kyiv on Monday. He said he had no illusions about the talks.",
                 "“Russia wants a pause, not peace. We see it every day.”")
    assert has(found, "volodymyr-zelensky", "Russia wants a pause, not peace"), found


def test_inverted_said_another():
    found = said("“The talks are going nowhere,” said one official. “We are wasting time,” said another.")
    statements = [statement for _, statement in found]
    assert any("We are wasting time" in s for s in statements), found


def test_unquoted_speech_with_the_attribution_in_the_middle():
    found = said("The effort, the Kremlin said, is led by the presidential administration and not by the army.")
    assert has(found, "the-kremlin", "is led by the presidential administration and not by the army"), found
    assert has(found, "the-kremlin", "The effort"), found


def test_told_reporters_on_a_conference_call_that():
    found = said("Peskov told reporters on a conference call that the summit would not take place this year.")
    assert has(found, "dmitry-peskov", "the summit would not take place this year"), found


def test_noun_cue_possessive_claim_that():
    found = said("Putin's claim that Ukraine had refused to negotiate was rejected by Kyiv.")
    assert has(found, "vladimir-putin", "Ukraine had refused to negotiate"), found


def test_noun_cue_with_an_existential_clause():
    found = said("Analysts checked Putin's claim that there have been thousands of attacks on Russian soil this year.")
    assert has(found, "vladimir-putin", "there have been thousands of attacks on Russian soil"), found


def test_noun_cue_the_announcement_that():
    found = said("The Kremlin's announcement that Putin would attend the summit surprised diplomats.")
    assert has(found, "the-kremlin", "Putin would attend the summit"), found


def test_in_a_statement_makes_a_verb_speech():
    found = said("In a statement, the Kremlin rejected the proposal for a thirty-day truce.")
    assert has(found, "the-kremlin", "rejected the proposal for a thirty-day truce"), found


def test_a_name_the_parser_hung_on_the_phrase_before_the_verb():
    found = said("In a meeting with the editorial board of the Washington Post Putin said that "
                 "Russia would not attack any NATO country.")
    assert has(found, "vladimir-putin", "Russia would not attack any NATO country"), found


def test_a_speech_verb_tagged_as_a_noun():
    found = said("But Peskov claims that the summit was never agreed.")
    assert has(found, "dmitry-peskov", "the summit was never agreed"), found


def test_one_of_a_group_named_in_apposition_speaks():
    found = said("In a statement, one of the Kremlin's lawyers, Peskov, said the videos show nothing new.")
    assert has(found, "dmitry-peskov", "the videos show nothing new"), found


def test_said_that_then_a_quotation_that_runs_on():
    found = said("Peskov said that, “of course, the president is ready to meet” if the talks in Istanbul succeed.")
    assert has(found, "dmitry-peskov", "the president is ready to meet” if the talks in Istanbul succeed"), found


def test_put_it_in_a_statement_is_not_a_statement():
    found = said("As Peskov put it in a statement to reporters in July, the talks were a formality.")
    assert not any(statement.lower().startswith("put it") for _, statement in found), found


def test_added_colon_then_unquoted_words():
    found = said("Peskov added: There will be no meeting of the presidents until the documents are ready.")
    assert has(found, "dmitry-peskov", "There will be no meeting of the presidents until the documents are ready"), found


def test_stressed_the_need():
    found = said("Zelensky stressed the need for more air defence systems before the winter.")
    assert has(found, "volodymyr-zelensky", "stressed the need for more air defence systems"), found


def test_who_speaks_for_the_name_its_noun_describes():
    found = said("Obama has had a frosty relationship with Mitch McConnell, now the Senate majority leader, who "
                 "said in 2010 that the party's most important goal was to make Obama a one-term president.")
    assert has(found, "mitch-mcconnell", "most important goal"), found
    found = said("Republicans questioned John Bentel, a tech staffer at the State Department who told his "
                 "subordinates never to speak of the email server.")
    assert has(found, "john-bentel", "never to speak"), found
    found = said("Donald Trump regularly incites violence and is a serial liar and birther who has repeatedly "
                 "pledged to ban all Muslims from entering the country.")
    assert has(found, "donald-trump", "ban all Muslims"), found


def test_it_said_is_written_for_its_antecedent_or_for_the_editor():
    found = said("The Tulsa Police Department released a video on Monday. It said the officer had acted lawfully.")
    assert found[-1][1] == "The officer had acted lawfully." and found[-1][0] is not None, found
    found = said("The ruling came on Friday. It said the law was unconstitutional.")
    assert found == [(None, "The law was unconstitutional.")], found   # a draft the editor names
    assert said("It is said that the talks will resume.") == []
    assert said("The study found that taxes were low. It suggests that most firms paid nothing.") == []
