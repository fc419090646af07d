"""The unit portal on a provincial clerk's phone: what the first screen downloads, and how soon
the report form can be typed into.

    python -m bench portal

1. First-screen JS + CSS, gzipped: the built `web/dist/index.html`'s entry script, its
   stylesheets and its modulepreloads (what the browser fetches before the first screen can
   run), each gzipped (level 9) and summed. Target ≤ 150 KB (1 KB = 1000 bytes).
2. Time to an interactive report form: Debian's headless Chromium at 360 px under Lighthouse's
   mobile profile emulated over the DevTools protocol (150 ms RTT, 1.6 Mbps down, 750 Kbps up,
   4× CPU slowdown), a signed-in clerk opening the form's link with an empty HTTP cache and no
   service worker, from navigation start until the form's first indicator field is shown and
   enabled under an `h1` "Báo cáo…" (a script registered for every new document watches for it).
   Target ≤ 3 s. Baseline: the same page served warm (no throttling, HTTP cache and service
   worker in place), same run.

The stack is `chalice local` over DynamoDB Local at http://localhost:<port>; the clerk is
made through the API as in production (invitation, emailed link, password).
"""

from __future__ import annotations

import email
import email.policy
import gzip
import re
import statistics
import subprocess
import tempfile
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

from bench.figures import Figure

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
SECTION = "portal"
SIZE_TARGET_KB = 150
TIME_TARGET_S = 3.0
UNIT = ("ca-nghe-an", "Công an tỉnh Nghệ An", None, "province")
FIRST_FIELD = "officers_mobilised"


class _FirstScreen(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.files: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.files.append(a["src"] or "")
        elif tag == "link" and a.get("href") and set((a.get("rel") or "").split()) & {"stylesheet", "modulepreload"}:
            self.files.append(a["href"] or "")


def first_screen_files(dist: Path = DIST) -> list[Path]:
    """The JS and CSS files index.html makes the browser fetch before the first screen runs."""
    parser = _FirstScreen()
    parser.feed((dist / "index.html").read_text(encoding="utf-8"))
    files = []
    for ref in parser.files:
        path = urllib.parse.urlsplit(ref).path
        if path.endswith((".js", ".mjs", ".css")):
            files.append(dist / path.lstrip("./").lstrip("/"))
    return files


def gzipped_size(files: list[Path]) -> tuple[int, int]:
    """(gzipped bytes, raw bytes) of `files`, each compressed on its own, as a server sends them."""
    return (sum(len(gzip.compress(f.read_bytes(), 9)) for f in files), sum(f.stat().st_size for f in files))


def size_figure() -> Figure:
    files = first_screen_files()
    zipped, raw = gzipped_size(files)
    return Figure(SECTION, "first-screen JS + CSS, gzipped", zipped / 1000, "KB", f"≤ {SIZE_TARGET_KB} KB",
                  zipped / 1000 <= SIZE_TARGET_KB, baseline=f"{raw / 1000:.0f} KB uncompressed, {len(files)} files",
                  command="python -m bench portal",
                  notes=[f"{f.relative_to(DIST)}: {len(gzip.compress(f.read_bytes(), 9))} B gzipped" for f in files])


# Registered for every new document: records when the report form can first be typed into.
WATCH = """
(() => {
  const label = %s;
  const ready = () => {
    const h = document.querySelector("h1");
    if (!h || !h.textContent.trim().startsWith("Báo cáo")) return false;
    return Array.from(document.querySelectorAll("input")).some((el) => !el.disabled && !el.readOnly
      && el.getClientRects().length && el.labels
      && Array.from(el.labels).some((l) => l.textContent.replace(/\\s+/g, " ").trim().startsWith(label)));
  };
  const check = () => { if (window.__formReadyAt === undefined && ready()) window.__formReadyAt = performance.now(); };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
  setInterval(check, 50);
})();
"""


def _emailed_token(outbox: Path, timeout: float = 30) -> str:
    """The token of the newest set-password link in the outbox, waiting for it."""
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(outbox.glob("*.eml"), reverse=True):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            part = message.get_body(preferencelist=("plain", "html"))
            found = re.search(r"#/dat-mat-khau\?token=([^\s\"'<>&]+)", part.get_content() if part else "")
            if found:
                return found.group(1)
        if time.monotonic() > deadline:
            raise RuntimeError(f"no invitation arrived in {outbox}")
        time.sleep(0.2)


def _clerk(api_url: str, outbox: Path, admin_token: str) -> tuple[str, str]:
    """A unit clerk made through the API; (email, password)."""
    from devtools.stack import Http

    admin = Http(api_url, admin_token)
    unit_id, name, parent, kind = UNIT
    status, _, body = admin.call("POST", "/v1/units", {"id": unit_id, "name": name, "parent_id": parent, "kind": kind})
    assert status == 201, body
    address = "van.thu.bench@ca.gov.vn"
    status, _, body = admin.call("POST", "/v1/accounts", {"email": address, "name": "Văn thư", "role": "unit",
                                                          "unit_id": unit_id})
    assert status == 201, body
    token = _emailed_token(outbox)
    password = "Băng-thông-chậm-2021!"
    status, _, body = Http(api_url).call("POST", "/v1/password", {"token": token, "password": password})
    assert status == 204, body
    return address, password


def _sign_in(driver, url: str, address: str, password: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "/")
    wait = WebDriverWait(driver, 60, poll_frequency=0.1)
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "input[type=email]").is_enabled())
    driver.find_element(By.CSS_SELECTOR, "input[type=email]").send_keys(address)
    driver.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(password)
    driver.find_element(By.XPATH, "//button[normalize-space()='Đăng nhập']").click()
    wait.until(lambda d: [b for b in d.find_elements(By.XPATH, "//button[normalize-space()='Đăng xuất']")
                          if b.is_displayed()])


def _open_form(driver, url: str) -> tuple[float, int, int]:
    """Seconds from navigation start until the form can be typed into; the requests made until
    then and the bytes they transferred over the network (0 for those answered from a cache)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")  # a real navigation each time, never a same-document hash change
    driver.get(url)
    at = WebDriverWait(driver, 120, poll_frequency=0.1).until(
        lambda d: d.execute_script("return window.__formReadyAt"))
    requests, transferred = driver.execute_script("""
        const all = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
          .filter((e) => e.startTime <= arguments[0]);
        return [all.length, all.reduce((n, e) => n + (e.transferSize || 0), 0)];""", at)
    return at / 1000, requests, transferred


def timing_figures(repeat: int) -> list[Figure]:
    import json

    from chalicelib.core.clock import SystemClock
    from chalicelib.core.periods import VN_TZ
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for
    from chalicelib.units.tokens import issue_token
    from devtools import chromium as c
    from devtools.dynamodb_local import free_port
    from devtools.stack import running_stack

    catalog_label = json.loads((ROOT / "chalicelib" / "core" / "catalog" / "indicators.json").read_text())
    label = next(i["label"] for i in catalog_label["indicators"] if i["code"] == FIRST_FIELD)
    period = SystemClock().now().astimezone(VN_TZ).strftime("%Y-%m")
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://localhost:{port}"
        outbox = Path(tmp) / "outbox"
        env = {"THIDUA_PUBLIC_URL": base, "THIDUA_PORTAL_URL": base + "/", "THIDUA_MAIL": f"outbox:{outbox}"}
        with running_stack(api_port=port, extra_env=env) as stack:
            admin = issue_token(store_for(settings(stack.env)), "admin", "bench", SystemClock().now())["token"]
            address, password = _clerk(stack.api_url, outbox, admin)
            driver = c.chromium(width=360, height=780)
            try:
                c.cdp(driver, "Page.enable")
                c.cdp(driver, "Page.addScriptToEvaluateOnNewDocument", {"source": WATCH % json.dumps(label)})
                _sign_in(driver, base, address, password)
                form = f"{base}/#/bao-cao/{UNIT[0]}/{period}"
                _open_form(driver, form)  # installs the service worker and fills the caches once
                cold, warm, cold_bytes, warm_bytes = [], [], [], []
                for _ in range(repeat):
                    c.cdp(driver, "Storage.clearDataForOrigin",
                          {"origin": base, "storageTypes": "cache_storage,service_workers"})
                    c.clear_cache(driver)
                    c.mobile_network(driver)
                    c.cpu_slowdown(driver)
                    seconds, requests, transferred = _open_form(driver, form)
                    cold.append(seconds)
                    cold_bytes.append((requests, transferred))
                    c.network(driver)
                    c.cpu_slowdown(driver, 1)
                    _open_form(driver, form)  # the service worker takes over again
                    seconds, requests, transferred = _open_form(driver, form)
                    warm.append(seconds)
                    warm_bytes.append((requests, transferred))
            finally:
                c.quit_chromium(driver)
    cold_s, warm_s = statistics.median(cold), statistics.median(warm)
    return [
        Figure(SECTION, "report form interactive, mobile profile, cold", cold_s, "s", f"≤ {TIME_TARGET_S:.0f} s",
               cold_s <= TIME_TARGET_S, baseline=f"warm, no throttling: {warm_s:.2f} s",
               command="python -m bench portal",
               notes=[f"median of {repeat}; cold runs {', '.join(f'{x:.2f}' for x in cold)} s",
                      "150 ms RTT, 1.6 Mbps down, 750 Kbps up, 4× CPU (DevTools protocol)",
                      f"cold: {cold_bytes[0][0]} requests, {cold_bytes[0][1] / 1000:.1f} KB over the network"]),
        Figure(SECTION, "report form interactive, warm (cached, no throttling)", warm_s, "s", "-", None,
               command="python -m bench portal",
               notes=[f"runs {', '.join(f'{x:.2f}' for x in warm)} s",
                      f"warm: {warm_bytes[0][0]} requests, {warm_bytes[0][1] / 1000:.1f} KB over the network"]),
    ]


def run(quick: bool = False) -> list[Figure]:
    if (ROOT / "web" / "package.json").exists() and not (DIST / "index.html").exists():
        subprocess.run(["make", "web"], cwd=ROOT, check=True)
    if not (DIST / "index.html").exists():
        print("   the portal (web/) is not here: nothing to measure")
        return []
    return [size_figure(), *timing_figures(repeat=1 if quick else 5)]
