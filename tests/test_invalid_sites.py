"""One folder per kind of bad input in tests/sites_invalid/.

Each folder is laid over a small valid site that was built once; building
again must fail with exit status 1, print exactly the lines of the folder's
expected.txt (`path:line: what is wrong`) and no traceback, and leave the
previous output byte for byte as it was.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import make_site, run_newsgen, snapshot, story

CASES = Path(__file__).parent / "sites_invalid"

VALID = f"""
-- content/news/good/ua.md --
{story("Добра новина", slug="good")}
-- content/news/good/en.md --
{story("Good news", slug="good")}
"""


@pytest.fixture
def previous(tmp_path, build):
    """A valid site, built once: (root, snapshot of its output)."""
    root = make_site(tmp_path / "site", VALID)
    first = build(root, "--quiet")
    assert first.status == 0, first.err
    return root, snapshot(root / "output")


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_invalid_site_fails_clearly_and_keeps_the_previous_output(case, previous, build):
    root, before = previous
    folder = CASES / case
    # shutil.copy, not copy2: the files are new edits, newer than anything built before
    shutil.copytree(folder, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt", ".keep"),
                    copy_function=shutil.copy)
    failed = build(root)
    assert failed.status == 1
    assert "Traceback" not in failed.err
    problems = [line for line in failed.err.splitlines() if not line.endswith("nothing was written")]
    expected = (folder / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert problems == expected
    assert snapshot(root / "output") == before
    leftovers = [p.name for p in root.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    assert leftovers == []  # no staging folder left behind


def test_check_reports_the_same_problems_without_writing(tmp_path, build):
    root = make_site(tmp_path / "site", VALID)
    shutil.copytree(CASES / "several-problems", root, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("expected.txt"))
    checked = build(root, command="check")
    assert checked.status == 1
    expected = (CASES / "several-problems" / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert checked.err.splitlines() == expected + ["content: 3 problems", "output: not checked (the content has "
                                                   "problems)", "3 problems"]
    assert not (root / "output").exists()


def test_a_real_process_prints_no_traceback_and_exits_1(tmp_path):
    root = make_site(tmp_path / "site", VALID)
    shutil.copytree(CASES / "yaml-syntax-error", root, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("expected.txt"))
    result = run_newsgen("build", "--site", str(root))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("content/news/bad/en.md:4: a list opened with `[` is not closed: `tags: [a, b`")
    assert not (root / "output").exists()


@pytest.mark.parametrize("text", [
    "\ufeff---\ntitle: With a BOM\ndate: 2023-11-24\n---\nBody.\n",
    "---\r\ntitle: With CRLF\r\ndate: 2023-11-24\r\n---\r\nBody.\r\n",
    "---\ntitle: Only front matter\ndate: 2023-11-24\n---\n",
])
def test_accepted_oddities(tmp_path, build, text):
    root = make_site(tmp_path / "site")
    path = root / "content/news/odd/en.md"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("utf-8"))
    built = build(root)
    assert built.status == 0, built.err
    title = text.split("title: ")[1].split("\r")[0].split("\n")[0]
    assert built.html(built.find("en/2023/11/*/index.html")[0]).h1.get_text() == title


def test_refuses_to_replace_a_folder_newsgen_did_not_make(tmp_path, build):
    root = make_site(tmp_path / "site", VALID)
    keep = tmp_path / "precious"
    keep.mkdir()
    (keep / "thesis.txt").write_text("do not delete")
    refused = build(root, "--output", str(keep))
    assert refused.status == 1
    assert "refusing to replace this folder" in refused.err
    assert (keep / "thesis.txt").read_text() == "do not delete"
    assert sorted(p.name for p in keep.iterdir()) == ["thesis.txt"]


def test_pages_of_deleted_stories_disappear(tmp_path, build):
    root = make_site(tmp_path / "site", VALID)
    assert build(root, "--drafts").status == 0  # a preview: no URL is recorded as published
    shutil.rmtree(root / "content/news/good")
    rebuilt = build(root)
    assert rebuilt.status == 0
    assert not (root / "output/en/2023/11/good").exists()


def test_an_unreadable_translation_file_is_reported(tmp_path, build):
    """A file that cannot be read: a dangling link here (as root, permissions would not stop us)."""
    root = make_site(tmp_path / "site", VALID)
    (root / "content/news/good/ru.md").symlink_to(tmp_path / "nowhere.md")
    failed = build(root)
    assert failed.status == 1
    assert failed.err.splitlines()[0] == "content/news/good/ru.md:1: cannot read the file: No such file or directory"


def test_tags_captions_and_credits_are_escaped(tmp_path, build):
    nasty = '"Q" & <b>b</b></figcaption><script>x</script>'
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Escapes", slug="a", tags="['" + nasty + "']", image="lead.png",
       image_caption="'" + nasty + "'", image_credit="'" + nasty + "'")}
""")
    (root / "content/news/a/lead.png").write_bytes(b"\x89PNG\r\n\x1a\n stand-in")
    built = build(root)
    assert built.status == 0, built.err
    doc = built.html("en/2023/11/a/")
    assert doc.select_one(".story-tags a").get_text() == nasty
    curled = nasty.replace('"Q"', "“Q”")  # captions and credits get the language's quotes, as headlines do
    assert doc.select_one("figcaption .caption").get_text() == curled
    assert doc.select_one("figcaption .credit").get_text() == f"Photo: {curled}"  # a credit without a label gets one
    assert doc.select_one("figure img")["alt"] == ""  # the caption says it; alt never repeats it
    assert "<script>x</script>" not in built.text("en/2023/11/a/")
    import feedparser
    feed = feedparser.parse(built.text("en/feed.xml"))
    assert not feed.bozo and feed.entries[0].tags[0].term == nasty
