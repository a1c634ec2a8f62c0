"""Review: a self-contained HTML page per task JSON, a CSV of its tasks to correct, and the
checks (`validate`) a corrected file must pass. Everything reads the task JSON alone, so a
corrected JSON re-renders without re-extraction."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema

from .render import load_schema, write_json_atomic

__all__ = [
    "CSV_COLUMNS",
    "apply_csv",
    "export_csv",
    "load_task_json",
    "needs_review",
    "render_review",
    "validate_file",
    "write_review",
]

FLAG_NAMES = {
    "no_unit": "không có đơn vị",
    "unit_inherited": "đơn vị suy ra",
    "no_deadline": "không thời hạn",
    "deadline_before_notice": "hạn trước ngày văn bản",
    "low_confidence": "độ tin cậy thấp",
    "unresolved_deadline": "thời hạn chưa quy ra ngày",
}
INHERIT_NAMES = {
    "previous_task": "theo nhiệm vụ trước",
    "section": "theo tiêu đề mục",
    "addressees": "theo Kính gửi",
    "none": "không xác định",
}
CSV_COLUMNS = [
    "id",
    "units",
    "coordinators",
    "action",
    "deadline_date",
    "deadline_text",
    "recurring",
    "section",
    "evidence",
]
LIST_SEP = " | "
PRIORITY = ("deadline", "unit", "coord", "action")  # the class a reader sees where spans overlap


def load_task_json(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def needs_review(task: dict[str, Any], notice_date: date | None) -> list[str]:
    """The reasons a person should look at this task, recomputed from its fields."""
    flags = []
    d = task.get("deadline") or {}
    due = _date(d.get("date"))
    if not task.get("units"):
        flags.append("no_unit")
    elif task.get("units_from", "sentence") != "sentence":
        flags.append("unit_inherited")
    if not due and not d.get("recurring"):
        flags.append("no_deadline")
    if d and not due and d.get("kind") not in ("none", "recurring"):
        flags.append("unresolved_deadline")
    if due and notice_date and due < notice_date:
        flags.append("deadline_before_notice")
    if float(task.get("confidence", 1.0)) < 0.5:
        flags.append("low_confidence")
    return flags


def _segments(text: str, tasks: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Cut the text at every span boundary; each piece lists the kinds and tasks covering it."""
    spans: list[tuple[int, int, str, str]] = []
    for t in tasks:
        s = t.get("spans") or {}
        for u in s.get("units", []):
            spans.append((u["start"], u["end"], "unit", t["id"]))
        for c in s.get("coordinators", []):
            spans.append((c["start"], c["end"], "coord", t["id"]))
        if s.get("action"):
            spans.append((s["action"]["start"], s["action"]["end"], "action", t["id"]))
        d = t.get("deadline")
        if d:
            spans.append((d["start"], d["end"], "deadline", t["id"]))
    spans = [(max(0, a), min(len(text), b), k, i) for a, b, k, i in spans if a < b]
    cuts = sorted({0, len(text), *(a for a, *_ in spans), *(b for _, b, *_ in spans)})
    out = []
    for a, b in itertools.pairwise(cuts):
        covering = [(k, i) for s, e, k, i in spans if s <= a and b <= e]
        kinds = {k for k, _ in covering}
        ids = sorted({i for _, i in covering}, key=lambda x: int(x[1:]) if x[1:].isdigit() else 0)
        top = next((k for k in PRIORITY if k in kinds), "")
        out.append(
            {
                "text": text[a:b],
                "classes": f"hl-{top}" if top else "",
                "tasks": " ".join(ids),
                "title": ", ".join(ids),
            }
        )
    return out


def render_review(data: dict[str, Any], source_name: str = "") -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("extractor", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    notice = data.get("notice") or {}
    notice_date = _date(notice.get("date"))
    tasks = list(data.get("tasks", []))
    rows = [dict(t, flags=needs_review(t, notice_date)) for t in tasks]
    rows.sort(key=lambda t: (not t["flags"], int(t["id"][1:]) if t["id"][1:].isdigit() else 0))
    return env.get_template("review.html.j2").render(
        notice=notice,
        rows=rows,
        tasks=tasks,
        segments=_segments(data.get("text", ""), tasks),
        flagged_count=sum(1 for r in rows if r["flags"]),
        flag_names=FLAG_NAMES,
        inherit_names=INHERIT_NAMES,
        source_name=source_name or (data.get("source") or {}).get("path") or "",
        reviewed=bool(data.get("reviewed")),
    )


def write_review(json_path: Path, out_path: Path | None = None) -> Path:
    out_path = out_path or json_path.with_name(f"{json_path.stem}.review.html")
    html = render_review(load_task_json(json_path), json_path.name)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out_path)
    return out_path


# ------------------------------------------------------------------ corrections
def export_csv(data: dict[str, Any]) -> str:
    """The tasks as CSV (UTF-8 with BOM, so Excel shows Vietnamese), one row per task."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for t in data.get("tasks", []):
        d = t.get("deadline") or {}
        writer.writerow(
            {
                "id": t["id"],
                "units": LIST_SEP.join(t["units"]),
                "coordinators": LIST_SEP.join(t["coordinators"]),
                "action": t["action"],
                "deadline_date": d.get("date") or "",
                "deadline_text": d.get("text") or "",
                "recurring": d.get("recurring") or "",
                "section": t.get("section") or "",
                "evidence": t["evidence"]["text"],
            }
        )
    return "\ufeff" + buf.getvalue()


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(LIST_SEP.strip()) if v.strip()]


def apply_csv(csv_path: Path, json_path: Path) -> int:
    """Write a task CSV's corrections into its JSON, marked reviewed; returns tasks changed."""
    data = load_task_json(json_path)
    by_id = {t["id"]: t for t in data["tasks"]}
    changed = 0
    for row in _read_csv(csv_path):
        task = by_id.get(row.get("id", ""))
        if task is None:
            raise ValueError(f"{csv_path}: task {row.get('id')!r} is not in {json_path.name}.")
        before = json.dumps(task, sort_keys=True)
        task["units"] = _split(row["units"])
        task["coordinators"] = _split(row["coordinators"])
        task["action"] = row["action"].strip()
        text, due, recurring = (
            row["deadline_text"].strip(),
            row["deadline_date"].strip(),
            row["recurring"].strip() or None,
        )
        if not (text or due or recurring):
            task["deadline"] = None
        else:
            old = task.get("deadline") or {
                "start": task["evidence"]["start"],
                "end": task["evidence"]["start"],
                "kind": "exact_date",
            }
            task["deadline"] = {
                **old,
                "date": due or None,
                "text": text or due or recurring,
                "recurring": recurring,
                "rule": old.get("rule", "review.manual"),
            }
            if recurring:
                task["deadline"]["kind"] = "recurring"
        if json.dumps(task, sort_keys=True) != before:
            task["rules"] = (
                [*task["rules"], "review.manual"]
                if "review.manual" not in task["rules"]
                else task["rules"]
            )
            changed += 1
    data["reviewed"] = True
    write_json_atomic(json_path, data)
    return changed


def validate_file(path: Path) -> list[str]:
    """Problems of a task JSON or task CSV, each a sentence naming the place; [] when fine."""
    if path.suffix.lower() == ".csv":
        return _validate_csv(path)
    try:
        data = load_task_json(path)
    except (OSError, ValueError) as exc:
        return [f"{path}: cannot be read as JSON ({exc})."]
    problems = []
    for err in sorted(
        jsonschema.Draft202012Validator(load_schema()).iter_errors(data),
        key=lambda e: list(e.absolute_path),
    ):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        problems.append(f"{path}: {where}: {err.message}.")
    if problems:
        return problems
    text = data["text"]
    notice_date = _date(data["notice"]["date"])
    seen = set()
    for t in data["tasks"]:
        where = f"{path}: task {t['id']}"
        if t["id"] in seen:
            problems.append(f"{where}: the id is used twice; give each task its own id.")
        seen.add(t["id"])
        if not t["units"]:
            problems.append(f"{where}: no unit; add the unit that must do it.")
        if not t["action"].strip():
            problems.append(f"{where}: the action is empty.")
        d = t["deadline"]
        if d and d["date"] and _date(d["date"]) is None:
            problems.append(
                f"{where}: deadline date {d['date']!r} is not a real date (YYYY-MM-DD)."
            )
        if d and _date(d["date"]) and notice_date and _date(d["date"]) < notice_date:  # type: ignore[operator]
            problems.append(
                f"{where}: deadline {d['date']} is before the notice date {notice_date}; check it."
            )
        ev = t["evidence"]
        if text[ev["start"] : ev["end"]] != ev["text"]:
            problems.append(f"{where}: evidence offsets do not point at its text.")
    return problems


def _validate_csv(path: Path) -> list[str]:
    try:
        rows = _read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [f"{path}: cannot be read as CSV ({exc})."]
    if not rows:
        return [f"{path}: holds no task rows."]
    missing = [c for c in CSV_COLUMNS if c not in rows[0]]
    if missing:
        return [f"{path}: missing columns {', '.join(missing)}."]
    problems = []
    for n, row in enumerate(rows, start=2):
        where = f"{path}: line {n} (task {row['id']})"
        if not _split(row["units"]):
            problems.append(f"{where}: no unit; add the unit that must do it.")
        if not row["action"].strip():
            problems.append(f"{where}: the action is empty.")
        if row["deadline_date"].strip() and _date(row["deadline_date"].strip()) is None:
            problems.append(
                f"{where}: deadline date {row['deadline_date']!r} is not a real date (YYYY-MM-DD)."
            )
    return problems
