"""Screenshots of a built site, to look at what readers see.

    python benchmarks/screenshots.py [--site DIR] [--out DIR] [--pages ua/,en/2023/11/x/ …]

Builds the site (default: the sample site in this repository) into a
temporary folder, serves it over HTTP under its base path, and takes Chromium
screenshots of every kind of page in each language — or of the pages given —
at 1280×900 (desktop) and 390×844 (phone), light and dark, full page. The
PNGs go to --out (default: /tmp/newsgen-screenshots); they are not committed.
Needs Debian's Chromium and Playwright (pip install -e '.[test]').
"""
from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def every_kind(output: Path, codes: list[str]) -> list[str]:
    """One page of each kind per language: front, story, standalone page, tag, tag index, archive,
    year, search; then the root chooser and the 404 page."""
    pages = []
    for code in codes:
        section = output / code
        story = next(iter(sorted(section.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html"))), None)
        page = next((p for p in sorted(section.glob("*/index.html"))
                     if p.parent.name not in ("tags", "search", "page") and not p.parent.name.isdigit()), None)
        tag = next(iter(sorted(section.glob("tags/*/index.html"))), None)
        month = next(iter(sorted(section.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/index.html"))), None)
        year = next(iter(sorted(section.glob("[0-9][0-9][0-9][0-9]/index.html"))), None)
        for found in (section / "index.html", story, page, tag, section / "tags/index.html", month, year,
                      section / "search/index.html"):
            if found is not None and found.exists():
                pages.append(found.relative_to(output).as_posix().removesuffix("index.html"))
    return pages + ["", "404.html"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=REPO)
    parser.add_argument("--out", type=Path, default=Path("/tmp/newsgen-screenshots"))
    parser.add_argument("--pages", help="comma-separated paths under the base path (default: every kind)")
    parser.add_argument("--now", help="build as if it were this time (passed to newsgen build)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from generator.cli import main as newsgen
    from generator.config import load_config

    config = load_config(args.site.absolute())
    base_path = urlsplit(config.base_url).path
    work = Path(tempfile.mkdtemp(prefix="newsgen-screens-"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(work)))
    port = server.server_address[1]
    served = work / base_path.strip("/")
    build = ["build", "--site", str(args.site), "--output", str(served), "--quiet",
             "--base-url", f"http://127.0.0.1:{port}{base_path}"]
    if args.now:
        build += ["--now", args.now]
    if newsgen(build) != 0:
        raise SystemExit("the build failed")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = args.pages.split(",") if args.pages else every_kind(served, list(config.codes))
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                             headless=True, args=CHROMIUM_ARGS)
        for size, (width, height) in SIZES.items():
            for scheme in ("light", "dark"):
                context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                              locale="uk-UA")
                page = context.new_page()
                for path in pages:
                    url = f"http://127.0.0.1:{port}{base_path}{path}"
                    page.goto(url, wait_until="networkidle")
                    name = (path.strip("/").replace("/", "_") or "root").removesuffix(".html")
                    target = args.out / f"{name}.{size}.{scheme}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
                context.close()
        browser.close()
    server.shutdown()
    shutil.rmtree(work, ignore_errors=True)


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def send_error(self, code, message=None, explain=None):
        if code == 404:  # as static hosts do: the site's own not-found page
            for parent in [Path(self.directory), *Path(self.directory).rglob("404.html")]:
                page = parent if parent.name == "404.html" else None
                if page:
                    body = page.read_bytes()
                    self.send_response(404)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
        super().send_error(code, message, explain)


if __name__ == "__main__":
    main()
