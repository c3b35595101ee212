"""`newsgen serve` in a real browser: the open page follows the editor's changes.

The tests never reload the page themselves: what they see is what the
injected live-reload script did.
"""
from __future__ import annotations


import pytest

from conftest import make_site, story
from servers import Serving

pytestmark = pytest.mark.browser

SITE = f"""
-- content/news/talks/en.md --
{story("Talks resume", slug="talks", date="2023-11-20")}
-- content/news/talks/ua.md --
{story("Переговори відновилися", slug="talks", date="2023-11-20")}
-- content/news/talks/ru.md --
{story("Переговоры возобновились", slug="talks", date="2023-11-20")}
"""


@pytest.fixture
def preview(tmp_path, browser):
    root = make_site(tmp_path / "site", SITE)
    server = Serving(root)
    context = browser.new_context()
    page = context.new_page()
    yield root, server, page
    context.close()
    server.stop()


def open_and_wait_for_live_reload(server, page, path):
    page.goto(server.base + path)
    page.wait_for_function("window.newsgenLive === 'connected'", timeout=10_000)


def test_changed_title_appears_without_reloading_by_hand(preview):
    root, server, page = preview
    open_and_wait_for_live_reload(server, page, "en/2023/11/talks/")
    assert page.locator("h1").inner_text() == "Talks resume"
    path = root / "content/news/talks/en.md"
    path.write_text(path.read_text().replace("title: Talks resume", "title: Talks resume in Geneva"))
    page.locator("h1", has_text="Talks resume in Geneva").wait_for(timeout=10_000)


def test_broken_front_matter_shows_an_overlay_until_fixed(preview):
    root, server, page = preview
    open_and_wait_for_live_reload(server, page, "en/2023/11/talks/")
    path = root / "content/news/talks/en.md"
    good = path.read_text()
    path.write_text("---\ntitle: Talks\ntags: [unclosed\ndate: 2023-11-20\n---\nBody.\n")
    overlay = page.locator("#newsgen-overlay")
    overlay.wait_for(timeout=10_000)
    assert "content/news/talks/en.md:3: a list opened with `[` is not closed" in overlay.inner_text()
    assert page.locator("h1").inner_text() == "Talks resume"  # the last good page is still there
    path.write_text(good.replace("Body text.", "Body text, fixed."))
    overlay.wait_for(state="detached", timeout=10_000)
    page.locator("text=Body text, fixed.").wait_for(timeout=10_000)


def test_a_new_story_appears_on_the_open_front_page(preview):
    root, server, page = preview
    open_and_wait_for_live_reload(server, page, "en/")
    assert page.locator(".teaser h2").all_inner_texts() == ["Talks resume"]
    new = root / "content/news/ceasefire/en.md"
    new.parent.mkdir()
    new.write_text(story("Ceasefire agreed", date="2023-11-22"))
    page.locator(".teaser h2", has_text="Ceasefire agreed").wait_for(timeout=10_000)
    assert page.locator(".teaser h2").all_inner_texts() == ["Ceasefire agreed", "Talks resume"]


def test_a_deleted_translation_is_marked_unavailable_in_the_switcher(preview):
    root, server, page = preview
    open_and_wait_for_live_reload(server, page, "en/2023/11/talks/")
    assert page.locator("nav.switcher a", has_text="ru").count() == 1
    (root / "content/news/talks/ru.md").unlink()
    page.locator("nav.switcher span.unavailable", has_text="ru").wait_for(timeout=10_000)
    assert page.locator("nav.switcher a", has_text="ru").count() == 0


def test_a_renamed_story_takes_the_reader_to_its_new_url(preview):
    root, server, page = preview
    open_and_wait_for_live_reload(server, page, "en/2023/11/talks/")
    path = root / "content/news/talks/en.md"
    path.write_text(path.read_text().replace("slug: talks", "slug: talks-resume"))
    page.wait_for_url(server.base + "en/2023/11/talks-resume/", timeout=10_000)


def test_a_stylesheet_change_is_swapped_in_without_a_reload(preview):
    root, server, page = preview
    open_and_wait_for_live_reload(server, page, "en/")
    page.evaluate("window.__marker = 'still the same page'")
    css = root / "themes/default/static/style.css"
    css.write_text(css.read_text() + "\nh1 { color: rgb(200, 0, 0); }\n")
    page.wait_for_function("getComputedStyle(document.querySelector('h1')).color === 'rgb(200, 0, 0)'",
                           timeout=10_000)
    assert page.evaluate("window.__marker") == "still the same page"


def test_search_in_the_preview_says_the_index_comes_from_a_build(preview):
    root, server, page = preview
    page.goto(server.base + "ua/search/?q=Переговори")
    status = page.locator(".search-status")
    status.filter(has_text="newsgen build").wait_for(timeout=10_000)
    assert status.inner_text().startswith("Пошук тут недоступний")
