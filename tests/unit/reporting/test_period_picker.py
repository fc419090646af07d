"""GET /v1/periods: the admin page's period picker (the current period and those before it,
named in Vietnamese, with the deadline in force and whether an admin set it)."""

from __future__ import annotations

import pytest

from chalicelib.core.periods import Period


def test_twelve_months_by_default_newest_first_with_labels_and_deadlines(api, admin_token, clock):
    resp = api.get("/v1/periods", token=admin_token)  # the clock: 20 August 2021 in Hà Nội
    assert resp.status_code == 200, resp.body
    items = resp.data["items"]
    assert resp.data["next"] is None
    assert [i["period"] for i in items] == ["2021-08", "2021-07", "2021-06", "2021-05", "2021-04", "2021-03",
                                            "2021-02", "2021-01", "2020-12", "2020-11", "2020-10", "2020-09"]
    assert items[0] == {"period": "2021-08", "kind": "month", "label": "Tháng 8/2021",
                        "long_label": "tháng 8 năm 2021", "start": "2021-08-01", "end": "2021-08-31",
                        "deadline": "2021-09-10T23:59:59+07:00", "open": True, "has_settings": False,
                        "current": True}
    assert items[1]["label"] == "Tháng 7/2021" and not items[1]["current"]
    assert items[1]["open"] is False  # 10 August passed
    assert items[8]["label"] == "Tháng 12/2020"


def test_a_deadline_an_admin_set_shows_with_has_settings(api, admin_token, clock):
    resp = api.put("/v1/periods/2021-07", token=admin_token, body={"deadline": "2021-08-31T17:00:00+07:00"})
    assert resp.status_code == 200, resp.body
    items = {i["period"]: i for i in api.get("/v1/periods?count=3", token=admin_token).data["items"]}
    assert list(items) == ["2021-08", "2021-07", "2021-06"]
    assert items["2021-07"]["has_settings"] and items["2021-07"]["open"]
    assert items["2021-07"]["deadline"] == "2021-08-31T17:00:00+07:00"
    assert not items["2021-08"]["has_settings"] and not items["2021-06"]["has_settings"]


@pytest.mark.parametrize("query, labels", [
    ("kind=quarter&count=3", ["Quý III/2021", "Quý II/2021", "Quý I/2021"]),
    ("kind=week&count=2", ["Tuần 33/2021", "Tuần 32/2021"]),
    ("kind=month&count=1", ["Tháng 8/2021"]),
])
def test_other_kinds_and_counts(api, admin_token, clock, query, labels):
    resp = api.get(f"/v1/periods?{query}", token=admin_token)
    assert [i["label"] for i in resp.data["items"]] == labels


@pytest.mark.parametrize("query, field", [
    ("count=0", "count"), ("count=61", "count"), ("count=abc", "count"), ("count=", "count"),
    ("count=%C2%B2", "count"), ("kind=year", "kind"),
])
def test_a_bad_kind_or_count_is_422_naming_it(api, admin_token, query, field):
    resp = api.get(f"/v1/periods?{query}", token=admin_token)
    assert resp.status_code == 422, resp.body
    assert [e["field"] for e in resp.data["errors"]] == [field]


def test_short_labels():
    assert [Period("month", 2021, 8).short_label, Period("week", 2021, 5).short_label,
            Period("quarter", 2021, 3).short_label] == ["Tháng 8/2021", "Tuần 5/2021", "Quý III/2021"]
