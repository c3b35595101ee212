"""The last build's linked site, kept for the next build to patch rather than link again.

Linking decides each translation's address and tags, the lists, the related
stories; at 50,000 stories it reads 142,000 records from the parse cache
and walks them a dozen times (7 of an edit's 17 seconds). Most publishes
change the words or the headline of a few stories, which changes nothing
linking decides for the others. So each build leaves its linked site here
(records without bodies, and the parsed files it does not publish: drafts,
stories scheduled for later, withdrawn ones), and the next build, when only a
few files changed, parses those and puts them into the kept site
(`linking/relink.py`); anything more (a file added or removed, a new date or
tag, a draft published) links the whole site as before.

The kept site is trusted only for the same newsgen, settings, tags.toml and
build options, and while the build's time leaves the same translations
published (none scheduled became due).

Writing every story takes 1.5 s at 50,000 stories, so the stories are kept
in a file of their own, written whole now and then; each build writes the
rest (lists, tags, the files' digests) and the stories that differ from that
file's: those it patched, or, after a full link, those whose records, address,
tags, media or related stories changed (`signature`).
"""
from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..config import SiteConfig
from ..errors import Problem
from ..linking.relink import relinked
from ..model import MediaFile, Site, SourceFile, Story, Translation, translation_id
from ..stages.parse import parse_sources
from .cache import CACHE_DIR, ParseCache, code_fingerprint

_SITE_FILE = "linked-site.pickle"  # a `LinkedSite` without its stories
_STORIES_FILE = "linked-stories.pickle"  # (token, (kind, story id) → Story): the stories, written whole
#: The most files a build parses and puts into the kept site; past this, linking the whole
#: site costs about as much, and says more plainly what it found.
MOST_CHANGED = 200
#: The most stories kept as differing from the stories file before it is written whole again
#: (and at most a tenth of them: a small site's is written whole at little cost).
MOST_DIFFERING = 2000

StoryKey = tuple[str, str]  # (kind, story id)


@dataclass(frozen=True)
class KeptStories:
    """How the kept site's stories are kept: the stories file, and those that differ from it."""

    token: str
    signatures: dict[StoryKey, bytes]
    differing: dict[StoryKey, Story | None]  # None: not in the site any more


@dataclass(frozen=True)
class LinkedSite:
    """What a build leaves for the next one to patch (see the module's docstring)."""

    inputs: str  # `linking_inputs` of the build that linked it
    site: Site  # as the last build linked and checked it (the next works out redirects and images again)
    unlinked: tuple[Translation, ...]  # the other translations parsed: drafts, scheduled, withdrawn
    warnings: tuple[Problem, ...]  # what linking reported (warnings only: a failed link is not kept)
    sources: dict[str, str]  # every translation file's path → the digest of its text, as parsed
    media: dict[StoryKey, tuple[MediaFile, ...]]  # each story folder's media, as parsed
    link_time: datetime | None  # the time it linked against (None: every story published)
    published_until: datetime | None  # the newest date of a published (or withdrawn) translation
    waiting_from: datetime | None  # the first date of a translation scheduled for later
    kept_stories: KeptStories | None = None  # how its stories are kept (`keep_linked`)
    #: names this kept site: an output's record says which one its pages were made from
    version: str = ""
    #: `lock_digest` of the content/urls.lock its build left ("": none, as a preview leaves none)
    lock: str = ""

    def holds_for(self, inputs: str, link_time: datetime | None) -> bool:
        """Whether it is what linking would make of the same files with these inputs, at that time."""
        if inputs != self.inputs or (link_time is None) != (self.link_time is None):
            return False
        if link_time is None:
            return True
        return (self.published_until is None or self.published_until <= link_time) and \
            (self.waiting_from is None or link_time < self.waiting_from)

    def parsed(self, sources: list[SourceFile]) -> dict[str, Translation]:
        """What it was made from of the files `sources`, by path: each one's translation as
        linked, or as parsed."""
        paths = {source.path for source in sources}
        found = {t.source: t for t in self.unlinked if t.source in paths}
        for source in sources:
            t = self.site.translation(source.key, source.lang, source.kind)
            if t is not None and t.source == source.path:
                found[source.path] = t
        return found


def signature(story: Story) -> bytes:
    """A digest of all a story is besides its parsed records' fields, which their fingerprints
    stand for: two stories with equal signatures are equal."""
    fields = [story.kind, story.key, *story.related, "\x1d", repr(story.media)]
    for t in story.translations.values():
        fields += (t.lang, t.fingerprint, t.path, *(f"{r.key}\x1e{r.name}\x1e{r.slug}" for r in t.tags), "\x1d")
    return hashlib.blake2b("\x1f".join(fields).encode(), digest_size=16).digest()


def linking_inputs(config: SiteConfig, tag_names: dict, options: tuple) -> str:
    """What linking reads besides the translation files: newsgen, the settings, tags.toml and
    the build's options (drafts, future, preview)."""
    digest = hashlib.sha256(code_fingerprint())
    digest.update(repr((replace(config, root=Path(".")), sorted(tag_names.items()), options)).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Patched:
    """The kept site with the files that changed since, parsed and put in it."""

    site: Site
    translations: list[Translation]  # every file's, as `parse_sources` gives them
    warnings: tuple[Problem, ...]  # what linking reported (the kept site's: nothing it decides changed)
    stories: frozenset[StoryKey]  # the stories put into it
    parsed_again: frozenset[str]  # the paths of the files parsed again
    version: str  # the kept site's it was patched from (`LinkedSite.version`)
    #: what the next build keeps of it as of the kept site, with the files parsed again (a patch
    #: changes no date, and no translation's place in or out of the site: see `patched`)
    unlinked: tuple[Translation, ...]
    sources: dict[str, str]
    published_until: datetime | None
    waiting_from: datetime | None
    lock: str  # the kept site's `lock`
    #: the translations it moved to another address (a new headline's slug): (id, old address, new)
    moves: tuple[tuple[str, str, str], ...]


def lock_digest(text: str) -> str:
    """What a kept site remembers of the content/urls.lock its build left."""
    return hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def patched(last: LinkedSite, config: SiteConfig, sources: tuple[SourceFile, ...],
            media: dict[tuple[str, str], tuple[MediaFile, ...]], cache: ParseCache, jobs: int,
            include_drafts: bool) -> Patched | None:
    """`last`'s site with the files of `sources` that changed since it was linked, or None when
    more changed than their words and headlines (a file added or removed, a story's media, a
    date, tags, a draft published: see `relink.relinked`) or they have problems to report."""
    if len(last.sources) != len(sources):
        return None
    other_media = {story for story, files in media.items() if last.media.get(story) != files}
    changed = []
    for source in sources:
        digest = last.sources.get(source.path)
        if digest is None:
            return None
        if digest != source.digest or (source.kind, source.key) in other_media:
            changed.append(source)
            if len(changed) > MOST_CHANGED:
                return None
    paths = {source.path for source in changed}
    parsed = last.parsed(changed)
    kept = (t for t in itertools.chain(last.unlinked, last.site.translations()) if t.source not in paths)
    if any(problem.path in paths for problem in last.warnings) or not cache.holds(
            bytes.fromhex(t.fingerprint) for t in kept):
        return None
    problems: list[Problem] = []
    now = parse_sources(config, tuple(changed), media, jobs, problems, cache, keep_bodies=False, every_file=False)
    if problems or len(now) != len(changed):
        return None  # linking the whole site reports them
    site, edited, drafts = last.site, {}, {}
    for t in now:
        before = parsed[t.source]
        story = (site.stories if t.kind == "news" else site.pages).get(t.key)
        if story is None or t.lang not in story.translations:  # not published: a draft's words change nothing
            if include_drafts or not (before.draft and t.draft):  # linking decides
                return None
            drafts[t.source] = t
            continue
        if story.media != media.get((t.kind, t.key), ()):
            return None
        edit = edited.setdefault((t.kind, t.key), (dict(story.translations), dict(story.translations)))
        edit[1][t.lang] = t
    if edited:
        taken = {t.path for t in site.translations()} | {t.path for t in site.retracted.values()}
        site = relinked(site, config, edited, None, taken)
        if site is None:
            return None
    cache.drop({bytes.fromhex(parsed[t.source].fingerprint) for t in now})
    unlinked = tuple(drafts.get(t.source, t) for t in last.unlinked)
    moves = tuple((translation_id(kind, key, lang), before.path, t.path) for kind, key in edited
                  for lang, t in (site.stories if kind == "news" else site.pages)[key].translations.items()
                  if (before := last.site.translation(key, lang, kind)).path != t.path)
    return Patched(site, [*site.translations(), *unlinked], last.warnings, frozenset(edited), frozenset(paths),
                   last.version, unlinked, {**last.sources, **{source.path: source.digest for source in changed}},
                   last.published_until, last.waiting_from, last.lock, moves)


def keep_linked(config: SiteConfig, inputs: str, site: Site, translations: list[Translation],
                warnings: tuple[Problem, ...], link_time: datetime | None, include_drafts: bool,
                sources: tuple[SourceFile, ...], media: dict[StoryKey, tuple[MediaFile, ...]],
                last: KeptStories | None, patch: Patched | None, lock_text: str | None = None) -> str | None:
    """Leave `site` (linked at `link_time` from `translations`, parsed from `sources` and `media`)
    for the next build, under a new version (returned; None: it could not be written). `last`: how
    the site this build read was kept; `patch`: the last build's site with the stories this build
    put into it, when it did (else it linked the whole site); `lock_text`: the content/urls.lock
    the build leaves (None: it leaves none)."""
    patched_stories = patch.stories if patch is not None else None
    published_until = waiting_from = None
    if patch is not None:
        published_until, waiting_from = patch.published_until, patch.waiting_from
    elif link_time is not None:
        for t in translations:
            if t.date is None or (t.draft and not include_drafts):
                continue
            if t.date <= link_time:
                published_until = t.date if published_until is None else max(published_until, t.date)
            else:
                waiting_from = t.date if waiting_from is None else min(waiting_from, t.date)
    stories = {("news", key): story for key, story in site.stories.items()}
    stories.update((("page", key), story) for key, story in site.pages.items())
    folder = config.root / CACHE_DIR
    if last is not None and patched_stories is not None:
        differing = {**last.differing, **{key: stories[key] for key in patched_stories}}
    elif last is not None:
        differing = {key: story for key, story in stories.items() if last.signatures.get(key) != signature(story)}
        differing.update((key, None) for key in last.signatures.keys() - stories.keys())
    if last is None or len(differing) > min(MOST_DIFFERING, len(stories) // 10):
        last = KeptStories(uuid.uuid4().hex, {key: signature(story) for key, story in stories.items()}, {})
        differing = {}
        _write(folder / _STORIES_FILE, (last.token, stories))
    rest = replace(site, stories={}, pages={}, bodies=None)
    version = uuid.uuid4().hex
    if patch is not None:
        unlinked, digests = patch.unlinked, patch.sources
    else:
        in_site = {t.source for t in site.translations()}
        unlinked = tuple(t for t in translations if t.source not in in_site)
        digests = {source.path: source.digest for source in sources}
    written = _write(folder / _SITE_FILE, LinkedSite(
        inputs, rest, unlinked, tuple(warnings), digests, media, link_time, published_until, waiting_from,
        replace(last, differing=differing), version, lock_digest(lock_text) if lock_text is not None else ""))
    return version if written else None


def _write(target: Path, value: object) -> bool:
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
        return True
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only site folder: the next build links the whole site
        return False


def read_linked(config: SiteConfig) -> LinkedSite | None:
    """What the last build left (`keep_linked`), if anything readable: its site with its stories."""
    folder = config.root / CACHE_DIR
    found = _read(folder / _SITE_FILE)
    kept_stories = getattr(found, "kept_stories", None)  # (None too for a file of another newsgen's)
    if not isinstance(found, LinkedSite) or not isinstance(kept_stories, KeptStories):
        return None
    stored = _read(folder / _STORIES_FILE)
    if not isinstance(stored, tuple) or len(stored) != 2 or stored[0] != kept_stories.token:
        return None
    stories = stored[1]
    for key, story in kept_stories.differing.items():
        if story is None:
            stories.pop(key, None)
        else:
            stories[key] = story
    ordered = sorted(stories.items())  # by id, as the link stage orders them (a story added since is not last)
    site = replace(found.site, stories={key: story for (kind, key), story in ordered if kind == "news"},
                   pages={key: story for (kind, key), story in ordered if kind == "page"})
    return replace(found, site=site)


def _read(path: Path) -> object:
    try:
        with path.open("rb") as stored:
            return pickle.load(stored)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
