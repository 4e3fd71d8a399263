"""What the form says where: labels per layout year and the defined names of the template.

Code finds every field through these names (or, on old hand-made sheets, through the
labels), never through a literal cell address.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .grammar.lexicon import alternation
from .model import wareki

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# Defined names (sheet-scoped) in a goal sheet of the template.
N_SHEET_TITLE = "xs_sheet_title"
N_TITLE = "xs_title"
N_DEPARTMENT = "xs_department"
N_PRIORITY = "xs_priority"
N_CURRENT = "xs_current_issues"
N_PURPOSE = "xs_purpose"
N_NOTES = {"participation": "xs_notes_participation", "effects": "xs_notes_effects"}
N_POSITIONING = {
    "comprehensive_plan": "xs_comprehensive_plan",
    "regional_strategy": "xs_regional_strategy",
    "sdgs": "xs_sdgs",
    "admin_reform": "xs_admin_reform",
    "reconstruction_plan": "xs_reconstruction_plan",
}
N_BODY = "xs_items"  # the item table's body rows (grows with the data)
N_GOAL_ID = "xs_goal_id"  # a constant: the goal's stable id across years
N_FISCAL_YEAR = "xs_fiscal_year"  # a constant on the workbook: 2024
N_ROLLUP = "xs_rollup"  # a constant on a roll-up workbook: never read back as a department's sheets
RATE_FORMAT = '0"%"'  # every 達成率 cell xlsheets writes: the template's, the achieve columns', the roll-up's
# Header cells of the item table, one per column role.
N_COLS = {
    "item_no": "xs_col_item_no",
    "item_title": "xs_col_item_title",
    "subitem_no": "xs_col_subitem_no",
    "method": "xs_col_method",
    "period": "xs_col_period",
    "target": "xs_col_target",
    "midterm": "xs_col_midterm",
    "final": "xs_col_final",
    "rate_midterm": "xs_col_rate_midterm",
    "rate_final": "xs_col_rate_final",
    "grade": "xs_col_grade",
}
# Cover sheet names.
N_COVER_TITLE = "xs_cover_title"
N_COVER_DEPARTMENT = "xs_cover_department"
N_COVER_LIST = "xs_cover_list"  # first row of the goal list (number cell)

GOAL_SHEET = "重点目標"  # template sheet names
COVER_SHEET = "表紙"

HEADER_TAIL = {
    "rate_midterm": "達成率（中間）",
    "rate_final": "達成率（期末）",
    "grade": "判定",
}
NOTE_LABELS = {
    "participation": "○市民参加・協働の推進、市民満足度の向上を考慮した点",
    "effects": "○取組による効果・残された課題",
}


@dataclass(frozen=True)
class Layout:
    """The printed form of one layout year."""

    year: int
    positioning_labels: dict[str, str]  # key → label, only the keys this layout has
    headers: dict[str, str]  # table column role → header text

    def sheet_title(self, fiscal_year: int) -> str:
        return f"{wareki(fiscal_year)}　重点目標管理シート"

    def cover_title(self, fiscal_year: int) -> str:
        return f"{wareki(fiscal_year)}　重点目標"

    @property
    def file_name(self) -> str:
        return f"重点目標管理シート_{self.year}.xlsx"


_COMMON_HEADERS = {
    "method": "取組項目及び方法・手段（何をどのように）",
    "period": "期間・期限（いつ・いつまでに）",
    "target": "数値目標（どの水準まで）",
    "final": "期末報告（目標に対する達成状況・達成度）",
}

LAYOUTS: dict[int, Layout] = {
    2020: Layout(
        year=2020,
        positioning_labels={
            "comprehensive_plan": "総合計画における位置付け",
            "regional_strategy": "まち・ひと・しごと創生総合戦略における位置付け",
            "admin_reform": "第三次上田市行財政改革大綱・アクションプログラムにおける位置付け",
            "reconstruction_plan": "上田再構築プラン「7つの挑戦」における位置付け",
        },
        headers={**_COMMON_HEADERS, "midterm": "中間報告（目標に対する進捗状況・進捗度）", **HEADER_TAIL},
    ),
    2024: Layout(
        year=2024,
        positioning_labels={
            "comprehensive_plan": "総合計画における位置付け",
            "sdgs": "該当するSDGsの目標",
            "admin_reform": "第四次上田市行財政改革大綱・アクションプログラムにおける位置付け",
            "reconstruction_plan": "上田再構築プランVer.2.0「もっと、前へ」における位置付け",
        },
        headers={
            **_COMMON_HEADERS,
            "midterm": "中間報告（目標に対する進捗状況・進捗度）及び（中間報告の時点で取組項目に対する方法・手段の見直しを行った点）",
            **HEADER_TAIL,
        },
    ),
}


def layout_for(fiscal_year: int | str | None) -> Layout:
    """The layout a fiscal year uses: the newest layout not after it (the oldest before all)."""
    years = sorted(LAYOUTS)
    if not isinstance(fiscal_year, int):
        return LAYOUTS[years[-1]]
    fitting = [y for y in years if y <= fiscal_year]
    return LAYOUTS[fitting[-1] if fitting else years[0]]


# ---------------------------------------------------------------- label matching (legacy sheets)


def norm_label(text: object) -> str:
    """A label as compared: NFKC, no white space, no brackets' width differences."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s+", "", s)


# The fields' labels and the columns' headings are data (layout_labels.toml): field → regex on a normalised
# label, in the file's order (the first that matches wins).
_MODES = {"whole": "^{}$", "noted": "^{}(?:[(（].*)?$", "prefix": "^{}", "contains": "{}"}


def _slot(words: list[str]) -> str:
    """One slot of a pattern: one of its words (the slot left out when "" is among them)."""
    body = f"(?:{alternation(w for w in words if w)})"
    return body + "?" if "" in words else body


def _pattern(rule: dict[str, Any]) -> re.Pattern[str]:
    """A rule's modes as one regex: its patterns (words, or slots of words) each placed as its mode says."""
    alternatives = []
    for mode, template in _MODES.items():
        pattern = rule.get(mode)
        if pattern:
            slots = [pattern] if all(isinstance(w, str) for w in pattern) else pattern
            alternatives.append(template.format("".join(_slot(s) for s in slots)))
    return re.compile("|".join(alternatives), re.I if rule.get("ignore_case") else 0)


def _labels() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath("layout_labels.toml").read_text(encoding="utf-8"))


_LABELS = _labels()
LABEL_RULES: list[tuple[str, re.Pattern[str]]] = [(r["field"], _pattern(r)) for r in _LABELS["label"]]
COLUMN_RULES: list[tuple[str, re.Pattern[str]]] = [(r["field"], _pattern(r)) for r in _LABELS["column"]]
# The column roles a table reads (an item_method column holds 取組項目 and 方法・手段 together).
FORM_COLUMNS = {role for role, _rx in COLUMN_RULES}
# Labels of what a department adds to the form (担当課, 作成日 …): known, and not read.
EXTRA_LABEL = _pattern(_LABELS["extra"])
# A label and its value in one cell: 「部局名：福祉部」
LABEL_VALUE = re.compile(r"^\s*([^:：]{2,30}?)\s*[:：]\s*(\S.*)$", re.S)

# Sheets xlsheets itself writes into a department's workbook, or into its own xlsheets.xlsm: never read
# as goals, wherever the workbook came from. The sheets it adds also carry the sheet-scoped constant N_OWN_SHEET.
INPUT_SHEET, BUTTONS_SHEET, CONF_SHEET = "入力", "操作", "xlwings.conf"  # xlsheets.xlsm's
NEW_YEAR_SHEET, LIVE_ROLLUP_SHEET = "新年度入力", "集計"  # the server face's 新年度作成 and 集計
RESULTS_SHEET = "検証結果"  # marking: the findings listed with links to their cells
MARKS_SHEET = "xlsheets_marks"  # marking, hidden: what the marks replaced, so that clear restores it
SETTINGS_SHEET = "xlsheets設定"  # settings: 端数処理, 判定の基準, 部局順
OWN_SHEETS = frozenset((INPUT_SHEET, BUTTONS_SHEET, CONF_SHEET, NEW_YEAR_SHEET, LIVE_ROLLUP_SHEET, RESULTS_SHEET,
                        MARKS_SHEET, SETTINGS_SHEET))
N_OWN_SHEET = "xs_own_sheet"


def _match(rules: list[tuple[str, re.Pattern[str]]], text: object, longest: int) -> str | None:
    n = norm_label(text)
    if not n or len(n) > longest:
        return None
    return next((key for key, rx in rules if rx.search(n)), None)


def match_label(text: object) -> str | None:
    """The field a label names (重点目標 → title), or None."""
    return _match(LABEL_RULES, text, 60)


def match_column(text: object) -> str | None:
    """The table column a header names (数値目標… → target), or None."""
    return _match(COLUMN_RULES, text, 120)
