"""A unit with a large subtree names the unit it nominates by searching, in Debian's headless Chromium:
past 300 units (the ministry's 11,000 would be 1.3 MB in one answer) the form's select becomes a
search-as-you-type combobox over GET /v1/units/{id}/nominee-units?q=, typed without diacritics, chosen
with the keyboard; the API says what was stored.

    .venv/bin/python -m pytest -q tests/e2e/test_nominee_search.py
"""

from __future__ import annotations

import pytest

from browser import HAVE_CHROMIUM, NEEDS_CHROMIUM, combobox_options, fill, heading, press, says, wait
from people import check, go, ok, person, portal_world, sign_in

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

PROVINCE = "ca-tinh-lon"
DISTRICTS, COMMUNES = 10, 31  # 10 districts of 31 communes: 321 units with the province


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    for world in portal_world(tmp_path_factory, "nominee-search"):
        api = world.api
        ok(api.call("POST", "/v1/units", {"id": PROVINCE, "name": "Công an tỉnh Lớn", "parent_id": "bo-cong-an",
                                          "kind": "province"}), 201)
        for d in range(DISTRICTS):
            district = f"{PROVINCE}-h{d}"
            ok(api.call("POST", "/v1/units", {"id": district, "name": f"Công an huyện Số {d}", "parent_id": PROVINCE,
                                              "kind": "other"}), 201)
            for x in range(COMMUNES):
                ok(api.call("POST", "/v1/units", {"id": f"{district}-x{x}", "name": f"Công an xã Hòa Bình {x}, huyện Số {d}",
                                                  "parent_id": district, "kind": "other"}), 201)
        yield world


@pytest.mark.parametrize("width", (360, 1366))
def test_a_large_subtree_is_searched_and_the_chosen_unit_nominated(world, chromium_factory, width):
    clerk = person(world, "unit", PROVINCE, name=f"Lê Thị Thi Đua {width}")
    driver = chromium_factory(width=width, height=900)
    sign_in(driver, world, clerk)
    go(driver, world, f"/de-nghi/{PROVINCE}")
    heading(driver, "Đề nghị khen thưởng")
    press(driver, "Tạo đề nghị")
    form = "giay-khen" if width == 360 else "bang-khen-bo-truong"
    fill(driver, "Hình thức khen thưởng", form)
    # typed without diacritics, in any order: one commune has a 17 and a huyện Số 4
    offered = combobox_options(driver, "Đơn vị được đề nghị", "hoa binh 17 so 4")
    assert [o["value"] for o in offered] == [f"{PROVINCE}-h4-x17"], offered
    fill(driver, "Đơn vị được đề nghị", f"{PROVINCE}-h4-x17")  # by its code, down the list, Enter
    # a unit of the tree is nominated under its own name
    wait(driver, lambda d: d.find_element("id", "n-name").get_attribute("value") == "Công an xã Hòa Bình 17, huyện Số 4",
         message="the chosen unit's name was not put in the name field")
    check(driver, "nominee-search")
    fill(driver, "Thành tích", "Hoàn thành xuất sắc nhiệm vụ bảo đảm an ninh, trật tự trên địa bàn xã.")
    fill(driver, "Hội nghị", world.conference["id"])
    press(driver, "Lưu đề nghị")
    says(driver, "Công an xã Hòa Bình 17, huyện Số 4")
    # each width nominates the commune for its own award form (a conference takes one per form)
    stored = wait(driver, lambda d: [n for n in ok(world.api.call("GET", f"/v1/units/{PROVINCE}/nominations"))["items"]
                                     if n["award_form"] == form], message="the nomination was never stored")
    assert [(n["kind"], n["nominee_unit_id"], n["name"]) for n in stored] == [
        ("collective", f"{PROVINCE}-h4-x17", "Công an xã Hòa Bình 17, huyện Số 4")]
