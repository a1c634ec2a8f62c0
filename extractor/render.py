"""Render a Notice: the task JSON (schema in `schema/notice.schema.json`) and a text table."""

from __future__ import annotations

import json
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

from .atomic import write_atomic
from .models import Deadline, Notice, Span, Task

__all__ = [
    "SCHEMA_VERSION",
    "dumps",
    "load_schema",
    "notice_to_dict",
    "show_table",
    "write_json_atomic",
]

SCHEMA_VERSION = "1.0"


def _span(s: Span | None) -> dict[str, Any] | None:
    if s is None:
        return None
    out: dict[str, Any] = {"text": s.text, "start": s.start, "end": s.end}
    if s.rule:
        out["rule"] = s.rule
    return out


def _deadline(d: Deadline | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "date": d.date.isoformat() if d.date else None,
        "text": d.text,
        "kind": d.kind,
        "recurring": d.recurring,
        "start": d.start,
        "end": d.end,
        "rule": d.rule,
        "note": d.note,
    }


def _task(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "section": t.section,
        "units": [u.text for u in t.units],
        "coordinators": [c.text for c in t.coordinators],
        "action": t.action.text,
        "deadline": _deadline(t.deadline),
        "evidence": {"text": t.evidence.text, "start": t.evidence.start, "end": t.evidence.end},
        "spans": {
            "units": [_span(u) for u in t.units],
            "coordinators": [_span(c) for c in t.coordinators],
            "action": {
                "start": t.action.start,
                "end": t.action.end,
                **({"rule": t.action.rule} if t.action.rule else {}),
            },
        },
        "units_from": t.units_from,
        "rules": list(t.rules),
        "confidence": t.confidence,
        "flags": list(t.flags),
    }


def notice_to_dict(notice: Notice) -> dict[str, Any]:
    doc, meta = notice.document, notice.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "source": {
            "path": doc.source.path,
            "sha256": doc.source.sha256,
            "format": doc.source.format,
            "encoding": doc.source.encoding,
            # only for a PDF that needed OCR: every other notice's JSON stays as it was
            **(
                {"ocr_pages": [{"page": p, "reason": r} for p, r in doc.source.ocr_pages]}
                if doc.source.ocr_pages
                else {}
            ),
        },
        "notice": {
            "number": meta.number.text if meta.number else None,
            "date": meta.date.isoformat() if meta.date else None,
            "issuer": meta.issuer.text if meta.issuer else None,
            "type": meta.type,
            "subject": meta.subject.text if meta.subject else None,
            "signer": meta.signer.text if meta.signer else None,
            "addressees": [a.text for a in meta.addressees],
            "spans": {
                "number": _span(meta.number),
                "date": _span(meta.date_span),
                "issuer": _span(meta.issuer),
                "subject": _span(meta.subject),
                "signer": _span(meta.signer),
            },
        },
        "tasks": [_task(t) for t in notice.tasks],
        "text": doc.text,
        "offset_map": [list(p) for p in doc.offset_map],
        "locations": [list(loc) for loc in doc.locations],
        "sections": [
            {
                "id": s.id,
                "marker": s.marker,
                "level": s.level,
                "parent": s.parent,
                "title": _span(s.title),
            }
            for s in notice.sections
        ],
        "trace": [{"rule": t.rule, "start": t.start, "end": t.end} for t in notice.trace],
    }


def load_schema() -> dict[str, Any]:
    data = resources.files("extractor").joinpath("schema/notice.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(data)
    return schema


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # the C encoder


def dumps(data: dict[str, Any]) -> str:
    """JSON that reads well and writes fast: one line per top-level key and one per task
    (a dozen encoder calls per notice, not one per value). Plain JSON all the same."""
    lines = []
    for key, value in data.items():
        if key == "tasks" and value:
            body = "[\n  " + ",\n  ".join(map(_ENCODE, value)) + "\n ]"
        else:
            body = _ENCODE(value)
        lines.append(f" {_ENCODE(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write JSON to a temporary file beside `path`, sync it, then rename: never a
    half-written file, mode 0644 like the tool's other files (extractor/atomic.py)."""
    write_atomic(path, dumps(data).encode("utf-8"))


def show_table(data: dict[str, Any], width: int = 100) -> str:
    """The tasks of a task JSON as a readable text table."""
    n = data.get("notice") or {}
    lines = [
        f"Notice {n.get('number') or '?'} of {n.get('date') or '?'} ({n.get('type') or '?'}) "
        f"by {n.get('issuer') or '?'}",
        f"{len(data.get('tasks', []))} tasks",
        "",
    ]
    for t in data.get("tasks", []):
        d = t.get("deadline") or {}
        due = d.get("date") or (f"({d.get('recurring')})" if d.get("recurring") else "—")
        lines.append(
            f"{t['id']:>4}  §{t.get('section') or '-'}  due {due}  "
            f"conf {t.get('confidence', 0):.2f}  {' '.join(t.get('flags', []))}"
        )
        units = "; ".join(t.get("units") or []) or "(no unit)"
        lines += textwrap.wrap(
            f"units: {units}", width, initial_indent="      ", subsequent_indent="        "
        )
        if t.get("coordinators"):
            lines += textwrap.wrap(
                "with: " + "; ".join(t["coordinators"]),
                width,
                initial_indent="      ",
                subsequent_indent="        ",
            )
        lines += textwrap.wrap(
            f"do: {t.get('action', '')}",
            width,
            initial_indent="      ",
            subsequent_indent="        ",
        )
        if d.get("text"):
            lines.append(f"      deadline text: {d['text']!r} ({d.get('kind')})")
        lines.append("")
    return "\n".join(lines)
