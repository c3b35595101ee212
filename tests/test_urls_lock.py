"""Published URLs never break: content/urls.lock, redirects for moved stories,
retracted stories, and `newsgen check` on locked URLs."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from conftest import copy_sample_site, make_site, require, run_newsgen, snapshot, story
from hosting import Nginx, free_port

BASE = "https://example.org/news/"
SITE = f"""
-- content/news/drones/ua.md --
{story("Іран передав Росії дрони", date="2023-11-24T10:30:00+02:00")}
-- content/news/drones/en.md --
{story("Iran gave Russia drones", date="2023-11-24T10:30:00+02:00")}
-- content/news/sanctions/en.md --
{story("Sanctions", date="2023-10-05T09:00:00+03:00")}
-- content/news/draft/en.md --
{story("Not yet", draft="true")}
-- content/pages/about/en.md --
---
title: About
---
About us.
"""
OLD_EN = "en/2023/11/iran-gave-russia-drones/"
NEW_EN = "en/2023/11/iran-handed-russia-attack-drones/"


def lock_lines(root: Path) -> list[str]:
    return [l for l in (root / "content/urls.lock").read_text(encoding="utf-8").splitlines() if not l.startswith("#")]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def root(tmp_path):
    return make_site(tmp_path / "site", SITE)


def test_first_build_records_every_published_url_sorted(root, build):
    assert build(root, "--drafts").status == 0
    assert not (root / "content/urls.lock").exists()  # a preview with drafts records nothing
    assert build(root).status == 0
    assert lock_lines(root) == [
        "en/2023/10/sanctions/  news/sanctions/en",
        f"{OLD_EN}  news/drones/en",
        "en/about/  pages/about/en",
        "ua/2023/11/iran-peredav-rosii-drony/  news/drones/ua",
    ]
    before = (root / "content/urls.lock").stat().st_mtime_ns
    assert build(root).status == 0
    assert (root / "content/urls.lock").stat().st_mtime_ns == before  # unchanged: not rewritten


def test_a_headline_fix_turns_the_old_url_into_a_redirect(root, build):
    assert build(root).status == 0
    edit(root / "content/news/drones/en.md", "Iran gave Russia drones", "Iran handed Russia attack drones")
    built = build(root)
    assert built.status == 0, built.err
    assert f"{OLD_EN}  news/drones/en" in lock_lines(root)  # kept
    assert f"{NEW_EN}  news/drones/en" in lock_lines(root)  # added
    doc = built.html(OLD_EN)
    assert doc.select_one("link[rel=canonical]")["href"] == BASE + NEW_EN
    assert doc.select_one('meta[http-equiv="refresh"]')["content"] == "0; url=../iran-handed-russia-attack-drones/"
    link = doc.select_one("body a")
    assert link["href"] == "../iran-handed-russia-attack-drones/" and link.text == "Iran handed Russia attack drones"
    assert doc.select_one('meta[name="robots"]')["content"] == "noindex"
    assert doc.html["lang"] == "en"
    assert f"/news/{OLD_EN} /news/{NEW_EN} 301" in built.text("_redirects").splitlines()
    nginx_map = built.text("nginx-redirects.conf")
    assert f"    /news/{OLD_EN} /news/{NEW_EN};" in nginx_map
    assert f"    /news/{OLD_EN}index.html /news/{NEW_EN};" in nginx_map
    sitemap = built.text("sitemap.xml")
    assert BASE + NEW_EN in sitemap and BASE + OLD_EN not in sitemap
    # the switcher of the Ukrainian translation leads to the new URL
    assert built.html("ua/2023/11/iran-peredav-rosii-drony/").select_one('a[hreflang="en"]')["href"].endswith(
        "iran-handed-russia-attack-drones/")


def test_a_date_moved_to_another_month_redirects(root, build):
    assert build(root).status == 0
    edit(root / "content/news/sanctions/en.md", "2023-10-05T09:00:00+03:00", "2023-09-28T09:00:00+03:00")
    built = build(root)
    assert built.status == 0, built.err
    assert built.html("en/2023/10/sanctions/").select_one("link[rel=canonical]")["href"] == BASE + "en/2023/09/sanctions/"
    assert "en/2023/09/sanctions/  news/sanctions/en" in lock_lines(root)


def test_removing_a_published_story_is_an_error_and_nothing_is_lost(root, build):
    assert build(root).status == 0
    before = snapshot(root / "output")
    lock_before = (root / "content/urls.lock").read_text(encoding="utf-8")
    shutil.rmtree(root / "content/news/sanctions")
    built = build(root)
    assert built.status == 1
    line = next(n for n, l in enumerate(lock_before.splitlines(), 1) if l.startswith("en/2023/10/sanctions/"))
    assert (f"content/urls.lock:{line}: en/2023/10/sanctions/ was published, but news/sanctions/en no longer exists"
            in built.err)
    assert "mark it `retracted: true`" in built.err
    assert snapshot(root / "output") == before
    assert (root / "content/urls.lock").read_text(encoding="utf-8") == lock_before
    # a published translation made a draft again is a removal too
    (root / "content/news/drones/ua.md").write_text(story("Іран передав Росії дрони", draft="true"), encoding="utf-8")
    assert re.search(r"content/urls\.lock:\d+: ua/2023/11/iran-peredav-rosii-drony/ was published, but "
                     r"news/drones/ua is now a draft\. Remove its `draft: true`", build(root).err)


def test_pointing_a_lock_line_elsewhere_redirects_there(root, build):
    assert build(root).status == 0
    shutil.rmtree(root / "content/news/sanctions")
    edit(root / "content/urls.lock", "en/2023/10/sanctions/  news/sanctions/en", "en/2023/10/sanctions/  news/drones/en")
    built = build(root)
    assert built.status == 0, built.err
    assert built.html("en/2023/10/sanctions/").select_one("link[rel=canonical]")["href"] == BASE + OLD_EN


def test_a_retracted_story_keeps_a_notice_at_its_url(root, build):
    assert build(root).status == 0
    edit(root / "content/news/sanctions/en.md", "title: Sanctions", "title: Sanctions\nretracted: true")
    built = build(root)
    assert built.status == 0, built.err
    doc = built.html("en/2023/10/sanctions/")
    assert doc.h1.text == "This story was withdrawn"
    assert "Sanctions" in doc.select_one("article.retracted").text
    assert "October 5, 2023" in doc.select_one("article.retracted").text.replace("\xa0", " ")
    assert doc.select_one('meta[name="robots"]')["content"] == "noindex"
    assert "Body text" not in built.text("en/2023/10/sanctions/")
    assert "sanctions" not in built.text("en/index.html")
    assert "Sanctions" not in built.text("en/feed.xml")
    assert BASE + "en/2023/10/sanctions/" not in built.text("sitemap.xml")
    assert not (built.output / "en/2023/10/index.html").exists()  # its month has no stories left
    assert "en/2023/10/sanctions/  news/sanctions/en" in lock_lines(root)


def test_the_retraction_notice_is_in_the_page_language(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/ua.md --
{story("Новина", retracted="true")}
-- content/news/a/ru.md --
{story("Новость", retracted="true")}
""")
    built = build(root)
    assert built.status == 0, built.err
    assert built.html("ua/2023/11/novyna/").h1.text == "Цю новину відкликано"
    assert built.html("ru/2023/11/novost/").h1.text == "Эта новость отозвана"
    assert "24 листопада 2023" in built.html("ua/2023/11/novyna/").select_one("article").text.replace("\u202f", " ")


def test_a_link_to_a_withdrawn_story_leads_to_its_notice_and_warns(root, build):
    edit(root / "content/news/sanctions/en.md", "title: Sanctions", "title: Sanctions\nretracted: true")
    edit(root / "content/news/drones/en.md", "Body text.", "See [sanctions](story:sanctions).")
    built = build(root)
    assert built.status == 0, built.err  # a retraction never blocks a publish
    assert re.search(r"content/news/drones/en\.md:\d+: warning: `story:sanctions` links to a story that was "
                     r"withdrawn \(`retracted: true`\): the link leads to its withdrawal notice", built.err)
    link = built.html("en/2023/11/iran-gave-russia-drones/").select_one(".body a")
    notice = (built.output / "en/2023/11/iran-gave-russia-drones" / link["href"]).resolve() / "index.html"
    assert "This story was withdrawn" in notice.read_text(encoding="utf-8")


def test_taking_over_a_published_url_is_an_error(root, build):
    assert build(root).status == 0
    edit(root / "content/news/drones/en.md", "Iran gave Russia drones", "Iran handed Russia attack drones")
    assert build(root).status == 0
    # a new story now wants the old URL of another one
    (root / "content/news/other").mkdir()
    (root / "content/news/other/en.md").write_text(story("Iran gave Russia drones"), encoding="utf-8")
    built = build(root)
    assert built.status == 1
    assert re.search(r"content/news/other/en\.md:\d+: en/2023/11/iran-gave-russia-drones/ was published for "
                     r"news/drones/en \(content/urls\.lock:\d+\); this translation would take it over", built.err)


def test_a_malformed_lock_line_is_reported_with_its_line(root, build):
    (root / "content/urls.lock").write_text("# comment\nen/about/  pages/about/en\nnot a lock line\n", encoding="utf-8")
    built = build(root)
    assert built.status == 1
    assert "content/urls.lock:3: not a line of the form" in built.err


def test_check_reports_locked_urls_the_output_does_not_serve(root, build):
    assert build(root).status == 0
    shutil.rmtree(root / "output/en/2023/10/sanctions")
    result = run_newsgen("check", "--site", str(root))
    assert result.returncode == 1
    assert re.search(r"content/urls\.lock:\d+: en/2023/10/sanctions/ is a published URL, but the output has no page",
                     result.stderr)


def test_serve_shows_redirects_but_never_writes_the_lock(root, build):
    from generator.build import BuildOptions
    from generator.preview.live import LiveSite
    assert build(root).status == 0
    lock = (root / "content/urls.lock").read_text(encoding="utf-8")
    live = LiveSite(BuildOptions(root, jobs=1))
    assert live.full().ok
    edit(root / "content/news/drones/en.md", "Iran gave Russia drones", "Iran handed Russia attack drones")
    assert live.update({"content/news/drones/en.md"}).ok
    page = live.page(OLD_EN + "index.html").decode()
    assert 'url=../iran-handed-russia-attack-drones/' in page
    assert (root / "content/urls.lock").read_text(encoding="utf-8") == lock


@pytest.fixture
def sample_on_nginx(tmp_path):
    nginx = require("nginx", "static-hosting tests serve the output with nginx (apt-get install nginx)")
    root = copy_sample_site(tmp_path / "site")
    (root / "content/urls.lock").unlink(missing_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}/world/news/"
    servers = []

    def serve(redirects: bool) -> Nginx:
        server = Nginx(nginx, root / "output", "/world/news/", tmp_path / f"nginx-{len(servers)}", port if not servers
                       else free_port(), redirects=redirects)
        servers.append(server)
        return server
    yield root, base, serve
    for server in servers:
        server.stop()


def test_an_edited_headline_keeps_its_old_url_working_on_nginx(sample_on_nginx):
    root, base, serve = sample_on_nginx
    assert run_newsgen("build", "--site", str(root), "--base-url", base).returncode == 0
    old = "en/2023/11/russia-iran-defense-cooperation/"
    story_file = root / "content/news/russia-iran-defense-cooperation/en.md"
    text = story_file.read_text(encoding="utf-8")
    text = re.sub(r"^slug: .*\n", "", text, flags=re.M)
    text = re.sub(r"^title: .*$", "title: Russia and Iran deepen their defense cooperation", text, count=1, flags=re.M)
    story_file.write_text(text, encoding="utf-8")
    result = run_newsgen("build", "--site", str(root), "--base-url", base)
    assert result.returncode == 0, result.stderr
    new = "en/2023/11/russia-and-iran-deepen-their-defense-cooperation/"
    lock = lock_lines(root)
    assert f"{old}  news/russia-iran-defense-cooperation/en" in lock
    assert f"{new}  news/russia-iran-defense-cooperation/en" in lock

    # any static host: the old URL is a page that leads to the new one
    plain = serve(redirects=False)
    status, body, _ = plain.get(plain.base + old)
    assert status == 200
    doc = BeautifulSoup(body, "html.parser")
    target = urljoin(plain.base + old, doc.select_one('meta[http-equiv="refresh"]')["content"].split("url=", 1)[1])
    assert target == plain.base + new
    status, body, _ = plain.get(target)
    assert status == 200
    assert BeautifulSoup(body, "html.parser").h1.text == "Russia and Iran deepen their defense cooperation"
    # nginx with the map snippet: a real 301
    mapped = serve(redirects=True)
    for path in (old, old + "index.html"):
        status, location, _ = mapped.get(mapped.base + path, follow=False)
        assert status == 301 and location.decode().endswith("/world/news/" + new)
    status, body, _ = mapped.get(mapped.base + old)  # followed
    assert status == 200 and b"Russia and Iran deepen their defense cooperation" in body
