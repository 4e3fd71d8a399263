"""`xlsheets excel-setup`: put the ready xlsheets.xlsm where the user wants it, and say what to do next."""

from __future__ import annotations

from pathlib import Path

from .errors import XlsheetsError
from .io.saving import write_bytes_atomic


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
    if not folder.is_dir():
        raise XlsheetsError(f"フォルダではありません（ファイルです）: {folder}。コピー先のフォルダを指定してください。",
                            f"not a folder (a file): {folder}")
    return write_bytes_atomic(workbook_source().read_bytes(), folder / "xlsheets.xlsm", overwrite=overwrite,
                              suffixes=(".xlsm",))


def steps(path: Path) -> str:
    """What to do on each Windows PC, for a workbook copied to path (nothing of this machine in it)."""
    return f"""Windows PC での手順（初回のみ）:
  1. Python 3.10 以上をインストールし（インストーラーで「Add python.exe to PATH」にチェック）、
     コマンドプロンプトで xlsheets を入れる。xlsheets は PyPI に公開していないので、担当者が配る
     wheel ファイルか、ソースのフォルダから入れます:
       py -m pip install xlsheets-{_version()}-py3-none-any.whl
       （ソースのフォルダなら: py -m pip install .　wheel は py -m pip wheel --no-deps . で作れます）
  2. {path.name} を「信頼できる場所」に置く: Excel の「ファイル」→「オプション」→「トラスト センター」
     →「トラスト センターの設定」→「信頼できる場所」でフォルダを追加（ダウンロードしたファイルは
     右クリック →「プロパティ」→「許可する」にチェック）。
  3. {path.name} を開き、「操作」シートのボタンを押す。Python が見つからないときは、「xlwings.conf」シートの
     Interpreter_Win に pythonw.exe の場所を書く（コマンドプロンプトで where pythonw と打つと表示されます）。
  4. ワークシート関数（=XS_TARGET など）を使うには、「トラスト センターの設定」→「マクロの設定」で
     「VBA プロジェクト オブジェクト モデルへのアクセスを信頼する」にチェックし、Alt+F8 でマクロ
     ImportPythonUDFs を一度実行する。xlwings アドインも VBA の参照設定も要りません（このブックは
     xlwings の VBA を内蔵しています）。
うまく動かないときは、メッセージに出るログファイルの場所を担当者に伝えてください。"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xlsheets")
    except PackageNotFoundError:
        return "0.1.0"
