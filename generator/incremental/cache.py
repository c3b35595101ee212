"""A cache of parsed translations, so a rebuild re-parses only what changed.

Parsing (front matter and Markdown) is most of a build's work; on a site of
thousands of stories, most files are the same as last time. Each entry is
keyed by everything its parse depends on: the file's path and text, the names
of the files beside it (an `image:` must exist), the language's settings and
timezone, and the code and library versions that parse it. Anything else
changed means a different key, so a stale entry is never used; entries no
longer needed are dropped when the cache is saved.

The entries live in an SQLite database in `<site>/.newsgen-cache/` (delete
the folder to start cold), one row each, so saving after an edit writes the
rows that changed rather than the whole archive's parsed bodies again (over a
gigabyte at 50,000 stories). SQLite's transactions keep the file whole
whatever happens to a build, and let two builds of one site share it.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import pickle
import sqlite3
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
        self.path = config.root / CACHE_DIR / "translations.sqlite"
        self.enabled = enabled
        self._base = code_fingerprint() + repr((config.timezone, config.languages)).encode()
        self._stored: set[bytes] = set()  # the keys of the entries in the file
        self._db: sqlite3.Connection | None = None
        if enabled:
            for _ in range(2):
                try:
                    self._db = self._connect()
                    self._stored = {key for key, in self._db.execute("SELECT key FROM entries")}
                    break
                except sqlite3.OperationalError:  # locked too long, read-only: build without a cache
                    self._db, self._stored = None, set()
                    break
                except sqlite3.DatabaseError:  # not a database (a broken file): start it again
                    self._db, self._stored = None, set()
                    self.path.unlink(missing_ok=True)
                except OSError:
                    self._db, self._stored = None, set()
                    break
            (self.path.parent / "translations.pickle").unlink(missing_ok=True)  # the cache's former file

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60)
        db.execute("CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
        return db

    def key(self, source: SourceFile, media: tuple) -> bytes:
        digest = hashlib.sha256(self._base)
        digest.update(repr((source.kind, source.key, source.lang, source.path, media)).encode())
        digest.update(source.text.encode())
        return digest.digest()

    def get(self, key: bytes) -> Translation | None:
        """The entry of `key`, read from the file when asked for (entries are not all held in memory)."""
        if key not in self._stored or self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            return None

    def save(self, entries: dict[bytes, Translation]) -> None:
        """Keep exactly these entries (this build's files): add the new ones, drop the others."""
        db, self._db = self._db, None
        if not self.enabled or db is None:
            return
        try:
            added = [(key, pickle.dumps(t, protocol=pickle.HIGHEST_PROTOCOL))
                     for key, t in entries.items() if key not in self._stored]
            dropped = [(key,) for key in self._stored - entries.keys()]
            if added or dropped:
                with db:  # one transaction
                    db.executemany("DELETE FROM entries WHERE key = ?", dropped)
                    db.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", added)
            self._stored = set(entries)
        except (OSError, sqlite3.Error):
            pass  # a read-only site folder: build without a cache
        finally:
            db.close()
