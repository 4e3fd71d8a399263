"""Roll-ups: department and city-wide summary workbooks from any number of sheets.

``extract(path)`` is a pure function (path → plain records) that runs in worker processes
or on a Dask cluster; ``rollup(inputs, out)`` gathers the records, summarises them with
pandas and writes the roll-up workbook (XlsxWriter: tables, links, charts) atomically.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

from .errors import RollupWorkbook, XlsheetsError
from .gathered import Gathered, gather
from .saving import is_lock_file

LIST_COLUMNS = [
    "年度", "部局名", "優先順位", "重点目標", "取組項目", "番号", "方法・手段", "期間・期限", "数値目標", "目標値",
    "単位", "中間実績", "中間達成率", "期末実績", "期末達成率", "判定", "根拠", "ファイル", "シート", "セル",
]
ROW_FIELDS = [*LIST_COLUMNS, "目標ID", "_height"]  # a 一覧 row as kept: "_height" is for the sheet only
TIDY_COLUMNS = [*LIST_COLUMNS, "目標ID"]
SUMMARY_COLUMNS = ["年度", "部局名", "優先順位", "重点目標", "目標ID", "目標値", "中間達成率", "期末達成率", "判定"]
FINDING_COLUMNS = ["ファイル", "シート", "セル", "重大度", "コード", "重点目標", "取組項目", "番号", "欄", "内容"]
NUMBER_COLUMNS = ("目標値", "中間実績", "中間達成率", "期末実績", "期末達成率")  # float in Parquet; the rest text
# a sheet longer than this is cut there (the full table is written beside the workbook): a table of
# more wrapped, linked rows opens slowly and scrolls badly; Excel's own limit is 1,048,576 rows
EXCEL_ROWS = 1_048_575  # data rows under a header
_rows = os.environ.get("XLSHEETS_ROLLUP_SHEET_ROWS", "")
SHEET_ROWS = int(_rows) if _rows.isdigit() and int(_rows) > 0 else 200_000
GRADE_ORDER = ("◎", "○", "△", "×", "－")
RATE_CAP = 100  # averages and charts count a rate above this as this (one 1300 % would hide 8 shortfalls)


# ---------------------------------------------------------------- inputs


@dataclass
class Inputs:
    """Every file under the inputs, accounted for: to read, refused (with why), or skipped by a named rule."""

    workbooks: list[Path | str] = field(default_factory=list)  # str: an fsspec URL
    refused: list[tuple[Path | str, str]] = field(default_factory=list)
    skipped: dict[str, list[Path | str]] = field(default_factory=dict)  # rule (Japanese) → files

    def skip(self, rule: str, p: Path | str) -> None:
        self.skipped.setdefault(rule, []).append(p)


SKIP_RULES = SKIP_LOCK, SKIP_TEMP, SKIP_BACKUP, SKIP_ROLLUP, SKIP_OUTPUT, SKIP_OTHER = (
    "ロックファイル", "作業中の一時ファイル", "バックアップ", "集計ブック", "出力先", "表計算以外")


def scan_inputs(inputs: Iterable[str | Path], exclude: Iterable[Path] = ()) -> Inputs:
    """Spreadsheets among files and folders (recursively); every other file is skipped by a named rule.

    A named file that is not a spreadsheet is refused (a reason for 取込エラー); met while walking a
    folder, it is counted under 表計算以外. Lock files, xlsheets' temporary files, backups
    (NAME.bak.xlsx) and the output itself are counted under their own rule.
    """
    skip = {Path(p).resolve() for p in exclude}
    found = Inputs()
    seen: set[Path] = set()

    def consider(p: Path, named: bool) -> None:
        rp = p.resolve()
        if rp in seen:
            return
        seen.add(rp)
        rule = SKIP_OUTPUT if rp in skip else _file_rule(p)
        if rule is None:
            found.workbooks.append(p)
        elif rule == SKIP_OTHER and named:
            found.refused.append((p, "表計算のブック（.xlsx/.xlsm/.xls/.xlsb/.ods）ではありません"))
        else:
            found.skip(rule, p)

    for item in inputs:
        if is_url(item):
            _scan_url(str(item), found)
            continue
        p = Path(item)
        if p.is_dir():
            for sub in sorted(p.rglob("*")):
                if sub.is_file():
                    consider(sub, named=False)
        elif p.exists():
            consider(p, named=True)
        else:
            found.refused.append((p, "ファイルが見つかりません"))
    return found


def _file_rule(p: PurePath) -> str | None:
    """The rule a file is skipped by, from its name (None: a workbook to read)."""
    from .inspection import SPREADSHEET_SUFFIXES

    if is_lock_file(Path(p.name)):
        return SKIP_LOCK
    if p.name.startswith(".xlsheets-"):
        return SKIP_TEMP
    if p.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return SKIP_OTHER
    return SKIP_BACKUP if p.stem.endswith(".bak") else None


def _scan_url(url: str, found: Inputs) -> None:
    """The spreadsheets under an fsspec URL (a folder, recursively, or one file), by the same rules."""
    try:
        import fsspec
    except ImportError as e:
        raise XlsheetsError(f"URL を読むには fsspec が必要です: pip install 'xlsheets[dask]': {url}",
                            f"reading a URL needs fsspec: {url}") from e
    try:
        fs, root = fsspec.core.url_to_fs(url)
        files = sorted(fs.find(root)) if fs.isdir(root) else [root] if fs.exists(root) else []
    except (OSError, ValueError) as e:
        raise XlsheetsError(f"URL を読めません: {url}（{e}）", f"cannot list {url}: {e}") from e
    if not files:
        found.refused.append((url, "ファイルが見つかりません"))
    for f in files:
        full, rule = fs.unstrip_protocol(f), _file_rule(PurePosixPath(f))
        if rule is None:
            found.workbooks.append(full)
        else:
            found.skip(rule, full)


def collect_inputs(inputs: Iterable[str | Path], exclude: Iterable[Path] = ()) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(workbooks, [(path, why it was refused)]) — scan_inputs without the skipped files."""
    found = scan_inputs(inputs, exclude)
    return found.workbooks, found.refused


def accounting(read: int, errors: int, skipped: dict[str, int], error_word: str = "取込エラー") -> str:
    """「読込 287 冊・取込エラー 3 冊・対象外 12 件（ロックファイル 2、表計算以外 10）」: every file counted once."""
    line = f"読込 {read} 冊・{error_word} {errors} 冊・対象外 {sum(skipped.values())} 件"
    if skipped:
        order = sorted(skipped, key=lambda r: SKIP_RULES.index(r) if r in SKIP_RULES else len(SKIP_RULES))
        line += "（" + "、".join(f"{rule} {skipped[rule]}" for rule in order) + "）"
    return line


# ---------------------------------------------------------------- the per-file step (pure)


def is_url(item: str | Path) -> bool:
    """An fsspec URL (s3://bucket/提出, memory://in, file:///srv/in), not a local path."""
    return isinstance(item, str) and re.match(r"[A-Za-z][\w+.-]+://", item) is not None


def extract(path: str) -> dict[str, Any]:
    """Read, validate and rate one workbook (a path or an fsspec URL); returns plain, picklable
    records. Never raises."""
    return _extract_url(path) if is_url(path) else _extract(path, path)


def _extract(local: str, path: str) -> dict[str, Any]:
    from .reading import load_book
    from .targets import clear_caches

    clear_caches()
    try:
        return records_from_book(load_book(local), path)
    except RollupWorkbook:  # an earlier roll-up left among the submissions: skipped by its rule
        return {"path": path, "ok": False, "skip": SKIP_ROLLUP}
    except XlsheetsError as e:
        return {"path": path, "ok": False, "error": e.ja}
    except MemoryError:
        return {"path": path, "ok": False, "error": "メモリが不足しました（ファイルが大きすぎます）"}
    except Exception as e:  # a broken part no reader expected: report it, never stop the roll-up
        return {"path": path, "ok": False, "error": f"読み込めませんでした（{type(e).__name__}: {e}）"[:300]}


def _extract_url(url: str) -> dict[str, Any]:
    """extract() of a file on any fsspec filesystem: copied to a temporary file where this worker
    runs (a cluster whose workers do not share the client's disk reads the same archive)."""
    import shutil
    import tempfile

    try:
        import fsspec
    except ImportError:
        return {"path": url, "ok": False, "error": "URL を読むには fsspec が必要です: pip install 'xlsheets[dask]'"}
    with tempfile.TemporaryDirectory(prefix="xlsheets-") as tmp:
        local = str(Path(tmp) / ("book" + PurePosixPath(url.split("://", 1)[1]).suffix))
        try:
            with fsspec.open(url, "rb") as src, open(local, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except Exception as e:  # a missing object, no permission, no network: this file's error only
            return {"path": url, "ok": False, "error": f"読み込めませんでした（{type(e).__name__}: {e}）"[:300]}
        rec = _extract(local, url)
    if "error" in rec:
        rec["error"] = rec["error"].replace(local, url)
    return rec


def records_from_book(book, path: str) -> dict[str, Any]:
    """The roll-up records of a workbook already read into grids (a file or a live workbook)."""
    from .model import circled, paren, priority_text
    from .rates import compute_rates, load_settings
    from .reading import read_book
    from .rollup_book import row_height
    from .validation import validate

    result = read_book(book)
    result.path = path
    settings = load_settings(book=book)
    dept = result.department
    rates = compute_rates(dept, settings)
    report = validate(result, None, settings, rates)
    department = dept.department.strip()  # 「福祉部　」 and 「福祉部」 are one department in the summaries
    goals, rows = [], []
    for goal in dept.goals:
        goals.append({"priority": goal.priority, "title": goal.title, "id": goal.id or "", "sheet": goal.sheet.name})
        for item, sub in goal.subitems():
            ach = rates[sub]
            tgt = ach["final"].target or ach["midterm"].target
            latest = ach["final"] if ach["final"].rate is not None else ach["midterm"]
            rows.append({
                "年度": dept.fiscal_year, "部局名": department,
                "優先順位": goal.priority if isinstance(goal.priority, int) else priority_text(goal.priority),
                "重点目標": goal.title, "目標ID": goal.id or "",
                "取組項目": f"{circled(item.no)} {item.title}".strip(), "番号": paren(sub.no),
                "方法・手段": sub.method, "期間・期限": sub.period, "数値目標": sub.target,
                "目標値": tgt.value if tgt else None, "単位": tgt.unit if tgt else "",
                "中間実績": ach["midterm"].actual, "中間達成率": ach["midterm"].rate,
                "期末実績": ach["final"].actual, "期末達成率": ach["final"].rate,
                "判定": latest.grade if latest.rate is not None else settings.none, "根拠": basis(ach),
                "ファイル": path, "シート": goal.sheet.name, "セル": _a1(sub.cells.method),
            })
            rows[-1]["_height"] = row_height(rows[-1])
    findings = [f.to_dict() for f in report.findings]
    return {"path": path, "ok": True, "department": department, "fiscal_year": dept.fiscal_year,
            "goals": goals, "rows": rows, "findings": findings}


def basis(ach: dict[str, Any]) -> str:
    """The 根拠 of a row: what its latest rate was computed from, or the amounts that gave none."""
    from .rates import AMBIGUOUS

    stages = (("final", "期末"), ("midterm", "中間"))
    for wanted in (lambda a: a.rate is not None, lambda a: a.status == AMBIGUOUS):
        for stage, ja in stages:
            if wanted(ach[stage]):
                return f"{ja} {ach[stage].evidence}"
    return ""


def _a1(cell) -> str:
    from .grid import a1

    return a1(*cell) if cell else "A1"


# ---------------------------------------------------------------- running many


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

    from . import marking, rates, reading, rollup_book, targets, textwidth, validation  # noqa: F401
    from .grid import defined_names  # noqa: F401 - and html, which it imports on first use

    defined_names(b"")


def run_extract(paths: list[Path | str], jobs: int | None = None, scheduler: str | None = None,
                progress: Callable[[int, int], None] | None = None,
                meanwhile: Callable[[], None] | None = None,
                sink: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """extract() over many files: in worker processes (memory-capped), or on a Dask cluster.

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
        _run_dask(items, scheduler, arrived)
    elif not in_pool:  # asked for: in this process (the zip checks still apply)
        for i, p in enumerate(items):
            arrived(i, extract(p))
    else:  # untrusted files are read in memory-capped worker processes
        jobs = min(jobs or os.cpu_count() or 1, 4, len(items))
        while len(seen) < len(items):
            pending = [i for i in range(len(items)) if i not in seen]
            try:
                with ProcessPoolExecutor(max_workers=jobs, initializer=_limit_memory, mp_context=_context()) as pool:
                    try:
                        chunk = max(1, min(4, len(pending) // (jobs * 8) or 1))  # small: no worker idles at the end
                        done = pool.map(extract, [items[i] for i in pending], chunksize=chunk)
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
                arrived(first, _extract_isolated(items[first]))
    return kept


def _context():
    """fork is fastest, but forking while other threads run can deadlock: then use forkserver."""
    import multiprocessing
    import threading

    if threading.active_count() > 1 and "forkserver" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("forkserver")
    return None


def _extract_isolated(path: str) -> dict[str, Any]:
    try:
        with ProcessPoolExecutor(max_workers=1, initializer=_limit_memory, mp_context=_context()) as pool:
            return pool.submit(extract, path).result()
    except BrokenProcessPool:
        return {"path": path, "ok": False, "error": "読み込み中に異常終了しました（ファイルが大きすぎるか壊れています）"}


def _run_dask(items: list[str], address: str, arrived) -> None:
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
        futures = client.map(extract, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        done, futures = as_completed(futures), None  # each result leaves the cluster once it is here
        for fut in done:
            arrived(index[fut.key], fut.result())
            fut.release()
    finally:
        client.close()


# ---------------------------------------------------------------- summarising


@dataclass
class RollupResult:
    path: Path | None
    files: int = 0
    rows: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    findings: int = 0
    read: int = 0  # workbooks read (files minus errors and skipped roll-ups)
    skipped: dict[str, int] = field(default_factory=dict)  # rule → files not read by that rule
    tidy: Path | None = None
    duplicates: list[str] = field(default_factory=list)  # one department and year in several workbooks
    overflow: dict[str, Path] = field(default_factory=dict)  # sheet → the full table beside the workbook

    def overflow_lines(self) -> list[str]:
        """What the terminal says of a table too long for its sheet."""
        return [f"{sheet}は長すぎるため最初の部分だけをブックに入れ、全件を {path} に書き出しました"
                for sheet, path in self.overflow.items()]


def capped(header: str, cap: float | None) -> str:
    """「平均達成率」 → 「平均達成率（上限100%）」: a column of capped rates says so."""
    return header if cap is None else f"{header}（上限{cap:g}%）"


def frames(records: Gathered | list[dict[str, Any]], stage: str | None = None, cap: float | None = RATE_CAP):
    """The roll-up's summary tables as pandas DataFrames: summary, by goal, years, errors (一覧 and
    要確認 are written from the gathered columns).

    Means and medians count a rate above cap as cap (None: uncapped); the list keeps every rate.
    """
    import pandas as pd

    if not isinstance(records, Gathered):
        records = gather(records, ROW_FIELDS)
    listing = records.rows.to_pandas(SUMMARY_COLUMNS)
    rate_col = {"midterm": "中間達成率", "final": "期末達成率"}.get(stage or "")
    if rate_col is None:  # the latest stage each sub-item has
        rate = listing["期末達成率"].where(listing["期末達成率"].notna(), listing["中間達成率"])
    else:
        rate = listing[rate_col]
    listing = listing.assign(_rate=pd.to_numeric(rate, errors="coerce"))
    mean_rate = listing["_rate"] if cap is None else listing["_rate"].clip(upper=cap)
    mean_col, median_col = capped("平均達成率", cap), capped("中央値", cap)

    keys = ["年度", "部局名"]
    flags = pd.DataFrame({
        "取組数": 1,
        "数値目標あり": listing["目標値"].notna().astype(int),
        "達成": (listing["_rate"] >= 100).astype(int),
        "未達成": (listing["_rate"] < 100).astype(int),
        "測定不能": listing["_rate"].isna().astype(int),
        **{sym: (listing["判定"] == sym).astype(int) for sym in GRADE_ORDER},
    })
    counts = list(flags.columns)

    def summarise(by: list[str] | None):
        """Counts, mean and median rate per group (None: the whole city)."""
        data = pd.concat([listing[by or []], flags, mean_rate], axis=1)
        if by:
            g = data.groupby(by, sort=True, dropna=False)
            out = g[counts].sum()
            out.insert(5, mean_col, g["_rate"].mean().round(1))
            out.insert(6, median_col, g["_rate"].median())
            return out.reset_index()
        row = {c: int(flags[c].sum()) for c in counts}
        rate = mean_rate.dropna()
        row[mean_col] = round(float(rate.mean()), 1) if len(rate) else None
        row[median_col] = float(rate.median()) if len(rate) else None
        return pd.DataFrame([row])[[*counts[:5], mean_col, median_col, *counts[5:]]]

    if listing.empty:
        summary = pd.DataFrame(columns=[*keys, "取組数"])
        by_goal = pd.DataFrame(columns=[*keys, "優先順位", "重点目標"])
    else:
        total = summarise(None).assign(年度="", 部局名="市全体")
        summary = pd.concat([summarise(keys), total[[*keys, *total.columns[:-2]]]], ignore_index=True)
        by_goal = summarise([*keys, "優先順位", "重点目標"])
    years = _across_years(listing, cap)
    errors = pd.DataFrame([{"ファイル": r["path"], "理由": r["error"]} for r in records.books if not r.get("ok")],
                          columns=["ファイル", "理由"])
    return summary, by_goal, years, errors


def _across_years(listing, cap: float | None = RATE_CAP):
    """Goals of one department matched across years (by stable id, else by title), mean rates side by side."""
    import pandas as pd

    if listing.empty or listing["年度"].nunique() < 2:
        return pd.DataFrame(columns=["部局名", "重点目標", "目標ID"])
    df = listing.assign(_key=listing["目標ID"].where(listing["目標ID"] != "", "title:" + listing["重点目標"]),
                        _r=pd.to_numeric(listing["期末達成率"].where(listing["期末達成率"].notna(),
                                                                    listing["中間達成率"]), errors="coerce").clip(upper=cap))
    depts = df.groupby("部局名")["年度"].nunique()
    df = df[df["部局名"].isin(depts[depts > 1].index)]
    if df.empty:
        return pd.DataFrame(columns=["部局名", "重点目標", "目標ID"])
    titles = df.sort_values("年度").groupby(["部局名", "_key"])["重点目標"].last()
    table = df.pivot_table(index=["部局名", "_key"], columns="年度", values="_r", aggfunc="mean")
    table.columns = [capped(f"{c}年度 平均達成率", cap) for c in table.columns]
    table = table.round(1).reset_index()
    names = titles.to_dict()
    table.insert(1, "重点目標", [names[(d, k)] for d, k in zip(table["部局名"], table["_key"], strict=False)])
    table.insert(2, "目標ID", [k if not k.startswith("title:") else "" for k in table["_key"]])
    return table.drop(columns="_key")


def rollup(inputs: Iterable[str | Path], out: str | Path, *, stage: str | None = None, jobs: int | None = None,
           scheduler: str | None = None, tidy_format: str | None = None, overwrite: bool = False,
           progress: Callable[[int, int], None] | None = None, cap: float | None = RATE_CAP,
           sheet_rows: int | None = None) -> RollupResult:
    """Build the roll-up workbook of every sheet found in inputs (folders, files, fsspec URLs).

    cap: averages and charts count a higher 達成率 as this (None: uncapped); 一覧 keeps every rate.
    sheet_rows: 一覧 and 要確認 hold at most this many rows (SHEET_ROWS); a longer table is written
    in full beside the workbook (as tidy_format, else Parquet), and the workbook says so.

    progress(done, total) is called as files are read, then progress(-1, total) when the
    workbook is being written.
    """
    from .rollup_book import RollupBook
    from .saving import check_output

    out = Path(out)
    inputs = [p if is_url(p) else Path(p) for p in inputs]
    check_rollup_options(inputs, jobs, scheduler)
    check_output(out, overwrite, (".xlsx",))
    if tidy_format:
        check_output(out.with_suffix("." + tidy_format), overwrite)
    found = scan_inputs(inputs, exclude=[out])
    paths = found.workbooks
    if not paths:
        raise XlsheetsError("集計できるブック（.xlsx/.xlsm/.xls/.xlsb/.ods）が見つかりません。指定したフォルダ・ファイルを"
                            "確認してください: " + "、".join(map(str, inputs)), "no workbook found in the inputs")
    gathered = Gathered(ROW_FIELDS)
    skipped = {rule: len(files) for rule, files in found.skipped.items()}

    def keep(rec: dict[str, Any]) -> None:  # each record as it arrives: its rows and findings into columns
        if rec.get("skip"):
            skipped[rec["skip"]] = skipped.get(rec["skip"], 0) + 1
        else:
            gathered.add(rec)

    run_extract(paths, jobs=jobs, scheduler=scheduler, progress=progress, meanwhile=_import_writers, sink=keep)
    if progress:
        progress(-1, len(paths))  # reading is done: the workbook is being written
    for p, why in found.refused:
        gathered.add({"path": str(p), "ok": False, "error": why})
    duplicates = mark_duplicates(gathered.books)
    limit = min(sheet_rows or SHEET_ROWS, EXCEL_ROWS)
    overflow = _write_overflow(gathered, out, limit, tidy_format or "parquet", overwrite)
    tables = frames(gathered, stage, cap)
    RollupBook(out).write(gathered, tables, overwrite=overwrite, limit=limit, beside=overflow)
    errors = [(r["path"], r["error"]) for r in gathered.books if not r.get("ok")]
    result = RollupResult(out, len(paths), len(gathered.rows), errors, gathered.finding_count(),
                          duplicates=duplicates, read=sum(1 for r in gathered.books if r.get("ok")), skipped=skipped,
                          overflow=overflow)
    if tidy_format:
        result.tidy = write_tidy(gathered, out.with_suffix("." + tidy_format), tidy_format, overwrite)
    return result


def _write_overflow(gathered: Gathered, out: Path, limit: int, fmt: str, overwrite: bool) -> dict[str, Path]:
    """The tables too long for their sheet, written in full beside the workbook: sheet → file.

    Every file is checked before any is written (an existing one without overwrite: nothing written).
    """
    from .saving import check_output

    sizes = {"一覧": len(gathered.rows), "要確認": gathered.finding_count()}
    files = {sheet: out.with_name(f"{out.stem}_{sheet}.{fmt}") for sheet, n in sizes.items() if n > limit}
    for path in files.values():
        check_output(path, overwrite)
    for sheet, path in files.items():
        if sheet == "一覧":
            write_tidy(gathered, path, fmt, overwrite)
        else:
            rows = ((p, f["sheet"], f["cell"], f["severity"], f["code"], *f["location"].values(), f["message"])
                    for p, f in gathered.finding_rows())
            _write_table(rows, FINDING_COLUMNS, path, fmt, overwrite)
    return files


def check_rollup_options(inputs: list[Path | str], jobs: int | None, scheduler: Any) -> None:
    """Said before any reading: a missing input, a number of workers below 1, a scheduler address
    that is not one."""
    missing = [str(p) for p in inputs if not is_url(p) and not Path(p).exists()]
    if missing:
        raise XlsheetsError(f"入力が見つかりません: {'、'.join(missing)}", f"no such input: {', '.join(missing)}")
    if jobs is not None and jobs < 1:
        raise XlsheetsError(f"--jobs は 1 以上にしてください: {jobs}", f"--jobs must be at least 1: {jobs}")
    if isinstance(scheduler, str) and not re.fullmatch(r"(\w+://)?[^\s/:]+:\d+|\w+://\S+", scheduler.strip()):
        raise XlsheetsError(f"--scheduler の Dask スケジューラーのアドレスが正しくありません: {scheduler}（tcp://host:8786 のように）",
                            f"not a scheduler address: {scheduler!r} (tcp://host:8786)")


def mark_duplicates(records: list[dict[str, Any]]) -> list[str]:
    """Two workbooks of one department and year with the same goals (a resubmission left beside the
    first, 「福祉部_R6 (1).xlsx」) are both summed: say so on 要確認 for each of them. Returns one line
    per such group. Linear in the number of workbooks: grouped by goal title, names built once."""
    from .model import wareki

    said: list[str] = []
    for (dept, _fy), group in _department_years(records).items():
        recs = _sharing_a_goal(group)
        if len(recs) < 2:
            continue
        fy = recs[0]["fiscal_year"]
        year = wareki(fy) if isinstance(fy, int) else str(fy)
        said.append(f"{dept}の{year}のブックが {len(recs)} 冊あります: " + "、".join(str(r["path"]) for r in recs))
        names = [Path(r["path"]).name for r in recs]
        for k, rec in enumerate(recs):
            rec["findings"].append(_duplicate_finding(rec, dept, year, _others(names, k)))
    return said


_OTHERS_SHOWN = 5


def _department_years(records: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The workbooks read, grouped by department and fiscal year."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rec in records:
        if rec.get("ok") and rec.get("department") and rec.get("fiscal_year") not in (None, ""):
            groups.setdefault((rec["department"], str(rec["fiscal_year"])), []).append(rec)
    return groups


def _sharing_a_goal(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The workbooks of one department and year that hold a goal another of them holds too (one file
    per goal is no duplicate), in input order."""
    holders: dict[str, set[int]] = {}
    for k, rec in enumerate(group):
        for title in {"".join(g["title"].split()) for g in rec["goals"]} - {""}:
            holders.setdefault(title, set()).add(k)
    shared = set().union(*(ks for ks in holders.values() if len(ks) > 1))
    return [rec for k, rec in enumerate(group) if k in shared]


def _others(names: list[str], k: int) -> str:
    """The names of the other workbooks of a group, the first few of them when there are many."""
    others = names[:k][:_OTHERS_SHOWN] + names[k + 1:][:max(0, _OTHERS_SHOWN - k)]
    more = len(names) - 1 - len(others)
    return "、".join(others) + (f" ほか {more} 冊" if more else "")


def _duplicate_finding(rec: dict[str, Any], dept: str, year: str, others: str) -> dict[str, Any]:
    from .validation import RULES

    sheet = rec["goals"][0]["sheet"] if rec.get("goals") else ""
    return RULES["duplicate-workbook"].finding(
        sheet, "A1",
        {"goal": None, "item": None, "subitem": None, "field": None},
        f"{dept}の{year}のブックがほかにもあります（{others}）。いずれも集計しています。"
        "差し替え前のブックが残っていないか確認してください。",
    ).to_dict()


def _import_writers() -> None:
    """Import pandas and the writer while the workers read (it takes a few tenths of a second),
    and run the summaries once on two made-up rows: pandas loads much of itself on first use."""
    import xlsxwriter  # noqa: F401

    row = dict.fromkeys(LIST_COLUMNS, "") | {"目標値": 1.0, "中間達成率": 50, "判定": "△", "目標ID": ""}
    frames([{"path": "", "ok": True, "rows": [row | {"年度": 2023}, row | {"年度": 2024}], "findings": []}])


def write_tidy(gathered: Gathered, path: Path, fmt: str, overwrite: bool) -> Path:
    """The 一覧 table as tidy data for analysts (parquet or csv), written a chunk at a time."""
    rows = gathered.rows.rows()  # TIDY_COLUMNS lead ROW_FIELDS
    return _write_table((r[:len(TIDY_COLUMNS)] for r in rows), TIDY_COLUMNS, path, fmt, overwrite)


def _write_table(rows: Iterable[tuple], columns: list[str], path: Path, fmt: str, overwrite: bool) -> Path:
    """Rows as a Parquet or CSV file (no formulas when Excel opens the CSV), atomically, in bounded memory."""
    import itertools

    from .saving import write_stream_atomic

    if fmt not in ("csv", "parquet"):
        raise XlsheetsError(f"形式が不明です: {fmt}（parquet / csv）", f"unknown format {fmt}")
    rows = iter(rows)
    batches = iter(lambda: list(itertools.islice(rows, 8192)), [])
    write = _csv_batches if fmt == "csv" else _parquet_batches
    return write_stream_atomic(lambda fh: write(fh, batches, columns), path, overwrite=overwrite)


def _csv_batches(fh, batches, columns: list[str]) -> None:
    import pandas as pd

    from .interchange import csv_cell

    fh.write("\ufeff".encode())  # utf-8-sig: Excel reads the Japanese
    fh.write(pd.DataFrame(columns=columns).to_csv(index=False).encode("utf-8"))
    for batch in batches:
        df = pd.DataFrame(batch, columns=columns, dtype=object)
        fh.write(df.map(csv_cell).to_csv(index=False, header=False).encode("utf-8"))


def _parquet_batches(fh, batches, columns: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c, pa.float64() if c in NUMBER_COLUMNS else pa.string()) for c in columns])

    def cell(v: Any, number: bool) -> Any:
        if v is None or v == "" and number:
            return None
        return (float(v) if isinstance(v, (int, float)) else None) if number else str(v)

    with pq.ParquetWriter(fh, schema) as writer:
        for batch in batches:
            cols = list(zip(*batch, strict=True))
            writer.write_batch(pa.record_batch(
                [pa.array([cell(v, c in NUMBER_COLUMNS) for v in col], t) for c, col, t in
                 zip(columns, cols, schema.types, strict=True)], schema=schema))


def terminal_progress(what: str = "読み込み中"):
    """A rich progress bar on a terminal; None (quiet) when stderr is not a TTY."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=True)
    task = bar.add_task(what, total=None)

    def update(done: int, total: int) -> None:
        if done < 0:  # the reading is over: say what is happening now
            bar.update(task, description="書き出し中", completed=total, total=total)
        else:
            bar.update(task, completed=done, total=total)

    return bar, update
