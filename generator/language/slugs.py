"""Slugs: URL-safe names made from titles by each language's official scheme.

Ukrainian uses the national scheme of 2010 (Cabinet of Ministers resolution
No. 55: Київ → kyiv, Згорани → zghorany); Russian uses ICAO Doc 9303, the
scheme of Russian passports since 2013 (Щукин → shchukin). `translitua` ships
both tables; python-slugify and Unidecode get Ukrainian wrong (Київ → kiiv).
"""
from __future__ import annotations

import re
import unicodedata

import translitua

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The longest slug made from a title: URLs stay readable, and a path never
#: exceeds a file system's 255-byte name limit (real headlines reach 359 characters).
MAX_SLUG = 80
STORY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_SCHEMES = {
    "uk": translitua.UkrainianKMU,
    "ru": translitua.RussianICAO,
}
_APOSTROPHES = re.compile(r"['’ʼ`´‘]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_ONLY = re.compile(r"[ґєіїҐЄІЇ]")


def slugify(text: str, locale: str) -> str:
    """`text` transliterated by the scheme of `locale`'s language, as a slug.

    Returns "" when nothing usable is left (a title of emoji, say); the caller
    falls back to the story id.
    """
    language = locale.replace("-", "_").split("_")[0].lower()
    scheme = _SCHEMES.get(language)
    if scheme is None and _CYRILLIC.search(text):
        # Cyrillic in another language's text (a tag "Київ" on an English story):
        # Ukrainian letters say Ukrainian, anything else is read as Russian.
        scheme = _SCHEMES["uk"] if _UKRAINIAN_ONLY.search(text) else _SCHEMES["ru"]
    if scheme is not None:
        # The national schemes drop the apostrophe (Знам'янка → Znamianka).
        text = translitua.translit(_APOSTROPHES.sub("", text), scheme)
    else:
        text = _APOSTROPHES.sub("", text)
    # Latin letters with diacritics (é → e); anything else becomes a separator.
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return cap(_NOT_SLUG.sub("-", text.lower()).strip("-"))


def cap(slug: str, limit: int = MAX_SLUG) -> str:
    """`slug` cut to at most `limit` characters, at a word boundary where there is one."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rfind("-")
    return (slug[:cut] if cut > 0 else slug[:limit]).strip("-")
