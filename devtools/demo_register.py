"""The demo's register of commendations: a year of past awards (2020) imported from a generated
workbook through the HTTP API (preview, then confirm).

Phạm Thế Tùng received the Bằng khen của Bộ trưởng in 2020 and is nominated for it again in the
demo conference: what the eligibility rules can warn about. The other entries are illustrative.
"""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from typing import Any

from devtools.stack import Http

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MINISTER = "Bộ trưởng Bộ Công an"
# (kind, name, birth date, position, unit, award form, decision number, decision date, granted by, summary)
PAST_AWARDS_2020: list[tuple[str, ...]] = [
    ("Cá nhân", "Phạm Thế Tùng", "", "Thiếu tướng, Giám đốc Công an tỉnh", "ca-nghe-an",
     "Bằng khen của Bộ trưởng Bộ Công an", "9876/QĐ-BCA", "18/12/2020", MINISTER,
     "Chỉ đạo hoàn thành xuất sắc nhiệm vụ bảo đảm an ninh, trật tự năm 2020."),
    ("Tập thể", "Công an tỉnh Bắc Giang", "", "", "ca-bac-giang", "Cờ thi đua của Bộ Công an", "9870/QĐ-BCA",
     "18/12/2020", MINISTER, "Dẫn đầu phong trào thi đua vì an ninh Tổ quốc năm 2020."),
    ("Tập thể", "Bệnh viện 19-8", "", "", "bv-19-8", "Bằng khen của Bộ trưởng Bộ Công an", "9876/QĐ-BCA",
     "18/12/2020", MINISTER, "Hoàn thành xuất sắc nhiệm vụ khám, chữa bệnh năm 2020."),
    ("Cá nhân", "Nguyễn Thị Hòa", "14/05/1986", "Thiếu tá, Phó Trưởng khoa", "bv-199", "Giấy khen",
     "312/QĐ-CYT", "25/11/2020", "Cục trưởng Cục Y tế", "Hoàn thành xuất sắc nhiệm vụ năm 2020."),
    ("Cá nhân", "Lê Văn Đức", "02/09/1979", "Trung tá, Đội trưởng", "ca-binh-duong", "Giấy khen", "1520/QĐ-CAT",
     "28/12/2020", "Giám đốc Công an tỉnh Bình Dương", "Triệt phá nhiều ổ nhóm tội phạm trên địa bàn."),
    ("Cá nhân", "Trần Quang Vinh", "20/10/1983", "Thiếu tá", "ca-da-nang", "Giấy khen", "2011/QĐ-CATP",
     "22/12/2020", "Giám đốc Công an thành phố Đà Nẵng", "Hoàn thành xuất sắc nhiệm vụ năm 2020."),
]
HEADER = ["Đối tượng (Cá nhân/Tập thể)", "Họ tên / Tên tập thể", "Số hiệu", "Ngày sinh (dd/mm/yyyy)",
          "Cấp bậc, chức vụ", "Mã đơn vị", "Hình thức khen thưởng", "Số quyết định", "Ngày quyết định (dd/mm/yyyy)",
          "Cấp quyết định", "Tóm tắt thành tích"]


def past_awards_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    for kind, name, born, position, unit, form, number, date, granted, summary in PAST_AWARDS_2020:
        wb.active.append([kind, name, "", born, position, unit, form, number, date, granted, summary])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _post_workbook(base: str, token: str, path: str, data: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(base + path, data=data, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": XLSX})
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def import_past_awards(admin: Http) -> dict[str, Any]:
    """Preview the 2020 workbook, then confirm it; the register's size for 2020 afterwards."""
    status, preview = _post_workbook(admin.base, admin.token or "", "/v1/register/imports", past_awards_workbook())
    if status != 201 or preview["errors"]:
        raise SystemExit(f"demo failed: POST /v1/register/imports answered {status}: {preview}")
    print(f"  xem trước: {preview['rows']} dòng, {preview['valid']} hợp lệ, {len(preview['errors'])} lỗi")
    status, _, confirmed = admin.call("POST", f"/v1/register/imports/{preview['id']}/confirm")
    if status != 200:
        raise SystemExit(f"demo failed: POST /v1/register/imports/{{id}}/confirm answered {status}: {confirmed}")
    size = len(entries(admin, "year=2020"))
    print(f"  đã lưu {confirmed['stored']} mục; sổ theo dõi khen thưởng năm 2020 có {size} mục")
    status, _, found = admin.call("GET", "/v1/register?q=pham%20the%20tung")
    for e in found["items"]:
        print(f"  tra cứu 'pham the tung': {e['name']}, {e['award_form_name']}, Quyết định số "
              f"{e['decision_number']} ngày {_vn(e['decision_date'])} ({e['granted_by']})")
    return {"size": size, **confirmed}


def _vn(date: str) -> str:
    year, month, day = date.split("-")
    return f"{int(day)}/{int(month)}/{year}"


def entries(admin: Http, query: str = "") -> list[dict[str, Any]]:
    """Every entry a search finds, page after page."""
    out: list[dict[str, Any]] = []
    cursor = None
    while True:
        path = f"/v1/register?limit=100{'&' + query if query else ''}" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = admin.call("GET", path)
        if status != 200:
            raise SystemExit(f"demo failed: GET {path} answered {status}: {page}")
        out += page["items"]
        cursor = page["next"]
        if not cursor:
            return out


def print_size(admin: Http) -> None:
    """The register after the issue: the imported year and the awards the conference's decisions wrote."""
    found = entries(admin)
    years: dict[int, int] = {}
    for e in found:
        years[e["year"]] = years.get(e["year"], 0) + 1
    per_year = ", ".join(f"{year}: {n}" for year, n in sorted(years.items()))
    print(f"  sổ theo dõi khen thưởng: {len(found)} mục ({per_year}); "
          f"{sum(e['source'] == 'decision' for e in found)} mục do các Quyết định vừa ban hành ghi")
