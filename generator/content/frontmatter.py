"""Front matter: the YAML block between `---` lines at the top of a file.

We compose the YAML into nodes rather than loading it into Python values, for
two reasons: every field keeps its line number for error messages, and text
fields keep the editor's exact text (YAML 1.1 would turn a title `No` into
False and `2023-13-45` into an exception).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml missing
    from yaml import SafeLoader as _Loader

FENCE = "---"
_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DATETIME = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?$"
)


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str, hint: str = ""):
        super().__init__(message)
        self.line, self.message, self.hint = line, message, hint


@dataclass(frozen=True)
class Field:
    """A front matter value as the editor wrote it, and where."""

    node: yaml.Node
    line: int

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    def text(self, key: str) -> str:
        if self.is_null:
            return ""
        if not isinstance(self.node, yaml.ScalarNode):
            raise FrontMatterError(self.line, f"`{key}` must be text, not a {_kind(self.node)}")
        return self.node.value.strip()

    def text_list(self, key: str) -> tuple[str, ...]:
        if self.is_null:
            return ()
        if not isinstance(self.node, yaml.SequenceNode):
            raise FrontMatterError(self.line, f"`{key}` must be a list, not {_kind(self.node)}",
                                   f"Write `{key}: [first, second]`")
        items = []
        for item in self.node.value:
            line = item.start_mark.line + 2
            if not isinstance(item, yaml.ScalarNode) or item.tag.endswith(":null") or not item.value.strip():
                raise FrontMatterError(line, f"`{key}` has an empty or non-text item")
            items.append(item.value.strip())
        return tuple(items)

    def boolean(self, key: str) -> bool:
        if self.is_null:
            return False
        if not isinstance(self.node, yaml.ScalarNode) or not self.node.tag.endswith(":bool"):
            raise FrontMatterError(self.line, f"`{key}` must be true or false, not {self.node.value!r}"
                                   if isinstance(self.node, yaml.ScalarNode) else f"`{key}` must be true or false")
        return self.node.value.lower() in ("true", "yes", "on", "y")

    @property
    def is_date_only(self) -> bool:
        """`date: 2023-07-22`: a day without a time, which pages show without one."""
        return isinstance(self.node, yaml.ScalarNode) and bool(_DATE.match(self.node.value.strip()))

    def moment(self, key: str, tz: ZoneInfo) -> datetime:
        """A date or date-time; naive values are in the site's timezone."""
        raw = self.text(key)
        hint = "Write it as 2023-11-24 or 2023-11-24T10:30:00+02:00"
        if _DATE.match(raw):
            try:
                return datetime.combine(date(*map(int, raw.split("-"))), time(), tz)
            except ValueError as err:
                raise FrontMatterError(self.line, f"`{key}` is not a real date: {raw!r} ({err})", hint)
        if _DATETIME.match(raw):
            try:
                value = datetime.fromisoformat(re.sub(r"\s+(?=[Z+-]\d*)", "", raw.replace(" ", "T", 1)))
            except ValueError as err:
                raise FrontMatterError(self.line, f"`{key}` is not a real date and time: {raw!r} ({err})", hint)
            return value.replace(tzinfo=tz) if value.tzinfo is None else value.astimezone(tz)
        raise FrontMatterError(self.line, f"`{key}` has an unknown date format: {raw!r}", hint)


#: Keys whose value is one line of text an editor types: a headline, a caption, a name.
#: Such a line means what it says, whatever punctuation it holds (see `_as_typed`).
ONE_LINE_TEXT = ("title", "summary", "author", "source", "image", "image_caption", "image_credit", "image_alt")
_TEXT_LINE = re.compile(r"^(?P<key>" + "|".join(ONE_LINE_TEXT) + r")[ \t]*:[ \t]+(?P<value>\S.*?)[ \t]*$")
_BLOCK_HEADER = re.compile(r"^[|>][0-9+-]*[ \t]*(#.*)?$")
_NULL = ("~", "null", "Null", "NULL")
#: Characters YAML does not allow in a document: left for YAML to report, at their line.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def split(text: str) -> tuple[dict[str, Field], str, int]:
    """(fields by key, Markdown body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        if not text.strip():
            raise FrontMatterError(1, "the file is empty", "Start it with front matter: `---`, `title: …`, `date: …`, `---`")
        raise FrontMatterError(1, "no front matter", "Start the file with a `---` line, then `title: …` and "
                               "`date: …`, then another `---` line")
    for end in range(1, len(lines)):
        if lines[end].rstrip() in (FENCE, "..."):
            break
    else:
        raise FrontMatterError(1, "front matter is not closed", "Add a `---` line after the last field")
    block = lines[1:end]
    try:
        root = yaml.compose("\n".join(_as_typed(block)), Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        raise _explain(err, block)
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, such as a control character
        line = "\n".join(block).count("\n", 0, err.position) + 2
        raise FrontMatterError(line, f"character {err.character!r} is not allowed in front matter",
                               "Delete it; it is often invisible, pasted from another program")
    except yaml.YAMLError as err:
        raise FrontMatterError(2, f"the front matter is not valid YAML ({err})")
    if root is None:
        raise FrontMatterError(2, "front matter is empty", "Add at least `title:` and `date:`")
    if not isinstance(root, yaml.MappingNode):
        raise FrontMatterError(root.start_mark.line + 2, f"front matter must be `key: value` lines, not a {_kind(root)}")
    fields: dict[str, Field] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 2
        if not isinstance(key_node, yaml.ScalarNode):
            raise FrontMatterError(line, "a front matter key must be a plain word")
        if key_node.value in fields:
            raise FrontMatterError(line, f"`{key_node.value}` is given twice (first on line {fields[key_node.value].line})")
        fields[key_node.value] = Field(value_node, line)
    return fields, "\n".join(lines[end + 1:]), end + 2


def _as_typed(block: list[str]) -> list[str]:
    """The front matter with each one-line text value made to mean what the editor typed.

    Headlines hold colons, quotes, `#`, `&`, `*`, `!`, `@`, `%`, `|`, `>`:
    `title: Кличко: ППО збила 22 з 25 дронів` is a YAML error, `title: #1 у світі`
    is YAML's empty value, `title: Новини #1` loses its end to a comment. Such a
    line is rewritten (same line, so line numbers hold) as a quoted string of
    exactly the text after `key: `. Left to YAML: values YAML reads as a quoted
    string or a list (`title: "…"`, `title: [a, b]`, which is then "must be
    text"), block scalars (`|`, `>`) and values continued on indented lines.
    """
    typed = list(block)
    for number, line in enumerate(block):
        match = _TEXT_LINE.match(line)
        if not match or _NOT_YAML.search(line):
            continue
        value = match["value"]
        following = block[number + 1] if number + 1 < len(block) else ""
        if following[:1] in (" ", "\t") and following.strip() and not following.lstrip().startswith("#"):
            continue  # a value continued on the next lines: YAML's to read
        if value in _NULL or (value[0] in "|>" and _BLOCK_HEADER.match(value)):
            continue
        if value[0] in "\"'[{":
            try:
                yaml.compose(f"{match['key']}: {value}", Loader=_Loader)
                continue  # a quoted string or a list, as YAML reads it
            except yaml.YAMLError:
                pass  # `"Ми вистоїмо", — Зеленський`: text that starts with a quote
        typed[number] = f"{match['key']}: " + json.dumps(value, ensure_ascii=False)
    return typed


def _explain(err: yaml.MarkedYAMLError, block: list[str]) -> FrontMatterError:
    """A YAML syntax error in plain words, at the line that is wrong, quoting it."""
    context, problem = err.context or "", err.problem or ""
    # Where something was opened and never closed, the fix goes where it was opened.
    opened = context.startswith(("while parsing a flow", "while scanning a quoted", "while scanning a simple key"))
    mark = (err.context_mark if opened else None) or err.problem_mark or err.context_mark
    index = min(mark.line, len(block) - 1) if mark else 0
    line = block[index] if block else ""
    indent = line[: len(line) - len(line.lstrip())]
    what, hint = _PLAIN_WORDS[-1][1:]
    if "\t" in indent:
        what, hint = "a tab character in the indentation", "Indent with spaces"
    elif indent and "mapping values" in problem:
        what, hint = ("this line is indented, so YAML reads it as part of the line above",
                      "Start each `key:` at the beginning of its line")
    else:
        for words, plain, fix in _PLAIN_WORDS:
            if any(w in context or w in problem for w in words):
                what, hint = plain, fix
                break
    quoted = line.strip()
    yaml_words = f"{context}: {problem}" if context else problem
    return FrontMatterError(index + 2, f"{what}: `{quoted}` (YAML: {yaml_words})", hint)


#: (words in YAML's message, what is wrong, how to fix it); the last entry is the fallback.
_PLAIN_WORDS = (
    (("flow sequence",), "a list opened with `[` is not closed",
     "Write the list on one line: `tags: [first, second]`"),
    (("flow mapping",), "a `{` is not closed", "Close it with `}`, or put the value in quotes"),
    (("quoted scalar",), "a quote opened on this line is never closed", "Close the quote, or remove it"),
    (("simple key",), "this line is not `key: value`",
     "Add `: ` after the key, or join the line to the one above"),
    (("mapping values",), "a `: ` where YAML does not allow one", "Put the value in quotes: `key: \"…\"`"),
    (("expected key", "block end", "block mapping"), "this line is indented differently from the lines "
     "above it", "Start each `key:` at the beginning of its line; indent list items under their key"),
    (("cannot start any token", "alias", "anchor", "tag"), "a value starts with a character YAML reserves",
     "Put the value in quotes: `key: \"…\"`"),
    ((), "the front matter is not valid YAML here", "Check the line against `key: value`"),
)


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return f"value {node.value!r}"
