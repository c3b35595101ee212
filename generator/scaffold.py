"""`newsgen new`: start a story with a draft file per language."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .config import load_config
from .errors import BuildFailed, Problem
from .slugs import STORY_ID

TEMPLATE = """\
---
title: {title}
date: {date}
tags: []
draft: true
---
Write the story here.
"""


def new_story(site_dir: Path, story_id: str, languages: str | None, title: str) -> list[Path]:
    config = load_config(site_dir.absolute())
    folder = f"content/news/{story_id}"
    if not STORY_ID.match(story_id):
        raise BuildFailed([Problem(folder, 0, f"bad story id `{story_id}`: use lowercase ASCII letters, digits "
                                   "and hyphens", "For example `russia-iran-talks`")])
    codes = [c.strip() for c in languages.split(",") if c.strip()] if languages else list(config.codes)
    unknown = [c for c in codes if c not in config.codes]
    if unknown or not codes:
        raise BuildFailed([Problem("site.toml", 0, f"unknown language {', '.join(unknown) or '(none given)'} in --lang",
                                   "This site's languages are " + ", ".join(config.codes))])
    existing = [c for c in codes if (config.root / folder / f"{c}.md").exists()]
    if existing:
        raise BuildFailed([Problem(f"{folder}/{c}.md", 0, "already exists; not overwritten") for c in existing])
    now = datetime.now(config.tz).replace(microsecond=0).isoformat()
    written = []
    for code in codes:
        path = config.root / folder / f"{code}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        headline = title or f"New story ({code})"
        path.write_text(TEMPLATE.format(title=_yaml_text(headline), date=now), encoding="utf-8")
        written.append(path.relative_to(config.root))
    return written


def _yaml_text(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
