"""The scale benchmark's builder (bench/scale_build.py) builds what it says, on DynamoDB Local.

A structural check at 50 units, not a timing: the tree, 12 monthly reports a unit less the
stable few left missing, the nominations of a conference; read back through the store.
"""

from __future__ import annotations

from bench import scale_build as sb


def test_the_builder_makes_the_tree_the_reports_and_the_nominations(store) -> None:
    built = sb.build(store, 50, progress=lambda _: None)

    units = store.units.all()
    assert built.units == len(units) == 50
    ids = {u["id"] for u in units}
    assert [u["id"] for u in units if u.get("parent_id") is None] == [sb.MINISTRY]
    assert all(u["parent_id"] in ids for u in units if u.get("parent_id"))

    expected = {p: sum(1 for u in ids if not sb.missing(u, p)) for p in sb.MONTHS}
    stored = {p: store.reports.for_period(p) for p in sb.MONTHS}
    assert {p: len(r) for p, r in stored.items()} == expected
    assert built.reports == sum(expected.values())
    # what the report PUT's own use case stored: submitted, on time, figures within the catalog's rules
    report = stored[sb.MONTHS[-1]][0]
    assert report["status"] == "submitted" and report["timeliness"] == "on_time" and report["version"] == 1
    assert report["values"]["violations_penalised"] <= report["values"]["violations_detected"]
    assert len(store.reports.read_many(histories=[sb.MINISTRY]).histories[sb.MINISTRY]) == 12 - sum(
        sb.missing(sb.MINISTRY, p) for p in sb.MONTHS)

    store.conferences.create({"id": "20220120-bench1", "title": "Hội nghị", "date": "2022-01-20",
                              "periods": sb.MONTHS, "etag": "1"})
    assert sb.add_nominations(store, "20220120-bench1", sb.ministry(50), 120, seed=1) > 0
    nominations = store.nominations.for_conference("20220120-bench1")
    assert len(nominations) == 120
    assert len({(n["award_form"], n["nominee_key"]) for n in nominations}) == 120  # each nominee once per form
    assert {n["unit_id"] for n in nominations} <= ids
