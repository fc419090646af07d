"""Eligibility warnings over HTTP: the shortlist and the detail show them, approving over one needs an
override note (single and bulk), and the override is kept on the decision and in its audit event.
The register is a fake here (an in-memory history per nominee name)."""

from __future__ import annotations

import pytest

from chalicelib.awards import warnings as eligibility
from tests.unit.awards.test_awards_api import nominate, world  # noqa: F401  (the fixture)

PAST = {"id": "reg-2020-tung", "kind": "individual", "name": "Phạm Thế Tùng", "award_form": "bang-khen-bo-truong",
        "award_form_name": "Bằng khen của Bộ trưởng Bộ Công an", "decision_number": "12/QĐ-BCA",
        "decision_date": "2020-09-05", "granted_by": "Bộ trưởng Bộ Công an", "year": 2020, "source": "import",
        "nomination_id": None, "conference_id": None, "unit_id": "ca-nghe-an", "unit_name": "Công an tỉnh Nghệ An"}
MESSAGE = ("Đã được tặng Bằng khen của Bộ trưởng Bộ Công an theo Quyết định số 12/QĐ-BCA ngày 05/9/2020 "
           "của Bộ trưởng Bộ Công an; "
           "quy định: không tặng lại trong 2 năm")


@pytest.fixture
def register(monkeypatch):
    """The fake register: entries by nominee name; counts the reads (one per page, not per row)."""
    entries = {"Phạm Thế Tùng": [PAST]}
    reads = []

    def reader(store, nominations):
        reads.append([n["id"] for n in nominations])
        return {n["id"]: list(entries.get(n["name"], [])) for n in nominations}
    monkeypatch.setattr(eligibility, "history_reader", reader)
    return reads


def tung(api, world):
    t, cid = world["tokens"], world["conference"]
    made = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name="Phạm Thế Tùng",
                    position="Thượng tá, Trưởng phòng")
    assert made.status_code == 201, made.body
    return made


def test_an_ineligible_nomination_shows_its_warning_in_the_shortlist_and_the_detail(api, world, register):
    cid, admin = world["conference"], world["admin"]
    n = tung(api, world).data
    other = nominate(api, world["tokens"]["ca-ha-tinh"], "ca-ha-tinh", cid).data
    register.clear()
    page = api.get(f"/v1/conferences/{cid}/shortlist", token=admin)
    assert page.status_code == 200
    rows = {r["nomination"]["id"]: r for r in page.data["items"]}
    assert rows[other["id"]]["warnings"] == []
    [warning] = rows[n["id"]]["warnings"]
    assert warning["rule"] == "not_again_within_years" and warning["message"] == MESSAGE
    assert warning["entries"] == ["reg-2020-tung"] and "(cấu hình)" in warning["citation"]
    assert len(register) == 1  # one read of the register for the page
    detail = api.get(f"/v1/nominations/{n['id']}/detail", token=admin).data
    assert [w["message"] for w in detail["warnings"]] == [MESSAGE]
    assert [e["id"] for e in detail["history"]] == ["reg-2020-tung"]


def test_the_shortlist_reads_the_register_once_per_page_for_the_pages_rows(api, world, register):
    cid, admin, t = world["conference"], world["admin"], world["tokens"]
    for unit in ("ca-nghe-an", "ca-ha-tinh", "ca-da-nang"):
        nominate(api, t[unit], unit, cid)
    register.clear()
    first = api.get(f"/v1/conferences/{cid}/shortlist?limit=2", token=admin).data
    assert len(register) == 1 and register[0] == [r["nomination"]["id"] for r in first["items"]]
    api.get(f"/v1/conferences/{cid}/shortlist?limit=2&cursor={first['next']}", token=admin)
    assert len(register) == 2 and len(register[1]) == 1


def test_approving_it_needs_an_override_note_and_the_override_is_audited(api, world, register):
    admin, store = world["admin"], world["store"]
    n = tung(api, world)
    path = f"/v1/nominations/{n.data['id']}/decision"
    refused = api.post(path, token=admin, body={"decision": "approve"}, headers={"If-Match": n.headers["ETag"]})
    assert refused.status_code == 422
    [error] = refused.data["errors"]
    assert error["field"] == "override_note" and MESSAGE in error["message"]
    blank = api.post(path, token=admin, body={"decision": "approve", "override_note": "   "},
                     headers={"If-Match": n.headers["ETag"]})
    assert blank.status_code == 422
    assert store.nominations.get(n.data["id"])["status"] == "pending"
    # holding or rejecting it needs no override
    held = api.post(path, token=admin, body={"decision": "hold"}, headers={"If-Match": n.headers["ETag"]})
    assert held.status_code == 200
    note = "Thành tích đột xuất trong đợt dịch; Hội đồng thống nhất đề nghị."
    approved = api.post(path, token=admin, body={"decision": "approve", "override_note": note},
                        headers={"If-Match": held.headers["ETag"]})
    assert approved.status_code == 200, approved.body
    override = approved.data["decision"]["override"]
    assert override["note"] == note and [w["message"] for w in override["warnings"]] == [MESSAGE]
    assert store.nominations.get(n.data["id"])["decision"]["override"] == override
    events = store.audit.list(f"nomination:{n.data['id']}", limit=10).items
    approve = next(e for e in events if e["action"] == "approve")
    assert approve["detail"]["override"] == override


def test_an_eligible_nomination_is_approved_without_a_note(api, world, register):
    n = nominate(api, world["tokens"]["ca-ha-tinh"], "ca-ha-tinh", world["conference"])
    done = api.post(f"/v1/nominations/{n.data['id']}/decision", token=world["admin"], body={"decision": "approve"},
                    headers={"If-Match": n.headers["ETag"]})
    assert done.status_code == 200 and done.data["decision"]["override"] is None


def test_a_bulk_approve_naming_an_ineligible_item_without_a_note_is_refused_as_a_whole(api, world, register):
    cid, admin, store = world["conference"], world["admin"], world["store"]
    n = tung(api, world)
    ok = nominate(api, world["tokens"]["ca-ha-tinh"], "ca-ha-tinh", cid)
    items = [{"nomination_id": ok.data["id"], "etag": ok.headers["ETag"], "decision": "approve"},
             {"nomination_id": n.data["id"], "etag": n.headers["ETag"], "decision": "approve"}]
    refused = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": items})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.data["errors"]] == ["items.1.override_note"]
    assert all(store.nominations.get(i["nomination_id"])["status"] == "pending" for i in items)
    items[1]["override_note"] = "Hội đồng thống nhất."
    done = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": items})
    assert done.status_code == 200, done.body
    by_id = {d["id"]: d for d in done.data["items"]}
    assert by_id[n.data["id"]]["decision"]["override"]["note"] == "Hội đồng thống nhất."
    assert by_id[ok.data["id"]]["decision"]["override"] is None


def test_the_warning_comes_from_the_stored_register_with_tone_placement_folded(api, world):
    """No fake: an imported 2020 entry in the (in-memory) register of "Phạm Thế Tùng" of Nghệ An warns the
    2021 nomination of "Phạm Thế  Tùng" (spacing); the detail lists it as the nominee's history."""
    from chalicelib.register import service

    store, cid, admin = world["store"], world["conference"], world["admin"]
    key = service.identity_key("individual", "Phạm Thế Tùng", "ca-nghe-an")
    store.register.put_entries([{**PAST, "identity_key": key}])
    n = nominate(api, world["tokens"]["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name="Phạm Thế  Tùng",
                 position="Thiếu tướng, Giám đốc").data
    rows = api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data["items"]
    row = next(r for r in rows if r["nomination"]["id"] == n["id"])
    assert [w["message"] for w in row["warnings"]] == [MESSAGE]
    detail = api.get(f"/v1/nominations/{n['id']}/detail", token=admin).data
    assert [e["id"] for e in detail["history"]] == ["reg-2020-tung"] and detail["warnings"] == row["warnings"]
