"""The package's layers, top to bottom, with the modules each holds: a module imports only from its own
layer or the ones below it (tests/test_layers.py keeps this, and the README's 構成 is made from it).

Faces may defer their imports to a function for start-up time (a command loads only what it runs); every
other module imports xlsheets' own modules at its top. The heavy optional dependencies in ``LAZY`` are
imported only inside the functions that use them, so that reading, checking and filling one workbook
never loads them.
"""

from __future__ import annotations

from typing import NamedTuple


class Part(NamedTuple):
    """Modules of one layer described together: names relative to the package (``summary/`` for a
    subpackage), what they hold in Japanese and in English."""

    modules: tuple[str, ...]
    ja: str
    en: str


class Layer(NamedTuple):
    name: str
    ja: str
    parts: tuple[Part, ...]


LAYERS: tuple[Layer, ...] = (
    Layer("faces", "顔", (
        Part(("cli",), "コマンド（1つの関数の薄い包み）", "the commands, each a thin wrapper"),
        Part(("ops",), "コマンド1つに関数1つ（ファイルの読込→核→保存）", "one function per command: read, decide, save"),
        Part(("excel",), "Excel のボタンとワークシート関数（xlwings）", "the buttons and worksheet functions"),
        Part(("officejs", "server/"), "xlwings Server・Lite の同じボタン", "the same buttons for xlwings Server and Lite"),
        Part(("excel_setup", "demo"), "`excel-setup` と `demo`", "the set-up copy and the walk-through"),
        Part(("__init__",), "公開 API（使うときに読み込む）", "the public API, imported when first used"),
    )),
    Layer("publish", "公開", (
        Part(("publish/",), "静的サイト: `sources`（集計と同じ読み込み）、`site`（ページの木とパス）、`figures`・`charts`"
             "（表と SVG のグラフ）、`opendata`（CSV・JSON）、`pages`・`templates/`（Jinja2）、`folder`（出力先）、"
             "`pipeline`（`publish()`）", "the static site: pages and open data"),
    )),
    Layer("summary", "集計", (
        Part(("summary/",), "`inputs`（どのファイルを読み、どれを飛ばすか）、`extraction`（1冊→記録）、`workers`"
             "（ワーカー・Dask）、`gathered`（Arrow の列で記録を保持）、`duplicates`・`saved`（重複ブック、保存日時）、"
             "`tables`・`status`（年度ごとの集計、提出状況）、`workbook`・`rowstream`（集計ブック、長い表を XML で直接）、"
             "`pages`・`charts`・`cells`（概要・表紙などのシート、グラフ、書式）、`tidy`（分析用データ）、"
             "`columns`（一覧の列の表 `LISTING`: 値の出どころ・幅・書式・印刷・分析用データ。ほかの列と上限）、"
             "`pipeline`（`rollup()`）", "the roll-up"),
    )),
    Layer("work", "仕事", (
        Part(("filling", "carry"), "データから様式へ記入、翌年度のシート", "fill the template; next year's sheets"),
        Part(("marking",), "達成率の列・指摘の色とメモ・検証結果をブックへ", "rate columns, finding marks, 検証結果"),
        Part(("results_book",), "検証結果一覧（フォルダの検証、部局・年度ごとのシート）",
             "the findings of many workbooks in one book"),
        Part(("interchange",), "JSON/YAML と1行1取組の表", "the interchange documents and the long table"),
        Part(("template", "guides"), "公式様式の生成と入力の手引き", "the template built from code, its input rules"),
        Part(("render",), "LibreOffice で PDF / PNG", "printing through LibreOffice"),
        Part(("samples",), "サンプルのデータ", "the samples' data"),
    )),
    Layer("core", "核", (
        Part(("model",), "`Department`→`Goal`→`Item`→`SubItem`（読んだセル付き）、段階名、年度",
             "the model, one tree with the cells it was read from"),
        Part(("reading",), "シート（グリッド）→モデル：様式の名前、なければ見出し", "sheets to the model"),
        Part(("sheetkinds",), "どのシートが重点目標か（様式のしるし）、読まないシートとその理由",
             "which sheets are goal sheets, and why others are not"),
        Part(("handmade", "typed"), "手作りの様式を見出しで読む、手入力の達成率・判定を表示どおりに",
             "hand-made layouts by their headings; typed rates as shown"),
        Part(("rates", "settings"), "達成率・判定と、端数処理・判定基準・部局順の設定", "rates and grades; their settings"),
        Part(("validation", "findings"), "検証と、指摘の語彙（重大度・規則・文面）", "the checks; the findings' vocabulary"),
        Part(("layout",), "様式の名前・見出し（見出しの語は `layout_labels.toml`）・xlsheets 自身のシート名・達成率の書式",
             "the template's names and labels (their words as data), xlsheets' own sheets"),
    )),
    Layer("io", "読み書き", (
        Part(("io/grid",), "セルの小さなインターフェイス（核が読む形）と A1 参照", "the cell interface the core works on"),
        Part(("io/loading", "io/formats", "io/datefmt"), "calamine・openpyxl での読込、calamine が読まない書式、"
             "日付の表示", "reading files; the formats calamine leaves out; dates as shown"),
        Part(("io/live",), "xlwings の Book（デスクトップ・Server・Lite）の読み書き", "a live workbook through xlwings"),
        Part(("io/writers", "io/sheetops", "io/phonetics", "io/textwidth"),
             "openpyxl での書込・シートの編集・ふりがなの保持・文字幅", "writing through openpyxl"),
        Part(("io/saving", "io/locking", "io/inspection"), "安全な保存、ロックファイル、開く前の安全確認",
             "atomic saving, lock files, file checks before reading"),
        Part(("io/__init__",), "読み書きの層", "the access layer"),
    )),
    Layer("base", "土台", (
        Part(("grammar/", "targets"), "数値目標の文法（`targets` は旧名）", "the 数値目標 grammar"),
        Part(("errors",), "利用者向けのエラーと、顔ごとの直し方", "user errors and each face's remedy"),
        Part(("layers",), "この表", "this table"),
    )),
)

# heavy or optional dependencies: imported inside the functions that use them, never at a module's top
# outside the faces that exist for them (excel, officejs and server/ are xlwings' own faces)
LAZY = ("pandas", "pyarrow", "xlwings", "xlwings_server", "dask", "distributed", "fsspec")
LAZY_AT_TOP = ("excel", "officejs", "server/")


def layer_of(module: str) -> Layer:
    """The layer of a module named relative to the package (``summary.tables``, ``io.grid``, ``cli``)."""
    path = module.replace(".", "/")
    for layer in LAYERS:
        for part in layer.parts:
            for m in part.modules:
                if path == m or (m.endswith("/") and path.startswith(m)):
                    return layer
    raise KeyError(f"{module} is in no layer of xlsheets/layers.py: add it to the table")


def rank(layer: Layer) -> int:
    """0 for the bottom layer; higher layers may import lower ones."""
    return len(LAYERS) - 1 - LAYERS.index(layer)
