"""Regenerate the parts of README.md that come from the code: the rule catalogue and the CLI reference.

    python scripts/gen_docs.py          # rewrite README.md
    python scripts/gen_docs.py --check  # exit 1 when README.md is out of date (used by the tests)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def rules_table() -> str:
    from xlsheets.validation import RULES
    from xlsheets.validation import SEVERITY_JA as sev
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


SECTIONS = {"rules": rules_table, "cli": cli_reference}


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
