"""`newsgen check` on a built output: it passes the sample site and finds what is planted."""
from __future__ import annotations

import shutil

import pytest

from conftest import copy_sample_site, run_newsgen

SEED_EN = "output/en/2023/11/russia-iran-defense-cooperation/index.html"


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    copy_sample_site(root)
    assert run_newsgen("build", "--site", str(root), "--quiet").returncode == 0
    return root


@pytest.fixture
def sample(built_sample, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(built_sample, root)
    return root


def plant(root, path, old, new):
    target = root / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_sample_site_passes(built_sample):
    result = run_newsgen("check", "--site", str(built_sample))
    assert result.returncode == 0, result.stderr
    assert "content: no problems" in result.stdout and "output: no problems" in result.stdout


def test_finds_a_dead_link(sample):
    plant(sample, SEED_EN, "<p>John Kirby", '<p><a href="../no-such-story/">Gone</a> John Kirby')
    result = run_newsgen("check", "--site", str(sample))
    assert result.returncode == 1
    assert f"{SEED_EN}:" in result.stderr and "dead link: ../no-such-story/" in result.stderr


def test_finds_a_missing_hreflang_back_link(sample):
    ru = next((sample / "output/ru/2023/11").glob("rossiia-i-iran-rasshiriaiut*/index.html"))
    rel = ru.relative_to(sample).as_posix()
    plant(sample, rel, '<link rel="alternate" hreflang="en"', '<link rel="alternate" hreflang="de" data-planted')
    result = run_newsgen("check", "--site", str(sample))
    assert result.returncode == 1
    assert "hreflang ru is not reciprocal" in result.stderr and SEED_EN in result.stderr


def test_finds_a_broken_fragment(sample):
    plant(sample, SEED_EN, "<p>John Kirby", '<p><a href="#no-such-heading">see below</a> John Kirby')
    result = run_newsgen("check", "--site", str(sample))
    assert result.returncode == 1
    assert "broken fragment: #no-such-heading" in result.stderr


def test_a_working_fragment_passes(sample):
    plant(sample, SEED_EN, "<p>John Kirby", '<p><a href="#cooperation-between-russia-and-iran">see below</a> John Kirby')
    assert run_newsgen("check", "--site", str(sample)).returncode == 0


def test_finds_an_unmarked_link_into_another_language(sample):
    plant(sample, SEED_EN, "<p>John Kirby", '<p><a href="../../../../ua/">ua</a> John Kirby')
    result = run_newsgen("check", "--site", str(sample))
    assert result.returncode == 1 and "unmarked link into another language" in result.stderr


def test_finds_a_broken_feed_and_a_missing_x_default(sample):
    plant(sample, "output/en/feed.xml", "</feed>", "")
    plant(sample, SEED_EN, '<link rel="alternate" hreflang="x-default"', '<link rel="alternate" hreflang="x-none"')
    result = run_newsgen("check", "--site", str(sample))
    assert result.returncode == 1
    assert "output/en/feed.xml" in result.stderr and "not well-formed XML" in result.stderr
    assert "lack `x-default`" in result.stderr


def test_a_stylesheet_from_another_host_is_reported(sample):
    plant(sample, SEED_EN, "</head>", '<link rel="stylesheet" href="https://cdn.example.com/x.css"></head>')
    result = run_newsgen("check", "--site", str(sample))
    assert result.returncode == 1 and "loads a file from another host" in result.stderr


def test_finds_a_missing_image_variant(sample):
    (sample / SEED_EN).parent.joinpath("lead-960w.webp").unlink()
    result = run_newsgen("check", "--site", str(sample))
    assert result.returncode == 1
    assert f"{SEED_EN}:" in result.stderr and "dead link: lead-960w.webp" in result.stderr
