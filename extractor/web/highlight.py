"""A notice's text cut into pieces at every span of its tasks, for the review page: each piece
knows what covers it (unit, coordinator, action, deadline) and its offset, so that text
selected in the page maps back to the canonical text."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

__all__ = ["segments"]

PRIORITY = ("deadline", "unit", "coord", "action")


def _spans(task_id: int, spans: dict[str, Any]) -> Iterable[tuple[int, int, str, int]]:
    for kind, key in (("unit", "units"), ("coord", "coordinators")):
        for s in spans.get(key) or []:
            if isinstance(s, dict) and "start" in s:
                yield s["start"], s["end"], kind, task_id
    action = spans.get("action")
    if isinstance(action, dict) and "start" in action:
        yield action["start"], action["end"], "action", task_id
    deadline = spans.get("deadline")
    if isinstance(deadline, list) and len(deadline) == 2:
        yield deadline[0], deadline[1], "deadline", task_id


def segments(text: str, tasks: Iterable[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """(task id, spans) pairs -> pieces {text, start, kind, tasks}."""
    spans = [
        (max(0, a), min(len(text), b), k, i)
        for tid, sp in tasks
        for a, b, k, i in _spans(tid, sp)
        if isinstance(a, int) and isinstance(b, int) and a < b
    ]
    cuts = sorted({0, len(text), *(a for a, *_ in spans), *(b for _, b, *_ in spans)})
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = [(k, i) for s, e, k, i in spans if s <= a and b <= e]
        kinds = {k for k, _ in covering}
        top = next((k for k in PRIORITY if k in kinds), "")
        out.append(
            {
                "text": text[a:b],
                "start": a,
                "kind": top,
                "tasks": " ".join(str(i) for i in sorted({i for _, i in covering})),
            }
        )
    return out
