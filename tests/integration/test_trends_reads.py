"""What a trend costs in DynamoDB calls, counted on the real client (DynamoDB Local): one Query
for the units, then one Query per period (the whole tree) or one per unit (a small subtree);
never a Scan. The answer is the same either way."""

from __future__ import annotations

from datetime import datetime

from chalicelib.core.periods import VN_TZ
from chalicelib.reporting.trends import trends_for
from helpers import put_report, seed_units

NOW = datetime(2021, 8, 20, 10, 0, tzinfo=VN_TZ)
UNITS = [("bca", "Bộ Công an", None, "ministry"), ("cyt", "Cục Y tế", "bca", "department"),
         ("bv-a", "Bệnh viện A", "cyt", "hospital"), ("bv-b", "Bệnh viện B", "cyt", "hospital"),
         ("ca-na", "Công an tỉnh Nghệ An", "bca", "province")]


def test_a_trend_reads_one_query_per_period_or_per_unit_and_no_scan(store, calls):
    seed_units(store, UNITS)
    for unit_id, values in (("bv-a", (10, 20, 30)), ("bv-b", (5, 5, 1)), ("ca-na", (100, 90, 80))):
        for period, value in zip(("2021-06", "2021-07", "2021-08"), values):
            put_report(store, unit_id, period, {"patients_treated": value})

    calls.clear()
    whole = trends_for(store, "patients_treated", None, "2021-06", "2021-08", NOW, per_unit_reads=0)
    assert calls == ["Query"] * (1 + 3)  # the units, then each period's GSI1 partition
    assert [p["total"] for p in whole["points"]] == [115, 115, 111]

    calls.clear()
    by_unit = trends_for(store, "patients_treated", "cyt", "2021-06", "2021-08", NOW)
    assert calls == ["Query"] * (1 + 3)  # the units, then Cục Y tế and its 2 hospitals, each over the range
    assert [p["total"] for p in by_unit["points"]] == [15, 25, 31]
    assert trends_for(store, "patients_treated", "cyt", "2021-06", "2021-08", NOW, per_unit_reads=0) == by_unit
    assert [(m["unit_id"], m["change"]) for m in by_unit["rising"]] == [("bv-a", 20)]
    assert [(m["unit_id"], m["change"]) for m in by_unit["falling"]] == [("bv-b", -4)]
