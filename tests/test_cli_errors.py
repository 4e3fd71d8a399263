"""Every command against every kind of bad input: exit 2, a Japanese first line, no traceback,
no file changed.

Unwritable folders and unreadable files are real: when the tests run as root (CI here does),
root ignores permissions, so those cases run the command as the unprivileged user ``nobody``
(``setpriv``) over files that only root may read or write; as a normal user they run directly
over files with their permission bits removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
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
    # achieve
    Case("achieve", "missing", ("achieve", "nothere.xlsx", "-o", "a.xlsx")),
    Case("achieve", "unreadable", ("achieve", "secret.xlsx", "-o", "a.xlsx"), as_user=True),
    Case("achieve", "unwritable", ("achieve", "book.xlsx", "-o", "locked/a.xlsx"), as_user=True),
    Case("achieve", "unwritable", ("achieve", "ro.xlsx", "--in-place")),
    Case("achieve", "wrong type", ("achieve", "data.json", "-o", "a.xlsx")),
    Case("achieve", "wrong extension", ("achieve", "book.xlsx", "-o", "a.pdf")),
    Case("achieve", "existing output", ("achieve", "book.xlsx", "-o", "existing.xlsx")),
    Case("achieve", "bad option", ("achieve", "book.xlsx", "-o", "a.xlsx", "--settings", "bad_settings.json")),
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
    Case("render", "wrong extension", ("render", "book.xlsx", "-o", "r.xlsx")),
    Case("render", "existing output", ("render", "book.xlsx", "-o", "existing.pdf")),
    Case("render", "existing output", ("render", "book.xlsx", "-o", "pages.pdf", "--png")),
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
    # excel-setup
    Case("excel-setup", "missing", ("excel-setup", "nothere")),
    Case("excel-setup", "unwritable", ("excel-setup", "locked"), as_user=True),
    Case("excel-setup", "existing output", ("excel-setup", "setup")),
    # demo
    Case("demo", "unwritable", ("demo", "--out", "locked"), as_user=True),
    Case("demo", "existing output", ("demo", "--out", "olddemo")),
    # the command line itself
    Case("(any)", "bad option", ("fil", "data.json")),
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
    shutil.copyfile(book, base / "ro.xlsx")
    (base / "ro.xlsx").chmod(0o444)
    for name in ("secret.json", "secret.xlsx"):
        shutil.copyfile(base / ("data.json" if name.endswith("json") else "book.xlsx"), base / name)
        (base / name).chmod(0o600 if AS_ROOT else 0o000)
    for folder in ("locked", "empty", "setup", "olddemo"):
        (base / folder).mkdir(mode=0o755)
    (base / "setup" / "xlsheets.xlsm").write_text("前からあるファイル", encoding="utf-8")
    (base / "olddemo" / "fy2020.xlsx").write_text("利用者のファイル", encoding="utf-8")
    (base / "locked").chmod(0o755 if AS_ROOT else 0o555)  # root's folder: nobody may not write
    yield base
    for p in base.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    shutil.rmtree(base)


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


def run_unprivileged(args: list[str], cwd: Path) -> tuple[int, str]:
    """The command in a fresh process, as nobody when this is root."""
    cmd = [sys.executable, "-m", "xlsheets.cli", *args]
    if AS_ROOT:
        cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]
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
    kinds = {"missing", "unreadable", "unwritable", "wrong type", "wrong extension", "existing output", "bad option"}
    assert {c.kind for c in CASES} == kinds
    known = {"fill", "read", "validate", "achieve", "carry-forward", "sample", "render", "rollup", "excel-setup", "demo"}
    assert known <= {c.command for c in CASES}
