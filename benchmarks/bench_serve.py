"""Edit-to-reload latency of `newsgen serve`.

    python benchmarks/bench_serve.py 1000 --edits 20

On the synthetic site of bench_build.py (N stories × 3 languages), starts
`newsgen serve` twice: first on a site without the parse cache (every file is
parsed: a fresh checkout, or the first start after newsgen itself changed),
then again on the cache that start left (an editor's every other morning).
Prints how long each start took to be ready (from launch to the "serving"
line). On the second, edits one story's title EDITS times and measures the time
from the file write to the rebuilt page being served with the new title
(polling the server every 2 ms): the median and worst latency and how many
pages each rebuild re-rendered (from serve's own terminal lines).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench_build import REPO, generate


def wait_for(url: str, text: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if text in response.read().decode():
                    return
        except urllib.error.HTTPError:
            pass
        time.sleep(0.002)
    raise SystemExit(f"{text!r} never appeared at {url}")


def start(root: Path, port: int) -> tuple[subprocess.Popen, list[str]]:
    """`newsgen serve` on `root`, its output lines gathered as they come."""
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--site", str(root), "--port", str(port)],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    server.launched = time.perf_counter()
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(server.stdout.readline, "")), daemon=True).start()
    return server, lines


def ready_after(server: subprocess.Popen, lines: list[str]) -> float:
    """Seconds from launch to serve's "serving" line."""
    while not any(line.startswith("serving ") for line in lines):
        if server.poll() is not None:
            sys.exit("serve exited:\n" + "".join(lines))
        time.sleep(0.02)
    return time.perf_counter() - server.launched


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", nargs="?", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--where", type=Path, default=Path(os.path.expanduser("~/.cache/newsgen-benchmarks")))
    args = parser.parse_args()
    root = args.where / f"n{args.size}"
    if not (root / "content/news").is_dir():
        generate(root, args.size)
    shutil.copy(REPO / "site.toml", root / "site.toml")
    shutil.rmtree(root / "themes", ignore_errors=True)
    shutil.copytree(REPO / "themes", root / "themes", ignore=shutil.ignore_patterns("*.mo"))

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    shutil.rmtree(root / ".newsgen-cache", ignore_errors=True)
    cold, lines = start(root, port)
    print(f"ready (serving) {ready_after(cold, lines):.2f} s after start, without a parse cache: {lines[0].strip()}")
    stop(cold)
    server, lines = start(root, port)
    source = original = None
    try:
        print(f"ready (serving) {ready_after(server, lines):.2f} s after start, with the cache: {lines[0].strip()}")
        original = (root / "content/news/story-00500/en.md").read_text(encoding="utf-8")
        source = root / "content/news/story-00500/en.md"
        title = re.search(r"^title: (.*)$", original, re.M).group(1)
        date = re.search(r"^date: (\d{4})-(\d{2})", original, re.M)
        # A fixed slug, so that the page stays at one URL while its title changes.
        pinned = original.replace(f"title: {title}\n", f"title: {title}\nslug: edited-story\n", 1)
        page_url = f"http://127.0.0.1:{port}/news/en/{date.group(1)}/{date.group(2)}/edited-story/"
        source.write_text(pinned, encoding="utf-8")
        wait_for(page_url, f"<h1>{title}</h1>")
        time.sleep(0.5)
        latencies, rendered, rebuild_ms = [], [], []
        for edit in range(args.edits):
            marker = f"Edit {edit} of {title}"
            before = len(lines)
            started = time.perf_counter()
            source.write_text(pinned.replace(f"title: {title}", f"title: {marker}", 1), encoding="utf-8")
            wait_for(page_url, f"<h1>{marker}</h1>")
            latencies.append(time.perf_counter() - started)
            while len(lines) == before:
                time.sleep(0.01)
            found = [m for line in lines[before:] for m in [re.match(r"rebuilt (\d+) pages? in (\d+) ms", line)] if m]
            rendered.append(sum(int(m.group(1)) for m in found))
            rebuild_ms.append(sum(int(m.group(2)) for m in found))
            time.sleep(0.2)
    finally:
        if source is not None:
            source.write_text(original, encoding="utf-8")  # even when a wait failed
        stop(server)
    ms = [round(x * 1000) for x in latencies]
    print(f"{args.size} stories, {args.edits} title edits: edit-to-served median {statistics.median(ms)} ms, "
          f"worst {max(ms)} ms; of which rebuilding: median {statistics.median(rebuild_ms)} ms; "
          f"pages re-rendered per edit: median {statistics.median(rendered)}, max {max(rendered)}")


if __name__ == "__main__":
    main()
