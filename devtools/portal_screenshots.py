"""Screenshots of every portal screen at 360 px (a phone) and 1366 px, for docs/ and for looking at.

    python -m devtools.portal_screenshots [OUT]      (default docs/; needs `make web` and Chromium)
    THIDUA_AXE=/path/to/axe.min.js python -m devtools.portal_screenshots   (also prints axe-core's findings)

Starts the local stack (DynamoDB Local + chalice local), seeds part of the demo ministry through the
HTTP API (recent periods opened, reports submitted, one returned with a note, one accepted, a
nomination decided), signs in as the people the screens are for, and writes
OUT/portal-<screen>-<width>.png as small palette PNGs.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from chalicelib.core.clock import SystemClock
from chalicelib.core.periods import VN_TZ
from chalicelib.core.settings import settings
from chalicelib.store import store_for
from chalicelib.units.tokens import issue_token
from devtools import demo_data, dynamodb_local
from devtools.stack import ROOT, Http, running_stack

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
UNIT = "ca-nghe-an"
PARENT = "cuc-y-te"
UNIT_IDS = ("bo-cong-an", "cuc-y-te", "bv-19-8", "bv-199", "bv-y-hoc-co-truyen", "ca-nghe-an")
WIDTHS = (360, 1366)


def recent_months(n: int) -> list[str]:
    today = datetime.now(VN_TZ).date()
    idx = today.year * 12 + today.month - 1
    return [f"{(idx - i) // 12}-{(idx - i) % 12 + 1:02d}" for i in range(n)]


def ok(result, *expected: int):
    status, _, body = result
    assert status in (expected or (200,)), (status, body)
    return body


def seed(api: Http) -> dict:
    for unit_id, name, parent, kind in demo_data.UNITS:
        if unit_id in UNIT_IDS:
            ok(api.call("POST", "/v1/units", {"id": unit_id, "name": name, "parent_id": parent, "kind": kind}), 201)
    months = recent_months(6)  # newest first
    for period in months[:5]:
        deadline = (datetime.now(VN_TZ) + timedelta(days=3 if period == months[0] else 40)).replace(microsecond=0)
        ok(api.call("PUT", f"/v1/periods/{period}", {"deadline": deadline.isoformat()}))
    base = demo_data.REPORTS["2021-08"]["ca-nghe-an"][0]
    history = list(reversed(months[1:5]))
    for i, period in enumerate(history):
        values = {k: int(v * (0.7 + 0.15 * i)) for k, v in base.items()}
        ok(api.call("PUT", f"/v1/units/{UNIT}/reports/{period}",
                    {"values": values, "achievements": demo_data.NGHE_AN_ACHIEVEMENTS}), 201)
    ok(api.call("POST", f"/v1/units/{UNIT}/reports/{history[0]}/review", {"action": "accept", "note": ""}))
    ok(api.call("POST", f"/v1/units/{UNIT}/reports/{history[-1]}/review",
                {"action": "return", "note": "Số trường hợp bị xử phạt chưa khớp với báo cáo của Phòng Cảnh sát "
                                                "quản lý hành chính; đề nghị kiểm tra lại."}))
    for sub in ("bv-19-8", "bv-199"):
        ok(api.call("PUT", f"/v1/units/{sub}/reports/{months[1]}", {"values": {"patients_treated": 420}}), 201)
    today = datetime.now(VN_TZ).date()
    deadline = datetime.combine(today + timedelta(days=3), datetime.min.time(), VN_TZ).replace(hour=17)
    conference = ok(api.call("POST", "/v1/conferences", {
        "title": "Hội nghị sơ kết công tác phòng, chống dịch", "date": (today + timedelta(days=10)).isoformat(),
        "periods": [months[1]], "nomination_deadline": deadline.isoformat(),
        "quotas": {"bang-khen-bo-truong": 10, "giay-khen": 30},
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}), 201)
    for name, kind, position in (("Công an tỉnh Nghệ An", "collective", ""),
                                 ("Trần Thị Hoa", "individual", "Thượng úy, cán bộ Phòng Cảnh sát QLHC")):
        nom = ok(api.call("POST", f"/v1/units/{UNIT}/nominations", {
            "conference_id": conference["id"], "kind": kind, "name": name, "position": position,
            "award_form": "giay-khen" if kind == "individual" else "bang-khen-bo-truong",
            "achievements": demo_data.NGHE_AN_ACHIEVEMENTS}), 201)
    status, headers, _ = api.call("GET", f"/v1/nominations/{nom['id']}")
    ok(api.call("POST", f"/v1/nominations/{nom['id']}/decision",
                {"decision": "reject", "note": "Thành tích đã được khen thưởng tại Quyết định số 1234/QĐ-BCA."},
                headers={"If-Match": headers.get("ETag", "")}))
    workbook = filled_workbook(api, months[0])
    return {"months": months, "history": history, "conference": conference["id"], "workbook": workbook}


def filled_workbook(api: Http, period: str) -> Path:
    """The parent's template, filled for its hospitals, with a word typed into a number cell."""
    import tempfile
    import urllib.request

    from devtools.workbooks import fill_template

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    req = urllib.request.Request(f"{api.base}/v1/units/{PARENT}/reports/{period}/workbook",
                                 headers={"Authorization": f"Bearer {api.token}", "Accept": xlsx})
    with urllib.request.urlopen(req, timeout=30) as resp:
        template = resp.read()
    data = fill_template(template, {"bv-19-8": {"patients_treated": 420, "news_items": 12},
                                    "bv-199": {"patients_treated": 310},
                                    "bv-y-hoc-co-truyen": {"patients_treated": 95}},
                         cells={("bv-199", "news_items"): "mười hai", ("bv-y-hoc-co-truyen", "checkpoints"): "=2+3"})
    path = Path(tempfile.mkdtemp()) / f"bao-cao-{PARENT}-{period}.xlsx"
    path.write_bytes(data)
    return path


CLERKS = {UNIT: ("van.thu.nghean@thidua.example.vn", "Nguyễn Thị Lan"),
          PARENT: ("van.thu.cucyte@thidua.example.vn", "Trần Văn Bình")}
PASSWORD = "Phong-chong-dich-2021!"


def invitation_token(outbox: Path, email_address: str) -> str:
    """The one-time token of the newest invitation emailed to `email_address` (from the outbox folder)."""
    import email
    import re
    from email import policy

    for path in sorted(outbox.rglob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if email_address in str(message["To"]):
            body = message.get_body(("plain",)).get_content()
            found = re.search(r"#/dat-mat-khau\?token=([A-Za-z0-9_.~-]+)", body)
            if found:
                return found.group(1)
    raise LookupError(f"no invitation for {email_address} in {outbox}")


def invite(api: Http, outbox: Path, unit_id: str, *, set_password: bool = True) -> str:
    address, name = CLERKS[unit_id]
    ok(api.call("POST", "/v1/accounts", {"email": address, "name": name, "role": "unit", "unit_id": unit_id}), 201)
    token = invitation_token(outbox, address)
    if set_password:
        ok(Http(api.base).call("POST", "/v1/password", {"token": token, "password": PASSWORD}), 204)
    return token


def driver_at(width: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},900",
                "--lang=vi-VN", "--no-first-run", "--disable-background-networking", "--hide-scrollbars",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


AXE = os.environ.get("THIDUA_AXE")  # optional: the path of axe.min.js, to report accessibility problems too


def audit(driver, name: str, width: int) -> None:
    """axe-core's serious and critical findings on the screen as shown (printed, not failed)."""
    if not AXE:
        return
    driver.execute_script(Path(AXE).read_text(encoding="utf-8"))
    result = driver.execute_async_script("const done = arguments[0]; axe.run().then(r => done(r.violations))")
    for v in result:
        if v["impact"] in ("serious", "critical"):
            print(f"axe {name}@{width}: {v['impact']} {v['id']}: {v['help']} -> "
                  f"{[n['target'] for n in v['nodes']][:4]}")


def save(driver, out: Path, name: str, width: int) -> Path:
    from PIL import Image

    audit(driver, name, width)

    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 2400)")
    driver.set_window_size(width, max(height, 640))
    driver.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.3)
    png = driver.get_screenshot_as_png()
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    path = out / f"portal-{name}-{width}.png"
    image.save(path, optimize=True)
    driver.set_window_size(width, 900)
    return path


def sign_in(driver, url: str, address: str) -> None:
    """Through the sign-in form, as the clerk does."""
    from selenium.webdriver.common.by import By

    driver.get(url + "/")
    driver.execute_script("localStorage.clear()")
    driver.get(url + "/#/")
    driver.refresh()
    settle(driver)
    driver.find_element(By.ID, "email").send_keys(address)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.XPATH, "//button[normalize-space()='Đăng nhập']").click()
    settle(driver, "nav")


def sign_in_with_token(driver, url: str, token: str) -> None:
    """A session as the page keeps it (localStorage), made from a bearer token."""
    driver.get(url + "/")
    session = {"token": token, "expires_at": "2099-01-01T00:00:00+00:00", "account": None}
    driver.execute_script("localStorage.setItem('thidua.session', arguments[0])", json.dumps(session))


def settle(driver, css: str = "main h1", timeout: float = 15) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))
    WebDriverWait(driver, timeout).until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".loading"))
    time.sleep(0.4)


def shoot(url: str, tokens: dict[str, str], world: dict, out: Path) -> list[Path]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    saved = []
    month = world["months"][0]
    for width in WIDTHS:
        d = driver_at(width)
        try:
            d.get(url + "/")
            settle(d)
            saved.append(save(d, out, "signin", width))
            d.get(url + f"/#/dat-mat-khau?token={world['invitation']}")
            settle(d)
            saved.append(save(d, out, "set-password", width))

            sign_in(d, url, CLERKS[UNIT][0])
            screens = [
                ("home", "#/"),
                ("form", f"#/bao-cao/{UNIT}/{world['history'][-1]}"),
                ("history", f"#/lich-su/{UNIT}"),
                ("nominations", f"#/de-nghi/{UNIT}"),
                ("security", "#/bao-mat"),
            ]
            for name, hash_ in screens:
                d.get(f"{url}/{hash_}")
                d.refresh()
                settle(d)
                if name == "form":  # a field error shown in place
                    field = d.find_element(By.ID, "v-violations_penalised")
                    field.clear()
                    field.send_keys("999999")
                    d.find_element(By.ID, "achievements").click()
                    time.sleep(0.2)
                if name == "nominations":
                    saved.append(save(d, out, name, width))
                    d.find_element(By.XPATH, "//button[normalize-space()='Tạo đề nghị']").click()
                    settle(d, "#n-name")
                    Select(d.find_element(By.ID, "n-conference")).select_by_index(1)  # its deadline shown
                    time.sleep(0.2)
                    name = "nomination-form"
                if name == "security":  # the TOTP set-up: QR code and secret
                    d.find_element(By.XPATH, "//button[normalize-space()='Thiết lập ứng dụng xác thực']").click()
                    settle(d, "[data-testid=totp-secret]")
                saved.append(save(d, out, name, width))

            sign_in(d, url, CLERKS[PARENT][0])
            d.get(url + "/#/")
            d.refresh()
            settle(d)
            saved.append(save(d, out, "home-parent", width))

            # the workbook of a parent unit, filled with one bad cell: the errors by sheet, row and column
            d.get(f"{url}/#/nhap-tu-tep/{PARENT}/{month}")
            d.refresh()
            settle(d)
            d.find_element(By.ID, "file").send_keys(str(world["workbook"]))
            settle(d, ".errors-table")
            saved.append(save(d, out, "import", width))

            sign_in_with_token(d, url, tokens["admin"])
            d.get(url + "/#/tai-khoan")
            d.refresh()
            settle(d)
            saved.append(save(d, out, "accounts", width))
        finally:
            d.quit()
    return saved


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    port = dynamodb_local.free_port()
    url = f"http://localhost:{port}"  # the portal's origin is the passkeys' relying party: "localhost"
    with tempfile.TemporaryDirectory() as tmp, running_stack(
            api_port=port, extra_env={"THIDUA_MAIL": f"outbox:{tmp}", "THIDUA_PORTAL_URL": url + "/"}) as stack:
        store = store_for(settings(stack.env))
        admin = issue_token(store, "admin", "Quản trị", SystemClock().now())["token"]
        api = Http(stack.api_url, admin)
        world = seed(api)
        for unit_id in CLERKS:
            invite(api, Path(tmp), unit_id)
        api.call("POST", "/v1/accounts", {"email": "can.bo.moi@thidua.example.vn", "name": "Lê Minh Tuấn",
                                          "role": "unit", "unit_id": "bv-199"})
        world["invitation"] = invitation_token(Path(tmp), "can.bo.moi@thidua.example.vn")
        for path in shoot(url, {"admin": admin}, world, out):
            print(path, f"{path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
