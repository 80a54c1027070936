"""Where the console's files are: `assets/` holds the vendored front-end libraries (VENDORED.md
says their versions and licences), `static/` the console's own stylesheet and scripts."""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"


def vendored() -> StaticFiles:
    return StaticFiles(directory=HERE / "assets")


def own() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")
