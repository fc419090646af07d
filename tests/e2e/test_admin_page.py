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
from selenium.common.exceptions import (  # noqa: E402
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from browser import requested_urls  # noqa: E402  (Chromium's performance log, shared with the portal tests)

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
# Every step waits for what a user would see before acting (a visible, enabled control; a
# heading's text; a row count), never for an element merely being in the DOM, and never
# sleeps: the page renders after its requests answer, later on a loaded machine.

def wait(driver, condition, timeout: float = 20, message: str = ""):
    # The page re-renders after every action: an element read a moment ago may be gone; look again.
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
                         ).until(condition, message)


def find(driver, css: str):
    """The element now, for reading what an earlier wait already settled; never to act on."""
    return driver.find_element(By.CSS_SELECTOR, css)


def shown(driver, css: str, *, text: str | None = None, containing: str | None = None, enabled: bool = False,
          timeout: float = 20):
    """Wait until `css` is displayed (and enabled, and its text is `text` or holds `containing`); return it."""
    def check(d):
        element = d.find_element(By.CSS_SELECTOR, css)
        return (element.is_displayed() and (not enabled or element.is_enabled())
                and (text is None or element.text == text)
                and (containing is None or containing in element.text) and element)
    try:
        return wait(driver, check, timeout)
    except TimeoutException:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        now = (f"displayed={found[0].is_displayed()} enabled={found[0].is_enabled()} text={found[0].text!r}"
               if found else "absent")
        raise AssertionError(f"{css}: {now}; wanted displayed, enabled={enabled}, text={text!r}, "
                             f"containing={containing!r}") from None


def click(driver, css: str, timeout: float = 20) -> None:
    """Click `css` once it is displayed and enabled, as a user can; if the page re-renders
    it in between (a stale element), look it up again. Clicks exactly once."""
    def attempt(d):
        element = d.find_element(By.CSS_SELECTOR, css)
        if not (element.is_displayed() and element.is_enabled()):
            return False
        element.click()  # a stale element raises before anything is clicked
        return True
    try:
        wait(driver, attempt, timeout)
    except TimeoutException:
        shown(driver, css, enabled=True, timeout=0)  # says what the element looks like instead
        raise


def type_into(driver, css: str, *keys: str, clear: bool = False) -> None:
    field = shown(driver, css, enabled=True)
    if clear:
        field.clear()
    field.send_keys(*keys)


def rows_shown(driver, count: int, css: str = "tr[data-nomination-id]") -> None:
    try:
        wait(driver, lambda d: len([r for r in d.find_elements(By.CSS_SELECTOR, css) if r.is_displayed()]) == count)
    except TimeoutException:
        raise AssertionError(f"{css}: {len(driver.find_elements(By.CSS_SELECTOR, css))} rows, "
                             f"wanted {count}") from None


def status_says(driver, *parts: str, kind: str = "success"):
    """Wait until the status area (role=status) shows a message of `kind` holding every part."""
    def check(d):
        boxes = d.find_elements(By.CSS_SELECTOR, f"#status .message-{kind}")
        return boxes and all(p in boxes[0].text for p in parts) and boxes[0].text
    try:
        return wait(driver, check)
    except Exception:
        raise AssertionError(f"status area: {find(driver, '#status').text!r}, wanted {kind}: {parts}") from None


def row_css(nomination_id: str) -> str:
    return f'tr[data-nomination-id="{nomination_id}"]'


def row(driver, nomination_id: str):
    return find(driver, row_css(nomination_id))


def row_status(driver, nomination_id: str) -> str:
    return row(driver, nomination_id).find_element(By.CSS_SELECTOR, ".col-status .badge").text


def full_page_png(driver, path: Path) -> None:
    """A screenshot of the whole page, not just the 1366×900 viewport."""
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": 1366, "height": max(size["height"], 768), "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


def choose_conference(driver, conference_id: str) -> None:
    """Pick the conference in the visible, enabled picker once it lists it, then wait until
    its own list is shown and no load is running (the picker is enabled again)."""
    def choose(d):
        picker = d.find_element(By.ID, "conference")
        option = picker.find_element(By.CSS_SELECTOR, f'option[value="{conference_id}"]')
        if not (picker.is_displayed() and picker.is_enabled() and option.text):
            return False
        Select(picker).select_by_value(conference_id)
        return True

    def its_list_is_shown(d):
        rows = [r for r in d.find_elements(By.CSS_SELECTOR, "tr[data-nomination-id]") if r.is_displayed()]
        return (d.find_element(By.ID, "conference").is_enabled()
                and Select(d.find_element(By.ID, "conference")).first_selected_option.get_attribute("value")
                == conference_id
                and rows and all(r.get_attribute("data-nomination-id") in conference_rows(conference_id)
                                 for r in rows))
    wait(driver, choose, message=f"conference {conference_id} never listed in an enabled picker")
    wait(driver, its_list_is_shown, message=f"conference {conference_id}'s nominations never shown")


CONFERENCE_ROWS: dict[str, set[str]] = {}  # conference -> its nomination ids, filled as they are made


def conference_rows(conference_id: str) -> set[str]:
    return CONFERENCE_ROWS[conference_id]


def sign_in(driver, token: str) -> None:
    type_into(driver, "#token", token, clear=True)
    click(driver, "#sign-in-button")


def signed_in(driver, name: str) -> None:
    """The workspace is shown with the account's name in the top bar: sign-in has finished."""
    shown(driver, "#who-name", text=name)
    shown(driver, "#workspace")


# -- the tests ------------------------------------------------------------------------------

HELPER_PAGE = """<!doctype html><meta charset="utf-8"><title>t</title>
<h2 id="heading">Đang tải…</h2><button id="later" type="button" hidden disabled>Duyệt</button><p id="clicks">0</p>
<script>
  const $ = (id) => document.getElementById(id);
  $("later").addEventListener("click", () => { $("clicks").textContent = String(Number($("clicks").textContent) + 1); });
  // The test schedules what a slow answer would do: show the button, then enable it, then retitle.
  window.answerSlowly = () => {
    setTimeout(() => { $("later").hidden = false; }, 300);
    setTimeout(() => { $("later").disabled = false; }, 600);
    setTimeout(() => { $("heading").textContent = "Kỳ báo cáo: tháng 8 năm 2021"; }, 900);
  };
</script>"""


def test_defect_12_the_helpers_wait_for_what_a_user_sees(browser):
    """The defect: a click on a control the page has not shown yet fails ("element not
    interactable"), and one on a control still disabled is silently lost. `click` waits
    until the control is visible and enabled and clicks once; `shown` waits for text."""
    driver = browser
    driver.get("data:text/html;charset=utf-8;base64," + base64.b64encode(HELPER_PAGE.encode()).decode())
    with pytest.raises(ElementNotInteractableException):
        find(driver, "#later").click()  # what the suite used to do: act on mere presence
    driver.execute_script("window.answerSlowly()")
    click(driver, "#later")  # not while hidden, not while disabled (a lost click), once
    assert find(driver, "#clicks").text == "1"
    assert shown(driver, "#heading", text="Kỳ báo cáo: tháng 8 năm 2021").tag_name == "h2"
    assert find(driver, "#clicks").text == "1"
    with pytest.raises(AssertionError, match="absent"):
        shown(driver, "#nowhere", timeout=0.3)
    driver.execute_script('document.getElementById("later").disabled = true')
    with pytest.raises(AssertionError, match="enabled=False"):
        click(driver, "#later", timeout=0.3)
    assert find(driver, "#clicks").text == "1"


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
    error = shown(driver, "#sign-in-error")
    assert "chỉ dành cho quản trị viên" in error.text and "Lãnh đạo" in error.text
    sign_in(driver, world.admin)
    signed_in(driver, "Quản trị")
    assert find(driver, "#who-name").text == "Quản trị" and find(driver, "#sign-out").text == "Đăng xuất"

    # Tab 1: the completeness board of August 2021, in tree order.
    period = shown(driver, "#period", enabled=True)
    assert period.get_attribute("value") != ""  # defaults to the previous month
    type_into(driver, "#period", PERIOD, clear=True)
    click(driver, "#period-form button[type=submit]")
    shown(driver, "#completeness-summary h2", text="Kỳ báo cáo: tháng 8 năm 2021")
    rows_shown(driver, len(UNIT_IDS), "#completeness-rows tr")
    assert "Công an tỉnh Nghệ An" in find(driver, 'tr[data-unit-id="ca-nghe-an"]').text
    units = [tr.get_attribute("data-unit-id") for tr in driver.find_elements(By.CSS_SELECTOR, "#completeness-rows tr")]
    assert units[0] == "bo-cong-an" and set(units) == set(UNIT_IDS)
    assert units.index("bv-19-8") == units.index("cuc-y-te") + 1  # a hospital right under its department
    assert "Chưa nộp" in find(driver, f'tr[data-unit-id="{MISSING}"] .badge').text
    assert "%" in find(driver, "#completeness-summary .tile-strong").text
    if SCREENSHOTS:
        full_page_png(driver, DOCS / "admin-completeness.png")

    # Tab 2: the conference's shortlist, grouped by award form, the quota line drawn.
    click(driver, "#tab-awards")
    choose_conference(driver, world.conference)
    rows_shown(driver, len(ids))
    group = find(driver, f'section[data-award-form="{QUOTA_FORM}"]')
    assert "Chỉ tiêu: 3 — đã duyệt 0/3" in group.find_element(By.CSS_SELECTOR, ".quota").text
    assert len(group.find_elements(By.CSS_SELECTOR, "tr.quota-rule")) == 1
    assert row_status(driver, ids["nghe_an"]) == "Chờ xét"

    # Approve one.
    click(driver, f'{row_css(ids["nghe_an"])} button[data-action=approve]')
    status_says(driver, "Đã duyệt đề nghị", "Công an tỉnh Nghệ An")
    assert row_status(driver, ids["nghe_an"]) == "Đã duyệt"

    # Reject another: without a note the dialog refuses, in Vietnamese, before any request.
    click(driver, f'{row_css(ids["hcm"])} button[data-action=reject]')
    dialog = shown(driver, "#decision-dialog")
    click(driver, "#decision-confirm")
    refusal = shown(driver, "#decision-error")
    assert "lý do từ chối" in refusal.text and dialog.is_displayed()
    type_into(driver, "#decision-note", REJECT_NOTE)
    click(driver, "#decision-confirm")
    status_says(driver, "Đã từ chối đề nghị", "Công an Thành phố Hồ Chí Minh")
    assert row_status(driver, ids["hcm"]) == "Từ chối"
    assert REJECT_NOTE in row(driver, ids["hcm"]).text

    # Tick two more and approve them in one request.
    for key in ("bac_giang", "bv_199"):
        click(driver, f"{row_css(ids[key])} input.row-check")
    shown(driver, "#selection-count", text="Đã chọn 2 mục")
    click(driver, "#bulk-approve")
    status_says(driver, "Đã duyệt 2 đề nghị", "Bệnh viện 199")
    assert [row_status(driver, ids[k]) for k in ("bac_giang", "bv_199")] == ["Đã duyệt", "Đã duyệt"]
    group = find(driver, f'section[data-award-form="{QUOTA_FORM}"]')
    assert "Chỉ tiêu: 3 — đã duyệt 3/3" in group.find_element(By.CSS_SELECTOR, ".quota").text

    # The filters narrow the list without a request: by text (diacritics optional) and by status.
    type_into(driver, "#filter-text", "nguyen van son")
    rows_shown(driver, 1)
    type_into(driver, "#filter-text", Keys.CONTROL, "a", Keys.BACKSPACE)  # clear() fires no input event
    rows_shown(driver, len(ids))
    if SCREENSHOTS:
        driver.execute_script("document.activeElement.blur()")
        full_page_png(driver, DOCS / "admin-shortlist.png")

    # The workbook downloads through a Blob URL (the request needs the token).
    click(driver, "#download")
    status_says(driver, "Đã tải tệp Excel")
    workbook = wait(driver, lambda d: [p for p in d.downloads.iterdir() if p.suffix == ".xlsx"], 20)[0]
    assert workbook.read_bytes()[:2] == b"PK" and world.conference in workbook.name

    # Finalise, confirmed in a dialog: afterwards every decision button is disabled.
    click(driver, "#finalise")
    shown(driver, "#confirm-dialog")
    click(driver, "#confirm-ok")
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
    signed_in(driver, "Quản trị")
    click(driver, "#tab-awards")
    choose_conference(driver, other)
    etag = api.call("GET", f"/v1/conferences/{other}")[1]["ETag"]
    ok(api.call("POST", f"/v1/conferences/{other}/finalise", None, {"If-Match": etag}))  # meanwhile, elsewhere
    click(driver, f"{row_css(nomination)} button[data-action=approve]")
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
    refused = shown(driver, "#sign-in-error")
    assert refused.text.startswith("Mã truy cập")  # the API's own detail, in Vietnamese
    sign_in(driver, world.admin)
    signed_in(driver, "Quản trị")
    driver.refresh()
    signed_in(driver, "Quản trị")
    assert driver.execute_script("return sessionStorage.length") == 1
    click(driver, "#sign-out")
    shown(driver, "#sign-in-title", text="Đăng nhập")
    shown(driver, "#token", enabled=True)
    assert driver.execute_script("return sessionStorage.length") == 0
    assert find(driver, "#completeness-rows").text == ""
