"""Ukrainian and Russian done right: plurals, month grammar, quotes, alphabet, tags, status."""
from __future__ import annotations

import json
import re

import jinja2
import pytest
from babel.messages.pofile import read_po

from conftest import copy_sample_site, REPO, make_site, run_newsgen, story, visible
from generator.config import load_config
from generator.language.i18n import load_catalogs

N = [0, 1, 2, 4, 5, 11, 12, 21, 22, 25, 101, 111]
STORIES = {
    "ua": ["0 статей", "1 стаття", "2 статті", "4 статті", "5 статей", "11 статей", "12 статей", "21 стаття",
           "22 статті", "25 статей", "101 стаття", "111 статей"],
    "ru": ["0 статей", "1 статья", "2 статьи", "4 статьи", "5 статей", "11 статей", "12 статей", "21 статья",
           "22 статьи", "25 статей", "101 статья", "111 статей"],
    "en": ["0 stories", "1 story", "2 stories", "4 stories", "5 stories", "11 stories", "12 stories",
           "21 stories", "22 stories", "25 stories", "101 stories", "111 stories"],
}
MINUTES = {
    "ua": ["0 хвилин", "1 хвилина", "2 хвилини", "4 хвилини", "5 хвилин", "11 хвилин", "12 хвилин", "21 хвилина",
           "22 хвилини", "25 хвилин", "101 хвилина", "111 хвилин"],
    "ru": ["0 минут", "1 минута", "2 минуты", "4 минуты", "5 минут", "11 минут", "12 минут", "21 минута",
           "22 минуты", "25 минут", "101 минута", "111 минут"],
    "en": ["0 minutes", "1 minute", "2 minutes", "4 minutes", "5 minutes", "11 minutes", "12 minutes",
           "21 minutes", "22 minutes", "25 minutes", "101 minutes", "111 minutes"],
}
READ = {"ua": " читання", "ru": " чтения", "en": " read"}


@pytest.fixture(scope="module")
def theme_env(tmp_path_factory):
    """The theme's catalogs installed in Jinja, as the renderer does."""
    root = make_site(tmp_path_factory.mktemp("catalogs"))
    problems = []
    catalogs = load_catalogs(load_config(root), problems)
    assert not problems

    def env(lang: str) -> jinja2.Environment:
        environment = jinja2.Environment(extensions=["jinja2.ext.i18n"])
        environment.install_gettext_translations(catalogs[lang], newstyle=True)
        return environment
    return env


@pytest.mark.parametrize("lang", ["ua", "ru", "en"])
def test_story_counts_and_reading_times_follow_cldr_plural_rules(theme_env, lang):
    env = theme_env(lang)
    count = env.from_string('{{ ngettext("%(num)d story", "%(num)d stories", n) }}')
    minutes = env.from_string('{{ ngettext("%(num)d minute read", "%(num)d minutes read", n) }}')
    assert [count.render(n=n) for n in N] == STORIES[lang]
    assert [minutes.render(n=n) for n in N] == [m + READ[lang] for m in MINUTES[lang]]


def test_counts_and_reading_times_on_built_pages(site):
    sizes = [1, 2, 5, 21, 22]
    files = []
    for i in range(25):
        tags = [f"n{size}" for size in sizes if i < size]
        words = " ".join(["слово"] * (200 * (i % 6) + 150))
        for lang, slug in (("ua", f"s{i}"), ("ru", f"s{i}")):
            files.append(f"-- content/news/s{i:02d}/{lang}.md --\n"
                         + story(f"Історія {i}", date=f"2023-11-{i + 1:02d}", slug=slug, body=words,
                                 tags="[" + ", ".join(tags) + "]"))
    built = site("\n".join(files))
    assert built.status == 0, built.err
    index = {a.get_text(): visible(a.find_next("span").get_text())
             for a in built.html("ua/tags/").select(".tag-index a")}
    assert index == {"n1": "1 стаття", "n2": "2 статті", "n5": "5 статей", "n21": "21 стаття", "n22": "22 статті"}
    ru = {a.get_text(): a.find_next("span").get_text() for a in built.html("ru/tags/").select(".tag-index a")}
    assert ru["n21"] == "21 статья" and ru["n22"] == "22 статьи" and ru["n5"] == "5 статей"
    assert built.html("ua/2023/11/").select_one("p.count").get_text() == "25 статей"
    assert built.html("ua/2023/").select_one("p.count").get_text() == "25 статей"
    times = {i % 6: built.html(f"ua/2023/11/s{i}/").select_one(".reading-time").get_text() for i in range(6)}
    assert times == {0: "1 хвилина читання", 1: "2 хвилини читання", 2: "3 хвилини читання",
                     3: "4 хвилини читання", 4: "5 хвилин читання", 5: "6 хвилин читання"}


def test_dates_are_genitive_and_archive_headings_nominative(site):
    built = site(f"""
-- content/news/a/ua.md --
{story("Історія", slug="a", date="2023-11-24T10:30:00+02:00")}
-- content/news/a/ru.md --
{story("История", slug="a", date="2023-11-24T10:30:00+02:00")}
-- content/news/a/en.md --
{story("Story", slug="a", date="2023-11-24T10:30:00+02:00")}
-- content/news/b/ua.md --
{story("Березнева", slug="b", date="2024-03-01")}
""")
    assert built.status == 0, built.err
    ua = built.html("ua/2023/11/a/")
    assert visible(ua.select_one("article.story .byline time").get_text()) == "24 листопада 2023 р., 10:30"
    link = ua.select_one(".byline a.date")  # the date line leads to the month's archive
    assert link["href"] == "../" and link["title"] == "Архів: Листопад 2023"
    assert built.html("ua/2023/11/").h1.get_text() == "Листопад 2023"
    assert built.html("ua/2024/03/").h1.get_text() == "Березень 2024"
    assert visible(built.html("ru/2023/11/a/").select_one("article time").get_text()) == "24 ноября 2023 г., 10:30"
    assert built.html("ru/2023/11/").h1.get_text() == "Ноябрь 2023"
    assert built.html("en/2023/11/").h1.get_text() == "November 2023"
    # the archive's switcher: the same month in each language that has it
    items = {i.get_text(): i for i in built.html("ua/2024/03/").select("nav.switcher li > *")}
    assert items["en"].name == "span"
    assert items["ru"].name == "span"
    assert built.html("ua/2023/11/").select_one('nav.switcher a[hreflang="ru"]')["href"] == "../../../ru/2023/11/"


def test_quote_characters_per_language(site):
    english = "He said: \"It is 'vital' to us\"."
    built = site(f"""
-- content/news/q/ua.md --
{story("Цитата", slug="q", body='Він сказав: "Це "важливо" для нас".')}
-- content/news/q/ru.md --
{story("Цитата", slug="q", body='Он сказал: "Это "важно" для нас".')}
-- content/news/q/en.md --
{story("Quote", slug="q", body=english)}
""")
    assert built.status == 0, built.err
    assert built.html("ua/2023/11/q/").select_one(".body p").get_text() == "Він сказав: «Це „важливо“ для нас»."
    assert built.html("ru/2023/11/q/").select_one(".body p").get_text() == "Он сказал: «Это „важно“ для нас»."
    assert built.html("en/2023/11/q/").select_one(".body p").get_text() == "He said: “It is ‘vital’ to us”."


UKRAINIAN_ORDER = ["гора", "ґанок", "ехо", "єдність", "жук", "зима", "ирій", "іній", "їжак"]


def test_ukrainian_tags_sort_in_ukrainian_alphabetical_order(site):
    shuffled = ["їжак", "ехо", "іній", "ґанок", "зима", "гора", "ирій", "жук", "єдність"]
    built = site(f"""
-- content/news/a/ua.md --
{story("Історія", slug="a", tags="[" + ", ".join(shuffled) + "]")}
-- content/news/b/ua.md --
{story("Друга", slug="b", tags="[їжак, гора]")}
""")
    assert built.status == 0, built.err
    assert [a.get_text() for a in built.html("ua/tags/").select(".tag-index a")] == UKRAINIAN_ORDER
    assert [a.get_text() for a in built.html("ua/2023/11/a/").select(".story-tags a")] == UKRAINIAN_ORDER
    assert sorted(UKRAINIAN_ORDER) != UKRAINIAN_ORDER  # code-point order would get it wrong


def test_tag_pages_cross_link_languages_and_fall_back_to_the_front_page(site):
    built = site(f"""
-- content/tags.toml --
[drones]
ua = {{ name = "Дрони", slug = "drony" }}
en = "Drones"
ru = "Дроны"
-- content/news/a/ua.md --
{story("Історія", slug="a", tags="[drones, Київ]")}
-- content/news/a/en.md --
{story("Story", slug="a", tags="[Drones]")}
-- content/news/a/ru.md --
{story("История", slug="a", tags="[Дроны]")}
""")
    assert built.status == 0, built.err
    doc = built.html("ua/tags/drony/")
    links = {l["hreflang"]: l["href"] for l in doc.select("link[rel=alternate][hreflang]")}
    assert links == {"uk": "https://example.org/news/ua/tags/drony/", "en": "https://example.org/news/en/tags/drones/",
                     "ru": "https://example.org/news/ru/tags/drony/", "x-default": "https://example.org/news/ua/tags/drony/"}
    switch = {a.get_text(): a["href"] for a in doc.select("nav.switcher a")}
    assert switch == {"ua": "./", "en": "../../../en/tags/drones/", "ru": "../../../ru/tags/drony/"}
    # "Київ" exists only in Ukrainian: the switcher leads to the other front pages, marked
    kyiv = built.html("ua/tags/kyiv/")
    en = kyiv.select_one('nav.switcher a[hreflang="en"]')
    assert en["href"] == "../../../en/" and "fallback" in en["class"] and "English" in en["title"]
    assert {l["hreflang"] for l in kyiv.select("link[rel=alternate][hreflang]")} == {"uk", "x-default"}


def test_status_table_shows_missing_draft_and_outdated_translations(tmp_path):
    root = make_site(tmp_path / "site", f"""
-- content/news/fresh/ua.md --
{story("Свіжа", slug="fresh", date="2023-11-24T10:00:00+02:00", updated="2023-11-24T18:00:00+02:00")}
-- content/news/fresh/en.md --
{story("Fresh", date="2023-11-24T10:00:00+02:00")}
-- content/news/fresh/ru.md --
{story("Свежая", slug="fresh", date="2023-11-24T10:00:00+02:00", updated="2023-11-24T19:00:00+02:00")}
-- content/news/old/ua.md --
{story("Стара", slug="old", date="2023-10-01")}
-- content/news/old/en.md --
{story("Old", date="2023-10-01", draft="true")}
""")
    table = run_newsgen("status", "--site", str(root))
    assert table.returncode == 0, table.stderr
    rows = {line.split()[0]: line.split()[2:] for line in table.stdout.splitlines()[2:4]}
    assert rows == {"fresh": ["ok", "OUTDATED", "ok"], "old": ["ok", "draft", "—"]}
    assert "ua (source): 2 present" in table.stdout
    assert "en: 0 present, 1 outdated, 1 draft" in table.stdout
    assert "ru: 1 present, 1 missing" in table.stdout
    data = json.loads(run_newsgen("status", "--site", str(root), "--json").stdout)
    assert [s["id"] for s in data["stories"]] == ["fresh", "old"]
    assert data["stories"][0]["languages"] == {"ua": "present", "en": "outdated", "ru": "present"}
    assert data["summary"]["ru"] == {"present": 1, "outdated": 0, "draft": 0, "scheduled": 0, "missing": 1}


CATALOGS = sorted((REPO / "themes").glob("*/locales/*/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_catalogs_are_complete(path):
    with path.open("rb") as po:
        catalog = read_po(po)
    template = read_po((path.parents[2] / "messages.pot").open("rb"))
    assert {m.id for m in catalog if m.id} == {m.id for m in template if m.id}, "run `newsgen i18n update`"
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, f"fuzzy: {message.id}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.pluralizable:
            assert len(strings) == catalog.num_plurals, f"{message.id}: needs {catalog.num_plurals} forms"
        assert all(strings), f"untranslated: {message.id}"


def test_every_ui_string_on_the_sample_site_is_in_the_page_language(tmp_path):
    copy_sample_site(tmp_path)
    assert run_newsgen("build", "--site", str(tmp_path), "--quiet").returncode == 0
    template = read_po((REPO / "themes/default/locales/messages.pot").open("rb"))
    fragments = set()
    for message in template:
        for msgid in (message.id if isinstance(message.id, tuple) else (message.id,)):
            fragments.update(f.strip(" :.") for f in re.split(r"%\(\w+\)[sd]", msgid) if len(f.strip(" :.")) > 3)
    pages = [p for lang in ("ua", "ru") for p in (tmp_path / "output" / lang).rglob("*.html")]
    assert len(pages) > 20
    for page in pages:
        text = page.read_text(encoding="utf-8")
        visible_text = re.sub(r"<[^>]+>", " ", text.split("<body", 1)[1].split(">", 1)[1])
        attributes = " ".join(re.findall(r'(?:title|aria-label|alt|content)="([^"]*)"', text))
        for fragment in fragments:
            found = re.search(r"\b" + re.escape(fragment) + r"\b", visible_text + " " + attributes)
            assert found is None, f"{page}: {fragment!r}"
