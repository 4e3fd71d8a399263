"""The per-file step, pure: one workbook (a path, a URL or grids already read) → plain, picklable
records (its 一覧 rows with their 根拠, its findings). Never raises."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import RollupWorkbook, XlsheetsError
from ..findings import WARNING
from ..grammar import clear_caches
from ..io.loading import load_book
from ..model import STAGES
from ..rates import compute_rates
from ..reading import read_book
from ..settings import load_settings
from ..validation import validate
from . import columns
from .columns import Subitem
from .inputs import SKIP_ROLLUP, is_url
from .saved import saved_time


def extract(path: str, document: bool = False, settings=None) -> dict[str, Any]:
    """Read, validate and rate one workbook (a path or an fsspec URL); returns plain, picklable
    records (with the whole interchange document when asked: the published pages show every field).
    settings: rate with these instead of the workbook's own. Never raises."""
    return _extract_url(path, document, settings) if is_url(path) else _extract(path, path, document, settings)


def _extract(local: str, path: str, document: bool = False, settings=None) -> dict[str, Any]:
    clear_caches()
    try:
        rec = records_from_book(load_book(local), path, document, settings)
        rec["saved"], rec["saved_from"] = saved_time(local, file_time=local == path)
        return rec
    except RollupWorkbook:  # an earlier roll-up left among the submissions: skipped by its rule
        return {"path": path, "ok": False, "skip": SKIP_ROLLUP}
    except XlsheetsError as e:
        return {"path": path, "ok": False, "error": e.ja}
    except MemoryError:
        return {"path": path, "ok": False, "error": "メモリが不足しました（ファイルが大きすぎます）"}
    except Exception as e:  # a broken part no reader expected: report it, never stop the roll-up
        return {"path": path, "ok": False, "error": f"読み込めませんでした（{type(e).__name__}: {e}）"[:300]}


def _extract_url(url: str, document: bool = False, settings=None) -> dict[str, Any]:
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
        rec = _extract(local, url, document, settings)
    if "error" in rec:
        rec["error"] = rec["error"].replace(local, url)
    return rec


def records_from_book(book, path: str, document: bool = False, settings=None) -> dict[str, Any]:
    """The roll-up records of a workbook already read into grids (a file or a live workbook);
    settings: rate with these (None: the workbook's own xlsheets設定 sheet, else the defaults)."""
    result = read_book(book)
    result.path = path
    own = load_settings(book=book)
    settings = settings or own
    dept = result.department
    rates = compute_rates(dept, settings)
    report = validate(result, None, settings, rates, evidence=False)
    department = dept.department.strip()  # 「福祉部　」 and 「福祉部」 are one department in the summaries
    listing = columns.LISTING
    goals, rows = [], []
    for goal in dept.goals:
        goals.append({"priority": goal.priority, "title": goal.title, "id": goal.id or "", "sheet": goal.sheet.name})
        for item, sub in goal.subitems():
            ach = rates[sub]
            target = ach["final"].target or ach["midterm"].target
            rows.append(listing.row(Subitem(path, dept.fiscal_year, department, goal, item, sub, ach, target)))
    findings = [f.to_dict() for f in report.findings]
    rec = {"path": path, "ok": True, "department": department, "fiscal_year": dept.fiscal_year,
           "goals": goals, "rows": rows, "findings": findings, "order": list(own.departments),
           "filled": _filled(dept), "errors": report.errors,
           "warnings": sum(f["severity"] == WARNING for f in findings)}
    return rec | {"document": dept.to_dict()} if document else rec


def _filled(dept) -> dict[str, int]:
    """How many sub-items have a report written at each stage (提出状況)."""
    subs = [sub for goal in dept.goals for _item, sub in goal.subitems()]
    return {stage: sum(1 for sub in subs if str(getattr(sub, stage) or "").strip()) for stage in STAGES}
