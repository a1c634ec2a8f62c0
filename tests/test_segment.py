"""Segmentation: sentences, numbered sections, body end and addressees."""

from __future__ import annotations

import pytest

from extractor.rules import RuleSet
from extractor.segment import segment


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Giao Phòng Nội vụ theo dõi. Đề xuất phương án.",
            ["Giao Phòng Nội vụ theo dõi.", "Đề xuất phương án."],
        ),
        (
            "Giao UBND TP. Huế kiểm tra. Báo cáo kết quả.",
            ["Giao UBND TP. Huế kiểm tra.", "Báo cáo kết quả."],
        ),
        ("V/v. Tuyên truyền cải cách hành chính.", ["V/v. Tuyên truyền cải cách hành chính."]),
        (
            "Hoàn thành trước ngày 15.9.2020. Báo cáo kết quả.",
            ["Hoàn thành trước ngày 15.9.2020.", "Báo cáo kết quả."],
        ),
        (
            "Theo tiêu chuẩn ISO 9001:2015. Đạt 1.000 hồ sơ. Xong.",
            ["Theo tiêu chuẩn ISO 9001:2015.", "Đạt 1.000 hồ sơ.", "Xong."],
        ),
        (
            "Rà soát hồ sơ (văn bản phải nêu rõ. Chỉ tiêu cụ thể) đạt 60%. Báo cáo.",
            ["Rà soát hồ sơ (văn bản phải nêu rõ. Chỉ tiêu cụ thể) đạt 60%.", "Báo cáo."],
        ),
        ("Thực hiện nghiêm túc./. Nơi khác", ["Thực hiện nghiêm túc./.", "Nơi khác"]),
        ("Đ/c. Nguyễn Văn A chủ trì.", ["Đ/c. Nguyễn Văn A chủ trì."]),
    ],
)
def test_sentences(rules: RuleSet, text: str, sentences: list[str]) -> None:
    assert [s.text for s in segment(text, rules).sentences] == sentences


def test_sections_nest(rules: RuleSet) -> None:
    text = (
        "I. ĐÁNH GIÁ\nNội dung.\nII. NHIỆM VỤ\n1. Về tài chính\n1.1. Giao Phòng A làm.\n"
        "1.2. Giao Phòng B làm.\n2. Về văn hóa\na) Giao Phòng C làm.\n- Một ý.\n+ Ý con.\n"
        "Điều 3. Giao Phòng D làm."
    )
    layout = segment(text, rules)
    assert [(s.id, s.parent) for s in layout.sections] == [
        ("I", None),
        ("II", None),
        ("II.1", "II"),
        ("II.1.1", "II.1"),
        ("II.1.2", "II.1"),
        ("II.2", "II"),
        ("II.2.a", "II.2"),
        ("Điều 3", None),
    ]
    by_text = {s.text: s.section for s in layout.sentences}
    assert by_text["- Một ý."[2:]] == "II.2.a"
    assert by_text["Ý con."] == "II.2.a"
    headings = [b for b in layout.blocks if b.is_heading]
    assert [text[b.body_start : b.end] for b in headings] == [
        "ĐÁNH GIÁ",
        "NHIỆM VỤ",
        "Về tài chính",
        "Về văn hóa",
    ]


def test_body_end_and_addressees(rules: RuleSet) -> None:
    text = (
        "Kính gửi:\n- Sở Y tế;\n- Sở Tài chính.\nĐề nghị quý cơ quan báo cáo.\n"
        "Nơi nhận:\n- Như trên;\n- Lưu: VT."
    )
    layout = segment(text, rules)
    assert [a.text for a in layout.addressees] == ["Sở Y tế", "Sở Tài chính"]
    assert text[layout.body_end :].startswith("Nơi nhận:")
    assert [s.text for s in layout.sentences] == ["Đề nghị quý cơ quan báo cáo."]


def test_inline_addressees_in_table_layout(rules: RuleSet) -> None:
    layout = segment("Kính gửi: | - Các Bộ, cơ quan ngang Bộ; |\nNội dung.", rules)
    assert [a.text for a in layout.addressees] == ["Các Bộ, cơ quan ngang Bộ"]


def test_directive_start(rules: RuleSet) -> None:
    text = "Ngày 5/6/2020, UBND tỉnh có ý kiến như sau: Giao Sở Y tế kiểm tra."
    layout = segment(text, rules)
    assert layout.directive_start == text.index(" Giao")


def test_task_table(rules: RuleSet) -> None:
    text = (
        "TT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn thành\n"
        "1 | Rà soát hồ sơ | Phòng Nội vụ | | Tháng 9/2020\n"
        "I | Nhóm nhiệm vụ khác\n"
        "2 | Kiểm tra | Phòng Tư pháp | Các xã | 30/9/2020\n"
        "Giao Sở Y tế kiểm tra."
    )
    layout = segment(text, rules)
    rows = [{k: v.text for k, v in r.cells.items()} for r in layout.table_rows]
    assert rows == [
        {"content": "Rà soát hồ sơ", "lead": "Phòng Nội vụ", "deadline": "Tháng 9/2020"},
        {
            "content": "Kiểm tra",
            "lead": "Phòng Tư pháp",
            "support": "Các xã",
            "deadline": "30/9/2020",
        },
    ]
    assert [s.text for s in layout.sentences] == ["Giao Sở Y tế kiểm tra."]


def test_task_table_goes_on_past_group_headings(rules: RuleSet) -> None:
    """A full-width row ("I. Hạ tầng số") groups the rows after it; the table goes on."""
    text = (
        "STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian hoàn thành\n"
        "I. Hạ tầng số\n"
        "1 | Nâng cấp mạng nội bộ | Phòng Văn hóa và Thông tin | Quý II/2022\n"
        "II. Dữ liệu số\n"
        "2 | Số hóa hồ sơ | UBND các xã | Năm 2022\n"
        "III. TỔ CHỨC THỰC HIỆN\n"
        "Giao Phòng Nội vụ theo dõi."
    )
    layout = segment(text, rules)
    assert [(r.cells["content"].text, r.cells["lead"].text) for r in layout.table_rows] == [
        ("Nâng cấp mạng nội bộ", "Phòng Văn hóa và Thông tin"),
        ("Số hóa hồ sơ", "UBND các xã"),
    ]
    sentences = [s.text for s in layout.sentences]
    assert sentences == ["TỔ CHỨC THỰC HIỆN", "Giao Phòng Nội vụ theo dõi."]


WRAPPED = (
    "ỦY BAN NHÂN DÂN\n"
    "TỈNH BÌNH ĐỊNH\n"
    "Số: 2150/UBND-KT\n"
    "Kính gửi: Các sở, ban, ngành tỉnh.\n"
    "1. Giao Công an tỉnh chủ trì, phối hợp với Bộ Chỉ huy Quân sự tỉnh\n"
    "và các địa phương tăng cường tuần tra, kiểm soát, xử lý vi phạm về\n"
    "nồng độ cồn; báo cáo kết quả về UBND tỉnh trước ngày 25/12/2023.\n"
    "2. Sở Giao thông vận tải chủ trì, phối hợp với Sở Tài chính rà soát\n"
    "Trung tâm Đăng kiểm, đề xuất phương án xử lý, xong trước ngày\n"
    "15/12/2023.\n"
    "3. Phòng Văn hóa và Thông tin huyện phối hợp với Trung tâm Văn hóa\n"
    "- Thể thao huyện tuyên truyền về an toàn giao thông cho học sinh;\n"
    "Công an huyện xử lý nghiêm các trường hợp vi phạm nồng độ cồn.\n"
    "STT | Nội dung | Đơn vị chủ trì\n"
    "1 | Rà soát | Sở Y tế"
)


PARAGRAPHS_APART = (
    "1. Tổ chức tuyên truyền\n\n"
    "a) Các bộ, ngành, địa phương khẩn trương đăng ký với\n"
    "Chính phủ (qua Bộ Xây dựng) các công trình khánh thành, khởi công dịp cuối năm,\n"
    "trên tinh thần mỗi tổ chức phấn đấu có ít nhất 02 công trình đủ điều kiện khởi\n"
    "công hoặc khánh thành.\n\n"
    "b) Ủy ban nhân dân các tỉnh, thành phố: Tuyên\n"
    "Quang, Đồng Nai, Hồ Chí Minh, Đồng Tháp quyết liệt chỉ đạo các chủ đầu tư, nhà\n"
    "thầu đẩy nhanh tiến độ thi công để hoàn thành các dự án theo đúng cam kết với\n"
    "Chính phủ.\n\n"
    "2.\n"
    "Rà soát các văn bản quy phạm pháp luật có liên quan đến Luật thuộc thẩm quyền\n"
    "quản lý nhà nước được phân công."
)


INDENTED = (
    "2. Phòng Tài nguyên và Môi trường\n"
    "- Đề nghị Thường trực Hội đồng nhân dân tỉnh, các Ban\n"
    "Hội đồng nhân dân tỉnh và đại biểu Hội đồng nhân dân tỉnh tiếp tục tăng cường\n"
    "giám sát việc quản lý đất rừng, đất dự án trên địa bàn tỉnh, kịp thời thông tin\n"
    "cho cử tri về kết quả giám sát.\n"
    "- Ủy ban nhân dân tỉnh rà soát nguồn lực, bố trí\n"
    "vốn cho Sở Nông nghiệp và Phát triển nông thôn đẩy nhanh tiến độ trồng rừng theo\n"
    "kế hoạch được phê duyệt.\n"
    "- Giao Ban Quản lý các Khu công nghiệp tỉnh yêu cầu các\n"
    "doanh nghiệp trong khu công nghiệp thực hiện trồng cây xanh theo đúng cam kết\n"
    "trong dự án đầu tư."
)


def test_unwrap_width_is_not_set_by_a_line_that_ran_over(rules: RuleSet) -> None:
    """The wrapping width is nearly the longest line: one line that ran over (a long number, a
    URL) does not make every other line look short, so they still run on."""
    from extractor.segment import unwrap

    body = (
        "Các sở, ban, ngành, đoàn thể cấp tỉnh tiếp tục phổ biến, quán triệt, triển khai "
        "có hiệu quả các quy định của pháp luật và các văn bản hướng dẫn thi hành công tác "
        "bảo vệ bí mật nhà nước của Chính phủ, nhất là Chỉ thị số 32/CT-TTg của Thủ tướng "
        "Chính phủ về tăng cường công tác bảo vệ bí mật nhà nước trong tình hình mới. "
    ) * 6
    import textwrap

    lines = textwrap.wrap(body, 78)
    lines.insert(
        3,
        "Xem: https://vanban.chinhphu.vn/default.aspx?pageid=27160&docid=212345&tab=1&mode=detail&view=full",
    )
    text = "\n".join(lines)
    out = unwrap(text, rules, [])
    assert len(out) == len(text)
    assert out.count("\n") <= 2  # the paragraph runs on, but for the line of its own


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        # hard-wrapped at 70: lines inside a paragraph are joined, whatever the next word's case;
        # the header in capitals, "Số:", list items and table rows keep their lines
        (
            WRAPPED,
            [
                "ỦY BAN NHÂN DÂN",
                "TỈNH BÌNH ĐỊNH",
                "Số: 2150/UBND-KT",
                "Kính gửi: Các sở, ban, ngành tỉnh.",
                "1. Giao Công an tỉnh chủ trì, phối hợp với Bộ Chỉ huy Quân sự tỉnh và các địa "
                "phương tăng cường tuần tra, kiểm soát, xử lý vi phạm về nồng độ cồn; báo cáo "
                "kết quả về UBND tỉnh trước ngày 25/12/2023.",
                "2. Sở Giao thông vận tải chủ trì, phối hợp với Sở Tài chính rà soát Trung tâm "
                "Đăng kiểm, đề xuất phương án xử lý, xong trước ngày 15/12/2023.",
                "3. Phòng Văn hóa và Thông tin huyện phối hợp với Trung tâm Văn hóa - Thể thao "
                "huyện tuyên truyền về an toàn giao thông cho học sinh; Công an huyện xử lý "
                "nghiêm các trường hợp vi phạm nồng độ cồn.",
                "STT | Nội dung | Đơn vị chủ trì",
                "1 | Rà soát | Sở Y tế",
            ],
        ),
        # paragraphs on one line each: a break before a small letter is inside a sentence
        (
            "Giao Phòng Nội vụ\ntheo dõi, đôn đốc.\nPhòng Y tế kiểm tra.\n- Báo cáo kết quả.",
            ["Giao Phòng Nội vụ theo dõi, đôn đốc.", "Phòng Y tế kiểm tra.", "- Báo cáo kết quả."],
        ),
        # paragraphs apart by blank lines, their first line indented (so it wraps early): the
        # first line runs on too; a line holding only a section number joins the line under it
        (
            PARAGRAPHS_APART,
            [
                "1. Tổ chức tuyên truyền",
                "",
                "a) Các bộ, ngành, địa phương khẩn trương đăng ký với Chính phủ (qua Bộ Xây dựng) "
                "các công trình khánh thành, khởi công dịp cuối năm, trên tinh thần mỗi tổ chức "
                "phấn đấu có ít nhất 02 công trình đủ điều kiện khởi công hoặc khánh thành.",
                "",
                "b) Ủy ban nhân dân các tỉnh, thành phố: Tuyên Quang, Đồng Nai, Hồ Chí Minh, Đồng "
                "Tháp quyết liệt chỉ đạo các chủ đầu tư, nhà thầu đẩy nhanh tiến độ thi công để "
                "hoàn thành các dự án theo đúng cam kết với Chính phủ.",
                "",
                "2. Rà soát các văn bản quy phạm pháp luật có liên quan đến Luật thuộc thẩm "
                "quyền quản lý nhà nước được phân công.",
            ],
        ),
        # no blank lines, but most paragraphs open with a short (indented) line: those run on,
        # a numbered heading on its own line does not
        (
            INDENTED,
            [
                "2. Phòng Tài nguyên và Môi trường",
                "- Đề nghị Thường trực Hội đồng nhân dân tỉnh, các Ban Hội đồng nhân dân tỉnh và "
                "đại biểu Hội đồng nhân dân tỉnh tiếp tục tăng cường giám sát việc quản lý đất "
                "rừng, đất dự án trên địa bàn tỉnh, kịp thời thông tin cho cử tri về kết quả "
                "giám sát.",
                "- Ủy ban nhân dân tỉnh rà soát nguồn lực, bố trí vốn cho Sở Nông nghiệp và Phát "
                "triển nông thôn đẩy nhanh tiến độ trồng rừng theo kế hoạch được phê duyệt.",
                "- Giao Ban Quản lý các Khu công nghiệp tỉnh yêu cầu các doanh nghiệp trong khu "
                "công nghiệp thực hiện trồng cây xanh theo đúng cam kết trong dự án đầu tư.",
            ],
        ),
        # a short text is never taken for a wrapped one
        ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nTrần Thành Lập\n;", None),
    ],
)
def test_unwrap(rules: RuleSet, text: str, lines: list[str] | None) -> None:
    from extractor.segment import unwrap

    out = unwrap(text, rules, [])
    assert len(out) == len(text)
    assert out.split("\n") == (lines if lines is not None else text.split("\n"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**1. Sở Y tế**", "  1. Sở Y tế  "),
        ("*Thứ nhất,** các bộ", " Thứ nhất,   các bộ"),
        ("*Hà Nội, ngày 24*", " Hà Nội, ngày 24 "),
        ("* Nội dung một", "* Nội dung một"),  # a bullet stays
        ("3 * 4 = 12", "3 * 4 = 12"),
        ("Phòng Y tế", "Phòng Y tế"),
    ],
)
def test_markdown_emphasis_is_blanked(text: str, expected: str) -> None:
    from extractor.segment import blank_markup

    assert blank_markup(text) == expected
    assert len(blank_markup(text)) == len(text)
