"""Issue 20: the compile's gather reads what the bounded summary needs. Every report's figures,
state and timeliness come in a projection (no achievements, no comments); the whole items (the
achievements) only of the units the summary lists, in BatchGetItems. What it builds is the same
document as from whole items."""

from __future__ import annotations

import datetime as dt

from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.settings import settings
from chalicelib.publishing import kinds
from chalicelib.store.table import PagesThrough
from helpers import put_report, seed_units

NOW = dt.datetime(2021, 8, 28, 3, 0, tzinfo=dt.timezone.utc)
UNITS = [("bo-cong-an", "Bộ Công an", None, "ministry"),
         ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province"),
         ("ca-vinh", "Công an thành phố Vinh", "ca-nghe-an", "other"),
         ("ca-cua-lo", "Công an thị xã Cửa Lò", "ca-nghe-an", "other"),
         ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh", "bo-cong-an", "province"),
         ("ca-hong-linh", "Công an thị xã Hồng Lĩnh", "ca-ha-tinh", "other")]


class Recording(PagesThrough):
    """The store's table, recording each Query's projection and each BatchGetItem's keys."""

    def __init__(self, table):
        self._table, self.queries, self.batches = table, [], []

    def query(self, pk, **kwargs):
        self.queries.append((pk, kwargs.get("fields")))
        return self._table.query(pk, **kwargs)

    def get_many(self, keys):
        self.batches.append(list(keys))
        return self._table.get_many(keys)

    def __getattr__(self, name):
        return getattr(self._table, name)


def test_the_gather_projects_figures_and_reads_achievements_of_listed_units_only(store, monkeypatch):
    seed_units(store, UNITS)
    for unit_id, *_ in UNITS[1:]:
        for period in ("2021-07", "2021-08"):
            put_report(store, unit_id, period, {"citizens_escorted": 100}, f"{unit_id} {period} làm tốt.")
    conference = service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": ["a@bca.vn"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}), NOW)
    recording = Recording(store.table)
    for repo in (store.reports, store.units):
        monkeypatch.setattr(repo, "table", recording)

    inputs = kinds.gather_summary(store, conference, settings(), NOW)

    report_queries = [fields for pk, fields in recording.queries if pk.startswith("PERIOD#")]
    assert report_queries and all(fields and "achievements" not in fields and "comments" not in fields
                                  for fields in report_queries)
    read_whole = {key for batch in recording.batches for key in batch}
    assert {pk for pk, _ in read_whole} == {"UNIT#ca-nghe-an", "UNIT#ca-ha-tinh"}  # the listed units only
    by_unit = {r["unit_id"]: r for r in inputs.aggregate.reports["2021-08"]}
    assert "achievements" not in by_unit["ca-vinh"] and by_unit["ca-nghe-an"]["achievements"]
    doc = kinds.build_summary(inputs, kinds.Numbering(None, "X", None, "https://x/v", "XXXX-XXXX", 2021))
    assert [h.unit_name for h in doc.highlights] == ["Công an tỉnh Hà Tĩnh", "Công an tỉnh Nghệ An"]
    rows = {r.unit_id: r.values["citizens_escorted"] for r in doc.unit_rows}
    assert rows == {"bo-cong-an": 500, "ca-ha-tinh": 200, "ca-nghe-an": 300}  # rolled up from projected figures
    assert [r.unit_name for r in doc.completeness] == ["Công an tỉnh Hà Tĩnh", "Công an tỉnh Nghệ An"]
