"""`newsgen check`, second half: is a built output whole?

Reads every page of an output folder and reports, as `path:line: problem`:
links, images, scripts and stylesheets that lead nowhere (including
`#fragments` that name no element), hreflang alternates that are not
reciprocal or lack `x-default`, links into another language that are neither
in the language switcher nor marked with `hreflang`, and feeds or sitemaps
that are not well-formed XML.
"""
from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import SiteConfig
from .errors import Problem

SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:")


@dataclass
class _Link:
    line: int
    tag: str
    url: str
    in_switcher: bool
    has_hreflang: bool


@dataclass
class _Page:
    ids: set[str] = field(default_factory=set)
    links: list[_Link] = field(default_factory=list)
    canonical: str | None = None
    alternates: dict[str, tuple[str, int]] = field(default_factory=dict)  # hreflang → (href, line)
    redirect: bool = False  # <meta http-equiv="refresh">: an old URL leading to a moved story


class _PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page()
        self._nav_depth = 0  # >0 inside <nav class="switcher">

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        line = self.getpos()[0]
        if a.get("id"):
            self.page.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.page.ids.add(a["name"])
        if tag == "nav":
            if self._nav_depth or "switcher" in (a.get("class") or "").split():
                self._nav_depth += 1
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.page.redirect = True
        rel = (a.get("rel") or "").split()
        if tag == "link" and "canonical" in rel:
            self.page.canonical = a.get("href")
            return
        if tag == "link" and "alternate" in rel and a.get("hreflang"):
            self.page.alternates[a["hreflang"]] = (a.get("href", ""), line)
            return
        url = a.get("href") if tag in ("a", "link") else a.get("src") if tag in ("img", "script", "source", "iframe") else None
        if url is not None:
            self.page.links.append(_Link(line, tag, url, self._nav_depth > 0, "hreflang" in a))
        if tag in ("img", "source") and a.get("srcset"):
            for candidate in a["srcset"].split(","):
                if candidate.split():
                    self.page.links.append(_Link(line, tag, candidate.split()[0], False, False))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1


@dataclass(frozen=True)
class ExternalLink:
    url: str
    path: str  # where it is: the story file when known, else the output file
    line: int


def check_output(config: SiteConfig, output: Path, origin=None) -> tuple[int, list[Problem], list[ExternalLink]]:
    """(pages checked, problems, links to other hosts). `origin(page, url)` names the
    source file and line a page's URL was written at, when it came from a story body."""
    root = config.root
    shown = (lambda p: p.relative_to(root).as_posix()) if output.is_relative_to(root) else (lambda p: str(p))
    external: list[ExternalLink] = []
    files = {p.relative_to(output).as_posix(): p for p in output.rglob("*") if p.is_file()}
    pages: dict[str, _Page] = {}
    problems: list[Problem] = []
    for rel, path in sorted(files.items()):
        if rel.endswith(".html"):
            reader = _PageReader()
            reader.feed(path.read_text(encoding="utf-8", errors="replace"))
            pages[rel] = reader.page
        elif rel.endswith(".xml"):
            try:
                ET.parse(path)
            except ET.ParseError as err:
                problems.append(Problem(shown(path), err.position[0], f"not well-formed XML: {err}"))

    def target_of(page_rel: str, url: str) -> tuple[str | None, str]:
        """The output file a URL on a page leads to, and its fragment; None if outside the site."""
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            if not url.startswith(config.base_url):
                return None, ""
            path = urlsplit(url).path[len(config.base_path):]
        elif parts.path.startswith("/"):
            if not parts.path.startswith(config.base_path):
                return None, ""
            path = parts.path[len(config.base_path):]
        else:
            base_dir = posixpath.dirname(page_rel)
            path = posixpath.normpath(posixpath.join(base_dir, unquote(parts.path))) if parts.path else page_rel
            if path == ".":
                path = ""
            if path.startswith(".."):
                return None, ""
            if parts.path.endswith("/") and path:
                path += "/"
        path = unquote(path)
        if path == "" or path.endswith("/"):
            path += "index.html"
        return path, parts.fragment

    codes = set(config.codes)
    for rel, page in pages.items():
        output_where = shown(files[rel])
        language = rel.split("/", 1)[0] if rel.split("/", 1)[0] in codes else None
        for link in page.links:
            url = link.url.strip()
            if not url or url.startswith(SKIPPED_SCHEMES):
                continue
            source = origin(rel, url) if origin else None
            where, line = source or (output_where, link.line)
            link = _Link(line, link.tag, link.url, link.in_switcher, link.has_hreflang)
            if (urlsplit(url).scheme in ("http", "https") or url.startswith("//")) and not url.startswith(config.base_url):
                if link.tag == "a":
                    external.append(ExternalLink(url, where, line))
                else:
                    problems.append(Problem(where, line, f"<{link.tag}> loads a file from another host: {url}",
                                            "Publish the file with the site instead"))
                continue
            target, fragment = target_of(rel, url)
            if target is None:
                problems.append(Problem(where, link.line, f"link outside the site: {url}"))
                continue
            if target not in files:
                problems.append(Problem(where, link.line, f"dead link: {url} (no {target})"))
                continue
            if fragment and target.endswith(".html") and unquote(fragment) not in pages[target].ids:
                problems.append(Problem(where, link.line, f"broken fragment: {url} (no id `{fragment}` in {target})"))
            target_language = target.split("/", 1)[0] if target.split("/", 1)[0] in codes else None
            if (language and target_language and target_language != language and link.tag == "a"
                    and not link.in_switcher and not link.has_hreflang and rel != "404.html"):
                problems.append(Problem(where, link.line, f"unmarked link into another language: {url}",
                                        "Cross-language links belong in the switcher or carry hreflang"))
        where = output_where
        if page.redirect:
            continue  # an old URL's redirect page speaks for no language
        if page.alternates or page.canonical:
            if "x-default" not in page.alternates:
                problems.append(Problem(where, 1, "hreflang alternates lack `x-default`"))
            own = next((h for h, (href, _) in page.alternates.items() if href == page.canonical and h != "x-default"),
                       None)
            chooser = own is None and page.alternates.get("x-default", ("",))[0] == page.canonical
            if page.alternates and own is None and not chooser:
                problems.append(Problem(where, 1, "hreflang alternates do not include the page itself"))
            for hreflang, (href, line) in page.alternates.items():
                target, _ = target_of(rel, href)
                if target is None or target not in pages:
                    problems.append(Problem(where, line, f"hreflang {hreflang} points to a missing page: {href}"))
                    continue
                if hreflang == "x-default":
                    continue
                back = pages[target].alternates.get("x-default" if chooser else own or "", ("", 0))[0]
                if back != page.canonical:
                    problems.append(Problem(where, line, f"hreflang {hreflang} is not reciprocal: {href} does not "
                                            f"link back to {page.canonical}"))
    return len(pages), problems, external
