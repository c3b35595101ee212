"""Shared helpers: sites written from strings, builds, and reading the output.

Inline sites use a txtar-like format: `-- path --` lines, each followed by
that file's content. Unless a site gives its own, it gets `SITE_TOML` and the
repository's default theme.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
THEMES = REPO / "themes"
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

SITE_TOML = """\
[site]
base_url = "https://example.org/news/"
default_language = "ua"
timezone = "Europe/Kyiv"
per_page = 20

[languages.ua]
locale = "uk_UA"
hreflang = "uk"
label = "ua"
title = "Новини"

[languages.en]
locale = "en_US"
hreflang = "en"
label = "en"
title = "News"

[languages.ru]
locale = "ru_RU"
hreflang = "ru"
label = "ru"
title = "Новости"
"""


def write_txtar(root: Path, archive: str) -> None:
    archive = textwrap.dedent(archive)
    parts = re.split(r"^-- (.+?) --$\n?", archive, flags=re.M)
    for name, content in zip(parts[1::2], parts[2::2], strict=False):
        path = root / name.strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def make_site(root: Path, archive: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write_txtar(root, archive)
    if not (root / "site.toml").exists():
        (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    if not (root / "themes").exists():
        shutil.copytree(THEMES, root / "themes")
    return root


def copy_sample_site(root: Path) -> Path:
    """The repository's sample site (settings, content, theme) copied to `root`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site.toml", root / "site.toml")
    for name in ("content", "themes"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("*.mo"))
    return root


def story(title: str, date: str = "2023-11-24T10:30:00+02:00", body: str = "Body text.", **fields) -> str:
    """A translation file's text."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    for key, value in fields.items():
        lines.append(f"{key}: {value}")
    return "\n".join(lines + ["---", body, ""])


def generated_site(root: Path, stories: int) -> Path:
    """A site like the benchmark's (benchmarks/bench_build.py) with the repository's settings and theme."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_build import generate
    generate(root, stories)
    shutil.copy(REPO / "site.toml", root / "site.toml")
    shutil.copytree(REPO / "themes", root / "themes", ignore=shutil.ignore_patterns("*.mo"))
    return root


def tiny_jpeg(width: int = 16, height: int = 9) -> bytes:
    """A real (small) JPEG: lead images are read and resized by the build."""
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


class Built:
    """A finished build: exit status, messages and the output folder."""

    def __init__(self, root: Path, status: int, out: str, err: str):
        self.root, self.status, self.out, self.err = root, status, out, err
        self.output = root / "output"

    def text(self, path: str) -> str:
        target = self.output / path
        if target.is_dir():
            target = target / "index.html"
        return target.read_text(encoding="utf-8")

    def html(self, path: str) -> BeautifulSoup:
        target = self.output / path
        if target.is_dir():
            target = target / "index.html"
        return BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")

    def find(self, pattern: str) -> list[str]:
        """Output paths (relative, sorted) matching a glob."""
        return sorted(p.relative_to(self.output).as_posix() for p in self.output.glob(pattern))


@pytest.fixture
def build(capsys):
    """Build a site in-process: build(root, *extra_args) → Built."""
    def run(root: Path, *args: str, command: str = "build") -> Built:
        status = main([command, "--site", str(root), *args])
        captured = capsys.readouterr()
        return Built(root, status, captured.out, captured.err)
    return run


@pytest.fixture
def site(tmp_path, build):
    """Write an inline site and build it: site(archive, *args) → Built."""
    def run(archive: str, *args: str) -> Built:
        root = make_site(tmp_path / "site", archive)
        return build(root, *args)
    return run


def visible(text: str) -> str:
    """Text as a reader sees it: CLDR's no-break spaces (2023\u202fр.) read as spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def run_newsgen(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m generator` as a user would, in a separate process."""
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes, to compare before and after."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def require(tool: str, reason: str) -> str:
    """The path of a system tool; skip without it, except on CI, where it must exist."""
    path = shutil.which(tool)
    if path is None:
        if ON_CI:
            pytest.fail(f"{tool} is missing on CI: {reason}")
        pytest.skip(f"{tool} is not installed: {reason}")
    return path


def npm_tool(path: str) -> Path:
    """A file of a test tool installed from npm into the repository (`npm install`, as .ci/run does);
    skip without it, except on CI."""
    tool = REPO / "node_modules" / path
    if not tool.exists():
        if ON_CI:
            pytest.fail(f"{path} is missing on CI: run npm install")
        pytest.skip(f"{path} is not installed: run `npm install` in {REPO}")
    return tool


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (skips without it, except on CI)."""
    path = require("chromium", "browser tests drive Debian's Chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if ON_CI:
            pytest.fail("playwright is missing on CI")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
