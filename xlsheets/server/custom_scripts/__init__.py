"""xlwings Server custom scripts: the Office.js buttons (xlsheets.officejs), and 集計 into a sheet."""

import xlwings as xw
from xlwings.server import script

import xlsheets.excel as x
from xlsheets.officejs import xs_achievement, xs_carry_forward, xs_clear, xs_validate


@script
def xs_rollup(book: xw.Book):
    """集計（開いているブックに「集計」シートを追加）"""
    x.rollup_sheet(book)


__all__ = ["xs_achievement", "xs_carry_forward", "xs_clear", "xs_rollup", "xs_validate"]
