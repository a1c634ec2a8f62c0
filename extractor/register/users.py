"""Users, roles and login sessions. Passwords are hashed with scrypt (the standard library's
`hashlib.scrypt`, memory-hard: ~50 ms and 16 MB per guess); after `MAX_FAILURES` wrong
passwords in a row a user is locked out for `LOCK_MINUTES`. Session tokens are kept only as
their sha256, each with its own CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .edits import now
from .models import LoginSession, User

__all__ = [
    "LOCK_MINUTES",
    "MAX_FAILURES",
    "ROLES",
    "LoginFailed",
    "add_user",
    "end_session",
    "hash_password",
    "login",
    "session_user",
    "verify_password",
]

ROLES = ("viewer", "editor", "admin")
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 12
_N, _R, _P = 2**14, 8, 1


class LoginFailed(Exception):
    pass


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(
        password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
    )
    return hmac.compare_digest(got.hex(), digest)


def add_user(session: Session, name: str, password: str, role: str) -> User:
    """Create a user, or set the password and role of an existing one."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not '{role}'.")
    if len(password) < 8:
        raise ValueError("the password needs at least 8 characters.")
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, password_hash="", role=role, failed=0)
        session.add(user)
    user.password_hash, user.role, user.failed, user.locked_until = (
        hash_password(password),
        role,
        0,
        None,
    )
    session.commit()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(session: Session, name: str, password: str) -> tuple[str, LoginSession]:
    """A new session token for a right password; `LoginFailed` (one message for every cause,
    so that a guesser learns nothing) otherwise."""
    user = session.scalar(select(User).where(User.name == name))
    moment = now()
    if user is None:
        hash_password(password)  # the same time whether the user exists or not
        raise LoginFailed
    if user.locked_until is not None and user.locked_until > moment:
        raise LoginFailed
    if not verify_password(password, user.password_hash):
        user.failed += 1
        if user.failed >= MAX_FAILURES:
            user.locked_until, user.failed = moment + timedelta(minutes=LOCK_MINUTES), 0
        session.commit()
        raise LoginFailed
    user.failed, user.locked_until = 0, None
    token = secrets.token_urlsafe(32)
    record = LoginSession(
        token_hash=_digest(token),
        user=user,
        csrf=secrets.token_urlsafe(24),
        expires_at=moment + timedelta(hours=SESSION_HOURS),
    )
    session.add(record)
    session.execute(delete(LoginSession).where(LoginSession.expires_at < moment))
    session.commit()
    return token, record


def session_user(
    session: Session, token: str | None, at: datetime | None = None
) -> LoginSession | None:
    if not token:
        return None
    record = session.get(LoginSession, _digest(token))
    if record is None or record.expires_at < (at or now()):
        return None
    return record


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))
        session.commit()
