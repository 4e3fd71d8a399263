"""`xlsheets demo`: build both samples in a folder and show what each step makes."""

from __future__ import annotations

from pathlib import Path

from .filling import fill
from .reading import read
from .samples import SAMPLES, sample_dict


def run_demo(out_dir: Path, render: bool = False, echo=print) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    for name in SAMPLES:
        path = out_dir / f"{name}.xlsx"
        report = fill(sample_dict(name), path, overwrite=True, backup=False)
        dept = read(path)
        subs = sum(1 for g in dept.goals for _ in g.subitems())
        echo(f"作成: {path}  {dept.department} {dept.fiscal_year}年度  重点目標 {len(dept.goals)} 件 / 取組 {subs} 件")
        made.append(path)
        if render:
            from .render import render_pdf

            pdf = render_pdf(path, path.with_suffix(".pdf"), overwrite=True)
            echo(f"印刷イメージ: {pdf}")
            made.append(pdf)
        del report
    return made
