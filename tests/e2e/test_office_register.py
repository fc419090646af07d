"""Sổ theo dõi khen thưởng (#/so-khen-thuong), used in Debian's headless Chromium as the office and a
unit's clerk use it (issue 19): the office imports past years from the template workbook; a file with a
bad row lists every error and stores nothing (a search finds nothing), the fixed file is checked, then
saved with "Lưu vào sổ"; a search typed without diacritics finds "Nguyễn Thị Hòa"; a unit's clerk sees
only its own subtree's entries, as cards on a phone. Every result is read back through the API.
"""

from __future__ import annotations

import io
import json
import urllib.request
from pathlib import Path

import pytest

from browser import button, field, heading, page_text, press, says, wait
from chalicelib.register.workbook import TITLES
from people import UNIT_NAMES, check, go, ok, person, portal_world, sign_in

openpyxl = pytest.importorskip("openpyxl")
pytestmark = pytest.mark.slow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BANG_KHEN, GIAY_KHEN = "bang-khen-bo-truong", "giay-khen"
GRANTED_BY = "Bộ trưởng Bộ Công an"
# Past awards: a person of the hospital under Cục Y tế, the department itself, a person of Nghệ An.
GOOD = [
    {"kind": "individual", "name": "Nguyễn Thị Hòa", "officer_number": "CA-19-0042", "birth_date": "1985-04-12",
     "position": "Thượng tá, Trưởng khoa", "unit_id": "bv-19-8", "award_form": BANG_KHEN,
     "decision_number": "1234/QĐ-BCA", "decision_date": "2024-12-20", "granted_by": GRANTED_BY,
     "summary": "Hoàn thành xuất sắc nhiệm vụ năm 2024.", "year": 2024},
    {"kind": "collective", "name": UNIT_NAMES["cuc-y-te"], "unit_id": "cuc-y-te", "award_form": BANG_KHEN,
     "decision_number": "1234/QĐ-BCA", "decision_date": "2024-12-20", "granted_by": GRANTED_BY,
     "summary": "Tập thể dẫn đầu phong trào thi đua năm 2024.", "year": 2024},
    {"kind": "individual", "name": "Lê Văn Thành", "officer_number": "CA-37-0107", "position": "Đại úy, Đội trưởng",
     "unit_id": "ca-nghe-an", "award_form": GIAY_KHEN, "decision_number": "88/QĐ-CAT",
     "decision_date": "2023-11-30", "granted_by": "Giám đốc Công an tỉnh Nghệ An",
     "summary": "Có thành tích trong công tác bảo đảm an ninh trật tự.", "year": 2023},
]
# The same file with one bad row: a date that does not exist and an award form not in the catalogue.
BAD = [GOOD[0], GOOD[1], {**GOOD[2], "decision_date": "2023-02-30", "award_form": "huan-chuong-khong-co"}]

KIND_VALUES = {"individual": "Cá nhân", "collective": "Tập thể"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from portal_world(tmp_path_factory, "office-register")


def raw(world, method: str, path: str, body: bytes | None = None, accept: str = XLSX) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {world.api.token}", "Accept": accept}
    if body is not None:
        headers["Content-Type"] = XLSX
    request = urllib.request.Request(world.api_url + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def workbook(world, rows: list[dict], path: Path) -> Path:
    """The office's template (GET /v1/register/template) filled as a clerk fills it: each field under
    its column's title in row 1, the example row (row 2) written over."""
    status, body = raw(world, "GET", "/v1/register/template")
    assert status == 200, (status, body[:300])
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book.worksheets[0]
    columns = {TITLES[cell.value]: cell.column for cell in sheet[1] if cell.value in TITLES}
    assert {"name", "unit_id", "award_form", "decision_number", "decision_date"} <= set(columns), columns
    assert sheet.cell(2, columns["name"]).value, "the template's example row is gone"
    for i, entry in enumerate(rows):
        for key, column in columns.items():
            value = entry.get(key)
            if key == "kind":
                value = KIND_VALUES[value]
            elif key in ("decision_date", "birth_date") and value:
                y, m, d = value.split("-")
                value = f"{d}/{m}/{y}"  # as a clerk types it
            sheet.cell(2 + i, column).value = value
    book.save(path)
    return path


def register(world, query: str = "", token: str | None = None) -> list[dict]:
    """Every entry of GET /v1/register?… (paged through)."""
    items, cursor = [], None
    while True:
        sep = "&" if query else ""
        page = ok(world.api.call("GET", f"/v1/register?{query}{sep}limit=50" + (f"&cursor={cursor}" if cursor else "")))
        items += page["items"]
        cursor = page.get("next")
        if not cursor:
            return items


def choose_file(driver, path: Path) -> None:
    box = field(driver, "Chọn tệp Excel đã điền (.xlsx)")
    box.send_keys(str(path))


def results(driver) -> list[str]:
    return [row.text for row in driver.find_elements("css selector", "table.reg-table tbody tr")]


def test_the_office_imports_a_year_fixes_a_bad_row_finds_a_name_without_diacritics(world, chromium_factory, tmp_path):
    admin = person(world, "admin", name="Trần Thị Thanh Hương")
    before = register(world)  # the clerk's test may have run first on this stack
    driver = chromium_factory(1366, 900)
    sign_in(driver, world, admin)
    press(driver, "Sổ khen thưởng")  # the navigation's entry
    heading(driver, "Sổ theo dõi khen thưởng")
    says(driver, "Gõ có dấu hoặc không dấu đều được")
    if not before:
        says(driver, "Sổ chưa có mục nào.")
    check(driver, "register-office", shot=False)

    # a file with a bad row: every error listed, nothing saved
    press(driver, "Nhập sổ từ tệp Excel")
    heading(driver, "Nhập sổ khen thưởng từ tệp Excel")
    says(driver, "chưa có gì được lưu vào sổ cho đến khi bạn bấm “Lưu vào sổ”")
    press(driver, "Tải tệp mẫu")  # the template, saved by the browser under the API's name
    downloads = tmp_path / "downloads-0"
    template = wait(driver, lambda d: next(downloads.glob("mau-*.xlsx"), False), message="the template was not saved")
    assert set(TITLES) <= {c.value for c in openpyxl.load_workbook(template).worksheets[0][1]}  # every column
    # not a workbook at all (a document saved under the wrong name): said so, in words
    wrong = tmp_path / "bao-cao.xlsx"
    wrong.write_text("Báo cáo tổng kết năm 2024", encoding="utf-8")
    choose_file(driver, wrong)
    says(driver, "Không đọc được tệp bao-cao.xlsx: Tệp tải lên không phải tệp Excel .xlsx.")
    bad = workbook(world, BAD, tmp_path / "so-khen-thuong-loi.xlsx")
    status, body = raw(world, "POST", "/v1/register/imports", bad.read_bytes(), accept="application/json")
    expected = json.loads(body)
    assert status == 201 and expected["errors"], (status, expected)
    assert {e["row"] for e in expected["errors"]} == {4}, expected["errors"]  # the third award, under the header
    assert len(expected["errors"]) == 2, expected["errors"]  # the date and the award form, both listed
    choose_file(driver, bad)
    heading(driver, "Kết quả kiểm tra tệp so-khen-thuong-loi.xlsx", level=2)
    says(driver, f"Tệp có {len(expected['errors'])} lỗi nên chưa thể lưu")
    table = wait(driver, lambda d: d.find_element("css selector", "table.reg-errors").text, message="no error table")
    for e in expected["errors"]:
        assert e["message"] in table and f"Dòng {e['row']}" in table, (e, table)
    assert "Ngày quyết định" in table and "Hình thức khen thưởng" in table, table  # the template's column titles
    assert not button(driver, "Lưu vào sổ", enabled=False).is_enabled()
    says(driver, "Chỉ lưu được khi tệp không còn lỗi.")
    check(driver, "register-import-errors")
    assert register(world) == before  # nothing stored
    assert register(world, "q=nguyen%20thi%20hoa") == []

    # the fixed file: checked, its rows previewed, saved
    good = workbook(world, GOOD, tmp_path / "so-khen-thuong.xlsx")
    choose_file(driver, good)
    heading(driver, "Kết quả kiểm tra tệp so-khen-thuong.xlsx", level=2)
    says(driver, "Tệp hợp lệ: 3 mục sẵn sàng để lưu.")
    says(driver, "Nguyễn Thị Hòa")
    check(driver, "register-import")
    assert register(world) == before  # still nothing until confirmed
    press(driver, "Lưu vào sổ")
    says(driver, "Đã lưu 3 mục vào sổ khen thưởng từ tệp so-khen-thuong.xlsx.")
    stored = [e for e in register(world) if e not in before]
    assert sorted(e["name"] for e in stored) == sorted(r["name"] for r in GOOD)
    assert {e["source"] for e in stored} == {"import"}

    # a search typed without diacritics finds the person written with them
    press(driver, "Xem sổ khen thưởng")
    heading(driver, "Sổ theo dõi khen thưởng")
    total = len(before) + 3
    wait(driver, lambda d: len(results(d)) == total, message=f"the register does not show its {total} entries")
    field(driver, "Họ tên hoặc tên tập thể").send_keys("nguyen thi hoa")
    press(driver, "Tìm kiếm")
    wait(driver, lambda d: len(results(d)) == 1 and "Nguyễn Thị Hòa" in results(d)[0], message="the search did not narrow")
    row = results(driver)[0]
    for text in ("1234/QĐ-BCA", "20/12/2024", GRANTED_BY, UNIT_NAMES["bv-19-8"], "Thượng tá, Trưởng khoa"):
        assert text in row, (text, row)
    assert [e["name"] for e in register(world, "q=nguyen%20thi%20hoa")] == ["Nguyễn Thị Hòa"]
    check(driver, "register")
    # the search is in the address: a reload (or the link, shared) shows the same results
    assert "ten=nguyen" in driver.current_url, driver.current_url
    driver.refresh()
    heading(driver, "Sổ theo dõi khen thưởng")
    wait(driver, lambda d: len(results(d)) == 1, message="the reload lost the search")
    assert field(driver, "Họ tên hoặc tên tập thể").get_attribute("value") == "nguyen thi hoa"
    # the search exported: a workbook saved by the browser with the one row found
    press(driver, "Xuất Excel")
    says(driver, "Đã tải sổ khen thưởng (Excel) theo điều kiện tìm kiếm.")
    saved = wait(driver, lambda d: next(downloads.glob("so-*.xlsx"), False), message="no workbook saved")
    sheet = openpyxl.load_workbook(saved).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if any(row)]
    assert names == ["Nguyễn Thị Hòa"], names
    press(driver, "Xóa điều kiện")
    wait(driver, lambda d: len(results(d)) == total, message="clearing the search did not show every entry")


# The clerk's test brings its own year: people of its subtree and one of another province.
CLERK_YEAR = [
    {"kind": "individual", "name": "Trần Văn Bình", "officer_number": "CA-19-0311", "position": "Trung tá, Bác sĩ",
     "unit_id": "bv-199", "award_form": GIAY_KHEN, "decision_number": "57/QĐ-CYT", "decision_date": "2022-12-15",
     "granted_by": "Cục trưởng Cục Y tế", "summary": "Hoàn thành xuất sắc nhiệm vụ năm 2022."},
    {"kind": "individual", "name": "Phạm Thị Lan", "officer_number": "CA-43-0520", "position": "Thiếu tá, cán bộ",
     "unit_id": "ca-da-nang", "award_form": GIAY_KHEN, "decision_number": "102/QĐ-CAĐN", "decision_date": "2022-12-20",
     "granted_by": "Giám đốc Công an thành phố Đà Nẵng", "summary": "Có thành tích trong công tác."},
]
SUBTREE = {"cuc-y-te", "bv-19-8", "bv-y-hoc-co-truyen", "bv-199"}


def test_a_unit_clerk_sees_only_its_subtree_as_cards_on_a_phone(world, chromium_factory, tmp_path):
    status, body = raw(world, "POST", "/v1/register/imports",
                       workbook(world, CLERK_YEAR, tmp_path / "so-2022.xlsx").read_bytes(), accept="application/json")
    assert status == 201 and not json.loads(body)["errors"], body
    ok(world.api.call("POST", f"/v1/register/imports/{json.loads(body)['id']}/confirm"))
    everything = register(world)
    mine = sorted(e["name"] for e in everything if e["unit_id"] in SUBTREE)
    others = [e["name"] for e in everything if e["unit_id"] not in SUBTREE]
    assert "Trần Văn Bình" in mine and "Phạm Thị Lan" in others

    clerk = person(world, "unit", "cuc-y-te", name="Phạm Văn Khoa")
    driver = chromium_factory(360, 800)
    sign_in(driver, world, clerk)
    press(driver, "Sổ khen thưởng")
    heading(driver, "Sổ theo dõi khen thưởng")
    says(driver, "Sổ hiển thị đơn vị của bạn và các đơn vị cấp dưới.")
    wait(driver, lambda d: sorted(r.splitlines()[0] for r in results(d)) == mine,
         message=f"the clerk does not see exactly its subtree's entries {mine}")
    shown = page_text(driver)
    for name in others:
        assert name not in shown, (name, shown)
    assert "Nhập sổ từ tệp Excel" not in shown  # the office's job only
    # a card per entry: the table's rows are blocks as wide as the screen, nothing scrolls sideways
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 360
    card = driver.find_element("css selector", "table.reg-table tbody tr")
    assert driver.execute_script("return getComputedStyle(arguments[0]).display", card) == "block"
    check(driver, "register")
    # the clerk's search without diacritics, inside its subtree
    field(driver, "Họ tên hoặc tên tập thể").send_keys("tran van binh")
    press(driver, "Tìm kiếm")
    wait(driver, lambda d: [r.splitlines()[0] for r in results(d)] == ["Trần Văn Bình"],
         message="the clerk's search did not find Trần Văn Bình")
    go(driver, world, "/so-khen-thuong/nhap")
    heading(driver, "Không có quyền truy cập")


def test_the_import_reads_on_a_phone(world, chromium_factory, tmp_path):
    """The office's import on a 360 px screen: the errors and the rows as cards, the save button in reach."""
    admin = person(world, "admin", name="Đỗ Minh Quân")
    driver = chromium_factory(360, 800)
    sign_in(driver, world, admin)
    go(driver, world, "/so-khen-thuong/nhap")
    heading(driver, "Nhập sổ khen thưởng từ tệp Excel")
    choose_file(driver, workbook(world, BAD, tmp_path / "so-loi.xlsx"))
    says(driver, "Tệp có 2 lỗi nên chưa thể lưu")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 360
    check(driver, "register-import-errors")
    choose_file(driver, workbook(world, GOOD, tmp_path / "so.xlsx"))
    says(driver, "Tệp hợp lệ: 3 mục sẵn sàng để lưu.")
    check(driver, "register-import")


def test_a_leader_reads_every_units_entries_and_imports_nothing(world, chromium_factory, tmp_path):
    far = {**CLERK_YEAR[1], "name": "Đặng Văn Hải", "officer_number": "CA-79-0901", "unit_id": "ca-tp-hcm",
           "granted_by": "Giám đốc Công an Thành phố Hồ Chí Minh"}
    status, body = raw(world, "POST", "/v1/register/imports",
                       workbook(world, [far], tmp_path / "so-hcm.xlsx").read_bytes(), accept="application/json")
    assert status == 201 and not json.loads(body)["errors"], body
    ok(world.api.call("POST", f"/v1/register/imports/{json.loads(body)['id']}/confirm"))
    everything = register(world)
    leader = person(world, "leader", name="Hoàng Minh Tuấn")
    driver = chromium_factory(1366, 900)
    sign_in(driver, world, leader)
    press(driver, "Sổ khen thưởng")
    heading(driver, "Sổ theo dõi khen thưởng")
    wait(driver, lambda d: len(results(d)) == len(everything), message=f"the leader does not see the {len(everything)} entries")
    shown = page_text(driver)
    assert "Đặng Văn Hải" in shown and "Nhập sổ từ tệp Excel" not in shown  # any unit's entry; no import
    check(driver, "register-leader", shot=False)
    go(driver, world, "/so-khen-thuong/nhap")
    heading(driver, "Không có quyền truy cập")
