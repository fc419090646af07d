"""`make demo`, the award half: units nominate, reviewers score, the office decides and
finalises, all through the HTTP API; the shortlist is saved as a workbook."""

from __future__ import annotations

import hashlib
from pathlib import Path

from devtools import demo_data
from devtools.stack import Http, Stack

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _check(status: int, body: object, expected: tuple[int, ...], what: str) -> None:
    if status not in expected:
        raise SystemExit(f"demo failed: {what} answered {status}: {body}")


def nominate(stack: Stack, tokens: dict[str, str], conference_id: str) -> list[dict]:
    made = []
    for unit_id, body in demo_data.NOMINATIONS:
        status, _, n = Http(stack.api_url, tokens[unit_id]).call(
            "POST", f"/v1/units/{unit_id}/nominations", {**body, "conference_id": conference_id},
            {"Idempotency-Key": "demo-" + hashlib.sha256(body["name"].encode()).hexdigest()[:16]})
        _check(status, n, (201,), f"POST /v1/units/{unit_id}/nominations")
        made.append(n)
        print(f"  {unit_id:<16} đề nghị {n['award_form']:<22} {n['name']}")
    return made


def score(stack: Stack, admin: Http, nominations: list[dict]) -> None:
    criteria = ("impact", "exemplary", "initiative")
    for r, (name, unit_id) in enumerate(demo_data.REVIEWERS):
        status, _, token = admin.call("POST", "/v1/tokens", {"role": "leader", "name": name, "unit_id": unit_id})
        _check(status, token, (201,), "POST /v1/tokens")
        reviewer = Http(stack.api_url, token["token"])
        for i, n in enumerate(nominations):
            # illustrative, varied scores; deterministic so the demo ranks the same every run
            points = {c: 5 + (i * 3 + r * 2 + j) % 4 for j, c in enumerate(criteria)}
            if n["name"] in demo_data.REVIEW_SCORES:
                points = dict(zip(criteria, demo_data.REVIEW_SCORES[n["name"]]))
            status, _, body = reviewer.call("POST", f"/v1/nominations/{n['id']}/scores", {"scores": points})
            _check(status, body, (200, 403), "POST /v1/nominations/{id}/scores")
        print(f"  {name} đã chấm điểm")


# the office's reason for approving a nomination over an eligibility warning (kept on the decision, audited)
OVERRIDE_NOTE = ("Hội đồng Thi đua - Khen thưởng xét thành tích đột xuất trong phòng, chống dịch COVID-19, "
                 "thống nhất đề nghị khen thưởng.")


def decide(admin: Http, conference_id: str) -> dict:
    """Approve what is within each quota in one bulk decision; reject the rest with a note."""
    status, _, shortlist = admin.call("GET", f"/v1/conferences/{conference_id}/shortlist")
    _check(status, shortlist, (200,), "GET /v1/conferences/{id}/shortlist")
    items = []
    for row in shortlist["items"]:
        n = row["nomination"]
        status, headers, _ = admin.call("GET", f"/v1/nominations/{n['id']}")
        etag = headers["ETag"]
        if row["within_quota"]:
            item = {"nomination_id": n["id"], "etag": etag, "decision": "approve"}
            if row.get("warnings"):  # eligibility (issue 19): approving over a warning needs a reason
                item["override_note"] = OVERRIDE_NOTE
            items.append(item)
        else:
            note = f"Vượt chỉ tiêu {row['award_form_name']} của hội nghị; đề nghị xét khen thưởng ở cấp đơn vị."
            status, _, body = admin.call("POST", f"/v1/nominations/{n['id']}/decision",
                                         {"decision": "reject", "note": note}, {"If-Match": etag})
            _check(status, body, (200,), "POST /v1/nominations/{id}/decision")
        print(f"  {row['award_form_name'][:34]:<35} hạng {row['rank']}  {row['score']['total']:>6}  "
              f"{'duyệt' if row['within_quota'] else 'từ chối'}  {n['name']}")
        for warning in row.get("warnings") or []:
            print(f"      ⚠ Cảnh báo điều kiện: {warning['message']}")
            print(f"        Căn cứ: {warning['citation']}")
            if row["within_quota"]:
                print(f"        Duyệt vượt điều kiện, lý do: {OVERRIDE_NOTE}")
    status, _, body = admin.call("POST", f"/v1/conferences/{conference_id}/decisions", {"items": items})
    _check(status, body, (200,), "POST /v1/conferences/{id}/decisions")
    return shortlist


def finalise(admin: Http, conference_id: str) -> None:
    _, headers, _ = admin.call("GET", f"/v1/conferences/{conference_id}")
    status, _, body = admin.call("POST", f"/v1/conferences/{conference_id}/finalise", None,
                                 {"If-Match": headers["ETag"]})
    _check(status, body, (200,), "POST /v1/conferences/{id}/finalise")
    print(f"  Đã chốt danh sách lúc {body['finalised_at']}")


def save_workbook(stack: Stack, admin: Http, conference_id: str, out: Path) -> Path:
    import urllib.request

    request = urllib.request.Request(f"{stack.api_url}/v1/conferences/{conference_id}/shortlist",
                                     headers={"Authorization": f"Bearer {admin.token}", "Accept": XLSX})
    with urllib.request.urlopen(request, timeout=30) as resp:
        path = out / "danh-sach-de-nghi-khen-thuong.xlsx"
        path.write_bytes(resp.read())
    return path
