"""`newsgen new`: start a story, or a translation of one, as a draft file.

`newsgen new <id> --title "…"` writes the story in the languages asked for
(default: the site's default language), the headline in each of them.
`newsgen new <id> --translate en` adds a translation, prefilled from the
story's source translation with what does not need translating (date, tags,
image, related stories); its headline, captions and body are left to fill,
with the source's words beside them as comments. Both are drafts whose body
is a placeholder, which the build refuses to publish.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ..config import SiteConfig, load_config
from ..errors import BuildFailed, Problem
from ..content.frontmatter import FrontMatterError, split
from ..stages.load import load_tags
from ..stages.parse import PLACEHOLDERS
from ..language.slugs import STORY_ID

WRITE, TRANSLATE = PLACEHOLDERS


def new_story(site_dir: Path, story_id: str, languages: str | None, title: str) -> list[Path]:
    config = load_config(site_dir.absolute())
    folder = _folder(config, story_id)
    codes = _languages(config, languages) if languages else [config.default_language]
    _refuse_existing(config, folder, codes)
    now = datetime.now(config.tz).replace(microsecond=0).isoformat()
    written = []
    for code in codes:
        lines = ["---", f"title: {_quoted(title)}", f"date: {now}", "tags: []", "draft: true", "---", WRITE, ""]
        written.append(_write(config, f"{folder}/{code}.md", lines))
    return written


def new_translation(site_dir: Path, story_id: str, language: str) -> Path:
    """`language`.md for an existing story, prefilled from its source translation."""
    config = load_config(site_dir.absolute())
    folder = _folder(config, story_id)
    (code,) = _languages(config, language)
    _refuse_existing(config, folder, [code])
    source_code = next((c for c in config.fallback_order() if (config.root / folder / f"{c}.md").is_file()), None)
    if source_code is None:
        raise BuildFailed([Problem(folder, 0, f"story `{story_id}` has no translation to start from",
                                   f"Start it with `newsgen new {story_id} --title \"…\"`")])
    source_path = f"{folder}/{source_code}.md"
    try:
        fields, _, _ = split((config.root / source_path).read_text(encoding="utf-8-sig"))
    except FrontMatterError as err:
        raise BuildFailed([Problem(source_path, err.line, err.message, err.hint)]) from None

    def text(key: str) -> str:
        node = fields[key].node if key in fields else None
        return node.value.strip() if node is not None and isinstance(node.value, str) else ""

    def items(key: str) -> list[str]:
        node = fields[key].node if key in fields else None
        return [item.value.strip() for item in node.value] if node is not None and isinstance(node.value, list) else []

    tag_ids, untranslated = _tags_as_ids(config, source_code, items("tags"))
    lines = ["---", f"# {source_code}.md: {text('title')}", 'title: ""', f"date: {text('date')}"]
    if text("updated"):
        lines.append(f"updated: {text('updated')}")
    if untranslated:
        lines.append(f"# tags in {source_code}.md to translate: {', '.join(untranslated)}")
    lines.append(f"tags: {_flow(tag_ids)}")
    if text("image"):
        lines.append(f"image: {_quoted(text('image'))}")
        for key in ("image_caption", "image_credit", "image_alt"):
            if text(key):
                lines += [f"# {source_code}.md: {text(key)}", f'{key}: ""']
    if items("related"):
        lines.append(f"related: {_flow(items('related'))}")
    lines += ["draft: true", "---", TRANSLATE, ""]
    return _write(config, f"{folder}/{code}.md", lines)


def _tags_as_ids(config: SiteConfig, lang: str, raw: list[str]) -> tuple[list[str], list[str]]:
    """Tags given by id or by a name in content/tags.toml carry over as ids; others need translating."""
    names = load_tags(config, [])
    by_name = {tag.get(lang).name.casefold(): tag_id for tag_id, tag in names.items() if tag.get(lang)}
    ids, untranslated = [], []
    for tag in raw:
        tag_id = tag if tag in names else by_name.get(tag.casefold())
        (ids if tag_id else untranslated).append(tag_id or tag)
    return ids, untranslated


def _folder(config: SiteConfig, story_id: str) -> str:
    folder = f"content/news/{story_id}"
    if not STORY_ID.match(story_id):
        raise BuildFailed([Problem(folder, 0, f"bad story id `{story_id}`: use lowercase ASCII letters, digits "
                                   "and hyphens", "For example `russia-iran-talks`")])
    return folder


def _languages(config: SiteConfig, given: str) -> list[str]:
    codes = [c.strip() for c in given.split(",") if c.strip()]
    unknown = [c for c in codes if c not in config.codes]
    if unknown or not codes:
        raise BuildFailed([Problem("site.toml", 0, f"unknown language {', '.join(unknown) or '(none given)'}",
                                   "This site's languages are " + ", ".join(config.codes))])
    return codes


def _refuse_existing(config: SiteConfig, folder: str, codes: list[str]) -> None:
    existing = [c for c in codes if (config.root / folder / f"{c}.md").exists()]
    if existing:
        raise BuildFailed([Problem(f"{folder}/{c}.md", 0, "already exists; not overwritten") for c in existing])


def _write(config: SiteConfig, path: str, lines: list[str]) -> Path:
    target = config.root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines), encoding="utf-8")
    return target.relative_to(config.root)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _flow(items: list[str]) -> str:
    return "[" + ", ".join(_quoted(item) for item in items) + "]"
