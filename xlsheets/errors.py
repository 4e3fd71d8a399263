"""User-facing errors: a Japanese message first, English after, and an exit code.

A message that tells the user what to do names the option of the face they used: ``--force`` on
the command line, ``overwrite=True`` in Python, nothing to type on an Excel button. Faces say who
they are with :func:`speaking_to`; :func:`remedy` gives the words.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

CLI, PYTHON, EXCEL = "cli", "python", "excel"
_FACE: contextvars.ContextVar[str] = contextvars.ContextVar("xlsheets_face", default=PYTHON)

# what a person does to get past a refusal, in the words of each face: (Japanese, English)
REMEDIES: dict[str, dict[str, tuple[str, str]]] = {
    "overwrite": {
        CLI: ("上書きするには --force を付けてください", "use --force to overwrite"),
        PYTHON: ("上書きするには overwrite=True を指定してください", "pass overwrite=True to overwrite"),
        EXCEL: ("そのファイルを移すか名前を変えてから、もう一度押してください", "move or rename it, then press again"),
    },
    "other_output": {
        CLI: ("-o 新しいファイル名.xlsx で別のファイルに保存してください", "use -o NEW.xlsx"),
        PYTHON: ('out="新しいファイル名.xlsx" で別のファイルに保存してください', 'pass out="NEW.xlsx"'),
        EXCEL: ("「名前を付けて保存」で別のファイルにしてから押してください", "save it as another file first"),
    },
    "convert_output": {
        CLI: ("-o 新しいファイル名.xlsx を指定すると、読み取った内容を公式様式の .xlsx に変換して書き込みます",
              "use -o NEW.xlsx to convert it into the official template"),
        PYTHON: ('out="新しいファイル名.xlsx" を指定すると、読み取った内容を公式様式の .xlsx に変換して書き込みます',
                 'pass out="NEW.xlsx" to convert it into the official template'),
        EXCEL: ("Excel で .xlsx として保存してから押してください", "save it as .xlsx first"),
    },
    "out_or_in_place": {
        CLI: ("出力先を -o で指定するか、--in-place で上書きしてください", "give -o OUT or --in-place"),
        PYTHON: ("出力先を out= で指定するか、in_place=True で上書きしてください", "pass out=… or in_place=True"),
        EXCEL: ("出力先を指定してください", "give an output"),
    },
    "not_both": {
        CLI: ("-o と --in-place は同時に指定できません", "use either -o or --in-place"),
        PYTHON: ("out と in_place=True は同時に指定できません", "pass either out or in_place=True"),
        EXCEL: ("出力先と上書きは同時に指定できません", "either an output or in place"),
    },
    "other_folder": {
        CLI: ("上書きするには --force を付けるか、--out で別のフォルダを指定してください", "use --force or another --out"),
        PYTHON: ("上書きするには overwrite=True を指定するか、別のフォルダを指定してください",
                 "pass overwrite=True or another folder"),
        EXCEL: ("別のフォルダで実行してください", "use another folder"),
    },
}


# an option as each face spells it (where a message names an option rather than a whole remedy)
OPTIONS: dict[str, dict[str, str]] = {
    "jobs": {CLI: "--jobs", PYTHON: "jobs=", EXCEL: "並列数"},
    "scheduler": {CLI: "--scheduler", PYTHON: "scheduler=", EXCEL: "Dask スケジューラー"},
    "duplicates": {CLI: "--duplicates", PYTHON: "duplicates=", EXCEL: "重複の扱い"},
}


def option(name: str) -> str:
    """OPTIONS[name] for the current face: '--jobs' on the command line, 'jobs=' in Python."""
    return OPTIONS[name][face()]


def face() -> str:
    """Who the user is talking to: 'cli', 'python' (the default) or 'excel'."""
    return _FACE.get()


@contextmanager
def speaking_to(name: str):
    """Messages raised inside name the options of this face (CLI, EXCEL or PYTHON)."""
    token = _FACE.set(name)
    try:
        yield
    finally:
        _FACE.reset(token)


def remedy(what: str) -> tuple[str, str]:
    """(Japanese, English) words of REMEDIES[what] for the current face."""
    return REMEDIES[what][face()]


class XlsheetsError(Exception):
    """A problem with the user's input or environment (not a bug).

    Faces (CLI, Excel buttons) show ``str(err)`` and exit with ``err.exit_code``;
    they never show a traceback for these.
    """

    exit_code = 2

    def __init__(self, ja: str, en: str = "") -> None:
        self.ja = ja
        self.en = en
        super().__init__(f"{ja}\n({en})" if en else ja)


class NotAGoalSheet(XlsheetsError):
    """The workbook holds no sheet that looks like a 重点目標管理シート."""


class UnreadableWorkbook(XlsheetsError):
    """The file is missing, not a workbook, broken or hostile."""


class RollupWorkbook(NotAGoalSheet):
    """The workbook is an xlsheets roll-up (never read back as a department's sheets)."""


class ChangedMeanwhile(XlsheetsError):
    """The file changed (or was being written) between reading it and replacing it: nothing written."""
