"""Task tables in each flattened layout: one task per data row, its fields from its columns.

Layouts: one row a line (" | " cells, Markdown pipes, tabs) and one cell a line between lone
"|" lines (a legal database's export, often an appendix after the signature). Each case gives
the exact tasks: units, coordinators, action, deadline, recurrence.
"""

from __future__ import annotations

from datetime import date

import pytest

from extractor import extract
from extractor.rules import RuleSet
from extractor.segment import segment

HEAD = (
    "UBND HUYỆN AN PHÚ\nAn Phú, ngày 10 tháng 5 năm 2025\nKẾ HOẠCH\nThực hiện nhiệm vụ năm 2025\n"
)

Row = tuple[list[str], list[str], str, date | None, str | None]


def stacked(*rows: list[str]) -> str:
    """Rows as a legal database exports them: each cell on its own line(s) between lines
    holding only "|", a row opened and closed by one; an empty cell leaves no line."""
    out: list[str] = []
    for row in rows:
        out.append("|")
        for cell in row:
            if cell:
                out.append(cell)
            out.append("|")
    return "\n".join(out) + "\n"


STACKED_HEADER = [
    "TT",
    "Nội dung thực\nhiện",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn\nthành",
    "Sản phẩm",
]

CASES: list[tuple[str, str, list[Row]]] = [
    (
        "pipes, a part heading line, an empty cell, trailing pipes",
        HEAD
        + "II. NHIỆM VỤ CỤ THỂ\n"
        + "TT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn thành\n"
        + "I. Công tác tuyên truyền\n"
        + "1 | Tuyên truyền Luật Đất đai trên đài truyền thanh xã | UBND các xã | "
        + "| Quý III/2025 |\n"
        + "2 | Tổ chức hội nghị phổ biến pháp luật | Phòng Tư pháp | Phòng Nội vụ; Công an huyện"
        + " | Thường xuyên |\n",
        [
            (
                ["UBND các xã"],
                [],
                "tuyên truyền Luật Đất đai trên đài truyền thanh xã",
                date(2025, 9, 30),
                None,
            ),
            (
                ["Phòng Tư pháp"],
                ["Phòng Nội vụ", "Công an huyện"],
                "tổ chức hội nghị phổ biến pháp luật",
                None,
                None,
            ),
        ],
    ),
    (
        "Markdown pipes with a rule line",
        HEAD
        + "| STT | Nhiệm vụ | Cơ quan chủ trì | Thời hạn |\n|---|---|---|---|\n"
        + "| 1 | Kiểm tra an toàn thực phẩm tại bếp ăn trường học | Phòng Y tế | 30/6/2025 |\n",
        [
            (
                ["Phòng Y tế"],
                [],
                "kiểm tra an toàn thực phẩm tại bếp ăn trường học",
                date(2025, 6, 30),
                None,
            )
        ],
    ),
    (
        "tabs, one a cell: an empty coordinator cell keeps the deadline in its column",
        HEAD
        + "STT\tNội dung\tĐơn vị chủ trì\tĐơn vị phối hợp\tThời gian\n"
        + "1\tRà soát hộ nghèo, hộ cận nghèo\tPhòng Lao động - Thương binh và Xã hội"
        + "\t\tTháng 8/2025\n",
        [
            (
                ["Phòng Lao động - Thương binh và Xã hội"],
                [],
                "rà soát hộ nghèo, hộ cận nghèo",
                date(2025, 8, 31),
                None,
            )
        ],
    ),
    (
        "one cell a line, an appendix after the signature: title cells before the header, "
        "part headings, wrapped cells, an empty product cell, a '……' gap, a year, yearly",
        HEAD
        + "Giao Phòng Nội vụ tổng hợp kết quả, báo cáo UBND huyện trước ngày 15/12/2025.\n"
        + stacked(
            [
                "Nơi nhận:\n- Như trên;\n- Lưu: VT.",
                "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\nNguyễn Văn A",
                "** **\n**PHỤ LỤC**\nDANH MỤC NHIỆM VỤ\n*(Kèm theo Kế hoạch số 45/KH-UBND ngày"
                " 10/5/2025)*",
                *STACKED_HEADER,
            ],
            ["**I**", "**KIỆN TOÀN TỔ CHỨC**"],
            [
                "1",
                "Kiện toàn Ban Chỉ đạo chuyển đổi số\nhuyện",
                "Phòng Văn hóa và Thông tin; UBND\ncác xã",
                "Phòng Nội vụ",
                "Trước ngày\n30/6/2025",
                "Quyết định",
            ],
            [
                "2",
                "Ban hành quy chế hoạt động của Ban Chỉ đạo",
                "Phòng Văn hóa và Thông tin",
                "Các cơ quan, đơn vị",
                "2025",
                "",
            ],
        )
        + "…...........\n"
        + stacked(
            [
                "3",
                "Rà soát hạ tầng mạng tại các xã",
                "UBND các xã",
                "Viễn thông huyện",
                "Hằng năm",
                "Báo cáo",
            ],
        ),
        [
            (
                ["Phòng Nội vụ"],
                [],
                "tổng hợp kết quả, báo cáo UBND huyện",
                date(2025, 12, 15),
                None,
            ),
            (
                ["Phòng Văn hóa và Thông tin", "UBND các xã"],
                ["Phòng Nội vụ"],
                "kiện toàn Ban Chỉ đạo chuyển đổi số huyện",
                date(2025, 6, 30),
                None,
            ),
            (
                ["Phòng Văn hóa và Thông tin"],
                ["Các cơ quan, đơn vị"],
                "ban hành quy chế hoạt động của Ban Chỉ đạo",
                date(2025, 12, 31),
                None,
            ),
            (
                ["UBND các xã"],
                ["Viễn thông huyện"],
                "rà soát hạ tầng mạng tại các xã",
                None,
                "yearly",
            ),
        ],
    ),
    (
        "one cell a line without a number column: a row ends once it has the header's cells",
        HEAD
        + stacked(
            ["Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"],
            ["Lập danh sách hộ dân bị ảnh hưởng", "UBND các xã", "Tháng 7/2025"],
            ["Thẩm định phương án bồi thường", "Phòng Tài chính - Kế hoạch", "Quý IV/2025"],
        ),
        [
            (["UBND các xã"], [], "lập danh sách hộ dân bị ảnh hưởng", date(2025, 7, 31), None),
            (
                ["Phòng Tài chính - Kế hoạch"],
                [],
                "thẩm định phương án bồi thường",
                date(2025, 12, 31),
                None,
            ),
        ],
    ),
    (
        "one cell a line: a part heading padded with empty cells, a repeated header row",
        HEAD
        + stacked(
            [
                "STT",
                "Tên nhiệm vụ/dự án",
                "Cơ quan chủ trì",
                "Cơ quan phối hợp",
                "Thời gian triển khai",
            ],
            ["A", "CƠ CHẾ, CHÍNH SÁCH", "** **", "** **", "** **"],
            [
                "1",
                "Xây dựng quy định về giá dịch vụ thu gom rác",
                "Phòng Tài chính - Kế hoạch",
                "UBND các xã",
                "Năm 2026",
            ],
            [
                "STT",
                "Tên nhiệm vụ/dự án",
                "Cơ quan chủ trì",
                "Cơ quan phối hợp",
                "Thời gian triển khai",
            ],
            ["2", "Đầu tư lò đốt rác tập trung", "Ban Quản lý dự án huyện", "", "2026 - 2027"],
        ),
        [
            (
                ["Phòng Tài chính - Kế hoạch"],
                ["UBND các xã"],
                "xây dựng quy định về giá dịch vụ thu gom rác",
                date(2026, 12, 31),
                None,
            ),
            (["Ban Quản lý dự án huyện"], [], "đầu tư lò đốt rác tập trung", None, None),
        ],
    ),
    (
        "one cell a line: a part's own header repeats the fields without the number column",
        HEAD
        + stacked(
            ["STT", "Nhiệm vụ, giải pháp", "Đơn vị thực hiện", "Đơn vị phối hợp", "Thời gian"],
            ["A", "PHÁT TRIỂN HẠ TẦNG SỐ"],
            [
                "1",
                "Lắp đặt wifi công cộng tại trung tâm xã",
                "UBND các xã",
                "Viễn thông huyện",
                "2025",
            ],
            ["B", "PHÁT TRIỂN DỮ LIỆU SỐ"],
            ["Nội dung", "Đơn vị thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện"],
            ["1", "Số hóa sổ hộ tịch", "Phòng Tư pháp", "UBND các xã", "Quý IV/2025"],
        ),
        [
            (
                ["UBND các xã"],
                ["Viễn thông huyện"],
                "lắp đặt wifi công cộng tại trung tâm xã",
                date(2025, 12, 31),
                None,
            ),
            (["Phòng Tư pháp"], ["UBND các xã"], "số hóa sổ hộ tịch", date(2025, 12, 31), None),
        ],
    ),
    (
        "one cell a line inside the body: its cells are not read again as sentences",
        HEAD
        + "1. Phân công nhiệm vụ\n"
        + stacked(
            ["TT", "Nội dung", "Đơn vị thực hiện", "Thời gian thực hiện"],
            ["1", "Tổng vệ sinh môi trường khu dân cư", "UBND các xã", "Hằng tháng"],
        )
        + "2. Tổ chức thực hiện\n"
        + "Phòng Tài nguyên và Môi trường chủ trì theo dõi, đôn đốc các xã thực hiện.\n",
        [
            (["UBND các xã"], [], "tổng vệ sinh môi trường khu dân cư", None, "monthly"),
            (
                ["Phòng Tài nguyên và Môi trường"],
                [],
                "theo dõi, đôn đốc các xã thực hiện",
                None,
                None,
            ),
        ],
    ),
]

NOT_TABLES: list[tuple[str, str]] = [
    (
        "a report's table of figures: a content column but no unit or deadline column",
        "STT | Nội dung | Đơn vị tính | Kế hoạch | Thực hiện\n1 | Số hồ sơ tiếp nhận | Hồ sơ"
        " | 1.200 | 1.150\n",
    ),
    (
        "a header block laid out as cells (a portal's layout table)",
        stacked(
            [
                "**ỦY BAN NHÂN DÂN\nHUYỆN AN PHÚ**\n-------",
                "**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\nĐộc lập - Tự do - Hạnh phúc",
            ],
            ["Số: 45/KH-UBND", "*An Phú, ngày 10 tháng 5 năm 2025*"],
        ),
    ),
    (
        "empty layout cells after a line of prose (a PDF's artefact)",
        "Đề nghị các sở, ban ngành triển khai các nội dung sau: |  |  |  |  |\n",
    ),
    (
        "one cell a line naming places and figures, no task columns",
        stacked(
            ["STT", "Địa điểm quan trắc", "Đối tượng quan trắc", "Thời gian quan trắc"],
            ["1", "Cửa sông Cung", "Nuôi tôm", "Tháng 5"],
        ),
    ),
]


def _tasks(text: str) -> list[Row]:
    return [
        (
            [u.text for u in t.units],
            [c.text for c in t.coordinators],
            " ".join(t.action.text.split()),
            t.deadline.date if t.deadline else None,
            t.deadline.recurring if t.deadline else None,
        )
        for t in extract(text).tasks
    ]


@pytest.mark.parametrize(("name", "text", "want"), CASES, ids=[c[0][:40] for c in CASES])
def test_table_rows_are_tasks(name: str, text: str, want: list[Row]) -> None:
    assert _tasks(text) == want


@pytest.mark.parametrize(("name", "text"), NOT_TABLES, ids=[c[0][:40] for c in NOT_TABLES])
def test_not_a_task_table(rules: RuleSet, name: str, text: str) -> None:
    assert segment(HEAD + text, rules).table_rows == ()


def test_rows_keep_offsets_into_the_text(rules: RuleSet) -> None:
    """Each cell's span is its text in the canonical text; a row spans its first to last cell."""
    text = CASES[3][1]
    rows = segment(text, rules).table_rows
    assert [r.cells["content"].text for r in rows] == [
        "Kiện toàn Ban Chỉ đạo chuyển đổi số\nhuyện",
        "Ban hành quy chế hoạt động của Ban Chỉ đạo",
        "Rà soát hạ tầng mạng tại các xã",
    ]
    for row in rows:
        for span in row.cells.values():
            assert text[span.start : span.end] == span.text
        assert row.start <= min(s.start for s in row.cells.values())
        assert row.end >= max(s.end for s in row.cells.values())
