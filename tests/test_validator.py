"""Every HTML page and the stylesheet of the sample site pass the W3C Nu HTML checker."""
from __future__ import annotations

import subprocess

import pytest

from conftest import copy_sample_site, generated_site, make_site, npm_tool, require, story


def tiny_png() -> bytes:
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 500), (10, 80, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def nu_checker(output) -> subprocess.CompletedProcess:
    """The W3C Nu HTML checker (npm's vnu-jar, the checker's current release) on every HTML page
    and stylesheet of a folder; warnings count as errors."""
    java = require("java", "the W3C Nu HTML checker runs on a Java runtime")
    return subprocess.run([java, "-jar", str(npm_tool("vnu-jar/build/dist/vnu.jar")), "--also-check-css",
                           "--skip-non-html", "--Werror", str(output)], capture_output=True, text=True, timeout=600)


@pytest.mark.validator
def test_sample_site_has_no_errors_or_warnings(tmp_path):
    copy_sample_site(tmp_path)
    from generator.cli import main
    assert main(["build", "--site", str(tmp_path), "--quiet"]) == 0
    result = nu_checker(tmp_path / "output")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.validator
def test_the_checker_does_catch_errors(tmp_path):
    """Guards the test above: a broken page must fail the checker."""
    (tmp_path / "bad.html").write_text('<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
                                       "<body><p><div></span></body></html>")
    assert nu_checker(tmp_path).returncode != 0


@pytest.mark.validator
def test_pages_with_every_feature_validate(tmp_path):
    """Fallback links, unavailable switcher items, tags, pagination, an empty language,
    a responsive lead image, a redirect page and a retraction notice."""
    body = "Text with a [link](story:base) and **bold**.\n\n## Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    title = "'\"Story\" <{}> & more'"
    stories = "".join(f"""
-- content/news/s{i:02d}/en.md --
{story(title.format(i), date=f"2023-11-{i + 1:02d}", tags="[one, two]",
       body=body)}
""" for i in range(23))
    root = make_site(tmp_path / "site", stories + f"""
-- content/news/base/ua.md --
{story("База", slug="base", date="2023-10-01", tags="[Київ]")}
""")
    (root / "content/news/gone").mkdir()
    (root / "content/news/gone/ru.md").write_text(story("Отозванная", retracted="true"), encoding="utf-8")
    (root / "content/news/s00/lead.png").write_bytes(tiny_png())
    text = (root / "content/news/s00/en.md").read_text(encoding="utf-8")
    (root / "content/news/s00/en.md").write_text(text.replace("title:", "image: lead.png\ntitle:", 1), encoding="utf-8")
    from generator.cli import main
    assert main(["build", "--site", str(root), "--quiet"]) == 0
    text = (root / "content/news/s01/en.md").read_text(encoding="utf-8")  # a headline fix: a redirect page
    (root / "content/news/s01/en.md").write_text(text.replace("Story", "Fixed story", 1), encoding="utf-8")
    assert main(["build", "--site", str(root), "--quiet"]) == 0
    assert (root / "output/en/page/2/index.html").exists()
    assert b"http-equiv" in (root / "output/en/2023/11/story-1-more/index.html").read_bytes()
    assert b"retracted" in (root / "output/ru/2023/11/otozvannaia/index.html").read_bytes()
    assert b"srcset" in (root / "output/en/2023/11/story-0-more/index.html").read_bytes()
    result = nu_checker(root / "output")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.validator
def test_a_generated_200_story_site_validates_and_its_feeds_parse(tmp_path):
    import feedparser
    root = generated_site(tmp_path / "generated", 200)
    from generator.cli import main
    assert main(["build", "--site", str(root), "--quiet"]) == 0
    assert main(["check", "--site", str(root)]) == 0
    for lang in ("ua", "en", "ru"):
        feed = feedparser.parse((root / "output" / lang / "feed.xml").read_bytes())
        assert not feed.bozo and len(feed.entries) == 20
    result = nu_checker(root / "output")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
