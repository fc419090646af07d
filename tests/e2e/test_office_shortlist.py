"""Xét khen thưởng (#/xet-khen/<conference>), used in Debian's headless Chromium as the office uses it
(issue 17): the ranked shortlist by award form with its quotas, a nomination's details beside it (its
achievements in full, the percentiles of its automatic score), single and bulk decisions of each kind,
moving a nomination to another award form, a change made by someone else meanwhile (412) reloaded
rather than overwritten, and finalising with the quota check explained and the API's refusal shown.
Every result is read back through the API. At 1024x768 the decision buttons are on the screen.
"""

from __future__ import annotations

import pytest

from browser import button, field, field_error, fill, heading, page_text, press, says, wait
from people import UNIT_NAMES, check, current_period, go, ok, person, portal_world, previous_period, sign_in

pytestmark = pytest.mark.slow

BANG_KHEN, GIAY_KHEN = "bang-khen-bo-truong", "giay-khen"
BANG_KHEN_NAME, GIAY_KHEN_NAME = "Bằng khen của Bộ trưởng Bộ Công an", "Giấy khen"
# per officer, the small provinces did more: the ranking is not the order of creation
FIGURES = {
    "ca-nghe-an": {"officers_mobilised": 1200, "people_traced": 5400, "checkpoints": 38, "citizens_escorted": 9000},
    "ca-bac-giang": {"officers_mobilised": 2100, "people_traced": 3100, "checkpoints": 64, "citizens_escorted": 4000},
    "ca-da-nang": {"officers_mobilised": 900, "people_traced": 4100, "checkpoints": 22, "citizens_escorted": 2600},
    "ca-tp-hcm": {"officers_mobilised": 5200, "people_traced": 9800, "checkpoints": 120, "citizens_escorted": 15000},
    "ca-binh-duong": {"officers_mobilised": 1500, "people_traced": 2600, "checkpoints": 41, "citizens_escorted": 3900},
    "ca-dong-nai": {"officers_mobilised": 1700, "people_traced": 2900, "checkpoints": 47, "citizens_escorted": 3500},
}
PROVINCES = list(FIGURES)
# individuals for Giấy khen: (name, position, unit)
PEOPLE = [("Nguyễn Văn Hùng", "Đại úy, Đội trưởng", "ca-nghe-an"),
          ("Trần Thị Mai", "Thượng úy, cán bộ", "ca-da-nang"),
          ("Lê Quang Vinh", "Thiếu tá, Phó Trưởng phòng", "ca-bac-giang"),
          ("Phạm Thu Hà", "Trung úy, cán bộ", "ca-tp-hcm")]
TAIL = "Kết quả được Ủy ban nhân dân tỉnh ghi nhận tại hội nghị tổng kết tháng 12."
LONG = ("Chủ động tham mưu cấp ủy, chính quyền địa phương triển khai đồng bộ các biện pháp phòng, chống dịch; "
        "lập các tổ truy vết, chốt kiểm soát, hỗ trợ đưa đón công dân về địa phương an toàn. " * 4) + TAIL


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from portal_world(tmp_path_factory, "office-shortlist")


@pytest.fixture(scope="module")
def reported(world):
    """The provinces' reports for both of the conferences' periods (the automatic score sums them)."""
    for period in (previous_period(), current_period()):
        for unit_id, values in FIGURES.items():
            ok(world.api.call("PUT", f"/v1/units/{unit_id}/reports/{period}",
                              {"values": values, "achievements": "Hoàn thành các chỉ tiêu của kỳ."}), 200, 201)
    return world


def seed(world, title: str) -> tuple[str, dict[str, str]]:
    """A conference with quotas (Bằng khen 3, Giấy khen 2), each province nominated for a Bằng khen
    and four of their people for a Giấy khen; (conference id, nominee name -> nomination id)."""
    conference = ok(world.api.call("POST", "/v1/conferences", {
        "title": title, "date": "2027-01-15", "place": "Hà Nội", "periods": [previous_period(), current_period()],
        "quotas": {BANG_KHEN: 3, GIAY_KHEN: 2},
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Thiếu tướng Nguyễn Văn A"}}), 201)
    ids = {}
    names = UNIT_NAMES
    for unit_id in PROVINCES:
        ids[names[unit_id]] = ok(world.api.call("POST", f"/v1/units/{unit_id}/nominations", {
            "conference_id": conference["id"], "kind": "collective", "name": names[unit_id], "award_form": BANG_KHEN,
            "achievements": LONG}), 201)["id"]
    for name, position, unit_id in PEOPLE:
        ids[name] = ok(world.api.call("POST", f"/v1/units/{unit_id}/nominations", {
            "conference_id": conference["id"], "kind": "individual", "name": name, "position": position,
            "award_form": GIAY_KHEN, "achievements": f"{name} hoàn thành xuất sắc nhiệm vụ được giao."}), 201)["id"]
    return conference["id"], ids


def nomination(world, nomination_id: str) -> dict:
    return ok(world.api.call("GET", f"/v1/nominations/{nomination_id}"))


def shortlist(world, cid: str) -> dict:
    """Every row (paged through, as any client must), with the quota lines."""
    rows, cursor = [], None
    while True:
        page = ok(world.api.call("GET", f"/v1/conferences/{cid}/shortlist?limit=5" + (f"&cursor={cursor}" if cursor else "")))
        rows += page["items"]
        cursor = page["next"]
        if not cursor:
            return {**page, "items": rows}


def open_detail(driver, name: str) -> None:
    press(driver, name)  # the nominee's name is the link to the details
    heading(driver, "Chi tiết đề nghị", level=2)
    wait(driver, lambda d: any(e.text.startswith(name) for e in d.find_elements("css selector", ".sl-detail__name")),
         message=f"the details never showed {name}")
    button(driver, "Đồng ý")  # the decisions are ready (enabled) once the details are read


def choose(driver, *names: str) -> None:
    for name in names:
        box = field(driver, name)  # the row's checkbox, labelled by the nominee's name
        if not box.is_selected():
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)  # from under the bulk bar
            box.click()
    says(driver, f"Đã chọn {len(names)} đề nghị")


def percentile_text(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")  # Vietnamese decimal comma, one decimal as the page shows


def test_the_office_decides_single_and_bulk_moves_reloads_a_stale_row_and_finalises(reported, chromium_factory):
    world = reported
    title = "Hội nghị tổng kết công tác thi đua năm 2026"
    cid, ids = seed(world, title)
    nghe_an = ids["Công an tỉnh Nghệ An"]
    # a reviewer's scores, and a leader of the proposing unit the conflict rule keeps out
    ok(world.api.call("POST", f"/v1/nominations/{nghe_an}/scores",
                      {"scores": {"impact": 9, "exemplary": 8, "initiative": 7}, "note": "Mô hình tổ truy vết nên nhân rộng."}))
    person(world, "leader", "ca-nghe-an", name="Hoàng Minh Tuấn", totp=False)
    criteria = {c["code"]: c["label"] for c in ok(world.api.call("GET", "/v1/award-forms"))["criteria"]}
    admin = person(world, "admin", name="Trần Thị Thanh Hương")
    driver = chromium_factory(1366, 900)
    sign_in(driver, world, admin)
    go(driver, world, f"/xet-khen/{cid}")
    heading(driver, f"Xét khen thưởng: {title}")
    heading(driver, BANG_KHEN_NAME, level=2)
    heading(driver, GIAY_KHEN_NAME, level=2)
    says(driver, "Đã đồng ý 0/3 chỉ tiêu · 6 đề nghị")
    says(driver, "Đã đồng ý 0/2 chỉ tiêu · 4 đề nghị")

    # the details: the achievements in full (the list's excerpt stops at 300 characters) and the percentiles
    open_detail(driver, "Công an tỉnh Nghệ An")
    says(driver, TAIL)
    detail = ok(world.api.call("GET", f"/v1/nominations/{nghe_an}/detail"))
    traced = next(i for i in detail["automatic"]["indicators"] if i["code"] == "people_traced")
    assert traced["percentile"] is not None and traced["value"] == 2 * FIGURES["ca-nghe-an"]["people_traced"]
    row = next(r for r in driver.find_elements("css selector", ".sl-indicators li")
               if r.text.startswith(world.labels["people_traced"]))
    assert percentile_text(traced["percentile"]) in row.text and "10.800" in row.text, row.text
    assert row.find_elements("css selector", ".sl-bar__fill"), "no percentile bar"
    # each reviewer's criteria, the conflicts of interest, the audit trail
    says(driver, "Mô hình tổ truy vết nên nhân rộng.")
    for code, given in (("impact", 9), ("exemplary", 8), ("initiative", 7)):
        says(driver, f"{criteria[code]} {given}/10")
    says(driver, "Hoàng Minh Tuấn (Lãnh đạo, Công an tỉnh Nghệ An): không được chấm")
    audit = driver.find_element("css selector", ".sl-audit").text
    assert "Gửi đề nghị" in audit and "Chấm điểm" in audit, audit
    check(driver, "shortlist")

    # single: approve, reject with a note (refused without one), hold
    press(driver, "Đồng ý")
    says(driver, "Đã đồng ý đề nghị khen thưởng Công an tỉnh Nghệ An.")
    assert nomination(world, ids["Công an tỉnh Nghệ An"])["status"] == "approved"
    says(driver, "Đã đồng ý 1/3 chỉ tiêu · 6 đề nghị")

    open_detail(driver, "Công an tỉnh Bắc Giang")
    press(driver, "Không đồng ý")
    heading(driver, "Không đồng ý đề nghị", level=2)
    press(driver, "Xác nhận không đồng ý")
    assert "lý do" in field_error(driver, "Lý do").lower()
    check(driver, "shortlist-reject")
    reason = "Thành tích chưa nổi bật so với các đơn vị cùng loại."
    fill(driver, "Lý do", reason)
    press(driver, "Xác nhận không đồng ý")
    says(driver, "Đã không đồng ý đề nghị khen thưởng Công an tỉnh Bắc Giang.")
    rejected = nomination(world, ids["Công an tỉnh Bắc Giang"])
    assert (rejected["status"], rejected["decision"]["note"]) == ("rejected", reason)

    open_detail(driver, "Công an thành phố Đà Nẵng")
    press(driver, "Tạm hoãn")
    heading(driver, "Tạm hoãn đề nghị", level=2)
    check(driver, "shortlist-hold")
    press(driver, "Xác nhận tạm hoãn")
    says(driver, "Đã tạm hoãn đề nghị khen thưởng Công an thành phố Đà Nẵng.")
    assert nomination(world, ids["Công an thành phố Đà Nẵng"])["status"] == "held"

    # bulk: approve two, reject two with a note (refused without one), hold one
    choose(driver, "Nguyễn Văn Hùng", "Trần Thị Mai")
    press(driver, "Đồng ý các đề nghị đã chọn")
    heading(driver, "Đồng ý 2 đề nghị đã chọn", level=2)
    says(driver, "Sau khi đồng ý, Giấy khen: 2/2 chỉ tiêu (vừa đủ chỉ tiêu).")
    check(driver, "shortlist-bulk-approve")
    press(driver, "Xác nhận đồng ý")
    says(driver, "Đã đồng ý 2 đề nghị: ")
    assert [nomination(world, ids[n])["status"] for n in ("Nguyễn Văn Hùng", "Trần Thị Mai")] == ["approved"] * 2
    says(driver, "Đã đồng ý 2/2 chỉ tiêu · 4 đề nghị")

    choose(driver, "Công an Thành phố Hồ Chí Minh", "Công an tỉnh Bình Dương")
    press(driver, "Không đồng ý các đề nghị đã chọn")
    heading(driver, "Không đồng ý 2 đề nghị đã chọn", level=2)
    press(driver, "Xác nhận không đồng ý")
    field_error(driver, "Lý do")
    check(driver, "shortlist-bulk")
    bulk_reason = "Đã được khen thưởng cùng hình thức trong năm."
    fill(driver, "Lý do", bulk_reason)
    press(driver, "Xác nhận không đồng ý")
    says(driver, "Đã không đồng ý 2 đề nghị: ")
    for name in ("Công an Thành phố Hồ Chí Minh", "Công an tỉnh Bình Dương"):
        n = nomination(world, ids[name])
        assert (n["status"], n["decision"]["note"]) == ("rejected", bulk_reason), n

    choose(driver, "Công an tỉnh Đồng Nai")
    press(driver, "Tạm hoãn các đề nghị đã chọn")
    heading(driver, "Tạm hoãn 1 đề nghị đã chọn", level=2)
    press(driver, "Xác nhận tạm hoãn")
    says(driver, "Đã tạm hoãn 1 đề nghị: Công an tỉnh Đồng Nai.")
    assert nomination(world, ids["Công an tỉnh Đồng Nai"])["status"] == "held"

    # a bulk decision over a row someone else changed since the list was read: nothing is written
    choose(driver, "Lê Quang Vinh", "Phạm Thu Hà")
    pid = ids["Phạm Thu Hà"]
    first_change = "Phạm Thu Hà bổ sung hồ sơ: giấy xác nhận của Công an phường."
    ok(world.api.call("PATCH", f"/v1/nominations/{pid}", {"achievements": first_change},
                      headers={"If-Match": world.api.call("GET", f"/v1/nominations/{pid}")[1]["ETag"]}))
    press(driver, "Tạm hoãn các đề nghị đã chọn")
    heading(driver, "Tạm hoãn 2 đề nghị đã chọn", level=2)
    press(driver, "Xác nhận tạm hoãn")
    says(driver, "Đề nghị Phạm Thu Hà vừa được người khác thay đổi nên không quyết định nào được ghi.")
    assert [nomination(world, ids[n])["status"] for n in ("Lê Quang Vinh", "Phạm Thu Hà")] == ["pending"] * 2
    assert nomination(world, pid)["achievements"] == first_change
    for name in ("Lê Quang Vinh", "Phạm Thu Hà"):
        box = field(driver, name)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
    says(driver, "Chưa chọn đề nghị nào")
    assert "Đồng ý các đề nghị đã chọn" not in page_text(driver)  # nothing ticked, nothing to decide in bulk

    # move a Giấy khen nominee up to a Bằng khen, approving it there
    open_detail(driver, "Lê Quang Vinh")
    fill(driver, "Chuyển hình thức khen thưởng", BANG_KHEN_NAME)
    press(driver, "Đồng ý")
    says(driver, f"Đã đồng ý đề nghị khen thưởng Lê Quang Vinh, chuyển sang {BANG_KHEN_NAME}.")
    says(driver, f"Đồng ý ({BANG_KHEN_NAME}) — {admin.name}")  # the move is in the trail, under its new form
    moved = nomination(world, ids["Lê Quang Vinh"])
    assert (moved["status"], moved["award_form"], moved["decision"]["award_form_before"]) == (
        "approved", BANG_KHEN, GIAY_KHEN)
    says(driver, "Đã đồng ý 2/3 chỉ tiêu · 7 đề nghị")

    # someone else changes a nomination after the admin opened it: the decision is refused and reloaded
    open_detail(driver, "Phạm Thu Hà")
    says(driver, first_change)
    _, headers, _ = world.api.call("GET", f"/v1/nominations/{pid}")
    changed = "Phạm Thu Hà bổ sung thành tích: cứu 3 người trong vụ cháy tháng 11."
    ok(world.api.call("PATCH", f"/v1/nominations/{pid}", {"achievements": changed},
                      headers={"If-Match": headers["ETag"]}))
    press(driver, "Đồng ý")
    says(driver, "Đề nghị này vừa được người khác thay đổi sau khi bạn mở nó; quyết định của bạn chưa được ghi.")
    says(driver, changed)  # the details were read again
    after = nomination(world, pid)
    assert (after["status"], after["achievements"]) == ("pending", changed)  # nothing overwritten
    says(driver, "Giấy khen đã đồng ý 2/2 chỉ tiêu: đồng ý đề nghị này sẽ vượt chỉ tiêu")  # warned first
    press(driver, "Đồng ý")  # decided on what is now shown: it lands, over the Giấy khen quota
    says(driver, "Đã đồng ý đề nghị khen thưởng Phạm Thu Hà.")
    assert nomination(world, pid)["status"] == "approved"
    says(driver, "Đã đồng ý 3/2 chỉ tiêu · 3 đề nghị")

    # finalise: the quota check explained first; over quota the API refuses, and says why
    press(driver, "Chốt danh sách")
    heading(driver, "Chốt danh sách khen thưởng", level=2)
    says(driver, "Giấy khen: đồng ý 3/2 chỉ tiêu — vượt chỉ tiêu 1.")
    says(driver, f"{BANG_KHEN_NAME}: đồng ý 2/3 chỉ tiêu — còn 1 chỉ tiêu chưa dùng.")
    says(driver, "mọi quyết định, điểm chấm và đề nghị bị khóa")
    check(driver, "shortlist-finalise")
    press(driver, "Xác nhận chốt danh sách")
    says(driver, "Số đề nghị được duyệt vượt chỉ tiêu: Giấy khen: 3/2.")
    assert ok(world.api.call("GET", f"/v1/conferences/{cid}"))["finalised_at"] is None
    press(driver, "Hủy")
    open_detail(driver, "Phạm Thu Hà")
    press(driver, "Tạm hoãn")
    fill(driver, "Lý do", "Chờ xác minh thành tích bổ sung.")
    press(driver, "Xác nhận tạm hoãn")
    says(driver, "Đã tạm hoãn đề nghị khen thưởng Phạm Thu Hà.")
    press(driver, "Chốt danh sách")
    says(driver, "Giấy khen: đồng ý 2/2 chỉ tiêu — vừa đủ chỉ tiêu.")
    press(driver, "Xác nhận chốt danh sách")
    says(driver, "Đã chốt danh sách khen thưởng.")
    says(driver, "Danh sách đã được chốt lúc")
    wait(driver, lambda d: not d.find_elements("css selector", ".sl-decide, .sl-bulk"),
         message="decisions still offered after finalising")
    check(driver, "shortlist-finalised")

    # every result, through the API: the conference is finalised and the list is as decided
    assert ok(world.api.call("GET", f"/v1/conferences/{cid}"))["finalised_at"]
    final = shortlist(world, cid)
    assert final["finalised_at"]
    statuses = {r["nomination"]["name"]: (r["nomination"]["status"], r["nomination"]["award_form"]) for r in final["items"]}
    assert statuses == {
        "Công an tỉnh Nghệ An": ("approved", BANG_KHEN), "Công an tỉnh Bắc Giang": ("rejected", BANG_KHEN),
        "Công an thành phố Đà Nẵng": ("held", BANG_KHEN), "Công an Thành phố Hồ Chí Minh": ("rejected", BANG_KHEN),
        "Công an tỉnh Bình Dương": ("rejected", BANG_KHEN), "Công an tỉnh Đồng Nai": ("held", BANG_KHEN),
        "Lê Quang Vinh": ("approved", BANG_KHEN), "Nguyễn Văn Hùng": ("approved", GIAY_KHEN),
        "Trần Thị Mai": ("approved", GIAY_KHEN), "Phạm Thu Hà": ("held", GIAY_KHEN)}
    lines = {q["award_form"]: (q["approved"], q["quota"], q["nominated"]) for q in final["quotas"]}
    assert lines[BANG_KHEN] == (2, 3, 7) and lines[GIAY_KHEN] == (2, 2, 3)
    late = world.api.call("POST", f"/v1/nominations/{pid}/decision", {"decision": "approve"},
                          headers={"If-Match": world.api.call("GET", f"/v1/nominations/{pid}")[1]["ETag"]})
    assert late[0] == 423


IN_VIEW = """
const names = arguments[0];
const found = Array.from(document.querySelectorAll("button")).filter((b) => names.includes(b.innerText.trim()));
return found.map((b) => { const r = b.getBoundingClientRect();
  return {name: b.innerText.trim(), left: r.left, top: r.top, right: r.right, bottom: r.bottom}; });"""
DECISIONS = ["Đồng ý", "Không đồng ý", "Tạm hoãn", "Đồng ý các đề nghị đã chọn", "Không đồng ý các đề nghị đã chọn",
             "Tạm hoãn các đề nghị đã chọn"]


def in_view(driver, names: list[str]) -> None:
    """Each button named is inside the viewport the page gets (the window less its scrollbar), and
    the page does not scroll sideways."""
    boxes = driver.execute_script(IN_VIEW, names)
    assert sorted(b["name"] for b in boxes) == sorted(names), boxes
    view_w, view_h = driver.execute_script(
        "return [document.documentElement.clientWidth, document.documentElement.clientHeight]")
    assert view_w > 950 and view_h > 600, (view_w, view_h)
    for b in boxes:
        assert 0 <= b["left"] and b["right"] <= view_w and 0 <= b["top"] and b["bottom"] <= view_h, (b, view_w, view_h)
    assert driver.execute_script("return document.documentElement.scrollWidth") <= view_w  # no sideways scroll


@pytest.mark.parametrize("width, height", [(1024, 768), (360, 800)])
def test_the_decision_buttons_are_on_a_1024_screen_and_every_view_reads_on_small_ones(reported, chromium_factory,
                                                                                      width, height):
    world = reported
    title = f"Hội nghị sơ kết thi đua ({width} px)"
    cid, ids = seed(world, title)
    admin = person(world, "admin", name="Đỗ Minh Quân")
    driver = chromium_factory(width, height)
    sign_in(driver, world, admin)
    go(driver, world, f"/xet-khen/{cid}?de-nghi={ids['Công an tỉnh Nghệ An']}")
    heading(driver, f"Xét khen thưởng: {title}")
    heading(driver, "Chi tiết đề nghị", level=2)
    button(driver, "Đồng ý")
    says(driver, LONG[:60])
    if width == 1024:
        # as the page opens, beside the list: the single decisions inside the 1024x768 window's viewport
        in_view(driver, DECISIONS[:3])
    check(driver, "shortlist")
    choose(driver, "Công an tỉnh Bắc Giang", "Trần Thị Mai")
    if width == 1024:
        # two rows ticked further down the list: the single and the bulk decisions are all on the screen
        in_view(driver, DECISIONS)

    # each dialog, looked at and left without acting
    press(driver, "Không đồng ý")
    heading(driver, "Không đồng ý đề nghị", level=2)
    check(driver, "shortlist-reject")
    press(driver, "Hủy")
    press(driver, "Tạm hoãn")
    heading(driver, "Tạm hoãn đề nghị", level=2)
    check(driver, "shortlist-hold")
    press(driver, "Hủy")
    press(driver, "Đồng ý các đề nghị đã chọn")
    heading(driver, "Đồng ý 2 đề nghị đã chọn", level=2)
    check(driver, "shortlist-bulk-approve")
    press(driver, "Hủy")
    press(driver, "Không đồng ý các đề nghị đã chọn")
    heading(driver, "Không đồng ý 2 đề nghị đã chọn", level=2)
    check(driver, "shortlist-bulk")
    press(driver, "Hủy")
    press(driver, "Chốt danh sách")
    says(driver, "Kiểm tra chỉ tiêu trước khi chốt")
    check(driver, "shortlist-finalise")
    press(driver, "Hủy")
    assert {nomination(world, i)["status"] for i in ids.values()} == {"pending"}  # nothing was decided

    # finalised (through the API): the list says so and offers no decision
    etag = world.api.call("GET", f"/v1/conferences/{cid}")[1]["ETag"]
    ok(world.api.call("POST", f"/v1/conferences/{cid}/finalise", headers={"If-Match": etag}))
    driver.refresh()
    says(driver, "Danh sách đã được chốt lúc")
    heading(driver, "Chi tiết đề nghị", level=2)
    assert not driver.find_elements("css selector", ".sl-decide, .sl-bulk, .sl-check input")
    assert "Đồng ý các đề nghị đã chọn" not in page_text(driver)
    check(driver, "shortlist-finalised")


def test_a_long_shortlist_comes_in_pages_and_a_decision_keeps_every_page_shown(reported, chromium_factory):
    """101 nominations: the page shows the first 100 and "Xem thêm" the rest; a bulk decision on the
    last row reads the shown rows again across both pages, none lost."""
    world = reported
    title = "Hội nghị điển hình tiên tiến (101 đề nghị)"
    cid = ok(world.api.call("POST", "/v1/conferences", {
        "title": title, "date": "2027-01-15", "place": "Hà Nội", "periods": [previous_period(), current_period()],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Thiếu tướng Nguyễn Văn A"}}), 201)["id"]
    for n in range(101):
        unit_id = PROVINCES[n % len(PROVINCES)]
        ok(world.api.call("POST", f"/v1/units/{unit_id}/nominations", {
            "conference_id": cid, "kind": "collective", "name": f"Tổ công tác số {n + 1:03d} — {UNIT_NAMES[unit_id]}",
            "award_form": GIAY_KHEN, "achievements": "Hoàn thành xuất sắc nhiệm vụ."}), 201)
    every = shortlist(world, cid)["items"]
    assert len(every) == 101
    last = every[-1]["nomination"]
    admin = person(world, "admin", name="Vũ Thị Lan")
    driver = chromium_factory(1366, 900)
    sign_in(driver, world, admin)
    go(driver, world, f"/xet-khen/{cid}")
    heading(driver, f"Xét khen thưởng: {title}")
    rows = "table.sl-table tbody tr"
    wait(driver, lambda d: len(d.find_elements("css selector", rows)) == 100, message="the first page is not 100 rows")
    assert last["name"] not in page_text(driver)
    press(driver, "Xem thêm (đang hiện 100)")
    wait(driver, lambda d: len(d.find_elements("css selector", rows)) == 101, message="the second page never came")
    says(driver, last["name"])
    assert "Xem thêm" not in page_text(driver)
    choose(driver, last["name"])
    press(driver, "Tạm hoãn các đề nghị đã chọn")
    press(driver, "Xác nhận tạm hoãn")
    says(driver, f"Đã tạm hoãn 1 đề nghị: {last['name']}.")
    assert nomination(world, last["id"])["status"] == "held"
    # the rows shown were read again in place: both pages still there, the decided one with its new state
    row = wait(driver, lambda d: next((r for r in d.find_elements("css selector", rows) if last["name"] in r.text
                                       and "Tạm hoãn" in r.text), False), message="the decided row never showed it")
    assert row and len(driver.find_elements("css selector", rows)) == 101


def test_an_ineligible_row_shows_its_warning_and_approving_it_asks_for_an_override_note(reported, chromium_factory):
    """Eligibility (issue 19): the catalog caps a unit's Bằng khen nominations per conference (5): the sixth
    carries a warning on its row and in its details (rule and citation), and approving it asks for the
    "Lý do duyệt vượt điều kiện", which is kept on the decision and in the audit trail."""
    world = reported
    title = "Hội nghị sơ kết công tác thi đua quý I năm 2027"
    conference = ok(world.api.call("POST", "/v1/conferences", {
        "title": title, "date": "2027-04-15", "place": "Hà Nội", "periods": [previous_period(), current_period()],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Thiếu tướng Nguyễn Văn A"}}), 201)
    teams = [f"Đội công tác số {i} Công an tỉnh Nghệ An" for i in range(1, 7)]
    ids = {name: ok(world.api.call("POST", "/v1/units/ca-nghe-an/nominations", {
        "conference_id": conference["id"], "kind": "collective", "name": name, "award_form": BANG_KHEN,
        "achievements": "Hoàn thành xuất sắc nhiệm vụ được giao."}), 201)["id"] for name in teams}
    over = teams[-1]
    [warning] = ok(world.api.call("GET", f"/v1/nominations/{ids[over]}/detail"))["warnings"]
    assert warning["rule"] == "unit_cap"
    admin = person(world, "admin", name="Đỗ Thị Lan")
    driver = chromium_factory(1366, 900)
    sign_in(driver, world, admin)
    go(driver, world, f"/xet-khen/{conference['id']}")
    heading(driver, f"Xét khen thưởng: {title}")
    badges = wait(driver, lambda d: [b for b in d.find_elements("css selector", ".sl-warn-badge") if b.is_displayed()],
                  message="no warning badge on the shortlist")
    assert len(badges) == 1 and "Là đề nghị thứ 6 của đơn vị đề nghị" in badges[0].text, [b.text for b in badges]

    open_detail(driver, over)
    heading(driver, "Cảnh báo điều kiện khen thưởng", level=3)
    says(driver, warning["message"])
    says(driver, f"Căn cứ: {warning['citation']}")
    check(driver, "shortlist-warning")
    press(driver, "Đồng ý")
    heading(driver, "Đồng ý đề nghị", level=2)
    press(driver, "Xác nhận đồng ý")
    assert "vượt điều kiện" in field_error(driver, "Lý do duyệt vượt điều kiện").lower()
    assert nomination(world, ids[over])["status"] == "pending"
    check(driver, "shortlist-override")
    note = "Đội có thành tích đột xuất, Hội đồng thống nhất đề nghị."
    fill(driver, "Lý do duyệt vượt điều kiện", note)
    press(driver, "Xác nhận đồng ý")
    says(driver, f"Đã đồng ý đề nghị khen thưởng {over}.")
    decided = nomination(world, ids[over])
    assert decided["status"] == "approved" and decided["decision"]["override"]["note"] == note
    assert [w["rule"] for w in decided["decision"]["override"]["warnings"]] == ["unit_cap"]
    audit = ok(world.api.call("GET", f"/v1/nominations/{ids[over]}/audit"))["items"]
    assert next(e for e in audit if e["action"] == "approve")["detail"]["override"]["note"] == note

    # bulk: a warned row among the chosen asks for the reason once, for every warned row
    extra = "Đội công tác số 7 Công an tỉnh Nghệ An"
    ids[extra] = ok(world.api.call("POST", "/v1/units/ca-nghe-an/nominations", {
        "conference_id": conference["id"], "kind": "collective", "name": extra, "award_form": BANG_KHEN,
        "achievements": "Hoàn thành xuất sắc nhiệm vụ được giao."}), 201)["id"]
    driver.refresh()  # the list as read now, with the seventh row
    heading(driver, f"Xét khen thưởng: {title}")
    says(driver, "Đã đồng ý 1 (không giới hạn chỉ tiêu) · 7 đề nghị")
    choose(driver, teams[0], extra)
    press(driver, "Đồng ý các đề nghị đã chọn")
    heading(driver, "Đồng ý 2 đề nghị đã chọn", level=2)
    says(driver, f"Có 1 đề nghị chưa đủ điều kiện: {extra}.")
    press(driver, "Xác nhận đồng ý")
    field_error(driver, "Lý do duyệt vượt điều kiện")
    assert nomination(world, ids[extra])["status"] == "pending"
    fill(driver, "Lý do duyệt vượt điều kiện", note)
    press(driver, "Xác nhận đồng ý")
    says(driver, "Đã đồng ý 2 đề nghị: ")
    assert nomination(world, ids[extra])["decision"]["override"]["note"] == note
    assert nomination(world, ids[teams[0]])["decision"]["override"] is None
