"""達成率 and 判定: the seeds' own numbers, rounding and grade settings."""

from __future__ import annotations

import json

import pytest

from xlsheets.rates import (
    AMBIGUOUS,
    EMPTY_REPORT,
    MEASURE_MISMATCH,
    NO_RESULT,
    NO_TARGET,
    UNIT_MISMATCH,
    achievement,
)
from xlsheets.samples import sample_dict
from xlsheets.settings import Settings, load_settings, settings_from_sheet


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
        # the confident wrong rates
        ("道路改良事業費 2億5,000万円", "執行額 2億4,000万円", 96, "○"),
        ("現状30件→目標40件", "38件", 95, "○"),
        ("登録者数 600人（累計）", "累計640人（今年度新規70人）", 106, "◎"),
        ("年4回開催", "3回開催、1回は中止", 75, "△"),
        ("年四回", "4回開催", 100, "◎"),
        ("苦情ゼロ件", "苦情0件", 100, "◎"),
        ("苦情ゼロを維持", "苦情なし", 100, "◎"),
        ("苦情ゼロを維持", "苦情2件", 0, "×"),
        ("受診率 7割以上", "受診率 72%", 102, "◎"),
        ("満足度 4.0以上（10点満点）", "満足度4.2", 105, "◎"),
        # settled: totals, parts, breakdowns, periods, dates
        ("30回", "計30回（10地区×3回）", 100, "◎"),
        ("12回", "4地区×3回開催", 100, "◎"),
        ("月20件", "年間240件（月20件）", 100, "◎"),
        ("相談 100件", "相談120件、うち訪問30件", 120, "◎"),
        ("新規相談 150件", "相談 320件、うち新規 140件", 93, "○"),
        ("交付 40件", "申請50件、交付45件", 112, "◎"),
        ("3か所", "4月に1か所、10月に2か所開設", 100, "◎"),
        ("年24回", "上期 12回、下期 14回", 108, "◎"),
        ("説明会 5回", "説明会を5回予定していたが3回開催", 60, "△"),
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


@pytest.mark.parametrize(("target", "result"), [
    ("100件", "申請50件、交付45件"),  # the sum, or one of them?
    ("ゲートキーパー養成 100人", "養成 40人、80人"),
    ("延べ1,500人", "9月末時点で 700人、3月末時点で 1,480人"),  # running counts, not parts
    ("研修 年3回", "6月、9月、12月に各1回開催"),  # per month of a list
    ("森林整備 120ha", "間伐 80ha、植林 30ha"),
])
def test_amounts_that_combine_more_than_one_way_give_no_rate(target, result):
    a = achievement(target, result)
    assert (a.rate, a.status, a.grade) == (None, AMBIGUOUS, "－") and len(a.ambiguous) >= 1
    assert a.evidence.startswith("実績の候補 ")


@pytest.mark.parametrize(("target", "result", "line"), [
    ("20回以上", "計22回", "実績 22回（計22回） ÷ 目標 20回（20回以上）"),
    ("道路改良事業費 2億5,000万円", "執行額 2億4,000万円",
     "実績 240,000,000円（執行額 2億4,000万円） ÷ 目標 250,000,000円（道路改良事業費 2億5,000万円）"),
    ("事故件数を4件以下に削減", "事故 5件", "目標 4件（事故件数を4件以下） ÷ 実績 5件（事故 5件）"),
    ("生活保護受給者、生活困窮者の15名に実施。", "生活保護受給者2名、生活困窮者18名に実施。",
     "実績 20人（生活保護受給者2名＋生活困窮者18名） ÷ 目標 15人（生活困窮者の15名）"),
    ("新たに20か所開設", "新規開設なし。", "実績 0か所（なし） ÷ 目標 20か所（新たに20か所）"),
])
def test_every_rate_carries_the_amounts_and_words_it_came_from(target, result, line):
    a = achievement(target, result)
    assert a.rate is not None and a.evidence == line
    d = a.evidence_dict()
    assert d["evidence"] == line and d["components"][0]["target"]["text"] and d["status"] == "ok"


@pytest.mark.parametrize(("exact_of", "stated", "rounding", "mismatch"), [
    (("30人", "20人"), "66", "floor", False), (("30人", "20人"), "67", "floor", False),  # 66.67: either way
    (("30人", "20人"), "66.6", "round", False), (("30人", "20人"), "66.7", "round", False),
    (("30人", "20人"), "65", "floor", True), (("30人", "20人"), "68", "ceil", True),
    (("30人", "20人"), "66.5", "round", True),  # a decimal is held to its own precision
])
def test_a_stated_rate_may_be_cut_down_or_rounded_up_at_its_precision(exact_of, stated, rounding, mismatch):
    from xlsheets.rates import stated_rate_mismatch

    a = achievement(exact_of[0], f"{exact_of[1]}（達成率 {stated}%）", Settings(rounding=rounding))
    assert (stated_rate_mismatch(a) is not None) == mismatch


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


# ---------------------------------------------------------------- never another number
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KANJI = "〇一二三四五六七八九"


def _kanji(n: int) -> str:
    """12 → 十二, 35 → 三十五 (1–99)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _KANJI[tens]) + "十" if tens else "") + (_KANJI[ones] if ones else "")


def _written(n: int, kanji: bool) -> str:
    return _kanji(n) if kanji and 0 < n < 100 else f"{n:,}"


_UNITS = ["回", "件", "人", "か所", "施設", "㎡", "m", "路線", "便", "t"]
_NOISE = [
    lambda u, d: f"（R6.{d(st.integers(4, 12))}.{d(st.integers(1, 28))}）",
    lambda u, d: f"{d(st.integers(1, 12))}月に",
    lambda u, d: f"第{d(st.integers(1, 9))}回",
    lambda u, d: f"（達成率 {d(st.integers(1, 300))}%）",
    lambda u, d: f"（前年度 {d(st.integers(1, 900))}{u}）",
    lambda u, d: "（N=300）",
    lambda u, d: "（10点満点）",
    lambda u, d: f"、{d(st.integers(1, 9))}{u}は中止",
    lambda u, d: f"、{d(st.integers(1, 9))}{u}は次年度に延期",
    lambda u, d: f"、ほか{d(st.integers(1, 9))}{u}は準備中",
]


@st.composite
def _report(draw):
    """(target, report, true amount): a report built from parts whose amount is known."""
    unit = draw(st.sampled_from(_UNITS))
    target = draw(st.integers(1, 5000))
    amount = draw(st.integers(0, 5000))
    kanji = draw(st.booleans())
    label = draw(st.sampled_from(["", "実績", "計", "合計", "延べ", "参加者"]))
    head = f"{label}{_written(amount, kanji)}{unit}"
    if amount and draw(st.booleans()):  # a part of it: 「、うち新規3件」 or a breakdown in brackets
        part = draw(st.integers(0, amount))
        head += draw(st.sampled_from([f"、うち新規{part}{unit}", f"（うち新規{part}{unit}）",
                                      f"（{part}地区×{draw(st.integers(1, 9))}{unit}）"]))
    noise = [draw(st.sampled_from(_NOISE))(unit, draw) for _ in range(draw(st.integers(0, 3)))]
    cut = draw(st.integers(0, len(noise)))
    report = "".join(f"{n}。" for n in noise[:cut]) + head + "".join(noise[cut:])
    return f"{_written(target, draw(st.booleans()))}{unit}以上", report, target, amount


@settings(max_examples=300, deadline=None)
@given(_report())
def test_a_rate_is_the_right_one_or_absent_never_another_number(case):
    target_text, report, target, amount = case
    a = achievement(target_text, report)
    assert a.rate is None or a.rate == amount * 100 // target, (target_text, report, a.evidence)


def test_validate_and_read_json_carry_the_evidence(fy2020, tmp_path):
    from click.testing import CliRunner

    from xlsheets.cli import main
    from xlsheets.ops import achieve_file

    res = CliRunner().invoke(main, ["validate", str(fy2020), "--format", "json"])
    doc = json.loads(res.output)
    found = {(a["sheet"][:1], a["cell"]): a for a in doc["files"][0]["achievements"]}
    h13 = found[("4", "H13")]
    assert (h13["rate"], h13["evidence"]) == (106, "実績 90.7％（使用割合 90.7%） ÷ 目標 85％（使用割合85%以上）")
    assert h13["components"][0]["actual"] == {"value": 90.7, "unit": "％", "text": "使用割合 90.7%"}
    achieved = achieve_file(fy2020, tmp_path / "a.xlsx").path
    read = json.loads(CliRunner().invoke(main, ["read", str(achieved), "--format", "json"]).output)
    sub = read["goals"][3]["items"][1]["subitems"][2]
    assert sub["achievement"]["final"] == {"rate": 106, "grade": "◎", "evidence": h13["evidence"]}


# ---------------------------------------------------------------- what a report's amount measures

@pytest.mark.parametrize(("target", "result", "rate", "says"), [
    # units convert within their dimension, and the evidence says so
    ("自転車道の整備 1km", "整備延長 950m", 95, "実績 0.95km（整備延長 950m）"),
    ("待ち時間 2時間以内", "平均 90分", 133, "目標 2時間（待ち時間 2時間以内） ÷ 実績 1.5時間（平均 90分）"),
    ("現場到着 平均7分以内", "平均 6分40秒", 105, "実績 6.67分（平均 6分40秒）"),
    ("森林整備 3ha", "整備 28,000㎡", 93, "実績 2.8ha（整備 28,000m2）"),  # quoted as normalised (NFKC)
    ("基金 0.3億円", "積立 2,400万円", 80, "実績 24,000,000円（積立 2,400万円）"),
    # shares
    ("女性委員の割合 4分の1以上", "女性委員 30％", 120, ""),
    ("参加率 半数以上", "対象20件中17件で実施", 170, "実績 85％"),
    ("受診率 50％", "300件／400件", 150, ""),
    ("高齢者の5人に1人が参加", "4人に1人が参加", 125, ""),
    # a multiplier, a condition, a comparator
    ("出前講座 5校で各3回", "4校で各3回、1校で2回", 93, ""),
    ("30日以内の回答率 90％以上", "30日以内の回答率 93.5％", 103, ""),
    ("待機児童数 10人を下回る", "待機児童 8人", 125, ""),
    # what the report's amount is
    ("相談 50件", "目標30件のうち27件を実施", 54, ""),
    ("相談 60件", "目標60件まであと3件の57件", 95, ""),
    ("相談 50件", "12月末で40件（年度末見込み 55件）", 80, ""),
    ("受診率 50％", "受診率 48％（全国平均 52％）", 96, ""),
])
def test_a_report_amount_is_taken_when_it_measures_what_the_target_measures(target, result, rate, says):
    a = achievement(target, result)
    assert a.rate == rate, (a.status, a.reason, a.evidence)
    assert says in a.evidence


@pytest.mark.parametrize(("target", "result", "why"), [
    ("来館者 1日平均 80人以上", "令和6年度の来館者は年間24,000人", "目標は1日平均、報告は年間の値"),
    ("平均待ち時間 30分以内", "最長 60分", "目標は平均、報告は最大の値"),
    ("延べ 500人", "実人数 120人", "目標は延べ、報告は実人数・実数の値"),
    ("登録者 600人（累計）", "今年度 70人", "目標は累計、報告は今年度の新規の値"),
    ("申請から交付まで 7日以内", "受付から審査まで 5日", "目標は申請から交付まで、報告は受付から審査までの値"),
    ("断水 1回当たり4時間以内", "断水時間 計19時間", "目標は1回当たりの値、報告は合計（計19時間）"),
    ("自殺死亡率（人口10万人当たり）15以下", "人口10万対 14.2（1日当たり 0.3人）", ""),
    ("電子納付 8,000件", "電子納付は月700件前後で推移", "目標は年間（期間全体）の値、報告は1か月当たりの値"),
])
def test_an_amount_that_measures_something_else_gives_no_rate_and_says_what_differs(target, result, why):
    a = achievement(target, result)
    if why:
        assert (a.rate, a.status, a.reason) == (None, MEASURE_MISMATCH, why)
    else:  # the 10万 of 「人口10万対」 is the basis, 14.2 the rate
        assert a.rate == 105


@pytest.mark.parametrize(("target", "result"), [
    ("住民健診の受診者 3,000人", "受診者 約2,900〜3,100人"),  # a range is not one amount
    ("来場者 8,000人", "来場者 8千人超"),  # a bound is not one amount
    ("出展 60団体", "出展 約60団体（最終確認中、58〜62団体）"),
    ("乗合タクシー利用者 年間1万2千人", "第1四半期 2,800人、第2四半期 3,100人、第3四半期 3,000人"),  # not the year
    ("住宅相談 年240件", "4月 22件、5月 18件、6月 20件"),
    ("ISO 9001 の認証取得 1件", "ISO 9001 認証を取得"),  # 9001 names the standard
])
def test_what_is_not_one_actual_amount_gives_no_rate(target, result):
    assert achievement(target, result).rate is None


def test_a_negative_result_gives_no_rate_and_says_so():
    a = achievement("転入超過数 200人", "▲35人（転出超過）")
    assert (a.rate, a.status) == (None, NO_RESULT) and "▲35人" in a.reason
    assert achievement("合計特殊出生率 1.50以上", "1.38（R5）").rate == 92  # a decimal, not a date


def test_unplanned_amounts_of_a_report_that_says_nothing_was_done_give_zero():
    a = achievement("交流会 10か所", "未実施（3月に10か所で実施予定）")
    assert (a.rate, a.grade) == (0, "×")


_DIFFERENT = [  # (target qualifier, an amount's words that measure something else, the same)
    ("1日平均", "年間", "1日平均"), ("平均", "最長", "平均"), ("延べ", "実人数", "延べ"),
    ("月", "年間", "月"), ("累計", "前年度", "累計"),
]


@st.composite
def _qualified(draw):
    """(target, report, the rate of the agreeing amount or None): a report holding an amount whose qualifier
    differs from the target's, noise, and maybe an amount with the target's own qualifier."""
    own, other, same = draw(st.sampled_from(_DIFFERENT))
    unit = draw(st.sampled_from(["人", "件", "回"]))
    level = draw(st.integers(10, 900))
    wrong = draw(st.integers(1, 90000))
    parts = [f"{other}{wrong:,}{unit}"]
    right = draw(st.one_of(st.none(), st.integers(1, 2000)))
    if right is not None:
        parts.append(f"{same}{right:,}{unit}")
    parts += [n(unit, draw) for n in draw(st.lists(st.sampled_from(_NOISE[:4]), max_size=2))]
    parts = draw(st.permutations(parts))
    target = f"{own}{level}{unit}" if own != "累計" else f"登録者 {level}{unit}（累計）"
    return target, "、".join(parts), None if right is None else right * 100 // level


@settings(max_examples=300, deadline=None)
@given(_qualified())
def test_an_amount_whose_qualifier_differs_from_the_targets_is_never_the_result(case):
    target, report, rate = case
    a = achievement(target, report)
    assert a.rate is None or a.rate == rate, (target, report, a.evidence)
