"""The admin page at /admin, driven in a real headless Chromium (Debian's `chromium` and
`chromium-driver`) against `chalice local` in front of DynamoDB Local.

Seeded through the HTTP API: part of the demo ministry with its August 2021 reports, a
conference over 2021-08 with a quota of 3 for the minister's certificate of merit, and
seven nominations. The browser signs in, reads the completeness board, approves one
nomination, rejects another with a note, bulk-approves two more, downloads the
workbook and finalises; the API then confirms every decision and its audit entry, and
the performance log shows the page never asked any host but the app itself.

`THIDUA_SCREENSHOTS=1` also writes docs/admin-completeness.png and docs/admin-shortlist.png.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from chalicelib.core.clock import SystemClock
from chalicelib.core.settings import settings
from chalicelib.store import store_for
from chalicelib.units.tokens import issue_token
from devtools import demo_data
from devtools.stack import ROOT, Http, running_stack

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("Chromium is not installed: `make system-deps` installs chromium and chromium-driver",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402  (after the skip: a machine without Chromium still collects)
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

SCREENSHOTS = os.environ.get("THIDUA_SCREENSHOTS") == "1"
DOCS = ROOT / "docs"
PERIOD = "2021-08"
QUOTA_FORM = "bang-khen-bo-truong"
UNIT_IDS = ("bo-cong-an", "cuc-y-te", "bv-19-8", "bv-199", "ca-nghe-an", "ca-bac-giang", "ca-da-nang", "ca-tp-hcm")
MISSING = "cuc-y-te"  # the one expected unit that sends no August report
ACHIEVEMENTS = "Hoàn thành xuất sắc nhiệm vụ phòng, chống dịch COVID-19 và bảo đảm an ninh, trật tự trên địa bàn."

# key -> (proposing unit, nomination body)
NOMINATIONS: dict[str, tuple[str, dict]] = {
    "nghe_an": ("ca-nghe-an", {"kind": "collective", "name": "Công an tỉnh Nghệ An"}),
    "bac_giang": ("ca-bac-giang", {"kind": "collective", "name": "Công an tỉnh Bắc Giang"}),
    "da_nang": ("ca-da-nang", {"kind": "collective", "name": "Công an thành phố Đà Nẵng"}),
    "hcm": ("ca-tp-hcm", {"kind": "collective", "name": "Công an Thành phố Hồ Chí Minh"}),
    "bv_199": ("bv-199", {"kind": "collective", "name": "Bệnh viện 199"}),
    "giam_doc": ("cuc-y-te", {"kind": "individual", "name": "Nguyễn Văn Sơn", "position": "Đại tá, Giám đốc",
                              "nominee_unit_id": "bv-19-8"}),
    "can_bo": ("ca-nghe-an", {"kind": "individual", "name": "Trần Thị Hoa",
                              "position": "Thượng úy, cán bộ Phòng Cảnh sát quản lý hành chính",
                              "award_form": "giay-khen"}),
}
REJECT_NOTE = "Thành tích đã được khen thưởng tại Quyết định số 1234/QĐ-BCA; không đề nghị trùng."


def ok(result: tuple[int, dict, object], *expected: int) -> object:
    status, _, body = result
    assert status in (expected or (200,)), (status, body)
    return body


def seed(api: Http) -> SimpleNamespace:
    units = [u for u in demo_data.UNITS if u[0] in UNIT_IDS]
    for unit_id, name, parent, kind in units:
        ok(api.call("POST", "/v1/units", {"id": unit_id, "name": name, "parent_id": parent, "kind": kind}), 201)
    ok(api.call("PUT", f"/v1/periods/{PERIOD}", {"deadline": demo_data.REOPENED_UNTIL}))
    for unit_id, (values, achievements) in demo_data.REPORTS[PERIOD].items():
        if unit_id in UNIT_IDS and unit_id != MISSING:
            ok(api.call("PUT", f"/v1/units/{unit_id}/reports/{PERIOD}",
                        {"values": values, "achievements": achievements}), 201)
    conference = ok(api.call("POST", "/v1/conferences", {
        "title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19 tháng 8/2021", "date": "2021-08-31",
        "periods": [PERIOD], "quotas": {QUOTA_FORM: 3},
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Thiếu tướng Nguyễn Văn A"}}), 201)
    ids = {}
    for key, (unit_id, fields) in NOMINATIONS.items():
        body = {"conference_id": conference["id"], "award_form": QUOTA_FORM, "achievements": ACHIEVEMENTS, **fields}
        ids[key] = ok(api.call("POST", f"/v1/units/{unit_id}/nominations", body), 201)["id"]
    CONFERENCE_ROWS[conference["id"]] = set(ids.values())
    return SimpleNamespace(conference=conference["id"], ids=ids)


@pytest.fixture(scope="module")
def world():
    with running_stack() as stack:
        store = store_for(settings(stack.env))
        now = SystemClock().now()
        admin = issue_token(store, "admin", "Quản trị", now)["token"]
        leader = issue_token(store, "leader", "Lãnh đạo Văn phòng", now)["token"]
        api = Http(stack.api_url, admin)
        yield SimpleNamespace(url=stack.api_url, api=api, admin=admin, leader=leader, **vars(seed(api)))


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                "--lang=vi-VN", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # The explicit driver path: Selenium Manager never looks for (or downloads) a driver.
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.downloads = tmp_path / "downloads"  # type: ignore[attr-defined]
    driver.downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(driver.downloads), "eventsEnabled": True})
    try:
        yield driver
    finally:
        driver.quit()


# -- helpers ------------------------------------------------------------------------------

def wait(driver, condition, timeout: float = 20, message: str = ""):
    # The page re-renders after every action: an element read a moment ago may be gone; look again.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
                         ).until(condition, message)


def find(driver, css: str):
    return driver.find_element(By.CSS_SELECTOR, css)


def status_says(driver, *parts: str, kind: str = "success"):
    """Wait until the status area (role=status) shows a message of `kind` holding every part."""
    def check(d):
        boxes = d.find_elements(By.CSS_SELECTOR, f"#status .message-{kind}")
        return boxes and all(p in boxes[0].text for p in parts) and boxes[0].text
    try:
        return wait(driver, check)
    except Exception:
        raise AssertionError(f"status area: {find(driver, '#status').text!r}, wanted {kind}: {parts}") from None


def row(driver, nomination_id: str):
    return find(driver, f'tr[data-nomination-id="{nomination_id}"]')


def row_status(driver, nomination_id: str) -> str:
    return row(driver, nomination_id).find_element(By.CSS_SELECTOR, ".col-status .badge").text


def full_page_png(driver, path: Path) -> None:
    """A screenshot of the whole page, not just the 1366×900 viewport."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1366, "height": max(size["height"], 768), "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def choose_conference(driver, conference_id: str) -> None:
    picker = wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, f'#conference option[value="{conference_id}"]')
                  and d.find_element(By.ID, "conference"))
    wait(driver, lambda d: picker.is_enabled())
    Select(picker).select_by_value(conference_id)
    # the first conference's list may still be loading: wait for this one's rows
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "tr[data-nomination-id]") and all(
        r.get_attribute("data-nomination-id") in conference_rows(conference_id)
        for r in d.find_elements(By.CSS_SELECTOR, "tr[data-nomination-id]")))


CONFERENCE_ROWS: dict[str, set[str]] = {}  # conference -> its nomination ids, filled as they are made


def conference_rows(conference_id: str) -> set[str]:
    return CONFERENCE_ROWS[conference_id]


def sign_in(driver, token: str) -> None:
    field = wait(driver, lambda d: d.find_element(By.ID, "token"))
    field.clear()
    field.send_keys(token)
    find(driver, "#sign-in-button").click()


# -- the tests ------------------------------------------------------------------------------

def test_the_page_and_its_files_carry_a_strict_policy(world):
    for path, media in (("/admin", "text/html"), ("/admin/app.js", "application/javascript"),
                        ("/admin/app.css", "text/css")):
        with urllib.request.urlopen(world.url + path, timeout=10) as resp:
            body = resp.read().decode("utf-8")
            headers = resp.headers
        assert resp.status == 200 and headers["Content-Type"].startswith(media), (path, headers["Content-Type"])
        csp = headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-cache"
        assert "http://" not in body.replace("http://www.w3.org", "") and "https://" not in body, path
    page = urllib.request.urlopen(world.url + "/admin", timeout=10).read().decode("utf-8")
    assert "<script>" not in page and "<style" not in page and " style=" not in page and " on" + "click=" not in page
    assert 'src="admin/app.js"' in page and 'href="admin/app.css"' in page
    # The same route reached with a trailing slash links its files one level up, so they still resolve.
    slashed = urllib.request.urlopen(world.url + "/admin/", timeout=10).read().decode("utf-8")
    assert 'src="app.js"' in slashed and 'href="app.css"' in slashed


def test_an_administrator_decides_the_shortlist_in_the_browser(world, browser):
    driver, ids = browser, world.ids
    driver.get(world.url + "/admin")
    assert driver.title.startswith("Trang quản trị")

    # A leader's token is refused with a clear message; the administrator's is accepted.
    sign_in(driver, world.leader)
    error = wait(driver, lambda d: d.find_element(By.ID, "sign-in-error").is_displayed()
                 and d.find_element(By.ID, "sign-in-error"))
    assert "chỉ dành cho quản trị viên" in error.text and "Lãnh đạo" in error.text
    sign_in(driver, world.admin)
    wait(driver, lambda d: d.find_element(By.ID, "workspace").is_displayed())
    assert find(driver, "#who-name").text == "Quản trị" and find(driver, "#sign-out").text == "Đăng xuất"

    # Tab 1: the completeness board of August 2021, in tree order.
    period = find(driver, "#period")
    assert period.get_attribute("value") != ""  # defaults to the previous month
    period.clear()
    period.send_keys(PERIOD)
    find(driver, "#period-form button[type=submit]").click()
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#completeness-summary h2").text
         == "Kỳ báo cáo: tháng 8 năm 2021")
    assert "Công an tỉnh Nghệ An" in find(driver, 'tr[data-unit-id="ca-nghe-an"]').text
    units = [tr.get_attribute("data-unit-id") for tr in driver.find_elements(By.CSS_SELECTOR, "#completeness-rows tr")]
    assert units[0] == "bo-cong-an" and set(units) == set(UNIT_IDS)
    assert units.index("bv-19-8") == units.index("cuc-y-te") + 1  # a hospital right under its department
    assert "Chưa nộp" in find(driver, f'tr[data-unit-id="{MISSING}"] .badge').text
    assert "%" in find(driver, "#completeness-summary .tile-strong").text
    if SCREENSHOTS:
        full_page_png(driver, DOCS / "admin-completeness.png")

    # Tab 2: the conference's shortlist, grouped by award form, the quota line drawn.
    find(driver, "#tab-awards").click()
    choose_conference(driver, world.conference)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr[data-nomination-id]")) == len(ids))
    group = find(driver, f'section[data-award-form="{QUOTA_FORM}"]')
    assert "Chỉ tiêu: 3 — đã duyệt 0/3" in group.find_element(By.CSS_SELECTOR, ".quota").text
    assert len(group.find_elements(By.CSS_SELECTOR, "tr.quota-rule")) == 1
    assert row_status(driver, ids["nghe_an"]) == "Chờ xét"

    # Approve one.
    row(driver, ids["nghe_an"]).find_element(By.CSS_SELECTOR, "button[data-action=approve]").click()
    status_says(driver, "Đã duyệt đề nghị", "Công an tỉnh Nghệ An")
    assert row_status(driver, ids["nghe_an"]) == "Đã duyệt"

    # Reject another: without a note the dialog refuses, in Vietnamese, before any request.
    row(driver, ids["hcm"]).find_element(By.CSS_SELECTOR, "button[data-action=reject]").click()
    dialog = wait(driver, lambda d: d.find_element(By.ID, "decision-dialog").is_displayed()
                  and d.find_element(By.ID, "decision-dialog"))
    find(driver, "#decision-confirm").click()
    refusal = wait(driver, lambda d: d.find_element(By.ID, "decision-error").is_displayed()
                   and d.find_element(By.ID, "decision-error"))
    assert "lý do từ chối" in refusal.text and dialog.is_displayed()
    find(driver, "#decision-note").send_keys(REJECT_NOTE)
    find(driver, "#decision-confirm").click()
    status_says(driver, "Đã từ chối đề nghị", "Công an Thành phố Hồ Chí Minh")
    assert row_status(driver, ids["hcm"]) == "Từ chối"
    assert REJECT_NOTE in row(driver, ids["hcm"]).text

    # Tick two more and approve them in one request.
    for key in ("bac_giang", "bv_199"):
        row(driver, ids[key]).find_element(By.CSS_SELECTOR, "input.row-check").click()
    assert find(driver, "#selection-count").text == "Đã chọn 2 mục"
    find(driver, "#bulk-approve").click()
    status_says(driver, "Đã duyệt 2 đề nghị", "Bệnh viện 199")
    assert [row_status(driver, ids[k]) for k in ("bac_giang", "bv_199")] == ["Đã duyệt", "Đã duyệt"]
    group = find(driver, f'section[data-award-form="{QUOTA_FORM}"]')
    assert "Chỉ tiêu: 3 — đã duyệt 3/3" in group.find_element(By.CSS_SELECTOR, ".quota").text

    # The filters narrow the list without a request: by text (diacritics optional) and by status.
    find(driver, "#filter-text").send_keys("nguyen van son")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr[data-nomination-id]")) == 1)
    find(driver, "#filter-text").send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)  # clear() fires no input event
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr[data-nomination-id]")) == len(ids))
    if SCREENSHOTS:
        driver.execute_script("document.activeElement.blur()")
        full_page_png(driver, DOCS / "admin-shortlist.png")

    # The workbook downloads through a Blob URL (the request needs the token).
    find(driver, "#download").click()
    status_says(driver, "Đã tải tệp Excel")
    workbook = wait(driver, lambda d: [p for p in d.downloads.iterdir() if p.suffix == ".xlsx"], 20)[0]
    assert workbook.read_bytes()[:2] == b"PK" and world.conference in workbook.name

    # Finalise, confirmed in a dialog: afterwards every decision button is disabled.
    find(driver, "#finalise").click()
    wait(driver, lambda d: d.find_element(By.ID, "confirm-dialog").is_displayed())
    find(driver, "#confirm-ok").click()
    status_says(driver, "Đã chốt danh sách")
    assert find(driver, "#finalised-banner").is_displayed()
    buttons = driver.find_elements(By.CSS_SELECTOR, "#shortlist button[data-action]")
    assert buttons and not any(b.is_enabled() for b in buttons)
    assert not find(driver, "#finalise").is_enabled() and not find(driver, "#bulk-approve").is_enabled()

    # The API holds every decision, the note, and an audit entry for each.
    api = world.api
    expected = {"nghe_an": ("approved", "approve"), "hcm": ("rejected", "reject"),
                "bac_giang": ("approved", "approve"), "bv_199": ("approved", "approve")}
    for key, (status, action) in expected.items():
        nomination = ok(api.call("GET", f"/v1/nominations/{ids[key]}"))
        assert nomination["status"] == status, (key, nomination)
        assert nomination["decision"]["by_name"] == "Quản trị"
        audit = ok(api.call("GET", f"/v1/nominations/{ids[key]}/audit"))
        assert [e["action"] for e in audit["items"]] == [action, "nominated"], (key, audit)
        assert audit["items"][0]["actor_name"] == "Quản trị"
    rejected = ok(api.call("GET", f"/v1/nominations/{ids['hcm']}"))
    assert rejected["decision"]["note"] == REJECT_NOTE
    assert ok(api.call("GET", f"/v1/nominations/{ids['hcm']}/audit"))["items"][0]["detail"]["note"] == REJECT_NOTE
    for key in ("da_nang", "giam_doc", "can_bo"):
        assert ok(api.call("GET", f"/v1/nominations/{ids[key]}"))["status"] == "pending"
    assert ok(api.call("GET", f"/v1/conferences/{world.conference}"))["finalised_at"]

    # Every request the page made went to the app itself (or was data:/about:/its own Blob URL).
    urls = requested_urls(driver)
    assert any(u.endswith("/admin/app.js") for u in urls) and any("/shortlist" in u for u in urls)
    foreign = [u for u in urls if not (u.startswith(world.url + "/") or u.startswith(("data:", "about:"))
                                       or u.startswith(f"blob:{world.url}/"))]
    assert foreign == [], foreign
    # No script errors and no Content-Security-Policy violations on the console.
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == [], severe


def test_a_refused_decision_shows_the_apis_detail_and_the_list_is_reloaded(world, browser):
    """A conference finalised elsewhere while the page is open: the click answers 423, whose
    Vietnamese `detail` the status area shows; the reloaded list is then shown as finalised."""
    api = world.api
    other = ok(api.call("POST", "/v1/conferences", {
        "title": "Hội nghị tổng kết công tác Công an tỉnh Nghệ An", "date": "2021-09-15", "periods": [PERIOD],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Thiếu tướng Nguyễn Văn A"}}), 201)["id"]
    nomination = ok(api.call("POST", "/v1/units/ca-nghe-an/nominations", {
        "conference_id": other, "kind": "collective", "name": "Phòng Cảnh sát cơ động", "award_form": "giay-khen",
        "achievements": ACHIEVEMENTS}), 201)["id"]
    CONFERENCE_ROWS[other] = {nomination}
    driver = browser
    driver.get(world.url + "/admin")
    sign_in(driver, world.admin)
    find(driver, "#tab-awards").click()
    choose_conference(driver, other)
    etag = api.call("GET", f"/v1/conferences/{other}")[1]["ETag"]
    ok(api.call("POST", f"/v1/conferences/{other}/finalise", None, {"If-Match": etag}))  # meanwhile, elsewhere
    row(driver, nomination).find_element(By.CSS_SELECTOR, "button[data-action=approve]").click()
    status_says(driver, "Danh sách khen thưởng của hội nghị đã được chốt; không thể thay đổi.", kind="error")
    assert find(driver, "#finalised-banner").is_displayed()
    assert not row(driver, nomination).find_element(By.CSS_SELECTOR, "button[data-action=approve]").is_enabled()
    assert "(đã chốt)" in Select(find(driver, "#conference")).first_selected_option.text
    assert ok(api.call("GET", f"/v1/nominations/{nomination}"))["status"] == "pending"


def test_a_stored_session_survives_a_reload_and_signing_out_forgets_it(world, browser):
    driver = browser
    driver.get(world.url + "/admin/")  # the trailing-slash form of the address works too
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, ".topbar").value_of_css_property("border-bottom-width")
         == "4px")  # the stylesheet loaded
    sign_in(driver, "thd_0000000000000000_" + "x" * 43)
    refused = wait(driver, lambda d: d.find_element(By.ID, "sign-in-error").is_displayed()
                   and d.find_element(By.ID, "sign-in-error"))
    assert refused.text.startswith("Mã truy cập")  # the API's own detail, in Vietnamese
    sign_in(driver, world.admin)
    wait(driver, lambda d: d.find_element(By.ID, "workspace").is_displayed())
    driver.refresh()
    wait(driver, lambda d: d.find_element(By.ID, "workspace").is_displayed())
    assert driver.execute_script("return sessionStorage.length") == 1
    find(driver, "#sign-out").click()
    wait(driver, lambda d: d.find_element(By.ID, "sign-in").is_displayed())
    assert driver.execute_script("return sessionStorage.length") == 0
    assert find(driver, "#completeness-rows").text == ""
