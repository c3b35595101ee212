"""Front matter: the YAML block between `---` lines at the top of a file.

We compose the YAML into nodes rather than loading it into Python values, for
two reasons: every field keeps its line number for error messages, and text
fields keep the editor's exact text (YAML 1.1 would turn a title `No` into
False and `2023-13-45` into an exception).
"""
from __future__ import annotations

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
    source = "\n".join(lines[1:end])
    try:
        root = yaml.compose(source, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        # The context (where an unclosed list or quote began) is where the fix goes.
        mark = err.context_mark or err.problem_mark
        line = mark.line + 2 if mark else 1
        what = f"{err.context}: {err.problem}" if err.context else err.problem
        raise FrontMatterError(line, f"YAML syntax error: {what}",
                               "Quote a value that contains `: ` or starts with a special character")
    except yaml.reader.ReaderError as err:  # a character YAML does not allow, such as a control character
        line = source.count("\n", 0, err.position) + 2
        raise FrontMatterError(line, f"character {err.character!r} is not allowed in front matter",
                               "Delete it; it is often invisible, pasted from another program")
    except yaml.YAMLError as err:
        raise FrontMatterError(2, f"YAML error: {err}")
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


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    return f"value {node.value!r}"
