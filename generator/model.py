"""The typed records that flow through the pipeline.

load → `SourceFile`s; parse → `Translation`s; link → `Story`s, `Tag`s and the
`Site`; render → `Page`s. All frozen: a stage makes new records (with
`dataclasses.replace`) rather than changing the ones it was given. Records
point at each other by key (story id, language code, tag key), never by
object reference, so they pickle cheaply to worker processes and are easy to
look up and to compare.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Iterable, Iterator, Literal, Mapping

from .config import SiteConfig

Kind = Literal["news", "page"]


def translation_id(kind: Kind, key: str, lang: str) -> str:
    """How content/urls.lock names a translation: "news/<story-id>/<lang>", "pages/<page-id>/<lang>"."""
    return f"{'news' if kind == 'news' else 'pages'}/{key}/{lang}"


@dataclass(frozen=True)
class SourceFile:
    """One translation file as read from disk."""

    kind: Kind
    key: str  # the story id: its folder's name
    lang: str
    path: str  # relative to the site folder: "content/news/<id>/<lang>.md"
    #: decoded, BOM removed, line endings normalised to "\n"; None when not read: the file's
    #: size and time were those of the last build's, so its `digest` was known (`load.read_source`)
    text: str | None
    stamp: tuple[int, int] | None = None  # (size, mtime_ns) when read: what `newsgen status` keys on
    digest: str = ""  # sha256 of `text`, made from it when not given

    def __post_init__(self) -> None:
        if not self.digest and self.text is not None:
            object.__setattr__(self, "digest", hashlib.sha256(self.text.encode()).hexdigest())


@dataclass(frozen=True)
class MediaFile:
    """A file in a story folder: its name as saved, and the URL-safe name it is published under."""

    saved: str  # "Фото ППО 25.11.jpg"
    published: str  # "foto-ppo-25-11.jpg"


@dataclass(frozen=True)
class TagRef:
    """A tag as a translation uses it, once the link stage has resolved it."""

    key: str  # tags.toml id, or "<lang>:<name>" for a tag that lives in one language
    name: str
    slug: str


@dataclass(frozen=True)
class Translation:
    """One story (or standalone page) in one language."""

    kind: Kind
    key: str
    lang: str
    source: str  # relative path, for messages
    title: str
    date: datetime | None  # aware, in the site timezone; None only for pages
    updated: datetime | None
    slug: str
    summary: str  # plain text
    author: str
    source_name: str  # front matter `source`: who reported it
    raw_tags: tuple[str, ...]
    image: str  # the lead image's published name (see `MediaFile`)
    image_caption: str
    image_credit: str
    image_alt: str
    related: tuple[str, ...]
    draft: bool
    body_html: str  # `story:` hrefs as written: resolved when a page shows the body (linking/storylinks.py)
    word_count: int
    lines: Mapping[str, int] = field(default_factory=dict)  # front matter key, "story:<id>", "url:<url>" → line
    retracted: bool = False  # withdrawn: only a short notice stays at its URL
    date_only: bool = False  # `date:` gave a day without a time: pages show none
    updated_only: bool = False  # the same for `updated:`
    body_images: tuple[str, ...] = ()  # published names of the story-folder images the body shows
    notes: tuple[tuple[int, str, str], ...] = ()  # warnings found while parsing: (line, message, hint)
    heading_ids: tuple[str, ...] = ()  # the ids in the body, for `story:<id>#fragment` links
    story_links: tuple[str, ...] = ()  # the story ids the body's `story:` links name, sorted
    link_fragments: tuple[tuple[str, str], ...] = ()  # (story id, heading id) of `story:<id>#<heading>` links
    #: a digest of everything this record was made from (the parse cache's key): equal
    #: fingerprints, equal records but for `path` and `tags`.
    #: "" when unknown (a record made outside a build's parse stage): compare the record itself.
    fingerprint: str = ""
    #: the body was left in the parse cache, under `fingerprint`, and `body_html` is "": a build
    #: holds no bodies, and its render workers read those of the pages they make (`Site.body_of`)
    body_stored: bool = False
    # filled in by the link stage
    path: str = ""  # URL path relative to the site root: "ua/2023/11/slug/"
    tags: tuple[TagRef, ...] = ()

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


def share_repeated(fields: dict) -> dict:
    """`fields` (a translation's, by name) with the strings that thousands of records repeat
    made one shared object each: the kind and language, the author and source, the tags as
    written and the front matter keys of `lines`. Each record comes out of its own pickle (a
    worker's share, the parse cache's row), so each had its own copies: at 50,000 stories,
    850,000 key strings, 430,000 tag names and 140,000 each of "news" and "en" (~100 MB, held
    by the build and copied by each render worker that reads them). Changes `fields` in place."""
    intern = sys.intern
    for name in ("kind", "lang", "author", "source_name"):
        fields[name] = intern(fields[name])
    fields["raw_tags"] = tuple(map(intern, fields["raw_tags"]))
    fields["lines"] = {intern(key): line for key, line in fields["lines"].items()}
    return fields


def without_body(t: Translation) -> Translation:
    """`t` with its body left where the parse cache keeps it (`Translation.body_stored`)."""
    return replace(t, body_html="", body_stored=True)


def linked_copy(t: Translation, **changes) -> Translation:
    """`dataclasses.replace(t, **changes)` without running `__init__` again: the link stage makes
    one per translation per build, and for 14,000 of them `replace` took a tenth of a second.
    Only for the fields the link stage fills in (nothing is validated or derived)."""
    copy = object.__new__(Translation)
    copy.__dict__.update(t.__dict__)
    copy.__dict__.update(changes)
    return copy


def read_body(t: Translation, bodies: Callable[[Translation], str] | None) -> str:
    """`t`'s body HTML: its own, or read by `bodies` from where the parse stage left it."""
    if not t.body_stored:
        return t.body_html
    if bodies is None:
        raise ValueError(f"{t.source}: its body was left in the parse cache, and nothing was given to read it")
    return bodies(t)


@dataclass(frozen=True)
class Story:
    """A story id and its translations, in site.toml language order."""

    kind: Kind
    key: str
    translations: Mapping[str, Translation]
    media: tuple[MediaFile, ...] = ()  # files in the story folder, published beside its pages
    related: tuple[str, ...] = ()  # story keys, best first; filter per language

    @property
    def folder(self) -> str:
        return f"content/{'news' if self.kind == 'news' else 'pages'}/{self.key}"

    def saved_name(self, published: str) -> str:
        """The name as saved in the story folder of a file published as `published`."""
        return next((m.saved for m in self.media if m.published == published), published)


@dataclass(frozen=True)
class Tag:
    """A tag page in one language."""

    key: str
    lang: str
    name: str
    slug: str
    stories: tuple[str, ...]  # story keys, newest first

    @property
    def path(self) -> str:
        return f"{self.lang}/tags/{self.slug}/"


@dataclass(frozen=True)
class Variant:
    """A smaller copy of a lead image (or a WebP one), published beside it."""

    name: str  # "lead-480w.webp"
    width: int
    height: int
    mime: str


@dataclass(frozen=True)
class LeadImage:
    """A photo a story shows (its lead or in its body): its size and the files made of it."""

    name: str  # "lead.jpg", as published
    width: int  # upright, in pixels
    height: int
    mime: str
    digest: str  # sha256 of the file: where its variants are cached
    variants: tuple[Variant, ...] = ()  # narrowest first
    original: str = ""  # the cached original without metadata ("original-1.jpg"); "": published as saved

    def srcset(self, mime: str) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.mime == mime)


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, gathered before anything is rendered."""

    config: SiteConfig
    stories: Mapping[str, Story]  # news, by key
    pages: Mapping[str, Story]  # standalone pages, by key
    front: Mapping[str, tuple[str, ...]]  # lang → story keys, newest first
    tags: Mapping[str, Mapping[str, Tag]]  # lang → tag key → Tag, in the language's alphabetical order
    archives: Mapping[str, Mapping[str, tuple[str, ...]]]  # lang → "yyyy/mm" → story keys, newest first
    now: datetime | None = None  # the build's time: what "recent" means in the news sitemaps
    images: Mapping[str, LeadImage] = field(default_factory=dict)  # "content/news/x/lead.jpg" → its sizes
    retracted: Mapping[str, Translation] = field(default_factory=dict)  # translation id → a withdrawn translation
    redirects: Mapping[str, str] = field(default_factory=dict)  # old URL path → translation id it now leads to
    preview: bool = False  # a preview (serve, --drafts): drafts and scheduled stories are shown, marked
    #: reads a body left in the parse cache (`Translation.body_stored`); None when none is
    bodies: Callable[[Translation], str] | None = None

    def translations(self) -> Iterator[Translation]:
        """Every published translation: its stories', then its standalone pages'."""
        for stories in (self.stories, self.pages):
            for story in stories.values():
                yield from story.translations.values()

    def body_of(self, t: Translation) -> str:
        """`t`'s body HTML, wherever it is kept."""
        return read_body(t, self.bodies)

    def translation(self, key: str, lang: str, kind: Kind = "news") -> Translation | None:
        stories = self.stories if kind == "news" else self.pages
        story = stories.get(key)
        return story.translations.get(lang) if story else None

    def with_only(self, keys: Iterable[tuple[Kind, str]]) -> "Site":
        """The site with only the stories and standalone pages `keys` ((kind, id)), all published:
        what checks the bodies of a few stories put into a linked site."""
        keys = list(keys)
        return replace(self, stories={key: self.stories[key] for kind, key in keys if kind == "news"},
                       pages={key: self.pages[key] for kind, key in keys if kind == "page"})

    def by_id(self, tid: str) -> Translation | None:
        """A published or retracted translation by its id ("news/<story-id>/<lang>")."""
        section, key, lang = tid.split("/")
        return self.retracted.get(tid) or self.translation(key, lang, "news" if section == "news" else "page")


@dataclass(frozen=True)
class Page:
    """A rendered file, in memory, waiting to be written."""

    path: str  # relative to the output folder: "ua/index.html"
    content: bytes

