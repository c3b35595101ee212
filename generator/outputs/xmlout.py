"""Machine-readable outputs: Atom feeds, sitemaps, robots.txt.

Built with ElementTree rather than templates, so every title and summary is
escaped by an XML serializer, whatever an editor typed.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..config import SiteConfig
from ..model import Page, Site
from ..linking.urls import absolute, front_path

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"

#: Google News takes stories published in the last two days, at most 1,000 per sitemap.
NEWS_WINDOW = timedelta(days=2)
NEWS_LIMIT = 1000
SITEMAP_INDEX = "sitemap-index.xml"
#: URLs one sitemap file may hold (sitemaps.org); past it, sitemap-2.xml, sitemap-3.xml, …
SITEMAP_LIMIT = 50_000
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    alternates: tuple  # of context.Alternate
    lastmod: datetime | None


def _sub(parent, tag, text=None, **attrs):
    element = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def atom_feed(site: Site, code: str, keys: tuple[str, ...]) -> bytes:
    config = site.config
    lang = config.language(code)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang.hreflang})
    a = lambda name: f"{{{ATOM}}}{name}"  # noqa: E731
    entries = [site.stories[k].translations[code] for k in keys]
    newest = max((t.updated or t.date for t in entries), default=datetime(2000, 1, 1, tzinfo=config.tz))
    _sub(feed, a("title"), lang.title)
    _sub(feed, a("id"), absolute(config.base_url, front_path(code)))
    _sub(feed, a("updated"), newest.isoformat())
    _sub(feed, a("link"), rel="self", type="application/atom+xml", href=absolute(config.base_url, f"{code}/feed.xml"))
    _sub(feed, a("link"), rel="alternate", type="text/html", href=absolute(config.base_url, front_path(code)))
    _sub(_sub(feed, a("author")), a("name"), lang.title)
    for t in entries:
        entry = _sub(feed, a("entry"))
        url = absolute(config.base_url, t.path)
        _sub(entry, a("title"), t.title)
        _sub(entry, a("id"), url)
        _sub(entry, a("link"), rel="alternate", type="text/html", href=url)
        _sub(entry, a("published"), t.date.isoformat())
        _sub(entry, a("updated"), (t.updated or t.date).isoformat())
        if t.author:
            _sub(_sub(entry, a("author")), a("name"), t.author)
        for tag in t.tags:
            _sub(entry, a("category"), term=tag.name)
        if t.summary:
            _sub(entry, a("summary"), t.summary)
    return _xml(feed)


#: One URL of a sitemap: (its address, its `<url>` element as the sitemap has it). Made when its
#: page is rendered and remembered with the page, so a build that renders a handful of pages
#: makes its sitemaps by joining strings, not by writing every page's element again.
SitemapUrl = tuple[str, str]


def sitemap_url(entry: SitemapEntry) -> SitemapUrl:
    lines = [f"  <url>\n    <loc>{_text(entry.loc)}</loc>"]
    if entry.lastmod:
        lines.append(f"    <lastmod>{_text(entry.lastmod.isoformat())}</lastmod>")
    for alt in entry.alternates:
        lines.append(f'    <xhtml:link rel="alternate" hreflang="{_attribute(alt.hreflang)}" '
                     f'href="{_attribute(alt.href)}" />')
    lines.append("  </url>")
    return entry.loc, "\n".join(lines)


def sitemap(urls: list[SitemapUrl]) -> bytes:
    """A sitemap of `urls`. Written as text, not through ElementTree: it lists every page of the
    site, and building the tree for 50,000 URLs cost more than rendering the pages that changed.
    The bytes are the ones ElementTree writes (indented); a test holds them equal."""
    if not urls:
        return f"<?xml version='1.0' encoding='utf-8'?>\n<urlset xmlns=\"{SITEMAP}\" />\n".encode()
    has_alternates = any("<xhtml:link " in element for _, element in urls)  # a loc's "<" is escaped
    lines = ["<?xml version='1.0' encoding='utf-8'?>",
             f'<urlset xmlns="{SITEMAP}"' + (f' xmlns:xhtml="{XHTML}">' if has_alternates else ">")]
    lines.extend(element for _, element in urls)
    lines.append("</urlset>\n")
    return "\n".join(lines).encode()


def _text(text: str) -> str:
    """Character data escaped as ElementTree escapes it."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                    "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"})


def _attribute(text: str) -> str:
    """An attribute value escaped as ElementTree escapes it."""
    return text.translate(_ATTRIBUTE_ESCAPES)


def news_sitemap_path(code: str) -> str:
    return f"{code}/news-sitemap.xml"


def recent_news(site: Site, code: str, now: datetime) -> tuple[str, ...]:
    """Stories of the last two days before `now`, newest first (none from the future)."""
    oldest, keys = now - NEWS_WINDOW, []
    for key in site.front[code]:  # newest first: the walk stops at the first story too old
        date = site.stories[key].translations[code].date
        if date < oldest or len(keys) == NEWS_LIMIT:
            break
        if date <= now:
            keys.append(key)
    return tuple(keys)


def news_sitemap(site: Site, code: str, now: datetime) -> bytes:
    """A Google News sitemap for one language."""
    config = site.config
    lang = config.language(code)
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("news", NEWS)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    n = lambda name: f"{{{NEWS}}}{name}"  # noqa: E731
    for key in recent_news(site, code, now):
        t = site.stories[key].translations[code]
        url = _sub(urlset, f"{{{SITEMAP}}}url")
        _sub(url, f"{{{SITEMAP}}}loc", absolute(config.base_url, t.path))
        news = _sub(url, n("news"))
        publication = _sub(news, n("publication"))
        _sub(publication, n("name"), config.publisher or lang.title)
        _sub(publication, n("language"), lang.hreflang)
        _sub(news, n("publication_date"), t.date.isoformat())
        _sub(news, n("title"), t.title)
    return _xml(urlset)


def sitemap_files(config: SiteConfig, urls: list[SitemapUrl]) -> list[Page]:
    """sitemap.xml (and sitemap-2.xml, … past SITEMAP_LIMIT pages), and the
    sitemap index listing them and each language's news sitemap."""
    limit = SITEMAP_LIMIT
    ordered = sorted(urls, key=lambda url: url[0])
    parts = [ordered[i:i + limit] for i in range(0, len(ordered), limit)] or [[]]
    names = ["sitemap.xml"] + [f"sitemap-{n}.xml" for n in range(2, len(parts) + 1)]
    files = [Page(name, sitemap(part)) for name, part in zip(names, parts, strict=True)]
    ET.register_namespace("", SITEMAP)
    index = ET.Element(f"{{{SITEMAP}}}sitemapindex")
    for path in names + [news_sitemap_path(code) for code in config.codes]:
        _sub(_sub(index, f"{{{SITEMAP}}}sitemap"), f"{{{SITEMAP}}}loc", absolute(config.base_url, path))
    return files + [Page(SITEMAP_INDEX, _xml(index))]


def robots_txt(config: SiteConfig) -> str:
    maps = [SITEMAP_INDEX, "sitemap.xml"] + [news_sitemap_path(code) for code in config.codes]
    lines = "".join(f"Sitemap: {absolute(config.base_url, path)}\n" for path in maps)
    return f"User-agent: *\nAllow: /\n\n{lines}"
