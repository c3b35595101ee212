"""Google Lighthouse (npm lighthouse@12.2.3, on Debian's Chromium) scores every kind of page of
the sample site 1.00 in performance, accessibility, best practices and SEO, on a phone (Lighthouse's
default: a throttled mid-range phone) and on a desktop. The site is served by nginx under a sub-path."""
from __future__ import annotations

import json
import subprocess

import pytest

from conftest import copy_sample_site, npm_tool, require
from hosting import Nginx, free_port

SUB_PATH = "/news/"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
         "--no-first-run --disable-sync --disable-quic")
STORY = {"ua": "ua/2023/11/rosiia-ta-iran-rozshyriuiut-oboronnu-spivpratsiu-popry-brak-ozbroien/",
         "en": "en/2023/11/russia-iran-defense-cooperation/",
         "ru": "ru/2023/11/rossiia-i-iran-rasshiriaiut-oboronnoe-sotrudnichestvo-nesmotria-na-nekhvatku/"}
TAG = {"ua": "ua/tags/drony/", "en": "en/tags/drones/", "ru": "ru/tags/drony/"}
PAGES = ["", "404.html"] + [page for lang in ("ua", "en", "ru")
                            for page in (f"{lang}/", STORY[lang], TAG[lang], f"{lang}/search/")]


@pytest.fixture(scope="module")
def hosted(tmp_path_factory):
    nginx = require("nginx", "Lighthouse audits the site served by nginx (apt-get install nginx)")
    root = copy_sample_site(tmp_path_factory.mktemp("lighthouse"))
    port = free_port()
    from generator.cli import main
    assert main(["build", "--site", str(root), "--base-url", f"http://127.0.0.1:{port}{SUB_PATH}", "--quiet"]) == 0
    server = Nginx(nginx, root / "output", SUB_PATH, root / "nginx", port)
    yield root, server
    server.stop()


def lighthouse(url: str, preset: str, report) -> dict:
    """{category: score}, the audits that cost points and the host's CPU benchmark, from one Lighthouse run."""
    chromium = require("chromium", "Lighthouse drives Debian's Chromium (apt-get install chromium)")
    command = [str(npm_tool(".bin/lighthouse")), url, "--quiet", f"--chrome-flags={FLAGS}",
               f"--only-categories={','.join(CATEGORIES)}", "--output=json", f"--output-path={report}"]
    if preset == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                            env={"CHROME_PATH": chromium, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: data["categories"][name]["score"] for name in CATEGORIES}
    lost = [(name, ref["id"], data["audits"][ref["id"]].get("displayValue", ""))
            for name in CATEGORIES for ref in data["categories"][name]["auditRefs"]
            if ref["weight"] and (data["audits"][ref["id"]]["score"] or 0) < 1
            and data["audits"][ref["id"]]["scoreDisplayMode"] not in ("notApplicable", "informative", "manual")]
    slow_host = any("slower CPU" in warning for warning in data.get("runWarnings", []))
    return {"scores": scores, "lost": lost, "benchmark": data["environment"]["benchmarkIndex"], "slow_host": slow_host}


@pytest.mark.lighthouse
@pytest.mark.parametrize("preset", ["mobile", "desktop"])
@pytest.mark.parametrize("page", PAGES, ids=[p or "root" for p in PAGES])
def test_lighthouse_scores_every_kind_of_page_1(hosted, tmp_path, page, preset):
    """Each category's median of five runs, as Lighthouse's variability guide advises (one run if it
    scores 1.00 everywhere): phone performance rests on total blocking time, the page's main-thread
    tasks as this host ran them, times four, so one run on a shared machine may lose points to
    another tenant's load. A run Lighthouse itself flags as measured on a CPU too slow for its phone
    emulation ("slower CPU than Lighthouse expects") does not count and is run again; after the
    third such run the runs there are decide."""
    _, server = hosted
    runs, discarded = [], []
    while len(runs) < 5 and len(discarded) <= 2:
        run = lighthouse(server.base + page, preset, tmp_path / "report.json")
        (discarded if run["slow_host"] else runs).append(run)
        if runs == [run] and run["scores"] == dict.fromkeys(CATEGORIES, 1):
            break
    assert runs, f"Lighthouse found this host too slow to measure in every run: {discarded}"
    median = {name: sorted(run["scores"][name] for run in runs)[(len(runs) - 1) // 2] for name in CATEGORIES}
    print(f"lighthouse {preset} {page or '/'}: {median} ({len(runs)} runs, {len(discarded)} on a slow host; "
          f"CPU benchmark {[run['benchmark'] for run in runs + discarded]})")
    assert median == dict.fromkeys(CATEGORIES, 1), runs
