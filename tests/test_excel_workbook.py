"""The ready xlsheets.xlsm: buttons call subs that exist, the embedded xlwings matches, names intact."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import xlwings
from click.testing import CliRunner
from openpyxl import load_workbook
from pyopenvba import ExcelFile

from xlsheets import layout as L
from xlsheets.cli import main

ROOT = Path(__file__).resolve().parent.parent
XLSM = ROOT / "macros" / "xlsheets.xlsm"
BAS = ROOT / "macros" / "xlsheets.bas"


def test_every_button_calls_a_sub_of_the_module():
    with zipfile.ZipFile(XLSM) as zf:
        vml = zf.read("xl/drawings/vmlDrawing1.vml").decode("utf-8")
        assert b"macroEnabled.main" in zf.read("[Content_Types].xml")
    macros = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    assert len(macros) == 6
    module = ExcelFile(XLSM).get_module("xlsheets")
    subs = set(re.findall(r"^Sub (\w+)\(\)", module, re.M))
    assert set(macros) <= subs
    for sub in subs:
        call = re.search(rf"Sub {sub}\(\)\s+RunPython \"import xlsheets.excel as x; x\.(\w+)\(\)\"", module)
        assert call, sub
        import xlsheets.excel as x

        assert callable(getattr(x, call.group(1)))


def test_bas_is_ascii_and_matches_the_embedded_module():
    text = BAS.read_bytes()
    text.decode("ascii")  # Japanese Windows reads .bas files as cp932
    embedded = ExcelFile(XLSM).get_module("xlsheets").replace("\r\n", "\n").strip()
    assert embedded == text.decode("ascii").replace("\r\n", "\n").strip()


def test_embedded_xlwings_is_the_installed_version():
    src = ExcelFile(XLSM).get_module("xlwings")
    version = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', src).group(1)
    assert version == xlwings.__version__


def test_conf_sheet_and_template_names():
    wb = load_workbook(XLSM, keep_vba=True)
    assert wb.sheetnames[:2] == ["操作", "入力"] and "xlwings.conf" in wb.sheetnames
    keys = {r[0].value for r in wb["xlwings.conf"].iter_rows() if r[0].value}
    assert {"Interpreter_Win", "UDF Modules", "PYTHONPATH"} <= keys
    goal = wb[L.GOAL_SHEET]
    assert {L.N_TITLE, L.N_BODY, *L.N_COLS.values()} <= set(goal.defined_names)
    assert L.N_COVER_TITLE in wb[L.COVER_SHEET].defined_names


def test_excel_setup_copies_the_workbook_and_prints_the_steps(tmp_path):
    res = CliRunner().invoke(main, ["excel-setup", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "xlsheets.xlsm").read_bytes() == XLSM.read_bytes()
    assert "信頼できる場所" in res.output
    again = CliRunner().invoke(main, ["excel-setup", str(tmp_path)])
    assert again.exit_code == 2 and "--force" in again.output


def test_the_build_script_reproduces_the_committed_workbook(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_xlsm", ROOT / "scripts" / "build_xlsm.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    fresh = mod.build(tmp_path / "fresh.xlsm")
    a, b = ExcelFile(XLSM), ExcelFile(fresh)
    assert a.module_names() == b.module_names()
    assert all(a.get_module(m) == b.get_module(m) for m in ("xlwings", "xlsheets"))
    wa, wb = load_workbook(XLSM), load_workbook(fresh)
    assert [[c.value for c in r] for r in wa["操作"].iter_rows()] == [[c.value for c in r] for r in wb["操作"].iter_rows()]
