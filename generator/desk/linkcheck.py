"""`newsgen check`, second half: is a built output whole?

Reads every page of an output folder and reports, as `path:line: problem`:
links, images, scripts and stylesheets that lead nowhere (including
`#fragments` that name no element), hreflang alternates that are not
reciprocal or lack `x-default`, links into another language that are neither
in the language switcher nor marked with `hreflang`, and feeds or sitemaps
that are not well-formed XML.
"""
from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..config import SiteConfig
from ..content.embeds import is_embed_frame
from ..errors import Problem
from ..parallel import map_chunks

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


#: The tags the check reads, with their attributes; comments and what is inside a script or a
#: style are passed over whole (the second group is a script's or style's opening tag).
_TAG = re.compile(r"<!--.*?-->|<((?:script|style)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>.*?</(?:script|style)\s*>"
                  r"|<(/?)(a|link|img|script|source|iframe|nav|meta)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
                  re.S | re.I)
_ATTRIBUTE = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")
_ID = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def read_page(text: str) -> _Page:
    """The ids, links and alternates of an HTML page.

    Regular expressions over the tags that matter rather than html.parser: a
    site's pages are our own well-formed output, and this is many times faster
    on 50,000 pages. (A script's own `src` is read; what is inside a script, a
    style or a comment is not.)"""
    page = _Page(ids={a or b for a, b in _ID.findall(text)})
    nav_depth = 0  # >0 inside <nav class="switcher">
    line, counted = 1, 0
    for match in _TAG.finditer(text):
        if match.group(1):  # <script …>…</script> or <style>…</style>
            tag, closing, raw = match.group(1)[:6].lower().rstrip(), "", match.group(1)[6:]
            if tag != "script":
                continue
        elif match.group(3):
            tag, closing, raw = match.group(3).lower(), match.group(2), match.group(4)
        else:
            continue  # a comment
        if closing:
            if tag == "nav" and nav_depth:
                nav_depth -= 1
            continue
        line += text.count("\n", counted, match.start())
        counted = match.start()
        a = {m.group(1).lower(): html.unescape(m.group(2) if m.group(2) is not None else m.group(3)
                                               if m.group(3) is not None else m.group(4) or "")
             for m in _ATTRIBUTE.finditer(raw)}
        if tag == "a" and a.get("name"):
            page.ids.add(a["name"])
        if tag == "nav" and (nav_depth or "switcher" in (a.get("class") or "").split()):
            nav_depth += 1
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            page.redirect = True
        rel = (a.get("rel") or "").split()
        if tag == "link" and "canonical" in rel:
            page.canonical = a.get("href")
            continue
        if tag == "link" and "alternate" in rel and a.get("hreflang"):
            page.alternates[a["hreflang"]] = (a.get("href", ""), line)
            continue
        url = a.get("href") if tag in ("a", "link") else a.get("src") if tag in ("img", "script", "source", "iframe") else None
        if url is not None:
            page.links.append(_Link(line, tag, url, nav_depth > 0, "hreflang" in a))
        if tag in ("img", "source") and a.get("srcset"):
            for candidate in a["srcset"].split(","):
                if candidate.split():
                    page.links.append(_Link(line, tag, candidate.split()[0], False, False))
    page.ids.discard("")
    return page


@dataclass(frozen=True)
class ExternalLink:
    url: str
    path: str  # where it is: the story file when known, else the output file
    line: int


def _read_pages(output: Path, rels: list[str]) -> dict[str, _Page]:
    return {rel: read_page((output / rel).read_text(encoding="utf-8", errors="replace")) for rel in rels}


def check_output(config: SiteConfig, output: Path, origin=None,
                 jobs: int = 1) -> tuple[int, list[Problem], list[ExternalLink]]:
    """(pages checked, problems, links to other hosts). `origin(page, url)` names the
    source file and line a page's URL was written at, when it came from a story body."""
    root = config.root
    shown = (lambda p: p.relative_to(root).as_posix()) if output.is_relative_to(root) else (lambda p: str(p))
    external: list[ExternalLink] = []
    files = {p.relative_to(output).as_posix(): p for p in output.rglob("*") if p.is_file()}
    pages: dict[str, _Page] = {}
    problems: list[Problem] = []
    html_files = sorted(rel for rel in files if rel.endswith(".html"))
    for chunk in map_chunks(_read_pages, output, html_files, jobs):
        pages.update(chunk)
    for rel, path in sorted(files.items()):
        if rel.endswith(".xml"):
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
                if link.tag == "a" or (link.tag == "iframe" and is_embed_frame(url)):
                    external.append(ExternalLink(url, where, line))  # a link, or a video or post embedded
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
