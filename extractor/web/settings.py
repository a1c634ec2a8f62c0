"""What the web app is told at start: the register, the "as of" day, and who may come in."""

from __future__ import annotations

import getpass
import ipaddress
from dataclasses import dataclass, field
from datetime import date

from ..register.db import Register
from ..sheets import SheetOptions
from ..status import DUE_SOON_DAYS

__all__ = ["LOCAL_HOSTS", "Settings", "is_loopback"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _local_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "local"


@dataclass
class Settings:
    register: Register
    host: str = "127.0.0.1"
    as_of: date | None = None  # None: today, read at each request and shown on every page
    soon_days: int = DUE_SOON_DAYS
    sheets: SheetOptions = field(default_factory=SheetOptions)  # office profile of exports
    local_user: str = field(default_factory=_local_user)

    @property
    def login_required(self) -> bool:
        return not is_loopback(self.host)

    def today(self) -> date:
        return self.as_of or date.today()
