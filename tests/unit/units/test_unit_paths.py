"""Every unit carries its ancestor path (root first): written on create, rewritten for the whole
subtree on a move (only once the move is committed), and backfilled for units stored without it.
The subtree rules answer the same from the stored path as from walking the parents."""

from __future__ import annotations

from helpers import seed_units

TREE = [("bo-cong-an", "Bộ Công an", None, "ministry"),
        ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
        ("ca-tp-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other"),
        ("ca-phuong-ben-thuy", "Công an phường Bến Thủy", "ca-tp-vinh", "other"),
        ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]


def build(api, admin_token) -> None:
    for unit_id, name, parent, kind in TREE:
        resp = api.post("/v1/units", token=admin_token, body={"id": unit_id, "name": name, "parent_id": parent,
                                                               "kind": kind})
        assert resp.status_code == 201, resp.body
        assert "path" not in resp.data  # stored, not part of the unit's public shape


def paths(store) -> dict[str, list[str]]:
    return {u["id"]: u.get("path") for u in store.units.all()}


def test_a_created_unit_carries_its_ancestors_root_first(api, admin_token, store):
    build(api, admin_token)
    assert paths(store) == {"bo-cong-an": [], "ca-nghe-an": ["bo-cong-an"], "ca-tp-vinh": ["bo-cong-an", "ca-nghe-an"],
                            "ca-phuong-ben-thuy": ["bo-cong-an", "ca-nghe-an", "ca-tp-vinh"],
                            "ca-ha-tinh": ["bo-cong-an"]}


def test_a_move_rewrites_the_moved_units_subtree_and_nothing_else(api, admin_token, store):
    build(api, admin_token)
    before = api.get("/v1/units/ca-tp-vinh", token=admin_token)
    moved = api.patch("/v1/units/ca-tp-vinh", token=admin_token, body={"parent_id": "ca-ha-tinh"},
                      headers={"If-Match": before.headers["ETag"]})
    assert moved.status_code == 200, moved.body
    assert moved.headers["ETag"] != before.headers["ETag"]
    assert paths(store) == {"bo-cong-an": [], "ca-nghe-an": ["bo-cong-an"], "ca-tp-vinh": ["bo-cong-an", "ca-ha-tinh"],
                            "ca-phuong-ben-thuy": ["bo-cong-an", "ca-ha-tinh", "ca-tp-vinh"],
                            "ca-ha-tinh": ["bo-cong-an"]}
    # the audit event names the fields the admin changed, not the path derived from them
    edited = [e for e in store.audit.list("unit:ca-tp-vinh").items if e["action"] == "edited"]
    assert [e["detail"]["fields"] for e in edited] == [["parent_id"]]


def test_a_refused_move_rewrites_nothing(api, admin_token, store):
    build(api, admin_token)
    before = paths(store)
    stale = api.patch("/v1/units/ca-tp-vinh", token=admin_token, body={"parent_id": "ca-ha-tinh"},
                      headers={"If-Match": '"khong-khop"'})
    assert stale.status_code == 412
    cycle = api.patch("/v1/units/ca-nghe-an", token=admin_token, body={"parent_id": "ca-phuong-ben-thuy"})
    assert cycle.status_code == 422
    assert paths(store) == before


def test_a_deep_subtree_larger_than_one_transaction_moves_whole(api, admin_token, store):
    # 250 units under one district: the rewrite below the moved unit takes several transactions
    seed_units(store, [*TREE, *((f"xa-{i:03d}", f"Công an xã {i:03d}", "ca-tp-vinh", "other") for i in range(250))])
    from chalicelib.units.service import backfill_paths

    assert backfill_paths(store) == 255  # seeded without paths
    assert backfill_paths(store) == 0    # nothing left to write
    assert api.patch("/v1/units/ca-tp-vinh", token=admin_token, body={"parent_id": "ca-ha-tinh"}).status_code == 200
    stored = paths(store)
    assert all(stored[f"xa-{i:03d}"] == ["bo-cong-an", "ca-ha-tinh", "ca-tp-vinh"] for i in range(250))
    assert backfill_paths(store) == 0  # what the parents say


def test_backfill_repairs_missing_and_wrong_paths(store):
    from chalicelib.units.service import backfill_paths

    seed_units(store, TREE)
    assert set(paths(store).values()) == {None}
    assert backfill_paths(store) == len(TREE)
    store.units.set_paths([("ca-phuong-ben-thuy", ["bo-cong-an", "ca-ha-tinh"])])  # a rewrite cut short
    assert backfill_paths(store) == 1
    assert paths(store)["ca-phuong-ben-thuy"] == ["bo-cong-an", "ca-nghe-an", "ca-tp-vinh"]


def test_the_subtree_rules_answer_the_same_with_or_without_stored_paths(store):
    from chalicelib.units.service import backfill_paths, within

    seed_units(store, TREE)
    ids = [u for u, *_ in TREE]
    walked = {(a, b): within(store, a, b) for a in ids for b in ids}
    backfill_paths(store)
    assert {(a, b): within(store, a, b) for a in ids for b in ids} == walked
    assert walked[("ca-phuong-ben-thuy", "ca-nghe-an")] and not walked[("ca-phuong-ben-thuy", "ca-ha-tinh")]
    assert not walked[("ca-nghe-an", "ca-tp-vinh")] and not within(store, "khong-co", "bo-cong-an")


def test_the_cli_backfills(store, capsys):
    from chalicelib import cli

    seed_units(store, TREE)
    assert cli.main(["backfill"]) == 0
    assert "5 đơn vị" in capsys.readouterr().out
    assert paths(store)["ca-phuong-ben-thuy"] == ["bo-cong-an", "ca-nghe-an", "ca-tp-vinh"]
