"""A few stories' new translations put into an already linked site, without linking it again.

Most edits change what a story says (its headline, summary, body) and nothing
of what the link stage decides for the rest of the site: the story's tags,
its place in the lists (its date), its related stories, what links to it.
For such an edit the linked site is kept and only the edited stories'
translations are put in it, each with the tags the link stage gave the old
one. Their `story:` links are checked against the kept site. Anything else (a
new date or tag, a draft published, a link to a story that is not published,
a problem to report) returns None, and the whole site is linked as before.

`newsgen serve` keeps the site of its last rebuild; `newsgen build` keeps the
last build's (`incremental/linked.py`), and also lets a headline fix move a
translation to its new slug's address (the build then plans that address's
redirect from `urls.lock`, as after a full link). The serve tests and the
build's property test hold the two ways to the same pages.
"""
from __future__ import annotations

from dataclasses import replace

from ..config import SiteConfig
from ..content.bodylinks import check_body_links
from ..errors import Problem
from ..linking.storylinks import link_target, missing_headings, published_story
from ..linking.urls import page_path, story_path
from ..model import Site, Translation, linked_copy
from ..stages.link import RESERVED_SLUGS, check_translated_titles

#: What the link stage decides from: a translation whose fields other than these changed
#: (its words) keeps the address, tags, lists and related stories it had.
_LINKED_FROM = ("kind", "key", "lang", "source", "date", "slug", "draft", "retracted", "raw_tags", "related",
                "heading_ids", "image", "body_images", "date_only")
#: The same, for a caller that lets a translation move to its new slug's address.
_LINKED_FROM_BUT_SLUG = tuple(name for name in _LINKED_FROM if name != "slug")


def relinked(site: Site, config: SiteConfig, edited: dict[tuple[str, str], tuple[dict[str, Translation],
                                                                                dict[str, Translation]]],
             published: set[str] | None, paths: set[str] | None = None) -> Site | None:
    """`site` with the edited stories' new translations, or None when the edit changed more
    than their words. `edited`: (kind, story id) → (its translations as last parsed, as parsed
    now), by language; `published`: every file of `site`'s output (`bodylinks.published_paths`),
    to check the edited bodies' links against (None: the caller checks the whole site's).
    `paths`: every translation's address in `site`; when given, a translation whose slug changed
    moves to its new address if no other translation has it (`paths` is updated)."""
    stories, pages = dict(site.stories), dict(site.pages)
    compared = _LINKED_FROM if paths is None else _LINKED_FROM_BUT_SLUG
    changed = []
    for (kind, key), (before, now) in edited.items():
        shelf = stories if kind == "news" else pages
        story = shelf.get(key)
        if story is None or before.keys() != now.keys() or story.translations.keys() != now.keys():
            return None
        translations = {}
        for lang, old in story.translations.items():  # in the site's order of languages
            t = now[lang]
            if t.notes or old.source != t.source or not _same_links(before[lang], t, compared):
                return None
            if t.story_links and not _links_hold(site, config, t):
                return None  # what to report is the full link's to say
            path = old.path
            if t.slug != old.slug:
                path = _moved(kind, t, paths)
                if path is None:
                    return None
                paths.discard(old.path)
                paths.add(path)
            translations[lang] = linked_copy(t, path=path, tags=old.tags)
        problems: list[Problem] = []
        check_translated_titles(config, {(kind, key): translations}, problems)
        if problems:
            return None
        shelf[key] = replace(story, translations=translations)
        changed.append((kind, key))
    relinked_site = replace(site, stories=stories, pages=pages)
    if published is None:
        return relinked_site
    problems = []
    check_body_links(relinked_site.with_only(changed), published, problems)
    return None if problems else relinked_site


def _moved(kind: str, t: Translation, paths: set[str] | None) -> str | None:
    """The address `t`'s new slug gives it (as the link stage's `_assign_paths`), or None when
    another translation has it, the slug is reserved, or moving is not allowed (no `paths`)."""
    if paths is None or (kind == "page" and RESERVED_SLUGS.match(t.slug)):
        return None
    path = story_path(t.lang, t.date, t.slug) if kind == "news" else page_path(t.lang, t.slug)
    return None if path in paths else path


def _links_hold(site: Site, config: SiteConfig, t: Translation) -> bool:
    """Each of `t`'s `story:` links names a story of the kept site, and a heading it has."""
    fallback = config.fallback_order()
    for target in t.story_links:
        story = published_story(site, target)
        if story is None:
            return False  # unpublished or unknown
        if missing_headings(t, target, link_target(t, story.translations, fallback)):
            return False
    return True


def _same_links(before: Translation, now: Translation, compared: tuple[str, ...]) -> bool:
    return all(getattr(before, name) == getattr(now, name) for name in compared)
