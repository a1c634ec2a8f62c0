"""The task tracker: every task by deadline with its status on an explicit day (a recurring
task with its next due day), totals per status and per unit, in the sheets' formats and as an
.ics calendar. Rows come from task JSON (`sheets.gather`) or from the register, which also
knows when a task was done."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from .collation import vi_key
from .office import dmy
from .outdir import mark_output_folder
from .sheets import (
    NO_UNIT,
    Document,
    SheetOptions,
    TaskRow,
    _atomic_write,
    _day,
    _env,
    _recipients,
    _render,
)
from .status import DUE_SOON_DAYS, STATUS_NAMES, next_due, status_of

__all__ = ["TRACKER_TITLE", "write_tracker"]

TRACKER_TITLE = "THEO DÕI THỰC HIỆN NHIỆM VỤ"
DONE_STATUSES = ("done_on_time", "done_late")  # columns only where a row is done (register)
TRACKER_HEADER = [
    "TT",
    "Thời hạn",
    "Kỳ tới",
    "Tình trạng",
    "Đơn vị",
    "Phối hợp",
    "Nội dung",
    "Văn bản",
    "Ngày văn bản",
]


def write_tracker(
    rows: list[TaskRow],
    out_dir: Path,
    formats: Iterable[str],
    as_of: date,
    opts: SheetOptions | None = None,
    soon_days: int = DUE_SOON_DAYS,
) -> list[Path]:
    """Every task sorted by deadline, with its status on `as_of` ("sắp đến hạn" within
    `soon_days`; a recurring task with its next due day); totals per status and per unit; and
    tracker.ics."""
    from .sheet_files import check_format

    formats = list(formats)
    for fmt in formats:
        check_format(fmt)
    opts = opts or SheetOptions()
    out_dir.mkdir(parents=True, exist_ok=True)
    mark_output_folder(out_dir)
    tracked = [
        replace(
            r,
            status=status_of(
                due=r.due,
                recurring=r.recurring,
                done_date=r.done_date,
                as_of=as_of,
                soon_days=soon_days,
            ),
            next_due=None if r.done_date else next_due(r.recurring, r.deadline_text, as_of),
        )
        for r in rows
    ]
    per_unit: dict[str, Counter[str]] = defaultdict(Counter)
    for r in tracked:
        for u in r.units or [NO_UNIT]:
            per_unit[u][r.status] += 1
    totals = Counter(r.status for r in tracked)
    statuses = [s for s in STATUS_NAMES if s not in DONE_STATUSES]
    statuses += [s for s in DONE_STATUSES if totals[s]]  # done last, where there are any
    body = [
        [
            i,
            r.due or r.due_label,
            r.next_due or "",
            STATUS_NAMES[r.status],
            "; ".join(r.units),
            "; ".join(r.coordinators),
            r.action,
            r.notice_number or "",
            _day(r.notice_date),
        ]
        for i, r in enumerate(tracked, 1)
    ]
    counts = [
        [u, *[c.get(s, 0) for s in statuses], sum(c.values())]
        for u, c in sorted(per_unit.items(), key=lambda kv: vi_key(kv[0]))
    ]
    counts.append(["Tổng cộng", *[totals.get(s, 0) for s in statuses], len(tracked)])
    count_header = ["Đơn vị", *[STATUS_NAMES[s] for s in statuses], "Tổng"]
    doc = Document(
        title=TRACKER_TITLE,
        subtitle=f"Tình trạng đến ngày {dmy(as_of)}",
        profile=opts.effective,
        date=opts.date,
        parts=[("Tổng hợp", count_header, counts), ("Nhiệm vụ", TRACKER_HEADER, body)],
        recipients=_recipients(opts.effective, []),
        landscape=True,
        counted=False,
    )
    env = _env()
    paths = []
    for fmt in formats:
        path = out_dir / f"tracker.{fmt}"
        _atomic_write(path, _render(fmt, doc, env, "tracker.html.j2"))
        paths.append(path)
    ics = out_dir / "tracker.ics"
    _atomic_write(ics, _ics([r for r in tracked if not r.done_date]).encode("utf-8"))
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
        summary = f"{'; '.join(r.units) or 'Chưa rõ đơn vị'}: {r.action}"
        desc = f"Văn bản {r.notice_number or '?'} ngày {r.notice_date_label or '?'}. {r.evidence}"
        # an all-day event ends the next day; on 31/12/9999 there is none: DTSTART alone
        # is a one-day event (RFC 5545, 3.6.1)
        end = (
            [f"DTEND;VALUE=DATE:{(r.due + timedelta(days=1)).strftime('%Y%m%d')}"]
            if r.due < date.max
            else []
        )
        for line in (
            "BEGIN:VEVENT",
            f"UID:{r.uid}@extractor",
            "DTSTAMP:19700101T000000Z",
            f"DTSTART;VALUE=DATE:{r.due.strftime('%Y%m%d')}",
            *end,
            f"SUMMARY:{_ics_text(summary)}",
            f"DESCRIPTION:{_ics_text(desc)}",
            "END:VEVENT",
        ):
            lines.extend(_fold(line))
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
