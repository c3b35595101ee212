"""Running a stage's work in several processes.

Worker processes are forked, so they inherit `shared` (the parsed site, say)
from the parent's memory instead of receiving a pickled copy per task; only
each chunk of work and its result cross the process boundary. With one job, or
little work, everything runs in this process.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Below this many items, starting processes costs more than it saves.
MIN_PARALLEL_ITEMS = 64

# Set in each forked worker by `_init_worker`; the only module state, and it
# exists only inside worker processes for the lifetime of one pool.
_worker_shared = None


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def map_chunks(fn: Callable[[object, list[T]], R], shared: object, items: Sequence[T], jobs: int) -> list[R]:
    """`[fn(shared, chunk) for chunk in chunks(items)]`, in up to `jobs` processes."""
    return list(iter_chunks(fn, shared, items, jobs))


def iter_chunks(fn: Callable[[object, list[T]], R], shared: object, items: Sequence[T], jobs: int,
                most: int = 0) -> Iterator[R]:
    """`fn(shared, chunk)` for each chunk of `items` in order, in up to `jobs` processes, each result
    as soon as it is ready, so the caller can put it away before the next arrives. `most`: the
    largest chunk (0: no limit), which bounds what a worker holds at once."""
    items = list(items)
    if jobs <= 1 or len(items) < MIN_PARALLEL_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        if items:
            yield fn(shared, items)
        return
    # Several chunks per worker evens out uneven work; results keep input order.
    size = max(1, -(-len(items) // (jobs * 4)))
    size = min(size, most) if most else size
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    del items
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(shared,)) as pool:
        yield from pool.map(_run_chunk, [fn] * len(chunks), chunks)


def _init_worker(shared: object) -> None:
    global _worker_shared
    _worker_shared = shared
    gc.enable()  # a stage may pause the cycle collector (build.gather); a worker's own garbage is collected
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A killed build must not leave its workers behind (they would wait forever)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _run_chunk(fn, chunk):
    return fn(_worker_shared, chunk)
