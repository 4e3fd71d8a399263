"""The command line: each command is a thin wrapper over one library call.

User mistakes (missing file, not a workbook, output exists…) print a Japanese message
(English after) and exit with code 2; nothing is written.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from .errors import XlsheetsError

FORMATS = click.Choice(["json", "yaml", "csv"])


def friendly(fn):
    """Turn XlsheetsError into a clean message and exit code (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except XlsheetsError as e:
            click.echo(f"エラー: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("\n中断しました。出力は書き出していません（元のファイルはそのままです）。(interrupted)", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xlsheets")
def main() -> None:
    """xlsheets: 重点目標管理シートの作成・読込・検証・集計 (fill, read, validate, roll up)."""


def _warn(msgs: list[str]) -> None:
    for m in msgs:
        click.echo(f"注意: {m}", err=True)


@main.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="作成する .xlsx")
@click.option("--template", type=click.Path(path_type=Path), help="独自のテンプレート .xlsx")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@click.option("--no-backup", is_flag=True, help="上書き時にバックアップを残さない")
@friendly
def fill(data: Path, out: Path, template: Path | None, force: bool, no_backup: bool) -> None:
    """データ(JSON/YAML/CSV/xlsx)からシートを作成する (fill the template from data)."""
    from .filling import fill as do_fill

    report = do_fill(data, out, template=template, overwrite=force, backup=not no_backup)
    _warn(report.warnings)
    click.echo(f"作成しました: {report.path}（重点目標 {len(report.sheets)} 件）")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=FORMATS, default="json", show_default=True)
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), help="出力先（省略時は標準出力）")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def read(file: Path, fmt: str, out: Path | None, force: bool) -> None:
    """シートを読み込み JSON/YAML/CSV で出力する (read a filled sheet back)."""
    from .interchange import dump
    from .reading import read as do_read

    text = dump(do_read(file), fmt)
    if out:
        from .saving import write_bytes_atomic

        write_bytes_atomic(text.encode("utf-8"), out, overwrite=force)
        click.echo(f"書き出しました: {out}", err=True)
    else:
        click.echo(text, nl=False)


@main.command("carry-forward")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--to-year", required=True, help="新年度（2025 / 令和7年度）")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path))
@click.option("--template", type=click.Path(path_type=Path), help="独自のテンプレート .xlsx")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def carry_forward(file: Path, to_year: str, out: Path, template: Path | None, force: bool) -> None:
    """今年度のシートから新年度のシートを作る (start next year's sheets)."""
    from .carry import carry_forward as do_carry
    from .filling import fill as do_fill
    from .model import parse_fiscal_year
    from .reading import read as do_read

    year = parse_fiscal_year(to_year)
    if year is None:
        raise XlsheetsError(f"年度が読み取れません: {to_year}", f"cannot parse year {to_year!r}")
    report = do_fill(do_carry(do_read(file), year), out, template=template, overwrite=force)
    _warn(report.warnings)
    click.echo(f"新年度のシートを作成しました: {report.path}（{year}年度、重点目標 {len(report.sheets)} 件）")


@main.command()
@click.argument("name", type=click.Choice(["fy2020", "fy2024"]))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json", "yaml", "csv"]), default=None,
              help="出力形式（省略時は拡張子から）")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def sample(name: str, out: Path, fmt: str | None, force: bool) -> None:
    """サンプル（福祉部 令和2年度/令和6年度）を作る (write a sample department)."""
    from .samples import sample_dict

    fmt = fmt or (out.suffix.lower().lstrip(".") or "xlsx").replace("yml", "yaml")
    if fmt in ("xlsx", "xlsm"):
        from .filling import fill as do_fill

        report = do_fill(sample_dict(name), out, overwrite=force)
        click.echo(f"作成しました: {report.path}")
    else:
        from .interchange import dump, load_department
        from .saving import write_bytes_atomic

        write_bytes_atomic(dump(load_department(sample_dict(name)), fmt).encode("utf-8"), out, overwrite=force)
        click.echo(f"作成しました: {out}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="作成する PDF")
@click.option("--png", is_flag=True, help="PNG画像（1ページ1枚）も作る")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def render(file: Path, out: Path, png: bool, force: bool) -> None:
    """LibreOffice で PDF に印刷する (render to PDF as printed)."""
    from .render import pdf_to_png, render_pdf

    pdf = render_pdf(file, out, overwrite=force)
    click.echo(f"作成しました: {pdf}")
    if png:
        for p in pdf_to_png(pdf, pdf.with_suffix("")):
            click.echo(f"  {p}")


@main.command()
@click.option("--out", "out_dir", default="xlsheets-demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--render", "do_render", is_flag=True, help="PDFも作る（LibreOfficeが必要）")
@friendly
def demo(out_dir: Path, do_render: bool) -> None:
    """サンプル2年度分を作り、検証・集計まで一通り実行する (run the whole demo)."""
    from .demo import run_demo

    run_demo(out_dir, render=do_render, echo=click.echo)


STAGE = click.Choice(["midterm", "final"])


def _expand_folders(items) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Files as given; a folder becomes the workbooks in it (recursively, without lock files)."""
    from .rollup import collect_inputs

    paths: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for item in items:
        if Path(item).is_dir():
            found, skipped = collect_inputs([item])
            paths += found
            refused += skipped
        else:
            paths.append(Path(item))
    return paths, refused


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--stage", type=STAGE, help="報告の段階（未記入の報告を確認する）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--annotate", is_flag=True, help="指摘をセルに色とメモで記入し、検証結果シートを追加する")
@click.option("--clear", "do_clear", is_flag=True, help="--annotate で記入した色・メモ・シートを取り除く")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), help="--annotate/--clear の保存先")
@click.option("--in-place", is_flag=True, help="--annotate/--clear で元のブックを上書きする（バックアップあり）")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@click.option("--no-backup", is_flag=True, help="上書き時にバックアップを残さない")
@friendly
def validate(files, stage, fmt, annotate, do_clear, out, in_place, force, no_backup) -> None:
    """数値目標と報告を検証し、問題をセルごとに示す (validate sheets).

    FILES にはフォルダも指定できます（中のブックをすべて検証）。

    終了コード: 0 エラーなし / 1 エラーあり / 2 読めないファイルあり。
    """
    import json

    from . import ops

    if annotate or do_clear:
        if len(files) != 1:
            raise XlsheetsError("--annotate/--clear はファイルを1つだけ指定してください。", "one file at a time")
        if do_clear:
            res = ops.clear_file(files[0], out, in_place=in_place, overwrite=force, backup=not no_backup)
            click.echo(f"検証の色・メモを取り除きました: {res.path}（{res.count} セル）")
            return
        res, report = ops.annotate_file(files[0], out, in_place=in_place, stage=stage, overwrite=force,
                                        backup=not no_backup)
        click.echo(f"{res.count} セルに指摘を記入しました: {res.path}")
        reports, failed = [report], []
    else:
        from .rollup import terminal_progress

        paths, refused = _expand_folders(files)
        bar, update = terminal_progress("検証中") if len(paths) > 10 else (None, None)
        if bar:
            with bar:
                reports, failed = ops.validate_files(paths, stage, progress=update)
        else:
            reports, failed = ops.validate_files(paths, stage)
        failed += refused
    if fmt == "json":
        doc = {"files": [{"path": r.path, "findings": [f.to_dict() for f in r.findings],
                          "achievements": r.achievements} for r in reports]
                        + [{"path": str(p), "error": why, "findings": []} for p, why in failed],
               "summary": _summary(reports, failed)}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        for r in reports:
            click.echo(f"■ {r.path}")
            for f in r.findings:
                mark = {"error": "エラー", "warning": "警告", "info": "情報"}[f.severity]
                click.echo(f"  [{mark}] {f.sheet}!{f.cell} {f.code}: {f.message}")
            if not r.findings:
                click.echo("  問題は見つかりませんでした。")
        for p, why in failed:
            click.echo(f"■ {p}\n  [読込不可] {why}", err=True)
        s = _summary(reports, failed)
        click.echo(f"エラー {s['error']} 件 / 警告 {s['warning']} 件 / 読めないファイル {s['unreadable']} 件")
    sys.exit(2 if failed else (1 if any(not r.valid for r in reports) else 0))


def _summary(reports, failed) -> dict:
    total = {"files": len(reports) + len(failed), "unreadable": len(failed), "error": 0, "warning": 0, "info": 0,
             "by_code": {}}
    for r in reports:
        s = r.summary()
        for k in ("error", "warning", "info"):
            total[k] += s[k]
        for code, n in s["by_code"].items():
            total["by_code"][code] = total["by_code"].get(code, 0) + n
    return total


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), help="保存先")
@click.option("--in-place", is_flag=True, help="元のブックに書き込む（バックアップあり）")
@click.option("--settings", "settings_path", type=click.Path(path_type=Path),
              help="端数処理・判定基準の設定ファイル (JSON/YAML)")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@click.option("--no-backup", is_flag=True, help="上書き時にバックアップを残さない")
@friendly
def achieve(file, out, in_place, settings_path, force, no_backup) -> None:
    """達成率（中間・期末）と判定を計算してシートに書き込む (compute achievement columns)."""
    from . import ops
    from .achievement import load_settings

    settings = load_settings(settings_path) if settings_path else None
    res = ops.achieve_file(file, out, in_place=in_place, settings=settings, overwrite=force, backup=not no_backup)
    click.echo(f"達成率を書き込みました: {res.path}（達成率を計算できた取組 {res.count} 件）")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="作成する集計ブック")
@click.option("--stage", type=STAGE, help="達成の判断に使う段階（省略時は各取組の最新の報告）")
@click.option("--jobs", type=int, default=None, help="並列に読むプロセス数（既定: CPU数、最大4）")
@click.option("--scheduler", help="Dask スケジューラーのアドレス（tcp://host:8786）")
@click.option("--format", "tidy", type=click.Choice(["parquet", "csv"]), help="一覧表を分析用データとしても書き出す")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def rollup(inputs, out, stage, jobs, scheduler, tidy, force) -> None:
    """フォルダ・ファイルのシートをまとめて集計ブックを作る (build the roll-up workbook)."""
    from .rollup import rollup as do_rollup
    from .rollup import terminal_progress

    bar, update = terminal_progress()
    if bar:
        with bar:
            res = do_rollup(inputs, out, stage=stage, jobs=jobs, scheduler=scheduler, tidy_format=tidy,
                            overwrite=force, progress=update)
    else:
        res = do_rollup(inputs, out, stage=stage, jobs=jobs, scheduler=scheduler, tidy_format=tidy, overwrite=force)
    click.echo(f"集計しました: {res.path}（ブック {res.files} 件・取組 {res.rows} 件・要確認 {res.findings} 件）")
    if res.tidy:
        click.echo(f"分析用データ: {res.tidy}")
    for path, why in res.errors:
        click.echo(f"取込エラー: {path}: {why}", err=True)
    for line in res.duplicates:
        click.echo(f"注意: {line}（いずれも集計しました。要確認シートを参照）", err=True)
    if not res.files:
        click.echo("注意: 集計できるブック（.xlsx/.xlsm）が見つかりませんでした。指定したフォルダ・ファイルを確認してください"
                   "（no workbook found in the inputs）。", err=True)


@main.command("excel-setup")
@click.argument("folder", default=".", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="既存の xlsheets.xlsm を上書きする")
@friendly
def excel_setup(folder: Path, force: bool) -> None:
    """ボタン付きの xlsheets.xlsm をコピーし、Windows PC での手順を表示する (set up the Excel workbook)."""
    from .excel_setup import copy_workbook, steps

    path = copy_workbook(folder, overwrite=force)
    click.echo(f"コピーしました: {path}\n")
    click.echo(steps(path))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@friendly
def serve(host: str, port: int) -> None:
    """xlwings Server（Office.js アドイン）を試験的に起動する (start the server face for a trial)."""
    import os

    try:
        import uvicorn

        from .server import create_app
    except ImportError as e:
        raise XlsheetsError("サーバー版の部品がありません: pip install 'xlsheets[server]'",
                            "install the server extra: pip install 'xlsheets[server]'") from e
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
        click.echo("注意: xlwings Server を PolyForm Noncommercial ライセンスで起動します（README の「ライセンス」参照）。",
                   err=True)
    app = create_app()
    click.echo(f"xlsheets サーバー: http://{host}:{port}/taskpane.html （Ctrl+C で終了）", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


if __name__ == "__main__":
    main()
