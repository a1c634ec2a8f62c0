"""Segment: canonical text -> blocks (lines, items, cells), numbered sections and sentences.

- `text`: same-length transforms first (Markdown emphasis blanked, hard wraps unwrapped);
- `blocks`: lines, list items and cells, with their markers; sentences inside them;
- `tables`: task tables, one row per task;
- `layout`: sections and their nesting, the directive region, the body's end, the "Kính gửi"
  list, all gathered in one `Layout`.
"""

from __future__ import annotations

from .blocks import split_sentences
from .fields import FieldBlock
from .layout import Layout, segment
from .tables import TableRow
from .text import blank_markup, unwrap

__all__ = [
    "FieldBlock",
    "Layout",
    "TableRow",
    "blank_markup",
    "segment",
    "split_sentences",
    "unwrap",
]
