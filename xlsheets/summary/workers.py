"""extract() over many files: in memory-capped worker processes, or on a Dask cluster."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import XlsheetsError
from ..io.grid import defined_names
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


def _preload(task: Callable[[str], dict[str, Any]] = extract) -> None:
    """Import what the task needs before the workers fork, so that each does not import it again: every
    module of xlsheets its module reaches, then the reader's first-use imports (python_calamine, and
    html, which defined_names imports)."""
    while isinstance(task, functools.partial):
        task = task.func
    import_reached(task.__module__)
    import python_calamine  # noqa: F401

    defined_names(b"")


# `from <module> import <names>` for a module of this package, at the top of a module or inside a
# function: (leading dots or "xlsheets", the rest of the module's name, the names)
_OWN_IMPORT = re.compile(r"^[ \t]*from (\.+|xlsheets\b)([\w.]*) import (\([^)]*\)|[^\n]*)", re.M)
_COMMENT = re.compile(r"#[^\n]*")


def import_reached(root: str) -> list[str]:
    """Import the module root and every module of xlsheets it imports, and those import, followed down
    (imports inside functions too, read from the source; a module without source ends the path).
    Returns their names, root first."""
    seen, todo = [], [root]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        module = importlib.import_module(name)
        source = getattr(module.__loader__, "get_source", lambda _name: None)(name)
        for dots, rest, names in _OWN_IMPORT.findall(source or ""):
            todo.extend(_imported(module, dots + rest, names))
    return seen


def _imported(module, target: str, names: str) -> list[str]:
    """The modules that `from target import names` in module brings in: the names that are modules of
    their own (target a package), and target unless every name is one (a package's own lazy imports,
    such as the package API's, are not followed for its submodules)."""
    try:
        base = importlib.util.resolve_name(target, module.__package__)
        package = importlib.import_module(base)
    except (ImportError, ValueError):  # words in a docstring, not an import
        return []
    words = [w.split()[0] for w in _COMMENT.sub("", names).strip("()").split(",") if w.split()]
    subs = [f"{base}.{w}" for w in words if hasattr(package, "__path__") and _is_module(package, w)]
    return subs if subs and len(subs) == len(words) else [base, *subs]


def _is_module(package, name: str) -> bool:
    known = getattr(package, name, None)
    if known is not None:
        return isinstance(known, ModuleType)
    return name.isidentifier() and importlib.util.find_spec(f"{package.__name__}.{name}") is not None


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

    _preload(task)
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

