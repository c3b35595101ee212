"""Stage 3, link: translations → stories, URLs, tags, related stories, links.

Decides what is published (drafts and stories scheduled for later are not),
groups translations by story id, gives each its URL path, resolves tags
(tags.py), ranks related stories and rewrites `story:` links to relative URLs,
per language with a marked fallback. Produces the `Site`.
"""
from __future__ import annotations

import difflib
import hashlib
import html
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Mapping

from ..language.collation import Collation
from ..config import SiteConfig
from ..errors import Problem, warning
from .load import TagName
from ..content.markup import resolve_story_links
from ..model import Site, Story, TagRef, Translation, linked_copy, read_body, translation_id
from ..linking.related import rank_related
from ..language.slugs import slugify
from ..linking.tags import check_near_misses, resolve_tags, tag_pages
from ..linking.urls import page_path, relative, story_path

#: Page slugs that would shadow the folders a language section is made of.
RESERVED_SLUGS = re.compile(r"^(tags|page|search|static|feed\.xml|news-sitemap\.xml|\d{4})$")

TranslationId = tuple[str, str, str]  # (kind, key, lang)


@dataclass(frozen=True)
class LinkMemo:
    """What a build's link stage keeps for the next build (in the site's cache folder): most
    builds change no story's tags or date, and ranking 5,000 stories' related stories takes
    half a second; loading the collation table for the tags' sort keys a quarter."""

    ranking: tuple | None = None  # (inputs, story key → related keys), as `LinkCache.ranking`
    sort_keys: dict[tuple[str, str], tuple] = field(default_factory=dict)  # `Collation.keys`


class LinkCache:
    """What one link may reuse from the previous one in the same process.

    A build links once; `newsgen serve` links after every edit, and most edits
    change neither tags nor dates, so the related-story ranking is reused (and a
    build starts from the previous build's `LinkMemo`).
    """

    def __init__(self, remembered: "LinkMemo | None" = None) -> None:
        remembered = remembered or LinkMemo()
        self.collation = Collation(remembered.sort_keys)
        #: the last related-story ranking: (its inputs, story key → related keys)
        self.ranking: tuple | None = remembered.ranking
        self._remembered = remembered
        self._linked: dict[str, tuple] = {}  # source path → (parsed, path, tags, body, linked)
        self._slugs: dict[tuple[str, str], str] = {}
        self._tag_lists: dict[tuple, tuple[TagRef, ...]] = {}
        self.tag_memo: dict[str, tuple] = {}  # source path → (parsed, tag names, resolved tags)
        self._bodies: dict[str, tuple] = {}  # source path → (`_parsed_body`, own path, targets, resolved)
        self._near_inputs: tuple | None = None  # what check_near_misses last looked at
        self._near_problems: list[Problem] = []  # and found
        self._titles: dict[tuple[str, str], tuple] = {}  # story → (its translations, problems of their titles)

    def memo(self) -> "LinkMemo | None":
        """What the next build may start from, or None when it is what this one started from."""
        if self.ranking is self._remembered.ranking and not self.collation.learned:
            return None
        return LinkMemo(self.ranking, self.collation.keys)

    def sorted_tags(self, refs: tuple[TagRef, ...], locale: str) -> tuple[TagRef, ...]:
        memo = (locale, refs)
        if memo not in self._tag_lists:
            self._tag_lists[memo] = tuple(self.collation.sorted(refs, locale, lambda ref: ref.name))
        return self._tag_lists[memo]

    def body(self, t: Translation, path: str, targets: tuple | None, problems: list[Problem], resolve) -> str:
        """`t`'s body with its `story:` links resolved; reused while its targets stay put
        (never when resolving found a problem: that is reported on every link)."""
        memo = self._bodies.get(t.source)
        parsed = _parsed_body(t)
        if targets is not None and memo is not None and memo[0] == parsed and memo[1:3] == (path, targets):
            return memo[3]
        before = len(problems)
        body = resolve()
        if targets is not None and len(problems) == before:
            self._bodies[t.source] = (parsed, path, targets, body)
        else:
            self._bodies.pop(t.source, None)
        return body

    def check_near_misses(self, tag_names, published: list[Translation], tags, problems: list[Problem]) -> None:
        """tags.check_near_misses, done again only when a translation's tags or date changed
        (serve links after every edit; most edits are to words)."""
        inputs = (tag_names, [(t.source, t.date, t.lines.get("tags"), tags.get((t.kind, t.key, t.lang)))
                              for t in published])
        if inputs != self._near_inputs:
            found: list[Problem] = []
            check_near_misses(tag_names, published, tags, found)
            self._near_inputs, self._near_problems = inputs, found
        problems.extend(self._near_problems)

    def check_translated_titles(self, config: SiteConfig, grouped, problems: list[Problem]) -> None:
        """`check_translated_titles`, done again only for the stories whose translations changed."""
        memo: dict = {}
        for story, translations in grouped.items():
            inputs = tuple(translations.values())
            known = self._titles.get(story)
            if known is None or len(known[0]) != len(inputs) or any(a is not b for a, b in zip(known[0], inputs)):
                found: list[Problem] = []
                check_translated_titles(config, {story: translations}, found)
                known = (inputs, found)
            memo[story] = known
            problems.extend(known[1])
        self._titles = memo

    def slug(self, name: str, locale: str) -> str:
        memo = (name, locale)
        if memo not in self._slugs:
            self._slugs[memo] = slugify(name, locale)
        return self._slugs[memo]

    def linked(self, t: Translation, path: str, tags: tuple[TagRef, ...], body: str) -> Translation:
        """`t` with its link-stage fields; the same object as last time when nothing changed."""
        memo = self._linked.get(t.source)
        if memo is not None and memo[0] is t and memo[1] == path and memo[2] == tags and memo[3] == body:
            return memo[4]
        result = with_links(t, path, tags, body)
        self._linked[t.source] = (t, path, tags, body, result)
        return result

    def rank_related(self, explicit, tag_keys, dates) -> dict[str, tuple[str, ...]]:
        inputs = (explicit, tag_keys, dates)
        if self.ranking is None or inputs != self.ranking[0]:
            self.ranking = (inputs, rank_related(explicit, tag_keys, dates))
        return self.ranking[1]


def link_site(config: SiteConfig, media: dict, tag_names: dict[str, dict[str, TagName]],
              translations: list[Translation], include_drafts: bool, problems: list[Problem],
              cache: LinkCache | None = None, *, now: datetime | None = None,
              unreadable: frozenset[tuple[str, str]] = frozenset(),
              bodies: Callable[[Translation], str] | None = None) -> Site:
    """`now`: translations dated after it are scheduled, not published (None: publish them all);
    `unreadable`: stories with a file that failed to parse (its problem is reported already);
    `bodies`: reads the bodies left in the parse cache (`Translation.body_stored`)."""
    cache = cache or LinkCache()
    published, waiting = [], []
    for t in translations:
        if t.draft and not include_drafts:
            continue
        (waiting if now is not None and t.date is not None and t.date > now else published).append(t)
    live = {(t.kind, t.key) for t in published}
    drafts_only = {(t.kind, t.key) for t in translations} - live - {(t.kind, t.key) for t in waiting}
    scheduled = {}
    for t in sorted(waiting, key=lambda t: t.date):
        if (t.kind, t.key) not in live:
            scheduled.setdefault((t.kind, t.key), t)
    order = {code: i for i, code in enumerate(config.codes)}
    published.sort(key=lambda t: (t.kind, t.key, order[t.lang]))

    paths = _assign_paths(published, problems)
    # A retracted translation keeps its URL (for a notice) and nothing else: no lists, tags or links.
    retracted = {translation_id(t.kind, t.key, t.lang): replace(t, path=paths[(t.kind, t.key, t.lang)], body_html="",
                                                                fingerprint="", body_stored=False)
                 for t in published if t.retracted and (t.kind, t.key, t.lang) in paths}
    published = [t for t in published if (t.kind, t.key, t.lang) in paths and not t.retracted]
    withdrawn: dict[tuple[str, str], dict[str, Translation]] = defaultdict(dict)
    for t in retracted.values():
        withdrawn[(t.kind, t.key)][t.lang] = t
    for key in {(t.kind, t.key) for t in published}:
        withdrawn.pop(key, None)
    tags = resolve_tags(config, tag_names, published, cache.tag_memo, cache.slug, cache.sorted_tags, problems)
    cache.check_near_misses(tag_names, published, tags, problems)
    grouped: dict[tuple[str, str], dict[str, Translation]] = defaultdict(dict)
    for t in published:
        grouped[(t.kind, t.key)][t.lang] = t
    quiet = drafts_only | set(withdrawn) | set(scheduled) | unreadable  # related to them: left out, no error
    all_ids = {key for _, key in (set(grouped) | quiet)}
    _check_related(grouped, quiet, all_ids, problems)
    cache.check_translated_titles(config, grouped, problems)

    news = {key: tr for (kind, key), tr in grouped.items() if kind == "news"}
    pages = {key: tr for (kind, key), tr in grouped.items() if kind == "page"}
    fallback = config.fallback_order()
    ranked = cache.rank_related(
        explicit={key: tuple(k for c in fallback if c in tr for k in tr[c].related) for key, tr in news.items()},
        tag_keys={key: frozenset(tag.key for t in tr.values() for tag in tags[(t.kind, t.key, t.lang)])
                  for key, tr in news.items()},
        dates={key: next(tr[c] for c in fallback if c in tr).date for key, tr in news.items()},
    )

    def anchor(t: Translation, path: str, target: Translation, fragment: str, attributes: str, inner: str) -> str:
        return story_anchor(config, t, path, target, target.path or paths[(target.kind, target.key, target.lang)],
                            fragment, attributes, inner)

    def story_link(t: Translation, path: str):
        def resolve(target: str, fragment: str, attributes: str, inner: str) -> str:
            line = _line_of(t, target)
            candidates = news.get(target) or pages.get(target)
            if not candidates:
                notices = withdrawn.get(("news", target)) or withdrawn.get(("page", target))
                waiting_t = scheduled.get(("news", target)) or scheduled.get(("page", target))
                if notices:
                    notice = notices.get(t.lang) or next(notices[c] for c in fallback if c in notices)
                    problems.append(warning(t.source, line, f"`story:{target}` links to a story that was withdrawn "
                                            "(`retracted: true`): the link leads to its withdrawal notice",
                                            "Remove the link when you next edit this story"))
                    return anchor(t, path, notice, "", attributes, inner)
                if waiting_t is not None:
                    problems.append(warning(t.source, line, f"`story:{target}` links to a story scheduled for "
                                            f"{waiting_t.date.isoformat()}: shown as plain text until it is "
                                            "published", "Rebuild after that time to link it"))
                    return inner
                if ("news", target) in drafts_only or ("page", target) in drafts_only:
                    problems.append(Problem(t.source, line, f"`story:{target}` links to a story that is only a draft",
                                            "Publish it, or build with --drafts to preview"))
                elif ("news", target) not in unreadable and ("page", target) not in unreadable:
                    problems.append(Problem(t.source, line, f"unknown story `story:{target}`",
                                            _unknown_story_hint(target, all_ids)))
                return inner
            other_t = link_target(t, candidates, fallback)
            if fragment[1:] and fragment[1:] not in other_t.heading_ids:
                problems.append(Problem(t.source, line, f"`story:{target}{fragment}`: {other_t.source} has no "
                                        f"heading with the id `{fragment[1:]}`",
                                        _fragment_hint(fragment[1:], other_t.heading_ids)))
            return anchor(t, path, other_t, fragment, attributes, inner)
        return resolve

    target_places: dict[str, tuple | None] = {}  # story id → where a link to it could lead (once per link)

    def places(target: str) -> tuple | None:
        if target not in target_places:
            candidates = news.get(target) or pages.get(target)
            target_places[target] = tuple(
                (lang, paths.get((c.kind, c.key, lang)), c.heading_ids)
                for lang, c in candidates.items()) if candidates else None
        return target_places[target]

    def target_paths(t: Translation) -> tuple | None:
        """What the resolution of `t`'s `story:` links depends on: where each target could lead and
        the heading ids there (None when a target is missing: that is reported every time)."""
        found = []
        for target in t.story_links:
            place = places(target)
            if place is None:
                return None
            found.append((target, place))
        return tuple(found)

    def linked(t: Translation) -> Translation:
        tid = (t.kind, t.key, t.lang)
        body = t.body_html
        if t.story_links:  # the parse noted every `story:` link of the body
            body = cache.body(t, paths[tid], target_paths(t), problems,
                              lambda: resolve_story_links(read_body(t, bodies), story_link(t, paths[tid])))
        return cache.linked(t, paths[tid], tags[tid], body)

    def make_story(kind, key, tr) -> Story:
        return Story(kind, key, {lang: linked(t) for lang, t in tr.items()}, media.get((kind, key), ()),
                     ranked.get(key, ()) if kind == "news" else ())

    stories = {key: make_story("news", key, tr) for key, tr in sorted(news.items())}
    standalone = {key: make_story("page", key, tr) for key, tr in sorted(pages.items())}
    front, archives = {}, {}
    for code in config.codes:
        keys = [key for key, story in stories.items() if code in story.translations]
        keys.sort(key=lambda k: (stories[k].translations[code].date, k), reverse=True)
        front[code] = tuple(keys)
        months: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            date = stories[key].translations[code].date
            months[f"{date.year:04d}/{date.month:02d}"].append(key)
        archives[code] = {month: tuple(months[month]) for month in sorted(months, reverse=True)}
    return Site(config, stories, standalone, front, tag_pages(config, stories, front, cache.collation), archives,
                retracted=retracted, bodies=bodies)


def with_links(t: Translation, path: str, tags: tuple[TagRef, ...], body: str) -> Translation:
    """`t` as linked: at `path`, with its resolved `tags` and `body` (its `story:` links resolved)."""
    if body is t.body_html:
        return linked_copy(t, path=path, tags=tags)
    # story: links resolved: the body is the parse's no more, and is here
    fingerprint = t.fingerprint and hashlib.blake2b(f"{t.fingerprint}\0{body}".encode(), digest_size=20).hexdigest()
    return replace(t, path=path, tags=tags, body_html=body, fingerprint=fingerprint, body_stored=False)


def link_target(t: Translation, candidates: Mapping[str, Translation], fallback) -> Translation:
    """Which translation of a story `t` links to: the one in `t`'s language, else the first of `fallback`."""
    return candidates[t.lang] if t.lang in candidates else next(candidates[c] for c in fallback if c in candidates)


def story_anchor(config: SiteConfig, t: Translation, path: str, target: Translation, target_path: str,
                 fragment: str, attributes: str, inner: str) -> str:
    """A `story:` link from `t` (at `path`) to `target` (at `target_path`), marked when it is in
    another language."""
    href = html.escape(relative(path, target_path) + fragment)
    if target.lang == t.lang:
        return f'<a href="{href}"{attributes}>{inner}</a>'
    other = config.language(target.lang)
    return (f'<a href="{href}" hreflang="{other.hreflang}"{attributes}>{inner}'
            f' <span class="lang-label" lang="{other.hreflang}">({html.escape(other.label)})</span></a>')


def _unknown_story_hint(target: str, known: set[str]) -> str:
    close = difflib.get_close_matches(target, sorted(known), n=1, cutoff=0.6)
    return f"Did you mean `{close[0]}`?" if close else f"No folder content/news/{target}/"


def _fragment_hint(fragment: str, ids: tuple[str, ...]) -> str:
    if not ids:
        return "That story has no sub-headings to link to"
    close = difflib.get_close_matches(fragment, ids, n=1, cutoff=0.5)
    return f"Did you mean `#{close[0]}`?" if close else "Its headings: " + ", ".join(f"`#{i}`" for i in ids)


#: Languages written in Cyrillic: two of them may share a short headline ("Футбол").
_CYRILLIC = {"uk", "ru", "be", "bg", "sr", "mk", "kk"}


def check_translated_titles(config: SiteConfig, grouped, problems: list[Problem]) -> None:
    """A published translation whose headline is another language's, word for word, was not
    translated. Only a headline of one or two words may be the same in two languages that
    share an alphabet (Ukrainian and Russian: "Футбол")."""
    def alphabet(code: str) -> bool:
        return config.language(code).locale.split("_")[0] in _CYRILLIC

    for translations in grouped.values():
        seen: dict[str, Translation] = {}
        for code in config.fallback_order():
            t = translations.get(code)
            if t is None or t.draft:
                continue
            words = t.title.casefold().split()
            first = seen.setdefault(" ".join(words), t)
            if first is not t and (len(words) >= 3 or alphabet(first.lang) != alphabet(t.lang)):
                problems.append(Problem(t.source, t.line_of("title"), f"the title is the same as in "
                                        f"{first.source.rsplit('/', 1)[1]}: `{t.title}`",
                                        "Translate it, or keep `draft: true` until the translation is ready"))


def _line_of(t: Translation, target: str) -> int:
    return t.lines.get(f"story:{target}", t.lines.get("body", 1))


def _assign_paths(translations: list[Translation], problems: list[Problem]) -> dict[TranslationId, str]:
    owner: dict[str, Translation] = {}
    paths = {}
    for t in translations:
        if t.kind == "news":
            path = story_path(t.lang, t.date, t.slug)
        else:
            if RESERVED_SLUGS.match(t.slug):
                problems.append(Problem(t.source, t.line_of("slug"),
                                        f"the slug `{t.slug}` is reserved for the site's own pages",
                                        "Give the page another `slug:`"))
                continue
            path = page_path(t.lang, t.slug)
        if path in owner:
            problems.append(Problem(t.source, t.line_of("slug" if "slug" in t.lines else "title"),
                                    f"two pages would be written to {path}: this file and {owner[path].source}",
                                    "Give one of them a different `slug:`"))
            continue
        owner[path] = t
        paths[(t.kind, t.key, t.lang)] = path
    return paths


def _check_related(grouped, quiet, known: set[str], problems: list[Problem]) -> None:
    """`related:` ids must name stories; drafts, scheduled and withdrawn ones are left out quietly."""
    for (_kind, key), translations in grouped.items():
        for t in translations.values():
            for target in t.related:
                if target == key:
                    problems.append(Problem(t.source, t.line_of("related"), "a story cannot be related to itself"))
                elif ("news", target) not in grouped and ("news", target) not in quiet:
                    problems.append(Problem(t.source, t.line_of("related"), f"unknown story `{target}` in `related`",
                                            _unknown_story_hint(target, known)))


def _parsed_body(t: Translation) -> object:
    """What stands for `t`'s body as parsed: the body itself or, left in the parse cache, its fingerprint."""
    return ("stored", t.fingerprint) if t.body_stored else t.body_html
