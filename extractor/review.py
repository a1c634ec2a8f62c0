"""Review: a self-contained HTML page per task JSON, a CSV of its tasks to correct, and the
checks (`validate`) a corrected file must pass. Everything reads the task JSON alone, so a
corrected JSON re-renders without re-extraction."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema

from .days import parse_day
from .render import load_schema, write_json_atomic
from .safe_cells import neutralize, restore

__all__ = [
    "CSV_COLUMNS",
    "Applied",
    "apply_csv",
    "export_csv",
    "json_for_csv",
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
STATED = ("sentence", "field")  # units_from values that are not inherited
PRIORITY = ("deadline", "unit", "coord", "action")  # the class a reader sees where spans overlap


def load_task_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:  # a hostile file: '[' 100,000 times
        raise ValueError("its values are nested too deeply to be a task JSON") from None
    return data


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def needs_review(task: dict[str, Any], notice_date: date | None) -> list[str]:
    """The reasons a person should look at this task, recomputed from its fields (the same as
    extraction's flags; a task a person corrected is no longer unsure of its unit)."""
    flags = []
    d = task.get("deadline") or {}
    due = _date(d.get("date"))
    by_person = "review.manual" in task.get("rules", ())
    if not task.get("units"):
        flags.append("no_unit")
    elif task.get("units_from", "sentence") not in STATED and not by_person:
        flags.append("unit_inherited")
    if d and not due and d.get("kind") not in ("none", "recurring"):
        flags.append("unresolved_deadline")
    if due and notice_date and due < notice_date:
        flags.append("deadline_before_notice")
    if float(task.get("confidence", 1.0)) < 0.5 and not by_person:
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
    # One sweep over the cuts: a span joins the covering set at its start and leaves at its
    # end, so the page costs the spans plus the segments, not their product.
    starts: dict[int, list[tuple[str, str]]] = defaultdict(list)
    ends: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for a, b, k, i in spans:
        if a < b:
            starts[a].append((k, i))
            ends[b].append((k, i))
    covering: Counter[tuple[str, str]] = Counter()  # (kind, task id) -> spans open here
    out = []
    for a, b in itertools.pairwise(cuts):
        for key in ends.get(a, ()):
            covering[key] -= 1
            if not covering[key]:
                del covering[key]
        covering.update(starts.get(a, ()))
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
@dataclass(frozen=True)
class Applied:
    """What `apply_csv` did: tasks corrected, tasks added, review pages written again."""

    changed: int
    added: int
    pages: tuple[Path, ...]


def export_csv(data: dict[str, Any]) -> str:
    """The tasks as CSV (UTF-8 with BOM, so Excel shows Vietnamese), one row per task. A row
    with an empty id, added by the reviewer, becomes a new task."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for t in data.get("tasks", []):
        d = t.get("deadline") or {}
        row = {
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
        writer.writerow({k: neutralize(v) for k, v in row.items()})  # no formula (safe_cells)
    return "\ufeff" + buf.getvalue()


def json_for_csv(csv_path: Path) -> Path:
    """The task JSON a task CSV corrects: X.json beside X.tasks.csv."""
    return csv_path.with_name(csv_path.name.removesuffix(".tasks.csv") + ".json")


def _read_csv(path: Path) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return [
        {k: restore((v or "").strip()) for k, v in row.items() if k is not None} for row in rows
    ]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(LIST_SEP.strip()) if v.strip()]


def apply_csv(csv_path: Path, json_path: Path | None = None) -> Applied:
    """Write a task CSV's corrections into its JSON, marked reviewed: each row with an id
    corrects that task, each row without one adds a task; the corrected tasks' flags are
    computed again, and the review pages beside the JSON and the CSV are written again.
    A CSV with any problem (see `validate_file`) changes nothing: ValueError lists them."""
    json_path = json_path or json_for_csv(csv_path)
    problems = _validate_csv(csv_path, json_path)
    if problems:
        raise ValueError("\n".join(problems))
    data = load_task_json(json_path)
    notice_date = _date((data.get("notice") or {}).get("date"))
    tasks: list[dict[str, Any]] = data["tasks"]
    by_id = {t["id"]: t for t in tasks}
    number = max((int(t["id"][1:]) for t in tasks), default=0)
    changed = added = 0
    for row in _read_csv(csv_path):
        if row["id"]:
            task = by_id[row["id"]]
            before = json.dumps(task, sort_keys=True)
            _correct(task, row)
            if json.dumps(task, sort_keys=True) == before:
                continue
            changed += 1
        else:
            number += 1
            task = _new_task(f"T{number}", row, data["text"])
            _correct(task, row)
            tasks.append(task)
            added += 1
        if "review.manual" not in task["rules"]:
            task["rules"] = [*task["rules"], "review.manual"]
        task["flags"] = needs_review(task, notice_date)
    data["reviewed"] = True
    write_json_atomic(json_path, data)
    pages = []
    for folder in dict.fromkeys((json_path.parent, csv_path.parent)):
        page = folder / f"{json_path.stem}.review.html"
        if page.exists():
            pages.append(write_review(json_path, page))
    return Applied(changed, added, tuple(pages))


def _new_task(task_id: str, row: dict[str, str], text: str) -> dict[str, Any]:
    """A task a reviewer added: its evidence is the passage of the notice they copied."""
    start = text.find(row["evidence"])
    end = start + len(row["evidence"])
    return {
        "id": task_id,
        "section": None,
        "units": [],
        "coordinators": [],
        "action": "",
        "deadline": None,
        "evidence": {"text": row["evidence"], "start": start, "end": end},
        "spans": {"units": [], "coordinators": [], "action": {"start": start, "end": end}},
        "units_from": "sentence",
        "rules": ["review.manual"],
        "confidence": 1.0,
        "flags": [],
    }


def _correct(task: dict[str, Any], row: dict[str, str]) -> None:
    """The row's values into the task; spans are kept only for values still there."""
    for field in ("units", "coordinators"):
        task[field] = _split(row[field])
        spans = task["spans"][field]
        task["spans"][field] = [s for s in spans if s["text"] in task[field]]
    task["action"] = row["action"]
    task["section"] = row["section"] or None
    text, recurring = row["deadline_text"], row["recurring"] or None
    due = parse_day(row["deadline_date"]).isoformat() if row["deadline_date"] else None
    if not (text or due or recurring):
        task["deadline"] = None
        return
    old = task.get("deadline") or {
        "start": task["evidence"]["start"],
        "end": task["evidence"]["start"],
        "kind": "exact_date",
        "rule": "review.manual",
    }
    shown = (old.get("date"), old.get("text"), old.get("recurring"))
    if shown == (due, text or due or recurring, recurring):
        return  # untouched: keep what extraction found
    task["deadline"] = {
        **old,
        "date": due,
        "text": text or due or recurring,
        "recurring": recurring,
        "kind": "recurring" if recurring else old["kind"],
    }


def validate_file(path: Path, json_path: Path | None = None) -> list[str]:
    """Problems of a task JSON or task CSV, each a sentence naming the place; [] when fine.
    A task CSV is checked against its task JSON (`json_path`, default X.json beside it)."""
    if path.suffix.lower() == ".csv":
        return _validate_csv(path, json_path or json_for_csv(path))
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
        due = _date(d["date"]) if d else None
        if d and d["date"] and due is None:
            problems.append(
                f"{where}: deadline date {d['date']!r} is not a real date (YYYY-MM-DD)."
            )
        if due and notice_date and due < notice_date:
            problems.append(
                f"{where}: deadline {due} is before the notice date {notice_date}; check it."
            )
        ev = t["evidence"]
        if text[ev["start"] : ev["end"]] != ev["text"]:
            problems.append(f"{where}: evidence offsets do not point at its text.")
    return problems


def _validate_csv(path: Path, json_path: Path) -> list[str]:
    try:
        rows = _read_csv(path)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return [f"{path}: cannot be read as CSV ({exc})."]
    if not rows:
        return [f"{path}: holds no task rows."]
    missing = [c for c in CSV_COLUMNS if c not in rows[0]]
    if missing:
        return [f"{path}: missing columns {', '.join(missing)}."]
    if not json_path.is_file():
        return [f"{path}: its task JSON {json_path} does not exist; name it with --json."]
    try:
        data = load_task_json(json_path)
        text, known = data["text"], {t["id"] for t in data["tasks"]}
        added = {(t["evidence"]["text"], t["action"]): t["id"] for t in data["tasks"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{path}: its task JSON {json_path} cannot be read ({exc}); name it with --json."]
    notice_date = _date((data.get("notice") or {}).get("date"))
    problems = []
    lines: dict[str, int] = {}
    for n, row in enumerate(rows, start=2):
        task_id = row["id"]
        where = f"{path}: line {n} ({f'task {task_id}' if task_id else 'new task'})"
        if task_id in lines:
            problems.append(
                f"{where}: the id is also on line {lines[task_id]}; keep one row per task "
                "(a row with an empty id adds a task)."
            )
        elif task_id and task_id not in known:
            problems.append(
                f"{where}: {json_path.name} has no task {task_id}; "
                "leave the id empty to add a task."
            )
        if task_id:
            lines.setdefault(task_id, n)
        elif not row["evidence"] or row["evidence"] not in text:
            problems.append(
                f"{where}: its evidence is not a passage of the notice; copy the sentence "
                "that assigns the task from the notice into the evidence column."
            )
        elif (row["evidence"], row["action"]) in added:  # this CSV applied before
            problems.append(
                f"{where}: {json_path.name} has this task already, as "
                f"{added[row['evidence'], row['action']]}; write that id on the row."
            )
        if not _split(row["units"]):
            problems.append(f"{where}: no unit; add the unit that must do it.")
        if not row["action"]:
            problems.append(f"{where}: the action is empty.")
        if row["deadline_date"]:
            try:
                due = parse_day(row["deadline_date"])
            except ValueError as exc:
                problems.append(f"{where}: deadline date {exc}")
                continue
            if notice_date and due < notice_date:
                problems.append(
                    f"{where}: deadline {row['deadline_date']} is before the notice date "
                    f"{notice_date:%d/%m/%Y}; check it."
                )
    return problems
