"""`newsgen status`: which translations are present, missing, drafts or outdated.

The rule for "outdated": a translation is outdated when the story's
translation in the default language (the source) was changed after it, that
is, when the source's `updated` (or, without one, its `date`) is later than
the translation's own `updated` (or `date`). A translator who brings a
translation up to date sets its `updated` to the time of that work.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .config import load_config
from .errors import BuildFailed, Problem
from .load import load_site
from .model import Translation
from .parallel import default_jobs
from .parse import parse_sources

STATES = ("present", "outdated", "draft", "missing")
MARKS = {"present": "ok", "outdated": "OUTDATED", "draft": "draft", "missing": "—"}


@dataclass(frozen=True)
class StoryStatus:
    kind: str
    key: str
    date: datetime | None
    states: dict[str, str]  # language code → one of STATES


def translation_status(site_dir: Path) -> tuple[str, tuple[str, ...], list[StoryStatus]]:
    config = load_config(site_dir.absolute())
    problems: list[Problem] = []
    loaded = load_site(config, problems)
    translations = parse_sources(config, loaded.sources, loaded.media, default_jobs(), problems)
    if problems:
        raise BuildFailed(problems)
    grouped: dict[tuple[str, str], dict[str, Translation]] = {}
    for t in translations:
        grouped.setdefault((t.kind, t.key), {})[t.lang] = t
    source_lang = config.default_language
    rows = []
    for (kind, key), found in grouped.items():
        source = found.get(source_lang)
        states = {}
        for code in config.codes:
            t = found.get(code)
            if t is None:
                states[code] = "missing"
            elif t.draft:
                states[code] = "draft"
            elif code != source_lang and source is not None and _changed(source) and _changed(t) \
                    and _changed(source) > _changed(t):
                states[code] = "outdated"
            else:
                states[code] = "present"
        dates = [t.date for t in found.values() if t.date]
        rows.append(StoryStatus(kind, key, max(dates) if dates else None, states))
    epoch = datetime.min.replace(tzinfo=config.tz)
    rows.sort(key=lambda r: (r.kind != "news", -(r.date or epoch).timestamp(), r.key))
    return source_lang, config.codes, rows


def _changed(t: Translation) -> datetime | None:
    return t.updated or t.date


def summary(codes: tuple[str, ...], rows: list[StoryStatus]) -> dict[str, dict[str, int]]:
    counts = {code: Counter(row.states[code] for row in rows) for code in codes}
    return {code: {state: counts[code][state] for state in STATES} for code in codes}


def format_table(source_lang: str, codes: tuple[str, ...], rows: list[StoryStatus]) -> str:
    names = [f"{row.key}" if row.kind == "news" else f"{row.key} (page)" for row in rows]
    width = max([len("story"), *map(len, names)])
    header = f"{'story':<{width}}  {'date':<10}  " + "  ".join(f"{c:<8}" for c in codes)
    header = header.rstrip()
    lines = [header, "-" * len(header)]
    for name, row in zip(names, rows, strict=False):
        date = f"{row.date:%Y-%m-%d}" if row.date else ""
        marks = "  ".join(f"{MARKS[row.states[c]]:<8}" for c in codes)
        lines.append(f"{name:<{width}}  {date:<10}  {marks}".rstrip())
    lines.append("")
    for code, counts in summary(codes, rows).items():
        parts = [f"{counts[state]} {state}" for state in STATES if counts[state] or state == "present"]
        source = " (source)" if code == source_lang else ""
        lines.append(f"{code}{source}: " + ", ".join(parts))
    lines.append(f'"OUTDATED": the {source_lang} source was updated after this translation.')
    return "\n".join(lines)


def format_json(source_lang: str, codes: tuple[str, ...], rows: list[StoryStatus]) -> str:
    return json.dumps({
        "source_language": source_lang,
        "stories": [{"id": r.key, "kind": r.kind, "date": r.date.isoformat() if r.date else None,
                     "languages": r.states} for r in rows],
        "summary": summary(codes, rows),
    }, ensure_ascii=False, indent=2)
