"""A cache of parsed translations, so a rebuild re-parses only what changed.

Parsing (front matter and Markdown) is most of a build's work; on a site of
thousands of stories, most files are the same as last time. Each entry is
keyed by everything its parse depends on: the file's path and text, the names
of the files beside it (an `image:` must exist), the language's settings and
timezone, and the code and library versions that parse it. Anything else
changed means a different key, so a stale entry is never used; entries no
longer needed are dropped when the cache is saved.

The cache lives in `<site>/.newsgen-cache/` (delete it to start cold).
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
from pathlib import Path

from ..config import SiteConfig
from ..model import SourceFile, Translation

CACHE_DIR = ".newsgen-cache"
#: Libraries whose new versions may parse a file differently.
_PARSING_LIBRARIES = ("markdown", "pymdown-extensions", "pyyaml", "translitua", "babel", "pillow")


def code_fingerprint(libraries: tuple[str, ...] = _PARSING_LIBRARIES) -> bytes:
    """newsgen's own code (all of it: parsing alone reaches into most modules) and the versions
    of `libraries`: a new version of either may make a different result from the same file."""
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]
    for file in sorted(package.rglob("*")):
        if file.suffix in (".py", ".js", ".html") and "__pycache__" not in file.parts:
            digest.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes())
    for name in libraries:
        try:
            digest.update(f"{name} {importlib.metadata.version(name)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name} -\n".encode())
    return digest.digest()


class ParseCache:
    def __init__(self, config: SiteConfig, enabled: bool = True):
        self.path = config.root / CACHE_DIR / "translations.pickle"
        self.enabled = enabled
        self._base = code_fingerprint() + repr((config.timezone, config.languages)).encode()
        self._entries: dict[bytes, Translation] = {}
        if enabled:
            try:
                with self.path.open("rb") as cached:
                    self._entries = pickle.load(cached)
            except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError):
                self._entries = {}

    def key(self, source: SourceFile, media: tuple) -> bytes:
        digest = hashlib.sha256(self._base)
        digest.update(repr((source.kind, source.key, source.lang, source.path, media)).encode())
        digest.update(source.text.encode())
        return digest.digest()

    def get(self, key: bytes) -> Translation | None:
        return self._entries.get(key)

    def save(self, entries: dict[bytes, Translation]) -> None:
        """Keep exactly these entries (this build's files)."""
        if not self.enabled:
            return
        try:
            self.path.parent.mkdir(exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            with temporary.open("wb") as out:
                pickle.dump(entries, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
        except OSError:
            pass  # a read-only site folder: build without a cache
