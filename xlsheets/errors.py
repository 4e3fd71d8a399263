"""User-facing errors: a Japanese message first, English after, and an exit code."""

from __future__ import annotations


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
