"""`xlsheets excel-setup`: put the ready xlsheets.xlsm where the user wants it, and say what to do next."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .errors import XlsheetsError
from .saving import write_bytes_atomic


def workbook_source() -> Path:
    """The built macros/xlsheets.xlsm (installed package or source tree)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "macros" / "xlsheets.xlsm", here.parent / "macros" / "xlsheets.xlsm"):
        if cand.exists():
            return cand
    raise XlsheetsError("xlsheets.xlsm が見つかりません（python scripts/build_xlsm.py で作れます）。",
                        "macros/xlsheets.xlsm not found")


def copy_workbook(folder: Path, overwrite: bool = False) -> Path:
    folder = Path(folder)
    if not folder.exists():
        raise XlsheetsError(f"フォルダがありません: {folder}", f"no such folder: {folder}")
    return write_bytes_atomic(workbook_source().read_bytes(), folder / "xlsheets.xlsm", overwrite=overwrite)


def steps(path: Path) -> str:
    python = shutil.which("python") or sys.executable
    return f"""Windows PC での手順（初回のみ）:
  1. Python 3.10 以上をインストールし、コマンドプロンプトで:  pip install xlsheets
     （このPCのPython: {python}）
  2. {path.name} を「信頼できる場所」に置く: Excel の「ファイル」→「オプション」→「トラスト センター」
     →「トラスト センターの設定」→「信頼できる場所」でフォルダを追加（ダウンロードしたファイルは
     右クリック →「プロパティ」→「許可する」にチェック）。
  3. {path.name} を開き、「操作」シートのボタンを押す。Python の場所を指定する場合は
     「xlwings.conf」シートの Interpreter_Win に pythonw.exe のパスを書く。
  4. ワークシート関数（=XS_TARGET など）を使う場合は、xlwings アドインを入れるか（xlwings addin install）、
     VBA の参照設定は不要です（このブックは xlwings の VBA を内蔵しています）。
うまく動かないときは、メッセージに出るログファイルの場所を担当者に伝えてください。"""
