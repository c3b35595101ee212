"""Markdown bodies: our faster inline processor changes nothing, and typography per language."""
from __future__ import annotations

import pytest

from generator.config import Language
from generator.content.markup import BodyConverter, first_paragraph, make_markdown, story_link_ids
from generator.language.typography import Style

UA = Language("ua", "uk_UA", "uk", "ua", "Новини")
EN = Language("en", "en_US", "en", "en", "News")
RU = Language("ru", "ru_RU", "ru", "ru", "Новости")

SAMPLES = [
    "Plain Cyrillic text: Росія та Іран — «співпраця».\n\nAnother paragraph.",
    "Some *emphasis*, __strong__, ***both***, and snake_case_words and 2 * 3 * 4.",
    "Code `a < b` and ``double `tick` code`` and \\*escaped\\* and \\[not a link\\].",
    "[link](https://example.org \"title\"), ![img](lead.jpg), [ref][r] and [r].\n\n[r]: https://example.org/r",
    "<https://example.org/auto> and <mail@example.org> and <b>raw html</b> &amp; &copy; & alone.",
    "Line with a hard break  \nnext line, and a footnote[^1].\n\n[^1]: The note, with *emphasis*.",
    "*[NSC]: National Security Council\n\nThe NSC said so.",
    "| a | b |\n|---|---|\n| *x* | `y` |\n| plain | text |",
    "## Heading with *emphasis*\n\n### Заголовок українською\n\n> quote with [link](story:x)\n\n- item _one_\n- item two",
    "```\nfenced *not emphasis* <b>\n```\n\nText after {: .class } and > greater than.",
    "<div markdown=\"1\">*inside html*</div>\n\nMixed 'quotes' and \"doubles\" -- dashes... ok!",
    "Exclamation! Ampersand & co. Angle > bracket. Underscore _ alone. Star * alone.",
    "~~struck~~ and ~single~ and H~2~O; see https://example.org/x?y=1, www.example.com or news@example.org.",
    "A line ending in a backslash\\\nand the next. ftp.example.org too.",
    "Intro:\n- [ ] open\n- [x] done\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_quick_inline_processing_matches_python_markdown(text):
    style = Style.for_locale("uk_UA")
    stock = make_markdown("uk_UA", style, quick=False).convert(text)
    converter = BodyConverter()
    assert converter.convert(text, UA) == stock
    assert converter.convert(text, UA) == stock  # a reused instance gives the same result


def test_story_links_and_summary():
    html = BodyConverter().convert("First *para* [x](story:abc#part).\n\nSecond.", EN)
    assert story_link_ids(html) == ["abc"]
    assert first_paragraph(html) == "First para x."
    assert 'id="zaholovok"' in BodyConverter().convert("## Заголовок", UA)


def body(text: str, language: Language) -> str:
    html = BodyConverter().convert(text, language)
    return html.removeprefix("<p>").removesuffix("</p>")


@pytest.mark.parametrize("language,expected", [
    (UA, "Він сказав: «Це „важливо“ для нас»\u00a0— і пішов…"),
    (RU, "Он сказал: «Это „важно“ для нас»\u00a0— и ушёл…"),
    (EN, "He said: “This is ‘vital’ to us” — and left…"),
])
def test_quotes_nest_and_dashes_follow_the_language(language, expected):
    text = {"ua": 'Він сказав: "Це "важливо" для нас" - і пішов...',
            "ru": 'Он сказал: "Это "важно" для нас" - и ушёл...',
            "en": "He said: \"This is 'vital' to us\" - and left..."}[language.code]
    assert body(text, language) == expected


def test_apostrophe_is_kept_as_typed_unless_the_language_asks():
    assert body("м'ята, п'ять", UA) == "м'ята, п'ять"
    styled = Language("ua", "uk_UA", "uk", "ua", "Новини", typographic_apostrophe=True)
    assert body("м'ята, п'ять", styled) == "м’ята, п’ять"


def test_code_escapes_and_raw_html_keep_straight_quotes():
    html = BodyConverter().convert('Say `"code"` and \\"straight\\" and <span title="x">"y"</span>', UA)
    assert '<code>"code"</code>' in html
    assert '"straight"' in html
    assert '<span title="x">«y»</span>' in html


def test_quotes_across_inline_markup_and_dashes():
    assert body('"*Слово*" -- і --- ще', UA) == "«<em>Слово</em>» – і — ще"
    assert body('Ціна "від 5" до 10', UA) == "Ціна «від 5» до 10"
