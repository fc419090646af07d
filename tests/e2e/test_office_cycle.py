"""The office's reporting cycle in Debian's headless Chromium (issue 17): "Kỳ báo cáo" and a unit's report.

An admin (a real person: invited, password, TOTP) signs in, picks a period from the picker, sets its
deadline, reads the completeness board (a parent whose hospitals all reported shows "Đủ cả nhánh"
though it sent nothing itself), filters it, reminds a missing unit now, grants an exception, opens a
submitted report (figures with their labels and units, what changed between versions), returns it
with a note (the unit's email arrives with the note), accepts another after a stale ETag made the page
reload it, and downloads the board as a workbook. Every result is checked through the API (status and
body); axe-core runs on each screen and dialog, and with THIDUA_SCREENSHOTS=1 they are written to
docs/portal-cycle-*-<360|1366>.png.

    .venv/bin/python -m pytest -q tests/e2e/test_office_cycle.py
"""

from __future__ import annotations

import io
import urllib.request
from datetime import datetime, time, timedelta

import pytest

from browser import (
    HAVE_CHROMIUM,
    NEEDS_CHROMIUM,
    field,
    fill,
    heading,
    message_text,
    norm,
    outbox_messages,
    page_text,
    press,
    says,
    severe_console_messages,
    wait,
)
from chalicelib.core.periods import VN_TZ, parse_period
from devtools import demo_data
from people import UNIT_NAMES, check, current_period, go, ok, person, portal_world, previous_period, sign_in

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PARENT, HOSPITALS = "cuc-y-te", ("bv-19-8", "bv-y-hoc-co-truyen", "bv-199")
RETURN_NOTE = "Số công dân được đón, dẫn chưa khớp báo cáo nhanh; đề nghị kiểm tra lại và gửi lại trước thứ Sáu."


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from portal_world(tmp_path_factory, "office-cycle")


@pytest.fixture(scope="module")
def admin(world):
    return person(world, "admin", name="Trần Thị Thi Đua")


# -- helpers ------------------------------------------------------------------------------------

def submit(world, unit_id: str, values: dict[str, int], achievements: str = "", period: str | None = None) -> dict:
    """A report sent over the API (created, or replaced with the ETag just read); its body."""
    path = f"/v1/units/{unit_id}/reports/{period or current_period()}"
    status, headers, body = world.api.call("GET", path)
    extra = {"If-Match": headers["ETag"]} if status == 200 else {}
    return ok(world.api.call("PUT", path, {"values": values, "achievements": achievements}, extra), 200, 201)


def type_datetime(driver, label: str, at: datetime) -> None:
    """Type a date and time into the datetime-local field `label` as a person does, in the order the
    browser's locale shows its segments (Chromium's ICU here may be en-US: mm/dd/yyyy hh:mm AM)."""
    from selenium.webdriver.common.keys import Keys

    element = field(driver, label)
    locale = driver.execute_script("return Intl.DateTimeFormat().resolvedOptions().locale")
    # focus (not a click, which lands on whichever segment is under the pointer) starts at the first segment
    driver.execute_script("arguments[0].blur(); arguments[0].focus()", element)
    if locale.startswith("en-US"):
        element.send_keys(at.strftime("%m%d%Y"), Keys.TAB, at.strftime("%I%M%p"))
    else:
        element.send_keys(at.strftime("%d%m%Y"), Keys.TAB, at.strftime("%H%M"))
    wanted = at.strftime("%Y-%m-%dT%H:%M")
    wait(driver, lambda d: element.get_attribute("value") == wanted,
         message=f"{label!r} reads {element.get_attribute('value')!r}, not {wanted!r}")


def row_text(driver, name: str) -> str:
    """The text of the board's (or a table's) row headed by `name`, once it is shown."""
    def find(d):
        for row in d.find_elements("css selector", "table tbody tr"):
            head = row.find_elements("css selector", "th")
            if head and norm(head[0].text) == name and row.is_displayed():
                return norm(row.text)
        return False
    return wait(driver, find, message=f"no row for {name!r}; the page shows {page_text(driver)[:800]!r}")


def no_row(driver, name: str) -> None:
    wait(driver, lambda d: all(norm(th.text) != name for th in d.find_elements("css selector", "table tbody th")),
         message=f"the row for {name!r} is still shown")


def mails_to(world, unit_id: str, after: int) -> list:
    address = demo_data.emails(unit_id)[0]
    return [m for m in outbox_messages(world.outbox)[after:] if address in str(m["To"])]


def workbook_rows(world, period: str) -> dict[str, tuple]:
    """GET the board workbook through the API and read it with openpyxl: {unit id: row}."""
    from openpyxl import load_workbook

    request = urllib.request.Request(f"{world.api_url}/v1/periods/{period}/completeness/workbook",
                                     headers={"Authorization": f"Bearer {world.api.token}", "Accept": XLSX})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200 and response.headers["Content-Type"] == XLSX
        sheet = load_workbook(io.BytesIO(response.read())).active
    assert sheet["A1"].value == f"TÌNH HÌNH NỘP BÁO CÁO {parse_period(period).label.upper()}"
    return {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True)}


def vn(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


# -- the admin's cycle ------------------------------------------------------------------------------

def test_an_admin_runs_the_reporting_cycle(world, admin, chromium_factory):
    period = current_period()
    label = parse_period(period).short_label
    for unit_id in HOSPITALS:
        submit(world, unit_id, {"patients_treated": 120})
    first = submit(world, "ca-nghe-an", {"checkpoints": 38, "citizens_escorted": 8600}, "Duy trì 38 chốt kiểm soát.")
    assert first["version"] == 1
    submit(world, "ca-nghe-an", {"checkpoints": 40, "citizens_escorted": 8600}, "Duy trì 40 chốt kiểm soát.")
    submit(world, "ca-bac-giang", {"tracing_teams": 12})

    driver = chromium_factory(1366)
    sign_in(driver, world, admin)
    go(driver, world, "/ky-bao-cao")
    heading(driver, f"Kỳ báo cáo: {label}")  # no period chosen: the current one

    # the period comes from the picker, never typed
    earlier = parse_period(previous_period()).short_label
    fill(driver, "Kỳ báo cáo", earlier)
    heading(driver, f"Kỳ báo cáo: {earlier}")
    assert driver.current_url.endswith(f"#/ky-bao-cao/{previous_period()}")
    fill(driver, "Kỳ báo cáo", label)
    heading(driver, f"Kỳ báo cáo: {label}")
    assert driver.current_url.endswith(f"#/ky-bao-cao/{period}")

    # the deadline: typed in Hà Nội time, stored as that instant
    deadline = vn(parse_period(period).end + timedelta(days=15), 17)
    type_datetime(driver, "Hạn nộp của kỳ", deadline)
    press(driver, "Lưu hạn nộp")
    says(driver, f"Đã lưu hạn nộp kỳ {label}: {deadline:%d/%m/%Y} 17:00.")
    stored = ok(world.api.call("GET", f"/v1/periods/{period}"))
    assert datetime.fromisoformat(stored["deadline"]) == deadline.replace(tzinfo=VN_TZ)

    # the board: Cục Y tế sent nothing itself, but all its hospitals did
    parent = row_text(driver, UNIT_NAMES[PARENT])
    assert "Chưa nộp" in parent and "Đủ cả nhánh" in parent and "3/3 đơn vị cấp dưới đã nộp" in parent, parent
    assert "Đã nộp" in row_text(driver, UNIT_NAMES["bv-19-8"])
    assert "Thiếu một phần nhánh" in row_text(driver, UNIT_NAMES["bo-cong-an"])
    says(driver, "Cách tính tình hình của cả nhánh")
    board = ok(world.api.call("GET", f"/v1/periods/{period}/completeness"))
    totals = board["totals"]
    stats = norm(driver.find_element("css selector", ".cycle-stats").text)
    assert f"{totals['complete']} đã nộp" in stats and f"{totals['missing'] + totals['returned']} chưa nộp" in stats
    assert f"{totals['on_time']} đúng hạn" in stats, stats
    wait(driver, lambda d: d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"),
         message="the board is wider than the laptop's screen")
    bars = driver.find_element("css selector", ".cycle-bars svg")
    assert bars.get_attribute("role") == "img" and f"Đã nộp {totals['complete']}" in bars.get_attribute("aria-label")
    check(driver, "cycle-board")

    # filter: only the units that have not reported
    fill(driver, "Lọc theo trạng thái", "Chưa nộp")
    no_row(driver, UNIT_NAMES["bv-19-8"])
    assert "Chưa nộp" in row_text(driver, UNIT_NAMES["ca-da-nang"])
    fill(driver, "Lọc theo trạng thái", "Tất cả đơn vị")
    row_text(driver, UNIT_NAMES["bv-19-8"])

    # remind a missing unit now: its contacts get the email, the audit records it
    before = len(outbox_messages(world.outbox))
    press(driver, f"Nhắc nộp ngay {UNIT_NAMES['ca-da-nang']}")
    says(driver, f"Đã gửi thư nhắc nộp báo cáo tới {UNIT_NAMES['ca-da-nang']}")
    wait(driver, lambda d: mails_to(world, "ca-da-nang", before), message="no reminder in the outbox")
    [reminder] = mails_to(world, "ca-da-nang", before)
    assert reminder["Subject"] == f"Nhắc nộp báo cáo {parse_period(period).label}"
    assert f"{deadline:%H:%M} ngày {deadline:%d/%m/%Y}" in message_text(reminder)  # the deadline just set
    events = ok(world.api.call("GET", f"/v1/units/ca-da-nang/reports/{period}/audit"))["items"]
    assert events[0]["action"] == "reminder_sent" and events[0]["actor_name"] == admin.name
    # a unit that has reported is not reminded: no button, and the API refuses in Vietnamese
    assert "Nhắc nộp ngay" not in row_text(driver, UNIT_NAMES["bv-19-8"])
    refused = ok(world.api.call("POST", f"/v1/units/bv-19-8/reports/{period}/reminder"), 409)
    assert "đã nộp báo cáo" in refused["detail"]

    # an exception until a time, from the board
    until = vn((datetime.now(VN_TZ) + timedelta(days=5)).date(), 16, 30)
    press(driver, f"Gia hạn cho {UNIT_NAMES['ca-tp-hcm']}")
    heading(driver, f"Gia hạn cho {UNIT_NAMES['ca-tp-hcm']}", level=2)
    type_datetime(driver, "Gia hạn đến", until)
    fill(driver, "Lý do gia hạn", "Đơn vị đang tổng hợp số liệu của các quận, huyện.")
    check(driver, "cycle-exception")
    press(driver, "Lưu gia hạn")
    says(driver, f"Đã gia hạn nộp báo cáo cho {UNIT_NAMES['ca-tp-hcm']} đến {until:%d/%m/%Y %H:%M}.")
    states = ok(world.api.call("GET", "/v1/units/ca-tp-hcm/periods"))
    granted = next(p for p in states["items"] if p["period"] == period)
    assert datetime.fromisoformat(granted["exception_until"]) == until.replace(tzinfo=VN_TZ)

    # the unit reports while the board still shows it missing: the reminder is refused, in the API's words
    submit(world, "ca-tp-hcm", {"checkpoints": 64})
    before = len(outbox_messages(world.outbox))
    press(driver, f"Nhắc nộp ngay {UNIT_NAMES['ca-tp-hcm']}")
    says(driver, f"{UNIT_NAMES['ca-tp-hcm']} đã nộp báo cáo {parse_period(period).label}; không cần nhắc nộp.")
    assert mails_to(world, "ca-tp-hcm", before) == []

    # a submitted report: its figures with labels and units, and what changed between its versions
    press(driver, f"Xem báo cáo của {UNIT_NAMES['ca-nghe-an']}")
    heading(driver, f"Báo cáo {label}: {UNIT_NAMES['ca-nghe-an']}")
    figures = row_text(driver, world.labels["checkpoints"])
    assert "40 chốt" in figures, figures
    says(driver, "8.600")
    says(driver, f"{world.labels['checkpoints']}: 38 → 40")
    says(driver, "Phần thành tích nổi bật đã được sửa.")
    says(driver, "Duy trì 40 chốt kiểm soát.")
    check(driver, "cycle-report")

    # return it with a note: the unit's email carries the note; the report is returned
    before = len(outbox_messages(world.outbox))
    press(driver, "Trả lại")
    heading(driver, "Trả lại báo cáo", level=2)
    press(driver, "Gửi trả lại")
    says(driver, "Nhập lý do trả lại để đơn vị biết cần sửa gì.")
    fill(driver, "Lý do trả lại", RETURN_NOTE)
    check(driver, "cycle-return")
    press(driver, "Gửi trả lại")
    says(driver, f"Đã trả lại báo cáo; {UNIT_NAMES['ca-nghe-an']} đã được gửi thư kèm lý do.")
    wait(driver, lambda d: mails_to(world, "ca-nghe-an", before), message="no return note in the outbox")
    [note] = mails_to(world, "ca-nghe-an", before)
    assert "trả lại" in note["Subject"] and RETURN_NOTE in norm(message_text(note))
    report = ok(world.api.call("GET", f"/v1/units/ca-nghe-an/reports/{period}"))
    assert report["status"] == "returned" and report["review"]["note"] == RETURN_NOTE
    assert report["review"]["by_name"] == admin.name
    says(driver, "Trả lại báo cáo")  # in the audit trail
    assert "Bị trả lại" in page_text(driver)

    # accept another: the unit replaced it meanwhile, so the first press meets a stale ETag
    go(driver, world, f"/ky-bao-cao/{period}/ca-bac-giang")
    heading(driver, f"Báo cáo {label}: {UNIT_NAMES['ca-bac-giang']}")
    row_text(driver, world.labels["tracing_teams"])
    submit(world, "ca-bac-giang", {"tracing_teams": 14})
    press(driver, "Duyệt báo cáo")
    says(driver, "Báo cáo vừa được người khác thay đổi")
    assert "14" in row_text(driver, world.labels["tracing_teams"])  # the page reloaded the new version
    assert ok(world.api.call("GET", f"/v1/units/ca-bac-giang/reports/{period}"))["status"] == "submitted"
    press(driver, "Duyệt báo cáo")
    says(driver, f"Đã duyệt báo cáo {label} của {UNIT_NAMES['ca-bac-giang']}")
    accepted = ok(world.api.call("GET", f"/v1/units/ca-bac-giang/reports/{period}"))
    assert accepted["status"] == "accepted" and accepted["version"] == 2

    # the board as a workbook: downloaded in the page, and read through the API
    go(driver, world, f"/ky-bao-cao/{period}")
    heading(driver, f"Kỳ báo cáo: {label}")
    assert "Bị trả lại" in row_text(driver, UNIT_NAMES["ca-nghe-an"])
    press(driver, "Tải bảng tổng hợp (Excel)")
    says(driver, f"Đã tải bảng tổng hợp kỳ {label}.")
    wait(driver, lambda d: [p for p in d.downloads.iterdir() if p.name == f"tinh-hinh-nop-bao-cao-{period}.xlsx"],
         60, message="the workbook was not downloaded")
    rows = workbook_rows(world, period)
    assert rows[PARENT][2] == "Chưa nộp" and rows[PARENT][5:8] == ("Đủ cả nhánh", 3, 3)
    assert rows["ca-nghe-an"][2] == "Bị trả lại"
    assert rows["ca-bac-giang"][2:4] == ("Đã duyệt", "Đúng hạn")
    assert rows["ca-da-nang"][2] == "Chưa nộp" and rows["bv-199"][2] == "Đã nộp"
    assert list(rows) == [r["unit_id"] for r in ok(world.api.call("GET", f"/v1/periods/{period}/completeness"))["rows"]]
    assert severe_console_messages(driver) == []  # the refusals above are answers the page expects, not errors


# -- a phone's width ----------------------------------------------------------------------------------

def test_the_cycle_screens_at_a_phones_width(world, admin, chromium_factory):
    period = current_period()
    label = parse_period(period).short_label
    submit(world, "ca-dong-nai", {"checkpoints": 12, "people_traced": 340}, "Truy vết 340 trường hợp.")
    submit(world, "ca-dong-nai", {"checkpoints": 15, "people_traced": 340}, "Truy vết 340 trường hợp.")

    driver = chromium_factory(360)
    sign_in(driver, world, admin)
    go(driver, world, f"/ky-bao-cao/{period}")
    heading(driver, f"Kỳ báo cáo: {label}")
    assert "Đã nộp" in row_text(driver, UNIT_NAMES["ca-dong-nai"])
    wait(driver, lambda d: d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"),
         message="the board is wider than the phone's screen")
    check(driver, "cycle-board")
    press(driver, f"Gia hạn cho {UNIT_NAMES['ca-binh-duong']}")
    heading(driver, f"Gia hạn cho {UNIT_NAMES['ca-binh-duong']}", level=2)
    check(driver, "cycle-exception")
    press(driver, "Đóng")

    press(driver, f"Xem báo cáo của {UNIT_NAMES['ca-dong-nai']}")
    heading(driver, f"Báo cáo {label}: {UNIT_NAMES['ca-dong-nai']}")
    says(driver, f"{world.labels['checkpoints']}: 12 → 15")
    wait(driver, lambda d: d.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"),
         message="the report is wider than the phone's screen")
    check(driver, "cycle-report")
    press(driver, "Trả lại")
    heading(driver, "Trả lại báo cáo", level=2)
    check(driver, "cycle-return")
