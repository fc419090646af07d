"""What the browser tests share: Debian's headless Chromium driven by Selenium, the DevTools
protocol's emulations (offline, a slow mobile network, a slow CPU, a passkey authenticator),
axe-core, a proxy that loses an answer, the outbox reader, and waits for what a user sees.

    with portal_stack() as world:               # chalice local + DynamoDB Local behind a LosingProxy
        driver = chromium(width=360)
        driver.get(world.url + "/")             # http://localhost:<proxy port>: a valid WebAuthn RP id
        offline(driver); ...; online(driver)
        world.proxy.lose_next("PUT", r"/v1/units/[^/]+/reports/")
        assert_accessible(driver, "the sign-in screen")

Every wait is for user-visible state (a heading's text, a visible and enabled control, a
status text), never for an element merely being in the DOM, and never a sleep: the page
renders after its requests answer, later on a loaded 2-core machine, so timeouts are generous.
"""

from __future__ import annotations

import email
import email.policy
import http.client
import json
import os
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from devtools.chromium import (  # noqa: F401  (the browser tests import them from here)
    HAVE_CHROMIUM,
    MOBILE_CPU_SLOWDOWN,
    NEEDS_CHROMIUM,
    TIMEOUT,
    bypass_service_worker,
    cdp,
    chromium,
    clear_cache,
    cpu_slowdown,
    mobile_network,
    network,
    offline,
    online,
    passkeys,
    quit_chromium,
    virtual_authenticator,
)
from devtools.stack import ROOT, running_stack

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = os.environ.get("THIDUA_SCREENSHOTS") == "1"
DOCS = ROOT / "docs"

if HAVE_CHROMIUM:
    from selenium.common.exceptions import (
        NoSuchElementException,
        StaleElementReferenceException,
        TimeoutException,
    )
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait


@pytest.fixture
def chromium_factory(tmp_path):
    """chromium_factory(width=360) -> a driver, quit at the end of the test."""
    if not HAVE_CHROMIUM:
        pytest.skip(NEEDS_CHROMIUM)
    made = []

    def make(width: int = 1366, height: int = 900, **kwargs):
        kwargs.setdefault("downloads", tmp_path / f"downloads-{len(made)}")
        made.append(chromium(width, height, **kwargs))
        return made[-1]

    yield make
    for driver in made:
        quit_chromium(driver)


# -- axe-core -----------------------------------------------------------------------------------

class NotAccessible(AssertionError):
    pass


def axe_violations(driver, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's violations of `impacts` on the page as it is now. The script is injected through
    the driver (the DevTools protocol runs it whatever the page's CSP says; nothing is served)."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: `make browser-test-deps` installs axe-core (tests/e2e/axe)")
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        window.axe.run(document, {resultTypes: ["violations"]})
          .then((r) => done({violations: r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
              helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({target: n.target.join(" "),
              html: n.html.slice(0, 200), summary: n.failureSummary}))}))}))
          .catch((e) => done({error: String(e)}));""")
    if "error" in result:
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return [v for v in result["violations"] if v["impact"] in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        for node in v["nodes"][:5]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}: {node['html']}\n      {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(driver, screen: str) -> None:
    """No serious or critical axe-core violation on `screen` (named in the failure)."""
    found = axe_violations(driver)
    if found:
        raise NotAccessible(f"axe-core: {len(found)} serious/critical violation(s) on {screen} "
                            f"({driver.current_url}):\n{describe_violations(found)}")


# -- screenshots --------------------------------------------------------------------------------

def full_page_png(driver, path: Path) -> None:
    """The whole page (not only the viewport), as a reader of docs/ sees it."""
    metrics = cdp(driver, "Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = cdp(driver, "Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "fromSurface": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}})
    import base64
    import io

    from PIL import Image  # WeasyPrint's dependency

    # A 64-colour palette PNG: a flat UI loses nothing a reader sees, and docs/ stays small.
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def screenshot(driver, name: str) -> Path | None:
    """docs/portal-<name>-<width>.png when THIDUA_SCREENSHOTS=1 (the focus ring blurred away)."""
    if not SCREENSHOTS:
        return None
    width = driver.execute_script("return window.innerWidth")
    driver.execute_script("document.activeElement && document.activeElement.blur && document.activeElement.blur()")
    path = DOCS / f"portal-{name}-{width}.png"
    full_page_png(driver, path)
    return path


# -- the lose-the-first-answer proxy ----------------------------------------------------------

@dataclass
class Exchange:
    method: str
    path: str
    status: int
    lost: bool
    headers: dict[str, str] = field(default_factory=dict)


class LosingProxy:
    """An HTTP proxy on 127.0.0.1 in front of `chalice local`. Armed for a method and a path
    pattern, it forwards the next matching request, reads the server's whole answer (the server
    has stored the report), then closes the browser's connection without a byte: the page sees
    a network error after the server did the work, as on a train going into a tunnel.

    Every answer it does pass says `Connection: close`: Chromium silently resends a request
    whose answer was lost on a *reused* keep-alive connection, which would hide the loss from
    the page; on a fresh connection it reports the error instead."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.sock.getsockname()[1]
        self.upstream: tuple[str, int] | None = None
        self.rules: list[list[Any]] = []  # [method, compiled pattern, remaining]
        self.log: list[Exchange] = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, name="losing-proxy", daemon=True)

    def start(self, upstream_url: str) -> LosingProxy:
        host, _, port = upstream_url.removeprefix("http://").rstrip("/").partition(":")
        self.upstream = (host, int(port or 80))
        self.thread.start()
        return self

    def lose_next(self, method: str, path_pattern: str, times: int = 1) -> None:
        with self.lock:
            self.rules.append([method.upper(), re.compile(path_pattern), times])

    def exchanges(self, method: str | None = None, path_pattern: str | None = None) -> list[Exchange]:
        with self.lock:
            return [e for e in self.log if (method is None or e.method == method)
                    and (path_pattern is None or re.search(path_pattern, e.path))]

    def stop(self) -> None:
        self.stopping = True
        self.sock.close()

    def _armed(self, method: str, path: str) -> bool:
        with self.lock:
            for rule in self.rules:
                if rule[0] == method and rule[1].search(path) and rule[2] > 0:
                    rule[2] -= 1
                    return True
        return False

    def _serve(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        client.settimeout(60)
        try:
            request = _read_request(client)
            if request is None:
                return
            method, target, headers, body = request
            forwarded = {k: v for k, v in headers if k.lower() not in _HOP_BY_HOP}
            upstream = http.client.HTTPConnection(*self.upstream, timeout=120)
            try:
                upstream.request(method, target, body=body or None, headers=forwarded)
                answer = upstream.getresponse()
                payload = answer.read()
                status, reason, answer_headers = answer.status, answer.reason, answer.getheaders()
            finally:
                upstream.close()
            lost = self._armed(method, target.split("?")[0])
            with self.lock:
                self.log.append(Exchange(method, target, status, lost, dict(answer_headers)))
            if lost:
                client.shutdown(socket.SHUT_RDWR)  # the answer is dropped: not one byte goes back
                return
            head = [f"HTTP/1.1 {status} {reason}"]
            head += [f"{k}: {v}" for k, v in answer_headers if k.lower() not in _HOP_BY_HOP | {"content-length"}]
            head += [f"Content-Length: {len(payload)}", "Connection: close"]
            client.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        except (OSError, http.client.HTTPException):
            pass
        finally:
            client.close()


_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


def _read_request(client: socket.socket) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:] if ":" in line]
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
    if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
        rest = _dechunk(client, rest)
        headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"] + [("Content-Length", str(len(rest)))]
        return method, target, headers, rest
    while len(rest) < length:
        chunk = client.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return method, target, headers, rest[:length]


def _dechunk(client: socket.socket, data: bytes) -> bytes:
    body = b""
    while True:
        while b"\r\n" not in data:
            data += client.recv(65536)
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        while len(data) < size + 2:
            data += client.recv(65536)
        body, data = body + data[:size], data[size + 2:]
        if size == 0:
            return body


# -- the stack behind the proxy -------------------------------------------------------------------

@contextmanager
def portal_stack(tmp: Path, extra_env: dict[str, str] | None = None) -> Iterator[SimpleNamespace]:
    """DynamoDB Local and chalice local, reached by the browser through a LosingProxy at
    http://localhost:<port> (the portal's URL, hence the WebAuthn RP id "localhost" and the
    invitation links' origin); mail goes to an outbox folder under `tmp`."""
    proxy = LosingProxy()
    url = f"http://localhost:{proxy.port}"
    outbox = tmp / "outbox"
    env = {"THIDUA_PUBLIC_URL": url, "THIDUA_PORTAL_URL": url + "/", "THIDUA_MAIL": f"outbox:{outbox}",
           **(extra_env or {})}
    try:
        with running_stack(extra_env=env) as stack:
            proxy.start(stack.api_url)
            yield SimpleNamespace(url=url, api_url=stack.api_url, proxy=proxy, outbox=outbox, env=stack.env,
                                  stack=stack)
    finally:
        proxy.stop()


# -- the outbox ---------------------------------------------------------------------------------

def outbox_messages(folder: Path) -> list[EmailMessage]:
    """Every .eml the outbox mailer wrote, oldest first (their names start with a UTC timestamp)."""
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for p in sorted(folder.glob("*.eml"))]


def message_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


LINK = re.compile(r"https?://[^\s\"'<>]+#/dat-mat-khau\?token=[^\s\"'<>]+")


def emailed_link(folder: Path, to: str, after: int = 0, timeout: float = TIMEOUT) -> tuple[str, EmailMessage]:
    """The set-password link of the newest message to `to` among those after the first `after`
    messages, waiting for it to arrive; (link, message)."""
    deadline = time.monotonic() + timeout
    while True:
        for message in reversed(outbox_messages(folder)[after:]):
            if to.lower() in str(message["To"]).lower():
                found = LINK.search(message_text(message))
                if found:
                    return found.group(0).replace("&amp;", "&"), message
        if time.monotonic() > deadline:
            raise AssertionError(f"no message with a set-password link to {to} in {folder} within {timeout:.0f}s")
        time.sleep(0.2)


# -- waits for what a user sees ---------------------------------------------------------------

def wait(driver, condition: Callable, timeout: float = TIMEOUT, message: str = ""):
    # The page re-renders after every action: an element read a moment ago may be gone; look again.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
                         ).until(condition, message)


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def page_text(driver) -> str:
    """What is rendered on the page (innerText: nothing hidden)."""
    return norm(driver.execute_script("return document.body ? document.body.innerText : ''"))


def says(driver, text: str, timeout: float = TIMEOUT) -> None:
    """Wait until `text` is shown somewhere on the page."""
    wanted = norm(text)
    try:
        wait(driver, lambda d: wanted in page_text(d), timeout)
    except TimeoutException:
        raise AssertionError(f"the page never showed {text!r}; it shows: {page_text(driver)[:1500]!r}") from None


def heading(driver, text: str, *, level: int = 1, starts: bool = False, timeout: float = TIMEOUT):
    """Wait until an h<level> reads `text` (or starts with it); return it."""
    wanted = norm(text)

    def check(d):
        for h in d.find_elements(By.TAG_NAME, f"h{level}"):
            shown = norm(h.text)
            if h.is_displayed() and (shown.startswith(wanted) if starts else shown == wanted):
                return h
        return False
    try:
        return wait(driver, check, timeout)
    except TimeoutException:
        now = [norm(h.text) for h in driver.find_elements(By.TAG_NAME, f"h{level}")]
        raise AssertionError(f"no h{level} {'starting with' if starts else 'reading'} {text!r}; "
                             f"the page's h{level}: {now!r} at {driver.current_url}") from None


_FIND_CONTROL = """
const wanted = arguments[0], kinds = arguments[1];
const norm = (s) => (s || "").normalize("NFC").replace(/\\s+/g, " ").trim();
const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
function name(el) {
  const by = el.getAttribute("aria-labelledby");
  if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)).filter(Boolean)
                   .map((n) => n.innerText || n.textContent).join(" ");
  if (el.getAttribute("aria-label")) return el.getAttribute("aria-label");
  if (el.labels && el.labels.length) return Array.from(el.labels).map((l) => {
      const copy = l.cloneNode(true);
      copy.querySelectorAll("input,select,textarea,[aria-hidden=true],.visually-hidden-hint").forEach((c) => c.remove());
      return copy.innerText || copy.textContent; }).join(" ");
  if (el.matches("button, a, [role=button], [role=link], [role=tab]")) return el.innerText || el.textContent;
  if (el.matches("input[type=submit], input[type=button]")) return el.value;
  return el.getAttribute("title") || el.getAttribute("placeholder") || "";
}
const clean = (s) => norm(s).replace(/[\\s*:]+$/, "");
// An open modal dialog is all a person can reach (the page behind it is inert).
const modal = Array.from(document.querySelectorAll("dialog[open]")).find((d) => d.matches(":modal"));
const all = Array.from(document.querySelectorAll(kinds))
  .filter((el) => (!modal || modal.contains(el)) && (visible(el) || el.type === "file"));
return all.find((el) => clean(name(el)) === wanted) || all.find((el) => clean(name(el)).startsWith(wanted)) || null;
"""
FIELDS = "input:not([type=hidden]), select, textarea"
BUTTONS = "button, a[href], [role=button], [role=link], [role=tab], input[type=submit], input[type=button]"


def control(driver, name: str, kinds: str = FIELDS, *, enabled: bool = True, timeout: float = TIMEOUT):
    """Wait until a control whose accessible name is `name` (its label, aria-label, or text) is
    visible (and enabled); return it. A trailing "*" or ":" of a label is ignored."""
    wanted = norm(name)

    def check(d):
        element = d.execute_script(_FIND_CONTROL, wanted, kinds)
        return element if element is not None and (not enabled or element.is_enabled()) else False
    try:
        return wait(driver, check, timeout)
    except TimeoutException:
        found = driver.execute_script(_FIND_CONTROL, wanted, kinds)
        state = "absent" if found is None else f"present, enabled={found.is_enabled()}"
        raise AssertionError(f"control {name!r} ({kinds}) {state} at {driver.current_url}; "
                             f"the page shows: {page_text(driver)[:800]!r}") from None


def field(driver, label: str, **kwargs):
    return control(driver, label, FIELDS, **kwargs)


def button(driver, text: str, **kwargs):
    return control(driver, text, BUTTONS, **kwargs)


def press(driver, text: str, timeout: float = TIMEOUT) -> None:
    """Click the button or link reading `text` once it is visible and enabled (exactly once)."""
    def attempt(d):
        element = button(d, text, timeout=timeout)
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()  # a stale element raises before anything is clicked
        return True
    wait(driver, attempt, timeout)


def fill(driver, label: str, value: str, *, clear: bool = True) -> None:
    """Type into the field labelled `label` as a person would (select-all first when `clear`:
    WebElement.clear() fires no input event, so a framework's state would keep the old value)."""
    from selenium.webdriver.common.keys import Keys

    element = field(driver, label)
    if element.tag_name == "select":
        from selenium.webdriver.support.ui import Select

        options = Select(element).options
        choice = next((o for o in options if norm(o.text) == norm(value) or o.get_attribute("value") == value), None)
        if choice is None:
            choice = next((o for o in options if norm(o.text).startswith(norm(value))), None)
        assert choice is not None, f"{label!r} has no option {value!r}: {[norm(o.text) for o in options]}"
        # By position: an option's text may be indented with no-break spaces (a tree of units).
        Select(element).select_by_index(options.index(choice))
        return
    if element.get_attribute("role") == "combobox":
        choose(driver, label, value)
        return
    if clear and element.get_attribute("value"):
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.BACKSPACE)
    element.send_keys(value)


def combobox_options(driver, label: str, typed: str) -> list[dict]:
    """Type `typed` into the combobox labelled `label` and wait for the list it offers:
    [{"value", "text"}] of each option (none when the search finds nothing)."""
    from selenium.webdriver.common.keys import Keys

    element = field(driver, label)
    element.click()
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(typed)

    def settled(d):  # the list is open and says what it found (not "Đang tìm…")
        status = d.execute_script("""
            const el = arguments[0], list = document.getElementById(el.getAttribute("aria-controls"));
            const status = list && list.parentElement.querySelector("[role=status]");
            return el.getAttribute("aria-expanded") === "true" && status ? status.innerText : null;""", element)
        return status is not None and status.strip() and "Đang tìm" not in status and status
    wait(driver, settled, message=f"the {label!r} list never showed what it found for {typed!r}")
    return driver.execute_script("""
        const list = document.getElementById(arguments[0].getAttribute("aria-controls"));
        return Array.from(list.querySelectorAll("[role=option]")).map((o) =>
            ({value: o.dataset.value, text: o.querySelector(".combo__name").innerText.trim()}));""", element)


def choose(driver, label: str, value: str) -> None:
    """Choose a unit in the combobox labelled `label` as a keyboard user would: type its code or name,
    go down the list with the arrow key to it (by code or name) and press Enter."""
    from selenium.webdriver.common.keys import Keys

    offered = combobox_options(driver, label, value)
    at = next((i for i, o in enumerate(offered) if o["value"] == value or norm(o["text"]) == norm(value)), None)
    assert at is not None, f"{label!r} offers no {value!r}: {offered}"
    element = field(driver, label)
    for _ in range(at + 1):
        element.send_keys(Keys.ARROW_DOWN)
    wait(driver, lambda d: element.get_attribute("aria-activedescendant")
         and d.find_element("id", element.get_attribute("aria-activedescendant")).get_attribute("data-value")
         == offered[at]["value"], message=f"the arrow keys did not reach {value!r}")
    element.send_keys(Keys.ENTER)
    wait(driver, lambda d: element.get_attribute("aria-expanded") == "false" and norm(element.get_attribute("value"))
         == norm(offered[at]["text"]), message=f"{label!r} does not show {offered[at]['text']!r} once chosen")


_FIELD_ERROR = """
  const el = arguments[0];
  const shown = (n) => n && (n.offsetWidth || n.offsetHeight || n.getClientRects().length);
  const texts = [];
  const own = document.getElementById(el.getAttribute("aria-errormessage") || "");
  if (shown(own)) texts.push(own.innerText);
  (el.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean).forEach((id) => {
    const n = document.getElementById(id);  // a hint is described too: only an alert or an error counts
    if (shown(n) && (n.getAttribute("role") === "alert" || /error|invalid/i.test(n.className + " " + id))) texts.push(n.innerText);
  });
  // The field's own group: the nearest ancestor holding this one control.
  let box = el.parentElement;
  while (box && box.querySelectorAll("input, select, textarea").length === 1) {
    box.querySelectorAll("[role=alert]").forEach((n) => { if (shown(n) && !texts.includes(n.innerText)) texts.push(n.innerText); });
    box = box.parentElement;
  }
  return texts.join(" ").trim();"""


def field_error(driver, label: str, timeout: float = TIMEOUT) -> str:
    """Wait for the error shown next to the field labelled `label` (its aria-errormessage, an
    alert or error it is described by, or an alert in its own field group); its text."""
    def check(d):
        return norm(d.execute_script(_FIELD_ERROR, field(d, label, enabled=False))) or False
    try:
        return wait(driver, check, timeout)
    except TimeoutException:
        raise AssertionError(f"no error shown next to {label!r}; the page shows: {page_text(driver)[:800]!r}") from None


def no_field_error(driver, label: str, timeout: float = TIMEOUT) -> None:
    """Wait until no error is shown next to the field labelled `label`."""
    try:
        wait(driver, lambda d: not d.execute_script(_FIELD_ERROR, field(d, label, enabled=False)), timeout)
    except TimeoutException:
        raise AssertionError(f"{label!r} still shows an error: {field_error(driver, label, 0)!r}") from None


def requested_urls(driver) -> list[str]:
    """Every URL the page requested since the last call (Chromium's performance log)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def severe_console_messages(driver) -> list[str]:
    """Script errors and Content-Security-Policy violations on the console since the last call.
    An API answer of 4xx is logged as "Failed to load resource" too: the page expects those
    (a 401 asking for the second factor, a 404 for a report not yet sent); they are not errors."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and "Failed to load resource: the server responded with a status of 4" not in e["message"]]
