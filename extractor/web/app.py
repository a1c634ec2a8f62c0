"""The web app: pages, JSON API, static assets (shipped in the package), behind the access
rules of auth.py."""

from __future__ import annotations

from importlib import resources

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from .api import api_routes
from .api_data import data_routes
from .auth import AuthMiddleware
from .downloads import download_routes
from .login import login_routes
from .pages import page_routes
from .settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings) -> Starlette:
    static = StaticFiles(directory=str(resources.files("extractor.web").joinpath("static")))
    return Starlette(
        routes=[
            *login_routes(settings),
            *api_routes(settings),
            *data_routes(settings),
            *page_routes(settings),
            *download_routes(settings),
            Mount("/static", app=static, name="static"),
        ],
        middleware=[Middleware(AuthMiddleware, settings=settings)],
    )
