"""達成率 and 判定: the seeds' own numbers, rounding and grade settings."""

from __future__ import annotations

import json

import pytest

from xlsheets.rates import (
    EMPTY_REPORT,
    NO_RESULT,
    NO_TARGET,
    UNIT_MISMATCH,
    Settings,
    achievement,
    load_settings,
    settings_from_sheet,
)
from xlsheets.samples import sample_dict


def test_fy2020_goal4_item2_final_rates_are_80_116_106_106():
    item = sample_dict("fy2020")["goals"][3]["items"][1]
    rates = [achievement(s["target"], s["final"]).rate for s in item["subitems"]]
    assert rates == [80, 116, 106, 106]


@pytest.mark.parametrize(
    ("target", "result", "rate", "grade"),
    [
        ("被保護者30人以上の受診", "被保護者 20名受診（達成率 66%）", 66, "△"),  # the seeds floor: 20/30 → 66
        ("就労による自立ケースを10件", "9件自立", 90, "○"),
        ("被保護者40人以上の受診", "29人受診", 72, "△"),
        ("目標調達額：8,000千円", "目標達成額（3,557千円）", 44, "×"),
        ("165か所で実施", "156か所中99か所で実施", 60, "△"),
        ("生活保護受給者、生活困窮者の15名に実施。", "生活保護受給者2名、生活困窮者18名に実施。", 133, "◎"),
        ("5名に対し実施。", "受給世帯3名（小6 2名、中3 1名）、困窮世帯4名の合計7名に対し実施。", 140, "◎"),
        ("訪問1か所・通所5か所で実施", "訪問3か所・通所5か所", 100, "◎"),
        ("研修会2回開催、状況確認・助言指導各2回×10地区", "研修会1回開催 状況確認・助言指導1回×10地区", 50, "△"),
        ("新たに20か所開設", "新規開設なし。", 0, "×"),
        ("事故件数を4件以下に削減", "事故 5件", 80, "○"),
        ("寄付30万円", "寄付 450,000円", 150, "◎"),
        ("3か所以上", "令和6年4月に1か所、10月に2か所開設（計3か所）", 100, "◎"),
        ("申請から交付まで平均10日以内", "平均12日", 83, "○"),
        ("満足度80%以上", "アンケートの満足度は85.2%（回答数120人）", 106, "◎"),
        ("空き家バンク登録 30件", "新規登録12件（累計58件）", 40, "×"),  # 累計 counts past years: not the total
        ("待機児童0人", "0人", 100, "◎"),  # a zero target: nothing above zero
        ("待機児童0人", "3人", 0, "×"),
        ("満足度4.0以上", "満足度3.8", 95, "○"),  # a level without a unit, but with its limit
        ("ごみ排出量 1人1日当たり800g以下", "1人1日当たり 780g", 102, "◎"),
        ("15件", "目標15件に対し12件", 80, "○"),  # the restated target is not part of the amount
        ("15件", "計画15件、実績12件", 80, "○"),
        ("15件", "12件/15件", 80, "○"),  # after the slash: the base
        ("10回", "8/10回実施", 80, "○"),  # not August 10th: 8 of 10 times
        ("新規登録者 50人", "新規30人、累計450人", 60, "△"),  # 累計 counts past years
        ("登録者数 累計500人", "累計520人", 104, "◎"),  # unless the target is cumulative too
        ("相談1,200件", "前年度1,100件、今年度1,250件", 104, "◎"),
    ],
)
def test_rates(target, result, rate, grade):
    a = achievement(target, result)
    assert (a.rate, a.grade) == (rate, grade)


@pytest.mark.parametrize(
    ("target", "result", "status"),
    [
        ("方向性の検討", "検討した", NO_TARGET),
        ("6回以上開催", "", EMPTY_REPORT),
        ("加入者数300人", "保険内容を決定し、契約保険会社を選定中。", NO_RESULT),
        ("市・全包括に導入。検査人数1,500人", "検査数125件。", UNIT_MISMATCH),
        ("訪問5回", "相談10件", UNIT_MISMATCH),  # 「10件」 is no 「0件」 (none)
    ],
)
def test_no_rate_comes_with_a_reason(target, result, status):
    a = achievement(target, result)
    assert a.rate is None and a.status == status and a.reason and a.grade == "－"


def test_rounding_and_bands_are_configurable():
    assert achievement("30人", "20人", Settings(rounding="round")).rate == 67
    assert achievement("30人", "20人", Settings(rounding="ceil")).rate == 67
    custom = Settings(bands=((90, "A"), (60, "B")), below="C")
    assert [custom.grade(r) for r in (95, 90, 70, 10, None)] == ["A", "A", "B", "C", "－"]


def test_settings_from_a_sheet_and_a_file(tmp_path):
    s = settings_from_sheet([["端数処理", "四捨五入"], ["◎", 100], ["○", 70], ["未達", "✕"]])
    assert s.rounding == "round" and s.grade(75) == "○" and s.grade(10) == "✕"
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"rounding": "切り上げ", "bands": [[100, "達成"]], "below": "未達成"}), encoding="utf-8")
    s = load_settings(p)
    assert s.rounding == "ceil" and s.grade(100) == "達成" and s.grade(99) == "未達成"


def test_a_settings_file_from_notepad_with_a_bom_is_read(tmp_path):
    """The file may use the keys of the xlsheets設定 sheet, as a person would copy them."""
    p = tmp_path / "設定.json"
    p.write_bytes('{"端数処理": "四捨五入", "◎": 90, "○": 70, "△": 40}'.encode("utf-8-sig"))
    s = load_settings(p)
    assert (s.grade(92), s.grade(75), s.grade(45), s.grade(10), s.rounding) == ("◎", "○", "△", "×", "round")


@pytest.mark.parametrize(("name", "content", "says"), [
    ("bad.json", "{bad", "設定ファイルを読めません"),
    ("bad.yaml", "a: [", "設定ファイルを読めません"),
    ("list.json", "[1, 2]", "設定ファイルの形が違います"),
    ("missing.json", None, "設定ファイルが見つかりません"),
    ("odd.json", '{"丸め": "切り上げ"}', "設定ファイルの項目が不明です"),
])
def test_a_broken_settings_file_gets_a_clear_message(tmp_path, name, content, says):
    from xlsheets.errors import XlsheetsError

    p = tmp_path / name
    if content is not None:
        p.write_text(content, encoding="utf-8")
    with pytest.raises(XlsheetsError, match=says):
        load_settings(p)
