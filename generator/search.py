"""Search: a Pagefind index of the built pages, one per language.

Pagefind reads the written HTML — only story and page bodies, which the theme
marks `data-pagefind-body` — splits the index by each page's `<html lang>`,
and writes `pagefind/` beside the pages: static files that each language's
search page loads, so search works on any static host, with no server. It
runs on the staging folder, so a failed index leaves the previous output as
it was. (Ukrainian has no Pagefind stemmer; the theme's search script makes
up for it at query time, see themes/default/static/search.js.)
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
from pathlib import Path

from .errors import Problem

INDEX_DIR = "pagefind"
STAMP = ".newsgen-pages"  # what the index was made from
#: Where story and standalone pages are (<lang>/<yyyy>/<mm>/<slug>/, <lang>/<slug>/): lists are not read at all.
PAGES_GLOB = "{*/[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html,*/*/index.html}"
#: Pagefind's ready-made interfaces; the theme has its own (in the page's language), so they are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class SearchIndex:
    """The `pagefind/` folder of a build in `staging`.

    Pagefind cannot update an index, and indexing is a large part of a build,
    so when no HTML page changed since the output's index was made (the
    `digest` of the pages is the one stamped in it), that index is moved into
    the new build instead, as the last step before the build is swapped in.
    """

    def __init__(self, staging: Path, output: Path, digest: str):
        self.staging, self.output = staging, output
        self.stamp = f"pagefind {_version()}\npages {digest}\n"
        self.reused = False

    def make(self) -> list[Problem]:
        previous = self.output / INDEX_DIR
        try:
            if (previous / STAMP).read_text() == self.stamp:
                os.rename(previous, self.staging / INDEX_DIR)
                self.reused = True
                return []
        except OSError:
            pass
        problems = index_pages(self.staging)
        if not problems:
            (self.staging / INDEX_DIR / STAMP).write_text(self.stamp)
        return problems

    def give_back(self) -> None:
        """The build failed after all: the previous output gets its index back."""
        if self.reused:
            os.rename(self.staging / INDEX_DIR, self.output / INDEX_DIR)
            self.reused = False


def _version() -> str:
    try:
        return importlib.metadata.version("pagefind_bin")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def index_pages(staging: Path) -> list[Problem]:
    """Index the pages written to `staging` into `staging/pagefind/`."""
    hint = "Install it with pip install 'pagefind[bin]', or set `search = false` under [site] in site.toml"
    try:
        from pagefind_bin import get_executable
        executable = get_executable()
    except (ImportError, FileNotFoundError, OSError) as err:
        return [Problem("site.toml", 1, f"search needs Pagefind, which is not installed ({err})", hint)]
    try:
        result = subprocess.run([str(executable), "--site", str(staging), "--output-subdir", INDEX_DIR, "--silent",
                                 "--glob", PAGES_GLOB], capture_output=True, text=True, timeout=3600)
    except OSError as err:
        return [Problem("site.toml", 1, f"Pagefind could not run: {err}", hint)]
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().replace(str(staging) + "/", "")
        return [Problem("site.toml", 1, f"Pagefind failed to index the site: {output}")]
    for name in UNUSED:
        (staging / INDEX_DIR / name).unlink(missing_ok=True)
    # Pagefind lists the languages in a different order from run to run: sort, so builds are reproducible.
    entry = staging / INDEX_DIR / "pagefind-entry.json"
    entry.write_text(json.dumps(json.loads(entry.read_text(encoding="utf-8")), sort_keys=True, ensure_ascii=False,
                                separators=(",", ":")), encoding="utf-8")
    return []
