"""What the template itself tells a person typing in plain Excel: input rules, hints, live checks.

Everything here is standard Excel (data validation with an input message, conditional
formats with formulas, cell locks): no VBA, no add-in, no UDF, and LibreOffice draws it too.
Positions come from the template's defined names. ``sheetops`` extends the rules to the
rows a growing table adds; ``read`` never looks at them.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import layout as L
from .io.grid import Ref
from .io.sheetops import sheet_names
from .marking import BELOW_FILL
from .model import CIRCLED, paren
from .settings import DEFAULT_SETTINGS

REQUIRED_FILL = "FFF2CC"  # a required cell left empty on a row that has a 取組
NO_DIGIT_FILL = "FCE4D6"  # a 数値目標 without a single digit
MAX_LIST = 20
DIGITS = "0123456789０１２３４５６７８９"

HINT_TARGET = ("数と単位で、どの水準までかを書きます（例：相談件数120件以上、収納率45％以上、8,000千円）。"
               "数字（0～9、全角も可）が1つもないと、達成率を計算できないため薄い色で示します（漢数字は読み取りません）。")
HINT_PERIOD = "いつ・いつまでに行うかを書きます（例：令和6年4月～令和7年3月、9月末まで、通年）。"
HINT_REPORT = "実績の数と単位を書きます（例：相談件数65件、収納率43.5％）。数値目標と同じ単位で書くと達成率を計算できます。"


def _cell(ref: Ref) -> str:
    return f"{get_column_letter(ref.c1)}{ref.r1}"


def _column(body: Ref, col: int) -> str:
    letter = get_column_letter(col)
    return f"{letter}{body.r1}:{letter}{body.r2}"


def _rule(sqref: str, title: str, prompt: str, *, kind: str | None = None, formula: str | None = None,
          error: str = "") -> DataValidation:
    """An input message, with a warning-style (「注意」) check when kind is given."""
    dv = DataValidation(type=kind, formula1=formula, allow_blank=True, showInputMessage=True,
                        promptTitle=title[:32], prompt=prompt[:255], showErrorMessage=kind is not None)
    if kind is not None:
        dv.errorStyle = "warning"
        dv.errorTitle = title[:32]
        dv.error = error[:255]
    dv.add(sqref)
    return dv


def _choices(values: list[str]) -> str:
    return '"' + ",".join(values) + '"'


def fiscal_year_rule(cell: str) -> DataValidation:
    """The cell that carries the year (the title): 「令和6年度」 or 「2024年度」 must stay in it."""
    return _rule(cell, "年度", "表題の年度（例：令和6年度）は消さずに残します。次の年度のシートは「新年度作成」（xlsheets carry-forward）で作ります。",
                 kind="custom", formula=f'ISNUMBER(FIND("年度",{cell}))',
                 error="表題に年度（例：令和6年度）がありません。このままでは年度を読み取れません。")


def goal_rules(names: dict[str, Ref]) -> list[DataValidation]:
    """Input rules and hints of one goal sheet (from its defined names)."""
    body = names[L.N_BODY]
    col = {role: names[name].c1 for role, name in L.N_COLS.items() if name in names}
    s = DEFAULT_SETTINGS
    grades = [sym for _m, sym in sorted(s.bands, reverse=True)] + [s.below, s.none]
    out = [
        _rule(_cell(names[L.N_PRIORITY]), "優先順位", "一覧から選びます（1位～20位）。", kind="list",
              formula=_choices([f"{n}位" for n in range(1, MAX_LIST + 1)]),
              error="優先順位は「1位」のように数字と「位」で書きます。"),
        _rule(_column(body, col["item_no"]), "取組項目の番号", "①～⑳から選びます。", kind="list",
              formula=_choices(list(CIRCLED[:MAX_LIST])), error="取組項目の番号は①～⑳で書きます。"),
        _rule(_column(body, col["period"]), "期間・期限", HINT_PERIOD),
        _rule(_column(body, col["target"]), "数値目標", HINT_TARGET),
    ]
    if "subitem_no" in col:
        out.append(_rule(_column(body, col["subitem_no"]), "取組の番号", "(1)～(20)から選びます。", kind="list",
                         formula=_choices([paren(n) for n in range(1, MAX_LIST + 1)]),
                         error="取組の番号は (1) のように半角かっこと数字で書きます。"))
    for role, title in (("midterm", "中間報告"), ("final", "期末報告")):
        out.append(_rule(_column(body, col[role]), title, HINT_REPORT))
    if "grade" in col:
        out.append(_rule(_column(body, col["grade"]), "判定", f"{''.join(grades)} から選びます（達成率計算で自動で入ります）。",
                         kind="list", formula=_choices(grades), error=f"判定は {'・'.join(grades)} のいずれかです。"))
    if L.N_SHEET_TITLE in names:
        out.append(fiscal_year_rule(_cell(names[L.N_SHEET_TITLE])))
    return out


def _fill(rgb: str) -> PatternFill:
    argb = "FF" + rgb  # opaque: LibreOffice may read a 00 alpha as transparent
    return PatternFill(fill_type="solid", fgColor=argb, bgColor=argb)


def goal_checks(names: dict[str, Ref]) -> list[tuple[str, FormulaRule]]:
    """Live checks (conditional formats) of one goal sheet: (range, rule)."""
    body = names[L.N_BODY]
    col = {role: names[name].c1 for role, name in L.N_COLS.items() if name in names}
    r = body.r1
    method = f"${get_column_letter(col['method'])}{r}"
    required = [c for c in (col.get("subitem_no"), col["period"], col["target"]) if c]
    first = f"{get_column_letter(required[0])}{r}"
    target = f"{get_column_letter(col['target'])}{r}"
    no_digit = (f'AND(LEN(TRIM({target}))>0,SUMPRODUCT(--ISNUMBER(FIND(MID("{DIGITS}",'
                f'ROW(INDIRECT("1:{len(DIGITS)}")),1),{target}&"")))=0)')
    checks = [
        (" ".join(_column(body, c) for c in required),
         FormulaRule(formula=[f'AND(LEN(TRIM({method}&""))>0,LEN(TRIM({first}&""))=0)'], fill=_fill(REQUIRED_FILL))),
        (_column(body, col["target"]), FormulaRule(formula=[no_digit], fill=_fill(NO_DIGIT_FILL))),
    ]
    rates = [col[k] for k in ("rate_midterm", "rate_final") if k in col]
    if rates:
        low = min(m for m, _s in DEFAULT_SETTINGS.bands)
        rate = f"{get_column_letter(rates[0])}{r}"
        checks.append((" ".join(_column(body, c) for c in rates),
                       FormulaRule(formula=[f"AND(ISNUMBER({rate}),{rate}<{low})"], fill=_fill(BELOW_FILL))))
    return checks


def add_goal_guides(ws) -> None:
    """Put the input rules, hints and live checks on a goal sheet made from the template."""
    names = sheet_names(ws)
    for dv in goal_rules(names):
        ws.add_data_validation(dv)
    for sqref, rule in goal_checks(names):
        ws.conditional_formatting.add(sqref, rule)


def add_cover_guides(ws) -> None:
    """The cover's title carries the year too."""
    names = sheet_names(ws)
    ws.add_data_validation(fiscal_year_rule(_cell(names[L.N_COVER_TITLE])))
