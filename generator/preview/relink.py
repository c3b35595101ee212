"""`newsgen serve`: an edit to the words of stories, linked without linking the whole site again.

Most edits in a preview change what a story says (its headline, summary,
body) and nothing of what the link stage decides: its address, its tags, its
place in the lists, its related stories, what links to it. For such an edit
the site of the last rebuild is kept and only the edited stories' translations
are put in it, each with the address and tags the link stage gave the old one.
Their `story:` links are resolved against the kept site. Anything else (a new
date, slug or tag, a draft published, a link to a story that is not published,
a problem to report) returns None, and the whole site is linked as before; the
serve tests hold the two ways to the same pages.
"""
from __future__ import annotations

from dataclasses import replace

from ..config import SiteConfig
from ..content.bodylinks import check_body_links
from ..content.markup import resolve_story_links
from ..errors import Problem
from ..model import Site, Translation
from ..stages.link import check_translated_titles, link_target, story_anchor, with_links

#: What the link stage decides from: a translation whose fields other than these changed
#: (its words) keeps the address, tags, lists and related stories it had.
_LINKED_FROM = ("kind", "key", "lang", "source", "date", "slug", "draft", "retracted", "raw_tags", "related",
                "heading_ids", "image", "body_images", "date_only")


def relinked(site: Site, config: SiteConfig, edited: dict[tuple[str, str], tuple[dict[str, Translation],
                                                                                dict[str, Translation]]],
             published: set[str]) -> Site | None:
    """`site` with the edited stories' new translations, or None when the edit changed more
    than their words. `edited`: (kind, story id) → (its translations as last parsed, as parsed
    now), by language; `published`: every file of `site`'s output (`bodylinks.published_paths`)."""
    stories, pages = dict(site.stories), dict(site.pages)
    changed = []
    for (kind, key), (before, now) in edited.items():
        shelf = stories if kind == "news" else pages
        story = shelf.get(key)
        if story is None or before.keys() != now.keys() or story.translations.keys() != now.keys():
            return None
        translations = {}
        for lang, old in story.translations.items():  # in the site's order of languages
            t = now[lang]
            if t.notes or old.source != t.source or not _same_links(before[lang], t):
                return None
            body = t.body_html
            if t.story_links:
                if not all(target in site.stories or target in site.pages for target in t.story_links):
                    return None  # unpublished or unknown: what to report is the full link's to say
                missed: list[str] = []
                body = resolve_story_links(body, _resolver(site, config, t, old.path, missed))
                if missed:
                    return None
            translations[lang] = with_links(t, old.path, old.tags, body)
        problems: list[Problem] = []
        check_translated_titles(config, {(kind, key): translations}, problems)
        if problems:
            return None
        shelf[key] = replace(story, translations=translations)
        changed.append((kind, key))
    relinked_site = replace(site, stories=stories, pages=pages)
    only_edited = replace(relinked_site, stories={k: stories[k] for kind, k in changed if kind == "news"},
                          pages={k: pages[k] for kind, k in changed if kind == "page"})
    problems = []
    check_body_links(only_edited, published, problems)
    return None if problems else relinked_site


def _resolver(site: Site, config: SiteConfig, t: Translation, path: str, missed: list[str]):
    """Resolves `t`'s `story:` links (at `path`) to the kept site's stories, as the link stage
    does; a fragment naming no heading of its target is noted in `missed`."""
    fallback = config.fallback_order()

    def resolve(target: str, fragment: str, attributes: str, inner: str) -> str:
        story = site.stories.get(target) or site.pages.get(target)
        if story is None:
            missed.append(target)
            return inner
        other = link_target(t, story.translations, fallback)
        if fragment[1:] and fragment[1:] not in other.heading_ids:
            missed.append(target + fragment)
        return story_anchor(config, t, path, other, other.path, fragment, attributes, inner)
    return resolve


def _same_links(before: Translation, now: Translation) -> bool:
    return all(getattr(before, name) == getattr(now, name) for name in _LINKED_FROM)

