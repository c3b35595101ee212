"""Stage 5, write: pages → disk, all or nothing, touching only what changed.

A build assembles the new output in a staging folder beside the output: the
pages it rendered whose bytes changed are written, every other file is a hard
link to the same file in the previous output (or to its source: media, static
files, photos' copies in the cache). Unchanged files therefore keep their
inode and time, so `rsync`, `aws s3 sync` and CDN uploads move only what
changed. The output a build replaces is kept in the site's cache as the next
build's staging folder (the "spare"): that build brings it up to date with
the output by re-linking only the files the last build changed, instead of
linking every file of the archive again, so its cost follows the changes.
Nothing is ever written into a file of the staging folder: a file there may
be the output's own (a hard link), so it is unlinked and made anew.
When everything is in place the staging folder takes the output's
place in one atomic step (Linux's renameat2 exchange; elsewhere two renames),
so a failed or interrupted build leaves the previous output exactly as it
was, and files of deleted pages disappear. newsgen marks its outputs with a
file, and refuses to replace a non-empty folder that lacks it (someone's home
directory passed as --output, say).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import BuildFailed, Problem
from ..model import Page, Site

MARKER = ".newsgen-output"


@contextmanager
def output_lock(output: Path, lock_dir: Path, on_wait=None) -> Iterator[None]:
    """Only one build at a time may replace `output`; a second one waits.

    A POSIX record lock (lockf), not flock: it belongs to this process alone,
    so worker processes forked while it is held do not keep it, and it is
    released the moment this process ends, however it ends. The lock file
    lives in `lock_dir` (the site's cache folder), named after the output, so
    nothing is left beside the output.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"output-{output_key(output)}.lock", "w") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if on_wait:
                on_wait()
            fcntl.lockf(lock, fcntl.LOCK_EX)
        yield


def output_key(output: Path) -> str:
    """A short name for an output folder, for files about it in the site's cache."""
    return hashlib.sha256(str(output).encode()).hexdigest()[:16]


def spare_folder(cache_dir: Path, output: Path) -> Path:
    """Where the output a build replaced is kept for the next build (see the module's docstring)."""
    return cache_dir / f"spare-{output_key(output)}"


def start_staging(output: Path, spare: Path | None = None, spare_marker: str = "",
                  differing: Iterable[str] = ()) -> tuple[Path, bool]:
    """A staging folder beside the output: (its path, whether it already holds the output's files).

    `spare` is the output the last build replaced, kept in the cache; when its marker is
    `spare_marker` it becomes the staging folder, brought up to date with the output by making
    each path of `differing` (what the last build wrote or removed) the output's file again."""
    if output.exists():
        if not output.is_dir():
            raise BuildFailed([Problem(str(output), 0, "the output path is a file, not a folder")])
        if not (output / MARKER).exists() and any(output.iterdir()):
            raise BuildFailed([Problem(str(output), 0, "refusing to replace this folder: it is not empty and "
                                       f"newsgen did not create it (no {MARKER} file in it)",
                                       "Choose an empty or new folder with --output")])
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    if spare is not None and spare_marker and (output / MARKER).exists() and _marker_of(spare) == spare_marker:
        try:
            os.rename(spare, staging)
            _bring_up_to_date(staging, output, differing)
            return staging, True
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)  # an ordinary staging folder then
    if spare is not None and spare.exists():
        _remove_in_background(spare, output)
    staging.mkdir(parents=True)
    return staging, False


def _marker_of(folder: Path) -> str | None:
    try:
        return (folder / MARKER).read_text()
    except OSError:
        return None


def _bring_up_to_date(staging: Path, output: Path, differing: Iterable[str]) -> None:
    """Make each of `differing` in `staging` what it is in `output`: a hard link to its file, or nothing."""
    (staging / MARKER).unlink()
    for path in differing:
        target = staging / path
        try:
            target.unlink()
        except FileNotFoundError:
            pass
        try:
            os.link(output / path, target)
        except FileNotFoundError:
            if (output / path).exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(output / path, target)
            else:
                _remove_empty_folders(staging, target.parent)


def _remove_empty_folders(root: Path, folder: Path) -> None:
    """`folder` and the folders above it, up to `root`, while they are empty."""
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class Placer:
    """Puts files into a staging folder, creating each folder once, and notes which are the
    previous output's own files (kept) and which are new (written).

    `prefilled`: the files the staging folder already holds, each a hard link to the previous
    output's (a spare brought up to date): keeping one costs nothing, writing one first unlinks
    it, and `remove_unplaced` takes away those this build did not place."""

    def __init__(self, staging: Path, output: Path, prefilled: set[str] | None = None):
        self.staging, self.output, self.prefilled = staging, output, prefilled
        self._made: set[str] = set()
        self.placed: dict[str, bool] = {}  # output path → written (else kept as it was)
        self._by_folder: dict[tuple[str, int], dict[str, list[str]]] = {}  # (top folder, depth) → folder → files

    def _target(self, path: str) -> Path:
        folder = path.rpartition("/")[0]
        if folder not in self._made:
            (self.staging / folder).mkdir(parents=True, exist_ok=True)
            self._made.add(folder)
        return self.staging / path

    def page(self, page: Page, unchanged: bool | None) -> None:
        """A rendered page: a link to the previous output's file when its bytes are the same
        (`unchanged`: known from the previous build's record; None: compare with the file)."""
        target = self._target(page.path)
        if unchanged is None:
            try:
                before = self.output / page.path
                unchanged = before.stat().st_size == len(page.content) and before.read_bytes() == page.content
            except OSError:
                unchanged = False
        if unchanged and self.keep(page.path, target):
            return
        self._clear(page.path, target)
        target.write_bytes(page.content)
        self.placed[page.path] = True

    def keep(self, path: str, target: Path | None = None) -> bool:
        """The previous output's file at `path`, as it is (same inode and time); False if it has none."""
        if self.prefilled is not None:
            if path not in self.prefilled:
                return False
            self.placed[path] = False
            return True
        try:
            os.link(self.output / path, target or self._target(path))
        except FileNotFoundError:
            return False
        self.placed[path] = False
        return True

    def kept_under(self, folder: str) -> list[str] | None:
        """When the staging folder is prefilled: the previous output's files under `folder`, all kept."""
        if self.prefilled is None:
            return None
        folder = folder.strip("/")
        top, depth = folder.partition("/")[0], folder.count("/") + 1
        if (top, depth) not in self._by_folder:
            # Grouped once: a search index has a part per language and month. Only the paths
            # under the same top folder are split (of 330,000 files at 50,000 stories, the
            # search index's are a few thousand).
            groups: dict[str, list[str]] = {}
            prefix = top + "/"
            for path in self.prefilled:
                if path.startswith(prefix):
                    parts = path.split("/", depth)
                    if len(parts) > depth:
                        groups.setdefault("/".join(parts[:depth]), []).append(path)
            self._by_folder[(top, depth)] = groups
        kept = self._by_folder[(top, depth)].get(folder, [])
        self.placed.update(dict.fromkeys(kept, False))
        return kept

    def _clear(self, path: str, target: Path) -> None:
        """In a prefilled staging folder, the file at `path` may be the output's own: unlink it."""
        if self.prefilled is not None:
            target.unlink(missing_ok=True)

    def remove_unplaced(self) -> None:
        """In a prefilled staging folder: remove the previous output's files this build did not place."""
        for path in sorted((self.prefilled or set()) - self.placed.keys()):
            target = self.staging / path
            target.unlink(missing_ok=True)
            _remove_empty_folders(self.staging, target.parent)

    def made(self, path: str, kept: bool) -> None:
        """Note a file something else put into the staging folder (the search index)."""
        self.placed[path] = not kept

    def file(self, path: str, source: Path) -> None:
        """A file from the site (static, media) or the cache (photos): a hard link to it, or, on
        another file system, the previous output's copy when it is still the same, else a copy."""
        target = self._target(path)
        if self.prefilled is not None:
            if _same_file(target, source):
                self.placed[path] = not _same_file(self.output / path, source)
                return
            target.unlink(missing_ok=True)
        try:
            os.link(source, target)
            self.placed[path] = not _same_file(self.output / path, source)
            return
        except OSError as err:
            if err.errno != errno.EXDEV:
                raise
        before = self.output / path
        try:
            have, want = before.stat(), source.stat()
            if (have.st_size, have.st_mtime_ns) == (want.st_size, want.st_mtime_ns):
                os.link(before, target)
                self.placed[path] = False
                return
        except OSError:
            pass
        shutil.copy2(source, target)
        self.placed[path] = True

    def changes(self, before: set[str]) -> "Changes":
        """What this build changes, given the previous output's files `before`."""
        written = tuple(sorted(path for path, new in self.placed.items() if new))
        return Changes(written, len(self.placed) - len(written), tuple(sorted(before - self.placed.keys())))


def static_files(site: Site) -> dict[str, Path]:
    """Output path → source of the theme's static files, and the site's own in place of those of the same name."""
    return {f"static/{name}": source for name, source in site.config.static_files().items()}


def media_files(site: Site, made: dict[str, Path]) -> dict[str, Path]:
    """Output path → source of each story's media beside each of its pages, and of the files made from
    them (`made`: photos' smaller copies and originals without metadata, which replace the files as saved)."""
    root = site.config.root
    files = {}
    for stories in (site.stories, site.pages):
        for story in stories.values():
            for file in story.media:
                for t in story.translations.values():
                    files[t.path + file.published] = root / story.folder / file.saved
    files.update(made)
    return files


@dataclass(frozen=True)
class Changes:
    """How the new output differs from the previous one, file by file (paths relative to it)."""

    written: tuple[str, ...]  # new files, and files whose content changed
    unchanged: int
    removed: tuple[str, ...]


def _same_file(a: Path, b: Path) -> bool:
    try:
        x, y = a.stat(), b.stat()
    except OSError:
        return False
    return (x.st_dev, x.st_ino) == (y.st_dev, y.st_ino)


def files_of(output: Path) -> set[str]:
    """Every file of an output (paths relative to it), the marker aside."""
    return {rel for rel, _ in _files(output) if rel != MARKER} if output.is_dir() else set()


def _files(folder: Path):
    stack = [("", folder)]
    while stack:
        prefix, path = stack.pop()
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((rel + "/", entry.path))
                else:
                    yield rel, entry.stat(follow_symlinks=False)


def publish(staging: Path, output: Path, marker: str, spare: Path | None = None) -> bool:
    """Put the staging folder in the output's place in one step. The old output becomes
    `spare` (the next build's staging folder; True is returned), or, without one, it is
    deleted in the background (nobody waits for thousands of files to go; the next build
    removes what a background removal left unfinished)."""
    marker_file = staging / MARKER
    marker_file.unlink(missing_ok=True)
    try:
        unchanged = (output / MARKER).read_text() == marker
    except OSError:
        unchanged = False
    if unchanged:  # keep the marker file itself, so an unchanged build changes nothing at all
        os.link(output / MARKER, marker_file)
    else:
        marker_file.write_text(marker)
    old = output.parent / f".{output.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    if output.exists() and _exchange(staging, output):
        os.rename(staging, old)  # (the staging path now holds the previous output)
    else:
        if output.exists():
            os.rename(output, old)
        os.rename(staging, output)
    if not old.exists():
        return False
    if spare is not None:
        if spare.exists():
            _remove_in_background(spare, output)
        try:
            os.rename(old, spare)
            return True
        except OSError:
            pass  # (another file system)
    _remove_in_background(old, output)
    return False


def _remove_in_background(folder: Path, output: Path) -> None:
    """Delete `folder` without waiting: renamed to an old-output name first (the next build
    deletes what was left unfinished), then removed by a process of its own."""
    old = output.parent / f".{output.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    try:
        os.rename(folder, old)
    except OSError:
        old = folder
    subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)", str(old)],
                     start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux renameat2 with RENAME_EXCHANGE); False where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result != 0:
        code = ctypes.get_errno()
        if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            return False
        raise OSError(code, os.strerror(code), str(b))
    return True


def remove_leftovers(output: Path) -> None:
    """Old outputs and staging folders that an earlier, interrupted build left behind."""
    for pattern in (f".{output.name}.old-*", f".{output.name}.staging-*"):
        for leftover in output.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
