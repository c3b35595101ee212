"""Google Lighthouse (npm lighthouse@12.2.3, on Debian's Chromium) scores every kind of page of
the sample site 1.00 in performance, accessibility, best practices and SEO, on a phone (Lighthouse's
default: a throttled mid-range phone) and on a desktop, in the best of its runs. The site is served
by nginx under a sub-path."""
from __future__ import annotations

import json
import subprocess
import time

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
PRESETS = ("mobile", "desktop")
PERFECT = dict.fromkeys(CATEGORIES, 1)
ROUNDS = 10  # runs at most, per page and preset
ROUND_SECONDS = 90  # a round that runs a page again lasts at least this long: a page's runs span 15 minutes
BUDGET_SECONDS = 35 * 60  # no round starts after this much time
PAGES = ["", "404.html"] + [page for lang in ("ua", "en", "ru")
                            for page in (f"{lang}/", STORY[lang], TAG[lang], f"{lang}/search/")]
# the control: the English story with a script that keeps the main thread busy 250 ms once it has loaded
BLOCKING = (STORY["en"] + "blocking.html", "mobile")


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


def write_blocking_page(output) -> None:
    """The control page: a copy of the English story (beside it, so that its photo, stylesheet and
    links resolve as they do from the story) whose one script keeps the main thread busy for 250 ms
    after load, a tag manager's worth."""
    story = output / STORY["en"] / "index.html"
    script = ("<script>addEventListener('load', function () {"
              " var end = performance.now() + 250; while (performance.now() < end) {} });</script>")
    (story.parent / "blocking.html").write_text(
        story.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8")


@pytest.fixture(scope="module")
def audits(hosted, tmp_path_factory) -> dict[tuple[str, str], list[dict]]:
    """Every Lighthouse run made, by (page, preset): each page is audited in rounds until one run
    scores 1.00 everywhere, for at most `ROUNDS` rounds.

    Phone performance rests on total blocking time: the page's main-thread tasks as this host ran
    them, times four. Another tenant of a shared machine can only make those tasks longer, never
    shorter, so a page's best run is the measurement of the page and its worse runs measure the host
    (the reason `timeit` reports the fastest of its runs). A busy spell of the host lasts minutes, so
    a page is not run again at once: a round that runs any page again lasts at least
    `ROUND_SECONDS`, and a page's runs are spread over a quarter of an hour. The control page
    (`BLOCKING`) is run in every round; it must fail every one of them
    (`test_a_page_that_blocks_the_main_thread_fails_every_run`), which holds the measurement to
    telling a page that blocks a phone from a busy host."""
    root, server = hosted
    write_blocking_page(root / "output")
    report = tmp_path_factory.mktemp("lighthouse-reports") / "report.json"
    pending = [(page, preset) for page in PAGES for preset in PRESETS] + [BLOCKING]
    runs: dict[tuple[str, str], list[dict]] = {key: [] for key in pending}
    deadline = time.monotonic() + BUDGET_SECONDS
    for _ in range(ROUNDS):
        if not pending or time.monotonic() > deadline:
            break
        started = time.monotonic()
        for key in list(pending):
            runs[key].append(lighthouse(server.base + key[0], key[1], report))
            if runs[key][-1]["scores"] == PERFECT:
                pending.remove(key)
        if any(key != BLOCKING for key in pending):  # a page runs again: not before the round's time is up
            time.sleep(max(0.0, started + ROUND_SECONDS - time.monotonic()))
    return runs


def best(runs: list[dict]) -> dict:
    """{category: the best score of the runs}."""
    return {name: max(run["scores"][name] for run in runs) for name in CATEGORIES}


@pytest.mark.lighthouse
@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("page", PAGES, ids=[p or "root" for p in PAGES])
def test_lighthouse_scores_every_kind_of_page_1(audits, page, preset):
    runs = audits[page, preset]
    print(f"lighthouse {preset} {page or '/'}: {best(runs)} (best of {len(runs)} runs; "
          f"CPU benchmark {[run['benchmark'] for run in runs]})")
    assert best(runs) == PERFECT, runs


@pytest.mark.lighthouse
def test_a_page_that_blocks_the_main_thread_fails_every_run(audits):
    """The control for the best-of-runs measurement: a story page with one script that keeps the
    main thread busy for 250 ms once it has loaded loses phone performance points in every one of
    its runs, however quiet the host, and it had as many runs as any page."""
    runs = audits[BLOCKING]
    scores = best(runs)
    performance = [(run["scores"]["performance"], [lost[1:] for lost in run["lost"] if lost[0] == "performance"])
                   for run in runs]
    assert len(runs) == max(len(page_runs) for page_runs in audits.values()) >= 2, performance
    assert scores["performance"] < 1, performance
    assert any(audit == "total-blocking-time" for _, lost in performance for audit, _ in lost), performance
    assert {name: scores[name] for name in CATEGORIES if name != "performance"} == {
        "accessibility": 1, "best-practices": 1, "seo": 1}, runs
