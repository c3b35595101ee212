"""Structured data and social cards: JSON-LD that parses and matches the front matter."""
from __future__ import annotations

import json

import pytest

from conftest import Built, copy_sample_site, story
from generator.cli import main

BASE = "https://example.org/news/"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Built:
    root = copy_sample_site(tmp_path_factory.mktemp("sample"))
    assert main(["build", "--site", str(root), "--quiet"]) == 0
    return Built(root, 0, "", "")


def blocks(doc) -> list[dict]:
    return [json.loads(script.string) for script in doc.select('script[type="application/ld+json"]')]


def test_every_json_ld_block_parses(sample):
    count = 0
    for path in sample.find("**/*.html"):
        for block in blocks(sample.html(path)):
            assert block["@context"] == "https://schema.org"
            count += 1
    assert count >= 3 * 4 * 2 + 3 * 2  # two blocks per story page, two per front page


def test_news_article_matches_the_front_matter(sample):
    en = sample.html("en/2023/11/russia-iran-defense-cooperation/")
    article, crumbs = blocks(en)
    assert article["@type"] == "NewsArticle"
    assert article["headline"] == "Expanded defense cooperation between Russia and Iran despite weapon shortages"
    assert article["datePublished"] == "2023-11-24T10:30:00+02:00"
    assert article["dateModified"] == "2023-11-24T10:30:00+02:00"
    assert article["inLanguage"] == "en"
    assert article["mainEntityOfPage"]["@id"] == en.select_one("link[rel=canonical]")["href"]
    image, = article["image"]
    assert image["url"] == BASE + "en/2023/11/russia-iran-defense-cooperation/lead.jpg"
    assert (image["width"], image["height"]) == (1200, 675)  # the sample's lead.jpg
    assert image["creditText"] == "Illustrative photo: Getty Images"
    assert article["publisher"]["name"] == "News"
    assert sorted(article["keywords"]) == ["Drones", "Iran", "Russia"]
    ua_url = BASE + "ua/2023/11/rosiia-ta-iran-rozshyriuiut-oboronnu-spivpratsiu-popry-brak-ozbroien/"
    assert article["translationOfWork"]["@id"] == ua_url  # ua is the default language: the source
    ua_article = blocks(sample.html(ua_url[len(BASE):]))[0]
    assert sorted(w["inLanguage"] for w in ua_article["workTranslation"]) == ["en", "ru"]
    assert [item["position"] for item in crumbs["itemListElement"]] == [1, 2]
    assert crumbs["itemListElement"][0]["item"] == BASE + "en/"


def test_front_pages_are_a_website_and_a_collection(sample):
    types = [b["@type"] for b in blocks(sample.html("ru/"))]
    assert types == ["WebSite", "CollectionPage"]


def test_social_cards(sample):
    doc = sample.html("ru/2023/11/rossiia-i-iran-rasshiriaiut-oboronnoe-sotrudnichestvo-nesmotria-na-nekhvatku/")
    meta = lambda prop: [m["content"] for m in doc.select(f'meta[property="{prop}"], meta[name="{prop}"]')]  # noqa: E731
    assert meta("og:type") == ["article"] and meta("og:locale") == ["ru_RU"]
    assert sorted(meta("og:locale:alternate")) == ["en_US", "uk_UA"]
    assert meta("og:image")[0].startswith("https://example.org/news/ru/2023/11/")
    assert meta("article:published_time") == ["2023-11-24T10:30:00+02:00"]
    assert sorted(meta("article:tag")) == ["Дроны", "Иран", "Россия"]
    assert meta("twitter:card") == ["summary_large_image"]


def test_json_ld_cannot_be_broken_out_of(site):
    title = "'</script><script>alert(1)</script> & \"quotes\"'"
    built = site(f"""
-- content/news/x/en.md --
{story(title, slug="x", author="'<b>Name</b>'")}
""")
    assert built.status == 0, built.err
    raw = built.text("en/2023/11/x/")
    head = raw.split("</head>")[0]
    assert "<script>alert" not in raw and head.count("</script>") == 2  # only the two JSON-LD elements close
    article = blocks(built.html("en/2023/11/x/"))[0]
    assert article["headline"] == "</script><script>alert(1)</script> & “quotes”"
    assert article["author"] == [{"@type": "Person", "name": "<b>Name</b>"}]
