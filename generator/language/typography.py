"""Typographic quotes, dashes and apostrophes, per language.

Straight quotes become the language's quotation marks, nested ones its
alternate marks: «…» with „…“ inside for Ukrainian and Russian, “…” with ‘…’
inside for English. `--` and `---` become – and —, a spaced hyphen a dash,
`...` an ellipsis. An apostrophe inside a word (м'ята) stays as typed unless
the language asks for the typographic ’. Code, preformatted text and raw HTML
are left alone, and a backslash-escaped quote (\\") stays straight.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

#: (open, close, nested open, nested close) by language; CLDR's delimiters.
QUOTES = {
    "uk": "«»„“",
    "ru": "«»„“",
    "be": "«»„“",
    "en": "“”‘’",
}
DEFAULT_QUOTES = "“”‘’"
SKIP = {"code", "pre", "kbd", "samp", "script", "style", "math"}
OPENING_CONTEXT = set(" \t\n\u00a0([{«„“‘—–-/")
AFTER_PUNCTUATION = set(":,=;")
#: English elisions that start with an apostrophe: '90s, '23, 'n', 'em, 'til, 'cause, 'tis, 'twas, 'bout.
_ELISION = re.compile(r"'(?:\d\d(?:s\b|\b)|n'(?!\w)|(?:em|til|cause|tis|twas|bout|round)\b)", re.I)
_SPECIAL = re.compile("[\"'\x02]")
_DASHES = [(re.compile(r"---"), "—"), (re.compile(r"(?<!-)--(?!-)"), "–"), (re.compile(r"\.\.\."), "…")]


@dataclass(frozen=True)
class Style:
    quotes: str  # four characters: open, close, nested open, nested close
    spaced_dash: str  # what " - " becomes
    apostrophe: str  # what an in-word ' becomes ("'" keeps it as typed)

    @classmethod
    def for_locale(cls, locale: str, typographic_apostrophe: bool = False) -> "Style":
        language = locale.split("_")[0]
        dash = "\u00a0— " if language in ("uk", "ru", "be") else " — "
        return cls(QUOTES.get(language, DEFAULT_QUOTES), dash, "’" if typographic_apostrophe else "'")


class TypographyProcessor(Treeprocessor):
    def __init__(self, md, style: Style):
        super().__init__(md)
        self.style = style

    def run(self, root: etree.Element) -> None:
        for block in root:
            self._block(block)

    def _block(self, block: etree.Element) -> None:
        if block.tag in SKIP:
            return
        if any(child.tag in ("p", "li", "blockquote", "ul", "ol", "table", "thead", "tbody", "tr", "div", "dl")
               for child in block) or block.tag in ("ul", "ol", "blockquote", "table", "thead", "tbody", "tr",
                                                     "div", "dl"):
            # a container: each block inside keeps its own quote nesting
            if block.text and block.text.strip():
                block.text = _Run(self.style).text(block.text)
            for child in block:
                self._block(child)
                if child.tail and child.tail.strip():
                    child.tail = _Run(self.style).text(child.tail)
            return
        run = _Run(self.style)
        self._inline(block, run)

    def _inline(self, element: etree.Element, run: "_Run") -> None:
        if element.text:
            element.text = run.text(element.text)
        for child in element:
            if child.tag in SKIP:
                run.previous = "x"
            else:
                self._inline(child, run)
            if child.tail:
                child.tail = run.text(child.tail)


class _Run:
    """The state of one block's text: the previous character and open quotes."""

    def __init__(self, style: Style):
        self.style = style
        self.previous = " "
        self.depth = 0  # open double quotes
        self.single_open = False  # an English ‘ waiting for its ’

    def text(self, text: str) -> str:
        for pattern, replacement in _DASHES:
            text = pattern.sub(replacement, text)
        text = text.replace(" - ", self.style.spaced_dash)
        quotes = self.style.quotes
        out, pos = [], 0
        # Only quotes and placeholders need a decision; everything between is copied.
        for match in _SPECIAL.finditer(text):
            i = match.start()
            if i < pos:
                continue  # inside a placeholder already copied
            if i > pos:
                out.append(text[pos:i])
                self.previous = text[i - 1]
            char = text[i]
            if char == "\x02":
                # Raw HTML and escaped characters are stashed as STX…ETX placeholders:
                # copy them as they are and look through them for the quote context.
                end = text.find("\x03", i)
                end = len(text) - 1 if end < 0 else end
                out.append(text[i:end + 1])
                pos = end + 1
                continue
            following = text[i + 1] if i + 1 < len(text) else " "
            if char == '"':
                # Opens after a space, a bracket or a dash; with no quote open, also right after
                # `:`, `,`, `=` or `;` (сказав:"Привіт"); otherwise it closes ("Yes," he said).
                if self.previous in OPENING_CONTEXT or (self.depth == 0 and self.previous in AFTER_PUNCTUATION):
                    char = quotes[0] if self.depth % 2 == 0 else quotes[2]
                    self.depth += 1
                else:
                    self.depth = max(0, self.depth - 1)
                    char = quotes[1] if self.depth % 2 == 0 else quotes[3]
            elif self.previous.isalpha() and following.isalpha():
                char = self.style.apostrophe
            elif quotes[2] == "‘" and self.previous in OPENING_CONTEXT and _ELISION.match(text, i):
                # '90s, rock 'n' roll, 'em: letters left out, not a quotation
                elided = _ELISION.match(text, i).group(0)
                if elided.endswith("'"):  # 'n': both marks are apostrophes
                    out.append(self.style.apostrophe + elided[1:-1] + self.style.apostrophe)
                    pos = i + len(elided)
                    self.previous = self.style.apostrophe
                    continue
                char = self.style.apostrophe
            elif quotes[2] == "‘":  # single quotes are quotation marks (English)
                if self.previous in OPENING_CONTEXT and following.isalnum():
                    char, self.single_open = "‘", True
                elif self.single_open:
                    char, self.single_open = "’", False
            out.append(char)
            self.previous = char
            pos = i + 1
        if pos < len(text):
            out.append(text[pos:])
            self.previous = text[-1]
        return "".join(out)


def typographed(text: str, style: Style) -> str:
    """Plain text (a headline, a caption) with the language's quotes, dashes and ellipses."""
    return _Run(style).text(text) if text else text


class TypographyExtension(Extension):
    def __init__(self, style: Style):
        super().__init__()
        self.style = style

    def extendMarkdown(self, md) -> None:
        md.ESCAPED_CHARS = [*md.ESCAPED_CHARS, '"', "'"]  # \" keeps a straight quote
        # after inline patterns (20), before prettify (10) and heading ids (5)
        md.treeprocessors.register(TypographyProcessor(md, self.style), "typography", 15)
