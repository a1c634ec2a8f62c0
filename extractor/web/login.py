"""The login and logout forms. The login form carries a CSRF token that must equal its cookie
(set with the page), so another site cannot log a browser in; one message for every failure."""

from __future__ import annotations

import hmac
import secrets
from importlib import resources
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..register.users import LoginFailed, end_session, login
from .auth import COOKIE
from .render import TEMPLATES
from .settings import Settings

__all__ = ["login_routes"]

PRE_COOKIE = "extractor_login_csrf"


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body).items()}


def _page(s: Settings, error: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    css = resources.files("extractor.web").joinpath("static/app.css").read_text("utf-8")
    html = TEMPLATES.get_template("login.html.j2").render(
        csrf=token, error=error, css=css, as_of=s.today()
    )
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(PRE_COOKIE, token, httponly=True, samesite="strict")
    return response


def login_routes(s: Settings) -> list[Route]:
    async def show(_request: Request) -> Response:
        if not s.login_required:
            return RedirectResponse("/", status_code=303)
        return _page(s)

    async def submit(request: Request) -> Response:
        if not s.login_required:
            return RedirectResponse("/", status_code=303)
        form = await _form(request)
        expected = request.cookies.get(PRE_COOKIE, "")
        if not expected or not hmac.compare_digest(form.get("csrf", ""), expected):
            return _page(s, "Phiên đăng nhập hết hạn, xin nhập lại.", 403)
        with s.register.session() as session:
            try:
                token, _ = login(session, form.get("name", ""), form.get("password", ""))
            except LoginFailed:
                return _page(s, "Sai tên hoặc mật khẩu, hoặc tài khoản đang bị khóa tạm.", 401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
        response.delete_cookie(PRE_COOKIE)
        return response

    async def logout(request: Request) -> Response:
        form = await _form(request)
        ident = request.state.identity
        if (
            ident is not None
            and ident.token
            and hmac.compare_digest(form.get("csrf", ""), ident.csrf)
        ):
            with s.register.session() as session:
                end_session(session, ident.token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return [
        Route("/login", show, methods=["GET"]),
        Route("/login", submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]
