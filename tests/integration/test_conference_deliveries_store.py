"""GET /v1/conferences/{id}/deliveries on DynamoDB Local: the deliveries the compile recorded
(outbox mailer, stand-in renderer), paged by document version across real Query pages, and the
compile request that waits for its run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from chalicelib.core.clock import iso
from chalicelib.core.settings import settings
from chalicelib.publishing import pipeline
from helpers import issue_summary, put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")]
RECIPIENTS = [{"name": "Cục Y tế, Bộ Công an", "email": "yte@bca.vn"}, {"name": "Văn phòng Bộ", "email": "vp@bca.vn"}]


def render(doc) -> bytes:
    rows = ";".join(f"{r.name}={sorted(r.values.items())}" for r in getattr(doc, "unit_rows", []))
    return f"%PDF-1.7 {doc.heading.number} {rows}".encode()


def test_deliveries_of_two_versions_page_by_version_and_a_waiting_request_shows(api, admin_token, store, env):
    seed_units(store, UNITS)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 15000})
    created = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": RECIPIENTS,
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Nguyễn Văn A"}})
    assert created.status_code == 201, created.data
    cid = created.data["id"]
    path = f"/v1/conferences/{cid}/deliveries"

    queued = api.post(f"/v1/conferences/{cid}/compile", token=admin_token)
    assert api.get(path, token=admin_token).data == {"items": [], "next": None,
                                                     "compile_requested_at": queued.data["requested_at"]}

    # issue 18: only issued documents are mailed: draft v1 → issued v2 (01); replaced: draft v3 → issued v4 (02)
    mailer = pipeline.mailer_for(settings())  # the outbox
    issue_summary(store, cid, mailer, render, NOW)
    put_report(store, "ca-nghe-an", "2021-08", {"citizens_escorted": 16000})
    later = NOW + dt.timedelta(minutes=5)
    issue_summary(store, cid, mailer, render, later)

    first = api.get(f"{path}?limit=2", token=admin_token).data
    assert sorted((d["number"], d["recipient"], d["state"], d["sent_at"]) for d in first["items"]) == [
        ("01/BC-BCA", '"Cục Y tế, Bộ Công an" <yte@bca.vn>', "sent", iso(NOW)),
        ("01/BC-BCA", "Văn phòng Bộ <vp@bca.vn>", "sent", iso(NOW))]
    assert first["next"]
    second = api.get(f"{path}?limit=2&cursor={first['next']}", token=admin_token).data
    assert {(d["number"], d["sent_at"]) for d in second["items"]} == {("02/BC-BCA", iso(later))}
    assert sorted(d["email"] for d in second["items"]) == ["vp@bca.vn", "yte@bca.vn"]
    if second["next"]:  # DynamoDB may hand out a cursor at the end of a full page: it leads to nothing
        assert api.get(f"{path}?limit=2&cursor={second['next']}", token=admin_token).data["items"] == []
    # what is listed is what was mailed: one message per recipient and version in the outbox
    assert len(list(Path(env["THIDUA_MAIL"].removeprefix("outbox:")).glob("*.eml"))) == 4
