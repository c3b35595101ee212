"""Search: Pagefind indexes of the built pages, in parts that are made again only when they change.

Pagefind reads the written HTML — only story and page bodies, which the theme
marks `data-pagefind-body` — and writes a static index that each language's
search page loads, so search works on any static host, with no server.
Pagefind cannot update an index, and its time and memory grow with what it
indexes, so the index is split in parts: one per language and month of the
stories of the last two years (`pagefind/ua-2023-11/`), one per language and
year before that (`pagefind/ua-2021/`), and one per language for the
standalone pages (`pagefind/ua-pages/`); the newest two months, once they are
large, in four parts each (`pagefind/ua-2023-11-a/` … `-d/`, a page's part
chosen by its story's id); and any month or year with more than PART_PAGES pages of a
language in as many shares (a power of two) as keep each near that size, since a
Pagefind process's memory grows with the pages it indexes. A build indexes again only the parts
where what it reads of a page changed; the others keep their files. Each part
is stamped with a digest of what its pages' `data-pagefind-body` articles show
(`dependencies.indexed_inputs`: the translation, its tags and images), so a
new related card beside a story does not count (a theme must keep such things
outside the article). `pagefind/parts.json` lists each language's parts,
newest first, and the search page merges them in the reader's browser
(Pagefind's `mergeIndex`). Parts are indexed in separate Pagefind processes,
up to `--jobs` at a time and PAGES_AT_ONCE pages between them, from folders of
their own pages only, so Pagefind's memory is bounded by that, not by the
archive. (Ukrainian has no Pagefind stemmer; the theme's search script makes up
for it at query time, see themes/default/static/search.js.)
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
from string import ascii_lowercase
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import Problem
from ..model import Page
from ..pause import pause_point
from ..incremental.state import PageRecord, digest
from ..stages.write import Placer

INDEX_DIR = "pagefind"
PARTS_FILE = "parts.json"
STAMP = ".newsgen-pages"  # what a part was made from
#: Pagefind's ready-made interfaces; the theme has its own (in the page's language), so they are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
#: Months of stories indexed in parts of their own (the rest by year): recent stories are edited most.
MONTHLY = 24
#: The newest months, where editors work, are split in SHARES parts once they hold more than
#: SPLIT_ABOVE pages of a language: Pagefind's time grows with a part's pages (about 2.5 ms
#: each), and an edit to today's story should not index a newsroom's whole month again.
SPLIT = 2
SPLIT_ABOVE = 60
SPLIT_SHARES = 4
#: The most pages a part holds on average: Pagefind 1.5 takes about 0.27 MiB per page it
#: indexes (8 MiB + 1,741 pages → 488 MiB, 250 → 75 MiB, measured). A larger month or year is
#: split in 2, 4, 8 … shares. Smaller parts would bound memory further, but the search page
#: asks every part of its language for each word a reader types: 321 parts of 200 pages at
#: 50,000 stories took 989 requests and 3.8 s for a first query on this machine.
PART_PAGES = 500
#: The most pages the build's Pagefind processes index at once (`--jobs` of them): a part
#: waits until the others running leave it room (one larger than this runs alone), so their
#: memory together stays near 0.27 MiB × this.
PAGES_AT_ONCE = 560
#: Past this many pages with other records than the previous build's, the parts are worked out
#: again from every page (`changed_parts`).
MOST_CHANGED_PAGES = 5000
_STORY = re.compile(r"^([^/]+)/(\d{4})/(\d{2})/[^/]+/index\.html$")
_PAGE = re.compile(r"^([^/]+)/[^/]+/index\.html$")


def parts_of(records: dict[str, PageRecord]) -> dict[str, tuple[str, ...]]:
    """Part name → the pages in it (their `spec_key`s): the story and standalone pages."""
    stories: dict[tuple[str, str], list[str]] = {}
    pages: dict[str, list[str]] = {}
    years: dict[str, list[str]] = {}
    for key, record in records.items():
        place = _place_of(key, record.path)
        if place is None:
            continue
        if len(place) == 3:
            stories.setdefault((place[0], f"{place[1]}-{place[2]}"), []).append(key)
        else:
            pages.setdefault(f"{place[0]}-pages", []).append(key)
    parts: dict[str, tuple[str, ...]] = {}
    shares_of: dict[tuple[str, int], str] = {}  # (story id, shares) → its share: the same for its languages
    for name, keys in pages.items():
        _add_shares(parts, name, keys, 1, shares_of)
    for lang in sorted({lang for lang, _ in stories}):
        months = sorted((month for code, month in stories if code == lang), reverse=True)
        for number, month in enumerate(months):
            month_pages = stories[(lang, month)]
            if number < MONTHLY:
                busy = number < SPLIT and len(month_pages) > SPLIT_ABOVE
                _add_shares(parts, f"{lang}-{month}", month_pages, SPLIT_SHARES if busy else 1, shares_of)
            else:
                years.setdefault(f"{lang}-{month[:4]}", []).extend(month_pages)
    for name, year_pages in years.items():
        _add_shares(parts, name, year_pages, 1, shares_of)
    return parts


def _place_of(key: str, path: str) -> tuple[str, ...] | None:
    """Where a page is in the index: (language, year, month) of a story's, (language,) of a
    standalone page's; None for other pages."""
    if key.startswith("story\t"):
        match = _STORY.match(path)
        return (match[1], match[2], match[3]) if match else None
    if key.startswith("page\t"):
        match = _PAGE.match(path)
        return (match[1],) if match else None
    return None


def _add_shares(parts: dict[str, tuple[str, ...]], name: str, keys: list[str], shares: int,
                shares_of: dict[tuple[str, int], str]) -> None:
    """Put a month's or year's pages (`spec_key`s) into `parts`: in one part `name`, or in
    `shares` or more (doubled until a share averages PART_PAGES or fewer) named `name-a`,
    `name-b` … (`name-aa` … past 26), each page's by its story's id, so a page stays in its part
    while the month grows, and when a new headline moves it."""
    while len(keys) > shares * PART_PAGES:
        shares *= 2
    if shares == 1:
        parts[name] = tuple(keys)
        return
    split: dict[str, list[str]] = {}
    for key in keys:
        story = key.split("\t", 3)[2]
        share = shares_of.get((story, shares))
        if share is None:
            share = shares_of[(story, shares)] = _share_of(story, shares)
        split.setdefault(f"{name}-{share}", []).append(key)
    parts.update((part, tuple(part_keys)) for part, part_keys in split.items())


def changed_parts(records: dict[str, PageRecord], previous: dict[str, PageRecord],
                  previous_parts: dict[str, tuple[str, ...]], rendered: set[str] | None = None) -> set[str] | None:
    """The parts of `previous_parts` (the previous build's, of its records `previous`) with a
    page whose path or indexed digest is not as it was, when the parts are the same as then
    (the same story and standalone pages, none in another month or language); else None
    (`parts_of` again). `rendered`: the pages rendered by this build, when every other page's
    record is the previous build's. (Placing every page in its part took a second of an edit
    at 50,000 stories; this looks at the pages rendered.)"""
    if not previous_parts or (rendered is not None and len(rendered) > MOST_CHANGED_PAGES):
        return None
    # pages added or removed (redirects, tags, list pages; a page added is rendered)
    added = records.keys() - previous.keys() if rendered is None else {key for key in rendered if key not in previous}
    removed = () if len(records) - len(added) == len(previous) else previous.keys() - records.keys()
    if any(key.startswith(("story\t", "page\t")) for key in (*added, *removed)):
        return None
    changed: set[str] = set()
    for key in records if rendered is None else rendered:
        record, before = records[key], previous.get(key)
        if before is record or before is None:
            continue
        if len(changed) >= MOST_CHANGED_PAGES:
            return None
        place = _place_of(key, record.path)
        if place != _place_of(key, before.path):
            return None
        if place is not None and (record.path, record.indexed) != (before.path, before.indexed):
            changed.add(key)
    parts, found = set(), set()
    for name, keys in previous_parts.items():
        hits = changed.intersection(keys)
        if hits:
            parts.add(name)
            found |= hits
    return parts if found == changed else None


def _share_of(story: str, shares: int) -> str:
    """Which of `shares` parts (a power of two) a story's page is in: a letter, or two past 26."""
    number = int.from_bytes(hashlib.blake2b(story.encode(), digest_size=2).digest(), "little") % shares
    if shares <= 26:
        return ascii_lowercase[number]
    return ascii_lowercase[number // 26] + ascii_lowercase[number % 26]


class SearchIndex:
    """The `pagefind/` folder of a build, made part by part in the staging folder."""

    def __init__(self, placer: Placer, records: dict[str, PageRecord], hreflang: dict[str, str], jobs: int):
        self.placer, self.records, self.hreflang, self.jobs = placer, records, hreflang, jobs
        self.reused = False  # every part was kept
        self.indexed: list[str] = []  # the parts made again by this build
        self.parts = 0  # the parts the index has
        self.plan: dict[str, tuple[str, ...]] = {}  # part name → its pages' `spec_key`s (the next build's `previous_parts`)

    def make(self, previous: dict[str, PageRecord] | None = None,
             previous_parts: dict[str, tuple[str, ...]] | None = None,
             rendered: set[str] | None = None) -> list[Problem]:
        """Index the parts whose pages changed, keep the others. `previous`, `previous_parts`: the
        previous build's records and parts (`plan`) of the output it made, when known: a part
        none of whose pages changed since then keeps its files without its stamp being made;
        `rendered`: see `changed_parts`."""
        changed = changed_parts(self.records, previous, previous_parts, rendered) if previous else None
        parts = self.plan = previous_parts if changed is not None else parts_of(self.records)
        self.parts = len(parts)
        version = _version()
        todo = []
        for name, keys in sorted(parts.items()):
            previous_part = self.placer.output / INDEX_DIR / name
            if changed is not None and name not in changed and self._keep(name, previous_part):
                continue
            pages = sorted((self.records[key].path, self.records[key].indexed) for key in keys)
            stamp = f"pagefind {version}\n" + "".join(f"{path} {content}\n" for path, content in pages)
            stamp_digest = digest(stamp.encode())
            try:
                kept = (previous_part / STAMP).read_text() == stamp_digest and self._keep(name, previous_part)
            except OSError:
                kept = False
            if not kept:
                todo.append((name, [path for path, _ in pages], stamp_digest))
        room = _PagesAtOnce(PAGES_AT_ONCE)
        with ThreadPoolExecutor(max(1, self.jobs)) as pool:
            problems = [p for found in pool.map(lambda job: room.run(len(job[1]), self._index, job), todo)
                        for p in found]
        if problems:
            return problems
        self.indexed = [name for name, _, _ in todo]
        self.reused = not todo
        manifest: dict[str, list[str]] = {}
        for name in parts:
            code = name.split("-", 1)[0]
            manifest.setdefault(self.hreflang.get(code, code), []).append(name)
        for names in manifest.values():  # newest first; standalone pages last
            names.sort(key=lambda n: (n.endswith("-pages"), [-int(x) for x in re.findall(r"\d+", n)], n))
        text = json.dumps(manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        target = f"{INDEX_DIR}/{PARTS_FILE}"
        try:
            unchanged = (self.placer.output / target).read_bytes() == text
        except OSError:
            unchanged = False
        self.placer.page(Page(target, text), unchanged=unchanged)
        return []

    def _keep(self, name: str, previous: Path) -> bool:
        """The previous output's part, every file as it was."""
        kept = self.placer.kept_under(f"{INDEX_DIR}/{name}")
        if kept is not None:
            return bool(kept)
        for folder, _, files in os.walk(previous):
            rel = Path(folder).relative_to(self.placer.output).as_posix()
            for file in files:
                if not self.placer.keep(f"{rel}/{file}"):
                    return False
        return True

    def _index(self, job: tuple[str, list[str], str]) -> list[Problem]:
        """Index one part's pages, from a folder holding only them (hard links to the staging files)."""
        name, pages, stamp_digest = job
        pause_point("indexing")
        staging = self.placer.staging
        source = staging / f".pagefind-{name}"
        target = staging / INDEX_DIR / name
        shutil.rmtree(target, ignore_errors=True)  # a prefilled staging folder holds the previous part's files
        try:
            for path in pages:
                (source / path).parent.mkdir(parents=True, exist_ok=True)
                os.link(staging / path, source / path)
            problems = index_pages(source, target)
        finally:
            shutil.rmtree(source, ignore_errors=True)
        if not problems:
            (target / STAMP).write_text(stamp_digest)
            self._keep_identical(target)
        return problems

    def _keep_identical(self, target: Path) -> None:
        """Files of a part made again that came out as before (Pagefind's script, a word list
        untouched by the change) stay the previous output's files, so uploads skip them."""
        output, staging = self.placer.output, self.placer.staging
        for folder, _, files in os.walk(target):
            for file in files:
                made = Path(folder) / file
                rel = made.relative_to(staging).as_posix()
                before = output / rel
                kept = False
                try:
                    if before.stat().st_size == made.stat().st_size and before.read_bytes() == made.read_bytes():
                        made.unlink()
                        os.link(before, made)
                        kept = True
                except OSError:
                    pass
                self.placer.made(rel, kept)


class _PagesAtOnce:
    """Runs work sized in pages from several threads, never more than `most` pages at once,
    except one piece larger than that, alone."""

    def __init__(self, most: int):
        self.most, self.running = most, 0
        self._changed = threading.Condition()

    def run(self, pages: int, work, *args):
        with self._changed:
            self._changed.wait_for(lambda: self.running == 0 or self.running + pages <= self.most)
            self.running += pages
        try:
            return work(*args)
        finally:
            with self._changed:
                self.running -= pages
                self._changed.notify_all()


def _version() -> str:
    try:
        return importlib.metadata.version("pagefind_bin")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def index_pages(site: Path, target: Path) -> list[Problem]:
    """Index the pages under `site` into `target`."""
    hint = "Install it with pip install 'pagefind[bin]', or set `search = false` under [site] in site.toml"
    try:
        from pagefind_bin import get_executable
        executable = get_executable()
    except (ImportError, FileNotFoundError, OSError) as err:
        return [Problem("site.toml", 1, f"search needs Pagefind, which is not installed ({err})", hint)]
    try:
        result = subprocess.run([str(executable), "--site", str(site), "--output-path", str(target), "--silent"],
                                capture_output=True, text=True, timeout=3600)
    except OSError as err:
        return [Problem("site.toml", 1, f"Pagefind could not run: {err}", hint)]
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().replace(str(site) + "/", "")
        return [Problem("site.toml", 1, f"Pagefind failed to index the site: {output}")]
    for name in UNUSED:
        (target / name).unlink(missing_ok=True)
    # Pagefind lists the languages in a different order from run to run: sort, so builds are reproducible.
    entry = target / "pagefind-entry.json"
    entry.write_text(json.dumps(json.loads(entry.read_text(encoding="utf-8")), sort_keys=True, ensure_ascii=False,
                                separators=(",", ":")), encoding="utf-8")
    return []
