"""Stage 2, parse: front matter + Markdown → typed `Translation` records.

Each file is parsed on its own, so the work is split across processes
(`--jobs`); Markdown conversion is most of a build's time. A file's problems
are all reported, not just the first: parsing goes on past a bad field.
"""
from __future__ import annotations

import html
import re
from dataclasses import replace

from ..incremental.cache import ParseCache
from ..config import SiteConfig
from ..errors import Problem, did_you_mean
from ..content.frontmatter import Field, FrontMatterError, split
from ..content.markup import (BodyConverter, count_words, first_paragraph, heading_ids, story_link_targets,
                               style_of)
from ..content.media import find_media, media_hint
from .load import read_source
from ..model import MediaFile, SourceFile, Translation, share_repeated, without_body
from ..parallel import iter_chunks
from ..content.shortcodes import HINT as SHORTCODE_HINT
from ..language.slugs import MAX_SLUG, SLUG, STORY_ID, slugify
from ..language.typography import typographed

TEXT_FIELDS = ("title", "slug", "summary", "author", "source", "image", "image_caption",
               "image_credit", "image_alt")
LIST_FIELDS = ("tags", "related")
KNOWN_FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, "date", "updated", "draft", "retracted")
#: What `newsgen new` writes as a body, to be replaced before the story is published.
PLACEHOLDERS = ("Write the story here.", "Translate the story here.")
#: `src`/`href` values in a body, with the attribute's name.
_URL_ATTRIBUTE = re.compile(r'<(a|img|source)\b([^>]*?)\s(href|src)="([^"]*)"')
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)
#: The most files a worker parses before handing their translations back (and the build puts
#: their bodies away in the parse cache): what a worker and the build hold at once stays small.
CHUNK = 200


class _Problems(Exception):
    """Several problems in one file."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        super().__init__(problems)
        self.problems = problems


def parse_sources(config: SiteConfig, sources: tuple[SourceFile, ...], media: dict, jobs: int,
                  problems: list[Problem], cache: ParseCache | None = None,
                  keep_bodies: bool = True, every_file: bool = True) -> list[Translation]:
    """Parse every file (those unchanged since the last build come from `cache`). Without
    `keep_bodies`, the translations whose bodies the cache holds come without them
    (`Translation.body_stored`): at 5,000 stories they are 130 MB a build need not read, and a
    first build stores each worker's share of them as it comes back, never holding them all.
    `every_file`: `sources` are all the site's files, and the cache keeps only their entries;
    else they are a few changed ones (`incremental/linked.py`), added beside the others."""
    cache = cache or ParseCache(config, enabled=False)
    keys = [cache.key(s, media.get((s.kind, s.key), ())) for s in sources]
    cached = cache.get_many(keys, bodies=keep_bodies)
    todo = {s.path: (s, k) for s, k in zip(sources, keys, strict=False) if cached[k] is None}
    parsed: dict[str, Translation] = {}
    for chunk_translations, chunk_problems in iter_chunks(_parse_chunk, (config, media),
                                                          [s for s, _ in todo.values()], jobs, most=CHUNK):
        chunk = {todo[t.source][1]: replace(t, fingerprint=todo[t.source][1].hex()) for t in chunk_translations}
        if not keep_bodies:  # into the cache's file at once, rather than every body held until the end
            stored = cache.add(chunk)
            chunk = {key: without_body(t) if key in stored else t
                     for key, t in chunk.items()}
        parsed.update((t.source, t) for t in chunk.values())
        problems.extend(chunk_problems)
        del chunk_translations, chunk
    translations, entries = [], {}
    for source, key in zip(sources, keys, strict=False):
        t = cached[key]
        if t is None:
            t = parsed.get(source.path)
        if t is not None:
            translations.append(t)
            entries[key] = t
    stored = cache.save(entries) if every_file else cache.add(entries) == entries.keys()
    if stored and not keep_bodies:
        translations = [t if t.body_stored else without_body(t) for t in translations]
    return translations


def _parse_chunk(shared, sources: list[SourceFile]):
    """Parse a share of the files, reading those whose text the build did not keep (or never
    read: unchanged since the last build, yet not in the parse cache)."""
    config, media = shared
    problems: list[Problem] = []
    texts = []
    for source in sources:
        if source.text is None:
            read = read_source(config, source, problems)
            if read is None:
                continue
            if read.digest != source.digest:  # the cache entry would be kept under the other text's key
                problems.append(Problem(source.path, 1, "the file changed while the site was being built",
                                        "Build again"))
                continue
            source = read
        texts.append(source)
    translations, parse_problems = parse_files(config, texts, media, BodyConverter())
    return translations, problems + parse_problems


def parse_files(config: SiteConfig, sources, media: dict,
                converter: BodyConverter) -> tuple[list[Translation], list[Problem]]:
    """Parse files in this process; a file with problems yields its problems instead."""
    translations, problems = [], []
    for source in sources:
        try:
            translations.append(parse_translation(config, source, media.get((source.kind, source.key), ()), converter))
        except FrontMatterError as err:
            problems.append(Problem(source.path, err.line, err.message, err.hint))
        except _Problems as err:
            problems.extend(Problem(source.path, line, message, hint) for line, message, hint in err.problems)
    return translations, problems


def parse_translation(config: SiteConfig, source: SourceFile, media: tuple[MediaFile, ...],
                      converter: BodyConverter) -> Translation:
    fields, body, body_line = split(source.text)
    found: list[tuple[int, str, str]] = []

    def bad(line: int, message: str, hint: str = "") -> None:
        found.append((line, message, hint))

    def read(key: str, how, default):
        """A field's value, or `default` when it is missing or wrong (then noted)."""
        if key not in fields:
            return default
        try:
            return how(fields[key])
        except FrontMatterError as err:
            bad(err.line, err.message, err.hint)
            return default

    for key, field in fields.items():
        if key not in KNOWN_FIELDS:
            bad(field.line, f"unknown front matter key `{key}`", did_you_mean(key, KNOWN_FIELDS))
    text = {key: read(key, lambda f, k=key: f.text(k), "") for key in TEXT_FIELDS}
    lists = {key: read(key, lambda f, k=key: f.text_list(k), ()) for key in LIST_FIELDS}
    draft = read("draft", lambda f: f.boolean("draft"), False)
    retracted = read("retracted", lambda f: f.boolean("retracted"), False)
    language = config.language(source.lang)
    locale = language.locale
    title = text["title"]
    if not title and not draft:  # a draft may wait for its headline (`newsgen new --translate`)
        if "title" not in fields:
            bad(1, "missing `title`", "Add a line `title: The headline`")
        elif not any(line == fields["title"].line for line, _, _ in found):  # (not already "must be text")
            bad(fields["title"].line, "`title` is empty", "Add a line `title: The headline`")

    date = updated = None
    if "date" in fields and not fields["date"].is_null:
        date = read("date", lambda f: f.moment("date", config.tz), None)
    elif source.kind == "news":
        bad(fields["date"].line if "date" in fields else 1, "missing `date`",
            "Add a line `date: 2023-11-24T10:30:00+02:00` (or just a date)")
    if "updated" in fields and not fields["updated"].is_null:
        updated = read("updated", lambda f: f.moment("updated", config.tz), None)
        if date and updated and updated < date:
            bad(fields["updated"].line, "`updated` is before `date`")

    slug = text["slug"]
    if slug and not SLUG.match(slug):
        bad(fields["slug"].line, f"bad slug {slug!r}: a slug is lowercase ASCII letters, digits and single hyphens",
            "Leave it out to make one from the title")
    elif len(slug) > MAX_SLUG:
        bad(fields["slug"].line, f"the slug is {len(slug)} characters long; at most {MAX_SLUG} are allowed",
            "Shorten it, or leave it out to make one from the title")
    if not slug:
        slug = source.key if source.kind == "page" else (slugify(title, locale) or source.key)
    for story_id in lists["related"]:
        if not STORY_ID.match(story_id):
            bad(fields["related"].line, f"bad story id {story_id!r} in `related`")

    image = ""
    if text["image"]:
        image = _lead_image(config, source, text["image"], media, fields["image"], bad)

    body_html, images, media_lines = _body(converter.convert(body, language), source, media, bad)
    notes = tuple((body_line + line - 1, f"`{code}` is another generator's shortcode", SHORTCODE_HINT)
                  for line, code in converter.shortcodes)
    link_targets = story_link_targets(body_html)
    known_links = {story for story, _ in link_targets}
    for story_id in known_links:
        if not STORY_ID.match(story_id):
            bad(_line_of(source.text, f"story:{story_id}"), f"bad story id in link `story:{story_id}`")
    if not draft:
        for placeholder in PLACEHOLDERS:
            if any(line.strip() == placeholder for line in body.split("\n")):
                bad(body_line + _line_of(body, placeholder) - 1, f"the body still holds the placeholder "
                    f"`{placeholder}`", "Write the story, or keep `draft: true` until it is ready")
    if found:
        raise _Problems(found)
    style = style_of(language)
    summary = typographed(" ".join(text["summary"].split()), style) or first_paragraph(body_html)
    lines = {key: field.line for key, field in fields.items()} | {"body": body_line}
    lines |= {f"story:{i}": _line_of(source.text, f"story:{i}") for i in known_links}
    lines |= _url_lines(body_html, source.text) | media_lines
    return Translation(**share_repeated(dict(
        kind=source.kind, key=source.key, lang=source.lang, source=source.path,
        title=typographed(title, style) or source.key, date=date, updated=updated, slug=slug, summary=summary,
        author=text["author"], source_name=text["source"], raw_tags=lists["tags"],
        image=image, image_caption=typographed(text["image_caption"], style),
        image_credit=typographed(text["image_credit"], style), retracted=retracted,
        image_alt=text["image_alt"],  # "" when not given: the caption under the photo says it (never twice)
        related=lists["related"], draft=draft, body_html=body_html, word_count=count_words(body_html),
        lines=lines, date_only=bool(date) and fields["date"].is_date_only,
        updated_only=bool(updated) and fields["updated"].is_date_only, body_images=images, notes=notes,
        heading_ids=heading_ids(body_html), story_links=tuple(sorted(known_links)),
        link_fragments=tuple(sorted({(story, heading) for story, heading in link_targets if heading})),
    )))


def _lead_image(config: SiteConfig, source: SourceFile, name: str, media: tuple[MediaFile, ...],
                field: Field, bad) -> str:
    """The published name of the `image:` file, or "" after noting what is wrong."""
    file = find_media(name, media)
    if file is None:
        bad(field.line, f"image `{name}` not found in {source.path.rsplit('/', 1)[0]}/", media_hint(name, media))
        return ""
    if not _is_image(config.root / source.path.rsplit("/", 1)[0] / file.saved):
        bad(field.line, f"`{name}` is not an image (its content is not JPEG, PNG, GIF, WebP, AVIF or SVG)")
        return ""
    return file.published


def _body(body_html: str, source: SourceFile, media: tuple[MediaFile, ...],
          bad) -> tuple[str, tuple[str, ...], dict[str, int]]:
    """The body with references to the story's media under their published names, the
    images it shows and the lines that name them; a missing file is noted."""
    images: list[str] = []
    lines: dict[str, int] = {}

    def rewrite(match: re.Match) -> str:
        tag, before, attribute, url = match.groups()
        raw = html.unescape(url)
        raw = raw[2:] if raw.startswith("./") else raw
        if not raw or _EXTERNAL.match(raw) or raw.startswith(("/", "../")) or raw.startswith("story:"):
            return match.group(0)
        path, hash_, fragment = raw.partition("#")
        path, query, _ = path.partition("?")
        file = find_media(path, media)
        if file is None:
            if path and "/" not in path:  # a file beside the story: there is none of that name
                what = "body image" if tag in ("img", "source") else "linked file"
                bad(_line_of(source.text, raw), f"{what} `{path}` not found in {source.path.rsplit('/', 1)[0]}/",
                    media_hint(path, media))
            return match.group(0)
        if tag == "img" and file.published not in images:
            images.append(file.published)
        lines.setdefault(f"url:{file.published}", _line_of(source.text, raw))
        return f'<{tag}{before} {attribute}="{html.escape(file.published + hash_ + fragment)}"'

    return _URL_ATTRIBUTE.sub(rewrite, body_html), tuple(images), lines


def _url_lines(body_html: str, text: str) -> dict[str, int]:
    """The source line of each link and image URL in the body that stays inside the site,
    so the link stage can point at it ("url:<url>" → line)."""
    lines = {}
    for match in _URL_ATTRIBUTE.finditer(body_html):
        raw = html.unescape(match.group(4))
        if raw and not _EXTERNAL.match(raw) and not raw.startswith("story:") and f"url:{raw}" not in lines:
            lines[f"url:{raw}"] = _line_of(text, raw)
    return lines


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


def _is_image(path) -> bool:
    """Whether the file starts like an image a browser shows."""
    try:
        with open(path, "rb") as file:
            head = file.read(512)
    except OSError:
        return False
    return (head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a"))
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")
            or head[4:12] in (b"ftypavif", b"ftypavis")
            or b"<svg" in head.lstrip()[:512].lower())
