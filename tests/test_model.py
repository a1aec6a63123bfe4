"""The model's shared helpers: slugs used for ids and file names."""

from __future__ import annotations

import pytest

from generator.model import slugify


@pytest.mark.parametrize("text, slug", [
    ("Russia holds firm on opposition to Putin–Zelenskyy meeting",
     "russia-holds-firm-on-opposition-to-putin-zelenskyy-meeting"),
    ("Ukraine's president", "ukraines-president"),
    ("Russia’s leader", "russias-leader"),
    ("Mevlüt Çavuşoğlu", "mevlut-cavusoglu"),
    ("U.S. sees little prospect", "u-s-sees-little-prospect"),
    ("war — and peace", "war-and-peace"),
    ("snake_case id", "snake-case-id"),
    ("  --Kremlin--  ", "kremlin"),
])
def test_slugify_folds_accents_and_separates_words(text, slug):
    assert slugify(text) == slug


def test_slugify_of_a_script_without_latin_letters_is_empty_so_callers_fall_back():
    assert slugify("Путин") == ""
