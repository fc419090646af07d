"""The unit portal: the built web app (web/ → `make web` → web/dist), served by the API itself at `/`.

The office's and leaders' pages are screens of the same app (by role); `/admin`, where the office's
page used to be, sends the browser there. The routes are public (they carry no data: the app calls the JSON API with
the person's session token) and answer under a strict Content-Security-Policy that allows nothing
but this origin. Files are read on first use, never at import (every API Lambda imports every
feature on a cold start). Locally they come from web/dist; in the Lambda package from
/var/task/portal (vendor/portal -> ../web/dist, followed by `chalice package`).

Every URL the app uses is relative ("./assets/…", "v1/…"), so it works at "/" under `chalice local`
and at "/<stage>/" behind API Gateway alike.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from chalice import Response

import chalicelib
from chalicelib.core.access import PUBLIC
from chalicelib.core.errors import NotFound
from chalicelib.http.context import Context, Reply
from chalicelib.http.declaration import Feature

portal = Feature(__name__, "portal", "Cổng thông tin cho đơn vị (trang web)")

ROOT = Path(chalicelib.__file__).resolve().parent.parent
# The Lambda package's copy first (vendor/portal lands at the package root), then the local build.
WEB_DIRS = (ROOT / "portal", ROOT / "web" / "dist")

# frame-src blob: only: the office previews a document's PDF in the page, fetched with the session
# (a plain URL would carry no token) and shown from a blob: URL the page itself made; no other frame.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "worker-src 'self'; manifest-src 'self'; frame-src blob:; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# index.html, sw.js and the manifest are revalidated every time (a deploy must reach every browser);
# the hashed assets never change under their name.
NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"

CONTENT_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


@cache
def web_dir() -> Path | None:
    return next((d for d in WEB_DIRS if (d / "index.html").is_file()), None)


@cache
def read(relative: str) -> str | None:
    """The text of a built file, read once per process; None when it is not there."""
    folder = web_dir()
    if folder is None:  # a checkout without `make web`: nothing to serve, the API itself works
        raise NotFound("cổng thông tin: chưa được dựng (chạy `make web`)")
    path = folder / relative
    return path.read_text(encoding="utf-8") if path.is_file() else None


def security_headers(conf: Any = None) -> dict[str, str]:
    """SECURITY_HEADERS; with artifacts in S3, connect-src also names the bucket's origin: a large
    document's download is a redirect there (GET /v1/documents/{id}/file), which the page's fetch follows."""
    from chalicelib.core.settings import settings
    from chalicelib.delivery.artifacts import download_origins

    conf = conf if conf is not None else settings()  # read when needed: stage variables change per call
    origins = download_origins(conf.artifacts, conf.region)
    if not origins:
        return SECURITY_HEADERS
    policy = CSP.replace("connect-src 'self'", "connect-src 'self' " + " ".join(origins))
    return {**SECURITY_HEADERS, "Content-Security-Policy": policy}


def file_reply(relative: str, cache_control: str, extra: dict[str, str] | None = None, conf: Any = None) -> Reply:
    text = read(relative)
    if text is None:
        raise NotFound(f"tệp '{relative}'")
    content_type = CONTENT_TYPES.get(Path(relative).suffix, "application/octet-stream")
    return Reply(text, content_type=content_type,
                 headers={**security_headers(conf), "Cache-Control": cache_control, **(extra or {})})


@portal.route("GET", "/", summary="Cổng thông tin của đơn vị (HTML): báo cáo, đề nghị khen thưởng, tài khoản",
              access=PUBLIC, produces="text/html", errors=(404,))
def portal_page(ctx: Context) -> Reply | Response:
    # Reached without its final "/" behind API Gateway ("/dev"), the page's relative URLs would
    # resolve above the stage: send the browser to "/dev/" first.
    path = (ctx.request.context or {}).get("path") or "/"
    if not path.endswith("/"):
        return Response(body="", status_code=308, headers={"Location": path + "/", "Cache-Control": NO_CACHE})
    return file_reply("index.html", NO_CACHE)


@portal.route("GET", "/admin", summary="Trang quản trị: chuyển đến cổng (các màn hình của văn phòng và lãnh đạo)",
              access=PUBLIC, produces="text/html")
def admin_page(ctx: Context) -> Response:
    # The office's screens are the portal's, shown by role; an old bookmark of /admin (or
    # /<stage>/admin, or with a final "/") lands on the portal's home of the same stage.
    path = ((ctx.request.context or {}).get("path") or "/admin").rstrip("/")
    root = path[: -len("admin")] if path.endswith("admin") else "/"
    return Response(body="", status_code=302, headers={"Location": root + "#/", "Cache-Control": NO_CACHE})


@portal.route("GET", "/assets/{name}", summary="Tệp của cổng thông tin (tên có mã băm, lưu đệm lâu dài)",
              access=PUBLIC, produces="application/javascript", errors=(404,))
def portal_asset(ctx: Context, name: str) -> Reply:
    if not ASSET_NAME.match(name) or ".." in name or Path(name).suffix not in CONTENT_TYPES:
        raise NotFound(f"tệp '{name}'")
    return file_reply(f"assets/{name}", IMMUTABLE)


@portal.route("GET", "/sw.js", summary="Service worker của cổng thông tin (dùng khi mất mạng)", access=PUBLIC,
              produces="application/javascript", errors=(404,))
def portal_service_worker(ctx: Context) -> Reply:
    return file_reply("sw.js", NO_CACHE)


@portal.route("GET", "/manifest.webmanifest", summary="Web app manifest của cổng thông tin", access=PUBLIC,
              produces="application/manifest+json", errors=(404,))
def portal_manifest(ctx: Context) -> Reply:
    return file_reply("manifest.webmanifest", NO_CACHE)
