"""The office's conference pages (issue 17), in Debian's headless Chromium as an admin uses them.

An admin (a real person: invited, password, TOTP) creates a conference through the form (periods,
a unit in scope, two named recipients, quotas for two award forms, a nomination deadline, a
signer; the first answer lost on the way, the retry replayed, not doubled), edits it, meets someone else's change (412: the form reloads) and a refused recipient
address (422, shown at its row), compiles it and watches the drafts appear (unnumbered, sent to nobody:
issue 18), previews one in the page and downloads it. Every result is checked through the API (the
stored conference, the documents, the file's bytes, the deliveries and the outbox). The steps after the
draft (trình ký, ký, ban hành, gửi, thay thế) are test_office_documents.py's.

The stack compiles as the local stage does (`make serve`: THIDUA_COMPILE_TRIGGER=thread): the POST
answers 202 and the `chalice local` process renders with WeasyPrint and mails to the outbox.

    .venv/bin/python -m pytest -q tests/e2e/test_office_conferences.py
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import urllib.request

import pytest

from browser import (HAVE_CHROMIUM, NEEDS_CHROMIUM, TIMEOUT, button, control, field, field_error, fill, heading, no_field_error, norm,
                     outbox_messages, page_text, press, says, severe_console_messages, wait)
from chalicelib.core.periods import VN_TZ, parse_period
from people import UNIT_NAMES, check, current_period, go, ok, person, portal_world, previous_period, sign_in

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

WIDTHS = (1366, 360)
COMPILE_TIMEOUT = 180  # a WeasyPrint render in chalice local on a busy 2-core machine
SCOPE_UNIT = "cuc-y-te"
RECIPIENTS = [("Cục Y tế, Bộ Công an", "yte.hoinghi@ca.gov.vn"), ("Văn phòng Bộ", "vanphong.hoinghi@ca.gov.vn")]
SIGNER = ("KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "Thượng tướng Nguyễn Văn Sơn")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    files = tmp_path_factory.mktemp("office-conferences-files")
    yield from portal_world(tmp_path_factory, "office-conferences", extra_env={
        "THIDUA_COMPILE_TRIGGER": "thread", "THIDUA_ARTIFACTS": str(files / "artifacts")})


def short_label(code: str) -> str:
    """The period picker's name of a month: "Tháng 8/2021"."""
    period = parse_period(code)
    return f"Tháng {period.number}/{period.year}"


def pdf_file(world, document_id: str) -> tuple[dict[str, str], bytes]:
    """GET /v1/documents/{id}/file as the API serves it (headers, bytes)."""
    request = urllib.request.Request(f"{world.api_url}/v1/documents/{document_id}/file", headers={
        "Authorization": f"Bearer {world.api.token}", "Accept": "application/pdf"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return dict(response.headers), response.read()


def downloaded(folder, timeout: float = TIMEOUT) -> tuple[str, bytes]:
    """The one finished download in `folder` (Chromium writes .crdownload until it is done); its name and bytes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("*") if not p.name.endswith(".crdownload")] if folder.exists() else []
        if done:
            assert len(done) == 1, done
            return done[0].name, done[0].read_bytes()
        time.sleep(0.2)
    raise AssertionError(f"nothing was downloaded to {folder} within {timeout:.0f}s")


def pick(driver, label: str, value: str) -> None:
    """Choose a date (or date and time) in the field labelled `label`, as its picker does: the value, then the
    input event. (Typed digits land in an order that depends on the browser's own locale, not the page's.)"""
    element = field(driver, label)
    driver.execute_script("""
        const [el, value] = arguments;
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set.call(el, value);
        el.dispatchEvent(new Event("input", {bubbles: true}));
        el.dispatchEvent(new Event("change", {bubbles: true}));""", element, value)
    wait(driver, lambda d: field(d, label).get_attribute("value") == value, message=f"{label} did not take {value}")


def all_conferences(world) -> list[dict]:
    """Every conference, page by page, through the API."""
    found, cursor = [], None
    while True:
        body = ok(world.api.call("GET", "/v1/conferences?limit=100" + (f"&cursor={cursor}" if cursor else "")))
        found += body["items"]
        cursor = body["next"]
        if not cursor:
            return found


def conference_id(driver) -> str:
    found = wait(driver, lambda d: re.search(r"#/hoi-nghi/([0-9]{8}-[a-z0-9]{6})$", d.current_url),
                 message="the page never moved to the new conference")
    return found.group(1)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_creates_edits_compiles_previews_downloads_and_sees_the_deliveries(world, chromium_factory, tmp_path,
                                                                                  width):
    admin = person(world, "admin", name=f"Đỗ Thị Hội Nghị {width}")
    driver = chromium_factory(width=width, height=900 if width > 400 else 780)
    sign_in(driver, world, admin)

    # -- the list --------------------------------------------------------------------------------
    go(driver, world, "/hoi-nghi")
    heading(driver, "Hội nghị")
    says(driver, world.conference["title"])  # the module's conference is listed, with its way to the shortlist
    assert control(driver, f"Xét khen thưởng hội nghị {world.conference['title']}", "a[href]").get_attribute("href") \
        .endswith(f"#/xet-khen/{world.conference['id']}")
    check(driver, "conferences")

    # -- create ------------------------------------------------------------------------------------
    press(driver, "Tạo hội nghị")
    heading(driver, "Tạo hội nghị")
    posts = len(world.proxy.exchanges("POST", r"^/v1/conferences$"))
    press(driver, "Lưu hội nghị")  # nothing filled in: the form says what is missing, next to each field
    assert field_error(driver, "Tên hội nghị") == "Nhập tên hội nghị."
    assert field_error(driver, "Ngày họp") == "Chọn ngày họp."
    assert field_error(driver, "Họ tên người ký") == "Nhập họ tên người ký."
    says(driver, "Chọn ít nhất một kỳ báo cáo.")
    assert len(world.proxy.exchanges("POST", r"^/v1/conferences$")) == posts  # nothing was sent
    title = f"Hội nghị tổng kết công tác thi đua năm 2026 (màn hình {width})"
    fill(driver, "Tên hội nghị", title)
    pick(driver, "Ngày họp", "2027-01-15")
    fill(driver, "Địa điểm", "Hội trường Bộ Công an, Hà Nội")
    pick(driver, "Hạn gửi đề nghị", "2026-12-20T17:30")
    for code in (previous_period(), current_period()):
        field(driver, short_label(code)).click()
    field(driver, "Chỉ các đơn vị được chọn").click()
    fill(driver, "Thêm đơn vị vào phạm vi", UNIT_NAMES[SCOPE_UNIT])
    press(driver, "Thêm đơn vị")
    says(driver, f"Bỏ {UNIT_NAMES[SCOPE_UNIT]} khỏi phạm vi")
    for row, (name, address) in enumerate(RECIPIENTS, start=1):
        if row > 1:
            press(driver, "Thêm người nhận")
        fill(driver, f"Họ tên người nhận {row}", name)
        fill(driver, f"Thư điện tử người nhận {row}", address)
    fill(driver, "Bằng khen của Bộ trưởng Bộ Công an", "10")
    fill(driver, "Giấy khen", "25")
    fill(driver, "Chức vụ người ký", SIGNER[0])
    fill(driver, "Họ tên người ký", SIGNER[1])
    says(driver, "Cơ quan ban hành, ký hiệu và người ký của từng văn bản theo danh mục cơ quan ban hành")
    field(driver, "Phụ lục").click()
    check(driver, "conference-form")
    # The server's first answer is lost on the way back: the page says so, and saving again sends the same
    # Idempotency-Key, so the API replays its first answer instead of making a second conference.
    world.proxy.lose_next("POST", r"^/v1/conferences$")
    press(driver, "Lưu hội nghị")
    says(driver, "Không kết nối được máy chủ")
    press(driver, "Lưu hội nghị")
    heading(driver, f"Hội nghị: {title}")
    sent_twice = world.proxy.exchanges("POST", r"^/v1/conferences$")[posts:]
    assert [(e.status, e.lost) for e in sent_twice] == [(201, True), (201, False)], sent_twice
    assert sent_twice[1].headers.get("Idempotent-Replayed") == "true", sent_twice[1].headers
    says(driver, "Đã tạo hội nghị.")
    cid = conference_id(driver)

    stored = ok(world.api.call("GET", f"/v1/conferences/{cid}"))
    assert (stored["title"], stored["date"], stored["place"]) == (title, "2027-01-15", "Hội trường Bộ Công an, Hà Nội")
    assert stored["periods"] == sorted([previous_period(), current_period()])
    assert stored["unit_ids"] == [SCOPE_UNIT]
    assert stored["recipients"] == ['"Cục Y tế, Bộ Công an" <yte.hoinghi@ca.gov.vn>',
                                    "Văn phòng Bộ <vanphong.hoinghi@ca.gov.vn>"]
    assert stored["quotas"] == {"bang-khen-bo-truong": 10, "giay-khen": 25}
    assert dt.datetime.fromisoformat(stored["nomination_deadline"]) == dt.datetime(2026, 12, 20, 17, 30, tzinfo=VN_TZ)
    assert stored["signer"] == {"title": SIGNER[0], "name": SIGNER[1]}
    assert stored["annex"] is True and stored["agency"] == "VĂN PHÒNG BỘ"
    created = [c for c in all_conferences(world) if c["title"] == title]
    assert [c["id"] for c in created] == [cid]  # one conference, however the answer travelled

    # -- edit: a quota ------------------------------------------------------------------------------
    assert field(driver, "Giấy khen").get_attribute("value") == "25"
    fill(driver, "Giấy khen", "30")
    press(driver, "Lưu hội nghị")
    says(driver, "Đã lưu hội nghị.")
    assert ok(world.api.call("GET", f"/v1/conferences/{cid}"))["quotas"] == {"bang-khen-bo-truong": 10, "giay-khen": 30}

    # -- someone else's change meanwhile: 412, the form reloads what is stored ----------------------
    ok(world.api.call("PATCH", f"/v1/conferences/{cid}", {"place": "Học viện An ninh nhân dân"}))
    fill(driver, "Bằng khen của Bộ trưởng Bộ Công an", "12")
    press(driver, "Lưu hội nghị")
    says(driver, "Người khác vừa sửa hội nghị này")
    wait(driver, lambda d: field(d, "Địa điểm").get_attribute("value") == "Học viện An ninh nhân dân",
         message="the reloaded form does not show the other change")
    assert field(driver, "Bằng khen của Bộ trưởng Bộ Công an").get_attribute("value") == "10"
    again = ok(world.api.call("GET", f"/v1/conferences/{cid}"))
    assert again["quotas"]["bang-khen-bo-truong"] == 10 and again["place"] == "Học viện An ninh nhân dân"

    # -- a recipient the API refuses: the error at its row, nothing stored --------------------------
    fill(driver, "Thư điện tử người nhận 2", "van phong@")
    press(driver, "Lưu hội nghị")
    message = field_error(driver, "Thư điện tử người nhận 2")
    assert message and "Thiếu" not in message, message
    no_field_error(driver, "Thư điện tử người nhận 1")
    assert ok(world.api.call("GET", f"/v1/conferences/{cid}"))["recipients"] == again["recipients"]
    check(driver, "conference-errors")
    fill(driver, "Thư điện tử người nhận 2", RECIPIENTS[1][1])
    press(driver, "Lưu hội nghị")  # the address as it was: nothing to send
    says(driver, "Chưa có gì thay đổi để lưu.")
    no_field_error(driver, "Thư điện tử người nhận 2")
    fill(driver, "Họ tên người nhận 2", "Văn phòng Bộ Công an")
    press(driver, "Lưu hội nghị")
    says(driver, "Đã lưu hội nghị.")
    assert ok(world.api.call("GET", f"/v1/conferences/{cid}"))["recipients"][1] == \
        "Văn phòng Bộ Công an <vanphong.hoinghi@ca.gov.vn>"

    # -- compile: the drafts appear, unnumbered, mailed to nobody (issue 18: numbered and sent only once signed) ----
    heading(driver, "Văn bản", level=2)
    says(driver, "Chưa có văn bản nào")
    press(driver, "Tổng hợp văn bản")
    says(driver, "Đã tổng hợp xong", timeout=COMPILE_TIMEOUT)
    documents = ok(world.api.call("GET", f"/v1/conferences/{cid}/documents"))["items"]
    [summary] = [d for d in documents if d["kind"] == "summary"]
    assert summary["version"] == 1 and summary["stage"] == "draft" and summary["number"] is None, summary
    name = "Báo cáo dự thảo"
    says(driver, summary["title"])
    says(driver, "Dự thảo")

    # -- nobody received a draft ---------------------------------------------------------------------------
    heading(driver, "Đã gửi", level=2)
    says(driver, "Chưa gửi văn bản nào.")
    sent = ok(world.api.call("GET", f"/v1/conferences/{cid}/deliveries"))
    assert sent["compile_requested_at"] is None and sent["items"] == [], sent
    assert not [m for m in outbox_messages(world.outbox) if m["X-Thidua-Document"]
                and summary["id"] in m["X-Thidua-Document"]]

    # -- preview in the page ------------------------------------------------------------------------------
    severe_console_messages(driver)  # what came before is not the preview's
    press(driver, f"Xem trước {name}")
    heading(driver, f"Xem trước: {name}", level=3)
    if width > 700:
        frame = wait(driver, lambda d: next((f for f in d.find_elements("css selector", ".preview iframe")
                                             if f.is_displayed() and f.size["height"] > 300), False),
                     message="no preview frame shown")
        assert frame.get_attribute("src").startswith("blob:") and frame.get_attribute("title") == f"Nội dung {name}"
    else:  # a phone's browser shows no PDF inside a page: the preview opens it whole
        assert button(driver, f"Mở {name} (PDF)").get_attribute("href").startswith("blob:")
    problems = [m for m in severe_console_messages(driver) if "Content Security Policy" in m or "Refused" in m]
    assert not problems, problems
    check(driver, "conference-documents")

    # -- download: the bytes the API serves, under the API's file name ---------------------------------------
    headers, served = pdf_file(world, summary["id"])
    press(driver, f"Tải PDF {name}")
    saved_name, saved = downloaded(tmp_path / "downloads-0")
    assert saved.startswith(b"%PDF-") and saved == served
    assert hashlib.sha256(saved).hexdigest() == summary["sha256"]
    assert saved_name == urllib.request.unquote(headers["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert "Đang tải" not in page_text(driver)

    # -- finalised: the quotas, periods, scope and deadline are shown, not offered; the rest still saves ---------
    status, headers, _ = world.api.call("GET", f"/v1/conferences/{cid}")
    ok(world.api.call("POST", f"/v1/conferences/{cid}/finalise", None, {"If-Match": headers["ETag"]}))
    driver.refresh()
    heading(driver, f"Hội nghị: {title}")
    says(driver, "Danh sách khen thưởng đã chốt")
    assert not field(driver, "Giấy khen", enabled=False).is_enabled()
    assert not field(driver, "Hạn gửi đề nghị", enabled=False).is_enabled()
    press(driver, "Lưu hội nghị")
    says(driver, "Chưa có gì thay đổi để lưu.")
    fill(driver, "Tên hội nghị", f"{title} (đã chốt)")
    press(driver, "Lưu hội nghị")
    heading(driver, f"Hội nghị: {title} (đã chốt)")
    says(driver, "Đã lưu hội nghị.")
    final = ok(world.api.call("GET", f"/v1/conferences/{cid}"))
    assert final["title"] == f"{title} (đã chốt)" and final["finalised_at"]
    assert final["quotas"] == {"bang-khen-bo-truong": 10, "giay-khen": 30}


def test_the_list_pages_with_xem_them(world, chromium_factory):
    """More conferences than one page: the first 50, then "Xem thêm" appends the rest, none twice."""
    later = [c for c in all_conferences(world) if c["date"].startswith("2031-")]
    for n in range(len(later), 55):  # dated after every other conference here: they sort last
        ok(world.api.call("POST", "/v1/conferences", {
            "title": f"Hội nghị giao ban cụm thi đua số {n + 1:02d}", "date": f"2031-{n // 28 + 1:02d}-{n % 28 + 1:02d}",
            "periods": [current_period()], "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}), 201)
    every = all_conferences(world)
    admin = person(world, "admin", name="Lê Văn Trang Sau")
    driver = chromium_factory(width=1366)
    sign_in(driver, world, admin)
    go(driver, world, "/hoi-nghi")
    heading(driver, "Hội nghị")

    def titles(d) -> list[str]:
        return [norm(t.text.split("\n")[0]) for t in d.find_elements("css selector", ".conference-list tbody th")]
    wait(driver, lambda d: len(titles(d)) == 50, message="the first page is not 50 conferences")
    press(driver, "Xem thêm (đang hiện 50)")
    wait(driver, lambda d: len(titles(d)) == len(every), message="Xem thêm did not show the rest")
    shown = titles(driver)
    assert len(set(shown)) == len(shown) and "Hội nghị giao ban cụm thi đua số 55" in shown
    assert "Xem thêm" not in page_text(driver)  # nothing left to load
