"""Every command against every kind of bad input: exit 2, a Japanese first line, no traceback,
no file changed.

Unwritable folders and unreadable files are real: when the tests run as root (CI here does),
root ignores permissions, so those cases run the command as root without the capabilities that
let it (``setpriv --bounding-set=-dac_override,-dac_read_search``) over files and a folder that
belong to ``nobody`` and that only their owner may read or write. The command still reads the
checkout and its venv as root does, wherever CI put them (a private temporary folder too). As a
normal user they run directly over files with their permission bits removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsheets.cli import main
from xlsheets.samples import sample_dict

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
AS_ROOT = os.geteuid() == 0
NOBODY = 65534


@dataclass(frozen=True)
class Case:
    command: str
    kind: str  # missing, unreadable, unwritable, wrong type, wrong extension, existing output, bad option
    args: tuple[str, ...]
    as_user: bool = False  # run as an unprivileged user (permissions)
    says: str = ""  # what the message must say, when a wording was found wrong before


CASES = [
    # fill
    Case("fill", "missing", ("fill", "nothere.json", "-o", "new.xlsx")),
    Case("fill", "unreadable", ("fill", "secret.json", "-o", "new.xlsx"), as_user=True),
    Case("fill", "unwritable", ("fill", "data.json", "-o", "locked/new.xlsx"), as_user=True),
    Case("fill", "wrong type", ("fill", "garbage.json", "-o", "new.xlsx")),
    Case("fill", "wrong extension", ("fill", "data.json", "-o", "new.csv")),
    Case("fill", "existing output", ("fill", "data.json", "-o", "existing.xlsx")),
    Case("fill", "bad option", ("fill", "data.json")),
    Case("fill", "bad option", ("fill", "badyear.json", "-o", "new.xlsx")),
    Case("fill", "bad option", ("fill", "nogoals.json", "-o", "new.xlsx")),
    Case("fill", "wrong type", ("fill", "empty", "-o", "new.xlsx"), says="フォルダです"),
    # read
    Case("read", "missing", ("read", "nothere.xlsx")),
    Case("read", "unreadable", ("read", "secret.xlsx"), as_user=True),
    Case("read", "unwritable", ("read", "book.xlsx", "-o", "locked/r.json"), as_user=True),
    Case("read", "wrong type", ("read", "data.json")),
    Case("read", "wrong extension", ("read", "book.xlsx", "-o", "r.txt")),
    Case("read", "wrong extension", ("read", "book.xlsx", "--format", "json", "-o", "r.yaml")),
    Case("read", "existing output", ("read", "book.xlsx", "-o", "existing.json")),
    Case("read", "bad option", ("read", "book.xlsx", "--format", "xml")),
    # validate --annotate / --clear
    Case("validate", "missing", ("validate", "nothere.xlsx", "--annotate", "-o", "m.xlsx")),
    Case("validate", "unreadable", ("validate", "secret.xlsx", "--annotate", "-o", "m.xlsx"), as_user=True),
    Case("validate", "unwritable", ("validate", "book.xlsx", "--annotate", "-o", "locked/m.xlsx"), as_user=True),
    Case("validate", "unwritable", ("validate", "ro.xlsx", "--annotate", "--in-place")),
    Case("validate", "wrong type", ("validate", "data.json", "--annotate", "-o", "m.xlsx")),
    Case("validate", "wrong extension", ("validate", "book.xlsx", "--annotate", "-o", "m.json")),
    Case("validate", "existing output", ("validate", "book.xlsx", "--annotate", "-o", "existing.xlsx")),
    Case("validate", "bad option", ("validate", "book.xlsx", "--stage", "後期")),
    Case("validate", "bad option", ("validate", "book.xlsx", "-o", "m.xlsx")),
    Case("validate", "bad option", ("validate", "book.xlsx", "--in-place")),
    Case("validate", "bad option", ("validate", "book.xlsx", "--annotate", "--clear", "-o", "m.xlsx")),
    Case("validate", "in use", ("validate", "opened.xlsx", "--annotate", "--in-place"), says="Excel か LibreOffice で開かれています"),
    Case("validate", "in use", ("validate", "writing.xlsx", "--annotate", "--in-place"), says="ほかの人（または別の処理）"),
    # achieve
    Case("achieve", "missing", ("achieve", "nothere.xlsx", "-o", "a.xlsx")),
    Case("achieve", "unreadable", ("achieve", "secret.xlsx", "-o", "a.xlsx"), as_user=True),
    Case("achieve", "unwritable", ("achieve", "book.xlsx", "-o", "locked/a.xlsx"), as_user=True),
    Case("achieve", "unwritable", ("achieve", "ro.xlsx", "--in-place")),
    Case("achieve", "wrong type", ("achieve", "data.json", "-o", "a.xlsx")),
    Case("achieve", "wrong extension", ("achieve", "book.xlsx", "-o", "a.pdf")),
    Case("achieve", "existing output", ("achieve", "book.xlsx", "-o", "existing.xlsx")),
    Case("achieve", "bad option", ("achieve", "book.xlsx", "-o", "a.xlsx", "--settings", "bad_settings.json")),
    Case("achieve", "bad option", ("achieve", "book.xlsx"), says="-o で指定するか、--in-place"),
    Case("achieve", "in use", ("achieve", "opened.xlsx", "--in-place"), says="Excel か LibreOffice で開かれています"),
    Case("achieve", "in use", ("achieve", "writing.xlsx", "--in-place"), says="ほかの人（または別の処理）"),
    Case("achieve", "existing output", ("achieve", "book.xlsx", "-o", "existing.xlsx"), says="--force を付けて"),
    # carry-forward
    Case("carry-forward", "missing", ("carry-forward", "nothere.xlsx", "--to-year", "2021", "-o", "c.xlsx")),
    Case("carry-forward", "unwritable", ("carry-forward", "book.xlsx", "--to-year", "2021", "-o", "locked/c.xlsx"),
         as_user=True),
    Case("carry-forward", "wrong type", ("carry-forward", "data.json", "--to-year", "2021", "-o", "c.xlsx")),
    Case("carry-forward", "wrong extension", ("carry-forward", "book.xlsx", "--to-year", "2021", "-o", "c.csv")),
    Case("carry-forward", "existing output", ("carry-forward", "book.xlsx", "--to-year", "2021", "-o", "existing.xlsx")),
    Case("carry-forward", "bad option", ("carry-forward", "book.xlsx", "--to-year", "2020", "-o", "c.xlsx")),
    Case("carry-forward", "bad option", ("carry-forward", "book.xlsx", "--to-year", "来年", "-o", "c.xlsx")),
    # sample
    Case("sample", "unwritable", ("sample", "fy2020", "-o", "locked/s.json"), as_user=True),
    Case("sample", "wrong extension", ("sample", "fy2020", "-o", "s.txt")),
    Case("sample", "wrong extension", ("sample", "fy2020", "--format", "csv", "-o", "s.json")),
    Case("sample", "existing output", ("sample", "fy2020", "-o", "existing.json")),
    Case("sample", "bad option", ("sample", "fy1999", "-o", "s.json")),
    # render (all refused before LibreOffice runs)
    Case("render", "missing", ("render", "nothere.xlsx", "-o", "r.pdf")),
    Case("render", "unwritable", ("render", "book.xlsx", "-o", "locked/r.pdf"), as_user=True),
    Case("render", "wrong type", ("render", "data.json", "-o", "r.pdf")),
    Case("render", "wrong type", ("render", "data.json", "-o", "r.pdf", "--sheets", "表紙")),
    Case("render", "wrong extension", ("render", "book.xlsx", "-o", "r.xlsx")),
    Case("render", "existing output", ("render", "book.xlsx", "-o", "existing.pdf")),
    Case("render", "existing output", ("render", "book.xlsx", "-o", "pages.pdf", "--png")),
    Case("render", "bad option", ("render", "book.xlsx", "-o", "r.pdf", "--dpi", "10"), says="30 以上 600 以下"),
    Case("render", "bad option", ("render", "book.xlsx", "-o", "r.pdf", "--sheets", "3_なし"), says="シートがありません: 3_なし"),
    # rollup
    Case("rollup", "missing", ("rollup", "nothere", "-o", "r.xlsx")),
    Case("rollup", "missing", ("rollup", "empty", "-o", "r.xlsx")),
    Case("rollup", "unwritable", ("rollup", "book.xlsx", "-o", "locked/r.xlsx"), as_user=True),
    Case("rollup", "wrong type", ("rollup", "data.json", "-o", "r.xlsx")),
    Case("rollup", "wrong extension", ("rollup", "book.xlsx", "-o", "r.csv")),
    Case("rollup", "existing output", ("rollup", "book.xlsx", "-o", "existing.xlsx")),
    Case("rollup", "bad option", ("rollup", "book.xlsx", "-o", "r.xlsx", "--jobs", "-1")),
    Case("rollup", "bad option", ("rollup", "book.xlsx", "-o", "r.xlsx", "--scheduler", "foo")),
    Case("rollup", "bad option", ("rollup", "book.xlsx", "-o", "r.xlsx", "--stage", "後期")),
    Case("rollup", "bad option", ("rollup", "book.xlsx")),
    # publish
    Case("publish", "missing", ("publish", "nothere", "-o", "site")),
    Case("publish", "unreadable", ("publish", "secret.xlsx", "-o", "site"), as_user=True),
    Case("publish", "unwritable", ("publish", "book.xlsx", "-o", "locked/site"), as_user=True),
    Case("publish", "wrong type", ("publish", "data.json", "-o", "site")),
    Case("publish", "wrong extension", ("publish", "book.xlsx", "-o", "site.xlsx")),
    Case("publish", "existing output", ("publish", "book.xlsx", "-o", "setup")),
    Case("publish", "existing output", ("publish", "book.xlsx", "-o", "setup", "--force")),
    Case("publish", "bad option", ("publish", "book.xlsx", "-o", "site", "--cap", "0")),
    Case("publish", "bad option", ("publish", "book.xlsx", "-o", "site", "--stage", "後期")),
    Case("publish", "bad option", ("publish", "book.xlsx")),
    # convert
    Case("convert", "missing", ("convert", "nothere.xls", "-o", "c.xlsx")),
    Case("convert", "unreadable", ("convert", "secret.xlsx", "-o", "c.xlsx"), as_user=True),
    Case("convert", "unwritable", ("convert", "book.xlsx", "-o", "locked/c.xlsx"), as_user=True),
    Case("convert", "wrong type", ("convert", "data.json", "-o", "c.xlsx")),
    Case("convert", "wrong extension", ("convert", "book.xlsx", "-o", "c.ods")),
    Case("convert", "existing output", ("convert", "book.xlsx", "-o", "existing.xlsx")),
    Case("convert", "bad option", ("convert", "book.xlsx")),
    # excel-setup
    Case("excel-setup", "missing", ("excel-setup", "nothere")),
    Case("excel-setup", "unwritable", ("excel-setup", "locked"), as_user=True),
    Case("excel-setup", "existing output", ("excel-setup", "setup")),
    Case("excel-setup", "wrong type", ("excel-setup", "data.json"), says="フォルダではありません（ファイルです）"),
    # demo
    Case("demo", "unwritable", ("demo", "--out", "locked"), as_user=True),
    Case("demo", "existing output", ("demo", "--out", "olddemo")),
    # serve (the refusals that come before any server starts; a port in use: tests/test_server.py)
    Case("serve", "bad option", ("serve", "--port", "70000"), says="1 以上 65535 以下"),
    Case("serve", "bad option", ("serve", "--host", "nosuchhost.invalid", "--no-auth"), says="アドレスが分かりません"),
    # the command line itself
    Case("(any)", "bad option", ("fil", "data.json"), says="そのようなコマンドはありません: fil（もしかして fill）"),
    Case("(any)", "bad option", ("read", "book.xlsx", "--bogus")),
]


@pytest.fixture(scope="module")
def playground(sample_books):
    """A folder every user can enter: inputs, existing outputs, a read-only workbook, a folder only
    root may write, and files only root may read."""
    base = Path(tempfile.mkdtemp(prefix="xlsheets-errors-"))
    base.chmod(0o755)
    book = base / "book.xlsx"
    shutil.copyfile(sample_books["fy2020"], book)
    (base / "data.json").write_text(json.dumps(sample_dict("fy2020"), ensure_ascii=False), encoding="utf-8")
    (base / "garbage.json").write_text("これは JSON ではありません {", encoding="utf-8")
    (base / "badyear.json").write_text(json.dumps(sample_dict("fy2020") | {"fiscal_year": "来年"}), encoding="utf-8")
    (base / "nogoals.json").write_text(json.dumps({"fiscal_year": 2024, "department": "福祉部", "goals": []}),
                                       encoding="utf-8")
    (base / "bad_settings.json").write_text('{"◎": 50, "○": 80}', encoding="utf-8")
    for name in ("existing.xlsx", "existing.json", "existing.pdf"):
        (base / name).write_text("前からあるファイル", encoding="utf-8")
    (base / "pages-1.png").write_bytes(b"an old page")
    for name in ("opened.xlsx", "writing.xlsx"):  # open in Excel; being written by another xlsheets process
        shutil.copyfile(book, base / name)
    (base / "~$opened.xlsx").write_bytes(b"\x06Tanaka" + b" " * 158)
    host = socket.gethostname()  # this test's own process: alive, so the lock is not stale
    (base / ".~lock.writing.xlsx#").write_text(f"xlsheets,user,{host},01.04.2026 09:00,xlsheets-pid-{os.getpid()}@{host};")
    shutil.copyfile(book, base / "ro.xlsx")
    (base / "ro.xlsx").chmod(0o444)
    for name in ("secret.json", "secret.xlsx"):
        shutil.copyfile(base / ("data.json" if name.endswith("json") else "book.xlsx"), base / name)
        _only_nobody(base / name, 0o600)
    for folder in ("locked", "empty", "setup", "olddemo"):
        (base / folder).mkdir(mode=0o755)
    (base / "setup" / "xlsheets.xlsm").write_text("前からあるファイル", encoding="utf-8")
    (base / "olddemo" / "fy2020.xlsx").write_text("利用者のファイル", encoding="utf-8")
    _only_nobody(base / "locked", 0o755)  # the owner alone may write in it
    yield base
    for p in base.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(base)


def _only_nobody(p: Path, mode: int) -> None:
    """As root: p belongs to nobody with mode (what the owner alone may do). As a user: nothing allowed."""
    if AS_ROOT:
        os.chown(p, NOBODY, NOBODY)
        p.chmod(mode)
    else:
        p.chmod(mode & 0o555 if p.is_dir() else 0)


def snapshot(base: Path) -> dict[str, tuple[int, bytes]]:
    out = {}
    for p in sorted(base.rglob("*")):
        st = p.lstat()
        digest = b"" if p.is_dir() else hashlib.sha256(_read_as_root(p)).digest()
        out[str(p.relative_to(base))] = (stat.S_IMODE(st.st_mode), st.st_mtime_ns, digest)
    return out


def _read_as_root(p: Path) -> bytes:
    mode = p.stat().st_mode
    if not mode & stat.S_IRUSR:  # a non-root run: the unreadable file, let us look at it
        p.chmod(mode | stat.S_IRUSR)
        data = p.read_bytes()
        p.chmod(mode)
        return data
    return p.read_bytes()


def run_case(case: Case, base: Path) -> tuple[int, str]:
    if not case.as_user:
        cwd = os.getcwd()
        os.chdir(base)
        try:
            res = CliRunner().invoke(main, list(case.args))
        finally:
            os.chdir(cwd)
        assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit), res.exception
        return res.exit_code, res.output
    return run_unprivileged(list(case.args), base)


WITHOUT_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]


def run_unprivileged(args: list[str], cwd: Path) -> tuple[int, str]:
    """The command in a fresh process that file permissions bind: root without its override."""
    cmd = [sys.executable, "-m", "xlsheets.cli", *args]
    if AS_ROOT:
        if not shutil.which("setpriv") or subprocess.run([*WITHOUT_OVERRIDE, "true"]).returncode != 0:
            pytest.skip("root cannot drop its permission override here (setpriv): no unprivileged run")
        cmd = [*WITHOUT_OVERRIDE, *cmd]
    env = dict(os.environ, HOME=str(cwd), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stderr + proc.stdout


def test_every_command_refuses_every_kind_of_bad_input_cleanly(playground, capsys):
    before = snapshot(playground)
    failures = []
    for case in CASES:
        code, output = run_case(case, playground)
        first = output.strip().splitlines()[0] if output.strip() else ""
        problems = [what for what, bad in (
            (f"exit {code}", code != 2),
            ("first line not Japanese", not JAPANESE.search(first)),
            ("traceback", "Traceback" in output),
            ("files changed", snapshot(playground) != before),
            (f"does not say {case.says!r}", case.says not in output),
        ) if bad]
        if problems:
            failures.append(f"{' '.join(case.args)} [{case.kind}]: {', '.join(problems)}\n    {output[:300]!r}")
            before = snapshot(playground)
    kinds = sorted({c.kind for c in CASES})
    commands = sorted({c.command for c in CASES})
    with capsys.disabled():
        print(f"\n{len(CASES)} bad-input cases ({len(commands)} commands × {len(kinds)} kinds: {', '.join(kinds)}),"
              f" {sum(c.as_user for c in CASES)} of them as an unprivileged user")
    assert not failures, "\n".join(failures)


def test_the_table_covers_every_command_and_every_kind():
    kinds = {"missing", "unreadable", "unwritable", "wrong type", "wrong extension", "existing output", "bad option",
             "in use"}
    assert {c.kind for c in CASES} == kinds
    assert set(main.commands) <= {c.command for c in CASES}


# ---------------------------------------------------------------- one regression test per finding


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_an_unwritable_folder_is_said_before_the_roll_up_reads(playground):
    code, output = run_unprivileged(["rollup", "book.xlsx", "-o", "locked/r.xlsx"], playground)
    assert code == 2 and "書き込めません" in output.splitlines()[0] and "Traceback" not in output


def test_a_read_only_workbook_is_not_replaced_in_place(fy2020):
    fy2020.chmod(0o444)
    before = fy2020.read_bytes()
    res = run("validate", fy2020, "--annotate", "--in-place")
    assert res.exit_code == 2 and "読み取り専用" in res.output
    assert fy2020.read_bytes() == before and stat.S_IMODE(fy2020.stat().st_mode) == 0o444
    assert not fy2020.with_name("fy2020.bak.xlsx").exists()


def test_a_read_only_backup_is_named_instead_of_the_workbook(fy2020):
    bak = fy2020.with_name("fy2020.bak.xlsx")
    bak.write_bytes(fy2020.read_bytes())
    bak.chmod(0o444)
    res = run("achieve", fy2020, "--in-place")
    assert res.exit_code == 2 and "バックアップ" in res.output and "fy2020.bak.xlsx" in res.output


def test_demo_refuses_a_folder_holding_its_files_unless_forced(tmp_path):
    mine = tmp_path / "fy2020.xlsx"
    mine.write_text("利用者のファイル", encoding="utf-8")
    res = run("demo", "--out", tmp_path)
    assert res.exit_code == 2 and "fy2020.xlsx" in res.output.splitlines()[0]
    assert mine.read_text(encoding="utf-8") == "利用者のファイル"


def test_rollup_of_a_missing_input_writes_nothing_and_exits_2(sample_books, tmp_path):
    res = run("rollup", sample_books["fy2020"], tmp_path / "nothere", "-o", tmp_path / "r.xlsx")
    assert res.exit_code == 2 and "入力が見つかりません" in res.output
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.parametrize("name, check", [
    ("r.yaml", lambda text: text.startswith("fiscal_year: 2020")),
    ("r.json", lambda text: json.loads(text)["fiscal_year"] == 2020),
    ("r.csv", lambda text: text.startswith("\ufeff年度,")),
])
def test_the_output_extension_chooses_the_format(sample_books, tmp_path, name, check):
    out = tmp_path / name
    assert run("read", sample_books["fy2020"], "-o", out).exit_code == 0
    assert check(out.read_text(encoding="utf-8"))


def _umask(value: int):
    old = os.umask(value)
    return old


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664)])
def test_every_output_follows_the_umask(sample_books, tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        src = sample_books["fy2020"]
        assert run("read", src, "-o", tmp_path / "r.json").exit_code == 0
        assert run("sample", "fy2020", "-o", tmp_path / "s.csv").exit_code == 0
        assert run("sample", "fy2020", "-o", tmp_path / "s.yaml").exit_code == 0
        assert run("excel-setup", tmp_path).exit_code == 0
        res = run("rollup", src, "-o", tmp_path / "r.xlsx", "--format", "parquet", "--jobs", "1")
        assert res.exit_code == 0, res.output
    finally:
        os.umask(old)
    made = ["r.json", "s.csv", "s.yaml", "xlsheets.xlsm", "r.xlsx", "r.parquet"]
    assert {n: oct(stat.S_IMODE((tmp_path / n).stat().st_mode)) for n in made} == dict.fromkeys(made, oct(mode))


def test_annotate_with_json_output_leaves_stdout_to_the_json(sample_books, tmp_path):
    res = run("validate", sample_books["fy2020"], "--annotate", "-o", tmp_path / "m.xlsx", "--format", "json",
              "--stage", "final")
    assert json.loads(res.stdout)["summary"]["error"] > 0
    assert "セルに指摘を記入しました" in res.stderr


def test_render_png_again_is_refused_and_forced_leaves_no_stale_page(tmp_path):
    from openpyxl import Workbook

    book = tmp_path / "one.xlsx"
    wb = Workbook()
    wb.active["A1"] = "1ページ"
    wb.save(book)
    for k in range(1, 9):
        (tmp_path / f"one-{k:02d}.png").write_bytes(b"old page")
    res = run("render", book, "-o", tmp_path / "one.pdf", "--png")
    assert res.exit_code == 2 and "PNG" in res.output and not (tmp_path / "one.pdf").exists()
    res = run("render", book, "-o", tmp_path / "one.pdf", "--png", "--force")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.glob("one-*.png")) == ["one-1.png"]


@pytest.mark.parametrize("option", [("--jobs", "-1"), ("--jobs", "0"), ("--scheduler", "foo")])
def test_rollup_options_out_of_range_are_refused(sample_books, tmp_path, option):
    res = run("rollup", sample_books["fy2020"], "-o", tmp_path / "r.xlsx", *option)
    assert res.exit_code == 2 and option[0] in res.output.splitlines()[0] and "Traceback" not in res.output


@pytest.mark.parametrize("year", ["2020", "2019", "1999", "令和元年度"])
def test_carry_forward_to_a_year_not_after_the_sheet_is_refused(sample_books, tmp_path, year):
    res = run("carry-forward", sample_books["fy2020"], "--to-year", year, "-o", tmp_path / "c.xlsx")
    assert res.exit_code == 2 and "令和2年度" in res.output and not (tmp_path / "c.xlsx").exists()


@pytest.mark.parametrize("content, says", [
    ('{"◎": "abc"}', "◎ の下限は 0 以上の整数"),
    ('{"◎": 50, "○": 80}', "順序が逆"),
    ('{"bands": [[80, "◎"], [100, "○"]]}', "順序が逆"),
    ('{"◎": true}', "◎ の下限"),
])
def test_settings_files_say_the_real_problem(tmp_path, content, says):
    from xlsheets.errors import XlsheetsError
    from xlsheets.settings import load_settings

    p = tmp_path / "s.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(XlsheetsError, match=says) as e:
        load_settings(p)
    assert "項目が不明" not in str(e.value)


@pytest.mark.parametrize("change, says", [
    ({"fiscal_year": "来年"}, "年度（fiscal_year）が読み取れません: 来年"),
    ({"goals": []}, "重点目標（goals）が1件もありません"),
])
def test_fill_refuses_data_it_cannot_honour(tmp_path, change, says):
    data = tmp_path / "d.json"
    data.write_text(json.dumps(sample_dict("fy2020") | change, ensure_ascii=False), encoding="utf-8")
    res = run("fill", data, "-o", tmp_path / "f.xlsx")
    assert res.exit_code == 2 and says in res.output and not (tmp_path / "f.xlsx").exists()


@pytest.mark.parametrize("args, says", [
    (("-o", "m.xlsx"), "--annotate"),
    (("--in-place",), "--annotate"),
    (("--annotate", "--clear", "-o", "m.xlsx"), "同時に指定できません"),
])
def test_validate_options_that_would_be_ignored_are_refused(sample_books, tmp_path, args, says):
    res = run("validate", sample_books["fy2020"], *[tmp_path / a if a.endswith(".xlsx") else a for a in args])
    assert res.exit_code == 2 and says in res.output.splitlines()[0] and not (tmp_path / "m.xlsx").exists()


def test_argument_errors_are_japanese_first(tmp_path):
    res = run("fill", tmp_path / "d.json")
    lines = res.output.splitlines()
    assert res.exit_code == 2 and "-o / --output を指定してください" in lines[0] and "Missing option" in lines[1]


@pytest.mark.parametrize("stage, expected", [("期末", "final"), ("中間", "midterm"), ("期末報告", "final")])
def test_japanese_stage_names_are_accepted(sample_books, stage, expected):
    ja = run("validate", sample_books["fy2020"], "--stage", stage, "--format", "json")
    en = run("validate", sample_books["fy2020"], "--stage", expected, "--format", "json")
    assert ja.exit_code in (0, 1) and json.loads(ja.stdout) == json.loads(en.stdout)


def test_the_results_sheet_prints_landscape_one_page_wide_with_a_colour_legend(sample_books, tmp_path):
    from openpyxl import load_workbook

    from xlsheets.marking import BELOW_FILL, GRADE_FILLS, RESULTS_HEADER_ROW, SEVERITY_FILL

    assert not set(SEVERITY_FILL.values()) & {*GRADE_FILLS, BELOW_FILL}  # a mark never looks like a grade
    out = tmp_path / "m.xlsx"
    assert run("validate", sample_books["fy2020"], "--annotate", "-o", out, "--stage", "final").exit_code == 1
    ws = load_workbook(out)["検証結果"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows.replace("$", "") == f"{RESULTS_HEADER_ROW}:{RESULTS_HEADER_ROW}"
    legend = {ws.cell(r, c).value: ws.cell(r, c).fill.fgColor.rgb[-6:] for r in (1, 2) for c in range(2, 6)}
    assert legend["警告"] == SEVERITY_FILL["warning"] and legend["△"] == GRADE_FILLS[2] != legend["警告"]
    assert ws.cell(RESULTS_HEADER_ROW, 1).value == "重大度"


def test_the_results_sheet_renders_on_a4_landscape_with_the_header_on_every_page(sample_books, tmp_path):
    import subprocess

    from openpyxl import load_workbook

    from xlsheets.render import render_pdf

    out = tmp_path / "m.xlsx"
    run("validate", sample_books["fy2020"], "--annotate", "-o", out, "--stage", "final")
    wb = load_workbook(out)
    for ws in [w for w in wb.worksheets if w.title != "検証結果"]:
        wb.remove(ws)
    wb.save(tmp_path / "only.xlsx")
    pdf = render_pdf(tmp_path / "only.xlsx", tmp_path / "only.pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height and round(width) == 842  # A4 landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2 and all("重大度" in p and "内容" in p for p in pages)  # header repeated, no column split


def test_excel_unicode_text_is_read(sample_books, tmp_path):
    import csv
    import io

    from xlsheets.interchange import dump

    rows = list(csv.reader(io.StringIO(dump(__import__("xlsheets.reading").reading.read(sample_books["fy2024"]), "csv"))))
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\r\n").writerows(rows)
    txt = tmp_path / "入力.txt"
    txt.write_bytes(buf.getvalue().encode("utf-16"))  # what Excel's 「Unicode テキスト」 saves
    res = run("fill", txt, "-o", tmp_path / "f.xlsx")
    assert res.exit_code == 0, res.output
    assert json.loads(run("read", tmp_path / "f.xlsx").output) == json.loads(run("read", sample_books["fy2024"]).output)


def test_sample_csv_for_excel_starts_with_a_bom(tmp_path):
    assert run("sample", "fy2024", "-o", tmp_path / "s.csv").exit_code == 0
    assert (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_demo_lists_errors_first_and_rolls_up_only_the_two_originals(tmp_path):
    res = run("demo", "--out", tmp_path / "d")
    assert res.exit_code == 0, res.output
    assert "ブック 2 件" in res.output
    assert "検証（期末報告）" in res.output and "検証（中間報告）" in res.output and "final" not in res.output
    for line in res.output.splitlines():
        m = re.search(r"エラー (\d+) 件・警告 \d+ 件（多い指摘 \d+ 種: ([\w-]+)", line)
        if m and int(m.group(1)):
            assert m.group(2) in {"missing-report", "required-empty", "invalid-date", "rate-mismatch"}, line


def test_excel_setup_steps_name_no_path_of_this_machine(tmp_path):
    res = run("excel-setup", tmp_path)
    assert res.exit_code == 0
    assert sys.executable not in res.output and "pip install xlsheets\n" not in res.output
    assert "wheel" in res.output and "ImportPythonUDFs" in res.output


def test_demo_forced_over_a_users_file_keeps_it_as_a_backup(tmp_path):
    mine = tmp_path / "fy2020.xlsx"
    run("sample", "fy2024", "-o", mine)
    before = mine.read_bytes()
    res = run("demo", "--out", tmp_path, "--force")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "fy2020.bak.xlsx").read_bytes() == before and mine.read_bytes() != before


def test_the_command_alone_shows_the_help_not_an_error():
    res = CliRunner().invoke(main, [])
    assert "Usage:" in res.output and "エラー" not in res.output


# ---------------------------------------------------------------- the Python API names its own parameters


def _api_cases(base: Path):
    """(what is called, the call, what its message must say): the remedy in Python's words."""
    from xlsheets import fill, rollup
    from xlsheets.demo import run_demo
    from xlsheets.ops import achieve_file, annotate_file, clear_file, convert_file
    from xlsheets.render import render_pdf

    book, data = base / "book.xlsx", base / "data.json"
    xlsb = Path(__file__).parent / "data" / "fy2020.xlsb"
    return [
        ("fill over an existing file", lambda: fill(data, base / "existing.xlsx"), "overwrite=True"),
        ("achieve with no output", lambda: achieve_file(book), "in_place=True"),
        ("achieve with both outputs", lambda: achieve_file(book, base / "a.xlsx", in_place=True), "out と in_place=True"),
        ("annotate over an existing file", lambda: annotate_file(book, base / "existing.xlsx"), "overwrite=True"),
        ("clear into a read-only file", lambda: clear_file(base / "ro.xlsx", in_place=True), 'out="新しいファイル名.xlsx"'),
        ("achieve an .xlsb in place", lambda: achieve_file(xlsb, in_place=True), 'out="新しいファイル名.xlsx"'),
        ("convert over an existing file", lambda: convert_file(book, base / "existing.xlsx"), "overwrite=True"),
        ("render over an existing file", lambda: render_pdf(book, base / "existing.pdf"), "overwrite=True"),
        ("roll up over an existing file", lambda: rollup([book], base / "existing.xlsx", jobs=1), "overwrite=True"),
        ("demo over its own files", lambda: run_demo(base / "olddemo", echo=lambda _line: None), "overwrite=True"),
        ("roll up with no worker", lambda: rollup([book], base / "r.xlsx", jobs=0), "jobs="),
        ("roll up on a bad scheduler", lambda: rollup([book], base / "r.xlsx", scheduler="foo"), "scheduler="),
    ]


def test_the_python_api_names_its_parameters_not_the_commands_options(playground):
    from xlsheets.errors import XlsheetsError

    before = snapshot(playground)
    failures = []
    for what, call, says in _api_cases(playground):
        try:
            call()
        except XlsheetsError as e:
            text = str(e)
            if says not in text or re.search(r"(?<![\w-])--?[a-z]", text):
                failures.append(f"{what}: {text!r}")
        else:
            failures.append(f"{what}: no error")
    assert not failures, "\n".join(failures)
    assert snapshot(playground) == before


def test_an_excel_button_says_what_to_do_in_excel(tmp_path):
    """The words of a refusal inside a button: no command-line option, no Python parameter."""
    from xlsheets.errors import EXCEL, XlsheetsError, speaking_to
    from xlsheets.io.saving import check_output

    (tmp_path / "x.xlsx").write_bytes(b"")
    with speaking_to(EXCEL), pytest.raises(XlsheetsError) as e:
        check_output(tmp_path / "x.xlsx", False)
    assert "もう一度押してください" in e.value.ja and "--force" not in str(e.value) and "overwrite" not in str(e.value)
