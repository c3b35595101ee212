"""Published URLs never break: `content/urls.lock` and the redirects it implies.

The first build that publishes a translation records its URL path in
`content/urls.lock`, one sorted line per URL, and never forgets it:

    ua/2023/11/rosiia-ta-iran/  news/russia-iran-defense-cooperation/ua

When a later edit moves the translation (a headline fix changes its slug, a
new date moves it to another month), its old URL becomes a redirect to the
new one. A line whose translation no longer exists is an error, unless the
translation is marked `retracted: true` (its URL keeps a short notice) or
the newsroom points the line at another translation by editing its right-hand
side. The newsroom commits the file; builds only ever add lines.
"""
from __future__ import annotations

import bisect
import os
import re
from pathlib import Path
from typing import Mapping, NamedTuple

from ..config import SiteConfig
from ..errors import Problem
from ..model import Site, Translation, translation_id

LOCK_FILE = "content/urls.lock"
HEADER = """\
# Published URLs: where each translation was ever published, so old links keep working.
# newsgen adds a line when it first publishes a translation and never removes one;
# a URL whose translation moved is redirected to where it lives now. Commit this file.
# To send a removed story's URLs elsewhere, change the right-hand side of its lines
# to another translation (news/<story-id>/<lang>), or mark the story `retracted: true`.
"""
_LINE = re.compile(r"^(?P<path>[a-z0-9][a-z0-9/_.-]*/)\s+(?P<target>(news|pages)/[a-z0-9][a-z0-9-]*/[a-z0-9_-]+)$")
#: The nginx variable the map snippet sets.
NGINX_VARIABLE = "$newsgen_redirect"


class LockEntry(NamedTuple):
    """One line of the lock (a tuple: a large archive's lock has 142,000 of them)."""

    path: str  # "ua/2023/11/slug/"
    target: str  # translation id: "news/<story-id>/<lang>"
    line: int


#: A line of the lock as newsgen writes it, in a file searched whole (`_read_plainly`).
_WRITTEN = re.compile(r"^([a-z0-9][a-z0-9/_.-]*/)  ((?:news|pages)/[a-z0-9][a-z0-9-]*/[a-z0-9_-]+)$", re.M)
#: Line breaks other than "\n" that `str.splitlines` breaks at: a file with any is read line by line.
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def read_lock(config: SiteConfig, problems: list[Problem]) -> tuple[LockEntry, ...]:
    file = config.root / LOCK_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(LOCK_FILE, 1, f"cannot read the file: {err}"))
        return ()
    return _read_plainly(text) or _read_lines(text, problems)


def _read_plainly(text: str) -> tuple[LockEntry, ...] | None:
    """The entries of a lock every line of which is a comment or as newsgen writes it, each URL
    once; None for any other (`_read_lines` says what is wrong). One search of the whole text
    rather than a match per line: a third of the time for 142,000 lines."""
    if any(character in text for character in _OTHER_BREAKS):
        return None
    entries, number, position = [], 1, 0
    for match in _WRITTEN.finditer(text):
        number += text.count("\n", position, match.start())
        position = match.start()
        entries.append(LockEntry(match[1], match[2], number))
    lines = text.split("\n")
    others = sum(1 for line in lines if not line or line.startswith("#"))
    if len(entries) + others != len(lines) or len({entry.path for entry in entries}) != len(entries):
        return None
    return tuple(entries)


def _read_lines(text: str, problems: list[Problem]) -> tuple[LockEntry, ...]:
    entries, seen = [], {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            problems.append(Problem(LOCK_FILE, number, f"not a line of the form `<url path>/ news/<story-id>/<lang>`: "
                                    f"{line!r}", "Restore it from version control"))
            continue
        path, target = match["path"], match["target"]
        if path in seen:
            problems.append(Problem(LOCK_FILE, number, f"{path} is listed twice (also on line {seen[path]})",
                                    "Keep one of the lines"))
            continue
        seen[path] = number
        entries.append(LockEntry(path, target, number))
    return tuple(entries)


def plan_redirects(site: Site, lock: tuple[LockEntry, ...], parsed: list[Translation],
                   problems: list[Problem], unreadable: frozenset = frozenset()) -> dict[str, str]:
    """Old URL path → translation id, for every locked URL its translation left.
    `parsed`: every translation file read; those the site does not publish are drafts or
    scheduled for later (unpublishing one is an error too). `unreadable`: (kind, key, lang)
    of files that failed to parse, whose lines are not judged (their problem is reported)."""
    codes = set(site.config.codes)
    current = {translation_id(t.kind, t.key, t.lang): t for t in _translations(site)}
    held: dict[str, Translation] = {}  # every parsed translation by id, made for the first line that asks

    def parsed_as(tid: str) -> Translation | None:
        if not held:
            held.update((translation_id(t.kind, t.key, t.lang), t) for t in parsed)
        return held.get(tid)

    skipped = {translation_id(*tid) for tid in unreadable}
    owners = {t.path: tid for tid, t in current.items()}
    redirects = {}
    for entry in lock:
        target = current.get(entry.target)
        owner = owners.get(entry.path)
        if owner == entry.target or (target is None and entry.target in skipped):
            continue  # still where it was published (or unreadable just now)
        lang = entry.target.rsplit("/", 1)[1]
        if lang not in codes:
            problems.append(Problem(LOCK_FILE, entry.line, f"unknown language `{lang}` in {entry.target}",
                                    f"Languages in site.toml: {', '.join(site.config.codes)}"))
        elif target is None and parsed_as(entry.target) is not None:
            draft = parsed_as(entry.target).draft
            state = "a draft" if draft else "scheduled for later (its date is after this build)"
            fix = "Remove its `draft: true`" if draft else "Set its `date:` back to when it was published"
            problems.append(Problem(LOCK_FILE, entry.line, f"{entry.path} was published, but {entry.target} is now "
                                    f"{state}", f"{fix}, or mark it `retracted: true` to withdraw it"))
        elif target is None:
            problems.append(Problem(LOCK_FILE, entry.line,
                                    f"{entry.path} was published, but {entry.target} no longer exists",
                                    "Restore it, mark it `retracted: true` in its front matter, or point this line "
                                    "at another translation (news/<story-id>/<lang>) to redirect there"))
        elif owner is not None:
            other = current[owner]
            problems.append(Problem(other.source, other.line_of("slug" if "slug" in other.lines else "title"),
                                    f"{entry.path} was published for {entry.target} ({LOCK_FILE}:{entry.line}); "
                                    "this translation would take it over", "Give it a different `slug:`"))
        else:
            redirects[entry.path] = entry.target
    return redirects


def updated_lock(site: Site, lock: tuple[LockEntry, ...]) -> str:
    """The lock with a line for each published URL it lacks, sorted."""
    lines = {entry.path: entry.target for entry in lock}
    for t in _translations(site):
        if t.path not in lines:
            lines[t.path] = translation_id(t.kind, t.key, t.lang)
    return HEADER + "".join(f"{path}  {lines[path]}\n" for path in sorted(lines))


def moved_lock(text: str, redirects: Mapping[str, str], moves: tuple[tuple[str, str, str], ...]
               ) -> tuple[str, dict[str, str]] | None:
    """The lock and redirects after the translations of `moves` ((translation id, old address, new
    address), nothing else of the site changed) moved, worked out from `text`, the lock a build
    left, and `redirects`, those it planned: that lock lists every address then published (each
    leading to its own translation) and every redirect, nothing else. A translation's old address
    becomes a redirect to it; its new one gains a line, unless it had one leading to it (it moves
    back), which stops redirecting. None when more must be judged (a new address the lock gives
    another translation, an address left and taken in one build): `plan_redirects` says what.
    At 50,000 stories this saves reading the lock's 142,000 lines, planning and sorting them."""
    if not text.startswith(HEADER):
        return None
    left, taken = {old for _, old, _ in moves}, {new for _, _, new in moves}
    if len(taken) != len(moves) or not left.isdisjoint(taken):
        return None
    lines = text[len(HEADER):].split("\n")
    if lines.pop() != "":
        return None
    planned = dict(redirects)
    for tid, old, new in moves:
        if new in planned:
            if planned.pop(new) != tid:
                return None
        else:
            at = bisect.bisect_left(lines, new, key=_lock_path)
            if at < len(lines) and _lock_path(lines[at]) == new:
                return None  # (not a redirect, so the address of a translation that did not move)
            lines.insert(at, f"{new}  {tid}")
        planned[old] = tid
    return HEADER + "\n".join(lines) + "\n", dict(sorted(planned.items()))  # (in the lock's order, as planned)


def _lock_path(line: str) -> str:
    return line.partition("  ")[0]


def write_lock(config: SiteConfig, text: str) -> bool:
    """Write the lock if it changed (atomically); whether it did."""
    file = config.root / LOCK_FILE
    try:
        if file.read_text(encoding="utf-8") == text:
            return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, file)
    return True


def netlify_redirects(site: Site) -> str:
    """`_redirects`, as Netlify and Cloudflare Pages read it."""
    base = site.config.base_path
    lines = ["# Old URLs of moved stories, for hosts that read _redirects (Netlify, Cloudflare Pages)."]
    for old, tid in sorted(site.redirects.items()):
        lines.append(f"{base}{old} {base}{site.by_id(tid).path} 301")
    return "\n".join(lines) + "\n"


def nginx_map(site: Site) -> str:
    """An nginx `map` from old URLs to new ones, for servers that redirect themselves."""
    base = site.config.base_path
    pairs = [(base + old, base + site.by_id(tid).path) for old, tid in sorted(site.redirects.items())]
    longest = max((len(old) + len("index.html") for old, _ in pairs), default=0)
    bucket = 128
    while bucket < longest + 32:  # nginx stops with "could not build map_hash" when a key does not fit
        bucket *= 2
    lines = [
        "# Old URLs of moved stories. In nginx's http block:",
        "#     include /path/to/nginx-redirects.conf;",
        "# and in the server block:",
        f"#     if ({NGINX_VARIABLE}) {{ return 301 {NGINX_VARIABLE}; }}",
        "# (If your http block already sets map_hash_bucket_size, keep the larger value and drop this line.)",
        f"map_hash_bucket_size {bucket};",
        f"map $uri {NGINX_VARIABLE} {{",
        '    default "";',
    ]
    for old, new in pairs:
        lines.append(f"    {old} {new};")
        lines.append(f"    {old}index.html {new};")
    return "\n".join(lines + ["}"]) + "\n"


def missing_from_output(config: SiteConfig, output: Path, problems: list[Problem]) -> list[Problem]:
    """Locked URLs that the built output does not serve."""
    found = []
    for entry in read_lock(config, problems):
        if not (output / entry.path / "index.html").is_file():
            found.append(Problem(LOCK_FILE, entry.line, f"{entry.path} is a published URL, but the output has "
                                 "no page there", "Run newsgen build"))
    return found


def _translations(site: Site) -> list[Translation]:
    return [*site.translations(), *site.retracted.values()]
