"""The template reference in README.md, made from the `TemplateContext` dataclasses.

    python -m generator.theme.reference          print it
    python -m generator.theme.reference --write  put it into README.md, between its markers

Every variable a template receives, with its type and the comment beside its
field in context.py, so the reference cannot drift from the code: a test
compares README.md with what this makes.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
import sys
import typing
from pathlib import Path

from . import context
from ..config import Language

START = "<!-- template reference: made by `python -m generator.theme.reference --write` -->"
END = "<!-- end of the template reference -->"
README = Path(__file__).resolve().parents[2] / "README.md"


def reference() -> str:
    """The reference as Markdown: `TemplateContext` first, then each type it uses."""
    order, seen = [context.TemplateContext, Language], set()
    lines = []
    while order:
        cls = order.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        comments = _field_comments(cls)
        hints = typing.get_type_hints(cls, vars(context))
        doc = (inspect.getdoc(cls) or "").split("\n")[0].replace("<", "&lt;")
        lines += [f"**`{cls.__name__}`** — {doc}" if doc else f"**`{cls.__name__}`**", "",
                  "| variable | type | what it is |", "|---|---|---|"]
        for field in dataclasses.fields(cls):
            shown = _type_name(hints[field.name])
            lines.append(f"| `{field.name}` | {shown} | {comments.get(field.name, '')} |")
            order += [t for t in _dataclasses_in(hints[field.name]) if t not in seen]
        properties = [name for name, value in vars(cls).items() if isinstance(value, property)]
        for name in properties:
            lines.append(f"| `{name}` | property | {(inspect.getdoc(getattr(cls, name)) or '').strip()} |")
        lines.append("")
    return "\n".join(lines).replace("|  |", "| |").rstrip() + "\n"


def _field_comments(cls) -> dict[str, str]:
    comments = {}
    for line in inspect.getsource(cls).splitlines():
        match = re.match(r"\s+(\w+): [^#=]*(?:=[^#]*)?#\s*(.*)$", line)
        if match:
            comments[match.group(1)] = match.group(2).replace("|", "\\|").replace("<", "&lt;")
    return comments


def _type_name(hint) -> str:
    text = re.sub(r"\b(?:generator\.theme\.context|markupsafe|generator\.config)\.", "", str(hint))
    text = re.sub(r"<class '(?:[\w.]+\.)?(\w+)'>", r"\1", text).replace("typing.", "").replace("NoneType", "None")
    return f"`{text}`".replace("|", "\\|")


def _dataclasses_in(hint) -> list[type]:
    found = []
    for arg in typing.get_args(hint) or (hint,):
        if dataclasses.is_dataclass(arg) and getattr(arg, "__module__", "") == context.__name__ and arg is not Language:
            found.append(arg)
        found += [a for a in _dataclasses_in(arg) if a is not arg] if typing.get_args(arg) else []
    return found


def readme_with_reference(text: str) -> str:
    before, start, rest = text.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md lacks the markers {START!r} … {END!r}")
    return f"{before}{START}\n\n{reference()}\n{END}{after}"


def main() -> None:
    if "--write" in sys.argv[1:]:
        README.write_text(readme_with_reference(README.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"wrote the template reference into {README}")
    else:
        print(reference(), end="")


if __name__ == "__main__":
    main()
