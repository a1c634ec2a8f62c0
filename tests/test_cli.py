"""The command line: batch runs that never die on one bad file, exit codes, `show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.cli import main

GOOD = "Chủ tịch UBND tỉnh có ý kiến như sau: Giao Sở Y tế kiểm tra các cơ sở trước ngày 15/9/2020."


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    d = tmp_path / "inbox"
    d.mkdir()
    (d / "good.txt").write_text(GOOD, encoding="utf-8")
    (d / "page.html").write_text(f"<html><body><p>{GOOD}</p></body></html>", encoding="utf-8")
    (d / "notasks.txt").write_text("Ngày 5/6/2020, UBND tỉnh tổ chức hội nghị.", encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02\x03\xff\xfe\x00" * 50)
    (d / "latin.txt").write_bytes(b"Giao Ph\x81\x8d\x8e\x90ng")
    (d / "blank.html").write_text("<html><body><script>x()</script></body></html>")
    (d / "ignored.odt").write_bytes(b"PK\x03\x04")  # not a suffix the tool reads
    (d / "broken.pdf").write_bytes(b"%PDF-1.4 cut short")
    return d


def test_batch_survives_bad_files(
    inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["run", str(inbox), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert sorted(p.name for p in out.glob("*.json")) == ["good.json", "notasks.json", "page.json"]
    listed = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert sorted(Path(e["path"]).name for e in listed) == [
        "binary.txt",
        "blank.html",
        "broken.pdf",
        "empty.txt",
        "latin.txt",
    ]
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 5
    for name in ("empty.txt", "binary.txt", "latin.txt", "blank.html", "broken.pdf"):
        assert sum(name in e for e in errors) == 1, name
    good = json.loads((out / "good.json").read_text(encoding="utf-8"))
    assert good["tasks"][0]["units"] == ["Sở Y tế"]
    assert good["tasks"][0]["deadline"]["date"] == "2020-09-15"
    assert json.loads((out / "notasks.json").read_text(encoding="utf-8"))["tasks"] == []


def test_all_good_exits_zero(inbox: Path, tmp_path: Path) -> None:
    assert main(["run", str(inbox / "good.txt"), "-o", str(tmp_path / "o"), "-q"]) == 0


def test_output_name_never_comes_from_the_text(tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("Số: 12/../../etc/passwd\n" + GOOD, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(src), "-o", str(out), "-q"]) == 0
    assert [p.name for p in out.glob("*.json")] == ["x.json"]


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.txt"
    src.write_text(GOOD, encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["run", str(src), "-o", str(blocker / "out"), "-q"]) == 1
    assert "cannot write to the output folder" in capsys.readouterr().err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run"])
    assert info.value.code == 2
    assert main(["run", str(tmp_path), "-o", str(tmp_path / "o")]) == 2  # no notices found


def test_show(inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["run", str(inbox / "good.txt"), "-o", str(tmp_path / "o"), "-q"])
    assert main(["show", str(tmp_path / "o" / "good.json")]) == 0
    shown = capsys.readouterr().out
    assert "units: Sở Y tế" in shown and "due 2020-09-15" in shown
    assert main(["show", str(tmp_path / "missing.json")]) == 1


def test_no_temporary_files_left(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    main(["run", str(inbox), "-o", str(out), "-q"])
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
