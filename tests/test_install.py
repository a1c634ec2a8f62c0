"""The tool installed from its wheel, away from the checkout: the rule files ship inside the
package, and `extractor run` works from any folder.

The wheel is built offline from a copy of the sources (no build isolation: the venv's
setuptools). The fresh venv sees the dependencies of this venv through a .pth line, which adds
their folder without running its .pth files, so `extractor` itself comes only from the wheel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from extractor.discover import INPUT_SUFFIXES

from .conftest import ROOT

RULES = "extractor/rule_files/"
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "rules", src / "rules", ignore=skip)
    shutil.copytree(ROOT / "extractor", src / "extractor", symlinks=True, ignore=skip)
    subprocess.run(
        [*PIP, "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-w", tmp, src],
        check=True,
        capture_output=True,
    )
    return next(tmp.glob("extractor-*.whl"))


def test_packaged_rules_are_the_rule_folder(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        packaged = {n.removeprefix(RULES): z.read(n) for n in z.namelist() if n.startswith(RULES)}
    source = {p.name: p.read_bytes() for p in (ROOT / "rules").glob("*.yaml")}
    assert sorted(packaged) == sorted(source)
    for name, data in source.items():
        assert packaged[name] == data, f"{name}: the wheel's copy differs from rules/{name}"


def test_wheel_holds_every_file_of_the_package(wheel: Path) -> None:
    """Modules, templates, schema, data, migrations: a file added without its package-data
    line in pyproject.toml would work in the checkout and be missing from the wheel."""
    with zipfile.ZipFile(wheel) as z:
        packaged = {n for n in z.namelist() if n.startswith("extractor/")}
    source = {
        f"extractor/{p.relative_to(ROOT / 'extractor').as_posix()}"
        for p in (ROOT / "extractor").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert sorted(source - packaged) == []


def test_wheel_extracts_the_seed_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [*PIP, "--python", python, "install", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy2(ROOT / "samples" / "000.txt", elsewhere / "000.txt")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "EXTRACTOR_RULES_DIR")}

    def call(*args: str | Path) -> str:
        done = subprocess.run(
            args, cwd=elsewhere, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = call(
        python, "-c", "import extractor.rules as r; print(r.__file__, r.default_rules_dir())"
    )
    module, rules = (Path(p) for p in where.split())
    assert module.is_relative_to(venv) and rules.is_relative_to(venv), where
    call(venv / "bin" / "extractor", "run", "000.txt", "-o", "out", "-q")
    produced = json.loads((elsewhere / "out" / "000.json").read_text(encoding="utf-8"))
    # the same sources the wheel was built from (not the tree, which may have changed since)
    env["PYTHONPATH"] = str(wheel.parent / "src")
    assert call(sys.executable, "-c", "import extractor; print(extractor.__file__)").startswith(
        env["PYTHONPATH"]
    )
    call(sys.executable, "-m", "extractor.cli", "run", "000.txt", "-o", "source-out", "-q")
    expected = json.loads((elsewhere / "source-out" / "000.json").read_text(encoding="utf-8"))
    assert len(produced["tasks"]) >= 10
    assert produced["tasks"] == expected["tasks"]


# ------------------------------------------------------------------ a machine without the tools
HIDDEN = ROOT / ".ci" / "without-tools"  # PATH without Tesseract, poppler, chromium, LibreOffice
TESSERACT = (
    "needs OCR, but Tesseract is not installed. Install the Debian packages tesseract-ocr and "
    "tesseract-ocr-vie (sudo apt-get install -y tesseract-ocr tesseract-ocr-vie)."
)


def _without_tools(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HIDDEN, *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )


def test_run_leaves_out_only_what_needs_a_missing_tool(tmp_path: Path) -> None:
    """`make run`'s command where Tesseract is missing: the scan is left out and named, every
    other sample is extracted, and the run succeeds; without the option the scan fails it."""
    scan = ROOT / "samples" / "formats" / "seed-scan.pdf"
    said = f"[E110] {Path('samples') / 'formats' / 'seed-scan.pdf'}: {TESSERACT}"
    run = [sys.executable, "-m", "extractor.cli", "run", "-o", tmp_path / "scan", "-j", "1"]
    failed = _without_tools(*run, scan.relative_to(ROOT))
    assert failed.returncode == 1, failed.stderr
    assert f"error: {said}" in failed.stderr.splitlines()
    out = tmp_path / "out"
    done = _without_tools(
        sys.executable, "-m", "extractor.cli", "run", "samples", "-o", out, "--skip-missing-tools"
    )
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if "seed-scan" in line] == [
        f"left out: {said}"
    ]
    assert re.search(r"^  left out +1  need a program not installed here$", done.stdout, re.M)
    notices = {p.stem for p in (ROOT / "samples").rglob("*") if p.suffix in INPUT_SUFFIXES}
    assert {p.stem for p in out.glob("*.json")} == notices - {scan.stem}


def test_tests_needing_a_missing_tool_skip_saying_why() -> None:
    """The OCR, PDF and browser tests where those programs are missing: skipped, each with the
    package to install (the whole suite runs so in .ci/run)."""
    done = _without_tools(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-rs",
        "-p",
        "no:cacheprovider",
        "tests/test_formats.py",
        "tests/test_review.py",
        "-k",
        "browser or scan or ocr or pdf",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    reasons = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert any("tesseract-ocr" in r for r in reasons), reasons
    assert any("chromium" in r for r in reasons), reasons


# ------------------------------------------------------------------ the Debian set-up
SETUP = ROOT / ".ci" / "debian-packages"


@pytest.mark.parametrize(
    ("uid", "sudo", "apt_calls", "said", "code"),
    [
        ("0", False, ["update -qq", "install -y -qq pkg-a pkg-b"], "installing", 0),
        ("1000", True, ["sudo update -qq", "sudo install -y -qq pkg-a pkg-b"], "installing", 0),
        ("1000", False, [], "to install them run: sudo apt-get install -y pkg-a pkg-b", 1),
    ],
)
def test_setup_installs_or_says_the_command(
    uid: str, sudo: bool, apt_calls: list[str], said: str, code: int, tmp_path: Path
) -> None:
    """Root installs, passwordless sudo installs, anyone else is told the one command; the
    packages already installed are not asked for (programs faked on PATH)."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("sh", "sed", "tr", "grep", "dirname", "env"):
        found = shutil.which(tool)
        assert found, tool
        (bin_ / tool).symlink_to(found)
    log = tmp_path / "apt.log"
    fakes = {
        "id": f"echo {uid}",
        "dpkg-query": '[ "$3" = installed-one ] && echo "install ok installed"; exit 0',
        "apt-get": f'echo "${{SUDO:-}}$*" >> {log}',
    }
    if sudo:
        fakes["sudo"] = '[ "$1" = -n ] && exit 0; SUDO="sudo "; export SUDO; exec "$@"'
    for name, body in fakes.items():
        (bin_ / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_ / name).chmod(0o755)
    wanted = tmp_path / "requirements-debian.txt"
    wanted.write_text("# comment\npkg-a   # needs a\ninstalled-one # here\n\npkg-b\n")
    done = subprocess.run(
        ["sh", SETUP, wanted], env={"PATH": str(bin_)}, capture_output=True, text=True
    )
    assert done.returncode == code, done.stderr
    assert said in done.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    assert calls == apt_calls
