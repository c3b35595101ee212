"""Problems found in a site, collected and reported together.

Every stage appends to a list of `Problem`s instead of stopping at the first
one, and goes on with what it could read, so an editor sees everything wrong
with the site in one run. `build()` raises `BuildFailed` with the whole list
once everything is gathered, before anything is rendered or written. A
problem may be a warning: reported, but it never stops a publish.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

#: How many problems a failed build prints before summarising the rest.
REPORT_CAP = 100


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong, where it is, and (when we know) how to fix it."""

    path: str  # relative to the site folder, with forward slashes
    line: int  # 1-based; 0 when the problem is with a whole folder
    message: str
    hint: str = ""
    warning: bool = False  # reported, but the build goes on

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {'warning: ' if self.warning else ''}{self.message}"
        return f"{text}. {self.hint}" if self.hint else text

    def as_json(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message, "hint": self.hint,
                "severity": "warning" if self.warning else "error"}


def warning(path: str, line: int, message: str, hint: str = "") -> Problem:
    return Problem(path, line, message, hint, warning=True)


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if not p.warning]


class BuildFailed(Exception):
    """The site has problems; nothing was written. `problems` holds the warnings too."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(format_problems(self.problems))

    def __reduce__(self):  # raised in a worker process, it crosses to the build's with its problems
        return BuildFailed, (self.problems,)

    @property
    def errors(self) -> list[Problem]:
        return errors_in(self.problems)


def format_problems(problems: list[Problem], cap: int | None = REPORT_CAP) -> str:
    """Errors first, then warnings; past `cap` lines, a count of the rest."""
    ordered = sorted(problems, key=lambda p: p.warning)
    shown = ordered if cap is None else ordered[:cap]
    lines = [str(p) for p in shown]
    if len(ordered) > len(shown):
        lines.append(f"… and {len(ordered) - len(shown)} more problems")
    return "\n".join(lines)


def did_you_mean(word: str, choices) -> str:
    """A hint naming the closest valid choice, or the valid choices."""
    choices = sorted(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Expected one of: " + ", ".join(f"`{c}`" for c in choices)
