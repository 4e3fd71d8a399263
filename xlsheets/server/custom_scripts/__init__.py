"""xlwings Server custom scripts: each one line over xlsheets.excel (the desktop buttons' functions)."""

import xlwings as xw
from xlwings.server import script

import xlsheets.excel as x


@script
def xs_validate(book: xw.Book):
    """検証"""
    x.validate_sheet(book)


@script
def xs_achievement(book: xw.Book):
    """達成率計算"""
    x.compute_achievement(book)


@script
def xs_clear(book: xw.Book):
    """注記クリア"""
    x.clear_findings(book)


@script
def xs_rollup(book: xw.Book):
    """集計（開いているブックに「集計」シートを追加）"""
    x.rollup_sheet(book)


@script
def xs_carry_forward(book: xw.Book):
    """新年度作成（開いているブックに「新年度入力」シートを追加）"""
    x.carry_forward_sheet(book)
