"""The command line: each command is a thin wrapper over one library call.

User mistakes (missing file, not a workbook, output exists…) print a Japanese message
(English after) and exit with code 2; nothing is written.

Each command imports the library inside its function: ``xlsheets --help`` and a command start without
loading what the other commands use (the roll-up's pandas, the server, LibreOffice's helpers).
"""

from __future__ import annotations

import functools
import os
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import click

from .errors import CLI, XlsheetsError, speaking_to
from .model import STAGE_JA, STAGES

FORMATS = click.Choice(["json", "yaml", "csv"])
DATA_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}


def friendly(fn):
    """Turn XlsheetsError (and a file the system refuses) into a clean message and exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with speaking_to(CLI):  # a message's remedy names the command's options (--force, -o …)
                return fn(*args, **kwargs)
        except XlsheetsError as e:
            click.echo(f"エラー: {e}", err=True)
            sys.exit(e.exit_code)
        except (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError) as e:
            why = {PermissionError: "権限がありません", FileNotFoundError: "見つかりません",
                   IsADirectoryError: "フォルダです", NotADirectoryError: "フォルダではありません"}[type(e)]
            click.echo(f"エラー: {why}: {e.filename or ''}\n({e.strerror})", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("\n中断しました。出力は書き出していません（元のファイルはそのままです）。(interrupted)", err=True)
            sys.exit(130)

    return wrapper


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return ""
    return " / ".join(param.opts) if isinstance(param, click.Option) else param.human_readable_name


def _accepted(param: click.Parameter | None) -> str:
    """What a parameter accepts, in Japanese."""
    kind = param.type if param is not None else None
    if isinstance(kind, click.Choice):
        return f"（使えるのは {' / '.join(map(str, kind.choices))}）"
    if isinstance(kind, click.IntRange) and kind.min is not None:
        return f"（{kind.min} 以上{'' if kind.max is None else f' {kind.max} 以下'}の整数）"
    if isinstance(kind, click.types.IntParamType):
        return "（整数）"
    return ""


def usage_error_ja(e: click.ClickException) -> str:
    """A click error (missing option, bad value…) as our messages are: Japanese first, English after."""
    param = getattr(e, "param", None)
    name = _param_name(param)
    if isinstance(e, click.MissingParameter):
        what = f"（{param.help}）" if isinstance(param, click.Option) and param.help else ""
        ja = f"{name or '必要な引数'} を指定してください{what}"
    elif isinstance(e, click.NoSuchOption):
        maybe = f"（もしかして {' / '.join(e.possibilities)}）" if e.possibilities else ""
        ja = f"そのようなオプションはありません: {e.option_name}{maybe}"
    elif isinstance(e, click.BadParameter) and param is not None and isinstance(param.type, click.Path):
        ja = f"{name} のファイルを開けません（読む権限がないか、種類が違います）"
    elif isinstance(e, click.BadParameter):
        ja = f"{name or '引数'} の値が正しくありません{_accepted(param)}"
    elif isinstance(e, click.UsageError) and "No such command" in e.message:
        ja = f"そのようなコマンドはありません{_did_you_mean(e)}（xlsheets -h で一覧を表示）"
    elif isinstance(e, click.UsageError) and "extra argument" in e.message:
        ja = "余分な引数があります"
    else:
        ja = "指定が正しくありません"
    ctx = getattr(e, "ctx", None)
    usage = f"\n使い方: {ctx.command_path} -h" if ctx is not None else ""
    return f"エラー: {ja}。\n({e.format_message()}){usage}"


def _did_you_mean(e: click.UsageError) -> str:
    """The command typed and click's suggestion ("Did you mean 'read'?"), for the Japanese half too."""
    import re

    found = re.search(r"No such command '([^']*)'", e.message)
    maybe = sorted(getattr(e, "possibilities", None) or [])
    return (f": {found.group(1)}" if found else "") + (f"（もしかして {' / '.join(maybe)}）" if maybe else "")


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click ≥ 8.2


class Commands(click.Group):
    """The command group; an option or argument mistake is said in Japanese first, exit 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as e:  # `xlsheets` alone: the help, as click shows it
            click.echo(e.format_message(), err=True)
            sys.exit(e.exit_code)
        except click.ClickException as e:
            click.echo(usage_error_ja(e), err=True)
            sys.exit(e.exit_code)
        except click.Abort:
            click.echo("中断しました (aborted)", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


class Stage(click.Choice):
    """midterm / final, or in Japanese 中間 / 期末 (中間報告 / 期末報告)."""

    ALIASES = {ja + tail: stage for stage, ja in STAGE_JA.items() for tail in ("", "報告")}

    def __init__(self) -> None:
        super().__init__([*STAGES, *STAGE_JA.values()])

    def convert(self, value, param, ctx):
        value = self.ALIASES.get(str(value).strip(), value)
        return super().convert(value, param, ctx)


STAGE = Stage()


def _format_for(out: Path | None, fmt: str | None, fits: dict[str, str], default: str = "json") -> str:
    """The output format: --format, else the output's extension; a contradiction between them is refused."""
    if out is None:
        return fmt or default
    from .io.saving import refuse_suffix

    refuse_suffix(out, tuple(fits))
    by_name = fits[out.suffix.lower()]
    if fmt and fmt != by_name:
        raise XlsheetsError(f"--format {fmt} と出力ファイルの拡張子 {out.suffix} が合いません（{by_name} になります）。"
                            f"どちらかを直してください。", f"--format {fmt} contradicts {out.name}")
    return by_name


def _suffixes(fits: dict[str, str], fmt: str) -> tuple[str, ...]:
    return tuple(k for k, v in fits.items() if v == fmt)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option("--format", "fmt", type=FORMATS, help="出力形式（省略時は -o の拡張子から、標準出力なら json）")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), help="出力先（省略時は標準出力）")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def read(file: Path, fmt: str | None, out: Path | None, force: bool) -> None:
    """シートを読み込み JSON/YAML/CSV で出力する (read a filled sheet back)."""
    from .interchange import dump, dump_bytes
    from .io.saving import check_output, write_bytes_atomic
    from .reading import read_result

    fmt = _format_for(out, fmt, DATA_SUFFIXES)
    if out:
        check_output(out, force, _suffixes(DATA_SUFFIXES, fmt))
    result = read_result(file)
    _warn(result.said_once())
    if out:
        write_bytes_atomic(dump_bytes(result.department, fmt), out, overwrite=force,
                           suffixes=_suffixes(DATA_SUFFIXES, fmt))
        click.echo(f"書き出しました: {out}", err=True)
    else:
        click.echo(dump(result.department, fmt), nl=False)


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
    from .reading import read_result

    year = parse_fiscal_year(to_year)
    if year is None:
        raise XlsheetsError(f"年度が読み取れません: {to_year}", f"cannot parse year {to_year!r}")
    result = read_result(file)
    _warn(result.said_once())
    report = do_fill(do_carry(result.department, year), out, template=template, overwrite=force)
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

    fits = {".xlsx": "xlsx"} | DATA_SUFFIXES
    fmt = _format_for(out, fmt, fits)
    if fmt == "xlsx":
        from .filling import fill as do_fill

        report = do_fill(sample_dict(name), out, overwrite=force)
        click.echo(f"作成しました: {report.path}")
    else:
        from .interchange import dump_bytes, load_department
        from .io.saving import write_bytes_atomic

        write_bytes_atomic(dump_bytes(load_department(sample_dict(name)), fmt), out, overwrite=force,
                           suffixes=_suffixes(fits, fmt))
        click.echo(f"作成しました: {out}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="作成する PDF")
@click.option("--png", is_flag=True, help="PNG画像（1ページ1枚）も作る")
@click.option("--dpi", type=click.IntRange(min=30, max=600), default=150, show_default=True,
              help="PNG の解像度（1インチあたりの点の数）")
@click.option("--sheets", multiple=True, help="印刷するシート（名前をコンマで区切る。省略時はすべて）")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def render(file: Path, out: Path, png: bool, dpi: int, sheets: tuple[str, ...], force: bool) -> None:
    """LibreOffice で PDF に印刷する (render to PDF as printed)."""
    from .render import check_png_pages, pdf_to_png, render_pdf, sheet_list

    if png:  # said before LibreOffice runs
        check_png_pages(out.with_suffix(""), force)
    pdf = render_pdf(file, out, overwrite=force, sheets=sheet_list(file, sheets))
    click.echo(f"作成しました: {pdf}")
    if png:
        pages = pdf_to_png(pdf, pdf.with_suffix(""), dpi=dpi, overwrite=force)
        click.echo(f"PNG {len(pages)} 枚（{dpi} dpi）: {pdf.parent.resolve()}{os.sep}"
                   f"（{pages[0].name} ～ {pages[-1].name}）" if pages else "PNG は作られませんでした（ページがありません）")


@main.command()
@click.option("--out", "out_dir", default="xlsheets-demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--render", "do_render", is_flag=True, help="PDFも作る（LibreOfficeが必要）")
@click.option("--force", is_flag=True, help="フォルダにある前回のデモのファイルを上書きする")
@friendly
def demo(out_dir: Path, do_render: bool, force: bool) -> None:
    """サンプル2年度分を作り、検証・集計まで一通り実行する (run the whole demo)."""
    from .demo import run_demo

    run_demo(out_dir, render=do_render, echo=click.echo, overwrite=force)


def _cap(_ctx, _param, value: str) -> float | None:
    """--cap: a positive number of percent, or none/なし (averages of the rates as they are)."""
    if value.strip().lower() in ("none", "なし"):
        return None
    try:
        cap = float(value)
    except ValueError:
        cap = 0.0
    if not cap > 0:
        raise click.BadParameter(f"正の数か none を指定してください: {value} (a positive number or none)")
    return cap


def _expand_folders(items) -> tuple[list[Path], list[tuple[Path, str]], dict[str, int]]:
    """Files as given; a folder becomes the spreadsheets in it (recursively), the rest counted by rule."""
    from .summary.inputs import scan_inputs

    paths: list[Path] = []
    refused: list[tuple[Path, str]] = []
    skipped: Counter[str] = Counter()
    for item in items:
        if Path(item).is_dir():
            found = scan_inputs([item])
            paths += found.workbooks
            refused += found.refused
            skipped.update(found.skip_counts())
        else:
            paths.append(Path(item))
    return paths, refused, skipped


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--stage", type=STAGE, help="報告の段階（未記入の報告を確認する）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--summary", "brief", is_flag=True, help="1ファイル1行（部局・年度・エラー・警告の件数）で示す")
@click.option("--annotate", is_flag=True, help="指摘をセルに色とメモで記入し、検証結果シートを追加する")
@click.option("--clear", "do_clear", is_flag=True, help="--annotate で記入した色・メモ・シートを取り除く")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="--annotate/--clear の保存先。複数のファイル・フォルダでは検証結果一覧（部局・年度ごとのシート）の .xlsx")
@click.option("--in-place", is_flag=True, help="--annotate/--clear で元のブックを上書きする（バックアップあり）")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@click.option("--no-backup", is_flag=True, help="上書き時にバックアップを残さない")
@friendly
def validate(files, stage, fmt, brief, annotate, do_clear, out, in_place, force, no_backup) -> None:
    """数値目標と報告を検証し、問題をセルごとに示す (validate sheets).

    FILES にはフォルダも指定できます（中のブックをすべて検証）。

    終了コード: 0 エラーなし / 1 エラーあり / 2 読めないファイルあり・検証できたブックなし。
    """
    many = len(files) > 1 or any(Path(f).is_dir() for f in files)
    results = out if out and many and not (annotate or do_clear) else None  # 検証結果一覧
    _check_marking_options(annotate, do_clear, None if results else out, in_place)
    if annotate or do_clear:
        reports, failed, skipped = _mark_one(files, stage, fmt, do_clear, out, in_place, force, no_backup)
        if do_clear:
            return
    else:
        from . import ops
        from .io.saving import check_output

        if results:
            check_output(results, force, (".xlsx",))  # said before any reading
        paths, refused, skipped = _expand_folders(files)
        with _progress("検証中", len(paths) > 10) as update:
            reports, failed = ops.validate_files(paths, stage, progress=update, skipped=skipped)
        failed += refused
        _refuse_when_nothing_was_validated(reports, failed, skipped, files)
        if results:
            from .results_book import write_results_book

            path = write_results_book(reports, failed, results, overwrite=force)
            click.echo(f"検証結果一覧を作りました: {path}（{len(reports)} 冊）", err=fmt == "json")
    report = _report_json if fmt == "json" else _report_summary if brief else _report_text
    report(reports, failed, skipped)
    sys.exit(2 if failed else (1 if any(not r.valid for r in reports) else 0))


def _refuse_when_nothing_was_validated(reports, failed, skipped, files) -> None:
    """No workbook to check (an empty folder, only lock files or other files): say so, exit 2."""
    if reports or failed:
        return
    from .summary.inputs import accounting

    counted = f"（{accounting(0, 0, dict(skipped), '読めないファイル')}）" if skipped else ""
    raise XlsheetsError(f"検証できるブック（.xlsx/.xlsm/.xls/.xlsb/.ods）がありません{counted}: "
                        + "、".join(map(str, files)), "no workbook to validate")


def _mark_one(files, stage, fmt, do_clear, out, in_place, force, no_backup):
    """validate --annotate / --clear of one workbook: (reports, failed, skipped) as for many."""
    from . import ops

    if len(files) != 1:
        raise XlsheetsError("--annotate/--clear はファイルを1つだけ指定してください。", "one file at a time")
    if do_clear:
        res = ops.clear_file(files[0], out, in_place=in_place, overwrite=force, backup=not no_backup)
        _warn(res.notes)
        click.echo(f"検証の色・メモを取り除きました: {res.path}（{res.count} セル）")
        return [], [], {}
    res, report = ops.annotate_file(files[0], out, in_place=in_place, stage=stage, overwrite=force,
                                    backup=not no_backup)
    click.echo(f"{res.count} セルに指摘を記入しました: {res.path}", err=fmt == "json")  # JSON owns stdout
    _warn(res.notes)
    return [report], [], {}


def _report_json(reports, failed, skipped) -> None:
    import json

    doc = {"files": [{"path": r.path, "findings": [f.to_dict() for f in r.findings],
                      "achievements": r.achievements} for r in reports]
                    + [{"path": str(p), "error": why, "findings": []} for p, why in failed],
           "summary": _summary(reports, failed) | {"skipped": skipped}}
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def _report_text(reports, failed, skipped) -> None:
    from .findings import SEVERITY_JA

    for r in reports:
        click.echo(f"■ {r.path}")
        for f in r.findings:
            where = f"{f.sheet}!{f.cell} " if f.cell else f"{f.sheet} " if f.sheet else ""
            click.echo(f"  [{SEVERITY_JA[f.severity]}] {where}{f.code}: {f.message}")
        if not r.findings:
            click.echo("  問題は見つかりませんでした。")
    for p, why in failed:
        click.echo(f"■ {p}\n  [読込不可] {why}", err=True)
    _totals(reports, failed, skipped)


def _report_summary(reports, failed, skipped) -> None:
    """--summary: one line per file (department, year, errors, warnings), latest year first."""
    from .results_book import report_order, summary_line

    for r in report_order(reports):
        click.echo(summary_line(r))
    for p, why in failed:
        click.echo(f"読込不可: {p}: {why}", err=True)
    _totals(reports, failed, skipped)


def _totals(reports, failed, skipped) -> None:
    """The last lines: the findings counted, and what became of every file."""
    from .summary.inputs import accounting

    s = _summary(reports, failed)
    click.echo(f"エラー {s['error']} 件 / 警告 {s['warning']} 件 / 読めないファイル {s['unreadable']} 件")
    if skipped or len(reports) + len(failed) > 1:
        click.echo(accounting(len(reports), len(failed), skipped, "読めないファイル"))


def terminal_progress(what: str = "読み込み中"):
    """A rich progress bar on a terminal; None (quiet) when stderr is not a TTY."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   transient=True)
    task = bar.add_task(what, total=None)

    def update(done: int, total: int) -> None:
        if done < 0:  # the reading is over: say what is happening now
            bar.update(task, description="書き出し中", completed=total, total=total)
        else:
            bar.update(task, completed=done, total=total)

    return bar, update


@contextmanager
def _progress(what: str, shown: bool = True):
    """A progress callback that draws a bar on a terminal, or None (quiet) elsewhere or when not shown."""
    bar, update = terminal_progress(what) if shown else (None, None)
    if bar is None:
        yield None
        return
    with bar:
        yield update


def _check_marking_options(annotate: bool, do_clear: bool, out: Path | None, in_place: bool) -> None:
    """validate writes only with --annotate or --clear: say so instead of ignoring -o / --in-place."""
    if annotate and do_clear:
        raise XlsheetsError("--annotate と --clear は同時に指定できません（記入するか取り除くか、どちらか一方です）。",
                            "use either --annotate or --clear")
    if (out or in_place) and not (annotate or do_clear):
        raise XlsheetsError("-o / --in-place は --annotate（指摘の記入）か --clear（取り除く）と一緒に指定してください。"
                            "検証だけなら何も書き込みません（複数のファイル・フォルダなら -o で検証結果一覧を作ります）。",
                            "-o/--in-place need --annotate or --clear (or several files for -o)")


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
    from .settings import load_settings

    settings = load_settings(settings_path) if settings_path else None
    res = ops.achieve_file(file, out, in_place=in_place, settings=settings, overwrite=force, backup=not no_backup)
    _warn(res.notes)
    typed = f"、手入力の値を置き換えたセル {res.replaced} 件（元の値はセルのメモに）" if res.replaced else ""
    click.echo(f"達成率を書き込みました: {res.path}（達成率を計算できた取組 {res.count} 件{typed}）")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())  # a str: s3://… URLs stay as they are
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="作成する集計ブック")
@click.option("--stage", type=STAGE, help="達成の判断に使う段階（省略時は各取組の最新の報告）")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="並列に読むプロセス数（既定: CPU数、最大4）")
@click.option("--scheduler", help="Dask スケジューラーのアドレス（tcp://host:8786）")
@click.option("--format", "tidy", type=click.Choice(["parquet", "csv"]), help="一覧表を分析用データとしても書き出す")
@click.option("--cap", default="100", callback=_cap, show_default=True,
              help="平均とグラフでは達成率をこの値（%）で頭打ちにする（none: しない）。一覧は元の値のまま")
@click.option("--duplicates", type=click.Choice(["all", "latest"]), default="all", show_default=True,
              help="同じ部局・年度の同じ重点目標のブックが複数あるとき: all すべて集計 / latest 保存日時が最も新しい1冊だけ")
@click.option("--settings", "settings_path", type=click.Path(path_type=Path),
              help="部局順（と端数処理・判定基準）の設定ファイル (JSON/YAML/xlsheets設定シートのあるブック)")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def rollup(inputs, out, stage, jobs, scheduler, tidy, cap, duplicates, settings_path, force) -> None:
    """フォルダ・ファイルのシートをまとめて集計ブックを作る (build the roll-up workbook)."""
    from .settings import load_settings
    from .summary.pipeline import rollup as do_rollup

    settings = load_settings(settings_path) if settings_path else None
    with _progress("読み込み中") as update:
        res = do_rollup(inputs, out, stage=stage, jobs=jobs, scheduler=scheduler, tidy_format=tidy,
                        overwrite=force, progress=update, cap=cap, duplicates=duplicates, settings=settings)
    _rollup_notes(res)
    from .summary.inputs import accounting

    click.echo(f"集計しました: {res.path}（取組 {res.rows} 件・要確認 {res.findings} 件）")
    if res.tidy:
        click.echo(f"分析用データ: {res.tidy}")
    click.echo(accounting(res.read, len(res.errors), res.skipped)
               + (f"・差し替え前として外したブック {len(res.superseded)} 冊" if res.superseded else ""))


SHOWN = 5  # a list on the terminal shows this many; the workbook holds all of them


def _capped(lines: list[str], unit: str, where: str) -> list[str]:
    """The first SHOWN lines, then 「ほか N 冊（where）」: a terminal stays readable."""
    more = [f"ほか {len(lines) - SHOWN} {unit}（{where}）"] if len(lines) > SHOWN else []
    return lines[:SHOWN] + more


def _rollup_notes(res) -> None:
    """What the roll-up met on the way, each list capped (the workbook holds all of it), before the summary."""
    from .summary.tables import reason

    errors = [f"取込エラー: {path}: {reason(why, path)}" for path, why in res.errors]
    for line in _capped(errors, "冊", "取込エラーシートを参照"):
        click.echo(line, err=True)
    tail = "（要確認シートを参照）" if res.superseded else "（いずれも集計しました。要確認シートを参照）"
    for line in _capped([f"注意: {line}{tail}" for line in res.duplicates], "組", "要確認シートを参照"):
        click.echo(line, err=True)
    if res.missing:
        shown = "、".join(res.missing[:SHOWN]) + (f" ほか {len(res.missing) - SHOWN} 部局" if len(res.missing) > SHOWN else "")
        click.echo(f"未提出: {shown}（提出状況シートを参照）", err=True)
    for line in res.overflow_lines():
        click.echo(f"注意: {line}", err=True)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())  # as rollup: folders, files, URLs
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="作成するサイトのフォルダ")
@click.option("--stage", type=STAGE, help="集計に使う段階（省略時は各取組の最新の報告）")
@click.option("--cap", default="100", callback=_cap, show_default=True,
              help="平均とグラフでは達成率をこの値（%）で頭打ちにする（none: しない）。取組の表は元の値のまま")
@click.option("--title", help="サイトの名前（省略時は「重点目標と達成状況」）")
@click.option("--force", is_flag=True, help="前に作ったサイトのフォルダを作り直す（xlsheets が作ったサイトか空のフォルダだけ）")
@friendly
def publish(inputs, out, stage, cap, title, force) -> None:
    """Web ページとオープンデータ（CSV・JSON）を作る (publish the sheets as a static site with open data)."""
    from .publish.pipeline import SITE_TITLE
    from .publish.pipeline import publish as do_publish
    from .summary.inputs import accounting

    with _progress("読み込み中") as update:
        res = do_publish(inputs, out, stage=stage, cap=cap, title=title or SITE_TITLE, overwrite=force,
                         progress=update)
    click.echo(f"公開用のサイトを作りました: {res.path / 'index.html'}（ページ {res.pages}・年度 {res.years}・"
               f"部局 {res.departments}・重点目標 {res.goals}）")
    click.echo(accounting(res.read, len(res.errors), res.skipped))
    for path, why in res.errors:
        click.echo(f"取込エラー: {path}: {why}", err=True)
    for line in res.duplicates:
        click.echo(f"注意: {line}（いずれも公開しました）", err=True)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path), help="作成する .xlsx")
@click.option("--force", is_flag=True, help="既存の出力を上書きする")
@friendly
def convert(file: Path, out: Path, force: bool) -> None:
    """.xls/.xlsb/.ods や古い手作りのシートを、その年度の公式様式の .xlsx にする (convert to the official template)."""
    from . import ops

    res = ops.convert_file(file, out, overwrite=force)
    _warn(res.notes)
    click.echo(f"作成しました: {res.path}（重点目標 {res.count} 件）")


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
@click.option("--host", default="127.0.0.1", show_default=True,
              help="待ち受けるアドレス（127.0.0.1 以外は認証が必要）")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(min=1, max=65535))
@click.option("--no-auth", is_flag=True, help="認証なしで 127.0.0.1 以外に待ち受けることを許す")
@friendly
def serve(host: str, port: int, no_auth: bool) -> None:
    """xlwings Server（Office.js アドイン）を起動する (start the server face; off loopback only with auth).

    The address is taken before the "ready" line: a port in use or a wrong address is said (exit 2)
    instead of a server that announces itself and then fails."""
    import importlib.util

    try:
        import uvicorn

        from .server import check_bind, create_app, listening_socket
        if importlib.util.find_spec("xlwings_server") is None:  # not imported: create_app configures it first
            raise ModuleNotFoundError(name="xlwings_server")
    except ImportError as e:
        raise XlsheetsError(f"サーバー版の部品（{e.name}）がありません。pip install 'xlsheets[server]' で入れてください。",
                            f"{e.name} is missing: pip install 'xlsheets[server]'") from e
    sock = listening_socket(host, port)  # first: a wrong address is said as such, not as a lack of auth
    if not os.environ.get("XLWINGS_LICENSE_KEY"):
        os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
        click.echo("注意: xlwings Server を PolyForm Noncommercial ライセンスで起動します（README の「ライセンス」参照）。",
                   err=True)
    app = create_app()
    if warning := check_bind(host, no_auth):
        _warn([warning])
    click.echo(f"xlsheets サーバー: http://{host}:{port}/taskpane.html （Ctrl+C で終了）", err=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


if __name__ == "__main__":
    main()
