"""What each page of an output was made from, remembered between builds.

A build records, for every page, a digest of its inputs (what
`dependencies.page_inputs` lists, with everything that changes all pages at
once: settings, templates, catalogs, newsgen itself) and a digest of its
bytes. The next build into the same output renders only the pages whose
inputs changed, and keeps the previous file of every page whose bytes did not
change. The record lives in the site's cache folder, one per output folder,
and is only trusted while the output is the one it describes (its marker
names the same build).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from . import journal
from .dependencies import (indexed_inputs, navigation_inputs, page_inputs, story_mark, teaser_inputs, teaser_link_inputs)
from ..model import Site, Translation
from ..stages.render import PageSpec
from ..stages.write import MARKER, output_key
from ..outputs.xmlout import SitemapUrl

_VERSION = 9  # 9: the search index's parts (`search`)


@dataclass(frozen=True)
class PageRecord:
    inputs: str  # digest of what the page was made from
    path: str  # the file it was written to, relative to the output
    content: str  # digest of its bytes
    entry: SitemapUrl | None  # its sitemap URL
    indexed: str = ""  # stories and pages: digest of what the search index reads of the page


@dataclass
class OutputState:
    marker: str = ""  # the marker file of the output this describes
    pages: dict[str, PageRecord] = field(default_factory=dict)  # spec_key → record
    files: dict[str, str] = field(default_factory=dict)  # other made files (sitemaps): path → content digest
    published: set[str] = field(default_factory=set)  # every file of the output
    #: the output this one replaced, kept as the next build's staging folder: its marker, and the
    #: files that differ between it and this output (written or removed by this output's build)
    spare: tuple[str, tuple[str, ...]] | None = None
    #: what the next build needs to know which pages read only what is as it was, undigested
    #: (`dependencies.reads_unchanged`): each story's mark, each list page's structure, and what
    #: every page reads besides (the settings, theme and catalogs, and each language's masthead)
    marks: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (kind, story id) → `story_mark`
    structures: dict[str, tuple] = field(default_factory=dict)  # list page's spec_key → `list_structure`
    marks_base: str = ""
    linked: str = ""  # the version of the kept linked site the pages were made from (`LinkedSite.version`)
    #: the search index's parts: name → its pages' spec keys (`SearchIndex.plan`; {}: no index)
    search: dict[str, tuple[str, ...]] = field(default_factory=dict)

    #: the record as the build read it (`journal.read`), to write only what changed since
    kept: tuple[dict, journal.Kept] | None = field(default=None, repr=False, compare=False)

    _TABLES = ("pages", "files", "published", "marks", "structures", "search")
    _SCALARS = ("marker", "spare", "marks_base", "linked")

    @staticmethod
    def file(cache_dir: Path, output: Path) -> Path:
        return cache_dir / f"output-{output_key(output)}.state"

    @classmethod
    def load(cls, cache_dir: Path, output: Path) -> "OutputState":
        """The record of `output`, or an empty one when there is none it can be trusted for.
        Page records are stored as plain tuples: 18,000 records loaded three times as fast."""
        found = journal.read(cls.file(cache_dir, output), _VERSION)
        try:
            marker = (output / MARKER).read_text()
        except OSError:
            return cls()
        if found is None or found[1].get("marker") != marker:
            return cls()
        tables, scalars, kept = found
        tables["pages"] = {key: PageRecord(*fields) for key, fields in tables["pages"].items()}
        return cls(**tables, **scalars, kept=(dict(tables), kept))

    def save(self, cache_dir: Path, output: Path, previous: "OutputState | None" = None) -> None:
        """Write the record; `previous`: the record this build read, of which only what changed
        is written (`journal.write`)."""
        target = self.file(cache_dir, output)
        journal.write(target, _VERSION, {name: getattr(self, name) for name in self._TABLES},
                      {name: getattr(self, name) for name in self._SCALARS},
                      previous.kept if previous is not None else None, encode={"pages": astuple_record})
        try:
            temporary = target.with_suffix(f".{os.getpid()}.tmp")
            summary = {"marker": self.marker, "pages": len(self.pages) + len(self.files),
                       "published": len(self.published)}
            temporary.write_text(json.dumps(summary), encoding="utf-8")
            os.replace(temporary, target.with_suffix(".summary"))
        except OSError:
            pass  # no record: the next build renders every page (and still keeps unchanged files)

    @classmethod
    def summary(cls, cache_dir: Path, output: Path) -> dict | None:
        """The marker and counts of the last build of `output`, read without the whole record
        (tens of megabytes for a large archive), for a build that finds nothing changed."""
        try:
            summary = json.loads(cls.file(cache_dir, output).with_suffix(".summary").read_text(encoding="utf-8"))
            return summary if summary.get("marker") == (output / MARKER).read_text() else None
        except (OSError, ValueError, AttributeError):
            return None


def astuple_record(record: PageRecord) -> tuple:
    return record.inputs, record.path, record.content, record.entry, record.indexed


def spec_key(spec: PageSpec) -> str:
    return f"{spec.kind}\t{spec.lang}\t{spec.key}\t{spec.number}"


class InputsDigests:
    """Digests of pages' inputs within one site. A translation is read by many pages (its own
    three, lists, related cards) and every masthead of a language shows the same navigation:
    each is digested once, then stands in the pages' digests by its digest."""

    def __init__(self, site: Site, environment: str):
        self.site, self.environment = site, environment
        self._translations: dict[int, tuple[Translation, str]] = {}  # id → (kept alive, digest)
        self._teasers: dict[int, tuple[Translation, str]] = {}  # id → (kept alive, digest)
        self._navigation = {code: _pickled_digest(navigation_inputs(site, code)) for code in site.config.codes}

    def __call__(self, spec: PageSpec) -> str:
        inputs = page_inputs(self.site, spec, self._navigation, self._translation_digest, self._teaser_digest)
        return _pickled_digest((self.environment, inputs))

    def indexed(self, spec: PageSpec) -> str:
        """The digest of what the search index reads of a story or standalone page ("" for others)."""
        if spec.kind not in ("story", "page"):
            return ""
        return _pickled_digest((self.environment, indexed_inputs(self.site, spec, self._translation_digest)))

    def marks_base(self) -> str:
        """What every page reads besides its stories: the environment (settings, theme, catalogs,
        newsgen) and its language's masthead."""
        return _pickled_digest((self.environment, self._navigation))

    def story_marks(self, known: dict[tuple[str, str], bytes] | None = None,
                    changed: frozenset[tuple[str, str]] = frozenset()) -> dict[tuple[str, str], bytes]:
        """Every story's and standalone page's `story_mark`, by (kind, story id). `known`: the
        marks of the site these stories were put into (`changed`: by (kind, id)) without changing
        anything linking decides for the others (`linking/relink.py`): then only their marks and
        those of the stories whose `story:` links lead to them are made again."""
        site = self.site

        def parsed(t: Translation) -> str:
            return t.fingerprint or self._translation_digest(t)

        if known is not None and len(known) == len(site.stories) + len(site.pages):
            moved = {key for kind, key in changed if kind == "news"}
            again = set(changed)
            again.update((t.kind, t.key) for t in site.translations()
                         if t.story_links and not moved.isdisjoint(t.story_links))
            marks = dict(known)
            for kind, key in again:
                marks[(kind, key)] = story_mark(site, (site.stories if kind == "news" else site.pages)[key], parsed)
            return marks
        return {(story.kind, story.key): story_mark(site, story, parsed)
                for stories in (site.stories, site.pages) for story in stories.values()}

    def _teaser_digest(self, site: Site, t: Translation) -> str:
        """A story shows in about nine lists and related cards: what they show of it, digested once."""
        known = self._teasers.get(id(t))
        if known is None:
            if t.fingerprint:
                # All a teaser shows of the translation itself comes from the parse, which the
                # fingerprint stands for; the link stage adds its address, photo and first tag.
                value = _joined_digest(("teaser", t.fingerprint, repr(teaser_link_inputs(site, t))))
            else:
                value = _pickled_digest(teaser_inputs(site, t))
            known = self._teasers[id(t)] = (t, value)
        return known[1]

    def _translation_digest(self, t: Translation) -> str:
        known = self._translations.get(id(t))
        if known is None:
            # A fingerprint stands for all the parse made (pickling every body took most of an
            # edit's digests); the link stage's own fields are added to it.
            if t.fingerprint:
                value = _joined_digest(("whole", t.fingerprint, t.path,
                                        *(f"{ref.key}\x1e{ref.name}\x1e{ref.slug}" for ref in t.tags)))
            else:
                value = _pickled_digest(t)
            known = self._translations[id(t)] = (t, value)
        return known[1]


def _pickled_digest(value: object) -> str:
    return digest(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _joined_digest(fields: tuple[str, ...]) -> str:
    return digest("\x1f".join(fields).encode())


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()
