"""Incremental production builds: after any sequence of changes, the output equals a clean build of
the same sources byte for byte (the search index aside), unchanged files keep their inode and time,
and a build killed at any moment leaves the previous output exactly as it was."""
from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, generated_site, make_site, run_newsgen, snapshot, story, tiny_jpeg


def pages(folder: Path) -> dict[str, bytes]:
    """Every file of an output but the search index, with its bytes."""
    return {path: data for path, data in snapshot(folder).items() if not path.startswith("pagefind/")}


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and time (the output's marker, which names the build, left out)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file() and p.name != ".newsgen-output"}


def clean_build(root: Path, tmp: Path) -> dict[str, bytes]:
    """A build of the same sources from nothing: another output, no parse cache, no record."""
    clean = tmp / "clean-site"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("output", ".output*", ".newsgen-cache"))
    result = run_newsgen("build", "--site", str(clean), "--quiet", "--now", NOW)
    assert result.returncode == 0, result.stderr
    return pages(clean / "output")


NOW = "2024-02-01T12:00:00+02:00"


class Changes:
    """The kinds of change a newsroom makes, applied at random to a generated site."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.photos = 0
        self._add_photo(self.stories()[0])  # one story has a photo from the start, to be replaced

    def _add_photo(self, folder: Path) -> bool:
        """Give the story in `folder` a new lead photo; whether its files named it already."""
        size = (self.rng.randrange(600, 1200), self.rng.randrange(300, 700))
        (folder / "lead.jpg").write_bytes(tiny_jpeg(*size))
        same_name = True
        for path in folder.glob("*.md"):
            if "\nimage:" not in path.read_text(encoding="utf-8"):
                self.edit(path, "\ntitle: ", "\nimage: lead.jpg\nimage_caption: A photo\ntitle: ")
                same_name = False
        return same_name

    def stories(self) -> list[Path]:
        return sorted(p for p in (self.root / "content/news").iterdir() if p.is_dir())

    def translation(self) -> Path:
        files = [f for s in self.stories() for f in s.glob("*.md") if "retracted: true" not in f.read_text()]
        return self.rng.choice(files)

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def body(self) -> str:
        path = self.translation()
        self.edit(path, "\n---\n", f"\n---\nA new first paragraph {self.rng.randrange(10**6)}.\n\n")
        return f"body of {path.parent.name}/{path.name}"

    def headline(self) -> str:
        path = self.translation()
        self.edit(path, "\ntitle: ", f"\ntitle: Corrected {self.rng.randrange(1000)} ")
        return f"headline of {path.parent.name}/{path.name}"

    def date(self) -> str:
        path = self.translation()
        text = path.read_text(encoding="utf-8")
        month = self.rng.randrange(1, 13)
        path.write_text(re.sub(r"\ndate: (\d{4})-\d{2}-\d{2}", rf"\ndate: \g<1>-{month:02d}-15", text, count=1),
                        encoding="utf-8")
        return f"date of {path.parent.name}/{path.name}"

    def tags(self) -> str:
        path = self.translation()
        text = path.read_text(encoding="utf-8")
        tag = self.rng.choice(["tag-199", "drones", "new-topic-" + str(self.rng.randrange(9))])
        if "\ntags: [" in text and self.rng.random() < 0.5:
            text = re.sub(r"\ntags: \[[^\]]*\]", "\ntags: []", text, count=1)
        else:
            text = text.replace("\ntags: [", f"\ntags: [{tag}, ", 1)
        path.write_text(text, encoding="utf-8")
        return f"tags of {path.parent.name}/{path.name}"

    def add(self) -> str:
        key = f"new-{self.rng.randrange(10**6)}"
        folder = self.root / "content/news" / key
        folder.mkdir()
        (folder / "en.md").write_text(story(f"Brand new story {key}", date="2023-12-24T10:00:00+02:00",
                                            tags="[drones]", body="Fresh news."), encoding="utf-8")
        return f"new story {key}"

    def delete(self) -> str:
        """A story that was never published: deleting a published one is an error (urls.lock)."""
        key = self.add().split()[-1]
        return f"{key} added, then deleted: " + self._remove(self.root / "content/news" / key)

    def _remove(self, folder: Path) -> str:
        shutil.rmtree(folder)
        return "removed"

    def retract(self) -> str:
        folder = self.rng.choice(self.stories())
        for path in folder.glob("*.md"):
            self.edit(path, "\ntitle: ", "\nretracted: true\ntitle: ")
        return f"retracted {folder.name}"

    def remove_translation(self) -> str:
        """A translation added and removed again before a build published it."""
        folder = self.rng.choice(self.stories())
        missing = [code for code in ("ua", "en", "ru") if not (folder / f"{code}.md").exists()]
        if not missing:
            return self.body()
        path = folder / f"{missing[0]}.md"
        path.write_text(story(f"Extra {missing[0]}", date="2023-12-20"), encoding="utf-8")
        return f"translation {path.parent.name}/{path.name} added"

    def template(self) -> str:
        path = self.root / "themes/default/templates/story.html"
        self.edit(path, "<h1>", f'<h1 data-edit="{self.rng.randrange(1000)}">')
        return "story template"

    def catalog(self) -> str:
        path = self.root / "themes/default/locales/uk/LC_MESSAGES/messages.po"
        self.edit(path, 'msgstr "Читайте також', f'msgstr "Читайте також {self.rng.randrange(100)}')
        return "Ukrainian catalog"

    def settings(self) -> str:
        path = self.root / "site.toml"
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"per_page = \d+", f"per_page = {self.rng.choice([10, 15, 20])}", text)
        path.write_text(text, encoding="utf-8")
        return "site.toml per_page"

    def photo(self) -> str:
        """Every other time, another photo under a name the story uses already (no text file
        changes, only the photo's sizes); else a photo for a story that may have none."""
        self.photos += 1
        with_photo = [folder for folder in self.stories() if (folder / "lead.jpg").exists()]
        folder = self.rng.choice(with_photo if self.photos % 2 else self.stories())
        same_name = self._add_photo(folder)
        return f"photo of {folder.name}" + (" replaced under the same name" if same_name else "")

    KINDS = ("body", "headline", "date", "tags", "add", "delete", "retract", "remove_translation", "template",
             "catalog", "settings", "photo")


@pytest.mark.parametrize("seed", [1, 2])
def test_after_any_changes_the_output_equals_a_clean_build(tmp_path, seed):
    root = generated_site(tmp_path / "site", 300)
    rng = random.Random(seed)
    changes = Changes(root, rng)
    first = run_newsgen("build", "--site", str(root), "--quiet", "--now", NOW)
    assert first.returncode == 0, first.stderr
    kinds = list(Changes.KINDS)
    rng.shuffle(kinds)
    for step, kind in enumerate(kinds + [rng.choice(Changes.KINDS) for _ in range(4)]):
        before, before_bytes = inodes(root / "output"), snapshot(root / "output")
        what = getattr(changes, kind)()
        result = run_newsgen("build", "--site", str(root), "--now", NOW)
        assert result.returncode == 0, f"step {step} ({what}): {result.stderr}"
        incremental = pages(root / "output")
        assert incremental == clean_build(root, tmp_path), f"step {step}: after {what}"
        after = inodes(root / "output")
        kept = [p for p in after if before.get(p) == after[p]]
        assert all(snapshot_of(root / "output", p) == before_bytes[p] for p in kept), f"step {step}: a kept file changed"
        written = int(re.search(r"(\d+) files written", result.stdout).group(1))
        assert len(after) - len(kept) == written, f"step {step} ({what}): {result.stdout}"
        if kind in ("body", "headline", "tags", "add", "delete"):
            assert len(kept) > len(after) * 0.8, f"step {step} ({what}) kept only {len(kept)} of {len(after)} files"
        # words, a headline (a new address), a template: the last build's links are kept and the
        # edited story put into them; anything linking decides links the whole site again
        # (a story with a warning to report is linked again: its warning is the whole link's to say)
        words = what.startswith(("body of", "headline of")) and what.split()[-1] not in result.stderr \
            or kind in ("template", "catalog") or what.endswith("under the same name")
        assert ("the last build's links kept" in result.stdout) == words, f"step {step} ({what}): {result.stdout}"
    # the output each build replaced was kept as the next one's staging folder
    assert list((root / ".newsgen-cache").glob("spare-*"))


def snapshot_of(folder: Path, path: str) -> bytes:
    return (folder / path).read_bytes()


def test_a_spare_output_that_was_tampered_with_is_not_used(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", tags="[drones]")}
-- content/news/b/en.md --
{story("Beta", date="2023-10-02", tags="[drones]")}
""")
    for body in ("First words.", "Second words."):
        (root / "content/news/a/en.md").write_text(story("Alpha", tags="[drones]", body=body))
        assert build(root, "--now", NOW).status == 0
    (spare,) = (root / ".newsgen-cache").glob("spare-*")
    (spare / ".newsgen-output").write_text("someone else's")
    (spare / "en/tags/index.html").unlink()  # a page the next edit leaves as it is
    (spare / "stray.html").write_text("not ours")
    (root / "content/news/a/en.md").write_text(story("Alpha", tags="[drones]", body="Third words."))
    built = build(root, "--now", NOW)
    assert built.status == 0, built.err
    assert pages(root / "output") == clean_build(root, tmp_path)


def test_nothing_changed_writes_nothing_and_keeps_every_file(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", image="lead.jpg")}
-- content/news/b/ua.md --
{story("Бета", slug="b", date="2023-10-02")}
""")
    (root / "content/news/a/lead.jpg").write_bytes(tiny_jpeg(800, 450))
    assert build(root).status == 0
    before = inodes(root / "output")
    again = build(root)
    assert again.status == 0 and "0 files written" in again.out and " 0 removed" in again.out
    assert inodes(root / "output") == before


def test_the_changes_file_lists_what_a_cdn_must_purge(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", tags="[drones]")}
-- content/news/b/en.md --
{story("Beta", date="2023-10-02")}
""")
    assert build(root).status == 0
    (root / "content/news/a/en.md").write_text(story("Alpha", tags="[drones]", body="New words."))
    shutil.rmtree(root / "content/news/b")  # never... it was published: retract it instead
    (root / "content/news/b").mkdir()
    (root / "content/news/b/en.md").write_text(story("Beta", date="2023-10-02", retracted="true"))
    built = build(root, "--changes", str(tmp_path / "changes.txt"))
    assert built.status == 0, built.err
    urls = (tmp_path / "changes.txt").read_text().splitlines()
    assert "https://example.org/news/en/2023/11/alpha/" in urls  # its body changed
    assert "https://example.org/news/en/2023/10/beta/" in urls  # now a withdrawal notice
    assert "https://example.org/news/en/2023/10/" in urls  # the month lists it no more
    assert "https://example.org/news/en/tags/drones/" in urls  # it shows Alpha's new first paragraph
    assert "https://example.org/news/en/tags/" not in urls  # the tag index is as it was
    assert all(url.startswith("https://example.org/news/") for url in urls)


def test_clean_renders_every_page_and_keeps_the_files_that_came_out_the_same(tmp_path, build):
    root = make_site(tmp_path / "site", "-- content/news/a/en.md --\n" + story("Alpha"))
    assert build(root).status == 0
    before = inodes(root / "output")
    clean = build(root, "--clean")
    assert clean.status == 0 and "0 files written" in clean.out
    assert re.search(r"\((\d+) pages rendered", clean.out).group(1) != "0"
    assert inodes(root / "output") == before


def test_a_story_that_moves_takes_the_links_to_it_along(tmp_path, build):
    """A body's `story:` links are resolved when its page is rendered: when the story they lead
    to gets another address, a translation, or is withdrawn, the pages linking to it are made again."""
    alpha = "Intro.\n\n## The details\n\nMore."
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-10", body=alpha)}
-- content/news/b/en.md --
{story("Beta", date="2023-11-12", body="See [the first](story:a) and [its details](story:a#the-details).")}
-- content/news/b/ua.md --
{story("Бета", slug="beta", date="2023-11-12", body="Див. [першу](story:a).")}
-- content/news/c/en.md --
{story("Gamma", date="2023-10-01")}
""")
    beta_en, beta_ua = root / "output/en/2023/11/beta/index.html", root / "output/ua/2023/11/beta/index.html"
    assert build(root, "--now", NOW).status == 0
    assert '<a href="../alpha/">the first</a>' in beta_en.read_text()
    assert '<a href="../../../../en/2023/11/alpha/" hreflang="en">першу' in beta_ua.read_text()
    steps = [
        ("a new month", lambda: (root / "content/news/a/en.md").write_text(
            story("Alpha", date="2023-09-10", body=alpha), encoding="utf-8"),
         '<a href="../../09/alpha/#the-details">its details</a>', '../../../../en/2023/09/alpha/" hreflang="en"'),
        ("a translation", lambda: (root / "content/news/a/ua.md").write_text(
            story("Альфа", slug="alpha", date="2023-09-10"), encoding="utf-8"),
         '<a href="../../09/alpha/">the first</a>', '<a href="../../09/alpha/">першу</a>'),
        ("withdrawn", lambda: [path.write_text(path.read_text(encoding="utf-8").replace(
            "\ntitle: ", "\nretracted: true\ntitle: "), encoding="utf-8")
            for path in (root / "content/news/a").glob("*.md")],
         '<a href="../../09/alpha/">the first</a>', '<a href="../../09/alpha/">першу</a>'),
    ]
    for what, change, in_en, in_ua in steps:
        change()
        built = build(root, "--now", NOW)
        assert built.status == 0, (what, built.err)
        assert in_en in beta_en.read_text() and in_ua in beta_ua.read_text(), what
        assert pages(root / "output") == clean_build(root, tmp_path), what
    assert "withdrawn" in built.err and "b/en.md" in built.err


KEPT = "the last build's links kept"


def test_edits_to_words_and_headlines_are_put_into_the_last_builds_links(tmp_path, build):
    """A build after an edit to a few stories' words or headlines parses those files and puts them
    into the site the last build linked (incremental/linked.py), build after build; anything linking
    decides (a new story) links the whole site again. The output is a clean build's every time."""
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-10", body="Alpha's words.", tags="[drones]")}
-- content/news/b/en.md --
{story("Beta", date="2023-11-12", body="See [the first](story:a).", tags="[drones]")}
-- content/news/b/ua.md --
{story("Бета", slug="beta", date="2023-11-12", body="Див. [першу](story:a).")}
-- content/news/c/en.md --
{story("Gamma in the works", date="2023-11-14", draft="true")}
""")
    assert build(root, "--now", NOW).status == 0
    a, c = root / "content/news/a/en.md", root / "content/news/c/en.md"

    def edit(path: Path, old: str, new: str):
        return lambda: path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def add():
        (root / "content/news/e").mkdir()
        (root / "content/news/e/en.md").write_text(story("Epsilon", date="2023-11-20"), encoding="utf-8")

    steps = [
        ("Alpha's words", edit(a, "Alpha's words.", "Alpha's corrected words."), f"{KEPT}, 1 story updated"),
        ("Alpha's headline", edit(a, "title: Alpha", "title: Alpha revised"), f"{KEPT}, 1 story updated"),
        ("Beta's words", edit(root / "content/news/b/ua.md", "Див.", "Дивіться"), f"{KEPT}, 1 story updated"),
        ("the draft's words", edit(c, "Body text.", "More text."), f"{KEPT};"),
        ("a new story", add, None),
        ("Epsilon's and Alpha's words", lambda: (edit(root / "content/news/e/en.md", "Body", "A body")(),
                                                 edit(a, "corrected", "twice corrected")()),
         f"{KEPT}, 2 stories updated"),
    ]
    for what, change, kept in steps:
        change()
        built = build(root, "--now", NOW)
        assert built.status == 0, (what, built.err)
        assert (kept in built.out) if kept else (KEPT not in built.out), (what, built.out)
        assert pages(root / "output") == clean_build(root, tmp_path), what
    beta = (root / "output/en/2023/11/beta/index.html").read_text()
    assert '<a href="../alpha-revised/">the first</a>' in beta
    assert "twice corrected" in (root / "output/en/2023/11/alpha-revised/index.html").read_text()
    assert "alpha-revised/" in (root / "output/en/2023/11/alpha/index.html").read_text()  # the old address redirects
    lock = (root / "content/urls.lock").read_text()
    assert "en/2023/11/alpha/  news/a/en\n" in lock and "en/2023/11/alpha-revised/  news/a/en\n" in lock
    # Back to the first headline: the story is at its first address again, and the second redirects there.
    edit(a, "title: Alpha revised", "title: Alpha")()
    built = build(root, "--now", NOW)
    assert built.status == 0 and f"{KEPT}, 1 story updated" in built.out, built.err
    assert "twice corrected" in (root / "output/en/2023/11/alpha/index.html").read_text()
    assert '"../alpha/"' in (root / "output/en/2023/11/alpha-revised/index.html").read_text()
    assert (root / "content/urls.lock").read_text() == lock
    assert pages(root / "output") == clean_build(root, tmp_path)


def test_a_line_added_to_urls_lock_by_hand_is_redirected_when_only_words_changed(tmp_path, build):
    """A patched build keeps the last build's redirects only while urls.lock is the one that build
    left: a line the newsroom adds (an address of the old site, say) is read and redirected."""
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-10")}
-- content/news/b/en.md --
{story("Beta", date="2023-11-12")}
""")
    assert build(root, "--now", NOW).status == 0
    a = root / "content/news/a/en.md"
    for old, words, line in (("Body text.", "First words.", "en/2023/11/alpha-old/  news/a/en\n"),
                             ("First words.", "Second words.", "")):
        a.write_text(a.read_text(encoding="utf-8").replace(old, words), encoding="utf-8")
        lock = root / "content/urls.lock"
        lock.write_text(lock.read_text(encoding="utf-8") + line, encoding="utf-8")
        built = build(root, "--now", NOW)
        assert built.status == 0 and KEPT in built.out, built.err
        assert "alpha/" in (root / "output/en/2023/11/alpha-old/index.html").read_text()
        assert pages(root / "output") == clean_build(root, tmp_path), words
    assert "Second words." in (root / "output/en/2023/11/alpha/index.html").read_text()


def test_a_dead_link_typed_into_an_edited_story_stops_the_build(tmp_path, build):
    """A patched build checks the links of the stories it put in (the others' were checked before,
    and their targets are all still published): a dead one is reported, the output is kept."""
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-10", body="See [Beta](../beta/).")}
-- content/news/b/en.md --
{story("Beta", date="2023-11-12")}
""")
    assert build(root, "--now", NOW).status == 0
    before = snapshot(root / "output")
    b = root / "content/news/b/en.md"
    b.write_text(b.read_text(encoding="utf-8").replace("Body text.", "See [the other](../nowhere/)."),
                 encoding="utf-8")
    built = build(root, "--now", NOW)
    assert built.status == 1 and "b/en.md:" in built.err and "dead link `../nowhere/`" in built.err, built.err
    assert snapshot(root / "output") == before
    b.write_text(b.read_text(encoding="utf-8").replace("../nowhere/", "../alpha/"), encoding="utf-8")
    built = build(root, "--now", NOW)
    assert built.status == 0 and KEPT in built.out, built.err
    assert pages(root / "output") == clean_build(root, tmp_path)


def test_a_site_moved_to_another_folder_keeps_its_last_builds_links_there(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-10")}
-- static/extra.txt --
Our own file.
""")
    assert build(root, "--now", NOW).status == 0
    moved = tmp_path / "moved"
    shutil.move(root, moved)
    (moved / "static/extra.txt").write_text("Our own file, moved.", encoding="utf-8")
    path = moved / "content/news/a/en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Body text.", "New words."), encoding="utf-8")
    built = build(moved, "--now", NOW)
    assert built.status == 0 and KEPT in built.out, built.err
    assert "New words." in (moved / "output/en/2023/11/alpha/index.html").read_text()
    assert (moved / "output/static/extra.txt").read_text() == "Our own file, moved."
    assert pages(moved / "output") == clean_build(moved, tmp_path)


def test_the_last_builds_links_are_not_kept_once_a_scheduled_story_is_due(tmp_path, build):
    root = make_site(tmp_path / "site", f"""
-- content/news/a/en.md --
{story("Alpha", date="2023-11-10")}
-- content/news/later/en.md --
{story("Scheduled", date="2024-02-10T09:00:00+02:00")}
""")
    assert build(root, "--now", NOW).status == 0
    assert not (root / "output/en/2024/02/scheduled/index.html").exists()
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Body text.", "New words."), encoding="utf-8")
    built = build(root, "--now", "2024-02-10T10:00:00+02:00")
    assert built.status == 0 and KEPT not in built.out
    assert (root / "output/en/2024/02/scheduled/index.html").exists()


# -- killed builds ------------------------------------------------------------------------------

KILL_POINTS = ["rendering", "writing", "indexing", "publishing"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_build_killed_at_any_point_leaves_the_previous_output(tmp_path, point):
    """The build is stopped with SIGKILL when it reaches each stage (a test hook makes it wait there)."""
    root = generated_site(tmp_path / "site", 60)
    assert run_newsgen("build", "--site", str(root), "--quiet").returncode == 0
    before = snapshot(root / "output")
    before_inodes = inodes(root / "output")
    for path in sorted((root / "content/news").glob("*/en.md"))[:5]:
        path.write_text(path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Edited "), encoding="utf-8")
    signal_file = tmp_path / "reached"
    env = dict(os.environ, NEWSGEN_TEST_PAUSE=f"{point}:{signal_file}")
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--site", str(root)], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not signal_file.exists():
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, f"the build never reached {point}"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(1.5)  # orphaned workers notice their parent is gone, and end
    assert snapshot(root / "output") == before
    assert inodes(root / "output") == before_inodes
    after = run_newsgen("build", "--site", str(root))
    assert after.returncode == 0, after.stderr
    assert any("Edited" in p.read_text(encoding="utf-8") for p in (root / "output/en").rglob("index.html"))
