"""The roll-up's columns, their order and its limits (rows a sheet holds, the rate cap), and the order
of its years (latest first)."""

from __future__ import annotations

import os

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



CITY = "市全体"  # the 部局名 of a year's row for the whole city on 集計


STATUS_COLUMNS = ["年度", "部局名", "状況", "ファイル", "最終保存", "重点目標", "取組", "中間報告 記入", "中間報告 記入率",
                  "期末報告 記入", "期末報告 記入率", "エラー", "警告", "重複"]
