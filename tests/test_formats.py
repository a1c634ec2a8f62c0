"""Word, PDF (text and scanned) and legacy encodings give the same tasks as the text notice."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest

from extractor import extract
from extractor.batch import BatchOptions, run_batch
from extractor.errors import InputError
from extractor.ingest import decode, ingest_path
from extractor.ingest.legacy import detect, from_tcvn3, from_vni, to_tcvn3, to_vni

from .conftest import ROOT, SHARED_EVAL
from .formats import available, table_docx, to_doc, to_docx, to_pdf, to_scan

SEED = ROOT / "samples" / "000.txt"
GOLD = SHARED_EVAL / "dev" / "gold" / "000.json"
OCR = shutil.which("tesseract") is not None and available()
SOFFICE = shutil.which("soffice") is not None
HEADER = ["TT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian hoàn thành"]
ROWS = [
    [
        "1",
        "Rà soát, đơn giản hóa thủ tục hành chính của huyện",
        "Văn phòng HĐND và UBND huyện",
        "Các cơ quan chuyên môn thuộc UBND huyện",
        "Quý II/2021",
    ],
    [
        "2",
        "Tổ chức tuyên truyền cải cách hành chính",
        "Phòng VH&TT",
        "UBND các xã, thị trấn",
        "Thường xuyên",
    ],
    [
        "3",
        "Kiểm tra công tác cải cách hành chính tại các xã",
        "Phòng Nội vụ",
        "Phòng Tư pháp",
        "Tháng 9/2021",
    ],
]
BEFORE = (
    "Châu Thành, ngày 15 tháng 01 năm 2021\nKẾ HOẠCH\nCải cách hành chính năm 2021\n"
    "Chủ tịch UBND huyện phân công nhiệm vụ như sau:"
)
EXPECTED_ROWS = [
    (["Văn phòng HĐND và UBND huyện"], ["Các cơ quan chuyên môn thuộc UBND huyện"], "2021-06-30"),
    (["Phòng VH&TT"], ["UBND các xã, thị trấn"], None),
    (["Phòng Nội vụ"], ["Phòng Tư pháp"], "2021-09-30"),
]


def e2e_on_seed(path: Path, tmp_path: Path) -> float:
    spec = importlib.util.spec_from_file_location("score", SHARED_EVAL / "score.py")
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold, pred = tmp_path / "gold", tmp_path / "pred"
    gold.mkdir()
    shutil.copy(GOLD, gold / "000.json")
    assert run_batch(BatchOptions(paths=(path,), out_dir=pred, quiet=True, jobs=1)) == 0
    (pred / f"{path.stem}.json").rename(pred / "000.json")
    result: float = score.score(gold, pred)["e2e_f1"]
    return result


pytestmark = pytest.mark.skipif(not GOLD.exists(), reason="../shared/eval is absent")


def test_docx_with_word_numbering(tmp_path: Path) -> None:
    docx = tmp_path / "seed.docx"
    docx.write_bytes(to_docx(SEED.read_text(encoding="utf-8")))
    notice = extract(docx)
    assert "\n1. Về công tác lập hồ sơ" in notice.document.text  # numbers written out
    assert "\n- Yêu cầu Thủ trưởng" in notice.document.text
    assert notice.document.locations[0][2] == "paragraph 1"
    assert e2e_on_seed(docx, tmp_path) >= 0.95


@pytest.mark.skipif(not available(), reason="needs DejaVu fonts and poppler-utils")
def test_text_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "seed.pdf"
    pdf.write_bytes(to_pdf(SEED.read_text(encoding="utf-8")))
    notice = extract(pdf)
    assert notice.document.locations[0][2].startswith("page 1, ")
    assert "\n1\n" not in notice.document.text  # page numbers dropped
    assert e2e_on_seed(pdf, tmp_path) >= 0.95


@pytest.mark.skipif(not available(), reason="needs DejaVu fonts and poppler-utils")
def test_ragged_right_pdf(tmp_path: Path) -> None:
    """Paragraphs wrapped at their own widths: each is joined by its own right edge (the
    page's widest line made "Chủ tịch / Ủy ban nhân dân" two paragraphs: e2e 0.84 before)."""
    pdf = tmp_path / "seed-ragged.pdf"
    pdf.write_bytes(to_pdf(SEED.read_text(encoding="utf-8"), ragged=True))
    # each paragraph one line, as typed (a break after a full stop is a paragraph's end too)
    lines = re.sub(r"(?<=[.:;!?])\n", " ", ingest_path(pdf).text).splitlines()
    paragraphs = [" ".join(p.split()) for p in SEED.read_text(encoding="utf-8").splitlines()]
    assert [p for p in paragraphs if p and not any(p in line for line in lines)] == []
    assert e2e_on_seed(pdf, tmp_path) >= 0.95


@pytest.mark.skipif(not OCR, reason="needs tesseract-ocr, tesseract-ocr-vie and poppler-utils")
def test_scanned_pdf(tmp_path: Path) -> None:
    scan = tmp_path / "seed-scan.pdf"
    scan.write_bytes(to_scan(to_pdf(SEED.read_text(encoding="utf-8"))))
    assert e2e_on_seed(scan, tmp_path) >= 0.90


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_task_table_gives_one_task_per_row(kind: str, tmp_path: Path) -> None:
    path = tmp_path / f"plan.{kind}"
    if kind == "pdf" and not available():
        pytest.skip("needs DejaVu fonts")
    path.write_bytes(
        table_docx(HEADER, ROWS, BEFORE) if kind == "docx" else to_pdf(BEFORE, (HEADER, ROWS))
    )
    tasks = extract(path).tasks
    got = [
        (
            [u.text for u in t.units],
            [c.text for c in t.coordinators],
            t.deadline.date.isoformat() if t.deadline and t.deadline.date else None,
        )
        for t in tasks
    ]
    assert got == EXPECTED_ROWS
    assert tasks[0].action.text == "rà soát, đơn giản hóa thủ tục hành chính của huyện"


def test_missing_tesseract_is_a_clear_error_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    shutil.copy(SEED, inbox / "seed.txt")
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "tesseract" else real(name))
    with pytest.raises(InputError, match="tesseract-ocr and tesseract-ocr-vie"):
        extract(inbox / "scan.png")
    out = tmp_path / "out"
    assert run_batch(BatchOptions(paths=(inbox,), out_dir=out, quiet=True, jobs=1)) == 1
    assert (out / "seed.json").exists()
    errors = (out / "errors.jsonl").read_text(encoding="utf-8")
    assert "scan.png" in errors and "tesseract-ocr-vie" in errors


WORDS = [
    ("Ủy ban nhân dân", "ñy ban nh©n d©n", "UÛy ban nhaân daân"),
    ("Phòng Nội vụ", "Phßng Néi vô", "Phoøng Noäi vuï"),
    ("đôn đốc, kiểm tra", "®«n ®èc, kiÓm tra", "ñoân ñoác, kieåm tra"),
    ("trước ngày 15 tháng 9", "tr\xadíc ngµy 15 th¸ng 9", "tröôùc ngaøy 15 thaùng 9"),
    ("Sở Tài chính", "Së Tµi chÝnh", "Sôû Taøi chính"),
    ("hướng dẫn, giám sát", "h\xadíng dÉn, gi¸m s¸t", "höôùng daãn, giaùm saùt"),
    ("quý III năm 2020", "quý III n¨m 2020", "quyù III naêm 2020"),
    ("Đề nghị Ủy ban", "§Ò nghÞ ñy ban", "Ñeà nghò UÛy ban"),
]


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), WORDS)
def test_legacy_word_table(unicode: str, tcvn3: str, vni: str) -> None:
    assert from_vni(vni) == unicode
    assert to_vni(unicode) == vni
    # TCVN3 keeps toned capitals in a capitals-only font: one font's text reads back lower-case
    assert from_tcvn3(tcvn3).lower() == unicode.lower()
    assert from_tcvn3(to_tcvn3(unicode)).lower() == unicode.lower()


def _tasks(path: Path) -> list[tuple[str, ...]]:
    return [
        (
            *[u.text.lower() for u in t.units],
            t.action.text.lower(),
            str(t.deadline and t.deadline.date),
        )
        for t in extract(path).tasks
    ]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_sample_gives_the_same_tasks(encoding: str, tmp_path: Path) -> None:
    for sample in ("000.txt", "tb-ket-luan-giao-ban.txt"):
        text = (ROOT / "samples" / sample).read_text(encoding="utf-8")
        legacy = tmp_path / f"{encoding}-{sample}"
        legacy.write_bytes(
            to_tcvn3(text).encode("latin-1")
            if encoding == "tcvn3"
            else to_vni(text).encode("cp1252")
        )
        assert extract(legacy).document.source.encoding == encoding
        assert _tasks(legacy) == _tasks(ROOT / "samples" / sample)
        if encoding == "vni":  # VNI keeps case: the whole JSON is the same but for the source
            a = json.loads(json.dumps(_json(legacy)))
            b = json.loads(json.dumps(_json(ROOT / "samples" / sample)))
            assert a["tasks"] == b["tasks"] and a["notice"] == b["notice"]


def _json(path: Path) -> dict[str, object]:
    from extractor import notice_to_dict

    return notice_to_dict(extract(path))


def test_docx_runs_in_legacy_fonts(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    run = doc.add_paragraph().add_run(to_tcvn3("Giao Phòng Nội vụ theo dõi, đôn đốc."))
    run.font.name = ".VnTime"
    run = doc.add_paragraph().add_run(to_vni("Sở Y tế kiểm tra các cơ sở."))
    run.font.name = "VNI-Times"
    par = doc.add_paragraph()
    run = par.add_run(to_tcvn3("ủy"))
    run.font.name = ".VnTimeH"  # TCVN3's capitals font: "ñy" there is "ỦY"
    run = par.add_run(to_tcvn3(" ban nhân dân tỉnh"))
    run.font.name = ".VnTime"
    path = tmp_path / "legacy.docx"
    doc.save(str(path))
    assert extract(path).document.text == (
        "Giao Phòng Nội vụ theo dõi, đôn đốc.\nSở Y tế kiểm tra các cơ sở.\nỦY ban nhân dân tỉnh"
    )


def test_unicode_and_windows_1258_are_left_alone() -> None:
    text = SEED.read_text(encoding="utf-8")
    assert detect(text) == (text, None)
    assert decode(text.encode("utf-8"))[1] == "utf-8"


def test_docx_header_typed_with_tab_stops_is_read_column_by_column(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    for line in (
        "ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỈNH BÌNH DƯƠNG\t\tĐộc lập - Tự do - Hạnh phúc",
        "\t\t",
        "Số: 09/2009/CT-UBND\tThủ Dầu Một, ngày 15 tháng 4 năm 2009",
        "CHỈ THỊ",
        "Giao Sở Y tế\tkiểm tra.",  # past the header block: a tab in the body stays a space
    ):
        doc.add_paragraph(line)
    path = tmp_path / "header.docx"
    doc.save(str(path))
    assert ingest_path(path).text.splitlines() == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH BÌNH DƯƠNG",
        "Số: 09/2009/CT-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thủ Dầu Một, ngày 15 tháng 4 năm 2009",
        "CHỈ THỊ",
        "Giao Sở Y tế kiểm tra.",
    ]


@pytest.mark.skipif(not SOFFICE, reason="needs libreoffice-writer-nogui")
def test_word_97_file_keeps_numbering_and_tables(tmp_path: Path) -> None:
    seed = tmp_path / "seed.doc"
    seed.write_bytes(to_doc(to_docx(SEED.read_text(encoding="utf-8"))))
    notice = extract(seed)
    assert notice.document.source.format == "doc"
    assert "\n1. Về công tác lập hồ sơ" in notice.document.text  # Word's numbering, written out
    assert e2e_on_seed(seed, tmp_path) >= 0.95
    real = SHARED_EVAL / "reservoir" / "corpus" / "r0170.doc"  # a plan typed in Word 2003
    if real.exists():
        doc = ingest_path(real)
        lines = doc.text.splitlines()
        assert lines[:3] == ["UBND TỈNH PHÚ THỌ", "SỞ THÔNG TIN VÀ TRUYỂN THÔNG", "Số: /KH-STTTT"]
        assert "Ngày 02/01/2011 (thứ 2) | Văn phòng | Phòng Bưu chính" in lines  # a table row
        assert doc.locations[0][2] == "table 1 row 1 cell 1"


def test_doc_that_is_a_web_page_or_a_docx_is_read_as_what_it_is(tmp_path: Path) -> None:
    page = tmp_path / "ke-hoach.doc"  # Word's "save as web page", named .doc
    page.write_bytes(
        "\ufeff<html><body><p>Giao Sở Y tế kiểm tra các cơ sở.</p></body></html>".encode()
    )
    doc = ingest_path(page)
    assert (doc.text, doc.source.format) == ("Giao Sở Y tế kiểm tra các cơ sở.", "html")
    docx = tmp_path / "renamed.doc"
    docx.write_bytes(to_docx("Giao Sở Y tế kiểm tra."))
    assert ingest_path(docx).text == "Giao Sở Y tế kiểm tra."


def test_doc_without_libreoffice_names_the_package_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    shutil.copy(SEED, inbox / "seed.txt")
    real = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name: None if name in ("soffice", "libreoffice") else real(name)
    )
    with pytest.raises(InputError, match="libreoffice-writer-nogui") as caught:
        extract(inbox / "old.doc")
    assert "\n" not in str(caught.value)  # one line
    out = tmp_path / "out"
    assert run_batch(BatchOptions(paths=(inbox,), out_dir=out, quiet=True, jobs=1)) == 1
    assert (out / "seed.json").exists()
    errors = (out / "errors.jsonl").read_text(encoding="utf-8")
    assert "old.doc" in errors and "libreoffice-writer-nogui" in errors


@pytest.mark.skipif(not OCR, reason="needs tesseract-ocr, tesseract-ocr-vie and poppler-utils")
def test_ocr_cache_serves_a_page_again_and_can_be_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractor.ingest import ocr

    scan = ROOT / "samples" / "formats" / "seed-scan.pdf"
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(tmp_path / "cache"))
    first = ingest_path(scan)
    entries = sorted((tmp_path / "cache").glob("*/*.tsv"))
    assert len(entries) == 2  # one per page image
    assert [reason for _, reason in first.source.ocr_pages] == ["no text layer"] * 2
    runs = []
    real_run = ocr._run
    monkeypatch.setattr(ocr, "_run", lambda *a: runs.append(1) or real_run(*a))
    assert ingest_path(scan).text == first.text and runs == []  # served from the cache
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", "off")
    assert ingest_path(scan).text == first.text and len(runs) == 2  # read again, not stored
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE_MB", "0.00001")  # a limit under one entry
    ocr._store(tmp_path / "cache" / "ab" / "ab.tsv", "x" * 100)
    assert len(list((tmp_path / "cache").glob("*/*.tsv"))) == 0


def test_a_pdf_is_read_from_its_pages_ocred_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """The three steps a Dask cluster takes one task each: which pages need OCR, then the text
    from the lines their tasks gave, with no OCR here."""
    from extractor.ingest import ocr
    from extractor.ingest.pdf import ocr_plan, read_pdf

    def no_ocr(*args: object) -> str:
        raise AssertionError("a page given was OCR'd again")

    monkeypatch.setattr(ocr, "_run", no_ocr)
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", "off")
    data = (ROOT / "samples" / "formats" / "seed-scan.pdf").read_bytes()
    assert ocr_plan(data, "scan.pdf") == ((1, "no text layer"), (2, "no text layer"))
    given = {1: [("Kính gửi các sở.", False, 120.0)], 2: [("Nơi nhận:", False, 80.0)]}
    reading = read_pdf(data, "scan.pdf", ocr_done=given)
    assert reading.text == "Kính gửi các sở.\nNơi nhận:"
    assert reading.locations == (
        (0, 16, "page 1 (OCR), 120 px at 300 dpi from the top"),
        (17, 26, "page 2 (OCR), 80 px at 300 dpi from the top"),
    )
    assert reading.ocr_pages == ((1, "no text layer"), (2, "no text layer"))


@pytest.mark.skipif(not OCR, reason="needs tesseract-ocr, tesseract-ocr-vie and poppler-utils")
def test_a_page_ocr_cannot_read_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.ingest import ocr

    def refuse(exe: str, image: bytes, path: object) -> str:
        raise InputError(path, "could not be read by OCR (Tesseract refused it).", "Check it.")

    monkeypatch.setattr(ocr, "_run", refuse)
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", "off")
    scan = ROOT / "samples" / "formats" / "seed-scan.pdf"
    with pytest.raises(InputError) as refused:
        ingest_path(scan)
    assert str(refused.value) == (
        f"[E100] {scan}: page 1 could not be read by OCR (Tesseract refused it). Check it."
    )


@pytest.mark.skipif(not OCR, reason="needs tesseract-ocr, tesseract-ocr-vie and DejaVu fonts")
def test_run_no_cache_leaves_the_cache_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image, ImageDraw, ImageFont

    from extractor.cli import main
    from tests.formats import FONT

    image = Image.new("L", (1400, 160), 255)
    ImageDraw.Draw(image).text(
        (40, 50), "Giao Sở Y tế kiểm tra.", font=ImageFont.truetype(str(FONT), 48)
    )
    scan = tmp_path / "in" / "scan.png"
    scan.parent.mkdir()
    image.save(scan)
    cache = tmp_path / "cache"
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(cache))
    assert main(["run", str(scan), "-o", str(tmp_path / "a"), "-q", "--no-cache"]) == 0
    assert not cache.exists()
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(cache))
    assert main(["run", str(scan), "-o", str(tmp_path / "b"), "-q"]) == 0
    assert len(list(cache.glob("*/*.tsv"))) == 1
    assert "Sở Y tế" in json.loads((tmp_path / "b" / "scan.json").read_text())["text"]


@pytest.mark.skipif(not OCR, reason="needs tesseract-ocr, tesseract-ocr-vie and DejaVu fonts")
def test_word_file_of_page_pictures_is_read_by_ocr(tmp_path: Path) -> None:
    from docx import Document
    from PIL import Image, ImageDraw, ImageFont

    from tests.formats import FONT

    image = Image.new("L", (1400, 160), 255)
    font = ImageFont.truetype(str(FONT), 48)
    ImageDraw.Draw(image).text((40, 50), "Giao Sở Y tế kiểm tra.", font=font)
    picture = tmp_path / "page.png"
    image.save(picture)
    doc = Document()
    doc.add_picture(str(picture))
    path = tmp_path / "scanned.docx"
    doc.save(str(path))
    read = ingest_path(path)
    assert "Sở Y tế" in read.text
    assert read.source.ocr_pages == ((1, "the Word file holds this page only as a picture"),)
    assert read.locations[0][2].startswith("picture 1 (OCR)")


# One file of each kind the reservoir's notes single out (its README): every file gives a JSON
# or a line in errors.jsonl naming it and why; none crashes the batch, none is passed over.
RESERVOIR_SAMPLE = {
    "r0001.txt": ("text", ()),  # markdown pipe-table header
    "r0069.html": ("html", ()),  # a whole portal page with its chrome
    "r0103.html": ("html", ()),  # 336 KB: an inline base64 image
    "r0105.html": None,  # a stub post: title and link only -> "no visible text"
    "r0108.pdf": ("pdf", ()),  # clean text layer with ruled tables
    "r0123.pdf": ("pdf", (1, 2)),  # junk bytes before %PDF, a text layer without diacritics
    "r0133.pdf": ("pdf", (1,)),  # a scan without text layer
    "r0155.docx": ("docx", ()),
    "r0171.doc": ("doc", ()),  # Word 97 typed in the TCVN3 fonts
    "r0172.doc": ("html", ()),  # a web page saved as .doc
}


@pytest.mark.skipif(not (OCR and SOFFICE), reason="needs Tesseract and LibreOffice")
def test_reservoir_sample_every_file_accounted_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = SHARED_EVAL / "reservoir" / "corpus"
    if not corpus.exists():
        pytest.skip("../shared/eval/reservoir is absent")
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in RESERVOIR_SAMPLE:
        shutil.copy(corpus / name, inbox / name)
    (inbox / "minutes.odt").write_bytes(b"PK\x03\x04")  # a format the tool does not read
    monkeypatch.setenv("EXTRACTOR_OCR_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out"
    assert run_batch(BatchOptions(paths=(inbox,), out_dir=out, quiet=True, jobs=2)) == 1
    errors = {
        Path(e["path"]).name: e
        for e in map(json.loads, (out / "errors.jsonl").read_text(encoding="utf-8").splitlines())
    }
    assert sorted(errors) == ["minutes.odt", "r0105.html"]
    assert "format not supported" in json.dumps(errors["minutes.odt"], ensure_ascii=False)
    assert "no visible text" in json.dumps(errors["r0105.html"], ensure_ascii=False)
    for name, expected in RESERVOIR_SAMPLE.items():
        if expected is None:
            continue
        source = json.loads((out / f"{Path(name).stem}.json").read_text(encoding="utf-8"))["source"]
        pages = tuple(p["page"] for p in source.get("ocr_pages", []))
        assert (source["format"], pages) == expected, name


@pytest.mark.skipif(not SOFFICE, reason="needs libreoffice-writer-nogui")
def test_a_conversion_past_its_time_is_ended_with_its_children(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from extractor.ingest import doc

    monkeypatch.setattr(doc, "TIMEOUT", 0.05)
    path = tmp_path / "seed.doc"
    path.write_bytes(to_doc(to_docx("Giao Sở Y tế kiểm tra.")))
    with pytest.raises(InputError, match="took LibreOffice over"):
        ingest_path(path)
    profile = str(doc._profile())
    running = subprocess.run(["pgrep", "-f", profile], capture_output=True, text=True).stdout
    assert running == ""  # neither the launcher nor soffice.bin is left
