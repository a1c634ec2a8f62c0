"""Find tasks: who must do what, with whom, by when, in each directive sentence.

The engine holds no vocabulary: every word it looks for comes from `rules/` (triggers, roles,
actions, units, boilerplate, sections). Modules, one per reading step:

- `vocab`: the rule groups and small matchers, built once per rule set;
- `units`: unit phrases (where units start, stop and split; lists of names);
- `clauses`: roles and action after the units; subjects and triggers;
- `boilerplate`: set phrases that are not orders, or only date the order before;
- `scopes`: what a section's heading and its previous task pass down;
- `bare`: directives without a unit of their own;
- `tables`: task tables, one task per row;
- `build`: a task's action span, flags and confidence;
- `reader`: the sentence loop.

Reading order. The directive region is found first (after a "… như sau:" lead-in, else from
the first trigger, numbered part or unit-addressed item); a lead-in that addresses units lends
them to the items under it. Then each sentence of the region, in document order:

1. a heading passes down its units ("2. Giao Sở Tài chính:") or its deadline, and is no task;
2. set phrases (`boilerplate`): closing formulas are skipped, a deadline-only sentence dates
   the previous task of its scope;
3. a sentence reporting or stating aims (narrative, or in a section of aims) is a task only
   through an explicit trigger;
4. a unit phrase opening the sentence and followed by a role or action ("Sở X chủ trì ...");
5. an explicit trigger followed by a unit phrase ("Giao X ...", "UBND tỉnh yêu cầu X ...");
6. a bare imperative ("Đề xuất phương án ...") whose units come from the previous task of the
   section, the section heading, or the "Kính gửi" list;
7. a unit phrase opening a later clause ("Trên cơ sở ..., Sở X chủ trì ...");
8. one sentence naming several unit groups gives one task per group ("A …; B …");
9. each task takes the deadline of its clause, else of its section's heading.
Task tables give one task per row; all tasks are returned in document order.
"""

from __future__ import annotations

from .reader import extract_tasks

__all__ = ["extract_tasks"]
