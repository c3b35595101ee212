"""The build pipeline: load → parse → link → render → write (→ search index).

Everything is gathered (and every problem found) before anything is rendered;
nothing is written outside a staging folder until the whole site rendered.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from babel.support import NullTranslations

from .cache import CACHE_DIR, ParseCache
from .config import SiteConfig, load_config
from .errors import BuildFailed, Problem
from .i18n import load_catalogs
from .images import prepare_images, published_files
from .link import link_site
from .load import load_site
from .model import Page, Site
from .parallel import default_jobs, map_chunks
from .parse import parse_sources
from .render import plan_pages, render_specs
from .search import index_pages
from .write import (copy_media, copy_static, discard, output_lock, publish, remove_leftovers,
                    start_staging, write_pages)
from .urllock import LockEntry, plan_redirects, read_lock, updated_lock, write_lock
from .xmlout import sitemap


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    output: Path | None = None  # default: <site>/output
    base_url: str | None = None
    drafts: bool = False
    jobs: int = 0  # 0: all cores
    cache: bool = True  # reuse parsed files from <site>/.newsgen-cache
    now: datetime | None = None  # the build's time (default: the clock); what "recent" means for news sitemaps

    @property
    def output_dir(self) -> Path:
        return (self.output or self.site_dir / "output").absolute()

    @property
    def job_count(self) -> int:
        return self.jobs or default_jobs()


@dataclass(frozen=True)
class BuildResult:
    pages: int
    seconds: float
    images_encoded: int = 0  # lead-image variants made (not found in the cache)


@dataclass(frozen=True)
class Gathered:
    site: Site
    catalogs: dict[str, NullTranslations]
    images_encoded: int
    lock: tuple[LockEntry, ...]  # content/urls.lock as it was read


def gather(options: BuildOptions, config: SiteConfig | None = None) -> Gathered:
    """Load, parse and link the whole site, size its lead images, and load the
    theme's catalogs; raise BuildFailed listing every problem."""
    config = config or load_config(options.site_dir.absolute(), options.base_url)
    problems: list[Problem] = []
    loaded = load_site(config, problems)
    catalogs = load_catalogs(config, problems)
    cache = ParseCache(config, enabled=options.cache)
    translations = parse_sources(config, loaded.sources, loaded.media, options.job_count, problems, cache)
    _stop_if(problems)
    site = link_site(config, loaded.media, loaded.tag_names, translations, options.drafts, problems)
    _stop_if(problems)
    lock = read_lock(config, problems)
    redirects = plan_redirects(site, lock, problems)
    _stop_if(problems)
    prepared = prepare_images(site, config.root / CACHE_DIR, options.job_count, problems)
    _stop_if(problems)
    site = replace(site, now=build_time(options, config), images=prepared.images, redirects=redirects)
    return Gathered(site, catalogs, prepared.encoded, lock)


def build_time(options: BuildOptions, config: SiteConfig) -> datetime:
    """`--now` (a naive time is in the site's timezone), else the clock."""
    if options.now is None:
        return datetime.now(config.tz)
    return options.now if options.now.tzinfo else options.now.replace(tzinfo=config.tz)


def build(options: BuildOptions, on_wait=None) -> BuildResult:
    started = time.perf_counter()
    output = options.output_dir
    config = load_config(options.site_dir.absolute(), options.base_url)  # a bad --site fails before anything is made
    with output_lock(output, on_wait):
        gathered = gather(options, config)
        site, catalogs = gathered.site, gathered.catalogs
        remove_leftovers(output)
        staging = start_staging(output)
        try:
            shared = (site, catalogs, staging, os.getpid())
            results = map_chunks(_render_chunk, shared, plan_pages(site), options.job_count)
            problems = [p for _, _, chunk_problems in results for p in chunk_problems]
            _stop_if(problems)
            entries = [e for _, chunk_entries, _ in results for e in chunk_entries]
            count = sum(n for n, _, _ in results) + write_pages(staging, [Page("sitemap.xml", sitemap(entries))])
            copy_static(site, staging)
            copy_media(site, staging, published_files(site, config.root / CACHE_DIR))
            if config.search:
                _stop_if(index_pages(staging))
            publish(staging, output)
        except BaseException:
            discard(staging)
            raise
        if not options.drafts:  # a preview with drafts publishes nothing for good
            write_lock(config, updated_lock(site, gathered.lock))
    return BuildResult(count, time.perf_counter() - started, gathered.images_encoded)


def _render_chunk(shared: tuple[Site, dict, Path, int], specs):
    """Render a share of the pages and write them to the staging folder."""
    site, catalogs, staging, build_pid = shared
    rendered, problems = render_specs((site, catalogs), specs)
    if problems or os.getppid() != build_pid != os.getpid():
        return 0, [], problems  # (or the build was killed: write nothing more)
    count = write_pages(staging, (page for _, page, _ in rendered))
    return count, [entry for _, _, entry in rendered if entry], []


def _stop_if(problems: list[Problem]) -> None:
    if problems:
        raise BuildFailed(problems)
