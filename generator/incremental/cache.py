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

A record and its body are kept apart: linking needs every record (titles,
dates, tags), but only the pages a build renders need their bodies, so a build
leaves them in the file (`Translation.body_stored`) and its render workers
read the few they need (`StoredBodies`). At 5,000 stories that is 130 MB a
publish neither reads nor holds.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import pickle
import sqlite3
from dataclasses import fields, replace
from pathlib import Path

from ..config import SiteConfig
from ..errors import BuildFailed, Problem
from ..model import SourceFile, Translation, share_repeated, without_body

CACHE_DIR = ".newsgen-cache"
#: Libraries whose new versions may parse a file differently.
_PARSING_LIBRARIES = ("markdown", "pymdown-extensions", "pyyaml", "translitua", "babel", "pillow")


#: Up to this many entries are read by key; more, in one pass over the whole file.
_FEW = 200


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


def parse_cache_file(config: SiteConfig) -> Path:
    return config.root / CACHE_DIR / "translations.sqlite"


class ParseCache:
    """Parsed translations by key, their bodies apart: a build reads every record (titles,
    dates, tags: what linking needs) but only the bodies of the pages it renders."""

    def __init__(self, config: SiteConfig, enabled: bool = True):
        self.path = parse_cache_file(config)
        self.enabled = enabled
        self._base = code_fingerprint() + repr((config.timezone, config.languages)).encode()
        self._stored: set[bytes] = set()  # the keys of the entries in the file
        self._db: sqlite3.Connection | None = None
        if enabled:
            for _ in range(2):
                try:
                    self._db = self._connect()
                    self._stored = {key for key, in self._db.execute("SELECT key FROM records")}
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
        with db:
            db.execute("DROP TABLE IF EXISTS entries")  # the former layout: records and bodies together
            db.execute("CREATE TABLE IF NOT EXISTS records (key BLOB PRIMARY KEY, record BLOB NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS bodies (key BLOB PRIMARY KEY, body TEXT NOT NULL)")
        return db

    def key(self, source: SourceFile, media: tuple) -> bytes:
        digest = hashlib.sha256(self._base)
        digest.update(repr((source.kind, source.key, source.lang, source.path, media)).encode())
        digest.update(source.digest.encode())
        return digest.digest()

    def get_many(self, keys: list[bytes], bodies: bool = True) -> dict[bytes, Translation | None]:
        """The entries of `keys` (None for each one not stored), read in one pass over the file
        (one query per entry cost a quarter of a second at 5,000 stories). Without `bodies`,
        each is `body_stored`: its body stays in the file (see `StoredBodies`)."""
        found: dict[bytes, Translation | None] = dict.fromkeys(keys)
        wanted = self._stored.intersection(keys)
        if self._db is None or not wanted:
            return found
        few = len(wanted) <= _FEW  # a build that parses a few files again (incremental/linked.py)
        only = f" WHERE key IN ({','.join('?' * len(wanted))})" if few else ""
        arguments = tuple(wanted) if few else ()
        try:
            for key, record in self._db.execute("SELECT key, record FROM records" + only, arguments):
                if key in wanted:
                    found[key] = _record_of(record)
            if bodies:
                for key, body in self._db.execute("SELECT key, body FROM bodies" + only, arguments):
                    if found.get(key) is not None:
                        found[key] = replace(found[key], body_html=body, body_stored=False)
            if bodies and any(t is not None and t.body_stored for t in found.values()):
                raise ValueError("a record without its body")
        except (sqlite3.Error, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            return dict.fromkeys(keys)
        return found

    def holds(self, keys) -> bool:
        """Whether the file has an entry for each of `keys` (a kept record's body is read from it)."""
        return self._db is not None and self._stored.issuperset(keys)

    def drop(self, keys: set[bytes]) -> None:
        """Remove these entries now (records of files that changed since: no build reads them)."""
        keys = self._stored.intersection(keys)
        if not keys or self._db is None:
            return
        try:
            with self._db:
                self._db.executemany("DELETE FROM records WHERE key = ?", [(key,) for key in keys])
                self._db.executemany("DELETE FROM bodies WHERE key = ?", [(key,) for key in keys])
        except (OSError, sqlite3.Error):
            return  # the next build that reads every file drops them
        self._stored -= keys

    def add(self, entries: dict[bytes, Translation]) -> set[bytes]:
        """Put these entries in the file now (those not there yet), in one transaction: the keys
        that are in the file after it. `save` keeps them unless they are not among its entries."""
        if not self.enabled or self._db is None:
            return set()
        added = [(key, t) for key, t in entries.items() if key not in self._stored and not t.body_stored]
        try:
            with self._db:
                self._insert(self._db, added)
        except (OSError, sqlite3.Error):
            return set()  # they stay in memory, and `save` tries again
        self._stored.update(key for key, _ in added)
        return self._stored.intersection(entries)

    @staticmethod
    def _insert(db: sqlite3.Connection, added: list[tuple[bytes, Translation]]) -> None:
        db.executemany("INSERT OR REPLACE INTO records (key, record) VALUES (?, ?)",
                       [(key, _record_bytes(without_body(t))) for key, t in added])
        db.executemany("INSERT OR REPLACE INTO bodies (key, body) VALUES (?, ?)",
                       [(key, t.body_html) for key, t in added])

    def save(self, entries: dict[bytes, Translation]) -> bool:
        """Keep exactly these entries (this build's files): add the new ones, drop the others.
        True when they are all in the file now (so their bodies can be read from it)."""
        db, self._db = self._db, None
        if not self.enabled or db is None:
            return False
        try:
            added = [(key, t) for key, t in entries.items() if key not in self._stored]
            if any(t.body_stored for _, t in added):
                return False  # a record whose body is not at hand (never made by parse_sources)
            dropped = [(key,) for key in self._stored - entries.keys()]
            if added or dropped:
                with db:  # one transaction
                    db.executemany("DELETE FROM records WHERE key = ?", dropped)
                    db.executemany("DELETE FROM bodies WHERE key = ?", dropped)
                    self._insert(db, added)
            self._stored = set(entries)
            return True
        except (OSError, sqlite3.Error):
            return False  # a read-only site folder: build without a cache
        finally:
            db.close()


#: A record is stored as the tuple of its fields' values, in this order (a change to the fields
#: is a change to newsgen's code, which the entries' keys include): 14,000 records of pickled
#: dataclasses, each naming its 33 fields, loaded in 0.22 s; as tuples in 0.15 s.
_RECORD_FIELDS = tuple(field.name for field in fields(Translation))


def _record_bytes(t: Translation) -> bytes:
    return pickle.dumps(tuple(getattr(t, name) for name in _RECORD_FIELDS), protocol=pickle.HIGHEST_PROTOCOL)


def _record_of(data: bytes) -> Translation:
    """The record `_record_bytes` stored (as unpickling the dataclass would make it: no `__init__`)."""
    values = pickle.loads(data)
    if len(values) != len(_RECORD_FIELDS):
        raise ValueError("a record of other fields")
    t = object.__new__(Translation)
    t.__dict__.update(share_repeated(dict(zip(_RECORD_FIELDS, values))))
    return t


class StoredBodies:
    """Reads the bodies a `ParseCache` keeps (`Translation.body_stored`), in whichever process
    asks: render workers are forked, and each opens the file for itself, read-only."""

    def __init__(self, path: Path):
        self.path = path
        self._db: tuple[int, sqlite3.Connection] | None = None  # (the process it was opened in, it)

    def __call__(self, t: Translation) -> str:
        if self._db is None or self._db[0] != os.getpid():
            self._db = (os.getpid(), sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60))
        try:
            key = bytes.fromhex(t.fingerprint)
            row = self._db[1].execute("SELECT body FROM bodies WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            row = None
        if row is None:  # another build of the site dropped it: its file changed since this build read it
            raise BuildFailed([Problem(t.source, 1, "the file changed while the site was being built",
                                       "Build again")])
        return row[0]

    def __getstate__(self):
        return {"path": self.path, "_db": None}


_LINK_MEMO = "link-memo.pickle"


def read_link_memo(config: SiteConfig):
    """The `LinkMemo` the last build of this site left, if this code made it."""
    try:
        with (config.root / CACHE_DIR / _LINK_MEMO).open("rb") as stored:
            fingerprint, memo = pickle.load(stored)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return memo if fingerprint == code_fingerprint(()) else None


def keep_link_memo(config: SiteConfig, memo) -> None:
    """Save a `LinkMemo` for the next build (None: nothing new to save)."""
    if memo is None:
        return
    target = config.root / CACHE_DIR / _LINK_MEMO
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as out:
            pickle.dump((code_fingerprint(()), memo), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only site folder: the next build works it out again
