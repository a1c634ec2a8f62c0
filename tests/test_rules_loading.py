"""Broken rule files fail at load with a sentence naming the file and the rule id."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.errors import RuleError
from extractor.rules import load_rules

GOOD_RULE = """
  - id: trigger.test
    description: a test trigger
    kind: assign
    pattern: 'giao'
    examples:
      - {text: "Giao Phòng Nội vụ theo dõi."}
"""

BROKEN = {
    "unknown key": (
        "triggers",
        GOOD_RULE.replace("kind: assign", "kind: assign\n    colour: red"),
        "trigger.test",
    ),
    "bad regex": ("triggers", GOOD_RULE.replace("'giao'", "'gi(ao'"), "trigger.test"),
    "unknown kind": ("triggers", GOOD_RULE.replace("kind: assign", "kind: shout"), "trigger.test"),
    "no examples": (
        "triggers",
        GOOD_RULE.split("    examples:")[0] + "    examples: []\n",
        "trigger.test",
    ),
    "pattern and words": (
        "triggers",
        GOOD_RULE.replace("pattern: 'giao'", "pattern: 'giao'\n    words: [giao]"),
        "trigger.test",
    ),
    "unknown macro": ("triggers", GOOD_RULE.replace("'giao'", "'<<NOPE>>'"), "trigger.test"),
    "bad id": ("triggers", GOOD_RULE.replace("trigger.test", "Trigger Test"), None),
    # YAML keeps the last of two equal keys: the first examples would vanish unseen
    "key given twice": (
        "triggers",
        GOOD_RULE + '      - {text: "Giao Sở Y tế."}\n    examples:\n      - {text: "x"}\n',
        None,
    ),
    "unknown dimension": ("colours", GOOD_RULE, None),
}


def _write(folder: Path, dimension: str, body: str, name: str = "a.yaml") -> Path:
    path = folder / name
    path.write_text(
        f"dimension: {dimension}\ndescription: test file\nrules:{body}", encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_rule_file_fails_loudly(tmp_path: Path, case: str) -> None:
    dimension, body, rule_id = BROKEN[case]
    path = _write(tmp_path, dimension, body)
    with pytest.raises(RuleError) as info:
        load_rules(tmp_path)
    message = str(info.value)
    assert str(path) in message
    if rule_id:
        assert rule_id in message


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    _write(tmp_path, "triggers", GOOD_RULE, "a.yaml")
    second = _write(tmp_path, "triggers", GOOD_RULE, "b.yaml")
    with pytest.raises(RuleError, match="duplicate id") as info:
        load_rules(tmp_path)
    assert str(second) in str(info.value) and "trigger.test" in str(info.value)


def test_not_yaml(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(RuleError, match="not valid YAML"):
        load_rules(tmp_path)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="holds no rule files"):
        load_rules(tmp_path)


def test_good_file_loads(tmp_path: Path) -> None:
    _write(tmp_path, "triggers", GOOD_RULE)
    rules = load_rules(tmp_path)
    assert [r.id for r in rules.rules] == ["trigger.test"]
    assert rules.by_id["trigger.test"].regex.search("giao việc")


def test_shipped_rules_have_descriptions_and_examples(rules) -> None:  # type: ignore[no-untyped-def]
    assert len(rules.rules) > 80
    for rule in rules.rules:
        assert rule.examples, rule.id


WORD_START_FILE = """dimension: deadlines
description: test
word_start: true
rules:
  - id: deadline.test.daily
    description: daily
    kind: recurring
    pattern: 'hằng\\s+ngày'
    examples:
      - {text: "báo cáo hằng ngày"}
"""


def test_word_start_files_match_only_from_a_word_start(tmp_path: Path) -> None:
    (tmp_path / "deadlines.yaml").write_text(WORD_START_FILE, encoding="utf-8")
    regex = load_rules(tmp_path).by_id["deadline.test.daily"].regex
    assert [m.start() for m in regex.finditer("báo cáo hằng ngày")] == [8]
    assert regex.search("thằng ngày") is None


@pytest.mark.parametrize(
    "dimension",
    ["deadlines", "triggers", "roles", "actions", "units", "boilerplate", "sections", "metadata"],
)
def test_union_matches_where_any_rule_does(rules, dimension: str) -> None:  # type: ignore[no-untyped-def]
    """The screening pattern may match more, never less: at every place a rule matches in its
    examples, the union of the rules matches too."""
    from extractor.rules import union_regex

    group = rules.of(dimension)
    union = union_regex(group)
    assert union.pattern, "the rules could not be joined"
    checked = 0
    for rule in group:
        for example in rule.examples:
            for m in rule.regex.finditer(example.text):
                assert union.match(example.text, m.start()), (rule.id, example.text)
                checked += 1
    assert checked >= len(group) // 2
