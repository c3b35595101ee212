"""Stage 5, write: pages → disk, all or nothing.

A build writes into a staging folder beside the output and swaps it in only
when everything succeeded, so a failed or interrupted build leaves the
previous output exactly as it was, and pages of deleted stories disappear.
newsgen marks its outputs with a file, and refuses to replace a non-empty
folder that lacks it (someone's home directory passed as --output, say).
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .errors import BuildFailed, Problem
from .model import Page, Site

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
    name = hashlib.sha256(str(output).encode()).hexdigest()[:16]
    with open(lock_dir / f"output-{name}.lock", "w") as lock:
        try:
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if on_wait:
                on_wait()
            fcntl.lockf(lock, fcntl.LOCK_EX)
        yield


def start_staging(output: Path) -> Path:
    if output.exists():
        if not output.is_dir():
            raise BuildFailed([Problem(str(output), 0, "the output path is a file, not a folder")])
        if not (output / MARKER).exists() and any(output.iterdir()):
            raise BuildFailed([Problem(str(output), 0, "refusing to replace this folder: it is not empty and "
                                       f"newsgen did not create it (no {MARKER} file in it)",
                                       "Choose an empty or new folder with --output")])
    staging = output.parent / f".{output.name}.staging-{os.getpid()}"
    staging.mkdir(parents=True)
    return staging


def write_pages(staging: Path, pages: Iterable[Page]) -> int:
    made: set[Path] = set()
    count = 0
    for page in pages:
        target = staging / page.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(page.content)
        count += 1
    return count


def copy_static(site: Site, staging: Path) -> None:
    """The theme's static files, and the site's own in place of those of the same name."""
    for name, source in site.config.static_files().items():
        target = staging / "static" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def copy_media(site: Site, staging: Path, made: dict[str, Path]) -> None:
    """Each story's media beside each of its pages, and the files made from them
    (`made`: output path → file, such as photos' smaller copies and originals without
    metadata, which take the place of the files as saved); hard links when possible."""
    root = site.config.root
    files = {}
    for stories in (site.stories, site.pages):
        for story in stories.values():
            for file in story.media:
                for t in story.translations.values():
                    files[t.path + file.published] = root / story.folder / file.saved
    files.update(made)  # a photo's original without its metadata replaces the file as saved
    for path, source in files.items():
        target = staging / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def publish(staging: Path, output: Path, marker: str) -> None:
    """Swap the staging folder in; the old output is deleted in the background.

    Deleting thousands of files takes a noticeable part of a build, and nobody
    waits for it: the old tree is renamed to a hidden folder first, and the
    next build removes what a background removal left unfinished.
    """
    (staging / MARKER).write_text(marker)
    old = output.parent / f".{output.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    if output.exists():
        os.rename(output, old)
    os.rename(staging, output)
    if old.exists():
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)", str(old)],
                         start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)


def remove_leftovers(output: Path) -> None:
    """Old outputs and staging folders that an earlier, interrupted build left behind."""
    for pattern in (f".{output.name}.old-*", f".{output.name}.staging-*"):
        for leftover in output.parent.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
