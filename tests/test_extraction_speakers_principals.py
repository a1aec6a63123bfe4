"""A name that only qualifies a role is the principal, not the speaker; a quoted passage of
narrative keeps its own "she"."""

from __future__ import annotations

from generator.extraction import claims, language
from generator.extraction.articles import SourceArticle
from generator.extraction.speakers import Registry

from test_extraction_quotes import PUBLISHED

CLINTON = [{"id": "hillary-clinton", "name": "Hillary Clinton", "aliases": ["Clinton", "Mrs. Clinton"]}]


def extract(*paragraphs: str, people=()):
    article = SourceArticle(seed="seeds/t.txt", title="T", published=PUBLISHED, paragraphs=list(paragraphs))
    registry = Registry(list(people))
    return claims.extract_claims(article, language.parse(list(paragraphs)), registry, []).claims


def test_name_before_a_role_noun_is_not_the_speaker():
    for people in ((), CLINTON):
        found = extract("Hillary Clinton spoke in Ohio on Monday.",
                        "Clinton communication director Jennifer Palmieri said Trump is reduced to "
                        "“taunts and insults” because he cannot defend his own record.",
                        "“You could dismiss these actions as insecure schoolyard behavior,” she said.",
                        people=people)
        assert [c.speaker for c in found] == ["jennifer-palmieri", "jennifer-palmieri"], people


def test_spokesman_named_after_his_principal_is_himself():
    found = extract("Hillary Clinton spoke in Ohio on Monday.",
                    "According to Yahoo News, Clinton spokesman Jesse Lehrich said on Friday that she would "
                    "sign this legislation.", people=CLINTON)
    assert [c.speaker for c in found if "sign this legislation" in c.statement] == ["jesse-lehrich"]


def test_unnamed_spokesman_of_a_named_principal_is_never_the_principal():
    found = extract("Hillary Clinton spoke in Ohio on Monday.", "A Clinton spokesman said the plan was dead.",
                    people=CLINTON)
    assert [c.speaker for c in found if "plan was dead" in c.statement] != ["hillary-clinton"]


def test_she_inside_a_quoted_passage_is_the_passage_s_subject_not_the_reporter():
    # a quoted passage of narrative (opened, left open, no I or we): its subject is who its "she" means
    found = extract("The woman disputes the idea that she needed to be hospitalized. Stephanie McCrummen reports "
                    "Melanie's story.",
                    "\"Melanie Austin thought the whole thing was outrageous. She wasn’t a person with homicidal "
                    "ideation. She was anxious, sure.",
                    "“It never crossed my mind that I’m losing it,” she said several months after her release.\"")
    assert [c.speaker for c in found if "crossed my mind" in c.statement] == ["melanie-austin"]


def test_a_later_she_does_not_make_a_man_named_before_it_a_woman():
    found = extract("Donald Trump spoke in Ohio on Monday.",
                    "“He really does love us,” Melanie said, and soon Trump was waving to the crowd, and she was "
                    "switching off the television.",
                    "“It’s finished,” she said.")
    assert [c.speaker for c in found if "finished" in c.statement] == ["melanie"]


def test_quotation_after_a_nearer_cue_is_not_the_noun_cue_s():
    # "Trump's declaration that ..." carries its that-clause; the quotation is Clinton's
    found = extract("Hillary Clinton spoke on Monday.",
                    "Asked about Trump's declaration that it had been a bomb, Clinton said, “I think it’s important "
                    "to know the facts about any incident like this.”", people=CLINTON)
    quoted = [c for c in found if "know the facts" in c.statement]
    assert [c.speaker for c in quoted] == ["hillary-clinton"]
    assert [c.statement for c in found if c.speaker != "hillary-clinton"] == ["It had been a bomb."]


def test_he_after_a_sentence_that_names_one_man_outside_its_subject_is_that_man():
    found = extract("“A lot of her attempts to reach out come across as pandering,” Bryan Anderson said.",
                    "While Clinton had a wide array of artists writing songs about her, that has not been happening "
                    "for the ads, which is something that concerns Henry Crespo, president of the caucus.",
                    "“No one is writing songs for Hillary,” he said.")
    assert [c.speaker for c in found if "No one" in c.statement] == ["henry-crespo"]


def test_she_after_a_woman_named_in_a_with_clause_is_that_woman():
    found = extract("Some Americans would pay more, said Lily Batchelder, a former tax aide.",
                    "It has become a major issue in the campaign, with Hillary Clinton lambasting Trump’s plan.",
                    "“The kind of plan that Donald has put forth would be trickle-down economics,” she said.")
    assert [c.speaker for c in found if "trickle-down" in c.statement] == ["hillary-clinton"]


def test_he_still_means_the_subject_when_the_sentence_before_has_one():
    found = extract("Barack Obama met Vladimir Putin in Beijing on Monday.", "“The talks were good,” he said.")
    assert [c.speaker for c in found] == ["barack-obama"]


def test_a_dash_the_parser_reads_as_a_subject_is_not_the_speaker():
    found = extract("When Hillary Clinton noted that Trump had not paid federal income taxes ― as was true for the "
                    "few years his tax returns were made public ― Trump boasted, “That makes me smart.”")
    assert [c.speaker_as_written for c in found if "smart" in c.statement] == ["Trump"]


def test_they_with_nobody_named_keeps_the_plural_subject_it_stands_for():
    found = extract("Proponents, including the United States Conference of Mayors, have urged Congress to leave the "
                    "program intact, though they say they support some of the changes.")
    assert [c.speaker_as_written for c in found if "support some" in c.statement] == [
        "they [Proponents, including the United States Conference of Mayors]"]
    assert [c.speaker for c in found if "support some" in c.statement] == [None]


def test_a_time_clause_after_the_cue_is_not_what_was_said():
    found = extract("That was what Liz Wahl said when she resigned from the network in dramatic fashion in 2014.")
    assert [c.statement for c in found if c.speaker == "liz-wahl"] == []


def test_an_asked_when_is_still_what_was_said():
    found = extract("Lawmakers have not said when they would take up the EB-5 reauthorization.")
    assert any("take up the EB-5 reauthorization" in c.statement for c in found)  # stays as it was


def test_it_after_a_subject_met_since_the_last_body_is_not_that_body():
    found = extract("Donald Trump’s campaign released an advertisement on Monday.",
                    "The city sent a cease-and-desist letter Thursday. It says the campaign violated federal and "
                    "state law by using copyrighted material.")
    said = [c for c in found if "violated" in c.statement]
    assert [(c.speaker, c.speaker_as_written) for c in said] == [(None, "It [The city]")]


def test_it_is_not_the_statement_s_own_subject():
    found = extract("The Kremlin spoke on Monday.", "The average weekly benefit, it says, would be $300.")
    assert [c.speaker_as_written for c in found if "$300" in c.statement] != ["it (The average weekly benefit)"]
