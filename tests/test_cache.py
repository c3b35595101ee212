"""The parse cache: a rebuild reuses unchanged files, and never shows a stale page."""
from __future__ import annotations


from conftest import make_site, snapshot, story, tiny_jpeg

SITE = f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-30T23:30:00+00:00", tags="[x]")}
-- content/news/b/en.md --
{story("Beta", date="2023-11-20", image="lead.jpg")}
"""


def jpeg(root):
    (root / "content/news/b/lead.jpg").write_bytes(tiny_jpeg())


def test_cached_build_is_identical_to_a_cold_one(tmp_path, build):
    root = make_site(tmp_path / "site", SITE)
    jpeg(root)
    assert build(root).status == 0
    assert (root / ".newsgen-cache").is_dir()
    warm = build(root, "--output", str(tmp_path / "warm"))
    cold = build(root, "--output", str(tmp_path / "cold"), "--no-cache")
    assert warm.status == cold.status == 0
    assert snapshot(tmp_path / "warm") == snapshot(tmp_path / "cold")


def test_an_edit_shows_at_once(tmp_path, build):
    root = make_site(tmp_path / "site", SITE)
    jpeg(root)
    assert build(root).status == 0
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text().replace("title: Alpha", "title: Alpha, corrected"))
    rebuilt = build(root)
    assert rebuilt.html("en/2023/12/alpha-corrected/").h1.get_text() == "Alpha, corrected"
    assert rebuilt.html("en/2023/12/alpha/").select_one("body a")["href"] == "../alpha-corrected/"  # now a redirect


def test_settings_that_change_parsing_invalidate_the_cache(tmp_path, build):
    root = make_site(tmp_path / "site", SITE)
    jpeg(root)
    assert build(root).status == 0
    assert (root / "output/en/2023/12/alpha/index.html").exists()  # 01:30 on 1 December in Kyiv
    toml = root / "site.toml"
    toml.write_text(toml.read_text().replace('timezone = "Europe/Kyiv"', 'timezone = "UTC"'))
    rebuilt = build(root)
    assert rebuilt.html("en/2023/11/alpha/").select_one("article time")["datetime"] == "2023-11-30T23:30:00+00:00"
    assert rebuilt.html("en/2023/12/alpha/").select_one("body a")["href"] == "../../11/alpha/"  # now a redirect


def test_a_removed_image_is_noticed_without_editing_the_story(tmp_path, build):
    root = make_site(tmp_path / "site", SITE)
    jpeg(root)
    assert build(root).status == 0
    (root / "content/news/b/lead.jpg").unlink()
    failed = build(root)
    assert failed.status == 1 and "image `lead.jpg` not found" in failed.err


def test_a_broken_cache_file_is_ignored(tmp_path, build):
    root = make_site(tmp_path / "site", SITE)
    jpeg(root)
    assert build(root).status == 0
    broken = [p for p in (root / ".newsgen-cache").rglob("*")
              if p.is_file() and p.suffix in (".pickle", ".json", ".sqlite")]
    assert len(broken) == 3  # parsed translations, the status index, the image index (variants: whole, by rename)
    for path in broken:
        path.write_bytes(b"garbage")
    assert build(root).status == 0
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text().replace("title: Alpha", "title: Alpha, corrected"))
    assert build(root).status == 0
    import sqlite3
    with sqlite3.connect(root / ".newsgen-cache/translations.sqlite") as db:  # made again, and in use
        assert db.execute("SELECT count(*) FROM entries").fetchone() == (2,)
