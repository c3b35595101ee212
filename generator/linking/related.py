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

import heapq
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
    newest_first = {k: -d.timestamp() for k, d in dates.items()}
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
        result[key] = tuple(chosen + _best(scores, newest_first))[: max(KEPT, len(chosen))]
    return result


def _best(scores: dict[str, float], newest_first: dict[str, float]) -> list[str]:
    """The KEPT best-scored keys, newer first on ties, then by key. Scores are rounded, so equal
    sums of different tags (1/2 + 1/3 + 1/6 and 1/2 + 1/2) are a tie; only the scores that can
    reach the KEPT best are rounded and sorted (a story has hundreds of candidates)."""
    if len(scores) > KEPT:
        threshold = heapq.nlargest(KEPT, scores.values())[-1] - 1e-6
        scores = {k: s for k, s in scores.items() if s >= threshold}
    return [k for _, _, k in heapq.nsmallest(KEPT, [(-round(s, 9), newest_first[k], k) for k, s in scores.items()])]


def related_in_language(ranked: tuple[str, ...], has_language) -> tuple[str, ...]:
    """The first SHOWN of `ranked` that have a translation (`has_language(key)`)."""
    shown = []
    for key in ranked:
        if has_language(key):
            shown.append(key)
            if len(shown) == SHOWN:
                break
    return tuple(shown)
