"""A site of bodies shaped like real writing (tests/sites/bodies/: release notes, a Q&A,
a how-to with code in lists, a story with embeds, photos and footnotes), built and
read as a reader gets it: valid pages, no Markdown left as text, photos with their
smaller copies and without metadata, embeds that load nothing until asked."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from conftest import THEMES, Built, make_site, npm_tool, require, story
from hosting import Nginx, free_port

SITE = Path(__file__).parent / "sites" / "bodies"
GPS = 0x8825  # the EXIF tag of the GPS block: where the photographer stood


def photo(width: int, height: int, orientation: int = 1) -> bytes:
    """A JPEG as a phone saves it: EXIF with a GPS position and, maybe, a sideways orientation."""
    image = Image.new("RGB", (width, height), (200, 60, 40))
    for x in range(width // 2):
        image.putpixel((x, 0), (0, 0, 0))  # a mark on the top edge, to see which way is up
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS).update({1: "N", 2: (50.0, 27.0, 0.0), 3: "E", 4: (30.0, 31.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("bodies") / "site"
    shutil.copytree(SITE, root)
    shutil.copytree(THEMES, root / "themes", ignore=shutil.ignore_patterns("*.mo"))
    folder = root / "content/news/ppo-night"
    (folder / "Фото ППО 25.11.jpg").write_bytes(photo(2400, 1350))
    (folder / "пошкоджений будинок.jpg").write_bytes(photo(1200, 900, orientation=6))  # stored sideways
    from generator.cli import main
    import contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = main(["build", "--site", str(root), "--now", "2023-11-26T12:00:00+02:00", "--quiet"])
    return Built(root, status, "", err.getvalue())


PAGES = {
    "release-en": "en/2023/11/maps-4-2-offline-routing-new-openstreetmap-data/",
    "release-ua": "ua/2023/11/karty-4-2-marshruty-oflain-novi-dani-openstreetmap/",
    "qa-ua": "ua/2023/11/pytannia-y-vidpovidi-chomu-vymykaiut-svitlo-i-skilky-tse-tryvatyme/",
    "qa-ru": "ru/2023/11/voprosy-i-otvety-pochemu-otkliuchaiut-svet/",
    "howto": "en/2023/11/how-to-keeping-a-generator-running-safely/",
    "ppo": "ua/2023/11/klychko-ppo-zbyla-22-z-25-droniv-nad-kyievom/",
}


def test_the_site_builds_without_problems(built):
    assert built.status == 0 and built.err == "", built.err
    for path in PAGES.values():
        assert (built.output / path / "index.html").is_file(), path


def test_no_markdown_syntax_is_left_as_text(built):
    for name, path in PAGES.items():
        doc = built.html(path)
        article = doc.select_one("article")
        for code in article.select("pre, code"):
            code.decompose()
        text = article.get_text("\n")
        for leftover in (r"^\s*[*+-] \S", r"^\s*\d+[.)] \S", "```", "~~", r"\*\*", r"\]\(", "!\\[", r"^\s*#+ ",
                         r"^\s*> ", r"\|\s*---", r"\[[ x]\]", r"\[\^\d"):
            assert not re.search(leftover, text, re.M), (name, leftover, text)


def test_lists_code_and_tables_are_what_the_writer_meant(built):
    release = built.html(PAGES["release-en"])
    assert [li.get_text(" ", strip=True) for li in release.select(".body > ul")[0].select("li")] == [
        "New OpenStreetMap data for all 24 regions", "Improved routing around closed repaired bridges",
        "Offline maps, now 30% smaller"]
    assert release.select_one(".body del").get_text() == "closed"
    assert [li.get_text(" ", strip=True) for li in release.select(".body ol > li > ul > li")] == [
        "on Android", "on older iPhones"]
    assert len(release.select(".task-list input[type=checkbox][disabled]")) == 2
    assert release.select_one('.body a[href="https://example.org/maps/changelog"]') is not None
    howto = built.html(PAGES["howto"])
    blocks = howto.select(".body ol > li pre code")
    assert [b.get("class") for b in blocks] == [["language-bash"], ["language-yaml"], ["language-sh"]]
    assert "delay: 30   # seconds" in blocks[1].get_text()
    assert howto.select(".body table td")[0].get_text() == "Lights only"
    assert "<panel>" in howto.select_one(".body").get_text()  # inline code shown, not live


def test_one_h1_and_body_headings_below_it(built):
    for path in PAGES.values():
        doc = built.html(path)
        assert len(doc.select("h1")) == 1
    assert [h.name for h in built.html(PAGES["qa-ua"]).select(".body h2, .body h3")] == ["h2", "h2", "h2"]


def test_footnotes_speak_the_page_language(built):
    ua = built.html(PAGES["qa-ua"])
    assert ua.select_one(".footnote-backref")["title"] == "Назад до виноски 1 у тексті"
    assert ua.select_one(".footnote-ref")["aria-label"] == "Виноска 1"
    assert ua.select_one(".footnote")["aria-label"] == "Виноски"
    ru = built.html(PAGES["qa-ru"])
    assert ru.select_one(".footnote-backref")["title"] == "Назад к сноске 1 в тексте"
    assert "Jump back" not in built.text(PAGES["qa-ua"]) + built.text(PAGES["qa-ru"])


def test_typography_in_bodies_and_headlines(built):
    qa = built.html(PAGES["qa-ua"])
    assert "Міністр сказав:«Ми відновлюємо все, що можемо»." in qa.select_one(".body").get_text()
    release = built.html(PAGES["release-ua"])
    assert "«Кам'янське»" in release.select_one(".body").get_text()
    en = built.html(PAGES["release-en"])
    assert en.h1.get_text() == "Maps 4.2: offline routing, new OpenStreetMap data"
    howto = built.html(PAGES["howto"])
    assert howto.h1.get_text() == "How-to: keeping a generator running safely"


def test_photos_in_the_text_get_the_lead_photos_care(built):
    doc = built.html(PAGES["ppo"])
    lead = doc.select_one("figure.lead img")
    assert lead.get("loading") is None  # the lead is what the reader sees first
    figure = doc.select_one(".body figure.photo")
    img = figure.select_one("img")
    assert img["alt"] == "Пошкоджений будинок на Солом'янці"
    assert img["src"] == "poshkodzhenyi-budynok.jpg"
    assert (img["width"], img["height"]) == ("900", "1200")  # upright: the camera stored it sideways
    assert img["loading"] == "lazy" and img["decoding"] == "async"
    assert "poshkodzhenyi-budynok-480w.jpg 480w" in img["srcset"]
    assert figure.select_one("source[type='image/webp']")["srcset"].startswith("poshkodzhenyi-budynok-480w.webp 480w")
    caption = figure.select_one("figcaption")
    assert caption.contents[0].strip() == "Пошкоджений будинок на вулиці Вадима Гетьмана"
    assert caption.select_one(".credit").get_text() == "Фото: КМВА"
    folder = built.output / PAGES["ppo"]
    for name in figure.select_one("source")["srcset"].split(", ") + img["srcset"].split(", "):
        file, width = name.split()
        with Image.open(folder / file) as variant:
            assert variant.width == int(width[:-1])


def test_published_photos_carry_no_location(built):
    folder = built.output / PAGES["ppo"]
    published = sorted(p for p in folder.iterdir() if p.suffix in (".jpg", ".webp"))
    assert len(published) > 4
    for path in published:
        with Image.open(path) as image:
            exif = image.getexif()
            assert GPS not in exif and not exif.get_ifd(GPS), path.name
            assert b"PhoneMaker" not in path.read_bytes(), path.name
    with Image.open(folder / "poshkodzhenyi-budynok.jpg") as original:
        assert original.size == (900, 1200)  # turned upright, so it shows the same without its EXIF
        assert original.getpixel((899, 0))[0] < 100  # the top edge's mark is now on the right
    with Image.open(folder / "foto-ppo-25-11.jpg") as original:
        assert original.size == (2400, 1350)
    source = built.root / "content/news/ppo-night/Фото ППО 25.11.jpg"
    assert (folder / "foto-ppo-25-11.jpg").stat().st_size < source.stat().st_size  # same pixels, less metadata


def test_embeds_are_cards_with_a_plain_link(built):
    doc = built.html(PAGES["ppo"])
    cards = doc.select("figure.embed")
    assert [card["data-service"] for card in cards] == ["Telegram", "YouTube"]
    assert cards[0].select_one("a.embed-link")["href"] == "https://t.me/vitaliy_klitschko/2315"
    assert cards[1]["data-embed"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert cards[1].select_one("button.embed-load").get_text() == "Відтворити відео з YouTube"
    assert cards[1].select_one("button").has_attr("hidden")  # without JavaScript: a plain link
    assert doc.select_one('script[src$="static/embed.js"]') is not None
    assert doc.select_one("iframe") is None


@pytest.mark.validator
def test_every_page_passes_the_nu_checker(built):
    java = require("java", "the W3C Nu HTML checker runs on a Java runtime")
    result = subprocess.run([java, "-jar", str(npm_tool("vnu-jar/build/dist/vnu.jar")), "--also-check-css",
                             "--skip-non-html", "--Werror", str(built.output)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shortcodes_are_warnings_at_their_line_and_never_a_summary(tmp_path, build):
    body = '{{< toc >}}\n\nThe real first paragraph. See [x]({{< relref "a.md" >}}).'
    root = make_site(tmp_path / "site", "-- content/news/migrated/en.md --\n" + story("Migrated", body=body))
    built = build(root)
    assert built.status == 0
    assert "content/news/migrated/en.md:5: warning: `{{< toc >}}` is another generator's shortcode" in built.err
    assert 'content/news/migrated/en.md:7: warning: `{{< relref "a.md" >}}` is another' in built.err
    doc = built.html("en/2023/11/migrated/")
    assert doc.select_one("meta[name=description]")["content"] == "The real first paragraph. See x."
    assert doc.select_one(".shortcode").get_text() == "{{< toc >}}"


@pytest.mark.browser
def test_an_embed_requests_nothing_from_its_host_until_the_reader_asks(built, browser, tmp_path):
    nginx = require("nginx", "the built site is served with nginx (apt-get install nginx)")
    port = free_port()
    server = Nginx(nginx, built.output, "/news/", tmp_path / "nginx", port)
    requests: list[tuple[str, str]] = []  # (phase, URL) of every request the page made
    phase = ["loading"]

    def route(r):
        url = r.request.url
        requests.append((phase[0], url))
        if url.startswith(f"http://127.0.0.1:{port}/"):
            r.continue_()
        else:  # nothing leaves the machine: the "player" is answered here
            r.fulfill(status=200, content_type="text/html", body="<!DOCTYPE html><title>player</title><p>player")

    page = browser.new_page()
    try:
        page.route("**/*", route)
        page.goto(f"http://127.0.0.1:{port}/news/{PAGES['ppo']}")
        button = page.locator("figure.embed[data-service=YouTube] button.embed-load")
        button.wait_for(state="visible", timeout=10_000)
        page.wait_for_load_state("networkidle")
        assert [url for when, url in requests if not url.startswith(f"http://127.0.0.1:{port}/")] == []
        assert page.locator("figure.embed[data-service=YouTube] .embed-note").inner_text() == \
            "Його буде завантажено з YouTube."
        phase[0] = "asked"
        button.focus()
        page.keyboard.press("Enter")  # keyboard usable
        frame = page.locator("figure.embed[data-service=YouTube] iframe")
        frame.wait_for(timeout=10_000)
        assert frame.get_attribute("src") == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
        page.wait_for_function("() => document.querySelector('iframe').contentDocument === null", timeout=10_000)
        outside = [(when, url) for when, url in requests if not url.startswith(f"http://127.0.0.1:{port}/")]
        assert outside == [("asked", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")]
        assert page.locator("figure.embed[data-service=Telegram] iframe").count() == 0  # only what was asked
    finally:
        page.close()
        server.stop()


def test_without_javascript_an_embed_is_a_plain_link(built):
    html = built.text(PAGES["ppo"])
    card = BeautifulSoup(html, "html.parser").select_one("figure.embed[data-service=Telegram]")
    assert card.select_one("a").get_text() == "https://t.me/vitaliy_klitschko/2315"
    assert card.select_one("figcaption").get_text() == "Telegram"
