"""What a template receives: one typed context per page.

Each template gets a `TemplateContext`, built by `context_builder.py` from the
linked `Site` and nothing else. Templates never see the `Site` itself, so what
a theme can rely on is exactly what these dataclasses list (the README's
template reference is generated from them). All hrefs are already relative to
the page (or absolute paths under the base path, for 404.html).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from ..config import Language


@dataclass(frozen=True)
class DateText:
    """A date as a page shows it."""

    iso: str  # for <time datetime>: "2023-11-24T10:30:00+02:00", or "2023-07-22" for a day without a time
    text: str  # in the page's locale: "24 листопада 2023 р., 10:30"


@dataclass(frozen=True)
class Alternate:
    """A version of the page in a language, for <link rel="alternate" hreflang>."""

    hreflang: str  # "uk", "en", "x-default"
    href: str  # absolute


@dataclass(frozen=True)
class SwitchItem:
    """One language in the `ua en ru` switcher."""

    label: str  # "ua"
    name: str  # "українська": the language's name for itself
    hreflang: str  # "uk"
    href: str | None  # None: this page has no such translation
    current: bool  # the page's own language
    fallback: bool = False  # href leads to that language's front page, not to this page


@dataclass(frozen=True)
class Link:
    """A link to another page of the site."""

    text: str  # what it says
    href: str  # relative to the page
    current: bool = False  # the page itself (aria-current)
    count: int = 0  # stories behind the link, where a list shows it


@dataclass(frozen=True)
class Image:
    """A photo with the sizes a browser picks from."""

    src: str  # the original, relative
    alt: str  # what the photo shows; "" when the caption says it
    caption: str  # what the reader reads under it
    credit: str  # who made it, as the editor wrote it: "Фото: УНІАН"
    width: int | None = None  # pixels, when known: for width/height attributes
    height: int | None = None  # pixels
    srcset: str = ""  # the original format: "lead-480w.jpg 480w, …, lead.jpg 2000w"
    webp_srcset: str = ""  # for a <source type="image/webp">
    sizes: str = ""  # how wide it is shown, for the browser to pick from srcset

    @property
    def portrait(self) -> bool:
        """Taller than wide: the theme limits its height."""
        return bool(self.width and self.height and self.height > self.width)


@dataclass(frozen=True)
class Teaser:
    """A story as a list shows it."""

    title: str  # the headline, with the language's typography
    href: str  # the story, relative
    date: DateText  # when it was published
    summary: str  # the summary, or the body's first paragraph
    image: Image | None = None  # its lead photo, sized for a list
    section: Link | None = None  # its first tag, as a kicker above the headline


@dataclass(frozen=True)
class ShareLink:
    """A way to share a story that needs no script of the service's."""

    service: str  # "telegram", "facebook", "x", "email"
    text: str  # what the link says, in the page's language: "Telegram", "E-mail"
    href: str  # the service's own share address, with this story's URL


@dataclass(frozen=True)
class StoryView:
    """A story or standalone page."""

    title: str  # the headline, with the language's typography
    date: DateText | None  # None for a standalone page without one
    updated: DateText | None  # front matter `updated`
    month: Link | None  # the month's archive: "Листопад 2023"; the date line links it
    reading_minutes: int  # at 200 words a minute
    author: str  # front matter `author`
    source: str  # front matter `source`: who reported it
    image: Image | None  # the lead photo
    body: Markup  # the body as HTML, ready to print
    tags: tuple[Link, ...]  # in the language's alphabetical order
    related: tuple[Teaser, ...]  # up to 4, in the same language
    share: tuple[ShareLink, ...] = ()  # Telegram, Facebook, X, e-mail (stories only)
    url: str = ""  # the story's address, absolute: what "copy link" copies and print shows
    has_embeds: bool = False  # the body shows videos or posts: the page needs the theme's embed script
    preview: str = ""  # in a preview only: "draft" or "scheduled" (its date is after the build's time)


@dataclass(frozen=True)
class Pagination:
    number: int  # this page's number, from 1
    total: int  # how many pages the list has
    previous: str | None  # the page before (newer stories), relative
    next: str | None  # the page after (older stories)


@dataclass(frozen=True)
class Listing:
    """A list of stories: a front page, a tag, a month or a year."""

    heading: str  # the tag's name, the month ("Листопад 2023"), the year; the language's title on front pages
    count: int  # stories in the whole list, all pages
    lead: Teaser | None  # the newest story, shown large (the first page of a front page)
    teasers: tuple[Teaser, ...]  # the rest of this page's stories
    pagination: Pagination  # where this page is among the list's pages
    previous_period: Link | None = None  # month and year pages: the one before ("Жовтень 2023")
    next_period: Link | None = None  # … and after
    periods: tuple[Link, ...] = ()  # a year page: its months; with the number of stories in each


@dataclass(frozen=True)
class TagEntry:
    name: str  # the tag's name in the page's language
    href: str  # its page
    count: int  # its stories


@dataclass(frozen=True)
class SearchView:
    """What the search page's script needs; its words come from the catalogs."""

    bundle: str  # the Pagefind bundle folder, relative: "../../pagefind/"
    root: str  # the site root, relative: "../../" (result URLs are made from it)
    script: str  # the theme's search script, relative
    stemming: str  # "uk": cut Ukrainian endings from the query (Pagefind has no Ukrainian stemmer)


@dataclass(frozen=True)
class Masthead:
    """The top of every page."""

    site_name: str  # the language's title: "Новини"
    home: str  # the language's front page
    logo: str | None  # the logo image, relative (site.toml `logo`), or None: the name is the masthead
    sections: tuple[Link, ...]  # the language's most used tags, then its standalone pages ([navigation])
    search: str | None  # the search page, the action of the masthead's search form (None: no search)


@dataclass(frozen=True)
class Footer:
    """The bottom of every page."""

    publisher: str  # site.toml `publisher`, else the language's title
    year: int  # the build's year, for the copyright line
    pages: tuple[Link, ...]  # the standalone pages (About, Contacts…)
    archive: Link | None  # the newest year's archive
    tags: str | None  # the language's tag index
    feed: str | None  # the language's Atom feed
    languages: tuple[SwitchItem, ...]  # each language's front page


@dataclass(frozen=True)
class TemplateContext:
    """Everything a template may use."""

    kind: str  # "story", "page", "front", "tag", "tags", "archive", "year", "search", "chooser", "404", …
    lang: Language  # the page's language: `lang.code` ("ua"), `lang.hreflang` ("uk"), `lang.locale`, `lang.name`
    site_title: str  # the language's title from site.toml: "Новини"
    title: str  # for <title>
    description: str  # for <meta name="description">
    canonical: str | None  # the page's absolute URL (None for 404.html)
    alternates: tuple[Alternate, ...]  # the page in each language it exists in, and x-default
    switcher: tuple[SwitchItem, ...]  # the `ua en ru` switcher, in site.toml order
    home: str  # this language's front page
    stylesheet: str  # static/style.css, relative
    static: str  # the theme's static folder, relative, ending with "/": "{{ static }}embed.js"
    favicon: str  # the site's icon, relative
    feed: str | None  # this language's Atom feed (relative)
    feed_absolute: str | None  # the same, absolute
    masthead: Masthead  # the top of the page
    footer: Footer  # the bottom of the page
    tags_index: str | None = None  # this language's list of tags
    search_page: str | None = None  # this language's search page (when the site has search)
    og_image: str | None = None  # the story's lead photo, absolute, for social cards
    og_image_alt: str = ""  # what it shows (its alt text, caption or the headline)
    og_image_size: tuple[int, int] | None = None  # (width, height) in pixels
    og_locale_alternates: tuple[str, ...] = ()  # locales of the page's other translations
    json_ld: tuple[Markup, ...] = ()  # safe to place inside <script type="application/ld+json">
    story: StoryView | None = None  # story and standalone pages, withdrawal notices
    listing: Listing | None = None  # front, tag, month and year pages
    tag_index: tuple[TagEntry, ...] = ()  # the tag index: every tag of the language, alphabetically
    choices: tuple[SwitchItem, ...] = field(default_factory=tuple)  # chooser and 404: each language's front page
    robots: str = ""  # <meta name="robots">: "noindex" for notices that search engines should drop
    moved_to: Link | None = None  # a redirect page: where the story lives now
    search: SearchView | None = None  # the search page
    not_found: tuple[Markup, ...] = ()  # 404.html: the not-found message in each language (not-found.html)

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
