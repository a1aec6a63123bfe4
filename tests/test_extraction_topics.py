"""Topics from content/topics.yaml terms, and the kind of claim from its wording."""

from __future__ import annotations

import pytest

from generator.extraction.topics import compile_terms, kind, tag

TOPICS = [
    {"id": "putin-zelensky-meeting", "terms": ["meeting of leaders", "tête-à-tête", "Putin-Zelensky meeting"]},
    {"id": "ceasefire-before-talks", "terms": ["ceasefire", "cease-fire"]},
    {"id": "no-terms"},
]


def test_terms_match_case_insensitively_and_as_whole_words():
    compiled = compile_terms(TOPICS)
    assert tag("It probably begins with a Meeting of Leaders.", compiled) == ["putin-zelensky-meeting"]
    assert tag("A CEASEFIRE first, then a tête-à-tête.", compiled) == ["ceasefire-before-talks",
                                                                      "putin-zelensky-meeting"]
    assert tag("The ceasefires of 2015 failed.", compiled) == []  # not a whole word
    assert tag("Nothing about it.", compiled) == []


def test_terms_allow_line_breaks_between_words():
    assert tag("a meeting of\nleaders", compile_terms(TOPICS)) == ["putin-zelensky-meeting"]


@pytest.mark.parametrize("statement, expected", [
    ("Putin and Zelensky could meet only to finalize a certain document.", "position"),
    ("Countries will never recognize territory that Russia has illegally annexed.", "position"),
    ("They must be defeated.", "position"),
    ("We will send a delegation to Istanbul.", "promise"),
    ("I already received agreement from Zelensky. Now we will see.", "prediction"),
    ("The talks will probably collapse within weeks.", "prediction"),
    ("This brutalization of Ukraine's people is barbaric.", "opinion"),
    ("Russia has still not received a response to the draft.", "assertion"),
])
def test_kind_from_cues(statement, expected):
    assert kind(statement) == expected


def test_the_speech_verb_can_set_the_kind():
    assert kind("Talks take place without a ceasefire.", "insisting") == "position"
    assert kind("Talks take place without a ceasefire.", "said") == "assertion"
