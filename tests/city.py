"""A small city's submissions folder for roll-up tests: the two samples (福祉部 令和2・令和6年度), 福祉部's
令和7年度 started from 令和6年度 (carried forward, nothing reported yet), and two more departments of
令和6年度 (総務部, 第10部) made from the samples with three goals each."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

from xlsheets.carry import carry_forward
from xlsheets.filling import fill
from xlsheets.reading import read
from xlsheets.samples import sample_dict

ORDER = ["総務部", "企画部", "第10部", "福祉部"]  # the city's 部局順; 企画部 has not sent anything


def department(base: str, name: str, year: int, goals: int = 3) -> dict:
    """A sample's data as another department's (its first goals)."""
    d = copy.deepcopy(sample_dict(base))
    d["department"], d["fiscal_year"] = name, year
    d["goals"] = d["goals"][:goals]
    return d


def make_city(folder: Path, books: dict[str, Path]) -> Path:
    """The folder 提出 under folder (see the module), and 設定.json beside it holding ORDER."""
    src = folder / "提出"
    src.mkdir(parents=True)
    shutil.copy(books["fy2020"], src / "福祉部_R2.xlsx")
    shutil.copy(books["fy2024"], src / "福祉部_R6.xlsx")
    fill(carry_forward(read(books["fy2024"]), 2025), src / "福祉部_R7.xlsx")
    fill(department("fy2024", "総務部", 2024), src / "総務部_R6.xlsx")
    fill(department("fy2020", "第10部", 2024), src / "第10部_R6.xlsx")
    (folder / "設定.json").write_text(json.dumps({"部局順": ORDER}, ensure_ascii=False), encoding="utf-8")
    return src
