"""The document chain in the portal (issue 18), in Debian's headless Chromium as the office and a leader use it.

The office (a real admin: invited, password, TOTP) writes the báo cáo's assessment on the conference page, compiles,
and trình ký the draft to a leader; the leader (another browser) finds it under "Văn bản chờ ký" on the home page,
opens the signer's page (the draft embedded), and returns it with a note; the office sees the note, submits it again
with a number taken from the outgoing-document register; the leader signs ("Ký ban hành"); the compile issues it and
both see "Đã ban hành số …"; the office checks the public verification page and starts a replacement ("Thay thế"),
which makes a new draft that says what it replaces. Every step is checked through the API too (the stored stage,
number, return note, the one trình ký email) and the screens are checked by axe-core; with THIDUA_SCREENSHOTS=1 the
documents tab and the signer's page are shot at 1366 and 360 px (docs/portal-documents-*.png, portal-signer-*.png).

    .venv/bin/python -m pytest -q tests/e2e/test_office_documents.py
"""

from __future__ import annotations

import os
import re
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from browser import (HAVE_CHROMIUM, NEEDS_CHROMIUM, button, cdp, control, field_error, fill, heading, message_text, norm,
                     outbox_messages, page_text, press, says, wait)
from people import check, current_period, go, ok, person, portal_world, previous_period, sign_in

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

COMPILE_TIMEOUT = 240  # a WeasyPrint render (and a signature) in chalice local on a busy 2-core machine
SIGNER = ("KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "Thượng tướng Nguyễn Văn Sơn")
ASSESSMENT = {
    "Đánh giá chung": "Phong trào thi đua được triển khai sâu rộng tới các đơn vị; nhiều mô hình hay được nhân rộng.",
    "Tồn tại, hạn chế": "Một số đơn vị nộp báo cáo chậm, số liệu chưa thống nhất giữa các kỳ.",
    "Nguyên nhân": "Nhân lực làm công tác thi đua ở cơ sở còn kiêm nhiệm.",
    "Phương hướng, nhiệm vụ": "Tập trung hoàn thành các chỉ tiêu trọng tâm của năm 2027.",
    "Kiến nghị, đề xuất": "Đề nghị bổ sung biên chế cán bộ chuyên trách công tác thi đua, khen thưởng.",
}
KEYS = {"Đánh giá chung": "overall", "Tồn tại, hạn chế": "shortcomings", "Nguyên nhân": "causes",
        "Phương hướng, nhiệm vụ": "directions", "Kiến nghị, đề xuất": "recommendations"}
NOTE = "Đề nghị bổ sung kết quả của Công an tỉnh Nghệ An vào phần đánh giá chung."
REGISTER_NUMBER = 12
RECIPIENT = ("Văn phòng Bộ Công an", "vanphong.vanban@ca.gov.vn")


BUCKET = "thidua-e2e-docs"


@pytest.fixture(scope="module")
def s3_server():
    """An S3 stand-in the browser reaches (moto's server; there is no local S3), with no CORS of its own:
    the bucket's rule, as deployed, is what lets the portal's fetch follow a download's redirect."""
    import socket
    import subprocess
    import sys

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env={**os.environ, "MOTO_DISABLE_GLOBAL_CORS": "true"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(10)


def s3_client(endpoint: str):
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="ap-southeast-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def world(tmp_path_factory, s3_server):
    # Issue 20: the documents live in S3 and every PDF and DOCX is "large" (over 1 KB): the Documents tab and
    # the signer's page get them by following GET /v1/documents/{id}/file's 303 to a presigned address.
    s3 = s3_client(s3_server)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"})
    for stack in portal_world(tmp_path_factory, "office-documents", extra_env={
            "THIDUA_COMPILE_TRIGGER": "thread", "THIDUA_ARTIFACTS": f"s3://{BUCKET}/e2e",
            "AWS_ENDPOINT_URL_S3": s3_server, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "THIDUA_DOWNLOAD_REDIRECT_BYTES": "1000"}):
        # what docs/deploy.md asks of the bucket: GET from the portal's origin, its file name readable
        s3.put_bucket_cors(Bucket=BUCKET, CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": [stack.url], "AllowedMethods": ["GET"], "ExposeHeaders": ["Content-Disposition"]}]})
        stack.s3 = s3_server
        yield stack


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def file_answer(world, document_id: str, accept: str = "application/pdf"):
    """GET /v1/documents/{id}/file as the API answers it, the redirect not followed: (status, headers)."""
    request = urllib.request.Request(f"{world.api_url}/v1/documents/{document_id}/file", headers={
        "Authorization": f"Bearer {world.api.token}", "Accept": accept})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers)


@contextmanager
def at_width(driver, width: int, height: int = 800):
    """The page laid out at `width` CSS pixels (a phone's 360 with a mobile viewport) for a moment."""
    cdp(driver, "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    try:
        wait(driver, lambda d: d.execute_script("return window.innerWidth") == width, message=f"never {width} px wide")
        yield
    finally:
        cdp(driver, "Emulation.clearDeviceMetricsOverride")
        wait(driver, lambda d: d.execute_script("return window.innerWidth") != width or width == 1366)


def shots(driver, screen: str) -> None:
    """axe-core and the screenshot at 1366 and at 360 px."""
    check(driver, screen)
    with at_width(driver, 360):
        check(driver, screen)


def summary_doc(world, cid: str) -> dict:
    """The báo cáo's current version, through the API."""
    items = ok(world.api.call("GET", f"/v1/conferences/{cid}/documents?limit=100"))["items"]
    mine = [d for d in items if d["stream"] == "summary"]
    assert mine, items
    return next((d for d in mine if d["current"]), max(mine, key=lambda d: d["version"]))


def badge(driver, text: str, card: str, timeout: float = COMPILE_TIMEOUT) -> None:
    """Wait until the stage badge of the document titled `card` reads `text` (the visible .state element of its
    card, not any text on the page)."""
    wanted, title = norm(text), norm(card)

    def shown(d) -> bool:
        for c in d.find_elements("css selector", ".doc-stream"):
            if title in norm(c.find_element("css selector", "h3").text):
                return any(wanted in norm(b.text) for b in c.find_elements("css selector", ".doc-stream__state .state")
                           if b.is_displayed())
        return False
    wait(driver, shown, timeout, message=f"no badge {text!r} on {card!r}; the documents show: {documents_text(driver)!r}")


def approved_nominations(world, cid: str) -> None:
    """A Bằng khen for a province (the Minister grants it: Tờ trình and Quyết định of the ministry) and a Giấy khen
    for one of its people (its Giám đốc grants it: a Quyết định of the province), both approved by the office."""
    for unit_id, body in (
            ("ca-nghe-an", {"kind": "collective", "name": "Công an tỉnh Nghệ An", "award_form": "bang-khen-bo-truong",
                            "achievements": "Dẫn đầu phong trào thi đua vì an ninh Tổ quốc năm 2026."}),
            ("ca-nghe-an", {"kind": "individual", "name": "Nguyễn Văn Hùng", "position": "Đại úy, Đội trưởng",
                            "award_form": "giay-khen", "achievements": "Hoàn thành xuất sắc nhiệm vụ được giao."})):
        nid = ok(world.api.call("POST", f"/v1/units/{unit_id}/nominations", {"conference_id": cid, **body}), 201)["id"]
        etag = world.api.call("GET", f"/v1/nominations/{nid}")[1]["ETag"]
        ok(world.api.call("POST", f"/v1/nominations/{nid}/decision", {"decision": "approve"}, headers={"If-Match": etag}))


def documents_text(driver) -> str:
    """What the documents tab shows (for a failure's message)."""
    return norm(" | ".join(e.text for e in driver.find_elements("css selector", ".doc-streams, #c-docs-title ~ .notice")))


def signing_mails(world, to: str) -> list:
    return [m for m in outbox_messages(world.outbox) if to.lower() in str(m["To"]).lower()
            and str(m["Subject"]).startswith("Trình ký")]


def test_the_office_submits_a_leader_returns_then_signs_and_the_office_replaces(world, chromium_factory):
    conference = ok(world.api.call("POST", "/v1/conferences", {
        "title": "Hội nghị sơ kết công tác thi đua 6 tháng đầu năm 2027", "date": "2027-07-15", "place": "Hà Nội",
        "periods": [previous_period(), current_period()], "recipients": [{"name": RECIPIENT[0], "email": RECIPIENT[1]}],
        "signer": {"title": SIGNER[0], "name": SIGNER[1]}}), 201)
    cid = conference["id"]
    approved_nominations(world, cid)
    admin = person(world, "admin", name="Đỗ Thị Văn Thư")
    leader = person(world, "leader", name="Nguyễn Văn Sơn")
    office = chromium_factory(width=1366)
    sign_in(office, world, admin)

    # -- the assessment: five sections, saved with If-Match ----------------------------------------------
    go(office, world, f"/hoi-nghi/{cid}")
    heading(office, f"Hội nghị: {conference['title']}")
    heading(office, "Đánh giá của Văn phòng", level=2)
    for label, text in ASSESSMENT.items():
        fill(office, label, text)
    press(office, "Lưu phần đánh giá")
    says(office, "Đã lưu phần đánh giá.")
    stored = ok(world.api.call("GET", f"/v1/conferences/{cid}"))["assessment"]
    assert {k: stored[KEYS[k]] for k in ASSESSMENT} == ASSESSMENT
    # someone else changes the conference meanwhile: 412, the editor reloads what is stored and says so
    _, headers, _ = world.api.call("GET", f"/v1/conferences/{cid}")
    ok(world.api.call("PATCH", f"/v1/conferences/{cid}", {"place": "Học viện An ninh nhân dân"},
                      headers={"If-Match": headers["ETag"]}))
    fill(office, "Nguyên nhân", "Một câu viết khi người khác vừa sửa.")
    press(office, "Lưu phần đánh giá")
    says(office, "Người khác vừa sửa hội nghị này")
    wait(office, lambda d: control(d, "Nguyên nhân").get_attribute("value") == ASSESSMENT["Nguyên nhân"],
         message="the editor did not reload the stored section")
    assert ok(world.api.call("GET", f"/v1/conferences/{cid}"))["assessment"]["causes"] == ASSESSMENT["Nguyên nhân"]

    # -- compile: a draft, mailed to nobody ---------------------------------------------------------------
    mails_before = len(outbox_messages(world.outbox))
    heading(office, "Văn bản", level=2)
    says(office, "Chưa có văn bản nào")
    press(office, "Tổng hợp văn bản")
    says(office, "Đã tổng hợp xong", timeout=COMPILE_TIMEOUT)
    draft = summary_doc(world, cid)
    title = draft["title"]
    badge(office, "Dự thảo", title)
    assert draft["stage"] == "draft" and draft["number"] is None, draft
    assert [m for m in outbox_messages(world.outbox)[mails_before:] if m["X-Thidua-Document"]] == []  # no mail for drafts
    kinds = {d["kind"] for d in ok(world.api.call("GET", f"/v1/conferences/{cid}/documents?limit=100"))["items"]}
    assert kinds == {"summary", "proposal", "decision"}, kinds
    for kind in ("Tờ trình", "Quyết định"):
        says(office, kind)  # each card names its kind
    says(office, title)
    says(office, draft["issuer"]["name"])

    # -- trình ký to the leader, the next number ------------------------------------------------------------
    press(office, "Trình ký Báo cáo")
    heading(office, "Trình ký báo cáo", level=2)
    check(office, "documents-submit")
    fill(office, "Người ký", f"{leader.name} (Lãnh đạo)")
    press(office, "Gửi trình ký")
    says(office, "Đã trình ký báo cáo")
    badge(office, "Đã trình ký – chờ ký", title)
    says(office, leader.name)
    submitted = summary_doc(world, cid)
    assert submitted["stage"] == "submitted" and submitted["submitted_to"]["account_id"] == leader.id, submitted
    [mail] = wait(office, lambda d: signing_mails(world, leader.email) or False, message="no trình ký email")
    assert f"#/van-ban/{submitted['id']}" in message_text(mail)
    assert any(p.get_content_type() == "application/pdf" for p in mail.iter_attachments())

    # -- the leader: Văn bản chờ ký, the draft, returned with a note ------------------------------------------
    signer = chromium_factory(width=1366)
    sign_in(signer, world, leader)
    heading(signer, "Lãnh đạo")
    heading(signer, "Văn bản chờ ký", level=2)
    press(signer, f"Báo cáo: {title}")
    heading(signer, f"Báo cáo: {title}")
    frame = wait(signer, lambda d: next((f for f in d.find_elements("css selector", "iframe.sign__pdf")
                                         if f.is_displayed() and f.size["height"] > 300), False),
                 message="the draft is not shown")
    assert frame.get_attribute("src").startswith("blob:")
    # the draft came from the document store: the API answered 303 to a short-lived address there, which the
    # page's fetch followed (the bucket's CORS rule, the CSP's connect-src)
    status, headers = file_answer(world, submitted["id"])
    assert status == 303 and headers["Location"].startswith(f"{world.s3}/{BUCKET}/e2e/"), (status, headers)
    assert "X-Amz-Expires=300" in headers["Location"]  # every file here is over the threshold: no inline path
    button(signer, "Ký ban hành")
    shots(signer, "signer")
    press(signer, "Trả lại")
    heading(signer, "Trả lại dự thảo", level=2)
    press(signer, "Trả lại")  # the dialog's own button: a note is required
    says(signer, "Nhập ghi chú")
    fill(signer, "Ghi chú cho Văn phòng", NOTE)
    check(signer, "signer-return")
    press(signer, "Trả lại")
    says(signer, "Đã trả lại dự thảo cho Văn phòng.")
    returned = summary_doc(world, cid)
    assert returned["stage"] == "draft" and returned["return_note"] == NOTE, returned

    # -- the office sees the note (the page reads the list again by itself), submits with a register number ----
    badge(office, "Dự thảo", title, timeout=60)
    says(office, NOTE)
    press(office, "Trình ký Báo cáo")
    heading(office, "Trình ký báo cáo", level=2)
    fill(office, "Người ký", f"{leader.name} (Lãnh đạo)")
    fill(office, "Số trong sổ văn bản đi", str(REGISTER_NUMBER))
    press(office, "Gửi trình ký")
    badge(office, "Đã trình ký – chờ ký", title)
    again = summary_doc(world, cid)
    assert again["stage"] == "submitted", again

    # -- the leader signs from the second email's link: "Đã ký", then the number once the compile has issued it --
    second = wait(office, lambda d: signing_mails(world, leader.email)[1:] or False, message="no second trình ký email")
    link = re.search(r"https?://\S+#/van-ban/[0-9A-Z]+", message_text(second[-1])).group(0)
    assert link.startswith(world.url) and link.endswith(f"#/van-ban/{again['id']}"), link
    signer.switch_to.new_window("tab")  # the email's link opens a new tab, signed in already
    signer.get(link)
    heading(signer, f"Báo cáo: {title}")
    press(signer, "Ký ban hành")
    heading(signer, "Ký ban hành báo cáo", level=2)
    check(signer, "signer-approve", shot=False)
    press(signer, "Đồng ý, ký ban hành")
    says(signer, "Đã ký — văn bản đang được ban hành")
    number = f"{REGISTER_NUMBER:02d}/BC-BCA"
    says(signer, f"Đã ban hành số {number}", timeout=COMPILE_TIMEOUT)
    issued = summary_doc(world, cid)
    assert issued["stage"] == "issued" and issued["number"] == number and issued["issued_on"], issued

    # -- the office: the badge with the number and the date, the files, the verification ------------------------
    y, m, d = issued["issued_on"][:10].split("-")
    badge(office, f"Đã ban hành số {number} ngày {d}/{int(m)}/{y}", title)
    assert issued["docx_url"] and issued["signed"], issued
    button(office, "Tải DOCX")
    button(office, "Tải PDF")
    # sent once issued: the recipient's row under "Đã gửi" (the page reads it again after the compile)
    wait(office, lambda d: any(RECIPIENT[1] in r.text and f"Báo cáo số {number}" in norm(r.text) and "Đã gửi" in r.text
                               for r in d.find_elements("css selector", ".deliveries tbody tr")), COMPILE_TIMEOUT,
         message=f"no delivery of {number} shown: {page_text(office)[-600:]!r}")
    shots(office, "documents")
    press(office, "Xác thực")  # the public page, opened from the card
    heading(office, "Xác thực văn bản")
    office.back()

    # -- thay thế: a new draft that says what it replaces ---------------------------------------------------------
    go(office, world, f"/hoi-nghi/{cid}")
    heading(office, f"Hội nghị: {conference['title']}")
    badge(office, f"Đã ban hành số {number}", title)
    assert not field_enabled(office, "Đánh giá chung")  # an issued báo cáo's assessment is closed
    says(office, "Báo cáo đã ban hành")
    press(office, "Thay thế")
    heading(office, f"Thay thế báo cáo số {number}", level=2)
    fill(office, "Lý do thay thế", "Bổ sung kết quả của Công an tỉnh Nghệ An.")
    check(office, "documents-replace")
    press(office, "Tạo dự thảo thay thế")
    says(office, "dự thảo mới đang được tổng hợp")
    says(office, f"Báo cáo số {number}")  # "Thay thế: Báo cáo số 12/BC-BCA" on the new draft's card
    badge(office, "Dự thảo", title)
    button(office, "Trình ký Báo cáo")
    reopened = summary_doc(world, cid)
    assert reopened["stage"] == "draft" and reopened["replaces"]["number"] == number, reopened
    assert field_enabled(office, "Đánh giá chung")  # open again for the replacement
    # the register's number already used (by the báo cáo it replaces): refused next to the field, nothing sent
    press(office, "Trình ký Báo cáo")
    heading(office, "Trình ký báo cáo", level=2)
    fill(office, "Người ký", f"{leader.name} (Lãnh đạo)")
    fill(office, "Số trong sổ văn bản đi", str(REGISTER_NUMBER))
    press(office, "Gửi trình ký")
    assert "đã được dùng" in field_error(office, "Số trong sổ văn bản đi")
    press(office, "Hủy")
    assert summary_doc(world, cid)["stage"] == "draft"

    # -- the issued one, verified on the public page (the replacement is not issued yet) --------------------------
    go(office, world, f"/xac-thuc/{issued['id']}")
    heading(office, "Xác thực văn bản")
    says(office, "Đã ban hành, còn hiệu lực")
    verified = ok(world.anonymous.call("GET", f"/v1/documents/{issued['id']}/verify"))
    assert issued["signed"] and verified["signature"]["valid"] and verified["signature"]["trusted"], verified
    says(office, "Chữ ký số hợp lệ.")
    says(office, "Nội dung không bị sửa đổi sau khi ký.")
    says(office, verified["signature"]["signer"])
    check(office, "verify")


def field_enabled(driver, label: str) -> bool:
    return control(driver, label, enabled=False).is_enabled()


def compiled(world, cid: str) -> list[dict]:
    """POST …/compile and wait until its run is done (the request cleared); the documents then."""
    ok(world.api.call("POST", f"/v1/conferences/{cid}/compile"), 202)
    deadline = time.monotonic() + COMPILE_TIMEOUT
    while ok(world.api.call("GET", f"/v1/conferences/{cid}/deliveries?limit=1"))["compile_requested_at"]:
        assert time.monotonic() < deadline, "the compile never finished"
        time.sleep(0.5)
    return ok(world.api.call("GET", f"/v1/conferences/{cid}/documents?limit=100"))["items"]


def test_a_unit_head_signs_the_giay_khen_decision_from_the_unit_home(world, chromium_factory):
    """A Giấy khen is granted by the head of the nominee's unit: the office submits that Quyết định to the unit's
    account, which finds it under "Văn bản chờ ký" on the unit's home, signs it, and sees its number."""
    conference = ok(world.api.call("POST", "/v1/conferences", {
        "title": "Hội nghị giao ban thi đua quý III năm 2027", "date": "2027-10-05", "place": "Hà Nội",
        "periods": [previous_period(), current_period()], "signer": {"title": SIGNER[0], "name": SIGNER[1]}}), 201)
    cid = conference["id"]
    approved_nominations(world, cid)
    head = person(world, "unit", "ca-nghe-an", name="Thiếu tướng Trần Văn Nghệ")
    [decision] = [d for d in compiled(world, cid) if d["kind"] == "decision" and "giay-khen" in d["stream"]]
    assert decision["stage"] == "draft" and decision["issuer"]["name"] == "Công an tỉnh Nghệ An", decision
    ok(world.api.call("POST", f"/v1/documents/{decision['id']}/submit", {"signer_account_id": head.id, "number": None}))

    driver = chromium_factory(width=360, height=780)
    sign_in(driver, world, head)
    heading(driver, "Công an tỉnh Nghệ An")
    heading(driver, "Văn bản chờ ký", level=2)
    press(driver, f"Quyết định: {decision['title']}")
    heading(driver, f"Quyết định: {decision['title']}")
    says(driver, "Công an tỉnh Nghệ An")
    # the draft submitted to them, on a phone opened whole
    assert button(driver, "Mở dự thảo (PDF)").get_attribute("href").startswith("blob:")
    press(driver, "Ký ban hành")
    heading(driver, "Ký ban hành quyết định", level=2)
    press(driver, "Đồng ý, ký ban hành")
    says(driver, "Đã ký — văn bản đang được ban hành")
    says(driver, "Đã ban hành số 01/QĐ-", timeout=COMPILE_TIMEOUT)
    check(driver, "signer-issued", shot=False)
    issued = [d for d in ok(world.api.call("GET", f"/v1/conferences/{cid}/documents?limit=100"))["items"]
              if d["stream"] == decision["stream"] and d["stage"] == "issued"]
    assert len(issued) == 1 and issued[0]["number"].startswith("01/QĐ-") and issued[0]["signed"], issued
    says(driver, f"Đã ban hành số {issued[0]['number']}")


def test_a_signer_link_that_is_not_waiting_says_so(world, chromium_factory):
    """The trình ký email's link opened by someone it was not sent to (or after answering): no buttons to sign."""
    leader = person(world, "leader", name="Trần Thị Không Chờ")
    driver = chromium_factory(width=360, height=780)
    sign_in(driver, world, leader)
    go(driver, world, "/van-ban/ZZZZZZZZ")
    heading(driver, "Văn bản không còn chờ đồng chí ký")
    assert "Ký ban hành" not in page_text(driver)
    assert not re.search(r"\bTrả lại\b", page_text(driver))
