"""Build hand-made sheets laid out as the seed documents are (for the legacy reader's tests)."""

from __future__ import annotations

from openpyxl import Workbook

from xlsheets.model import Department, circled


def legacy_workbook(dept: Department, *, row0: int = 1, col0: int = 1, fullwidth: bool = False,
                    newlines: bool = True, number_in_method: bool = False, header: bool = True) -> Workbook:
    """One sheet per goal, one row per item, sub-items as '(1) … (2) …' inside each cell."""
    wb = Workbook()
    wb.remove(wb.active)
    sep = "\n" if newlines else " "
    lp, rp = ("（", "）") if fullwidth else ("(", ")")
    for gi, goal in enumerate(dept.goals):
        ws = wb.create_sheet(f"Sheet{gi + 1}")
        r, c = row0, col0

        def put(row, col, value, ws=ws):
            ws.cell(row, col).value = value

        if header:
            put(r, c, f"令和{dept.fiscal_year - 2018}年度 重点目標管理シート")
        put(r + 1, c, "重点目標")
        put(r + 1, c + 1, goal.title)
        put(r + 1, c + 3, "部局名")
        put(r + 1, c + 4, dept.department)
        put(r + 1, c + 5, "優先順位")
        put(r + 1, c + 6, f"{goal.priority}位")
        put(r + 2, c, "総合計画における\n位置付け")
        put(r + 2, c + 1, goal.positioning["comprehensive_plan"])
        put(r + 2, c + 3, "まち・ひと・しごと創生総合戦略における位置付け")
        put(r + 2, c + 4, goal.positioning["regional_strategy"])
        put(r + 3, c, "第三次上田市行財政改革大綱・アクションプログラムにおける位置付け")
        put(r + 3, c + 1, goal.positioning["admin_reform"])
        put(r + 3, c + 3, "上田再構築プラン「7つの挑戦」における位置付け")
        put(r + 3, c + 4, goal.positioning["reconstruction_plan"])
        put(r + 4, c, "現況・\n課題")
        put(r + 4, c + 1, goal.current_issues)
        put(r + 5, c, "目的・効果")
        put(r + 5, c + 1, goal.purpose)
        h = r + 6
        for k, label in enumerate(["取組項目及び方法・手段（何をどのように）", "期間・期限（いつ・いつまでに）",
                                   "数値目標（どの水準まで）", "中間報告（目標に対する進捗状況・進捗度）",
                                   "期末報告（目標に対する達成状況・達成度）"]):
            put(h, c + 1 + k, label)
        row = h + 1
        for item in goal.items:
            def cell_text(field, item=item):
                parts = [f"{lp}{s.no}{rp} {getattr(s, field)}".rstrip() for s in item.subitems]
                return sep.join(parts)

            method = cell_text("method")
            if item.title:
                method = item.title + sep + method if method else item.title
            if number_in_method:
                put(row, c + 1, f"{circled(item.no)} {method}")
            else:
                put(row, c, circled(item.no))
                put(row, c + 1, method)
            for k, f in enumerate(["period", "target", "midterm", "final"]):
                put(row, c + 2 + k, cell_text(f))
            row += 1
        put(row, c, "特記事項")
        put(row, c + 1, "○市民参加・協働の推進、市民満足度の向上を考慮した点" + sep + goal.notes["participation"])
        put(row, c + 4, "○取組による効果・残された課題" + sep + goal.notes["effects"])
    return wb
