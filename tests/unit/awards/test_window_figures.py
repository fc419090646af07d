"""The window's figures (a period's pack plus the changes since) always equal the sums of every report
read in full, whatever happened when: reports stored before the figures items existed, submissions,
returns and resubmissions after the pack, a pile of changes that repacks (in-memory store)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from chalicelib.awards import ranking, window
from chalicelib.core.clock import iso
from chalicelib.core.etag import etag_of
from chalicelib.store import keys
from chalicelib.store.table import Delete

PERIODS = ["2021-07", "2021-08"]
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def save(store, unit_id, period, values, at):
    current = store.reports.get(unit_id, period)
    report = {"unit_id": unit_id, "period": period, "period_kind": "month",
              "version": current["version"] + 1 if current else 1, "values": values, "comments": {},
              "achievements": "Thành tích " * 50, "submitted_at": iso(at), "first_submitted_at": iso(at),
              "submitted_by": "test", "status": "submitted"}
    report["etag"] = etag_of(report, report["version"])
    store.reports.save(report, expected_etag=current["etag"] if current else None)


def review(store, unit_id, period, status, at):
    report = store.reports.get(unit_id, period)
    store.reports.update_state(unit_id, period, report["etag"],
                               {"status": status, "etag": f"{report['etag']}-{status}-{iso(at)}"},
                               figures=(iso(at), report["values"]))


def truth(store):
    return ranking.unit_figures([r for p in PERIODS for r in store.reports.for_period(p)])


def values(rng):
    return {code: rng.randint(0, 500) for code in rng.sample(["officers_mobilised", "people_traced",
                                                              "checkpoints", "patients_treated"], rng.randint(1, 4))}


def test_the_pack_and_its_changes_sum_like_every_report(store):
    rng = random.Random(20)
    units = [f"u{i:02d}" for i in range(30)]
    # stored before the change: reports with no figures item at all
    for unit_id in units[:20]:
        for period in PERIODS:
            save(store, unit_id, period, values(rng), T0)
            store.table.write(Delete(keys.period_figures(unit_id, period)))
    review(store, units[0], PERIODS[0], "returned", T0)  # an old report returned before the pack
    assert window.window_figures(store, PERIODS, T0 + timedelta(hours=1)) == truth(store)
    assert store.figures.pack(PERIODS[0]) is not None  # packed once, from the reports

    at = T0 + timedelta(hours=2)
    for step in range(150):  # after the pack: submissions, resubmissions, returns, acceptances
        at += timedelta(seconds=7)
        unit_id, period = rng.choice(units), rng.choice(PERIODS)
        current = store.reports.get(unit_id, period)
        roll = rng.random()
        if current is not None and roll < 0.25:
            review(store, unit_id, period, "returned", at)
        elif current is not None and roll < 0.35:
            review(store, unit_id, period, "accepted", at)
        else:
            save(store, unit_id, period, values(rng), at)
        if step % 10 == 0:
            assert window.window_figures(store, PERIODS, at) == truth(store), step
    assert window.window_figures(store, PERIODS, at + timedelta(hours=1)) == truth(store)


def test_many_changes_repack_and_the_next_read_needs_none(store, monkeypatch):
    monkeypatch.setattr(window, "REPACK_AFTER", 5)
    for i in range(3):
        save(store, f"u{i}", "2021-08", {"people_traced": i}, T0)
    window.period_figures(store, "2021-08", T0 + timedelta(hours=1))
    first = store.figures.pack("2021-08")[0]
    for i in range(10):
        save(store, f"v{i}", "2021-08", {"people_traced": 100 + i}, T0 + timedelta(hours=2))
    now = T0 + timedelta(hours=3)
    assert ranking.unit_figures({"unit_id": u, "values": v} for u, v in window.period_figures(
        store, "2021-08", now).items()) == truth_of(store, "2021-08")
    as_of, packed = store.figures.pack("2021-08")
    assert as_of > first and as_of == iso(now - window.MARGIN) and len(packed) == 13
    assert store.figures.changes("2021-08", as_of) == []


def test_an_older_pack_never_replaces_a_newer_one(store):
    assert store.figures.put_pack("2021-08", iso(T0 + timedelta(hours=2)), {"u1": {"people_traced": 2}})
    assert not store.figures.put_pack("2021-08", iso(T0 + timedelta(hours=1)), {"u1": {"people_traced": 1}})
    assert store.figures.pack("2021-08") == (iso(T0 + timedelta(hours=2)), {"u1": {"people_traced": 2}})


def test_a_large_pack_spans_several_items_and_reads_back_whole(store, monkeypatch):
    from chalicelib.store import repositories

    monkeypatch.setattr(repositories, "PACK_CHUNK", 5000)
    rng = random.Random(3)
    figures = {f"ca-xa-{i:05d}": {"people_traced": rng.randint(0, 10**6)} for i in range(2000)}
    assert store.figures.put_pack("2021-08", iso(T0), figures)
    assert len(list(store.table.query_all(keys.figures_pack_partition("2021-08")))) > 1
    assert store.figures.pack("2021-08") == (iso(T0), figures)


def truth_of(store, period):
    return ranking.unit_figures(store.reports.for_period(period))


def test_the_windows_sums_are_kept_until_a_report_of_its_periods_changes(store, monkeypatch):
    for i in range(4):
        for period in PERIODS:
            save(store, f"u{i}", period, {"people_traced": i, "officers_mobilised": 10}, T0)
    codes = ["people_traced", "officers_mobilised"]
    first = window.window_figures(store, PERIODS, T0 + timedelta(hours=1), codes)
    assert first == truth(store)

    def unread(*_args, **_kwargs):
        raise AssertionError("the periods were read again")

    with monkeypatch.context() as m:
        m.setattr(window, "period_figures", unread)
        assert window.window_figures(store, PERIODS, T0 + timedelta(hours=2), codes) == first
    save(store, "u1", PERIODS[1], {"people_traced": 50, "officers_mobilised": 10}, T0 + timedelta(hours=3))
    again = window.window_figures(store, PERIODS, T0 + timedelta(hours=4), codes)
    assert again == truth(store) and again["u1"]["people_traced"] == 51


def test_many_changed_units_sum_the_periods_again(store, monkeypatch):
    monkeypatch.setattr(window, "MEND_UNITS", 2)
    for i in range(6):
        save(store, f"u{i}", "2021-08", {"people_traced": i}, T0)
    window.window_figures(store, ["2021-08"], T0 + timedelta(hours=1))
    for i in range(4):  # four changed units: more than are mended one by one
        save(store, f"u{i}", "2021-08", {"people_traced": 10 * i}, T0 + timedelta(hours=2))
    review(store, "u5", "2021-08", "returned", T0 + timedelta(hours=2))
    assert window.window_figures(store, ["2021-08"], T0 + timedelta(hours=3)) == truth_of(store, "2021-08")
    monkeypatch.setattr(window, "MEND_UNITS", 300)
    review(store, "u4", "2021-08", "returned", T0 + timedelta(hours=4))  # mended: u4 counts nowhere now
    assert window.window_figures(store, ["2021-08"], T0 + timedelta(hours=5)) == truth_of(store, "2021-08")
    assert "u4" not in truth_of(store, "2021-08")


def test_figures_too_large_to_pack_are_still_right_read_from_the_reports(store, monkeypatch):
    from chalicelib.store import repositories

    monkeypatch.setattr(repositories, "PACK_MAX_CHUNKS", 0)  # nothing fits: no pack, no kept window
    for i in range(5):
        save(store, f"u{i}", "2021-08", {"people_traced": i}, T0)
    for hours in (1, 2):
        assert window.window_figures(store, ["2021-08"], T0 + timedelta(hours=hours)) == truth_of(store, "2021-08")
    assert store.figures.pack("2021-08") is None
