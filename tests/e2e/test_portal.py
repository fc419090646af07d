"""The unit portal at `/`, used in Debian's headless Chromium as its people use it (issue 16).

One stack for the module (DynamoDB Local + chalice local behind tests/e2e/browser.py's
LosingProxy, reached at http://localhost:<port>, the WebAuthn RP id). People are made the way
they are in production: an admin's POST /v1/accounts, the emailed link (read from the outbox),
POST /v1/password, and for staff a second factor; the browser then does the person's work
through the screens of the UI contract (docs in /work/plan, "UI contract") and the API says
what is stored. axe-core runs on every screen (no serious or critical violation), and with
THIDUA_SCREENSHOTS=1 each screen is written to docs/portal-<screen>-<360|1366>.png.

    .venv/bin/python -m pytest -q tests/e2e/test_portal.py
"""

from __future__ import annotations

import time

import pytest

from browser import (
    HAVE_CHROMIUM,
    NEEDS_CHROMIUM,
    emailed_link,
    field,
    field_error,
    fill,
    heading,
    no_field_error,
    norm,
    offline,
    online,
    page_text,
    passkeys,
    press,
    requested_urls,
    says,
    severe_console_messages,
    virtual_authenticator,
    wait,
)
from devtools import demo_data
from people import (
    DOMAIN,
    UNIT_NAMES,
    Person,
    check,
    current_period,
    go,
    invite,
    ok,
    otp,
    person,
    portal_world,
    previous_period,
    sign_in,
    sign_out,
    signed_in,
)

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

WIDTHS = (360, 1366)
PARENT, SUB_UNITS = "cuc-y-te", ("bv-19-8", "bv-y-hoc-co-truyen", "bv-199")
ACHIEVEMENTS = ("Duy trì 38 chốt kiểm soát phòng, chống dịch tại các cửa ngõ; thành lập 30 tổ truy vết, "
                "đón, dẫn an toàn 8.600 công dân về địa phương.")
RETURN_NOTE = "Số cán bộ huy động chưa khớp báo cáo nhanh ngày 31/7; đề nghị kiểm tra và gửi lại."
DECISION_NOTE = "Đồng ý đề nghị; thành tích tiêu biểu trong đợt cao điểm tháng 8/2021."


# -- the module's stack -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from portal_world(tmp_path_factory)


# -- what a person does in the browser ------------------------------------------------------------

# -- the scenarios ------------------------------------------------------------------------------

def test_an_admin_invites_a_clerk_who_sets_a_password_and_submits_a_report_that_is_accepted(world, chromium_factory):
    unit, period = "ca-nghe-an", current_period()
    values, _ = demo_data.REPORTS["2021-07"][unit]
    admin = person(world, "admin", name="Trần Văn Quản")
    driver = chromium_factory(width=1366)

    # The admin signs in (password, then the app's code) and invites the unit's clerk.
    go(driver, world, "/")
    heading(driver, "Đăng nhập")
    check(driver, "signin", shot=False)
    sign_in(driver, world, admin)
    go(driver, world, "/tai-khoan")
    heading(driver, "Tài khoản người dùng")
    clerk_email = f"van.thu.{int(time.time())}@{DOMAIN}"
    fill(driver, "Họ và tên", "Nguyễn Thị Văn Thư")
    fill(driver, "Thư điện tử", clerk_email)
    fill(driver, "Vai trò", "unit")
    fill(driver, "Đơn vị", unit)
    check(driver, "accounts", shot=False)
    press(driver, "Gửi lời mời")
    says(driver, "Đã gửi lời mời")
    [account] = [a for a in ok(world.api.call("GET", f"/v1/accounts?unit_id={unit}"))["items"]
                 if a["email"] == clerk_email]
    assert (account["role"], account["unit_id"], account["status"]) == ("unit", unit, "invited")
    sign_out(driver)

    # The clerk follows the emailed link and chooses a password.
    link, _ = emailed_link(world.outbox, clerk_email)
    assert link.startswith(world.url + "/#/dat-mat-khau?token=")
    driver.get(link)
    heading(driver, "Đặt mật khẩu")
    check(driver, "set-password", shot=False)
    password = "Đồng-lòng-chống-dịch-2021"
    fill(driver, "Mật khẩu mới", password)
    fill(driver, "Nhập lại mật khẩu", password)
    press(driver, "Lưu mật khẩu")
    heading(driver, "Đăng nhập")
    says(driver, "Đã đặt mật khẩu")
    assert ok(world.api.call("GET", f"/v1/accounts/{account['id']}"))["status"] == "active"

    # Signs in: home is the unit's periods; the current one is still to be submitted.
    clerk = Person(account["id"], clerk_email, "Nguyễn Thị Văn Thư", "unit", unit, password)
    sign_in(driver, world, clerk)
    heading(driver, UNIT_NAMES[unit])
    says(driver, "Chưa nộp")
    check(driver, "home", shot=False)

    # Opens the newest period's form (periods are listed newest first).
    press(driver, "Nộp báo cáo")
    heading(driver, "Báo cáo", starts=True)
    wait(driver, lambda d: f"/bao-cao/{unit}/{period}" in d.current_url,
         message=f"the first 'Nộp báo cáo' should open {period}: {driver.current_url}")
    for code, value in values.items():
        fill(driver, world.labels[code], str(value))
    # One figure breaks a cross-field rule: more penalised than detected.
    fill(driver, world.labels["violations_penalised"], str(values["violations_detected"] + 1))
    fill(driver, "Thành tích nổi bật", ACHIEVEMENTS)
    says(driver, str(len(ACHIEVEMENTS)))  # the character count
    press(driver, "Gửi báo cáo")
    error = field_error(driver, world.labels["violations_penalised"])
    assert "không được lớn hơn" in error, error
    check(driver, "form-error")
    # ... corrected in place, nothing else retyped.
    fill(driver, world.labels["violations_penalised"], str(values["violations_penalised"]))
    press(driver, "Gửi báo cáo")
    says(driver, "Đã gửi")
    no_field_error(driver, world.labels["violations_penalised"])
    check(driver, "form-sent")

    stored = ok(world.api.call("GET", f"/v1/units/{unit}/reports/{period}"))
    assert stored["values"] == values and stored["achievements"] == ACHIEVEMENTS and stored["version"] == 1
    assert len(ok(world.api.call("GET", f"/v1/units/{unit}/reports/{period}/revisions"))["items"]) == 1

    # The office accepts it; the clerk sees it accepted.
    etag = world.api.call("GET", f"/v1/units/{unit}/reports/{period}")[1]["ETag"]
    ok(world.api.call("POST", f"/v1/units/{unit}/reports/{period}/review", {"action": "accept"}, {"If-Match": etag}))
    go(driver, world, "/")
    heading(driver, UNIT_NAMES[unit])
    says(driver, "Đã duyệt")
    assert severe_console_messages(driver) == []


def test_a_leader_signs_in_with_an_authenticator_app_code(world, chromium_factory):
    leader = person(world, "leader", name="Lê Văn Lãnh Đạo", totp=False)
    driver = chromium_factory(width=360, height=780)
    # A staff account without a second factor signs in to enrol one, here the authenticator app.
    sign_in(driver, world, leader, second_factor=False)
    signed_in(driver)
    go(driver, world, "/bao-mat")
    heading(driver, "Bảo mật tài khoản")
    check(driver, "security", shot=False)
    press(driver, "Thiết lập ứng dụng xác thực")
    secret_box = wait(driver, lambda d: [e for e in d.find_elements("css selector", '[data-testid="totp-secret"]')
                                         if e.is_displayed() and e.text.strip()])[0]
    leader.secret = "".join(secret_box.text.split())
    fill(driver, "Mã xác thực (6 số)", otp(leader.secret))
    check(driver, "security-totp")
    press(driver, "Xác nhận")
    wait(driver, lambda d: ok(world.api.call("GET", f"/v1/accounts/{leader.id}"))["factors"]["totp"] is True,
         message="the TOTP factor was never stored")
    sign_out(driver)

    # Password alone is not enough now; the code is asked for.
    fill(driver, "Thư điện tử", leader.email)
    fill(driver, "Mật khẩu", leader.password)
    press(driver, "Đăng nhập")
    field(driver, "Mã xác thực (6 số)")
    check(driver, "signin-otp")
    fill(driver, "Mã xác thực (6 số)", otp(leader.secret))
    press(driver, "Đăng nhập")
    signed_in(driver)
    assert ok(world.api.call("GET", f"/v1/accounts/{leader.id}"))["last_sign_in_at"]


def test_another_leader_enrols_a_passkey_and_signs_in_with_it(world, chromium_factory):
    leader = person(world, "leader", name="Phạm Thị Khóa", totp=False)
    driver = chromium_factory(width=1366)
    authenticator = virtual_authenticator(driver)  # the laptop's fingerprint reader
    sign_in(driver, world, leader, second_factor=False)
    signed_in(driver)
    go(driver, world, "/bao-mat")
    heading(driver, "Bảo mật tài khoản")
    press(driver, "Thêm khóa truy cập")
    wait(driver, lambda d: ok(world.api.call("GET", f"/v1/accounts/{leader.id}"))["factors"]["passkeys"] == 1,
         message="the passkey was never stored")
    [credential] = passkeys(driver, authenticator)
    assert credential["rpId"] == "localhost"
    check(driver, "security-passkey")
    sign_out(driver)

    fill(driver, "Thư điện tử", leader.email)
    fill(driver, "Mật khẩu", leader.password)
    press(driver, "Đăng nhập bằng khóa truy cập")
    signed_in(driver)
    [used] = passkeys(driver, authenticator)
    assert used["signCount"] > credential["signCount"]  # the authenticator signed the sign-in's challenge
    challenges = world.proxy.exchanges("POST", r"^/v1/sessions/passkey-challenge$")
    sessions = [e for e in world.proxy.exchanges("POST", r"^/v1/sessions$") if e.status == 201]
    assert challenges and challenges[-1].status == 200 and sessions


def test_six_wrong_passwords_lock_the_account(world, chromium_factory):
    clerk = person(world, "unit", "ca-binh-duong", name="Đỗ Văn Khóa")
    driver = chromium_factory(width=360, height=780)
    go(driver, world, "/")
    heading(driver, "Đăng nhập")
    fill(driver, "Thư điện tử", clerk.email)
    for attempt in range(1, 7):
        before = len(world.proxy.exchanges("POST", r"^/v1/sessions$"))
        fill(driver, "Mật khẩu", f"sai-mat-khau-lan-{attempt}")
        press(driver, "Đăng nhập")
        wait(driver, lambda d, before=before: len(world.proxy.exchanges("POST", r"^/v1/sessions$")) > before,
             message=f"attempt {attempt} never reached the API")
        if attempt < 6:
            says(driver, "Thư điện tử hoặc mật khẩu không đúng")
    says(driver, "tạm khóa")
    check(driver, "signin-locked")
    statuses = [e.status for e in world.proxy.exchanges("POST", r"^/v1/sessions$")][-6:]
    assert statuses[-1] == 429, statuses
    # Even the right password is refused now.
    status, headers, _ = world.anonymous.call("POST", "/v1/sessions", {"email": clerk.email, "password": clerk.password})
    assert status == 429 and int(headers["Retry-After"]) > 0


def test_a_report_changed_since_the_clerks_read_is_not_overwritten(world, chromium_factory):
    """The office corrects the report while the clerk has it open: the clerk's send answers 412,
    the page shows what changed (at the read, now, the clerk's) and stores nothing until the
    clerk chooses; taking the current version and sending again makes the next revision."""
    unit, period = "ca-binh-duong", previous_period()
    values, _ = demo_data.REPORTS["2021-07"]["ca-da-nang"]
    ok(world.api.call("PUT", f"/v1/units/{unit}/reports/{period}", {"values": values}), 201)
    clerk = person(world, "unit", unit, name="Mai Thị Xung Đột")
    driver = chromium_factory(width=1366)
    sign_in(driver, world, clerk)
    go(driver, world, f"/bao-cao/{unit}/{period}")
    heading(driver, "Báo cáo", starts=True)
    wait(driver, lambda d: field(d, world.labels["checkpoints"]).get_attribute("value") == str(values["checkpoints"]),
         message="the form never showed the stored figures")

    etag = world.api.call("GET", f"/v1/units/{unit}/reports/{period}")[1]["ETag"]  # meanwhile, the office
    ok(world.api.call("PUT", f"/v1/units/{unit}/reports/{period}", {"values": {**values, "checkpoints": 777}},
                      {"If-Match": etag}))
    fill(driver, world.labels["tracing_teams"], "31")
    press(driver, "Gửi báo cáo")
    says(driver, "đã được cập nhật")
    changed = [r for r in driver.find_elements("css selector", "table tr") if world.labels["checkpoints"] in r.text]
    assert changed and "777" in changed[0].text and str(values["checkpoints"]) in changed[0].text, page_text(driver)
    check(driver, "form-conflict")
    stored = ok(world.api.call("GET", f"/v1/units/{unit}/reports/{period}"))
    assert (stored["version"], stored["values"]["checkpoints"], stored["values"]["tracing_teams"]) == (
        2, 777, values["tracing_teams"])  # nothing of the clerk's overwrote the office's change

    press(driver, "Dùng bản hiện tại")
    wait(driver, lambda d: field(d, world.labels["checkpoints"]).get_attribute("value") == "777",
         message="the current version's figures never replaced the form's")
    fill(driver, world.labels["tracing_teams"], "31")
    press(driver, "Gửi báo cáo")
    says(driver, "Đã gửi")
    stored = ok(world.api.call("GET", f"/v1/units/{unit}/reports/{period}"))
    assert (stored["version"], stored["values"]["checkpoints"], stored["values"]["tracing_teams"]) == (3, 777, 31)


def test_a_draft_is_kept_in_the_browser_across_a_reload(world, chromium_factory):
    unit, period = "ca-tp-hcm", current_period()
    clerk = person(world, "unit", unit, name="Trịnh Văn Bản Nháp")
    driver = chromium_factory(width=360, height=780)
    sign_in(driver, world, clerk)
    go(driver, world, f"/bao-cao/{unit}/{period}")
    heading(driver, "Báo cáo", starts=True)
    fill(driver, world.labels["checkpoints"], "41")
    fill(driver, "Thành tích nổi bật", ACHIEVEMENTS)
    driver.refresh()  # the phone's browser closed the tab, say
    heading(driver, "Báo cáo", starts=True)
    wait(driver, lambda d: field(d, world.labels["checkpoints"]).get_attribute("value") == "41"
         and field(d, "Thành tích nổi bật").get_attribute("value") == ACHIEVEMENTS,
         message="the draft was not kept")
    assert world.api.call("GET", f"/v1/units/{unit}/reports/{period}")[0] == 404  # a draft is not a submission


def submit_offline(driver, world, unit: str, period: str, values: dict[str, int]) -> None:
    go(driver, world, f"/bao-cao/{unit}/{period}")
    heading(driver, "Báo cáo", starts=True)
    for code, value in values.items():
        field(driver, world.labels[code])  # the form is drawn before the connection goes
    offline(driver)
    for code, value in values.items():
        fill(driver, world.labels[code], str(value))
    press(driver, "Gửi báo cáo")
    says(driver, "Đang chờ gửi")


def revisions(world, unit: str, period: str) -> list[dict]:
    status, _, body = world.api.call("GET", f"/v1/units/{unit}/reports/{period}/revisions")
    return [] if status == 404 else body["items"]


def test_a_report_submitted_offline_is_stored_exactly_once_even_when_the_first_answer_is_lost(world, chromium_factory):
    unit = "ca-bac-giang"
    values, _ = demo_data.REPORTS["2021-07"][unit]
    clerk = person(world, "unit", unit, name="Hoàng Thị Ngoại Tuyến")
    driver = chromium_factory(width=360, height=780)
    sign_in(driver, world, clerk)
    heading(driver, UNIT_NAMES[unit])

    # 1. Offline: queued in the browser, sent once when the connection is back.
    period = previous_period()
    submit_offline(driver, world, unit, period, values)
    check(driver, "form-queued")
    time.sleep(1)  # a queued report must not leak out while offline
    assert revisions(world, unit, period) == []
    online(driver)
    says(driver, "Đã gửi", timeout=60)
    assert [r["version"] for r in revisions(world, unit, period)] == [1]
    assert [e.status for e in world.proxy.exchanges("PUT", rf"^/v1/units/{unit}/reports/{period}$")] == [201]

    # 2. Offline, and when the connection is back the server's answer to the first send is lost:
    # the page sends again with the same Idempotency-Key and the API replays its first answer.
    period = current_period()
    submit_offline(driver, world, unit, period, {**values, "checkpoints": values["checkpoints"] + 1})
    world.proxy.lose_next("PUT", rf"^/v1/units/{unit}/reports/{period}$")
    online(driver)
    says(driver, "Đã gửi", timeout=90)
    puts = world.proxy.exchanges("PUT", rf"^/v1/units/{unit}/reports/{period}$")
    assert [(e.status, e.lost) for e in puts][:2] == [(201, True), (201, False)], puts
    assert puts[1].headers.get("Idempotent-Replayed") == "true", puts[1].headers
    assert [r["version"] for r in revisions(world, unit, period)] == [1]
    assert ok(world.api.call("GET", f"/v1/units/{unit}/reports/{period}"))["values"]["checkpoints"] == (
        values["checkpoints"] + 1)


def test_the_portal_opens_and_the_form_is_filled_with_no_connection(world, chromium_factory):
    unit, period = "ca-da-nang", previous_period()
    clerk = person(world, "unit", unit, name="Vũ Văn Mất Sóng")
    driver = chromium_factory(width=360, height=780)
    sign_in(driver, world, clerk)
    go(driver, world, f"/bao-cao/{unit}/{period}")
    heading(driver, "Báo cáo", starts=True)
    field(driver, world.labels["checkpoints"])
    wait(driver, lambda d: d.execute_script("return !!navigator.serviceWorker && !!navigator.serviceWorker.controller"),
         message="no service worker controls the portal")
    offline(driver)
    driver.refresh()  # the shell, the catalog and the session come from the browser
    heading(driver, "Báo cáo", starts=True)
    fill(driver, world.labels["checkpoints"], "22")
    press(driver, "Gửi báo cáo")
    says(driver, "Đang chờ gửi")
    online(driver)
    says(driver, "Đã gửi", timeout=60)
    assert ok(world.api.call("GET", f"/v1/units/{unit}/reports/{period}"))["values"]["checkpoints"] == 22


def test_a_workbook_of_three_sub_units_shows_its_bad_cell_then_is_imported_after_the_fix(world, chromium_factory,
                                                                                        tmp_path):
    from openpyxl import load_workbook

    from chalicelib.reporting.workbook import SHEET
    from devtools.workbooks import fill_template

    period = current_period()
    clerk = person(world, "unit", PARENT, name="Bùi Thị Bảng Tính")
    driver = chromium_factory(width=1366)
    sign_in(driver, world, clerk)
    heading(driver, UNIT_NAMES[PARENT])
    for unit in SUB_UNITS:  # a parent sees its sub-units' states
        says(driver, UNIT_NAMES[unit])
    check(driver, "home-parent")
    go(driver, world, f"/nhap-tu-tep/{PARENT}/{period}")
    heading(driver, "Nhập từ tệp Excel")
    check(driver, "import", shot=False)
    press(driver, "Tải tệp mẫu")
    template = wait(driver, lambda d: [p for p in d.downloads.iterdir() if p.suffix == ".xlsx"], 60,
                    "the template never downloaded")[0]

    codes = ("officers_mobilised", "checkpoints", "tracing_teams", "people_traced", "violations_detected",
             "violations_penalised")
    figures = {unit: {code: (n + 1) * 100 + 10 * i for i, code in enumerate(codes)} for n, unit in enumerate(SUB_UNITS)}
    for unit in SUB_UNITS:  # fewer penalised than detected, as the cross-field rule wants
        figures[unit]["violations_penalised"] = figures[unit]["violations_detected"] // 2
    bad_unit = SUB_UNITS[1]
    bad = tmp_path / "bao-cao-cuc-y-te-loi.xlsx"  # a word in a number cell: refused, never coerced
    bad.write_bytes(fill_template(template.read_bytes(), figures, cells={(bad_unit, "checkpoints"): "hai mươi"}))
    sheet = load_workbook(bad)[SHEET]
    [bad_cell] = [c for row in sheet.iter_rows() for c in row if c.value == "hai mươi"]

    field(driver, "Chọn tệp", enabled=False).send_keys(str(bad))
    wait(driver, lambda d: [t for t in d.find_elements("css selector", "table")
                            if t.is_displayed() and str(bad_cell.row) in t.text and bad_cell.column_letter in t.text],
         message=f"no errors table names row {bad_cell.row}, column {bad_cell.column_letter}")
    check(driver, "import-errors")
    confirm = [b for b in driver.find_elements("xpath", "//button[normalize-space()='Xác nhận nhập']")
               if b.is_displayed() and b.is_enabled()]
    assert confirm == [], "a workbook with an error can be confirmed"
    for unit in SUB_UNITS:
        assert world.api.call("GET", f"/v1/units/{unit}/reports/{period}")[0] == 404  # nothing stored

    figures[bad_unit]["checkpoints"] = 20
    fixed = tmp_path / "bao-cao-cuc-y-te.xlsx"
    fixed.write_bytes(fill_template(template.read_bytes(), figures))
    field(driver, "Chọn tệp", enabled=False).send_keys(str(fixed))
    press(driver, "Xác nhận nhập")
    says(driver, "Đã nhập", timeout=60)
    check(driver, "import-done")
    for unit in SUB_UNITS:
        stored = ok(world.api.call("GET", f"/v1/units/{unit}/reports/{period}"))
        assert stored["values"] == figures[unit] and stored["version"] == 1, (unit, stored)
    assert world.api.call("GET", f"/v1/units/{PARENT}/reports/{period}")[0] == 404  # its own row left blank


def test_a_nomination_is_made_and_its_decision_note_seen(world, chromium_factory):
    unit = "ca-tp-hcm"
    clerk = person(world, "unit", unit, name="Đặng Văn Đề Nghị")
    driver = chromium_factory(width=360, height=780)
    sign_in(driver, world, clerk)
    go(driver, world, f"/de-nghi/{unit}")
    heading(driver, "Đề nghị khen thưởng")
    check(driver, "nominations", shot=False)
    press(driver, "Tạo đề nghị")
    choose(driver, "Loại", "Cá nhân")
    fill(driver, "Hình thức khen thưởng", "giay-khen")
    fill(driver, "Tên", "Trần Thị Hoa")
    fill(driver, "Số hiệu cán bộ", "CA-79-0001")
    fill(driver, "Chức vụ", "Thượng úy, cán bộ Phòng Cảnh sát quản lý hành chính")
    fill(driver, "Thành tích", ACHIEVEMENTS)
    fill(driver, "Hội nghị", world.conference["id"])
    check(driver, "nomination-new")
    press(driver, "Lưu đề nghị")
    says(driver, "Trần Thị Hoa")
    [nomination] = wait(driver, lambda d: ok(world.api.call("GET", f"/v1/units/{unit}/nominations"))["items"],
                        message="the nomination was never stored")
    assert (nomination["kind"], nomination["name"], nomination["award_form"], nomination["conference_id"]) == (
        "individual", "Trần Thị Hoa", "giay-khen", world.conference["id"])
    assert nomination["officer_number"] == "CA-79-0001" and nomination["identity_key"] == "officer:CA-79-0001"

    # the same officer under another spelling: the 409 is said next to the officer number, nothing stored
    press(driver, "Tạo đề nghị")
    choose(driver, "Loại", "Cá nhân")
    fill(driver, "Hình thức khen thưởng", "giay-khen")
    fill(driver, "Tên", "Trần Thị Hoà")
    fill(driver, "Số hiệu cán bộ", "CA-79-0001")
    fill(driver, "Chức vụ", "Thượng úy")
    fill(driver, "Thành tích", ACHIEVEMENTS)
    fill(driver, "Hội nghị", world.conference["id"])
    press(driver, "Lưu đề nghị")
    assert "đã được đề nghị" in field_error(driver, "Số hiệu cán bộ")
    press(driver, "Hủy")
    assert len(ok(world.api.call("GET", f"/v1/units/{unit}/nominations"))["items"]) == 1

    headers = world.api.call("GET", f"/v1/nominations/{nomination['id']}")[1]
    ok(world.api.call("POST", f"/v1/nominations/{nomination['id']}/decision",
                      {"decision": "approve", "note": DECISION_NOTE}, {"If-Match": headers["ETag"]}))
    driver.refresh()
    heading(driver, "Đề nghị khen thưởng")
    says(driver, DECISION_NOTE)
    check(driver, "nominations-decided")


def choose(driver, group: str, option: str) -> None:
    """Pick `option` of the choice labelled `group`: a select, or a radio button of that text."""
    found = driver.execute_script("""
        const norm = (s) => (s || "").normalize("NFC").replace(/\\s+/g, " ").trim();
        const radio = Array.from(document.querySelectorAll("input[type=radio]"))
          .find((r) => r.labels && Array.from(r.labels).some((l) => norm(l.innerText) === arguments[0]));
        return radio || null;""", norm(option))
    if found is None:
        fill(driver, group, option)
    elif not found.is_selected():
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", found)
        found.click()


# -- every screen at a phone's and a laptop's width ----------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_every_screen_at_a_phones_and_a_laptops_width(world, chromium_factory, width):
    unit, period = "ca-dong-nai", previous_period()  # this test's own unit: the same screens whatever ran before
    if world.api.call("GET", f"/v1/units/{unit}/reports/{period}")[0] == 404:  # one report, returned with a note
        values, achievements = demo_data.REPORTS["2021-07"]["ca-nghe-an"]
        etag = world.api.call("PUT", f"/v1/units/{unit}/reports/{period}",
                              {"values": values, "achievements": achievements})[1]["ETag"]
        ok(world.api.call("POST", f"/v1/units/{unit}/reports/{period}/review",
                          {"action": "return", "note": RETURN_NOTE}, {"If-Match": etag}))
    clerk = person(world, "unit", unit, name=f"Ngô Văn Màn Hình {width}")
    admin = person(world, "admin", name=f"Quản Trị {width}")
    driver = chromium_factory(width=width, height=900 if width > 400 else 780)
    go(driver, world, "/")
    heading(driver, "Đăng nhập")
    check(driver, "signin")
    _, link = invite(world, "unit", unit, "Lý Thị Lời Mời")
    driver.get(link)
    heading(driver, "Đặt mật khẩu")
    check(driver, "set-password")

    go(driver, world, "/")
    sign_in(driver, world, clerk)
    heading(driver, UNIT_NAMES[unit])
    says(driver, "Bị trả lại")
    says(driver, RETURN_NOTE)
    screens = [("/", UNIT_NAMES[unit], False, "home"),
               (f"/bao-cao/{unit}/{current_period()}", "Báo cáo", True, "form"),
               (f"/lich-su/{unit}", "Lịch sử báo cáo", False, "history"),
               (f"/nhap-tu-tep/{unit}/{current_period()}", "Nhập từ tệp Excel", False, "import"),
               (f"/de-nghi/{unit}", "Đề nghị khen thưởng", False, "nominations"),
               ("/bao-mat", "Bảo mật tài khoản", False, "security")]
    for route, title, starts, name in screens:
        go(driver, world, route)
        heading(driver, title, starts=starts)
        if name == "form":
            field(driver, world.labels["officers_mobilised"])
        check(driver, name)
        if width <= 400:
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} scrolls sideways at {width} px by {overflow} px"
    sign_out(driver)

    sign_in(driver, world, admin)
    heading(driver, "Văn phòng thi đua, khen thưởng")  # the office's home: its jobs, each a link
    for job in ("Kỳ báo cáo", "Hội nghị và xét khen thưởng", "Xu hướng", "Đơn vị", "Tài khoản", "Mã truy cập"):
        says(driver, job)
    check(driver, "office-home")
    go(driver, world, "/tai-khoan")
    heading(driver, "Tài khoản người dùng")
    check(driver, "accounts")
    assert severe_console_messages(driver) == []
    # Every request the portal made went to the app itself (nothing from elsewhere: the CSP and the build).
    foreign = [u for u in requested_urls(driver) if not u.startswith((world.url + "/", "data:", "about:", "blob:"))]
    assert foreign == [], foreign


def test_a_clerk_signs_in_and_reaches_the_form_with_the_keyboard_alone(world, chromium_factory):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    unit = "ca-da-nang"
    clerk = person(world, "unit", unit, name="Cao Văn Bàn Phím")
    driver = chromium_factory(width=1366)
    go(driver, world, "/")
    heading(driver, "Đăng nhập")
    keys = ActionChains(driver)

    def focused_name() -> str:
        return driver.execute_script(
            "const e = document.activeElement; return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText) || ''")

    def tab_to(name: str, limit: int = 30) -> None:
        for _ in range(limit):
            keys.send_keys(Keys.TAB).perform()
            if norm(focused_name()).startswith(name):
                return
        raise AssertionError(f"Tab never reached {name!r}")

    tab_to("Thư điện tử")
    keys.send_keys(clerk.email).perform()
    tab_to("Mật khẩu")
    keys.send_keys(clerk.password, Keys.ENTER).perform()
    heading(driver, UNIT_NAMES[unit])
    tab_to("Nộp báo cáo")
    keys.send_keys(Keys.ENTER).perform()
    heading(driver, "Báo cáo", starts=True)
    tab_to(world.labels["officers_mobilised"])
    keys.send_keys("1500").perform()
    assert field(driver, world.labels["officers_mobilised"]).get_attribute("value") in ("1500", "1.500")
