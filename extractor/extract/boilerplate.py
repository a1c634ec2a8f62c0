"""Set phrases (`boilerplate.yaml`): clauses that are not orders, or only date the order before.

Kinds: `not_task` (closing formulas, accountability clauses), `narrative` (reports of what was
done), `deadline_only` (a sentence that only dates the previous task), `all_addressees` (an
order to everyone the notice is sent to), `context_heading` (a section of aims or assessment),
`generic_action` (an action that only says to carry out the document: a closing).
"""

from __future__ import annotations

from ..rules import CompiledRule, RuleSet, search_screen

__all__ = ["Boilerplate"]

KINDS = (
    "not_task",
    "narrative",
    "deadline_only",
    "all_addressees",
    "context_heading",
    "generic_action",
)


class Boilerplate:
    def __init__(self, rules: RuleSet) -> None:
        self.rules = {k: rules.of("boilerplate", k) for k in KINDS}
        self.screens = {k: search_screen(v) for k, v in self.rules.items()}

    def hit(self, kind: str, s: str) -> CompiledRule | None:
        """The first rule of `kind` found in `s`, or None."""
        if not self.screens[kind].search(s):
            return None
        return next((r for r in self.rules[kind] if r.regex.search(s)), None)
