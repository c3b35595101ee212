"""Where pages live, and links between them.

A page's *path* is relative to the site root and names a folder ("ua/about/")
or a file ("ua/feed.xml"); "" is the root. Links between pages are relative, so
the output works under any base path on any static server.
"""
from __future__ import annotations

from datetime import datetime


def story_path(lang: str, date: datetime, slug: str) -> str:
    return f"{lang}/{date.year:04d}/{date.month:02d}/{slug}/"  # (strftime is many times slower)


def archive_path(lang: str, month: str, number: int = 1) -> str:
    """`month` is "yyyy/mm"."""
    return f"{lang}/{month}/" if number == 1 else f"{lang}/{month}/page/{number}/"


def year_path(lang: str, year: str) -> str:
    return f"{lang}/{year}/"


def tag_index_path(lang: str) -> str:
    return f"{lang}/tags/"


def search_path(lang: str) -> str:
    return f"{lang}/search/"


def page_path(lang: str, slug: str) -> str:
    return f"{lang}/{slug}/"


def front_path(lang: str, number: int = 1) -> str:
    return f"{lang}/" if number == 1 else f"{lang}/page/{number}/"


def tag_path(tag_page: str, number: int) -> str:
    return tag_page if number == 1 else f"{tag_page}page/{number}/"


def output_file(path: str) -> str:
    """The file written for a page path: folders get index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def relative(from_path: str, to_path: str) -> str:
    """A relative URL from the page at `from_path` to `to_path`.

    Called for every link of every page, so it works on strings directly.
    """
    from_dir = from_path[: from_path.rfind("/") + 1]  # "ua/2023/11/x/" or "ua/" for "ua/feed.xml"
    up = from_dir.split("/")[:-1]
    down = to_path.split("/")
    common = 0
    while common < len(up) and common < len(down) - 1 and up[common] == down[common]:
        common += 1
    rel = "../" * (len(up) - common) + "/".join(down[common:])
    return rel if rel and rel[0] != "#" else "./" + rel


def absolute(base_url: str, path: str) -> str:
    return base_url + path
