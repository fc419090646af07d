"""The nomination form's unit picker at national scale (GET /v1/units/{id}/nominee-units): a province's
subtree comes whole, as it always did; the ministry's 11,000 units would be 1.3 MB, so they come a page
at a time and the form searches its own subtree by name, with or without diacritics."""

from __future__ import annotations

import json

from helpers import issue, seed_units

PROVINCES = 9
DISTRICTS = 12
COMMUNES = 84  # 9 × 12 × 84 = 9,072 communes: with their long names, well over 1 MB in one answer


def ministry() -> list[tuple[str, str, str | None, str]]:
    units = [("bo-cong-an", "Bộ Công an", None, "ministry")]
    for p in range(PROVINCES):
        province = f"ca-t{p}"
        units.append((province, f"Công an tỉnh số {p}", "bo-cong-an", "province"))
        for d in range(DISTRICTS):
            district = f"{province}-h{d}"
            units.append((district, f"Công an huyện số {d}, tỉnh số {p}", province, "other"))
            units += [(f"{district}-x{x}", f"Công an xã Hòa Bình số {x}, huyện số {d}, tỉnh số {p}", district, "other")
                      for x in range(COMMUNES)]
    units.append(("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"))
    units.append(("ca-hung-nguyen", "Công an huyện Hưng Nguyên", "ca-nghe-an", "other"))
    return units


def test_a_small_subtree_comes_whole_and_is_searched_within_itself(api, store):
    seed_units(store, ministry()[:1] + ministry()[-2:])
    token = issue(store, "unit", unit_id="ca-nghe-an")
    whole = api.get("/v1/units/ca-nghe-an/nominee-units", token=token)
    assert whole.status_code == 200, whole.body
    assert [u["id"] for u in whole.data["items"]] == ["ca-nghe-an", "ca-hung-nguyen"]
    assert whole.data["next"] is None and whole.data["total"] == 2

    found = api.get("/v1/units/ca-nghe-an/nominee-units?q=hung nguyen", token=token)  # no diacritics typed
    assert found.status_code == 200, found.body
    assert [u["name"] for u in found.data["items"]] == ["Công an huyện Hưng Nguyên"] and found.data["total"] == 1
    # the search never leaves the subtree: the ministry is not the province's to name
    assert api.get("/v1/units/ca-nghe-an/nominee-units?q=bo cong an", token=token).data["items"] == []
    assert api.get("/v1/units/ca-nghe-an/nominee-units?q=" + "x" * 101, token=token).status_code == 422


def test_the_ministrys_subtree_pages_under_1_mb_and_is_searched(api, store):
    seed_units(store, ministry())
    token = issue(store, "unit", unit_id="bo-cong-an")
    first = api.get("/v1/units/bo-cong-an/nominee-units", token=token)
    assert first.status_code == 200, first.body
    assert len(json.dumps(first.data, ensure_ascii=False).encode()) <= 1024 * 1024
    total = len(ministry())
    assert first.data["total"] == total and first.data["next"]
    assert first.data["items"][0]["id"] == "bo-cong-an"  # tree order: the ministry first

    seen = [u["id"] for u in first.data["items"]]
    cursor = first.data["next"]
    while cursor:
        got = api.get(f"/v1/units/bo-cong-an/nominee-units?limit=100&cursor={cursor}", token=token)
        assert got.status_code == 200, got.body
        seen += [u["id"] for u in got.data["items"]]
        cursor = got.data["next"]
        if len(seen) > 600:
            break  # the pages join up; walking all 9,000+ adds nothing
    assert len(seen) == len(set(seen))

    # each word typed begins a word of the name, in any order: only one commune has a 70, an 11 and an 8
    found = api.get("/v1/units/bo-cong-an/nominee-units?q=hoa binh so 70, huyen so 11, tinh so 8&limit=5", token=token)
    assert found.status_code == 200, found.body
    assert [u["id"] for u in found.data["items"]] == ["ca-t8-h11-x70"] and found.data["total"] == 1
    many = api.get("/v1/units/bo-cong-an/nominee-units?q=Hòa Bình", token=token)
    assert len(many.data["items"]) == 20 and many.data["total"] == PROVINCES * DISTRICTS * COMMUNES
    by_id = api.get("/v1/units/bo-cong-an/nominee-units?q=ca-nghe-an", token=token)
    assert [u["id"] for u in by_id.data["items"]] == ["ca-nghe-an"]
