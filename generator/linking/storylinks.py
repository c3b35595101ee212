"""`story:<id>` links in bodies: checked by the link stage, resolved when a page is rendered.

The link stage knows every story, so it reports a link to an unknown story,
a draft, a scheduled or a withdrawn one, or to a heading its target lacks;
it does so from what the parse noted of each body (`Translation.story_links`,
`link_fragments`), without reading the body. The body itself is rewritten
only when a page that shows it is rendered (`resolved_body`): a publish reads
and rewrites the bodies of the pages it renders, not those of the whole
archive, and `link_places` tells the incremental builds what a resolved body
depends on.
"""
from __future__ import annotations

import html
from typing import Mapping

from ..config import SiteConfig
from ..content.markup import resolve_story_links
from ..model import Site, Story, Translation, translation_id
from .urls import relative


def link_target(t: Translation, candidates: Mapping[str, Translation], fallback) -> Translation:
    """Which translation of a story `t` links to: the one in `t`'s language, else the first of `fallback`."""
    return candidates[t.lang] if t.lang in candidates else next(candidates[c] for c in fallback if c in candidates)


def story_anchor(config: SiteConfig, t: Translation, target: Translation, fragment: str, attributes: str,
                 inner: str) -> str:
    """A `story:` link from `t` to `target` (both at their paths), marked when it is in another language."""
    href = html.escape(relative(t.path, target.path) + fragment)
    if target.lang == t.lang:
        return f'<a href="{href}"{attributes}>{inner}</a>'
    other = config.language(target.lang)
    return (f'<a href="{href}" hreflang="{other.hreflang}"{attributes}>{inner}'
            f' <span class="lang-label" lang="{other.hreflang}">({html.escape(other.label)})</span></a>')


def missing_headings(t: Translation, target: str, linked_to: Translation) -> list[str]:
    """The headings `t`'s links to `target` name that `linked_to` (the translation they lead to) lacks."""
    return [heading for story, heading in t.link_fragments if story == target and heading not in linked_to.heading_ids]


def published_story(site: Site, target: str) -> Story | None:
    """The story or standalone page a `story:<target>` link names, when it is published."""
    return site.stories.get(target) or site.pages.get(target)


def withdrawn_notices(site: Site, target: str) -> dict[str, Translation]:
    """The withdrawal notices of a story none of whose translations is published, by language."""
    for kind in ("news", "page"):
        notices = {code: site.retracted[tid] for code in site.config.codes
                   if (tid := translation_id(kind, target, code)) in site.retracted}
        if notices:
            return notices
    return {}


def resolved_body(site: Site, t: Translation, body_html: str) -> str:
    """`t`'s body with each `story:` link leading where the link stage checked it would: to the
    target's translation in `t`'s language, else the first in the site's fallback order (marked);
    to a withdrawn story's notice; a link to a story not published (scheduled) is its text."""
    if not t.story_links:
        return body_html
    config = site.config
    fallback = config.fallback_order()

    def resolve(target: str, fragment: str, attributes: str, inner: str) -> str:
        story = published_story(site, target)
        if story is not None:
            return story_anchor(config, t, link_target(t, story.translations, fallback), fragment, attributes, inner)
        notices = withdrawn_notices(site, target)
        if notices:
            return story_anchor(config, t, link_target(t, notices, fallback), "", attributes, inner)
        return inner
    return resolve_story_links(body_html, resolve)


def link_places(site: Site, t: Translation) -> tuple:
    """What `resolved_body` reads of the site for `t`: where each of its links could lead.
    (`t`'s own path and the settings are the page's inputs already.)"""
    places = []
    for target in t.story_links:
        story = published_story(site, target)
        if story is not None:
            places.append((target, tuple((code, tr.path) for code, tr in story.translations.items())))
        else:
            places.append((target, "withdrawn", tuple((code, n.path) for code, n in
                                                      withdrawn_notices(site, target).items())))
    return tuple(places)
