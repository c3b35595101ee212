"""Which pages a build renders, and which keep the previous build's files.

A page is rendered when its inputs' digest differs from the one its file was
made from (`state.InputsDigests`), or when nothing is remembered of it. A page
that reads only stories whose marks are as they were (`reads_unchanged`) is
not even digested: after an edit, 17,900 of 18,000 pages at 5,000 stories.

When a build put a few stories into the very linked site the previous build
of this output was made from (`PatchedFrom`), and that left the lists as they
were, the pages that can have changed are known from those stories alone:
their own pages, the pages whose related cards show them and the list pages
showing them. Then the 178,000 pages of a 50,000-story archive are not
walked one by one; those pages and the few that read the whole site (feeds,
sitemaps, the tag index, redirects) are digested, the rest kept wholesale.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Site
from ..stages.render import PageSpec
from ..stages.write import Placer
from .dependencies import LIST_KINDS, list_structure, reads_unchanged
from .state import InputsDigests, OutputState, spec_key

#: The pages that read only stories (their own, their related ones, those a list shows).
_STORY_READERS = ("story", "page", *LIST_KINDS)


@dataclass(frozen=True)
class PatchedFrom:
    """How this build's linked site came from the last build's: the version it put stories
    into (`LinkedSite.version`), those stories (and the stories a photo of which now has other
    sizes), by (kind, id), and whether the front page, tags and archives are the same objects."""

    version: str
    stories: frozenset[tuple[str, str]]
    same_lists: bool


def pages_to_render(site: Site, specs: tuple[PageSpec, ...], previous: OutputState, placer: Placer,
                    environment: str, state: OutputState, patched_from: PatchedFrom | None = None
                    ) -> list[tuple[PageSpec, str]]:
    """The pages whose inputs changed, with their inputs' digests ("": the workers digest it);
    each other page keeps its previous file and record (noted in `placer` and `state`). Worked
    out before any worker starts: after an edit a handful of pages is rendered, which needs no
    worker at all. With nothing remembered every page is rendered."""
    inputs_digest = InputsDigests(site, environment)
    from_previous = patched_from is not None and bool(previous.linked) and previous.linked == patched_from.version
    if from_previous:
        state.marks = inputs_digest.story_marks(previous.marks, patched_from.stories)
    else:
        state.marks = inputs_digest.story_marks()
    state.marks_base = inputs_digest.marks_base()
    if from_previous and patched_from.same_lists and previous.pages and placer.prefilled is not None \
            and previous.marks_base == state.marks_base:
        work = _pages_of_patched(site, specs, previous, placer, inputs_digest, state)
        if work is not None:
            return work
    months: dict[str, tuple[str, ...]] = {}
    state.structures = {spec_key(spec): list_structure(site, spec, months) for spec in specs
                        if spec.kind in LIST_KINDS}
    if not previous.pages:
        return [(spec, "") for spec in specs]
    unchanged: dict[str, set[str]] = {"news": set(), "page": set()}
    if previous.marks_base == state.marks_base:
        for (kind, story), mark in state.marks.items():
            if previous.marks.get((kind, story)) == mark:
                unchanged[kind].add(story)
    work = []
    for spec in specs:
        key = spec_key(spec)
        before = previous.pages.get(key)
        inputs = "" if before is not None and reads_unchanged(
            site, spec, unchanged, state.structures.get(key), previous.structures.get(key)) else inputs_digest(spec)
        if before is not None and (not inputs or before.inputs == inputs) and placer.keep(before.path):
            state.pages[key] = before
        else:
            work.append((spec, inputs))
    return work


def _pages_of_patched(site: Site, specs: tuple[PageSpec, ...], previous: OutputState, placer: Placer,
                      inputs_digest: InputsDigests, state: OutputState) -> list[tuple[PageSpec, str]] | None:
    """`pages_to_render` when this build patched the linked site the previous one was made
    from, leaving its lists: then the stories, standalone pages and list pages are those the
    previous build made (the same stories in the same lists), and so are their structures. Of
    those, the pages reading a story whose mark changed are digested; the others keep their
    files, all at once. Every page of another kind is digested, as always. None when the pages
    are not those the previous build made after all (the caller walks every page)."""
    changed = {key for key, mark in state.marks.items() if previous.marks.get(key) != mark}
    news = {key for kind, key in changed if kind == "news"}
    reading: set[str] = set()
    for kind, stories in (("story", site.stories), ("page", site.pages)):
        for key, story in stories.items():
            if (story.kind, key) in changed or not news.isdisjoint(story.related):
                reading.update(spec_key(PageSpec(kind, code, key)) for code in story.translations)
    reading.update(key for key, structure in previous.structures.items() if not news.isdisjoint(structure[3]))
    others = [spec for spec in specs if spec.kind not in _STORY_READERS]
    remembered = [key for key in previous.pages if key.partition("\t")[0] in _STORY_READERS]
    if len(remembered) != len(specs) - len(others) or not reading.issubset(previous.pages):
        return None
    state.structures = previous.structures
    kept = {key: previous.pages[key] for key in remembered if key not in reading}
    paths = {record.path for record in kept.values()}
    if not paths <= placer.prefilled:  # a file gone from the output: render its page
        for key in [key for key, record in kept.items() if record.path not in placer.prefilled]:
            reading.add(key)
            del kept[key]
        paths &= placer.prefilled
    placer.placed.update(dict.fromkeys(paths, False))
    state.pages.update(kept)
    work = []
    for spec in [_spec_of(key) for key in reading] + others:
        key = spec_key(spec)
        before = previous.pages.get(key)
        inputs = inputs_digest(spec)
        if before is not None and before.inputs == inputs and placer.keep(before.path):
            state.pages[key] = before
        else:
            work.append((spec, inputs))
    return work


def _spec_of(key: str) -> PageSpec:
    """The page a `spec_key` names."""
    kind, lang, story, number = key.split("\t")
    return PageSpec(kind, lang, story, int(number))
