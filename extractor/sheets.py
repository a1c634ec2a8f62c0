"""Assignment sheets (one per unit, across notices) and the task tracker, from task JSON only.

Formats: print-ready HTML (A4, Times New Roman, the header block of an administrative document
as in Decree 30/2020), Markdown, CSV (UTF-8 with BOM for Excel), XLSX (openpyxl) and DOCX
(python-docx); the tracker also as an .ics calendar. Units are grouped by their canonical name
(`alias` rules of rules/units.yaml); unknown units keep their text and are reported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .rules import RuleSet
from .units import canonical_unit, slug

__all__ = [
    "FORMATS",
    "STATUS_NAMES",
    "SheetOptions",
    "TaskRow",
    "collect",
    "status_of",
    "write_sheets",
    "write_tracker",
]

FORMATS = ("html", "md", "csv", "xlsx", "docx")
SHEET_TITLE = "PHIẾU GIAO NHIỆM VỤ"
STATUS_NAMES = {
    "overdue": "quá hạn",
    "due_soon": "sắp đến hạn",
    "open": "còn hạn",
    "recurring": "định kỳ",
    "no_deadline": "không thời hạn",
}
RECURRING_NAMES = {
    "daily": "hằng ngày",
    "weekly": "hằng tuần",
    "monthly": "hằng tháng",
    "quarterly": "hằng quý",
    "half-yearly": "6 tháng một lần",
    "yearly": "hằng năm",
}
DUE_SOON_DAYS = 7
Part = tuple[str, list[str], list[list[Any]]]  # a table: its title, header and rows


@dataclass(frozen=True)
class SheetOptions:
    office: str = ""
    place: str = ""
    date: date | None = None  # the sheet's date line; blank for hand-filling when None


@dataclass
class TaskRow:
    notice_number: str | None
    notice_date: str | None
    notice_file: str
    task_id: str
    section: str | None
    units: list[str]
    coordinators: list[str]
    action: str
    due: date | None
    recurring: str | None
    deadline_text: str
    evidence: str
    uid: str
    others: str = ""
    status: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def due_label(self) -> str:
        if self.due:
            return self.due.isoformat()
        if self.recurring:
            return RECURRING_NAMES.get(self.recurring, self.recurring)
        return "—"

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        group = 0 if self.due else (1 if self.recurring else 2)
        return (
            group,
            self.due.isoformat() if self.due else "",
            self.notice_date or "",
            f"{self.notice_file}:{self.task_id:>6}",
        )


def collect(out_dir: Path, rules: RuleSet) -> tuple[list[TaskRow], dict[str, set[str]]]:
    """Every task of every task JSON in `out_dir`, units canonicalised; and, per canonical name,
    the spellings seen (the names with no alias rule are their own canonical name)."""
    rows: list[TaskRow] = []
    spellings: dict[str, set[str]] = defaultdict(set)
    cache: dict[str, str] = {}

    def canon(name: str) -> str:
        if name not in cache:
            cache[name] = canonical_unit(name, rules)[0]
        spellings[cache[name]].add(name)
        return cache[name]

    for path in sorted(out_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or "tasks" not in data or "notice" not in data:
            continue
        notice = data["notice"]
        for t in data["tasks"]:
            d = t.get("deadline") or {}
            due = None
            if d.get("date"):
                try:
                    due = date.fromisoformat(d["date"])
                except ValueError:
                    due = None
            uid = hashlib.sha256(f"{data['source']['sha256']}/{t['id']}".encode()).hexdigest()
            rows.append(
                TaskRow(
                    notice_number=notice.get("number"),
                    notice_date=notice.get("date"),
                    notice_file=path.name,
                    task_id=t["id"],
                    section=t.get("section"),
                    units=[canon(u) for u in t["units"]],
                    coordinators=[canon(c) for c in t["coordinators"]],
                    action=t["action"],
                    due=due,
                    recurring=d.get("recurring"),
                    deadline_text=d.get("text") or "",
                    evidence=t["evidence"]["text"],
                    uid=uid[:24],
                )
            )
    # one notice read from several files (its PDF and its Word file) counts once
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for r in sorted(rows, key=lambda r: r.notice_file):
        key = (
            r.notice_number or r.notice_file,
            r.notice_date,
            r.action,
            tuple(r.units),
            r.due,
            r.recurring,
        )
        if key not in seen:
            seen.add(key)
            unique.append(r)
    unique.sort(key=lambda r: r.sort_key)
    return unique, spellings


def status_of(row: TaskRow, as_of: date) -> str:
    if row.due is None:
        return "recurring" if row.recurring else "no_deadline"
    if row.due < as_of:
        return "overdue"
    if row.due <= as_of + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "open"


# ------------------------------------------------------------------ writers
def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _env() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("extractor", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def _date_line(d: date | None) -> str:
    if d is None:
        return "ngày ..... tháng ..... năm ......."
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _md_cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows]
    return out


SHEET_HEADER = [
    "TT",
    "Văn bản",
    "Ngày văn bản",
    "Mục",
    "Nội dung nhiệm vụ",
    "Cùng thực hiện",
    "Thời hạn",
    "Câu trong văn bản",
]


def _sheet_rows(rows: list[TaskRow]) -> list[list[Any]]:
    return [
        [
            i,
            r.notice_number or "",
            r.notice_date or "",
            r.section or "",
            r.action,
            r.others,
            r.due_label,
            r.evidence,
        ]
        for i, r in enumerate(rows, 1)
    ]


def _xlsx(
    title: str,
    subtitle: str,
    parts: list[Part],
    opts: SheetOptions,
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiem vu"
    bold = Font(name="Times New Roman", bold=True, size=13)
    normal = Font(name="Times New Roman", size=12)
    ws.append([opts.office.upper(), "", "", "", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append(["", "", "", "", "Độc lập - Tự do - Hạnh phúc"])
    ws.append(["", "", "", "", f"{opts.place or '........'}, {_date_line(opts.date)}"])
    ws.append([title])
    ws.append([subtitle])
    for row in ws.iter_rows(min_row=1, max_row=5):
        for cell in row:
            cell.font = bold
    for part_title, header, rows in parts:
        ws.append([])
        ws.append([part_title])
        ws.cell(ws.max_row, 1).font = bold
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font = bold
        for r in rows:
            ws.append(r)
            for cell in ws[ws.max_row]:
                cell.font = normal
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [5, 16, 12, 8, 60, 30, 14, 60]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _docx(
    title: str,
    subtitle: str,
    parts: list[Part],
    opts: SheetOptions,
) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.orientation = WD_ORIENT.LANDSCAPE
    head = doc.add_table(rows=1, cols=2)
    left, right = head.rows[0].cells
    left.text = f"{opts.office.upper()}\nSố: ......./PGNV"
    right.text = (
        f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
        f"{opts.place or '........'}, {_date_line(opts.date)}"
    )
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, size in ((title, 14), (subtitle, 13)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = True
        run.font.size = Pt(size)
    for part_title, header, rows in parts:
        doc.add_paragraph().add_run(part_title).bold = True
        table = doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, h in zip(table.rows[0].cells, header, strict=True):
            cell.text = h
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for r in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, r, strict=True):
                cell.text = str(value)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_sheets(
    rows: list[TaskRow], out_dir: Path, formats: Iterable[str], opts: SheetOptions
) -> dict[str, list[Path]]:
    """One sheet per canonical unit: the tasks it leads and those it supports."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lead: dict[str, list[TaskRow]] = defaultdict(list)
    support: dict[str, list[TaskRow]] = defaultdict(list)
    for r in rows:
        for u in r.units:
            lead[u].append(r)
        for c in r.coordinators:
            support[c].append(r)
    written: dict[str, list[Path]] = {}
    env = _env()
    used: dict[str, str] = {}
    for unit in sorted(set(lead) | set(support)):
        stem = slug(unit)
        if stem in used and used[stem] != unit:  # two names, one slug: keep both apart
            stem = f"{stem}-{hashlib.sha256(unit.encode()).hexdigest()[:6]}"
        used[stem] = unit
        led = [_with_others(r, unit) for r in lead.get(unit, [])]
        helped = [_with_others(r, unit) for r in support.get(unit, [])]
        paths = []
        for fmt in formats:
            path = out_dir / f"{stem}.{fmt}"
            _atomic_write(path, _sheet(fmt, unit, led, helped, opts, env))
            paths.append(path)
        written[unit] = paths
    return written


def _sheet(
    fmt: str, unit: str, led: list[TaskRow], helped: list[TaskRow], opts: SheetOptions, env: Any
) -> bytes:
    """One unit's sheet in one format."""
    parts = [
        ("Nhiệm vụ chủ trì", SHEET_HEADER, _sheet_rows(led)),
        ("Nhiệm vụ phối hợp", SHEET_HEADER, _sheet_rows(helped)),
    ]
    subtitle = f"Đơn vị: {unit}"
    if fmt == "html":
        html: str = env.get_template("sheet.html.j2").render(
            title=SHEET_TITLE,
            unit=unit,
            office=opts.office,
            place=opts.place,
            date_line=_date_line(opts.date),
            parts=[
                {"title": "Nhiệm vụ chủ trì", "rows": led},
                {"title": "Nhiệm vụ phối hợp", "rows": helped},
            ],
        )
        return html.encode("utf-8")
    if fmt == "md":
        lines = [f"# {SHEET_TITLE}", "", f"**{subtitle}**", ""]
        for title, header, body in parts:
            lines += [f"## {title} ({len(body)})", "", *_md_table(header, body), ""]
        return "\n".join(lines).encode("utf-8")
    if fmt == "csv":
        return _csv_bytes(
            ["Vai trò", *SHEET_HEADER],
            [["chủ trì", *r] for r in parts[0][2]] + [["phối hợp", *r] for r in parts[1][2]],
        )
    if fmt == "xlsx":
        return _xlsx(SHEET_TITLE, subtitle, parts, opts)
    return _docx(SHEET_TITLE, subtitle, parts, opts)


def _with_others(row: TaskRow, unit: str) -> TaskRow:
    others = [u for u in [*row.units, *row.coordinators] if u != unit]
    return TaskRow(**{**row.__dict__, "others": "; ".join(dict.fromkeys(others))})


def write_tracker(
    rows: list[TaskRow], out_dir: Path, formats: Iterable[str], as_of: date
) -> list[Path]:
    """Every task sorted by deadline, with its status on `as_of`; counts per unit and status."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tracked = [TaskRow(**{**r.__dict__, "status": status_of(r, as_of)}) for r in rows]
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for r in tracked:
        for u in r.units or ["(chưa rõ đơn vị)"]:
            per_unit[u][r.status] += 1
    statuses = list(STATUS_NAMES)
    header = [
        "TT",
        "Thời hạn",
        "Tình trạng",
        "Đơn vị",
        "Phối hợp",
        "Nội dung",
        "Văn bản",
        "Ngày văn bản",
    ]
    body = [
        [
            i,
            r.due_label,
            STATUS_NAMES[r.status],
            "; ".join(r.units),
            "; ".join(r.coordinators),
            r.action,
            r.notice_number or "",
            r.notice_date or "",
        ]
        for i, r in enumerate(tracked, 1)
    ]
    counts = [
        [u, *[c.get(s, 0) for s in statuses], sum(c.values())] for u, c in sorted(per_unit.items())
    ]
    count_header = ["Đơn vị", *[STATUS_NAMES[s] for s in statuses], "Tổng"]
    title = f"THEO DÕI THỰC HIỆN NHIỆM VỤ đến ngày {as_of.isoformat()}"
    opts = SheetOptions()
    makers: dict[str, Callable[[], bytes]] = {
        "html": lambda: (
            _env()
            .get_template("tracker.html.j2")
            .render(
                as_of=as_of.isoformat(),
                statuses=statuses,
                status_names=STATUS_NAMES,
                per_unit=sorted(per_unit.items()),
                rows=[
                    dict(r.__dict__, due_label=r.due_label, units="; ".join(r.units))
                    for r in tracked
                ],
            )
            .encode("utf-8")
        ),
        "md": lambda: "\n".join(
            [f"# {title}", "", *_md_table(count_header, counts), "", *_md_table(header, body), ""]
        ).encode("utf-8"),
        "csv": lambda: _csv_bytes(header, body),
        "xlsx": lambda: _xlsx(
            title, "", [("Tổng hợp", count_header, counts), ("Nhiệm vụ", header, body)], opts
        ),
        "docx": lambda: _docx(
            title, "", [("Tổng hợp", count_header, counts), ("Nhiệm vụ", header, body)], opts
        ),
    }
    paths = []
    for fmt in formats:
        path = out_dir / f"tracker.{fmt}"
        _atomic_write(path, makers[fmt]())
        paths.append(path)
    ics = out_dir / "tracker.ics"
    _atomic_write(ics, _ics(tracked).encode("utf-8"))
    return [*paths, ics]


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545: lines of at most 75 octets, continued with a leading space."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def _ics(rows: list[TaskRow]) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//extractor//task tracker//VI",
        "CALSCALE:GREGORIAN",
    ]
    for r in rows:
        if r.due is None:
            continue
        end = r.due + timedelta(days=1)
        summary = f"{'; '.join(r.units) or 'Chưa rõ đơn vị'}: {r.action}"
        desc = f"Văn bản {r.notice_number or '?'} ngày {r.notice_date or '?'}. {r.evidence}"
        for line in (
            "BEGIN:VEVENT",
            f"UID:{r.uid}@extractor",
            "DTSTAMP:19700101T000000Z",
            f"DTSTART;VALUE=DATE:{r.due.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{end.strftime('%Y%m%d')}",
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(desc)}",
            "END:VEVENT",
        ):
            lines.extend(_fold(line))
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
