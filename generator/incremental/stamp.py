"""What an output was built from, told from file sizes and times, without reading the content.

The stamp is a digest of every input of a build: newsgen's own code, the
settings, the templates and catalogs (their text), every file of the story
folders and of the static folders (its size and time), content/tags.toml and
content/urls.lock, the options that change pages, and what the build's time
decides (which translations are still scheduled, which are recent enough for
the news sitemaps, the year in the footer). A build writes it into the
output's marker file; a build that finds it unchanged has nothing to do, and
`newsgen check` judges an output only when its stamp is the content's.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..config import CONFIG_NAME, SiteConfig
from .cache import code_fingerprint
from ..stages.load import TAGS_FILE
from ..desk.status import Scan, scan
from ..linking.urllock import LOCK_FILE
from ..outputs.xmlout import NEWS_WINDOW

_PREFIX = "inputs "


#: Libraries whose new versions may write pages, photos or the search index differently.
_LIBRARIES = ("markdown", "pymdown-extensions", "jinja2", "babel", "pillow", "pyyaml", "translitua", "pagefind_bin")


def environment_digest(config: SiteConfig, options: tuple) -> str:
    """What every page depends on, so that a change to it renders every page again: newsgen's
    code, the settings, the options that change pages, the templates (the theme's and the
    site's own) and the UI catalogs."""
    digest = hashlib.sha256(code_fingerprint(_LIBRARIES))
    digest.update(repr((replace(config, root=Path(".")), options)).encode())  # (the site may move)
    for folder in (*config.template_dirs, config.theme_dir / "locales"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and path.suffix != ".mo":
                digest.update(f"{path.relative_to(config.root)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def scan_sources(config: SiteConfig) -> Scan:
    """The story folders as they are now (see status.scan); problems are the build's to report,
    and the build writes the status index once it has parsed the files."""
    return scan(config, [], save=False)


def scanned_digest(scanned: Scan, now: datetime, publish_all: bool) -> bytes:
    """What a build's stamp takes from the story folders as `scanned`: every file's path, size
    and time, the translations scheduled after `now` (unless every one is published) and those
    of the news sitemaps' window before it. Made once per build, which stamps twice (to find
    nothing changed, then with the urls.lock it wrote): 0.35 s each time at 50,000 stories."""
    digest = hashlib.sha256("".join(f"{path} {size} {mtime}\n" for path, (size, mtime) in scanned.files).encode())
    entries = scanned.entries.items()  # path → (draft, date, updated)
    scheduled = sorted(path for path, (draft, date, _) in entries
                       if not publish_all and not draft and date is not None and date > now)
    recent = sorted(path for path, (_, date, _) in entries if date is not None and now - NEWS_WINDOW <= date <= now)
    digest.update(repr((scheduled, recent, now.year)).encode())
    return digest.digest()


def source_stamp(config: SiteConfig, scanned: bytes, environment: str, lock_text: str | None = None) -> str:
    """The stamp of a build of the story folders whose `scanned_digest` is `scanned`;
    `lock_text`: content/urls.lock as that build leaves it (default: as it is on disk)."""
    digest = hashlib.sha256(environment.encode())
    for name in (CONFIG_NAME, TAGS_FILE):
        digest.update(_bytes(config.root / name))
    digest.update((lock_text or "").encode() if lock_text is not None else _bytes(config.root / LOCK_FILE))
    digest.update(scanned)
    for name, file in sorted(config.static_files().items()):
        stat = file.stat()
        digest.update(f"static/{name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"-"


def marker_text(stamp: str) -> str:
    return f"Built by newsgen. This folder is replaced on every build.\n{_PREFIX}{stamp}\n"


def read_stamp(marker: Path) -> str | None:
    """The stamp in an output's marker file (None: not a newsgen output, or an old one)."""
    try:
        text = marker.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return next((line[len(_PREFIX):] for line in text.splitlines() if line.startswith(_PREFIX)), None)

