"""The whole loop in a real browser (Debian's chromium driven by Playwright, offline, one
session): import the samples, correct a unit and a deadline, add a missed task from selected
text, reject a false one, mark one done; the statuses and the unit's assignment sheet change."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from extractor.register.db import open_register
from extractor.web import Settings
from tests.register_data import fresh_register_file, load, sample_jsons
from tests.web_server import CHROMIUM, CHROMIUM_ARGS, browser_missing, live_server

MISSING = browser_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"no browser test: {MISSING}")
UNIT = "Phòng Tư pháp huyện"  # in no sample: its sheet exists only after the correction


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    register = open_register(fresh_register_file(tmp_path / "register.db"))
    with live_server(Settings(register=register, as_of=date(2020, 9, 1))) as url:
        yield url


def test_the_whole_loop(site: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    files = sorted(sample_jsons(tmp_path / "json").glob("*.json"))
    seed = load(tmp_path / "json" / "000.json")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(locale="vi-VN")
        page.on("dialog", lambda d: d.accept())
        page.set_default_timeout(15000)

        # import the samples
        page.goto(f"{site}/import")
        expect(page.locator("#as-of")).to_contain_text("01/09/2020")
        page.set_input_files("#import-files", [str(f) for f in files])
        page.click("#import-go")
        expect(page.locator("#import-result")).to_contain_text(f"{len(files)} files")
        tasks = _get(f"{site}/api/tasks")["tasks"]
        assert len(tasks) > 50

        # the seed notice's review page
        page.goto(f"{site}/notices")
        page.click(f"text={seed['notice']['number']}")
        notice_id = int(page.url.rsplit("/", 1)[1])
        mine = _get(f"{site}/api/tasks?notice={notice_id}")["tasks"]
        fix, false, done = mine[0], mine[1], mine[2]
        expect(page.locator("pre.text .hl-unit").first).to_be_visible()
        page.goto(f"{site}/exports/sheet?unit={urllib.parse.quote(UNIT)}")
        expect(page.locator("body")).to_contain_text("Không có phiếu giao nhiệm vụ")
        page.goto(f"{site}/notices/{notice_id}")

        # correct a unit and a deadline
        card = page.locator(f"#task-{fix['id']}")
        card.locator("form.edit input[name=units]").fill(UNIT)
        card.locator("form.edit input[name=deadline]").fill("2020-08-25")
        with page.expect_navigation():
            card.locator("form.edit button[type=submit]").click()
        card = page.locator(f"#task-{fix['id']}")
        expect(card.locator("form.edit input[name=units]")).to_have_value(UNIT)
        expect(card.locator(".badge").first).to_have_text("quá hạn")

        # add a missed task from text selected in the notice
        page.click("#add summary")
        page.evaluate(
            """() => { const pre = document.getElementById('notice-text');
                       const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
                       let node = walker.nextNode();
                       while (node && node.textContent.trim().length < 20) node = walker.nextNode();
                       const range = document.createRange();
                       range.setStart(node, 0); range.setEnd(node, 20);
                       const sel = window.getSelection();
                       sel.removeAllRanges(); sel.addRange(range); }"""
        )
        selected = page.evaluate("() => String(window.getSelection())")
        page.click("#from-selection")
        form = page.locator("#add-form")
        expect(form.locator("textarea[name=action]")).to_have_value(selected.strip())
        form.locator("input[name=units]").fill("Phòng Nội vụ huyện")
        form.locator("input[name=deadline]").fill("2020-09-05")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        added = [
            t
            for t in _get(f"{site}/api/tasks?notice={notice_id}")["tasks"]
            if t["origin"] == "manual"
        ]
        assert [(t["action"], t["status"]) for t in added] == [(selected.strip(), "due_soon")]
        expect(page.locator(f"#task-{added[0]['id']} .badge").first).to_have_text("sắp đến hạn")
        # its provenance: the offsets of the selection, highlighted in the notice's text
        assert added[0]["evidence_span"] is not None
        expect(page.locator(f"#notice-text [data-tasks~='{added[0]['id']}']").first).to_be_visible()

        # reject a false one
        with page.expect_navigation():
            page.locator(f"#task-{false['id']} form.reject button").click()
        expect(page.locator(f"#task-{false['id']}")).to_have_count(0)

        # mark one done, with its result
        card = page.locator(f"#task-{done['id']}")
        card.locator("form.done input[name=date]").fill("2020-08-30")
        card.locator("form.done input[name=result]").fill("Báo cáo số 12/BC-UBND")
        with page.expect_navigation():
            card.locator("form.done button").click()
        after = _get(f"{site}/api/tasks/{done['id']}")
        assert after["done_result"] == "Báo cáo số 12/BC-UBND"
        assert after["status"] in ("done_on_time", "done_late")
        expect(page.locator(f"#task-{done['id']} .badge").first).to_have_text(after["status_name"])

        # the statuses everywhere, the history, and the sheet
        page.goto(site)
        expect(page.locator(f"#total-{after['status']}")).to_have_text("1")
        page.goto(f"{site}/tasks/{fix['id']}")
        expect(page.locator("table.history")).to_contain_text(UNIT)
        page.goto(f"{site}/tasks?status=overdue")
        expect(page.locator(f"tr[data-task='{fix['id']}']")).to_have_count(1)
        page.goto(f"{site}/exports/sheet?unit={urllib.parse.quote(UNIT)}")
        expect(page.locator("body")).to_contain_text(fix["action"][:40])
        browser.close()
