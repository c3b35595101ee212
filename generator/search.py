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

import subprocess
from pathlib import Path

from .errors import Problem

INDEX_DIR = "pagefind"
#: Pagefind's ready-made interfaces; the theme has its own (in the page's language), so they are not published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


def index_pages(staging: Path) -> list[Problem]:
    """Index the pages written to `staging` into `staging/pagefind/`."""
    hint = "Install it with pip install 'pagefind[bin]', or set `search = false` under [site] in site.toml"
    try:
        from pagefind_bin import get_executable
        executable = get_executable()
    except (ImportError, FileNotFoundError, OSError) as err:
        return [Problem("site.toml", 1, f"search needs Pagefind, which is not installed ({err})", hint)]
    try:
        result = subprocess.run([str(executable), "--site", str(staging), "--output-subdir", INDEX_DIR, "--silent"],
                                capture_output=True, text=True, timeout=3600)
    except OSError as err:
        return [Problem("site.toml", 1, f"Pagefind could not run: {err}", hint)]
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().replace(str(staging) + "/", "")
        return [Problem("site.toml", 1, f"Pagefind failed to index the site: {output}")]
    for name in UNUSED:
        (staging / INDEX_DIR / name).unlink(missing_ok=True)
    return []
