"""Every format python-calamine reads (.xls, .xlsb, .ods besides .xlsx), read the same everywhere;
writes stay .xlsx; every file under a roll-up's inputs is accounted for."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from xlsheets import rollup
from xlsheets.cli import main
from xlsheets.render import convert

XLSB = Path(__file__).parent / "data" / "fy2020.xlsb"  # see scripts/build_xlsb_fixture.py


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


# ---------------------------------------------------------------- the corpus, converted once


def rich_openpyxl(path: Path) -> Path:
    """openpyxl: rich text, a hidden sheet, merged headers, an empty sheet."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws["A1"] = CellRichText([TextBlock(InlineFont(b=True), "重点"), "目標"])
    ws.merge_cells("A1:D1")
    ws.append(["部局名", "総務部"])  # with 重点目標: the form's signature (a table alone is not a goal sheet)
    ws.append(["番号", "方法・手段", "数値目標", "中間報告"])
    for k in range(1, 30):
        ws.append([k, f"方法{k}", f"{k}件以上", f"{k + 1}件実施"])
    hidden = wb.create_sheet("隠し")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "secret"
    wb.create_sheet("空")
    wb.save(path)
    return path


def wide_xlsxwriter(path: Path) -> Path:
    """xlsxwriter: rich strings, a very wide and a long sheet, a hidden sheet."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("広い")
    ws.write_rich_string(0, 0, bold, "重点目標", "の一覧")
    for c in range(1, 3000):
        ws.write(1, c, c)
    long = wb.add_worksheet("長い")
    for r in range(20000):
        long.write_row(r, 0, [r, f"行{r}", r * 1.5])
    wb.add_worksheet("非表示").hide()
    wb.close()
    return path


def inline_and_shared(path: Path) -> Path:
    """A package as some systems write it: inline strings and shared formulas."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = (f'<worksheet {ns}><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>重点目標</t></is></c><c r="B1" t="inlineStr"><is><t>数値目標</t></is></c></row>'
             '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f t="shared" ref="B2:B4" si="0">A2*2</f><v>2</v></c></row>'
             '<row r="3"><c r="A3"><v>2</v></c><c r="B3"><f t="shared" si="0"/><v>4</v></c></row>'
             '<row r="4"><c r="A4"><v>3</v></c><c r="B4"><f t="shared" si="0"/><v>6</v></c></row>'
             '</sheetData></worksheet>')
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?>' + sheet,
    }
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def encrypted(src: Path, path: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(src, "rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="session")
def corpus(sample_books, tmp_path_factory) -> dict[str, Path]:
    """The samples and the generated workbooks, each also as .xls and .ods (two LibreOffice runs)."""
    src = tmp_path_factory.mktemp("corpus-src")
    out = tmp_path_factory.mktemp("corpus")
    files = [shutil.copy(sample_books[n], src / f"{n}.xlsx") for n in ("fy2020", "fy2024")]
    files += [rich_openpyxl(src / "rich.xlsx"), wide_xlsxwriter(src / "wide.xlsx"),
              dated(sample_books["fy2020"], src / "dates.xlsx")]
    files = [Path(f) for f in files]
    convert(files, "xls", out)
    convert(files, "ods", out)
    found = {p.name: p for p in out.iterdir()}
    for f in files:
        found[f.name] = Path(shutil.copy(f, out / f.name))
    found["inline.xlsx"] = inline_and_shared(out / "inline.xlsx")
    found["fy2020.xlsb"] = Path(shutil.copy(XLSB, out / "fy2020.xlsb"))
    return found


# ---------------------------------------------------------------- the same reading in every format


@pytest.mark.parametrize("name", ["fy2020", "fy2024"])
def test_xls_and_ods_read_as_the_xlsx_reads(corpus, name):
    want = json.loads(run("read", corpus[f"{name}.xlsx"]).output)
    for ext in ("xls", "ods"):
        res = run("read", corpus[f"{name}.{ext}"])
        assert res.exit_code == 0, res.output
        assert json.loads(res.output) == want, ext


def test_the_committed_xlsb_reads_as_the_xlsx_reads(corpus):
    res = run("read", corpus["fy2020.xlsb"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == json.loads(run("read", corpus["fy2020.xlsx"]).output)


def test_xls_ods_and_xlsb_keep_their_defined_names(corpus):
    from xlsheets.io.loading import load_book

    for name in ("fy2024.xls", "fy2024.ods", "fy2020.xlsb"):
        book = load_book(corpus[name])
        assert book.constants.get("xs_fiscal_year") == name[2:6], name
        goal = next(s for s in book.sheets if "xs_title" in s.names)
        assert {"xs_items", "xs_col_target", "xs_department"} <= set(goal.names), name
        assert goal.names["xs_items"] == load_book(corpus[name[:6] + ".xlsx"]).sheets[1].names["xs_items"], name


def test_validate_gives_the_same_findings_for_every_format(corpus):
    def findings(p):
        doc = json.loads(run("validate", p, "--format", "json").output)
        return [(f["code"], f["sheet"], f["cell"]) for f in doc["files"][0]["findings"]]

    want = findings(corpus["fy2020.xlsx"])
    assert want  # the sample has findings to compare
    for ext in ("xls", "ods", "xlsb"):
        assert findings(corpus[f"fy2020.{ext}"]) == want, ext


# ---------------------------------------------------------------- a name that says another format


MISNAMED = [("fy2020.xlsx", "xls"), ("fy2020.xls", "xlsx"), ("fy2020.ods", "xls"), ("fy2020.xlsb", "xlsx"),
            ("fy2020.xlsx", "ods")]


@pytest.mark.parametrize(("src", "ext"), MISNAMED)
def test_a_misnamed_file_is_read_by_its_bytes_and_the_mismatch_said_once(corpus, tmp_path, src, ext):
    wrong = Path(shutil.copy(corpus[src], tmp_path / f"福祉部.{ext}"))
    want = json.loads(run("read", corpus["fy2020.xlsx"]).output)
    res = run("read", wrong)
    assert res.exit_code == 0, res.output
    assert res.output.count("中身のとおりに読みました") == 1
    assert json.loads(res.output[res.output.index("{"):]) == want
    doc = json.loads(run("validate", wrong, "--format", "json").output)
    said = [f for f in doc["files"][0]["findings"] if f["code"] == "file-misnamed"]
    assert [(f["severity"], f["sheet"], f["cell"]) for f in said] == [("info", "", "")]
    for command in (["achieve"], ["convert"], ["validate", "--annotate"]):
        out = tmp_path / f"{command[0]}.xlsx"
        res = run(command[0], wrong, *command[1:], "-o", out)
        assert res.exit_code in (0, 1), res.output
        assert read_dict(out) == want, command
    summary = rollup([wrong], tmp_path / "r.xlsx")
    assert summary.read == 1 and not summary.errors


def read_dict(path: Path) -> dict:
    doc = json.loads(run("read", path).output)
    for goal in doc["goals"]:
        goal.pop("id", None)
        for item in goal["items"]:
            for sub in item["subitems"]:
                sub.pop("achievement", None)
    return doc


def test_a_misnamed_xlsx_is_written_as_xlsx_never_in_place(corpus, tmp_path):
    wrong = Path(shutil.copy(corpus["fy2020.xlsx"], tmp_path / "福祉部.xls"))
    res = run("achieve", wrong, "-o", tmp_path / "out.xls")
    assert res.exit_code == 2 and ".xlsx" in res.output
    res = run("achieve", wrong, "--in-place")
    assert res.exit_code == 2 and "上書きしません" in res.output
    assert wrong.read_bytes() == corpus["fy2020.xlsx"].read_bytes()


# ---------------------------------------------------------------- writes stay .xlsx


def test_in_place_writes_into_an_xls_are_refused_naming_the_way_forward(corpus, tmp_path):
    xls = Path(shutil.copy(corpus["fy2020.xls"], tmp_path / "福祉部.xls"))
    before = xls.read_bytes()
    for args in (["achieve", xls, "--in-place"], ["validate", xls, "--annotate", "--in-place"]):
        res = run(*args)
        assert res.exit_code == 2, res.output
        assert "-o 新しいファイル名.xlsx" in res.output and ".xls 形式" in res.output
    assert xls.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["福祉部.xls"]


def test_achieve_with_o_converts_an_ods_into_the_template_and_says_so(corpus, tmp_path):
    out = tmp_path / "福祉部.xlsx"
    res = run("achieve", corpus["fy2020.ods"], "-o", out)
    assert res.exit_code == 0, res.output
    assert "公式様式の .xlsx に変換しました" in res.output
    direct = tmp_path / "direct.xlsx"
    run("achieve", corpus["fy2020.xlsx"], "-o", direct)
    got, want = json.loads(run("read", out).output), json.loads(run("read", direct).output)
    assert got == want  # the same sheets and the same achievement
    assert any(s.get("achievement") for g in got["goals"] for i in g["items"] for s in i["subitems"])


def test_annotate_with_o_converts_an_xlsb(corpus, tmp_path):
    out = tmp_path / "a.xlsx"
    res = run("validate", corpus["fy2020.xlsb"], "--annotate", "-o", out)
    assert res.exit_code in (0, 1), res.output
    assert "変換しました" in res.output
    assert "検証結果" in load_workbook(out).sheetnames


def test_convert_writes_the_official_template_of_the_year(corpus, tmp_path):
    out = tmp_path / "R6.xlsx"
    res = run("convert", corpus["fy2024.xls"], "-o", out)
    assert res.exit_code == 0, res.output
    assert "変換しました" in res.output and "重点目標 " in res.output
    assert json.loads(run("read", out).output) == json.loads(run("read", corpus["fy2024.xlsx"]).output)
    names = load_workbook(out).worksheets[1].defined_names
    assert "xs_title" in names  # the template's names, not LibreOffice's copy
    assert run("convert", corpus["fy2024.xls"], "-o", tmp_path / "R6.xls").exit_code == 2


# ---------------------------------------------------------------- bad inputs: one clear line


BAD = {
    "html.xls": (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML（Web ページ）のファイルです",
                 "an HTML file"),
    "csv.xls": ("年度,部局名\n2024,福祉部\n".encode("cp932"), "テキスト（CSV など）のファイルです", "a text (CSV) file"),
}


@pytest.mark.parametrize("name", sorted(BAD) + ["locked.xlsx"])
def test_bad_inputs_get_one_japanese_and_english_line(corpus, tmp_path, name):
    p = tmp_path / name
    if name == "locked.xlsx":
        encrypted(corpus["fy2020.xlsx"], p)
        ja, en = "パスワードで保護されたブックは読めません", "password-protected workbook"
    else:
        p.write_bytes(BAD[name][0])
        ja, en = BAD[name][1:]
    for args in (["read", p], ["validate", p], ["achieve", p, "-o", tmp_path / "o.xlsx"]):
        res = run(*args)
        assert res.exit_code == 2 and "Traceback" not in res.output
        assert ja in res.output and en in res.output, res.output
    assert not (tmp_path / "o.xlsx").exists()


# ---------------------------------------------------------------- nothing silently left out


def test_a_mixed_folder_is_rolled_up_and_every_file_counted(corpus, tmp_path):
    d = tmp_path / "提出"
    (d / "古い").mkdir(parents=True)
    shutil.copy(corpus["fy2020.xlsx"], d / "福祉部_R2.xlsx")
    shutil.copy(corpus["fy2024.xls"], d / "古い" / "福祉部_R6.xls")
    shutil.copy(corpus["fy2024.ods"], d / "健康部_R6.ods")
    shutil.copy(corpus["fy2020.xlsb"], d / "古い" / "福祉部_R2b.xlsb")
    (d / "~$福祉部_R2.xlsx").write_bytes(b"lock")
    (d / "memo.txt").write_text("メモ")
    (d / "Thumbs.db").write_bytes(b"\x00")
    (d / "報告.pdf").write_bytes(b"%PDF-1.4")
    (d / "福祉部_R2.bak.xlsx").write_bytes(b"old")
    (d / "export.xls").write_bytes(BAD["html.xls"][0])
    total = sum(1 for p in d.rglob("*") if p.is_file())
    out = tmp_path / "集計.xlsx"
    res = run("rollup", d, "-o", out)
    assert res.exit_code == 0, res.output
    line = re.search(r"読込 (\d+) 冊・取込エラー (\d+) 冊・対象外 (\d+) 件（(.*)）", res.output)
    assert line, res.output
    read, errors, skipped = map(int, line.groups()[:3])
    assert (read, errors, skipped) == (4, 1, 5)
    assert read + errors + skipped == total
    assert line.group(4) == "ロックファイル 1、バックアップ 1、表計算以外 3"
    import pandas as pd

    listing = pd.read_excel(out, sheet_name="一覧", engine="calamine")
    sources = " ".join(listing["参照元"])
    assert all(n in sources for n in ("福祉部_R2.xlsx", "福祉部_R6.xls", "健康部_R6.ods", "福祉部_R2b.xlsb"))
    errs = pd.read_excel(out, sheet_name="取込エラー", engine="calamine")
    assert [Path(f).name for f in errs["ファイル"]] == ["export.xls"] and "HTML" in errs["理由"][0]

    shutil.copy(out, d / "集計_先月.xlsx")  # last month's roll-up left among the submissions
    res = run("validate", d)  # a folder: the same accounting
    assert "読込 4 冊・読めないファイル 1 冊・対象外 6 件（ロックファイル 1、バックアップ 1、集計ブック 1、表計算以外 3）" in res.output
    again = run("rollup", d, "-o", tmp_path / "again.xlsx")
    assert "読込 4 冊・取込エラー 1 冊・対象外 6 件（ロックファイル 1、バックアップ 1、集計ブック 1、表計算以外 3）" in again.output


def test_a_corpus_of_spreadsheets_from_many_producers_never_tracebacks(corpus, tmp_path):
    d = tmp_path / "corpus"
    d.mkdir()
    for name, p in corpus.items():
        shutil.copy(p, d / name)
    (d / "html.xls").write_bytes(BAD["html.xls"][0])
    (d / "csv.xls").write_bytes(BAD["csv.xls"][0])
    encrypted(corpus["fy2024.xlsx"], d / "locked.xlsx")
    files = sorted(p.name for p in d.iterdir())
    res = rollup([d], tmp_path / "r.xlsx", jobs=1)
    assert res.read + len(res.errors) + sum(res.skipped.values()) == len(files)
    assert all(why.strip() for _p, why in res.errors)
    assert not [why for _p, why in res.errors if "Error" in why or "Traceback" in why]  # reasons a person can read
    goal_books = {n for n in files if n.split(".")[0] in ("fy2020", "fy2024", "rich", "dates")}  # rich: labels of a goal sheet
    why = {Path(p).name: why for p, why in res.errors}
    assert not goal_books & set(why) and res.read == len(goal_books), why
    assert set(why) == set(files) - goal_books
    assert "重点目標管理シートが見つかりません" in why["wide.ods"] and "パスワード" in why["locked.xlsx"]
    out = run("validate", d)
    assert out.exit_code == 2 and "Traceback" not in out.output
    assert f"読込 {len(goal_books)} 冊・読めないファイル {len(files) - len(goal_books)} 冊" in out.output


# ---------------------------------------------------------------- ふりがな


def with_phonetics(src: Path, path: Path, readings: dict[str, list[str]]) -> Path:
    """A copy of src as Japanese Excel saves it: shared strings, <rPh>/<phoneticPr> on the given texts
    (a second reading: the same text stored twice), and a <phoneticPr> default on every sheet."""
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(src) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    table: list[bytes] = []
    index: dict[bytes, int] = {}
    extra = {k: list(v) for k, v in readings.items()}

    def shared(m: re.Match) -> bytes:
        inner = m.group(2)
        text = re.sub(rb"<[^>]+>", b"", inner).decode()
        kana = extra.get(text)
        if kana:
            reading = kana[0] if len(kana) == 1 else kana.pop(0)  # the last reading for every later cell
            rph = f'<rPh sb="0" eb="{len(text)}"><t>{reading}</t></rPh><phoneticPr fontId="1" type="noConversion"/>'
            inner = f"<t>{escape(text)}</t>{rph}".encode()
        if inner not in index:
            index[inner] = len(table)
            table.append(b"<si>" + inner + b"</si>")
        return m.group(1) + b't="s"><v>' + str(index[inner]).encode() + b"</v></c>"

    for name in sorted(parts):
        if name.startswith("xl/worksheets/sheet"):
            xml = re.sub(rb'(<c [^>]*)t="inlineStr"><is>(.*?)</is></c>', shared, parts[name], flags=re.S)
            parts[name] = xml.replace(b"<pageMargins", b'<phoneticPr fontId="1" type="noConversion"/><pageMargins', 1)
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    parts["xl/sharedStrings.xml"] = b"<sst " + ns + b">" + b"".join(table) + b"</sst>"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSst" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def cell_readings(path: Path) -> dict[tuple[str, str], list[bytes]]:
    """(sheet part, cell) → its phonetic runs, whether the string is shared or inline."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        sst = re.findall(rb"<si>.*?</si>", zf.read("xl/sharedStrings.xml"), re.S) if "xl/sharedStrings.xml" in names else []
        out = {}
        for name in names:
            if not name.startswith("xl/worksheets/sheet"):
                continue
            for ref, attrs, body in re.findall(rb'<c r="([A-Z]+\d+)"([^>]*)>(.*?)</c>', zf.read(name), re.S):
                if b't="s"' in attrs:
                    body = sst[int(re.search(rb"<v>(\d+)</v>", body).group(1))]
                runs = re.findall(rb"<rPh\b.*?</rPh>|<phoneticPr\b[^>]*/>", body, re.S)
                if runs:
                    out[(name, ref.decode())] = runs
    return out


def sheet_defaults(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [b"".join(re.findall(rb"<phoneticPr\b[^>]*/>", zf.read(n).split(b"</sheetData>")[-1]))
                for n in sorted(zf.namelist()) if n.startswith("xl/worksheets/sheet")]


def test_carry_forward_starts_next_year_from_an_ods(corpus, tmp_path):
    res = run("carry-forward", corpus["fy2024.ods"], "--to-year", "令和7年度", "-o", tmp_path / "R7.xlsx")
    assert res.exit_code == 0, res.output
    got = json.loads(run("read", tmp_path / "R7.xlsx").output)
    want = json.loads(run("read", corpus["fy2024.xlsx"]).output)
    assert got["fiscal_year"] == 2025 and [g["title"] for g in got["goals"]] == [g["title"] for g in want["goals"]]


def test_in_place_achievement_keeps_every_phonetic_run(fy2020, tmp_path):
    book = with_phonetics(fy2020, tmp_path / "ふりがな.xlsx", {"福祉部": ["フクシブ"], "年度内": ["ネンドナイ"]})
    before, defaults = cell_readings(book), sheet_defaults(book)
    assert len(before) > 5 and all(defaults)
    res = run("achieve", book, "--in-place", "--no-backup")
    assert res.exit_code == 0, res.output
    assert cell_readings(book) == before and sheet_defaults(book) == defaults
    with zipfile.ZipFile(book) as zf:
        fonts = re.findall(rb"<font>.*?</font>", zf.read("xl/styles.xml"), re.S)
    assert b"<sz" in fonts[1]  # the fontId the phonetics name is still a font
    got = json.loads(run("read", book).output)
    assert got["department"] == "福祉部"
    assert any(s.get("achievement") for g in got["goals"] for i in g["items"] for s in i["subitems"])
    load_workbook(book)  # still a workbook openpyxl (and calamine, on save) opens


def test_a_text_with_two_readings_cannot_be_kept_exactly_so_in_place_is_refused(fy2020, tmp_path):
    book = with_phonetics(fy2020, tmp_path / "二通り.xlsx", {"福祉部": ["フクシブ", "フクシベ"]})
    before = book.read_bytes()
    res = run("achieve", book, "--in-place")
    assert res.exit_code == 2 and "ふりがな" in res.output, res.output
    assert book.read_bytes() == before


# ---------------------------------------------------------------- dates as the sheet shows them


DATES = [  # (number format, what the sheet shows)
    ('[$-411]ggge"年"m"月"d"日"', "令和3年3月31日"),
    ("[$-411]ge.m.d", "R3.3.31"),
    ("yyyy/m/d", "2021/3/31"),
    ('m"月"d"日"', "3月31日"),
    ("mmm d, yyyy", "2021-03-31"),  # a month name: not rendered here, ISO as before
]


def dated(src: Path, path: Path) -> Path:
    """src with Excel dates in period cells (one per format of DATES) and one report dated after its year."""
    import datetime as dt

    from xlsheets.reading import read_result

    res = read_result(src)
    subs = [(goal.sheet.name, sub.cells) for goal in res.department.goals for _item, sub in goal.subitems()]
    wb = load_workbook(src, rich_text=True)
    for (sheet, cells), (fmt, _shown) in zip(subs, DATES, strict=False):
        cell = wb[sheet].cell(*cells.period)
        cell.value, cell.number_format = dt.date(2021, 3, 31), fmt
    sheet, cells = subs[len(DATES)]
    late = wb[sheet].cell(*cells.midterm)
    late.value, late.number_format = dt.date(2023, 3, 31), '[$-411]ggge"年"m"月"d"日"'  # after FY2020
    wb.save(path)
    return path


@pytest.mark.parametrize("ext", ["xlsx", "xls", "ods"])
def test_a_date_in_a_text_field_reads_as_the_sheet_shows_it(corpus, ext):
    from xlsheets.reading import read_result

    path = corpus[f"dates.{ext}"]
    got = json.loads(run("read", path).output)
    subs = [s for g in got["goals"] for i in g["items"] for s in i["subitems"]]
    assert [s["period"] for s in subs[:len(DATES)]] == [want for _fmt, want in DATES]
    assert subs[len(DATES)]["midterm"] == "令和5年3月31日"
    doc = json.loads(run("validate", path, "--format", "json").output)
    late = [f for f in doc["files"][0]["findings"] if f["code"] == "date-outside-year"]
    assert [f["location"]["field"] for f in late] == ["midterm"]  # still a date for the date checks
    if ext == "xlsx":  # a workbook being edited (openpyxl) reads the same
        live = read_result(load_workbook(path)).department
        assert [s.period for g in live.goals for _i, s in g.subitems()][:len(DATES)] == [s["period"] for s in subs[:len(DATES)]]
