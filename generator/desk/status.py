"""`newsgen status`: which translations are present, missing, drafts, scheduled or outdated.

The rule for "outdated": a translation is outdated when the story's
translation in the default language (the source) was changed after it, that
is, when the source's `updated` (or, without one, its `date`) is later than
the translation's own `updated` (or `date`). A translator who brings a
translation up to date sets its `updated` to the time of that work.

Status reads front matter only, never bodies, and remembers what it read in
`<site>/.newsgen-cache/status.pickle` by each file's size and time; every
build writes that index too, so on a built site status reads no file at all.
"""
from __future__ import annotations

import functools
import json
import operator
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from ..incremental import journal
from ..incremental.cache import CACHE_DIR
from ..config import SiteConfig, load_config
from ..errors import BuildFailed, Problem
from ..content.frontmatter import FrontMatterError, split
from ..stages.load import SECTIONS, section_of, story_folders
from ..model import SourceFile, Translation

STATES = ("present", "outdated", "draft", "scheduled", "missing")
MARKS = {"present": "ok", "outdated": "OUTDATED", "draft": "draft", "scheduled": "SCHEDULED", "missing": "—"}
INDEX = "status.pickle"
_VERSION = 4  # 2: each file's text digest beside its entry; 3: a base and its changes (`journal`); 4: entries as tuples


class Entry(NamedTuple):
    """What status needs of one translation file. The index keeps each as a plain tuple, and a
    scan hands those on as they are: 142,000 objects of a class took 0.5 s to read back, the
    same tuples a tenth of that (a build only unpacks them; `Scan.grouped` makes entries)."""

    draft: bool
    date: datetime | None
    updated: datetime | None


@dataclass(frozen=True)
class StoryStatus:
    kind: str
    key: str
    date: datetime | None
    states: dict[str, str]  # language code → one of STATES
    scheduled: dict[str, datetime]  # language code → when it is published, for scheduled ones


def remember(config: SiteConfig, sources: tuple[SourceFile, ...], translations: list[Translation],
             previous: dict | None = None, parsed_again: frozenset[str] | None = None,
             kept: Kept | None = None) -> None:
    """Write the status index from a build's parse (files that failed to parse are left out),
    unless it is the `previous` one, as the build's scan (or serve's start) read it.
    `parsed_again`: when the build parsed only these files, and with the same newsgen and
    settings as the build that wrote `previous`, every other file with the same size, time and
    digest keeps its entry as it is (at 50,000 stories, making and comparing 142,000 entries
    took half a second). `kept`: the index as it was read from its file, of which only what
    changed is written (`journal`)."""
    trusted = previous if parsed_again is not None else None
    parsed: dict[str, Translation] | None = None  # made when a file's entry is to be made
    index, made = {}, 0
    for source in sources:
        if not source.stamp:
            continue
        before = trusted.get(source.path) if trusted is not None else None
        if before is not None and source.path not in parsed_again and before[0] == source.stamp \
                and before[2] == source.digest:
            index[source.path] = before  # (every file parsed when some were parsed again: see `gather`)
            continue
        if parsed is None:
            parsed = {t.source: t for t in translations}
        t = parsed.get(source.path)
        if t is not None:
            index[source.path] = (source.stamp, Entry(t.draft, t.date, t.updated), source.digest)
            made += 1
    unchanged = not made and len(index) == len(trusted) if trusted is not None else index == previous
    if not unchanged:
        _save(config, index, kept)


@dataclass(frozen=True)
class Scan:
    """Every file of the story folders with its (size, mtime), and each translation's front matter dates."""

    files: tuple[tuple[str, tuple[int, int]], ...]  # (path, (size, mtime_ns)), media and folders included
    entries: dict[str, tuple]  # translation file path → its `Entry`'s fields (draft, date, updated)
    index: dict[str, tuple] = field(default_factory=dict)  # the status index as the scan left it
    #: (kind, story id) → the folder's entries, by name, each with the time and size the scan saw
    #: cached (`os.DirEntry.stat`): what `load.load_site` lists, without listing it again
    listing: dict[tuple[str, str], list[os.DirEntry]] = field(default_factory=dict, compare=False, repr=False)
    kept: Kept | None = field(default=None, compare=False, repr=False)  # the index as read from its file
    #: the story folders as `load.story_folders` found them, with the problems of their names
    folders: tuple[list[tuple[str, str]], list[Problem]] | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def grouped(self) -> dict[tuple[str, str], dict[str, Entry]]:
        """(kind, story id) → language → entry: what `newsgen status` shows (a build does not ask)."""
        kinds = dict(SECTIONS)
        grouped: dict[tuple[str, str], dict[str, Entry]] = {}
        for path, entry in self.entries.items():
            _, section, key, name = path.split("/")
            grouped.setdefault((kinds[section], key), {})[name[:-len(".md")]] = Entry._make(entry)
        return grouped

    @property
    def digests(self) -> dict[str, tuple[tuple[int, int], str]]:
        """Translation file path → ((size, mtime_ns), digest of its text) as the last build read it
        (`load.load_site`'s `known`): a file with the same size and time need not be read again."""
        return digests(self.index)


def remembered(config: SiteConfig) -> tuple[dict, Kept | None]:
    """The status index as the last build (or serve's start) left it, without looking at the files
    (`newsgen serve` compares each file's size and time as it lists its folder), and as it was
    read (for `remember`)."""
    return _load(config)


def digests(index: dict) -> dict[str, tuple[tuple[int, int], str]]:
    """Translation file path → ((size, mtime_ns), digest of its text), from a status index."""
    return {path: (stamp, digest) for path, (stamp, _, digest) in index.items() if digest}


def scan(config: SiteConfig, problems: list[Problem], save: bool = True) -> Scan:
    """Look at every file of the story folders without reading any the index already knows.
    A build does not `save` what it found: it writes the index after parsing (`remember`)."""
    index, kept = _load(config)
    fresh, files = {}, []
    for section in ("news", "pages"):  # every name, a misnamed folder or a stray file included
        try:
            names = sorted(os.listdir(config.root / "content" / section))
        except OSError:
            continue
        files += [(f"content/{section}/{name}", (-1, -1)) for name in names]
    listing = {}
    root, by_name = str(config.root), operator.attrgetter("name")  # (50,000 folders: no Path made for each)
    folders = story_folders(config, folder_problems := [])
    problems.extend(folder_problems)
    for kind, key in folders:
        folder = f"content/{section_of(kind)}/{key}"
        try:
            entries = listing[(kind, key)] = sorted(os.scandir(f"{root}/{folder}"), key=by_name)
        except OSError:
            continue
        for item in entries:
            try:
                stat = item.stat()
            except OSError:
                continue
            path = f"{folder}/{item.name}"
            stamp = (stat.st_size, stat.st_mtime_ns)
            files.append((path, stamp))
            lang = item.name[:-3] if item.name.endswith(".md") else None
            if lang not in config.codes:
                continue
            known = index.get(path)
            same = known is not None and known[0] == stamp
            entry = known[1] if same else _read(config, kind, path, problems)
            if entry is not None:
                fresh[path] = known if same else (stamp, entry, "")
    if save and fresh != index and not problems:
        _save(config, fresh, kept)
    return Scan(tuple(files), {path: entry for path, (_, entry, _) in fresh.items()}, fresh, listing, kept,
                (folders, folder_problems))


def translation_status(site_dir: Path, now: datetime | None = None) -> tuple[str, tuple[str, ...], list[StoryStatus]]:
    config = load_config(site_dir.absolute())
    now = now or datetime.now(config.tz)
    problems: list[Problem] = []
    grouped = scan(config, problems).grouped
    if problems:
        raise BuildFailed(problems)
    source_lang = config.default_language
    rows = []
    for (kind, key), found in grouped.items():
        source = found.get(source_lang)
        states, scheduled = {}, {}
        for code in config.codes:
            t = found.get(code)
            if t is None:
                states[code] = "missing"
            elif t.draft:
                states[code] = "draft"
            elif t.date is not None and t.date > now:
                states[code], scheduled[code] = "scheduled", t.date
            elif code != source_lang and source is not None and _changed(source) and _changed(t) \
                    and _changed(source) > _changed(t):
                states[code] = "outdated"
            else:
                states[code] = "present"
        dates = [t.date for t in found.values() if t.date]
        rows.append(StoryStatus(kind, key, max(dates) if dates else None, states, scheduled))
    epoch = datetime.min.replace(tzinfo=config.tz)
    rows.sort(key=lambda r: (r.kind != "news", -(r.date or epoch).timestamp(), r.key))
    return source_lang, config.codes, rows


def _read(config: SiteConfig, kind: str, path: str, problems: list[Problem]) -> Entry | None:
    """A file's front matter, as far as status needs it."""
    try:
        fields, _, _ = split((config.root / path).read_text(encoding="utf-8-sig").replace("\r\n", "\n"))
        draft = fields["draft"].boolean("draft") if "draft" in fields else False
        date = fields["date"].moment("date", config.tz) if "date" in fields and not fields["date"].is_null else None
        updated = fields["updated"].moment("updated", config.tz) \
            if "updated" in fields and not fields["updated"].is_null else None
    except FrontMatterError as err:
        problems.append(Problem(path, err.line, err.message, err.hint))
        return None
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(path, 1, f"cannot read the file: {err}"))
        return None
    if date is None and kind == "news":
        problems.append(Problem(path, 1, "missing `date`", "Add a line `date: 2023-11-24T10:30:00+02:00`"))
        return None
    return Entry(draft, date, updated)


#: The status index's record: (the index as read: {"files": path → entry}, how it was kept).
Kept = tuple[dict, journal.Kept]


def _load(config: SiteConfig) -> tuple[dict, Kept | None]:
    found = journal.read(config.root / CACHE_DIR / INDEX, _VERSION)
    if found is None or found[1].get("timezone") != config.timezone:
        return {}, None
    tables, _, kept = found
    return tables["files"], (dict(tables), kept)


def _save(config: SiteConfig, index: dict, kept: Kept | None = None) -> None:
    """Write the index (a read-only site: status still works, only slower next time)."""
    journal.write(config.root / CACHE_DIR / INDEX, _VERSION, {"files": index}, {"timezone": config.timezone}, kept,
                  encode={"files": _plain})


def _plain(value: tuple) -> tuple:
    """An index value as it is stored: its entry a plain tuple (see `Entry`)."""
    stamp, entry, text_digest = value
    return stamp, tuple(entry), text_digest


def _changed(t: Entry) -> datetime | None:
    return t.updated or t.date


def summary(codes: tuple[str, ...], rows: list[StoryStatus]) -> dict[str, dict[str, int]]:
    counts = {code: Counter(row.states[code] for row in rows) for code in codes}
    return {code: {state: counts[code][state] for state in STATES} for code in codes}


def format_table(source_lang: str, codes: tuple[str, ...], rows: list[StoryStatus]) -> str:
    names = [f"{row.key}" if row.kind == "news" else f"{row.key} (page)" for row in rows]
    width = max([len("story"), *map(len, names)])
    header = f"{'story':<{width}}  {'date':<10}  " + "  ".join(f"{c:<9}" for c in codes)
    header = header.rstrip()
    lines = [header, "-" * len(header)]
    for name, row in zip(names, rows, strict=False):
        date = f"{row.date:%Y-%m-%d}" if row.date else ""
        marks = "  ".join(f"{MARKS[row.states[c]]:<9}" for c in codes)
        lines.append(f"{name:<{width}}  {date:<10}  {marks}".rstrip())
    lines.append("")
    for code, counts in summary(codes, rows).items():
        parts = [f"{counts[state]} {state}" for state in STATES if counts[state] or state == "present"]
        source = " (source)" if code == source_lang else ""
        lines.append(f"{code}{source}: " + ", ".join(parts))
    scheduled = sorted((when, row.key, code) for row in rows for code, when in row.scheduled.items())
    if scheduled:
        lines.append("scheduled (published by the first build at or after its time):")
        lines += [f"  {when.isoformat()}  {key} ({code})" for when, key, code in scheduled]
    lines.append(f'"OUTDATED": the {source_lang} source was updated after this translation.')
    return "\n".join(lines)


def format_json(source_lang: str, codes: tuple[str, ...], rows: list[StoryStatus]) -> str:
    return json.dumps({
        "source_language": source_lang,
        "stories": [{"id": r.key, "kind": r.kind, "date": r.date.isoformat() if r.date else None,
                     "languages": r.states, "scheduled": {c: d.isoformat() for c, d in r.scheduled.items()}}
                    for r in rows],
        "summary": summary(codes, rows),
    }, ensure_ascii=False, indent=2)
