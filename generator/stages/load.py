"""Stage 1, load: find the site's files and read them.

Walks `content/news/<id>/` and `content/pages/<id>/`, reads each translation
file as text (UTF-8; a BOM and CRLF line endings are accepted), lists each
story's media, and reads `content/tags.toml`. Nothing is interpreted here
beyond what is needed to name a problem precisely.
"""
from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from typing import Mapping

from ..config import SiteConfig
from ..errors import Problem
from ..content.media import media_files
from ..model import Kind, MediaFile, SourceFile
from ..language.slugs import SLUG, STORY_ID

TEXT_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
SECTIONS: tuple[tuple[str, Kind], ...] = (("news", "news"), ("pages", "page"))
TAGS_FILE = "content/tags.toml"


@dataclass(frozen=True)
class TagName:
    name: str
    slug: str  # "" when tags.toml gives none


@dataclass(frozen=True)
class LoadedSite:
    sources: tuple[SourceFile, ...]
    media: dict[tuple[Kind, str], tuple[MediaFile, ...]]  # (kind, story id) → its media files
    tag_names: dict[str, dict[str, TagName]] = field(default_factory=dict)  # tag id → lang → name


def load_site(config: SiteConfig, problems: list[Problem], known: Mapping[str, tuple] | None = None,
              listing: Mapping[tuple[Kind, str], list[os.DirEntry]] | None = None,
              keep_text: bool = True,
              folders: tuple[list[tuple[Kind, str]], list[Problem]] | None = None) -> LoadedSite:
    """Every story folder. `known`: path → ((size, mtime_ns), digest) of files as the last build
    read them; a file that still has that size and time is not read (`SourceFile.text` is None).
    `listing`: the story folders' entries as the build's scan listed them a moment ago.
    Without `keep_text`, a file read for its digest is not kept either: the parse's workers read
    the few the parse cache has not got again, rather than this process holding every text
    (220 MB of a first build at 5,000 stories). `folders`: the story folders and the problems of
    their names, as the scan found them a moment ago (`story_folders`)."""
    sources: list[SourceFile] = []
    media: dict[tuple[Kind, str], tuple[MediaFile, ...]] = {}
    listing = listing or {}
    if folders is not None:
        problems.extend(folders[1])
    for kind, key in folders[0] if folders is not None else story_folders(config, problems):
        story_sources, story_media = load_story(config, kind, key, problems, known, listing.get((kind, key)),
                                                keep_text)
        sources.extend(story_sources)
        media[(kind, key)] = story_media
    return LoadedSite(tuple(sources), media, load_tags(config, problems))


def read_source(config: SiteConfig, source: SourceFile, problems: list[Problem]) -> SourceFile | None:
    """`source` with its text (and size and time) read from disk; None after noting what is wrong."""
    try:
        with open(config.root / source.path, "rb") as file:
            stat = os.fstat(file.fileno())
            raw = file.read()
    except OSError as err:
        problems.append(Problem(source.path, 1, f"cannot read the file: {err.strerror}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        problems.append(Problem(source.path, line, "the file is not UTF-8 text", "Save it as UTF-8 in your editor"))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceFile(source.kind, source.key, source.lang, source.path, text, (stat.st_size, stat.st_mtime_ns))


def section_of(kind: Kind) -> str:
    return "news" if kind == "news" else "pages"


def story_folders(config: SiteConfig, problems: list[Problem]) -> list[tuple[Kind, str]]:
    """Every story folder, as (kind, story id); bad names are problems."""
    found = []
    for section, kind in SECTIONS:
        folder = config.root / "content" / section
        if not folder.is_dir():
            continue
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            rel = f"content/{section}/{entry.name}"
            if not entry.is_dir():
                if not entry.name.startswith("."):
                    problems.append(Problem(rel, 1, "a file where a story folder was expected",
                                            f"Put it in content/{section}/<story-id>/<lang>.md"))
                continue
            if not STORY_ID.match(entry.name):
                problems.append(Problem(rel, 1, f"bad story id `{entry.name}`: a story id is lowercase "
                                        "ASCII letters, digits and hyphens, starting with a letter or digit",
                                        "Rename the folder, e.g. `russia-iran-talks`"))
                continue
            found.append((kind, entry.name))
    return found


def load_story(config: SiteConfig, kind: Kind, key: str, problems: list[Problem],
               known: Mapping[str, tuple] | None = None,
               entries: list[os.DirEntry] | None = None,
               keep_text: bool = True) -> tuple[list[SourceFile], tuple[MediaFile, ...]]:
    """One story folder: its translation files, read (unless `known`, see `load_site`), and its
    media's names. `entries`: the folder's, sorted by name, when they were just listed."""
    known = known or {}
    rel = f"content/{section_of(kind)}/{key}"
    sources, media = [], []
    if entries is None:
        folder = config.root / rel
        if not folder.is_dir():
            return sources, ()
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    for entry in entries:
        name, path = entry.name, f"{rel}/{entry.name}"
        if name.startswith("."):
            continue
        stem, dot, suffix = name.rpartition(".")
        is_text = dot and "." + suffix.lower() in TEXT_SUFFIXES
        if is_text and (stem not in config.codes or suffix != "md"):
            problems.append(Problem(path, 1, f"unknown language file `{name}`", _language_file_hint(stem, config)))
            continue
        if entry.is_dir():
            if stem in config.codes and is_text:
                problems.append(Problem(path, 1, "a folder where a translation file was expected"))
            else:
                problems.append(Problem(path, 1, "folders inside a story folder are not published",
                                        "Put the story's media directly in its folder"))
            continue
        if not is_text:
            media.append(name)
            continue
        try:
            stat = entry.stat()
        except OSError as err:
            problems.append(Problem(path, 1, f"cannot read the file: {err.strerror}"))
            continue
        stamp, before = (stat.st_size, stat.st_mtime_ns), known.get(path)
        source = SourceFile(kind, key, stem, path, None, stamp, before[1]) if before and before[0] == stamp \
            else read_source(config, SourceFile(kind, key, stem, path, None), problems)
        if source is not None:
            sources.append(source if keep_text or source.text is None else replace(source, text=None))
    files, clashes = media_files(media)
    for name, other, published in clashes:
        if other:
            problems.append(Problem(f"{rel}/{name}", 1, f"`{name}` and `{other}` would both be published as "
                                    f"`{published}`", "Rename one of them"))
        else:
            problems.append(Problem(f"{rel}/{name}", 1, f"a media file cannot be named `{published}`: the "
                                    "story's page is published under that name", "Rename it"))
    return sources, files


def _language_file_hint(stem: str, config: SiteConfig) -> str:
    """`uk.md` → `ua.md` (the language's hreflang or locale), `UA.md` → `ua.md`, `en.markdown` → `en.md`."""
    expected = "This site's translation files are " + ", ".join(f"`{c}.md`" for c in config.codes)
    wanted = stem.lower().replace("-", "_")
    for language in config.languages:
        if wanted in (language.code, language.hreflang.lower(), language.locale.lower(),
                      language.locale.split("_")[0].lower()):
            return f"Did you mean `{language.code}.md`? {expected}"
    close = difflib.get_close_matches(wanted, config.codes, n=1, cutoff=0.6)
    return f"Did you mean `{close[0]}.md`? {expected}" if close else expected


def load_tags(config: SiteConfig, problems: list[Problem]) -> dict[str, dict[str, TagName]]:
    path = config.root / TAGS_FILE
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"\(at line (\d+)", str(err))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        problems.append(Problem(TAGS_FILE, int(match.group(1)) if match else 1, f"TOML syntax error: {message}",
                                'Each line is `<lang> = "Name"` or `<lang> = { name = "…", slug = "…" }`'))
        return {}
    lines = text.splitlines()

    def line_of(tag_id: str) -> int:
        for number, line in enumerate(lines, 1):
            if re.match(r"^\s*\[\s*\"?" + re.escape(tag_id) + r"\"?\s*\]", line):
                return number
        return 1

    tags: dict[str, dict[str, TagName]] = {}
    for tag_id, names in data.items():
        if not STORY_ID.match(tag_id) or not isinstance(names, dict):
            problems.append(Problem(TAGS_FILE, line_of(tag_id), f"bad tag `{tag_id}`: a tag is a table "
                                    "`[tag-id]` of names by language, its id lowercase ASCII"))
            continue
        tags[tag_id] = {}
        for lang, value in names.items():
            if lang not in config.codes:
                problems.append(Problem(TAGS_FILE, line_of(tag_id), f"tag `{tag_id}`: unknown language `{lang}`",
                                        "This site's languages are " + ", ".join(config.codes)))
                continue
            if isinstance(value, str):
                value = {"name": value}
            name, slug = value.get("name") if isinstance(value, dict) else None, value.get("slug", "") if isinstance(value, dict) else ""
            if not isinstance(name, str) or not name.strip() or not isinstance(slug, str) or (slug and not SLUG.match(slug)):
                problems.append(Problem(TAGS_FILE, line_of(tag_id), f"tag `{tag_id}`: `{lang}` must be a name, "
                                        'or { name = "…", slug = "…" } with a lowercase ASCII slug'))
                continue
            tags[tag_id][lang] = TagName(name.strip(), slug)
    return tags
