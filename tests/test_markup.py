"""Markdown bodies: our faster inline processor changes nothing a reader sees."""
from __future__ import annotations

import markdown
import pytest

from generator.markup import BodyConverter, first_paragraph, story_link_ids
from generator.slugs import slugify

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
]


def stock(text: str) -> str:
    md = markdown.Markdown(
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": lambda v, s: slugify(v, "uk_UA") or "section", "toc_depth": "2-6"}},
        output_format="html")
    return md.convert(text)


@pytest.mark.parametrize("text", SAMPLES)
def test_quick_inline_processing_matches_python_markdown(text):
    converter = BodyConverter()
    assert converter.convert(text, "uk_UA") == stock(text)
    assert converter.convert(text, "uk_UA") == stock(text)  # reused instance, same result


def test_story_links_and_summary():
    html = BodyConverter().convert("First *para* [x](story:abc#part).\n\nSecond.", "en_US")
    assert story_link_ids(html) == ["abc"]
    assert first_paragraph(html) == "First para x."
    assert 'id="zaholovok"' in BodyConverter().convert("## Заголовок", "uk_UA")
