"""Notice metadata read from the header forms real notices use: one row per form, with the
exact number, date, issuer, type and signer a clerk would enter (None where the text does not
say it)."""

from __future__ import annotations

from datetime import date

import pytest

from extractor.ingest import ingest_text
from extractor.pipeline import extract_document

Row = tuple[str, str | None, date | None, str | None, str | None, str | None]

ROWS: list[tuple[str, Row]] = [
    (
        "two columns flattened onto shared lines",
        (
            "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "HUYỆN ĐỨC HÒA Độc lập - Tự do - Hạnh phúc\n\n"
            "Số: 1204/UBND-VP Đức Hòa, ngày 9 tháng 10 năm 2024\n"
            "V/v rà soát hồ sơ đất đai\n"
            "Kính gửi: Phòng Tài nguyên và Môi trường huyện.\n"
            "Giao Phòng Tài nguyên và Môi trường huyện rà soát hồ sơ.\n"
            "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nLê Văn Tâm\n",
            "1204/UBND-VP",
            date(2024, 10, 9),
            "Ủy ban nhân dân huyện Đức Hòa",
            "CV",
            "Lê Văn Tâm",
        ),
    ),
    (
        "a Markdown table header, emphasis marks and words broken across lines",
        (
            "|\n**UỶ BAN NHÂN\nDÂN**\nTỈNH YÊN BÁI\n--------\n|\n**CỘNG HÒA XÃ\n"
            "HỘI CHỦ NGHĨA VIỆT NAM**\nĐộc lập - Tự do - Hạnh phúc\n---------------\n|\n|\n"
            "Số:\n412/KH-UBND\n|\n*Yên Bái, ngày\n3 tháng 12 năm 2025*\n|\n\n**KẾ HOẠCH**\n\n"
            "Triển khai công tác chuyển đổi số năm 2026\n",
            "412/KH-UBND",
            date(2025, 12, 3),
            "Ủy ban nhân dân tỉnh Yên Bái",
            "KH",
            None,
        ),
    ),
    (
        "a department under its province, a pipe between the columns",
        (
            "UBND TỈNH QUẢNG TRỊ | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG | Độc lập - Tự do - Hạnh phúc\n"
            "Số: 88/STNMT-ĐĐ | Quảng Trị, ngày 02 tháng 3 năm 2022\n"
            "V/v kiểm kê đất đai\n",
            "88/STNMT-ĐĐ",
            date(2022, 3, 2),
            "Sở Tài nguyên và Môi trường tỉnh Quảng Trị",
            "CV",
            None,
        ),
    ),
    (
        "the office of a people's committee",
        (
            "UBND TỈNH QUẢNG NAM\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "VĂN PHÒNG\tĐộc lập - Tự do - Hạnh phúc\n"
            "Số: 501/VP-KTN\tQuảng Nam, ngày 20 tháng 5 năm 2021\n"
            "V/v đôn đốc báo cáo\n",
            "501/VP-KTN",
            date(2021, 5, 20),
            "Văn phòng UBND tỉnh Quảng Nam",
            "CV",
            None,
        ),
    ),
    (
        "a conclusion notice, its signer under 'TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH'",
        (
            "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\nSố: 493/TB-UBND\n"
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"
            "Lâm Đồng, ngày 13 tháng 11 năm 2025\nTHÔNG BÁO\n"
            "Kết luận của Phó Chủ tịch UBND tỉnh tại buổi làm việc\n"
            "Giao Sở Nội vụ tổng hợp, báo cáo trước ngày 30/11/2025.\n"
            "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nNguyễn Ngọc Phúc\n",
            "493/TB-UBND",
            date(2025, 11, 13),
            "Ủy ban nhân dân tỉnh Lâm Đồng",
            "TB",
            "Nguyễn Ngọc Phúc",
        ),
    ),
    (
        "a draft: number and day left blank; the documents it cites are not the notice",
        (
            "UBND TỈNH LÂM ĐỒNG\nBAN CHỈ ĐẠO PHÁT TRIỂN KHOA HỌC, CÔNG NGHỆ, ĐỔI MỚI SÁNG TẠO,\n"
            "CHUYỂN ĐỔI SỐ VÀ ĐỀ ÁN 06\nSố:   /BCĐ\nV/v triển khai nhiệm vụ trọng tâm\n"
            "Lâm Đồng, ngày   tháng 8 năm 2025\nKính gửi: Các sở, ban, ngành thuộc tỉnh.\n"
            "Căn cứ Công văn số 3169/TCT06 ngày 16/7/2025 của Tổ công tác triển khai Đề án 06.\n",
            None,
            None,
            "Ban Chỉ đạo phát triển khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số và "
            "Đề án 06 tỉnh Lâm Đồng",
            "CV",
            None,
        ),
    ),
    (
        "a standing office named below the place-and-date line",
        (
            "BAN CHỈ HUY PCTT VÀ TKCN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "TỈNH THỪA THIÊN HUẾ\nSố: 254 /TB-PCTT\nĐộc lập – Tự do – Hạnh phúc\n"
            "Thừa Thiên Huế, ngày 06 tháng 9 năm 2022\nVĂN PHÒNG THƯỜNG TRỰC\nTHÔNG BÁO\n"
            "Cảnh báo, ứng phó với mưa vừa, mưa to và dông\n",
            "254/TB-PCTT",
            date(2022, 9, 6),
            "Văn phòng thường trực Ban Chỉ huy PCTT và TKCN tỉnh Thừa Thiên Huế",
            "TB",
            None,
        ),
    ),
    (
        "a legal database page: its field rows first, the notice's own header below",
        (
            "Số hiệu:\n|\n980/KH-UBND\n|\nNơi ban hành:\n|\nTỉnh Nghệ An\n|\n"
            "Ngày ban hành:\n|\n18/11/2025\n|\nTình trạng:\n|\nĐã biết\n|\n"
            "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n-------\n|\nCỘNG HÒA XÃ HỘI\nCHỦ NGHĨA VIỆT NAM\n"
            "|\nSố: 980/KH-UBND\n|\nNghệ An, ngày 18 tháng 11 năm 2025\n|\nKẾ HOẠCH\n",
            "980/KH-UBND",
            date(2025, 11, 18),
            "Ủy ban nhân dân tỉnh Nghệ An",
            "KH",
            None,
        ),
    ),
    (
        "a news post: its issuer completed with the one province it names",
        (
            "Thực hiện Chỉ thị số 06/CT-TTg ngày 31/01/2020 của Thủ tướng Chính phủ; Ngày "
            "01/02/2020, Ủy ban nhân dân tỉnh ban hành Công văn số 326/UBND-KGVX chỉ đạo phòng, "
            "chống dịch bệnh trên địa bàn tỉnh Đắk Nông.\n",
            "326/UBND-KGVX",
            date(2020, 2, 1),
            "Ủy ban nhân dân tỉnh Đắk Nông",
            "CV",
            None,
        ),
    ),
    (
        "a scan that misread the marks of the place in the header",
        (
            "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐÒNG\nSố: 41/TB-UBND\n"
            "Lâm Đồng, ngày 13 tháng 11 năm 2025\nTHÔNG BÁO\n"
            "Giao các sở, ngành tỉnh Lâm Đồng rà soát các chỉ số cải cách hành chính.\n",
            "41/TB-UBND",
            date(2025, 11, 13),
            "Ủy ban nhân dân tỉnh Lâm Đồng",
            "TB",
            None,
        ),
    ),
    (
        "a party office's number and a central body over two lines",
        (
            "|\nBAN CHẤP HÀNH\nTRUNG ƯƠNG\n  VĂN PHÒNG  \n|\n  ĐẢNG CỘNG SẢN\nVIỆT NAM  \n|\n"
            "Số 07-KL/VPTW\n|\n Hà Nội, ngày 01 tháng 12 năm 2025 \n",
            "07-KL/VPTW",
            date(2025, 12, 1),
            "Văn phòng Ban Chấp hành Trung ương",
            None,
            None,
        ),
    ),
    (
        "a news post citing a directive it did not issue",
        (
            "Chủ tịch UBND tỉnh vừa có văn bản yêu cầu Thủ trưởng các sở, ban ngành triển khai "
            "thực hiện Chỉ thị số 27/CT-TTg ngày 19/11/2019 của Thủ tướng Chính phủ.\n",
            None,
            None,
            "Chủ tịch UBND tỉnh",
            "CV",
            None,
        ),
    ),
    (
        "a resolution dated by the day it was passed",
        (
            "NGHỊ QUYẾT\nVỀ CHẤT VẤN VÀ TRẢ LỜI CHẤT VẤN\n"
            "HỘI ĐỒNG NHÂN DÂN TỈNH BÀ RỊA-VŨNG TÀU\nKHÓA VI, KỲ HỌP THỨ NĂM\n"
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n"
            "QUYẾT NGHỊ:\nĐiều 1. Giao Ủy ban nhân dân tỉnh chỉ đạo thực hiện.\n"
            "Nghị quyết này đã được Hội đồng nhân dân tỉnh Bà Rịa-Vũng Tàu khóa VI, kỳ họp thứ "
            "năm thông qua ngày 13 tháng 7 năm 2017.\n",
            None,
            date(2017, 7, 13),
            "Hội đồng nhân dân tỉnh Bà Rịa-Vũng Tàu",
            "NQ",
            None,
        ),
    ),
    (
        "a year in the number; a ministry's field with its capitals",
        (
            "BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI\nSố: 15/2012/TT-BLĐTBXH\n"
            "Hà Nội, ngày 26 tháng 6 năm 2012\n",
            "15/2012/TT-BLĐTBXH",
            date(2012, 6, 26),
            "Bộ Lao động - Thương binh và Xã hội",
            None,
            None,
        ),
    ),
    (
        "portal headings in capitals name no body",
        (
            "CƠ QUAN TỔ CHỨC\nTHÔNG TIN Ý KIẾN\nQuảng Trị\n\nUBND tỉnh có ý kiến như sau:\n"
            "Giao Sở Xây dựng hướng dẫn các huyện.\n(Theo Công văn 907/UBND-KT ngày 13/3/2023)\n",
            "907/UBND-KT",
            date(2023, 3, 13),
            "UBND tỉnh",
            "CV",
            None,
        ),
    ),
]


@pytest.mark.parametrize(
    ("text", "number", "day", "issuer", "doc_type", "signer"),
    [r for _, r in ROWS],
    ids=[name for name, _ in ROWS],
)
def test_notice_metadata(
    text: str,
    number: str | None,
    day: date | None,
    issuer: str | None,
    doc_type: str | None,
    signer: str | None,
) -> None:
    meta = extract_document(ingest_text(text)).meta
    got = (
        meta.number.text if meta.number else None,
        meta.date,
        meta.issuer.text if meta.issuer else None,
        meta.type,
        meta.signer.text if meta.signer else None,
    )
    assert got == (number, day, issuer, doc_type, signer)


def test_issuer_span_points_at_the_header() -> None:
    """The issuer is written as a clerk writes it; its span covers the header lines read."""
    text = "ỦY BAN NHÂN DÂN\nHUYỆN CỦ CHI\nSố: 12/UBND\n"
    meta = extract_document(ingest_text(text)).meta
    assert meta.issuer is not None
    assert (meta.issuer.text, text[meta.issuer.start : meta.issuer.end]) == (
        "Ủy ban nhân dân huyện Củ Chi",
        "ỦY BAN NHÂN DÂN\nHUYỆN CỦ CHI",
    )


@pytest.mark.parametrize(
    ("place", "text", "found"),
    [
        (
            "Lâm Đồng",
            "tỉnh Lâm Đòng … tỉnh LÂM ĐỒNG … Lam  Dong; Lâm Đồngx",
            ["Lâm Đòng", "LÂM ĐỒNG", "Lam  Dong"],
        ),
        (
            "Bà Rịa - Vũng Tàu",
            "tỉnh Bà Rịa - Vũng Tàu và BÀ RỊA - VŨNG TÀU",
            ["Bà Rịa - Vũng Tàu", "BÀ RỊA - VŨNG TÀU"],
        ),
        (
            "Kon Tum",
            "KON TUM, Kon Tum, \u212aon Tum, Kon Tumx",
            ["KON TUM", "Kon Tum", "\u212aon Tum"],
        ),
    ],
)
def test_a_place_is_found_however_its_marks_are_written(
    place: str, text: str, found: list[str]
) -> None:
    """The place searched by the classes of its bare letters finds what a search of the bare
    letters in a folded copy of the text finds (the Kelvin sign folds to "k")."""
    import re

    from extractor.metadata import _fold, _spellings

    ours = [m.group(0) for m in _spellings(place).finditer(text)]
    bare = r"\s+".join(map(re.escape, _fold(place).split()))
    folded = [text[m.start() : m.end()] for m in re.finditer(rf"(?<!\w){bare}(?!\w)", _fold(text))]
    assert ours == folded == found
