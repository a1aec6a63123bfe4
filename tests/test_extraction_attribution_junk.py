"""Statements hold only the speaker's words: link lines, widgets, bylines and the outlet that
relayed the words never enter them (issue 21)."""

from __future__ import annotations

from generator.extraction import articles, language, quotes


def statements(text: str) -> list[str]:
    article = articles.read_article(text, "seeds/t.txt")
    found, _ = quotes.find_attributions(article.paragraphs, language.parse(article.paragraphs))
    return [a.statement for a in found]


def test_a_read_also_line_is_not_glued_to_the_next_paragraph():
    text = ("Kremlin keeps door open\n\nPeskov said on Tuesday that the leaders could meet in Istanbul\n\n"
            "Read also: Zelensky says he is ready to meet Putin in Istanbul next week\n\n"
            "He added that a date had not been set.\n")
    article = articles.read_article(text, "seeds/t.txt")
    assert not any("Read also" in p for p in article.paragraphs), article.paragraphs
    assert all("Read also" not in s and "next week" not in s for s in statements(text)), statements(text)


def test_widget_lines_and_a_body_byline_are_dropped():
    text = ("Talks stall\n\nPeskov said the talks had stalled over the question of territory.\n\n"
            "Sign up for our newsletter to get the latest news every morning\n\nBy Jane Doe and John Roe\n\n"
            "Zelensky said that Ukraine would not give up any land in exchange for a ceasefire.\n")
    article = articles.read_article(text, "seeds/t.txt")
    assert article.paragraphs == ["Peskov said the talks had stalled over the question of territory.",
                                  "Zelensky said that Ukraine would not give up any land in exchange for a ceasefire."]


def test_the_relaying_outlet_is_not_part_of_the_statement():
    found = statements("Title\n\nPeskov said the leaders could meet in Istanbul and sign the deal there, "
                       "according to RBC News.\n")
    assert found == ["The leaders could meet in Istanbul and sign the deal there."]


def test_according_to_the_law_stays_in_the_statement():
    found = statements("Title\n\nPeskov said that Russia always acts according to international law.\n")
    assert found == ["Russia always acts according to international law."]


def test_an_editors_note_is_page_furniture():
    text = ("Title\n\nEditor’s note: Peskov regularly says that the talks are a waste of time and has repeatedly "
            "pledged to ignore them.\n\nPeskov said the talks would resume in May.\n")
    article = articles.read_article(text, "seeds/t.txt")
    assert article.paragraphs == ["Peskov said the talks would resume in May."]


def test_a_quoted_title_where_it_was_said_is_not_a_statement():
    said = statements("T\n\nIn an interview on CBS's “Face the Nation,” Paul Ryan said the recent spate of "
                      "shootings demands that all Americans engage in “more listening.”\n")
    assert not any("Face the Nation" in s for s in said), said
    assert any(s.startswith("The recent spate of shootings demands") for s in said), said
    said = statements("T\n\nIn his 2002 book, “Make Your Kid a Millionaire,” Mr. McKinley suggested saving early.\n")
    assert not any("Millionaire" in s for s in said), said
    said = statements("T\n\nWith thousands of vote counting systems, “there is no single point of failure,” he said.\n")
    assert said == ["With thousands of vote counting systems, “there is no single point of failure.”"], said


def test_a_clause_before_a_colon_is_not_what_the_next_clause_reports():
    said = statements("T\n\nWe have been here before: Osama bin Laden declared war on the United States.\n")
    assert not any("been here before" in s for s in said), said


def test_a_relative_clause_of_a_circumstance_is_not_the_statement():
    said = statements("T\n\nWriting for a Los Angeles Times panel that all agreed Pence won the debate, Mark Z. "
                      "Barabak noted that the way Pence carried himself was critical to his success.\n")
    assert said == ["The way Pence carried himself was critical to his success."], said


def test_a_participle_describing_the_source_is_not_the_statement():
    said = statements("T\n\nThe head of Sony Pictures Television indicated as much in an email, released as part "
                      "of the WikiLeaks Sony dump.\n")
    assert not any(s.lower().startswith("released") for s in said), said


def test_a_statement_never_starts_with_the_comma_after_the_cue():
    said = statements("T\n\nHe said it over and over, he is very proud of his actions, while avoiding the questions.\n")
    assert said and all(s[:1].isalnum() for s in said), said
