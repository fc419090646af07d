"""GET /v1/periods/{period}/completeness in pages: no page over 1 MB for 11,000 units (nor over
Lambda's 6 MB), the pages together cover every unit once in tree order with the whole period's
totals on each, and a small board still comes whole in one body without `limit` (what clients
written before pages get)."""

from __future__ import annotations

import json
import time

import pytest

from chalicelib.reporting.completeness import MAX_BODY, body_bytes, lambda_bytes
from helpers import put_report, seed_units

LAMBDA_MAX = 6 * 1024 * 1024
PROVINCES, PER_PROVINCE = 63, 173  # 63 + 63 × 173 = 10,962 units, + 37 departments + the ministry = 11,000


def big_tree() -> list[tuple[str, str, str | None, str]]:
    # long Vietnamese names: every row as heavy as real ones get (escaped or not)
    units = [("bca", "Bộ Công an", None, "ministry")]
    for p in range(PROVINCES):
        pid = f"ca-{p:02d}"
        units.append((pid, f"Công an tỉnh Thừa Thiên Huế số {p:02d} – Phòng Cảnh sát quản lý hành chính", "bca",
                      "province"))
        units += [(f"{pid}-{c:03d}", f"Đội Cảnh sát điều tra tội phạm về trật tự xã hội số {c:03d} – tỉnh {p:02d}",
                   pid, "other") for c in range(PER_PROVINCE)]
    units += [(f"cuc-{d:02d}", f"Cục Y tế và Hậu cần kỹ thuật số {d:02d}", "bca", "department") for d in range(37)]
    assert len(units) == 11_000
    return units


@pytest.fixture
def board(store, api, admin_token):
    started = time.monotonic()
    seed_units(store, big_tree())
    for p in range(0, PROVINCES, 3):  # some provinces' teams reported
        for c in range(0, PER_PROVINCE, 2):
            put_report(store, f"ca-{p:02d}-{c:03d}", "2021-08", {"checkpoints": 1})
    assert time.monotonic() - started < 10, "seeding must stay cheap"
    return admin_token


def test_eleven_thousand_units_answer_in_pages_under_6_mb_covering_every_unit_once(api, board):
    url = "/v1/periods/2021-08/completeness"
    # without limit: too big for one body, so the first page and a cursor, never over 6 MB
    first = api.get(url, token=board)
    assert first.status_code == 200, first.body[:300]
    assert len(first.body) < LAMBDA_MAX and lambda_bytes(first.data) < LAMBDA_MAX
    assert len(first.body) <= MAX_BODY == 1024 * 1024
    assert first.data["next"] and 0 < len(first.data["rows"]) < 11_000

    seen, every_row, rows, cursor, pages = [], [], {}, None, 0
    while True:
        resp = api.get(url + "?limit=1000" + (f"&cursor={cursor}" if cursor else ""), token=board)
        assert resp.status_code == 200, resp.body[:300]
        body = resp.body.encode() if isinstance(resp.body, str) else resp.body
        data = json.loads(body)
        # the body, and the body as Lambda counts it (escaped inside the proxy response)
        assert len(body) < LAMBDA_MAX and lambda_bytes(data) < LAMBDA_MAX
        assert len(body) <= MAX_BODY  # every page at most 1 MB
        assert data["totals"]["expected"] == 10_999  # the whole period's, on every page
        seen += [r["unit_id"] for r in data["rows"]]
        every_row += data["rows"]
        rows.update((r["unit_id"], r) for r in data["rows"] if r["depth"] == 1)
        pages += 1
        cursor = data["next"]
        if cursor is None:
            break
    assert pages == 11
    assert len(seen) == len(set(seen)) == 11_000
    assert seen[0] == "bca"
    # the whole board in one body would not have fitted (so the test bites): pages were needed
    assert body_bytes({**first.data, "rows": every_row}) > MAX_BODY
    # the first page without limit is the start of the same walk
    assert [r["unit_id"] for r in first.data["rows"]] == seen[:len(first.data["rows"])]
    # a province whose teams half reported, one whose teams did not
    assert (rows["ca-00"]["subtree_state"], rows["ca-00"]["subtree"]["complete"]) == ("partial", 87)
    assert (rows["ca-01"]["subtree_state"], rows["ca-01"]["state"]) == ("none", "missing")


def test_a_small_board_comes_whole_without_limit_and_in_pages_with_it(api, store, admin_token):
    seed_units(store, [("bca", "Bộ Công an", None, "ministry"), ("yt", "Cục Y tế", "bca", "department"),
                       ("bv-1", "Bệnh viện 19-8", "yt", "hospital"), ("bv-2", "Bệnh viện 30-4", "yt", "hospital")])
    for unit_id in ("bv-1", "bv-2"):
        put_report(store, unit_id, "2021-08", {"checkpoints": 1})
    url = "/v1/periods/2021-08/completeness"
    whole = api.get(url, token=admin_token).data
    assert [r["unit_id"] for r in whole["rows"]] == ["bca", "yt", "bv-1", "bv-2"] and whole["next"] is None
    yt = whole["rows"][1]
    assert (yt["state"], yt["subtree_state"], yt["subtree"]["complete"], yt["subtree"]["expected"]) == (
        "missing", "complete", 2, 2)
    first = api.get(url + "?limit=3", token=admin_token).data
    assert [r["unit_id"] for r in first["rows"]] == ["bca", "yt", "bv-1"] and first["next"]
    assert first["totals"] == whole["totals"]
    second = api.get(url + f"?limit=3&cursor={first['next']}", token=admin_token).data
    assert [r["unit_id"] for r in second["rows"]] == ["bv-2"] and second["next"] is None
    # a cursor of another period is refused
    other = api.get(f"/v1/periods/2021-07/completeness?cursor={first['next']}", token=admin_token)
    assert other.status_code == 422


def test_a_page_stops_before_its_size_cap_whatever_its_limit(api, store, admin_token, monkeypatch):
    """1000 rows of the longest ids and names come to about 1 MB: the page is cut by size too. Shown
    under a cap of 256 KB: each page ends before it, and the next starts where it stopped."""
    from chalicelib.reporting import completeness

    units = [("bca", "Bộ Công an", None, "ministry")]
    name = ("Đội Cảnh sát điều tra tội phạm về trật tự xã hội – Trưởng Phòng Hướng dẫn Nghiệp vụ Ưởng Ờ Ữ " * 3)
    units += [(f"dv-{i:04d}-" + "x" * 55, name[:195] + f" {i:04d}", "bca", "other") for i in range(2500)]
    seed_units(store, units)
    url = "/v1/periods/2021-08/completeness?limit=1000"
    first = api.get(url, token=admin_token)
    assert len(first.body) <= MAX_BODY and len(first.data["rows"]) == 1000  # under 1 MB as it is
    cap = 256 * 1024
    monkeypatch.setattr(completeness, "MAX_BODY", cap)
    seen, cursor, pages = [], None, 0
    while True:
        resp = api.get(url + (f"&cursor={cursor}" if cursor else ""), token=admin_token)
        assert resp.status_code == 200, resp.body[:300]
        body = resp.body.encode() if isinstance(resp.body, str) else resp.body
        assert cap - 2048 < len(body) <= cap or json.loads(body)["next"] is None
        data = json.loads(body)
        assert data["totals"]["expected"] == 2500
        seen += [r["unit_id"] for r in data["rows"]]
        pages += 1
        cursor = data["next"]
        if cursor is None:
            break
    assert seen[0] == "bca" and len(seen) == len(set(seen)) == 2501
    assert pages > 3  # 2,501 rows at 1000 a page would have been 3
