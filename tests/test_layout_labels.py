"""The fields' labels and the columns' headings are data (xlsheets/layout_labels.toml): every word there is
recognised as its rule says, every rule names a field the readers use, and a word added is a word read."""

from __future__ import annotations

import itertools

import pytest

from xlsheets import layout as L
from xlsheets.handmade import FIELD_ROLES, HEADER_FIELDS, ITEM_ROLES, RATE_ROLES

# a label standing as each mode asks: alone, with a note, at the beginning, in the middle
PLACED = {"whole": "{}", "noted": "{}（予定）", "prefix": "{}等", "contains": "第2期{}について"}
OTHER_LABELS = {"sheet_title", "notes"}  # read by the sheet's kind and the notes row, not as header fields


def _words(pattern: list) -> list[str]:
    """Every label a pattern allows: one word of each slot in turn."""
    slots = [pattern] if all(isinstance(w, str) for w in pattern) else pattern
    return ["".join(parts) for parts in itertools.product(*slots)]


def _examples(section: str) -> list[tuple[int, str, str]]:
    """(rule's place, its field, a label) for every word of every rule of a section."""
    return [(i, rule["field"], PLACED[mode].format(word)) for i, rule in enumerate(L._LABELS[section])
            for mode in PLACED for word in _words(rule.get(mode, []))]


@pytest.mark.parametrize(("section", "match"), [("label", L.match_label), ("column", L.match_column)])
def test_every_word_is_recognised_as_its_field_unless_a_rule_above_claims_it(section, match):
    fields = [rule["field"] for rule in L._LABELS[section]]
    examples = _examples(section)
    assert len(examples) > len(fields)
    claimed = [(label, field, match(label)) for i, field, label in examples if match(label) not in fields[:i + 1]]
    assert claimed == []
    # first match wins: 「取組項目及び方法」 is the combined column, not 取組項目 alone
    assert L.match_column("取組項目及び方法・手段") == "item_method" and L.match_column("取組項目") == "item_title"


def test_every_rule_names_a_field_the_readers_use():
    assert {r["field"] for r in L._LABELS["label"]} == set(HEADER_FIELDS) | OTHER_LABELS
    assert {r["field"] for r in L._LABELS["column"]} == {*ITEM_ROLES, *FIELD_ROLES, *RATE_ROLES}
    assert all(set(r) - {"field", "ignore_case"} <= set(PLACED) for r in L._LABELS["label"] + L._LABELS["column"])


def test_a_short_heading_is_its_field_only_as_the_whole_heading():
    assert L.match_column("期限（予定）") == "period"
    assert L.match_column("期限の考え方") is None
    assert L.match_column("評価（A〜C）") == "grade" and L.match_column("評価方法") is None


def test_a_word_added_as_data_is_read_as_its_rule_says():
    rule = L._pattern({"field": "extra", "noted": ["担当課長"], "contains": [["第", "再"], ["", "次"], ["計画"]]})
    assert rule.search("担当課長(予定)") and not rule.search("担当課長補佐")
    assert all(rule.search(L.norm_label(t)) for t in ("総合第次計画の位置", "再計画", "第 次 計画"))
    assert not rule.search("計画第")


def test_extra_labels_are_known_and_not_fields():
    for word in _words(L._LABELS["extra"]["noted"]):
        assert L.EXTRA_LABEL.match(L.norm_label(word + "（内線）"))
        assert L.match_label(word) is None and L.match_column(word) is None
