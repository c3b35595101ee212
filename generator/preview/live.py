"""The site kept in memory for `newsgen serve`, rebuilt incrementally.

The site is read, parsed and linked once at start, and a page is rendered
when it is first asked for, so serve is ready as soon as the site is linked,
whatever the size of the archive. The start begins from what the last build
or start left in the site's cache: files whose size and time are those the
status index records are not read (their digests find their parsed records),
and the related-story ranking and sort keys come from the link memo; a start
leaves both for the next. After an edit, serve re-reads only the
story folders it touched, re-parses only files whose text changed, links the
whole site again (the only way to be sure of URLs, tags and related stories),
and renders again, at once, only the pages already shown whose inputs changed
(`dependencies.page_inputs`); pages never asked for are rendered from the new
version when they are. Settings, templates and catalogs forget every page.
Each version of the site is a `_Version` that is replaced, never changed but
for its rendered pages, so a request always sees one complete, linked build.
"""
from __future__ import annotations

import gc
import html
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..build import BuildOptions, collector_paused, link_and_check, unparsed
from ..config import CONFIG_NAME, SiteConfig, load_config
from ..incremental.dependencies import page_inputs
from ..errors import BuildFailed, Problem, errors_in
from ..language.i18n import load_catalogs
from ..stages.link import LinkCache
from ..stages.load import TAGS_FILE, load_story, load_tags, read_source, section_of, story_folders
from ..model import Kind, MediaFile, Page, Site, SourceFile, Translation
from ..incremental.cache import (CACHE_DIR, ParseCache, StoredBodies, keep_link_memo, parse_cache_file,
                                 read_link_memo)
from ..desk.status import digests, remember as remember_status, remembered
from ..outputs.images import published_files
from ..content.bodylinks import published_paths
from ..linking.relink import relinked
from ..content.markup import BodyConverter
from ..stages.parse import parse_files, parse_sources
from ..stages.render import PageSpec, Renderer, spec_output
from ..linking.urllock import LOCK_FILE, read_lock
from ..outputs.xmlout import SitemapUrl, sitemap_files

@dataclass(frozen=True)
class Rebuild:
    """What one rebuild did, for the terminal and the browsers."""

    ok: bool
    problems: tuple[Problem, ...] = ()  # when ok, the warnings
    rendered: int = 0  # pages rendered
    changed: tuple[str, ...] = ()  # URL paths whose content changed, appeared or disappeared
    renamed: dict[str, str] = field(default_factory=dict)  # old URL path → new URL path
    stylesheet_only: bool = False
    everything: bool = False  # every page may have changed (settings, templates)
    seconds: float = 0.0


@dataclass
class _Version:
    """One linked version of the site and the pages rendered from it so far."""

    site: Site
    paths: dict[str, PageSpec]  # output path → the page published there
    rendered: dict[PageSpec, tuple[object, Page, SitemapUrl | None]]  # → (its inputs, the page, its sitemap URL)
    sitemaps: dict[str, bytes] | None = None  # made when first asked for


@dataclass
class _Folder:
    sources: dict[str, SourceFile]  # by path
    media: tuple[MediaFile, ...]
    problems: list[Problem]


class LiveSite:
    def __init__(self, options: BuildOptions):
        self.options = options
        self.root = options.site_dir.absolute()
        self.media: dict[str, Path] = {}  # output path → source file
        self.problems: tuple[Problem, ...] = ()  # of the last rebuild, when it failed
        self.warnings: tuple[Problem, ...] = ()  # of the last good rebuild
        self.config: SiteConfig | None = None
        #: path → ((digest of the text, media of its folder), the translation, its problems)
        self._parsed: dict[str, tuple[tuple, Translation | None, list[Problem]]] = {}
        self._version: _Version | None = None  # the last good build
        self._lock: tuple | None = None  # (file stamp, entries, problems) of content/urls.lock
        self._published: tuple | None = None  # (pages by path, every file they publish) of the last good site
        self._rendering = threading.Lock()  # one page is rendered at a time (request threads, rebuilds)
        self._renderer: Renderer | None = None

    # -- public --------------------------------------------------------------
    @property
    def base_path(self) -> str:
        return self.config.base_path if self.config else "/"

    def static_file(self, name: str) -> Path | None:
        """A static file by its path under static/: the site's own, else the theme's."""
        if self.config is None:
            return None
        for folder in (self.config.root / "static", self.config.theme_dir / "static"):
            candidate = (folder / name).resolve()
            if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
                return candidate
        return None

    def full(self) -> Rebuild:
        """Everything again: settings, theme, content."""
        started = time.perf_counter()
        try:
            self.config = load_config(self.root, self.options.base_url)
        except BuildFailed as failed:
            return self._failed(failed.problems, started)
        # what the last build worked out (the related-story ranking, collation keys): serve starts from it
        self._link_cache = LinkCache(read_link_memo(self.config) if self.options.cache else None)
        self._converter = BodyConverter()
        self._stored_bodies = StoredBodies(parse_cache_file(self.config))
        self._folders: dict[tuple[Kind, str], _Folder] = {}
        self._parsed = {}
        self._reload_theme()
        self._reload_tags()
        return self._rebuild(started, rescan=True, dirty=None, everything=True)

    def update(self, changed: set[str]) -> Rebuild:
        """Rebuild after the files `changed` (paths relative to the site) changed."""
        started = time.perf_counter()
        if self.config is None or CONFIG_NAME in changed:
            return self.full()
        theme = f"themes/{self.config.theme}/"
        everything = False
        dirty: set[tuple[Kind, str]] = set()
        rescan = False
        static_changes = []
        for path in changed:
            if path.startswith((theme + "static/", "static/")):
                static_changes.append(path)
            elif path.startswith((theme, "templates/")):
                everything = True
            elif path == TAGS_FILE:
                self._reload_tags()
                rescan = True
            elif path.startswith("content/"):
                parts = path.split("/")
                kind = {"news": "news", "pages": "page"}.get(parts[1]) if len(parts) > 1 else None
                if kind and len(parts) > 2:
                    dirty.add((kind, parts[2]))
                rescan = True
        if everything:
            self._reload_theme()
        if not everything and not rescan:
            if static_changes:
                only_css = all(p.endswith(".css") for p in static_changes)
                return Rebuild(True, stylesheet_only=only_css, everything=not only_css,
                               seconds=time.perf_counter() - started)
            return Rebuild(True, seconds=time.perf_counter() - started)
        return self._rebuild(started, rescan=rescan, dirty=dirty, everything=everything)

    @property
    def paths(self) -> list[str]:
        """The output path of every page of the last good build."""
        return list(self._version.paths) if self._version else []

    def page(self, output_path: str) -> bytes | None:
        """A page of the last good build, rendered when first asked for (the sitemaps: every page)."""
        version = self._version
        if version is None:
            return None
        if output_path.startswith("sitemap") and output_path.endswith(".xml"):
            if version.sitemaps is None:
                entries = [self._rendered(version, spec)[2] for spec in version.paths.values()]
                version.sitemaps = {page.path: page.content for page in sitemap_files(self.config, [e for e in entries if e])}
            return version.sitemaps.get(output_path)
        spec = version.paths.get(output_path)
        return self._rendered(version, spec)[1].content if spec else None

    def url_of(self, output_path: str) -> str:
        path = output_path[: -len("index.html")] if output_path.endswith("index.html") else output_path
        return self.base_path + path

    # -- steps ---------------------------------------------------------------
    def _reload_theme(self) -> None:
        problems: list[Problem] = []
        self._catalogs = load_catalogs(self.config, problems)
        self._theme_problems = problems
        self._renderer = None  # templates compiled again at the next render

    def _reload_tags(self) -> None:
        problems: list[Problem] = []
        self._tag_names = load_tags(self.config, problems)
        self._tag_problems = problems

    @collector_paused
    def _rebuild(self, started: float, rescan: bool, dirty: set | None, everything: bool) -> Rebuild:
        config = self.config
        problems: list[Problem] = list(self._theme_problems) + list(self._tag_problems)
        reloaded: set | None = None if dirty is None else set()  # the folders read again (None: all of them)
        before = {folder: self._folders.get(folder) for folder in dirty or ()}  # as the last rebuild had them
        parsed_before = {path: self._parsed.get(path) for folder in before.values() if folder
                         for path in folder.sources}
        # At start, files the last build read and that kept their size and time are not read:
        # their digests tell the parse cache's records (as `newsgen build` does).
        index, kept = remembered(config) if dirty is None and self.options.cache else (None, None)
        if rescan:
            folder_problems: list[Problem] = []
            present = set(story_folders(config, folder_problems))
            self._folder_problems = folder_problems
            for gone in set(self._folders) - present:
                del self._folders[gone]
            known = digests(index) if index is not None else None
            for folder in present:
                if dirty is None or folder in dirty or folder not in self._folders:
                    self._load_folder(*folder, known)
                    if reloaded is not None:
                        reloaded.add(folder)
        problems += self._folder_problems
        media = {k: f.media for k, f in self._folders.items()}
        self._parse_changed(media, reloaded)
        if index is not None:  # what the next start (or build, or status) need not read
            remember_status(config, tuple(s for f in self._folders.values() for s in f.sources.values()),
                            [t for _, t, _ in self._parsed.values() if t is not None], index, kept=kept)
        if dirty and not everything:
            site = self._relinked(before, parsed_before)
            if site is not None:
                return self._render(site, self._version.paths, started, everything=False, same_places=True)
        translations, sources = [], []
        for folder in self._folders.values():
            problems += folder.problems
            for source in folder.sources.values():
                sources.append(source)
                _, t, parse_problems = self._parsed[source.path]
                problems += parse_problems
                if t is not None:
                    translations.append(t)
        # serve never writes urls.lock
        linked = link_and_check(config, media, self._tag_names, translations,
                                unparsed(sources, translations), self._read_lock(problems), self.options,
                                problems, self._link_cache, self._body_of)
        site, pages = linked.site, linked.pages
        if errors_in(problems):
            return self._failed(problems, started)
        if dirty is None and self.options.cache:  # the related-story ranking and sort keys, for the next start
            keep_link_memo(config, self._link_cache.memo())
        self.warnings = tuple(sorted(set(problems)))
        return self._render(site, pages, started, everything)

    def _relinked(self, before: dict, parsed_before: dict) -> Site | None:
        """The last good site with the new words of the stories of `before` (the folders the edit
        touched, as they were), when that is all the edit changed (see relink.py); else None."""
        version = self._version
        if version is None or self.problems or self._lock is None or self._lock[0] != self._lock_stamp():
            return None
        edited = {}
        for folder, old in before.items():
            new = self._folders.get(folder)
            if old is None or new is None or new.problems or old.media != new.media \
                    or old.sources.keys() != new.sources.keys():
                return None
            prefix = f"content/{section_of(folder[0])}/{folder[1]}/"
            if any(problem.path.startswith(prefix) for problem in self.warnings):
                return None  # what it reported must be worked out again
            then, now = {}, {}
            for path, source in new.sources.items():
                previous, current = parsed_before.get(path), self._parsed.get(path)
                if previous is None or previous[1] is None or current[1] is None or current[2]:
                    return None
                then[source.lang], now[source.lang] = previous[1], current[1]
            edited[folder] = (then, now)
        if self._published is None or self._published[0] is not version.paths:
            made = published_files(version.site, self.config.root / CACHE_DIR)
            self._published = (version.paths, published_paths(version.site, made, version.paths))
        return relinked(version.site, self.config, edited, self._published[1])

    def _lock_stamp(self) -> tuple | None:
        try:
            stat = (self.config.root / LOCK_FILE).stat()
            return stat.st_mtime_ns, stat.st_size
        except OSError:
            return None

    def _read_lock(self, problems: list[Problem]) -> tuple:
        """content/urls.lock, read again only when the file changed."""
        stamp = self._lock_stamp()
        if self._lock is None or self._lock[0] != stamp:
            found: list[Problem] = []
            self._lock = (stamp, read_lock(self.config, found), found)
        problems += self._lock[2]
        return self._lock[1]

    def _load_folder(self, kind: Kind, key: str, known: dict | None = None) -> None:
        """Read one story folder; `known`: see `load.load_site`."""
        problems: list[Problem] = []
        sources, media = load_story(self.config, kind, key, problems, known)
        self._folders[(kind, key)] = _Folder({s.path: s for s in sources}, media, problems)

    def _parse_changed(self, media: dict, reloaded: set | None) -> None:
        """Parse the files whose text (or folder) changed since they were last parsed; only files
        of the `reloaded` folders can have (None: look at every file)."""
        full = reloaded is None
        sources = {s.path: s for f in self._folders.values() for s in f.sources.values()}
        for path in set(self._parsed) - set(sources):
            del self._parsed[path]
        candidates = sources.values() if full else [s for folder in reloaded
                                                    for s in self._folders[folder].sources.values()]
        need = [s for s in candidates
                if self._parsed.get(s.path, (None,))[0] != (s.digest, media[(s.kind, s.key)])]
        if not need:
            return
        problems: list[Problem] = []
        if len(need) > 64 or any(s.text is None for s in need):
            # the first build, or a big checkout: in processes, with the build's cache (which also
            # reads the files the start did not, when the cache has not got them)
            cache = ParseCache(self.config, enabled=full and self.options.cache)
            # At start the bodies stay in the cache's file (130 MB at 5,000 stories) and are read
            # when a page is asked for (`_body_of`)
            translations = parse_sources(self.config, tuple(need), media, self.options.job_count, problems, cache,
                                         keep_bodies=not cache.enabled)
        else:
            translations, problems = parse_files(self.config, need, media, self._converter)
        parsed = {t.source: t for t in translations}
        for source in need:
            self._parsed[source.path] = ((source.digest, media[(source.kind, source.key)]), parsed.get(source.path),
                                         [p for p in problems if p.path == source.path])

    def _body_of(self, t: Translation) -> str:
        """The body of a translation parsed at start, from the parse cache. Should a build of this
        site have dropped it meanwhile (the build's files or newsgen differ), its file is parsed again."""
        try:
            return self._stored_bodies(t)
        except BuildFailed:
            folder = self._folders.get((t.kind, t.key))
            source = folder.sources.get(t.source) if folder else None
            source = read_source(self.config, source, []) if source else None
            if source is None:
                raise
            parsed, _ = parse_files(self.config, [source], {(t.kind, t.key): folder.media}, BodyConverter())
            if not parsed:
                raise
            return parsed[0].body_html

    def _render(self, site: Site, paths: dict[str, PageSpec], started: float, everything: bool,
                same_places: bool = False) -> Rebuild:
        """Make `site` the one served: pages already shown are kept while their inputs are the
        same, rendered again now when not (someone is looking at them); the rest wait to be asked for.
        `paths`: its pages by output path; `same_places`: every story and media file is where the
        served site has it (relink.py), so there is nothing renamed and no media to look up again."""
        old = self._version
        version = _Version(site, paths, {})
        live_specs = set(paths.values())
        todo = []
        navigation: dict[str, tuple] = {}
        for spec, (inputs, page, entry) in (old.rendered.items() if old and not everything else ()):
            if spec not in live_specs:
                continue
            if page_inputs(site, spec, navigation) == inputs:
                version.rendered[spec] = (inputs, page, entry)
            else:
                todo.append(spec)
        try:
            for spec in todo:
                self._rendered(version, spec, strict=True)
        except BuildFailed as failed:
            return self._failed(failed.problems, started)
        changed = set(paths).symmetric_difference(old.paths if old else ())
        for spec, (_, page, _) in (old.rendered.items() if old else ()):
            now = version.rendered.get(spec)
            if now is None or now[1] != page:
                changed.add(page.path)
        renamed = {} if same_places else self._renames(site)
        # Swap in the new build whole: a request sees the old one or this one.
        if not same_places:
            media = {t.path + file.published: self.config.root / story.folder / file.saved
                     for stories in (site.stories, site.pages) for story in stories.values()
                     for file in story.media for t in story.translations.values()}
            media.update(published_files(site, self.config.root / CACHE_DIR))
            self.media = media
        self._version = version
        self.problems = ()
        # The build lives as long as the server: keep the collector from walking it on every edit.
        gc.freeze()
        return Rebuild(True, problems=self.warnings, rendered=len(todo),
                       changed=tuple(sorted(self.url_of(p) for p in changed)), renamed=renamed,
                       everything=everything or old is None, seconds=time.perf_counter() - started)

    def _rendered(self, version: _Version, spec: PageSpec, strict: bool = False) -> tuple:
        """(inputs, page, sitemap entry) of `spec` in `version`, rendered now if it was not yet.
        A template that fails on this page raises BuildFailed when `strict`, else makes a page
        that shows the problem (the rest of the site is still served)."""
        done = version.rendered.get(spec)
        if done is not None:
            return done
        with self._rendering:
            done = version.rendered.get(spec)
            if done is not None:
                return done
            problems: list[Problem] = []
            if self._renderer is None:
                self._renderer = Renderer(version.site, self._catalogs, problems)
            self._renderer.use_site(version.site)
            self._renderer.problems = problems
            result = self._renderer.render(spec)
            if problems:
                if strict:
                    raise BuildFailed(problems)
                return None, Page(spec_output(version.site, spec), _problem_page(problems)), None
            page, entry = result
            done = version.rendered[spec] = (page_inputs(version.site, spec), page, entry)
            return done

    def _renames(self, site: Site) -> dict[str, str]:
        old = self._version.site if self._version else None
        renamed = {}
        if old is not None:
            for stories, old_stories in ((site.stories, old.stories), (site.pages, old.pages)):
                for key, story in stories.items():
                    before = old_stories.get(key)
                    for lang, t in story.translations.items():
                        was = before.translations.get(lang) if before else None
                        if was is not None and was.path != t.path:
                            renamed[self.base_path + was.path] = self.base_path + t.path
        return renamed

    def _failed(self, problems: list[Problem], started: float) -> Rebuild:
        self.problems = tuple(sorted(set(problems)))
        return Rebuild(False, problems=self.problems, seconds=time.perf_counter() - started)


def _problem_page(problems: list[Problem]) -> bytes:
    """What serve shows in place of a page its templates could not render."""
    items = "".join(f"<li>{html.escape(str(problem))}</li>" for problem in problems)
    return (f'<!DOCTYPE html>\n<html lang="en"><meta charset="utf-8"><title>newsgen: this page could not be '
            f'rendered</title><h1>This page could not be rendered</h1><ul>{items}</ul></html>\n').encode()
