"""Cases from the editors' review of the five seed sheets (issue 8): each is a correction an
editor made that extraction could have made itself. Fixed ones must pass; the others are
strict xfails that say why they are not fixed yet, so fixing one turns the suite red until
the mark is removed."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.extraction import claims, language
from generator.extraction.articles import SourceArticle
from generator.extraction.speakers import Registry

PEOPLE = [
    {"id": "dmitry-peskov", "name": "Dmitry Peskov", "aliases": ["Peskov", "Mr. Peskov"],
     "roles": [{"title": "Kremlin spokesman", "organisation": "Presidential Executive Office of Russia"}]},
    {"id": "vladimir-putin", "name": "Vladimir Putin", "aliases": ["Vladimir V. Putin", "Putin", "Mr. Putin"],
     "roles": [{"title": "President", "organisation": "Russia"}]},
    {"id": "volodymyr-zelensky", "name": "Volodymyr Zelensky", "aliases": ["Zelenskyy", "Zelensky"],
     "roles": [{"title": "President", "organisation": "Ukraine"}]},
    {"id": "joe-biden", "name": "Joe Biden", "aliases": ["President Biden", "Biden", "Mr. Biden"],
     "roles": [{"title": "President", "organisation": "United States"}]},
    {"id": "anders-fogh-rasmussen", "name": "Anders Fogh Rasmussen", "aliases": ["Rasmussen", "Mr. Rasmussen"]},
    {"id": "vladimir-medinsky", "name": "Vladimir Medinsky", "aliases": ["Medinsky", "Mr. Medinsky"]},
    {"id": "nursultan-nazarbayev", "name": "Nursultan Nazarbayev", "aliases": ["Nazarbayev", "Mr. Nazarbayev"]},
]
TOPICS = [
    {"id": "neutrality-and-nato", "terms": ["NATO", "neutral", "Austrian model"]},
    {"id": "territory", "terms": ["territory", "territories"]},
]
PUBLISHED = dt.date(2022, 12, 2)  # a Friday


def extract(*paragraphs: str, quality=()):
    article = SourceArticle(seed="seeds/t.txt", title="T", published=PUBLISHED, paragraphs=list(paragraphs),
                            quality=list(quality))
    result = claims.extract_claims(article, language.parse(list(paragraphs)), Registry(PEOPLE), TOPICS)
    return result.claims


def test_the_speakers_description_does_not_tag_the_claim():
    # seed 003: "the former NATO chief" is who Mr. Rasmussen is, not what he spoke about
    [claim] = extract("Mr. Rasmussen, the former NATO chief, said he did not believe that Ukraine would "
                      "accept a peace deal that allowed Russia to occupy any part of its territory.")
    assert claim.speaker == "anders-fogh-rasmussen"
    assert list(claim.topics) == ["territory"]


def test_a_topic_named_in_the_context_still_tags_the_claim():
    [claim] = extract("Speaking at NATO headquarters, Mr. Peskov said Russia would talk only to a neutral Ukraine.")
    assert list(claim.topics) == ["neutrality-and-nato"]


@pytest.mark.xfail(strict=True, reason="a title that is part of the matched name run ('President Biden') is not "
                                        "split off as the role; needs the name-run cleaning in speakers._role "
                                        "to tell titles from first names")
def test_a_title_before_the_name_is_the_role():
    [claim] = extract("President Biden said on Thursday that he would talk to Mr. Putin only after consulting "
                      "the allies.")
    assert claim.speaker == "joe-biden" and claim.role == "President"


@pytest.mark.xfail(strict=True, reason="the reporter's appositive after the reported clause ('…, a direct "
                                        "rejection of …') stays in the statement; trimming it needs the parse to "
                                        "tell an appositive noun phrase from a continued clause")
def test_the_reporters_appositive_after_the_clause_is_not_the_statement():
    [claim] = extract("Mr. Peskov indicated that any meeting between the two leaders could only take place after "
                      "a draft settlement was reached, a direct rejection of Zelenskyy’s call on Thursday for a "
                      "meeting with Putin.")
    assert claim.statement == ("Any meeting between the two leaders could only take place after a draft "
                               "settlement was reached.")


@pytest.mark.xfail(strict=True, reason="a reporter's aside between two dashes inside reported speech is kept; "
                                        "dropping it safely needs to know the dashes are not the speaker's")
def test_the_reporters_aside_between_dashes_is_not_the_statement():
    [claim] = extract("He said Russia wanted peace under an “Austrian model” — Austria belongs to the European "
                      "Union, but not to NATO — with Ukraine that would allow it to remain an independent country.",
                      ) or [None]
    assert claim is not None and "Austria belongs" not in claim.statement


@pytest.mark.xfail(strict=True, reason="a trailing non-restrictive relative clause about a place ('which was "
                                        "recently renamed after him') is the reporter's gloss but is kept")
def test_the_reporters_relative_clause_is_not_the_statement():
    [claim] = extract("Mr. Nazarbayev suggested the leaders might meet in Nur-Sultan, the capital of Kazakhstan, "
                      "which was recently renamed after him.")
    assert claim.statement == "The leaders might meet in Nur-Sultan, the capital of Kazakhstan."


@pytest.mark.xfail(strict=True, reason="in spun text the complement clause ('helium would beryllium consenting "
                                        "to speech…') is not parsed as one, so only the trailing phrase is kept")
def test_spun_reported_clause_is_kept_whole():
    found = extract("Mr. Biden besides said successful October that helium would beryllium consenting to speech "
                    "with Mr. Putin astir releasing the 2 Americans.", quality=["spun-text"])
    assert any(c.statement.startswith("Helium would beryllium consenting") for c in found)
