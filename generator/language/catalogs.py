"""`newsgen i18n extract|update|compile`: the theme's UI catalogs, Babel's workflow.

A thin wrapper over Babel's own command line (`pybabel`), with the paths of
the site's theme filled in, so translators need not remember them:

    extract   templates → themes/<theme>/locales/messages.pot
    update    messages.pot → each language's messages.po (creating missing ones)
    compile   each messages.po → messages.mo (the build also does this by itself)
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from ..config import load_config

MAPPING = """\
[jinja2: **/templates/**.html]
trim_blocks = True
lstrip_blocks = True
"""


def run_i18n(site_dir: Path, action: str) -> None:
    config = load_config(site_dir.absolute())
    theme = config.theme_dir
    locales = theme / "locales"
    template = locales / "messages.pot"
    babel = CommandLineInterface()
    if action == "extract":
        locales.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", suffix=".cfg") as mapping:
            mapping.write(MAPPING)
            mapping.flush()
            babel.run(["pybabel", "-q", "extract", "-F", mapping.name, "--no-location", "--sort-output",
                       "--project", f"newsgen theme {config.theme}", "-o", str(template), str(theme)])
        print(f"wrote {template.relative_to(config.root)}")
    elif action == "update":
        for lang in config.languages:
            language = lang.locale.split("_")[0]
            po = locales / language / "LC_MESSAGES" / "messages.po"
            if (locales / lang.locale / "LC_MESSAGES" / "messages.po").exists():
                language = lang.locale
                po = locales / language / "LC_MESSAGES" / "messages.po"
            command = "update" if po.exists() else "init"
            babel.run(["pybabel", "-q", command, "-i", str(template), "-d", str(locales), "-l", language,
                       "--width", "100"])
            print(f"{'updated' if command == 'update' else 'created'} {po.relative_to(config.root)}")
    elif action == "compile":
        babel.run(["pybabel", "compile", "-d", str(locales), "--statistics"])
    else:
        raise ValueError(action)
