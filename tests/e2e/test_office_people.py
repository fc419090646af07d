"""The office's units, accounts and tokens screens (#/don-vi, #/tai-khoan, #/ma-truy-cap; issue 17),
used in Debian's headless Chromium as the emulation office uses them, every result checked through the API.

    .venv/bin/python -m pytest -q tests/e2e/test_office_people.py
"""

from __future__ import annotations

import json
import re

import pytest

from browser import (
    DOCS,
    HAVE_CHROMIUM,
    NEEDS_CHROMIUM,
    SCREENSHOTS,
    assert_accessible,
    cdp,
    combobox_options,
    emailed_link,
    field,
    field_error,
    fill,
    full_page_png,
    heading,
    page_text,
    press,
    says,
    severe_console_messages,
    wait,
)
from devtools.stack import Http
from people import DOMAIN, UNIT_NAMES, check, go, ok, person, portal_world, sign_in, sign_out

pytestmark = pytest.mark.slow
if not HAVE_CHROMIUM:
    pytest.skip(NEEDS_CHROMIUM, allow_module_level=True)

WIDTHS = (360, 1366)
PARENT = "ca-nghe-an"
NEW_ID, NEW_NAME = "na-pc02", "Phòng Cảnh sát hình sự"
RENAMED = "Phòng Cảnh sát hình sự Công an tỉnh Nghệ An"
NEW_EMAIL, COLLEAGUE_EMAIL = f"pc02.nghean@{DOMAIN}", f"truc.ban.pc02@{DOMAIN}"
TOKEN_RE = re.compile(r"thd_[a-f0-9]{16}_[A-Za-z0-9_-]{43}")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    yield from portal_world(tmp_path_factory, "office-people")


def picker_values(driver, label: str, typed: str) -> list[str]:
    """The unit ids the unit picker labelled `label` offers for what is typed."""
    return [o["value"] for o in combobox_options(driver, label, typed)]


def field_value(driver, label: str) -> str:
    return field(driver, label).get_attribute("value")


def tree_parent_of(driver, name: str) -> str | None:
    """The name of the unit a unit is drawn under in the tree (None at the top)."""
    return driver.execute_script("""
        const row = Array.from(document.querySelectorAll(".tree__name")).find((n) => n.innerText.trim() === arguments[0]);
        const branch = row && row.closest("ul").closest("li");
        return branch ? branch.querySelector(".tree__name").innerText.trim() : null;""", name)


def tree_text(driver) -> str:
    return driver.execute_script("const t = document.querySelector('.tree'); return t ? t.innerText : ''")


def test_an_admin_builds_a_unit_invites_its_clerk_and_mints_and_revokes_its_token(world, chromium_factory):
    admin = person(world, "admin", name="Lê Thị Văn Phòng")
    driver = chromium_factory(width=1366)
    sign_in(driver, world, admin)

    # The tree, then a new unit under Nghệ An with a contact email.
    go(driver, world, "/don-vi")
    heading(driver, "Đơn vị")
    says(driver, UNIT_NAMES[PARENT])
    assert tree_parent_of(driver, UNIT_NAMES[PARENT]) == UNIT_NAMES["bo-cong-an"]
    press(driver, "Thêm đơn vị")
    fill(driver, "Tên đơn vị", NEW_NAME)
    assert field_value(driver, "Mã đơn vị") == "phong-canh-sat-hinh-su"  # suggested from the name
    fill(driver, "Mã đơn vị", NEW_ID)
    fill(driver, "Đơn vị cấp trên", PARENT)
    fill(driver, "Loại đơn vị", "Đơn vị khác")
    fill(driver, "Thư điện tử liên hệ", NEW_EMAIL)
    check(driver, "units-add", shot=False)
    press(driver, "Lưu đơn vị")
    says(driver, f"Đã thêm đơn vị {NEW_NAME}.")
    unit = ok(world.api.call("GET", f"/v1/units/{NEW_ID}"))
    assert (unit["name"], unit["parent_id"], unit["kind"], unit["emails"]) == (NEW_NAME, PARENT, "other", [NEW_EMAIL])
    wait(driver, lambda d: tree_parent_of(d, NEW_NAME) == UNIT_NAMES[PARENT],
         message="the new unit is not drawn under its parent")
    says(driver, NEW_EMAIL)
    # Found by a search without diacritics, shown with the units above it; the rest of the tree is hidden.
    fill(driver, "Tìm đơn vị", "hinh su")
    says(driver, "1 đơn vị khớp")
    wait(driver, lambda d: tree_parent_of(d, NEW_NAME) == UNIT_NAMES[PARENT], message="the match lost its parent")
    assert UNIT_NAMES["cuc-y-te"] not in tree_text(driver)
    fill(driver, "Tìm đơn vị", "")
    wait(driver, lambda d: UNIT_NAMES["cuc-y-te"] in tree_text(d), message="clearing the search did not bring the tree back")
    # The tree opens one level at a time: a branch opens (its units read then) and folds away again.
    assert UNIT_NAMES["bv-199"] not in tree_text(driver)
    press(driver, f"Mở rộng {UNIT_NAMES['cuc-y-te']}")
    wait(driver, lambda d: UNIT_NAMES["bv-199"] in tree_text(d), message="the opened branch does not show its units")
    press(driver, f"Thu gọn {UNIT_NAMES['cuc-y-te']}")
    wait(driver, lambda d: UNIT_NAMES["bv-199"] not in tree_text(d), message="the folded branch still shows its units")

    # Renaming it while a colleague adds an email: the stale save reloads their version, nothing is lost.
    press(driver, f"Sửa {NEW_NAME}")
    heading(driver, f"Sửa đơn vị: {NEW_NAME}", level=2)
    wait(driver, lambda d: field_value(d, "Tên đơn vị") == NEW_NAME, message="the edit form never filled in")
    ok(world.api.call("PATCH", f"/v1/units/{NEW_ID}", {"emails": [NEW_EMAIL, COLLEAGUE_EMAIL]}))
    fill(driver, "Tên đơn vị", RENAMED)
    press(driver, "Lưu đơn vị")
    says(driver, "Đơn vị này vừa được người khác sửa")
    wait(driver, lambda d: COLLEAGUE_EMAIL in field_value(d, "Thư điện tử liên hệ"),
         message="the colleague's email was not reloaded into the form")
    assert field_value(driver, "Tên đơn vị") == NEW_NAME  # the stored name, reloaded
    assert ok(world.api.call("GET", f"/v1/units/{NEW_ID}"))["name"] == NEW_NAME  # nothing overwritten
    fill(driver, "Tên đơn vị", RENAMED)
    press(driver, "Lưu đơn vị")
    says(driver, f"Đã lưu đơn vị {RENAMED}.")
    unit = ok(world.api.call("GET", f"/v1/units/{NEW_ID}"))
    assert (unit["name"], unit["emails"]) == (RENAMED, [NEW_EMAIL, COLLEAGUE_EMAIL])
    wait(driver, lambda d: tree_parent_of(d, RENAMED) == UNIT_NAMES[PARENT], message="the renamed unit is not in the tree")

    # Moving Nghệ An under its own sub-unit: the picker does not offer it ...
    press(driver, f"Sửa {UNIT_NAMES[PARENT]}")
    heading(driver, f"Sửa đơn vị: {UNIT_NAMES[PARENT]}", level=2)
    wait(driver, lambda d: field_value(d, "Tên đơn vị") == UNIT_NAMES[PARENT], message="the edit form never filled in")
    # (the picker shows the unit it stands under now, with the units above that)
    assert field_value(driver, "Đơn vị cấp trên") == UNIT_NAMES["bo-cong-an"]
    offered = picker_values(driver, "Đơn vị cấp trên", "Công an")
    assert "ca-bac-giang" in offered and NEW_ID not in offered and PARENT not in offered, offered
    assert picker_values(driver, "Đơn vị cấp trên", "hình sự") == []  # its sub-unit is not offered at all
    # ... and when the picker is stale (a colleague moves Bắc Giang under Nghệ An while the list is open),
    # the API refuses.
    shown = picker_values(driver, "Đơn vị cấp trên", "bac giang")
    assert shown == ["ca-bac-giang"], shown
    ok(world.api.call("PATCH", "/v1/units/ca-bac-giang", {"parent_id": PARENT}))
    from selenium.webdriver.common.keys import Keys

    picker = field(driver, "Đơn vị cấp trên")
    picker.send_keys(Keys.ARROW_DOWN)
    picker.send_keys(Keys.ENTER)
    wait(driver, lambda d: field_value(d, "Đơn vị cấp trên") == UNIT_NAMES["ca-bac-giang"], message="not chosen")
    press(driver, "Lưu đơn vị")
    status, _, refusal = world.api.call("PATCH", f"/v1/units/{PARENT}", {"parent_id": "ca-bac-giang"})
    assert status == 422, (status, refusal)
    says(driver, refusal["detail"])
    [cycle] = [e["message"] for e in refusal["errors"] if e["field"] == "parent_id"]
    assert cycle in field_error(driver, "Đơn vị cấp trên")
    check(driver, "units-refused", shot=False)
    assert ok(world.api.call("GET", f"/v1/units/{PARENT}"))["parent_id"] == "bo-cong-an"
    # The refusal put back the unit's parent; Bắc Giang is now in Nghệ An's subtree and no longer offered.
    wait(driver, lambda d: field_value(d, "Đơn vị cấp trên") == UNIT_NAMES["bo-cong-an"],
         message="the refused choice is still shown")
    assert "ca-bac-giang" not in picker_values(driver, "Đơn vị cấp trên", "bac giang")
    press(driver, "Đóng")
    ok(world.api.call("PATCH", "/v1/units/ca-bac-giang", {"parent_id": "bo-cong-an"}))  # as it was

    # The unit's clerk, invited from the accounts screen with the unit chosen from the tree.
    go(driver, world, "/tai-khoan")
    heading(driver, "Tài khoản người dùng")
    clerk_email, clerk_name = f"thu.ky.pc02@{DOMAIN}", "Phan Văn Thư Ký"
    fill(driver, "Họ và tên", clerk_name)
    fill(driver, "Thư điện tử", clerk_email)
    fill(driver, "Vai trò", "unit")
    fill(driver, "Đơn vị", NEW_ID)
    press(driver, "Gửi lời mời")
    says(driver, f"Đã gửi lời mời tới {clerk_email}.")
    link, _ = emailed_link(world.outbox, clerk_email)
    assert link.startswith(world.url + "/#/dat-mat-khau?token="), link
    [account] = ok(world.api.call("GET", f"/v1/accounts?unit_id={NEW_ID}"))["items"]
    assert (account["email"], account["name"], account["role"], account["unit_id"], account["status"]) == (
        clerk_email, clerk_name, "unit", NEW_ID, "invited")
    # The list filtered by the unit shows the clerk alone, with the unit's name.
    fill(driver, "Lọc theo đơn vị", NEW_ID)
    wait(driver, lambda d: admin.name not in page_text(d).split("Danh sách tài khoản")[1],
         message="the unit filter still lists the admin")
    says(driver, clerk_name)
    # A role and unit change through the edit dialog: the clerk becomes Nghệ An's.
    press(driver, f"Sửa tài khoản {clerk_name}")
    heading(driver, f"Sửa tài khoản: {clerk_name}", level=2)
    fill(driver, "Đơn vị", PARENT)
    press(driver, "Lưu tài khoản")
    says(driver, f"Đã lưu tài khoản {clerk_name}.")
    assert ok(world.api.call("GET", f"/v1/accounts/{account['id']}"))["unit_id"] == PARENT
    ok(world.api.call("PATCH", f"/v1/accounts/{account['id']}", {"unit_id": NEW_ID}))  # back to its unit

    # A token for the unit's own system: shown once, it works; revoked, it does not.
    go(driver, world, "/ma-truy-cap")
    heading(driver, "Mã truy cập")
    token_name = "Hệ thống báo cáo của PC02"
    fill(driver, "Dùng cho", "unit")
    fill(driver, "Đơn vị", NEW_ID)
    fill(driver, "Tên mã", token_name)
    press(driver, "Cấp mã truy cập")
    heading(driver, f"Mã truy cập mới: {token_name}", level=2)
    says(driver, "Mã này chỉ hiện một lần.")
    secret = wait(driver, lambda d: (m := TOKEN_RE.search(page_text(d))) and m.group(0), message="no secret shown")
    cdp(driver, "Browser.grantPermissions", {"origin": world.url,
                                             "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    press(driver, "Sao chép")
    says(driver, "Đã sao chép mã vào bộ nhớ tạm.")
    copied = driver.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done('error: ' + e))")
    assert copied == secret
    check(driver, "tokens-minted", shot=False)
    system = Http(world.api_url, secret)
    assert ok(system.call("GET", f"/v1/units/{NEW_ID}/periods"))["items"], "the unit's token reads its periods"
    listed = ok(world.api.call("GET", "/v1/tokens?limit=100"))
    [record] = [t for t in listed["items"] if t["name"] == token_name]
    assert (record["role"], record["unit_id"], record["revoked_at"]) == ("unit", NEW_ID, None)
    assert secret.split("_", 2)[2] not in json.dumps(listed)  # the list never carries a secret
    press(driver, "Tôi đã lưu mã, đóng lại")
    says(driver, token_name)
    assert secret.split("_", 2)[2] not in page_text(driver), "the secret is still shown"
    press(driver, f"Thu hồi mã {token_name}")
    heading(driver, "Thu hồi mã truy cập", level=2)
    press(driver, "Xác nhận thu hồi")
    says(driver, f"Đã thu hồi mã “{token_name}”")
    says(driver, "Đã thu hồi lúc")
    status, _, body = system.call("GET", f"/v1/units/{NEW_ID}/periods")
    assert status == 401, (status, body)
    [record] = [t for t in ok(world.api.call("GET", "/v1/tokens?limit=100"))["items"] if t["id"] == record["id"]]
    assert record["revoked_at"]
    assert severe_console_messages(driver) == []  # the refusals (412, 422) are answers, not script errors
    sign_out(driver)


def test_every_people_screen_at_a_phones_and_a_laptops_width(world, chromium_factory):
    admin = person(world, "admin", name="Đỗ Minh Giao Diện")
    for width in WIDTHS:
        driver = chromium_factory(width=width)
        sign_in(driver, world, admin)

        go(driver, world, "/don-vi")
        heading(driver, "Đơn vị")
        says(driver, UNIT_NAMES["cuc-y-te"])
        press(driver, f"Mở rộng {UNIT_NAMES['cuc-y-te']}")  # one level at a time
        says(driver, UNIT_NAMES["bv-199"])
        check(driver, "units")
        fill(driver, "Tìm đơn vị", "benh vien")  # a search draws the matches under the units above them
        says(driver, "3 đơn vị khớp")
        check(driver, "units-search")
        fill(driver, "Tìm đơn vị", "")
        press(driver, "Thêm đơn vị")
        heading(driver, "Thêm đơn vị", level=2)
        press(driver, "Lưu đơn vị")  # empty: the form says what is missing, nothing is sent
        assert "Nhập tên đơn vị." in field_error(driver, "Tên đơn vị")
        check(driver, "units-add")
        press(driver, "Hủy")
        press(driver, f"Sửa {UNIT_NAMES['cuc-y-te']}")
        heading(driver, f"Sửa đơn vị: {UNIT_NAMES['cuc-y-te']}", level=2)
        wait(driver, lambda d: field_value(d, "Tên đơn vị") == UNIT_NAMES["cuc-y-te"], message="the edit form never filled in")
        check(driver, "units-edit")
        press(driver, "Thêm đơn vị cấp dưới")  # from a unit's dialog: the add form starts under it
        heading(driver, "Thêm đơn vị", level=2)
        wait(driver, lambda d: field_value(d, "Đơn vị cấp trên") == UNIT_NAMES["cuc-y-te"],
             message="the add form does not start under the unit")
        # The picker: what is typed is searched (no diacritics needed), the list says how many matched.
        offered = combobox_options(driver, "Đơn vị cấp trên", "cong an tinh")
        assert [o["text"] for o in offered][:1] == [UNIT_NAMES["ca-bac-giang"]], offered
        says(driver, f"{len(offered)} đơn vị khớp.")
        assert_accessible(driver, "units-picker")
        if SCREENSHOTS:  # the list open (screenshot() would blur the field, which closes it)
            full_page_png(driver, DOCS / f"portal-units-picker-{width}.png")
        from selenium.webdriver.common.keys import Keys

        field(driver, "Đơn vị cấp trên").send_keys(Keys.ESCAPE)  # Esc closes the list, the choice stays
        wait(driver, lambda d: field(d, "Đơn vị cấp trên").get_attribute("aria-expanded") == "false"
             and field_value(d, "Đơn vị cấp trên") == UNIT_NAMES["cuc-y-te"], message="Esc did not close the list")
        press(driver, "Hủy")

        go(driver, world, "/tai-khoan")
        heading(driver, "Tài khoản người dùng")
        says(driver, admin.email)
        check(driver, "accounts")
        press(driver, f"Sửa tài khoản {admin.name}")
        heading(driver, f"Sửa tài khoản: {admin.name}", level=2)
        check(driver, "accounts-edit")
        press(driver, "Đóng")

        go(driver, world, "/ma-truy-cap")
        heading(driver, "Mã truy cập")
        fill(driver, "Dùng cho", "leader")
        fill(driver, "Tên mã", f"Công cụ chấm điểm của lãnh đạo ({width} px)")
        press(driver, "Cấp mã truy cập")
        heading(driver, "Mã truy cập mới", level=2, starts=True)
        check(driver, "tokens-minted")
        press(driver, "Tôi đã lưu mã, đóng lại")
        says(driver, f"Công cụ chấm điểm của lãnh đạo ({width} px)")
        check(driver, "tokens")
        press(driver, "Thu hồi", timeout=10)
        heading(driver, "Thu hồi mã truy cập", level=2)
        check(driver, "tokens-revoke")
        press(driver, "Hủy")

        if width <= 400:
            for route in ("/don-vi", "/tai-khoan", "/ma-truy-cap"):
                go(driver, world, route)
                wait(driver, lambda d: "Đang tải" not in page_text(d), message=f"{route} never loaded")
                overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{route} scrolls sideways at {width} px by {overflow} px"
        assert severe_console_messages(driver) == []
        sign_out(driver)
