"""Markdown as writers type it, read the way they meant it.

Python-Markdown follows the original Markdown in a few places where editors,
used to GitHub, Telegram or CommonMark, expect otherwise. This preprocessor
rewrites the source lines before Python-Markdown reads them:

- a list, a fenced code block or a table may start right after a line of text
  (CommonMark lets them interrupt a paragraph; an ordered list only when it
  starts with 1, so "2023. The year…" stays text): a blank line is put in;
- nested lists and the content of list items are indented by where the item's
  text starts, as in CommonMark (2 spaces under `-`, 3 under `1.`): they are
  re-indented to Python-Markdown's 4 spaces a level, fenced code included;
- a fence's info string keeps only its language: ```` ```bash {filename="x"} ````,
  ```` ```js title="x" ````, ```` ``` {.python} ```` and ```` ```rust,linenos ````
  all become a `bash`, `js`, `python` or `rust` block;
- a line that starts with a hashtag (`#StandWithUkraine`) is text, not a
  heading: a heading needs a space after its `#`s, as in CommonMark;
- the same, inside blockquotes (`> `), level by level.

Nothing inside a fenced code block changes but its indentation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

_ITEM = re.compile(r"^( *)([*+-]|(\d{1,9})[.)])( +|$)(.*)$")
_FENCE = re.compile(r"^( *)(`{3,}|~{3,})(.*)$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_TABLE_ROW = re.compile(r"^ {0,3}\|.*\|\s*$")
_HR = re.compile(r"^ {0,3}([*_-])( *\1){2,} *$")
_LANGUAGE = re.compile(r"[\w#+.-]+")
_HASHTAG = re.compile(r"^ {0,3}#+[^\s#]")


@dataclass
class _Item:
    source: int  # the column its text starts at, as written
    target: int  # where it starts once re-indented (4 a level)


def normalize(lines: list[str]) -> list[str]:
    """The lines of a Markdown document (tabs expanded), rewritten as described above."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _QUOTE.match(lines[i]):  # a blockquote: its inside is a document of its own
            j = i
            inner = []
            while j < len(lines) and lines[j].strip() and (_QUOTE.match(lines[j]) or _lazy(lines[j])):
                inner.append(_QUOTE.sub("", lines[j], count=1))
                j += 1
            if out and out[-1].strip() and not _QUOTE.match(out[-1]):
                out.append("")
            out.extend(("> " + line).rstrip() for line in normalize(inner))
            i = j
            continue
        j = i
        while j < len(lines) and not _QUOTE.match(lines[j]):
            j += 1
        out.extend(_blocks(lines[i:j], out[-1] if out else ""))
        i = j
    return out


def _blocks(lines: list[str], before: str) -> list[str]:
    out: list[str] = []
    items: list[_Item] = []  # the open list items, outermost first
    fence: tuple[str, int, int] | None = None  # (marker, indent removed, indent added) while inside a fence
    previous = before  # the line before, as written
    in_paragraph = bool(before.strip())
    closed = False  # the line before closed a fence
    for line in lines:
        if fence is not None:
            marker, removed, added = fence
            indent = len(line) - len(line.lstrip(" "))
            text = line[min(indent, removed):]
            out.append(" " * added + text if line.strip() else "")
            stripped = line.strip()
            if stripped.startswith(marker[0] * len(marker)) and set(stripped) <= {marker[0]}:
                fence = None
                closed = True
            previous, in_paragraph = line, False
            continue
        if not line.strip():
            out.append("")
            previous, in_paragraph, closed = line, False, False
            continue
        if closed:  # a line right after a fence closed: a block of its own
            out.append("")
            closed = False
        indent = len(line) - len(line.lstrip(" "))
        item = None if _HR.match(line) else _ITEM.match(line)
        if item and items and indent >= items[-1].source + 4 and not in_paragraph:
            item = None  # indented code inside an item
        if item and not items and indent > 3:
            item = None  # indented code
        if item and item.group(3) and in_paragraph and not items and item.group(3) != "1":
            item = None  # "2023. The year…": only a list that starts at 1 interrupts a paragraph
        if item and not item.group(5).strip() and in_paragraph and not items:
            item = None  # an empty item does not interrupt a paragraph
        if item:
            in_list = bool(items)
            while items and indent < items[-1].source:
                items.pop()
            level_target = items[-1].target if items else 0
            if not in_list and in_paragraph:
                out.append("")
            marker, spaces, text = item.group(2), item.group(4), item.group(5)
            width = len(marker) + (len(spaces) if 0 < len(spaces) <= 4 else 1)
            marker = marker.replace(")", ".")  # Python-Markdown knows only "1." lists
            out.append(" " * level_target + f"{marker} {text}".rstrip())
            items.append(_Item(indent + width, level_target + 4))
            previous, in_paragraph = line, bool(text.strip())
            fence_open = _FENCE.match(" " * (indent + width) + text)
            if fence_open:  # "- ```bash": a fence opens in the item's first line
                out[-1] = " " * level_target + marker + " " + _clean_fence(fence_open, 0)[len(fence_open.group(1)):]
                fence = (fence_open.group(2), indent + width, level_target + 4)
                in_paragraph = False
            continue
        # not a list item: inside the innermost item whose text it is indented to, or outside all
        lazy = items and in_paragraph and indent < items[-1].source
        while items and indent < items[-1].source and not lazy:
            items.pop()
        opening = _FENCE.match(line)
        if items and not lazy:
            shift = items[-1].target - items[-1].source
            target = " " * (indent + shift)
            if opening and in_paragraph:
                out.append("")
            if opening:
                out.append(_clean_fence(opening, indent + shift))
                fence = (opening.group(2), items[-1].source, items[-1].target)
                in_paragraph = False
            else:
                out.append(target + line.lstrip(" "))
                in_paragraph = True
            previous = line
            continue
        if opening and indent <= 3:
            if in_paragraph:
                out.append("")
            out.append(_clean_fence(opening, indent))
            fence = (opening.group(2), 0, 0)
            previous, in_paragraph = line, False
            continue
        if _TABLE_ROW.match(line) and in_paragraph and not _TABLE_ROW.match(previous):
            out.append("")
        if _HASHTAG.match(line):
            line = line.replace("#", "\\#", 1)  # "#StandWithUkraine…" is a hashtag, not a heading
        out.append(line)
        previous, in_paragraph = line, not _HR.match(line) and not line.lstrip().startswith("#")
    return out


def _lazy(line: str) -> bool:
    """Whether a line without `>` after a quoted one goes on the quote's paragraph."""
    return not (_ITEM.match(line) or _FENCE.match(line) or _HR.match(line) or line.lstrip().startswith(("#", "<")))


def _clean_fence(match: re.Match, indent: int) -> str:
    """A fence's opening line with only the language left of its info string."""
    marker, info = match.group(2), match.group(3).strip()
    if marker[0] == "`" and "`" in info:
        return " " * indent + marker + match.group(3)  # not a fence: inline code spanning ``` … ```
    info = info.lstrip("{").strip()
    language = _LANGUAGE.match(info.lstrip("."))
    name = language.group(0) if language else ""
    name = name.split(",")[0] if name else ""
    return " " * indent + marker + name


class _Habits(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return normalize(lines)


class HabitsExtension(Extension):
    def extendMarkdown(self, md) -> None:
        # after whitespace is normalised (30, tabs expanded), before fences are read (25)
        md.preprocessors.register(_Habits(md), "writing_habits", 27)
