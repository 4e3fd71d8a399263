"""The command line: each command works from a user's point of view, and mistakes exit 2."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from xlsheets.cli import main
from xlsheets.model import department_from_dict
from xlsheets.samples import sample_dict


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_every_command_has_help():
    for name, cmd in main.commands.items():
        res = run(name, "--help")
        assert res.exit_code == 0, name
        assert cmd.help and cmd.help.strip(), f"{name} has no help"


def test_sample_then_read_json_returns_the_transcription(tmp_path):
    out = tmp_path / "a.xlsx"
    assert run("sample", "fy2020", "-o", out).exit_code == 0
    res = run("read", out, "--format", "json")
    assert res.exit_code == 0
    assert json.loads(res.output) == department_from_dict(sample_dict("fy2020")).to_dict()


@pytest.mark.parametrize("fmt", ["json", "yaml", "csv"])
def test_read_output_fills_again_to_the_same_data(tmp_path, fmt):
    a = tmp_path / "a.xlsx"
    run("sample", "fy2024", "-o", a)
    data = tmp_path / f"data.{fmt}"
    assert run("read", a, "--format", fmt, "-o", data).exit_code == 0
    b = tmp_path / "b.xlsx"
    res = run("fill", data, "-o", b)
    assert res.exit_code == 0, res.output
    assert json.loads(run("read", b).output) == json.loads(run("read", a).output)


def test_sample_writes_yaml_by_extension(tmp_path):
    out = tmp_path / "s.yaml"
    assert run("sample", "fy2024", "-o", out).exit_code == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["fiscal_year"] == 2024


def test_carry_forward_keeps_plans_and_empties_reports(tmp_path):
    a = tmp_path / "a.xlsx"
    run("sample", "fy2020", "-o", a)
    b = tmp_path / "b.xlsx"
    res = run("carry-forward", a, "--to-year", "令和7年度", "-o", b)
    assert res.exit_code == 0, res.output
    old, new = json.loads(run("read", a).output), json.loads(run("read", b).output)
    assert new["fiscal_year"] == 2025
    for og, ng in zip(old["goals"], new["goals"], strict=True):
        assert ng["id"].startswith("g-") and ng["title"] == og["title"]
        for oi, ni in zip(og["items"], ng["items"], strict=True):
            for os_, ns in zip(oi["subitems"], ni["subitems"], strict=True):
                assert (ns["method"], ns["period"], ns["target"]) == (os_["method"], os_["period"], os_["target"])
                assert ns["midterm"] == ns["final"] == ""
    # the 2025 sheet uses the newest layout, and the ids survive a second carry-forward
    c = tmp_path / "c.xlsx"
    run("carry-forward", b, "--to-year", "2026", "-o", c)
    assert [g["id"] for g in json.loads(run("read", c).output)["goals"]] == [g["id"] for g in new["goals"]]
    from openpyxl import load_workbook

    texts = {str(x.value) for x in load_workbook(b).worksheets[1]["A"] if x.value}
    assert any("第四次" in t for t in texts) and "令和7年度　重点目標管理シート" in texts


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["read", "missing.xlsx"], "ファイルが見つかりません"),
        (["read", "notabook.xlsx"], "テキスト（CSV など）のファイルです"),
        (["read", "other.xlsx"], "重点目標管理シートが見つかりません"),
        (["fill", "missing.json", "-o", "x.xlsx"], "ファイルが見つかりません"),
        (["fill", "bad.json", "-o", "x.xlsx"], "データを読めません"),
        (["fill", "shape.json", "-o", "x.xlsx"], "goals[0].items は […]（一覧）にしてください"),
        (["fill", "nested.json", "-o", "x.xlsx"], "subitems[0].midterm は文字か数で書いてください"),
        (["sample", "fy2020", "-o", "exists.xlsx"], "既に存在します"),
        (["carry-forward", "other.xlsx", "--to-year", "来年", "-o", "x.xlsx"], "年度が読み取れません"),
    ],
)
def test_user_mistakes_give_a_clear_message_exit_2_and_write_nothing(tmp_path, monkeypatch, args, message):
    from openpyxl import Workbook

    monkeypatch.chdir(tmp_path)
    (tmp_path / "notabook.xlsx").write_text("hello")
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "shape.json").write_text('{"fiscal_year": 2024, "goals": [{"title": "x", "items": "abc"}]}')
    (tmp_path / "nested.json").write_text(
        '{"goals": [{"title": "x", "items": [{"no": 1, "subitems": [{"midterm": {"a": 1}}]}]}]}', encoding="utf-8")
    (tmp_path / "exists.xlsx").write_bytes(b"keep me")
    wb = Workbook()
    wb.active["A1"] = "売上"
    wb.save(tmp_path / "other.xlsx")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_demo_builds_both_samples(tmp_path):
    res = run("demo", "--out", tmp_path / "demo")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "demo" / "fy2020.xlsx").exists() and (tmp_path / "demo" / "fy2024.xlsx").exists()
    assert "福祉部 2020年度" in res.output and "rate-mismatch" in res.output and "R3.2.31" in res.output
    assert (tmp_path / "demo" / "fy2020_達成率.xlsx").exists() and (tmp_path / "demo" / "fy2020_検証.xlsx").exists()
    assert (tmp_path / "demo" / "集計.xlsx").exists() and "■ 集計" in res.output


def test_a_rollup_that_finds_no_workbook_writes_nothing_and_exits_2(tmp_path):
    (tmp_path / "空").mkdir()
    res = CliRunner().invoke(main, ["rollup", str(tmp_path / "空"), "-o", str(tmp_path / "r.xlsx")])
    assert res.exit_code == 2 and "見つかりません" in res.output
    assert not (tmp_path / "r.xlsx").exists()


def test_a_rollup_into_a_missing_folder_is_refused_before_reading(sample_books, tmp_path, monkeypatch):
    import xlsheets.summary.pipeline as rollup_module

    def no_reading(*args, **kwargs):
        raise AssertionError("the inputs were read although the output cannot be written")

    monkeypatch.setattr(rollup_module, "run_extract", no_reading)
    res = CliRunner().invoke(main, ["rollup", str(sample_books["fy2020"]), "-o", str(tmp_path / "なし" / "r.xlsx")])
    assert res.exit_code == 2 and "出力先のフォルダがありません" in res.output


def test_validate_takes_a_folder_and_skips_lock_files(sample_books, tmp_path):
    import shutil

    d = tmp_path / "提出"
    (d / "sub").mkdir(parents=True)
    shutil.copy(sample_books["fy2020"], d / "a.xlsx")
    shutil.copy(sample_books["fy2024"], d / "sub" / "b.xlsx")
    (d / "~$a.xlsx").write_bytes(b"lock")
    res = CliRunner().invoke(main, ["validate", str(d), "--format", "json"])
    doc = json.loads(res.stdout)
    assert sorted(f["path"] for f in doc["files"]) == [str(d / "a.xlsx"), str(d / "sub" / "b.xlsx")]
    assert all("error" not in f for f in doc["files"])
