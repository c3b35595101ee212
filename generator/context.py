"""The one place where template contexts are built.

Each template gets a `TemplateContext`: typed, explicit, built here from the
linked `Site` and nothing else. Templates never see the `Site` itself, so what
a theme can rely on is exactly what these dataclasses list. All hrefs are
already relative to the page (or absolute-path, for 404.html).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping
from datetime import datetime
from math import ceil

from babel.support import NullTranslations
from markupsafe import Markup

from .config import Language
from .i18n import DateFormatter
from .model import Site, Story, Tag, Translation
from .photos import responsive
from .uitext import localize
from .related import related_in_language
from .structured import front_page, news_article, script_json
from .urls import absolute, archive_path, front_path, relative, search_path, tag_index_path, tag_path

#: Reading speed for the "5 minutes read" line.
WORDS_PER_MINUTE = 200


@dataclass(frozen=True)
class DateText:
    iso: str  # for <time datetime>
    text: str  # in the page's locale


@dataclass(frozen=True)
class Alternate:
    hreflang: str  # "uk", "en", "x-default"
    href: str  # absolute


@dataclass(frozen=True)
class SwitchItem:
    label: str  # "ua"
    name: str  # "українська": for title/aria-label
    hreflang: str
    href: str | None  # None: this page has no such translation
    current: bool
    fallback: bool = False  # href leads to that language's front page, not to this page


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Teaser:
    """A story as a list shows it."""

    title: str
    href: str
    date: DateText
    summary: str


#: What the lead image's width is on the page, for the browser to pick a size
#: from `srcset` (the default theme's column is at most 46rem wide).
LEAD_IMAGE_SIZES = "(min-width: 48rem) 46rem, 100vw"


@dataclass(frozen=True)
class Image:
    src: str
    alt: str
    caption: str
    credit: str
    width: int | None = None  # pixels, when known: for width/height attributes
    height: int | None = None
    srcset: str = ""  # the original format: "lead-480w.jpg 480w, …, lead.jpg 2000w"
    webp_srcset: str = ""  # for a <source type="image/webp">
    sizes: str = LEAD_IMAGE_SIZES


@dataclass(frozen=True)
class StoryView:
    title: str
    date: DateText | None
    updated: DateText | None
    month: Link | None  # the monthly archive: "Листопад 2023"
    reading_minutes: int
    author: str
    source: str
    image: Image | None
    body: Markup
    tags: tuple[Link, ...]
    related: tuple[Teaser, ...]
    has_embeds: bool = False  # the body shows videos or posts: the page needs the theme's embed script
    preview: str = ""  # in a preview only: "draft" or "scheduled" (its date is after the build's time)


@dataclass(frozen=True)
class Pagination:
    number: int
    total: int
    previous: str | None
    next: str | None


@dataclass(frozen=True)
class Listing:
    heading: str
    count: int  # stories in the whole list, all pages
    teasers: tuple[Teaser, ...]
    pagination: Pagination


@dataclass(frozen=True)
class TagEntry:
    name: str
    href: str
    count: int


@dataclass(frozen=True)
class SearchView:
    """What the search page's script needs; its words come from the catalogs."""

    bundle: str  # the Pagefind bundle folder, relative: "../../pagefind/"
    root: str  # the site root, relative: "../../" (result URLs are made from it)
    script: str  # the theme's search script, relative
    stemming: str  # "uk": cut Ukrainian endings from the query (Pagefind has no Ukrainian stemmer)


@dataclass(frozen=True)
class TemplateContext:
    """Everything a template may use."""

    kind: str  # "story", "page", "front", "tag", "chooser", "404"
    lang: Language
    site_title: str
    title: str  # for <title>
    description: str
    canonical: str | None
    alternates: tuple[Alternate, ...]
    switcher: tuple[SwitchItem, ...]
    home: str  # this language's front page
    stylesheet: str
    static: str  # the theme's static folder, relative, ending with "/": "{{ static }}embed.js"
    feed: str | None  # this language's Atom feed (relative)
    feed_absolute: str | None
    tags_index: str | None = None  # this language's list of tags
    search_page: str | None = None  # this language's search page (when the site has search)
    og_image: str | None = None
    og_image_alt: str = ""
    og_image_size: tuple[int, int] | None = None  # (width, height) in pixels
    og_locale_alternates: tuple[str, ...] = ()  # locales of the page's other translations
    json_ld: tuple[Markup, ...] = ()  # safe to place inside <script type="application/ld+json">
    story: StoryView | None = None
    listing: Listing | None = None
    tag_index: tuple[TagEntry, ...] = ()
    choices: tuple[SwitchItem, ...] = field(default_factory=tuple)  # chooser and 404
    robots: str = ""  # <meta name="robots">: "noindex" for notices that search engines should drop
    moved_to: Link | None = None  # a redirect page: where the story lives now
    search: SearchView | None = None  # the search page

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class ContextBuilder:
    """Builds contexts for one language's pages."""

    def __init__(self, site: Site, lang: Language, translations: NullTranslations,
                 words: Mapping[str, str] | None = None):
        self.site, self.config, self.lang = site, site.config, lang
        self.dates = DateFormatter(lang.locale)
        self.translations = translations
        self.words = words or {}  # the theme's words inside bodies (uitext.py)

    # -- shared pieces ------------------------------------------------------
    def _date(self, moment: datetime | None, with_time: bool = False, date_only: bool = False) -> DateText | None:
        """`date_only`: the editor gave a day without a time; none is shown or claimed."""
        if moment is None:
            return None
        if date_only:
            return DateText(moment.date().isoformat(), self.dates.date(moment))
        text = self.dates.date_time(moment) if with_time else self.dates.date(moment)
        return DateText(moment.isoformat(), text)

    def _base(self, kind: str, path: str, title: str, description: str,
              versions: dict[str, str], x_default: str, fallbacks: dict[str, str] | None = None,
              **extra) -> TemplateContext:
        """`versions`: language code → path of this page in that language;
        `fallbacks`: where the switcher goes for a language the page lacks (marked)."""
        config = self.config
        fallbacks = fallbacks or {}
        alternates = tuple(Alternate(config.language(c).hreflang, absolute(config.base_url, p))
                           for c, p in versions.items())
        switcher = []
        for l in config.languages:
            if l.code in versions:
                switcher.append(SwitchItem(l.label, l.name, l.hreflang, relative(path, versions[l.code]),
                                           l.code == self.lang.code))
            elif l.code in fallbacks:
                switcher.append(SwitchItem(l.label, l.name, l.hreflang, relative(path, fallbacks[l.code]),
                                           False, fallback=True))
            else:
                switcher.append(SwitchItem(l.label, l.name, l.hreflang, None, False))
        switcher = tuple(switcher)
        feed = f"{self.lang.code}/feed.xml"
        return TemplateContext(
            kind=kind, lang=self.lang, site_title=self.lang.title, title=title, description=description,
            canonical=absolute(config.base_url, path),
            alternates=alternates + (Alternate("x-default", absolute(config.base_url, x_default)),),
            switcher=switcher, home=relative(path, front_path(self.lang.code)),
            stylesheet=relative(path, "static/style.css"), static=relative(path, "static/"), feed=relative(path, feed),
            feed_absolute=absolute(config.base_url, feed),
            tags_index=relative(path, tag_index_path(self.lang.code)),
            search_page=relative(path, search_path(self.lang.code)) if config.search else None, **extra)

    def _x_default(self, versions: dict[str, str]) -> str:
        return next(versions[c] for c in self.config.fallback_order() if c in versions)

    def teaser(self, from_path: str, t: Translation) -> Teaser:
        return Teaser(t.title, relative(from_path, t.path), self._date(t.date, date_only=t.date_only), t.summary)

    # -- page kinds ---------------------------------------------------------
    def story(self, story: Story) -> TemplateContext:
        t = story.translations[self.lang.code]
        versions = {c: tr.path for c, tr in story.translations.items()}
        code = self.lang.code
        related = related_in_language(story.related, lambda k: code in self.site.stories[k].translations)
        image = self._image(story, t) if t.image else None
        month = None
        if story.kind == "news":
            month = Link(self.dates.month_heading(t.date), relative(t.path, archive_path(code, f"{t.date:%Y/%m}")))
        preview = ""
        if self.site.preview:
            preview = "draft" if t.draft else "scheduled" if t.date and self.site.now and t.date > self.site.now else ""
        view = StoryView(
            title=t.title, date=self._date(t.date, True, t.date_only), updated=self._date(t.updated, True, t.updated_only),
            preview=preview,
            month=month, reading_minutes=max(1, ceil(t.word_count / WORDS_PER_MINUTE)),
            author=t.author, source=t.source_name, image=image, body=Markup(self._body(story, t)),
            has_embeds='class="embed"' in t.body_html,
            tags=tuple(Link(ref.name, relative(t.path, self.site.tags[code][ref.key].path)) for ref in t.tags),
            related=tuple(self.teaser(t.path, self.site.stories[k].translations[code]) for k in related),
        )
        alternates = tuple(self.config.language(c).locale for c in story.translations if c != code)
        json_ld = ()
        if story.kind == "news":
            lead = self.site.images.get(f"{story.folder}/{t.image}") if t.image else None
            json_ld = tuple(script_json(block) for block in news_article(self.config, story, t, self.lang, lead))
        return self._base("story" if story.kind == "news" else "page", t.path, t.title, t.summary, versions,
                          self._x_default(versions), story=view, og_locale_alternates=alternates, json_ld=json_ld,
                          og_image=absolute(self.config.base_url, t.path + t.image) if t.image else None,
                          og_image_alt=(t.image_alt or t.image_caption or t.title) if t.image else "",
                          og_image_size=(image.width, image.height) if image and image.width else None)

    def _body(self, story: Story, t: Translation) -> str:
        """The body in this page's words, its photos with their smaller copies and sizes."""
        body = localize(t.body_html, self.words)
        if t.body_images:
            images = {name: self.site.images[f"{story.folder}/{name}"] for name in t.body_images
                      if f"{story.folder}/{name}" in self.site.images}
            body = responsive(body, images, lambda name: relative(t.path, t.path + name))
        return body

    def _image(self, story: Story, t: Translation) -> Image:
        src = relative(t.path, t.path + t.image)
        alt = t.image_alt or ("" if t.image_caption else t.title)  # never the caption twice
        lead = self.site.images.get(f"{story.folder}/{t.image}")
        if lead is None:  # not a raster image Pillow reads (SVG)
            return Image(src, alt, t.image_caption, t.image_credit)

        def srcset(variants, full: str | None) -> str:
            items = [f"{relative(t.path, t.path + v.name)} {v.width}w" for v in variants]
            return ", ".join(items + ([f"{full} {lead.width}w"] if full else []))
        original = lead.srcset(lead.mime)
        webp = lead.srcset("image/webp")
        return Image(src, alt, t.image_caption, t.image_credit, lead.width, lead.height,
                     srcset=srcset(original, src) if original else "",
                     webp_srcset=srcset(webp, src if lead.mime == "image/webp" else None)
                     if webp and lead.mime != "image/webp" else "")

    def front(self, keys: tuple[str, ...], number: int, total: int) -> TemplateContext:
        code = self.lang.code
        path = front_path(code, number)
        if number == 1:
            versions = {c: front_path(c) for c in self.config.codes}
        else:
            versions = {code: path}
        teasers = tuple(self.teaser(path, self.site.stories[k].translations[code]) for k in keys)
        listing = Listing(self.lang.title, len(self.site.front[code]), teasers,
                          self._pagination(path, number, total, lambda n: front_path(code, n)))
        json_ld = tuple(script_json(b) for b in front_page(self.config, self.lang, absolute(self.config.base_url, path)))
        return self._base("front", path, self.lang.title, self.lang.title, versions, "", listing=listing,
                          json_ld=json_ld)

    def archive(self, month: str, keys: tuple[str, ...], number: int, total: int) -> TemplateContext:
        """A month's stories, under a heading in the nominative: "Листопад 2023"."""
        code = self.lang.code
        path = archive_path(code, month, number)
        if number == 1:
            versions = {c: archive_path(c, month) for c in self.config.codes if month in self.site.archives[c]}
        else:
            versions = {code: path}
        all_keys = self.site.archives[code][month]
        heading = self.dates.month_heading(self.site.stories[all_keys[0]].translations[code].date)
        teasers = tuple(self.teaser(path, self.site.stories[k].translations[code]) for k in keys)
        listing = Listing(heading, len(all_keys), teasers,
                          self._pagination(path, number, total, lambda n: archive_path(code, month, n)))
        return self._base("archive", path, heading, heading, versions, self._x_default(versions), listing=listing)

    def tag_index(self) -> TemplateContext:
        """Every tag of this language with its story count, in alphabetical order."""
        code = self.lang.code
        path = tag_index_path(code)
        versions = {c: tag_index_path(c) for c in self.config.codes}
        entries = tuple(TagEntry(tag.name, relative(path, tag.path), len(tag.stories))
                        for tag in self.site.tags[code].values())
        title = self.translations.gettext("Tags")
        return self._base("tags", path, title, title, versions, self._x_default(versions), tag_index=entries)

    def tag(self, tag: Tag, keys: tuple[str, ...], number: int, total: int) -> TemplateContext:
        code = self.lang.code
        path = tag_path(tag.path, number)
        if number == 1:
            versions = {c: self.site.tags[c][tag.key].path for c in self.config.codes if tag.key in self.site.tags[c]}
        else:
            versions = {code: path}
        teasers = tuple(self.teaser(path, self.site.stories[k].translations[code]) for k in keys)
        listing = Listing(tag.name, len(tag.stories), teasers,
                          self._pagination(path, number, total, lambda n: tag_path(tag.path, n)))
        # A language without this tag: the switcher leads to its front page, marked.
        fallbacks = {c: front_path(c) for c in self.config.codes if c not in versions} if number == 1 else None
        return self._base("tag", path, tag.name, tag.name, versions, self._x_default(versions),
                          fallbacks=fallbacks, listing=listing)

    def _pagination(self, path, number, total, path_of) -> Pagination:
        return Pagination(number, total,
                          relative(path, path_of(number - 1)) if number > 1 else None,
                          relative(path, path_of(number + 1)) if number < total else None)

    def retracted(self, t: Translation) -> TemplateContext:
        """What stays at a withdrawn translation's URL: a short notice, not indexed."""
        view = StoryView(title=t.title, date=self._date(t.date), updated=None, month=None, reading_minutes=0,
                         author="", source="", image=None, body=Markup(""), tags=(), related=())
        return self._base("retracted", t.path, t.title, "", {self.lang.code: t.path}, t.path, story=view,
                          robots="noindex")

    def redirect(self, old_path: str, t: Translation) -> TemplateContext:
        """An old URL of `t`: canonical to where it lives now, and a refresh that goes there."""
        context = self._base("redirect", old_path, t.title, "", {}, t.path, robots="noindex",
                             moved_to=Link(t.title, relative(old_path, t.path)))
        return replace(context, canonical=absolute(self.config.base_url, t.path), alternates=())

    def search(self) -> TemplateContext:
        """The language's search page: a form, and a script that queries the Pagefind index."""
        code = self.lang.code
        path = search_path(code)
        versions = {c: search_path(c) for c in self.config.codes}
        title = self.translations.gettext("Search")
        view = SearchView(relative(path, "pagefind/"), relative(path, ""), relative(path, "static/search.js"),
                          "uk" if self.lang.hreflang == "uk" else "")
        return self._base("search", path, title, title, versions, self._x_default(versions), search=view,
                          robots="noindex")

    def chooser(self) -> TemplateContext:
        versions = {c: front_path(c) for c in self.config.codes}
        context = self._base("chooser", "", self.lang.title, self.lang.title, versions, "")
        choices = tuple(replace(item, current=False) for item in context.switcher)
        return replace(context, switcher=choices, choices=choices, feed=None)

    def not_found(self) -> TemplateContext:
        """404.html is served at any depth, so its links are absolute paths."""
        base = self.config.base_path
        choices = tuple(SwitchItem(l.label, l.name, l.hreflang, base + front_path(l.code), False)
                        for l in self.config.languages)
        return TemplateContext(
            kind="404", lang=self.lang, site_title=self.lang.title, title="404", description="",
            canonical=None, alternates=(), switcher=choices, home=base + front_path(self.lang.code),
            stylesheet=base + "static/style.css", static=base + "static/", feed=None, feed_absolute=None,
            choices=choices,
            search_page=base + search_path(self.lang.code) if self.config.search else None)

