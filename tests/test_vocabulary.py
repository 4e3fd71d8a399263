"""One vocabulary: every finding is made from its Rule with a message template written once, and the
names of severities, stages and the 達成率 format are written once in the code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from xlsheets.findings import RULES, SEVERITY_JA, Finding

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "xlsheets").rglob("*.py"), *(ROOT / "scripts").glob("*.py")])


def _trees():
    for path in SOURCES:
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _first_str(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _emitted_codes() -> dict[str, set[str]]:
    """Codes written as literals where findings are made: self.add("code", …), RULES["code"], Finding("code", …)."""
    codes: dict[str, set[str]] = {}
    for name, tree in _trees():
        for node in ast.walk(tree):
            code = None
            if isinstance(node, ast.Call):
                f = node.func
                is_add = isinstance(f, ast.Attribute) and f.attr == "add" and isinstance(f.value, ast.Name) \
                    and f.value.id == "self"
                is_finding = isinstance(f, ast.Name) and f.id == "Finding"
                code = _first_str(node) if is_add or is_finding else None
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "RULES":
                code = node.slice.value if isinstance(node.slice, ast.Constant) else None
            elif isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["code"]:
                for c in (n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)):
                    codes.setdefault(c, set()).add(name)  # code = "a" if … else "b"; self.add(code, …)
            if code is not None:
                codes.setdefault(code, set()).add(name)
    return codes


def test_every_code_the_code_can_emit_is_in_the_rule_catalogue_and_every_rule_is_emitted():
    codes = _emitted_codes()
    assert len(codes) >= 15  # the scan sees the validator's checks
    assert set(codes) - set(RULES) == set(), "codes emitted without a Rule"
    assert set(RULES) - set(codes) == set(), "rules that nothing emits"
    assert "xlsheets/summary/duplicates.py" in codes["duplicate-workbook"]  # the roll-up's own rule is in the catalogue


def test_a_finding_with_a_code_outside_the_catalogue_is_refused():
    with pytest.raises(ValueError, match="not in RULES"):
        Finding("no-such-rule", "warning", "Sheet1", "A1", {}, "…")


def test_a_finding_made_from_its_rule_has_the_rules_severity():
    f = RULES["duplicate-workbook"].finding("Sheet1", "A1", {"goal": None}, department="福祉部", year="令和6年度",
                                             others="b.xlsx")
    assert (f.code, f.severity) == ("duplicate-workbook", RULES["duplicate-workbook"].severity)
    assert f.message.startswith("福祉部の令和6年度のブックがほかにもあります（b.xlsx）")


def test_every_message_template_names_only_fields_its_checks_can_fill():
    import string
    for rule in RULES.values():
        for condition, template in rule.messages.items():
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
            finding = rule.finding("Sheet1", "A1", {}, condition, **dict.fromkeys(names, "x"))  # even {sheet}, {cell}
            assert finding.message and "{" not in finding.message, (rule.code, condition)
            assert all(n.isidentifier() for n in names), (rule.code, condition, names)


def test_a_rule_says_no_message_for_a_condition_it_does_not_have():
    with pytest.raises(KeyError):
        RULES["required-empty"].message("no-such-condition", field="x")


def test_findings_are_built_only_through_their_rule():
    calls = [name for name, tree in _trees() for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding"]
    assert calls == ["xlsheets/findings.py"]  # in Rule.finding


def _count(match) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, tree in _trees():
        for node in ast.walk(tree):
            if match(node):
                found[name] = found.get(name, 0) + 1
    return found


def _constants(node) -> list:
    return [e.value for e in node.elts if isinstance(e, ast.Constant)] if isinstance(node, (ast.Tuple, ast.List)) else []


def test_the_stage_names_are_written_once():
    assert _count(lambda n: _constants(n)[:2] == ["midterm", "final"]) == {"xlsheets/model.py": 1}


def test_the_severity_names_in_japanese_are_written_once():
    assert _count(lambda n: isinstance(n, ast.Dict) and "エラー" in [getattr(v, "value", None) for v in n.values]) \
        == {"xlsheets/findings.py": 1}
    assert set(SEVERITY_JA) == {r.severity for r in RULES.values()} | {"info"}


def test_the_rate_format_and_the_settings_sheet_name_are_written_once():
    assert _count(lambda n: isinstance(n, ast.Constant) and n.value == '0"%"') == {"xlsheets/layout.py": 1}
    assert _count(lambda n: isinstance(n, ast.Constant) and n.value == "xlsheets設定") == {"xlsheets/layout.py": 1}
