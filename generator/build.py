"""The build pipeline: load → parse → link → render → write (→ search index).

Everything is gathered (and every problem found) before anything is rendered;
nothing is written outside a staging folder until the whole site rendered.
"""
from __future__ import annotations

import functools
import gc
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from babel.support import NullTranslations

from .incremental.cache import CACHE_DIR, ParseCache, StoredBodies, keep_link_memo, read_link_memo
from .incremental.choose import PatchedFrom, pages_to_render
from .incremental.linked import Patched, keep_linked, linking_inputs, lock_digest, patched, read_linked
from .config import SiteConfig, load_config
from .content.bodylinks import check_body_links, page_paths, published_paths
from .errors import BuildFailed, Problem, errors_in, warning
from .language.i18n import load_catalogs
from .outputs.images import prepare_images, published_files
from .stages.link import LinkCache, link_site
from .stages.load import load_site
from .model import Site, Translation
from .memory import return_freed_memory
from .parallel import default_jobs, map_chunks
from .stages.parse import parse_sources
from .stages.render import PageSpec, Renderer, check_templates, plan_pages
from .pause import pause_point
from .outputs.search import SearchIndex
from .incremental.stamp import environment_digest, marker_text, scan_sources, scanned_digest, source_stamp
from .desk.status import Scan, remember as remember_status
from .incremental.dependencies import stories_with_other_photos
from .incremental.state import InputsDigests, OutputState, PageRecord, digest, spec_key
from .stages.write import (Changes, Placer, discard, files_of, media_files, output_lock, publish, remove_leftovers,
                    spare_folder, start_staging, static_files)
from .linking.urllock import LOCK_FILE, LockEntry, moved_lock, plan_redirects, read_lock, updated_lock, write_lock
from .outputs.xmlout import sitemap_files


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output: Path | None = None  # default: <site>/output
    base_url: str | None = None
    drafts: bool = False
    jobs: int = 0  # 0: all cores
    cache: bool = True  # reuse parsed files from <site>/.newsgen-cache
    now: datetime | None = None  # the build's time (default: the clock): what is scheduled, what is "recent"
    future: bool = False  # publish stories dated after the build's time now
    clean: bool = False  # render every page, trusting nothing remembered of the previous build
    preview: bool = False  # `serve`: scheduled stories are shown, and drafts and those are marked
    encode_images: bool = True  # False (`check`): read image sizes, make no smaller copies

    @property
    def output_dir(self) -> Path:
        return (self.output or self.site_dir / "output").absolute()

    @property
    def job_count(self) -> int:
        return self.jobs or default_jobs()


@dataclass(frozen=True)
class BuildResult:
    pages: int  # pages and sitemaps the output has
    seconds: float
    images_encoded: int = 0  # lead-image variants made (not found in the cache)
    search_reused: bool = False  # no page changed, so the previous search index was kept
    search_indexed: tuple[str, ...] = ()  # the parts of the search index this build made again
    search_parts: int = 0  # the parts the search index has (0: no search, or nothing was built)
    warnings: tuple[Problem, ...] = ()
    rendered: int = 0  # pages rendered (the others' inputs were as before)
    changes: Changes | None = None  # files written, kept and removed, compared with the previous output
    relinked: int | None = None  # stories put into the last build's linked site (None: the whole site was linked)


@dataclass(frozen=True)
class Gathered:
    site: Site
    catalogs: dict[str, NullTranslations]
    images_encoded: int
    lock_text: str | None  # content/urls.lock as the build leaves it (None: it writes none, as a preview)
    warnings: tuple[Problem, ...] = ()
    relinked: int | None = None  # stories put into the last build's linked site (None: the site was linked)
    kept_as: str | None = None  # the version of the linked site this build kept (None: none kept)
    patched_from: PatchedFrom | None = None  # how the site came from the last build's linked site, if it did
    specs: tuple[PageSpec, ...] = ()  # every page of the site, in the order of `plan_pages`
    made: dict[str, Path] = field(default_factory=dict)  # the image files published (`images.published_files`)


def collector_paused(stage):
    """Run `stage` with Python's cycle collector off. Loading, parsing and linking an archive
    make millions of long-lived objects and almost no cyclic garbage, and each full collection
    walked all of them again: a quarter of an edit's time at 5,000 stories. Reading the records
    of the last build (the status index, the output's) did the same on a smaller scale."""
    @functools.wraps(stage)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return stage(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return paused


@collector_paused
def gather(options: BuildOptions, config: SiteConfig | None = None, scanned: Scan | None = None) -> Gathered:
    """Load, parse and link the whole site, size its images, load the theme's catalogs
    and compile its templates; raise BuildFailed listing every problem of every stage.
    `scanned`: the story folders as the build found them, which tells the files it need not read.
    When only a few files changed since the last build, those are parsed and put into the site
    that build linked (`incremental/linked.py`), rather than every record read and linked again."""
    config = config or load_config(options.site_dir.absolute(), options.base_url)
    problems: list[Problem] = []
    trusted = scanned.digests if scanned and options.cache and not options.clean else None
    loaded = load_site(config, problems, trusted, scanned.listing if scanned else None, keep_text=False,
                       folders=scanned.folders if scanned else None)
    catalogs = load_catalogs(config, problems)
    check_templates(config, problems)
    cache = ParseCache(config, enabled=options.cache)
    inputs = linking_inputs(config, loaded.tag_names, (options.drafts, options.future, options.preview))
    link_time = None if options.future or options.preview else build_time(options, config)
    last = read_linked(config) if options.cache and not options.clean and not errors_in(problems) else None
    patch = patched(last, config, loaded.sources, loaded.media, cache, options.job_count, options.drafts) \
        if last and last.holds_for(inputs, link_time) else None
    kept_stories = last.kept_stories if last else None
    del last  # (a full link makes every record again: this site's are not kept alive through it)
    if patch:
        translations = patch.translations
    else:
        translations = parse_sources(config, loaded.sources, loaded.media, options.job_count, problems, cache,
                                     keep_bodies=False)
    remember_status(config, loaded.sources, translations, scanned.index if scanned else None,
                    patch.parsed_again if patch else None, scanned.kept if scanned else None)
    # content/urls.lock and its redirects, unless they follow from the kept site's
    kept_lock = _kept_lock(config, patch) if patch and not options.drafts else None
    lock = () if kept_lock is not None else read_lock(config, problems)
    link_cache = LinkCache(read_link_memo(config) if options.cache and not patch else None)
    # (a patched site's files all parsed: the kept site's build failed on any that did not)
    unreadable = frozenset() if patch else unparsed(loaded.sources, translations)
    linked = link_and_check(config, loaded.media, loaded.tag_names, translations, unreadable, lock, options, problems,
                            link_cache, StoredBodies(cache.path), (patch.site, patch.warnings) if patch else None,
                            redirects=kept_lock[1] if kept_lock else None, changed=patch.stories if patch else None)
    if options.cache and not patch:
        keep_link_memo(config, link_cache.memo())
    _stop_if(problems)
    lock_text = None if options.drafts else kept_lock[0] if kept_lock else updated_lock(linked.site, lock)
    kept_as = keep_linked(config, inputs, linked.site, translations, linked.link_warnings, link_time, options.drafts,
                          loaded.sources, loaded.media, kept_stories, patch, lock_text) if options.cache else None
    return Gathered(linked.site, catalogs, linked.images_encoded, lock_text, tuple(sorted(set(problems))),
                    relinked=len(patch.stories) if patch else None, kept_as=kept_as,
                    patched_from=_patched_from(patch, linked.site) if patch else None,
                    specs=linked.specs, made=linked.made)


def _kept_lock(config: SiteConfig, patch: Patched) -> tuple[str, dict[str, str]] | None:
    """content/urls.lock and its redirects as this build leaves them, worked out from the kept site's
    (`urllock.moved_lock`) when the lock is the one its build left; None: read and plan them."""
    if not patch.lock:
        return None
    try:
        text = (config.root / LOCK_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if lock_digest(text) != patch.lock:
        return None
    return moved_lock(text, patch.site.redirects, patch.moves) if patch.moves else (text, dict(patch.site.redirects))


def _patched_from(patch: Patched, site: Site) -> PatchedFrom:
    """How `site` (linked and checked) came from the kept site `patch` put stories into."""
    before = patch.site
    same_lists = before.front is site.front and before.tags is site.tags and before.archives is site.archives
    return PatchedFrom(patch.version, patch.stories | stories_with_other_photos(before, site), same_lists)


def unparsed(sources, translations: list[Translation]) -> frozenset[tuple[str, str, str]]:
    """(kind, key, lang) of the files that were read but could not be parsed."""
    return frozenset((s.kind, s.key, s.lang) for s in sources) - {(t.kind, t.key, t.lang) for t in translations}


@dataclass(frozen=True)
class Linked:
    site: Site
    images_encoded: int
    link_warnings: tuple[Problem, ...]  # what the link stage reported (the next build may keep them with the site)
    specs: tuple[PageSpec, ...]  # every page, in the order of `plan_pages` (the sitemaps')
    made: dict[str, Path]  # the image files published (`images.published_files`)

    @functools.cached_property
    def pages(self) -> dict[str, PageSpec]:
        """Every page by its output path (`bodylinks.page_paths`): made when asked for (`serve`
        asks; a build needs it only to check a body's relative link)."""
        return page_paths(self.site, list(self.specs))


def link_and_check(config: SiteConfig, media: dict, tag_names: dict, translations: list[Translation],
                   unreadable: frozenset, lock: tuple[LockEntry, ...], options: BuildOptions,
                   problems: list[Problem],
                   link_cache: LinkCache | None = None,
                   bodies: StoredBodies | None = None,
                   linked: tuple[Site, tuple[Problem, ...]] | None = None,
                   redirects: dict[str, str] | None = None,
                   changed: frozenset[tuple[str, str]] | None = None) -> Linked:
    """The link stage and what checks the linked site: urls.lock, images, body links.
    Goes on whatever earlier stages found, so one run reports everything. `linked`: the site
    linked already (the last build's, patched), with what its link reported; `redirects`:
    the redirects of `lock` when they are known already (`_kept_lock`), and it is not read;
    `changed`: the stories (kind, id) put into `linked`, the only ones whose body links are checked
    (the others' were, against an output of which the patch removes no file: a story it moves
    leaves a redirect at its old address)."""
    now = build_time(options, config)
    problems.extend(warning(t.source, line, message, hint) for t in translations for line, message, hint in t.notes)
    if linked is None:
        before = len(problems)
        site = link_site(config, media, tag_names, translations, options.drafts, problems, link_cache,
                         now=None if options.future or options.preview else now,
                         unreadable=frozenset((kind, key) for kind, key, _ in unreadable), bodies=bodies)
        link_warnings = tuple(problems[before:])
    else:
        site, link_warnings = replace(linked[0], config=config, bodies=bodies), linked[1]  # (the site may move)
        problems.extend(link_warnings)
    if redirects is None:
        redirects = plan_redirects(site, lock, translations, problems, unreadable)
    cache_root = config.root / CACHE_DIR
    prepared = prepare_images(site, cache_root, options.job_count, problems,
                              prune=not options.preview and not errors_in(problems), encode=options.encode_images)
    site = replace(site, now=now, images=prepared.images, redirects=redirects,
                   preview=options.preview or options.drafts)
    specs = plan_pages(site)
    linked = Linked(site, prepared.encoded, link_warnings, tuple(specs), published_files(site, cache_root))
    check_body_links(site if changed is None else site.with_only(changed),
                     lambda: published_paths(site, linked.made, linked.pages), problems)
    return linked


def build_time(options: BuildOptions, config: SiteConfig) -> datetime:
    """`--now` (a naive time is in the site's timezone), else the clock."""
    if options.now is None:
        return datetime.now(config.tz)
    return options.now if options.now.tzinfo else options.now.replace(tzinfo=config.tz)


@collector_paused
def build(options: BuildOptions, on_wait=None, keep_alive: list | None = None) -> BuildResult:
    """Build the site into its output (see the module's docstring). `keep_alive`: a list the
    build leaves its records of the archive in, for a caller whose process ends right after
    (`cli.run`): freeing them one object at a time as the build returned took 0.4 s of a
    one-story publish at 50,000 stories."""
    started = time.perf_counter()
    output = options.output_dir
    config = load_config(options.site_dir.absolute(), options.base_url)  # a bad --site fails before anything is made
    options = replace(options, now=build_time(options, config))  # one time for the whole build
    cache_dir = config.root / CACHE_DIR
    environment = environment_digest(config, (options.drafts, options.future, options.preview))
    publish_all = options.future or options.preview
    with output_lock(output, cache_dir, on_wait):
        scanned = scan_sources(config)
        scanned_stamp = scanned_digest(scanned, options.now, publish_all)
        last = None if options.clean else OutputState.summary(cache_dir, output)
        if last and last["marker"] == marker_text(source_stamp(config, scanned_stamp, environment)):
            # nothing the output is made from changed since it was built: nothing to do
            return BuildResult(last["pages"], time.perf_counter() - started, search_reused=config.search,
                               changes=Changes((), last["published"], ()))
        previous = OutputState() if options.clean else OutputState.load(cache_dir, output)
        gathered = gather(options, config, scanned)
        return_freed_memory()
        site, catalogs = gathered.site, gathered.catalogs
        remove_leftovers(output)
        lock = gathered.lock_text
        spare = spare_folder(cache_dir, output)
        staging, prefilled = start_staging(output, spare, *(previous.spare or ("", ())))
        try:
            placer = Placer(staging, output, previous.published if prefilled else None)
            state, rendered = _render_and_write(site, gathered.specs, catalogs, placer, previous, environment,
                                                options.job_count, gathered.patched_from)
            state.linked = gathered.kept_as or ""
            pause_point("writing")
            for path, source in {**static_files(site), **media_files(site, gathered.made)}.items():
                placer.file(path, source)
            search = None
            if config.search:
                search = SearchIndex(placer, state.pages, {l.code: l.hreflang for l in config.languages},
                                     options.job_count)
                _stop_if(search.make(previous.pages, previous.search, rendered))
                state.search = search.plan
            state.marker = marker_text(source_stamp(config, scanned_stamp, environment, lock))
            changes = placer.changes(previous.published if previous.marker else files_of(output))
            state.published = set(placer.placed)
            placer.remove_unplaced()
            pause_point("publishing")
            if publish(staging, output, state.marker, spare if previous.marker else None):
                state.spare = (previous.marker, changes.written + changes.removed)
        except BaseException:
            discard(staging)
            raise
        state.save(cache_dir, output, previous)
        if lock is not None:
            write_lock(config, lock)
    if keep_alive is not None:
        keep_alive.append((scanned, previous, gathered, state, placer, lock))
    return BuildResult(len(state.pages) + len(state.files), time.perf_counter() - started, gathered.images_encoded,
                       search_reused=bool(search and search.reused),
                       search_indexed=tuple(search.indexed) if search else (),
                       search_parts=search.parts if search else 0, warnings=gathered.warnings,
                       rendered=len(rendered), changes=changes, relinked=gathered.relinked)


def _render_and_write(site: Site, specs: tuple[PageSpec, ...], catalogs, placer: Placer, previous: OutputState,
                      environment: str, jobs: int, patched_from: PatchedFrom | None = None
                      ) -> tuple[OutputState, set[str]]:
    """Render those of `specs` (every page of `site`) whose inputs changed into the staging
    folder, keep the others' previous files: (the new record of the output, the keys of the pages
    rendered; every other page's record is the previous one).
    `patched_from`: see `Gathered`."""
    state = OutputState()
    work = pages_to_render(site, specs, previous, placer, environment, state, patched_from)
    shared = (site, catalogs, placer, previous, environment, os.getpid())
    gc.freeze()  # the site lives until the build ends: no collection walks it, in here or in the workers
    try:
        results = map_chunks(_render_chunk, shared, work, jobs, here=True)
    finally:
        gc.unfreeze()
    _stop_if([p for chunk in results for p in chunk.problems])
    for chunk in results:
        state.pages.update(chunk.records)
        placer.placed.update(chunk.placed)
    state.pages = {key: state.pages[key] for key in map(spec_key, specs)}  # in the site's order (the sitemaps')
    entries = [record.entry for record in state.pages.values() if record.entry]
    for page in sitemap_files(site.config, entries):
        content = digest(page.content)
        placer.page(page, unchanged=previous.files[page.path] == content if page.path in previous.files else None)
        state.files[page.path] = content
    return state, {key for chunk in results for key, _ in chunk.records}


@dataclass(frozen=True)
class _Chunk:
    records: list[tuple[str, PageRecord]]
    rendered: int
    problems: list[Problem]
    placed: dict[str, bool]  # what the chunk put into the staging folder (the worker's Placer's notes)


def _render_chunk(shared, work: list[tuple[PageSpec, str]]) -> _Chunk:
    """A share of the pages to render (each with its inputs' digest, or "": work it out); each is
    written unless its bytes came out the same as its previous file's."""
    site, catalogs, placer, previous, environment, build_pid = shared
    placed_before = dict(placer.placed)
    problems: list[Problem] = []
    renderer = Renderer(site, catalogs, problems) if work else None
    records, rendered = [], 0
    inputs_digest = InputsDigests(site, environment)
    for spec, inputs in work:
        if os.getppid() != build_pid != os.getpid():
            return _Chunk([], 0, [], {})  # the build was killed: write nothing more
        key = spec_key(spec)
        before = previous.pages.get(key)
        result = renderer.render(spec)
        rendered += 1
        if problems:
            continue
        page, entry = result
        content = digest(page.content)
        placer.page(page, unchanged=(before.path, before.content) == (page.path, content) if before else None)
        records.append((key, PageRecord(inputs or inputs_digest(spec), page.path, content, entry,
                                        inputs_digest.indexed(spec))))
        if rendered == 1:
            pause_point("rendering")
    placed = {path: new for path, new in placer.placed.items() if placed_before.get(path) != new}
    return _Chunk(records, rendered, problems, placed)


def _stop_if(problems: list[Problem]) -> None:
    if errors_in(problems):
        raise BuildFailed(problems)
