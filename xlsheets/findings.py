"""The vocabulary of findings: severities, the rule catalogue (``RULES``) with each rule's messages, and
the values a check returns (:class:`Finding`, :class:`Report`).

Every finding is made from its rule: ``RULES[code].finding(sheet, cell, location, condition, **fields)``
renders the rule's message for that condition (as frictionless renders an error's ``template``), so each
condition has one text, written once here. The rates' reasons for giving no 達成率 are the rules' ``reason``.
The catalogue is rendered into the README by ``scripts/gen_docs.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_JA = {ERROR: "エラー", WARNING: "警告", INFO: "情報"}
FIELD_JA = {
    "title": "重点目標", "department": "部局名", "priority": "優先順位", "positioning": "位置付け",
    "current_issues": "現況・課題", "purpose": "目的・効果", "item_title": "取組項目名", "method": "方法・手段",
    "period": "期間・期限", "target": "数値目標", "midterm": "中間報告", "final": "期末報告", "notes": "特記事項",
    "cover": "表紙", "rate_midterm": "達成率（中間）", "rate_final": "達成率（期末）", "grade": "判定",
    "sheet_title": "表題",
}
DEFAULT = ""  # the condition of a rule with one message


@dataclass(frozen=True)
class Rule:
    """A kind of finding: its code, severity, what it catches, and its message for each condition."""

    code: str
    severity: str
    title: str  # what it catches, in Japanese
    description: str  # in English, for the catalogue
    messages: dict[str, str] = field(default_factory=dict, compare=False)  # condition → template ({field} …)
    reason: str = ""  # why there is no 達成率, as a rate's note says it (the rules a rate can end in)

    def message(self, condition: str = DEFAULT, /, **fields: Any) -> str:
        """The message of a condition with its fields filled in."""
        return self.messages[condition].format(**fields)

    def finding(self, sheet: str, cell: str, location: dict[str, Any], condition: str = DEFAULT, /,
                **fields: Any) -> Finding:
        """A finding of this rule (its code, severity and message) at a cell."""
        return Finding(self.code, self.severity, sheet, cell, location, self.message(condition, **fields))


_ENTER = "記入してください。"
_CHECK_CELL = "セルの文字が欠けていないか確認してください。"

RULES: dict[str, Rule] = {r.code: r for r in [
    Rule("required-empty", ERROR, "必須の欄が空欄",
         "A required field is empty: 重点目標, 部局名, 優先順位, 取組項目名, 方法・手段, 期間・期限, 数値目標.",
         {DEFAULT: "{field}が空欄です。" + _ENTER, "priority": "優先順位が空欄です。「1位」のように" + _ENTER,
          "item_title": "取組項目{item}の項目名が空欄です。" + _ENTER, "subitem": "{label}の{field}が空欄です。" + _ENTER}),
    Rule("priority-invalid", ERROR, "優先順位の誤り・重複",
         "優先順位 is not written as 'N位', or two goals of one department share a priority.",
         {"unreadable": "優先順位「{priority}」を読み取れません。「1位」のように" + _ENTER,
          "duplicate": "優先順位 {priority}位 がシート「{sheet}」と重複しています。部局内で重ならないようにしてください。"}),
    Rule("numbering", ERROR, "番号の飛び・重複",
         "Item (①②…) or sub-item ((1)(2)…) numbers with gaps or duplicates; in old sheets, sub-item "
         "numbers that differ between the columns of one row.",
         {"unreadable": "{what}「{no}」が番号として読めません。", "duplicate": "{what} {no} が重複しています。",
          "gap": "{what}が連続していません（{before}の次が{no}）。番号を確認してください。",
          "columns": "{field}の番号 {nos} が方法・手段の番号 {base} と合いません（{row}行目）。"}),
    Rule("target-not-numeric", WARNING, "数値目標に水準がない",
         "A 数値目標 states no measurable level (the form asks 'どの水準まで').",
         {DEFAULT: "{label}の数値目標に測定できる水準（件数・人数・割合など）がありません。「どの水準まで」を数値で" + _ENTER},
         reason="数値目標がありません"),
    Rule("target-unparsed", WARNING, "数値目標の数字を読み取れない",
         "A 数値目標 has digits that the parser could not turn into a level.",
         {DEFAULT: "{label}の数値目標の数字を水準として読み取れません。「15件以上」のように数値と単位で" + _ENTER}),
    Rule("unit-mismatch", WARNING, "実績と目標の単位が違う",
         "A report measures something else than its target (件 vs 人, 円 vs ％).",
         {DEFAULT: "{label}の実績（{units}）が数値目標の単位（{unit}）と違います。目標と同じ単位で実績を" + _ENTER},
         reason="目標と実績の単位が違います"),
    Rule("measure-mismatch", WARNING, "実績の数値が目標と別のものを測っている",
         "The report's amounts are in the target's unit but measure something else: another basis (年間 for a "
         "1日平均 target, a total for a 1回当たり one), statistic (最長 for 平均), count (実人数 for 延べ), year "
         "(累計 or 前年度 for this year's), condition or stage of a process (受付から審査まで for 申請から交付まで). "
         "No 達成率; the message says what differs.",
         {DEFAULT: "{label}の数値は、数値目標と別のものを測っています（{why}）。達成率は出していません。"
                   "目標と同じもの（{target}）の実績を" + _ENTER},
         reason="報告の数値は目標と別のものを測っています"),
    Rule("report-not-numeric", WARNING, "報告に実績の数値がない",
         "A report on a numeric target states no amount to compare with it (「概ね達成」), so no 達成率.",
         {DEFAULT: "{label}に、数値目標（{target}）と比べられる実績の数値がありません{why}。"
                   "達成率を出せるよう「○{unit}」のように実績を" + _ENTER},
         reason="目標と比べられる実績が見つかりません"),
    Rule("report-ambiguous", WARNING, "実績の数値をどう合わせるか決められない",
         "A report gives several amounts in the target's unit that could be combined more than one way "
         "(「申請50件、交付45件」 for 「100件」) and no 計/合計, うち, label or date settles it, or gives a range "
         "(「約50〜60件」): no 達成率 instead of a guess; write one 実績 amount (「計95件」).",
         {DEFAULT: "{label}に目標の単位の数値が複数あり（{seen}）、合計か、どれか1つかが文から決まりません。"
                   "達成率は出していません。実績を「計○{unit}」のように1つ" + _ENTER,
          "said": "{label}の{why}。達成率は出していません。実績を「計○{unit}」のように1つの数値で" + _ENTER},
         reason="実績の数値が複数あり、どれを実績とするか決められません"),
    Rule("rate-mismatch", ERROR, "記載の達成率が計算と合わない",
         "A 達成率 written in a report differs from the one its own numbers give. Tolerance: the exact rate "
         "cut down or rounded up at the precision written (66.67 % may be written 66, 67, 66.6 or 66.7), so "
         "切り捨て, 四捨五入 and 切り上げ all pass; the rate in the message uses the workbook's 端数処理.",
         {DEFAULT: "{label}に書かれた達成率 {stated}% が、記載の数値から計算した {rate}%（{actual} ÷ {target}）と合いません。"}),
    Rule("invalid-date", ERROR, "存在しない日付",
         "A date that does not exist (R3.2.31, 2/30, 平成35年).",
         {DEFAULT: "{field}に存在しない日付「{date}」があります。日付を確認してください。"}),
    Rule("date-outside-year", WARNING, "年度外の日付",
         "A report date with an explicit year outside the sheet's fiscal year.",
         {DEFAULT: "{field}の日付「{date}」が{year}の期間外です。年を確認してください。"}),
    Rule("missing-report", ERROR, "報告が未記入",
         "A report left empty at its stage (--stage midterm: 中間報告; --stage final: 期末報告).",
         {DEFAULT: "{label}が未記入です。" + _ENTER}, reason="報告が空です"),
    Rule("report-copies-target", WARNING, "報告が目標の写し",
         "A report that only repeats the target text.",
         {DEFAULT: "{label}が数値目標と同じ文です。実績（何をどれだけ行ったか）を" + _ENTER}),
    Rule("department-mismatch", WARNING, "部局名がシートごとに違う",
         "The goal sheets of one workbook name different departments (one sheet copied from another's).",
         {DEFAULT: "部局名「{name}」がほかのシート（「{usual}」）と違います。別の部局のシートを写していないか確認してください。"}),
    Rule("year-mismatch", WARNING, "表題の年度がブックの年度と違う",
         "A sheet's or the cover's title names another 年度 than the workbook's (its xs_fiscal_year, else the first "
         "title): a sheet copied from another year, or a title not updated. The rates and the roll-up use the "
         "workbook's year.",
         {DEFAULT: "{where}の表題の年度（{shown}）が、このブックの年度（{year}）と違います。別の年度のシートを写していないか"
                   "確かめ、表題か年度を直してください。"}),
    Rule("cover-mismatch", WARNING, "表紙と各シートが合わない",
         "The cover's goal list and the goal sheets disagree: a goal missing on either side, or another priority.",
         {"no_sheet": "表紙の重点目標「{title}」に対応するシートがありません。題名が変わっていないか確認してください。",
          "priority": "表紙では「{title}」が{cover}位ですが、シート「{sheet}」では{priority}位です。",
          "not_on_cover": "重点目標「{title}」が表紙（{cover}）の一覧にありません。"}),
    Rule("truncated-text", WARNING, "文が途中で切れている",
         "Unbalanced brackets, or a text cut off mid-phrase (ends in 以, の, を, 、 …).",
         {"cut": "{field}の文が途中で切れています（「…{tail}」）。" + _CHECK_CELL,
          "brackets": "{field}の括弧が閉じていません。" + _CHECK_CELL}),
    Rule("duplicate-workbook", WARNING, "同じ部局・年度のブックが複数ある",
         "Roll-up: two or more workbooks of one department and fiscal year hold the same goal (a replaced "
         "workbook left in the folder); each is flagged, and all are counted (--duplicates all) or only the one "
         "saved last (--duplicates latest: the others are listed as superseded and counted nowhere else).",
         {DEFAULT: "{department}の{year}のブックがほかにもあります（{others}）。いずれも集計しています。"
                   "差し替え前のブックが残っていないか確認してください。",
          "kept": "{department}の{year}のブックがほかにもあります（{others}）。保存日時が最も新しい"
                  "このブック（{saved}）を集計し、ほかは差し替え前として集計から外しました。",
          "superseded": "差し替え前のブックとして集計から外しました（保存 {saved}）。{department}の{year}は、"
                        "保存日時がより新しい {kept}（{kept_saved}）を集計しています。"}),
    Rule("typed-rate-mismatch", ERROR, "手入力の達成率・判定が計算と合わない",
         "A 達成率 or 判定 typed into its cell (read as shown: 0.5 formatted as a percentage is 50 %, the text "
         "「146%」 or 「８０％」 is 146 % or 80 %) differs from the one the report's numbers give (the same tolerance "
         "as rate-mismatch); the message gives both values and the evidence.",
         {"rate": "{label}の達成率（{stage}）に手入力の {shown} が、報告から計算した {rate}%（根拠: {evidence}）と違います。"
                  "達成率計算で書き直せます。",
          "grade": "{label}の判定に手入力の {shown} が、計算した達成率 {rate}% の判定 {grade}（根拠: {evidence}）と違います。"
                   "達成率計算で書き直せます。"}),
    Rule("layout-unplaced", WARNING, "どの欄にも読めない文字がある",
         "A non-empty cell of a goal sheet that no field of the form takes (text in a column without a heading, "
         "outside the table, or a label that is not the form's): read into nothing, so listed with its place.",
         {DEFAULT: "{where}のセル {cell}「{text}」は、重点目標管理シートのどの欄としても読み取れませんでした。"
                   "様式の欄に書くか、不要なら消してください。"}),
    Rule("sheet-skipped", INFO, "重点目標管理シートの形でないシート",
         "A sheet that shows part of the form (a 数値目標 heading, or 重点目標 with 部局名/優先順位) but not its "
         "whole signature (a 重点目標 field, 部局名 or 優先順位, a header row with 数値目標 and a report column, an item "
         "row): not read as a goal, and said why.",
         {DEFAULT: "シート「{sheet}」は{why}。"}),
    Rule("file-misnamed", INFO, "拡張子と中身の形式が違う",
         "The file's name says another format than its bytes (an .xlsx saved under an .xls name): it is read by "
         "its bytes, and this says so once.",
         {DEFAULT: "{said}"}),
]}


@dataclass
class Finding:
    """One problem at one cell; made from its Rule (``RULES[code].finding(...)``)."""

    code: str
    severity: str
    sheet: str
    cell: str
    location: dict[str, Any]
    message: str

    def __post_init__(self) -> None:
        if self.code not in RULES:
            raise ValueError(f"finding code {self.code!r} is not in RULES: add its Rule to the catalogue")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "location": self.location, "message": self.message}


@dataclass
class Report:
    path: str
    findings: list[Finding] = field(default_factory=list)
    # per report cell on a numeric target: the 達成率 and what it was computed from (for JSON)
    achievements: list[dict[str, Any]] = field(default_factory=list)
    department: str = ""  # of the workbook checked (validate of folders: one line and one sheet per workbook)
    fiscal_year: Any = None

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def summary(self) -> dict[str, Any]:
        by_code: dict[str, int] = {}
        for f in self.findings:
            by_code[f.code] = by_code.get(f.code, 0) + 1
        return {sev: sum(f.severity == sev for f in self.findings) for sev in (ERROR, WARNING, INFO)} | {
            "by_code": by_code}

    def flatten(self, keys: list[str]) -> list[list[Any]]:
        """Rows of chosen keys (code, severity, sheet, cell, goal, item, subitem, field)."""
        rows = []
        for f in self.findings:
            d = f.to_dict() | f.location
            rows.append([d.get(k) for k in keys])
        return rows
