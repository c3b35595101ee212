"""What each page is made from, so a build and `newsgen serve` render again only
the pages whose inputs changed.

`page_inputs(site, spec)` returns a value that is equal between two versions
of the site exactly when the page would render the same (given the same
settings, theme and catalogs, which trigger a full re-render when they
change). It mirrors what `context.ContextBuilder` reads; when in doubt it
includes more (a whole translation rather than its title), which only costs a
re-render. The serve tests check, for each kind of change, that the pages of
an incremental rebuild are byte-identical to a full build.
"""
from __future__ import annotations

import hashlib
from typing import Callable

from ..model import Site, Story, Translation
from ..linking.related import related_in_language
from ..linking.storylinks import link_places
from ..stages.render import FEED_SIZE, PageSpec, page_count
from ..outputs.xmlout import recent_news


def teaser_inputs(site: Site, t: Translation) -> tuple:
    """What a list shows of a story: its headline, date, summary, photo and first tag."""
    return (t.title, t.date, t.date_only, t.summary, t.image, t.image_alt, t.image_caption, t.image_credit,
            teaser_link_inputs(site, t))


def teaser_link_inputs(site: Site, t: Translation) -> tuple:
    """What the link stage decides of a teaser: the story's address, its photo's sizes, its first tag."""
    story = site.stories.get(t.key) if t.kind == "news" else None
    image = site.images.get(f"{story.folder}/{t.image}") if story and t.image else None
    tag = site.tags[t.lang].get(t.tags[0].key) if t.tags else None
    return t.path, image, (tag.name, tag.path) if tag else None


def photo_sizes(site: Site, story: Story, t: Translation) -> tuple:
    """The sizes of `t`'s lead photo and body photos (None for one not found), as pages read them."""
    return tuple(site.images.get(f"{story.folder}/{name}") for name in ((t.image,) if t.image else ()) + t.body_images)


def stories_with_other_photos(before: Site, after: Site) -> frozenset[tuple[str, str]]:
    """The stories and standalone pages (kind, id) a photo of which has other sizes in `after`
    than in `before`: a photo replaced under the same name changes no source, only its sizes."""
    if before.images == after.images:
        return frozenset()
    folders = {name.rpartition("/")[0] for name in before.images.keys() | after.images.keys()
               if before.images.get(name) != after.images.get(name)}
    return frozenset((story.kind, story.key) for stories in (after.stories, after.pages)
                     for story in stories.values() if story.folder in folders)


def navigation_inputs(site: Site, code: str) -> tuple:
    """What the masthead and footer of a page in `code` show: the most used tags (their names
    and paths, in order: not their counts, which the masthead does not show), the standalone
    pages, the newest year, the build's year."""
    tags = sorted(site.tags[code].values(), key=lambda tag: -len(tag.stories))[:site.config.navigation.tags]
    keys = site.config.navigation.pages if site.config.navigation.pages is not None else tuple(site.pages)
    pages = tuple((k, site.pages[k].translations[code].title, site.pages[k].translations[code].path)
                  for k in keys if k in site.pages and code in site.pages[k].translations)
    newest = max((month[:4] for month in site.archives[code]), default=None)
    return (tuple((tag.key, tag.name, tag.path) for tag in tags), pages, newest,
            site.now.year if site.now else None)


def page_inputs(site: Site, spec: PageSpec, navigation: dict[str, tuple] | None = None,
                whole: Callable[[Translation], object] = lambda t: t,
                teaser: Callable[[Site, Translation], object] = teaser_inputs) -> object:
    """What `spec` is made from (see the module's docstring), its masthead and footer included.
    `navigation`, when given, remembers each language's masthead inputs for the next page of `site`;
    `whole` stands for a page's translations read whole, `teaser` for what a list shows of one
    (a digest of each will do)."""
    own = _own_inputs(site, spec, whole, teaser)
    if spec.kind in ("robots", "feed", "news-sitemap", "redirect", "redirects-netlify", "redirects-nginx"):
        return own  # no masthead
    navigation = {} if navigation is None else navigation

    def masthead(code: str) -> tuple:
        if code not in navigation:
            navigation[code] = navigation_inputs(site, code)
        return navigation[code]

    if spec.kind == "404":
        return own, tuple(masthead(code) for code in site.config.codes)
    return own, masthead(spec.lang)


def indexed_inputs(site: Site, spec: PageSpec, whole: Callable[[Translation], object] = lambda t: t) -> object:
    """What the search index reads of a story or standalone page: its `data-pagefind-body`
    article (the translation, its tags' names and links, its images), not the masthead, the
    switcher or the related cards, so a change to those does not make its search part again."""
    story = (site.stories if spec.kind == "story" else site.pages)[spec.key]
    t = story.translations[spec.lang]
    tags = site.tags[spec.lang]
    return (whole(t), tuple((tags[ref.key].name, tags[ref.key].path) for ref in t.tags if ref.key in tags),
            photo_sizes(site, story, t),
            link_places(site, t))


def _own_inputs(site: Site, spec: PageSpec, whole: Callable[[Translation], object], teaser) -> object:
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
        return tuple(whole(site.stories[k].translations[code]) for k in recent_news(site, code, site.now))
    if spec.kind == "feed":
        return tuple(whole(site.stories[k].translations[code]) for k in site.front[code][:FEED_SIZE])
    if spec.kind in ("story", "page"):
        story = (site.stories if spec.kind == "story" else site.pages)[spec.key]
        t = story.translations[code]
        related = related_in_language(story.related, lambda k: code in site.stories[k].translations)
        return (tuple(map(whole, story.translations.values())),
                tuple(size for tr in story.translations.values() for size in photo_sizes(site, story, tr)),
                tuple(teaser(site, site.stories[k].translations[code]) for k in related),
                tuple(site.tags[code][ref.key].path for ref in t.tags),
                link_places(site, t))
    if spec.kind == "tags":
        return tuple((tag.name, tag.path, len(tag.stories)) for tag in site.tags[code].values())
    if spec.kind == "year":
        months = tuple(site.archives[code])
        versions = tuple(c for c in config.codes if any(m.startswith(spec.key + "/") for m in site.archives[c]))
        return (months, versions, tuple((m, len(site.archives[code][m])) for m in months if m.startswith(spec.key)),
                tuple(site.stories[site.archives[code][m][0]].translations[code].date.month for m in months))
    count, total, versions, shown = list_structure(site, spec)
    return count, total, versions, tuple(teaser(site, site.stories[k].translations[code]) for k in shown)


#: The pages that list stories a page at a time.
LIST_KINDS = ("front", "tag", "archive")


def list_structure(site: Site, spec: PageSpec, months: dict[str, tuple[str, ...]] | None = None) -> tuple:
    """What a list page (`LIST_KINDS`) is made of besides its stories' teasers: its number of
    pages, its length, its other versions (languages, months) and the stories it shows.
    `months` keeps each language's months for the next archive page (one tuple for all of them,
    which the output's record then stores once)."""
    config, code = site.config, spec.lang
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
        months = {} if months is None else months
        if code not in months:
            months[code] = tuple(site.archives[code])
        versions = (tuple(c for c in config.codes if spec.key in site.archives[c]), months[code])
    else:
        raise ValueError(f"unknown page kind {spec.kind}")
    shown = keys[(spec.number - 1) * config.per_page: spec.number * config.per_page]
    return page_count(len(keys), config), len(keys), versions, shown


def story_mark(site: Site, story: Story, whole: Callable[[Translation], str]) -> bytes:
    """A digest of all the pages of a story (or standalone page) read of it, and all a list or a
    related card shows of it: its related stories, and for each translation what the parse made
    of it (`whole`), its address and tags, its photos' sizes, where its `story:` links lead. A page
    that reads only stories whose marks are as they were has the inputs it had (`reads_unchanged`).
    A digest, not the values: the output's record keeps one for each of 5,000 stories."""
    fields = ["\x1f".join(story.related)]
    for code, t in story.translations.items():
        tags = site.tags.get(code, {})
        fields += (code, whole(t), t.path)
        fields += (f"{ref.key}\x1e{ref.name}\x1e{ref.slug}\x1e{tags[ref.key].path if ref.key in tags else ''}"
                   for ref in t.tags)
        if t.image or t.body_images:
            fields.append("images " + repr(photo_sizes(site, story, t)))
        if t.story_links:
            fields.append("links " + repr(link_places(site, t)))
        fields.append("\x1d")
    return hashlib.blake2b("\x1f".join(fields).encode(), digest_size=16).digest()


def reads_unchanged(site: Site, spec: PageSpec, unchanged: dict[str, set[str]], structure: tuple | None = None,
                    structure_before: tuple | None = None) -> bool:
    """Whether `spec` reads nothing but stories whose marks are as they were (`unchanged`: kind →
    their ids), and, for a list page, has the `list_structure` it had: then its inputs are the last
    build's, as long as the settings, theme and mastheads are too (the build checks those first)."""
    if spec.kind in ("story", "page"):
        story = (site.stories if spec.kind == "story" else site.pages)[spec.key]
        return story.key in unchanged[story.kind] and unchanged["news"].issuperset(story.related)
    if spec.kind in LIST_KINDS:
        return structure is not None and structure == structure_before and unchanged["news"].issuperset(structure[3])
    return False
