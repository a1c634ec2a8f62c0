"""Find tasks: who must do what, with whom, by when, in each directive sentence.

The engine holds no vocabulary: every word it looks for comes from `rules/` (triggers, roles,
actions, units, boilerplate, sections). Modules, one per reading step:

- `vocab`: the rule groups and small matchers, built once per rule set;
- `units`: unit phrases (where units start, stop and split), with `names` (lists of names
  after a plural head) and `edges` (where a unit's words begin and end);
- `clauses`: roles and action after the units; subjects and triggers;
- `boilerplate`: set phrases that are not orders, or only date the order before;
- `scopes`: what a section's heading and its previous task pass down;
- `bare`: directives without a unit of their own;
- `tables`, `fields`: task tables and field blocks, one task per row or item;
- `build`: a task's action span, flags and confidence;
- `reader`: the sentence loop.

Reading order. The structure is read first: the directive region (after a "… như sau:"
lead-in, whose units go to the items under it that name none; else from the first trigger,
numbered part or unit-addressed item), numbered sections and their headings, task tables and
field blocks (whose sentences are not read again, but for orders written inside a lead cell).
Then each sentence of the region, in document order:

1. a heading passes down its units ("2. Giao Sở Tài chính:") or its deadline, and is no task;
   so is a numbered title ending in ":" over its items;
2. set phrases (`boilerplate`): closing formulas are skipped, a deadline-only sentence dates
   the orders of the paragraph before;
3. a sentence reporting or stating aims (narrative, or in a section of aims) is a task only
   through an explicit trigger;
4. an opening that names no one ("Đơn vị nào … thì") or a topic ("Về dự án X: …") is read
   past; then a unit phrase opening the sentence and followed by a role or action ("Sở X chủ
   trì ...");
5. an explicit trigger followed by a unit phrase ("Giao X ...", "UBND tỉnh yêu cầu X ...");
6. a topic label, a colon, then the unit ("b) Thanh tra …: UBND các huyện …");
7. a bare imperative ("Đề xuất phương án ...") whose units are inherited in the GUIDELINES'
   order: inside a paragraph or item, its first task's (a new subject changes them, an aside
   "Giao X …" does not); at a new item or after a list, the nearest heading's or lead-in's;
   else the section's previous task; for the closing "nếu có khó khăn" formula, the units it
   names or the "Kính gửi" list;
8. a unit phrase opening a later clause ("Trên cơ sở ..., Sở X chủ trì ...");
9. one sentence naming several unit groups gives one task per group ("A …; B …");
10. each task takes the deadline of its clause, else of its section's heading; an action that
    only says to carry out the document is no task unless it names a counterpart or a date.
Table rows and field items are added; all tasks are returned in document order.
"""

from __future__ import annotations

from .reader import extract_tasks

__all__ = ["extract_tasks"]
