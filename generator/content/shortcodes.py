"""Other generators' shortcodes, met in migrated archives, left as written and reported.

Hugo's `{{< youtube id >}}` and `{{% notice %}}`, Jekyll's and Liquid's
`{% include … %}`, mean nothing to newsgen. Each is shown exactly as written
(never typographed, never a summary), a link whose address is one
(`[text]({{< relref "x.md" >}})`) is shown as plain text instead of a dead
link, and every one is reported as a warning at its line, pointing the
editor at what newsgen offers instead.
"""
from __future__ import annotations

import html
import re

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}|\{%.*?%\}")
#: `[text](shortcode)`: a link whose address is a shortcode (Hugo's relref/ref).
_LINKED = re.compile(r"\[([^\]\n]*)\]\(\s*(\{\{[<%].*?[%>]\}\}|\{%.*?%\})\s*\)")
_FENCE = re.compile(r"^ *(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
HINT = ("newsgen does not run other generators' shortcodes; it is shown as written. "
        "For videos and posts, a line with just the link is an embed (README: Embeds); link stories with `story:<id>`")


class _Shortcodes(Preprocessor):
    """Stashes each shortcode (outside code) as escaped text, and notes its line."""

    def __init__(self, md, found: list[tuple[int, str]]):
        super().__init__(md)
        self.found = found

    def run(self, lines: list[str]) -> list[str]:
        out, fence = [], None
        for number, line in enumerate(lines, 1):
            opening = _FENCE.match(line)
            if fence:
                if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                    fence = None
                out.append(line)
                continue
            if opening:
                fence = opening.group(1)
                out.append(line)
                continue
            if "{{" not in line and "{%" not in line:
                out.append(line)
                continue
            out.append(self._line(line, number))
        return out

    def _line(self, line: str, number: int) -> str:
        """The line with shortcodes outside code spans stashed."""
        pieces, position = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces.append(self._text(line[position:span.start()], number))
            pieces.append(span.group(0))
            position = span.end()
        pieces.append(self._text(line[position:], number))
        return "".join(pieces)

    def _text(self, text: str, number: int) -> str:
        def linked(match: re.Match) -> str:
            self.found.append((number, match.group(2)))
            return match.group(1)  # the link's text, without the link

        def stash(match: re.Match) -> str:
            self.found.append((number, match.group(0)))
            return self.md.htmlStash.store(f'<span class="shortcode">{html.escape(match.group(0), quote=False)}</span>')

        return SHORTCODE.sub(stash, _LINKED.sub(linked, text))


class ShortcodesExtension(Extension):
    """`found` collects (line in the body, shortcode) for each conversion; the caller clears it."""

    def __init__(self, found: list[tuple[int, str]]):
        super().__init__()
        self.found = found

    def extendMarkdown(self, md) -> None:
        # on the lines as written (after whitespace is normalised at 30, before anything moves them)
        md.preprocessors.register(_Shortcodes(md, self.found), "foreign_shortcodes", 29)
