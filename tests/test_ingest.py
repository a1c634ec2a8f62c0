"""Ingest: encodings, HTML chrome, normalization and the offset map back to the source."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import pytest

from extractor.errors import InputError
from extractor.ingest import decode, html_to_text, ingest_bytes, ingest_path, normalize
from extractor.models import Document, Source

VI = "Giao Phòng Nội vụ Huyện theo dõi, đôn đốc việc lập hồ sơ."
TONES = "\u0300\u0301\u0303\u0309\u0323"


def windows_1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 writes it: letters with their vowel marks, tones apart."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (VI.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + VI.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + VI.encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + VI.encode("utf-16-be"), "utf-16"),
        (VI.encode("utf-16-le"), "utf-16-le"),
        (windows_1258(VI), "cp1258"),
    ],
)
def test_decodings(data: bytes, encoding: str) -> None:
    text, enc = decode(data, "x.txt")
    assert enc == encoding
    assert normalize(text)[0] == VI


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\t  ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary"),
        (bytes(range(256)) * 4, "binary"),
    ],
)
def test_unreadable_inputs(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        ingest_bytes(data, "bad.txt")
    assert "bad.txt" in str(info.value)


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Giao Ph\xc3\xb2ng \x81\x8d\x8e\x8f\x90 theo d\xc3")
    with pytest.raises(InputError) as info:
        ingest_path(path)
    assert str(path) in str(info.value) and "UTF-8" in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        ingest_path(tmp_path / "nope.txt")


def test_unsupported_suffix() -> None:
    with pytest.raises(InputError, match="suffix"):
        ingest_bytes(b"abc", "notice.odt")


def test_html_keeps_text_drops_chrome() -> None:
    html = """<html><head><title>T</title><script>alert('Giao')</script><style>p{}</style></head>
    <body><nav>Trang chủ | Tin tức</nav><div class="breadcrumb">Trang chủ » CCHC</div>
    <article><p>Ủy ban nhân dân huyện &Ocirc;n t&#7853;p.</p><ul><li>Một</li><li>Hai<br>Ba</li></ul>
    <table><tr><td>TT</td><td>Nội dung</td></tr><tr><td>1</td><td><p>Rà soát</p></td></tr></table>
    </article><div class="share-buttons">Facebook</div><div class="related-news">Tin khác</div>
    <footer>Bản quyền</footer></body></html>"""
    text = html_to_text(html)
    assert text.splitlines() == [
        "Ủy ban nhân dân huyện Ôn tập.",
        "Một",
        "Hai",
        "Ba",
        "TT | Nội dung",
        "1 | Rà soát",
    ]


def test_html_without_text() -> None:
    with pytest.raises(InputError, match="no visible text"):
        ingest_bytes(b"<html><body><script>x()</script><nav>Menu</nav></body></html>", "p.html")


def test_deeply_nested_html_does_not_crash() -> None:
    html = "<div>" * 10000 + "Giao Sở Y tế kiểm tra." + "</div>" * 10000
    doc = ingest_bytes(html.encode(), "deep.html")
    assert "Giao Sở Y tế kiểm tra." in doc.text


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà", "Hòa"),
        ("khoẻ", "khỏe"),
        ("Uỷ ban", "Ủy ban"),
        ("thuỷ", "thủy"),
        ("quý", "quý"),
        ("toàn", "toàn"),
        ("Quỳnh", "Quỳnh"),
        ("HOÀ", "HÒA"),
        ("đoàn", "đoàn"),
    ],
)
def test_tone_placement(old: str, new: str) -> None:
    assert normalize(old)[0] == new


def test_offset_map_points_into_source() -> None:
    source = unicodedata.normalize("NFD", "Ủy ban nhân dân\r\ntỉnh Hà\u200bNội") + " xong"
    text, offset_map = normalize(source)
    assert text == "Ủy ban nhân dân\ntỉnh HàNội xong"
    doc = Document(text, Source(None, "0" * 64, "text", "utf-8"), source, offset_map)
    for i, ch in enumerate(text):
        piece = source[doc.to_source(i) : doc.to_source(i + 1)]
        assert unicodedata.normalize("NFC", piece.replace("\u200b", "")).replace("\r\n", "\n") == ch
    assert doc.to_source(len(text)) == len(source)


def test_html_layout_table_is_read_column_by_column() -> None:
    """A notice's two-column header (issuer | national name) and signature block are layout:
    each column is read line by line, as in Word; a data table still gives "cell | cell"."""
    html = """<table><tr><td><p>ỦY BAN NHÂN DÂN<br>HUYỆN CỦ CHI</p><p>Số: 12/UBND-KT</p></td>
    <td><p>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>Độc lập - Tự do - Hạnh phúc</p>
    <p>Củ Chi, ngày 09 tháng 5 năm 2023</p></td></tr></table>
    <table><tr><td>TT</td><td>Nội dung</td></tr>
    <tr><td>1</td><td><p>Rà soát</p></td></tr></table>"""
    assert html_to_text(html).splitlines() == [
        "ỦY BAN NHÂN DÂN",
        "HUYỆN CỦ CHI",
        "Số: 12/UBND-KT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Củ Chi, ngày 09 tháng 5 năm 2023",
        "TT | Nội dung",
        "1 | Rà soát",
    ]


def test_html_table_holding_a_table_is_layout() -> None:
    """A page laid out with a table keeps its text as lines; the data table inside it still
    gives one line per row."""
    html = """<table><tr><td>Trang chủ</td><td><p>Giao Sở Y tế kiểm tra.</p>
    <table><tr><td>1</td><td>Việc A</td><td>Phòng X</td></tr></table></td></tr></table>"""
    assert html_to_text(html).splitlines() == [
        "Trang chủ",
        "Giao Sở Y tế kiểm tra.",
        "1 | Việc A | Phòng X",
    ]


def test_html_table_spans_keep_columns() -> None:
    """A cell spanning rows is repeated in each (it leads every task it spans); one spanning
    columns is followed by empty cells; a row that is one cell across the table is a plain
    line (a group heading); span attributes are clamped."""
    html = """<table>
    <tr><th>STT</th><th>Nhiệm vụ</th><th>Chủ trì</th><th>Thời gian</th></tr>
    <tr><td colspan="4">I. Hạ tầng số</td></tr>
    <tr><td rowspan="2">1</td><td>Triển khai</td><td rowspan="2">Văn phòng</td><td>Tháng 6</td></tr>
    <tr><td>Vận hành thử</td><td>30/7</td></tr>
    <tr><td colspan="2">Ghi chú chung</td><td>x</td><td colspan="999999">y</td></tr>
    <tr><td rowspan="abc">2</td><td>Báo cáo</td><td>Phòng Nội vụ</td><td>Quý III</td></tr>
    </table>"""
    assert html_to_text(html).splitlines() == [
        "STT | Nhiệm vụ | Chủ trì | Thời gian",
        "I. Hạ tầng số",
        "1 | Triển khai | Văn phòng | Tháng 6",
        "1 | Vận hành thử | Văn phòng | 30/7",
        "Ghi chú chung | | x | y",
        "2 | Báo cáo | Phòng Nội vụ | Quý III",
    ]


def test_html_cell_texts_split_at_tags_and_comments() -> None:
    html = "<table><tr><td>Hà<b>Nội</b></td><td>A<!-- x -->B</td><td>C&nbsp;D</td></tr></table>"
    assert html_to_text(html).splitlines() == ["Hà Nội | A B | C D"]


def test_html_portal_page_keeps_the_article() -> None:
    """An ASP.NET/SharePoint page wraps everything in one <form>: the article inside is kept;
    lines that are only links (menus, "related news", pagers), a short heading over two of
    them, and the Wayback toolbar go; a link inside a sentence, or an anchor without href,
    stays."""
    html = """<html><body><div id="wm-ipp-base"><div>About this capture</div></div>
    <form id="aspnetForm" method="post"><div><span>TỔNG QUAN</span></div>
    <ul class="ms-navSubMenu"><li><a href="/">Trang chủ</a></li>
    <li><a href="/gt">Giới thiệu chung</a></li></ul>
    <div class="article"><h1>Chỉ thị về kế hoạch năm 2020</h1>
    <p>Sở Kế hoạch và Đầu tư chủ trì, <a href="/ct">Chỉ thị số 16</a> nêu rõ.</p>
    <p><a name="d1"></a>Điều 1. Giao Sở Tài chính bố trí kinh phí.</p>
    <p>Xem chi tiết <a href="/f.pdf">tại đây</a></p></div>
    <div class="tinlienquan"><a href="/n/1">Hội nghị giao ban tháng 6/2019</a><br>
    <a href="/n/2">Phòng, chống dịch tả lợn</a> (08/08/2019)</div>
    <input type="text" name="q"></form></body></html>"""
    assert html_to_text(html).splitlines() == [
        "Chỉ thị về kế hoạch năm 2020",
        "Sở Kế hoạch và Đầu tư chủ trì, Chỉ thị số 16 nêu rõ.",
        "Điều 1. Giao Sở Tài chính bố trí kinh phí.",
        "Xem chi tiết tại đây",
    ]


@pytest.mark.parametrize(
    ("name", "first_sentence"),
    [
        ("411.html", "Thực hiện Chỉ thị số 16/CT-TTg ngày 25 tháng 6 năm 2019"),
        ("416.html", "Phát biểu kết luận Hội nghị, Phó Bí thư Thường trực Huyện ủy"),
        ("418.html", "Thủ tướng Chính phủ yêu cầu các Bộ, cơ quan thành viên"),
    ],
)
def test_portal_pages_of_the_dev_set_give_their_article(name: str, first_sentence: str) -> None:
    from .conftest import SHARED_EVAL

    path = SHARED_EVAL / "dev" / "corpus" / name
    if not path.exists():
        pytest.skip("../shared/eval is absent")
    text = ingest_path(path).text
    assert first_sentence in text
    assert "About this capture" not in text  # the Wayback toolbar


SEED_TEXT = (Path(__file__).parent.parent / "samples" / "000.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        (SEED_TEXT, True),
        # 504.pdf's text layer: an old OCR pass that lost the diacritics
        (
            "uY BAN NgAN nAN ceNG HoA xA ugr cuu xcuia vrET NAM TINH LAMDONG DQc l$p - Tg do - "
            "H4nh phric THONGBAo fiit tu6n cria tldng chi Nguy6n Ngoc Phric -'Tinh fry vi6n, "
            "Ph6 Ch[ tich LJBND tinh t4i bu6i thm viQc nghe b6o c6o tl6nh gi6 kiit qu6 vh gi6i "
            "ph6p n6ng cao c6c chi s6 Ngdy 07ll ll2O25,d6ng chi Nguy6n Nggc Phric",
            False,
        ),
        # a layer that lost its diacritics (reservoir r0113): "duoc", "thuoc" are no syllables
        (
            "Uy ban nhan dan tinh yeu cau cac so, ban, nganh thuoc tinh can cu chuc nang, nhiem "
            "vu duoc giao, to chuc ra soat, tu danh gia ket qua thuc hien cac chi tieu, nhiem vu "
            "thuoc pham vi quan ly, gui bao cao bang van ban ve So Noi vu truoc ngay 15",
            False,
        ),
        ("Ký bởi: ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG", True),  # too short to judge
        ("Z (m) W (106m3) F (km2) " * 8, True),  # a chart's labels: syllables all
    ],
)
def test_text_layer_quality(text: str, ok: bool) -> None:
    from extractor.ingest.quality import quality

    assert quality(text).ok is ok
