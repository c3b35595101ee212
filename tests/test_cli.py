"""The command line as a user meets it: help, usage errors, new, check, jobs."""
from __future__ import annotations

from conftest import make_site, run_newsgen, snapshot, story

SITE = f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-01", tags="[x]")}
-- content/news/b/en.md --
{story("Beta", date="2023-11-02", tags="[x, y]", body="See [alpha](story:a).")}
-- content/news/b/ua.md --
{story("Бета", slug="b", date="2023-11-02", tags="[x]")}
"""


def test_help_explains_the_commands():
    result = run_newsgen("--help")
    assert result.returncode == 0
    for word in ("build", "check", "new", "exit status"):
        assert word in result.stdout
    build_help = run_newsgen("build", "--help").stdout
    for flag in ("--site", "--output", "--base-url", "--drafts", "--jobs", "--quiet"):
        assert flag in build_help


def test_bad_usage_exits_2():
    assert run_newsgen().returncode == 2
    assert run_newsgen("publish").returncode == 2
    result = run_newsgen("build", "--jobs", "zero")
    assert result.returncode == 2 and "--jobs" in result.stderr and "Traceback" not in result.stderr


def test_missing_site_toml_is_a_clear_error(tmp_path):
    result = run_newsgen("build", "--site", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("site.toml:1: no site.toml in")


def test_new_writes_a_draft_per_language_and_check_accepts_it(tmp_path):
    root = make_site(tmp_path / "site")
    result = run_newsgen("new", "iran-drones", "--site", str(root), "--lang", "ua,en", "--title", 'Iran: "drones"')
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "content/news/iran-drones").iterdir()) == ["en.md", "ua.md"]
    text = (root / "content/news/iran-drones/en.md").read_text()
    assert "draft: true" in text and 'title: "Iran: \\"drones\\""' in text
    again = run_newsgen("new", "iran-drones", "--site", str(root), "--lang", "en")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert run_newsgen("new", "Bad Id", "--site", str(root)).returncode == 1
    assert run_newsgen("new", "x", "--site", str(root), "--lang", "de").returncode == 1
    checked = run_newsgen("check", "--site", str(root), "--content")
    assert checked.returncode == 0, checked.stderr
    built = run_newsgen("build", "--site", str(root), "--drafts")
    assert built.returncode == 0
    pages = list((root / "output/en").glob("*/*/iran-drones-drones/index.html")) or \
        list((root / "output/en").glob("*/*/*/index.html"))
    assert pages and "<h1>Iran: “drones”</h1>" in pages[0].read_text()  # headlines get the language's quotes


def test_check_writes_nothing(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    result = run_newsgen("check", "--site", str(root))
    assert result.returncode == 1 and "2 stories" in result.stderr
    assert "does not exist; run newsgen build" in result.stderr
    assert not (root / "output").exists()


def test_parallel_build_is_byte_identical_to_a_single_process_build(tmp_path):
    files = "".join(f"""
-- content/news/s{i:03d}/en.md --
{story(f"Story {i}", date=f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}", tags=f"[t{i % 7}, t{i % 3}]")}
-- content/news/s{i:03d}/ua.md --
{story(f"Історія {i}", date=f"2023-{i % 12 + 1:02d}-{i % 28 + 1:02d}", tags=f"[t{i % 5}]")}
""" for i in range(120))
    root = make_site(tmp_path / "site", files)
    one = run_newsgen("build", "--site", str(root), "--jobs", "1", "--output", str(tmp_path / "one"))
    two = run_newsgen("build", "--site", str(root), "--jobs", "2", "--output", str(tmp_path / "two"))
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")
    assert len(snapshot(tmp_path / "one")) > 240


def test_build_from_the_current_folder_by_default(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    result = run_newsgen("build", "--quiet", cwd=root)
    assert result.returncode == 0 and result.stdout == ""
    assert (root / "output/en/2023/11/beta/index.html").exists()
