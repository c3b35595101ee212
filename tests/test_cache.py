"""The parse cache: a rebuild reuses unchanged files, and never shows a stale page."""
from __future__ import annotations

import shutil

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
    # parsed translations, the status index, the image index (variants: whole, by rename), the link
    # memo, the linked site and its stories
    assert len(broken) == 6
    for path in broken:
        path.write_bytes(b"garbage")
    assert build(root).status == 0
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text().replace("title: Alpha", "title: Alpha, corrected"))
    assert build(root).status == 0
    import sqlite3
    with sqlite3.connect(root / ".newsgen-cache/translations.sqlite") as db:  # made again, and in use
        assert db.execute("SELECT count(*) FROM records").fetchone() == (2,)
        assert db.execute("SELECT count(*) FROM bodies").fetchone() == (2,)


BETA_BODY = "Beta begins.\n\n## The details\n\nBeta's details."
LINKED = f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-20", body="Alpha's own words.")}
-- content/news/b/en.md --
{story("Beta", date="2023-11-21", body=BETA_BODY)}
-- content/news/c/en.md --
{story("Gamma", date="2023-11-22", body="See [the details](story:b#the-details) and [Alpha](story:a).")}
"""


def test_an_unchanged_story_linking_to_an_edited_one_follows_its_new_address(tmp_path, build):
    # Gamma is not read again (its size and time are the last build's), and its body stays in the
    # cache; its links are resolved again from there, to Beta's new address and heading.
    root = make_site(tmp_path / "site", LINKED)
    assert build(root).status == 0
    path = root / "content/news/b/en.md"
    path.write_text(path.read_text().replace("title: Beta", "title: Beta, corrected"))
    rebuilt = build(root)
    assert rebuilt.status == 0
    links = [a["href"] for a in rebuilt.html("en/2023/11/gamma/").select("article a[href]")]
    assert "../beta-corrected/#the-details" in links and "../alpha/" in links
    assert "Beta's details." in rebuilt.html("en/2023/11/beta-corrected/").get_text()


def test_a_lost_parse_cache_is_made_again_from_the_files(tmp_path, build):
    # The status index says the files are as before, but the parsed files are gone: the build
    # reads the files it skipped, and every page has its body.
    root = make_site(tmp_path / "site", LINKED)
    assert build(root).status == 0
    (root / ".newsgen-cache/translations.sqlite").unlink()
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text().replace("title: Alpha", "title: Alpha, corrected"))
    rebuilt = build(root)
    assert rebuilt.status == 0
    assert "Beta's details." in rebuilt.html("en/2023/11/beta/").get_text()
    assert "Alpha's own words." in rebuilt.html("en/2023/11/alpha-corrected/").get_text()
    assert "../alpha-corrected/" in [a["href"] for a in rebuilt.html("en/2023/11/gamma/").select("article a[href]")]
    clean = build(root, "--output", str(tmp_path / "clean"), "--no-cache")
    assert clean.status == 0
    assert snapshot(root / "output") == snapshot(tmp_path / "clean")


def test_tags_resolved_by_an_earlier_build_follow_a_renamed_tag(tmp_path, build):
    """A build reuses the last build's resolved lists of tags only while tags.toml is the same."""
    root = make_site(tmp_path / "site", """
-- content/tags.toml --
[drones]
en = "Drones"
-- content/news/a/en.md --
""" + story("Alpha", tags="[drones, Kyiv]") + """
-- content/news/b/en.md --
""" + story("Beta", date="2023-11-25T10:30:00+02:00", tags="[drones, Kyiv]"))
    first = build(root)
    assert first.status == 0
    assert [a.get_text() for a in first.html("en/2023/11/alpha/").select("article a[rel=tag]")] == ["Drones", "Kyiv"]
    toml = root / "content/tags.toml"
    toml.write_text(toml.read_text().replace('en = "Drones"', 'en = "UAVs"'))
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text().replace("Body text.", "Body text, edited."))
    second = build(root)
    assert second.status == 0
    for page in ("en/2023/11/alpha/", "en/2023/11/beta/"):
        links = second.html(page).select("article a[rel=tag]")
        assert [(a.get_text(), a["href"].rstrip("/").rsplit("/", 1)[1]) for a in links] == \
            [("Kyiv", "kyiv"), ("UAVs", "uavs")], page
    assert not (root / "output/en/tags/drones").exists()


def test_a_file_saved_while_the_site_is_read_stops_the_build_and_the_output_stays(tmp_path, build, monkeypatch):
    # A build reads each file for its digest and lets the parse read it again (it does not hold
    # every text meanwhile): an editor's save in between is reported, never parsed under the
    # digest of the text before it.
    root = make_site(tmp_path / "site", SITE)
    jpeg(root)
    assert build(root).status == 0
    before = snapshot(root / "output")
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text().replace("title: Alpha", "title: Alpha, first edit"))
    import generator.build
    real_load = generator.build.load_site

    def load_then_save(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        path.write_text(path.read_text().replace("first edit", "second edit"))
        return loaded

    monkeypatch.setattr(generator.build, "load_site", load_then_save)
    failed = build(root)
    assert failed.status == 1
    assert "content/news/a/en.md:1: the file changed while the site was being built" in failed.err
    assert "Traceback" not in failed.err
    assert snapshot(root / "output") == before
    monkeypatch.setattr(generator.build, "load_site", real_load)
    again = build(root)
    assert again.status == 0
    pages = [p.read_text() for p in (root / "output/en/2023").glob("*/*/index.html")]
    assert any("Alpha, second edit" in page for page in pages)
    assert not any("first edit" in page for page in pages)


def test_records_read_back_share_what_thousands_of_them_repeat(tmp_path, build):
    # Each record comes out of its own pickle (a parse worker's share, a row of the parse
    # cache); without sharing, every one held its own "en", its own front matter keys and its
    # own tag objects: a third of a 50,000-story build's memory.
    from pathlib import Path
    from generator.build import BuildOptions, gather
    root = make_site(tmp_path / "site", "".join(
        f"-- content/news/s{n}/en.md --\n{story(f'Story {n}', author='Desk', tags='[Kyiv, Energy]')}\n"
        for n in range(3)))
    for from_cache in (False, True):
        if from_cache:
            assert build(root).status == 0  # the parse cache holds every record now
        site = gather(BuildOptions(Path(root), jobs=1, clean=True)).site  # (clean: not the last build's site)
        records = [s.translations["en"] for s in site.stories.values()]
        assert len(records) == 3
        first = records[0]
        for other in records[1:]:
            assert other.lang is first.lang and other.author is first.author, from_cache
            assert [a is b for a, b in zip(other.raw_tags, first.raw_tags)] == [True, True], from_cache
            assert other.tags[0] is first.tags[0] and other.tags[1] is first.tags[1], from_cache
            assert all(a is b for a, b in zip(sorted(other.lines), sorted(first.lines))), from_cache


def test_a_few_records_are_read_by_key_and_many_in_one_pass(tmp_path, build):
    from pathlib import Path
    from generator.config import load_config
    from generator.incremental.cache import ParseCache
    from generator.stages.load import load_site
    root = make_site(tmp_path / "site", "".join(
        f"-- content/news/s{n}/en.md --\n{story(f'Story {n}', body=f'Words of story {n}.')}\n" for n in range(300)))
    assert build(root).status == 0
    config = load_config(Path(root))
    sources = {s.path: s for s in load_site(config, []).sources}
    cache = ParseCache(config)
    keys = {path: cache.key(source, ()) for path, source in sources.items()}
    one = cache.get_many([keys["content/news/s7/en.md"], b"not a key"])
    assert one[keys["content/news/s7/en.md"]].title == "Story 7" and one[b"not a key"] is None
    assert "Words of story 7." in one[keys["content/news/s7/en.md"]].body_html
    every = cache.get_many(list(keys.values()), bodies=False)
    assert sorted(t.title for t in every.values()) == sorted(f"Story {n}" for n in range(300))


def test_a_record_kept_as_a_whole_file_and_its_changes_reads_back_as_last_written(tmp_path):
    # The output's page records and the status index are each a whole file written now and then
    # plus a file of the entries changed since (incremental/journal.py). A build killed after
    # writing a new whole file, before removing the old changes file, must not have those
    # changes (made against the whole file before) applied to the new one.
    from generator.incremental import journal
    path = tmp_path / "record"
    first = {"pages": {f"p{n}": ("inputs", n) for n in range(100)}, "published": {f"f{n}" for n in range(100)}}
    journal.write(path, 1, first, {"marker": "one"}, None)
    tables, scalars, kept = journal.read(path, 1)
    assert (tables, scalars) == (first, {"marker": "one"})
    base = path.read_bytes()

    second = {"pages": {**{k: v for k, v in tables["pages"].items() if k != "p2"}, "p1": ("edited", 1),
                        "p100": ("new", 100)},
              "published": tables["published"] - {"f1"} | {"f100"}}
    journal.write(path, 1, second, {"marker": "two"}, (tables, kept))
    changes = tmp_path / "record-changes"
    assert path.read_bytes() == base and changes.stat().st_size < len(base) // 4  # only what changed
    tables, scalars, kept = journal.read(path, 1)
    assert (tables, scalars) == (second, {"marker": "two"})
    assert kept.changed == {"pages": {"p1", "p2", "p100"}, "published": {"f1", "f100"}}

    third = {"pages": {**{k: ("rendered again", k) for k in tables["pages"]}, "p2": ("back", 2)},
             "published": set(tables["published"])}
    journal.write(path, 1, third, {"marker": "three"}, (tables, kept))
    assert path.read_bytes() != base and not changes.exists()  # too much changed: written whole
    stale = journal.read(path, 1)
    changes.write_bytes(b"")  # (nothing readable beside it: the whole file alone)
    assert stale[:2] == journal.read(path, 1)[:2] == (third, {"marker": "three"})
    # a build killed between the two files: the changes file is the one made against `base`
    journal.write(tmp_path / "older", 1, first, {"marker": "one"}, None)
    older = journal.read(tmp_path / "older", 1)
    journal.write(tmp_path / "older", 1, second, {"marker": "two"}, older[:1] + older[2:])
    shutil.copy(tmp_path / "older-changes", changes)
    assert journal.read(path, 1)[:2] == (third, {"marker": "three"})
    assert journal.read(path, 2) is None  # another newsgen's record is no record
