"""The city's order of departments (部局順): from the xlsheets設定 sheet or a settings file, else
natural order (第2部 before 第10部, then the reading order Japanese Excel sorts by)."""

from __future__ import annotations

import json

import pytest
from openpyxl import Workbook

from xlsheets.errors import XlsheetsError
from xlsheets.settings import Settings, load_settings, order_departments, settings_from_sheet


def test_without_a_list_numbers_in_names_sort_by_value():
    names = ["第100部", "第10部", "第19部", "第1部", "第20部", "第2部"]
    assert order_departments(names) == ["第1部", "第2部", "第10部", "第19部", "第20部", "第100部"]


def test_without_a_list_names_sort_in_the_reading_order_excel_uses():
    # 企画(き) 教育(きょう) 市民(し) 消防(しょう) 総務(そう) 福祉(ふく): JIS order is reading order for these kanji
    names = ["福祉部", "消防本部", "総務部", "市民部", "教育委員会事務局", "企画部"]
    assert order_departments(names) == ["企画部", "教育委員会事務局", "市民部", "消防本部", "総務部", "福祉部"]
    # kana before kanji, ひらがな and カタカナ read alike (ひらがな first when they tie), full-width digits as digits
    assert order_departments(["あさひ課", "第２部", "アサヒ課", "いろは課"]) == ["あさひ課", "アサヒ課", "いろは課", "第２部"]


def test_the_citys_list_comes_first_and_the_others_follow_in_natural_order():
    names = ["第10部", "福祉部", "第2部", "総務部", "市民部"]
    order = Settings(departments=("福祉部", "総務部"))
    assert order_departments(names, order) == ["福祉部", "総務部", "市民部", "第2部", "第10部"]
    # spaces and full-width letters do not keep a name from its place in the list
    assert order_departments(["総務部", "福祉部\u3000"], ["福祉部", "総務部"]) == ["福祉部\u3000", "総務部"]


def test_the_settings_sheet_lists_departments_across_a_row_or_down_column_b():
    across = settings_from_sheet([["端数処理", "四捨五入"], ["部局順", "総務部", "企画部", "福祉部"]])
    down = settings_from_sheet([["部局順", "総務部"], [None, "企画部"], [None, "福祉部"], ["◎", 100]])
    assert across.departments == down.departments == ("総務部", "企画部", "福祉部")
    assert across.rounding == "round" and down.grade(100) == "◎"


@pytest.mark.parametrize("name, content", [
    ("s.json", json.dumps({"部局順": ["総務部", "企画部", "福祉部"]}, ensure_ascii=False)),
    ("s.json", json.dumps({"部局順": "総務部、企画部、福祉部"}, ensure_ascii=False)),
    ("s.yaml", "部局順:\n  - 総務部\n  - 企画部\n  - 福祉部\n"),
    ("s.json", json.dumps({"departments": ["総務部", "企画部", "福祉部"]})),
])
def test_a_settings_file_gives_the_order_like_the_other_settings(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    assert load_settings(p).departments == ("総務部", "企画部", "福祉部")


def test_a_workbook_with_a_settings_sheet_is_a_settings_file(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "xlsheets設定"
    for row in (["部局順", "総務部"], [None, "福祉部"], ["端数処理", "切り上げ"]):
        ws.append(row)
    wb.save(tmp_path / "設定.xlsx")
    s = load_settings(tmp_path / "設定.xlsx")
    assert s.departments == ("総務部", "福祉部") and s.rounding == "ceil"
    Workbook().save(tmp_path / "other.xlsx")
    with pytest.raises(XlsheetsError, match="xlsheets設定」シートがありません"):
        load_settings(tmp_path / "other.xlsx")


def test_an_unknown_key_names_the_order_among_the_keys_one_may_use(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"部署順": ["総務部"]}, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(XlsheetsError, match="部局順"):
        load_settings(p)
