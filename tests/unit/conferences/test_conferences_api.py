"""The conference admin API: create, read, list, patch, validation, roles, shortlist,
compile request (202), documents, verify and download (no render here: see test_compile_*)."""

from __future__ import annotations


import pytest


BODY = {"title": "Hội nghị sơ kết công tác phòng, chống dịch COVID-19", "date": "2021-08-05", "place": "Hà Nội",
        "periods": ["2021-08", "2021-07"], "unit_ids": None, "recipients": ["Lãnh đạo Bộ <ld@bocongan.example.vn>"],
        "quotas": {"bang-khen-bo-truong": 10}, "number_prefix": "BC-BCA",
        "signer": {"title": "KT. BỘ TRƯỞNG THỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}


@pytest.fixture
def conference(api, admin_token):
    resp = api.post("/v1/conferences", token=admin_token, body=BODY)
    assert resp.status_code == 201, resp.data
    return resp


def test_create_assigns_an_id_and_returns_the_conference(conference):
    data = conference.data
    assert data["id"].startswith("20210805-") and len(data["id"]) == 15
    assert data["periods"] == ["2021-07", "2021-08"]  # sorted
    assert data["agency"] == "VĂN PHÒNG BỘ" and data["upper_agency"] == "BỘ CÔNG AN"
    assert conference.headers["Location"] == f"/v1/conferences/{data['id']}" and conference.headers["ETag"]


def test_get_list_and_patch_with_etag(api, admin_token, conference):
    cid = conference.data["id"]
    got = api.get(f"/v1/conferences/{cid}", token=admin_token)
    assert got.status_code == 200 and got.data["title"] == BODY["title"]
    listed = api.get("/v1/conferences", token=admin_token)
    assert [c["id"] for c in listed.data["items"]] == [cid] and listed.data["next"] is None
    patched = api.patch(f"/v1/conferences/{cid}", token=admin_token, body={"place": "Thành phố Hồ Chí Minh"},
                        headers={"If-Match": got.headers["ETag"]})
    assert patched.status_code == 200 and patched.data["place"] == "Thành phố Hồ Chí Minh"
    stale = api.patch(f"/v1/conferences/{cid}", token=admin_token, body={"place": "Huế"},
                      headers={"If-Match": got.headers["ETag"]})
    assert stale.status_code == 412


@pytest.mark.parametrize("field,value", [("periods", ["2021-13"]), ("periods", ["2021-07", "2021-Q3"]),
                                         ("recipients", ["khong-phai-email"]), ("date", "05/08/2021"),
                                         ("number_prefix", "bc bca"), ("signer", {"title": "x"}),
                                         ("periods", []), ("extra", 1), ("annex", 0), ("annex", "true")])
def test_invalid_bodies_are_422_with_field_errors(api, admin_token, field, value):
    resp = api.post("/v1/conferences", token=admin_token, body={**BODY, field: value})
    assert resp.status_code == 422
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert any(e["field"].startswith(field) for e in resp.data["errors"]), resp.data


def test_roles(api, admin_token, two_units, conference):
    cid = conference.data["id"]
    unit = two_units["ca-nghe-an"]
    assert api.get("/v1/conferences").status_code == 401
    assert api.get("/v1/conferences", token=unit).status_code == 403
    assert api.post("/v1/conferences", token=unit, body=BODY).status_code == 403
    leader = api.post("/v1/tokens", token=admin_token, body={"role": "leader", "name": "Lãnh đạo"}).data["token"]
    assert api.get(f"/v1/conferences/{cid}", token=leader).status_code == 200
    assert api.patch(f"/v1/conferences/{cid}", token=leader, body={"place": "Huế"}).status_code == 403
    assert api.post(f"/v1/conferences/{cid}/compile", token=leader).status_code == 403


def test_shortlist_is_empty_until_nominations_exist(api, admin_token, conference):
    resp = api.get(f"/v1/conferences/{conference.data['id']}/shortlist", token=admin_token)
    assert resp.status_code == 200 and resp.data["items"] == [] and resp.data["next"] is None
    assert resp.data["finalised_at"] is None
    assert [q["award_form"] for q in resp.data["quotas"]] == ["co-thi-dua-bo-cong-an", "bang-khen-bo-truong",
                                                              "giay-khen"]
    assert api.get("/v1/conferences/20990101-nothere/shortlist", token=admin_token).status_code == 404


def test_compile_request_is_accepted_and_queued_for_the_schedule(api, admin_token, conference, store):
    cid = conference.data["id"]
    resp = api.post(f"/v1/conferences/{cid}/compile", token=admin_token)
    assert resp.status_code == 202 and resp.data["status"] == "queued"
    assert [r["conference_id"] for r in store.conferences.compile_requests()] == [cid]
    docs = api.get(f"/v1/conferences/{cid}/documents", token=admin_token)
    assert docs.status_code == 200 and docs.data == {"items": [], "next": None}


def test_unknown_documents_are_404_and_file_needs_accept_pdf(api, admin_token):
    assert api.get("/v1/documents/7K3F-Q2MD/verify").status_code == 404
    assert api.get("/v1/documents/not-a-code/verify").status_code == 404
    resp = api.get("/v1/documents/7K3F-Q2MD/file", token=admin_token)
    assert resp.status_code == 406 and "application/pdf" in resp.data["detail"]
    assert api.get("/v1/documents/7K3F-Q2MD/file", token=admin_token,
                   headers={"Accept": "application/pdf"}).status_code == 404


# -- defect 4: recipients whose display names hold a comma or angle brackets -----------------------

def test_defect_4_recipients_are_kept_as_one_address_each_and_round_trip(api, admin_token):
    given = ['"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>', "Nguyễn Văn A <a@bca.gov.vn>", "vp@bca.gov.vn",
             {"name": "Phòng \"Tổng hợp\" <P1>", "email": "th@bca.gov.vn"}, {"email": "lt@bca.gov.vn"}]
    shown = ['"Cục Y tế, Bộ Công an" <yte@bca.gov.vn>', "Nguyễn Văn A <a@bca.gov.vn>", "vp@bca.gov.vn",
             '"Phòng \\"Tổng hợp\\" <P1>" <th@bca.gov.vn>', "lt@bca.gov.vn"]
    created = api.post("/v1/conferences", token=admin_token, body={**BODY, "recipients": given})
    assert created.status_code == 201, created.data
    assert created.data["recipients"] == shown
    cid = created.data["id"]
    # What the API shows is what it takes: sending it back gives the same recipients.
    patched = api.patch(f"/v1/conferences/{cid}", token=admin_token, body={"recipients": created.data["recipients"]},
                        headers={"If-Match": created.headers["ETag"]})
    assert patched.status_code == 200 and patched.data["recipients"] == shown
    assert api.get(f"/v1/conferences/{cid}", token=admin_token).data["recipients"] == shown


@pytest.mark.parametrize("bad", ["a@b.vn, c@d.vn", "x <y>", "Cục Y tế, Bộ Công an <yte@bca.gov.vn>",
                                 "Lãnh đạo <ld@bca.gov.vn> <x@bca.gov.vn>", "Nhóm: a@bca.gov.vn, b@bca.gov.vn;",
                                 "=?utf-8?q?L=C3=A3nh=0A=C4=91=E1=BA=A1o?= <ld@bca.gov.vn>",
                                 {"name": "Lãnh đạo", "email": "a@b.vn, c@d.vn"}, {"name": "Lãnh đạo"},
                                 {"name": "Lãnh\nđạo", "email": "ld@bca.gov.vn"}, ["ld@bca.gov.vn"], 7])
def test_defect_4_a_recipient_that_is_not_one_address_is_422_naming_it(api, admin_token, bad):
    recipients = ["Nguyễn Văn A <a@bca.gov.vn>", "vp@bca.gov.vn", bad]
    created = api.post("/v1/conferences", token=admin_token, body={**BODY, "recipients": recipients})
    assert created.status_code == 422, created.data
    [error] = created.data["errors"]
    assert error["field"].startswith("recipients.2"), error
    assert error["message"].isascii() is False  # said in Vietnamese
    cid = api.post("/v1/conferences", token=admin_token, body=BODY).data["id"]
    patched = api.patch(f"/v1/conferences/{cid}", token=admin_token, body={"recipients": recipients})
    assert patched.status_code == 422 and [e["field"] for e in patched.data["errors"]] == [error["field"]]
    assert api.get(f"/v1/conferences/{cid}", token=admin_token).data["recipients"] == BODY["recipients"]


def test_issue_20_summary_levels_and_detail_are_conference_fields_validated_default_off(api, admin_token, two_units):
    created = api.post("/v1/conferences", token=admin_token, body=BODY)
    assert (created.data["summary_levels"], created.data["summary_detail"]) == (1, [])
    cid, etag = created.data["id"], created.headers["ETag"]
    for bad in ({"summary_levels": 0}, {"summary_levels": 5}, {"summary_levels": "2"},
                {"summary_detail": ["khong-co"]}, {"summary_detail": "ca-nghe-an"}):
        resp = api.patch(f"/v1/conferences/{cid}", token=admin_token, body=bad)
        assert resp.status_code == 422 and resp.data["errors"][0]["field"].startswith(next(iter(bad))), (bad, resp.data)
    assert api.get(f"/v1/conferences/{cid}", token=admin_token).headers["ETag"] == etag  # nothing changed
    ok = api.patch(f"/v1/conferences/{cid}", token=admin_token,
                   body={"summary_levels": 2, "summary_detail": ["ca-nghe-an", "ca-nghe-an"]})
    assert ok.status_code == 200 and (ok.data["summary_levels"], ok.data["summary_detail"]) == (2, ["ca-nghe-an"])
    # out of the conference's scope: refused, whichever field moves it out
    scoped = api.patch(f"/v1/conferences/{cid}", token=admin_token, body={"unit_ids": ["ca-ha-tinh"]})
    assert scoped.status_code == 422 and scoped.data["errors"][0]["field"] == "summary_detail"
    reset = api.patch(f"/v1/conferences/{cid}", token=admin_token, body={"summary_levels": None, "summary_detail": None})
    assert (reset.data["summary_levels"], reset.data["summary_detail"]) == (1, [])
    # a conference stored before these fields existed keeps its ETag: the defaults are not in it
    from chalicelib.conferences.service import etag_of
    stored = {k: v for k, v in created.data.items() if k not in ("summary_levels", "summary_detail")}
    assert etag_of(stored) == etag_of({**stored, "summary_levels": 1, "summary_detail": []})
