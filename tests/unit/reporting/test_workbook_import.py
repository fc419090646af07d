"""The workbook (GET/POST /v1/units/{unit_id}/reports/{period}/workbook): the template a clerk fills
in Excel, and reading a filled one back into reports and errors by sheet, row and column, storing
nothing. Workbooks are built here with openpyxl, as Excel would save them."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from chalicelib.reporting.workbook import XLSX
from devtools.workbooks import fill_template
from helpers import issue, put_report, seed_units

PARENT, OTHER = "ca-nghe-an", "ca-ha-tinh"
SUBS = ("pc-giao-thong", "pc-an-ninh", "ca-tp-vinh")
UNITS = [(PARENT, "Công an tỉnh Nghệ An", None, "province"),
         ("pc-giao-thong", "Phòng Cảnh sát giao thông", PARENT, "other"),
         ("pc-an-ninh", "Phòng An ninh đối nội", PARENT, "other"),
         ("ca-tp-vinh", "Công an thành phố Vinh", PARENT, "other"),
         ("doi-1", "Đội 1", "ca-tp-vinh", "other"),
         (OTHER, "Công an tỉnh Hà Tĩnh", None, "province")]


@pytest.fixture
def tree(store, api, admin_token, clock):
    seed_units(store, UNITS)
    api.put("/v1/periods/2021-08", token=admin_token, body={"deadline": "2099-12-31T23:59:59+07:00"})
    return {"parent": issue(store, "unit", unit_id=PARENT), "child": issue(store, "unit", unit_id="pc-an-ninh"),
            "other": issue(store, "unit", unit_id=OTHER), "leader": issue(store, "leader"), "admin": admin_token}


def download(api, token, unit=PARENT, period="2021-08"):
    return api.get(f"/v1/units/{unit}/reports/{period}/workbook", token=token, headers={"Accept": XLSX})


def upload(api, token, data, unit=PARENT, period="2021-08", content_type=XLSX):
    return api.post(f"/v1/units/{unit}/reports/{period}/workbook", token=token, raw=data,
                    headers={"Content-Type": content_type})


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data))["Báo cáo"]


def codes_row(ws) -> dict[str, int]:
    return {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}


def rows_by_unit(ws) -> dict[str, int]:
    return {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}


# -- the template -------------------------------------------------------------------------------

def test_the_template_has_a_row_per_unit_a_column_per_indicator_and_todays_figures(api, tree, store):
    put_report(store, PARENT, "2021-08", {"checkpoints": 15000, "tracing_teams": 52}, achievements="Lập 51 tổ.")
    resp = download(api, tree["parent"])
    assert resp.status_code == 200, resp.body
    assert resp.headers["Content-Type"] == XLSX
    assert resp.headers["Content-Disposition"] == 'attachment; filename="bao-cao-ca-nghe-an-2021-08.xlsx"'
    wb = load_workbook(io.BytesIO(resp.body))
    assert wb.sheetnames == ["Báo cáo", "Hướng dẫn"]
    ws = wb["Báo cáo"]
    # the unit itself, then its direct sub-units in Vietnamese order (not the sub-unit's own sub-unit)
    assert [ws.cell(r, 2).value for r in range(3, ws.max_row + 1)] == [
        "Công an tỉnh Nghệ An", "Công an thành phố Vinh", "Phòng An ninh đối nội", "Phòng Cảnh sát giao thông"]
    assert [ws.cell(r, 1).value for r in range(3, 7)] == [PARENT, "ca-tp-vinh", "pc-an-ninh", "pc-giao-thong"]
    # hidden codes: row 1 and column A; the header row carries the Vietnamese label and unit
    assert ws.row_dimensions[1].hidden and ws.column_dimensions["A"].hidden
    columns = codes_row(ws)
    from chalicelib.core.catalogs import indicator_catalog

    for indicator in indicator_catalog().indicators:
        header = ws.cell(2, columns[f"values.{indicator.code}"]).value
        assert header == f"{indicator.label} ({indicator.unit})"
        assert f"comments.{indicator.code}" in columns
    assert ws.cell(2, columns["achievements"]).value == "Thành tích nổi bật"
    # today's figures prefilled, as whole numbers
    cell = ws.cell(3, columns["values.checkpoints"])
    assert cell.value == 15000 and cell.number_format == "#,##0"
    assert ws.cell(3, columns["achievements"]).value == "Lập 51 tổ."
    assert ws.cell(4, columns["values.checkpoints"]).value is None
    # readable: header frozen, columns wide enough, whole-number validation on the figures
    assert ws.freeze_panes == "C3"
    assert ws.column_dimensions["B"].width >= 30
    validations = ws.data_validations.dataValidation
    assert validations and all(v.type == "whole" for v in validations)
    assert len(validations) == len(indicator_catalog().indicators)
    notes = " ".join(str(c.value) for row in wb["Hướng dẫn"].iter_rows() for c in row if c.value)
    assert "không dùng công thức" in notes.lower() and "tháng 8 năm 2021" in notes


def test_the_template_needs_the_accept_header_and_a_real_period(api, tree):
    assert api.get(f"/v1/units/{PARENT}/reports/2021-08/workbook", token=tree["parent"]).status_code == 406
    assert download(api, tree["parent"], period="2021-13").status_code == 422
    assert download(api, tree["admin"], unit="khong-co").status_code == 404


@pytest.mark.parametrize("caller, unit, method, status", [
    ("parent", PARENT, "get", 200), ("parent", "pc-an-ninh", "get", 200), ("child", "pc-an-ninh", "get", 200),
    ("child", PARENT, "get", 403), ("other", PARENT, "get", 403), ("leader", PARENT, "get", 200),
    ("parent", "pc-an-ninh", "post", 200), ("child", PARENT, "post", 403), ("other", PARENT, "post", 403),
    ("leader", PARENT, "post", 403), ("admin", PARENT, "post", 200),
])
def test_who_may_download_and_upload(api, tree, caller, unit, method, status):
    if method == "get":
        resp = download(api, tree[caller], unit=unit)
    else:
        template = download(api, tree["admin"], unit=unit).body
        resp = upload(api, tree[caller], fill_template(template, {}), unit=unit)
    assert resp.status_code == status, resp.body


# -- reading it back ---------------------------------------------------------------------------------

def test_three_sub_units_figures_are_read_into_reports_and_nothing_is_stored(api, tree, store):
    put_report(store, "pc-an-ninh", "2021-08", {"checkpoints": 1})
    template = download(api, tree["parent"]).body
    data = fill_template(template, {
        "pc-giao-thong": {"checkpoints": 12, "violations_detected": 30, "violations_penalised": 20,
                          "fines_vnd": 150_000_000},
        "pc-an-ninh": {"checkpoints": 8, "tracing_teams": 4},
        "ca-tp-vinh": {"officers_mobilised": 250.0, "citizens_escorted": 15000},
    }, cells={("pc-an-ninh", "comments.tracing_teams"): "Thêm tổ mới"},
        achievements={"ca-tp-vinh": "Hoàn thành xuất sắc nhiệm vụ."})
    resp = upload(api, tree["parent"], data)
    assert resp.status_code == 200, resp.body
    body = resp.data
    assert body["errors"] == [] and body["unit_id"] == PARENT and body["period"] == "2021-08"
    reports = {r["unit_id"]: r for r in body["reports"]}
    assert list(reports) == ["ca-tp-vinh", "pc-an-ninh", "pc-giao-thong"]  # the blank parent row sends nothing
    assert all(r["valid"] for r in reports.values())
    assert reports["pc-giao-thong"]["values"] == {"checkpoints": 12, "violations_detected": 30,
                                                  "violations_penalised": 20, "fines_vnd": 150_000_000}
    assert reports["ca-tp-vinh"]["values"] == {"officers_mobilised": 250, "citizens_escorted": 15000}
    assert reports["ca-tp-vinh"]["achievements"] == "Hoàn thành xuất sắc nhiệm vụ."
    assert reports["ca-tp-vinh"]["unit_name"] == "Công an thành phố Vinh"
    assert reports["pc-an-ninh"]["values"] == {"checkpoints": 8, "tracing_teams": 4}  # the prefilled 1 was changed
    assert reports["pc-an-ninh"]["comments"] == {"tracing_teams": "Thêm tổ mới"}
    # the current report's ETag, for the PUT's If-Match; null where there is none
    current = store.reports.get("pc-an-ninh", "2021-08")
    assert reports["pc-an-ninh"]["etag"] == current["etag"] and reports["pc-an-ninh"]["version"] == 1
    assert reports["pc-giao-thong"]["etag"] is None and reports["pc-giao-thong"]["version"] is None
    # nothing stored
    assert store.reports.get("pc-giao-thong", "2021-08") is None
    assert store.reports.get("pc-an-ninh", "2021-08")["values"] == {"checkpoints": 1}


def test_each_bad_cell_is_an_error_by_sheet_row_and_column_never_coerced(api, tree):
    template = download(api, tree["parent"]).body
    ws = sheet_of(template)
    col, row = codes_row(ws), rows_by_unit(ws)
    data = fill_template(template, {
        "pc-giao-thong": {"checkpoints": 12},
        "pc-an-ninh": {"checkpoints": 8},
        "ca-tp-vinh": {"violations_detected": 5, "violations_penalised": 9},   # cross-field rule broken
    }, cells={
        ("pc-giao-thong", "tracing_teams"): "=B3*2",           # a formula
        ("pc-an-ninh", "tracing_teams"): "mười hai",          # a text in a number cell
        ("pc-an-ninh", "escort_plans"): "15.000",             # a number typed as text: not coerced
        ("pc-an-ninh", "news_items"): 2.5,                     # a decimal
        (PARENT, "checkpoints"): -3,                           # a negative figure
    })
    resp = upload(api, tree["parent"], data)
    assert resp.status_code == 200, resp.body
    errors = {(e["row"], e["column"]): e for e in resp.data["errors"]}
    from openpyxl.utils import get_column_letter as letter

    def at(unit, key):
        return errors[(row[unit], letter(col[key]))]

    formula = at("pc-giao-thong", "values.tracing_teams")
    assert formula["sheet"] == "Báo cáo" and formula["field"] == "values.tracing_teams"
    assert "công thức" in formula["message"]
    assert "văn bản \"mười hai\"" in at("pc-an-ninh", "values.tracing_teams")["message"]
    assert "không phải số" in at("pc-an-ninh", "values.escort_plans")["message"]
    assert "phần thập phân" in at("pc-an-ninh", "values.news_items")["message"]
    assert at(PARENT, "values.checkpoints")["message"] == "Phải lớn hơn hoặc bằng 0."
    cross = at("ca-tp-vinh", "values.violations_penalised")
    assert "không được lớn hơn" in cross["message"]
    assert len(resp.data["errors"]) == 6
    # errors come in reading order: by row, then column
    assert [(e["row"], col[e["field"]]) for e in resp.data["errors"]] == sorted(
        (e["row"], col[e["field"]]) for e in resp.data["errors"])
    # rows with errors are still shown, marked invalid, with what could be read
    reports = {r["unit_id"]: r for r in resp.data["reports"]}
    assert not reports["pc-an-ninh"]["valid"] and reports["pc-an-ninh"]["values"] == {"checkpoints": 8}
    assert not reports["pc-giao-thong"]["valid"]


def test_rows_for_units_outside_the_subtree_unknown_or_repeated_are_errors(api, tree):
    template = download(api, tree["parent"]).body
    wb = load_workbook(io.BytesIO(template))
    ws = wb["Báo cáo"]
    col = codes_row(ws)
    extra = [(OTHER, 5), ("khong-co", 6), ("pc-an-ninh", 7), ("doi-1", 8)]
    for offset, (unit_id, value) in enumerate(extra):
        r = ws.max_row + 1
        ws.cell(r, 1).value = unit_id
        ws.cell(r, col["values.checkpoints"]).value = value
    ws.cell(ws.max_row + 1, col["values.checkpoints"]).value = 9  # a figure with no unit
    out = io.BytesIO()
    wb.save(out)
    resp = upload(api, tree["parent"], out.getvalue())
    assert resp.status_code == 200, resp.body
    messages = {e["row"]: e for e in resp.data["errors"]}
    assert "Công an tỉnh Hà Tĩnh" in messages[7]["message"] and "cấp dưới" in messages[7]["message"]
    assert messages[7]["column"] == "A" and messages[7]["field"] == "unit_id"
    assert "khong-co" in messages[8]["message"]
    assert "đã có ở dòng" in messages[9]["message"]
    assert "thiếu mã đơn vị" in messages[11]["message"]
    assert 10 not in messages  # a sub-unit's own sub-unit is in the subtree
    assert [r["unit_id"] for r in resp.data["reports"]] == ["doi-1"]


def test_a_locked_period_for_a_row_is_an_error_on_that_row(api, tree, store, admin_token):
    put_report(store, "pc-an-ninh", "2021-08", {"checkpoints": 1})
    assert api.post("/v1/units/pc-an-ninh/reports/2021-08/review", token=admin_token,
                    body={"action": "accept"}).status_code == 200
    template = download(api, tree["parent"]).body
    resp = upload(api, tree["parent"], fill_template(template, {"pc-an-ninh": {"checkpoints": 2}}))
    error, = resp.data["errors"]
    assert error["column"] == "B" and error["field"] == "period" and "đã được duyệt" in error["message"]
    assert resp.data["reports"][0]["valid"] is False


def test_an_outlier_needs_its_comment_as_a_submission_does(api, tree, store):
    for period in ("2021-05", "2021-06", "2021-07"):
        put_report(store, "pc-an-ninh", period, {"checkpoints": 10})
    template = download(api, tree["parent"]).body
    resp = upload(api, tree["parent"], fill_template(template, {"pc-an-ninh": {"checkpoints": 500}}))
    error, = resp.data["errors"]
    assert error["field"] == "values.checkpoints" and "trung vị" in error["message"]
    explained = fill_template(template, {"pc-an-ninh": {"checkpoints": 500}},
                              cells={("pc-an-ninh", "comments.checkpoints"): "Tăng cường dịp cao điểm."})
    assert upload(api, tree["parent"], explained).data["errors"] == []


def test_the_returned_report_is_what_a_put_accepts_the_parent_submitting_for_its_sub_units(api, tree):
    template = download(api, tree["parent"]).body
    data = fill_template(template, {"pc-giao-thong": {"checkpoints": 12}, PARENT: {"checkpoints": 40}},
                         achievements={PARENT: "Bảo đảm an toàn giao thông."})
    reports = {r["unit_id"]: r for r in upload(api, tree["parent"], data).data["reports"]}
    for unit_id, report in reports.items():
        body = {k: report[k] for k in ("values", "comments", "achievements")}
        resp = api.put(f"/v1/units/{unit_id}/reports/2021-08", token=tree["parent"], body=body,
                       headers={"Idempotency-Key": f"nhap-{unit_id}"})
        assert resp.status_code == 201, resp.body
    # a sub-unit acts for itself only: not for its parent, nor for a sibling
    body = {"values": {"checkpoints": 1}}
    assert api.put(f"/v1/units/{PARENT}/reports/2021-08", token=tree["child"], body=body).status_code == 403
    assert api.put("/v1/units/pc-giao-thong/reports/2021-08", token=tree["child"], body=body).status_code == 403
    again = {r["unit_id"]: r for r in upload(api, tree["parent"], data).data["reports"]}
    assert again[PARENT]["etag"] == api.get(f"/v1/units/{PARENT}/reports/2021-08",
                                            token=tree["parent"]).headers["ETag"].strip('"')


def zipped(files: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def plain_workbook() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "Số liệu"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("data, words", [
    (b"", "không phải tệp Excel"),
    (b"unit_id,checkpoints\nca-nghe-an,5\n", "không phải tệp Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, ".xls"),
    (b"PK\x03\x04" + b"\0" * 100, "bị hỏng"),
    (zipped({"hello.txt": b"hi"}), "không phải sổ làm việc"),
    (zipped({"xl/workbook.xml": b"<not-xml"}), "Không đọc được"),
    (plain_workbook(), "không theo mẫu"),
])
def test_a_file_that_is_not_a_template_workbook_is_a_422_with_a_clear_message(api, tree, data, words):
    resp = upload(api, tree["parent"], data)
    assert resp.status_code == 422, resp.body
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert words in resp.data["errors"][0]["message"] and resp.data["errors"][0]["field"] == "body"


def test_a_truncated_template_is_a_422(api, tree):
    template = download(api, tree["parent"]).body
    assert upload(api, tree["parent"], template[: len(template) // 2]).status_code == 422


def test_a_zip_bomb_is_refused_before_it_is_inflated(api, tree):
    data = zipped({"xl/workbook.xml": b"<workbook/>", "xl/big.xml": b" " * (40 * 1024 * 1024)})
    assert len(data) < 1024 * 1024
    resp = upload(api, tree["parent"], data)
    assert resp.status_code == 422 and "quá lớn" in resp.data["errors"][0]["message"]


def test_size_and_media_type_are_capped(api, tree):
    assert upload(api, tree["parent"], b"PK\x03\x04" + b"\0" * (1024 * 1024)).status_code == 413
    resp = upload(api, tree["parent"], plain_workbook(), content_type="application/json")
    assert resp.status_code == 415 and XLSX in resp.data["detail"]
    # authorization comes first: a stranger learns nothing about the body
    assert upload(api, tree["other"], b"junk", content_type="application/json").status_code == 403


def test_the_devtools_fill_is_what_the_browser_test_uploads(api, tree):
    from devtools.workbooks import sub_units_filled, template_units

    template = download(api, tree["parent"]).body
    assert template_units(template) == [PARENT, "ca-tp-vinh", "pc-an-ninh", "pc-giao-thong"]
    bad = upload(api, tree["parent"], sub_units_filled(template, bad_cell=True)).data
    error, = bad["errors"]
    assert error["row"] == 4 and error["field"] == "values.checkpoints" and "mười hai" in error["message"]
    good = upload(api, tree["parent"], sub_units_filled(template)).data
    assert good["errors"] == [] and [r["unit_id"] for r in good["reports"]] == ["ca-tp-vinh", "pc-an-ninh",
                                                                                 "pc-giao-thong"]


def test_rows_past_the_cap_are_an_error_but_styled_empty_rows_are_not(api, tree):
    from chalicelib.reporting.workbook import MAX_ROWS

    template = download(api, tree["parent"]).body
    wb = load_workbook(io.BytesIO(template))
    ws = wb["Báo cáo"]
    ws.cell(3 + MAX_ROWS + 20, 2).number_format = "0.00"  # formatting only: nothing written
    out = io.BytesIO()
    wb.save(out)
    assert upload(api, tree["parent"], out.getvalue()).data["errors"] == []
    ws.cell(3 + MAX_ROWS + 20, 1).value = "pc-an-ninh"
    out = io.BytesIO()
    wb.save(out)
    error, = upload(api, tree["parent"], out.getvalue()).data["errors"]
    assert error["row"] == 3 + MAX_ROWS and f"quá {MAX_ROWS} dòng" in error["message"]


def test_text_columns_meet_the_report_models_rules(api, tree):
    template = download(api, tree["parent"]).body
    ws = sheet_of(template)
    col, row = codes_row(ws), rows_by_unit(ws)
    data = fill_template(template, {"pc-an-ninh": {"checkpoints": 3}, "ca-tp-vinh": {"checkpoints": 4}}, cells={
        ("pc-an-ninh", "achievements"): "x" * 20_001,                     # over the cap a PUT has
        ("ca-tp-vinh", "comments.checkpoints"): "=HYPERLINK(\"http://x\")",  # a formula in a text cell
        ("pc-giao-thong", "comments.checkpoints"): "Chỉ có giải thích",   # no figure, no achievements
    })
    from openpyxl.utils import get_column_letter as letter

    errors = {(e["row"], e["column"]): e for e in upload(api, tree["parent"], data).data["errors"]}
    assert errors[(row["pc-an-ninh"], letter(col["achievements"]))]["message"] == "Dài quá 20000 ký tự."
    assert "công thức" in errors[(row["ca-tp-vinh"], letter(col["comments.checkpoints"]))]["message"]
    empty = errors[(row["pc-giao-thong"], "B")]
    assert empty["field"] == "values" and "ít nhất một số liệu" in empty["message"]
    assert len(errors) == 3
