"""The default theme as readers get it, in Debian's Chromium: phones and desktops, dark mode and
print, accessible by axe-core's measure; and a site's own templates and static files over the theme's."""
from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

from conftest import REPO, copy_sample_site, make_site, npm_tool, require, story
from hosting import Nginx, free_port

SUB_PATH = "/news/"
SEED_UA = "ua/2023/11/rosiia-ta-iran-rozshyriuiut-oboronnu-spivpratsiu-popry-brak-ozbroien/"
WIDE = "wide-story"


def wide_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 600), (20, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    """The sample site plus a story made to overflow a phone (a very wide photo, a wide table,
    long code, a long address), built and served by nginx under a sub-path."""
    nginx = require("nginx", "the built site is served with nginx (apt-get install nginx)")
    root = copy_sample_site(tmp_path_factory.mktemp("theme"))
    folder = root / "content/news" / WIDE
    folder.mkdir()
    long_url = "https://example.org/" + "a-very-long-path-segment-" * 8
    table = "| " + " | ".join(f"Колонка {i}" for i in range(12)) + " |\n|" + "---|" * 12 + "\n| " + \
        " | ".join("значення" for _ in range(12)) + " |"
    body = (f"Текст із довгим посиланням {long_url} і словом "
            f"Найдовшеслововукраїнськіймовібезпробілівщобперевіритиперенесення.\n\n"
            f"![Широке фото](wide.png)\n\n{table}\n\n```\n{'x = 1; ' * 60}\n```")
    (folder / "ua.md").write_text(story("Дуже широка історія", date="2023-11-25T10:00:00+02:00", slug=WIDE,
                                        tags="[Росія]", body=body), encoding="utf-8")
    (folder / "wide.png").write_bytes(wide_png())
    port = free_port()
    from generator.cli import main
    assert main(["build", "--site", str(root), "--base-url", f"http://127.0.0.1:{port}{SUB_PATH}", "--quiet"]) == 0
    server = Nginx(nginx, root / "output", SUB_PATH, root / "nginx", port)
    yield root, server
    server.stop()


def pages_of(root) -> list[str]:
    """Every HTML page of the build, as a path under the sub-path (redirect pages left out)."""
    output = root / "output"
    return sorted(p.relative_to(output).as_posix().removesuffix("index.html") for p in output.rglob("*.html")
                  if b'http-equiv="refresh"' not in p.read_bytes())


def open_page(browser, url: str, width: int = 1280, height: int = 900, scheme: str = "light"):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    return context, page


@pytest.mark.browser
def test_the_tag_index_is_not_drawn_as_tag_pills(hosted, browser):
    """The tag index's body class once matched the pills under a story: the masthead became pills."""
    _, server = hosted
    context, page = open_page(browser, server.base + "ua/tags/")
    try:
        for selector in (".brand", ".switcher a", ".site-footer a"):
            style = page.eval_on_selector(selector, """e => { const s = getComputedStyle(e);
                return {radius: s.borderTopLeftRadius, border: s.borderTopStyle, width: s.borderTopWidth}; }""")
            assert style["border"] == "none" or style["width"] == "0px", (selector, style)
        pills = page.eval_on_selector(".tag-index a", "e => getComputedStyle(e).borderTopStyle")
        assert pills == "none"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", ["ua/", f"ua/2023/11/{WIDE}/", SEED_UA, "ua/tags/", "ua/2023/", "404.html"])
def test_nothing_overflows_a_320_px_phone(hosted, browser, path):
    _, server = hosted
    context, page = open_page(browser, server.base + path, width=320, height=640)
    try:
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{path}: the page is {widths[0]} px wide on a {widths[1]} px screen"
        if WIDE in path:
            image = page.eval_on_selector(".body img", "e => e.getBoundingClientRect().width")
            assert image <= 320
    finally:
        context.close()


@pytest.mark.browser
def test_tap_targets_are_at_least_24_px(hosted, browser):
    _, server = hosted
    context, page = open_page(browser, server.base + SEED_UA, width=390, height=844)
    try:
        sizes = page.eval_on_selector_all(
            ".switcher a, .switcher .unavailable, .sections a, .site-footer a, .story-tags a, .share a, .kicker a, "
            ".pagination a, .masthead-search button",
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.width, r.height]; })")
        small = [s for s in sizes if s[1] < 24 or s[2] < 24]
        assert sizes and not small, small
    finally:
        context.close()


def luminance(css: str) -> float:
    """WCAG's relative luminance of an rgb() colour."""
    def linear(value: str) -> float:
        c = int(value) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(v) for v in re.findall(r"\d+", css)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.browser
@pytest.mark.parametrize("scheme,dark", [("light", False), ("dark", True)])
def test_the_theme_follows_the_readers_dark_mode(hosted, browser, scheme, dark):
    _, server = hosted
    context, page = open_page(browser, server.base + SEED_UA, scheme=scheme)
    try:
        paper, ink = page.evaluate("""() => [getComputedStyle(document.body).backgroundColor || '',
            getComputedStyle(document.querySelector('.story h1')).color]""")
        paper = paper if "rgba(0, 0, 0, 0)" not in paper else page.evaluate(
            "() => getComputedStyle(document.documentElement).backgroundColor")
        assert (luminance(paper) < 0.2) == dark and (luminance(ink) > 0.7) == dark, (paper, ink)
        link = page.eval_on_selector(".body a", "e => getComputedStyle(e).color")
        text_contrast = (max(luminance(link), luminance(paper)) + 0.05) / (min(luminance(link), luminance(paper)) + 0.05)
        assert text_contrast >= 4.5
    finally:
        context.close()


@pytest.mark.browser
def test_print_shows_the_story_and_its_address_only(hosted, browser):
    _, server = hosted
    context, page = open_page(browser, server.base + SEED_UA)
    try:
        page.emulate_media(media="print")
        shown = page.evaluate("""() => Object.fromEntries(['.masthead .sections', '.switcher', '.masthead-search',
            '.story-tags', '.share', '.related', '.site-footer', '.story h1', '.byline', 'figure.lead img',
            '.body', '.print-url'].map(s => { const e = document.querySelector(s);
            return [s, !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().height > 0]; }))""")
        assert shown == {".masthead .sections": False, ".switcher": False, ".masthead-search": False,
                         ".story-tags": False, ".share": False, ".related": False, ".site-footer": False,
                         ".story h1": True, ".byline": True, "figure.lead img": True, ".body": True,
                         ".print-url": True}
        assert page.inner_text(".print-url") == server.base + SEED_UA
    finally:
        context.close()


@pytest.mark.browser
def test_an_unavailable_translation_explains_itself_when_tapped(hosted, browser):
    _, server = hosted
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(server.base + f"ua/2023/11/{WIDE}/", wait_until="networkidle")
        unavailable = page.locator(".switcher .unavailable", has_text="en")
        tip = page.locator(f"#{unavailable.get_attribute('aria-describedby')}")
        assert not tip.is_visible()
        unavailable.tap()
        assert tip.is_visible() and tip.inner_text() == "English: перекладу немає"
        box = tip.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # on the screen
    finally:
        context.close()


@pytest.mark.browser
def test_no_page_requests_anything_from_another_host(hosted, browser):
    root, server = hosted
    outside = []
    context = browser.new_context()
    page = context.new_page()
    page.on("request", lambda r: outside.append((page.url, r.url)) if not r.url.startswith(server.base[:-len(SUB_PATH) + 1]) else None)
    try:
        for path in pages_of(root):
            page.goto(server.base + path, wait_until="networkidle")
        assert outside == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_axe_finds_no_violation_on_any_page(hosted, browser, width, height):
    """axe-core (npm), WCAG 2.0 and 2.1, levels A and AA, on every page of the sample site."""
    root, server = hosted
    axe = npm_tool("axe-core/axe.min.js").read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    found = {}
    try:
        for path in pages_of(root):
            page.goto(server.base + path, wait_until="networkidle")
            if "axe" not in page.evaluate("() => Object.keys(window)"):
                page.add_script_tag(content=axe)
            result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
            if result["violations"]:
                found[path] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
        assert found == {}, json.dumps(found, indent=1, ensure_ascii=False)
    finally:
        context.close()


# -- a site's own templates and static files ------------------------------------------------

def test_a_site_overrides_one_template_and_the_stylesheet(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha")}
-- templates/story.html --
{{% extends "base.html" %}}
{{% block main %}}<article class="mine"><h1>{{{{ story.title }}}}</h1>{{{{ story.body }}}}</article>{{% endblock %}}
-- static/style.css --
body {{ color: rebeccapurple; }}
-- static/logo.svg --
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>
""")
    toml = root / "site.toml"
    toml.write_text(toml.read_text().replace("per_page = 20", 'per_page = 20\nlogo = "logo.svg"'))
    built = build(root)
    assert built.status == 0, built.err
    story_page = built.html("en/2023/11/alpha/")
    assert story_page.select_one("article.mine h1").get_text() == "Alpha"  # the site's template
    assert built.html("en/").select_one(".teaser-title")  # every other template: the theme's
    assert built.text("static/style.css") == "body { color: rebeccapurple; }\n"
    assert (built.output / "static/search.js").read_bytes() == (REPO / "themes/default/static/search.js").read_bytes()
    assert story_page.select_one(".brand img")["src"] == "../../../../static/logo.svg"
    assert story_page.select_one('link[rel="icon"]')["href"] == "../../../../static/logo.svg"


def test_a_template_that_overrides_nothing_is_an_error(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha")}
-- templates/stroy.html --
<p>typo</p>
""")
    failed = build(root)
    assert failed.status == 1
    assert "templates/stroy.html:1: `stroy.html` overrides no template of the theme `default`. " \
           "Did you mean `story.html`?" in failed.err


def test_the_readmes_template_reference_is_made_from_the_code():
    from generator.theme.reference import README, readme_with_reference
    text = README.read_text(encoding="utf-8")
    assert text == readme_with_reference(text), "run: python -m generator.theme.reference --write"
    assert "| `masthead` | `Masthead` |" in text and "| `portrait` | property |" in text
