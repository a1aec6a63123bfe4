"""Who spoke: names, titles, later references, pronouns, institutions, damaged spellings."""

from __future__ import annotations

from generator.extraction.speakers import Registry

from test_extraction_quotes import PEOPLE, extract


def test_aliases_and_transliterations_are_one_person():
    registry = Registry(PEOPLE)
    for name in ("Zelensky", "Zelenskyy", "Zelenskiy", "Volodymyr Zelenskyy", "President Volodymyr Zelenskiy",
                 "Mr. Zelensky"):
        assert registry.lookup(name) == "volodymyr-zelensky", name
    assert registry.lookup("Dmitriy Peskov") == "dmitry-peskov"  # no alias lists this spelling
    assert registry.lookup("Vladimir Medinsky") is None


def test_stripped_diacritics_and_lost_apostrophes_still_match():
    registry = Registry([{"id": "mevlut-cavusoglu", "name": "Mevlüt Çavuşoğlu", "aliases": ["Cavusoglu"]},
                         {"id": "sergey-lavrov", "name": "Sergey Lavrov", "aliases": ["Lavrov"]}])
    assert registry.lookup("Mevlt avuolu") == "mevlut-cavusoglu"
    assert registry.lookup("Mevlut Cavusoglu") == "mevlut-cavusoglu"
    assert registry.lookup("Lavrovs") == "sergey-lavrov"


def test_title_and_apposition_give_the_role():
    found, _, _ = extract("“We will see,” a former president of Kazakhstan, Nursultan Nazarbayev, said on Tuesday.",
                          "“Now we wait,” Mr. Nazarbayev said.")
    assert [(c.speaker, c.role) for c in found] == [
        ("nursultan-nazarbayev", "a former president of Kazakhstan"),
        ("nursultan-nazarbayev", "a former president of Kazakhstan")]
    assert found[0].speaker_as_written == "a former president of Kazakhstan, Nursultan Nazarbayev"


def test_new_speakers_become_drafts():
    found, registry, _ = extract("“It is a long road,” a former Ukrainian diplomat, Petro Ivanenko, said.")
    assert found[0].speaker == "petro-ivanenko"
    person = registry.people["petro-ivanenko"]
    assert person.new and person.name == "Petro Ivanenko" and person.draft_role == "a former Ukrainian diplomat"


def test_later_references_resolve_to_the_person():
    found, _, _ = extract(
        "Mr. Putin’s spokesman, Dmitri S. Peskov, suggested that the Russian leader would not accept.",
        "Mr. Putin would not hold “a meeting just for the sake of a meeting,” he said.",
        "The Kremlin spokesman played down expectations for the visit to Istanbul next week.",
        "“There is still no clear-cut vision with regard to a meeting,” he said.")
    assert [c.speaker for c in found] == ["dmitry-peskov"] * 3
    assert found[0].role == "Mr. Putin’s spokesman"


def test_descriptions_resolve_through_roles():
    found, _, _ = extract("Mr. Putin met his generals in Moscow on Monday to discuss the offensive.",
                          "The Russian leader said that the offensive would continue until the spring.")
    assert [c.speaker for c in found] == ["vladimir-putin"]


def test_institutions_are_organisations():
    found, registry, _ = extract("The State Department said that the sanctions would stay in place.",
                                 "The Kremlin said that the meeting was not on the agenda this year.")
    assert [c.speaker for c in found] == ["state-department", "the-kremlin"]
    assert registry.people["state-department"].kind == "organisation"


def test_spun_pronoun_is_resolved_in_a_spun_copy():
    found, _, _ = extract("Mr. Peskov reaffirmed the Kremlin's position on the talks in Istanbul on Friday.",
                          "Russia “will not achieve peace through bombing,” helium said.",
                          quality=("spun-text",))
    assert [c.speaker for c in found] == ["dmitry-peskov"]
