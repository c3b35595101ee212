"""The sample site on a real static server: nginx, under a sub-path.

A crawl from the root follows every link, stylesheet, image, feed and sitemap
entry and finds no dead link; 404.html works at any depth; and in Chromium the
root page picks the reader's language.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from conftest import copy_sample_site, require
from hosting import Nginx, free_port

SUB_PATH = "/world/news/"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    nginx = require("nginx", "static-hosting tests serve the output with nginx (apt-get install nginx)")
    root = tmp_path_factory.mktemp("hosted")
    copy_sample_site(root)
    port = free_port()
    from generator.cli import main
    base_url = f"http://127.0.0.1:{port}{SUB_PATH}"
    assert main(["build", "--site", str(root), "--base-url", base_url, "--quiet"]) == 0
    server = Nginx(nginx, root / "output", SUB_PATH, root / "nginx", port)
    assert server.base == base_url
    yield server
    server.stop()


def links_in(url: str, body: bytes, content_type: str) -> list[str]:
    """Every URL a page links to or loads; links to other hosts (a story's sources, its share
    links) are left out: only what the page loads must come from the site."""
    if content_type == "text/html":
        doc = BeautifulSoup(body, "html.parser")
        found = [a["href"] for a in doc.find_all(["a"], href=True) if not urlsplit(a["href"]).scheme.startswith("http")
                 or a["href"].startswith(served_base(url))]
        found += [a["href"] for a in doc.find_all(["link"], href=True)]
        found += [e["src"] for e in doc.find_all(["img", "script", "source", "iframe"], src=True)]
        found += [c.split()[0] for e in doc.find_all(["img", "source"], srcset=True) for c in e["srcset"].split(",")]
    elif content_type in ("text/xml", "application/xml", "application/atom+xml") or url.endswith(".xml"):
        tree = ET.fromstring(body)
        found = [e.get("href") for e in tree.iter() if e.get("href")]
        found += [e.text for e in tree.iter() if e.tag.endswith("}loc") or e.tag.endswith("}id")]
    elif url.endswith("robots.txt"):
        found = re.findall(r"^Sitemap: (\S+)", body.decode(), re.M)
    else:
        found = []
    return [urljoin(url, link) for link in found]


def served_base(url: str) -> str:
    return f"{urlsplit(url).scheme}://{urlsplit(url).netloc}{SUB_PATH}"


def test_crawl_from_the_root_finds_no_dead_link(served):
    start = served.base
    host = urlsplit(start).netloc
    queue, seen, dead, pages = [start, urljoin(start, "/robots.txt".lstrip("/"))], set(), [], 0
    referrer = {}
    while queue:
        url = urldefrag(queue.pop())[0]
        if url in seen:
            continue
        seen.add(url)
        status, body, content_type = served.get(url)
        if status != 200:
            dead.append(f"{url} ({status}) linked from {referrer.get(url)}")
            continue
        pages += 1
        for link in links_in(url, body, content_type):
            if urlsplit(link).netloc == host:
                assert link.startswith(start), f"{link} escapes {SUB_PATH} (from {url})"
                referrer.setdefault(urldefrag(link)[0], url)
                queue.append(link)
            elif urlsplit(link).scheme in ("http", "https"):
                dead.append(f"{link}: loaded from another host by {url}")
    assert not dead, "\n".join(dead)
    assert pages > 40  # the whole sample site was reached


def test_404_page_is_served_at_any_depth_and_its_links_work(served):
    status, body, _ = served.get(served.base + "ua/2023/11/no-such-story/")
    assert status == 404
    doc = BeautifulSoup(body, "html.parser")
    assert [h2.get_text() for h2 in doc.select(".not-found h2")] == [
        "Сторінку не знайдено", "Page not found", "Страница не найдена"]
    for element in doc.find_all(["a", "link"], href=True):
        if element.name == "link" and element.get("rel") not in (["stylesheet"], ["icon"]) \
                or element["href"].startswith("#"):
            continue
        target = urljoin(served.base + "ua/2023/11/no-such-story/", element["href"])
        assert served.get(target)[0] == 200, target


@pytest.mark.browser
@pytest.mark.parametrize("languages,lands_on", [
    ("uk-UA,uk", "ua/"), ("ru-RU,ru", "ru/"), ("en-GB,en", "en/"), ("de-DE,de", "ua/"), ("pl,ru;q=0.8", "ru/"),
])
def test_root_page_picks_the_readers_language(served, browser, languages, lands_on):
    context = browser.new_context(extra_http_headers={"Accept-Language": languages})
    try:
        context.add_init_script(
            "Object.defineProperty(navigator, 'languages', {get: () => %r});"
            % [l.split(";")[0] for l in languages.split(",")])
        page = context.new_page()
        page.goto(served.base)
        page.wait_for_url(served.base + lands_on)
        assert page.locator("nav.switcher [aria-current=page]").inner_text() == lands_on.strip("/")
    finally:
        context.close()


@pytest.mark.browser
def test_root_page_without_javascript_offers_plain_links(served, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served.base)
        assert page.url == served.base
        page.get_by_role("link", name="English").first.click()
        assert page.url == served.base + "en/"
        assert page.locator("h1").inner_text() == "Latest news" and page.locator(".brand").inner_text() == "News"
    finally:
        context.close()
