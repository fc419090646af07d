"""Debian's headless Chromium driven by Selenium, and the DevTools protocol's emulations: the
browser tests (tests/e2e/browser.py) and the portal bench (bench/portal.py) share them.

    driver = chromium(width=360)                 # a phone: mobile viewport, touch
    mobile_network(driver); cpu_slowdown(driver)  # Lighthouse's mobile profile
    offline(driver); online(driver)              # DevTools' "Offline", service workers included
    authenticator = virtual_authenticator(driver) # a platform passkey authenticator
    ...
    quit_chromium(driver)
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
HAVE_CHROMIUM = os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)
NEEDS_CHROMIUM = "Chromium is not installed: `make system-deps` installs chromium and chromium-driver"
TIMEOUT = 30.0  # seconds for anything a user waits for; a busy 2-core machine is slow, never this slow

# Lighthouse's mobile profile (its "simulated slow 4G"): 150 ms RTT, 1.6 Mbps down, 750 Kbps up, 4× CPU.
MOBILE_RTT_MS = 150
MOBILE_DOWN_BPS = 1_600_000
MOBILE_UP_BPS = 750_000
MOBILE_CPU_SLOWDOWN = 4


# -- Chromium ---------------------------------------------------------------------------------

def chromium(width: int = 1366, height: int = 900, downloads: Path | None = None, mobile: bool | None = None):
    """A headless Chromium whose page is `width`×`height` CSS pixels (a phone's 360 is a touch
    device with a mobile viewport); the caller quits it (or uses the `chromium_factory` fixture)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={max(width, 500)},{height}",
                "--lang=vi-VN", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-features=Translate,OptimizationHints"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # The explicit driver path: Selenium Manager never looks for (or downloads) a driver.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(TIMEOUT * 2)
    driver.devtools = BrowserDevTools(driver)  # type: ignore[attr-defined]
    mobile = width < 600 if mobile is None else mobile
    if mobile or width < 500:
        cdp(driver, "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile})
        if mobile:
            cdp(driver, "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    if downloads is not None:
        downloads.mkdir(parents=True, exist_ok=True)
        cdp(driver, "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": str(downloads), "eventsEnabled": True})
    driver.downloads = downloads  # type: ignore[attr-defined]
    return driver


def quit_chromium(driver) -> None:
    try:
        driver.devtools.close()
    finally:
        driver.quit()


# -- the DevTools protocol ----------------------------------------------------------------------

def cdp(driver, method: str, params: dict | None = None) -> dict:
    """One DevTools command to the page (chromedriver's own session on it)."""
    return driver.execute_cdp_cmd(method, params or {})


class BrowserDevTools:
    """The browser-wide DevTools endpoint, for the targets chromedriver does not drive: a page's
    service worker. DevTools' own "Offline" applies to the page and its workers alike; a command
    to the page alone would let the service worker's fetch() reach the network. Opened on first
    use, kept open (a target's emulation ends with the session that set it)."""

    def __init__(self, driver) -> None:
        self.driver, self.ws, self.ids = driver, None, itertools.count(1)
        self.sessions: dict[str, str] = {}  # targetId -> sessionId
        self.lock = threading.Lock()

    def _connect(self):
        import websocket  # websocket-client, a dependency of Selenium

        address = self.driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen(f"http://{address}/json/version", timeout=10) as resp:
            url = json.load(resp)["webSocketDebuggerUrl"]
        self.ws = websocket.create_connection(url, timeout=TIMEOUT, suppress_origin=True)

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        with self.lock:
            if self.ws is None:
                self._connect()
            number = next(self.ids)
            message = {"id": number, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            self.ws.send(json.dumps(message))
            while True:  # events (and nothing else) arrive in between; they are not needed
                answer = json.loads(self.ws.recv())
                if answer.get("id") == number:
                    if "error" in answer:
                        raise RuntimeError(f"DevTools {method}: {answer['error']}")
                    return answer.get("result", {})

    def service_workers(self) -> list[str]:
        """The sessions on every running service worker (attached once each)."""
        targets = self.send("Target.getTargets")["targetInfos"]
        workers = [t["targetId"] for t in targets if t["type"] == "service_worker"]
        for target in workers:
            if target not in self.sessions:
                self.sessions[target] = self.send("Target.attachToTarget",
                                                  {"targetId": target, "flatten": True})["sessionId"]
                self.send("Network.enable", session=self.sessions[target])
        return [self.sessions[t] for t in workers]

    def close(self) -> None:
        if self.ws is not None:
            self.ws.close()
            self.ws = None


def network(driver, *, offline: bool = False, rtt_ms: float = 0, down_bps: float = -1, up_bps: float = -1) -> None:
    """Emulate the network for the page and its service workers (bits per second; -1: no limit)."""
    conditions = {"offline": offline, "latency": rtt_ms,
                  "downloadThroughput": down_bps / 8 if down_bps > 0 else -1,
                  "uploadThroughput": up_bps / 8 if up_bps > 0 else -1}
    cdp(driver, "Network.enable")
    cdp(driver, "Network.emulateNetworkConditions", conditions)
    for session in driver.devtools.service_workers():
        driver.devtools.send("Network.emulateNetworkConditions", conditions, session=session)


def offline(driver) -> None:
    """As DevTools' "Offline": requests fail, navigator.onLine is false, the `offline` event fires."""
    network(driver, offline=True)


def online(driver) -> None:
    network(driver)


def mobile_network(driver) -> None:
    network(driver, rtt_ms=MOBILE_RTT_MS, down_bps=MOBILE_DOWN_BPS, up_bps=MOBILE_UP_BPS)


def cpu_slowdown(driver, rate: float = MOBILE_CPU_SLOWDOWN) -> None:
    cdp(driver, "Emulation.setCPUThrottlingRate", {"rate": rate})


def bypass_service_worker(driver, bypass: bool = True) -> None:
    cdp(driver, "Network.enable")
    cdp(driver, "Network.setBypassServiceWorker", {"bypass": bypass})


def clear_cache(driver) -> None:
    cdp(driver, "Network.enable")
    cdp(driver, "Network.clearBrowserCache")


def virtual_authenticator(driver) -> str:
    """A platform passkey authenticator (a phone's fingerprint reader, say) that says yes to
    every request; its id. The page must be at http://localhost:<port> (an IP is no RP id)."""
    cdp(driver, "WebAuthn.enable", {"enableUI": False})
    return cdp(driver, "WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})["authenticatorId"]


def passkeys(driver, authenticator: str) -> list[dict]:
    """The credentials the virtual authenticator holds (each with rpId, signCount, ...)."""
    return cdp(driver, "WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
