"""Tags, part of the link stage: what each translation's `tags:` mean, and the tag pages.

A tag is given by its id in content/tags.toml or by its name in the
translation's language; a name that is in neither lives in that language
alone. A new name one or two letters off a known tag (`Дронии` beside
`Дрони`, `dornes` beside `drones`) is almost always a typo that would quietly
open a second tag page, so it is an error naming the known tag.
"""
from __future__ import annotations

import re
from collections import defaultdict
from typing import Callable

from ..language.collation import Collation
from ..config import SiteConfig
from ..errors import Problem
from ..stages.load import TAGS_FILE, TagName
from ..model import Story, Tag, TagRef, Translation

TranslationId = tuple[str, str, str]  # (kind, key, lang)
_DIGITS = re.compile(r"\d+")


def resolve_tags(config: SiteConfig, tag_names: dict[str, dict[str, TagName]], translations: list[Translation],
                 memo: dict, slug: Callable[[str, str], str], sort: Callable,
                 problems: list[Problem], by_list: dict | None = None) -> dict[TranslationId, tuple[TagRef, ...]]:
    """Each translation's tags, in its language's alphabetical order.

    `memo` (source path → (translation, tag names, result)) is kept between the
    rebuilds of `newsgen serve`; `slug(name, locale)` and `sort(refs, locale)` may be memoised too;
    `by_list` ((lang, tags as written) → resolved), kept while `tag_names` are the same, is added to."""
    by_name: dict[tuple[str, str], str] = {}
    for tag_id, names in tag_names.items():
        for lang, name in names.items():
            by_name[(lang, name.name.casefold())] = tag_id
    slug_owner: dict[tuple[str, str], str] = {}
    locales = {language.code: language.locale for language in config.languages}
    # An archive has thousands of translations and far fewer different lists of tags: a list
    # that resolved without a problem resolves the same for the next translation that has it.
    by_list = {} if by_list is None else by_list
    # one object per tag: an archive's 430,000 uses of a tag are of a few hundred tags
    shared: dict[TagRef, TagRef] = {}
    result = {}
    for t in translations:
        locale = locales[t.lang]
        cached = memo.get(t.source)
        if cached is not None and cached[0] is t and cached[1] is tag_names:
            known = cached[2]
        else:
            known = by_list.get((t.lang, t.raw_tags))
        if known is not None and all(slug_owner.setdefault((t.lang, ref.slug), ref.key) == ref.key for ref in known):
            result[(t.kind, t.key, t.lang)] = known
            memo[t.source] = (t, tag_names, known)
            continue
        before = len(problems)
        refs: dict[str, TagRef] = {}
        for raw in t.raw_tags:
            tag_id = raw if raw in tag_names else by_name.get((t.lang, raw.casefold()))
            if tag_id is not None:
                name = tag_names[tag_id].get(t.lang)
                if name is None:
                    problems.append(Problem(t.source, t.line_of("tags"), f"tag `{raw}` has no {t.lang} name in "
                                            f"{TAGS_FILE}", f"Add `{t.lang} = \"…\"` under [{tag_id}]"))
                    continue
                ref = TagRef(tag_id, name.name, name.slug or slug(name.name, locale))
            else:
                ref = TagRef(free_tag_key(t.lang, raw), raw, slug(raw, locale))
            if not ref.slug:
                problems.append(Problem(t.source, t.line_of("tags"), f"tag `{raw}` has no letters to make a URL from",
                                        f"Add it to {TAGS_FILE} with a `slug`"))
                continue
            owner = slug_owner.setdefault((t.lang, ref.slug), ref.key)
            if owner != ref.key:
                problems.append(Problem(t.source, t.line_of("tags"), f"tag `{raw}` would share the URL "
                                        f"{t.lang}/tags/{ref.slug}/ with another tag", f"Give one a `slug` in {TAGS_FILE}"))
                continue
            refs.setdefault(ref.key, shared.setdefault(ref, ref))
        result[(t.kind, t.key, t.lang)] = sort(tuple(refs.values()), locale)
        if len(problems) == before:
            memo[t.source] = (t, tag_names, result[(t.kind, t.key, t.lang)])
            by_list[(t.lang, t.raw_tags)] = result[(t.kind, t.key, t.lang)]
    return result


def free_tag_key(lang: str, name: str) -> str:
    """The key of a tag that is not in tags.toml: it lives in one language."""
    return f"{lang}:{name.casefold()}"


def check_near_misses(tag_names: dict[str, dict[str, TagName]], translations: list[Translation],
                      tags: dict[TranslationId, tuple[TagRef, ...]], problems: list[Problem]) -> None:
    """A tag not in tags.toml whose name is a letter or two off a known tag is an error.

    Known: the language's names in tags.toml, and names other stories use more
    (or as often, since earlier). Names that differ only in their digits
    (`G7`, `G20`; `Euro 2024`) are different tags, not typos."""
    declared: dict[str, set[str]] = defaultdict(set)
    for names in tag_names.values():
        for lang, name in names.items():
            declared[lang].add(name.name)
    uses: dict[str, list] = {}  # free tag key → [stories, order of first use, users, name]
    for t in sorted(translations, key=lambda t: (t.date is None, t.date or 0, t.source)):
        for ref in tags.get((t.kind, t.key, t.lang), ()):
            if ref.key.startswith(f"{t.lang}:"):
                entry = uses.setdefault(ref.key, [0, len(uses), [], ref.name])
                entry[0] += 1
                entry[2].append(t)
    for lang in sorted({key.split(":", 1)[0] for key in uses}):
        free = {entry[3]: entry for key, entry in uses.items() if key.startswith(f"{lang}:")}
        index = _NearIndex(declared[lang] | set(free))
        for name, (count, first, users, _) in free.items():
            for known in index.near(name):
                rank = free.get(known)
                if rank is None or (rank[0], -rank[1]) > (count, -first):
                    where = "in " + TAGS_FILE if rank is None else f"on {rank[0]} other " + (
                        "story" if rank[0] == 1 else "stories")
                    for t in users:
                        problems.append(Problem(
                            t.source, t.line_of("tags"), f"tag `{name}` is new, and close to the tag `{known}` "
                            f"({where})", f"Write `{known}`; if `{name}` is a different tag, declare it in {TAGS_FILE} "
                            f"(`[tag-id]` with `{lang} = \"{name}\"`)"))
                    break


def allowed_edits(name: str) -> int:
    """How many letters may differ for a name to count as a typo of another: none in short
    names (Iran and Iraq are different places), one up to eight letters, then two."""
    length = len(name)
    return 0 if length < 5 else 1 if length < 9 else 2


class _NearIndex:
    """Finds the names within a typo of a name without comparing every pair
    (an archive holds thousands of tags): each name is filed under the strings
    left after deleting up to two of its letters, and two names within k edits
    share such a string."""

    def __init__(self, names: set[str]):
        self.by_deletion: dict[str, set[str]] = defaultdict(set)
        for name in names:
            for variant in _deletions(name.casefold(), 2):
                self.by_deletion[variant].add(name)

    def near(self, name: str) -> list[str]:
        limit = allowed_edits(name)
        if not limit:
            return []
        folded = name.casefold()
        found = set()
        for variant in _deletions(folded, limit):
            found |= self.by_deletion.get(variant, set())
        close = []
        for other in found:
            other_folded = other.casefold()
            if other_folded == folded or _DIGITS.sub("", other_folded) == _DIGITS.sub("", folded):
                continue
            if _distance(folded, other_folded) <= limit:
                close.append(other)
        return sorted(close, key=lambda other: (_distance(folded, other.casefold()), other))


def _deletions(word: str, depth: int) -> set[str]:
    found, frontier = {word}, {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from `a` to `b`."""
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def tag_pages(config: SiteConfig, stories: dict[str, Story], front: dict[str, tuple[str, ...]],
              collation: Collation) -> dict[str, dict[str, Tag]]:
    """Each language's tags, in its alphabetical order, with their stories, newest first."""
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
