"""The register: statuses, next due dates, import (one notice from several files, re-import
keeping every correction), edits and their history, versions, migrations, backups, XLSX,
users and the unit directory."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml
from sqlalchemy import create_engine, func, select, text

from extractor.register.backup import backup
from extractor.register.db import Register, current_revision, db_url, open_register, upgrade
from extractor.register.directory import aliases_yaml, load_directory, merge_units
from extractor.register.edits import (
    Conflict,
    Invalid,
    add_task,
    extend_task,
    mark_done,
    patch_task,
    reject_task,
)
from extractor.register.importer import IMPORTER, import_paths
from extractor.register.models import History, Notice, NoticeFile, Task, Unit
from extractor.register.users import LoginFailed, add_user, login, verify_password
from extractor.register.views import View, list_tasks, open_flags, task_view
from extractor.register.xlsx import HEADERS, XlsxError, read_xlsx, write_xlsx
from extractor.rules import RuleSet
from extractor.status import next_due, status_of
from tests.register_data import fresh_register_file, load, sample_jsons, save

D = date.fromisoformat
AS_OF = D("2020-09-01")


@pytest.mark.parametrize(
    ("due", "recurring", "done", "soon", "expected"),
    [
        ("2020-09-10", None, "2020-09-10", 7, "done_on_time"),
        ("2020-09-10", None, "2020-09-11", 7, "done_late"),
        (None, None, "2020-08-01", 7, "done_on_time"),
        (None, "monthly", "2020-08-01", 7, "done_on_time"),
        ("2020-08-31", None, None, 7, "overdue"),
        ("2020-09-01", None, None, 7, "due_soon"),
        ("2020-09-08", None, None, 7, "due_soon"),
        ("2020-09-09", None, None, 7, "open"),
        ("2020-09-05", None, None, 3, "open"),
        ("2020-09-04", None, None, 3, "due_soon"),
        (None, "monthly", None, 7, "recurring"),
        (None, None, None, 7, "no_deadline"),
    ],
)
def test_status(
    due: str | None, recurring: str | None, done: str | None, soon: int, expected: str
) -> None:
    got = status_of(
        due=D(due) if due else None,
        recurring=recurring,
        done_date=D(done) if done else None,
        as_of=AS_OF,
        soon_days=soon,
    )
    assert got == expected


@pytest.mark.parametrize(
    ("recurring", "text", "as_of", "expected"),
    [
        ("monthly", "trước ngày 15 hằng tháng", "2020-09-20", "2020-10-15"),
        ("monthly", "trước ngày 15 hằng tháng", "2020-09-15", "2020-09-15"),
        ("monthly", "ngày 25 hằng tháng", "2020-12-26", "2021-01-25"),
        ("monthly", "ngày 31 hằng tháng", "2021-02-10", "2021-02-28"),
        ("monthly", "hằng tháng", "2020-09-02", "2020-09-30"),
        ("quarterly", "định kỳ hằng quý", "2020-08-01", "2020-09-30"),
        ("half-yearly", "định kỳ 6 tháng", "2020-07-01", "2020-12-31"),
        ("yearly", "hằng năm", "2020-03-01", "2020-12-31"),
        ("weekly", "Định kỳ hằng tuần", "2020-09-01", "2020-09-06"),  # the coming Sunday
        ("yearly", "trước ngày 15/12 hằng năm", "2020-03-01", "2020-12-15"),
        (None, "", "2020-09-01", None),
    ],
)
def test_next_due(recurring: str | None, text: str, as_of: str, expected: str | None) -> None:
    got = next_due(recurring, text, D(as_of))
    assert (got.isoformat() if got else None) == expected


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    return sample_jsons(tmp_path / "json")


@pytest.fixture
def register(tmp_path: Path) -> Register:
    return open_register(fresh_register_file(tmp_path / "register.db"))


def _view(reg: Register) -> View:
    with reg.session() as s:
        return View(AS_OF, load_directory(s))


def test_db_url_and_wal(tmp_path: Path) -> None:
    assert db_url("postgresql://u@h/db") == "postgresql://u@h/db"
    assert db_url(tmp_path / "a.db") == f"sqlite:///{tmp_path / 'a.db'}"
    reg = open_register(tmp_path / "sub" / "a.db")
    assert current_revision(reg.engine) == "0002"
    mode = sqlite3.connect(tmp_path / "sub" / "a.db").execute("PRAGMA journal_mode").fetchone()
    assert mode == ("wal",)


def test_import_counts_one_notice_per_number_date_issuer(
    register: Register, samples: Path, rules: RuleSet
) -> None:
    seed = load(samples / "000.json")
    as_word = dict(seed, source={**seed["source"], "sha256": "f" * 64, "format": "docx"})
    save(samples / "000-word.json", as_word)
    with register.session() as s:
        report = import_paths(s, [samples], rules)
        assert report.errors == []
        assert report.same_notice == 1
        notice = s.scalar(select(Notice).where(Notice.number == seed["notice"]["number"]))
        assert notice is not None
        assert sorted(f.path.rsplit("/", 1)[-1] for f in notice.files) == [
            "000-word.json",
            "000.json",
        ]
        assert len(notice.tasks) == len(seed["tasks"])
        files = len(list(samples.glob("*.json")))
        assert s.scalar(select(func.count()).select_from(NoticeFile)) == files
        assert s.scalar(select(func.count()).select_from(Notice)) == report.notices_new
        again = import_paths(s, [samples], rules)
        assert (again.tasks_added, again.tasks_updated, again.notices_new) == (0, 0, 0)


def test_import_reports_bad_file_and_goes_on(
    register: Register, samples: Path, rules: RuleSet
) -> None:
    (samples / "broken.json").write_text("{not json", encoding="utf-8")
    (samples / "other.json").write_text('{"a": 1}', encoding="utf-8")
    with register.session() as s:
        report = import_paths(s, [samples], rules)
    assert len(report.errors) == 2
    assert "broken.json: cannot be imported" in report.errors[0]
    assert report.notices_new > 0


def _task(s: object, notice: Notice, ext_id: str) -> Task:
    return next(t for t in notice.tasks if t.ext_id == ext_id)


def test_reimport_keeps_every_correction(register: Register, samples: Path, rules: RuleSet) -> None:
    path = samples / "000.json"
    seed = load(path)
    with register.session() as s:
        import_paths(s, [path], rules)
        notice = s.scalars(select(Notice)).one()
        a, b, c, e = (_task(s, notice, x).id for x in ("T1", "T2", "T3", "T5"))
        v = s.get(Task, a)
        assert v is not None
        patch_task(s, a, {"version": v.version, "units": ["Phòng Tư pháp huyện"]}, "lan")
        reject_task(s, b, "lan")
        mark_done(s, c, {"date": "2020-09-05", "result": "Báo cáo số 12/BC"}, "lan")
        added = add_task(s, {"notice_id": notice.id, "action": "Báo cáo kết quả"}, "lan").id
    # a rules change: new action words everywhere, new units for T5, T6 no longer found
    for t in seed["tasks"]:
        t["action"] = "MỚI " + t["action"]
    seed["tasks"][4]["units"] = ["Phòng Nội vụ huyện"]
    gone = seed["tasks"].pop(5)
    save(path, seed)
    with register.session() as s:
        report = import_paths(s, [path], rules)
        assert report.tasks_dropped == 1
        ta, tb, tc, te = (s.get(Task, i) for i in (a, b, c, e))
        assert ta and tb and tc and te
        assert ta.units == ["Phòng Tư pháp huyện"]  # the person's unit stays
        assert ta.action.startswith("MỚI ")  # the field nobody touched follows the rules
        assert tb.rejected and tc.done_date == D("2020-09-05")
        assert tc.done_result == "Báo cáo số 12/BC"
        assert te.units == ["Phòng Nội vụ huyện"]
        dropped = s.scalars(select(Task).where(Task.ext_id == gone["id"])).one()
        assert dropped.rejected
        assert s.get(Task, added) is not None
        who = {h.who for h in te.history}
        assert IMPORTER in who
        fields = [(h.who, h.field) for h in ta.history]
        assert ("lan", "units") in fields and (IMPORTER, "action") in fields


def test_history_records_who_field_before_after(
    register: Register, samples: Path, rules: RuleSet
) -> None:
    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        task = s.scalars(select(Task).where(Task.ext_id == "T2")).one()
        before = task.deadline
        patch_task(s, task.id, {"version": 1, "deadline": "2020-09-30"}, "lan")
        extend_task(s, task.id, {"date": "2020-10-15", "note": "công văn 5/UBND"}, "minh")
        h = s.scalars(select(History).where(History.task_id == task.id).order_by(History.id))
        rows = [(x.who, x.field, x.before, x.after) for x in h]
    assert rows[1:] == [
        ("lan", "deadline", json.dumps(before.isoformat()) if before else None, '"2020-09-30"'),
        ("minh", "extended_to", None, '"2020-10-15"'),
        ("minh", "extension_note", '""', '"công văn 5/UBND"'),
    ]
    assert rows[0][:2] == (IMPORTER, "created")


def test_stale_version_and_racing_editors(
    register: Register, samples: Path, rules: RuleSet
) -> None:
    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        tid = s.scalars(select(Task).where(Task.ext_id == "T1")).one().id
    first, second = register.session(), register.session()
    assert second.get(Task, tid) is not None  # the second editor has read version 1
    patch_task(first, tid, {"version": 1, "action": "Sửa của người thứ nhất"}, "lan")
    with pytest.raises(Conflict) as stale:  # passes the check on its old copy; the UPDATE fails
        patch_task(second, tid, {"version": 1, "action": "Sửa của người thứ hai"}, "minh")
    assert stale.value.task.version == 2
    with register.session() as s:
        with pytest.raises(Conflict):
            patch_task(s, tid, {"version": 1, "action": "muộn"}, "minh")
        task = s.get(Task, tid)
        assert task is not None
        assert (task.action, task.version) == ("Sửa của người thứ nhất", 2)
    first.close()
    second.close()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"version": 1, "deadline": "30/09/2020"}, "deadline: '30/09/2020' không phải ngày"),
        ({"version": 1, "units": "Phòng A; Phòng B", "colour": 1}, "Trường không sửa được: colour"),
        ({"version": 1, "action": "  "}, "action: nội dung nhiệm vụ không được để trống"),
        ({"version": 1, "recurring": "sometimes"}, "recurring: một trong"),
        ({"units": ["A"]}, "version: gửi kèm"),
    ],
)
def test_invalid_edits_change_nothing(
    register: Register, samples: Path, rules: RuleSet, payload: dict[str, object], message: str
) -> None:
    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        task = s.scalars(select(Task).where(Task.ext_id == "T1")).one()
        with pytest.raises(Invalid, match=re.escape(message)):
            patch_task(s, task.id, payload, "lan")
        s.rollback()
        assert s.get(Task, task.id).version == 1  # type: ignore[union-attr]


def test_upgrade_from_the_first_version_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    upgrade(engine, "0001")  # the register as the previous version made it
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO notices (id, key, number, date, issuer, type, subject, text, "
                "source_sha, imported_at) VALUES (1, 'k', '49/TB-VPUBND', '2020-08-06', 'UBND', "
                "'TB', NULL, 'văn bản', 'aa', '2020-09-01 08:00:00')"
            )
        )
        c.execute(
            text(
                "INSERT INTO tasks (id, notice_id, anchor, ext_id, section, units, coordinators, "
                "action, deadline, deadline_text, recurring, evidence, spans, flags, confidence, "
                "checked, rejected, done_date, done_result, touched, version) VALUES (1, 1, "
                "'0:1', 'T1', '1', :u, :c, 'Lập hồ sơ', '2020-09-10', 'ngày 10/9', NULL, 'câu', "
                "'{}', '[]', "
                "0.9, 1, 0, NULL, '', '[\"units\"]', 3)"
            ),
            {"u": json.dumps(["Phòng Nội vụ"]), "c": json.dumps(["Phòng Tư pháp", "Phòng Nội vụ"])},
        )
        c.execute(
            text(
                "INSERT INTO history (task_id, at, who, field, before, after) VALUES "
                "(1, '2020-09-02 09:00:00', 'lan', 'units', '[\"UBND\"]', '[\"Phòng Nội vụ\"]')"
            )
        )
    assert current_revision(engine) == "0001"
    reg = open_register(tmp_path / "old.db")  # opening upgrades
    assert current_revision(reg.engine) == "0002"
    with reg.session() as s:
        task = s.get(Task, 1)
        assert task is not None
        assert (task.units, task.coordinators, task.touched, task.version, task.checked) == (
            ["Phòng Nội vụ"],
            ["Phòng Tư pháp", "Phòng Nội vụ"],
            ["units"],
            3,
            True,
        )
        assert (task.deadline, task.extended_to, task.extension_note) == (D("2020-09-10"), None, "")
        assert [(h.who, h.after) for h in task.history] == [("lan", '["Phòng Nội vụ"]')]
        assert sorted(u.name for u in s.scalars(select(Unit))) == ["Phòng Nội vụ", "Phòng Tư pháp"]
        extend_task(s, 1, {"version": 3, "date": "2020-10-01"}, "lan")  # the new column works
        assert s.get(Task, 1).extended_to == D("2020-10-01")  # type: ignore[union-attr]


def test_backup_sqlite_and_json(
    register: Register, samples: Path, rules: RuleSet, tmp_path: Path
) -> None:
    with register.session() as s:
        import_paths(s, [samples], rules)
        tasks = s.scalar(select(func.count()).select_from(Task))
    copy = backup(register, tmp_path / "bk" / "copy.db")
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM tasks").fetchone() == (tasks,)
    dump = json.loads(backup(register, tmp_path / "bk" / "all.json").read_text("utf-8"))
    assert len(dump["tables"]["tasks"]) == tasks
    assert "login_sessions" not in dump["tables"]
    assert not list((tmp_path / "bk").glob(".*tmp"))


def _sheet(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]


def _save(ws: openpyxl.worksheet.worksheet.Worksheet) -> bytes:
    buf = io.BytesIO()
    ws.parent.save(buf)
    return buf.getvalue()


def test_xlsx_round_trip(register: Register, samples: Path, rules: RuleSet) -> None:
    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        data = write_xlsx(s, _view(register))
    ws = _sheet(data)
    header = [c.value for c in ws[1]]
    assert header == list(HEADERS.values())
    col = {k: header.index(v) + 1 for k, v in HEADERS.items()}
    typed = [ws.cell(r, col["deadline"]).value for r in range(2, ws.max_row + 1)]
    assert any(isinstance(v, datetime) for v in typed)
    assert ws.freeze_panes == "A2"
    first_id = ws.cell(2, col["id"]).value
    ws.cell(2, col["deadline"]).value = "30/09/2020"  # typed by hand, as Vietnamese write it
    ws.cell(2, col["units"]).value = "Phòng Tư pháp huyện; Phòng Nội vụ huyện"
    new = ws.max_row + 1
    ws.cell(new, col["number"]).value = ws.cell(2, col["number"]).value
    ws.cell(new, col["notice_date"]).value = ws.cell(2, col["notice_date"]).value
    ws.cell(new, col["action"]).value = "Tổng hợp báo cáo quý"
    ws.cell(new, col["deadline"]).value = "2020-12-15"
    with register.session() as s:
        assert read_xlsx(s, _save(ws), "lan") == (1, 1)
        task = s.get(Task, first_id)
        assert task is not None
        assert task.deadline == D("2020-09-30")
        assert task.units == ["Phòng Tư pháp huyện", "Phòng Nội vụ huyện"]
        assert set(task.touched) == {"deadline", "units"}
        added = s.scalars(select(Task).where(Task.action == "Tổng hợp báo cáo quý")).one()
        assert (added.deadline, added.anchor) == (D("2020-12-15"), None)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ("duplicate", "Dòng 3: mã {id} đã có ở dòng 2."),
        ("unknown", "Dòng 2: không có nhiệm vụ mã 99999."),
        ("bad_date", "Dòng 2, Thời hạn: '31/02/2020' không phải ngày (dd/mm/yyyy)."),
        ("stale", "Dòng 2: nhiệm vụ {id} đã được sửa sau khi xuất tệp."),
        ("bad_version", "Dòng 2: nhiệm vụ {id} đã được sửa sau khi xuất tệp."),
    ],
)
def test_xlsx_errors_change_nothing(
    register: Register, samples: Path, rules: RuleSet, edit: str, problem: str
) -> None:
    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        ws = _sheet(write_xlsx(s, _view(register)))
    header = [c.value for c in ws[1]]
    col = {k: header.index(v) + 1 for k, v in HEADERS.items()}
    first_id = ws.cell(2, col["id"]).value
    ws.cell(2, col["action"]).value = "thay đổi không được ghi"
    if edit == "duplicate":
        ws.cell(3, col["id"]).value = first_id
    elif edit == "unknown":
        ws.cell(2, col["id"]).value = 99999
    elif edit == "bad_date":
        ws.cell(2, col["deadline"]).value = "31/02/2020"
    elif edit == "stale":
        ws.cell(2, col["version"]).value = 7
    else:
        ws.cell(2, col["version"]).value = "bảy"
    with register.session() as s:
        with pytest.raises(XlsxError) as err:
            read_xlsx(s, _save(ws), "lan")
        assert problem.format(id=first_id) in err.value.problems
        s.rollback()
        assert (
            s.scalar(
                select(func.count())
                .select_from(Task)
                .where(Task.action == "thay đổi không được ghi")
            )
            == 0
        )


def test_users_passwords_and_lock_out(register: Register) -> None:
    with register.session() as s:
        user = add_user(s, "lan", "mat-khau-dai", "editor")
        assert user.password_hash.startswith("scrypt$16384$8$1$")
        assert "mat-khau-dai" not in user.password_hash
        assert verify_password("mat-khau-dai", user.password_hash)
        assert not verify_password("mat-khau-sai", user.password_hash)
        with pytest.raises(ValueError, match="at least 8"):
            add_user(s, "minh", "short", "viewer")
        with pytest.raises(ValueError, match="role must be one of"):
            add_user(s, "minh", "long-enough", "boss")
        token, record = login(s, "lan", "mat-khau-dai")
        assert len(token) > 30 and record.csrf
        for _ in range(5):
            with pytest.raises(LoginFailed):
                login(s, "lan", "sai")
        with pytest.raises(LoginFailed):  # locked: even the right password fails now
            login(s, "lan", "mat-khau-dai")
        with pytest.raises(LoginFailed):
            login(s, "nobody", "mat-khau-dai")


def test_unit_directory_merge_and_alias_rules(
    register: Register, samples: Path, rules: RuleSet
) -> None:
    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        task = s.scalars(select(Task).where(Task.ext_id == "T1")).one()
        patch_task(s, task.id, {"version": 1, "units": ["P. Tư pháp", "Phòng TP huyện"]}, "lan")
        from extractor.register.directory import ensure_units

        ensure_units(s, ["P. Tư pháp", "Phòng TP huyện"], rules)
        merge_units(s, ["P. Tư pháp", "Phòng TP huyện"], "Phòng Tư pháp huyện")
        view = View(AS_OF, load_directory(s))
        assert task_view(s.get(Task, task.id), view)["unit_names"] == [  # type: ignore[arg-type]
            "Phòng Tư pháp huyện"
        ]
        rows = list_tasks(s, view)
        assert task.id in [r["id"] for r in rows if "Phòng Tư pháp huyện" in r["unit_names"]]
        data = yaml.safe_load(aliases_yaml(s))
    rule = next(r for r in data["rules"] if r["value"] == "Phòng Tư pháp huyện")
    assert rule["kind"] == "alias"
    for example in rule["examples"]:
        assert re.fullmatch(rule["pattern"], " ".join(example["text"].lower().split()))


def test_exports_follow_the_register(
    register: Register, samples: Path, rules: RuleSet, tmp_path: Path
) -> None:
    from extractor.register.exports import export_sheets, export_tracker
    from extractor.sheets import SheetOptions

    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        fix, done, false = (
            s.scalars(select(Task).where(Task.ext_id == x)).one() for x in ("T1", "T2", "T3")
        )
        patch_task(s, fix.id, {"version": 1, "units": ["Phòng Tư pháp huyện"]}, "lan")
        mark_done(s, done.id, {"date": "2020-09-01"}, "lan")
        reject_task(s, false.id, "lan")
        view = _view(register)
        written = export_sheets(s, view, tmp_path / "sheets", ["csv"], SheetOptions())
        tracker = export_tracker(s, view, tmp_path / "tracker", ["csv"], SheetOptions())
        actions = {t.id: t.action for t in (fix, done, false)}
    sheet = written["Phòng Tư pháp huyện"][0].read_text("utf-8-sig")
    assert actions[fix.id] in sheet
    every_sheet = "".join(p[0].read_text("utf-8-sig") for p in written.values())
    assert actions[false.id] not in every_sheet  # rejected: on no sheet
    listed = next(p for p in tracker if p.suffix == ".csv").read_text("utf-8-sig")
    rows = list(csv.reader(io.StringIO(listed)))
    status = {r[6]: r[3] for r in rows if len(r) > 6}  # action -> status, in the task table
    assert status[actions[fix.id]] != "hoàn thành đúng hạn"
    assert status[actions[done.id]] == "hoàn thành đúng hạn"  # done 01/09, before its deadline
    assert actions[false.id] not in listed  # rejected: off the tracker too


def test_review_flags_close_when_answered(
    register: Register, samples: Path, rules: RuleSet
) -> None:
    with register.session() as s:
        import_paths(s, [samples / "000.json"], rules)
        flagged = [t for t in s.scalars(select(Task)) if "unit_inherited" in t.flags]
        corrected, inherited = flagged[0], flagged[1]
        assert "unit_inherited" in open_flags(corrected)
        patch_task(
            s, corrected.id, {"version": corrected.version, "units": ["Phòng Nội vụ Huyện"]}, "lan"
        )
        assert "unit_inherited" not in open_flags(corrected)
        patch_task(s, inherited.id, {"version": inherited.version, "checked": True}, "lan")
        assert open_flags(inherited) == []
        unit = inherited.units[0]
        merge_units(s, [unit], unit)
        found = s.scalars(select(Unit).where(Unit.name == unit)).one()
        found.collective = True
        s.commit()
        assert task_view(inherited, View(AS_OF, load_directory(s)))["collective"] == [unit]
