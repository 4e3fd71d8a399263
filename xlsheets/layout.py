"""What the form says where: labels per layout year and the defined names of the template.

Code finds every field through these names (or, on old hand-made sheets, through the
labels), never through a literal cell address.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .model import wareki

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


# Field → predicate on a normalised label. Order matters: first match wins.
LABEL_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("sheet_title", re.compile(r"重点目標管理シート")),
    ("title", re.compile(r"^重点目標(?:名|名称)?$")),
    ("department", re.compile(r"^(?:部局名?|部課名|部署名?|所属(?:部局)?|担当部局|所管部局|担当部署)$")),
    ("priority", re.compile(r"^(?:優先順位|優先度|順位)$")),
    ("comprehensive_plan", re.compile(r"^総合計画(?:における|での|上の)?位置[付づ]け$")),
    ("regional_strategy", re.compile(r"まち・ひと・しごと")),
    ("sdgs", re.compile(r"SDGs", re.I)),
    ("admin_reform", re.compile(r"行(?:財)?政改革大綱")),
    ("reconstruction_plan", re.compile(r"再構築プラン")),
    ("current_issues", re.compile(r"^(?:現況|現状)(?:・|と|及び)?課題$")),
    ("purpose", re.compile(r"^目的(?:・|と|及び)?(?:効果|期待される効果)$")),
    ("notes", re.compile(r"^特記事項$")),
]

COLUMN_RULES: list[tuple[str, re.Pattern[str]]] = [
    # 取組項目 and 方法・手段 in one column (the form's), or each in its own
    ("item_method", re.compile(r"^(?:取組|取り組み)(?:項目)?(?:及び|および|と|並びに|・|、)?(?:その)?方法")),
    ("item_title", re.compile(r"^(?:取組項目|取り組み項目|取組事項|取組|項目)名?(?:[(（].*)?$")),
    ("method", re.compile(r"^(?:方法・?手段|方法|手段|具体的な?取組(?:内容)?|取組内容)(?:[(（].*)?$")),
    ("item_no", re.compile(r"^(?:No\.?|NO\.?|№|番号|項番|項目番号)$")),
    ("subitem_no", re.compile(r"^(?:細目番号|小項目番号|枝番号?)$")),
    # other departments' headers: the short ones must be the whole header (and its note in brackets)
    ("period", re.compile(r"^(?:期間|(?:期限|実施時期|実施期間|スケジュール)(?:[(（].*)?$)")),
    ("target", re.compile(r"^(?:数値目標|(?:目標値|目標数値|成果指標|成果目標|指標)(?:[(（].*)?$)")),
    ("midterm", re.compile(r"^(?:中間報告|(?:中間|中間実績|中間(?:時点の)?進捗(?:状況)?|上半期(?:実績|報告)|9月末(?:実績|現在)"
                           r"|実績[(（]中間[)）])(?:[(（].*)?$)")),
    ("final", re.compile(r"^(?:期末報告|(?:期末|期末実績|年度末(?:実績|報告)|最終報告|最終実績|実績[(（]期末[)）])"
                         r"(?:[(（].*)?$)")),
    ("rate_midterm", re.compile(r"^(?:達成率[(（]?中間|中間達成率)")),
    ("rate_final", re.compile(r"^(?:達成率[(（]?期末|期末達成率)")),
    ("grade", re.compile(r"^(?:判定|評価)(?:[(（].*)?$")),
]
# The column roles a table reads (an item_method column holds 取組項目 and 方法・手段 together).
FORM_COLUMNS = {role for role, _rx in COLUMN_RULES}
# Labels of what a department adds to the form (担当課, 作成日 …): known, and not read.
EXTRA_LABEL = re.compile(r"^(?:担当(?:課|係|者)?|所管課|課名|係名|作成者|作成日|記入者|記入日|更新日|連絡先|電話(?:番号)?|内線"
                         r"|備考|予算(?:額)?|事業費|関連事業|事業名)(?:[(（].*)?$")
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
