"""Related stories: chosen once per story, then filtered per language.

First the story's own `related:` list, then stories that share its tags, a
rarer tag counting more (each shared tag adds 1 / the number of stories that
carry it), newer first on ties, then by id so the result is deterministic.

Candidates come from the tag index, never from comparing every pair of
stories. For a tag carried by very many stories only the `WINDOW` stories
published nearest to this one (before and after) are considered: such a tag
adds little to a score, and what is near in time is what a reader wants.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

#: How many related stories a page shows.
SHOWN = 4
#: How many candidates a story keeps before filtering per language.
KEPT = 16
#: Neighbours considered on each side within one large tag.
WINDOW = 50


def rank_related(
    explicit: dict[str, tuple[str, ...]],  # story key → its `related:` keys
    tag_keys: dict[str, set[str]],  # story key → tag keys of all its translations
    dates: dict[str, datetime],  # story key → publication date
) -> dict[str, tuple[str, ...]]:
    """Story key → up to KEPT related story keys, best first."""
    by_tag: dict[str, list[str]] = defaultdict(list)
    for key, tags in tag_keys.items():
        for tag in tags:
            by_tag[tag].append(key)
    position: dict[str, dict[str, int]] = {}
    for tag, keys in by_tag.items():
        keys.sort(key=lambda k: (dates[k], k), reverse=True)
        position[tag] = {k: i for i, k in enumerate(keys)}

    result = {}
    for key in dates:
        chosen = [k for k in dict.fromkeys(explicit.get(key, ())) if k != key and k in dates]
        scores: dict[str, float] = defaultdict(float)
        for tag in sorted(tag_keys.get(key, ())):  # a fixed order: float sums then come out the same every run
            keys = by_tag[tag]
            weight = 1.0 / len(keys)
            if len(keys) > 2 * WINDOW + 1:
                i = position[tag][key]
                keys = keys[max(0, i - WINDOW): i + WINDOW + 1]
            for other in keys:
                scores[other] += weight
        scores.pop(key, None)
        for k in chosen:
            scores.pop(k, None)
        # Rounded: equal scores summed from different tags (1/2 + 1/3 + 1/6 and 1/2 + 1/2) are a tie.
        ranked = sorted(scores, key=lambda k: (-round(scores[k], 9), -dates[k].timestamp(), k))
        result[key] = tuple(chosen + ranked)[: max(KEPT, len(chosen))]
    return result


def related_in_language(ranked: tuple[str, ...], has_language) -> tuple[str, ...]:
    """The first SHOWN of `ranked` that have a translation (`has_language(key)`)."""
    shown = []
    for key in ranked:
        if has_language(key):
            shown.append(key)
            if len(shown) == SHOWN:
                break
    return tuple(shown)
