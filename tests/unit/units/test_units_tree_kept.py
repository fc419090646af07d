"""`store.units.tree()`: the unit tree kept in the container (and packed in the table) behind a version
that every unit change puts in its own transaction, so a request never reuses a tree older than the
last committed change: a create, a rename and a move between two requests of one process show at once."""

from __future__ import annotations

from typing import Any

from chalicelib.store import keys, repositories
from chalicelib.units.service import TREE_FIELDS

TREE = [("bo-cong-an", "Bộ Công an", None, "ministry"),
        ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
        ("ca-tp-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other"),
        ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province")]


def build(api, admin_token) -> None:
    for unit_id, name, parent, kind in TREE:
        resp = api.post("/v1/units", token=admin_token, body={"id": unit_id, "name": name, "parent_id": parent,
                                                               "kind": kind})
        assert resp.status_code == 201, resp.body


def picker(api, admin_token, unit_id: str) -> list[tuple[str, str, str | None]]:
    resp = api.get(f"/v1/units/{unit_id}/nominee-units", token=admin_token)
    assert resp.status_code == 200, resp.body
    return [(u["id"], u["name"], u["parent_id"]) for u in resp.data["items"]]


def patch(api, admin_token, unit_id: str, body: dict[str, Any]) -> None:
    etag = api.get(f"/v1/units/{unit_id}", token=admin_token).headers["ETag"]
    resp = api.patch(f"/v1/units/{unit_id}", token=admin_token, body=body, headers={"If-Match": etag})
    assert resp.status_code == 200, resp.body


def by_id(units: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {u["id"]: u for u in units}


def test_the_tree_is_every_unit_projected_as_a_read_of_every_unit_gives_it(api, admin_token, store):
    build(api, admin_token)
    assert repositories.TREE_ATTRS == TREE_FIELDS
    assert by_id(store.units.tree()) == by_id(store.units.all(attrs=TREE_FIELDS))


def test_units_created_renamed_and_moved_between_requests_show_in_the_next_request(api, admin_token, store):
    build(api, admin_token)
    assert picker(api, admin_token, "ca-nghe-an") == [("ca-nghe-an", "Công an tỉnh Nghệ An", None),
                                                      ("ca-tp-vinh", "Công an thành phố Vinh", "ca-nghe-an")]
    # a new unit below it
    resp = api.post("/v1/units", token=admin_token, body={"id": "ca-huyen-nam-dan", "name": "Công an huyện Nam Đàn",
                                                          "parent_id": "ca-nghe-an", "kind": "other"})
    assert resp.status_code == 201
    assert [u[0] for u in picker(api, admin_token, "ca-nghe-an")] == ["ca-nghe-an", "ca-huyen-nam-dan", "ca-tp-vinh"]
    # renamed
    patch(api, admin_token, "ca-tp-vinh", {"name": "Công an thành phố Vinh (mới)"})
    assert ("ca-tp-vinh", "Công an thành phố Vinh (mới)", "ca-nghe-an") in picker(api, admin_token, "ca-nghe-an")
    # moved away: no longer in Nghệ An's subtree, now in Hà Tĩnh's
    patch(api, admin_token, "ca-tp-vinh", {"parent_id": "ca-ha-tinh"})
    assert [u[0] for u in picker(api, admin_token, "ca-nghe-an")] == ["ca-nghe-an", "ca-huyen-nam-dan"]
    assert picker(api, admin_token, "ca-ha-tinh") == [("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", None),
                                                      ("ca-tp-vinh", "Công an thành phố Vinh (mới)", "ca-ha-tinh")]


class Counted:
    """The store's table with its reads counted (get, get_many, query by partition)."""

    def __init__(self, table: Any) -> None:
        self.table, self.calls = table, []

    def __getattr__(self, name: str) -> Any:
        inner = getattr(self.table, name)
        if name in ("get", "get_many", "query", "query_all", "write", "transact"):
            def counted(*args: Any, **kwargs: Any) -> Any:
                what = args[0][0] if name == "get" else args[0] if name.startswith("query") else ""
                self.calls.append(f"{name} {what}".strip())
                return inner(*args, **kwargs)
            return counted
        return inner


def test_a_warm_container_reads_one_version_item_and_a_new_one_the_pack(api, admin_token, store):
    build(api, admin_token)
    store.units.tree()  # packed by the first read since the last change
    counted = Counted(store.table)
    from chalicelib.store.repositories import Units

    units = Units(counted)  # type: ignore[arg-type]
    repositories._TREES[counted] = repositories._TREES[store.table]  # this container's kept tree
    assert by_id(units.tree()) == by_id(store.units.all(attrs=TREE_FIELDS))
    assert counted.calls == ["get UNITS_TREE"]  # the version item, nothing else
    counted.calls.clear()
    repositories._TREES.pop(counted)  # a new container: the pack, with the version, in one Query
    assert by_id(units.tree()) == by_id(store.units.all(attrs=TREE_FIELDS))
    assert counted.calls == ["query_all UNITS_TREE"]


def test_a_pack_of_an_older_version_is_never_used(api, admin_token, store):
    build(api, admin_token)
    store.units.tree()
    old_version = store.table.get(keys.units_tree_version())["version"]
    patch(api, admin_token, "ca-ha-tinh", {"name": "Công an tỉnh Hà Tĩnh (đổi tên)"})
    assert store.table.get(keys.units_tree_version())["version"] != old_version
    repositories._TREES.clear()  # a new container, with the old pack still in the table
    assert by_id(store.units.tree())["ca-ha-tinh"]["name"] == "Công an tỉnh Hà Tĩnh (đổi tên)"


def test_units_stored_without_a_version_are_read_and_given_one(store):
    from chalicelib.store.table import Delete, Put

    for unit_id, name, parent, kind in TREE:  # written raw, as a bulk load or an old release would
        pk, sk = keys.unit(unit_id)
        store.table.write(Put({"PK": pk, "SK": sk, "id": unit_id, "name": name, "parent_id": parent, "kind": kind}))
    store.table.write(Delete(keys.units_tree_version()))
    repositories._TREES.clear()
    assert set(by_id(store.units.tree())) == {u[0] for u in TREE}
    assert store.table.get(keys.units_tree_version()) is not None
    # and the backfill of paths (a change of every unit) is a new version too
    version = store.table.get(keys.units_tree_version())["version"]
    from chalicelib.units.service import backfill_paths

    assert backfill_paths(store) == len(TREE)
    assert store.table.get(keys.units_tree_version())["version"] != version
