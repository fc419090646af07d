"""The register of commendations: entries from issued decisions (once each), the workbook import
(every error listed, nothing stored until confirmed), search without diacritics within a unit's
subtree, the export, and a nominee's history in the nomination detail."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from chalicelib.conferences import service as conferences
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.access import Principal
from chalicelib.core.settings import settings
from chalicelib.core.states import Role
from chalicelib.publishing import lifecycle, pipeline
from chalicelib.register import service as register
from helpers import Mailbox, issue, person, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province"),
         ("pc02-ha-tinh", "Phòng Cảnh sát hình sự", "ca-ha-tinh", "department")]
ADMIN = Principal("adm", Role.ADMIN, None, "Văn thư Văn phòng")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Đối tượng (Cá nhân/Tập thể)", "Họ tên / Tên tập thể", "Số hiệu", "Ngày sinh (dd/mm/yyyy)",
          "Cấp bậc, chức vụ", "Mã đơn vị", "Hình thức khen thưởng", "Số quyết định", "Ngày quyết định (dd/mm/yyyy)",
          "Cấp quyết định", "Tóm tắt thành tích"]


def workbook(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = [
    ["Cá nhân", "Nguyễn Thị Hòa", "", "12/03/1985", "Thiếu tá", "pc02-ha-tinh", "Bằng khen của Bộ trưởng",
     "1234/QĐ-BCA", "15/12/2020", "Bộ trưởng Bộ Công an", "Hoàn thành xuất sắc nhiệm vụ."],
    ["Tập thể", "Công an tỉnh Nghệ An", "", "", "", "ca-nghe-an", "bang-khen-bo-truong", "1234/QĐ-BCA",
     "15/12/2020", "Bộ trưởng Bộ Công an", "Dẫn đầu phong trào."],
    ["Cá nhân", "Trần Văn Đức", "CA-0042", "", "Đại úy", "ca-nghe-an", "Giấy khen", "88/QĐ-CAT",
     dt.datetime(2019, 11, 20), "Giám đốc Công an tỉnh Nghệ An", ""],
]


@pytest.fixture
def world(store):
    seed_units(store, UNITS)
    return store


def post_import(api, token, data):
    return api.post("/v1/register/imports", token=token, raw=data, headers={"Content-Type": XLSX})


def test_an_import_with_bad_rows_lists_every_error_and_stores_nothing(api, world, admin_token):
    bad = [
        ["Cá nhân", "", "", "", "", "ca-nghe-an", "Giấy khen", "1/QĐ", "01/01/2020", "Giám đốc", ""],
        ["Cá nhân", "Lê Văn B", "", "31/02/1980", "", "khong-co", "Huân chương Mặt Trăng", "1/QĐ", "32/13/2020",
         "Giám đốc", ""],
        GOOD[0], GOOD[0],
    ]
    resp = post_import(api, admin_token, workbook(bad))
    assert resp.status_code == 201, resp.body
    found = {(e["row"], e["field"]) for e in resp.data["errors"]}
    assert found == {(2, "name"), (3, "birth_date"), (3, "unit_id"), (3, "award_form"), (3, "decision_date"),
                     (5, "name")}
    messages = {(e["row"], e["field"]): e["message"] for e in resp.data["errors"]}
    assert messages[(2, "name")] == "Thiếu họ tên hoặc tên tập thể."
    assert "Trùng với dòng 4" in messages[(5, "name")]
    assert (resp.data["rows"], resp.data["valid"]) == (4, 1)
    assert world.register.entries() == []
    confirm = api.post(f"/v1/register/imports/{resp.data['id']}/confirm", token=admin_token)
    assert confirm.status_code == 409
    assert world.register.entries() == []


def test_confirm_stores_every_row_once_and_search_finds_names_without_diacritics(api, world, admin_token):
    resp = post_import(api, admin_token, workbook(GOOD))
    assert resp.status_code == 201 and resp.data["errors"] == [], resp.data
    assert world.register.entries() == []  # a preview only
    unit_token = issue(world, "unit", unit_id="ca-ha-tinh")
    assert post_import(api, unit_token, workbook(GOOD)).status_code == 403
    confirm = api.post(f"/v1/register/imports/{resp.data['id']}/confirm", token=admin_token)
    assert confirm.status_code == 200 and (confirm.data["stored"], confirm.data["new"]) == (3, 3)
    again = api.post(f"/v1/register/imports/{resp.data['id']}/confirm", token=admin_token)
    assert again.status_code == 200 and again.data["new"] == 0 and len(world.register.entries()) == 3

    found = api.get("/v1/register?q=nguyen%20thi%20hoa", token=admin_token).data["items"]
    assert [e["name"] for e in found] == ["Nguyễn Thị Hòa"]
    assert (found[0]["decision_number"], found[0]["decision_date"], found[0]["year"], found[0]["source"]) == (
        "1234/QĐ-BCA", "2020-12-15", 2020, "import")
    assert [e["name"] for e in api.get("/v1/register?q=Nguyễn%20Thị%20Hoà", token=admin_token).data["items"]] == [
        "Nguyễn Thị Hòa"]
    assert [e["name"] for e in api.get("/v1/register?q=tran%20van%20duc", token=admin_token).data["items"]] == [
        "Trần Văn Đức"]
    assert len(api.get("/v1/register?year=2020", token=admin_token).data["items"]) == 2
    assert [e["name"] for e in api.get("/v1/register?award_form=giay-khen", token=admin_token).data["items"]] == [
        "Trần Văn Đức"]
    first = api.get("/v1/register?limit=2", token=admin_token).data
    rest = api.get(f"/v1/register?limit=2&cursor={first['next']}", token=admin_token).data
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next"] is None
    export = api.get("/v1/register?year=2020", token=admin_token, headers={"Accept": XLSX})
    assert export.status_code == 200 and export.headers["Content-Type"].startswith(XLSX)
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True))
    assert rows[0][1] == "Họ tên / Tên tập thể" and {r[1] for r in rows[1:]} == {"Nguyễn Thị Hòa",
                                                                                 "Công an tỉnh Nghệ An"}


def test_the_same_file_imported_twice_adds_nothing_the_second_time(api, world, admin_token):
    first = post_import(api, admin_token, workbook(GOOD))
    assert first.data["already"] == 0
    assert api.post(f"/v1/register/imports/{first.data['id']}/confirm", token=admin_token).data["new"] == 3
    # the office exports last year's file again, with one more row in it
    more = GOOD + [["Cá nhân", "Lê Thị Mai", "", "", "Trung úy", "ca-ha-tinh", "Giấy khen", "90/QĐ-CAT",
                    "20/11/2019", "Giám đốc Công an tỉnh Hà Tĩnh", ""]]
    second = post_import(api, admin_token, workbook(more))
    assert second.status_code == 201 and second.data["errors"] == [], second.data
    assert second.data["already"] == 3
    assert [p["name"] for p in second.data["preview"] if not p["already_registered"]] == ["Lê Thị Mai"]
    confirm = api.post(f"/v1/register/imports/{second.data['id']}/confirm", token=admin_token)
    assert (confirm.data["stored"], confirm.data["new"]) == (4, 1)
    assert sorted(e["name"] for e in world.register.entries()) == [
        "Công an tỉnh Nghệ An", "Lê Thị Mai", "Nguyễn Thị Hòa", "Trần Văn Đức"]


def test_a_unit_sees_only_its_subtree(api, world, admin_token):
    resp = post_import(api, admin_token, workbook(GOOD))
    api.post(f"/v1/register/imports/{resp.data['id']}/confirm", token=admin_token)
    ha_tinh = issue(world, "unit", unit_id="ca-ha-tinh")
    assert [e["name"] for e in api.get("/v1/register", token=ha_tinh).data["items"]] == ["Nguyễn Thị Hòa"]
    assert api.get("/v1/register?q=tran", token=ha_tinh).data["items"] == []
    assert api.get("/v1/register?unit_id=ca-nghe-an", token=ha_tinh).status_code == 403
    nghe_an = issue(world, "unit", unit_id="ca-nghe-an")
    assert len(api.get("/v1/register?unit_id=ca-nghe-an", token=nghe_an).data["items"]) == 2


def test_the_template_is_a_workbook_with_the_columns(api, world, admin_token):
    resp = api.get("/v1/register/template", token=admin_token, headers={"Accept": XLSX})
    assert resp.status_code == 200
    from openpyxl import load_workbook

    header = next(load_workbook(io.BytesIO(resp.body)).active.iter_rows(values_only=True))
    assert list(header) == HEADER


# -- entries from an issued Quyết định -------------------------------------------------

def _approve(store, conference_id, unit, name, form, kind="individual", position="Trung tá",
             achievements="Phá nhanh chuyên án ma túy. Bắt giữ 12 đối tượng."):
    from chalicelib.awards.models import DecisionIn, NominationIn
    from chalicelib.awards.nominations import create_nomination, decide

    nomination = create_nomination(store, ADMIN, unit, NominationIn(
        conference_id=conference_id, kind=kind, name=name, award_form=form, position=position,
        achievements=achievements), NOW)
    decide(store, ADMIN, nomination["id"], DecisionIn(decision="approve"), nomination["etag"], NOW)
    return nomination


def compile_(store, cid):
    return pipeline.compile_conference(
        store, cid, conf=settings(), now=NOW, mailer=Mailbox(),
        render=lambda doc: f"%PDF-1.7 {doc.title}".encode(), sign=lambda pdf, *a: pdf,
        docx=lambda doc: b"PK docx")


def test_an_issued_decision_writes_one_entry_per_awardee_and_a_retried_compile_none_twice(world, api,
                                                                                         admin_token):
    cid = conferences.create_conference(world, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": ["ld@bca.vn"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}), NOW)["id"]
    hoa = _approve(world, cid, "ca-ha-tinh", "Nguyễn Thị Hoà", "giay-khen")
    _approve(world, cid, "ca-ha-tinh", "Lê Văn Tám", "giay-khen")
    compile_(world, cid)
    head_id, _ = person(world, "unit", "ca-ha-tinh", name="Đại tá Giám đốc", now=NOW)
    head = Principal("h", Role.UNIT, "ca-ha-tinh", "Đại tá Giám đốc", account_id=head_id)
    stream = "decision@ca-ha-tinh@giay-khen"
    draft = world.documents.get(world.documents.stream(cid, stream)["draft_document_id"])
    lifecycle.submit(world, ADMIN, draft["document_id"], head_id, None, NOW)
    lifecycle.approve(world, head, draft["document_id"], NOW)
    [decision] = compile_(world, cid).issued
    entries = world.register.entries()
    assert sorted(e["name"] for e in entries) == ["Lê Văn Tám", "Nguyễn Thị Hoà"]
    entry = next(e for e in entries if e["nomination_id"] == hoa["id"])
    assert (entry["decision_number"], entry["decision_date"], entry["granted_by"], entry["award_form_name"]) == (
        decision["number"], decision["issued_on"], "Giám đốc Công an tỉnh Hà Tĩnh", "Giấy khen")
    assert entry["summary"] == "Phá nhanh chuyên án ma túy."
    assert (entry["source"], entry["conference_id"], entry["year"]) == ("decision", cid, 2021)
    # a compile that died after issuing (the head not yet marked) writes the same entries again: no new ones
    world.documents.move_stream(cid, stream, "issued", {"registered": None})
    compile_(world, cid)
    compile_(world, cid)
    assert len(world.register.entries()) == 2
    assert world.documents.stream(cid, stream)["registered"] == decision["document_id"]
    # the search finds it without diacritics and with the old tone placement
    assert [e["name"] for e in api.get("/v1/register?q=nguyen%20thi%20hoa", token=admin_token).data["items"]] == [
        "Nguyễn Thị Hoà"]

    # the same person nominated again: the detail shows the earlier award as history
    cid2 = conferences.create_conference(world, None, ConferenceIn.model_validate({
        "title": "Hội nghị tổng kết", "date": "2021-12-20", "periods": ["2021-08"], "recipients": ["ld@bca.vn"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}), NOW)["id"]
    from chalicelib.awards.models import NominationIn
    from chalicelib.awards.nominations import create_nomination

    again = create_nomination(world, ADMIN, "ca-ha-tinh", NominationIn(
        conference_id=cid2, kind="individual", name="Nguyễn Thị Hòa", award_form="bang-khen-bo-truong",
        position="Trung tá", achievements="Tiếp tục xuất sắc."), NOW)
    detail = api.get(f"/v1/nominations/{again['id']}/detail", token=admin_token)
    assert detail.status_code == 200, detail.body
    assert [(h["name"], h["award_form"]) for h in detail.data["history"]] == [("Nguyễn Thị Hoà", "giay-khen")]
    assert register.history_of(world, hoa) == []  # its own entry is not its history


def test_an_imported_award_is_the_history_of_the_same_person_nominated_later(api, world, admin_token, clock):
    rows = [["Cá nhân", "Phạm Thế Tùng", "", "", "Thiếu tướng", "ca-nghe-an", "Bằng khen của Bộ trưởng",
             "9876/QĐ-BCA", "18/12/2020", "Bộ trưởng Bộ Công an", "Chỉ đạo xuất sắc."],
            ["Tập thể", "Công an tỉnh Nghệ An", "", "", "", "ca-nghe-an", "Cờ thi đua của Bộ Công an",
             "9870/QĐ-BCA", "18/12/2020", "Bộ trưởng Bộ Công an", ""]]
    preview = post_import(api, admin_token, workbook(rows)).data
    assert api.post(f"/v1/register/imports/{preview['id']}/confirm", token=admin_token).status_code == 200
    cid = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": ["ld@bca.vn"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    made = {}
    for kind, name, form in (("individual", "Phạm  Thế Tùng", "bang-khen-bo-truong"),
                             ("collective", "Công an tỉnh Nghệ An", "co-thi-dua-bo-cong-an")):
        resp = api.post("/v1/units/ca-nghe-an/nominations", token=admin_token, body={
            "conference_id": cid, "kind": kind, "name": name, "award_form": form, "achievements": "Xuất sắc.",
            **({"position": "Thiếu tướng, Giám đốc"} if kind == "individual" else {"nominee_unit_id": "ca-nghe-an"})})
        assert resp.status_code == 201, resp.body
        made[kind] = resp.data["id"]
    own = issue(world, "unit", unit_id="ca-nghe-an")
    for kind, form in (("individual", "bang-khen-bo-truong"), ("collective", "co-thi-dua-bo-cong-an")):
        detail = api.get(f"/v1/nominations/{made[kind]}/detail", token=own)
        assert detail.status_code == 200, detail.body
        assert [(h["award_form"], h["decision_number"], h["year"]) for h in detail.data["history"]] == [
            (form, "9876/QĐ-BCA" if kind == "individual" else "9870/QĐ-BCA", 2020)]


def test_a_decision_that_replaces_another_takes_its_place_in_the_register(world):
    from types import SimpleNamespace

    from chalicelib.core.catalogs import award_form
    from chalicelib.documents import issuers

    units = world.units.all()
    nominations = [{"id": f"n{i}", "kind": "individual", "name": name, "unit_id": "ca-nghe-an",
                    "nominee_unit_id": "ca-nghe-an", "position": "Đại úy", "achievements": "Xuất sắc. Nhiều năm.",
                    "identity_key": f"person:{name}||ca-nghe-an"} for i, name in enumerate(("A", "B"))]
    inputs = SimpleNamespace(units=units, conference={"id": "20211220-abcdef"},
                             plan=SimpleNamespace(form=award_form("bang-khen-bo-truong")), approved=nominations)
    minister = issuers.ministry()
    first = {"document_id": "QD000001", "number": "01/QĐ-BCA", "issued_on": "2021-12-20"}
    assert register.register_decision(world, first, inputs, minister) == 2
    assert register.register_decision(world, first, inputs, minister) == 0
    assert {e["granted_by"] for e in world.register.entries()} == {"Bộ trưởng Bộ Công an"}
    inputs.approved = nominations[:1]
    second = {"document_id": "QD000002", "number": "02/QĐ-BCA", "issued_on": "2022-01-05",
              "replaces": {"document_id": "QD000001", "number": "01/QĐ-BCA", "issued_on": "2021-12-20"}}
    assert register.register_decision(world, second, inputs, minister) == 1
    assert [(e["name"], e["decision_number"], e["year"]) for e in world.register.entries()] == [
        ("A", "02/QĐ-BCA", 2022)]


@pytest.mark.parametrize("data, says", [
    (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "Tệp Excel 97-2003 (.xls) không được hỗ trợ"),
    (b"%PDF-1.7 ...", "không phải tệp Excel .xlsx"),
    (None, "không phải sổ làm việc Excel"),  # a zip, but not a workbook
])
def test_a_file_that_is_not_a_workbook_is_refused_with_why(api, world, admin_token, data, says):
    if data is None:
        import zipfile

        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "không phải Excel")
        data = out.getvalue()
    resp = post_import(api, admin_token, data)
    assert resp.status_code == 422, resp.body
    assert says in json_text(resp.data) and world.register.entries() == []


def json_text(data) -> str:
    import json

    return json.dumps(data, ensure_ascii=False)
