"""extract() over many files: in memory-capped worker processes, or on a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from ..errors import XlsheetsError
from .extraction import extract


def _limit_memory() -> None:
    """Worker initialiser: cap the address space so that a hostile file cannot exhaust memory.

    Workers also ignore Ctrl-C: the main process stops them (and says so once).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        import resource

        mb = int(os.environ.get("XLSHEETS_WORKER_MEMORY_MB", "2048"))
        resource.setrlimit(resource.RLIMIT_AS, (mb * 1024 * 1024, mb * 1024 * 1024))
    except (ImportError, ValueError, OSError):  # not on this platform: run without a cap
        pass


def _preload() -> None:
    """Import what extract() needs before the workers fork, so that each does not import it again."""
    import python_calamine  # noqa: F401

    from .. import grammar, marking, rates, reading, validation  # noqa: F401
    from ..io import textwidth  # noqa: F401
    from ..io.grid import defined_names  # noqa: F401 - and html, which it imports on first use
    from . import cells, extraction  # noqa: F401

    defined_names(b"")


def run_extract(paths: list[Path | str], jobs: int | None = None, scheduler: str | None = None,
                progress: Callable[[int, int], None] | None = None,
                meanwhile: Callable[[], None] | None = None,
                sink: Callable[[dict[str, Any]], None] | None = None,
                task: Callable[[str], dict[str, Any]] = extract) -> list[dict[str, Any]]:
    """extract() (or task, a picklable variant of it) over many files: in worker processes
    (memory-capped), or on a Dask cluster.

    Records come back in the order of paths: each one handed to sink() as soon as those before it
    are in (then none is kept and [] is returned), else all of them as a list. meanwhile() runs in
    this process once the work is handed out (or first, when there are no workers).
    """
    items = [str(p) for p in paths]
    kept: list[dict[str, Any]] = []
    take = sink or kept.append
    seen: set[int] = set()
    waiting: dict[int, dict[str, Any]] = {}  # arrived before an earlier one (Dask): held until its turn

    def arrived(i: int, rec: dict[str, Any]) -> None:
        seen.add(i)
        waiting[i] = rec
        while len(seen) - len(waiting) in waiting:
            take(waiting.pop(len(seen) - len(waiting)))
        if progress:
            progress(len(seen), len(items))

    _preload()
    in_pool = not scheduler and jobs != 1 and bool(items)
    if meanwhile and not in_pool:  # nothing runs beside this process: do it first
        meanwhile()
    if scheduler:
        _run_dask(items, scheduler, arrived, task)
    elif not in_pool:  # asked for: in this process (the zip checks still apply)
        for i, p in enumerate(items):
            arrived(i, task(p))
    else:  # untrusted files are read in memory-capped worker processes
        jobs = min(jobs or os.cpu_count() or 1, 4, len(items))
        while len(seen) < len(items):
            pending = [i for i in range(len(items)) if i not in seen]
            try:
                with ProcessPoolExecutor(max_workers=jobs, initializer=_limit_memory, mp_context=_context()) as pool:
                    try:
                        chunk = max(1, min(4, len(pending) // (jobs * 8) or 1))  # small: no worker idles at the end
                        done = pool.map(task, [items[i] for i in pending], chunksize=chunk)
                        if meanwhile:  # the workers are busy: use this process's wait
                            meanwhile()
                            meanwhile = None
                        for i, rec in zip(pending, done, strict=False):
                            arrived(i, rec)
                    except KeyboardInterrupt:  # stop now: drop the files not started yet
                        pool.shutdown(wait=True, cancel_futures=True)
                        raise
            except BrokenProcessPool:
                # a worker died (the memory cap, or a crash inside a parser): read the next file alone
                first = next(i for i in range(len(items)) if i not in seen)
                arrived(first, _extract_isolated(items[first], task))
    return kept


def _context():
    """fork is fastest, but forking while other threads run can deadlock: then use forkserver."""
    import multiprocessing
    import threading

    if threading.active_count() > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return None


def _extract_isolated(path: str, task: Callable[[str], dict[str, Any]] = extract) -> dict[str, Any]:
    try:
        with ProcessPoolExecutor(max_workers=1, initializer=_limit_memory, mp_context=_context()) as pool:
            return pool.submit(task, path).result()
    except BrokenProcessPool:
        return {"path": path, "ok": False, "error": "読み込み中に異常終了しました（ファイルが大きすぎるか壊れています）"}


def _run_dask(items: list[str], address: str, arrived, task: Callable[[str], dict[str, Any]] = extract) -> None:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as e:
        raise XlsheetsError("Dask がインストールされていません: pip install 'xlsheets[dask]'",
                            "dask.distributed is not installed") from e
    try:
        client = Client(address, timeout="10s") if isinstance(address, str) else Client(address)
    except (OSError, ValueError) as e:
        raise XlsheetsError(f"Dask スケジューラーに接続できません: {address}", f"cannot reach scheduler {address}") from e
    try:
        futures = client.map(task, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        done, futures = as_completed(futures), None  # each result leaves the cluster once it is here
        for fut in done:
            arrived(index[fut.key], fut.result())
            fut.release()
    finally:
        client.close()

