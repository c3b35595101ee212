"""What an output was built from, so `newsgen check` judges an output only
when it is the build of the content as it is now.

The stamp is a digest of every input of a build: newsgen's own code, the
settings, every translation file's text, each media and theme file's size and
time, the options that change pages, and which translations the build
published (a story scheduled for later changes the output when it comes due).
The build writes it into the output's marker file.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from .config import CONFIG_NAME, SiteConfig
from .load import TAGS_FILE
from .model import Site, SourceFile

_CODE = Path(__file__).parent
_PREFIX = "inputs "


def _code() -> bytes:
    """newsgen's own code: a new version may render pages differently."""
    digest = hashlib.sha256()
    for file in sorted(_CODE.rglob("*")):
        if file.suffix in (".py", ".js", ".html") and "__pycache__" not in file.parts:
            digest.update(file.read_bytes())
    return digest.digest()


def environment_digest(config: SiteConfig, options: tuple) -> str:
    """What every page depends on, so that a change to it renders every page again: newsgen's
    code, the settings, the options that change pages, the templates (the theme's and the
    site's own) and the UI catalogs."""
    digest = hashlib.sha256(_code())
    digest.update(repr((config, options)).encode())
    for folder in (*config.template_dirs, config.theme_dir / "locales"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and path.suffix != ".mo":
                digest.update(f"{path.relative_to(config.root)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def input_stamp(config: SiteConfig, sources: tuple[SourceFile, ...], site: Site, options: tuple) -> str:
    digest = hashlib.sha256(_code())
    digest.update(repr((config.base_url, options)).encode())
    for name in (CONFIG_NAME, TAGS_FILE):
        try:
            digest.update((config.root / name).read_bytes())
        except OSError:
            digest.update(b"-")
    for source in sources:
        digest.update(f"{source.path}\0{source.text}\0".encode())
    for stories in (site.stories, site.pages):
        for story in stories.values():
            digest.update(repr((story.key, sorted(story.translations))).encode())
            for file in story.media:
                digest.update(_file_state(config.root, f"{story.folder}/{file.saved}"))
    digest.update(repr(sorted(site.retracted)).encode())
    for folder in (config.theme_dir, config.root / "templates", config.root / "static"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and path.suffix != ".mo":
                digest.update(_file_state(config.root, path.relative_to(config.root).as_posix()))
    return digest.hexdigest()


def _file_state(root: Path, path: str) -> bytes:
    """A file's name (relative to the site, which may move), size and time."""
    try:
        stat = (root / path).stat()
    except OSError:
        return f"{path}: missing\n".encode()
    return f"{path}: {stat.st_size} {stat.st_mtime_ns}\n".encode()


def marker_text(stamp: str) -> str:
    return f"Built by newsgen. This folder is replaced on every build.\n{_PREFIX}{stamp}\n"


def read_stamp(marker: Path) -> str | None:
    """The stamp in an output's marker file (None: not a newsgen output, or an old one)."""
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return next((line[len(_PREFIX):] for line in text.splitlines() if line.startswith(_PREFIX)), None)
