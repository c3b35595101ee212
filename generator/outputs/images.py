"""Photos in the sizes a browser picks from: variants made with Pillow, cached
by the image's content, and originals published without their metadata.

Every photo a story shows — its lead image (front matter `image:`) and the
photos in its body — is published as narrower copies (480, 960 and 1600 px
wide, only those narrower than the original) in WebP and in the original
format, plus a full-width WebP, for `srcset`. The original itself is
published with its metadata removed (metadata.py: no EXIF GPS position ever
leaves the newsroom); a photo that a camera stored sideways (EXIF
orientation) is turned upright instead, since the orientation tag goes with
the metadata. Encoding is the slow part, so the files are kept under
`<site>/.newsgen-cache/images/<sha256 of the file>/` and made once per image
content: a rebuild, a renamed story or a second story using the same photo
re-encodes nothing. The build hard-links them beside the story's pages. Each
image's pixel size is read too, for `width`/`height` attributes (no layout
shift) and for structured data.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import Problem
from .metadata import strip_metadata
from ..model import LeadImage, Site, Story, Translation, Variant
from ..parallel import map_chunks

WIDTHS = (480, 960, 1600)
#: Pillow format → (MIME type, whether we resize it). GIFs may be animated, SVGs are not pixels.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
_MIMES = {extension: mime for mime, extension in _EXTENSIONS.items()}
IMAGES_DIR = "images"
_INDEX = "index.json"
#: Bump when the encoding settings change, so cached variants are made again.
_ENCODER = "2"
#: The cached original, without metadata, of an image: "<digest>/original.<ext>".
ORIGINAL = "original"


@dataclass(frozen=True)
class PreparedImages:
    images: Mapping[str, LeadImage]  # source path ("content/news/x/lead.jpg") → its image
    encoded: int  # variant files made by this build (0 when the cache had them all)


def plan_variants(name: str, width: int, height: int, mime: str) -> tuple[Variant, ...]:
    """Narrower copies in the original format and WebP, then a full-width WebP."""
    stem, dot, ext = name.rpartition(".")
    stem = stem or ext
    variants = []
    for w in WIDTHS:
        if w < width:
            h = max(1, round(height * w / width))
            if mime != "image/webp":
                variants.append(Variant(f"{stem}-{w}w.{ext}", w, h, mime))
            variants.append(Variant(f"{stem}-{w}w.webp", w, h, "image/webp"))
    if mime != "image/webp":
        variants.append(Variant(f"{stem}-{width}w.webp", width, height, "image/webp"))
    return tuple(variants)


class ImageCache:
    """`<site>/.newsgen-cache/images/`: variants by content hash, and an index
    remembering each file's hash and size by its (size, mtime), so an unchanged
    image is not even read again."""

    def __init__(self, root: Path):
        self.folder = root / IMAGES_DIR
        try:
            index = json.loads((self.folder / _INDEX).read_text())
            self.index = index["files"] if index.get("encoder") == _ENCODER else {}
        except (OSError, ValueError, KeyError, TypeError):
            self.index = {}

    def save(self, used: set[str]) -> None:
        """Write the index; forget files and variant folders no image uses any more."""
        self.index = {path: entry for path, entry in self.index.items() if path in used}
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f"{_INDEX}.{os.getpid()}"
        temporary.write_text(json.dumps({"encoder": _ENCODER, "files": self.index}, sort_keys=True))
        os.replace(temporary, self.folder / _INDEX)
        digests = {entry["digest"] for entry in self.index.values()}
        for child in self.folder.iterdir():
            if child.is_dir() and child.name not in digests:
                shutil.rmtree(child, ignore_errors=True)


def image_uses(site: Site) -> dict[str, tuple[Story, Translation, str, int]]:
    """Every photo the site shows, by its path as published ("content/news/x/lead.jpg"): the story,
    the first translation that shows it, its published name and the line that names it."""
    uses: dict[str, tuple[Story, Translation, str, int]] = {}
    for stories in (site.stories, site.pages):
        for story in stories.values():
            for t in story.translations.values():
                if t.image:
                    uses.setdefault(f"{story.folder}/{t.image}", (story, t, t.image, t.line_of("image")))
                for name in t.body_images:
                    line = t.lines.get(f"url:{name}", t.line_of("body"))
                    uses.setdefault(f"{story.folder}/{name}", (story, t, name, line))
    return uses


def prepare_images(site: Site, cache_root: Path, jobs: int, problems: list[Problem],
                   prune: bool = True, encode: bool = True) -> PreparedImages:
    """Read every photo's size, and make the variants and clean originals the cache lacks."""
    root = site.config.root
    before = len(problems)
    cache = ImageCache(cache_root)
    uses = image_uses(site)
    images: dict[str, LeadImage] = {}
    originals: dict[str, Path] = {}  # image path (as published) → the file as saved
    for path, (story, t, name, line) in uses.items():
        originals[path] = root / story.folder / story.saved_name(name)
        image = _read(originals[path], path, name, cache)
        if image is None:
            continue
        if isinstance(image, str):
            problems.append(Problem(t.source, line, f"the image `{name}` cannot be read: {image}",
                                    "Save it again as JPEG, PNG or WebP"))
            continue
        clash = sorted({v.name for v in image.variants} & {m.published for m in story.media})
        if clash:
            problems.append(Problem(t.source, line, f"`{clash[0]}` in this story's folder has the name newsgen "
                                    f"gives a smaller copy of `{name}`", f"Rename `{clash[0]}`"))
            continue
        images[path] = image
    todo = []
    for path, image in images.items():
        files = {variant_file(cache_root, image, v): v for v in image.variants}
        if image.original:
            files[original_file(cache_root, image)] = None
        missing = {file: v for file, v in files.items() if not file.exists()}
        if missing and not any(job[1] == image.digest for job in todo):  # the same photo twice: made once
            todo.append((str(originals[path]), image.digest, tuple((str(f), v) for f, v in missing.items())))
    encoded = 0
    todo = todo if encode else []
    path_of = {str(file): path for path, file in originals.items()}
    for count, failures in map_chunks(_encode, None, todo, jobs):
        encoded += count
        for file, message in failures:
            _, t, name, line = uses[path_of[file]]
            problems.append(Problem(t.source, line, f"the image `{name}` cannot be resized: {message}"))
    pruned = prune and len(problems) == before  # a failed stage may not know every image: forget none
    cache.save(set(images) if pruned else set(images) | set(cache.index))
    return PreparedImages(images, encoded)


def variant_file(cache_root: Path, image: LeadImage, variant: Variant) -> Path:
    """Named by content and size only, so the same photo under another name is the same file."""
    return cache_root / IMAGES_DIR / image.digest / f"{variant.width}w.{_EXTENSIONS[variant.mime]}"


def original_file(cache_root: Path, image: LeadImage) -> Path:
    return cache_root / IMAGES_DIR / image.digest / image.original


def published_files(site: Site, cache_root: Path) -> dict[str, Path]:
    """Output path → cached file, for every variant and clean original beside every page that shows it."""
    files = {}
    for stories in (site.stories, site.pages):
        for story in stories.values():
            for t in story.translations.values():
                for name in ([t.image] if t.image else []) + list(t.body_images):
                    image = site.images.get(f"{story.folder}/{name}")
                    if image is None:
                        continue
                    for variant in image.variants:
                        files[t.path + variant.name] = variant_file(cache_root, image, variant)
                    if image.original:
                        files[t.path + image.name] = original_file(cache_root, image)
    return files


def _read(file: Path, path: str, name: str, cache: ImageCache) -> LeadImage | str | None:
    """The image's size and variants plan, from the index when the file is unchanged."""
    try:
        stat = file.stat()
        entry = cache.index.get(path)
        if not entry or entry["stamp"] != [stat.st_size, stat.st_mtime_ns]:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            with Image.open(file) as im:
                orientation = im.getexif().get(0x0112, 1)
                width, height = (im.height, im.width) if orientation in (5, 6, 7, 8) else im.size  # as shown
                kind = im.format
            entry = {"stamp": [stat.st_size, stat.st_mtime_ns], "digest": digest, "width": width,
                     "height": height, "format": kind, "orientation": orientation}
            cache.index[path] = entry
    except UnidentifiedImageError:
        return None  # SVG, or AVIF without Pillow support: published as it is, unsized
    except (OSError, ValueError) as err:
        return str(err)
    mime = FORMATS.get(entry["format"])
    if mime is None:  # GIF and others: published as they are, sized for the <img> only
        return LeadImage(name, entry["width"], entry["height"], Image.MIME.get(entry["format"], ""), entry["digest"])
    return LeadImage(name, entry["width"], entry["height"], mime, entry["digest"],
                     plan_variants(name, entry["width"], entry["height"], mime),
                     original=f"{ORIGINAL}-{entry['orientation']}.{_EXTENSIONS[mime]}")


def _encode(_shared, todo: list[tuple[str, str, tuple[tuple[str, Variant | None], ...]]]) -> tuple[int, list[tuple[str, str]]]:
    """Make the missing variants and clean originals of some images (in a worker process)."""
    count, failures = 0, []
    for source, _digest, variants in todo:
        try:
            data = Path(source).read_bytes()
            upright = None
            for target, variant in variants:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                temporary = f"{target}.{os.getpid()}.part"
                upright_as_saved = target.rsplit("/", 1)[1].startswith(f"{ORIGINAL}-1.")
                if variant is None and upright_as_saved:
                    Path(temporary).write_bytes(strip_metadata(data))  # every pixel as it was
                else:
                    if upright is None:
                        with Image.open(source) as im:
                            upright = ImageOps.exif_transpose(im)
                            upright.load()
                    if variant is None:  # a photo stored sideways: turned upright, encoded again
                        _save(upright, temporary, _MIMES[target.rsplit(".", 1)[1]], original=True)
                    else:
                        resized = upright if upright.width == variant.width else \
                            upright.resize((variant.width, variant.height), Image.Resampling.LANCZOS)
                        _save(resized, temporary, variant.mime)
                os.replace(temporary, target)
                count += 1
        except (OSError, ValueError) as err:
            failures.append((source, str(err)))
    return count, failures


def _save(im: Image.Image, target: str, mime: str, original: bool = False) -> None:
    """Save without metadata (Pillow writes none unless asked); an original keeps its colour profile."""
    icc = {"icc_profile": im.info["icc_profile"]} if original and im.info.get("icc_profile") else {}
    if mime == "image/webp":
        if im.mode not in ("RGB", "RGBA"):
            im = im.convert("RGBA" if "A" in im.getbands() or im.mode == "P" else "RGB")
        im.save(target, "WEBP", quality=90 if original else 80, method=4, **icc)
    elif mime == "image/jpeg":
        im.convert("RGB").save(target, "JPEG", quality=92 if original else 82, optimize=True, progressive=True, **icc)
    else:
        im.save(target, "PNG", optimize=True, **icc)
