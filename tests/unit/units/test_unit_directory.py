"""Finding units in a big tree without reading them all into the page: GET /v1/units?parent= (one
level, paged, with child counts), ?q= (search by name, diacritics optional, best first, bounded) and
?ids= (the units a picker shows as chosen). GET /v1/units without them keeps its shape and paging."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from helpers import seed_units

TREE = [("bo-cong-an", "Bộ Công an", None, "ministry"),
        ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
        ("ca-tp-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other"),
        ("ca-phuong-ben-thuy", "Công an phường Bến Thủy", "ca-tp-vinh", "other"),
        ("ca-xa-hoa-binh-na", "Công an xã Hòa Bình", "ca-tp-vinh", "other"),
        ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province"),
        ("ca-xa-hoa-binh-ht", "Công an xã Hòa Bình", "ca-ha-tinh", "other"),
        ("ca-an-giang", "Công an tỉnh An Giang", "bo-cong-an", "province"),
        ("ca-dak-lak", "Công an tỉnh Đắk Lắk", "bo-cong-an", "province"),
        ("benh-vien-30-4", "Bệnh viện 30-4", None, "hospital")]


def build(api, admin_token) -> None:
    for unit_id, name, parent, kind in TREE:
        resp = api.post("/v1/units", token=admin_token, body={"id": unit_id, "name": name, "parent_id": parent,
                                                               "kind": kind, "emails": [f"{unit_id}@bocongan.gov.vn"]})
        assert resp.status_code == 201, resp.body


def find(api, token, query: dict):
    return api.get("/v1/units?" + urlencode(query), token=token)


def names(resp) -> list[str]:
    assert resp.status_code == 200, resp.body
    return [u["name"] for u in resp.data["items"]]


def test_the_top_level_then_one_level_below_in_vietnamese_order_with_child_counts(api, admin_token):
    build(api, admin_token)
    top = api.get("/v1/units?parent=root", token=admin_token)
    assert names(top) == ["Bệnh viện 30-4", "Bộ Công an"]
    assert [u["children"] for u in top.data["items"]] == [0, 4]
    assert top.data["next"] is None and top.data["total"] == 2
    assert api.get("/v1/units?parent=", token=admin_token).data == top.data  # empty: the top level too
    below = api.get("/v1/units?parent=bo-cong-an", token=admin_token)
    # Vietnamese alphabetical order: An Giang, Đắk Lắk (đ after d), Hà Tĩnh, Nghệ An
    assert names(below) == ["Công an tỉnh An Giang", "Công an tỉnh Đắk Lắk", "Công an tỉnh Hà Tĩnh",
                            "Công an tỉnh Nghệ An"]
    assert [u["children"] for u in below.data["items"]] == [0, 0, 1, 1]
    # each unit in full: what the tree shows (emails) without another request
    assert below.data["items"][3]["emails"] == ["ca-nghe-an@bocongan.gov.vn"]
    assert below.data["items"][3]["parent_id"] == "bo-cong-an"


def test_children_page_by_limit_and_cursor_and_a_cursor_of_another_parent_is_refused(api, admin_token):
    build(api, admin_token)
    first = api.get("/v1/units?parent=bo-cong-an&limit=3", token=admin_token)
    assert len(names(first)) == 3 and first.data["next"] and first.data["total"] == 4
    second = api.get(f"/v1/units?parent=bo-cong-an&limit=3&cursor={first.data['next']}", token=admin_token)
    assert names(second) == ["Công an tỉnh Nghệ An"] and second.data["next"] is None
    other = api.get(f"/v1/units?parent=ca-nghe-an&cursor={first.data['next']}", token=admin_token)
    assert other.status_code == 422
    assert api.get("/v1/units?parent=khong-co", token=admin_token).status_code == 404


def test_search_by_name_with_or_without_diacritics_any_case_best_first_with_ancestors(api, admin_token):
    build(api, admin_token)
    for q in ("nghe an", "NGHỆ AN", "Nghệ an", "tinh nghe"):
        found = find(api, admin_token, {"q": q})
        assert names(found) == ["Công an tỉnh Nghệ An"], q
    # each word typed begins a word of the name; typed with diacritics, only those: "hà" is not "Hòa"
    assert names(find(api, admin_token, {"q": "hà"})) == ["Công an tỉnh Hà Tĩnh"]
    assert names(find(api, admin_token, {"q": "ha"})) == ["Công an tỉnh Hà Tĩnh"]  # not "thành", "Hòa"
    assert names(find(api, admin_token, {"q": "đắk"})) == ["Công an tỉnh Đắk Lắk"]
    assert names(find(api, admin_token, {"q": "dak lak"})) == ["Công an tỉnh Đắk Lắk"]
    same = find(api, admin_token, {"q": "hoa binh"})
    assert names(same) == ["Công an xã Hòa Bình", "Công an xã Hòa Bình"]
    # the two communes of one name are told apart by the units above them, root first
    assert sorted([a["name"] for a in u["ancestors"]] for u in same.data["items"]) == [
        ["Bộ Công an", "Công an tỉnh Hà Tĩnh"], ["Bộ Công an", "Công an tỉnh Nghệ An", "Công an thành phố Vinh"]]
    # names that begin with the query first, then higher levels first (the provinces before the communes)
    assert names(find(api, admin_token, {"q": "cong an"})) == [
        "Công an tỉnh An Giang", "Công an tỉnh Đắk Lắk", "Công an tỉnh Hà Tĩnh", "Công an tỉnh Nghệ An",
        "Công an thành phố Vinh", "Công an xã Hòa Bình", "Công an phường Bến Thủy", "Công an xã Hòa Bình",
        "Bộ Công an"]
    # by id too
    assert names(find(api, admin_token, {"q": "ca-tp-vinh"})) == ["Công an thành phố Vinh"]
    assert names(find(api, admin_token, {"q": "không có đâu"})) == []


def test_search_answers_at_most_limit_and_says_how_many_matched(api, admin_token, store):
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry")]
               + [(f"xa-{i:04d}", f"Công an xã số {i:04d}", "bo-cong-an", "other") for i in range(150)])
    found = find(api, admin_token, {"q": "cong an xa"})
    assert len(names(found)) == 20 and found.data["total"] == 150 and found.data["next"] is None
    assert names(found)[:2] == ["Công an xã số 0000", "Công an xã số 0001"]
    five = find(api, admin_token, {"q": "xa so", "limit": "5"})
    assert len(names(five)) == 5 and five.data["total"] == 150
    assert find(api, admin_token, {"q": "x" * 101}).status_code == 422
    assert find(api, admin_token, {"q": "   "}).data == {"items": [], "next": None, "total": 0}


def test_ids_name_the_chosen_units_in_the_order_asked_with_their_ancestors(api, admin_token):
    build(api, admin_token)
    resp = find(api, admin_token, {"ids": "ca-phuong-ben-thuy,khong-co,bo-cong-an"})
    assert names(resp) == ["Công an phường Bến Thủy", "Bộ Công an"]
    assert [a["name"] for a in resp.data["items"][0]["ancestors"]] == [
        "Bộ Công an", "Công an tỉnh Nghệ An", "Công an thành phố Vinh"]
    assert resp.data["items"][1]["ancestors"] == []
    too_many = ",".join(f"u-{i}" for i in range(101))
    assert find(api, admin_token, {"ids": too_many}).status_code == 422


def test_one_filter_at_a_time_and_admin_only(api, admin_token, store):
    build(api, admin_token)
    both = find(api, admin_token, {"parent": "root", "q": "an"})
    assert both.status_code == 422
    from helpers import issue

    unit = issue(store, "unit", unit_id="ca-nghe-an")
    assert api.get("/v1/units?parent=root", token=unit).status_code == 403


def test_the_plain_listing_keeps_its_shape_and_paging(api, admin_token):
    build(api, admin_token)
    first = api.get("/v1/units?limit=4", token=admin_token)
    assert set(first.data) == {"items", "next"} and len(first.data["items"]) == 4 and first.data["next"]
    assert set(first.data["items"][0]) == {"id", "name", "parent_id", "kind", "emails", "created_at", "updated_at"}
    seen = [u["id"] for u in first.data["items"]]
    cursor = first.data["next"]
    while cursor:
        more = api.get(f"/v1/units?limit=4&cursor={cursor}", token=admin_token)
        seen += [u["id"] for u in more.data["items"]]
        cursor = more.data["next"]
    assert sorted(seen) == sorted(u[0] for u in TREE)


def test_a_page_stays_far_below_one_megabyte(api, admin_token, store):
    many = [f"u{i:03d}@bocongan.gov.vn" for i in range(20)]
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry")])
    for i in range(100):
        store.units.create({"id": f"xa-{i:03d}", "name": f"Công an xã {'Ư' * 190}{i:03d}", "parent_id": "bo-cong-an",
                            "kind": "other", "emails": many, "created_at": "2021-01-01T00:00:00+07:00",
                            "updated_at": "2021-01-01T00:00:00+07:00", "etag": "x", "path": ["bo-cong-an"]})
    for query in ({"parent": "bo-cong-an", "limit": "100"}, {"q": "cong an xa", "limit": "100"}):
        resp = find(api, admin_token, query)
        assert len(resp.data["items"]) == 100
        assert len(json.dumps(resp.data, ensure_ascii=False).encode()) < 1024 * 1024



def test_a_rename_and_a_move_show_in_the_next_reads(api, admin_token, store):
    build(api, admin_token)
    assert names(find(api, admin_token, {"parent": "ca-ha-tinh"})) == ["Công an xã Hòa Bình"]  # the tree is kept
    before = api.get("/v1/units/ca-tp-vinh", token=admin_token)
    moved = api.patch("/v1/units/ca-tp-vinh", token=admin_token, body={"parent_id": "ca-ha-tinh", "name": "Công an TP Vinh"},
                      headers={"If-Match": before.headers["ETag"]})
    assert moved.status_code == 200, moved.body
    assert names(find(api, admin_token, {"parent": "ca-ha-tinh"})) == ["Công an TP Vinh", "Công an xã Hòa Bình"]
    assert [u["children"] for u in find(api, admin_token, {"parent": "bo-cong-an"}).data["items"]] == [0, 0, 2, 0]
    assert [a["name"] for a in find(api, admin_token, {"q": "tp vinh"}).data["items"][0]["ancestors"]] == [
        "Bộ Công an", "Công an tỉnh Hà Tĩnh"]
