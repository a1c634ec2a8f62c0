"""Assignment sheets (one per unit, across notices), from task JSON; the rows and renderers
the tracker (`tracker`) shares.

Formats: print-ready HTML (A4, Times New Roman, the header block, signature block and "Nơi
nhận" of an administrative document as in Decree 30/2020), PDF (the same HTML through
WeasyPrint), Markdown, CSV (UTF-8 with BOM for Excel), XLSX and DOCX (`sheet_files`). Who
issues them comes from the office profile (`office`).

Units are grouped by their canonical name (`alias` rules of rules/units.yaml), then merged
regardless of case and of the issuer's area word (`sheet_units`); collective addressees share
one sheet. A notice read from several files (same number, date and issuer) counts once. A task
JSON that cannot be used is named in `Collection.errors`; the others are still written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from .collation import vi_key
from .office import OfficeProfile, decree_date, dmy, load_profile
from .outdir import mark_output_folder
from .rules import RuleSet
from .safe_cells import clean_text, md_text, neutralize
from .sheet_units import COLLECTIVE_SHEET, UnitGroups, vocabulary
from .status import RECURRING_NAMES
from .units import canonical_unit, slug

__all__ = [
    "FORMATS",
    "Collection",
    "SheetOptions",
    "TaskRow",
    "collect",
    "gather",
    "options",
    "report",
    "write_sheets",
]

FORMATS = ("html", "md", "csv", "xlsx", "docx", "pdf")
SHEET_TITLE = "PHIẾU GIAO NHIỆM VỤ"
NO_UNIT = "(chưa rõ đơn vị)"
CELL_SEP = " | "  # how ingest joins the cells of a table row


@dataclass(frozen=True)
class SheetOptions:
    """Who issues the sheets: the office profile, and the command line's overrides."""

    office: str = ""
    place: str = ""
    date: date | None = None  # the sheet's date line; blank for hand-filling when None
    profile: OfficeProfile = field(default_factory=OfficeProfile)

    @property
    def effective(self) -> OfficeProfile:
        return self.profile.merged(office=self.office, place=self.place)


@dataclass
class TaskRow:
    notice_number: str | None
    notice_date: str | None  # ISO
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
    issuer: str | None = None
    source_cells: list[tuple[str, str]] = field(default_factory=list)  # a table row's columns
    next_due: date | None = None  # of a recurring task, on the tracker's day
    done_date: date | None = None  # known to the register only

    @property
    def due_label(self) -> str:
        if self.due:
            return dmy(self.due)
        if self.recurring:
            return self.deadline_text or RECURRING_NAMES.get(self.recurring, self.recurring)
        return "—"

    @property
    def notice_date_label(self) -> str:
        return dmy(self.notice_date)

    @property
    def source_label(self) -> str:
        """The source sentence, or a table row as "column: value" pairs."""
        if self.source_cells:
            return "; ".join(f"{k}: {v}" if k else v for k, v in self.source_cells)
        return self.evidence

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        group = 0 if self.due else (1 if self.recurring else 2)
        return (
            group,
            self.due.isoformat() if self.due else "",
            self.notice_date or "",
            f"{self.notice_file}:{self.task_id:>6}",
        )


@dataclass
class Collection:
    """What `gather` read: the rows, and what a person should hear about."""

    rows: list[TaskRow]
    spellings: dict[str, set[str]]  # shown name -> the names as the notices wrote them
    merged: dict[str, list[str]]  # shown name -> other spellings merged into it
    duplicates: list[tuple[str, str]]  # (file not counted, file counted): one notice
    errors: list[tuple[str, str]]  # (file, why it was left out)


# ------------------------------------------------------------------ reading
def _table_cells(text: str, start: int, evidence: str) -> list[tuple[str, str]]:
    """A table row's cells, each with its column's heading: the nearest earlier row of as
    many cells whose first cell is not a number (the row "STT | Nhiệm vụ | …")."""
    cells = [c.strip() for c in evidence.split("|")]
    header = [""] * len(cells)
    for line in reversed(text[:start].splitlines()):
        heads = [c.strip() for c in line.split("|")]
        if len(heads) == len(cells) and not heads[0].rstrip(".").isdigit():
            header = heads
            break
    return [(clean_text(h), clean_text(c)) for h, c in zip(header, cells, strict=True) if c]


def _notice_rows(path: Path, data: dict[str, Any]) -> tuple[list[TaskRow], dict[str, Any]]:
    notice = data["notice"]
    rows = []
    for t in data["tasks"]:
        d = t.get("deadline") or {}
        due = None
        if isinstance(d.get("date"), str):
            try:
                due = date.fromisoformat(d["date"])
            except ValueError:
                due = None
        evidence = t["evidence"]
        uid = hashlib.sha256(f"{data['source']['sha256']}/{t['id']}".encode()).hexdigest()
        cells = []
        if CELL_SEP in evidence["text"]:
            cells = _table_cells(data.get("text") or "", int(evidence["start"]), evidence["text"])
        rows.append(
            TaskRow(
                notice_number=clean_text(notice.get("number") or "") or None,
                notice_date=_text_or_none(notice.get("date")),
                notice_file=path.name,
                task_id=str(t["id"]),
                section=_text_or_none(t.get("section")),
                units=[clean_text(u) for u in t["units"]],
                coordinators=[clean_text(c) for c in t["coordinators"]],
                action=clean_text(t["action"]),
                due=due,
                recurring=_text_or_none(d.get("recurring")),
                deadline_text=clean_text(d.get("text") or ""),
                evidence=clean_text(evidence["text"]),
                uid=uid[:24],
                issuer=clean_text(notice.get("issuer") or "") or None,
                source_cells=cells,
            )
        )
    return rows, notice


def _text_or_none(value: Any) -> str | None:
    """A field of an edited JSON that should be text: cleaned, or None if it is not text."""
    return clean_text(value) or None if isinstance(value, str) else None


def _words(value: Any) -> str:
    return " ".join(str(value or "").casefold().split())


def _same_issuer(a: str, b: str) -> bool:
    """One issuer, read from two files: equal but for case and spacing, or one a prefix of the
    other (an OCR'd header that ran on: "… huyện Châu Thành về"), or one not read at all."""
    return not a or not b or a.startswith(b) or b.startswith(a)


def gather(out_dir: Path, rules: RuleSet) -> Collection:
    """Every task of every task JSON in `out_dir`, units canonical and merged, one notice
    counted once; files that are not usable task JSON are named in `errors`."""
    errors: list[tuple[str, str]] = []
    notices: list[tuple[tuple[str, str] | None, str, list[tuple[Path, list[TaskRow]]]]] = []
    for path in sorted(out_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            errors.append((path.name, f"cannot be read as JSON ({exc})"))
            continue
        if not isinstance(data, dict) or "tasks" not in data or "notice" not in data:
            continue  # not a task JSON
        try:
            rows, notice = _notice_rows(path, data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            errors.append((path.name, f"is not a valid task JSON ({type(exc).__name__}: {exc})"))
            continue
        key = (_words(notice["number"]), str(notice.get("date"))) if notice.get("number") else None
        issuer = _words(notice.get("issuer"))
        same = (c for k, i, c in notices if key and k == key and _same_issuer(i, issuer))
        copies = next(same, None)
        if copies is None:
            notices.append((key, issuer, copies := []))
        copies.append((path, rows))
    duplicates: list[tuple[str, str]] = []
    rows = []
    for _, _, copies in notices:
        kept = max(copies, key=lambda c: len(c[1]))  # the first of the fullest readings
        duplicates += [(p.name, kept[0].name) for p, _ in copies if p != kept[0]]
        rows += kept[1]
    collection = _canonical(rows, rules)
    collection.duplicates, collection.errors = sorted(duplicates), errors
    return collection


def _canonical(rows: list[TaskRow], rules: RuleSet) -> Collection:
    """Rows with each unit by its shown name: the alias rules, then `UnitGroups`; collective
    addressees keep their own words."""
    vocab = vocabulary()
    alias = {n: canonical_unit(n, rules)[0] for r in rows for n in (*r.units, *r.coordinators)}
    groups = UnitGroups()
    areas = [vocab.issuer_area(r.issuer) for r in rows]
    for r, area in zip(rows, areas, strict=True):
        for n in (*r.units, *r.coordinators):
            if not vocab.is_collective(alias[n]):
                groups.add(alias[n], area)
    keys: dict[tuple[str, str | None], str] = {}  # (name as written, area) -> group key
    for r, area in zip(rows, areas, strict=True):
        for n in (*r.units, *r.coordinators):
            collective = vocab.is_collective(alias[n])
            keys[n, area] = "\0" + alias[n] if collective else groups.key(alias[n], area)
    shown = groups.groups({groups.spelling(alias[n], a): k for (n, a), k in keys.items()})

    def show(name: str, area: str | None) -> str:
        k = keys[name, area]
        return k[1:] if k.startswith("\0") else shown[k]

    out = [
        replace(
            r,
            units=list(dict.fromkeys(show(u, a) for u in r.units)),
            coordinators=list(dict.fromkeys(show(c, a) for c in r.coordinators)),
        )
        for r, a in zip(rows, areas, strict=True)
    ]
    out.sort(key=lambda r: r.sort_key)
    spellings: dict[str, set[str]] = defaultdict(set)
    merged: dict[str, set[str]] = defaultdict(set)
    for (name, area), k in keys.items():
        spellings[show(name, area)].add(name)
        if not k.startswith("\0"):
            merged[shown[k]].add(groups.spelling(alias[name], area))
    merges = {s: sorted(others - {s}, key=vi_key) for s, others in merged.items() if others - {s}}
    return Collection(out, dict(spellings), merges, [], [])


def collect(out_dir: Path, rules: RuleSet) -> tuple[list[TaskRow], dict[str, set[str]]]:
    """`gather`'s rows and spellings (the names with no alias rule are their own name)."""
    found = gather(out_dir, rules)
    return found.rows, found.spellings


def report(found: Collection) -> tuple[list[str], list[str]]:
    """What a person should hear about `gather`'s reading: (errors, notes), one sentence each."""
    errors = [f"error: {name}: {why}; its tasks are left out." for name, why in found.errors]
    notes = [
        f"{dropped} repeats the notice of {kept} (same number, date and issuer): counted once."
        for dropped, kept in found.duplicates
    ]
    notes += [
        f"one unit, one sheet: {shown} (also written {'; '.join(others)})"
        for shown, others in sorted(found.merged.items(), key=lambda kv: vi_key(kv[0]))
    ]
    return errors, notes


def options(
    profile: Path | None,
    *,
    office: str = "",
    place: str = "",
    when: date | None = None,
    superior: str = "",
    signer_title: str = "",
    signer_name: str = "",
) -> SheetOptions:
    """Sheet options from an office profile file, the command line's values winning."""
    loaded = load_profile(profile).merged(
        superior=superior, signer_title=signer_title, signer_name=signer_name
    )
    return SheetOptions(office=office, place=place, date=when, profile=loaded)


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


def _csv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([neutralize(_text(c)) for c in r] for r in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _text(value: Any) -> str:
    if isinstance(value, date):
        return dmy(value)
    return "" if value is None else str(value)


def _day(iso: str | None) -> date | str:
    """A notice's ISO date as a date (typed in XLSX); as written if it is not one."""
    try:
        return date.fromisoformat(iso or "")
    except ValueError:
        return iso or ""


def _md_table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(md_text(_text(c)) for c in r) + " |" for r in rows]
    return out


def _md_head(title: str, subtitle: str, profile: OfficeProfile, when: date | None) -> list[str]:
    lines = [md_text(x) for x in (profile.superior.upper(), profile.office.upper()) if x]
    lines += [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        md_text(f"{profile.place or '........'}, {decree_date(when)}"),
    ]
    out = ["  \n".join(lines), "", f"# {md_text(title)}", ""]
    return out + ([f"**{md_text(subtitle)}**", ""] if subtitle else [])


SHEET_HEADER = [
    "TT",
    "Văn bản",
    "Ngày văn bản",
    "Mục",
    "Nội dung nhiệm vụ",
    "Cùng thực hiện",
    "Thời hạn",
    "Trích văn bản",
]
COLLECTIVE_HEADER = [*SHEET_HEADER[:5], "Đơn vị (như văn bản)", *SHEET_HEADER[6:]]


def _sheet_rows(rows: list[TaskRow]) -> list[list[Any]]:
    """Table rows; dates stay `date` (typed in XLSX, dd/mm/yyyy elsewhere)."""
    return [
        [
            i,
            r.notice_number or "",
            _day(r.notice_date),
            r.section or "",
            r.action,
            r.others,
            r.due or r.due_label,
            r.source_label,
        ]
        for i, r in enumerate(rows, 1)
    ]


@dataclass(frozen=True)
class Document:
    """What every format of one sheet or tracker shows."""

    title: str
    subtitle: str
    profile: OfficeProfile
    date: date | None
    parts: list[tuple[str, list[str], list[list[Any]]]]  # (title, header, rows)
    recipients: list[str]
    landscape: bool = False  # the tracker's wide table
    counted: bool = True  # part titles say how many rows (a unit's sheet)


def _recipients(profile: OfficeProfile, first: list[str]) -> list[str]:
    names = [*first, *profile.recipients]
    return [f"{n};" for n in names[:-1]] + ([f"{names[-1]}."] if names else [])


def write_sheets(
    rows: list[TaskRow], out_dir: Path, formats: Iterable[str], opts: SheetOptions
) -> dict[str, list[Path]]:
    """One sheet per unit (collective addressees together): the tasks it leads and those it
    supports. Returns {unit: paths written}."""
    from .sheet_files import check_format

    formats = list(formats)
    for fmt in formats:
        check_format(fmt)
    out_dir.mkdir(parents=True, exist_ok=True)
    mark_output_folder(out_dir)
    vocab = vocabulary()
    lead: dict[str, list[TaskRow]] = defaultdict(list)
    support: dict[str, list[TaskRow]] = defaultdict(list)
    for r in rows:
        for names, table in ((r.units, lead), (r.coordinators, support)):
            for u in dict.fromkeys(
                COLLECTIVE_SHEET if vocab.is_collective(n) else n for n in names
            ):
                table[u].append(r)
    written: dict[str, list[Path]] = {}
    env = _env()
    used: dict[str, str] = {}
    for unit in sorted(set(lead) | set(support), key=vi_key):
        stem = slug(unit)
        if stem in used and used[stem] != unit:  # two names, one slug: keep both apart
            stem = f"{stem}-{hashlib.sha256(unit.encode()).hexdigest()[:6]}"
        used[stem] = unit
        collective = unit == COLLECTIVE_SHEET
        header = COLLECTIVE_HEADER if collective else SHEET_HEADER

        def shaped(part: list[TaskRow], unit: str = unit, collective: bool = collective) -> Any:
            return _sheet_rows([_with_others(r, unit, collective) for r in part])

        doc = Document(
            title=SHEET_TITLE,
            subtitle=f"Đơn vị: {unit}",
            profile=opts.effective,
            date=opts.date,
            parts=[
                ("Nhiệm vụ chủ trì", header, shaped(lead.get(unit, []))),
                ("Nhiệm vụ phối hợp", header, shaped(support.get(unit, []))),
            ],
            recipients=_recipients(opts.effective, [unit]),
        )
        paths = []
        for fmt in formats:
            path = out_dir / f"{stem}.{fmt}"
            _atomic_write(path, _render(fmt, doc, env, "sheet.html.j2"))
            paths.append(path)
        written[unit] = paths
    return written


def _render(fmt: str, doc: Document, env: Any, template: str) -> bytes:
    from . import sheet_files

    if fmt in ("html", "pdf"):
        parts = [(title, *sheet_files.printed(h, rows)) for title, h, rows in doc.parts]
        html: str = env.get_template(template).render(
            doc=doc, parts=parts, date_line=decree_date(doc.date), number=sheet_files.number(doc)
        )
        return html.encode("utf-8") if fmt == "html" else sheet_files.pdf(html)
    if fmt == "md":
        lines = _md_head(doc.title, doc.subtitle, doc.profile, doc.date)
        for title, header, body in doc.parts:
            count = f" ({len(body)})" if doc.counted else ""
            lines += [f"## {md_text(title)}{count}", "", *_md_table(header, body), ""]
        return "\n".join(lines).encode("utf-8")
    if fmt == "csv":  # one table: a unit's with a "Vai trò" column, the tracker's tasks
        _, header, body = sheet_files.tables(doc)[-1]
        return _csv_bytes(header, body)
    if fmt == "xlsx":
        return sheet_files.xlsx(doc)
    return sheet_files.docx(doc)


def _with_others(row: TaskRow, unit: str, collective: bool) -> TaskRow:
    vocab = vocabulary()
    names = [*row.units, *row.coordinators]
    if collective:  # the words each notice used first, then the units named with them
        others = sorted(names, key=lambda u: not vocab.is_collective(u))
    else:
        others = [u for u in names if u != unit]
    return replace(row, others="; ".join(dict.fromkeys(others)))
