"""Slugs follow each language's official transliteration."""
import pytest

from generator.language.slugs import slugify


@pytest.mark.parametrize("word,slug", [
    # Official examples of Cabinet of Ministers resolution No. 55 (2010)
    ("Згорани", "zghorany"), ("Розгон", "rozghon"), ("Щербухи", "shcherbukhy"), ("Юрій", "yurii"),
    ("Знам'янка", "znamianka"), ("Їжакевич", "yizhakevych"), ("Короп'є", "koropie"), ("Київ", "kyiv"),
    ("Знам’янка", "znamianka"),  # typographic apostrophe too
    ("Алушта", "alushta"), ("Згурський", "zghurskyi"), ("Ґалаґан", "galagan"), ("Олексій", "oleksii"),
])
def test_ukrainian_national_scheme(word, slug):
    assert slugify(word, "uk_UA") == slug


@pytest.mark.parametrize("word,slug", [
    ("Георгий", "georgii"), ("Щукин", "shchukin"), ("Юрий", "iurii"), ("Ёлкин", "elkin"),
    ("Подъезд", "podieezd"),
])
def test_russian_icao_scheme(word, slug):
    assert slugify(word, "ru_RU") == slug


def test_titles_become_lowercase_hyphenated_ascii():
    assert slugify("Росія та Іран: «співпраця» — 2023!", "uk_UA") == "rosiia-ta-iran-spivpratsia-2023"
    assert slugify("Café: “defence” & more", "en_US") == "cafe-defence-more"
    assert slugify("🙂🙂", "en_US") == ""


def test_cyrillic_in_another_language_is_transliterated_too():
    assert slugify("Київ", "en_US") == "kyiv"
    assert slugify("Москва", "en_US") == "moskva"
