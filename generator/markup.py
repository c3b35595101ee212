"""Markdown bodies → HTML, and the `story:` links inside them.

Bodies are converted in the parse stage (the expensive part of a build, so it
runs in worker processes). A `[text](story:<id>)` link is left in the HTML as
`href="story:<id>"`; the link stage, which knows every story, rewrites it with
`resolve_story_links`.
"""
from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Callable

import markdown
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from .config import Language
from .slugs import slugify
from .typography import Style, TypographyExtension

STORY_HREF = re.compile(r'<a href="story:([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")


def make_markdown(locale: str, style: Style, quick: bool = True) -> markdown.Markdown:
    """The Markdown converter for one language (heading ids use its slugs)."""
    md = markdown.Markdown(extensions=["extra", "sane_lists", TypographyExtension(style)], output_format="html")
    md.treeprocessors.register(HeadingIds(md, locale), "heading_ids", 5)
    if quick:
        md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
    return md


class BodyConverter:
    """One reusable Markdown instance per language."""

    def __init__(self) -> None:
        self._by_language: dict[Language, markdown.Markdown] = {}

    def convert(self, text: str, language: Language) -> str:
        md = self._by_language.get(language)
        if md is None:
            style = Style.for_locale(language.locale, language.typographic_apostrophe)
            if language.quotes:
                style = replace(style, quotes=language.quotes)
            md = self._by_language[language] = make_markdown(language.locale, style)
        md.reset()
        return md.convert(text)


def story_link_ids(body_html: str) -> list[str]:
    return [m.group(1) for m in STORY_HREF.finditer(body_html)]


def resolve_story_links(body_html: str, resolve: Callable[[str, str, str, str], str]) -> str:
    """Rewrite each `story:` link with `resolve(id, fragment, attributes, inner_html)`."""
    return STORY_HREF.sub(lambda m: resolve(m.group(1), m.group(2) or "", m.group(3), m.group(4)), body_html)


def plain_text(fragment_html: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment_html)).split())


def first_paragraph(body_html: str) -> str:
    for match in _FIRST_PARAGRAPH.finditer(body_html):
        text = plain_text(match.group(1))
        if text:
            return text
    return ""


def count_words(body_html: str) -> int:
    return len(_TAG.sub(" ", body_html).split())


class HeadingIds(Treeprocessor):
    """An id for each sub-heading, for `#fragment` links: its text as a slug
    in the language's transliteration ("## Співпраця" → id="spivpratsia").
    (Python-Markdown's toc extension does this too, plus a table of contents
    we do not use, at a tenth of the whole conversion's time.)"""

    def __init__(self, md, locale: str):
        super().__init__(md)
        self.locale = locale

    def run(self, root) -> None:
        used: set[str] = {el.get("id") for el in root.iter() if el.get("id")}
        for element in root.iter():
            if element.tag in HEADINGS and not element.get("id"):
                text = _PLACEHOLDER.sub("", "".join(element.itertext()))
                base = slugify(text, self.locale) or "section"
                candidate, number = base, 1
                while candidate in used:
                    number += 1
                    candidate = f"{base}-{number}"
                used.add(candidate)
                element.set("id", candidate)


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_PLACEHOLDER = re.compile("\x02[^\x03]*\x03")  # Python-Markdown's stash of raw HTML and escapes


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, minus the work on plain text.

    The stock processor tries each of its ~15 inline patterns (a regex search
    each) on every text, which is most of a build's time. A text with none of
    the characters that start an inline construct cannot match any of them, so
    it is returned as is. Only done while every registered pattern is one whose
    trigger characters are listed below; otherwise the processor behaves
    exactly like the stock one. tests/test_markup.py compares the two.
    """

    KNOWN_PATTERNS = {
        "BacktickInlineProcessor", "EscapeInlineProcessor", "FootnoteInlineProcessor",
        "ReferenceInlineProcessor", "LinkInlineProcessor", "ImageInlineProcessor",
        "ImageReferenceInlineProcessor", "ShortReferenceInlineProcessor",
        "ShortImageReferenceInlineProcessor", "AutolinkInlineProcessor", "AutomailInlineProcessor",
        "SubstituteTagInlineProcessor", "HtmlInlineProcessor", "AsteriskProcessor",
        "UnderscoreProcessor", "DelimiterProcessor",
    }
    TRIGGERS = re.compile(r"[`\\\[\]!<>&*_]|  \n")

    def run(self, tree, ancestors=None):
        names = {type(pattern).__name__ for pattern in self.md.inlinePatterns}
        self._quick = names <= self.KNOWN_PATTERNS
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if patternIndex == 0 and self._quick and not self.TRIGGERS.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)
