"""Giving memory back to the system while a build runs."""
from __future__ import annotations

import ctypes


def return_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc's `malloc_trim`). Python frees a
    large string (a parsed body) to the C heap, which keeps the pages for the rest of the
    process: a first build's parse put away 130 MB of bodies at 5,000 stories and still held
    them, and every forked render worker started from them. A few milliseconds a call."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: its allocator keeps what it keeps
