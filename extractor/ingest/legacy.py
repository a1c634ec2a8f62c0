"""Legacy Vietnamese encodings: TCVN3 (ABC, the `.VnTime` fonts) and VNI, to Unicode.

Both predate Unicode: TCVN3 puts each toned letter in one byte of 0xA1-0xFE; VNI writes a base
letter followed by a mark byte ("aù" for "á"). Read as Latin-1 (or Windows-1252), a file in
either shows as mojibake. `detect` converts a text each way and keeps the reading with the most
common Vietnamese words, so plain Unicode and Windows-1258 text is never touched.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import islice

__all__ = ["detect", "from_tcvn3", "from_vni", "to_tcvn3", "to_vni"]

# The letters, in this order, for both tables below.
LETTERS = (
    "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđ"
    "ÁÀẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬÉÈẺẼẸÊẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÚÙỦŨỤƯỨỪỬỮỰÝỲỶỸỴĐ"
)
# TCVN3: one byte per letter. The toned capitals share the bytes of the small letters (they
# were typed in the capitals-only `.VnTimeH` font), so they read back in lower case.
TCVN3 = (
    "¸µ¶·¹¨¾»¼½Æ©ÊÇÈÉËÐÌÎÏÑªÕÒÓÔÖÝ×ØÜÞãßáâä«èåæçé¬íêëìîóïñòô\xadøõö÷ùýúûüþ®"  # \xad: ư
    "¸µ¶·¹¡¾»¼½Æ¢ÊÇÈÉËÐÌÎÏÑ£ÕÒÓÔÖÝ×ØÜÞãßáâä¤èåæçé¥íêëìîóïñòô¦øõö÷ùýúûüþ§"
)
# VNI: a base letter and a mark byte, or one byte for ơ ư đ and the toned i / ỵ.
VNI = (  # noqa: SIM905 - a table reads better as one string
    "aù aø aû aõ aï aê aé aè aú aü aë aâ aá aà aå aã aä eù eø eû eõ eï eâ eá eà eå eã eä í ì æ ó ò "
    "où oø oû oõ oï oâ oá oà oå oã oä ô ôù ôø ôû ôõ ôï uù uø uû uõ uï ö öù öø öû öõ öï "
    "yù yø yû yõ î ñ "
    "AÙ AØ AÛ AÕ AÏ AÊ AÉ AÈ AÚ AÜ AË AÂ AÁ AÀ AÅ AÃ AÄ EÙ EØ EÛ EÕ EÏ EÂ EÁ EÀ EÅ EÃ EÄ Í Ì Æ Ó Ò "
    "OÙ OØ OÛ OÕ OÏ OÂ OÁ OÀ OÅ OÃ OÄ Ô ÔÙ ÔØ ÔÛ ÔÕ ÔÏ UÙ UØ UÛ UÕ UÏ Ö ÖÙ ÖØ ÖÛ ÖÕ ÖÏ "
    "YÙ YØ YÛ YÕ Î Ñ"
).split()
if not len(LETTERS) == len(TCVN3) == len(VNI):  # pragma: no cover - a broken edit
    raise RuntimeError("legacy tables out of step")

_FROM_TCVN3: dict[str, str] = {}
for _u, _t in zip(LETTERS, TCVN3, strict=True):
    _FROM_TCVN3.setdefault(_t, _u)  # small letters come first: they win the shared bytes
_TO_TCVN3 = {u: t for u, t in zip(LETTERS, TCVN3, strict=True)}
_FROM_VNI = {v: u for u, v in zip(LETTERS, VNI, strict=True)}
_TO_VNI = {u: v for u, v in zip(LETTERS, VNI, strict=True)}
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _FROM_VNI), key=len, reverse=True)))
_TCVN3_RE = re.compile("[" + re.escape("".join(_FROM_TCVN3)) + "]")
# Frequent words of administrative Vietnamese: the better reading has more of them.
_COMMON = re.compile(
    r"(?<!\w)(?:và|các|của|được|thực|hiện|ngày|tháng|năm|nhân|dân|ủy|ban|tỉnh|huyện|xã|"
    r"việc|công|tác|báo|cáo|đơn|vị|trước|theo|những|về|có|này|phòng|sở|chủ|tịch|để)(?!\w)",
    re.IGNORECASE,
)


# Letters only Unicode Vietnamese has (ạ..ỹ, ơ, ư): legacy text never holds them.
_UNICODE_VI = re.compile("[\u1ea0-\u1ef9\u01a0\u01a1\u01af\u01b0]")


def from_tcvn3(text: str) -> str:
    return _TCVN3_RE.sub(lambda m: _FROM_TCVN3[m.group(0)], text)


def from_vni(text: str) -> str:
    return _VNI_RE.sub(lambda m: _FROM_VNI[m.group(0)], text)


def to_tcvn3(text: str) -> str:
    """Unicode to TCVN3 (as the Latin-1 characters of its bytes); for tests and tools."""
    return "".join(_TO_TCVN3.get(c, c) for c in unicodedata.normalize("NFC", text))


def to_vni(text: str) -> str:
    """Unicode to VNI (as the Windows-1252 characters of its bytes); for tests and tools."""
    return "".join(_TO_VNI.get(c, c) for c in unicodedata.normalize("NFC", text))


def _score(text: str) -> int:
    return len(_COMMON.findall(unicodedata.normalize("NFC", text)))


def _plainly_unicode(text: str) -> bool:
    """Twenty letters only Unicode Vietnamese has, anywhere in the text (a portal page may
    open on 20,000 characters of markup before its first word)."""
    return next(islice(_UNICODE_VI.finditer(text), 19, None), None) is not None


def detect(text: str) -> tuple[str, str | None]:
    """(Unicode text, "tcvn3" | "vni") when the text reads better converted, else (text, None)."""
    if _plainly_unicode(text):
        return text, None  # nothing to convert
    head = text[:20000]
    best_score, name = _score(head), None
    for convert, label in ((from_tcvn3, "tcvn3"), (from_vni, "vni")):
        score = _score(convert(head))
        if score > best_score * 1.5 + 2:
            best_score, name = score, label
    if name == "tcvn3":
        return from_tcvn3(text), name
    if name == "vni":
        return from_vni(text), name
    return text, None
