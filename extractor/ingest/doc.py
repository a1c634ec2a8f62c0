"""Word 97-2003 (.doc): converted to .docx by LibreOffice (headless), then read by the Word
reader, so numbering, tables and the legacy .VnTime fonts are handled once. A ".doc" that is
really a web page (Word's "save as web page") or a .docx is read as what it is.

Why LibreOffice and not antiword or catdoc (measured in README, "Word 97-2003 files"):
antiword keeps running text and numbering as well, but draws tables as fixed-width columns (a
cell's text over several lines, the header block row by row), catdoc runs cells together, and
neither reads a web page saved as .doc; through .docx, the Word reader's tables, header blocks
and .VnTime runs serve .doc as they are.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError, MissingTool
from .docx import read_docx
from .lines import Reading
from .text import decode

__all__ = ["DEBIAN_PACKAGE", "read_doc", "soffice"]

DEBIAN_PACKAGE = "libreoffice-writer-nogui"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound-file signature of Word 97-2003
TIMEOUT = 120  # seconds: a notice converts in about one


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_doc(data: bytes, path: Path | str | None) -> Reading:
    """The Reading of a .doc file's bytes (see the module's docstring)."""
    if data.startswith(b"PK"):
        return read_docx(data, path)
    if not data.startswith(OLE2) and not data.lstrip().startswith(b"{\\rtf"):
        text, encoding = decode(data, path)
        if "<html" in text[:3000].lower():
            return Reading("", encoding=encoding, html=text)
        return Reading(text, encoding=encoding)
    exe = soffice()
    if exe is None:
        raise MissingTool(
            path,
            "is a Word 97-2003 file, which needs LibreOffice to be read (converter missing).",
            (DEBIAN_PACKAGE,),
            "or save the file as .docx",
        )
    reading = read_docx(_convert(exe, data, path), path)
    return Reading(reading.text, reading.locations, reading.ocr_pages, encoding="doc")


_PROFILES: dict[int, Path] = {}


def _profile() -> Path:
    """This process's LibreOffice profile, made at its first .doc and kept until it exits: a
    warm profile saves LibreOffice a second or two a file, and two processes (batch workers)
    never share one, which LibreOffice does not allow."""
    pid = os.getpid()
    if pid not in _PROFILES:
        _PROFILES[pid] = Path(tempfile.mkdtemp(prefix="extractor-soffice-"))
        atexit.register(shutil.rmtree, _PROFILES[pid], ignore_errors=True)
    return _PROFILES[pid]


def _convert(exe: str, data: bytes, path: Path | str | None) -> bytes:
    with tempfile.TemporaryDirectory(prefix="extractor-doc-") as tmp:
        src = Path(tmp) / "in.doc"
        src.write_bytes(data)
        cmd = [
            exe,
            f"-env:UserInstallation={_profile().as_uri()}",
            *("--headless", "--norestore", "--convert-to", "docx", "--outdir", tmp, str(src)),
        ]
        # a session of its own: LibreOffice runs as a launcher and its child, and a conversion
        # that hangs is ended with both
        with subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            env={**os.environ, "HOME": str(_profile())},
        ) as proc:
            try:
                stdout, stderr = proc.communicate(timeout=TIMEOUT)
            except subprocess.TimeoutExpired as exc:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise InputError(
                    path, f"took LibreOffice over {TIMEOUT} s to convert.", "Save it as .docx."
                ) from exc
        out = Path(tmp) / "in.docx"
        if proc.returncode != 0 or not out.exists():
            reason = (stderr or stdout).strip().splitlines()[-1:] or ["no output"]
            raise InputError(
                path,
                f"could not be converted by LibreOffice ({reason[0][:200]}).",
                "Open it in Word or LibreOffice and save it as .docx.",
            )
        return out.read_bytes()
