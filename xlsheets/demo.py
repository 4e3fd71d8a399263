"""`xlsheets demo`: build both samples in a folder and show what each step makes."""

from __future__ import annotations

from pathlib import Path

from .filling import fill
from .ops import achieve_file, annotate_file
from .samples import SAMPLES, sample_dict


def run_demo(out_dir: Path, render: bool = False, echo=print) -> list[Path]:
    """Fill both samples, validate them (marks on a copy), compute 達成率, and say what was made."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for name in SAMPLES:
        stage = "final" if name == "fy2020" else "midterm"  # FY2024 is a mid-year snapshot
        path = fill(sample_dict(name), out_dir / f"{name}.xlsx", overwrite=True, backup=False).path
        marked, report = annotate_file(path, out_dir / f"{name}_検証.xlsx", stage=stage, overwrite=True, backup=False)
        rated = achieve_file(path, out_dir / f"{name}_達成率.xlsx", overwrite=True, backup=False)
        s = report.summary()
        top = ", ".join(f"{code} {n}" for code, n in sorted(s["by_code"].items(), key=lambda kv: -kv[1])[:4])
        d = sample_dict(name)
        echo(f"■ {d['department']} {d['fiscal_year']}年度（{name}）: 重点目標 {len(d['goals'])} 件 → {path}")
        echo(f"  検証（{stage}）: エラー {s['error']} 件・警告 {s['warning']} 件（{top}）→ {marked.path}")
        for f in report.findings:
            if f.code in ("rate-mismatch", "invalid-date", "unit-mismatch"):
                echo(f"    {f.sheet}!{f.cell} {f.code}: {f.message}")
        echo(f"  達成率: 計算できた取組 {rated.count} 件 → {rated.path}")
        made += [path, marked.path, rated.path]
        if render:
            from .render import render_pdf

            pdf = render_pdf(rated.path, rated.path.with_suffix(".pdf"), overwrite=True)
            echo(f"  印刷イメージ: {pdf}")
            made.append(pdf)
    from .summary import rollup

    samples = [out_dir / f"{name}.xlsx" for name in SAMPLES]
    res = rollup(samples, out_dir / "集計.xlsx", overwrite=True, jobs=1)
    echo(f"■ 集計: {res.path}（ブック {res.files} 件・取組 {res.rows} 件・要確認 {res.findings} 件）")
    made.append(res.path)
    return made
