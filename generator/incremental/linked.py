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
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..config import SiteConfig
from ..errors import Problem
from ..linking.relink import relinked
from ..model import MediaFile, Site, SourceFile, Translation
from ..stages.parse import parse_sources
from .cache import CACHE_DIR, ParseCache, code_fingerprint

_FILE = "linked-site.pickle"
#: The most files a build parses and puts into the kept site; past this, linking the whole
#: site costs about as much, and says more plainly what it found.
MOST_CHANGED = 200


@dataclass(frozen=True)
class LinkedSite:
    inputs: str  # `linking_inputs` of the build that linked it
    site: Site  # as the link stage made it, before redirects, images and the build's time
    unlinked: tuple[Translation, ...]  # the other translations parsed: drafts, scheduled, withdrawn
    warnings: tuple[Problem, ...]  # what linking reported (warnings only: a failed link is not kept)
    link_time: datetime | None  # the time it linked against (None: every story published)
    published_until: datetime | None  # the newest date of a published (or withdrawn) translation
    waiting_from: datetime | None  # the first date of a translation scheduled for later

    def holds_for(self, inputs: str, link_time: datetime | None) -> bool:
        """Whether it is what linking would make of the same files with these inputs, at that time."""
        if inputs != self.inputs or (link_time is None) != (self.link_time is None):
            return False
        if link_time is None:
            return True
        return (self.published_until is None or self.published_until <= link_time) and \
            (self.waiting_from is None or link_time < self.waiting_from)

    def parsed(self) -> dict[str, Translation]:
        """Every file it was made from, by path: its translation as linked, or as parsed."""
        found = {t.source: t for t in self.unlinked}
        for stories in (self.site.stories, self.site.pages):
            for story in stories.values():
                for t in story.translations.values():
                    found[t.source] = t
        return found


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
    stories: int  # the stories put into it


def patched(last: LinkedSite, config: SiteConfig, sources: tuple[SourceFile, ...],
            media: dict[tuple[str, str], tuple[MediaFile, ...]], cache: ParseCache, jobs: int,
            include_drafts: bool) -> Patched | None:
    """`last`'s site with the files of `sources` that changed since it was linked, or None when
    more changed than their words and headlines (a file added or removed, a story's media, a
    date, tags, a draft published: see `relink.relinked`) or they have problems to report."""
    parsed = last.parsed()
    if len(parsed) != len(sources):
        return None
    changed = []
    for source in sources:
        before = parsed.get(source.path)
        if before is None:
            return None
        if before.fingerprint != cache.key(source, media.get((source.kind, source.key), ())).hex():
            changed.append(source)
            if len(changed) > MOST_CHANGED:
                return None
    paths = {source.path for source in changed}
    if any(problem.path in paths for problem in last.warnings) or not cache.holds(
            bytes.fromhex(t.fingerprint) for path, t in parsed.items() if path not in paths):
        return None
    problems: list[Problem] = []
    now = parse_sources(config, tuple(changed), media, jobs, problems, cache, keep_bodies=False, every_file=False)
    if problems or len(now) != len(changed):
        return None  # linking the whole site reports them
    unlinked = {t.source: t for t in last.unlinked}
    site, edited = last.site, {}
    for t in now:
        before = parsed[t.source]
        if t.source in unlinked:  # a draft's words: nothing linking decides
            if include_drafts or not (before.draft and t.draft):
                return None
            unlinked[t.source] = t
            continue
        story = (site.stories if t.kind == "news" else site.pages).get(t.key)
        if story is None or story.media != media.get((t.kind, t.key), ()):
            return None
        edit = edited.setdefault((t.kind, t.key), (dict(story.translations), dict(story.translations)))
        edit[1][t.lang] = t
    if edited:
        taken = {t.path for stories in (site.stories, site.pages) for story in stories.values()
                 for t in story.translations.values()} | {t.path for t in site.retracted.values()}
        site = relinked(site, config, edited, None, taken)
        if site is None:
            return None
    cache.drop({bytes.fromhex(parsed[t.source].fingerprint) for t in now})
    translations = [t for stories in (site.stories, site.pages) for story in stories.values()
                    for t in story.translations.values()]
    return Patched(site, translations + list(unlinked.values()), last.warnings, len(edited))


def keep(config: SiteConfig, inputs: str, site: Site, translations: list[Translation],
         warnings: tuple[Problem, ...], link_time: datetime | None, include_drafts: bool) -> None:
    """Leave `site` (linked from `translations` at `link_time`) for the next build."""
    in_site = {t.source for stories in (site.stories, site.pages) for story in stories.values()
               for t in story.translations.values()}
    unlinked = tuple(t for t in translations if t.source not in in_site)
    published_until = waiting_from = None
    if link_time is not None:
        for t in translations:
            if t.date is None or (t.draft and not include_drafts):
                continue
            if t.date <= link_time:
                published_until = t.date if published_until is None else max(published_until, t.date)
            else:
                waiting_from = t.date if waiting_from is None else min(waiting_from, t.date)
    kept = LinkedSite(inputs, replace(site, bodies=None), unlinked, tuple(warnings), link_time, published_until,
                      waiting_from)
    target = config.root / CACHE_DIR / _FILE
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as out:
            pickle.dump(kept, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)  # a read-only site folder: the next build links the whole site


def kept(config: SiteConfig) -> LinkedSite | None:
    """What the last build left (`keep`), if anything readable."""
    try:
        with (config.root / CACHE_DIR / _FILE).open("rb") as stored:
            found = pickle.load(stored)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    return found if isinstance(found, LinkedSite) else None


def forget(config: SiteConfig) -> None:
    """Remove the kept site (a build that could not link leaves none behind)."""
    (config.root / CACHE_DIR / _FILE).unlink(missing_ok=True)
