"""The admin's board actions over HTTP (in-memory store): "Nhắc nộp ngay" (POST .../reminder) emails
the unit's contacts at once and shows in the report's audit trail, refused when there is nothing to
remind of; "Tải bảng tổng hợp (Excel)" (GET /v1/periods/{period}/completeness/workbook) is the board,
every unit in tree order with its state, its branch's state and when it submitted."""

from __future__ import annotations

import email
import email.policy
import io
from pathlib import Path

import pytest
from helpers import open_period

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FUTURE = "2099-12-31T23:59:59+07:00"
PAST = "2021-09-10T23:59:59+07:00"
FIGURES = {"values": {"checkpoints": 40}}


def outbox(env) -> list[email.message.EmailMessage]:
    folder = Path(env["THIDUA_MAIL"].removeprefix("outbox:"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def tree(api, admin_token) -> dict[str, str]:
    """Bộ Công an > Cục Y tế > two hospitals, and a province; unit tokens by id."""
    tokens = {}
    for unit_id, name, parent, kind, emails in (
            ("bo-cong-an", "Bộ Công an", None, "ministry", ["vp@bca.vn"]),
            ("cuc-y-te", "Cục Y tế", "bo-cong-an", "department", ["cuc-y-te@bca.vn"]),
            ("bv-19-8", "Bệnh viện 19-8", "cuc-y-te", "hospital", ["bv198@bca.vn", "kehoach.bv198@bca.vn"]),
            ("bv-199", "=HYPERLINK(\"http://x\") Bệnh viện 199", "cuc-y-te", "hospital", ["bv199@bca.vn"]),
            ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province", [])):
        resp = api.post("/v1/units", token=admin_token,
                        body={"id": unit_id, "name": name, "parent_id": parent, "kind": kind, "emails": emails})
        assert resp.status_code == 201, resp.body
        tokens[unit_id] = api.post(f"/v1/units/{unit_id}/tokens", token=admin_token, body={}).data["token"]
    open_period(api, admin_token, "2021-08", FUTURE)
    return tokens


def remind(api, token, unit_id, period="2021-08"):
    return api.post(f"/v1/units/{unit_id}/reports/{period}/reminder", token=token)


def test_remind_now_emails_the_units_contacts_and_is_audited(api, admin_token, tree, env):
    sent = remind(api, admin_token, "bv-19-8")
    assert sent.status_code == 200, sent.body
    assert sent.data["sent_to"] == ["bv198@bca.vn", "kehoach.bv198@bca.vn"] and sent.data["kind"] == "before"
    [mail] = outbox(env)
    assert "bv198@bca.vn" in mail["To"] and "kehoach.bv198@bca.vn" in mail["To"]
    assert mail["Subject"] == "Nhắc nộp báo cáo tháng 8 năm 2021"
    assert "chưa nhận được báo cáo tháng 8 năm 2021" in text_of(mail)
    assert "23:59 ngày 31/12/2099" in text_of(mail)  # the deadline the admin set

    # an admin may remind again (a second, distinct message), each one in the audit trail
    assert remind(api, admin_token, "bv-19-8").status_code == 200
    assert len(outbox(env)) == 2 and outbox(env)[0]["Message-ID"] != outbox(env)[1]["Message-ID"]
    events = api.get("/v1/units/bv-19-8/reports/2021-08/audit", token=admin_token).data["items"]
    assert [e["action"] for e in events] == ["reminder_sent", "reminder_sent"]
    assert events[0]["detail"]["to"] == ["bv198@bca.vn", "kehoach.bv198@bca.vn"]


def test_after_the_deadline_the_reminder_says_overdue(api, admin_token, tree, env):
    open_period(api, admin_token, "2021-08", PAST)
    assert remind(api, admin_token, "bv-199").data["kind"] == "overdue"
    [mail] = outbox(env)
    assert mail["Subject"] == "Quá hạn nộp báo cáo tháng 8 năm 2021" and "quá hạn" in text_of(mail)


def test_remind_now_is_refused_with_a_reason_when_there_is_nothing_to_remind(api, admin_token, tree, env):
    assert api.put("/v1/units/bv-19-8/reports/2021-08", token=tree["bv-19-8"], body=FIGURES).status_code == 201
    submitted = remind(api, admin_token, "bv-19-8")
    assert submitted.status_code == 409
    assert submitted.data["detail"] == "Bệnh viện 19-8 đã nộp báo cáo tháng 8 năm 2021; không cần nhắc nộp."
    assert api.post("/v1/units/bv-19-8/reports/2021-08/review", token=admin_token,
                    body={"action": "accept"}).status_code == 200
    accepted = remind(api, admin_token, "bv-19-8")
    assert accepted.status_code == 409 and "đã được duyệt" in accepted.data["detail"]
    no_address = remind(api, admin_token, "ca-nghe-an")
    assert no_address.status_code == 409 and "chưa có thư điện tử liên hệ" in no_address.data["detail"]
    ministry = remind(api, admin_token, "bo-cong-an")
    assert ministry.status_code == 409 and "không nộp báo cáo" in ministry.data["detail"]
    assert outbox(env) == []
    assert api.get("/v1/units/bv-19-8/reports/2021-08/audit", token=admin_token).data["items"][0]["action"] == "accept"
    # only an admin; an unknown unit is 404
    assert remind(api, tree["bv-199"], "bv-199").status_code == 403
    assert remind(api, admin_token, "khong-co").status_code == 404
    assert remind(api, admin_token, "bv-199", "2021-13").status_code == 422


def test_a_returned_report_not_yet_corrected_gets_a_reminder_to_send_it_again(api, admin_token, tree, env):
    assert api.put("/v1/units/bv-199/reports/2021-08", token=tree["bv-199"], body=FIGURES).status_code == 201
    assert api.post("/v1/units/bv-199/reports/2021-08/review", token=admin_token,
                    body={"action": "return", "note": "Thiếu số liệu."}).status_code == 200
    sent = remind(api, admin_token, "bv-199")
    assert sent.status_code == 200 and sent.data["kind"] == "returned"
    reminder = outbox(env)[-1]
    assert reminder["Subject"] == "Nhắc gửi lại báo cáo tháng 8 năm 2021 đã bị trả lại"
    assert "trả lại để chỉnh sửa" in text_of(reminder)


def read_workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data)).active


def test_the_board_workbook_lists_every_unit_with_its_and_its_branchs_state(api, admin_token, tree, clock):
    for unit_id in ("bv-19-8", "bv-199"):
        assert api.put(f"/v1/units/{unit_id}/reports/2021-08", token=tree[unit_id], body=FIGURES).status_code == 201
    assert api.post("/v1/units/bv-19-8/reports/2021-08/review", token=admin_token,
                    body={"action": "accept"}).status_code == 200
    resp = api.get("/v1/periods/2021-08/completeness/workbook", token=admin_token, headers={"Accept": XLSX})
    assert resp.status_code == 200, resp.body[:300]
    assert resp.headers["Content-Type"] == XLSX
    assert 'filename="tinh-hinh-nop-bao-cao-2021-08.xlsx"' in resp.headers["Content-Disposition"]
    sheet = read_workbook(resp.body)
    assert sheet.title == "Tình hình nộp"
    assert sheet["A1"].value == "TÌNH HÌNH NỘP BÁO CÁO THÁNG 8 NĂM 2021"
    assert "hạn nộp 23:59 ngày 31/12/2099" in sheet["A2"].value
    assert sheet["A3"].value.startswith("Phải nộp: 4; đã nộp: 2; chưa nộp: 2;")
    assert [c.value for c in sheet[5]][:6] == ["Mã đơn vị", "Đơn vị", "Trạng thái", "Đúng hạn / trễ hạn", "Nộp lúc",
                                               "Tình hình nộp của cả nhánh"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=6, values_only=True)}
    assert list(rows) == ["bo-cong-an", "ca-nghe-an", "cuc-y-te", "bv-199", "bv-19-8"]  # tree order, by name ("=" first)
    assert rows["cuc-y-te"][2:4] == ("Chưa nộp", None)
    assert rows["cuc-y-te"][5:] == ("Đủ cả nhánh", 2, 2)  # its hospitals all reported
    assert rows["bo-cong-an"][2] == "Cấp tổng hợp (không nộp)" and rows["bo-cong-an"][5:] == ("Thiếu một phần nhánh", 2, 4)
    assert rows["bv-19-8"][2:4] == ("Đã duyệt", "Đúng hạn") and rows["bv-19-8"][4].startswith("20/08/2021 ")
    assert rows["ca-nghe-an"][2] == "Chưa nộp" and rows["ca-nghe-an"][5] is None
    # a name a spreadsheet would evaluate stays text, shown as written
    name = sheet.cell(6 + list(rows).index("bv-199"), 2)
    assert name.data_type == "s" and name.quotePrefix and name.value.startswith("=HYPERLINK")
    assert name.alignment.indent == 4  # depth 2: under Cục Y tế
    # the board and the workbook agree
    board = api.get("/v1/periods/2021-08/completeness", token=admin_token).data["rows"]
    assert [r["unit_id"] for r in board] == list(rows)


def test_the_board_workbook_needs_an_admin_and_the_excel_accept_header(api, admin_token, tree):
    url = "/v1/periods/2021-08/completeness/workbook"
    assert api.get(url, token=tree["cuc-y-te"], headers={"Accept": XLSX}).status_code == 403
    refused = api.get(url, token=admin_token)
    assert refused.status_code == 406 and "Accept" in refused.data["detail"]
    assert api.get("/v1/periods/2021-8/completeness/workbook", token=admin_token,
                   headers={"Accept": XLSX}).status_code == 422


def test_the_board_rows_carry_when_each_unit_submitted(api, admin_token, tree, clock):
    assert api.put("/v1/units/bv-199/reports/2021-08", token=tree["bv-199"], body=FIGURES).status_code == 201
    rows = {r["unit_id"]: r for r in api.get("/v1/periods/2021-08/completeness", token=admin_token).data["rows"]}
    assert rows["bv-199"]["submitted_at"] == "2021-08-20T03:00:00.000+00:00"  # 10:00 in Hà Nội
    assert rows["bv-19-8"]["submitted_at"] is None and rows["bo-cong-an"]["submitted_at"] is None
