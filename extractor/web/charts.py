"""The dashboard's figures as inline SVG (no script, no library): per unit, tasks by status as
stacked bars; per month of the deadline, the share of the tasks due that month done on time."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from markupsafe import Markup, escape

from ..collation import vi_key
from ..status import STATUS_NAMES

__all__ = ["COLORS", "month_bars", "monthly_on_time", "per_unit", "status_bars"]

COLORS = {
    "done_on_time": "#2e7d32",
    "done_late": "#9e9d24",
    "overdue": "#c62828",
    "due_soon": "#ef6c00",
    "open": "#1565c0",
    "recurring": "#6a1b9a",
    "no_deadline": "#757575",
}


def per_unit(rows: list[dict[str, Any]]) -> list[tuple[str, Counter[str]]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        for unit in r["unit_names"] or ["(chưa rõ đơn vị)"]:
            counts[unit][r["status"]] += 1
    return sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), vi_key(kv[0])))


def status_bars(
    units: list[tuple[str, Counter[str]]],
    collective: frozenset[str] = frozenset(),
    width: int = 560,
) -> Markup:
    """One row per unit: its name (collective addressees marked), a bar cut by status, the
    total."""
    label_w, row_h = 300, 22
    top = max((sum(c.values()) for _, c in units), default=1) or 1
    scale = (width - label_w - 40) / top
    parts = [
        f'<svg class="chart" role="img" aria-label="Nhiệm vụ theo đơn vị và tình trạng" '
        f'width="{width}" height="{row_h * len(units) + 4}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for n, (unit, counts) in enumerate(units):
        y = n * row_h + 2
        name = unit if len(unit) <= 44 else unit[:43] + "…"
        if unit in collective:
            name = "◇ " + (name if len(name) <= 42 else name[:41] + "…")
        parts.append(
            f'<text x="0" y="{y + 15}" font-size="12">{escape(name)}'
            f"<title>{escape(unit)}</title></text>"
        )
        x = float(label_w)
        for status in STATUS_NAMES:
            if counts.get(status):
                w = counts[status] * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 6}" '
                    f'fill="{COLORS[status]}"><title>{escape(STATUS_NAMES[status])}: '
                    f"{counts[status]}</title></rect>"
                )
                x += w
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 15}" font-size="12">{sum(counts.values())}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def monthly_on_time(rows: list[dict[str, Any]], as_of: str) -> list[tuple[str, int, int]]:
    """(YYYY-MM, done on time, due) for each month up to `as_of` with a task due."""
    due: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    for r in rows:
        day = r["extended_to"] or r["deadline"]
        if not day or day > as_of:
            continue
        due[day[:7]] += 1
        on_time[day[:7]] += r["status"] == "done_on_time"
    return [(m, on_time[m], due[m]) for m in sorted(due)][-12:]


def month_bars(months: list[tuple[str, int, int]], height: int = 140) -> Markup:
    bar_w = 44
    parts = [
        f'<svg class="chart" role="img" aria-label="Tỷ lệ hoàn thành đúng hạn theo tháng" '
        f'width="{max(1, len(months)) * bar_w + 10}" height="{height + 36}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for n, (month, good, total) in enumerate(months):
        share = good / total if total else 0.0
        h = share * height
        x = n * bar_w + 6
        parts.append(
            f'<rect x="{x}" y="{height - h + 14:.1f}" width="{bar_w - 10}" height="{h:.1f}" '
            f'fill="{COLORS["done_on_time"]}"><title>{month}: {good}/{total}</title></rect>'
            f'<text x="{x}" y="{height - h + 10:.1f}" font-size="11">{round(share * 100)}%</text>'
            f'<text x="{x}" y="{height + 30}" font-size="10">{month[5:]}/{month[2:4]}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
