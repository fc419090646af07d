"""What the admin pages' unit reads cost on DynamoDB Local: one level of the tree (?parent=), a search by
name (?q=) and the names of chosen units (?ids=): the first two read the unit tree (kept by the
container: one GetItem of its version) and one BatchGetItem for the page's units in full; the number
of round trips is the same with 12 units or 3,000."""

from __future__ import annotations

from urllib.parse import urlencode

from helpers import seed_units

TREE = [("bo-cong-an", "Bộ Công an", None, "ministry"),
        ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
        ("ca-tp-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other"),
        ("ca-phuong-ben-thuy", "Công an phường Bến Thủy", "ca-tp-vinh", "other"),
        ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]


def communes(n: int) -> list[tuple[str, str, str, str]]:
    """Districts of Hà Tĩnh and their communes: names that repeat, as they do across the country."""
    districts = [(f"ht-huyen-{d:02d}", f"Công an huyện số {d:02d}", "ca-ha-tinh", "other") for d in range(n // 100)]
    return districts + [(f"ht-xa-{i:05d}", f"Công an xã Hòa Bình {i % 50:02d}", f"ht-huyen-{i % (n // 100):02d}", "other")
                        for i in range(n)]


def read(api, token, query: dict):
    resp = api.get("/v1/units?" + urlencode(query), token=token)
    assert resp.status_code == 200, resp.body
    return resp.data


def test_each_read_is_the_kept_tree_and_one_batch_flat_in_the_number_of_units(api, admin_token, store, calls):
    from chalicelib.units.service import backfill_paths

    seed_units(store, TREE)
    backfill_paths(store)  # units as the API stores them: with their ancestor path
    read(api, admin_token, {"parent": "root"})  # a warm instance: it keeps the tree it read
    counted: dict[int, list[list[str]]] = {}
    answers: dict[int, list[dict]] = {}
    for extra in (0, 3000):
        if extra:
            seed_units(store, communes(extra))
            backfill_paths(store)
            read(api, admin_token, {"parent": "root"})  # the changed tree read (and packed) once
        rounds, got = [], []
        for query in ({"parent": "root"}, {"parent": "bo-cong-an"}, {"q": "nghe an"}, {"q": "ben thuy"},
                      {"ids": "ca-phuong-ben-thuy,ca-ha-tinh"}):
            calls.clear()
            got.append(read(api, admin_token, query))
            rounds.append([c for c in calls])
        counted[extra], answers[extra] = rounds, got
    assert counted[0] == counted[3000], counted
    children_and_search, named = counted[3000][:4], counted[3000][4]
    # after the token's own read: the kept tree's version, then the page's units in full; no Query
    assert all(r[-2:] == ["GetItem", "BatchGetItem"] and "Query" not in r for r in children_and_search), counted
    assert named[1:] == ["BatchGetItem", "BatchGetItem"], named  # the units, then the names above them
    # the tree's answers do not change when units are added elsewhere, apart from Hà Tĩnh's child count
    for before, after in zip(answers[0], answers[3000]):
        for a, b in zip(before["items"], after["items"]):
            assert {**a, "children": None} == {**b, "children": None}
    assert [u["name"] for u in answers[3000][1]["items"]] == ["Công an tỉnh Hà Tĩnh", "Công an tỉnh Nghệ An"]
    assert [u["children"] for u in answers[3000][1]["items"]] == [30, 1]


def test_a_search_among_thousands_of_like_names_is_bounded_and_tells_them_apart(api, admin_token, store):
    seed_units(store, TREE + communes(3000))
    found = read(api, admin_token, {"q": "hoa binh 07", "limit": "10"})
    assert found["total"] == 60 and len(found["items"]) == 10 and found["next"] is None
    assert {u["name"] for u in found["items"]} == {"Công an xã Hòa Bình 07"}
    # each names its district: the same name in two districts is told apart
    districts = [u["ancestors"][-1]["name"] for u in found["items"]]
    assert len(set(districts)) == 3 and all(d.startswith("Công an huyện số") for d in districts)
    assert [a["id"] for a in found["items"][0]["ancestors"][:2]] == ["bo-cong-an", "ca-ha-tinh"]
    # a district's communes, page by page, in order: every one once
    seen, cursor = [], None
    while True:
        page = read(api, admin_token, {"parent": "ht-huyen-03", "limit": "100", **({"cursor": cursor} if cursor else {})})
        seen += [u["id"] for u in page["items"]]
        cursor = page["next"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 100 and page["total"] == 100

