"""Problems found in a site, collected and reported together.

Every stage appends to a list of `Problem`s instead of stopping at the first
one, so an editor sees everything wrong with the site in one run. `build()`
raises `BuildFailed` with the whole list at the end of the first stage that
found any, before anything is written.
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

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.message}"
        return f"{text}. {self.hint}" if self.hint else text


class BuildFailed(Exception):
    """The site has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(format_problems(self.problems))


def format_problems(problems: list[Problem]) -> str:
    lines = [str(p) for p in problems[:REPORT_CAP]]
    if len(problems) > REPORT_CAP:
        lines.append(f"… and {len(problems) - REPORT_CAP} more problems")
    return "\n".join(lines)


def did_you_mean(word: str, choices) -> str:
    """A hint naming the closest valid choice, or the valid choices."""
    choices = sorted(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    if close:
        return f"Did you mean `{close[0]}`?"
    return "Expected one of: " + ", ".join(f"`{c}`" for c in choices)
