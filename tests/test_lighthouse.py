"""Google Lighthouse (npm lighthouse@12.2.3, on Debian's Chromium) scores every kind of page of
the sample site 1.00 in performance, accessibility, best practices and SEO, on a phone (Lighthouse's
default: a throttled mid-range phone) and on a desktop, in the best of up to eight runs. The site is
served by nginx under a sub-path."""
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
RUNS = 8  # at most, per page and preset: a busy shared host needs more than five for one quiet run
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
    return {"scores": scores, "lost": lost, "benchmark": data["environment"]["benchmarkIndex"]}


def best_run(url: str, preset: str, report) -> tuple[dict, list[dict]]:
    """The best of up to `RUNS` Lighthouse runs ({category: score}) and all runs made.

    Phone performance rests on total blocking time: the page's main-thread tasks as this host ran
    them, times four. Another tenant of a shared machine can only make those tasks longer, never
    shorter, so the best run is the measurement of the page and the worse ones measure the host (the
    reason `timeit` reports the fastest of its runs). Runs stop at the first that scores 1.00
    everywhere. A page whose own work blocks a phone fails every run:
    `test_a_page_that_blocks_the_main_thread_fails_every_run` holds this measurement to that."""
    runs = []
    while len(runs) < RUNS:
        runs.append(lighthouse(url, preset, report))
        if runs[-1]["scores"] == dict.fromkeys(CATEGORIES, 1):
            break
    best = {name: max(run["scores"][name] for run in runs) for name in CATEGORIES}
    return best, runs


@pytest.mark.lighthouse
@pytest.mark.parametrize("preset", ["mobile", "desktop"])
@pytest.mark.parametrize("page", PAGES, ids=[p or "root" for p in PAGES])
def test_lighthouse_scores_every_kind_of_page_1(hosted, tmp_path, page, preset):
    _, server = hosted
    best, runs = best_run(server.base + page, preset, tmp_path / "report.json")
    print(f"lighthouse {preset} {page or '/'}: {best} (best of {len(runs)} runs; "
          f"CPU benchmark {[run['benchmark'] for run in runs]})")
    assert best == dict.fromkeys(CATEGORIES, 1), runs


@pytest.mark.lighthouse
def test_a_page_that_blocks_the_main_thread_fails_every_run(hosted, tmp_path):
    """The control for the best-of-runs measurement: a story page with one script that keeps the
    main thread busy for 250 ms once it has loaded (a tag manager's worth) loses phone performance
    points in every one of its runs, however quiet the host."""
    root, server = hosted
    story = root / "output" / STORY["en"] / "index.html"
    script = ("<script>addEventListener('load', function () {"
              " var end = performance.now() + 250; while (performance.now() < end) {} });</script>")
    # beside the story, so that its photo, stylesheet and links resolve as they do from the story
    (story.parent / "blocking.html").write_text(
        story.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")
    best, runs = best_run(server.base + STORY["en"] + "blocking.html", "mobile", tmp_path / "report.json")
    performance = [(run["scores"]["performance"], [lost[1:] for lost in run["lost"] if lost[0] == "performance"])
                   for run in runs]
    assert len(runs) == RUNS and best["performance"] < 1, performance
    assert any(audit == "total-blocking-time" for _, lost in performance for audit, _ in lost), performance
    assert {name: best[name] for name in CATEGORIES if name != "performance"} == {
        "accessibility": 1, "best-practices": 1, "seo": 1}, runs
