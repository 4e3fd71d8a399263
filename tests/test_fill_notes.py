"""fill's notes on texts it had to change: one line per kind of change, the cells as A1 references."""

from __future__ import annotations

from click.testing import CliRunner

from xlsheets.cli import main
from xlsheets.filling import fill
from xlsheets.samples import sample_dict


def test_changed_texts_are_said_once_per_kind_with_their_cells_in_a1(tmp_path):
    d = sample_dict("fy2024")
    subs = [s for g in d["goals"] for item in g["items"] for s in item["subitems"]]
    for s in subs:
        s["target"] += "\r\n（改行あり）"
    d["goals"][0]["items"][0]["subitems"][0]["method"] = "制御\x01文字"
    report = fill(d, tmp_path / "x.xlsx")
    sheet = report.sheets[0]
    assert report.warnings == [
        f"保存できない制御文字を削除しました（1 セル）: {sheet}!D8",
        f"改行コードを統一しました（{len(subs)} セル）: {sheet}!F8、F9、F10、F11、F12 ほか {len(subs) - 5} セル",
    ]


def test_the_fill_command_prints_a_few_lines_however_many_cells_changed(tmp_path):
    import json

    d = sample_dict("fy2024")
    for g in d["goals"]:
        for item in g["items"]:
            for s in item["subitems"]:
                s["method"] += "\r"
    data = tmp_path / "d.json"
    data.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(main, ["fill", str(data), "-o", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 0 and len(res.output.strip().splitlines()) == 2
    assert "!3,3" not in res.output and "改行コードを統一しました" in res.output
