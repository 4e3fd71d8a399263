"""The 数値目標 grammar, on real phrasings from the seeds and on arbitrary text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsheets.grammar import parse_target, scan

# text → (value, unit, comparator, number of components); None when no level is stated
GOLDEN = [
    ("被保護者40人以上の受診", (40, "人", ">=", 1)),
    ("目標調達額：8,000千円", (8_000_000, "円", ">=", 1)),
    ("就労による自立ケース15件", (15, "件", ">=", 1)),
    ("生活保護受給者、生活困窮者の15名に実施。", (15, "人", ">=", 1)),
    ("使用割合85%以上 ※国目標80%", (85, "％", ">=", 1)),
    ("現年度分：収納率45％以上", (45, "％", ">=", 1)),
    ("訪問3か所・通所5か所で実施", (3, "か所", ">=", 2)),
    ("研修会2回開催、状況確認・助言指導各2回×10地区", (2, "回", ">=", 2)),
    ("通いの場　7ヵ所で実施（高齢者介護課実施分）", (7, "か所", ">=", 1)),
    ("地域リハ　185か所", (185, "か所", ">=", 1)),
    ("開催回数37回（初心者向け６回、脳トレ・運動中心20回、経験者向け11回）", (37, "回", ">=", 1)),
    ("拠点委員会の開催(年3回以上)", (3, "回", ">=", 1)),
    ("情報更新自治会　60", (60, "自治会", ">=", 1)),
    ("庁舎内での販売機会提供及び事業内容の紹介（10事業所以上）", (10, "事業所", ">=", 1)),
    ("生活保護受給世帯、生活困窮世帯の小学4年生から中学3年生、5名に対し実施。", (5, "人", ">=", 1)),
    ("養成人数1,500人", (1500, "人", ">=", 1)),
    ("年10回", (10, "回", ">=", 1)),
    ("待機児童数を5人未満に抑制", (5, "人", "<", 1)),
    ("事故件数を3件以下に削減", (3, "件", "<=", 1)),
    ("処理日数10日以内", (10, "日", "<=", 1)),
    ("参加者100人を超える", (100, "人", ">", 1)),
    ("利用率50％超", (50, "％", ">", 1)),
    ("予算1.5億円", (150_000_000, "円", ">=", 1)),
    ("寄付30万円", (300_000, "円", ">=", 1)),
    ("約200世帯を訪問", (200, "世帯", ">=", 1)),
    ("来場者1万人以上", (10_000, "人", ">=", 1)),
    ("相談3千件", (3_000, "件", ">=", 1)),
    ("来場者1.5万人", (15_000, "人", ">=", 1)),  # not January 5th
    ("研修受講者　各課1名以上（計20名）", (20, "人", ">=", 1)),  # the total, not the per-section level
    ("補助金2.5万円以内", (25_000, "円", "<=", 1)),
    ("R7年度末までに3件", (3, "件", ">=", 1)),
    ("月2回以上", (2, "回", ">=", 1)),
    ("待機児童0人", (0, "人", "<=", 1)),
    ("満足度4.0以上", (4.0, "", ">=", 1)),
    ("研修参加者100人、満足度4以上", (100, "人", ">=", 1)),
    ("概ね100", None),
    ("1日平均30件", (30, "件", ">=", 1)),  # 「1日」 is the per-unit, not the amount
    ("ごみ排出量 1人1日当たり800g以下", (800, "g", "<=", 1)),
    ("AED10台設置", (10, "台", ">=", 1)),
    ("A4用紙100枚", (100, "枚", ">=", 1)),  # 「A4」 names the paper
    ("CO2排出量を前年度比5%削減", None),  # 「CO2」 is a name; a change against last year is no level
    ("関係課連絡会議を年複数回実施", None),
    ("相談支援体制強化の検討及び支援調整会議を毎月開催", None),
    ("令和７年の民生委員一斉改選に向けた民生委員協力員制度の検討・実施", None),
    ("8月（一般、新任）", None),
    ("講習会の開催（5月、10月）", None),
    ("", None),
    # kanji numerals, alone and mixed
    ("健康教室 年四回", (4, "回", ">=", 1)),
    ("健診会場 六か所", (6, "か所", ">=", 1)),
    ("相談 二十人以上", (20, "人", ">=", 1)),
    ("訪問 三十五人", (35, "人", ">=", 1)),
    ("協力店舗 千二百店舗", (1200, "店舗", ">=", 1)),
    ("一部の地区で実施", None),  # 「一部」 is a word, not one copy
    ("十分な周知を行う", None),
    # compound amounts
    ("道路改良事業費 2億5,000万円", (250_000_000, "円", ">=", 1)),
    ("受診者 1万2千人", (12_000, "人", ">=", 1)),
    ("耐震補助 3千5百万円", (35_000_000, "円", ">=", 1)),
    # 割 → ％, 倍 its own unit, ゼロ
    ("受診率 7割以上", (70, "％", ">=", 1)),
    ("受診率 7割5分", (75, "％", ">=", 1)),
    ("利用件数 2倍", (2, "倍", ">=", 1)),
    ("苦情ゼロ件", (0, "件", "<=", 1)),
    ("苦情ゼロを維持", (0, "", "<=", 1)),
    # current → target
    ("現状30件→目標40件", (40, "件", ">=", 1)),
    ("現状値20％ 目標値25％", (25, "％", ">=", 1)),
    ("30件から40件に増加", (40, "件", ">=", 1)),
    # scales and sample sizes in brackets are not levels
    ("満足度 4.0以上（10点満点）", (4.0, "", ">=", 1)),
    ("満足度 4.0以上（5段階評価）", (4.0, "", ">=", 1)),
    ("満足度 80%以上（N=300）", (80, "％", ">=", 1)),
    ("満足度 80%以上（回答数250人）", (80, "％", ">=", 1)),
    # construction, environment and transport units
    ("８，５００㎡以上", (8500, "㎡", ">=", 1)),
    ("公園整備 1,200平方メートル", (1200, "㎡", ">=", 1)),
    ("500m以上", (500, "m", ">=", 1)),
    ("自転車道 2.5km", (2.5, "km", ">=", 1)),
    ("森林整備 120ha", (120, "ha", ">=", 1)),
    ("可燃ごみ 2万t以下に削減", (20_000, "t", "<=", 1)),
    ("長寿命化 5橋", (5, "橋", ">=", 1)),
    ("コミュニティバス 3路線", (3, "路線", ">=", 1)),
    ("デマンド交通 2系統", (2, "系統", ">=", 1)),
    ("バス増便 10便", (10, "便", ">=", 1)),
]


@pytest.mark.parametrize(("text", "want"), GOLDEN, ids=[t[:12] or "empty" for t, _ in GOLDEN])
def test_parse_target_golden(text, want):
    t = parse_target(text)
    if want is None:
        assert t is None
        return
    value, unit, comp, n = want
    assert (t.value, t.unit, t.comparator, len(t.components)) == (value, unit, comp, n)


def test_components_keep_their_labels():
    t = parse_target("訪問3か所・通所5か所で実施")
    assert [(c.label, c.value) for c in t.components] == [("訪問", 3), ("通所", 5)]
    t = parse_target("研修会2回開催、状況確認・助言指導各2回×10地区")
    assert [c.value for c in t.components] == [2, 20]


def test_lower_is_better_only_with_a_limit():
    assert parse_target("事故件数を3件以下に削減").lower_is_better
    assert not parse_target("20件削減").lower_is_better


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("R2.8.21に諮問", "dates", [("R2.8.21", True)]),
        ("R3.2.31に答申", "dates", [("R3.2.31", False)]),
        ("平成35年度に", "dates", [("平成35年度", False)]),
        ("申請 2/30 受付", "dates", [("2/30", False)]),
        ("9.1より事業開始。9.20現在28件実施。", "dates", [("9.1", True), ("9.20", True)]),
        ("(4/1~4/30、意見件数282件・34人)", "dates", [("4/1", True), ("4/30", True)]),
        ("H31.5.1から実施", "dates", [("H31.5.1", False)]),  # that day is 令和元年5月1日
        ("令和元年4月に開始", "dates", [("令和元年4月", False)]),  # 令和 began in May
        ("平成31年4月30日", "dates", [("平成31年4月30日", True)]),
        ("2025年3月末まで", "dates", [("2025年3月", True)]),  # a western month keeps its year
        ("満足度4.0以上", "dates", []),
        ("R6.4～R7.3", "dates", [("R6.4", True), ("R7.3", True)]),  # 令和6年4月から令和7年3月
        ("R6.13まで", "dates", [("R6.13", False)]),
        ("合計特殊出生率 1.38（R5）", "dates", []),  # a decimal, not the 38th of January
        ("9.31に開始", "dates", [("9.31", False)]),
    ],
)
def test_dates_are_found_and_checked(text, kind, expected):
    assert [(d.text, d.valid) for d in scan(text).dates] == expected


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("9.1より事業開始。9.20現在28件実施。", [(28, "件")]),
        ("就労による自立ケース 6件（達成率 40%）", [(6, "件")]),
        ("152か所中68か所で実施", [(68, "か所")]),
        ("(1) 4か所で実施 ②2件", [(4, "か所"), (2, "件")]),
        ("アクセス数2,219件→7,552件(対前年度比340.3%)", [(7552, "件")]),
        ("3/31現在の加入者数103人。広報1月号で周知", [(103, "人")]),
        ("約 50名", [(50, "人")]),
        ("第3回審議会 (11/25)", []),
        ("令和3年度から移管", []),
    ],
)
def test_scan_skips_what_is_not_an_amount(text, values):
    assert [(q.value, q.unit) for q in scan(text).quantities] == values


def test_stated_rates_are_read_but_not_counted():
    s = scan("使用割合 90.7%（達成率 112%）")
    assert [str(r) for r in s.stated_rates] == ["112"]
    assert [(q.value, q.unit) for q in s.quantities] == [(90.7, "％")]


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


@pytest.mark.parametrize("text", [t for t, _ in GOLDEN if t])
def test_fullwidth_and_halfwidth_give_the_same_target(text):
    half = unicodedata.normalize("NFKC", text)
    a, b = parse_target(half), parse_target(_fullwidth(half))
    assert (a and (a.value, a.unit, a.comparator)) == (b and (b.value, b.unit, b.comparator))


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_parse_target_never_raises(text):
    t = parse_target(text)
    assert t is None or t.comparator in {">=", ">", "<=", "<"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789,.%件人名回か所以上下未満約中計年月日/R令和()（）・、 ", max_size=40))
def test_fullwidth_property_on_number_heavy_text(text):
    a, b = parse_target(text), parse_target(_fullwidth(text))
    assert (a and (a.value, a.unit, a.comparator, len(a.components))) == (
        b and (b.value, b.unit, b.comparator, len(b.components)))


_TOKEN_CHARS = ("0123456789０１２３.,/:%％()（）第No小中高約達成率対前年度比増加伸び令和平成昭大正RHST元月日件人回か所万千円以上下"
                " 、・→中計①⑴分秒時間の半過数進捗")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_TOKEN_CHARS, max_size=30))
def test_first_character_shortcut_finds_the_same_tokens_as_the_full_grammar(text):
    import re

    from xlsheets.grammar.tokens import _TOKEN, _TOKEN_BODY, normalise

    full = re.compile(_TOKEN_BODY, re.VERBOSE)
    t = normalise(text)
    assert [(m.start(), m.group(0), m.lastgroup) for m in _TOKEN.finditer(t)] == \
           [(m.start(), m.group(0), m.lastgroup) for m in full.finditer(t)]


def test_a_number_ending_in_zero_is_not_the_word_none():
    assert not scan("相談30件").zero_words and scan("相談0件").zero_words


def test_a_cumulative_target_is_marked_so():
    assert parse_target("登録者数 600人（累計）").cumulative
    assert parse_target("認知症サポーター 累計 1万人").cumulative
    assert not parse_target("新規登録者 100人（累計 640人）").cumulative


@pytest.mark.parametrize(("text", "source"), [
    ("二十人以上", "二十人以上"), ("実績 計22回", "計22回"), ("2億4,000万円", "2億4,000万円"), ("7割以上", "7割以上"),
])
def test_an_amount_keeps_the_words_it_was_written_in(text, source):
    assert scan(text).quantities[0].source == source


@pytest.mark.parametrize(("text", "role"), [
    ("1回は中止", "not-done"), ("2件は次年度に延期", "not-done"), ("3か所準備中", "not-done"), ("中止1回", "not-done"),
    ("年度末見込み 55件", "forecast"), ("55件の見込み", "forecast"), ("目標15件", "restated"), ("現状30件", "current"),
    ("定員30人", "capacity"), ("全国平均 40％", "comparison"), ("目標まであと3件", "shortfall"),
    ("目標を5件上回る", "excess"), ("約50~60件", "range"), ("過半数", "bound"), ("実施 12件", "result"),
])
def test_what_an_amount_is_comes_from_its_clause(text, role):
    assert scan(text).quantities[-1].role == role


@pytest.mark.parametrize(("text", "qualifier", "value"), [
    ("前年度 40人", "accumulation", "前年"), ("累計 640人", "accumulation", "累計"), ("今年度新規 70人", "accumulation", "新規"),
    ("月20件", "basis", "月"), ("年間240件", "basis", "年"), ("1日平均 80人", "basis", "日"), ("85人/日", "basis", "日"),
    ("1人1日当たり 780g", "basis", "人・日"), ("人口10万人当たり 14.2", "basis", "人口100000"),
    ("24,000人（年間）", "basis", "年"), ("平均待ち時間 25分", "statistic", "平均"), ("最長で 60分", "statistic", "最大"),
    ("延べ参加者 480人", "count", "延べ"), ("参加者は延べ 480人", "count", "延べ"), ("実人数 120人", "count", "実"),
    ("申請から交付まで 12日", "span", "申請→交付"), ("30日以内の回答率 92％", "condition", "30日以内"),
])
def test_what_an_amount_measures_comes_from_the_words_around_it(text, qualifier, value):
    assert getattr(scan(text).quantities[-1].measures, qualifier) == value


def test_a_bracket_holding_an_amount_of_its_own_qualifies_nothing():
    q = scan("相談 100件（前年度 80件）").quantities[0]
    assert q.measures.accumulation == "" and q.exact == 100


def test_as_of_marks_a_running_count():
    assert scan("9月末時点で 700人").quantities[-1].place.as_of


def test_a_part_after_uchi_is_a_part_and_the_base_before_nouchi_is_no_amount():
    a, b = scan("相談120件、うち訪問30件").quantities
    assert (a.place.part, b.place.part, b.label) == (False, True, "訪問")
    assert [(q.value, q.place.part, q.place.base) for q in scan("50世帯のうち45世帯を訪問").quantities] == [(45, False, 50)]


def test_the_former_module_name_still_imports_the_grammar():
    import xlsheets.grammar as grammar
    import xlsheets.targets as targets

    assert targets.parse_target is grammar.parse_target and targets.scan is grammar.scan


# levels the grammar reads since it knows what a target measures
MEASURES = [
    ("現場到着 平均6分40秒以内", (400, "秒", "<=")),
    ("待ち時間 1時間30分以内", (90, "分", "<=")),
    ("女性委員の割合 4分の1以上", (25, "％", ">=")),
    ("参加率 半数以上", (50, "％", ">=")),
    ("賛成 過半数", (50, "％", ">")),
    ("高齢者の5人に1人が参加", (20, "％", ">=")),
    ("出前講座 5校で各3回", (15, "回", ">=")),
    ("全8地区で年2回ずつ", (16, "回", ">=")),
    ("30日以内の回答率 90％以上", (90, "％", ">=")),
    ("1日30分以上読書する児童の割合 40％", (40, "％", ">=")),
    ("待機児童数 10人を下回る", (10, "人", "<")),
    ("騒音 65dB を超えない", (65, "dB", "<=")),
    ("患者満足度 85％を下回らない", (85, "％", ">=")),
    ("119番入電から現場到着まで 平均8分以内", (8, "分", "<=")),
    ("ISO 9001 の取得事業所 12社", (12, "社", ">=")),
    ("第3期計画の推進 3件", (3, "件", ">=")),
    ("処理場放流水のBOD 平均5mg/L以下", (5, "mg/L", "<=")),
    ("英検3級相当以上の生徒の割合 50％", (50, "％", ">=")),
    ("7対1看護体制の維持", None),
    ("開館30周年記念特別展の開催", None),
]


@pytest.mark.parametrize(("text", "want"), MEASURES, ids=[t[:12] for t, _ in MEASURES])
def test_a_target_gives_the_level_of_what_it_measures(text, want):
    t = parse_target(text)
    assert (t and (t.value, t.unit, t.comparator)) == want


@pytest.mark.parametrize(("text", "qualifier", "value"), [
    ("来館者数 1日平均80人以上", "basis", "日"), ("自殺死亡率（人口10万人当たり）15以下", "basis", "人口100000"),
    ("不登校の出現率（千人当たり）25人以下", "basis", "人口1000"), ("1協議会当たり年12回", "basis", "協議会"),
    ("平均待ち時間 30分以内", "statistic", "平均"), ("延べ参加 2,000人", "count", "延べ"),
    ("登録者 600人（累計）", "accumulation", "累計"), ("申請から交付まで 7日以内", "span", "申請→交付"),
    ("30日以内の回答率 90％以上", "condition", "30日以内"),
])
def test_a_target_says_what_its_level_measures(text, qualifier, value):
    assert getattr(parse_target(text).measures, qualifier) == value
