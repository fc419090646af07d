"""The shortlist of a conference with 5,000 nominations answers in pages, none over 1 MB (Lambda's limit is 6 MB),
each nomination exactly once, in the order of the unpaged ranking (in-memory store)."""

from __future__ import annotations

import json
import secrets

from chalicelib.awards import nominations as service
from chalicelib.core.clock import SystemClock, iso
from helpers import put_report, seed_units

NOMINATIONS = 5_000
UNITS = 100
LAMBDA_BODY = 6 * 1024 * 1024
PAGE_BODY = 1024 * 1024  # issue 20: every API answer ≤ 1 MB per page
TEXT = "Hoàn thành xuất sắc nhiệm vụ phòng, chống dịch COVID-19 trên địa bàn, bảo đảm an ninh trật tự. " * 200


def test_the_shortlist_pages_5000_nominations_under_6_mb(api, admin_token, store):
    units = [(f"ca-{i:03d}", f"Công an tỉnh số {i}", None, "province") for i in range(UNITS)]
    seed_units(store, units)
    for i, (unit_id, *_) in enumerate(units):
        put_report(store, unit_id, "2021-08", {"officers_mobilised": 100 + i, "people_traced": (i * 37) % 500,
                                               "citizens_escorted": (i * 53) % 900})
    cid = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị toàn quốc", "date": "2021-08-31", "periods": ["2021-08"],
        "quotas": {"bang-khen-bo-truong": 300, "giay-khen": 1000},
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    at = iso(SystemClock().now())
    for i in range(NOMINATIONS):  # straight into the store: the HTTP path is tested elsewhere
        unit_id = units[i % UNITS][0]
        n = {"conference_id": cid, "unit_id": unit_id, "nominee_unit_id": unit_id, "kind": "individual",
             "name": f"Cán bộ số {i}", "position": "Đại úy", "award_form": ("giay-khen", "bang-khen-bo-truong")[i % 2],
             "achievements": TEXT[: 19_000 - (i % 7)], "figures": {}, "status": "pending", "decision": None,
             "created_at": at, "created_by": "test", "updated_at": at, "version": 1,
             "id": f"n{i:05d}{secrets.token_hex(2)}"}
        n["nominee_key"] = service.nominee_key(n)
        n["etag"] = service.etag_of(n)
        store.nominations.create(n)

    unpaged = [r["nomination"]["id"] for r in service.shortlist(store, cid)["items"]]
    assert len(unpaged) == NOMINATIONS
    seen, cursor, pages = [], None, 0
    while True:
        resp = api.get(f"/v1/conferences/{cid}/shortlist?limit=100" + (f"&cursor={cursor}" if cursor else ""),
                       token=admin_token)
        assert resp.status_code == 200, resp.body[:300]
        assert len(resp.body.encode() if isinstance(resp.body, str) else resp.body) < LAMBDA_BODY
        assert len(json.dumps(resp.data).encode()) < LAMBDA_BODY
        assert len(resp.body.encode() if isinstance(resp.body, str) else resp.body) <= PAGE_BODY
        seen += [r["nomination"]["id"] for r in resp.data["items"]]
        pages += 1
        cursor = resp.data["next"]
        if cursor is None:
            break
    assert pages == NOMINATIONS // 100
    assert len(seen) == len(set(seen)) == NOMINATIONS
    assert seen == unpaged
