"""The JSON API under /api, every endpoint, through the app (Starlette's test client), plus the
access rules: on 127.0.0.1 no login but no foreign Host or Origin; on any other address
nothing without a login, writes need the session's CSRF token, viewers only read, repeated
failures lock the account."""

from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from starlette.routing import Mount, Route

from extractor.register.db import Register, open_register
from extractor.register.users import add_user
from extractor.rules import RuleSet
from extractor.web import Settings, create_app
from tests.register_data import imported_register_file, load, sample_jsons

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2; httpx works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

AS_OF = date(2020, 9, 1)
LOCAL = "http://127.0.0.1"


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    return sample_jsons(tmp_path / "json")


@pytest.fixture
def register(tmp_path: Path, rules: RuleSet) -> Register:
    return open_register(imported_register_file(tmp_path / "register.db", rules))


@pytest.fixture
def client(register: Register) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(register=register, as_of=AS_OF)), base_url=LOCAL) as c:
        yield c


def _first(client: TestClient, **filters: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = client.get("/api/tasks", params=filters).json()["tasks"]
    return rows[0]


def test_list_and_filters(client: TestClient) -> None:
    body = client.get("/api/tasks").json()
    rows = body["tasks"]
    assert body["as_of"] == "2020-09-01"
    assert {r["status"] for r in rows} <= {
        "done_on_time",
        "done_late",
        "overdue",
        "due_soon",
        "open",
        "recurring",
        "no_deadline",
    }
    unit = rows[0]["unit_names"][0]
    cases: list[tuple[dict[str, str], Any]] = [
        ({"unit": unit}, lambda r: unit in r["unit_names"] + r["coordinator_names"]),
        ({"status": "overdue"}, lambda r: r["status"] == "overdue"),
        ({"notice": str(rows[0]["notice_id"])}, lambda r: r["notice_id"] == rows[0]["notice_id"]),
        ({"due_before": "2020-09-30"}, lambda r: r["due"] is not None and r["due"] <= "2020-09-30"),
        ({"q": "hồ sơ"}, lambda r: "hồ sơ" in (r["action"] + r["evidence"]).casefold()),
    ]
    for params, keep in cases:
        got = client.get("/api/tasks", params=params).json()["tasks"]
        assert [r["id"] for r in got] == [r["id"] for r in rows if keep(r)], params
        assert got, params
    for r in rows:
        assert r["deadline"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", r["deadline"])
    assert client.get("/api/tasks", params={"status": "late"}).status_code == 400
    assert client.get("/api/tasks", params={"due_before": "1/9/2020"}).status_code == 400


def test_get_one_and_404(client: TestClient) -> None:
    task = _first(client)
    got = client.get(f"/api/tasks/{task['id']}").json()
    assert got["id"] == task["id"] and got["history"][0]["field"] == "created"
    assert client.get("/api/tasks/999999").status_code == 404


def test_patch_then_stale_version_is_409(client: TestClient) -> None:
    task = _first(client)
    ok = client.patch(
        f"/api/tasks/{task['id']}",
        json={
            "version": task["version"],
            "units": ["Phòng Tư pháp huyện"],
            "deadline": "2020-10-20",
        },
    )
    assert ok.status_code == 200
    assert (ok.json()["units"], ok.json()["deadline"], ok.json()["version"]) == (
        ["Phòng Tư pháp huyện"],
        "2020-10-20",
        task["version"] + 1,
    )
    stale = client.patch(
        f"/api/tasks/{task['id']}",
        json={"version": task["version"], "units": ["Phòng Nội vụ huyện"]},
    )
    assert stale.status_code == 409
    assert stale.json()["task"]["units"] == ["Phòng Tư pháp huyện"]
    now = client.get(f"/api/tasks/{task['id']}").json()
    assert now["units"] == ["Phòng Tư pháp huyện"]  # nothing overwritten
    assert [h["field"] for h in now["history"]][-2:] == ["units", "deadline"]
    bad = client.patch(f"/api/tasks/{task['id']}", json={"version": now["version"], "x": 1})
    assert bad.status_code == 400
    form = client.patch(
        f"/api/tasks/{task['id']}",
        content=b"version=1",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415


def test_two_editors_at_once(register: Register) -> None:
    """Eight editors save the same version at the same moment: one wins, seven get 409."""
    app = create_app(Settings(register=register, as_of=AS_OF))
    with TestClient(app, base_url=LOCAL) as c:
        task = _first(c)
    start = threading.Barrier(8)
    codes: list[int] = []

    def edit(n: int) -> None:
        with TestClient(app, base_url=LOCAL) as mine:
            start.wait()
            r = mine.patch(
                f"/api/tasks/{task['id']}",
                json={"version": task["version"], "action": f"sửa của người {n}"},
            )
            codes.append(r.status_code)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * 7
    with TestClient(app, base_url=LOCAL) as c:
        final = c.get(f"/api/tasks/{task['id']}").json()
    assert final["version"] == task["version"] + 1
    assert [h["field"] for h in final["history"]].count("action") == 1


def test_add_reject_done_extend(client: TestClient) -> None:
    task = _first(client)
    added = client.post(
        "/api/tasks",
        json={
            "notice_id": task["notice_id"],
            "action": "Báo cáo kết quả triển khai",
            "units": ["Phòng Nội vụ huyện"],
            "deadline": "2020-08-20",
            "evidence": "đoạn đã chọn",
        },
    )
    assert added.status_code == 201
    new = added.json()
    assert (new["origin"], new["status"], new["evidence"]) == ("manual", "overdue", "đoạn đã chọn")
    assert client.post("/api/tasks", json={"notice_id": task["notice_id"]}).status_code == 400
    assert client.post("/api/tasks", json={"notice_id": 0, "action": "x"}).status_code == 400

    ext = client.post(f"/api/tasks/{new['id']}/extend", json={"date": "2020-09-30", "note": "CV 5"})
    assert (ext.json()["status"], ext.json()["extended_to"]) == ("open", "2020-09-30")
    late = client.post(
        f"/api/tasks/{new['id']}/done", json={"date": "2020-10-02", "result": "Báo cáo 15/BC-PNV"}
    )
    assert (late.json()["status"], late.json()["done_result"]) == ("done_late", "Báo cáo 15/BC-PNV")
    assert client.post(f"/api/tasks/{new['id']}/done", json={"date": ""}).status_code == 400
    on_time = client.post(f"/api/tasks/{new['id']}/done", json={"date": "2020-09-29"})
    assert on_time.json()["status"] == "done_on_time"

    gone = client.delete(f"/api/tasks/{task['id']}")
    assert gone.status_code == 200 and gone.json()["rejected"]
    ids = [r["id"] for r in client.get("/api/tasks").json()["tasks"]]
    assert task["id"] not in ids
    assert task["id"] in [r["id"] for r in client.get("/api/tasks?rejected=1").json()["tasks"]]
    stale = client.delete(f"/api/tasks/{new['id']}?version=1")
    assert stale.status_code == 409


def test_added_task_keeps_the_offsets_of_its_text(client: TestClient, register: Register) -> None:
    from extractor.register.models import Notice

    with register.session() as s:
        notice = s.get(Notice, 1)
        assert notice is not None
        text = notice.text
    start = next(i for i in range(100, len(text)) if text[i : i + 2].isalpha())  # mid-word
    end = start + 30
    body = {"notice_id": 1, "action": "Nhiệm vụ bị sót", "evidence": text[start:end]}
    ok = client.post("/api/tasks", json={**body, "evidence_start": start, "evidence_end": end})
    assert ok.status_code == 201
    assert (ok.json()["evidence_span"], ok.json()["evidence"]) == (
        [start, end],
        text[start:end].strip(),
    )
    for wrong in (
        {"evidence_start": start + 1, "evidence_end": end},
        {"evidence_start": end, "evidence_end": start},
        {"evidence_start": 0, "evidence_end": len(text) + 5},
    ):
        assert client.post("/api/tasks", json={**body, **wrong}).status_code == 400, wrong


def test_notices_units_merge_and_aliases(client: TestClient) -> None:
    notices = client.get("/api/notices").json()["notices"]
    assert all({"id", "number", "date", "issuer", "files"} <= set(n) for n in notices)
    units = client.get("/api/units").json()["units"]
    a, b = units[0], units[1]
    merged = client.post(
        "/api/units/merge", json={"spellings": [a["name"], b["name"]], "into": "Đơn vị gộp thử"}
    )
    assert merged.status_code == 200
    after = {u["name"]: u for u in client.get("/api/units").json()["units"]}
    assert set(a["spellings"]) | set(b["spellings"]) <= set(after["Đơn vị gộp thử"]["spellings"])
    assert a["name"] not in after or a["name"] == "Đơn vị gộp thử"
    tasks = client.get("/api/tasks", params={"unit": "Đơn vị gộp thử"}).json()["tasks"]
    assert tasks
    uid = after["Đơn vị gộp thử"]["id"]
    assert client.patch(f"/api/units/{uid}", json={"collective": True}).json()["collective"]
    assert client.patch(f"/api/units/{uid}", json={"collective": "yes"}).status_code == 400
    yaml_text = client.get("/api/units/aliases.yaml").text
    assert "value: Đơn vị gộp thử" in yaml_text
    assert client.post("/api/units/merge", json={"spellings": "x"}).status_code == 400


def test_import_json_keeps_corrections(client: TestClient, samples: Path) -> None:
    seed = load(samples / "000.json")
    task = _first(client, notice=str(_notice_id(client, seed["notice"]["number"])))
    client.patch(f"/api/tasks/{task['id']}", json={"version": task["version"], "action": "Sửa tay"})
    for t in seed["tasks"]:
        t["action"] = "Bản mới " + t["action"]
    report = client.post("/api/import", json=[seed, {"nonsense": 1}]).json()
    assert report["tasks_updated"] == len(seed["tasks"]) - 1
    assert report["kept_by_person"] == 1 and len(report["errors"]) == 1
    assert client.get(f"/api/tasks/{task['id']}").json()["action"] == "Sửa tay"
    others = client.get("/api/tasks", params={"notice": str(task["notice_id"])}).json()["tasks"]
    assert all(r["action"].startswith("Bản mới ") for r in others if r["id"] != task["id"])


def _notice_id(client: TestClient, number: str) -> int:
    notices = client.get("/api/notices").json()["notices"]
    found: int = next(n["id"] for n in notices if n["number"] == number)
    return found


def test_xlsx_export_and_import(client: TestClient) -> None:
    got = client.get("/api/export.xlsx")
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(got.content))
    ws = wb.worksheets[0]
    assert ws.title == "Nhiệm vụ" and ws.cell(1, 1).value == "Mã"
    ws.cell(2, 6).value = "Nội dung sửa trong Excel"
    buf = io.BytesIO()
    wb.save(buf)
    ok = client.post("/api/import.xlsx", content=buf.getvalue())
    assert ok.json() == {"changed": 1, "added": 0}
    ws.cell(3, 1).value = ws.cell(2, 1).value
    buf = io.BytesIO()
    wb.save(buf)
    bad = client.post("/api/import.xlsx", content=buf.getvalue())
    assert bad.status_code == 400
    assert f"Dòng 3: mã {ws.cell(2, 1).value} đã có ở dòng 2." in bad.json()["problems"]
    assert client.post("/api/import.xlsx", content=b"not a workbook").status_code == 400


def test_local_refuses_foreign_host_and_origin(client: TestClient) -> None:
    assert client.get("/api/tasks", headers={"host": "evil.example"}).status_code == 400
    task = _first(client)
    cross = client.patch(
        f"/api/tasks/{task['id']}",
        json={"version": 1, "action": "x"},
        headers={"origin": "http://evil.example"},
    )
    assert cross.status_code == 403


def test_notice_text_is_escaped(client: TestClient, register: Register) -> None:
    from extractor.register.models import Notice

    with register.session() as s:
        notice = s.get(Notice, 1)
        assert notice is not None
        notice.text = "<script>alert(1)</script> " + notice.text
        s.commit()
    page = client.get("/notices/1").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


# ------------------------------------------------------------------ login mode
@pytest.fixture
def office(register: Register) -> Iterator[TestClient]:
    with register.session() as s:
        add_user(s, "lan", "mat-khau-lan", "editor")
        add_user(s, "xem", "mat-khau-xem", "viewer")
    app = create_app(Settings(register=register, host="0.0.0.0", as_of=AS_OF))
    with TestClient(app, base_url="http://192.0.2.10:8000") as c:
        yield c


def _every_route(app: Any) -> list[tuple[str, str]]:
    out = []
    for route in app.routes:
        if isinstance(route, Mount):
            out.append(("GET", "/static/app.js"))
            out.append(("GET", "/static/app.css"))
        elif isinstance(route, Route):
            path = re.sub(r"\{[a-z_]+(:int)?\}", "1", route.path)
            out += [(m, path) for m in sorted(route.methods or []) if m != "HEAD"]
    return out


def test_nothing_reachable_without_login(office: TestClient) -> None:
    routes = _every_route(office.app)
    assert len(routes) >= 25
    for method, path in routes:
        r = office.request(method, path, follow_redirects=False, json={"version": 1})
        if path == "/login":
            assert r.status_code in (200, 403), (method, path)  # the form, or no CSRF cookie
            continue
        if path.startswith("/api/"):
            assert (r.status_code, r.json()) == (401, {"error": "Cần đăng nhập."}), (method, path)
        else:
            assert (r.status_code, r.headers.get("location")) == (303, "/login"), (method, path)
        assert "Nhiệm vụ" not in r.text or path == "/login"


def _login(c: TestClient, name: str, password: str) -> Any:
    page = c.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    return c.post(
        "/login",
        data={"csrf": token.group(1), "name": name, "password": password},
        follow_redirects=False,
    )


def _csrf(c: TestClient) -> str:
    found = re.search(r'<meta name="csrf" content="([^"]+)"', c.get("/").text)
    assert found
    return found.group(1)


def test_every_answer_forbids_framing_and_foreign_scripts(office: TestClient) -> None:
    for path in ("/login", "/", "/api/tasks"):
        headers = office.get(path, follow_redirects=False).headers
        assert headers["x-frame-options"] == "DENY", path
        assert "default-src 'self'" in headers["content-security-policy"], path


def test_login_csrf_roles_logout(office: TestClient) -> None:
    forged = office.post("/login", data={"csrf": "x", "name": "lan", "password": "mat-khau-lan"})
    assert forged.status_code == 403
    assert _login(office, "lan", "mat-khau-lan").status_code == 303
    assert office.get("/").status_code == 200 and "lan (editor)" in office.get("/").text
    task = _first(office)
    no_token = office.patch(f"/api/tasks/{task['id']}", json={"version": 1, "action": "x"})
    assert no_token.status_code == 403
    csrf = _csrf(office)
    ok = office.patch(
        f"/api/tasks/{task['id']}",
        json={"version": task["version"], "action": "y"},
        headers={"x-csrf-token": csrf},
    )
    assert ok.status_code == 200
    history = office.get(f"/api/tasks/{task['id']}").json()["history"]
    assert history[-1]["who"] == "lan"
    assert (
        office.post(
            "/api/units/merge", json={"spellings": [], "into": "x"}, headers={"x-csrf-token": csrf}
        ).status_code
        == 403
    )  # admins only
    office.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    office.cookies.clear()
    assert office.get("/api/tasks").status_code == 401

    assert _login(office, "xem", "mat-khau-xem").status_code == 303
    assert office.get("/api/tasks").status_code == 200
    viewer = office.patch(
        f"/api/tasks/{task['id']}",
        json={"version": 2, "action": "z"},
        headers={"x-csrf-token": _csrf(office)},
    )
    assert viewer.status_code == 403


def test_lock_out_after_repeated_failures(office: TestClient) -> None:
    for _ in range(5):
        assert _login(office, "lan", "sai-mat-khau").status_code == 401
    locked = _login(office, "lan", "mat-khau-lan")
    assert locked.status_code == 401 and "khóa" in locked.text
    assert office.get("/api/tasks").status_code == 401
