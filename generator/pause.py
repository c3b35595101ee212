"""Where tests of interrupted builds stop a build, to kill it at a known stage.

With NEWSGEN_TEST_PAUSE=<point>:<file> in the environment, a build that
reaches <point> ("rendering", "writing", "indexing", "publishing") creates
<file> and waits there to be killed. Without it, nothing happens.
"""
from __future__ import annotations

import os
import time
from pathlib import Path


def pause_point(point: str) -> None:
    wanted = os.environ.get("NEWSGEN_TEST_PAUSE")
    if wanted and wanted.startswith(point + ":"):
        Path(wanted.split(":", 1)[1]).write_text(str(os.getpid()))
        time.sleep(600)
