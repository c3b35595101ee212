"""Language work, all of it done by Babel: UI strings, dates, language names.

UI strings come from the theme's gettext catalogs,
`themes/<theme>/locales/<locale>/LC_MESSAGES/messages.po` (looked up by the
full locale, then by its language: `uk_UA`, then `uk`). They are compiled in
memory on each build, so an edited `.po` takes effect at once.
"""
from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

from babel.dates import format_date, format_time, get_datetime_format
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations

from .config import Language, SiteConfig
from .errors import Problem


def catalog_path(config: SiteConfig, locale: str) -> Path | None:
    for name in (locale, locale.split("_")[0]):
        path = config.theme_dir / "locales" / name / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            return path
    return None


def load_translations(config: SiteConfig, lang: Language, problems: list[Problem]) -> NullTranslations:
    path = catalog_path(config, lang.locale)
    if path is None:
        return NullTranslations()
    rel = path.relative_to(config.root).as_posix()
    try:
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang.locale, abort_invalid=True)
    except PoFileError as err:
        message = re.sub(r" on \d+$", "", str(err))
        problems.append(Problem(rel, getattr(err, "lineno", 1) or 1, f"catalog syntax error: {message}",
                                "Each entry is a `msgid \"…\"` line and a `msgstr \"…\"` line, quotes closed"))
        return NullTranslations()
    except (UnicodeDecodeError, ValueError) as err:
        problems.append(Problem(rel, 1, f"cannot read the catalog: {err}"))
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


class DateFormatter:
    """Babel date formatting for one locale, memoised (many pages show the same dates)."""

    def __init__(self, locale: str):
        self.locale = locale
        self._pattern = get_datetime_format("long", locale=locale)
        self._cache: dict[tuple[datetime, bool], str] = {}

    def date(self, moment: datetime) -> str:
        """"24 листопада 2023 р.", "November 24, 2023", "24 ноября 2023 г."."""
        key = (moment, False)
        if key not in self._cache:
            self._cache[key] = format_date(moment, "long", locale=self.locale)
        return self._cache[key]

    def date_time(self, moment: datetime) -> str:
        """The date and the time of day: "24 листопада 2023 р., 10:30"."""
        key = (moment, True)
        if key not in self._cache:
            time = format_time(moment, "short", locale=self.locale)
            self._cache[key] = self._pattern.replace("{1}", self.date(moment)).replace("{0}", time)
        return self._cache[key]
