"""The admin web page: one static HTML page, its script and its stylesheet, served by the API itself.

The page is plain files under `templates/admin/` (no build step). It talks only to
this API with the bearer token the administrator types in, so the routes that serve
it are public: they carry no data. A strict Content-Security-Policy allows nothing
but this origin (no inline code, no external hosts), and the files are read on
first use, never at import (the API Lambdas import every feature on a cold start).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import chalicelib
from chalicelib.core.access import PUBLIC
from chalicelib.http.context import Context, Reply
from chalicelib.http.declaration import Feature

admin = Feature(__name__, "admin", "Trang quản trị")

# In Lambda this is /var/task/templates (vendor/templates -> ../templates), as for the documents.
TEMPLATES_DIR = Path(chalicelib.__file__).resolve().parent.parent / "templates"
ADMIN_DIR = TEMPLATES_DIR / "admin"

HTML = "text/html; charset=utf-8"
JS = "application/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time: a deploy must never leave an old script talking to a new API.
    "Cache-Control": "no-cache",
}


@cache
def asset(name: str) -> str:
    """The text of templates/admin/<name>, read once per process."""
    return (ADMIN_DIR / name).read_text(encoding="utf-8")


def asset_reply(name: str, content_type: str) -> Reply:
    return Reply(asset(name), content_type=content_type, headers=dict(SECURITY_HEADERS))


@admin.route("GET", "/admin", summary="Trang quản trị (HTML): tình hình nộp báo cáo, xét khen thưởng",
             access=PUBLIC, produces="text/html")
def admin_page(ctx: Context) -> Reply:
    # The page links its files relative to itself ("admin/app.js"), which is right at
    # <prefix>/admin under `chalice local` and behind API Gateway's stage alike. Reached as
    # <prefix>/admin/ (the same route), those would resolve one level too deep: drop the "admin/".
    path = (ctx.request.context or {}).get("path") or ""
    return Reply(page_html(path.endswith("/")), content_type=HTML, headers=dict(SECURITY_HEADERS))


@cache
def page_html(trailing_slash: bool) -> str:
    html = asset("index.html")
    return html.replace('="admin/app.', '="app.') if trailing_slash else html


@admin.route("GET", "/admin/app.js", summary="Mã JavaScript của trang quản trị", access=PUBLIC,
             produces="application/javascript")
def admin_script(ctx: Context) -> Reply:
    return asset_reply("app.js", JS)


@admin.route("GET", "/admin/app.css", summary="Bảng định kiểu (CSS) của trang quản trị", access=PUBLIC,
             produces="text/css")
def admin_stylesheet(ctx: Context) -> Reply:
    return asset_reply("app.css", CSS)
