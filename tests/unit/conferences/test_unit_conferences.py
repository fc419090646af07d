"""GET /v1/units/{unit_id}/conferences: the conferences a unit may nominate to, as a unit sees them.

Scope: no unit_ids means every unit; else the unit or one of its ancestors is listed. Only
conferences held today (Hà Nội) or later; `open` says whether the deadline and the list still
allow nominations. The clock is 2021-08-20 10:00 in Hà Nội."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.conferences import service
from helpers import issue, seed_units

PARENT, CHILD, GRANDCHILD, OTHER = "ca-nghe-an", "pc-giao-thong", "doi-1", "ca-ha-tinh"
SIGNER = {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}


@pytest.fixture
def units(store):
    seed_units(store, [(PARENT, "Công an tỉnh Nghệ An", None, "province"),
                       (CHILD, "Phòng Cảnh sát giao thông", PARENT, "other"),
                       (GRANDCHILD, "Đội 1", CHILD, "other"),
                       (OTHER, "Công an tỉnh Hà Tĩnh", None, "province")])


def conference(api, admin_token, title: str, date: str, **fields) -> str:
    resp = api.post("/v1/conferences", token=admin_token,
                    body={"title": title, "date": date, "periods": ["2021-08"], "signer": SIGNER,
                          "recipients": ["Lãnh đạo Bộ <ld@bocongan.example.vn>"], **fields})
    assert resp.status_code == 201, resp.body
    return resp.data["id"]


def listed(api, token: str, unit_id: str) -> list[dict]:
    resp = api.get(f"/v1/units/{unit_id}/conferences", token=token)
    assert resp.status_code == 200, resp.body
    assert resp.data["next"] is None
    return resp.data["items"]


def test_a_unit_sees_the_upcoming_conferences_of_its_scope_by_date(api, admin_token, store, units, clock):
    everyone = conference(api, admin_token, "Hội nghị toàn lực lượng", "2021-09-10", unit_ids=None)
    parents = conference(api, admin_token, "Hội nghị Nghệ An", "2021-08-25", unit_ids=[PARENT])
    child = conference(api, admin_token, "Hội nghị giao thông", "2021-08-20", unit_ids=[CHILD])
    conference(api, admin_token, "Hội nghị Hà Tĩnh", "2021-08-30", unit_ids=[OTHER])
    conference(api, admin_token, "Hội nghị đã qua", "2021-08-19", unit_ids=None)
    token = issue(store, "unit", unit_id=GRANDCHILD)

    assert [c["id"] for c in listed(api, token, GRANDCHILD)] == [child, parents, everyone]  # held today counts
    parent = issue(store, "unit", unit_id=PARENT)
    assert [c["id"] for c in listed(api, parent, PARENT)] == [parents, everyone]  # not its sub-units' ones
    assert [c["id"] for c in listed(api, parent, CHILD)] == [child, parents, everyone]  # acting for a sub-unit
    assert [c["title"] for c in listed(api, admin_token, OTHER)] == ["Hội nghị Hà Tĩnh", "Hội nghị toàn lực lượng"]


def test_a_unit_sees_the_deadline_whether_it_is_open_and_the_forms_with_a_quota_only(api, admin_token, store, units,
                                                                                    clock):
    open_ = conference(api, admin_token, "Hội nghị sơ kết", "2021-09-01", place="Vinh",
                       nomination_deadline="2021-08-25T17:00:00+07:00",
                       quotas={"giay-khen": 5, "bang-khen-bo-truong": 2, "co-thi-dua-bo-cong-an": 0})
    closed = conference(api, admin_token, "Hội nghị tổng kết", "2021-09-02",
                        nomination_deadline="2021-08-20T09:59:00+07:00")
    token = issue(store, "unit", unit_id=PARENT)
    first, second = listed(api, token, PARENT)
    assert first == {"id": open_, "title": "Hội nghị sơ kết", "date": "2021-09-01", "place": "Vinh",
                     "nomination_deadline": "2021-08-25T17:00:00+07:00", "open": True,
                     "award_forms": ["bang-khen-bo-truong", "giay-khen"]}
    assert second["id"] == closed and second["open"] is False and second["award_forms"] == []
    # nothing a unit has no business reading
    assert not {"recipients", "signer", "quotas", "unit_ids", "number_prefix"} & set(first)


def test_a_finalised_list_or_a_passed_deadline_is_not_open():
    now = datetime.fromisoformat("2021-08-20T10:00:00+07:00")
    base = {"nomination_deadline": "2021-08-20T10:00:00+07:00"}
    assert service.open_for_nominations(base, now)  # the deadline's own minute still counts
    assert not service.open_for_nominations({**base, "finalised_at": "2021-08-19T10:00:00+07:00"}, now)
    assert not service.open_for_nominations({"nomination_deadline": "2021-08-20T09:59:59+07:00"}, now)
    assert service.open_for_nominations({"nomination_deadline": None}, now)


@pytest.mark.parametrize("unit_ids,chain,expected", [
    (None, {"a"}, True), ([], {"a"}, True), (["a"], {"a", "p"}, True), (["p"], {"a", "p"}, True),
    (["b"], {"a", "p"}, False)])
def test_scope(unit_ids, chain, expected):
    assert service.in_scope({"unit_ids": unit_ids}, chain) is expected


def test_roles_and_unknown_units(api, admin_token, store, units, clock):
    conference(api, admin_token, "Hội nghị", "2021-09-01")
    child = issue(store, "unit", unit_id=CHILD)
    assert api.get(f"/v1/units/{CHILD}/conferences").status_code == 401
    assert api.get(f"/v1/units/{PARENT}/conferences", token=child).status_code == 403  # not upwards
    assert api.get(f"/v1/units/{OTHER}/conferences", token=child).status_code == 403  # not sideways
    assert len(listed(api, issue(store, "leader"), CHILD)) == 1
    assert api.get("/v1/units/khong-co/conferences", token=admin_token).status_code == 404


def test_the_list_is_read_from_the_date_index_from_today(api, admin_token, store, units, clock, monkeypatch):
    """Bounded: one Query of the conference-date index from today on, never a scan of every conference."""
    calls = []
    real = type(store.conferences).between

    def spy(self, first_day, last_day):
        calls.append((first_day, last_day))
        return real(self, first_day, last_day)

    monkeypatch.setattr(type(store.conferences), "between", spy)
    monkeypatch.setattr(type(store.conferences), "list", lambda *a, **k: pytest.fail("listed every conference"))
    listed(api, admin_token, PARENT)
    assert calls == [("2021-08-20", service.LAST_DAY)]
