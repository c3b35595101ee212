"""A story's media files, named as people save them, published under URL-safe names.

Photos arrive as `Фото ППО 25.11.jpg`, `IMG_0042.JPG`, `air defense.png`.
Each is published beside the story's pages under a name made by the same
transliteration as slugs (`foto-ppo-25-11.jpg`), and editors refer to it by
the name as saved, in `image:` and in the body; the published name works too.
Names that are already lowercase URL-safe ASCII are kept as they are.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from ..model import MediaFile
from ..language.slugs import slugify

_SAFE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: Names a media file may not take: the page itself lives there.
RESERVED = frozenset({"index.html"})


def published_name(saved: str) -> str:
    """`Фото ППО 25.11.jpg` → `foto-ppo-25-11.jpg`; `lead.jpg` stays `lead.jpg`."""
    if _SAFE.match(saved):
        return saved
    stem, dot, extension = saved.rpartition(".")
    if not dot or not stem:
        stem, extension = saved, ""
    stem = slugify(unicodedata.normalize("NFC", stem), "uk") or "file"
    extension = re.sub(r"[^a-z0-9]", "", extension.lower())
    return f"{stem}.{extension}" if extension else stem


def media_files(names: list[str]) -> tuple[tuple[MediaFile, ...], list[tuple[str, str, str]]]:
    """The folder's media and the names that clash: (media, [(name, other name, published)])."""
    by_published: dict[str, str] = {}
    files, clashes = [], []
    for saved in sorted(names):
        published = published_name(saved)
        if published in by_published:
            clashes.append((saved, by_published[published], published))
            continue
        if published in RESERVED:
            clashes.append((saved, "", published))
            continue
        by_published[published] = saved
        files.append(MediaFile(saved, published))
    return tuple(files), clashes


def find_media(reference: str, media: tuple[MediaFile, ...]) -> MediaFile | None:
    """The file a reference names: as saved (also URL-encoded, `Фото%201.jpg`) or as published."""
    for candidate in dict.fromkeys((reference, unquote(reference))):
        candidate = unicodedata.normalize("NFC", candidate)
        for file in media:
            if unicodedata.normalize("NFC", file.saved) == candidate or file.published == candidate:
                return file
    return None


def media_hint(reference: str, media: tuple[MediaFile, ...]) -> str:
    """Did you mean…: a file whose name differs only by case or transliteration."""
    wanted = published_name(unquote(reference).strip()).casefold()
    for file in media:
        if file.published.casefold() == wanted or file.saved.casefold() == reference.casefold():
            return f"Did you mean `{file.saved}`?"
    if media:
        return "Files in the story folder: " + ", ".join(f"`{f.saved}`" for f in media)
    return "Put the file in the story folder"
