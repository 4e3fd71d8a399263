"""Build macros/xlsheets.xlsm: the 令和6年度 template, an 操作 sheet with the buttons, an 入力 sheet,
an xlwings.conf sheet, the xlwings VBA (standalone: no add-in needed) and macros/xlsheets.bas.

    python scripts/build_xlsm.py

Never edit the .xlsm by hand: change this script, the template or the .bas, and rebuild.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "macros" / "xlsheets.xlsm"
BAS = ROOT / "macros" / "xlsheets.bas"

# (macro, caption, what it does) — the captions are what staff see
BUTTONS = [
    ("XS_Fill", "作成", "「入力」シートから重点目標管理シートのブックを作ります（このブックと同じフォルダ）。"),
    ("XS_Validate", "検証", "開いている重点目標シート（表紙なら全シート）を検証し、問題のセルに色とメモを付けます。"),
    ("XS_Achievement", "達成率計算", "達成率（中間・期末）と判定を書き込みます。"),
    ("XS_ClearFindings", "注記クリア", "「検証」で付けた色とメモを取り除きます。"),
    ("XS_Rollup", "集計", "このブックと同じフォルダのシートをまとめて集計ブックを作ります。"),
    ("XS_CarryForward", "新年度作成", "このブックから新年度のブックを作ります（報告欄は空に）。"),
]
CONF = [
    ("Interpreter_Win", "", "空欄なら PATH の python。例: C:\\Users\\<名前>\\AppData\\Local\\Programs\\Python\\Python311\\pythonw.exe"),
    ("Interpreter_Mac", "", "Mac の python のパス"),
    ("PYTHONPATH", "", "追加の検索パス（通常は空欄）"),
    ("UDF Modules", "xlsheets.excel", "ワークシート関数 XS_TARGET / XS_RATE / XS_GRADE"),
    ("Debug UDFs", "False", ""),
    ("Use UDF Server", "False", ""),
    ("Show Console", "False", ""),
]
ROW_HEIGHTS = {1: 28.0, 2: 18.0, 3: 12.0}
GAP, BUTTON_ROW = 12.0, 34.0


def button_row(i: int) -> int:
    return 4 + i * 2


def _row_top(row: int) -> float:
    """Points from the top of the sheet to the top of a row of the 操作 sheet."""
    heights = {**ROW_HEIGHTS, **{button_row(i): BUTTON_ROW for i in range(len(BUTTONS))}}
    return sum(heights.get(r, GAP) for r in range(1, row))


R_NS = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _sheets(base: Path) -> None:
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from xlsheets.interchange import LONG_COLUMNS
    from xlsheets.template import templates_dir

    wb = load_workbook(templates_dir() / "重点目標管理シート_2024.xlsx")
    ops = wb.create_sheet("操作", 0)
    ops.sheet_view.showGridLines = False
    ops.column_dimensions["A"].width = 4
    ops.column_dimensions["B"].width = 20
    ops.column_dimensions["C"].width = 90
    ops["B1"] = "xlsheets　重点目標管理シートの操作"
    ops["B1"].font = Font(name="ＭＳ 明朝", size=16, bold=True)
    ops["B2"] = "ボタンを押すと、開いているシートに対して実行します。結果はメッセージで表示します。"
    for r in range(1, 25):  # fixed heights, so that the buttons sit on their rows
        ops.row_dimensions[r].height = ROW_HEIGHTS.get(r, GAP)
    for i, (_macro, caption, help_text) in enumerate(BUTTONS):
        r = button_row(i)
        ops.cell(r, 3).value = f"【{caption}】 {help_text}"
        ops.cell(r, 3).alignment = Alignment(vertical="center", wrap_text=True)
    for i in range(len(BUTTONS)):
        ops.row_dimensions[button_row(i)].height = BUTTON_ROW
    ops["B18"] = "ワークシート関数: =XS_TARGET(数値目標)　=XS_RATE(数値目標, 報告)　=XS_GRADE(達成率)"
    ops.page_setup.paperSize = ops.PAPERSIZE_A4
    ops.page_setup.orientation = "landscape"
    ops.page_setup.fitToWidth = 1
    ops.page_setup.fitToHeight = 1
    ops.sheet_properties.pageSetUpPr.fitToPage = True
    ops.print_area = "A1:C19"
    inp = wb.create_sheet("入力", 1)
    for j, (_key, header) in enumerate(LONG_COLUMNS, start=1):
        c = inp.cell(1, j, header)
        c.font = Font(name="ＭＳ 明朝", bold=True)
        c.fill = PatternFill("solid", fgColor="FFDDEBF7")
        inp.column_dimensions[c.column_letter].width = 16
    inp.freeze_panes = "A2"
    conf = wb.create_sheet("xlwings.conf")
    for i, (key, value, note) in enumerate(CONF, start=1):
        conf.cell(i, 1, key)
        conf.cell(i, 2, value)
        conf.cell(i, 3, note)
    conf.column_dimensions["A"].width = 18
    conf.column_dimensions["B"].width = 30
    wb.active = 0
    wb.save(base)


def _add_vba(xlsm: Path) -> None:
    import xlwings
    from pyopenvba import ExcelFile, VBAModuleKind

    src = ExcelFile(Path(xlwings.__file__).parent / "quickstart_standalone.xlsm")
    book = ExcelFile(xlsm)
    book.add_vba_project()
    project = book.vba_project()
    project.add_module("xlwings", src.get_module("xlwings"))
    project.add_module("Dictionary", src.get_module("Dictionary"), kind=VBAModuleKind.other)
    project.add_module("xlsheets", BAS.read_text(encoding="ascii"))
    book.save()


def _add_buttons(xlsm: Path, out: Path) -> None:
    from pyopenvba.apps.excel import ExcelApplication

    app = ExcelApplication.open(xlsm)
    sheet = app.sheet("操作")
    for i, (macro, caption, _help) in enumerate(BUTTONS):
        sheet.add_button(name=f"btn{macro}", left=26, top=_row_top(button_row(i)) + 2, width=100,
                         height=BUTTON_ROW - 4, text=caption, macro=macro)
    app.save(out)


def _fix_package(path: Path, out: Path) -> None:
    """A macro-enabled workbook's content type, and the r: namespace on every sheet that uses it."""
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in sorted(zin.infolist(), key=lambda i: i.filename):
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(XLSX_MAIN, XLSM_MAIN)
            elif info.filename.startswith("xl/worksheets/sheet") and b"r:id" in data:
                m = re.search(rb"<worksheet\b[^>]*>", data)
                if m and b"xmlns:r=" not in m.group(0):
                    data = data[: m.end() - 1] + b" " + R_NS + data[m.end() - 1:]
            info.date_time = (2024, 4, 1, 0, 0, 0)
            zout.writestr(info, data)


def build(out: Path = OUT) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.xlsx"
        _sheets(base)
        xlsm = Path(tmp) / "vba.xlsm"
        shutil.copy(base, xlsm)
        _add_vba(xlsm)
        buttons = Path(tmp) / "buttons.xlsm"
        _add_buttons(xlsm, buttons)
        _fix_package(buttons, Path(tmp) / "final.xlsm")
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(tmp) / "final.xlsm", out)
    return out


if __name__ == "__main__":
    print("built", build())
