"""Google News sitemaps: one per language, the last two days before the build
time (`--now`), valid against the sitemap and news schemas; a sitemap index
and robots.txt list them."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from conftest import SITE_TOML, make_site, story

SCHEMAS = Path(__file__).parent / "schemas"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9"}
NOW = "2023-11-25T12:00:00+02:00"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))


def valid(schema: etree.XMLSchema, path: Path) -> etree._Element:
    document = etree.parse(str(path))
    schema.assertValid(document)
    return document.getroot()


def test_news_sitemap_lists_the_last_two_days_in_its_language(site, schema):
    files = {
        "content/news/fresh/ua.md": story("'Свіжа новина: «Іран» & <Росія>'", "2023-11-25T09:00:00+02:00"),
        "content/news/fresh/en.md": story("Fresh news", "2023-11-25T09:00:00+02:00"),
        "content/news/yesterday/ua.md": story("Вчорашня новина", "2023-11-24T08:00:00+02:00"),
        "content/news/edge/ua.md": story("Рівно дві доби тому", "2023-11-23T12:00:00+02:00"),
        "content/news/old/ua.md": story("Давня новина", "2023-11-23T11:59:00+02:00"),
        "content/news/future/ua.md": story("Завтрашня новина", "2023-11-26T09:00:00+02:00"),
    }
    settings = SITE_TOML.replace('timezone = "Europe/Kyiv"', 'timezone = "Europe/Kyiv"\npublisher = "Голос Америки"')
    archive = f"-- site.toml --\n{settings}" + "".join(f"-- {path} --\n{text}" for path, text in files.items())
    built = site(archive, "--now", NOW)
    assert built.status == 0, built.err
    ua = valid(schema, built.output / "ua/news-sitemap.xml")
    titles = [t.text for t in ua.findall("s:url/n:news/n:title", NS)]
    assert titles == ["Свіжа новина: «Іран» & <Росія>", "Вчорашня новина", "Рівно дві доби тому"]
    first = ua.find("s:url", NS)
    assert first.findtext("s:loc", namespaces=NS) == "https://example.org/news/ua/2023/11/svizha-novyna-iran-rosiia/"
    assert first.findtext("n:news/n:publication/n:name", namespaces=NS) == "Голос Америки"
    assert first.findtext("n:news/n:publication/n:language", namespaces=NS) == "uk"
    assert first.findtext("n:news/n:publication_date", namespaces=NS) == "2023-11-25T09:00:00+02:00"
    en = valid(schema, built.output / "en/news-sitemap.xml")
    assert [t.text for t in en.findall("s:url/n:news/n:title", NS)] == ["Fresh news"]
    assert en.findtext("s:url/n:news/n:publication/n:language", namespaces=NS) == "en"


def test_news_sitemap_follows_the_build_time(site, schema):
    archive = "-- content/news/a/ua.md --\n" + story("Новина", "2023-11-24T10:30:00+02:00")
    built = site(archive, "--now", "2023-12-24T10:00:00")  # a month later: nothing recent
    assert built.status == 0, built.err
    root = valid(schema, built.output / "ua/news-sitemap.xml")
    assert root.findall("s:url", NS) == []
    built = site(archive, "--now", "2023-11-24T10:30:00")  # naive: the site's timezone, so the very minute
    assert len(valid(schema, built.output / "ua/news-sitemap.xml").findall("s:url", NS)) == 1


def test_news_sitemap_stops_at_a_thousand(tmp_path, build, schema):
    root = make_site(tmp_path / "site")
    start = datetime(2023, 11, 25, 11, 0)
    for i in range(1005):
        folder = root / f"content/news/s{i:04d}"
        folder.mkdir(parents=True)
        moment = (start - timedelta(minutes=i)).isoformat()
        (folder / "en.md").write_text(story(f"Story {i}", moment), encoding="utf-8")
    built = build(root, "--now", NOW)
    assert built.status == 0, built.err
    titles = [t.text for t in valid(schema, built.output / "en/news-sitemap.xml").findall("s:url/n:news/n:title", NS)]
    assert len(titles) == 1000
    assert titles[0] == "Story 0" and titles[-1] == "Story 999"  # the newest thousand


def test_robots_and_sitemap_index_list_every_sitemap(site, schema):
    built = site("-- content/news/a/ua.md --\n" + story("Новина"), "--now", NOW)
    assert built.status == 0, built.err
    index = valid(schema, built.output / "sitemap-index.xml")
    listed = [loc.text for loc in index.findall("s:sitemap/s:loc", NS)]
    news = [f"https://example.org/news/{code}/news-sitemap.xml" for code in ("ua", "en", "ru")]
    assert listed == ["https://example.org/news/sitemap.xml"] + news
    robots = built.text("robots.txt").splitlines()
    for url in ["https://example.org/news/sitemap-index.xml", *listed]:
        assert f"Sitemap: {url}" in robots
    valid(schema, built.output / "sitemap.xml")  # the main sitemap keeps to the schema too


def test_now_must_be_a_date_and_time(site):
    with pytest.raises(SystemExit) as exit_:
        site("-- content/news/a/ua.md --\n" + story("Новина"), "--now", "yesterday")
    assert exit_.value.code == 2


def test_a_large_site_splits_its_sitemap_and_the_index_lists_every_part(tmp_path, build, schema, monkeypatch):
    import generator.outputs.xmlout
    monkeypatch.setattr(generator.outputs.xmlout, "SITEMAP_LIMIT", 10)  # as if 50,000 were 10
    root = make_site(tmp_path / "site")
    for i in range(12):
        folder = root / f"content/news/s{i:02d}"
        folder.mkdir(parents=True)
        (folder / "en.md").write_text(story(f"Story {i}", f"2023-11-{i + 1:02d}T10:00:00+02:00"), encoding="utf-8")
    built = build(root, "--jobs", "1")
    assert built.status == 0, built.err
    parts = ["sitemap.xml"] + [f"sitemap-{n}.xml" for n in range(2, 10) if (built.output / f"sitemap-{n}.xml").exists()]
    locs = []
    for name in parts:
        urls = valid(schema, built.output / name).findall("s:url", NS)
        assert 0 < len(urls) <= 10
        locs += [u.findtext("s:loc", namespaces=NS) for u in urls]
    assert len(parts) == -(-len(locs) // 10) >= 2
    assert len(locs) == len(set(locs)) and "https://example.org/news/en/2023/11/story-11/" in locs
    pages = [p for p in built.find("**/index.html") if "noindex" not in built.text(p)]
    assert len(locs) == len(pages)  # every indexable page, once
    index = [loc.text for loc in valid(schema, built.output / "sitemap-index.xml").findall("s:sitemap/s:loc", NS)]
    assert index[:len(parts)] == [f"https://example.org/news/{name}" for name in parts]


def _sitemap_through_elementtree(entries) -> bytes:
    """What the sitemap was when ElementTree wrote it: the text writer must write these bytes."""
    import xml.etree.ElementTree as ET

    from generator.outputs.xmlout import SITEMAP, XHTML
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("xhtml", XHTML)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for entry in entries:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = entry.loc
        if entry.lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = entry.lastmod.isoformat()
        for alt in entry.alternates:
            ET.SubElement(url, f"{{{XHTML}}}link", {"rel": "alternate", "hreflang": alt.hreflang, "href": alt.href})
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"


@pytest.mark.parametrize("shape", ["empty", "plain", "no-alternates", "awkward"])
def test_the_sitemap_text_is_what_an_xml_serializer_writes(shape):
    from generator.outputs.xmlout import SitemapEntry, sitemap, sitemap_url
    from generator.theme.context import Alternate
    when = datetime.fromisoformat("2023-11-25T12:00:00+02:00")
    entries = {
        "empty": [],
        "plain": [SitemapEntry("https://example.org/news/en/2023/11/a/", (
            Alternate("uk", "https://example.org/news/ua/2023/11/a/"),
            Alternate("en", "https://example.org/news/en/2023/11/a/")), when),
            SitemapEntry("https://example.org/news/en/", (), None)],
        "no-alternates": [SitemapEntry("https://example.org/news/en/about/", (), when)],
        "awkward": [SitemapEntry("https://example.org/n/?a=1&b=<2>\"'", (
            Alternate('x"&<>\t\n\r', "https://example.org/n/?q=1&r=\"2\""),), when)],
    }[shape]
    written = sitemap([sitemap_url(entry) for entry in entries])
    assert written == _sitemap_through_elementtree(entries)
    etree.fromstring(written)  # well-formed
