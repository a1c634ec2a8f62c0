"""Scopes: what a numbered section passes down to the sentences under it.

A section (`segment.Section`, ids like `II.1.b`) is the scope of the sentences inside it. Its
heading may name units ("2. Giao Văn phòng UBND tỉnh:") or a deadline ("1. Trước ngày 15/9,
…"); the last task found in it lends its units to a bare follow-up. Lookups walk from the
sentence's section up to the document (`None`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Deadline, Span, Task
from ..rules import CompiledRule
from ..segment import Layout
from .boilerplate import Boilerplate

__all__ = ["Scopes"]


@dataclass
class Scopes:
    layout: Layout
    boilerplate: Boilerplate
    last_task: dict[str | None, int] = field(default_factory=dict)
    heading_units: dict[str | None, tuple[Span, ...]] = field(default_factory=dict)
    heading_deadline: dict[str | None, Deadline] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._parents = {s.id: s.parent for s in self.layout.sections}
        self._titles = {s.id: s.title.text for s in self.layout.sections}
        self._context: dict[str | None, CompiledRule | None] = {}

    def chain(self, sec: str | None) -> list[str | None]:
        """The section, the sections above it, then the document (None)."""
        out: list[str | None] = []
        while sec is not None:
            out.append(sec)
            sec = self._parents.get(sec)
        out.append(None)
        return out

    def context_of(self, sec: str | None) -> CompiledRule | None:
        """The rule marking a section (or one above it) as aims or assessment, not orders."""
        if sec not in self._context:
            self._context[sec] = next(
                (
                    hit
                    for s_id in self.chain(sec)
                    if s_id is not None
                    and (hit := self.boilerplate.hit("context_heading", self._titles.get(s_id, "")))
                ),
                None,
            )
        return self._context[sec]

    def deadline(self, sec: str | None) -> Deadline | None:
        """A deadline stated by the heading of the section or of one above it."""
        return next(
            (self.heading_deadline[s] for s in self.chain(sec) if s in self.heading_deadline), None
        )

    def inherited(
        self, sec: str | None, tasks: list[Task], *, after_list: bool = False
    ) -> tuple[tuple[Span, ...], str] | None:
        """Units for a directive naming none: the previous task of its own section, else the
        units the nearest heading (or lead-in) names. A paragraph right after a list takes
        the heading's units first: the list's last item does not speak for it."""
        headed = next(
            (
                (self.heading_units[s], "section")
                for s in self.chain(sec)
                if s in self.heading_units
            ),
            None,
        )
        if after_list and headed is not None:
            return headed
        if sec in self.last_task:
            return tasks[self.last_task[sec]].units, "previous_task"
        return headed
