"""The writing desk: what editors do every day is understood, and nothing they do blocks a publish.

Media named as people save them, dates without a time, stories scheduled for
later, starting a story and its translations, `check` in CI, `status`.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

from conftest import make_site, run_newsgen, snapshot, story, tiny_jpeg
from generator.build import BuildOptions
from generator.preview.live import LiveSite

JPEG = tiny_jpeg(40, 30)


# -- media names --------------------------------------------------------------

PHOTOS_BODY = "Зустріч у Києві:\n\n![Зустріч](Фото 1.jpg)\n\n[Звіт](<Звіт ППО.pdf>) і ![ще](IMG_0042.JPG)"


def test_photos_are_published_under_url_safe_names_and_referenced_as_saved(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/ppo/ua.md --
{story("ППО збила дрони", image="Фото ППО 25.11.jpg", body=PHOTOS_BODY)}
""")
    folder = root / "content/news/ppo"
    for name in ("Фото ППО 25.11.jpg", "Фото 1.jpg", "IMG_0042.JPG", "air defense.jpg"):
        (folder / name).write_bytes(JPEG)
    (folder / "Звіт ППО.pdf").write_bytes(b"%PDF-1.4\n")
    built = build(root)
    assert built.status == 0, built.err
    page_dir = built.output / "ua/2023/11/ppo-zbyla-drony"
    published = sorted(p.name for p in page_dir.iterdir() if not re.search(r"-\d+w\.", p.name))
    assert published == ["air-defense.jpg", "foto-1.jpg", "foto-ppo-25-11.jpg", "img-0042.jpg", "index.html",
                         "zvit-ppo.pdf"]
    page = built.html("ua/2023/11/ppo-zbyla-drony/")
    assert page.select_one("figure img")["src"] == "foto-ppo-25-11.jpg"
    body_sources = [img["src"] for img in page.select(".body img")]
    assert body_sources == ["foto-1.jpg", "img-0042.jpg"]
    assert page.select_one('.body a[href="zvit-ppo.pdf"]') is not None


def test_the_published_name_works_in_references_too(site):
    built = site(f"""
-- content/news/x/en.md --
{story("Photo", image="foto-1.jpg")}
-- content/news/x/Фото 1.jpg --
""")
    assert built.status == 1  # (not a JPEG: this file is text)
    assert "`foto-1.jpg` is not an image" in built.err


# -- dates as written -----------------------------------------------------------

def test_a_date_without_a_time_shows_no_time_anywhere(site):
    built = site(f"""
-- content/news/day/en.md --
{story("A day", date="2023-07-22", updated="2023-07-23")}
-- content/news/day/ua.md --
{story("День", slug="day", date="2023-07-22")}
""")
    assert built.status == 0, built.err
    page = built.html("en/2023/07/a-day/")
    meta = page.select_one(".byline").get_text(" ", strip=True)
    assert "July 22, 2023" in meta and "12:00" not in meta and "AM" not in meta
    assert page.select_one(".byline time")["datetime"] == "2023-07-22"
    assert page.select_one(".updated time")["datetime"] == "2023-07-23"
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["datePublished"] == "2023-07-22" and data["dateModified"] == "2023-07-23"
    ua = built.html("ua/2023/07/day/").select_one(".byline").get_text(" ", strip=True)
    assert "22 липня 2023" in ua and "00:00" not in ua
    front = built.html("en/").select_one(".teaser time")
    assert front["datetime"] == "2023-07-22"
    feed = built.text("en/feed.xml")
    assert "<published>2023-07-22T00:00:00+03:00</published>" in feed  # a feed keeps a valid timestamp


# -- scheduled stories ---------------------------------------------------------

SCHEDULED = f"""
-- content/news/now/en.md --
{story("Out now", date="2023-11-24T10:00:00+02:00", body="See [later](story:later).")}
-- content/news/later/en.md --
{story("Out later", date="2023-11-25T18:00:00+02:00", tags="[energy]")}
"""


def test_a_story_dated_after_the_build_is_not_published_until_then(tmp_path, build):
    root = make_site(tmp_path / "site", SCHEDULED)
    early = build(root, "--now", "2023-11-25T12:00:00+02:00")
    assert early.status == 0, early.err
    assert "warning: `story:later` links to a story scheduled for 2023-11-25T18:00:00+02:00" in early.err
    assert not (early.output / "en/2023/11/out-later").exists()
    assert [a.get_text() for a in early.html("en/").select(".teaser h2 a")] == ["Out now"]
    assert "Out later" not in early.text("en/feed.xml") + early.text("sitemap.xml") + early.text("en/news-sitemap.xml")
    assert not (early.output / "en/tags/energy").exists()
    assert "out-later" not in (root / "content/urls.lock").read_text()
    assert early.html("en/2023/11/out-now/").select_one(".body a") is None  # plain text until then
    status = run_newsgen("status", "--site", str(root))
    assert "later" in status.stdout and "SCHEDULED" not in status.stdout  # the clock says 2026: it is out
    on_time = build(root, "--now", "2023-11-25T18:00:00+02:00")
    assert on_time.status == 0 and "warning" not in on_time.err
    assert [a.get_text() for a in on_time.html("en/").select(".teaser h2 a")] == ["Out later", "Out now"]
    assert on_time.html("en/2023/11/out-now/").select_one(".body a")["href"] == "../out-later/"
    assert "en/2023/11/out-later/  news/later/en" in (root / "content/urls.lock").read_text()


def test_future_publishes_now_and_status_lists_what_is_scheduled(tmp_path, build):
    root = make_site(tmp_path / "site", SCHEDULED.replace("2023-11-25T18:00", "2099-01-01T09:00"))
    built = build(root, "--future")
    assert built.status == 0, built.err
    assert (built.output / "en/2099/01/out-later/index.html").is_file()
    status = run_newsgen("status", "--site", str(root))
    assert re.search(r"^later\s+2099-01-01\s+—\s+SCHEDULED", status.stdout, re.M), status.stdout
    assert "2099-01-01T09:00:00+02:00  later (en)" in status.stdout
    data = json.loads(run_newsgen("status", "--site", str(root), "--json").stdout)
    assert data["stories"][0]["scheduled"] == {"en": "2099-01-01T09:00:00+02:00"}


def test_the_preview_shows_a_scheduled_story_marked(tmp_path):
    root = make_site(tmp_path / "site", SCHEDULED.replace("2023-11-25T18:00", "2099-01-01T09:00"))
    live = LiveSite(BuildOptions(root, jobs=1, preview=True))
    assert live.full().ok
    page = live.page("en/2099/01/out-later/index.html").decode()
    assert 'class="preview-note"' in page and "Scheduled: published at January 1, 2099" in page


# -- starting stories and translations ---------------------------------------------

def test_new_writes_the_headline_only_in_the_languages_asked_for(tmp_path):
    root = make_site(tmp_path / "site")
    made = run_newsgen("new", "blackout", "--site", str(root), "--title", "Блекаут у Києві")
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in (root / "content/news/blackout").iterdir()) == ["ua.md"]
    assert 'title: "Блекаут у Києві"' in (root / "content/news/blackout/ua.md").read_text()


def test_a_translation_starts_from_its_source_and_cannot_be_published_untranslated(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/tags.toml --
[energy]
ua = "Енергетика"
en = "Energy"
-- content/news/blackout/ua.md --
{story("Блекаут у Києві", date="2023-11-24T10:00:00+02:00", tags="[Енергетика, Київ]", image="lead.jpg",
       image_caption="Київ без світла", image_credit="Фото: УНІАН", related="[other]")}
-- content/news/other/ua.md --
{story("Інша", slug="other", date="2023-11-20")}
""")
    (root / "content/news/blackout/lead.jpg").write_bytes(JPEG)
    made = run_newsgen("new", "blackout", "--site", str(root), "--translate", "en")
    assert made.returncode == 0, made.stderr
    text = (root / "content/news/blackout/en.md").read_text()
    assert "# ua.md: Блекаут у Києві\ntitle: \"\"\n" in text
    assert "date: 2023-11-24T10:00:00+02:00" in text and 'tags: ["energy"]' in text
    assert "# tags in ua.md to translate: Київ" in text
    assert 'image: "lead.jpg"' in text and "# ua.md: Фото: УНІАН\nimage_credit: \"\"" in text
    assert 'related: ["other"]' in text and "draft: true" in text
    assert build(root).status == 0  # a draft waits quietly
    text = text.replace("draft: true\n", "")
    (root / "content/news/blackout/en.md").write_text(text)
    failed = build(root)
    assert failed.status == 1
    assert "content/news/blackout/en.md:3: `title` is empty" in failed.err
    assert "the body still holds the placeholder `Translate the story here.`" in failed.err
    text = text.replace('title: ""', "title: Блекаут у Києві").replace("Translate the story here.", "Text.")
    (root / "content/news/blackout/en.md").write_text(text)
    failed = build(root)
    assert "content/news/blackout/en.md:3: the title is the same as in ua.md: `Блекаут у Києві`" in failed.err
    (root / "content/news/blackout/en.md").write_text(text.replace("title: Блекаут у Києві", "title: Blackout in Kyiv"))
    assert build(root).status == 0


# -- check, for CI ---------------------------------------------------------------

CHECKED = f"""
-- content/news/a/en.md --
{story("Alpha", body="See [the agency](https://www.reuters.com/world/) and [us](https://example.org/news/en/gone/).")}
-- content/news/a/ua.md --
{story("Альфа", slug="a")}
"""


def test_check_judges_only_an_output_built_from_the_content_as_it_is(tmp_path):
    root = make_site(tmp_path / "site", CHECKED)
    before = run_newsgen("check", "--site", str(root))
    assert before.returncode == 1 and "does not exist; run newsgen build" in before.stderr
    assert run_newsgen("build", "--site", str(root)).returncode == 0
    checked = run_newsgen("check", "--site", str(root))
    assert checked.returncode == 1
    # a body link the build cannot judge (a full address of this very site) is reported at its source line
    assert "content/news/a/en.md:5: dead link: https://example.org/news/en/gone/" in checked.stderr
    assert "reuters" not in checked.stderr  # links to other hosts are not problems
    listed = run_newsgen("check", "--site", str(root), "--external")
    assert "content/news/a/en.md:5: links to https://www.reuters.com/world/" in listed.stderr
    (root / "content/news/a/en.md").write_text(story("Alpha, edited", body="Fixed."))
    stale = run_newsgen("check", "--site", str(root))
    assert stale.returncode == 1 and "was not built from the content as it is now" in stale.stderr
    assert run_newsgen("build", "--site", str(root)).returncode == 0
    fresh = run_newsgen("check", "--site", str(root), "--format", "json")
    report = json.loads(fresh.stdout)
    assert fresh.returncode == 0 and report["ok"] and report["output"] == "checked", fresh.stdout
    assert report["problems"] == []


def test_check_lists_every_problem(tmp_path):
    stories = "".join(f"""
-- content/news/s{i:03d}/en.md --
{story(f"Story {i}", body=f"[gone](https://example.org/news/en/gone-{i}/)")}
""" for i in range(130))
    root = make_site(tmp_path / "site", stories)
    assert run_newsgen("build", "--site", str(root)).returncode == 0
    checked = run_newsgen("check", "--site", str(root))
    assert checked.stderr.count("dead link: https://example.org/news/en/gone-") == 130
    assert "more problems" not in checked.stderr
    report = json.loads(run_newsgen("check", "--site", str(root), "--format", "json").stdout)
    assert len(report["problems"]) == 130 and report["problems"][0]["severity"] == "error"


def test_redirect_pages_are_not_judged_as_language_pages(tmp_path):
    root = make_site(tmp_path / "site", CHECKED.replace("[us](https://example.org/news/en/gone/)", "us"))
    assert run_newsgen("build", "--site", str(root)).returncode == 0
    (root / "content/news/a/en.md").write_text(story("Alpha corrected"))
    assert run_newsgen("build", "--site", str(root)).returncode == 0
    checked = run_newsgen("check", "--site", str(root))
    assert checked.returncode == 0, checked.stderr
    assert (root / "output/en/2023/11/alpha/index.html").is_file()  # the redirect page


# -- status and the output folder ---------------------------------------------------

def test_status_is_quiet_on_a_closed_pipe(tmp_path):
    stories = "".join(f"""
-- content/news/s{i:04d}/ua.md --
{story(f"Історія {i}", slug=f"s{i}")}
""" for i in range(400))
    root = make_site(tmp_path / "site", stories)
    result = subprocess.run(f"{sys.executable} -m generator status --site {root} | head -1", shell=True,
                            capture_output=True, text=True)
    assert result.stdout.startswith("story") and result.stderr == ""


def test_a_build_leaves_nothing_beside_the_output(tmp_path, build):
    parent = tmp_path / "sites"
    root = make_site(parent / "site", CHECKED)
    out = tmp_path / "public"
    assert build(root, "--output", str(out)).status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "sites"]
    assert sorted(p.name for p in root.iterdir()) == [".newsgen-cache", "content", "site.toml", "themes"]


def test_a_failed_build_after_an_edit_keeps_the_previous_output(tmp_path, build):
    root = make_site(tmp_path / "site", CHECKED.replace("[us](https://example.org/news/en/gone/)", "us"))
    assert build(root).status == 0
    before = snapshot(root / "output")
    (root / "content/news/a/en.md").write_text(story("Alpha", body="[dead](../../10/none/)"))
    failed = build(root)
    assert failed.status == 1 and "content/news/a/en.md:5: dead link `../../10/none/`" in failed.err
    assert snapshot(root / "output") == before
