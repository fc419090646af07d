"""What the office's units, accounts and tokens screens (#/don-vi, #/tai-khoan, #/ma-truy-cap) rely on
from the API, over the in-memory store: an edit conditioned on its read's ETag, the Vietnamese refusal of
a move that would close a cycle, partial edits, tokens listed in pages without their secrets and dead
once revoked, accounts listed by unit in pages."""

from __future__ import annotations

import json


def make_unit(api, token: str, unit_id: str, name: str, parent: str | None = None, **extra) -> dict:
    resp = api.post("/v1/units", token=token, body={"id": unit_id, "name": name, "parent_id": parent, **extra})
    assert resp.status_code == 201, resp.body
    return resp.data


def test_an_edit_made_on_a_stale_read_is_refused_and_changes_nothing(api, admin_token):
    make_unit(api, admin_token, "bo-cong-an", "Bộ Công an", kind="ministry")
    make_unit(api, admin_token, "ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", emails=["vp@ca.gov.vn"])
    read = api.get("/v1/units/ca-nghe-an", token=admin_token)
    etag = read.headers["ETag"]
    # A colleague saves first (the screen's read is now stale).
    other = api.patch("/v1/units/ca-nghe-an", token=admin_token, body={"emails": ["vp@ca.gov.vn", "tb@ca.gov.vn"]})
    assert other.status_code == 200 and other.headers["ETag"] != etag

    stale = api.patch("/v1/units/ca-nghe-an", token=admin_token, headers={"If-Match": etag},
                      body={"name": "Công an Nghệ An"})
    assert stale.status_code == 412
    assert stale.headers["Content-Type"].startswith("application/problem+json")
    assert stale.data["detail"] == "ETag không khớp: đơn vị đã được sửa sau lần đọc của bạn."
    now = api.get("/v1/units/ca-nghe-an", token=admin_token)
    assert (now.data["name"], now.data["emails"]) == ("Công an tỉnh Nghệ An", ["vp@ca.gov.vn", "tb@ca.gov.vn"])

    # Reloaded, the rename goes through and keeps the colleague's emails (only the name was sent).
    fresh = api.patch("/v1/units/ca-nghe-an", token=admin_token, headers={"If-Match": now.headers["ETag"]},
                      body={"name": "Công an Nghệ An"})
    assert fresh.status_code == 200, fresh.body
    assert (fresh.data["name"], fresh.data["emails"], fresh.data["parent_id"]) == (
        "Công an Nghệ An", ["vp@ca.gov.vn", "tb@ca.gov.vn"], "bo-cong-an")
    assert fresh.headers["ETag"] not in (etag, now.headers["ETag"])


def test_a_move_under_its_own_subtree_is_refused_with_a_vietnamese_detail_on_the_parent_field(api, admin_token):
    make_unit(api, admin_token, "bo-cong-an", "Bộ Công an", kind="ministry")
    make_unit(api, admin_token, "ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an")
    make_unit(api, admin_token, "na-pc02", "Phòng Cảnh sát hình sự", "ca-nghe-an")
    etag = api.get("/v1/units/ca-nghe-an", token=admin_token).headers["ETag"]
    for target in ("na-pc02", "ca-nghe-an"):  # its child, itself
        resp = api.patch("/v1/units/ca-nghe-an", token=admin_token, headers={"If-Match": etag},
                         body={"parent_id": target})
        assert resp.status_code == 422, resp.body
        assert resp.data["detail"] == "Chuyển đơn vị như vậy sẽ tạo thành vòng lặp trong cây đơn vị."
        assert [e["field"] for e in resp.data["errors"]] == ["parent_id"]
        assert "cấp dưới" in resp.data["errors"][0]["message"]
    assert api.get("/v1/units/ca-nghe-an", token=admin_token).data["parent_id"] == "bo-cong-an"
    # A move elsewhere, and back to the top (no parent), are fine.
    make_unit(api, admin_token, "cuc-y-te", "Cục Y tế", "bo-cong-an")
    moved = api.patch("/v1/units/na-pc02", token=admin_token, body={"parent_id": "cuc-y-te"})
    assert moved.status_code == 200 and moved.data["parent_id"] == "cuc-y-te"
    top = api.patch("/v1/units/na-pc02", token=admin_token, body={"parent_id": None})
    assert top.status_code == 200 and top.data["parent_id"] is None


def test_tokens_are_listed_in_pages_without_secrets_and_a_revoked_one_stops_working(api, admin_token):
    make_unit(api, admin_token, "ca-nghe-an", "Công an tỉnh Nghệ An")
    minted = api.post("/v1/units/ca-nghe-an/tokens", token=admin_token, body={"name": "Hệ thống PC02"})
    assert minted.status_code == 201
    secret = minted.data["token"]
    staff = api.post("/v1/tokens", token=admin_token, body={"role": "leader", "name": "Lãnh đạo", "unit_id": "ca-nghe-an"})
    assert staff.status_code == 201 and staff.data["unit_id"] == "ca-nghe-an"
    assert api.get("/v1/units/ca-nghe-an/periods", token=secret).status_code == 200

    seen, cursor, pages = [], None, 0
    while True:
        page = api.get("/v1/tokens?limit=1" + (f"&cursor={cursor}" if cursor else ""), token=admin_token)
        assert page.status_code == 200
        assert len(page.data["items"]) <= 1
        seen += page.data["items"]
        pages += 1
        cursor = page.data["next"]
        if not cursor:
            break
    assert pages >= 3  # the admin's own token and the two minted
    listed = {t["id"]: t for t in seen}
    assert {minted.data["id"], staff.data["id"]} <= set(listed)
    text = json.dumps(seen)
    assert secret.split("_", 2)[2] not in text and staff.data["token"].split("_", 2)[2] not in text
    assert all("token" not in t and "hash" not in t for t in seen)

    assert api.delete(f"/v1/tokens/{minted.data['id']}", token=admin_token).status_code == 204
    refused = api.get("/v1/units/ca-nghe-an/periods", token=secret)
    assert refused.status_code == 401 and refused.data["detail"] == "Mã truy cập đã bị thu hồi."
    again = api.get("/v1/tokens?limit=100", token=admin_token).data["items"]
    assert next(t for t in again if t["id"] == minted.data["id"])["revoked_at"]


def test_accounts_are_listed_by_unit_in_pages(api, admin_token):
    for unit_id, name in (("ca-nghe-an", "Công an tỉnh Nghệ An"), ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh")):
        make_unit(api, admin_token, unit_id, name)
    for i in range(3):
        resp = api.post("/v1/accounts", token=admin_token, body={
            "email": f"thu.ky{i}@ca.gov.vn", "name": f"Thư ký {i}", "role": "unit", "unit_id": "ca-nghe-an"})
        assert resp.status_code == 201, resp.body
    assert api.post("/v1/accounts", token=admin_token, body={
        "email": "khac@ca.gov.vn", "name": "Người khác", "role": "unit", "unit_id": "ca-ha-tinh"}).status_code == 201

    first = api.get("/v1/accounts?unit_id=ca-nghe-an&limit=2", token=admin_token).data
    assert len(first["items"]) == 2 and first["next"]
    rest = api.get(f"/v1/accounts?unit_id=ca-nghe-an&limit=2&cursor={first['next']}", token=admin_token).data
    emails = {a["email"] for a in first["items"] + rest["items"]}
    assert emails == {f"thu.ky{i}@ca.gov.vn" for i in range(3)}
    assert rest["next"] is None

    # A unit change through PATCH moves the account to the other unit's list.
    moved = next(a for a in first["items"])
    resp = api.patch(f"/v1/accounts/{moved['id']}", token=admin_token, body={"unit_id": "ca-ha-tinh"})
    assert resp.status_code == 200 and resp.data["unit_id"] == "ca-ha-tinh"
    there = {a["email"] for a in api.get("/v1/accounts?unit_id=ca-ha-tinh", token=admin_token).data["items"]}
    assert there == {"khac@ca.gov.vn", moved["email"]}
