"""Shared by the compile tests: seed units and reports straight into the store (the API
locks 2021 periods past their deadline), and read PDFs the way a reader would."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from pypdf import PdfReader

from chalicelib.auth import now_iso
from chalicelib.reports import compute_etag

MM = 72 / 25.4


def seed_units(store, units) -> None:
    at = now_iso()
    for unit_id, name, parent, kind in units:
        store.create_unit({"id": unit_id, "name": name, "parent_id": parent, "kind": kind, "emails": [],
                           "created_at": at, "updated_at": at})


def put_report(store, unit_id: str, period: str, values: dict[str, int], achievements: str = "") -> dict[str, Any]:
    current = store.get_report(unit_id, period)
    at = now_iso()
    report = {"unit_id": unit_id, "period": period, "period_kind": "month",
              "version": current["version"] + 1 if current else 1, "values": values, "comments": {},
              "achievements": achievements, "submitted_at": at, "first_submitted_at": at,
              "submitted_by": "test", "status": "submitted"}
    report["etag"] = compute_etag(report)
    store.save_report(report, expected_etag=current["etag"] if current else None)
    return report


def vn_today() -> dt.date:
    from chalicelib.periods import VN_TZ

    return dt.datetime.now(VN_TZ).date()


def pdf_pages(data: bytes) -> list[Any]:
    return list(PdfReader(io.BytesIO(data)).pages)


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pdf_pages(data))


def flat(text: str) -> str:
    return " ".join(text.split())


def positioned_text(page) -> list[tuple[float, float, str]]:
    """(x, y) in PDF points, origin bottom-left, of every text run on a page."""
    items = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            items.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5], text.strip()))

    page.extract_text(visitor_text=visit)
    return items
