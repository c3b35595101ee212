"""The sample site in content/: what SPEC.md's table promises, as a reader gets it."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import feedparser
import pytest

from conftest import copy_sample_site, Built, visible

SEED = "russia-iran-defense-cooperation"
SANCTIONS = "russia-iran-counter-sanctions"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("sample")
    copy_sample_site(root)
    from generator.cli import main
    status = main(["build", "--site", str(root), "--quiet"])
    assert status == 0
    return Built(root, status, "", "")


def story_paths(sample: Built, lang: str, title_word: str) -> str:
    for path in sample.find(f"{lang}/2023/*/*/index.html"):
        if title_word in sample.text(path):
            return path
    raise AssertionError(f"no {lang} story containing {title_word!r}")


def test_writes_every_path_of_the_spec(sample):
    for path in ["index.html", "404.html", "robots.txt", "sitemap.xml", "static/style.css",
                 "ua/index.html", "en/index.html", "ru/index.html",
                 "ua/feed.xml", "en/feed.xml", "ru/feed.xml",
                 "ua/about/index.html", "en/about/index.html", "ru/about/index.html",
                 "ua/tags/drony/index.html", "en/tags/drones/index.html", "ru/tags/drony/index.html",
                 "en/2023/11/russia-iran-defense-cooperation/index.html",
                 "en/2023/11/russia-iran-defense-cooperation/lead.jpg"]:
        assert (sample.output / path).is_file(), path
    # four stories in each language, each under <lang>/<yyyy>/<mm>/<slug>/
    for lang in ("ua", "en", "ru"):
        assert len(sample.find(f"{lang}/2023/*/*/index.html")) == 4


def test_seed_story_exists_in_three_languages_and_the_switcher_links_them(sample):
    pages = {
        "ua": "ua/2023/11/rosiia-ta-iran-rozshyriuiut-oboronnu-spivpratsiu-popry-brak-ozbroien/",
        "en": "en/2023/11/russia-iran-defense-cooperation/",
        "ru": "ru/2023/11/rossiia-i-iran-rasshiriaiut-oboronnoe-sotrudnichestvo-nesmotria-na-nekhvatku/",
    }
    for lang, path in pages.items():
        doc = sample.html(path)
        links = {a.get_text(): a for a in doc.select("nav.switcher a")}
        assert sorted(links) == ["en", "ru", "ua"]
        for other, other_path in pages.items():
            target = urljoin("https://x/" + path, links[other]["href"])
            assert target == "https://x/" + other_path
        assert links[lang].get("aria-current") == "page"
        assert [a for a in links.values() if a.get("aria-current")] == [links[lang]]


def test_ukrainian_seed_page_shows_the_genitive_month(sample):
    doc = sample.html("ua/2023/11/rosiia-ta-iran-rozshyriuiut-oboronnu-spivpratsiu-popry-brak-ozbroien/")
    assert doc.html["lang"] == "uk"
    assert visible(doc.select_one("article.story .byline time").get_text()) == "24 листопада 2023 р., 10:30"
    ru = sample.html(story_paths(sample, "ru", 'src="lead.jpg"'))
    assert visible(ru.select_one("article.story .byline time").get_text()) == "24 ноября 2023 г., 10:30"
    en = sample.html("en/2023/11/russia-iran-defense-cooperation/")
    assert visible(en.select_one("article.story .byline time").get_text()) == "November 24, 2023, 10:30 AM"


@pytest.mark.parametrize("lang,words", [("en", "we wrote"), ("ua", "ми писали"), ("ru", "мы писали")])
def test_previously_we_wrote_links_to_the_sanctions_story_in_the_same_language(sample, lang, words):
    seed = story_paths(sample, lang, 'src="lead.jpg"')
    doc = sample.html(seed)
    link = next(a for a in doc.select("article .body a") if a.get_text() == words)
    target = urljoin("https://x/" + seed, link["href"])
    sanctions = sample.html(target[len("https://x/"):])
    assert sanctions.html["lang"] == {"ua": "uk", "en": "en", "ru": "ru"}[lang]
    assert "sanctions" in target or "sanktsi" in target
    assert link.get("hreflang") is None  # same language: no fallback marking


def test_lead_image_is_a_figure_with_caption_and_credit(sample):
    doc = sample.html("en/2023/11/russia-iran-defense-cooperation/")
    figure = doc.select_one("figure.lead")
    assert figure.img["src"] == "lead.jpg"
    assert (sample.output / "en/2023/11/russia-iran-defense-cooperation/lead.jpg").stat().st_size > 1000
    # caption and credit, each on its own line
    assert figure.select_one("figcaption .caption").get_text() == "Russia and Iran are expanding defense cooperation"
    assert figure.select_one("figcaption .credit").get_text() == "Illustrative photo: Getty Images"
    assert figure.img["alt"] == "Silhouette of an attack drone over dark hills at dusk"


def test_feeds_parse_and_list_the_newest_stories(sample):
    for lang, title in (("ua", "Новини"), ("en", "News"), ("ru", "Новости")):
        feed = feedparser.parse(sample.text(f"{lang}/feed.xml"))
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.title == title
        assert len(feed.entries) == 4
        assert feed.entries[0].link.startswith(f"https://example.org/news/{lang}/2023/11/")
        dates = [e.published_parsed for e in feed.entries]
        assert dates == sorted(dates, reverse=True)


def test_sitemap_lists_every_html_page_but_404_and_noindex_ones_with_alternates(sample):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.fromstring((sample.output / "sitemap.xml").read_bytes())
    locs = {u.find("s:loc", ns).text for u in root.findall("s:url", ns)}
    noindex = {p for p in sample.find("**/*.html") if '<meta name="robots" content="noindex">' in sample.text(p)}
    assert noindex == set()  # (redirect pages and withdrawal notices are noindex; the sample site has none)
    pages = {("https://example.org/news/" + p).removesuffix("index.html")
             for p in sample.find("**/*.html") if p != "404.html" and p not in noindex}
    assert locs == pages
    for url in root.findall("s:url", ns):
        hreflangs = [link.get("hreflang") for link in url.findall("x:link", ns)]
        assert "x-default" in hreflangs


def test_robots_txt_points_at_the_sitemap(sample):
    assert "Sitemap: https://example.org/news/sitemap.xml" in sample.text("robots.txt")


def test_404_links_are_absolute_paths_under_the_base_path(sample):
    doc = sample.html("404.html")
    hrefs = [a["href"] for a in doc.select("a") if not a["href"].startswith("#")]  # (the skip link stays on the page)
    hrefs += [l["href"] for l in doc.select("link[rel=stylesheet], link[rel=icon]")]
    hrefs += [form["action"] for form in doc.select("form")]
    assert hrefs and all(h.startswith("/news/") for h in hrefs), hrefs
    assert [h2.get_text() for h2 in doc.select(".not-found h2")] == [
        "Сторінку не знайдено", "Page not found", "Страница не найдена"]


def test_pages_load_nothing_from_another_host(sample):
    for path in sample.find("**/*.html"):
        doc = sample.html(path)
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
            for element in doc.find_all(tag):
                value = element.get(attribute, "")
                if tag == "link" and element.get("rel") != ["stylesheet"]:
                    continue
                assert "//" not in value, f"{path}: {element}"
