"""The leaders' scoring page (#/cham-diem), used in Debian's headless Chromium as a leader uses it (issue 17).

A leader of Công an tỉnh Nghệ An signs in (password and TOTP), opens "Chấm điểm", picks the
conference, scores two nominations (the scores are read back through the API as the office
sees them), sees "Đã chấm 2/3", edits a score after a reload (pre-filled), is refused on the
nomination of their own unit (no fields, no save; the API refuses it too, 403
conflict_of_interest), and sees the API's own words when the rule starts to apply while the page
is open (the office moved them to another unit). After the office finalises the list, the page
shows the scores read-only. axe-core on every state; screenshots at 360 and 1366 px.

    .venv/bin/python -m pytest -q tests/e2e/test_leader_scoring.py
"""

from __future__ import annotations

import json

import pytest

from browser import (DOCS, HAVE_CHROMIUM, NEEDS_CHROMIUM, SCREENSHOTS, field, field_error, fill, heading, norm,
                     page_text, press, says, wait)
from devtools.stack import Http
from people import UNIT_NAMES, check, go, ok, person, portal_world, sign_in

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402  (Chromium is here: Selenium is too)

IMPACT, EXEMPLARY, INITIATIVE = "Hiệu quả, tác động của thành tích", "Tính tiêu biểu, nêu gương", \
    "Sáng kiến, cách làm mới"
CONFLICT = "Không được chấm: xung đột lợi ích"
LONG = ("Chủ trì lực lượng cơ động bảo đảm an ninh, trật tự tại 24 chốt kiểm soát dịch ra vào thành phố; "
        "phối hợp ngành y tế đón, dẫn 12.400 công dân về địa phương an toàn; trực tiếp vận động 1.200 hộ "
        "dân tiêm vắc-xin. ") * 3 + "Đơn vị được nhân dân tin yêu, ghi nhận."


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from portal_world(tmp_path_factory, "leader-scoring")


def nominate(world, unit: str, name: str, **fields) -> dict:
    body = {"conference_id": world.conference["id"], "kind": "collective", "name": name,
            "award_form": "bang-khen-bo-truong",
            "achievements": "Hoàn thành xuất sắc nhiệm vụ phòng, chống dịch COVID-19 trên địa bàn.", **fields}
    return ok(world.api.call("POST", f"/v1/units/{unit}/nominations", body), 201)


def reviews(world, nomination_id: str) -> list[dict]:
    """The reviewers' scores of a nomination as the office sees them (GET …/detail as admin)."""
    return ok(world.api.call("GET", f"/v1/nominations/{nomination_id}/detail"))["reviews"]


def card(driver, name: str):
    """The nomination's card on the sheet (the list item its heading names)."""
    def find(d):
        for li in d.find_elements(By.CSS_SELECTOR, "li.score-card"):
            if norm(li.find_element(By.TAG_NAME, "h2").text) == name and li.is_displayed():
                return li
        return False
    return wait(driver, find, message=f"no card for {name!r}")


def label(criterion: str, name: str) -> str:
    return f"{criterion} («{name}»)"


def score(driver, name: str, impact: str, exemplary: str, initiative: str, note: str | None = None) -> None:
    for criterion, value in ((IMPACT, impact), (EXEMPLARY, exemplary), (INITIATIVE, initiative)):
        fill(driver, label(criterion, name), value)
    if note is not None:
        fill(driver, f"Nhận xét (không bắt buộc) («{name}»)", note)
    press(driver, f"Lưu điểm cho «{name}»")


def session_token(driver) -> str:
    return json.loads(driver.execute_script("return localStorage.getItem('thidua.session')"))["token"]


def same_session(phone, desktop, world) -> None:
    """The phone opens the portal as the desktop's signed-in leader (the page keeps who is signed in)."""
    go(phone, world, "/")
    for key, value in desktop.execute_script("return Object.entries(localStorage)"):
        phone.execute_script("localStorage.setItem(arguments[0], arguments[1])", key, value)
    phone.refresh()


def shoot_card(driver, name: str, screen: str) -> None:
    """docs/portal-<screen>-<width>.png of one card (the full page is shot by `check`)."""
    if not SCREENSHOTS:
        return
    element = card(driver, name)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    width = driver.execute_script("return window.innerWidth")
    (DOCS / f"portal-{screen}-{width}.png").write_bytes(element.screenshot_as_png)


def test_a_leader_scores_is_refused_on_a_conflict_and_sees_the_finalised_list(world, chromium_factory):
    cid, title = world.conference["id"], world.conference["title"]
    da_nang = nominate(world, "ca-da-nang", "Phòng Cảnh sát cơ động, Công an thành phố Đà Nẵng", achievements=LONG)
    bac_giang = nominate(world, "ca-bac-giang", "Nguyễn Thị Hoa", kind="individual",
                         position="Trung tá, Đội trưởng Đội Cảnh sát giao thông", award_form="giay-khen")
    hospital = nominate(world, "cuc-y-te", "Khoa Hồi sức tích cực", nominee_unit_id="bv-19-8")
    own = nominate(world, "ca-nghe-an", "Phòng Cảnh sát hình sự, Công an tỉnh Nghệ An")
    leader = person(world, "leader", "ca-nghe-an", name="Đại tá Trần Văn Bình")

    desktop = chromium_factory(width=1366)
    phone = chromium_factory(width=360, height=780)
    sign_in(desktop, world, leader)
    press(desktop, "Chấm điểm")
    heading(desktop, "Chấm điểm")
    says(desktop, "Đang chấm điểm")
    says(desktop, "Đã chấm 0/3")  # the conference's progress on the list: Nghệ An's own is not counted
    check(desktop, "scoring-list")
    same_session(phone, desktop, world)
    go(phone, world, "/cham-diem")
    heading(phone, "Chấm điểm")
    says(phone, "Đã chấm 0/3")
    check(phone, "scoring-list")

    press(desktop, title)
    heading(desktop, f"Chấm điểm: {title}")
    says(desktop, "Đã chấm 0/3")
    assert "không tính 1 đề nghị không được chấm vì xung đột lợi ích" in page_text(desktop)
    # each criterion's description is shown by its field
    assert "Có sáng kiến, giải pháp hoặc cách làm mới" in page_text(desktop)

    # the conflicted nomination: said, with why, and nothing to fill or save
    conflicted = card(desktop, own["name"])
    text = norm(conflicted.text)
    assert CONFLICT in text and f"Đề nghị do đơn vị của bạn ({UNIT_NAMES['ca-nghe-an']}) gửi." in text
    assert conflicted.find_elements(By.CSS_SELECTOR, "input, textarea") == []
    assert not [b for b in conflicted.find_elements(By.TAG_NAME, "button")
                if "Lưu điểm" in b.text and b.is_enabled()]
    # …and the API refuses it too, whoever calls it
    me = Http(world.api_url, session_token(desktop))
    status, _, refused = me.call("POST", f"/v1/nominations/{own['id']}/scores",
                                 {"scores": {"impact": 9, "exemplary": 9, "initiative": 9}})
    assert status == 403 and refused["reason"] == "conflict_of_interest", refused
    assert "xung đột lợi ích" in refused["detail"]
    assert reviews(world, own["id"]) == []

    # what the API refuses is refused at the field first, in Vietnamese
    da = da_nang["name"]
    score(desktop, da, "11", "7.5", "")
    assert field_error(desktop, label(IMPACT, da)) == "Điểm phải từ 0 đến 10."
    assert field_error(desktop, label(EXEMPLARY, da)).startswith("Điểm là số nguyên, không có phần lẻ")
    assert field_error(desktop, label(INITIATIVE, da)) == "Nhập điểm từ 0 đến 10."
    assert reviews(world, da_nang["id"]) == []

    score(desktop, da, "8", "7", "6", note="Thành tích nổi bật trong đợt cao điểm")
    says(desktop, "Đã lưu điểm lúc")
    says(desktop, "Đã chấm 1/3")
    [review] = reviews(world, da_nang["id"])
    assert review["reviewer_name"] == leader.name and review["note"] == "Thành tích nổi bật trong đợt cao điểm"
    assert review["scores"] == {"impact": 8, "exemplary": 7, "initiative": 6}

    # the achievements in full, one click away
    tail = "Đơn vị được nhân dân tin yêu, ghi nhận."
    assert tail not in norm(card(desktop, da).text)
    press(desktop, f"Xem toàn văn thành tích của «{da}»")
    wait(desktop, lambda d: tail in norm(card(d, da).text), message="the full achievements never showed")

    score(desktop, bac_giang["name"], "9", "9", "8")
    says(desktop, "Đã chấm 2/3")
    assert [r["scores"] for r in reviews(world, bac_giang["id"])] == [{"impact": 9, "exemplary": 9, "initiative": 8}]
    check(desktop, "scoring-sheet")
    shoot_card(desktop, own["name"], "scoring-conflict")

    # a later visit finds the scores pre-filled, and an edit replaces the leader's score
    desktop.refresh()
    heading(desktop, f"Chấm điểm: {title}")
    says(desktop, "Đã chấm 2/3")
    assert [field(desktop, label(c, da)).get_attribute("value") for c in (IMPACT, EXEMPLARY, INITIATIVE)] == \
        ["8", "7", "6"]
    assert field(desktop, f"Nhận xét (không bắt buộc) («{da}»)").get_attribute("value") == \
        "Thành tích nổi bật trong đợt cao điểm"
    fill(desktop, label(IMPACT, da), "10")
    press(desktop, f"Lưu điểm cho «{da}»")
    says(desktop, "Đã lưu điểm lúc")
    says(desktop, "Đã chấm 2/3")
    [review] = reviews(world, da_nang["id"])  # still one review of this leader, now edited
    assert review["scores"] == {"impact": 10, "exemplary": 7, "initiative": 6}

    # the rule starts to apply while the page is open (the office moves the leader to Cục Y tế):
    # the save is refused and the page shows the API's own words on that card
    ok(world.api.call("PATCH", f"/v1/accounts/{leader.id}", {"unit_id": "cuc-y-te"}))
    score(desktop, hospital["name"], "5", "5", "5")
    moved = card(desktop, hospital["name"])
    wait(desktop, lambda d: CONFLICT in norm(card(d, hospital["name"]).text), message="the refusal never showed")
    assert refused["detail"] in norm(moved.text)
    assert card(desktop, hospital["name"]).find_elements(By.CSS_SELECTOR, "input") == []
    assert reviews(world, hospital["id"]) == []
    ok(world.api.call("PATCH", f"/v1/accounts/{leader.id}", {"unit_id": "ca-nghe-an"}))

    go(phone, world, f"/cham-diem/{cid}")
    heading(phone, f"Chấm điểm: {title}")
    says(phone, "Đã chấm 2/3")
    check(phone, "scoring-sheet")
    shoot_card(phone, own["name"], "scoring-conflict")

    # the office finalises the list (no approval exceeds a quota): the scores are only to be read
    status, headers, _ = world.api.call("GET", f"/v1/conferences/{cid}")
    assert status == 200
    finalised = ok(world.api.call("POST", f"/v1/conferences/{cid}/finalise", {},
                                  headers={"If-Match": headers["ETag"]}))
    assert finalised["finalised_at"]
    for driver in (desktop, phone):
        driver.refresh()
        heading(driver, f"Chấm điểm: {title}")
        says(driver, "đã được chốt")
        says(driver, "Đã chấm 2/3")
        wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, ".score-list input, .score-list textarea"),
             message="score fields are still offered after finalising")
        assert "Lưu điểm" not in page_text(driver)
        mine = norm(card(driver, da).text)
        assert f"{IMPACT} 10/10" in mine and f"{EXEMPLARY} 7/10" in mine and f"{INITIATIVE} 6/10" in mine
        check(driver, "scoring-finalised")
    status, _, locked = me.call("POST", f"/v1/nominations/{da_nang['id']}/scores",
                                {"scores": {"impact": 1, "exemplary": 1, "initiative": 1}})
    assert status == 423, locked
    assert reviews(world, da_nang["id"])[0]["scores"] == {"impact": 10, "exemplary": 7, "initiative": 6}
    go(desktop, world, "/cham-diem")
    says(desktop, "Đã chốt danh sách")
    says(desktop, "Đã chấm 2/3")


def test_a_long_sheet_comes_in_pages(world, chromium_factory):
    """25 nominations: the first 20, then "Xem thêm" for the rest; the progress is the whole conference's;
    a refusal of the API (422) is shown at the field it names."""
    conference = ok(world.api.call("POST", "/v1/conferences", {
        "title": "Hội nghị tổng kết phong trào thi đua vì an ninh Tổ quốc", "date": "2027-02-20", "place": "Hà Nội",
        "periods": [world.conference["periods"][0]],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Thiếu tướng Nguyễn Văn A"}}), 201)
    units = ("ca-da-nang", "ca-tp-hcm", "ca-binh-duong", "ca-dong-nai", "ca-bac-giang")
    names = [f"Đội Cảnh sát số {i + 1}, {UNIT_NAMES[units[i % len(units)]]}" for i in range(25)]
    ids = [ok(world.api.call("POST", f"/v1/units/{units[i % len(units)]}/nominations", {
        "conference_id": conference["id"], "kind": "collective", "name": name, "award_form": "giay-khen",
        "achievements": "Hoàn thành xuất sắc nhiệm vụ bảo đảm an ninh, trật tự."}), 201)["id"]
        for i, name in enumerate(names)]
    leader = person(world, "leader", "ca-nghe-an", name="Thượng tá Lê Văn Cường")
    driver = chromium_factory(width=1366)
    sign_in(driver, world, leader)
    go(driver, world, f"/cham-diem/{conference['id']}")
    heading(driver, f"Chấm điểm: {conference['title']}")
    says(driver, "Đã chấm 0/25")
    shown = lambda d: [norm(h.text) for h in d.find_elements(By.CSS_SELECTOR, "li.score-card h2")]  # noqa: E731
    wait(driver, lambda d: len(shown(d)) == 20, message="the first page is not 20 cards")
    assert shown(driver) == names[:20]
    score(driver, names[0], "6", "6", "6")
    says(driver, "Đã chấm 1/25")
    # a note pasted with a hidden character: the API's 422 is shown at the note's field, nothing stored
    score(driver, names[1], "5", "5", "5", note="Tiêu biểu\u200b trong đợt cao điểm")
    assert field_error(driver, f"Nhận xét (không bắt buộc) («{names[1]}»)") == \
        "Có ký tự định dạng ẩn (đảo chiều, độ rộng 0…) (U+200B)."
    assert reviews(world, ids[1]) == []
    says(driver, "Đã chấm 1/25")
    press(driver, "Xem thêm (đang hiện 20)")
    wait(driver, lambda d: len(shown(d)) == 25, message="the next page never came")
    assert shown(driver) == names  # each once, in the order sent
    score(driver, names[24], "7", "7", "7")
    says(driver, "Đã chấm 2/25")
    assert [r["scores"] for r in reviews(world, ids[24])] == [{"impact": 7, "exemplary": 7, "initiative": 7}]
