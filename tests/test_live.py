"""Incremental rebuilds in `newsgen serve` give exactly the pages of a full build."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import make_site, story
from generator.build import BuildOptions, build
from generator.preview.live import LiveSite

SITE = f"""
-- content/tags.toml --
[drones]
ua = "Дрони"
en = "Drones"
-- content/news/a/ua.md --
{story("Перша", slug="a", date="2023-11-01", tags="[drones, Київ]")}
-- content/news/a/en.md --
{story("First", slug="a", date="2023-11-01", tags="[drones]")}
-- content/news/b/ua.md --
{story("Друга", slug="b", date="2023-11-02", tags="[drones]", body="Див. [першу](story:a).")}
-- content/news/b/en.md --
{story("Second", slug="b", date="2023-11-02", tags="[drones]", body="See [the first](story:a).")}
-- content/news/b/ru.md --
{story("Вторая", slug="b", date="2023-11-02", tags="[Дроны]")}
-- content/news/c/en.md --
{story("Third", slug="c", date="2023-10-15", tags="[other]", related="[a]")}
-- content/pages/about/en.md --
---
title: About
---
About us.
"""


def full_build(root: Path, tmp: Path) -> dict[str, bytes]:
    out = tmp / f"full-{len(list(tmp.iterdir()))}"
    build(BuildOptions(root, output=out, jobs=1, cache=False))
    # Builds record published URLs; these comparisons are about pages, so each starts unrecorded.
    (root / "content/urls.lock").unlink()
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and (p.suffix in (".html", ".xml", ".txt", ".conf") or p.name == "_redirects")}


def live_pages(live: LiveSite) -> dict[str, bytes]:
    pages = {path: live.page(path) for path in live.paths}
    for name in ("sitemap.xml", "sitemap-index.xml"):
        pages[name] = live.page(name)
    return pages


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def write(root: Path, relative: str, text: str) -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_text(text, encoding="utf-8")


CHANGES = {
    "title": (lambda r: edit(r / "content/news/a/en.md", "title: First", "title: First, updated"),
              ["content/news/a/en.md"]),
    "body": (lambda r: edit(r / "content/news/b/ua.md", "Див.", "Дивіться"), ["content/news/b/ua.md"]),
    # words only, in stories without `story:` links: the site of the last rebuild is kept (relink.py)
    "words": (lambda r: edit(r / "content/news/c/en.md", "Body text.", "Corrected text with **more** words."),
              ["content/news/c/en.md"]),
    "headline in lists": (lambda r: edit(r / "content/news/a/ua.md", "title: Перша", "title: Перша, оновлена"),
                          ["content/news/a/ua.md"]),
    "page words": (lambda r: edit(r / "content/pages/about/en.md", "About us.", "About us, and more."),
                   ["content/pages/about/en.md"]),
    "words with story links": (lambda r: edit(r / "content/news/b/en.md", "See [the first](story:a).",
                                              "See [the very first](story:a) and [this one](story:about)."),
                               ["content/news/b/en.md"]),
    "words linking another language": (lambda r: edit(r / "content/news/a/ua.md", "Body text.",
                                                      "Див. [третю](story:c)."), ["content/news/a/ua.md"]),
    "date to another month": (lambda r: edit(r / "content/news/a/ua.md", "date: 2023-11-01", "date: 2023-09-30"),
                              ["content/news/a/ua.md"]),
    "tags": (lambda r: edit(r / "content/news/c/en.md", "tags: [other]", "tags: [drones, new]"),
             ["content/news/c/en.md"]),
    "new story": (lambda r: write(r, "content/news/d/en.md", story("Fourth", slug="d", date="2023-11-03",
                                                                       tags="[drones]")),
                  ["content/news/d/en.md", "content/news/d"]),
    "deleted story": (lambda r: shutil.rmtree(r / "content/news/c"), ["content/news/c/en.md", "content/news/c"]),
    "deleted translation": (lambda r: (r / "content/news/b/ru.md").unlink(), ["content/news/b/ru.md"]),
    "tags.toml": (lambda r: edit(r / "content/tags.toml", 'en = "Drones"', 'en = "UAVs"\nru = "Дроны"'),
                  ["content/tags.toml"]),
    "template": (lambda r: edit(r / "themes/default/templates/story.html", "<article class=\"story\"",
                                "<article class=\"story edited\""), ["themes/default/templates/story.html"]),
    "catalog": (lambda r: edit(r / "themes/default/locales/uk/LC_MESSAGES/messages.po",
                               'msgstr "Читайте також"', 'msgstr "Дивіться також"'),
                ["themes/default/locales/uk/LC_MESSAGES/messages.po"]),
    "settings": (lambda r: edit(r / "site.toml", "per_page = 20", "per_page = 1"), ["site.toml"]),
    "media": (lambda r: (r / "content/news/a/photo.jpg").write_bytes(b"jpeg"), ["content/news/a/photo.jpg"]),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_incremental_rebuild_equals_a_full_build(tmp_path, change):
    root = make_site(tmp_path / "site", SITE)
    builds = tmp_path / "builds"
    builds.mkdir()
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().ok
    assert live_pages(live) == full_build(root, builds)
    apply, paths = CHANGES[change]
    apply(root)
    result = live.update(set(paths))
    assert result.ok, result.problems
    expected = full_build(root, builds)
    got = live_pages(live)
    assert sorted(got) == sorted(expected)
    for path in expected:
        assert got[path] == expected[path], path


def test_only_affected_pages_are_rendered_and_reported(tmp_path):
    many = "".join(f"""
-- content/news/s{i:02d}/en.md --
{story(f"Story {i}", date=f"2023-{i % 12 + 1:02d}-10", tags=f"[t{i % 5}]")}
-- content/news/s{i:02d}/ua.md --
{story(f"Історія {i}", slug=f"s{i}", date=f"2023-{i % 12 + 1:02d}-10", tags=f"[t{i % 5}]")}
""" for i in range(40))
    root = make_site(tmp_path / "site", many)
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().rendered == 0  # pages are rendered when asked for
    total = len(live_pages(live))  # every page shown once
    edit(root / "content/news/s07/ua.md", "Body text.", "Body text.\n\nA paragraph added at the end.")
    result = live.update({"content/news/s07/ua.md"})
    assert result.ok and 0 < result.rendered < total / 10, (result.rendered, total)
    assert result.changed == ("/news/ua/2023/08/s7/",)  # the summary (first paragraph) did not change
    assert "/news/en/2023/08/story-7/" not in result.changed


def test_a_renamed_story_is_reported_with_its_new_url(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    live = LiveSite(BuildOptions(root, jobs=1))
    live.full()
    edit(root / "content/news/c/en.md", "slug: c", "slug: c-renamed")
    result = live.update({"content/news/c/en.md"})
    assert result.renamed == {"/news/en/2023/10/c/": "/news/en/2023/10/c-renamed/"}


def test_problems_keep_the_last_good_build_until_fixed(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    live = LiveSite(BuildOptions(root, jobs=1))
    live.full()
    before = live_pages(live)
    path = root / "content/news/a/en.md"
    good = path.read_text()
    path.write_text("---\ntitle: Broken\ntags: [broken\n---\n")
    failed = live.update({"content/news/a/en.md"})
    assert not failed.ok
    assert [str(p) for p in failed.problems][0].startswith("content/news/a/en.md:3: a list opened with `[` is not closed")
    assert live_pages(live) == before and live.problems
    path.write_text(good)
    fixed = live.update({"content/news/a/en.md"})
    assert fixed.ok and not live.problems and live_pages(live) == before


@pytest.mark.parametrize("words, message", [
    ("See [the list](../nowhere/).", "dead link `../nowhere/`"),
    ("See [the first](story:a#nowhere).", "has no heading with the id `nowhere`"),
    ("See [a story](story:no-such).", "unknown story `story:no-such`"),
    ("", None),
])
def test_an_edit_to_words_alone_still_finds_what_is_wrong_in_them(tmp_path, words, message):
    """An edit that changes only words keeps the site's links (relink.py), but the links and
    headline the new words bring are checked as in a full rebuild."""
    root = make_site(tmp_path / "site", SITE)
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().ok
    if message is None:  # the English headline made the same as the Ukrainian one: not translated
        edit(root / "content/news/a/en.md", "title: First", "title: Перша")
        edit(root / "content/news/a/ua.md", "title: Перша", "title: Перша, та сама")
        edit(root / "content/news/a/en.md", "title: Перша", "title: Перша, та сама")
        message = "the title is the same as in ua.md"
        changed = {"content/news/a/en.md", "content/news/a/ua.md"}
    else:
        edit(root / "content/news/c/en.md", "Body text.", words)
        changed = {"content/news/c/en.md"}
    result = live.update(changed)
    assert not result.ok and any(message in str(problem) for problem in result.problems), result.problems


def test_a_stylesheet_change_renders_nothing(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    live = LiveSite(BuildOptions(root, jobs=1))
    live.full()
    result = live.update({"themes/default/static/style.css"})
    assert result.ok and result.stylesheet_only and result.rendered == 0


def test_an_unknown_story_link_stays_a_problem_on_every_rebuild(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    live = LiveSite(BuildOptions(root, jobs=1))
    live.full()
    edit(root / "content/news/b/en.md", "story:a", "story:no-such")
    assert not live.update({"content/news/b/en.md"}).ok
    edit(root / "content/news/a/en.md", "title: First", "title: First again")
    again = live.update({"content/news/a/en.md"})
    assert not again.ok and "unknown story `story:no-such`" in str(again.problems[0])


def test_whole_site_checks_stay_reported_on_every_rebuild_until_fixed(tmp_path):
    """serve keeps the results of the tag and headline checks between edits that cannot change
    them; they must still be reported after every edit, and go when the file is fixed."""
    root = make_site(tmp_path / "site", SITE)
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().ok
    edit(root / "content/news/c/en.md", "tags: [other]", "tags: [Dronez]")  # a typo of Drones
    edit(root / "content/news/b/en.md", "title: Second", "title: Друга")  # the Ukrainian headline, untranslated
    for change in ("First, again", "First, once more"):
        edit(root / "content/news/a/en.md", "title: First", f"title: {change}")
        result = live.update({"content/news/a/en.md", "content/news/b/en.md", "content/news/c/en.md"})
        messages = " ".join(str(p) for p in result.problems)
        assert not result.ok
        assert "tag `Dronez` is new, and close to the tag `Drones`" in messages
        assert "the title is the same as in ua.md" in messages
        edit(root / "content/news/a/en.md", f"title: {change}", "title: First")
    edit(root / "content/news/c/en.md", "tags: [Dronez]", "tags: [other]")
    edit(root / "content/news/b/en.md", "title: Друга", "title: Second")
    fixed = live.update({"content/news/b/en.md", "content/news/c/en.md"})
    assert fixed.ok, fixed.problems


def test_pages_shown_before_an_edit_are_what_a_fresh_start_renders_after_it(tmp_path):
    """Pages already shown are kept while their inputs are the same: after each kind of edit,
    every page equals the one a newly started serve renders."""
    import re

    from conftest import generated_site
    root = generated_site(tmp_path / "generated", 150)
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().ok
    live_pages(live)  # every page shown (and cached) once
    stories = sorted((root / "content/news").iterdir())

    def title(path, text):
        return re.sub(r"^title: .*$", f"title: {text}", path.read_text(encoding="utf-8"), count=1, flags=re.M)

    edits = [
        (stories[10] / "en.md", lambda p: title(p, "A corrected headline")),  # slug, teasers, related
        (stories[10] / "en.md", lambda p: p.read_text(encoding="utf-8") + "\nOne more paragraph.\n"),
        (stories[-1] / "ua.md", lambda p: title(p, "Найновіша новина")),  # on the front page and in the feed
        (stories[40] / "ru.md", lambda p: p.read_text(encoding="utf-8").replace("\n---\n", "\nsummary: Кратко.\n---\n", 1)),
        (stories[70] / "en.md", lambda p: re.sub(r"^tags: .*$", "tags: [brand-new]", p.read_text(encoding="utf-8"),
                                                 count=1, flags=re.M)),  # the shape changes
    ]
    for path, change in edits:
        path.write_text(change(path), encoding="utf-8")
        result = live.update({path.relative_to(root).as_posix()})
        assert result.ok, result.problems
        fresh = LiveSite(BuildOptions(root, jobs=1))
        assert fresh.full().ok
        shown, expected = live_pages(live), live_pages(fresh)
        assert sorted(shown) == sorted(expected), path
        assert [p for p in expected if shown[p] != expected[p]] == [], path


def test_a_page_never_shown_is_rendered_from_the_version_served_when_asked_for(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().ok
    edit(root / "content/news/a/en.md", "title: First", "title: First, updated")
    result = live.update({"content/news/a/en.md"})
    assert result.ok and result.rendered == 0  # nobody had looked at a page yet
    assert "First, updated" in live.page("en/index.html").decode()


def test_a_start_after_a_build_shows_what_a_start_from_nothing_shows(tmp_path):
    """serve starts from what the last build left (files it read are not read again while their
    size and time are the same; the parse cache; the related-story ranking): pages, and edits made
    since that build and after the start, are as a start without any cache shows them."""
    root = make_site(tmp_path / "site", SITE)
    assert build(BuildOptions(root, jobs=1)).pages
    edit(root / "content/news/a/en.md", "title: First", "title: First, edited after the build")
    started = LiveSite(BuildOptions(root, jobs=1))
    assert started.full().ok
    uncached = LiveSite(BuildOptions(root, jobs=1, cache=False))
    assert uncached.full().ok
    assert live_pages(started) == live_pages(uncached)
    assert "First, edited after the build" in started.page("en/index.html").decode()
    edit(root / "content/news/c/en.md", "Body text.", "Words added while serving.")
    assert started.update({"content/news/c/en.md"}).ok
    fresh = LiveSite(BuildOptions(root, jobs=1, cache=False))
    assert fresh.full().ok
    assert live_pages(started) == live_pages(fresh)
    assert "Words added while serving." in started.page("en/2023/10/c/index.html").decode()


def test_bodies_a_build_dropped_from_the_cache_are_read_from_the_files(tmp_path):
    """serve starts without reading the bodies (they stay in the parse cache until a page is
    asked for); should a build of the same site drop them meanwhile, the pages still show them."""
    import sqlite3
    root = make_site(tmp_path / "site", SITE)
    assert build(BuildOptions(root, jobs=1)).pages
    started = LiveSite(BuildOptions(root, jobs=1))
    assert started.full().ok
    with sqlite3.connect(root / ".newsgen-cache/translations.sqlite") as db:
        assert db.execute("DELETE FROM bodies").rowcount >= 6
    uncached = LiveSite(BuildOptions(root, jobs=1, cache=False))
    assert uncached.full().ok
    assert live_pages(started) == live_pages(uncached)
    assert '<p>See <a href="../a/">the first</a>.</p>' in started.page("en/2023/11/b/index.html").decode()
