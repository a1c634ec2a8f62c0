"""Who is asking, and may they. Bound to a loopback address the person at the computer is the
user (an admin) and only requests naming this server as their Host are served (no DNS
rebinding); cross-site writes are refused by their Origin. Bound anywhere else, every page,
asset and API call needs a login session; every write needs the session's CSRF token in the
X-CSRF-Token header (the login and logout forms check their `csrf` field themselves); viewers
only read, editors write, admins also import and merge units. Every answer forbids framing
and allows only the app's own scripts."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from ..register.users import session_user
from .settings import LOCAL_HOSTS, Settings

__all__ = ["COOKIE", "AuthMiddleware", "Identity", "identity_of"]

COOKIE = "extractor_session"
OPEN_PATHS = ("/login",)
WRITES = ("POST", "PUT", "PATCH", "DELETE")
ADMIN_PATHS = ("/api/import", "/api/units")


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    csrf: str
    token: str | None = None

    def may_write(self) -> bool:
        return self.role in ("editor", "admin")


def identity_of(request: Request) -> Identity:
    ident: Identity = request.state.identity
    return ident


def _refuse(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    return Response(message, status_code=status, media_type="text/plain; charset=utf-8")


class AuthMiddleware(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        super().__init__(app)
        self.settings = settings
        self.local_csrf = secrets.token_urlsafe(24)

    def _identity(self, request: Request) -> Identity | None:
        if not self.settings.login_required:
            return Identity(self.settings.local_user, "admin", self.local_csrf)
        token = request.cookies.get(COOKIE)
        with self.settings.register.session() as session:
            record = session_user(session, token)
            if record is None:
                return None
            return Identity(record.user.name, record.user.role, record.csrf, token)

    def _cross_site(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        return bool(origin) and urlsplit(origin).netloc != request.headers.get("host")

    def _refusal(self, request: Request) -> Response | None:
        """Why this request may not go on, or None."""
        s = self.settings
        if not s.login_required and request.url.hostname not in LOCAL_HOSTS:
            return Response("Unknown host.", status_code=400)
        path = request.url.path
        ident = self._identity(request)
        request.state.identity = ident
        if path in OPEN_PATHS:
            return None
        if ident is None:
            return _refuse(request, 401, "Cần đăng nhập.")
        if request.method not in WRITES:
            return None
        if self._cross_site(request):
            return _refuse(request, 403, "Yêu cầu từ trang khác bị từ chối.")
        token = request.headers.get("x-csrf-token", "")
        if s.login_required and path != "/logout" and not hmac.compare_digest(token, ident.csrf):
            return _refuse(request, 403, "Thiếu mã chống giả mạo (CSRF).")
        if not ident.may_write() or (path.startswith(ADMIN_PATHS) and ident.role != "admin"):
            return _refuse(request, 403, "Tài khoản này không có quyền sửa.")
        return None

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = self._refusal(request) or await call_next(request)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "frame-ancestors 'none'"
        )
        return response
