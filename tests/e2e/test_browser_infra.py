"""The browser tests' own tools (tests/e2e/browser.py), proved on a tiny page served here:
offline emulation reaches the service worker too, the proxy loses an answer after the server
did the work, the virtual authenticator makes and uses a passkey on localhost, throttling
slows a download, axe-core names a violation, the outbox reader finds an invitation link,
and the waits find controls by what a user reads."""

from __future__ import annotations

import json
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from browser import (
    HAVE_CHROMIUM,
    NEEDS_CHROMIUM,
    LosingProxy,
    NotAccessible,
    assert_accessible,
    axe_violations,
    button,
    cpu_slowdown,
    emailed_link,
    field,
    field_error,
    fill,
    heading,
    mobile_network,
    network,
    no_field_error,
    offline,
    online,
    passkeys,
    portal_stack,
    press,
    says,
    virtual_authenticator,
    wait,
)

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>Trang thử</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<main><h1>Trang thử</h1>
<form id="f" novalidate>
  <label for="email">Thư điện tử</label><input id="email" type="email" autocomplete="email">
  <label for="code">Mã xác thực (6 số) *</label>
  <p id="code-hint">Mã trong ứng dụng xác thực.</p>
  <input id="code" inputmode="numeric" aria-describedby="code-hint code-error"><p id="code-error" hidden></p>
  <button type="submit">Đăng nhập</button>
</form><p id="status" role="status"></p></main>
<script src="/page.js"></script></html>"""

SCRIPT = """
const status = (t) => { document.getElementById("status").textContent = t; };
document.getElementById("f").addEventListener("submit", (e) => {
  e.preventDefault();
  const code = document.getElementById("code"), err = document.getElementById("code-error");
  if (!/^\\d{6}$/.test(code.value)) { code.setAttribute("aria-invalid", "true"); err.hidden = false;
    err.textContent = "Mã gồm 6 chữ số"; return; }
  code.removeAttribute("aria-invalid"); err.hidden = true; status("Đã đăng nhập " + code.value);
});
window.call = (method, path, body) => fetch(path, {method, body}).then((r) => r.status, (e) => "error: " + e.name);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js");
"""

# Passes every request through with its own fetch(): offline emulation of the page alone would not stop it.
SERVICE_WORKER = """
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => { if (new URL(e.request.url).pathname.startsWith("/api/")) e.respondWith(fetch(e.request)); });
"""

BAD_PAGE = """<!doctype html><html lang="vi"><meta charset="utf-8"><title>x</title><main><h1>Không nhãn</h1>
<input id="nolabel"><button></button></main></html>"""


class TinyServer:
    """The page, its script and service worker, /api/store (counts what it stores) and /api/big (100 KB)."""

    def __init__(self) -> None:
        self.stored: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def answer(self, status: int, body: bytes, kind: str = "text/html; charset=utf-8") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                pages = {"/": (PAGE, "text/html; charset=utf-8"), "/bad": (BAD_PAGE, "text/html; charset=utf-8"),
                         "/page.js": (SCRIPT, "text/javascript"), "/sw.js": (SERVICE_WORKER, "text/javascript"),
                         "/api/ping": ("{}", "application/json")}
                path = self.path.split("?")[0]
                if path == "/api/big":
                    return self.answer(200, b"x" * 100_000, "application/octet-stream")
                text, kind = pages.get(path, ("nope", "text/plain"))
                self.answer(200 if path in pages else 404, text.encode(), kind)

            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.stored.append(body)
                self.answer(201, json.dumps({"stored": len(outer.stored)}).encode(), "application/json")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def site():
    server = TinyServer()
    proxy = LosingProxy().start(server.url)
    yield server, proxy, f"http://localhost:{proxy.port}"
    proxy.stop()
    server.stop()


def controlled(driver, url: str) -> None:
    """The page open and controlled by its service worker (the second load is)."""
    driver.get(url + "/")
    heading(driver, "Trang thử")
    wait(driver, lambda d: d.execute_script("return navigator.serviceWorker.ready.then(() => true)"))
    driver.get(url + "/")
    wait(driver, lambda d: d.execute_script("return !!navigator.serviceWorker.controller"))


def call(driver, method: str, path: str, body: str | None = None):
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.call(arguments[0], arguments[1], arguments[2]).then(done);",
        method, path, body)


def test_offline_reaches_the_service_workers_fetch_too(site, chromium_factory):
    _, _, url = site
    driver = chromium_factory()
    controlled(driver, url)
    assert call(driver, "GET", "/api/ping") == 200
    offline(driver)
    assert driver.execute_script("return navigator.onLine") is False
    assert call(driver, "GET", "/api/ping") == "error: TypeError"  # through the worker's own fetch()
    online(driver)
    assert driver.execute_script("return navigator.onLine") is True
    assert call(driver, "GET", "/api/ping") == 200


def test_the_proxy_loses_the_answer_after_the_server_stored_the_request(site, chromium_factory):
    server, proxy, url = site
    driver = chromium_factory()
    driver.get(url + "/")
    heading(driver, "Trang thử")
    before = len(server.stored)
    proxy.lose_next("PUT", r"^/api/store$")
    assert call(driver, "PUT", "/api/store", "một") == "error: TypeError"  # the page saw a network error
    assert server.stored[before:] == ["một".encode()]  # ... after the server stored it
    assert call(driver, "PUT", "/api/store", "hai") == 201  # armed once only
    lost = proxy.exchanges("PUT", r"^/api/store$")[-2:]
    assert [(e.status, e.lost) for e in lost] == [(201, True), (201, False)]


def test_a_passkey_is_made_and_used_on_localhost(site, chromium_factory):
    _, _, url = site
    driver = chromium_factory()
    authenticator = virtual_authenticator(driver)
    driver.get(url + "/")
    heading(driver, "Trang thử")
    made = driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      const bytes = (n) => crypto.getRandomValues(new Uint8Array(n));
      navigator.credentials.create({publicKey: {challenge: bytes(32), rp: {name: "thidua", id: "localhost"},
          user: {id: bytes(16), name: "thu.ky@ca-nghe-an.gov.vn", displayName: "Thư ký"},
          pubKeyCredParams: [{type: "public-key", alg: -7}],
          authenticatorSelection: {residentKey: "required", userVerification: "required"}}})
        .then((c) => navigator.credentials.get({publicKey: {challenge: bytes(32), rpId: "localhost",
                       userVerification: "required"}}).then((a) => done([c.type, a.id === c.id])),
              (e) => done(["error", String(e)]));""")
    assert made == ["public-key", True], made
    [credential] = passkeys(driver, authenticator)
    assert credential["rpId"] == "localhost" and credential["isResidentCredential"] and credential["signCount"] >= 1


def test_the_mobile_profile_slows_a_download(site, chromium_factory):
    _, _, url = site
    driver = chromium_factory(width=360, height=780)
    driver.get(url + "/")
    heading(driver, "Trang thử")
    assert driver.execute_script("return window.innerWidth") == 360
    timed = ("const done = arguments[arguments.length - 1], t = performance.now();"
             "fetch('/api/big?' + Math.random()).then((r) => r.arrayBuffer()).then(() => done(performance.now() - t));")
    mobile_network(driver)
    cpu_slowdown(driver)
    slow = driver.execute_async_script(timed)  # through the service worker's fetch()
    network(driver)
    cpu_slowdown(driver, 1)
    fast = driver.execute_async_script(timed)
    assert slow >= 550 and fast < slow / 2, (slow, fast)  # 100 KB at 1.6 Mbps is 0.5 s, plus a 150 ms round trip


def test_axe_core_names_what_a_screen_reader_user_would_miss(site, chromium_factory):
    _, _, url = site
    driver = chromium_factory()
    driver.get(url + "/bad")
    heading(driver, "Không nhãn")
    found = {v["id"] for v in axe_violations(driver)}
    assert {"label", "button-name"} <= found, found
    with pytest.raises(NotAccessible, match=r"\[critical\] (label|button-name).*#nolabel|button-name"):
        assert_accessible(driver, "the unlabelled page")
    driver.get(url + "/")
    heading(driver, "Trang thử")
    assert_accessible(driver, "the test page")  # injected despite no script of its own being allowed


def test_the_waits_find_controls_by_their_labels_and_errors_next_to_them(site, chromium_factory):
    _, _, url = site
    driver = chromium_factory(width=360, height=780)
    driver.get(url + "/")
    heading(driver, "Trang thử")
    fill(driver, "Thư điện tử", "thu.ky@ca-nghe-an.gov.vn")
    fill(driver, "Mã xác thực (6 số)", "12a")  # its label ends in " *"
    with pytest.raises(AssertionError, match="no error shown"):
        field_error(driver, "Mã xác thực (6 số)", timeout=0.3)  # its hint is no error
    press(driver, "Đăng nhập")
    assert field_error(driver, "Mã xác thực (6 số)") == "Mã gồm 6 chữ số"
    fill(driver, "Mã xác thực (6 số)", "123456")
    press(driver, "Đăng nhập")
    says(driver, "Đã đăng nhập 123456")
    no_field_error(driver, "Mã xác thực (6 số)")
    assert field(driver, "Thư điện tử").get_attribute("value") == "thu.ky@ca-nghe-an.gov.vn"
    assert button(driver, "Đăng nhập").tag_name == "button"
    with pytest.raises(AssertionError, match="never showed"):
        says(driver, "Không có", timeout=0.3)


def test_the_outbox_reader_finds_the_newest_link_to_a_person(tmp_path):
    from chalicelib.delivery.mail import OutboxMailer

    mailer = OutboxMailer(tmp_path)
    for n, to in enumerate(("a@x.vn", "thu.ky@ca-nghe-an.gov.vn", "thu.ky@ca-nghe-an.gov.vn")):
        message = EmailMessage()
        message["To"], message["From"], message["Subject"] = to, "thidua@bocongan.gov.vn", "Lời mời"
        message.set_content(f"Xin chào,\nĐặt mật khẩu tại: http://localhost:9/#/dat-mat-khau?token=t{n}_x-y\n")
        message.add_alternative(f"<p><a href=\"http://localhost:9/#/dat-mat-khau?token=t{n}_x-y\">Đặt</a></p>",
                                subtype="html")
        mailer.send(message)
        time.sleep(0.002)  # distinct timestamps in the names
    link, message = emailed_link(tmp_path, "thu.ky@ca-nghe-an.gov.vn", timeout=1)
    assert link == "http://localhost:9/#/dat-mat-khau?token=t2_x-y" and message["Subject"] == "Lời mời"
    with pytest.raises(AssertionError, match="no message"):
        emailed_link(tmp_path, "nobody@x.vn", timeout=0.3)


def test_the_stack_is_reached_at_localhost_through_the_proxy_and_admin_lands_on_the_portal(tmp_path, chromium_factory):
    with portal_stack(tmp_path) as world:
        assert world.url.startswith("http://localhost:") and world.env["THIDUA_PORTAL_URL"] == world.url + "/"
        driver = chromium_factory(width=360, height=780)
        driver.get(world.url + "/admin")  # the office's old address: its screens are the portal's now
        heading(driver, "Đăng nhập")
        field(driver, "Thư điện tử")
        button(driver, "Đăng nhập")
        assert_accessible(driver, "the sign-in screen reached from /admin")
        # (the service worker fetches "/" again for its cache: only the first two are the redirect)
        assert [(e.method, e.path, e.status) for e in world.proxy.exchanges("GET", r"^/(admin)?$")][:2] == [
            ("GET", "/admin", 302), ("GET", "/", 200)]
