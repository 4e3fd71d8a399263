"""The README keeps its word: its generated parts are current and its Python examples run as written."""

from __future__ import annotations

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from xlsheets.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def test_generated_parts_of_the_readme_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, "README.md is stale: run python scripts/gen_docs.py\n" + proc.stdout + proc.stderr


def test_the_cli_reference_names_the_program_xlsheets():
    text = README.read_text(encoding="utf-8")
    assert "Usage: main " not in text
    assert "Usage: xlsheets achieve " in text


def test_the_python_api_section_runs_as_written(tmp_path, monkeypatch):
    section = _section("Python API")
    commands = re.findall(r"```bash\n(.*?)```", section, re.S)
    examples = re.findall(r"```pycon\n(.*?)```", section, re.S)
    assert commands and examples, "the Python API section lost its examples"
    monkeypatch.chdir(tmp_path)
    for line in "".join(commands).splitlines():
        args = shlex.split(line)
        assert args[0] == "xlsheets"
        result = CliRunner().invoke(main, args[1:])
        assert result.exit_code == 0, result.output
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for k, example in enumerate(examples):
        runner.run(parser.get_doctest(example, {}, f"README Python API #{k}", str(README), 0))
    assert runner.summarize(verbose=False).failed == 0
