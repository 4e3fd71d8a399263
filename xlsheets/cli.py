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


if __name__ == "__main__":
    main()
