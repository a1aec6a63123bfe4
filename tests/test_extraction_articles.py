"""Reading seed text: metadata, dates, outlet, what is not the article, damage flags."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.extraction import articles

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
ROOT = Path(__file__).parent.parent


def read(text: str, names=()):
    return articles.read_article(text, "seeds/test.txt", list(names))


def test_messy_header_is_recovered():
    article = read((FIXTURES / "messy_seed.txt").read_text(encoding="utf-8"))
    assert article.title == "Kremlin Says Leaders Could Meet Only to Sign a Deal"
    assert article.outlet == "The New York Times"  # from the title's "- The New York Times"
    assert article.dek.startswith("The Kremlin set conditions for a summit")
    assert article.byline == ["Anna Smith", "John B. Jones"]  # names run together when links were lost
    assert article.published == dt.date(2025, 3, 14)
    assert article.published_basis == "dateline"
    assert article.paragraphs[0].startswith("MOSCOW — Kremlin spokesman")
    text = "\n".join(article.paragraphs)
    for junk in ("2 days ago", "Credit...", "Read Entire Article", "Two leaders at a table"):
        assert junk not in text
    assert "web-junk" in article.quality and "missing-url" in article.quality


@pytest.mark.parametrize("line, day", [
    ("Dec. 2, 2022, 7:54 p.m. ET", dt.date(2022, 12, 2)),
    ("20220601", dt.date(2022, 6, 1)),
    ("9 Dec, 2019", dt.date(2019, 12, 9)),
    ("date 2025-05-13", dt.date(2025, 5, 13)),
    ("Published March 3, 2024", dt.date(2024, 3, 3)),
])
def test_datelines(line, day):
    assert articles.dateline(line) == day


def test_a_sentence_is_not_a_dateline():
    assert articles.dateline("Talks resumed on Dec. 2, 2022, after a long pause in the fighting and more.") is None
    assert articles.dateline("20221399") is None  # no 99th day


def test_date_and_outlet_from_the_url():
    article = read("Title of the piece\n\nBody paragraph one says something long enough to be a paragraph.\n\n"
                   "Source:\n\n<https://www.nytimes.com/2019/11/12/world/europe/ukraine-zelensky-putin.html?mc=rss>\n")
    assert article.published == dt.date(2019, 11, 12)
    assert article.published_basis == "url"
    assert article.outlet == "The New York Times"
    assert article.url.startswith("https://www.nytimes.com/2019/11/12/")
    assert all("Source" not in p for p in article.paragraphs)


def test_unknown_host_is_named_by_its_host():
    assert articles.outlet_from_url("https://news.example.org/a/b") == "news.example.org"
    assert articles.outlet_from_url("https://nationalinterest.org/blog/x") == "The National Interest"


def test_no_date_anywhere_is_flagged():
    article = read("A title\nThe Kremlin on Friday ruled out any meeting between the two leaders before a deal.\n")
    assert article.published is None
    assert "missing-date" in article.quality
    assert "missing-outlet" in article.quality


def test_captions_credits_bios_and_comment_forms_are_dropped():
    text = ("Headline here\n\nFirst paragraph of the article that says a great deal about the talks.\n\n"
            "Kirill Kudryavtsev/Agence France-Presse — Getty Images\n\n"
            "Second paragraph of the article, also long enough to count as a paragraph.\n\n"
            "David Guttenfelder for The New York Times\n\n"
            "Andrew E. Kramer is a reporter based in the Moscow bureau. He won a prize.\n\n"
            "Share this:\n\nClick to share on Twitter (Opens in new window)\n\nFacebook\n\n"
            "[Disclaimer]\n\nLeave a Reply\n\nYour email address will not be published.\n\nComment *\n\nName *\n")
    article = read(text)
    assert article.paragraphs == [
        "First paragraph of the article that says a great deal about the talks.",
        "Second paragraph of the article, also long enough to count as a paragraph.",
    ]
    assert article.byline == ["Andrew E. Kramer"]  # from the author bio
    assert article.outlet == "The New York Times"  # from the photo credit
    assert "web-junk" in article.quality


def test_a_paragraph_split_mid_sentence_is_rejoined():
    article = read("T\n\nThat effort became entangled in a request for political favors in exchange for the\n\n"
                   "White House meeting, a request now at the heart of the inquiry.\n")
    assert article.paragraphs == ["That effort became entangled in a request for political favors in exchange "
                                  "for the White House meeting, a request now at the heart of the inquiry."]


def test_spun_copy_is_flagged():
    seed = (ROOT / "seeds" / "003_3790867567689bd3.txt").read_text(encoding="utf-8")
    assert "spun-text" in read(seed).quality
    clean = (ROOT / "seeds" / "000_6c3adef788cc973e.txt").read_text(encoding="utf-8")
    assert "spun-text" not in read(clean).quality


def test_lost_accents_and_apostrophes_are_flagged():
    names = ["Mevlüt Çavuşoğlu", "Sergey Lavrov", "Lavrov"]
    damaged = read("T\nTurkish foreign minister Mevlt avuolu announced a plan for talks in Istanbul soon.\n", names)
    assert "stripped-diacritics" in damaged.quality
    apostrophes = read("T\nLavrovs trip is planned. Lavrovs visit was announced by officials on Monday.\n", names)
    assert "stripped-diacritics" in apostrophes.quality
    intact = read("T\nTurkish foreign minister Mevlüt Çavuşoğlu announced that Lavrov's trip was on.\n", names)
    assert "stripped-diacritics" not in intact.quality


def test_empty_seed_is_an_error():
    with pytest.raises(ValueError):
        read("\n\n   \n")
