"""`xlsheets demo`: build both samples in a folder and show what each step makes."""

from __future__ import annotations

from pathlib import Path

from .errors import XlsheetsError, remedy
from .filling import fill
from .findings import ERROR, WARNING
from .model import STAGE_JA
from .ops import achieve_file, annotate_file
from .samples import SAMPLES, sample_dict

ROLLUP_NAME = "集計.xlsx"
TOP_CODES = 4  # how many finding codes the demo names for each sample


def demo_files(out_dir: Path, render: bool = False) -> list[Path]:
    """Every file the demo writes in out_dir."""
    names = [f"{name}{tail}" for name in SAMPLES for tail in (".xlsx", "_検証.xlsx", "_達成率.xlsx")
             + (("_達成率.pdf",) if render else ())]
    return [out_dir / n for n in [*names, ROLLUP_NAME]]


def _refuse_existing(out_dir: Path, render: bool) -> None:
    there = [p.name for p in demo_files(out_dir, render) if p.exists()]
    if there:
        ja, en = remedy("other_folder")
        raise XlsheetsError(f"フォルダ {out_dir} に同じ名前のファイルがあります: {'、'.join(there)}（{ja}）",
                            f"{out_dir} already holds {', '.join(there)} ({en})")


def top_codes(by_code: dict[str, int], severities: dict[str, str], n: int = TOP_CODES) -> str:
    """The most frequent finding codes, errors before warnings before information."""
    rank = {ERROR: 0, WARNING: 1}
    ordered = sorted(by_code.items(), key=lambda kv: (rank.get(severities.get(kv[0], ""), 2), -kv[1]))
    return ", ".join(f"{code} {k}" for code, k in ordered[:n])


def run_demo(out_dir: Path, render: bool = False, echo=print, overwrite: bool = False) -> list[Path]:
    """Fill both samples, validate them (marks on a copy), compute 達成率, roll up the two filled
    sheets (not the copies), and say what was made. Files of an earlier run are refused unless overwrite."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise XlsheetsError(f"フォルダではありません: {out_dir}", f"not a folder: {out_dir}")
    if not overwrite:
        _refuse_existing(out_dir, render)
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for name in SAMPLES:
        stage = "final" if name == "fy2020" else "midterm"  # FY2024 is a mid-year snapshot
        path = fill(sample_dict(name), out_dir / f"{name}.xlsx", overwrite=overwrite).path
        marked, report = annotate_file(path, out_dir / f"{name}_検証.xlsx", stage=stage, overwrite=overwrite)
        rated = achieve_file(path, out_dir / f"{name}_達成率.xlsx", overwrite=overwrite)
        s = report.summary()
        top = top_codes(s["by_code"], {f.code: f.severity for f in report.findings})
        d = sample_dict(name)
        echo(f"■ {d['department']} {d['fiscal_year']}年度（{name}）: 重点目標 {len(d['goals'])} 件 → {path}")
        echo(f"  検証（{STAGE_JA[stage]}報告）: エラー {s['error']} 件・警告 {s['warning']} 件"
             f"（多い指摘 {TOP_CODES} 種: {top}）→ {marked.path}")
        for f in report.findings:
            if f.code in ("rate-mismatch", "invalid-date", "unit-mismatch"):
                echo(f"    {f.sheet}!{f.cell} {f.code}: {f.message}")
        echo(f"  達成率: 計算できた取組 {rated.count} 件 → {rated.path}")
        made += [path, marked.path, rated.path]
        if render:
            from .render import render_pdf

            pdf = render_pdf(rated.path, rated.path.with_suffix(".pdf"), overwrite=overwrite)
            echo(f"  印刷イメージ: {pdf}")
            made.append(pdf)
    from .summary.pipeline import rollup  # the roll-up's pandas only when the demo gets there

    samples = [out_dir / f"{name}.xlsx" for name in SAMPLES]
    res = rollup(samples, out_dir / ROLLUP_NAME, overwrite=overwrite, jobs=1)
    echo(f"■ 集計: {res.path}（ブック {res.files} 件・取組 {res.rows} 件・要確認 {res.findings} 件）")
    made.append(res.path)
    return made
