"""The unit portal's serving routes, over a stand-in build (the real one is `make web`'s web/dist)."""

from __future__ import annotations

import pytest

from chalicelib.http import portal

INDEX = '<!doctype html><html lang="vi"><script type="module" src="./assets/index-AbC123.js"></script></html>'


@pytest.fixture
def built(tmp_path, monkeypatch):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX, encoding="utf-8")
    (tmp_path / "assets" / "index-AbC123.js").write_text("console.log('Xin chào');", encoding="utf-8")
    (tmp_path / "assets" / "index-AbC123.css").write_text("body{color:#111}", encoding="utf-8")
    (tmp_path / "assets" / "icon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {});", encoding="utf-8")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Thi đua"}', encoding="utf-8")
    monkeypatch.setattr(portal, "WEB_DIRS", (tmp_path / "absent", tmp_path))
    portal.web_dir.cache_clear()
    portal.read.cache_clear()
    yield tmp_path
    portal.web_dir.cache_clear()
    portal.read.cache_clear()


def csp(resp) -> dict[str, str]:
    directives = resp.headers["Content-Security-Policy"].split("; ")
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in directives}


def test_the_page_is_served_at_the_root_under_a_strict_csp(api, built):
    resp = api.get("/")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.body.decode() == INDEX
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    policy = csp(resp)
    assert policy["default-src"] == "'none'"
    for directive in ("script-src", "style-src", "connect-src", "worker-src", "manifest-src"):
        assert policy[directive] == "'self'", directive  # nothing from elsewhere, no inline code
    assert policy["frame-ancestors"] == "'none'"
    assert policy["frame-src"] == "blob:"  # only the PDF preview the page made itself
    assert "object-src" not in policy  # default-src 'none': no plugin content


@pytest.mark.parametrize(("name", "content_type"), [
    ("index-AbC123.js", "application/javascript; charset=utf-8"),
    ("index-AbC123.css", "text/css; charset=utf-8"),
    ("icon.svg", "image/svg+xml; charset=utf-8"),
])
def test_hashed_assets_are_cached_for_good(api, built, name, content_type):
    resp = api.get(f"/assets/{name}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == content_type
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert resp.body.decode() == (built / "assets" / name).read_text(encoding="utf-8")
    assert "worker-src 'self'" in resp.headers["Content-Security-Policy"]


def test_the_service_worker_and_the_manifest_are_revalidated_every_time(api, built):
    sw = api.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["Content-Type"] == "application/javascript; charset=utf-8"
    assert sw.headers["Cache-Control"] == "no-cache"
    manifest = api.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["Content-Type"] == "application/manifest+json; charset=utf-8"
    assert manifest.headers["Cache-Control"] == "no-cache"
    assert manifest.data == {"name": "Thi đua"}


@pytest.mark.parametrize("name", ["missing-XyZ.js", "index.html", "..%2Findex.html", "icon.exe", ".hidden.js"])
def test_an_unknown_asset_is_a_404_problem(api, built, name):
    resp = api.get(f"/assets/{name}")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert resp.data["status"] == 404 and resp.data["detail"]


def test_without_a_build_the_portal_is_a_404_problem_and_the_api_still_works(api, tmp_path, monkeypatch):
    monkeypatch.setattr(portal, "WEB_DIRS", (tmp_path / "nothing",))
    portal.web_dir.cache_clear()
    portal.read.cache_clear()
    try:
        resp = api.get("/")
        assert resp.status_code == 404
        assert "make web" in resp.data["detail"]
        assert api.get("/v1/health").status_code == 200
    finally:
        portal.web_dir.cache_clear()
        portal.read.cache_clear()



@pytest.mark.parametrize(("path", "location"), [("/dev", "/dev/"), ("/api", "/api/")])
def test_behind_a_stage_without_its_final_slash_the_page_is_reached_with_it(built, path, location):
    """API Gateway serves the root route at "/<stage>" too; the page's relative URLs need "/<stage>/"."""
    from types import SimpleNamespace

    ctx = SimpleNamespace(request=SimpleNamespace(context={"path": path, "stage": path[1:]}))
    resp = portal.portal_page(ctx)
    assert resp.status_code == 308
    assert resp.headers["Location"] == location


def test_behind_a_stage_with_its_final_slash_the_page_is_served(built):
    from types import SimpleNamespace

    reply = portal.portal_page(SimpleNamespace(request=SimpleNamespace(context={"path": "/dev/", "stage": "dev"})))
    assert reply.body == INDEX and reply.content_type == "text/html; charset=utf-8"


@pytest.mark.parametrize(("path", "location"), [("/admin", "/#/"), ("/admin/", "/#/"), ("/dev/admin", "/dev/#/"),
                                                ("/api/admin/", "/api/#/")])
def test_the_old_admin_address_sends_the_browser_to_the_portal_of_the_same_stage(path, location):
    """The office's pages are the portal's screens now; a bookmark of /admin still lands there."""
    from types import SimpleNamespace

    resp = portal.admin_page(SimpleNamespace(request=SimpleNamespace(context={"path": path})))
    assert (resp.status_code, resp.headers["Location"]) == (302, location)


def test_the_old_admin_scripts_are_gone(api):
    for path in ("/admin/app.js", "/admin/app.css"):
        assert api.get(path).status_code in (403, 404)
    resp = api.get("/admin")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#/")


def test_with_documents_in_s3_the_page_may_fetch_from_the_bucket_and_nowhere_else(api, built, monkeypatch):
    """Issue 20: a large document downloads by a redirect to the bucket, which the page's fetch follows."""
    monkeypatch.setenv("THIDUA_ARTIFACTS", "s3://thidua-docs/prod")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for path in ("/", "/sw.js"):
        policy = csp(api.get(path))
        assert policy["connect-src"] == "'self' https://thidua-docs.s3.ap-southeast-1.amazonaws.com", path
        assert policy["script-src"] == "'self'" and policy["frame-src"] == "blob:"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566/")
    assert csp(api.get("/"))["connect-src"] == "'self' http://127.0.0.1:4566"
