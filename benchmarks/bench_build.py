"""Build-speed benchmark: a synthetic site of N stories × 3 languages.

    python benchmarks/bench_build.py 1000 5000 --runs 3

Generates (once, cached under --where, default ~/.cache/newsgen-benchmarks) a
site like the newsroom's:
Cyrillic text for ua and ru, 500–800 words a story with sub-headings and
`story:` links to earlier stories, tags drawn from a pool with a few very
common ones, ~10% of stories without ru and ~5% without ua. Then builds it
with `newsgen build` several times and prints, per N: pages written, median
and best wall seconds, pages per second and peak memory (largest process so
far, Pagefind included), for
  cold: the first build of a site (no parse cache, no output, no urls.lock),
  warm: nothing changed (parse cache; every page still rendered and written;
        the search index kept, as no page changed),
  edit: one headline changed (one file parsed; the search index made again).
Not a test: the machine is shared and noisy, so read medians. Where the site
lives matters: a build creates thousands of folders and files, and on some
machines one folder is many times slower at that than another on the same disk
(a monitored work tree, say); --where chooses, and the table says which.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

WORDS = {
    "ua": ("співпраця оборона дрони санкції ракети україна завод знімки журналісти уряд міністр заява "
           "країна війна атака енергетика місто фронт союзники постачання виробництво переговори безпека "
           "економіка бюджет парламент закон рішення допомога зброя територія кордон область громада "
           "вибори суд прокуратура розслідування інфраструктура мережа зв'язок експорт імпорт зерно порт").split(),
    "ru": ("сотрудничество оборона дроны санкции ракеты украина завод снимки журналисты правительство министр "
           "заявление страна война атака энергетика город фронт союзники поставки производство переговоры "
           "безопасность экономика бюджет парламент закон решение помощь оружие территория граница область "
           "выборы суд прокуратура расследование инфраструктура сеть связь экспорт импорт зерно порт").split(),
    "en": ("cooperation defense drones sanctions missiles ukraine factory images journalists government "
           "minister statement country war attack energy city front allies supplies production talks security "
           "economy budget parliament law decision aid weapons territory border region elections court "
           "prosecutor investigation infrastructure network exports imports grain port").split(),
}
TAGS = [f"tag-{i:03d}" for i in range(200)]
COMMON_TAGS = ["russia", "iran", "ukraine", "drones", "sanctions"]


def sentence(rng: random.Random, lang: str) -> str:
    words = [rng.choice(WORDS[lang]) for _ in range(rng.randint(8, 18))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def body(rng: random.Random, lang: str, earlier: list[str]) -> str:
    target, parts, words = rng.randint(500, 800), [], 0
    while words < target:
        if parts and rng.random() < 0.12:
            parts.append("## " + sentence(rng, lang).rstrip("."))
        paragraph = " ".join(sentence(rng, lang) for _ in range(rng.randint(3, 6)))
        if earlier and rng.random() < 0.15:
            paragraph += f" [{rng.choice(WORDS[lang])}](story:{rng.choice(earlier)})."
        words += len(paragraph.split())
        parts.append(paragraph)
    return "\n\n".join(parts)


def generate(root: Path, count: int) -> None:
    rng = random.Random(count)
    if root.exists():
        shutil.rmtree(root)
    (root / "content/news").mkdir(parents=True)
    start = datetime(2022, 1, 1, 8, 0)
    keys: list[str] = []
    for i in range(count):
        key = f"story-{i:05d}"
        date = start + timedelta(minutes=int(i * 1440 * 730 / count) + rng.randint(0, 59))
        tags = rng.sample(COMMON_TAGS, rng.randint(0, 2)) + rng.sample(TAGS, rng.randint(1, 3))
        languages = ["ua", "en", "ru"]
        roll = rng.random()
        if roll < 0.10:
            languages.remove("ru")
        elif roll < 0.15:
            languages.remove("ua")
        folder = root / "content/news" / key
        folder.mkdir()
        related = f"related: [{rng.choice(keys)}]\n" if keys and rng.random() < 0.3 else ""
        for lang in languages:
            title = " ".join(rng.choice(WORDS[lang]) for _ in range(rng.randint(5, 10))).capitalize()
            (folder / f"{lang}.md").write_text(
                f"---\ntitle: {title} {i}\ndate: {date:%Y-%m-%dT%H:%M:00}\ntags: [{', '.join(tags)}]\n"
                f"{related}---\n{body(rng, lang, keys[-200:])}\n", encoding="utf-8")
        keys.append(key)


def build_once(root: Path, jobs: int | None) -> tuple[float, int]:
    args = [sys.executable, "-m", "generator", "build", "--site", str(root)]
    if jobs:
        args += ["--jobs", str(jobs)]
    started = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stderr}")
    pages = int(result.stdout.split()[1])  # "built N pages in …"
    return seconds, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="passed to newsgen build --jobs (default: all cores)")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--where", type=Path, default=Path(os.path.expanduser("~/.cache/newsgen-benchmarks")),
                        help="folder for the generated sites and their output")
    args = parser.parse_args()
    print(f"sites in {args.where}; newsgen build --jobs {args.jobs or 'all cores'}; {args.runs} runs each")
    print(f"{'stories':>8} {'build':>6} {'pages':>7} {'median s':>9} {'best s':>7} {'pages/s':>8} {'peak MiB':>9}")
    for count in args.sizes:
        root = args.where / f"n{count}"
        if args.regenerate or not (root / "content/news").is_dir():
            generate(root, count)
        # the settings and theme as they are now in the repository
        shutil.copy(REPO / "site.toml", root / "site.toml")
        shutil.rmtree(root / "themes", ignore_errors=True)
        shutil.copytree(REPO / "themes", root / "themes", ignore=shutil.ignore_patterns("*.mo"))
        edited = next((root / "content/news").iterdir()) / "en.md"
        original = edited.read_text(encoding="utf-8")
        for kind in ("cold", "warm", "edit"):
            times = []
            for run in range(args.runs):
                if kind == "cold":
                    shutil.rmtree(root / ".newsgen-cache", ignore_errors=True)
                    shutil.rmtree(root / "output", ignore_errors=True)
                    (root / "content/urls.lock").unlink(missing_ok=True)
                elif kind == "edit":
                    edited.write_text(original.replace("\ntitle: ", f"\ntitle: Edited {run} ", 1), encoding="utf-8")
                seconds, pages = build_once(root, args.jobs)
                times.append(seconds)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            median = statistics.median(times)
            print(f"{count:>8} {kind:>6} {pages:>7} {median:>9.2f} {min(times):>7.2f} {pages / median:>8.0f}"
                  f" {peak:>9.0f}", flush=True)
        edited.write_text(original, encoding="utf-8")


if __name__ == "__main__":
    main()
