"""Links and images in story bodies, checked before anything is written.

Part of the link stage: once every page's URL is known, each relative or
root-relative URL an editor wrote in a body must lead to a page or file the
build publishes. A problem is reported at the line of the story file that
holds the URL, not in the built output.
"""
from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from ..errors import Problem
from ..model import Site
from ..linking.urls import output_file
from ..stages.render import PageSpec, spec_output
from ..outputs.xmlout import SITEMAP_INDEX


def page_paths(site: Site, specs: list[PageSpec]) -> dict[str, PageSpec]:
    """Every page of `site` (`specs`: `plan_pages(site)`) by the file it is written to (relative
    to the output folder). A story's or standalone page's is its translation's address (178,000
    of them at 50,000 stories, where asking `spec_output` for each took half a second)."""
    shelves = {"story": site.stories, "page": site.pages}
    paths = {}
    for spec in specs:
        shelf = shelves.get(spec.kind)
        paths[output_file(shelf[spec.key].translations[spec.lang].path) if shelf is not None
              else spec_output(site, spec)] = spec
    return paths


def published_paths(site: Site, made: dict[str, Path], pages: dict[str, PageSpec]) -> set[str]:
    """Every file the build writes (relative to the output folder); `made`: image files;
    `pages`: `page_paths`."""
    paths = set(pages)
    paths |= {"sitemap.xml", SITEMAP_INDEX} | set(made)
    paths |= {"static/" + name for name in site.config.static_files()}
    for stories in (site.stories, site.pages):
        for story in stories.values():
            for t in story.translations.values():
                paths.update(t.path + file.published for file in story.media)
    return paths


def check_body_links(site: Site, published: set[str] | Callable[[], set[str]], problems: list[Problem]) -> None:
    """Note each relative or root-relative URL of a body that leads nowhere `published` (every
    file of the output; or a function that makes it, called only if some body has such a URL:
    making it walks every page, and most archives link stories with `story:` links only)."""
    base = site.config.base_path
    for stories in (site.stories, site.pages):
        for story in stories.values():
            for t in story.translations.values():
                for key, line in t.lines.items():
                    if not key.startswith("url:"):
                        continue
                    if callable(published):
                        published = published()
                    url = key[len("url:"):]
                    message = _problem(url, t.path, base, published)
                    if message:
                        problems.append(Problem(t.source, line, *message))


def _problem(url: str, page: str, base: str, published: set[str]) -> tuple[str, str] | None:
    """What is wrong with `url` on the page at `page` (None: it leads somewhere)."""
    parts = urlsplit(url)
    if not parts.path:
        return None  # "?query" or "#fragment" only: this page
    if parts.path.startswith("/"):
        if not parts.path.startswith(base):
            return (f"the link `{url}` leads outside the site: its pages are under {base}",
                    "Use a relative link, a `story:<id>` link, or a full address with https://")
        target = unquote(parts.path[len(base):])
    else:
        target = posixpath.normpath(posixpath.join(page, unquote(parts.path)))
        if target == ".":
            target = ""
        if target.startswith(".."):
            return (f"the link `{url}` leads above the site's root", "Use a `story:<id>` link for stories")
    if parts.path.endswith("/") or target == "":
        target = (target + "/" if target and not target.endswith("/") else target) + "index.html"
    if target in published:
        return None
    if target + "/index.html" in published:
        return (f"the link `{url}` names a folder without its final `/`", f"Write `{url.split('?')[0]}/`; "
                "static hosts do not add it")
    return (f"dead link `{url}`: the site has no page or file at {target}",
            "Link stories with `story:<id>`, which follows them when they move")
