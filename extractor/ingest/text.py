"""Text and encodings: bytes -> str (BOMs, UTF-8, UTF-16, Windows-1258, TCVN3/VNI), and the
one normalization every format goes through (NFC, unified spaces and line ends, new-style tones)
with the offset map back to the decoded text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from ..errors import InputError
from . import legacy

__all__ = ["decode", "normalize"]

SPACES = {
    ord(c): " "
    for c in "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
}
ODD_SPACE = re.compile("[" + "".join(map(chr, SPACES)) + "]")
DROP_CHARS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
CLUSTER = re.compile(r"(?s)\r\n|.[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*")
# the clusters that may change: a line end, an invisible character, a letter with its marks
MAY_CHANGE = re.compile(
    r"(?s)\r\n|.[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+|["
    + "\r"
    + "".join(sorted(DROP_CHARS))
    + "]"
)
# Old tone placement on open syllables: o+toned a/e, u+toned y (not after q: "quý" is right).
OLD_TONE = re.compile(r"(?<![qQ])([oOuU])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ])(?!\w)")
PAIRS = {"o": "ae", "u": "y"}


def _move_tone(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    decomposed = unicodedata.normalize("NFD", second)
    base, marks = decomposed[0], decomposed[1:]
    if base.lower() not in PAIRS[first.lower()]:
        return m.group(0)
    return unicodedata.normalize("NFC", first + marks) + base


def normalize(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """NFC, unified spaces and line ends, new-style tones. Returns (text, offset_map)."""
    text_t = text.translate(SPACES) if ODD_SPACE.search(text) else text
    if (
        "\r" in text_t
        or any(c in text_t for c in DROP_CHARS)
        or not unicodedata.is_normalized("NFC", text_t)
    ):
        text_t, offset_map = _rewritten(text_t)
    else:
        offset_map = ()
    return OLD_TONE.sub(_move_tone, text_t), offset_map


def _rewritten(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Each cluster (a character and its combining marks) in NFC, line ends as "\n", the
    invisible characters dropped; with the offset map: a break wherever the shift between the
    two texts changes. Only the clusters that may change are visited: a run between them
    already in NFC is copied whole."""
    out: list[str] = []
    breaks: list[tuple[int, int]] = []
    pos = delta = 0  # the length written, and the shift of the source against it

    def put(new: str, source_end: int) -> None:
        nonlocal pos, delta
        out.append(new)
        pos += len(new)
        if source_end - pos != delta:
            breaks.append((pos, source_end))
            delta = source_end - pos

    def clusters(a: int, b: int) -> None:
        for m in CLUSTER.finditer(text, a, b):
            chunk = m.group(0)
            if chunk in ("\r\n", "\r"):
                put("\n", m.end())
            elif chunk in DROP_CHARS:
                put("", m.end())
            else:
                put(unicodedata.normalize("NFC", chunk), m.end())

    last = 0
    for m in MAY_CHANGE.finditer(text):
        if m.start() > last:
            run = text[last : m.start()]
            if unicodedata.is_normalized("NFC", run):
                put(run, m.start())  # one character for one: the shift stays
            else:
                clusters(last, m.start())
        clusters(m.start(), m.end())
        last = m.end()
    if last < len(text):
        run = text[last:]
        if unicodedata.is_normalized("NFC", run):
            put(run, len(text))
        else:
            clusters(last, len(text))
    return "".join(out), tuple(breaks)


def decode(data: bytes, path: Path | str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding name). Raises InputError with a clear sentence.

    Text typed in the legacy TCVN3 or VNI encodings (read as Latin-1, or already mojibake in a
    UTF-8 file) is converted to Unicode; the encoding name then says so ("tcvn3", "utf-8+vni").
    """
    text, encoding = _decode(data, path)
    raw = data.decode("latin-1") if encoding == "cp1258" else text
    converted, legacy_name = legacy.detect(raw)
    if legacy_name is None:
        return text, encoding
    return converted, legacy_name if encoding == "cp1258" else f"{encoding}+{legacy_name}"


def _decode(data: bytes, path: Path | str | None) -> tuple[str, str]:
    if not data.strip():
        raise InputError(path, "the file is empty.", "Give a notice with text in it.")
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(
                    path,
                    f"starts with a {enc} mark but is not {enc} ({exc.reason}).",
                    "Save it again as UTF-8.",
                ) from exc
    try:
        text = data.decode("utf-8")
        if "\x00" in text:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL bytes")
        return _check_text(text, path), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) % 2 == 0 and data.count(0) * 3 > len(data):
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                return _check_text(data.decode(enc), path), enc
            except (UnicodeDecodeError, InputError):
                continue
    if b"\x00" in data:
        raise InputError(
            path, "looks like a binary file, not a notice.", "Give a .txt or .html file."
        )
    try:
        return _check_text(data.decode("cp1258"), path), "cp1258"
    except UnicodeDecodeError as exc:
        raise InputError(
            path, "is not UTF-8, UTF-16 or Windows-1258 text.", "Save it as UTF-8 and run again."
        ) from exc


CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters no text file holds


def _check_text(text: str, path: Path | str | None) -> str:
    controls = len(CONTROL.findall(text, 0, 20000))
    if controls > max(8, len(text[:20000]) // 50):
        raise InputError(
            path, "looks like a binary file, not a notice.", "Give a .txt or .html file."
        )
    return text
