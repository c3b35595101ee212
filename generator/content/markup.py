"""Markdown bodies → HTML, and the `story:` links inside them.

Bodies are converted in the parse stage (the expensive part of a build, so it
runs in worker processes). A `[text](story:<id>)` link is left in the HTML as
`href="story:<id>"`; the link stage, which knows every story, checks it, and
the page that shows the body rewrites it (`resolve_story_links`, from
linking/storylinks.py).

The Markdown is Python-Markdown with what writers expect of it (the README's
table lists it all): the `extra` extensions but fenced code, which
pymdown-extensions' SuperFences replaces (fences inside list items, quotes and
footnotes; always escaped), its Tilde (`~~strike~~`), TaskList (`- [x]`) and
MagicLink (bare addresses linked); our own `habits` (lists and fences right
after a line of text, 2-space nesting), a `\\` line break, foreign shortcodes
shown as written, embeds, photo figures, per-language typography, sub-headings
that start at <h2> under the page's <h1>, and ids on them for `#fragments`.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import replace
from typing import Callable

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor as InlinePattern
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from ..config import Language
from .embeds import EmbedsExtension
from .habits import HabitsExtension
from .photos import PhotosExtension
from .shortcodes import ShortcodesExtension
from ..language.slugs import slugify
from ..language.typography import Style, TypographyExtension
from ..language.uitext import marker, strip_markers

STORY_HREF = re.compile(r'<a href="story:([^"#]*)(#[^"]*)?"([^>]*)>(.*?)</a>', re.S)
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_SHORTCODE_SPAN = re.compile(r'<span class="shortcode">.*?</span>', re.S)
_TAG = re.compile(r"<[^>]+>")

EXTENSIONS = ["abbr", "attr_list", "def_list", "footnotes", "md_in_html", "tables", "sane_lists",
              "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tilde", "pymdownx.tasklist",
              "pymdownx.magiclink"]
EXTENSION_CONFIGS = {
    "footnotes": {"BACKLINK_TITLE": marker("footnote-back", "{}")},
    "pymdownx.highlight": {"use_pygments": False},  # <pre><code class="language-…">: no colours, nothing to load
    "pymdownx.tilde": {"subscript": False},  # H~2~O stays as typed; only ~~strike~~
    "pymdownx.magiclink": {"hide_protocol": False},
}


def make_markdown(locale: str, style: Style, quick: bool = True,
                  shortcodes: list[tuple[int, str]] | None = None) -> markdown.Markdown:
    """The Markdown converter for one language (heading ids use its slugs)."""
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, HabitsExtension(), ShortcodesExtension([] if shortcodes is None else shortcodes),
                    PhotosExtension(), EmbedsExtension(), TypographyExtension(style), _BodyExtension()],
        extension_configs=EXTENSION_CONFIGS, output_format="html")
    md.treeprocessors.register(HeadingIds(md, locale), "heading_ids", 5)
    if quick:
        md.treeprocessors.register(QuickInlineProcessor(md), "inline", 20)
    return md


class BodyConverter:
    """One reusable Markdown instance per language."""

    def __init__(self) -> None:
        self._by_language: dict[Language, markdown.Markdown] = {}
        self.shortcodes: list[tuple[int, str]] = []  # (line in the body, shortcode) of the last conversion

    def convert(self, text: str, language: Language) -> str:
        md = self._by_language.get(language)
        if md is None:
            style = style_of(language)
            md = self._by_language[language] = make_markdown(language.locale, style, shortcodes=self.shortcodes)
        md.reset()
        self.shortcodes.clear()
        return md.convert(text.replace("\ue000", "").replace("\ue001", "").replace("\ue002", ""))


def style_of(language: Language) -> Style:
    style = Style.for_locale(language.locale, language.typographic_apostrophe)
    return replace(style, quotes=language.quotes) if language.quotes else style


_ID = re.compile(r'\sid="([^"]+)"')


def heading_ids(body_html: str) -> tuple[str, ...]:
    """The ids in a body (its sub-headings'), which `story:<id>#fragment` links may name."""
    return tuple(_ID.findall(body_html))


def story_link_targets(body_html: str) -> list[tuple[str, str]]:
    """(story id, heading id or "") of each `story:<id>[#<heading>]` link, for the link stage to check."""
    return [(m.group(1), (m.group(2) or "#")[1:]) for m in STORY_HREF.finditer(body_html)]


def story_link_ids(body_html: str) -> list[str]:
    return [story for story, _ in story_link_targets(body_html)]


def resolve_story_links(body_html: str, resolve: Callable[[str, str, str, str], str]) -> str:
    """Rewrite each `story:` link with `resolve(id, fragment, attributes, inner_html)`."""
    return STORY_HREF.sub(lambda m: resolve(m.group(1), m.group(2) or "", m.group(3), m.group(4)), body_html)


def plain_text(fragment_html: str) -> str:
    text = strip_markers(_SHORTCODE_SPAN.sub(" ", fragment_html))
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def first_paragraph(body_html: str) -> str:
    for match in _FIRST_PARAGRAPH.finditer(body_html):
        text = plain_text(match.group(1))
        if text:
            return text
    return ""


def count_words(body_html: str) -> int:
    return len(strip_markers(_TAG.sub(" ", body_html)).split())


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


class _HeadingLevels(Treeprocessor):
    """The page's headline is its only <h1>, and headings go down one level at a time:
    the body's highest heading becomes <h2> (`#` → <h2>, `##` → <h3>, …), and a heading
    that would skip levels below the one before it is raised (## then #### → <h2>, <h3>),
    so screen readers' outline of the page has no holes."""

    def run(self, root) -> None:
        open_levels: list[tuple[int, int]] = []  # (level as written, level given) of the enclosing headings
        for el in root.iter():
            if el.tag in HEADINGS:
                written = int(el.tag[1])
                while open_levels and open_levels[-1][0] >= written:
                    open_levels.pop()
                level = min(6, open_levels[-1][1] + 1 if open_levels else 2)
                open_levels.append((written, level))
                el.tag = f"h{level}"


class _LineBreak(InlinePattern):
    """A backslash at the end of a line is a line break (CommonMark), as two spaces are."""

    def handleMatch(self, m, data):
        return etree.Element("br"), m.start(0), m.end(0)


class _Finish(Postprocessor):
    """Last touches on the HTML: code blocks and tables can be scrolled from the keyboard,
    task boxes and footnotes get their words (as markers), and a code block ending a
    footnote is not left inside a paragraph."""

    _TASK = re.compile(r'<input type="checkbox" disabled( checked)?\s*/?>')
    _FOOTNOTE_REF = re.compile(r'<a class="footnote-ref" href="#fn:([^"]+)">')
    _BLOCK_IN_NOTE = re.compile(r'<p>(<(pre|figure)\b.*?</\2>)(&#160;<a class="footnote-backref"[^>]*>.*?</a>)</p>', re.S)

    def run(self, text: str) -> str:
        # code and tables scroll sideways on a phone: keyboard users must be able to scroll them too
        text = text.replace('<pre class="highlight">', '<pre class="highlight" tabindex="0">')
        text = text.replace("<table>", '<table tabindex="0">')
        if "task-list-item" in text:
            text = self._TASK.sub(lambda m: f'<input type="checkbox" disabled{m.group(1) or ""} aria-label="'
                                  f'{marker("task-done" if m.group(1) else "task-open")}">', text)
        if 'class="footnote"' in text:
            text = text.replace('<div class="footnote">', f'<div class="footnote" role="doc-endnotes" '
                                f'aria-label="{marker("footnotes")}">', 1)
            text = self._FOOTNOTE_REF.sub(lambda m: f'<a class="footnote-ref" href="#fn:{m.group(1)}" '
                                          f'aria-label="{marker("footnote", m.group(1))}">', text)
            text = self._BLOCK_IN_NOTE.sub(r"\1<p>\3</p>", text)
        return text


class _BodyExtension(Extension):
    def extendMarkdown(self, md) -> None:
        md.inlinePatterns.register(_LineBreak(r"\\\n", md), "backslash_break", 185)
        md.treeprocessors.register(_HeadingLevels(md), "heading_levels", 6)
        md.postprocessors.register(_Finish(md), "finish", 1)


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's inline processor, minus the work on plain text.

    The stock processor tries each of its ~20 inline patterns (a regex search
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
        "UnderscoreProcessor", "DelimiterProcessor", "_LineBreak",
        # pymdown-extensions: ~~strike~~, and bare addresses (they hold "://", "www." or "@")
        "MagiclinkPattern", "MagiclinkAutoPattern",
        "MagiclinkMailPattern", "MagicShorthandPattern", "MagicMentionPattern", "MagicRepositoryPattern",
    }
    TRIGGERS = re.compile(r"[`\\\[\]!<>&*_~@]|  \n|://|www\.|ftp\.", re.I)

    def run(self, tree, ancestors=None):
        names = {type(pattern).__name__ for pattern in self.md.inlinePatterns}
        self._quick = names <= self.KNOWN_PATTERNS
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if patternIndex == 0 and self._quick and not self.TRIGGERS.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)
