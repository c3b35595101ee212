"""The few words newsgen itself puts inside story bodies, in the page's language.

Footnote links, task-list boxes and embed buttons need words ("Back to
footnote 1 in the text", "Play the YouTube video"). A body is converted once,
before any page is rendered, so it holds markers instead; rendering a page
replaces them with the theme's words in that page's language. The theme's
`templates/words.html` sets a `words` mapping of them through the catalogs,
so they are translated like every other UI string (English built in when a
theme has none).
"""
from __future__ import annotations

import html
import re
from typing import Mapping

START, SEPARATOR, END = "\ue000", "\ue002", "\ue001"  # private-use characters: never typed by editors
_MARKER = re.compile(f"{START}([a-z-]+)(?:{SEPARATOR}([^{END}]*))?{END}")

#: The words when a theme gives none; `{0}` is the marker's argument.
DEFAULT_WORDS = {
    "footnote": "Footnote {0}",
    "footnote-back": "Back to footnote {0} in the text",
    "footnotes": "Footnotes",
    "task-done": "Done",
    "task-open": "Not done",
    "embed-load-video": "Play the {0} video",
    "embed-load-post": "Show the {0} post",
    "embed-note": "Loads content from {0}",
}


def marker(key: str, argument: str = "") -> str:
    return f"{START}{key}{SEPARATOR}{argument}{END}" if argument else f"{START}{key}{END}"


def localize(body_html: str, words: Mapping[str, str]) -> str:
    """`body_html` with each marker replaced by its words (escaped, as they may sit in attributes)."""
    if START not in body_html:
        return body_html

    def word(match: re.Match) -> str:
        template = words.get(match.group(1)) or DEFAULT_WORDS.get(match.group(1), match.group(1))
        return html.escape(template.replace("{0}", match.group(2) or ""))

    return _MARKER.sub(word, body_html)


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)
