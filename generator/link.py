"""Stage 3, link: translations → stories, URLs, tags, related stories, links.

Groups translations by story id, gives each its URL path, resolves tags
against content/tags.toml, ranks related stories and rewrites `story:` links
to relative URLs, per language with a marked fallback. Produces the `Site`.
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from dataclasses import replace

from .collation import Collation
from .config import SiteConfig
from .errors import Problem
from .load import TAGS_FILE, TagName
from .markup import resolve_story_links
from .model import Site, Story, Tag, TagRef, Translation, translation_id
from .related import rank_related
from .slugs import slugify
from .urls import page_path, relative, story_path

#: Page slugs that would shadow the folders a language section is made of.
RESERVED_SLUGS = re.compile(r"^(tags|page|search|static|feed\.xml|news-sitemap\.xml|\d{4})$")

TranslationId = tuple[str, str, str]  # (kind, key, lang)


class LinkCache:
    """What one link may reuse from the previous one in the same process.

    A build links once; `newsgen serve` links after every edit, and most edits
    change neither tags nor dates, so the related-story ranking is reused.
    """

    def __init__(self) -> None:
        self.collation = Collation()
        self._related_inputs = None
        self._related: dict[str, tuple[str, ...]] = {}
        self._linked: dict[str, tuple] = {}  # source path → (parsed, path, tags, body, linked)
        self._slugs: dict[tuple[str, str], str] = {}
        self._tag_lists: dict[tuple, tuple[TagRef, ...]] = {}
        self.tag_memo: dict[str, tuple] = {}  # source path → (parsed, tag names, resolved tags)
        self._bodies: dict[str, tuple] = {}  # source path → (parsed body, own path, targets, resolved)
        self._targets: dict[str, tuple] = {}  # source path → (its lines mapping, story ids it links to)

    def sorted_tags(self, refs: tuple[TagRef, ...], locale: str) -> tuple[TagRef, ...]:
        memo = (locale, refs)
        if memo not in self._tag_lists:
            self._tag_lists[memo] = tuple(self.collation.sorted(refs, locale, lambda ref: ref.name))
        return self._tag_lists[memo]

    def body(self, t: Translation, path: str, targets: tuple | None, resolve) -> str:
        """`t`'s body with its `story:` links resolved; reused while its targets stay put."""
        memo = self._bodies.get(t.source)
        if targets is not None and memo is not None and memo[0] is t.body_html and memo[1:3] == (path, targets):
            return memo[3]
        body = resolve()
        if targets is not None:
            self._bodies[t.source] = (t.body_html, path, targets, body)
        return body

    def story_targets(self, t: Translation) -> tuple[str, ...]:
        """The story ids `t`'s body links to (the parse stage noted each `story:` link's line)."""
        memo = self._targets.get(t.source)
        if memo is None or memo[0] is not t.lines:
            memo = (t.lines, tuple(name[len("story:"):] for name in t.lines if name.startswith("story:")))
            self._targets[t.source] = memo
        return memo[1]

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
        result = replace(t, path=path, tags=tags, body_html=body)
        self._linked[t.source] = (t, path, tags, body, result)
        return result

    def rank_related(self, explicit, tag_keys, dates) -> dict[str, tuple[str, ...]]:
        inputs = (explicit, tag_keys, dates)
        if inputs != self._related_inputs:
            self._related = rank_related(explicit, tag_keys, dates)
            self._related_inputs = inputs
        return self._related


def link_site(config: SiteConfig, media: dict, tag_names: dict[str, dict[str, TagName]],
              translations: list[Translation], include_drafts: bool, problems: list[Problem],
              cache: LinkCache | None = None) -> Site:
    cache = cache or LinkCache()
    published = [t for t in translations if include_drafts or not t.draft]
    drafts_only = {(t.kind, t.key) for t in translations} - {(t.kind, t.key) for t in published}
    order = {code: i for i, code in enumerate(config.codes)}
    published.sort(key=lambda t: (t.kind, t.key, order[t.lang]))

    paths = _assign_paths(published, problems)
    # A retracted translation keeps its URL (for a notice) and nothing else: no lists, tags or links.
    retracted = {translation_id(t.kind, t.key, t.lang): replace(t, path=paths[(t.kind, t.key, t.lang)], body_html="")
                 for t in published if t.retracted and (t.kind, t.key, t.lang) in paths}
    published = [t for t in published if (t.kind, t.key, t.lang) in paths and not t.retracted]
    withdrawn = {(t.kind, t.key) for t in retracted.values()} - {(t.kind, t.key) for t in published}
    tags = _resolve_tags(config, tag_names, published, cache, problems)
    grouped: dict[tuple[str, str], dict[str, Translation]] = defaultdict(dict)
    for t in published:
        grouped[(t.kind, t.key)][t.lang] = t
    _check_related(grouped, drafts_only | withdrawn, problems)

    news = {key: tr for (kind, key), tr in grouped.items() if kind == "news"}
    pages = {key: tr for (kind, key), tr in grouped.items() if kind == "page"}
    fallback = config.fallback_order()
    ranked = cache.rank_related(
        explicit={key: tuple(k for c in fallback if c in tr for k in tr[c].related) for key, tr in news.items()},
        tag_keys={key: frozenset(tag.key for t in tr.values() for tag in tags[(t.kind, t.key, t.lang)])
                  for key, tr in news.items()},
        dates={key: next(tr[c] for c in fallback if c in tr).date for key, tr in news.items()},
    )

    def story_link(t: Translation, path: str):
        def resolve(target: str, fragment: str, attributes: str, inner: str) -> str:
            candidates = news.get(target) or pages.get(target)
            if not candidates:
                if ("news", target) in withdrawn or ("page", target) in withdrawn:
                    problems.append(Problem(t.source, _line_of(t, target),
                                            f"`story:{target}` links to a story that was withdrawn (`retracted: true`)",
                                            "Remove the link"))
                elif ("news", target) in drafts_only or ("page", target) in drafts_only:
                    problems.append(Problem(t.source, _line_of(t, target),
                                            f"`story:{target}` links to a story that is only a draft",
                                            "Publish it, or build with --drafts to preview"))
                else:
                    problems.append(Problem(t.source, _line_of(t, target), f"unknown story `story:{target}`",
                                            f"No folder content/news/{target}/"))
                return inner
            lang = t.lang if t.lang in candidates else next(c for c in fallback if c in candidates)
            other_t = candidates[lang]
            href = html.escape(relative(path, paths[(other_t.kind, other_t.key, lang)]) + fragment)
            if lang == t.lang:
                return f'<a href="{href}"{attributes}>{inner}</a>'
            other = config.language(lang)
            return (f'<a href="{href}" hreflang="{other.hreflang}" lang="{other.hreflang}"{attributes}>{inner}'
                    f' <span class="lang-label">({html.escape(other.label)})</span></a>')
        return resolve

    def target_paths(t: Translation) -> tuple | None:
        """Where each `story:` link of `t` could lead: what its resolution depends on
        (None when a target is missing: that is a problem to report every time)."""
        found = []
        for target in cache.story_targets(t):
            candidates = news.get(target) or pages.get(target)
            if not candidates:
                return None
            found.append((target, tuple((lang, paths.get((c.kind, c.key, lang))) for lang, c in candidates.items())))
        return tuple(found)

    def linked(t: Translation) -> Translation:
        tid = (t.kind, t.key, t.lang)
        body = t.body_html
        if "story:" in body:
            body = cache.body(t, paths[tid], target_paths(t),
                              lambda: resolve_story_links(t.body_html, story_link(t, paths[tid])))
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
    tag_pages = _tag_pages(config, stories, front, cache.collation)
    return Site(config, stories, standalone, front, tag_pages, archives, retracted=retracted)


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


def _resolve_tags(config: SiteConfig, tag_names: dict[str, dict[str, TagName]], translations: list[Translation],
                  cache: LinkCache, problems: list[Problem]) -> dict[TranslationId, tuple[TagRef, ...]]:
    by_name: dict[tuple[str, str], str] = {}
    for tag_id, names in tag_names.items():
        for lang, name in names.items():
            by_name[(lang, name.name.casefold())] = tag_id
    slug_owner: dict[tuple[str, str], str] = {}
    result = {}
    for t in translations:
        locale = config.language(t.lang).locale
        memo = cache.tag_memo.get(t.source)
        if memo is not None and memo[0] is t and memo[1] is tag_names and all(
                slug_owner.setdefault((t.lang, ref.slug), ref.key) == ref.key for ref in memo[2]):
            result[(t.kind, t.key, t.lang)] = memo[2]
            continue
        before = len(problems)
        refs: dict[str, TagRef] = {}
        for raw in t.raw_tags:
            tag_id = raw if raw in tag_names else by_name.get((t.lang, raw.casefold()))
            if tag_id is not None:
                name = tag_names[tag_id].get(t.lang)
                if name is None:
                    problems.append(Problem(t.source, t.line_of("tags"), f"tag `{raw}` has no {t.lang} name in {TAGS_FILE}",
                                            f"Add `{t.lang} = \"…\"` under [{tag_id}]"))
                    continue
                ref = TagRef(tag_id, name.name, name.slug or cache.slug(name.name, locale))
            else:
                ref = TagRef(f"{t.lang}:{raw.casefold()}", raw, cache.slug(raw, locale))
            if not ref.slug:
                problems.append(Problem(t.source, t.line_of("tags"), f"tag `{raw}` has no letters to make a URL from",
                                        f"Add it to {TAGS_FILE} with a `slug`"))
                continue
            owner = slug_owner.setdefault((t.lang, ref.slug), ref.key)
            if owner != ref.key:
                problems.append(Problem(t.source, t.line_of("tags"), f"tag `{raw}` would share the URL "
                                        f"{t.lang}/tags/{ref.slug}/ with another tag", f"Give one a `slug` in {TAGS_FILE}"))
                continue
            refs.setdefault(ref.key, ref)
        result[(t.kind, t.key, t.lang)] = cache.sorted_tags(tuple(refs.values()), locale)
        if len(problems) == before:
            cache.tag_memo[t.source] = (t, tag_names, result[(t.kind, t.key, t.lang)])
    return result


def _check_related(grouped, drafts_only, problems: list[Problem]) -> None:
    for (_kind, key), translations in grouped.items():
        for t in translations.values():
            for target in t.related:
                if target == key:
                    problems.append(Problem(t.source, t.line_of("related"), "a story cannot be related to itself"))
                elif ("news", target) not in grouped and ("news", target) not in drafts_only:
                    problems.append(Problem(t.source, t.line_of("related"), f"unknown story `{target}` in `related`",
                                            f"No folder content/news/{target}/"))


def _tag_pages(config: SiteConfig, stories: dict[str, Story], front: dict[str, tuple[str, ...]],
               collation: Collation):
    pages: dict[str, dict[str, Tag]] = {}
    for code in config.codes:
        members: dict[str, list[str]] = defaultdict(list)
        names: dict[str, TagRef] = {}
        for key in front[code]:  # newest first already
            for ref in stories[key].translations[code].tags:
                members[ref.key].append(key)
                names.setdefault(ref.key, ref)
        ordered = collation.sorted(members, config.language(code).locale, lambda k: names[k].name)
        pages[code] = {k: Tag(k, code, names[k].name, names[k].slug, tuple(members[k])) for k in ordered}
    return pages
