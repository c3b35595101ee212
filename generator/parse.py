"""Stage 2, parse: front matter + Markdown → typed `Translation` records.

Each file is parsed on its own, so the work is split across processes
(`--jobs`); Markdown conversion is most of a build's time.
"""
from __future__ import annotations

from .cache import ParseCache
from .config import SiteConfig
from .errors import Problem, did_you_mean
from .frontmatter import FrontMatterError, split
from .markup import BodyConverter, count_words, first_paragraph, story_link_ids
from .model import SourceFile, Translation
from .parallel import map_chunks
from .slugs import SLUG, STORY_ID, slugify

TEXT_FIELDS = ("title", "slug", "summary", "author", "source", "image", "image_caption",
               "image_credit", "image_alt")
LIST_FIELDS = ("tags", "related")
KNOWN_FIELDS = (*TEXT_FIELDS, *LIST_FIELDS, "date", "updated", "draft", "retracted")


def parse_sources(config: SiteConfig, sources: tuple[SourceFile, ...], media: dict, jobs: int,
                  problems: list[Problem], cache: ParseCache | None = None) -> list[Translation]:
    """Parse every file (those unchanged since the last build come from `cache`)."""
    cache = cache or ParseCache(config, enabled=False)
    keys = [cache.key(s, media.get((s.kind, s.key), ())) for s in sources]
    cached = {k: cache.get(k) for k in keys}
    todo = [s for s, k in zip(sources, keys, strict=False) if cached[k] is None]
    parsed: dict[str, Translation] = {}
    for chunk_translations, chunk_problems in map_chunks(_parse_chunk, (config, media), todo, jobs):
        parsed.update((t.source, t) for t in chunk_translations)
        problems.extend(chunk_problems)
    translations, entries = [], {}
    for source, key in zip(sources, keys, strict=False):
        t = cached[key] or parsed.get(source.path)
        if t is not None:
            translations.append(t)
            entries[key] = t
    cache.save(entries)
    return translations


def _parse_chunk(shared, sources: list[SourceFile]):
    config, media = shared
    return parse_files(config, sources, media, BodyConverter())


def parse_files(config: SiteConfig, sources, media: dict,
                converter: BodyConverter) -> tuple[list[Translation], list[Problem]]:
    """Parse files in this process; a file with a problem yields the problem instead."""
    translations, problems = [], []
    for source in sources:
        try:
            translations.append(parse_translation(config, source, media.get((source.kind, source.key), ()), converter))
        except FrontMatterError as err:
            problems.append(Problem(source.path, err.line, err.message, err.hint))
    return translations, problems


def parse_translation(config: SiteConfig, source: SourceFile, media: tuple[str, ...],
                      converter: BodyConverter) -> Translation:
    fields, body, body_line = split(source.text)
    for key, field in fields.items():
        if key not in KNOWN_FIELDS:
            raise FrontMatterError(field.line, f"unknown front matter key `{key}`", did_you_mean(key, KNOWN_FIELDS))
    text = {key: fields[key].text(key) if key in fields else "" for key in TEXT_FIELDS}
    lists = {key: fields[key].text_list(key) if key in fields else () for key in LIST_FIELDS}
    language = config.language(source.lang)
    locale = language.locale

    if not text["title"]:
        line = fields["title"].line if "title" in fields else 1
        raise FrontMatterError(line, "missing `title`" if "title" not in fields else "`title` is empty",
                               "Add a line `title: The headline`")
    date = updated = None
    if "date" in fields and not fields["date"].is_null:
        date = fields["date"].moment("date", config.tz)
    elif source.kind == "news":
        raise FrontMatterError(fields["date"].line if "date" in fields else 1, "missing `date`",
                               "Add a line `date: 2023-11-24T10:30:00+02:00` (or just a date)")
    if "updated" in fields and not fields["updated"].is_null:
        updated = fields["updated"].moment("updated", config.tz)
        if date and updated < date:
            raise FrontMatterError(fields["updated"].line, "`updated` is before `date`")

    slug = text["slug"]
    if slug and not SLUG.match(slug):
        raise FrontMatterError(fields["slug"].line, f"bad slug {slug!r}: a slug is lowercase ASCII letters, "
                               "digits and single hyphens", "Leave it out to make one from the title")
    if not slug:
        slug = source.key if source.kind == "page" else (slugify(text["title"], locale) or source.key)
    for story_id in lists["related"]:
        if not STORY_ID.match(story_id):
            raise FrontMatterError(fields["related"].line, f"bad story id {story_id!r} in `related`")
    image = text["image"]
    if image and image not in media:
        hint = ("Files in the story folder: " + ", ".join(media)) if media else "Put the image in the story folder"
        raise FrontMatterError(fields["image"].line, f"image `{image}` not found in {source.path.rsplit('/', 1)[0]}/", hint)
    if image and not _is_image(config.root / source.path.rsplit("/", 1)[0] / image):
        raise FrontMatterError(fields["image"].line, f"`{image}` is not an image (its content is not JPEG, PNG, "
                               "GIF, WebP, AVIF or SVG)")
    draft = fields["draft"].boolean("draft") if "draft" in fields else False
    retracted = fields["retracted"].boolean("retracted") if "retracted" in fields else False

    body_html = converter.convert(body, language)
    known_links = set(story_link_ids(body_html))
    for story_id in known_links:
        if not STORY_ID.match(story_id):
            raise FrontMatterError(_line_of(source.text, f"story:{story_id}"), f"bad story id in link `story:{story_id}`")
    summary = " ".join(text["summary"].split()) or first_paragraph(body_html)
    return Translation(
        kind=source.kind, key=source.key, lang=source.lang, source=source.path,
        title=text["title"], date=date, updated=updated, slug=slug, summary=summary,
        author=text["author"], source_name=text["source"], raw_tags=lists["tags"],
        image=image, image_caption=text["image_caption"], image_credit=text["image_credit"], retracted=retracted,
        image_alt=text["image_alt"] or text["image_caption"] or text["title"],
        related=lists["related"], draft=draft, body_html=body_html, word_count=count_words(body_html),
        lines={key: field.line for key, field in fields.items()} | {"body": body_line}
        | {f"story:{i}": _line_of(source.text, f"story:{i}") for i in known_links},
    )


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
