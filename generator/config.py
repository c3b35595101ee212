"""site.toml: the site's settings, read strictly.

Unknown keys and bad values are errors naming the key and its line, because a
misspelt setting that is silently ignored is worse than a failed build.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from .errors import BuildFailed, Problem, did_you_mean

CONFIG_NAME = "site.toml"
LANGUAGE_CODE = re.compile(r"^[a-z][a-z0-9-]*$")

SITE_KEYS = {
    "base_url": str,
    "theme": str,
    "default_language": str,
    "timezone": str,
    "per_page": int,
    "publisher": str,  # the newsroom's name, for structured data (default: each language's title)
    "logo": str,  # a file in the theme's static folder, for structured data
    "search": bool,  # a search page per language, indexed by Pagefind after each build
}
SITE_DEFAULTS = {"theme": "default", "timezone": "UTC", "per_page": 20, "publisher": "", "logo": "", "search": True}
LANGUAGE_KEYS = {"locale": str, "hreflang": str, "label": str, "title": str,
                 "quotes": str, "typographic_apostrophe": bool}


@dataclass(frozen=True)
class Language:
    code: str  # in URLs and the switcher's key: "ua"
    locale: str  # Babel locale: "uk_UA"
    hreflang: str  # <html lang> and hreflang: "uk"
    label: str  # what the switcher shows: "ua"
    title: str  # the section's name in this language: "Новини"
    quotes: str = ""  # open, close, nested open, nested close; "" = the language's own
    typographic_apostrophe: bool = False  # м'ята → м’ята in Markdown bodies

    @cached_property
    def name(self) -> str:
        """The language's own name for itself ("українська", "English")."""
        language = Locale(Locale.parse(self.locale).language)
        return language.get_display_name(language) or self.label


@dataclass(frozen=True)
class Navigation:
    """`[navigation]` in site.toml: the masthead's links."""

    tags: int = 5  # each language's most used tags, as sections
    pages: tuple[str, ...] | None = None  # standalone page ids, in this order (None: all of them)


@dataclass(frozen=True)
class SiteConfig:
    root: Path  # the site folder
    base_url: str  # absolute, ends with "/"
    theme: str
    default_language: str
    timezone: str
    per_page: int
    languages: tuple[Language, ...]
    publisher: str = ""
    logo: str = ""  # relative to the theme's static folder
    search: bool = True
    navigation: Navigation = Navigation()

    @property
    def base_path(self) -> str:
        """The path part of base_url: "/news/" (always starts and ends with "/")."""
        return urlsplit(self.base_url).path

    @cached_property
    def codes(self) -> tuple[str, ...]:  # asked for tens of thousands of times a build
        return tuple(lang.code for lang in self.languages)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def language(self, code: str) -> Language:
        for lang in self.languages:
            if lang.code == code:
                return lang
        raise KeyError(code)

    @property
    def theme_dir(self) -> Path:
        return self.root / "themes" / self.theme

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where templates are looked up: the site's own `templates/` first, then the theme's."""
        return (self.root / "templates", self.theme_dir / "templates")

    def static_files(self) -> dict[str, Path]:
        """Every static file, by its path under `static/`: the theme's, with the site's own
        `static/` files in place of those of the same name (and added to them)."""
        files: dict[str, Path] = {}
        for folder in (self.theme_dir / "static", self.root / "static"):
            if folder.is_dir():
                files.update((p.relative_to(folder).as_posix(), p) for p in sorted(folder.rglob("*")) if p.is_file())
        return files

    def fallback_order(self) -> tuple[str, ...]:
        """Languages to fall back to: the default one, then site.toml order."""
        rest = tuple(c for c in self.codes if c != self.default_language)
        return (self.default_language, *rest)


def load_config(root: Path, base_url: str | None = None) -> SiteConfig:
    """Read `<root>/site.toml`; raise BuildFailed listing every problem."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise BuildFailed([Problem(CONFIG_NAME, 1, f"no {CONFIG_NAME} in {root}",
                                   "Run newsgen in the site folder or pass --site DIR")])
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"\(at line (\d+)", str(err))
        line = int(match.group(1)) if match else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(err))
        raise BuildFailed([Problem(CONFIG_NAME, line, f"TOML syntax error: {message}",
                                   'Values are `key = "text"` or `key = 20`, one per line, strings quoted')])
    problems: list[Problem] = []
    where = _KeyLines(text)

    def bad(table: str, key: str | None, message: str, hint: str = "") -> None:
        problems.append(Problem(CONFIG_NAME, where.line(table, key), message, hint))

    for key in data:
        if key not in ("site", "languages", "navigation"):
            bad(key, None, f"unknown table `[{key}]`", did_you_mean(key, ["site", "languages", "navigation"]))
    navigation = _navigation(data.get("navigation", {}), bad)
    site = data.get("site")
    if not isinstance(site, dict):
        bad("site", None, "missing `[site]` table", "Add `[site]` with base_url and default_language")
        site = {}
    values = dict(SITE_DEFAULTS)
    for key, value in site.items():
        if key not in SITE_KEYS:
            bad("site", key, f"unknown key `{key}` in [site]", did_you_mean(key, SITE_KEYS))
        elif SITE_KEYS[key] is bool and not isinstance(value, bool):
            bad("site", key, f"`{key}` must be true or false, not {value!r}")
        elif SITE_KEYS[key] is not bool and (not isinstance(value, SITE_KEYS[key]) or isinstance(value, bool)):
            bad("site", key, f"`{key}` must be a {SITE_KEYS[key].__name__}, not {value!r}")
        else:
            values[key] = value
    if base_url is not None:
        values["base_url"] = base_url
    for key in ("base_url", "default_language"):
        if key not in values and key not in site:
            bad("site", None, f"missing `{key}` in [site]")

    languages: list[Language] = []
    raw_languages = data.get("languages", {})
    if not isinstance(raw_languages, dict) or not raw_languages:
        bad("languages", None, "no languages: add a `[languages.<code>]` table for each language")
        raw_languages = {}
    for code, table in raw_languages.items():
        t = f"languages.{code}"
        if not LANGUAGE_CODE.match(code):
            bad(t, None, f"bad language code `{code}`: use lowercase letters, like `ua` or `en`")
            continue
        if not isinstance(table, dict):
            bad("languages", code, f"`languages.{code}` must be a table")
            continue
        fields = {}
        for key, value in table.items():
            if key not in LANGUAGE_KEYS:
                bad(t, key, f"unknown key `{key}` in [{t}]", did_you_mean(key, LANGUAGE_KEYS))
            elif LANGUAGE_KEYS[key] is bool and not isinstance(value, bool):
                bad(t, key, f"`{key}` in [{t}] must be true or false")
            elif LANGUAGE_KEYS[key] is str and (not isinstance(value, str) or not value.strip()):
                bad(t, key, f"`{key}` in [{t}] must be a non-empty string")
            elif key == "quotes" and len(value) != 4:
                bad(t, key, f"`quotes` in [{t}] must be four characters: open, close, nested open, nested close",
                    'For example "«»„“"')
            else:
                fields[key] = value
        for key in ("locale", "title"):
            if key not in fields and key not in table:
                bad(t, None, f"missing `{key}` in [{t}]")
        if "locale" in fields:
            try:
                Locale.parse(fields["locale"])
            except (UnknownLocaleError, ValueError):
                bad(t, "locale", f"unknown locale `{fields['locale']}`",
                    "Use a Babel/CLDR locale such as `uk_UA`, `en_US` or `ru_RU`")
                continue
        if "locale" in fields and "title" in fields:
            languages.append(Language(
                code=code,
                locale=fields["locale"],
                hreflang=fields.get("hreflang", fields["locale"].split("_")[0]),
                label=fields.get("label", code),
                title=fields["title"],
                quotes=fields.get("quotes", ""),
                typographic_apostrophe=fields.get("typographic_apostrophe", False),
            ))

    url = values.get("base_url")
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            bad("site", "base_url", f"`base_url` must be an absolute http(s) URL, not {url!r}",
                'For example "https://example.org/news/"')
        elif not url.endswith("/"):
            values["base_url"] = url + "/"
    default = values.get("default_language")
    if isinstance(default, str) and raw_languages and default not in raw_languages:
        bad("site", "default_language", f"default_language `{default}` is not among the languages",
            did_you_mean(default, raw_languages))
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        bad("site", "timezone", f"unknown timezone `{values['timezone']}`", 'Use an IANA name such as "Europe/Kyiv"')
    if values["per_page"] < 1:
        bad("site", "per_page", "`per_page` must be 1 or more")
    if not (root / "themes" / str(values["theme"]) / "templates").is_dir():
        bad("site", "theme", f"theme `{values['theme']}` not found: no folder themes/{values['theme']}/templates")
    logo = values["logo"]
    if logo and not (root / "themes" / str(values["theme"]) / "static" / logo).is_file() \
            and not (root / "static" / logo).is_file():
        bad("site", "logo", f"logo `{logo}` not found in static/ or themes/{values['theme']}/static/",
            "Put the image in the site's static folder and name it relative to it")
    if problems:
        raise BuildFailed(problems)
    return SiteConfig(
        root=root,
        base_url=values["base_url"],
        theme=values["theme"],
        default_language=values["default_language"],
        timezone=values["timezone"],
        per_page=values["per_page"],
        languages=tuple(languages),
        publisher=values["publisher"],
        logo=logo,
        search=values["search"],
        navigation=navigation,
    )


def _navigation(table, bad) -> "Navigation":
    """`[navigation]`: what the masthead links to besides the front page and search."""
    if not isinstance(table, dict):
        bad("navigation", None, "`navigation` must be a table")
        return Navigation()
    tags, pages = Navigation.tags, None
    for key, value in table.items():
        if key == "tags":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                bad("navigation", key, "`tags` in [navigation] must be a whole number of 0 or more",
                    "How many of each language's most used tags the masthead shows, e.g. `tags = 5`")
            else:
                tags = value
        elif key == "pages":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                bad("navigation", key, "`pages` in [navigation] must be a list of standalone page ids",
                    'For example `pages = ["about", "contacts"]`')
            else:
                pages = tuple(value)
        else:
            bad("navigation", key, f"unknown key `{key}` in [navigation]", did_you_mean(key, ["tags", "pages"]))
    return Navigation(tags, pages)


class _KeyLines:
    """Finds the line of a table or key in TOML text, for error messages."""

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def line(self, table: str, key: str | None) -> int:
        start = 0
        header = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]")
        for number, text in enumerate(self.lines):
            if header.match(text):
                start = number
                break
        else:
            # a dotted table given inline (`[languages]` + `ua = {…}`), or absent
            key = key or table.split(".")[-1]
        if key is None:
            return start + 1
        pattern = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for number in range(start, len(self.lines)):
            if pattern.match(self.lines[number]):
                return number + 1
        return start + 1
