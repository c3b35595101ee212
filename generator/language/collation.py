"""Alphabetical order by each language's alphabet, not by code points.

The Unicode Collation Algorithm (pyuca, with the Unicode default table) puts
Cyrillic in the right order for Russian (ё with е, as dictionaries do) and
English. Ukrainian needs CLDR's Ukrainian tailoring on top, which the default
table lacks: ґ is a letter of its own after г, and ї one after і (the default
table treats them as г and і with marks). We apply that tailoring by giving
ґ and ї a second weight that sorts after every Cyrillic letter, so
гора < гуска < ґава < дім and ирій < іній < їжак.
"""
from __future__ import annotations

import pyuca

#: A character that sorts after every Cyrillic letter (Glagolitic capital Azu).
_AFTER_CYRILLIC = "\u2c00"
_TAILORING = {
    "uk": str.maketrans({"ґ": "г" + _AFTER_CYRILLIC, "Ґ": "Г" + _AFTER_CYRILLIC,
                         "ї": "і" + _AFTER_CYRILLIC, "Ї": "І" + _AFTER_CYRILLIC}),
}


class Collation:
    """Sort keys for text in a given locale. Loading the table takes a quarter of a second, so it
    is loaded only for a text whose key is not known: `keys` may be the last build's (`keys`)."""

    def __init__(self, keys: dict[tuple[str, str], tuple] | None = None) -> None:
        self._collator: pyuca.Collator | None = None
        #: (text, locale) → sort key: the same tag names come up again and again, build after build
        self.keys: dict[tuple[str, str], tuple] = dict(keys or {})
        self.learned = False  # a key was made that `keys` did not have

    def key(self, text: str, locale: str) -> tuple:
        memo = (text, locale)
        if memo not in self.keys:
            self._collator = self._collator or pyuca.Collator()
            tailoring = _TAILORING.get(locale.split("_")[0])
            self.keys[memo] = tuple(self._collator.sort_key(text.translate(tailoring) if tailoring else text))
            self.learned = True
        return self.keys[memo]

    def sorted(self, items, locale: str, text=lambda item: item) -> list:
        return sorted(items, key=lambda item: (self.key(text(item), locale), text(item)))
