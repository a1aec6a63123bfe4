"""Noun cues: a statement named by a noun ("the claim that", "warnings from X that", "By Trump's
own admission, ...") is found with its author; a claim someone rejects, or a negated one, is not
credited to them."""

from __future__ import annotations

import datetime as dt

from generator.extraction import claims, language
from generator.extraction.articles import SourceArticle
from generator.extraction.speakers import Registry


def said(*paragraphs: str) -> list[tuple[str | None, str, str]]:
    article = SourceArticle(seed="seeds/t.txt", title="T", published=dt.date(2016, 9, 20), paragraphs=list(paragraphs))
    result = claims.extract_claims(article, language.parse(list(paragraphs)), Registry([]), [])
    return [(c.speaker, c.speaker_as_written, c.statement) for c in result.claims]


def test_a_possessive_the_parser_took_for_a_verb_is_still_the_author():
    assert said("Video shows his hands in the air, contradicting Tulsa police’s earlier claim that Crutcher had "
                "refused to keep his hands up.") == [
        ("tulsa-police", "Tulsa police", "Crutcher had refused to keep his hands up.")]


def test_warnings_from_someone_are_theirs():
    assert said("The vote took place despite repeated warnings from Pagliano's attorney that the showdown was "
                "fruitless.") == [(None, "Pagliano's attorney", "The showdown was fruitless.")]


def test_the_subject_of_a_verb_that_makes_the_statement_is_its_author():
    assert said("Democrats also persisted in arguments that the panel is trying to second-guess the FBI.") == [
        ("democrats", "Democrats", "The panel is trying to second-guess the FBI.")]
    # a ministry not named is written without a speaker, for the editor, but it is the author
    assert said("The ministry issued a statement that the talks would resume in May.") == [
        (None, "The ministry", "The talks would resume in May.")]


def test_by_his_own_admission_introduces_what_he_said():
    assert said("By Trump's own admission, his tax returns in most years are far thicker than his disclosure "
                "report.") == [("trump", "Trump", "His tax returns in most years are far thicker than his "
                                "disclosure report.")]


def test_a_claim_rejected_or_not_made_is_not_the_subjects():
    assert said("Republicans rejected the claim that the panel is trying to second-guess the FBI.") == []
    assert said("Democrats did not make the argument that the panel is biased.") == []
    assert said("By all accounts, the plan would cost billions.") == []
