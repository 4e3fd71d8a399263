"""Regenerate the parts of README.md that come from the code: the rule catalogue, the layers, the CLI reference.

    python scripts/gen_docs.py          # rewrite README.md
    python scripts/gen_docs.py --check  # exit 1 when README.md is out of date (used by the tests)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def rules_table() -> str:
    from xlsheets.findings import RULES
    from xlsheets.findings import SEVERITY_JA as sev

    lines = ["| コード | 重大度 | 内容 | what it catches |", "|---|---|---|---|"]
    for r in RULES.values():
        lines.append(f"| `{r.code}` | {sev[r.severity]} | {r.title} | {r.description} |")
    return "\n".join(lines)


def cli_reference() -> str:
    from click.testing import CliRunner

    from xlsheets.cli import main

    out = []
    for name in sorted(main.commands):
        text = CliRunner().invoke(main, [name, "--help"], prog_name="xlsheets", terminal_width=100).output.rstrip()
        out.append(f"#### `xlsheets {name}`\n\n```\n{text}\n```")
    return "\n\n".join(out)


def grammar_table() -> str:
    """Per kind of phrasing: what the grammar does, an example from the corpus, and how it scores there."""
    sys.path.insert(0, str(README.parent))
    from tests.phrasings import CATEGORY_JA, by_category, load, score
    from xlsheets.rates import achievement

    lines = ["| 分類 | 読み方 | 例（数値目標 ｜ 報告 → 結果） | 組 | 精度 | カバー率 |", "|---|---|---|---|---|---|"]
    pairs = load()
    for key, group in by_category(pairs).items():
        ja, what = CATEGORY_JA[key]
        s = score(group)
        lines.append(f"| {ja}（`{key}`） | {what} | {_examples(group, achievement)} | {s['pairs']}（達成率なし "
                     f"{s['pairs'] - s['expected']}） | {s['precision']:.0%} | {s['coverage']:.0%} |")
    s = score(pairs)
    lines.append(f"| 計 | | | {s['pairs']}（達成率なし {s['pairs'] - s['expected']}） | {s['precision']:.1%}"
                 f"（{s['right']}/{s['given']}） | {s['coverage']:.1%}（{s['covered']}/{s['expected']}） |")
    return "\n".join(lines)


def _examples(group, achievement) -> str:
    """The first pair of a kind that gets a rate and the first that gets none, as the grammar reads them."""
    shown = []
    telling = [p for p in group if p.memo and p.level is not None and len(p.report) <= 40] or group
    for wanted in (lambda p: p.rate is not None, lambda p: p.rate is None):
        p = next((p for p in telling if wanted(p)), None)
        if p is None:
            continue
        a = achievement(p.target, p.report)
        said = f"{a.rate}%" if a.rate is not None else f"達成率なし（{a.reason or '実績の数値なし'}）"
        shown.append(f"`{_cell(p.target)}` ｜ `{_cell(p.report)}` → {said}")
    return "<br>".join(shown)


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def lexicon_summary() -> str:
    """The words of xlsheets/grammar/lexicon.toml, as a reader of the README sees them."""
    from xlsheets.grammar.lexicon import LEXICON

    def said(words) -> str:
        return "・".join(words)

    dims = "; ".join(f"{dim}: {said(units)}" for dim, units in LEXICON["dimensions"].items())
    lines = [f"- 単位の次元（この中でだけ換算）: {dims}。それ以外の助数詞は1つずつ別の単位（件は人にならない）",
             "- 統計量: " + "; ".join(f"{k}: {said(v)}" for k, v in LEXICON["statistic"].items()),
             "- 数え方: " + "; ".join(f"{k}: {said(v)}" for k, v in {**LEXICON["count"], **LEXICON["accumulation"]}.items()),
             "- 比較: " + "; ".join(f"`{k}` {said(v)}" for k, v in LEXICON["comparators"].items() if k != "reduce"),
             f"- 実績でない量: 実施しない {said(LEXICON['roles']['not_done'])}; 見込み {said(LEXICON['roles']['forecast'])}; "
             f"目標・計画 {said(LEXICON['roles']['restated'])}; 定員など {said(LEXICON['roles']['capacity'])}; "
             f"他の値 {said(LEXICON['roles']['comparison'])}",
             f"- 名前の数字（前後の語）: {said(LEXICON['names']['suffixes'])}; {said(LEXICON['names']['prefixes'])}"]
    return "\n".join(lines)


def layers_table() -> str:
    """The package's layers and modules, top to bottom, from xlsheets/layers.py."""
    from xlsheets.layers import LAYERS

    lines = ["| 層 / layer | モジュール / module | 中身 / what it holds |", "|---|---|---|"]
    for layer in LAYERS:
        for k, part in enumerate(layer.parts):
            names = ", ".join(f"`{m if m.endswith('/') else m + '.py'}`" for m in part.modules)
            lines.append(f"| {f'{layer.ja} / {layer.name}' if k == 0 else ''} | {names} | {part.ja} / {part.en} |")
    return "\n".join(lines)


SECTIONS = {"rules": rules_table, "layers": layers_table, "cli": cli_reference, "grammar": grammar_table, "lexicon": lexicon_summary}


def render(readme: str) -> str:
    for key, fn in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {key}:start -->\n).*?(<!-- {key}:end -->)", re.S)
        if not pattern.search(readme):
            raise SystemExit(f"README.md lacks the <!-- {key}:start --> / <!-- {key}:end --> markers")
        readme = pattern.sub(lambda m, fn=fn: m.group(1) + fn() + "\n" + m.group(2), readme)
    return readme


if __name__ == "__main__":
    current = README.read_text(encoding="utf-8")
    new = render(current)
    if "--check" in sys.argv:
        sys.exit(0 if new == current else 1)
    README.write_text(new, encoding="utf-8")
    print("README.md updated")
