"""The register's web app (Starlette): review, correct, complete and follow up tasks, in
Vietnamese, offline (every asset ships in the package). Never imported by the pipeline."""

from __future__ import annotations

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
