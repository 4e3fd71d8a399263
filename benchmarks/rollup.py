"""Benchmark: how fast is `xlsheets rollup` compared with just reading the same files?

    python benchmarks/rollup.py --sheets 1000

Generates N filled goal sheets (workbooks of 1–6 goals, several departments and years,
varied numbers), then times in one run:
  (a) reading every cell value of those files with python-calamine only,
  (b) the same with openpyxl only,
  (c) `xlsheets rollup` of them, as a whole process (start-up, reading, checking, writing).
(a) and (c) run --repeat times (3) and their medians count. The package is byte-compiled
first, as a pip install does. Prints the ratios (c)/(a) and (b)/(c) and the peak memory of
the roll-up.
(a) and (c) are measured in turns, so that a slower minute of a shared machine slows both; the
ratio of each turn is printed too. Targets at N = 1000 on a 2-core machine: (c) at least 10× faster
than (b); (c) under 12× (a) (first aimed at 5×); peak memory under 500 MB.

    python benchmarks/rollup.py --real --workbooks 1000 2000

Real-length mode: N distinct workbooks that hold the seeds' own texts at their full length
(both years' goals, 5 % of the sub-items with a deliberate mistake), rolled up once per size.
Prints, per size, the time, the CPU and the peak memory per workbook, and the growth from one
size to the next (time and memory when the work doubles).
"""

from __future__ import annotations

import argparse
import copy
import itertools
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEPARTMENTS = ["福祉部", "総務部", "健康こども未来部", "都市建設部", "教育委員会事務局", "商工観光部", "農林部",
               "市民まちづくり推進部", "生活環境部", "消防本部"]


UNITS = [("件", "{n}件以上", "{k}件"), ("回", "年{n}回", "{k}回開催"), ("人", "{n}人", "参加者{k}人"),
         ("か所", "{n}か所で実施", "{k}か所で実施"), ("事業所", "{n}事業所", "{k}事業所")]
MISTAKE_RATE = 0.05  # a report in the wrong unit, a copied target, an impossible date


def _report(rng: random.Random, unit: tuple[str, str, str], n: int, k: int, fy: int) -> str:
    """A report in the target's unit, now and then with one of the mistakes the seeds show."""
    if rng.random() < MISTAKE_RATE:
        return rng.choice([f"{k}時間", unit[1].format(n=n), f"R{fy - 2018}.2.31 実施"])
    return unit[2].format(k=k)


def generate(n_sheets: int, out: Path, seed: int = 7) -> list[Path]:
    """Workbooks holding n_sheets goal sheets in total, varied in content.

    Goals are drawn from the two seed years; each sub-item keeps its real text or gets a
    numeric target with reports in the same unit (a few with deliberate mistakes), as
    filled sheets are: most reports match their targets, some do not.
    """
    from xlsheets.filling import fill
    from xlsheets.samples import sample_dict

    rng = random.Random(seed)
    pool = [g for name in ("fy2020", "fy2024") for g in sample_dict(name)["goals"]]
    paths, made, k = [], 0, 0
    while made < n_sheets:
        goals = min(rng.randint(1, 6), n_sheets - made)
        year = rng.choice([2022, 2023, 2024, 2025])
        doc = {"fiscal_year": year, "department": DEPARTMENTS[k % len(DEPARTMENTS)], "goals": []}
        for p in range(1, goals + 1):
            g = copy.deepcopy(rng.choice(pool))
            g["priority"] = p
            g["title"] = f"{g['title']}（{k}-{p}）"
            for item in g["items"]:
                for s in item["subitems"]:
                    if rng.random() < 0.3:
                        continue  # the seed's own text and reports
                    unit, n = rng.choice(UNITS), rng.randint(1, 60)
                    s["target"] = unit[1].format(n=n)
                    s["midterm"] = _report(rng, unit, n, rng.randint(0, n), year)
                    s["final"] = rng.choice(["", _report(rng, unit, n, rng.randint(0, 2 * n), year)])
            doc["goals"].append(g)
        path = out / f"{doc['department']}_{year}_{k:04}.xlsx"
        fill(doc, path)
        paths.append(path)
        made += goals
        k += 1
    return paths


TOKEN_DEPT, TOKEN_ID = "〔部局〕", "〔番号〕"  # replaced in each copy, so that every workbook is distinct
REAL_BASES = 16  # filled workbooks the copies are made from


def _with_mistakes(rng: random.Random, doc: dict, fy: int) -> dict:
    """The seeds' goals with their full texts; 5 % of the sub-items get one of the seeds' mistakes."""
    for g in doc["goals"]:
        g["title"] = f"{g['title']}{TOKEN_ID}"
        for item in g["items"]:
            for s in item["subitems"]:
                if rng.random() < MISTAKE_RATE:
                    s["midterm"] = rng.choice([f"{rng.randint(1, 40)}時間", s["target"], f"R{fy - 2018}.2.31 実施"])
    return doc


def generate_real(n_workbooks: int, out: Path, seed: int = 7) -> list[Path]:
    """n_workbooks distinct workbooks of real-length text: REAL_BASES are filled from the seeds, the
    rest are copies of them whose department and goal titles are made unique in the sheet XML."""
    from xlsheets.filling import fill
    from xlsheets.samples import sample_dict

    rng = random.Random(seed)
    bases = []
    for b in range(REAL_BASES):
        name = ("fy2020", "fy2024")[b % 2]
        doc = copy.deepcopy(sample_dict(name))
        doc["fiscal_year"] = (2020 if name == "fy2020" else 2024) + (b // 2) % 4
        doc["department"] = TOKEN_DEPT
        bases.append(fill(_with_mistakes(rng, doc, doc["fiscal_year"]), out / f"base{b:02}.xlsx").path)
    paths = []
    for k in range(n_workbooks):
        dept = DEPARTMENTS[k % len(DEPARTMENTS)] + (f"{k // 400 + 1}" if k >= 400 else "")
        paths.append(_distinct_copy(bases[k % REAL_BASES], out / f"wb{k:05}.xlsx", dept, f"（{k}）"))
    for b in bases:
        b.unlink()
    return paths


def _distinct_copy(base: Path, dest: Path, dept: str, ident: str) -> Path:
    """base with its department token and goal-title tokens replaced in every part."""
    import zipfile

    swap = {TOKEN_DEPT.encode(): dept.encode(), TOKEN_ID.encode(): ident.encode()}
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            for old, new in swap.items():
                data = data.replace(old, new)
            dst.writestr(info, data)
    return dest


def _run_measured(cmd: list[str]) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds (the process and its workers) and peak resident MB of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def real_length(sizes: list[int], jobs: int | None) -> None:
    """Roll up real-length workbooks at each size and print how time and memory grow."""
    compile_package()
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="xlsheets-bench-") as tmp:
            src = Path(tmp) / "sheets"
            src.mkdir()
            t_gen, paths = timed(generate_real, n, src)
            print(f"generated {len(paths)} real-length workbooks ({t_gen:.1f} s)", flush=True)
            cmd = [sys.executable, "-m", "xlsheets.cli", "rollup", str(src), "-o", str(Path(tmp) / "r.xlsx")]
            wall, cpu, peak, code = _run_measured(cmd + (["--jobs", str(jobs)] if jobs else []))
        rows.append((n, wall, cpu, peak))
        print(f"{n:6,} workbooks: {wall:6.1f} s, CPU {cpu / n * 1000:5.1f} ms per workbook, "
              f"peak memory {peak:6.0f} MB ({peak / n * 1024:5.0f} KB per workbook), exit {code}", flush=True)
    for (n1, w1, _, m1), (n2, w2, _, m2) in itertools.pairwise(rows):
        per_wb = (m2 - m1) * 1024 / (n2 - n1)
        print(f"{n1:,} → {n2:,} workbooks (×{n2 / n1:.1f}): time ×{w2 / w1:.2f}, peak memory ×{m2 / m1:.2f} "
              f"({per_wb:.0f} KB per added workbook)")


def read_calamine(paths: list[Path]) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    for p in paths:
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
        wb.close()
    return cells


def read_openpyxl(paths: list[Path]) -> int:
    from openpyxl import load_workbook

    cells = 0
    for p in paths:
        wb = load_workbook(p)
        for ws in wb.worksheets:
            cells += sum(len(r) for r in ws.iter_rows(values_only=True))
    return cells


def timed(fn, *args):
    t = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - t, value


def compile_package() -> None:
    """Byte-compile xlsheets as a regular pip install does (an editable checkout has no .pyc files,
    and PYTHONDONTWRITEBYTECODE may keep Python from writing them)."""
    import compileall

    import xlsheets

    compileall.compile_dir(Path(xlsheets.__file__).parent, quiet=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sheets", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=3, help="runs of (a) and (c); the median is reported")
    ap.add_argument("--real", action="store_true", help="real-length mode: roll up --workbooks of the seeds' texts")
    ap.add_argument("--workbooks", type=int, nargs="+", default=[1000, 2000], help="sizes for --real")
    args = ap.parse_args()
    if args.real:
        real_length(args.workbooks, args.jobs)
        return
    compile_package()
    with tempfile.TemporaryDirectory(prefix="xlsheets-bench-") as tmp:
        src = Path(tmp) / "sheets"
        src.mkdir()
        t_gen, paths = timed(generate, args.sheets, src)
        print(f"generated {args.sheets} goal sheets in {len(paths)} workbooks ({t_gen:.1f} s)")
        read_calamine(paths)  # the page cache is warm for everyone alike
        t_b, _ = timed(read_openpyxl, paths)
        runs_a, runs_c = [], []
        for k in range(args.repeat):  # (a) and (c) in turns: a slower minute of the machine slows both
            runs_a.append(timed(read_calamine, paths))
            cmd = [sys.executable, "-m", "xlsheets.cli", "rollup", str(src), "-o", str(Path(tmp) / f"rollup{k}.xlsx")]
            if args.jobs:
                cmd += ["--jobs", str(args.jobs)]
            runs_c.append(timed(lambda cmd=cmd: subprocess.run(cmd, capture_output=True, text=True)))
        cells = runs_a[0][1]
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    failed = [proc for _, proc in runs_c if proc.returncode != 0]
    if failed:  # a roll-up that failed is no measurement
        sys.exit(f"xlsheets rollup failed (exit {failed[0].returncode}):\n{failed[0].stderr[-3000:]}")
    t_a = statistics.median(t for t, _ in runs_a)
    t_c = statistics.median(t for t, _ in runs_c)
    proc = runs_c[-1][1]

    def spread(runs) -> str:
        times = sorted(t for t, _ in runs)
        return f"(median of {len(times)}: {', '.join(f'{t:.2f}' for t in times)})" if len(times) > 1 else ""

    print(f"(a) calamine, all cell values : {t_a:7.2f} s  ({cells:,} cells) {spread(runs_a)}")
    print(f"(b) openpyxl, all cell values : {t_b:7.2f} s")
    print(f"(c) xlsheets rollup (process) : {t_c:7.2f} s  {spread(runs_c)}")
    print(f"    exit {proc.returncode}: {proc.stdout.strip()}")
    pairs = sorted(c / a for (a, _), (c, _) in zip(runs_a, runs_c, strict=True))
    print(f"(c)/(a) = {t_c / t_a:5.2f}   target < 12 (first aimed at 5)   "
          f"run by run: {', '.join(f'{r:.1f}' for r in pairs)}")
    print(f"(b)/(c) = {t_b / t_c:5.2f}   target ≥ 10")
    print(f"peak memory of one roll-up process: {peak_mb:.0f} MB   target < 500 MB")


if __name__ == "__main__":
    main()
