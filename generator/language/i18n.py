"""Language work, all of it done by Babel: UI strings, dates, language names.

UI strings come from the theme's gettext catalogs,
`themes/<theme>/locales/<locale>/LC_MESSAGES/messages.po` (looked up by the
full locale, then by its language: `uk_UA`, then `uk`). The build reads the
compiled `messages.mo` beside it and recompiles it first when the `.po` is
newer, so an edited catalog takes effect at the next build.
"""
from __future__ import annotations

import io
import os
import re
from datetime import datetime
from pathlib import Path

from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from ..config import Language, SiteConfig
from ..errors import Problem


def catalog_path(config: SiteConfig, locale: str) -> Path | None:
    for name in (locale, locale.split("_")[0]):
        path = config.theme_dir / "locales" / name / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            return path
    return None


def load_catalogs(config: SiteConfig, problems: list[Problem]) -> dict[str, NullTranslations]:
    """Each language's UI catalog (language code → translations)."""
    return {lang.code: load_translations(config, lang, problems) for lang in config.languages}


def load_translations(config: SiteConfig, lang: Language, problems: list[Problem]) -> NullTranslations:
    """The compiled catalog, recompiling `messages.mo` when `messages.po` is newer."""
    po_path = catalog_path(config, lang.locale)
    if po_path is None:
        return NullTranslations()
    mo_path = po_path.with_suffix(".mo")
    if mo_path.is_file() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as mo:
            return Translations(mo)
    compiled = compile_catalog(config, po_path, lang.locale, problems)
    if compiled is None:
        return NullTranslations()
    try:
        temporary = mo_path.with_suffix(f".mo.{os.getpid()}")
        temporary.write_bytes(compiled)
        os.replace(temporary, mo_path)
    except OSError:
        pass  # a read-only theme: use the catalog compiled in memory
    return Translations(io.BytesIO(compiled))


def compile_catalog(config: SiteConfig, po_path: Path, locale: str, problems: list[Problem]) -> bytes | None:
    rel = po_path.relative_to(config.root).as_posix()
    try:
        with po_path.open("rb") as po:
            catalog = read_po(po, locale=locale, abort_invalid=True)
    except PoFileError as err:
        message = re.sub(r" on \d+$", "", str(err))
        problems.append(Problem(rel, getattr(err, "lineno", 1) or 1, f"catalog syntax error: {message}",
                                "Each entry is a `msgid \"…\"` line and a `msgstr \"…\"` line, quotes closed"))
        return None
    except (UnicodeDecodeError, ValueError) as err:
        problems.append(Problem(rel, 1, f"cannot read the catalog: {err}"))
        return None
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


class DateFormatter:
    """Babel date formatting for one locale, memoised (many pages show the same dates)."""

    def __init__(self, locale: str):
        self.locale = locale
        self._pattern = get_datetime_format("long", locale=locale)
        self._cache: dict[tuple[datetime, bool], str] = {}
        self._months: dict[tuple[int, int], str] = {}

    def date(self, moment: datetime) -> str:
        """"24 листопада 2023 р.", "November 24, 2023", "24 ноября 2023 г."."""
        key = (moment, False)
        if key not in self._cache:
            self._cache[key] = format_date(moment, "long", locale=self.locale)
        return self._cache[key]

    def month_heading(self, moment: datetime) -> str:
        """A month as a heading, in the nominative: "Листопад 2023", "Ноябрь 2023"."""
        key = (moment.year, moment.month)
        if key not in self._months:
            text = format_date(moment, "LLLL y", locale=self.locale)
            self._months[key] = text[:1].upper() + text[1:]
        return self._months[key]

    def date_time(self, moment: datetime) -> str:
        """The date and the time of day: "24 листопада 2023 р., 10:30"."""
        key = (moment, True)
        if key not in self._cache:
            time = format_time(moment, "short", locale=self.locale)
            self._cache[key] = self._pattern.replace("{1}", self.date(moment)).replace("{0}", time)
        return self._cache[key]
