"""The one place where template contexts are built (the types are in context.py).

A `ContextBuilder` serves one language: it turns the linked `Site` into the
`TemplateContext` of each of that language's pages, with every href made
relative to the page (or an absolute path, for 404.html, which is served at
any depth). Words are left to the templates, through the catalogs; dates are
written here, by Babel.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import cached_property
from math import ceil
from typing import Callable, Mapping
from urllib.parse import quote

from babel.support import NullTranslations
from markupsafe import Markup

from ..config import Language
from .context import (Alternate, DateText, Footer, Image, Link, Listing, Masthead, Pagination, SearchView,
                      ShareLink, StoryView, SwitchItem, TagEntry, Teaser, TemplateContext)
from ..language.i18n import DateFormatter
from ..model import LeadImage, Site, Story, Tag, Translation
from ..content.photos import responsive
from ..linking.related import related_in_language
from ..linking.storylinks import resolved_body
from ..outputs.structured import front_page, news_article, script_json
from ..language.uitext import localize
from ..linking.urls import (absolute, archive_path, front_path, relative, search_path, tag_index_path, tag_path,
                   year_path)

#: Reading speed for the "5 minutes read" line.
WORDS_PER_MINUTE = 200
#: How wide photos are shown, for the browser to pick a size from `srcset` (the default theme's
#: article column is at most 46rem wide, its page 72rem; a list's lead photo takes most of it).
STORY_IMAGE_SIZES = "(min-width: 48rem) 46rem, 100vw"
LEAD_TEASER_SIZES = "(min-width: 72rem) 44rem, (min-width: 48rem) 60vw, 100vw"
TEASER_SIZES = "(min-width: 48rem) 14rem, 33vw"
#: The theme's icon, in its static folder, when site.toml names no logo.
FAVICON = "favicon.svg"


class ContextBuilder:
    """Builds contexts for one language's pages."""

    def __init__(self, site: Site, lang: Language, translations: NullTranslations,
                 words: Mapping[str, str] | None = None):
        self.site, self.config, self.lang = site, site.config, lang
        self.dates = DateFormatter(lang.locale)
        self.translations = translations
        self.words = words or {}  # the theme's words inside bodies (uitext.py)

    def use_site(self, site: Site) -> None:
        """Build for another version of the site (serve), forgetting what was worked out for this one."""
        self.site = site
        self.__dict__.pop("_navigation", None)

    # -- shared pieces ------------------------------------------------------
    def _date(self, moment: datetime | None, with_time: bool = False, date_only: bool = False) -> DateText | None:
        """`date_only`: the editor gave a day without a time; none is shown or claimed."""
        if moment is None:
            return None
        if date_only:
            return DateText(moment.date().isoformat(), self.dates.date(moment))
        text = self.dates.date_time(moment) if with_time else self.dates.date(moment)
        return DateText(moment.isoformat(), text)

    @cached_property
    def _navigation(self) -> tuple[tuple[Tag, ...], tuple[Translation, ...], str | None]:
        """(the most used tags, the standalone pages, the newest year) of this language."""
        code, nav = self.lang.code, self.config.navigation
        tags = sorted(self.site.tags[code].values(), key=lambda tag: -len(tag.stories))[:nav.tags]
        keys = nav.pages if nav.pages is not None else tuple(self.site.pages)
        pages = tuple(self.site.pages[k].translations[code] for k in keys
                      if k in self.site.pages and code in self.site.pages[k].translations)
        years = sorted({month[:4] for month in self.site.archives[code]}, reverse=True)
        return tuple(tags), pages, years[0] if years else None

    def _base(self, kind: str, path: str, title: str, description: str,
              versions: dict[str, str], x_default: str, fallbacks: dict[str, str] | None = None,
              href: Callable[[str], str] | None = None, **extra) -> TemplateContext:
        """`versions`: language code → path of this page in that language;
        `fallbacks`: where the switcher goes for a language the page lacks (marked);
        `href`: how links are written (default: relative to `path`)."""
        config = self.config
        href = href or (lambda target: relative(path, target))
        fallbacks = fallbacks or {}
        alternates = tuple(Alternate(config.language(c).hreflang, absolute(config.base_url, p))
                           for c, p in versions.items())
        switcher = []
        for l in config.languages:
            if l.code in versions:
                switcher.append(SwitchItem(l.label, l.name, l.hreflang, href(versions[l.code]),
                                           l.code == self.lang.code))
            elif l.code in fallbacks:
                switcher.append(SwitchItem(l.label, l.name, l.hreflang, href(fallbacks[l.code]), False, fallback=True))
            else:
                switcher.append(SwitchItem(l.label, l.name, l.hreflang, None, False))
        feed = f"{self.lang.code}/feed.xml"
        code = self.lang.code
        tags, pages, year = self._navigation
        page_links = tuple(Link(t.title, href(t.path), t.path == path) for t in pages)
        # No story counts in the masthead: every page shows it, so a count there would make a new
        # story change every page of its language.
        sections = tuple(Link(tag.name, href(tag.path), tag.path == path) for tag in tags)
        search = href(search_path(code)) if config.search else None
        logo = href(f"static/{config.logo}") if config.logo else None
        masthead = Masthead(self.lang.title, href(front_path(code)), logo, sections + page_links, search)
        footer = Footer(
            publisher=config.publisher or self.lang.title,
            year=(self.site.now or datetime.now(config.tz)).year,
            pages=page_links,
            archive=Link(year, href(year_path(code, year))) if year else None,
            tags=href(tag_index_path(code)),
            feed=href(feed),
            languages=tuple(SwitchItem(l.label, l.name, l.hreflang, href(front_path(l.code)), l.code == code)
                            for l in config.languages))
        icon = config.logo if config.logo.endswith((".svg", ".png", ".ico")) else FAVICON
        return TemplateContext(
            kind=kind, lang=self.lang, site_title=self.lang.title, title=title, description=description,
            canonical=absolute(config.base_url, path),
            alternates=alternates + (Alternate("x-default", absolute(config.base_url, x_default)),),
            switcher=tuple(switcher), home=href(front_path(code)), stylesheet=href("static/style.css"),
            static=href("static/"), favicon=href(f"static/{icon}"), feed=href(feed),
            feed_absolute=absolute(config.base_url, feed), masthead=masthead, footer=footer,
            tags_index=href(tag_index_path(code)), search_page=search, **extra)

    def _x_default(self, versions: dict[str, str]) -> str:
        return next(versions[c] for c in self.config.fallback_order() if c in versions)

    def teaser(self, from_path: str, t: Translation, sizes: str = TEASER_SIZES) -> Teaser:
        story = self.site.stories.get(t.key)
        image = self._image(story, t, from_path, sizes) if t.image and story is not None else None
        section = None
        if t.tags:
            tag = self.site.tags[t.lang].get(t.tags[0].key)
            section = Link(t.tags[0].name, relative(from_path, tag.path)) if tag else None
        return Teaser(t.title, relative(from_path, t.path), self._date(t.date, date_only=t.date_only), t.summary,
                      image, section)

    def _image(self, story: Story, t: Translation, from_path: str, sizes: str) -> Image:
        """`t`'s lead photo as shown on the page at `from_path`."""
        src = relative(from_path, t.path + t.image)
        alt = t.image_alt or ("" if t.image_caption else t.title)  # never the caption twice
        lead: LeadImage | None = self.site.images.get(f"{story.folder}/{t.image}")
        if lead is None:  # not a raster image Pillow reads (SVG)
            return Image(src, alt, t.image_caption, t.image_credit)

        def srcset(variants, full: str | None) -> str:
            items = [f"{relative(from_path, t.path + v.name)} {v.width}w" for v in variants]
            return ", ".join(items + ([f"{full} {lead.width}w"] if full else []))
        original = lead.srcset(lead.mime)
        webp = lead.srcset("image/webp")
        return Image(src, alt, t.image_caption, t.image_credit, lead.width, lead.height,
                     srcset=srcset(original, src) if original else "",
                     webp_srcset=srcset(webp, src if lead.mime == "image/webp" else None)
                     if webp and lead.mime != "image/webp" else "", sizes=sizes)

    # -- page kinds ---------------------------------------------------------
    def story(self, story: Story) -> TemplateContext:
        t = story.translations[self.lang.code]
        versions = {c: tr.path for c, tr in story.translations.items()}
        code = self.lang.code
        related = related_in_language(story.related, lambda k: code in self.site.stories[k].translations)
        image = self._image(story, t, t.path, STORY_IMAGE_SIZES) if t.image else None
        month = None
        if story.kind == "news":
            month = Link(self.dates.month_heading(t.date), relative(t.path, archive_path(code, f"{t.date:%Y/%m}")))
        body = resolved_body(self.site, t, self.site.body_of(t))
        preview = ""
        if self.site.preview:
            preview = "draft" if t.draft else "scheduled" if t.date and self.site.now and t.date > self.site.now else ""
        url = absolute(self.config.base_url, t.path)
        view = StoryView(
            title=t.title, date=self._date(t.date, True, t.date_only),
            updated=self._date(t.updated, True, t.updated_only), month=month,
            reading_minutes=max(1, ceil(t.word_count / WORDS_PER_MINUTE)),
            author=t.author, source=t.source_name, image=image, body=Markup(self._body(story, t, body)),
            tags=tuple(Link(ref.name, relative(t.path, self.site.tags[code][ref.key].path)) for ref in t.tags),
            related=tuple(self.teaser(t.path, self.site.stories[k].translations[code]) for k in related),
            share=share_links(url, t.title) if story.kind == "news" else (), url=url,
            has_embeds='class="embed"' in body, preview=preview)
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

    def _body(self, story: Story, t: Translation, body_html: str) -> str:
        """The body in this page's words, its photos with their smaller copies and sizes."""
        body = localize(body_html, self.words)
        if t.body_images:
            images = {name: self.site.images[f"{story.folder}/{name}"] for name in t.body_images
                      if f"{story.folder}/{name}" in self.site.images}
            body = responsive(body, images, lambda name: relative(t.path, t.path + name))
        return body

    def _listing(self, path: str, heading: str, keys: tuple[str, ...], all_keys: tuple[str, ...], number: int,
                 total: int, path_of, lead: bool = False, **periods) -> Listing:
        code = self.lang.code
        stories = [self.site.stories[k].translations[code] for k in keys]
        first = self.teaser(path, stories[0], LEAD_TEASER_SIZES) if lead and stories else None
        teasers = tuple(self.teaser(path, t) for t in stories[1 if first else 0:])
        return Listing(heading, len(all_keys), first, teasers, self._pagination(path, number, total, path_of),
                       **periods)

    def front(self, keys: tuple[str, ...], number: int, total: int) -> TemplateContext:
        code = self.lang.code
        path = front_path(code, number)
        if number == 1:
            versions = {c: front_path(c) for c in self.config.codes}
        else:
            versions = {code: path}
        listing = self._listing(path, self.lang.title, keys, self.site.front[code], number, total,
                                lambda n: front_path(code, n), lead=number == 1)
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
        heading = self._month_heading(month)
        months = list(self.site.archives[code])  # newest first
        at = months.index(month)
        older = Link(self._month_heading(months[at + 1]), relative(path, archive_path(code, months[at + 1]))) \
            if at + 1 < len(months) else None
        newer = Link(self._month_heading(months[at - 1]), relative(path, archive_path(code, months[at - 1]))) \
            if at > 0 else None
        listing = self._listing(path, heading, keys, all_keys, number, total, lambda n: archive_path(code, month, n),
                                previous_period=older, next_period=newer)
        return self._base("archive", path, heading, heading, versions, self._x_default(versions), listing=listing)

    def _month_heading(self, month: str) -> str:
        code = self.lang.code
        first = self.site.archives[code][month][0]
        return self.dates.month_heading(self.site.stories[first].translations[code].date)

    def year(self, year: str) -> TemplateContext:
        """A year's months, each with its number of stories, newest first."""
        code = self.lang.code
        path = year_path(code, year)
        versions = {c: year_path(c, year) for c in self.config.codes
                    if any(m.startswith(year + "/") for m in self.site.archives[c])}
        months = [m for m in self.site.archives[code] if m.startswith(year + "/")]
        years = sorted({m[:4] for m in self.site.archives[code]}, reverse=True)
        at = years.index(year)
        periods = tuple(Link(self._month_heading(m), relative(path, archive_path(code, m)),
                             count=len(self.site.archives[code][m])) for m in months)
        listing = Listing(year, sum(p.count for p in periods), None, (), Pagination(1, 1, None, None),
                          previous_period=Link(years[at + 1], relative(path, year_path(code, years[at + 1])))
                          if at + 1 < len(years) else None,
                          next_period=Link(years[at - 1], relative(path, year_path(code, years[at - 1])))
                          if at > 0 else None, periods=periods)
        return self._base("year", path, year, year, versions, self._x_default(versions), listing=listing)

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
        listing = self._listing(path, tag.name, keys, tag.stories, number, total, lambda n: tag_path(tag.path, n))
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
        # Indexed like any page (only ?q= result lists are the script's, and they share its canonical URL).
        return self._base("search", path, title, title, versions, self._x_default(versions), search=view)

    def chooser(self) -> TemplateContext:
        versions = {c: front_path(c) for c in self.config.codes}
        context = self._base("chooser", "", self.lang.title, self.lang.title, versions, "")
        choices = tuple(replace(item, current=False) for item in context.switcher)
        return replace(context, switcher=choices, choices=choices, feed=None)

    def not_found(self, sections: tuple[Markup, ...] = ()) -> TemplateContext:
        """404.html is served at any depth, so its links are absolute paths. `sections`: the
        message in each language, the page's own first."""
        base = self.config.base_path
        context = self._base("404", "404.html", "404", "", {}, "", href=lambda target: base + target)
        choices = tuple(replace(item, current=False) for item in context.footer.languages)
        return replace(context, canonical=None, alternates=(), switcher=choices, choices=choices, feed=None,
                        feed_absolute=None, not_found=sections)


def share_links(url: str, title: str) -> tuple[ShareLink, ...]:
    """Plain links to each service's own share page: no script of theirs on ours."""
    u, t = quote(url, safe=""), quote(title, safe="")
    return (ShareLink("telegram", "Telegram", f"https://t.me/share/url?url={u}&text={t}"),
            ShareLink("facebook", "Facebook", f"https://www.facebook.com/sharer/sharer.php?u={u}"),
            ShareLink("x", "X", f"https://x.com/intent/post?url={u}&text={t}"),
            ShareLink("email", "E-mail", f"mailto:?subject={t}&body={u}"))

