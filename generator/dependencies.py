"""What each page is made from, so `newsgen serve` re-renders only pages whose
inputs changed.

`page_inputs(site, spec)` returns a value that is equal between two versions
of the site exactly when the page would render the same (given the same
settings, theme and catalogs, which trigger a full re-render when they
change). It mirrors what `context.ContextBuilder` reads; when in doubt it
includes more (a whole translation rather than its title), which only costs a
re-render. The serve tests check, for each kind of change, that the pages of
an incremental rebuild are byte-identical to a full build.
"""
from __future__ import annotations

from .model import Site, Translation
from .related import related_in_language
from .render import FEED_SIZE, PageSpec, page_count
from .xmlout import recent_news


def teaser_inputs(t: Translation) -> tuple:
    return t.title, t.path, t.date, t.summary


def page_inputs(site: Site, spec: PageSpec) -> object:
    config, code = site.config, spec.lang
    if spec.kind in ("robots", "chooser", "404", "search"):
        return ()  # settings and theme only
    if spec.kind == "retracted":
        return site.retracted[spec.key]
    if spec.kind == "redirect":
        t = site.by_id(site.redirects[spec.key])
        return t.title, t.path
    if spec.kind in ("redirects-netlify", "redirects-nginx"):
        return tuple(sorted((old, site.by_id(tid).path) for old, tid in site.redirects.items()))
    if spec.kind == "news-sitemap":
        return tuple(site.stories[k].translations[code] for k in recent_news(site, code, site.now))
    if spec.kind == "feed":
        return tuple(site.stories[k].translations[code] for k in site.front[code][:FEED_SIZE])
    if spec.kind in ("story", "page"):
        story = (site.stories if spec.kind == "story" else site.pages)[spec.key]
        t = story.translations[code]
        related = related_in_language(story.related, lambda k: code in site.stories[k].translations)
        return (tuple(story.translations.values()),
                tuple(site.images.get(f"{story.folder}/{tr.image}") for tr in story.translations.values()),
                tuple(teaser_inputs(site.stories[k].translations[code]) for k in related),
                tuple(site.tags[code][ref.key].path for ref in t.tags))
    if spec.kind == "tags":
        return tuple((tag.name, tag.path, len(tag.stories)) for tag in site.tags[code].values())
    if spec.kind == "front":
        keys = site.front[code]
        versions = ()
    elif spec.kind == "tag":
        tag = site.tags[code][spec.key]
        keys = tag.stories
        versions = (tag.name, tag.slug) + tuple(
            (c, site.tags[c][spec.key].path) for c in config.codes if spec.key in site.tags[c])
    elif spec.kind == "archive":
        keys = site.archives[code][spec.key]
        versions = tuple(c for c in config.codes if spec.key in site.archives[c])
    else:
        raise ValueError(f"unknown page kind {spec.kind}")
    shown = keys[(spec.number - 1) * config.per_page: spec.number * config.per_page]
    return (page_count(len(keys), config), len(keys), versions,
            tuple(teaser_inputs(site.stories[k].translations[code]) for k in shown))
