"""Running a stage's work in several processes.

Worker processes are forked, so they inherit `shared` (the parsed site, say)
from the parent's memory instead of receiving a pickled copy per task; only
each chunk of work and its result cross the process boundary. With one job, or
little work, everything runs in this process.
"""
from __future__ import annotations

import collections
import gc
import multiprocessing
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
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


def map_chunks(fn: Callable[[object, list[T]], R], shared: object, items: Sequence[T], jobs: int,
               here: bool = False) -> list[R]:
    """`[fn(shared, chunk) for chunk in chunks(items)]`, in up to `jobs` processes. With `here`,
    this process takes chunks too, beside `jobs - 1` workers: a forked worker copies each page
    of `shared` it reads (Python writes every object's reference count), so a worker fewer is a
    copy fewer of what they share — of a first build's render, 130 MiB at 5,000 stories."""
    if not here or not _in_workers(items, jobs):
        return list(iter_chunks(fn, shared, items, jobs))
    chunks = _chunks(list(items), jobs, 0)
    results: list = [None] * len(chunks)
    waiting = collections.deque(range(len(chunks)))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(jobs - 1, mp_context=context, initializer=_init_worker, initargs=(shared,)) as pool:
        running: dict = {}
        while waiting or running:
            while waiting and len(running) < 2 * (jobs - 1):  # the workers take from the front
                number = waiting.popleft()
                running[pool.submit(_run_chunk, fn, chunks[number])] = number
            if waiting:  # this process from the back
                number = waiting.pop()
                results[number] = _collected(fn, shared, chunks[number])
                done = [future for future in running if future.done()]
            else:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                results[running.pop(future)] = future.result()
    return results


def _in_workers(items: Sequence, jobs: int) -> bool:
    """Whether the work is worth worker processes, and they can be forked here."""
    return jobs > 1 and len(items) >= MIN_PARALLEL_ITEMS and "fork" in multiprocessing.get_all_start_methods()


def _collected(fn, shared, chunk):
    """`fn(shared, chunk)` with the cycle collector on, as in a worker (a stage may pause it)."""
    enabled = gc.isenabled()
    gc.enable()
    try:
        return fn(shared, chunk)
    finally:
        if not enabled:
            gc.disable()


def _chunks(items: list, jobs: int, most: int) -> list[list]:
    """Several chunks per worker even out uneven work. `most`: the largest chunk (0: no limit)."""
    size = max(1, -(-len(items) // (jobs * 4)))
    size = min(size, most) if most else size
    return [items[i:i + size] for i in range(0, len(items), size)]


def iter_chunks(fn: Callable[[object, list[T]], R], shared: object, items: Sequence[T], jobs: int,
                most: int = 0) -> Iterator[R]:
    """`fn(shared, chunk)` for each chunk of `items` in order, in up to `jobs` processes, each result
    as soon as it is ready, so the caller can put it away before the next arrives. `most`: the
    largest chunk (0: no limit), which bounds what a worker holds at once."""
    items = list(items)
    if not _in_workers(items, jobs):
        if items:
            yield fn(shared, items)
        return
    chunks = _chunks(items, jobs, most)  # results keep input order
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
