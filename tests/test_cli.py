"""The command line: batch runs that never die on one bad file, exit codes, `show`."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from extractor import extract
from extractor.batch import INPUT_SUFFIXES
from extractor.cli import UNITS_SHOWN, build_parser, main
from extractor.days import parse_day
from extractor.errors import InputError

from .conftest import ROOT

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
    (d / "ignored.odt").write_bytes(b"PK\x03\x04")  # a format the tool does not read: named
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
        "ignored.odt",
        "latin.txt",
    ]
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 6
    for name in ("empty.txt", "binary.txt", "latin.txt", "blank.html", "broken.pdf", "ignored.odt"):
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
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write to {blocker / 'out'} (") and "with -o." in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run"])
    assert info.value.code == 2
    assert main(["run", str(tmp_path), "-o", str(tmp_path / "o")]) == 2  # no notices found
    assert not (tmp_path / "o").exists()


def test_show(inbox: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["run", str(inbox / "good.txt"), "-o", str(tmp_path / "o"), "-q"])
    assert main(["show", str(tmp_path / "o" / "good.json")]) == 0
    shown = capsys.readouterr().out
    assert "units: Sở Y tế" in shown and "due 2020-09-15" in shown
    assert main(["show", str(inbox / "good.txt")]) == 1
    assert "cannot be read as task JSON" in capsys.readouterr().err


def test_no_temporary_files_left(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    main(["run", str(inbox), "-o", str(out), "-q"])
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


# ------------------------------------------------------------------ arguments and messages
# Each row: the command (run in a folder holding good.txt, x.tasks.csv and an empty folder
# `empty`), and what its one-line error says. None writes anything: no `out` appears.
USAGE_ERRORS = [
    (["run", "nosuch.txt", "-o", "out"], "argument paths: nosuch.txt: no such file or folder"),
    (["run", "good.txt", "nosuch", "-o", "out"], "argument paths: nosuch: no such file or folder"),
    (["run", "good.txt", "-o", "out", "--rules", "nosuch"], "argument --rules: nosuch: no such"),
    (["run", "good.txt", "-o", "out", "--rules", "good.txt"], "good.txt is not a folder"),
    (["run", "good.txt", "-o", "out", "-j", "-1"], "'-1' is not a number of processes"),
    (["show", "empty"], "argument file: empty is a folder; give a file"),
    (["review", "nosuch.json", "-o", "out"], "argument files: nosuch.json: no such file"),
    (["validate", "nosuch.tasks.csv"], "argument files: nosuch.tasks.csv: no such file"),
    (["apply", "nosuch.tasks.csv"], "argument csv: nosuch.tasks.csv: no such file or folder"),
    (["apply", "x.tasks.csv", "--json", "nosuch.json"], "argument --json: nosuch.json: no such"),
    (["sheets", "nosuch", "-o", "out"], "argument folder: nosuch: no such file or folder"),
    (["sheets", "good.txt", "-o", "out"], "argument folder: good.txt is not a folder"),
    (["sheets", "empty", "-o", "out", "--format", "html,nosuch"], "formats are html, md"),
    (
        ["sheets", "empty", "-o", "out", "--date", "5.3.2025"],
        "argument --date: '5.3.2025' is not a date; write it as YYYY-MM-DD or dd/mm/yyyy",
    ),
    (["tracker", "empty", "--as-of", "31/02/2025", "-o", "out"], "'31/02/2025' is not a real"),
    (["tracker", "empty", "--as-of", "tomorrow", "-o", "out"], "'tomorrow' is not a date;"),
    (["tracker", "empty", "-o", "out"], "the following arguments are required: --as-of"),
]


@pytest.mark.parametrize(
    ("argv", "message"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_usage_error_is_one_line_and_writes_nothing(
    argv: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("good.txt").write_text(GOOD, encoding="utf-8")
    Path("x.tasks.csv").write_text("id\n", encoding="utf-8")
    Path("empty").mkdir()
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith(f"extractor {argv[0]}: error: ") and message in error, error
    assert not Path("out").exists()


def test_extract_of_a_missing_path_is_an_error() -> None:
    with pytest.raises(InputError, match=r"samples/nosuch\.txt: no such file\. Give an existing"):
        extract("samples/nosuch.txt")
    assert [[u.text for u in t.units] for t in extract(GOOD).tasks] == [["Sở Y tế"]]  # text


def test_run_help_lists_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0
    shown = set(re.findall(r"\.[a-z]+\b", capsys.readouterr().out))
    assert shown >= INPUT_SUFFIXES, INPUT_SUFFIXES - shown
    assert {".txt", ".html", ".docx", ".doc", ".pdf", ".png"} <= INPUT_SUFFIXES


def test_every_argument_has_help() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert {"run", "show", "review", "validate", "apply", "sheets", "tracker"} <= set(
        commands.choices
    )
    undocumented = [
        f"{name} {action.dest}"
        for name, sub in commands.choices.items()
        for action in sub._actions
        if not action.help and not isinstance(action, argparse._HelpAction)
    ]
    assert undocumented == []
    assert all(choice.help for choice in commands._choices_actions)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025-03-05", date(2025, 3, 5)),
        ("05/03/2025", date(2025, 3, 5)),
        ("5/3/2025", date(2025, 3, 5)),
        (" 15/06/2025 ", date(2025, 6, 15)),
        ("2024-02-29", date(2024, 2, 29)),
        ("29/02/2023", "'29/02/2023' is not a real date."),
        ("2025-13-01", "'2025-13-01' is not a real date."),
        ("2025/03/05", "'2025/03/05' is not a date; write it as YYYY-MM-DD or dd/mm/yyyy"),
        ("05-03-2025", "'05-03-2025' is not a date;"),
        ("05/03/25", "'05/03/25' is not a date;"),
        ("20250305", "'20250305' is not a date;"),
        ("", "'' is not a date;"),
    ],
)
def test_days_typed_by_people(text: str, day: date | str) -> None:
    if isinstance(day, date):
        assert parse_day(text) == day
    else:
        with pytest.raises(ValueError) as info:
            parse_day(text)
        assert str(info.value).startswith(day)


@pytest.mark.parametrize(
    ("argv", "dest"),
    [
        (["sheets", "{d}", "-o", "out", "--date", "{day}"], "date"),
        (["tracker", "{d}", "--as-of", "{day}"], "as_of"),
        (["tracker", "{d}", "--as-of", "2025-03-01", "--date", "{day}"], "date"),
        (["serve", "--db", "x.db", "--as-of", "{day}"], "as_of"),
    ],
)
@pytest.mark.parametrize("day", ["2025-03-05", "05/03/2025"])
def test_every_date_option_takes_both_forms(
    argv: list[str], dest: str, day: str, tmp_path: Path
) -> None:
    args = build_parser().parse_args([a.format(d=tmp_path, day=day) for a in argv])
    assert getattr(args, dest) == date(2025, 3, 5)


def test_tracker_of_an_empty_folder_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tracker", str(tmp_path), "--as-of", "05/03/2025"]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path} holds no task JSON with tasks.\n"
    assert list(tmp_path.iterdir()) == []


def test_sheets_say_which_tasks_they_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same notice read twice (its text and a copy) counts once; tasks with no unit have
    no sheet; the units without an alias are named a few on the console, all in a file."""
    out = tmp_path / "o"
    assert main(["run", str(ROOT / "samples" / "000.txt"), "-o", str(out), "-q"]) == 0
    shutil.copy2(out / "000.json", out / "000-copy.json")
    tasks = json.loads((out / "000.json").read_text(encoding="utf-8"))["tasks"]
    no_sheet = sum(1 for t in tasks if not t["units"] and not t["coordinators"])
    assert main(["sheets", str(out), "-o", str(tmp_path / "s"), "--format", "md"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(f" unit sheets, {len(tasks) - no_sheet} tasks -> {tmp_path / 's'}")
    why = f"Of the {2 * len(tasks)} tasks in 2 task JSON files, {len(tasks)} repeat a notice "
    assert lines[1].startswith(why + "read from another file (counted once)")
    assert (f"; {no_sheet} have no unit, so no sheet" in lines[1]) == bool(no_sheet)
    listed = (tmp_path / "s" / "units-without-alias.txt").read_text(encoding="utf-8").split("\n")
    head = f"{len(listed) - 1} units have no alias in rules/units.yaml (kept as written), all "
    assert any(line.startswith(head) for line in lines), lines
    wrapped = [line for line in lines if line.startswith("  ")]
    assert all(len(line) <= 100 for line in wrapped) and len(wrapped) <= 3
    shown = " ".join(line.strip() for line in wrapped)
    assert shown.startswith(listed[0] + "; ")
    if len(listed) - 1 > UNITS_SHOWN:
        assert shown.endswith(f"; and {len(listed) - 1 - UNITS_SHOWN} more")
