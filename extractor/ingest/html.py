"""HTML: a portal page -> its visible text, one block (paragraph, item, cell) per line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["html_to_text"]

# Portal chrome: tags never holding notice text, and class/id words marking navigation etc.
DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "footer",
        "aside",
        "iframe",
        "button",
        "select",
        "option",
        "svg",
        "canvas",
        "video",
        "audio",
        "object",
        "embed",
        "head",
    }
)
CHROME = re.compile(
    r"(?:^|[\s_-])(?:breadcrumbs?|nav|navbar|menu|sidebar|share|social|sharing|comments?|"
    r"related|relate|tin-?khac|other-?news|footer|header-?top|pager|pagination|tags?|banner|"
    r"advert|ads|login|search|toolbar|print-?bar|rating|wm-ipp)(?:$|[\s_-])",
    re.IGNORECASE,
)
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "center",
    ]
)


def html_to_text(html: str) -> str:
    """Visible notice text of a portal page, one block (paragraph, item, cell) per line.

    The page is read in one pass on lxml's parser-target interface (no tree is built, so a
    page nested 10,000 levels deep is read in linear time): scripts, styles and portal chrome
    are skipped; block elements, list items, table cells and <br> end lines; each row of a
    data table becomes one line, its cells joined by " | "; a small two-column block whose
    cells hold several lines (issuer | national name, recipients | signature) is read column
    by column, as in Word; a table holding another table, or a cell holding a page of text,
    is layout and is read as the page shows it.
    """
    from lxml import etree

    target = _PageText()
    parser = etree.HTMLParser(target=target)
    parser.feed(html)
    text: str = parser.close()
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    links = [_only_links(line) for line in lines]
    kept = []
    for k, line in enumerate(lines):
        if links[k] or (_menu_heading(line) and links[k + 1 : k + 3] == [True, True]):
            continue  # a menu entry, or the heading of a menu's entries ("TỔNG QUAN")
        kept.append(line.replace(LINK, "").replace(END_LINK, "").strip())
    return "\n".join(line for line in kept if line)


LINK, END_LINK = "\ue000", "\ue001"  # private-use marks around the text of a link
LINKED = re.compile(f"{LINK}[^{END_LINK}]*(?:{END_LINK}|$)")
LETTER = re.compile(r"[^\W\d_]")


def _only_links(line: str) -> bool:
    """All the line's words are links: a menu entry, a "related news" title, a pager (the
    article's own text is never only links)."""
    return LINK in line and not LETTER.search(LINKED.sub("", line))


def _menu_heading(line: str) -> bool:
    return len(line) <= MENU_HEADING and LINK not in line and not re.search(r"[.:;,!?]", line)


MENU_HEADING = 40  # characters: a menu's group heading is short and no sentence


LONG_CELL = 1500  # characters: a cell holding more is a page of text, so its table is layout
SMALL_LAYOUT = 1500  # characters: a two-column block under this may be read column by column


@dataclass
class _Cell:
    visible: list[str] = field(default_factory=list)  # as the page shows it
    strings: list[str] = field(default_factory=list)  # its text nodes, tag-separated
    rowspan: int = 1
    colspan: int = 1


MAX_SPAN = 100  # rows or columns one cell may span (a larger attribute is a typo or an attack)


def _span(value: Any) -> int:
    try:
        return min(max(int(str(value).strip() or 1), 1), MAX_SPAN)
    except ValueError:
        return 1


@dataclass
class _Table:
    depth: int  # element depth of the <table>
    rendered: list[str] = field(default_factory=list)  # the whole table, as the page shows it
    rows: list[list[_Cell]] = field(default_factory=list)
    row_depth: int = -1  # depth of the open <tr>, -1 when none is open
    cell: _Cell | None = None
    cell_depth: int = -1
    nested: bool = False  # holds another table: layout


def _chrome(attrib: Any) -> bool:
    """Do the element's class, id or role name portal chrome (a menu, a footer, …)?"""
    marks = " ".join(filter(None, (attrib.get("class"), attrib.get("id"), attrib.get("role"))))
    return CHROME.search(marks) is not None


class _PageText:
    """lxml parser target collecting the visible text of a page (see `html_to_text`)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.depth = 0
        self.skipped_at = 0  # depth of the dropped element being skipped, 0 when none
        self.tables: list[_Table] = []
        self.joined = False  # no tag since the last text: the next text continues it
        self.links: list[int] = []  # depths of the open <a href> elements

    def _emit(self, s: str, *, string: bool = False) -> None:
        if not self.tables:
            self.out.append(s)
            return
        table = self.tables[-1]
        table.rendered.append(s)
        if table.cell is not None:
            table.cell.visible.append(s)
            if string:
                if self.joined and table.cell.strings:
                    table.cell.strings[-1] += s
                else:
                    table.cell.strings.append(s)
                self.joined = True

    def start(self, tag: str, attrib: Any) -> None:
        self.depth += 1
        self.joined = False
        if self.skipped_at:
            return
        if tag in DROP_TAGS or (attrib and _chrome(attrib) and tag not in ("body", "html")):
            self.skipped_at = self.depth
            return
        if tag == "br":
            self._emit("\n", string=True)
            self.joined = False
            return
        if tag == "a" and attrib.get("href"):
            self.links.append(self.depth)
            self._emit(LINK, string=True)
        if tag == "table":
            if self.tables:
                self.tables[-1].nested = True
            self.tables.append(_Table(self.depth))
        if tag in BLOCK_TAGS:
            self._emit("\n")
        if self.tables:
            table = self.tables[-1]
            if tag == "tr" and table.row_depth < 0:
                table.rows.append([])
                table.row_depth = self.depth
            elif tag in ("td", "th") and table.row_depth == self.depth - 1 and table.cell is None:
                table.cell = _Cell(
                    rowspan=_span(attrib.get("rowspan", 1)), colspan=_span(attrib.get("colspan", 1))
                )
                table.cell_depth = self.depth
                table.rows[-1].append(table.cell)

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        self.joined = False
        if self.skipped_at:
            if depth == self.skipped_at:
                self.skipped_at = 0
            return
        if tag == "br":
            return
        if self.links and self.links[-1] == depth:
            self.links.pop()
            self._emit(END_LINK, string=True)
        if tag in BLOCK_TAGS:
            self._emit("\n")
        if not self.tables:
            return
        table = self.tables[-1]
        if depth == table.cell_depth:
            table.cell, table.cell_depth = None, -1
        elif depth == table.row_depth:
            table.row_depth = -1
        elif depth == table.depth:
            self.tables.pop()
            self._emit(_table_text(table))

    def data(self, text: str) -> None:
        if not self.skipped_at:
            self._emit(text, string=True)

    def comment(self, text: str) -> None:
        self.joined = False  # a comment parts the texts around it, as a tag does

    def pi(self, target: str, data: str) -> None:
        self.joined = False

    def doctype(self, *args: Any) -> None:
        pass

    def close(self) -> str:
        while self.tables:  # never closed: as the page shows it
            self._emit("".join(self.tables.pop().rendered))
        return "".join(self.out)


def _table_text(table: _Table) -> str:
    if table.nested:
        return "".join(table.rendered)
    width = max(map(len, table.rows), default=0)
    blocks = [["".join(c.visible).strip() for c in row] for row in table.rows]
    contents = [b for row in blocks for b in row]
    if width <= 2 and any("\n" in b for b in contents) and sum(map(len, contents)) < SMALL_LAYOUT:
        # issuer | national name, recipients | signature: column by column, line by line
        columns = [row[k] for k in range(width) for row in blocks if k < len(row)]
        return "\n" + "\n".join(columns) + "\n"
    lines = []
    for texts in _grid(table.rows):
        if any(len(t) > LONG_CELL for t in texts):
            return "".join(table.rendered)
        filled = [t for t in texts if t]
        if len(filled) == 1 and len(texts) > 1 and texts[0] == filled[0] and len(set(texts)) == 2:
            lines.append(filled[0])  # a full-width row: a group heading ("I. Hạ tầng số")
        elif filled:
            lines.append(" | ".join(texts))
    return "\n" + "\n".join(lines) + "\n"


def _grid(rows: list[list[_Cell]]) -> list[list[str]]:
    """The rows' cell texts in their columns: a cell spanning several columns is followed by
    empty ones, and a cell spanning several rows is repeated in each, as a reader takes it
    ("Văn phòng UBND huyện" leads both tasks its cell spans)."""
    out: list[list[str]] = []
    width = max(map(len, rows), default=0)  # a span never runs past the widest row
    below: dict[int, tuple[str, int]] = {}  # column: (text, rows still to fill)
    for row in rows:
        texts: list[str] = []
        cells = iter(row)
        while True:
            col = len(texts)
            if col in below:
                text, left = below[col]
                texts.append(text)
                if left > 1:
                    below[col] = (text, left - 1)
                else:
                    del below[col]
                continue
            cell = next(cells, None)
            if cell is None:
                break
            text = " ".join(" ".join(cell.strings).split())
            for k in range(max(1, min(cell.colspan, width - col))):
                if cell.rowspan > 1:
                    below[col + k] = (text if k == 0 else "", cell.rowspan - 1)
                texts.append(text if k == 0 else "")
        out.append(texts)
    return out
