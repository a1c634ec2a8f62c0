"""The office profile: who issues the sheets and the tracker, and how their dates are written.

A small YAML file an office writes once (every key optional)::

    superior: Ủy ban nhân dân huyện Châu Thành     # cơ quan chủ quản, above the office
    office: Văn phòng HĐND và UBND huyện             # the issuing office
    place: Châu Thành                                # địa danh of the date line
    number_prefix: PGNV-VP                           # "Số: ....../PGNV-VP"
    signer_for: KT. CHÁNH VĂN PHÒNG                  # quyền hạn ký (TM., KT., TL.), optional
    signer_title: Phó Chánh Văn phòng
    signer_name: Nguyễn Văn A
    recipients: [Lãnh đạo UBND huyện, "Lưu: VT"]     # Nơi nhận, after the unit itself

Command-line options override its values (`OfficeProfile.merged`). Dates follow Decree
30/2020/NĐ-CP (Phụ lục I): in the date line, days below 10 and the months 1 and 2 take a
leading zero ("ngày 05 tháng 01 năm 2021", "ngày 06 tháng 8 năm 2020"); tables write dd/mm/yyyy.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ExtractorError

__all__ = ["OfficeProfile", "ProfileError", "decree_date", "dmy", "load_profile"]


class ProfileError(ExtractorError):
    """An office profile that cannot be read."""

    code = "E300"


class OfficeProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    superior: str = ""
    office: str = ""
    place: str = ""
    number_prefix: str = ""
    signer_for: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: list[str] = []

    def merged(self, **overrides: Any) -> OfficeProfile:
        """This profile with every override that is not None or empty."""
        given = {k: v for k, v in overrides.items() if v not in (None, "", [])}
        return self.model_copy(update=given)


def load_profile(path: Path | None) -> OfficeProfile:
    """The profile in `path` (an empty profile when None)."""
    if path is None:
        return OfficeProfile()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(
            f"{path}: cannot be read as an office profile ({exc}). Give a UTF-8 YAML file."
        ) from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: an office profile is a mapping of keys (office: …).")
    try:
        return OfficeProfile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        known = ", ".join(OfficeProfile.model_fields)
        raise ProfileError(f"{path}: {problems}. The keys are {known}.") from exc


def decree_date(d: date | None) -> str:
    """The date line's date as Decree 30/2020 writes it; dots for hand-filling when None."""
    if d is None:
        return "ngày ..... tháng ..... năm ......."
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year}"


def dmy(d: date | str | None) -> str:
    """dd/mm/yyyy (an ISO string is read first); "" for None or an unreadable string."""
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            return ""
    return d.strftime("%d/%m/%Y") if d else ""
