"""The command line: `newsgen build|check|new` (also `python -m generator`).

Exit status: 0 done, 1 the content or theme has errors (each printed as
`path:line: what is wrong`), 2 bad usage.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path

from .build import BuildOptions, build
from .config import load_config
from .language.catalogs import run_i18n
from .desk.check import check_site
from .errors import REPORT_CAP, BuildFailed, format_problems
from .desk.scaffold import new_story, new_translation
from .desk.status import format_json, format_table, translation_status

DESCRIPTION = """\
newsgen builds a news section in Ukrainian, English and Russian from Markdown
files: one folder per story in content/news/<story-id>/, one file per
translation (ua.md, en.md, ru.md), settings in site.toml."""

EPILOG = """\
examples:
  newsgen build                      build the site in this folder into ./output
  newsgen serve                      preview it at http://127.0.0.1:8000/…, reloading as you edit
  newsgen build --base-url https://example.org/world/news/
  newsgen check                      find problems without writing anything
  newsgen new iran-drones --title "Іран надсилає більше дронів"
  newsgen new iran-drones --translate en   add the English translation of a story
  newsgen status                     which translations are missing or outdated

exit status: 0 done, 1 the content or theme has errors, 2 bad usage"""


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="newsgen", description=DESCRIPTION, epilog=EPILOG,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def site_option(sub):
        sub.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                         help="the site folder, with site.toml (default: this folder)")

    b = commands.add_parser("build", help="build the whole site into the output folder",
                            description="Build the whole site. On any error nothing is written: "
                                        "the previous output stays exactly as it was.")
    site_option(b)
    b.add_argument("--output", type=Path, metavar="DIR", help="where to write the site (default: <site>/output)")
    b.add_argument("--base-url", metavar="URL", help="override site.toml's base_url, e.g. for a staging host")
    b.add_argument("--drafts", action="store_true", help="include translations marked `draft: true`")
    b.add_argument("--jobs", type=_positive, default=0, metavar="N",
                   help="processes to parse and render with (default: all cores)")
    b.add_argument("--quiet", action="store_true", help="print nothing unless there are errors")
    b.add_argument("--now", type=_moment, metavar="TIME",
                   help="build as if it were this time, e.g. 2023-11-25T12:00:00+02:00 (default: now); "
                        "news sitemaps list the stories of the two days before it")
    b.add_argument("--future", action="store_true",
                   help="publish stories dated after the build's time now, instead of at their time")
    b.add_argument("--no-cache", action="store_true",
                   help="parse every file again instead of reusing <site>/.newsgen-cache")
    b.add_argument("--clean", action="store_true",
                   help="render every page again, trusting nothing remembered of the previous build "
                        "(files whose bytes come out the same are still kept as they were)")
    b.add_argument("--changes", type=Path, metavar="FILE",
                   help="write the addresses of the files this build added, changed or removed to FILE, "
                        "one a line (for a CDN purge)")

    v = commands.add_parser("serve", help="preview the site; pages reload as you edit",
                            description="Build the site in memory, serve it at base_url's path, and rebuild "
                                        "what changed whenever a file under content/ or themes/ or site.toml "
                                        "changes. Open pages reload by themselves; a build error shows over "
                                        "the page while the last good build keeps being served.")
    site_option(v)
    v.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    v.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000)")
    v.add_argument("--drafts", action="store_true", help="include translations marked `draft: true`")
    v.add_argument("--open", action="store_true", help="open the site in a web browser")

    c = commands.add_parser("check", help="check the content, then the built output, for problems",
                            description="Check the content for every problem a build would find, without "
                                        "writing anything; then check the built site, if it was built from the "
                                        "content as it is now: dead links and fragments, hreflang reciprocity "
                                        "and x-default, unmarked links into another language, well-formed feeds "
                                        "and sitemaps, and that every URL in content/urls.lock is still served. "
                                        "Exit status 1 when anything is wrong, or when the output is missing or "
                                        "was built from other content.")
    site_option(c)
    c.add_argument("--drafts", action="store_true", help="check drafts as if publishing them")
    c.add_argument("--output", type=Path, metavar="DIR", help="the built site to check (default: <site>/output)")
    c.add_argument("--content", action="store_true", help="check the content only, not the output")
    c.add_argument("--external", action="store_true",
                   help="also list the links to other hosts found in the output (they are never fetched)")
    c.add_argument("--format", choices=["text", "json"], default="text", help="how to print the result")

    n = commands.add_parser("new", help="start a story, or a translation of one, as a draft",
                            description="Write content/news/<story-id>/<lang>.md as a draft dated now, in the "
                                        "languages given (default: the site's default language). With "
                                        "--translate, add a translation of an existing story instead, "
                                        "prefilled with its date, tags, image and related stories.")
    n.add_argument("story_id", metavar="STORY-ID", help="lowercase ASCII, digits and hyphens, e.g. iran-drones")
    site_option(n)
    n.add_argument("--lang", metavar="ua,en,ru", help="languages to write (default: the default language)")
    n.add_argument("--title", metavar="TEXT", default="", help="the headline, in the language(s) of --lang")
    n.add_argument("--translate", metavar="LANG", help="add the story's translation into LANG")
    s = commands.add_parser("status", help="which translations are missing, drafts or outdated",
                            description="A table of stories × languages. A translation is outdated when the "
                                        "default language's translation (the source) has a later `updated` "
                                        "(or `date`) than it.")
    site_option(s)
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")

    i = commands.add_parser("i18n", help="extract, update or compile the theme's UI string catalogs",
                            description="Babel's catalog workflow for the theme's UI strings: `extract` "
                                        "collects them from the templates into messages.pot, `update` merges "
                                        "that into each language's messages.po, `compile` writes messages.mo "
                                        "(the build also recompiles a changed .po by itself).")
    i.add_argument("action", choices=["extract", "update", "compile"])
    site_option(i)
    return main


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date and time like 2023-11-25T12:00:00+02:00: {value!r}")
    return moment  # a naive time is read in the site's timezone by the build


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {value!r}")
    return number


def main(argv: list[str] | None = None, keep_alive: list | None = None) -> int:
    """Run one command; `keep_alive`: see `build.build` (given by `run`, whose process ends next)."""
    args = parser().parse_args(argv)
    try:
        return _command(args, keep_alive)
    except BuildFailed as failed:
        check = args.command == "check"
        print(format_problems(failed.problems, cap=None if check else REPORT_CAP), file=sys.stderr)
        count = len(failed.errors)
        what = "" if check else "; nothing was written"
        print(f"{count} problem{'s' if count != 1 else ''}{what}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous output is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `newsgen status | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _command(args, keep_alive: list | None = None) -> int:
    if args.command == "build":
        options = BuildOptions(args.site, args.output, args.base_url, args.drafts, args.jobs,
                               cache=not args.no_cache, now=args.now, future=args.future, clean=args.clean)
        result = build(options, on_wait=lambda: print("waiting for another build of this output to finish…",
                                                      file=sys.stderr), keep_alive=keep_alive)
        if result.warnings:
            print(format_problems(list(result.warnings)), file=sys.stderr)
        changes = result.changes
        if args.changes:
            base_url = (args.base_url or load_config(args.site.absolute()).base_url).rstrip("/") + "/"
            urls = [base_url + url_path(path) for path in changes.written + changes.removed]
            args.changes.write_text("".join(f"{url}\n" for url in sorted(set(urls))), encoding="utf-8")
        if not args.quiet:
            made = f", {result.images_encoded} image variants made" if result.images_encoded else ""
            searched = (f"; search: {len(result.search_indexed)} of {result.search_parts} parts indexed"
                        if result.search_parts else "")
            kept = ""
            if result.relinked is not None:
                updated = f", {result.relinked} {'story' if result.relinked == 1 else 'stories'} updated in them"
                kept = f"; the last build's links kept{updated if result.relinked else ''}"
            print(f"built {result.pages} pages in {result.seconds:.2f} s into {options.output_dir}{made}: "
                  f"{len(changes.written)} files written, {changes.unchanged} unchanged, {len(changes.removed)} "
                  f"removed ({result.rendered} pages rendered{kept}{searched})")
    elif args.command == "serve":
        from .preview.serve import ServeError, serve  # the preview server's modules; a build needs none of them
        try:
            return serve(BuildOptions(args.site, drafts=args.drafts, preview=True), args.host, args.port, args.open)
        except ServeError as err:
            print(f"newsgen serve: {err}", file=sys.stderr)
            return 2
    elif args.command == "check":
        report = check_site(BuildOptions(args.site, args.output, drafts=args.drafts), output=not args.content,
                            external=args.external)
        print(report.as_json() if args.format == "json" else report.as_text(),
              file=sys.stdout if args.format == "json" or report.ok else sys.stderr)
        return 0 if report.ok else 1
    elif args.command == "status":
        source, codes, rows = translation_status(args.site)
        print((format_json if args.json else format_table)(source, codes, rows))
        sys.stdout.flush()
    elif args.command == "i18n":
        run_i18n(args.site, args.action)
    elif args.command == "new":
        if args.translate:
            if args.title or args.lang:
                print("newsgen new: --translate takes neither --title nor --lang: the translation's headline "
                      "is written in its file", file=sys.stderr)
                return 2
            written = [new_translation(args.site, args.story_id, args.translate)]
        else:
            written = new_story(args.site, args.story_id, args.lang, args.title)
        for path in written:
            print(f"wrote {path}")
    return 0


def url_path(path: str) -> str:
    """The address part of an output file: a folder's index.html is the folder."""
    return path[: -len("index.html")] if path == "index.html" or path.endswith("/index.html") else path


def run() -> None:
    """The `newsgen` command. A build holds the records of the whole archive until it ends, and
    freeing them one object at a time took a tenth of a second of a publish at 5,000 stories
    as the interpreter exited, and 0.4 s at 50,000 as the build returned; so the build leaves
    them in `held`, and once its words are flushed the process ends at once (its worker
    processes are joined and its files written and closed by then)."""
    held: list = []
    status = main(keep_alive=held)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)
