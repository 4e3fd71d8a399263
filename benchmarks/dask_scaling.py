"""Benchmark: does the roll-up's Dask path scale with its workers?

    python benchmarks/dask_scaling.py --workbooks 400 --workers 1 2 4 [--url]

Makes real-length workbooks (as `rollup.py --real` does), starts a local Dask cluster on loopback
with 1, 2 and 4 single-threaded worker processes in turn, and times `xlsheets.rollup(…, scheduler=…)`
on each (the cluster's start is not counted). Prints, for the reading (what the workers do) and for
the whole roll-up (the workbook is written by the client alone), the speed-up over one worker, and
the client's peak memory. On a machine with C cores, more than C workers cannot go faster: the figure shows that.
--url gives the folder as a file:// URL, so that the workers read it through fsspec (as they would
read s3://… on a cluster that does not share the client's disk).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rollup import compile_package, generate_real  # noqa: E402


def timed_rollup(src: Path | str, out: Path, workers: int) -> tuple[float, float]:
    """Seconds of the reading and of the whole roll-up on a fresh local cluster of `workers`
    single-threaded processes."""
    from dask.distributed import LocalCluster

    from xlsheets import rollup

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1") as cluster:
        start = time.perf_counter()
        read = []

        def progress(done: int, total: int) -> None:  # done < 0: the reading is over
            if done < 0:
                read.append(time.perf_counter() - start)

        result = rollup([src], out, scheduler=cluster.scheduler_address, overwrite=True, progress=progress)
        seconds = time.perf_counter() - start
    assert result.errors == [], result.errors
    return read[0], seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workbooks", type=int, default=400)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--url", action="store_true", help="the inputs as a file:// URL, read through fsspec")
    args = ap.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="xlsheets-dask-") as tmp:
        src = Path(tmp) / "sheets"
        src.mkdir()
        paths = generate_real(args.workbooks, src)
        print(f"{len(paths)} real-length workbooks")
        base = None
        for k in args.workers:
            read, total = timed_rollup(src.as_uri() if args.url else src, Path(tmp) / "r.xlsx", k)
            base = base or (read, total)
            print(f"{k} worker(s): reading {read:6.2f} s (speed-up ×{base[0] / read:.2f}), "
                  f"whole roll-up {total:6.2f} s (×{base[1] / total:.2f})", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"client peak memory: {peak:.0f} MB (it made the workbooks and runs the scheduler too; "
          "the workers are separate processes)")


if __name__ == "__main__":
    main()
