"""Stage 3, link: translations → stories, URLs, tags, related stories, links.

Decides what is published (drafts and stories scheduled for later are not),
groups translations by story id, gives each its URL path, resolves tags
(tags.py), ranks related stories and checks `story:` links (which are rewritten
when a page is rendered: storylinks.py). Produces the `Site`.
"""
from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from ..language.collation import Collation
from ..config import SiteConfig
from ..errors import Problem, warning
from .load import TagName
from ..model import Site, Story, TagRef, Translation, linked_copy, translation_id
from ..linking.related import rank_related
from ..language.slugs import slugify
from ..linking.tags import check_near_misses, resolve_tags, tag_pages
from ..linking.storylinks import link_target, missing_headings
from ..linking.urls import page_path, story_path

#: Page slugs that would shadow the folders a language section is made of.
RESERVED_SLUGS = re.compile(r"^(tags|page|search|static|feed\.xml|news-sitemap\.xml|\d{4})$")

TranslationId = tuple[str, str, str]  # (kind, key, lang)


@dataclass(frozen=True)
class LinkMemo:
    """What a build's link stage keeps for the next build (in the site's cache folder): most
    builds change no story's tags or date, and ranking 5,000 stories' related stories takes
    half a second; loading the collation table for the tags' sort keys a quarter; resolving
    and sorting 14,000 translations' tags a tenth."""

    ranking: tuple | None = None  # (inputs, story key → related keys), as `LinkCache.ranking`
    sort_keys: dict[tuple[str, str], tuple] = field(default_factory=dict)  # `Collation.keys`
    tag_lists: tuple | None = None  # (tag names, locales, lists), as `LinkCache.tag_lists`


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
        #: (tags.toml's names, each language's locale, (lang, tags as written) → resolved tags)
        self._tag_lists: tuple = remembered.tag_lists or ({}, {}, {})
        self._tag_lists_known = len(self._tag_lists[2])
        self._linked: dict[str, tuple] = {}  # source path → (parsed, path, tags, linked)
        self._slugs: dict[tuple[str, str], str] = {}
        self._sorted_tags: dict[tuple, tuple[TagRef, ...]] = {}
        self.tag_memo: dict[str, tuple] = {}  # source path → (parsed, tag names, resolved tags)
        self._near_inputs: tuple | None = None  # what check_near_misses last looked at
        self._near_problems: list[Problem] = []  # and found
        self._titles: dict[tuple[str, str], tuple] = {}  # story → (its translations, problems of their titles)

    def memo(self) -> "LinkMemo | None":
        """What the next build may start from, or None when it is what this one started from."""
        if self.ranking is self._remembered.ranking and not self.collation.learned and \
                self._tag_lists is self._remembered.tag_lists and len(self._tag_lists[2]) == self._tag_lists_known:
            return None
        return LinkMemo(self.ranking, self.collation.keys, self._tag_lists)

    def tag_lists(self, tag_names, locales: dict[str, str]) -> dict:
        """`resolve_tags`' lists of tags as written → resolved, while tags.toml and the locales are
        as they were when they were resolved."""
        if self._tag_lists[0] != tag_names or self._tag_lists[1] != locales:
            self._tag_lists = (tag_names, locales, {})
        return self._tag_lists[2]

    def sorted_tags(self, refs: tuple[TagRef, ...], locale: str) -> tuple[TagRef, ...]:
        memo = (locale, refs)
        if memo not in self._sorted_tags:
            self._sorted_tags[memo] = tuple(self.collation.sorted(refs, locale, lambda ref: ref.name))
        return self._sorted_tags[memo]

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

    def linked(self, t: Translation, path: str, tags: tuple[TagRef, ...]) -> Translation:
        """`t` with its link-stage fields; the same object as last time when nothing changed."""
        memo = self._linked.get(t.source)
        if memo is not None and memo[0] is t and memo[1] == path and memo[2] == tags:
            return memo[3]
        result = linked_copy(t, path=path, tags=tags)
        self._linked[t.source] = (t, path, tags, result)
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
    tags = resolve_tags(config, tag_names, published, cache.tag_memo, cache.slug, cache.sorted_tags, problems,
                        cache.tag_lists(tag_names, {language.code: language.locale for language in config.languages}))
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

    def check_links(t: Translation) -> None:
        """Report what is wrong with `t`'s `story:` links (they are resolved when its page is rendered)."""
        for target in t.story_links:
            line = _line_of(t, target)
            candidates = news.get(target) or pages.get(target)
            if candidates:
                other_t = link_target(t, candidates, fallback)
                for fragment in missing_headings(t, target, other_t):
                    problems.append(Problem(t.source, line, f"`story:{target}#{fragment}`: {other_t.source} has "
                                            f"no heading with the id `{fragment}`",
                                            _fragment_hint(fragment, other_t.heading_ids)))
            elif withdrawn.get(("news", target)) or withdrawn.get(("page", target)):
                problems.append(warning(t.source, line, f"`story:{target}` links to a story that was withdrawn "
                                        "(`retracted: true`): the link leads to its withdrawal notice",
                                        "Remove the link when you next edit this story"))
            elif (waiting_t := scheduled.get(("news", target)) or scheduled.get(("page", target))) is not None:
                problems.append(warning(t.source, line, f"`story:{target}` links to a story scheduled for "
                                        f"{waiting_t.date.isoformat()}: shown as plain text until it is "
                                        "published", "Rebuild after that time to link it"))
            elif ("news", target) in drafts_only or ("page", target) in drafts_only:
                problems.append(Problem(t.source, line, f"`story:{target}` links to a story that is only a draft",
                                        "Publish it, or build with --drafts to preview"))
            elif ("news", target) not in unreadable and ("page", target) not in unreadable:
                problems.append(Problem(t.source, line, f"unknown story `story:{target}`",
                                        _unknown_story_hint(target, all_ids)))

    def linked(t: Translation) -> Translation:
        tid = (t.kind, t.key, t.lang)
        check_links(t)
        return cache.linked(t, paths[tid], tags[tid])

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
