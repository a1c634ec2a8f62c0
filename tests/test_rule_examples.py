"""Every rule's `examples` and `counter_examples` run here: one parametrized test for all.

Deadline rules check the resolved date (against the example's reference date) and that the rule
itself fired. Every other rule runs the whole pipeline on its example text and checks the rule
fired (it appears in the notice's trace) and every `expect` key; a counter-example checks the
rule did not fire, or only its `expect` keys where it gives them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from extractor.deadlines import find_deadlines, pick_deadline
from extractor.ingest import ingest_text
from extractor.models import Notice
from extractor.pipeline import extract_document
from extractor.rules import CompiledRule, Example, RuleSet, load_rules

from .conftest import ROOT

RULES = load_rules(ROOT / "rules")
CASES = [
    pytest.param(rule, ex, positive, id=f"{rule.id}[{'+' if positive else '-'}{i}]")
    for rule in RULES.rules
    for positive, examples in ((True, rule.examples), (False, rule.counter_examples))
    for i, ex in enumerate(examples)
]


def _run(text: str, ref: date | None, rules: RuleSet) -> Notice:
    if ref is not None:  # give the notice its date, as its header would
        text = f"Hà Nội, ngày {ref.day} tháng {ref.month} năm {ref.year}\n{text}"
    return extract_document(ingest_text(text), rules)


def _check_expect(notice: Notice, expect: dict[str, Any]) -> None:
    tasks = notice.tasks
    meta = notice.meta
    for key, want in expect.items():
        if key == "tasks":
            assert len(tasks) == want, [t.action.text for t in tasks]
        elif key in ("units", "coordinators", "action", "deadline", "section", "last_units"):
            assert tasks, "no task found"
            task = tasks[-1] if key == "last_units" else tasks[0]
            got: Any
            if key in ("units", "last_units"):
                got = [u.text for u in task.units]
            elif key == "coordinators":
                got = [u.text for u in task.coordinators]
            elif key == "action":
                got = task.action.text
            elif key == "deadline":
                got = task.deadline.date if task.deadline else None
            else:
                got = task.section
            assert got == want, f"{key}: {got!r} != {want!r}"
        elif key in ("number", "issuer", "subject", "signer"):
            span = getattr(meta, key)
            assert (span.text if span else None) == want, f"{key}: {span!r}"
        elif key == "date":
            assert meta.date == want
        elif key == "type":
            assert meta.type == want
        else:
            raise AssertionError(f"unknown expect key {key!r}")


@pytest.mark.parametrize(("rule", "example", "positive"), CASES)
def test_rule_example(rule: CompiledRule, example: Example, positive: bool) -> None:
    if rule.dimension == "deadlines":
        found = find_deadlines(
            example.text, 0, len(example.text), example.ref, RULES, column=rule.value == "column"
        )
        mine = [d for d in found if d.rule == rule.id]
        if not positive:
            assert not mine, f"{rule.id} fired on a counter-example: {mine}"
            return
        assert mine, f"{rule.id} did not fire; found {found}"
        picked = pick_deadline(mine)
        assert picked is not None
        for key, want in example.expect.items():
            assert getattr(picked, key) == want, f"{key}: {getattr(picked, key)!r} != {want!r}"
        return
    if rule.kind == "alias":
        from extractor.units import canonical_unit

        name, fired = canonical_unit(example.text, RULES)
        if positive:
            assert (name, fired) == (example.expect["canonical"], rule.id)
        else:
            assert fired != rule.id
        return
    notice = _run(example.text, example.ref, RULES)
    if positive:
        assert rule.id in notice.rules_fired, (
            f"{rule.id} did not fire: {sorted(notice.rules_fired)}"
        )
        _check_expect(notice, example.expect)
    elif example.expect:
        _check_expect(notice, example.expect)
    else:
        assert rule.id not in notice.rules_fired, f"{rule.id} fired on a counter-example"
