"""When it was said: time phrases resolved against the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.extraction.dates import said_date

TUESDAY = dt.date(2019, 11, 12)  # a Tuesday


@pytest.mark.parametrize("text, day, basis", [
    ("Mr. Nazarbayev said on Tuesday", TUESDAY, "on Tuesday"),  # same weekday: that day
    ("He said on Friday", dt.date(2019, 11, 8), "on Friday"),  # otherwise the latest before
    ("He said on Wednesday", dt.date(2019, 11, 6), "on Wednesday"),
    ("she told reporters last month", dt.date(2019, 10, 1), "last month"),
    ("Putin said in June", dt.date(2019, 6, 1), "in June"),
    ("Putin said in December", dt.date(2018, 12, 1), "in December"),  # December is after publication
    ("announced on March 17", dt.date(2019, 3, 17), "on March 17"),
    ("said in a mid-November interview", TUESDAY, "mid-November"),  # this month, not a year back
    ("said in late October", dt.date(2019, 10, 20), "late October"),
    ("said earlier this month", dt.date(2019, 11, 1), "earlier this month"),
    ("said last week", dt.date(2019, 11, 5), "last week"),
    ("said yesterday", dt.date(2019, 11, 11), "yesterday"),
    ("said on Feb. 24, 2018", dt.date(2018, 2, 24), "on Feb. 24, 2018"),
    ("He said on the 20th of April 2018", dt.date(2018, 4, 20), "on the 20th of April 2018"),   # ordinal dates
    ("He said on 2nd November, 2019", dt.date(2019, 11, 2), "on 2nd November, 2019"),
    ("He said on 9th November", dt.date(2019, 11, 9), "on 9th November"),
])
def test_phrases(text, day, basis):
    result = said_date(text, TUESDAY, anchor=0)
    assert (result.day, result.basis) == (day, basis)


def test_mid_month_of_an_earlier_month():
    assert said_date("said in a mid-November interview", dt.date(2022, 12, 2)).day == dt.date(2022, 11, 15)


def test_no_phrase_falls_back_to_publication():
    result = said_date("Mr. Kirby said", TUESDAY)
    assert (result.day, result.basis) == (TUESDAY, "published")


def test_no_publication_date_keeps_the_phrase_but_no_day():
    assert said_date("said on Friday", None).day is None
    assert said_date("said on Friday", None).basis == "on Friday"
    assert said_date("said", None).day is None and said_date("said", None).basis is None


def test_nearest_phrase_to_the_verb_wins_and_blocked_phrases_are_ignored():
    text = "In comments to journalists on Thursday, released Friday, Zelenskyy said"
    anchor = text.index("said")
    blocked_friday = {text.index("Friday"): 1}
    assert said_date(text, TUESDAY, anchor, blocked_friday).basis == "on Thursday"
    text = "Medinsky, whom Putin appointed in February, said that"
    assert said_date(text, TUESDAY, text.index("said"), {text.index("in February"): 2}).basis == "published"


def test_may_the_verb_is_not_a_month():
    assert said_date("officials said they may meet soon", TUESDAY).basis == "published"


@pytest.mark.parametrize("text, precision", [
    ("said on Tuesday", "day"),
    ("said on March 17", "day"),
    ("said yesterday", "day"),
    ("said in June", "month"),
    ("said last month", "month"),
    ("said earlier this month", "month"),
    ("said last week", "about"),
    ("said this week", "about"),
    ("said in mid-November", "about"),
    ("said last year", "year"),
    ("said so", "day"),  # no phrase: the publication day, exactly
])
def test_precision_says_how_exactly_the_phrase_names_the_day(text, precision):
    assert said_date(text, dt.date(2022, 12, 2)).precision == precision


def test_earlier_this_week_is_before_the_publication_day():
    result = said_date("he said earlier this week", dt.date(2019, 11, 14), anchor=0)  # a Thursday
    assert (result.day, result.basis, result.precision) == (dt.date(2019, 11, 11), "earlier this week", "about")
    monday = said_date("he said earlier this week", dt.date(2019, 11, 11), anchor=0)
    assert monday.day < dt.date(2019, 11, 11)


@pytest.mark.parametrize("line", ["Thu 22nd April 2021", "22nd April, 2021", "Thursday, April 22nd, 2021 10:42 am BST",
                                  "Published: 22 April 2021 | 10:42"])
def test_an_ordinal_dateline_dates_the_article(line):
    from generator.extraction.articles import read_article

    article = read_article(f"Kremlin weighs talks\n\n{line}\n\nThe Kremlin said on Monday that talks could resume.\n",
                           "seeds/t.txt")
    assert (article.published, article.published_basis) == (dt.date(2021, 4, 22), "dateline")
    assert "missing-date" not in article.quality


def test_a_sentence_that_is_not_a_dateline_is_not_read_as_one():
    from generator.extraction.dates import calendar_date

    assert calendar_date("22nd April 2021 was the day the talks began") is None


@pytest.mark.parametrize("paragraphs", [
    ["Zelenskyy on Monday reiterated his offer.", "“I am ready to meet Putin in Istanbul,” he said."],
    ["In a video address on Monday, Zelenskyy repeated his offer.", "“I am ready to meet Putin in Istanbul,” he said."],
])
def test_the_day_of_the_sentence_introducing_a_quote_is_carried_to_it(paragraphs):
    from test_extraction_quotes import extract

    found, _, _ = extract(*paragraphs)
    assert [(c.speaker, c.said, c.said_basis) for c in found] == [
        ("volodymyr-zelensky", dt.date(2019, 11, 11), "on Monday")]
