"""The spaCy component (`extractor/spacy_component.py`): its spans are the JSON's offsets.

`python -m tests.test_spacy` writes docs/spacy.png, the README's displaCy picture (Chromium).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import sysconfig
import tempfile
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy import displacy
from spacy.tokens import Doc
from spacy.tokens.underscore import Underscore

from extractor import extract, notice_to_dict
from extractor.errors import ExtractorError, MissingTool
from extractor.ingest import ingest_path, ingest_text
from extractor.models import Document
from extractor.nlp import get_nlp
from extractor.pipeline import extract_document
from extractor.spacy_component import KINDS, TASKS_KEY, displacy_options, notice_doc

from .conftest import ROOT, SHARED_EVAL
from .test_install import PIP
from .test_install import wheel as wheel  # the install tests' fixture: the built wheel

FILES = [
    *sorted((ROOT / "samples").glob("*.*")),
    *sorted(p for p in (ROOT / "samples" / "formats").glob("*.*") if p.suffix != ".md"),
    *sorted((SHARED_EVAL / "dev" / "corpus").glob("*")),
]
TEXTS = sorted((ROOT / "samples").glob("*.txt"))  # for nlp.pipe(n_process=2)
SEED = ROOT / "samples" / "000.txt"
SENTENCE = "Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính báo cáo trước ngày 15/9/2020."

Spans = dict[str, list[tuple[str, int, int, str]]]


@pytest.fixture(scope="module")
def nlp() -> Any:
    return get_nlp()


def ingested(path: Path) -> Document:
    """The file read; skips a file whose format needs a tool this machine lacks."""
    try:
        return ingest_path(path)
    except MissingTool as exc:
        pytest.skip(f"{path.name}: {exc}")


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def expected_spans(data: dict[str, Any]) -> Spans:
    """(label, start, end, rule) per span key, read from the JSON alone, whitespace trimmed:
    labelled with the task id, and in `tasks` with the task id and what the value is."""
    text = data["text"]
    out: Spans = {key: [] for key in [*KINDS, TASKS_KEY]}
    for task in data["tasks"]:
        values = [("units", s) for s in task["spans"]["units"]]
        values += [("coordinators", s) for s in task["spans"]["coordinators"]]
        values += [("actions", task["spans"]["action"])]
        if task["deadline"] is not None:
            values += [("deadlines", task["deadline"])]
        for key, s in values:
            a, b = _trim(text, s["start"], s["end"])
            rule = s.get("rule") or ""
            out[key].append((task["id"], a, b, rule))
            out[TASKS_KEY].append((f"{task['id']} {KINDS[key]}", a, b, rule))
    return out


def spans_of(doc: Doc) -> Spans:
    return {
        key: [(s.label_, s.start_char, s.end_char, s.id_) for s in doc.spans[key]]
        for key in [*KINDS, TASKS_KEY]
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_spans_are_the_json_offsets(path: Path, nlp: Any) -> None:
    document = ingested(path)  # once: OCR and .doc conversion take seconds
    notice = extract_document(document)  # what extract(path) returns
    data = notice_to_dict(notice)
    expected = expected_spans(data)
    # A file's Doc: its canonical text, carrying its notice.
    doc = nlp(notice_doc(nlp, document))
    assert doc.text == data["text"]
    assert doc._.notice == notice
    assert spans_of(doc) == expected
    for key in KINDS:
        for span, (_, a, b, _) in zip(doc.spans[key], expected[key], strict=True):
            same = doc.char_span(a, b)  # strict: None unless a and b are token edges
            assert same is not None and (span.start, span.end) == (same.start, same.end)
    # The canonical text as a string: the component extracts it itself, the same tasks.
    doc = nlp(data["text"])
    assert doc._.tasks == notice.tasks
    assert spans_of(doc) == expected
    if document.source.format == "text":  # the file's own text: spans on its characters
        doc = nlp(document.source_text)
        assert doc._.tasks == notice.tasks
        assert spans_of(doc) == on_source(expected, data["offset_map"], document.source_text)


def on_source(spans: Spans, offset_map: list[list[int]], source: str) -> Spans:
    """The spans moved onto the source text by the JSON's `offset_map`, trimmed there."""

    def move(offset: int) -> int:
        delta = 0
        for canonical, at in offset_map:
            if canonical > offset:
                break
            delta = at - canonical
        return offset + delta

    return {
        key: [(label, *_trim(source, move(a), move(b)), rule) for label, a, b, rule in values]
        for key, values in spans.items()
    }


def test_corpus_is_all_there() -> None:
    """The table above covers every sample, format and dev text (and some have tasks)."""
    assert len(FILES) >= 50
    assert sum(len(extract(p).tasks) for p in TEXTS) >= 100


def units_of(doc: Doc) -> list[tuple[str, int, int]]:
    return [(s.text, s.start_char, s.end_char) for s in doc.spans["units"]]


NFD = unicodedata.normalize("NFD", SENTENCE)
OLD_TONES = "Giao Uỷ ban nhân dân các xã báo cáo kết quả trước ngày 15/9/2020."


@pytest.mark.parametrize(
    ("raw", "units"),
    [
        (SENTENCE, [("Sở Y tế", 5, 12)]),
        # decomposed letters: longer than the canonical text; spans cover the raw letters
        (NFD, [(unicodedata.normalize("NFD", "Sở Y tế"), 5, 16)]),
        # old tone placement: same length, the raw spelling
        (OLD_TONES, [("Uỷ ban nhân dân các xã", 5, 27)]),
    ],
)
def test_raw_text_spans_cover_the_docs_own_characters(
    raw: str, units: list[tuple[str, int, int]], nlp: Any
) -> None:
    doc = nlp(raw)
    canonical = unicodedata.normalize("NFC", raw).replace("Uỷ", "Ủy")
    assert doc.text == raw and doc._.notice.document.text == canonical
    assert doc._.tasks == extract_document(ingest_text(canonical)).tasks
    assert units_of(doc) == units


PIECES = [
    "Giao Phòng Giáo dục và Đào tạo chủ trì, báo cáo trước ngày 15/9/2020.\n",
    "Giao Sở Y tế kiểm tra",
    "Giao ",
    "Sở Y tế ",
    "Phòng Giáo dục và Đào tạo",
    " chủ trì, phối hợp với ",
    "UBND các xã ",
    "báo cáo ",
    "trước ngày 15/9/2020",
    "Quý IV/2023",
    ".\n",
    "\r\n",
    ":\n- ",
    "  ",
    "1. ",
    "Uỷ ban ",
    unicodedata.normalize("NFD", "Sở Tài chính "),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40))
def test_random_text_keeps_its_characters_and_every_value(parts: list[str]) -> None:
    """Raw text of any shape: the Doc keeps it, and every value of every task has its span,
    at the task's offsets moved onto the Doc's characters by the offset map."""
    nlp, text = get_nlp(), "".join(parts)
    doc = nlp(text)
    assert doc.text == text
    if doc._.notice is None:
        assert not text.strip()
        return
    data = notice_to_dict(doc._.notice)
    assert spans_of(doc) == on_source(expected_spans(data), data["offset_map"], text)


def test_a_value_inside_a_token_splits_it(nlp: Any) -> None:
    """pyvi joins the trigger and the unit ('Giao Phòng'): the token is cut where the unit
    begins, the space between a token of its own; other components' spans stay put."""
    text = "Giao Phòng Giáo dục và Đào tạo chủ trì, báo cáo kết quả."
    doc = nlp.make_doc(text)
    assert doc[0].text == "Giao Phòng"
    doc.spans["other"] = [doc.char_span(23, 30, label="ORG")]
    doc = nlp(doc)
    assert doc.text == text
    assert [t.text for t in doc][:4] == ["Giao", " ", "Phòng", "Giáo dục"]
    assert units_of(doc) == [("Phòng Giáo dục và Đào tạo", 5, 30)]
    assert [(s.text, s.label_) for s in doc.spans["other"]] == [("Đào tạo", "ORG")]


def test_a_doc_of_spaces_has_no_notice(nlp: Any) -> None:
    doc = nlp(" \n ")
    assert doc._.notice is None and doc._.tasks == ()
    assert all(len(doc.spans[key]) == 0 for key in [*KINDS, TASKS_KEY])


def test_a_notice_of_another_text_is_refused(nlp: Any) -> None:
    doc = nlp.make_doc(SENTENCE)
    doc._.notice = extract(SEED)
    with pytest.raises(ValueError, match="another text than this Doc's"):
        nlp(doc)


DATED = (
    "UBND HUYỆN CHÂU THÀNH\nSố: 12/TB-UBND\nChâu Thành, ngày 06 tháng 8 năm 2021\nTHÔNG BÁO\n"
    "Giao Sở Y tế báo cáo trước ngày 15/9.\n"
)


@pytest.mark.parametrize(
    ("text", "reference_date", "due"),
    [
        ("Giao Sở Y tế báo cáo trước ngày 15/9.", None, None),
        ("Giao Sở Y tế báo cáo trước ngày 15/9.", "2020-08-06", date(2020, 9, 15)),
        ("Giao Sở Y tế báo cáo trong thời hạn 10 ngày.", "2020-08-06", date(2020, 8, 16)),
        (DATED, "2020-08-06", date(2021, 9, 15)),  # the notice's own date wins
    ],
)
def test_reference_date(text: str, reference_date: str | None, due: date | None) -> None:
    nlp = spacy.blank("vi")
    nlp.add_pipe("notice_tasks", config={"reference_date": reference_date})
    assert [t.deadline.date for t in nlp(text)._.tasks] == [due]


@pytest.mark.parametrize(
    ("config", "error", "message"),
    [
        ({"reference_date": "15/9/2020"}, ValueError, "give it as YYYY-MM-DD"),
        ({"rules": str(ROOT / "samples")}, ExtractorError, "holds no rule files"),
    ],
)
def test_bad_config_says_what_to_do(config: dict[str, str], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        spacy.blank("vi").add_pipe("notice_tasks", config=config)


def test_to_disk_and_load_round_trip_the_config(tmp_path: Path) -> None:
    config = {"rules": str(ROOT / "rules"), "reference_date": "2020-08-06"}
    nlp = spacy.blank("vi")
    nlp.add_pipe("notice_tasks", config=config)
    nlp.to_disk(tmp_path / "pipeline")
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.config["components"]["notice_tasks"] == {"factory": "notice_tasks", **config}
    text = "Giao Sở Y tế báo cáo trước ngày 15/9."
    assert spans_of(loaded(text)) == spans_of(nlp(text))
    assert [t.deadline.date for t in loaded(text)._.tasks] == [date(2020, 9, 15)]
    get_nlp().to_disk(tmp_path / "get_nlp")
    loaded = spacy.load(tmp_path / "get_nlp")
    assert type(loaded.tokenizer).__name__ == "CrfVietnameseTokenizer"
    assert loaded.pipe_names == ["notice_tasks"]
    assert spans_of(loaded(SENTENCE)) == spans_of(get_nlp()(SENTENCE))


def test_notice_survives_to_bytes(nlp: Any) -> None:
    doc = nlp(notice_doc(nlp, SEED))
    back = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert back._.notice == doc._.notice == extract(SEED)
    assert spans_of(back) == spans_of(doc)


def test_pipe_with_two_processes_gives_the_same(nlp: Any) -> None:
    """Texts, and Docs carrying their file's notice, through two worker processes."""
    files = [ROOT / "samples" / "kh-ha-tang-so.html", ROOT / "samples" / "formats" / "cv-vni.txt"]
    texts = [p.read_text(encoding="utf-8") for p in TEXTS]

    def inputs() -> list[str | Doc]:
        return [*texts, *(notice_doc(nlp, p) for p in files)]

    alone = [nlp(x) for x in inputs()]
    together = list(nlp.pipe(inputs(), n_process=2, batch_size=4))
    assert [spans_of(d) for d in together] == [spans_of(d) for d in alone]
    assert [d._.notice for d in together] == [d._.notice for d in alone]
    assert sum(len(d._.tasks) for d in together) >= 100


def test_what_spawned_workers_unpickle_pickles(nlp: Any) -> None:
    """Where workers are spawned (macOS; Linux from Python 3.14), `nlp.pipe(n_process=...)`
    pickles the components and the extension attributes: no lambdas there."""
    pickle.dumps((nlp.tokenizer, nlp.get_pipe("notice_tasks"), Underscore.get_state()))


def test_displacy_shows_the_tasks(nlp: Any) -> None:
    doc = nlp(SENTENCE)
    html = displacy.render(doc, style="span", options=displacy_options(doc))
    for label in ("T1 unit", "T1 coordinator", "T1 action", "T1 deadline"):
        assert html.count(label) == 1, label
    assert displacy_options(doc)["colors"] == {
        "T1 unit": "#7aecec",
        "T1 coordinator": "#bfeeb7",
        "T1 action": "#feca74",
        "T1 deadline": "#ff9561",
    }


def test_the_wheel_registers_the_component_in_a_fresh_venv(
    wheel: Path, tmp_path: Path, nlp: Any
) -> None:
    """From the built wheel alone: spaCy finds `notice_tasks` and the tokenizer by their entry
    points (the script never imports extractor), and loads a pipeline saved here."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*PIP, "--python", python, "install", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = subprocess.run([python, "-c", purelib], check=True, capture_output=True, text=True)
    Path(site.stdout.strip(), "dependencies.pth").write_text(sysconfig.get_paths()["purelib"])
    get_nlp().to_disk(tmp_path / "saved")
    script = f"""
import json, sys, spacy
nlp = spacy.blank("vi")
nlp.add_pipe("notice_tasks")
d = nlp({SENTENCE!r})
spans = {{k: [[s.label_, s.start_char, s.end_char, s.id_] for s in g] for k, g in d.spans.items()}}
loaded = spacy.load({str(tmp_path / "saved")!r})
tasks = len(loaded({SENTENCE!r})._.tasks)
module = sys.modules["extractor.spacy_component"].__file__
print(json.dumps([module, spans, [type(loaded.tokenizer).__name__, loaded.pipe_names, tasks]]))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "EXTRACTOR_RULES_DIR")}
    done = subprocess.run(
        [python, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    module, spans, loaded = json.loads(done.stdout)
    assert Path(module).is_relative_to(venv), module
    assert spans == {k: [list(v) for v in g] for k, g in spans_of(nlp(SENTENCE)).items()}
    assert loaded == ["CrfVietnameseTokenizer", ["notice_tasks"], 1]


def picture() -> None:
    """docs/spacy.png: displaCy's span view of a short sample's tasks, shot by Chromium."""
    from .browser import browser

    nlp = get_nlp()
    doc = nlp(notice_doc(nlp, ROOT / "samples" / "cv-tiem-vac-xin.txt"))
    html = displacy.render(doc, style="span", options=displacy_options(doc), page=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "spacy.html"
        page.write_text(html, encoding="utf-8")
        browser(f"--screenshot={ROOT / 'docs' / 'spacy.png'}", page, Path(tmp), "1100,700")
    print("wrote docs/spacy.png", file=sys.stderr)


if __name__ == "__main__":
    picture()
