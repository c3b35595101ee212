"""Search in each language: Pagefind indexes the built pages per <html lang>;
the search page, served by nginx under a sub-path, finds stories in Chromium.
Ukrainian, which Pagefind cannot stem, still finds inflected forms."""
from __future__ import annotations

import gzip
import json

import pytest

from conftest import copy_sample_site, make_site, require, story
from hosting import Nginx, free_port

SUB_PATH = "/world/news/"
SEED = {
    "ua": "Росія та Іран розширюють оборонну співпрацю попри брак озброєнь",
    "en": "Expanded defense cooperation between Russia and Iran despite weapon shortages",
    "ru": "Россия и Иран расширяют оборонное сотрудничество несмотря на нехватку вооружений",
}


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """The sample site plus a story whose Ukrainian text has "Іран" only as "Іраном"."""
    nginx = require("nginx", "static-hosting tests serve the output with nginx (apt-get install nginx)")
    root = copy_sample_site(tmp_path_factory.mktemp("search"))
    folder = root / "content/news/oil-deal"
    folder.mkdir()
    (folder / "ua.md").write_text(story("Нафтова угода", date="2023-11-20T09:00:00+02:00",
                                        body="Туреччина підписала нафтову угоду з Іраном."), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}{SUB_PATH}"
    from generator.cli import main
    assert main(["build", "--site", str(root), "--base-url", base, "--quiet"]) == 0
    server = Nginx(nginx, root / "output", SUB_PATH, root / "nginx", port)
    yield server
    server.stop()


def search(browser, server: Nginx, lang: str, query: str) -> list[dict]:
    page = browser.new_page()
    try:
        page.goto(f"{server.base}{lang}/search/")
        page.fill("input[name=q]", query)
        page.click("form.search button[type=submit]")
        page.wait_for_function("""() => document.querySelector('.search-results').children.length > 0
            || (document.querySelector('.search-status').textContent !== ''
                && document.querySelector('form.search').dataset.searching
                   !== document.querySelector('.search-status').textContent)""", timeout=15000)
        return page.eval_on_selector_all(".search-results li", """items => items.map(li => ({
            title: li.querySelector('h2 a').textContent,
            href: li.querySelector('h2 a').href,
            date: (li.querySelector('.date') || {}).textContent || '',
            excerpt: li.querySelector('.excerpt').textContent,
            marks: [...li.querySelectorAll('.excerpt mark')].map(m => m.textContent),
            status: document.querySelector('.search-status').textContent}))""") or [
            {"status": page.text_content(".search-status")}]
    finally:
        page.close()


@pytest.mark.browser
def test_ukrainian_search_finds_the_seed_story(hosted, browser):
    results = search(browser, hosted, "ua", "Іран")
    titles = [r["title"] for r in results]
    assert SEED["ua"] in titles
    seed = results[titles.index(SEED["ua"])]
    assert seed["href"].startswith(hosted.base + "ua/2023/11/")
    assert seed["date"].replace("\u202f", " ").startswith("24 листопада 2023")
    assert any(mark.lower().startswith("іран") for mark in seed["marks"])
    assert all(r["href"].startswith(hosted.base + "ua/") for r in results)  # only Ukrainian pages


@pytest.mark.browser
def test_english_search_finds_the_seed_story(hosted, browser):
    results = search(browser, hosted, "en", "Iran")
    assert SEED["en"] in [r["title"] for r in results]
    assert all(r["href"].startswith(hosted.base + "en/") for r in results)
    assert any(r["date"].startswith("November 24, 2023") for r in results)


@pytest.mark.browser
def test_russian_search_stems_with_pagefind(hosted, browser):
    results = search(browser, hosted, "ru", "Ирана")
    assert SEED["ru"] in [r["title"] for r in results]


@pytest.mark.browser
def test_ukrainian_inflected_forms_find_each_other(hosted, browser):
    """The oil story says only "Іраном": "Ірану" and "Іран" still find it."""
    for query in ("Ірану", "Іран", "іраном"):
        titles = [r.get("title") for r in search(browser, hosted, "ua", query)]
        assert "Нафтова угода" in titles, (query, titles)


@pytest.mark.browser
def test_nothing_found_says_so_in_the_page_language(hosted, browser):
    assert search(browser, hosted, "ua", "жирафа")[0]["status"] == "Нічого не знайдено."
    assert search(browser, hosted, "en", "giraffe")[0]["status"] == "Nothing found."


@pytest.mark.browser
def test_a_search_link_with_a_query_runs_it(hosted, browser):
    page = browser.new_page()
    page.goto(f"{hosted.base}en/search/?q=drones")
    page.wait_for_selector(".search-results li")
    assert page.input_value("input[name=q]") == "drones"
    page.close()


@pytest.mark.browser
def test_ukrainian_stems(hosted, browser):
    page = browser.new_page()
    page.goto(f"{hosted.base}ua/search/")
    stems = page.evaluate("""async () => {
        const m = await import(document.querySelector('script[type=module]').src);
        return ["Ірану", "Іраном", "Росії", "дронів", "співпрацю", "ракети", "Київ", "м’ята", "ЗСУ"]
            .map(w => m.prepareQuery(w, "uk"));
    }""")
    page.close()
    assert stems == ["іран", "іран", "рос", "дрон", "співпрац", "ракет", "київ", "м'ят", "зсу"]


def test_every_language_has_a_search_page_and_no_index_when_search_is_off(tmp_path, build):
    root = make_site(tmp_path / "site", "-- content/news/a/en.md --\n" + story("Story"))
    built = build(root)
    assert built.status == 0, built.err
    for lang, heading in (("ua", "Пошук"), ("en", "Search"), ("ru", "Поиск")):
        doc = built.html(f"{lang}/search/")
        assert doc.h1.text == heading
        form = doc.select_one("form.search")
        assert form["data-bundle"] == "../../pagefind/" and form["data-root"] == "../../"
        assert doc.select_one('meta[name="robots"]') is None  # a page like any other; results live after ?q=
        assert doc.select_one('a[rel="search"]') is None  # no link to itself
        assert built.html(f"{lang}/").select_one('a[rel="search"]')["href"] == "search/"
    assert json.loads(built.text("pagefind/parts.json")) == {"en": ["en-2023-11"]}
    assert (built.output / "pagefind/en-2023-11/pagefind.js").is_file()
    entry = json.loads((built.output / "pagefind/en-2023-11/pagefind-entry.json").read_text())
    assert sorted(entry["languages"]) == ["en"]  # only pages with a story body are indexed
    assert "https://example.org/news/en/search/" in built.text("sitemap.xml")
    toml = root / "site.toml"
    toml.write_text(toml.read_text().replace("per_page = 20", "per_page = 20\nsearch = false"))
    built = build(root)
    assert built.status == 0, built.err
    assert not (built.output / "pagefind").exists() and not (built.output / "en/search").exists()
    assert built.html("en/").select_one('a[rel="search"]') is None


def test_each_part_of_the_index_is_made_again_only_when_its_pages_changed(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Story about giraffes", date="2023-11-20", tags="[animals]")}
-- content/news/b/en.md --
{story("Story about lions", date="2023-10-20", tags="[animals]")}
-- content/news/b/ua.md --
{story("Історія про левів", slug="b", date="2023-10-20")}
""")
    assert build(root).status == 0
    parts = json.loads((root / "output/pagefind/parts.json").read_text())
    assert parts == {"en": ["en-2023-11", "en-2023-10"], "uk": ["ua-2023-10"]}
    entries = {part: root / f"output/pagefind/{part}/pagefind-entry.json" for part in ("en-2023-11", "en-2023-10", "ua-2023-10")}
    first = {part: entry.stat().st_ino for part, entry in entries.items()}
    unchanged = build(root)
    assert unchanged.status == 0
    assert {part: entry.stat().st_ino for part, entry in entries.items()} == first  # nothing indexed again
    (root / "content/news/a/en.md").write_text(story("Story about zebras", date="2023-11-20", tags="[animals]"),
                                               encoding="utf-8")
    again = build(root)
    assert again.status == 0
    assert "search: 1 of 3 parts indexed" in again.out
    now = {part: entry.stat().st_ino for part, entry in entries.items()}
    assert now["en-2023-11"] != first["en-2023-11"]  # the edited story's part, and only it, was indexed again
    # b's page changed too (its related card shows the new headline), but not what search reads of it
    assert "Story about zebras" in again.text("en/2023/10/story-about-lions/index.html")
    assert now["en-2023-10"] == first["en-2023-10"] and now["ua-2023-10"] == first["ua-2023-10"]
    fragments = (root / "output/pagefind/en-2023-11/fragment").iterdir()
    text = b"".join(gzip.decompress(p.read_bytes()) for p in fragments)
    assert b"zebras" in text and b"giraffes" not in text


def test_an_edit_finds_its_parts_from_the_pages_it_rendered_as_a_full_plan_would(tmp_path, build):
    """A build that adds or removes no story takes the previous build's parts and looks only at
    the pages it rendered for those to index again; a new story makes the parts again from every
    page and compares each part's stamp. Had an edit left a part or a stamp other than the full
    plan's, the new story would index more than its own part."""
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Story about giraffes", date="2023-11-20", tags="[animals]")}
-- content/news/b/en.md --
{story("Story about lions", date="2023-10-20", tags="[animals]")}
-- content/news/b/ua.md --
{story("Історія про левів", slug="b", date="2023-10-20")}
""")
    assert build(root).status == 0

    def parts_text(part: str) -> bytes:
        fragments = (root / f"output/pagefind/{part}/fragment").iterdir()
        return b"".join(gzip.decompress(p.read_bytes()) for p in fragments)

    a, b = root / "content/news/a/en.md", root / "content/news/b/ua.md"
    a.write_text(story("Zebras cross the road", date="2023-11-20", tags="[animals]"), encoding="utf-8")
    built = build(root)
    assert built.status == 0 and "search: 1 of 3 parts indexed" in built.out, built.out
    assert b"/zebras-cross-the-road/" in parts_text("en-2023-11") and b"giraffes" not in parts_text("en-2023-11")
    b.write_text(story("Історія про левів", slug="b", date="2023-10-20", body="Леви і тигри."), encoding="utf-8")
    built = build(root)
    assert built.status == 0 and "search: 1 of 3 parts indexed" in built.out, built.out
    assert "тигри".encode() in parts_text("ua-2023-10")
    (root / "content/news/c").mkdir()
    (root / "content/news/c/en.md").write_text(story("Story about seals", date="2023-10-05"), encoding="utf-8")
    built = build(root)
    assert built.status == 0 and "search: 1 of 3 parts indexed" in built.out, built.out
    assert b"seals" in parts_text("en-2023-10") and b"/zebras-cross-the-road/" in parts_text("en-2023-11")


def test_a_busy_recent_month_is_indexed_in_four_parts_and_an_edit_makes_one_again(tmp_path, build):
    """61 English stories in the newest month: more than one part's worth (search.SPLIT_ABOVE),
    so the month is four parts, each story in one; the month before stays one part."""
    blocks = "".join(f"-- content/news/s{n:02d}/en.md --\n"
                     f"{story(f'Story number {n} about giraffes', date=f'2023-11-{n % 28 + 1:02d}')}\n"
                     for n in range(61))
    root = make_site(tmp_path / "site", blocks + f"""
-- content/news/older/en.md --
{story("Older story about lions", date="2023-10-20")}
""")
    assert build(root).status == 0
    parts = json.loads((root / "output/pagefind/parts.json").read_text())
    assert parts == {"en": ["en-2023-11-a", "en-2023-11-b", "en-2023-11-c", "en-2023-11-d", "en-2023-10"]}

    def pages_of(part: str) -> set[str]:
        fragments = (root / f"output/pagefind/{part}/fragment").iterdir()
        return {json.loads(gzip.decompress(p.read_bytes()).removeprefix(b"pagefind_dcd"))["url"] for p in fragments}

    shares = {part: pages_of(part) for part in parts["en"][:4]}
    assert all(shares.values()) and sum(map(len, shares.values())) == 61
    assert len(set().union(*shares.values())) == 61  # every story in exactly one part
    edited = next(part for part, urls in shares.items() if any("/story-number-7-about-giraffes/" in u for u in urls))
    entries = {part: (root / f"output/pagefind/{part}/pagefind-entry.json").stat().st_ino for part in parts["en"]}
    (root / "content/news/s07/en.md").write_text(
        story("Story number 7 about giraffes", date="2023-11-08", body="Now about zebras."), encoding="utf-8")
    again = build(root)
    assert again.status == 0
    assert "search: 1 of 5 parts indexed" in again.out
    after = {part: (root / f"output/pagefind/{part}/pagefind-entry.json").stat().st_ino for part in parts["en"]}
    assert [part for part in parts["en"] if after[part] != entries[part]] == [edited]
    text = b"".join(gzip.decompress(p.read_bytes()) for p in (root / f"output/pagefind/{edited}/fragment").iterdir())
    assert b"zebras" in text
    # A new headline moves the page (a new slug): it stays in its part, the only one indexed again.
    for n, headline in ((7, "Giraffes of the savanna counted again"), (12, "Zoo keepers welcome a giraffe calf")):
        part = next(part for part, urls in shares.items() if any(f"/story-number-{n}-about-giraffes/" in u for u in urls))
        entries = {part: (root / f"output/pagefind/{part}/pagefind-entry.json").stat().st_ino for part in parts["en"]}
        (root / f"content/news/s{n:02d}/en.md").write_text(
            story(headline, date=f"2023-11-{n % 28 + 1:02d}"), encoding="utf-8")
        again = build(root)
        assert again.status == 0 and "search: 1 of 5 parts indexed" in again.out, (headline, again.out)
        after = {part: (root / f"output/pagefind/{part}/pagefind-entry.json").stat().st_ino for part in parts["en"]}
        assert [p for p in parts["en"] if after[p] != entries[p]] == [part], headline
        slug = headline.lower().replace(" ", "-")
        assert f"/{slug}/" in str(pages_of(part)), headline


def test_a_year_larger_than_a_part_is_split_in_shares_each_story_in_one(tmp_path, build, monkeypatch):
    """Pagefind's memory grows with the pages it indexes, so a month or year with more than
    `PART_PAGES` pages of a language is indexed in 2, 4, 8 … parts of about that size; the
    search page merges them all. Here a part holds 5 pages, only the newest month has a part
    of its own, and 2020 has 12 English stories."""
    from generator.outputs import search as search_module
    monkeypatch.setattr(search_module, "PART_PAGES", 5)
    monkeypatch.setattr(search_module, "MONTHLY", 1)
    monkeypatch.setattr(search_module, "SPLIT", 1)
    blocks = "".join(f"-- content/news/old{n:02d}/en.md --\n"
                     f"{story(f'Old story {n} about walruses', date=f'2020-0{n % 9 + 1}-10')}\n" for n in range(12))
    root = make_site(tmp_path / "site", blocks + f"""
-- content/news/new/en.md --
{story("New story about seals", date="2023-11-20")}
""")
    assert build(root).status == 0
    parts = json.loads((root / "output/pagefind/parts.json").read_text())["en"]
    assert parts[0] == "en-2023-11" and len(parts) >= 3  # 12 pages: four shares (some may be empty)
    assert set(parts[1:]) <= {"en-2020-a", "en-2020-b", "en-2020-c", "en-2020-d"}, parts
    urls = {}
    for part in parts[1:]:
        fragments = (root / f"output/pagefind/{part}/fragment").iterdir()
        urls[part] = [json.loads(gzip.decompress(p.read_bytes()).removeprefix(b"pagefind_dcd"))["url"]
                      for p in fragments]
    found = [url for part_urls in urls.values() for url in part_urls]
    assert len(found) == len(set(found)) == 12  # every story of 2020 in exactly one part
    assert all(0 < len(part_urls) <= 8 for part_urls in urls.values()), urls
    # Editing one old story indexes its share again, and only it.
    before = {part: (root / f"output/pagefind/{part}/pagefind-entry.json").stat().st_ino for part in parts}
    (root / "content/news/old03/en.md").write_text(
        story("Old story 3 about walruses", date="2020-04-10", body="Walruses and narwhals."), encoding="utf-8")
    again = build(root)
    assert again.status == 0 and f"search: 1 of {len(parts)} parts indexed" in again.out, again.out
    after = {part: (root / f"output/pagefind/{part}/pagefind-entry.json").stat().st_ino for part in parts}
    edited = [part for part in parts if after[part] != before[part]]
    assert edited == [next(p for p, u in urls.items() if any("/old-story-3-about-walruses/" in x for x in u))]


def test_pagefind_processes_together_never_index_more_pages_than_allowed(tmp_path, build, monkeypatch):
    """Parts are indexed `--jobs` at a time, but never more than `PAGES_AT_ONCE` pages between
    the Pagefind processes running (a part larger than that runs alone): their memory is
    bounded whatever the archive's size. Here 6 pages at once, parts of up to 4 pages."""
    import threading
    import time
    from generator.outputs import search as search_module
    monkeypatch.setattr(search_module, "PART_PAGES", 4)
    monkeypatch.setattr(search_module, "PAGES_AT_ONCE", 6)
    monkeypatch.setattr(search_module, "MONTHLY", 1)
    monkeypatch.setattr(search_module, "SPLIT", 1)
    running, most, lock = [0], [0], threading.Lock()
    real_index_pages = search_module.index_pages

    def counted(site, target):
        pages = sum(1 for _ in site.rglob("index.html"))
        with lock:
            running[0] += pages
            most[0] = max(most[0], running[0])
        time.sleep(0.2)  # long enough for the other job to start, were it allowed to
        try:
            return real_index_pages(site, target)
        finally:
            with lock:
                running[0] -= pages

    monkeypatch.setattr(search_module, "index_pages", counted)
    blocks = "".join(f"-- content/news/old{n:02d}/en.md --\n"
                     f"{story(f'Old story {n} about walruses', date=f'2020-0{n % 9 + 1}-10')}\n" for n in range(14))
    root = make_site(tmp_path / "site", blocks + f"""
-- content/news/new/en.md --
{story("New story about seals", date="2023-11-20")}
""")
    assert build(root, "--jobs", "2").status == 0
    parts = json.loads((root / "output/pagefind/parts.json").read_text())["en"]
    assert len(parts) >= 4, parts  # 14 old stories in 4 shares, and the newest month
    sizes = [sum(1 for _ in (root / f"output/pagefind/{part}/fragment").iterdir()) for part in parts]
    assert sum(sizes) == 15
    assert 0 < most[0] <= max(6, max(sizes)), (most[0], sizes)
