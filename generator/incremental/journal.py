"""A large record kept on disk as a whole file written now and then, plus the entries changed since.

The records a build leaves for the next (the output's page records, the status
index) hold an entry for every page or file of the archive: at 50,000 stories
writing one whole took most of a second, although a publish changes a few
dozen entries. So each is kept as two files: the whole record (the base, with
a token), and beside it the entries that differ from the base (with the base's
token), rewritten by every build. The base is written whole again once the
changes grow past a tenth of it.

A build killed between the two files leaves a base whose token the changes
file does not name: the changes were made against an older base, and the base
alone (written whole, so complete) is the record.
"""
from __future__ import annotations

import os
import pickle
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

#: The most changed entries kept beside a base before it is written whole again
#: (and at most a tenth of its entries).
MOST_CHANGED = 20_000

@dataclass(frozen=True)
class Kept:
    """A record as it was read: its base's token, and the entries of each table that differ from
    the base (so that the next changes file still holds them)."""

    token: str
    changed: dict[str, frozenset]


Tables = dict[str, dict | set]


def read(path: Path, version: object) -> tuple[Tables, dict, Kept] | None:
    """The record at `path` (tables, scalars, how it was kept), or None when there is none
    readable of this `version`."""
    base = _load(path)
    if not (isinstance(base, tuple) and len(base) == 4 and base[0] == version):
        return None
    _, token, tables, scalars = base
    changes = _load(_changes_file(path))
    changed: dict[str, frozenset] = {}
    if isinstance(changes, tuple) and len(changes) == 4 and changes[:2] == (version, token):
        for name, entries in changes[2].items():
            table = tables[name]
            for key, value in entries.items():
                if isinstance(table, set):
                    table.add(key) if value else table.discard(key)
                elif isinstance(value, _Gone):
                    table.pop(key, None)
                else:
                    table[key] = value
            changed[name] = frozenset(entries)
        scalars = {**scalars, **changes[3]}
    return tables, scalars, Kept(token, changed)


def write(path: Path, version: object, tables: Tables, scalars: dict, last: tuple[Tables, Kept] | None,
          encode: dict[str, Callable] | None = None) -> None:
    """Leave `tables` and `scalars` at `path`. `last`: the record as this build read it (its
    tables as the caller made them of `read`'s, unchanged since) and how it was kept; the entries
    that differ from it go into the changes file, unless there are too many (or no `last`): then
    the base is written whole. `encode`: by table, what to store of each value (the tables'
    values are compared as they are)."""
    encode = encode or {}
    if last is not None:
        before, kept = last
        changed = {name: kept.changed.get(name, frozenset()) | _differing(before.get(name), table)
                   for name, table in tables.items()}
        size = sum(len(table) for table in tables.values())
        if sum(map(len, changed.values())) <= min(MOST_CHANGED, size // 10):
            entries = {name: {key: _entry(tables[name], key, encode.get(name)) for key in keys}
                       for name, keys in changed.items() if keys}
            _write(_changes_file(path), (version, kept.token, entries, scalars))
            return
    stored = {name: {key: encode[name](value) for key, value in table.items()} if name in encode else table
              for name, table in tables.items()}
    _write(path, (version, uuid.uuid4().hex, stored, scalars))
    _changes_file(path).unlink(missing_ok=True)


class _Gone:
    """Pickled for an entry removed from a table since its base was written."""

    def __reduce__(self):
        return (_Gone, ())


def _entry(table: dict | set, key, encode: Callable | None):
    if isinstance(table, set):
        return key in table
    if key not in table:
        return _Gone()
    return encode(table[key]) if encode else table[key]


def _differing(before: dict | set | None, now: dict | set) -> frozenset:
    if before is None:
        return frozenset(now)
    if isinstance(now, set):
        return frozenset(now ^ before)
    missing = _Gone
    found = frozenset(key for key, value in now.items()
                      if (old := before.get(key, missing)) is not value and old != value)
    return found | before.keys() - now.keys()


def _changes_file(path: Path) -> Path:
    return path.with_name(path.name + "-changes")


def _load(path: Path) -> object:
    try:
        with path.open("rb") as stored:
            return pickle.load(stored)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None


def _write(target: Path, value: object) -> None:
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only site folder: the next build does more work
