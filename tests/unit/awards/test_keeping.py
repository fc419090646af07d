"""The daily keeping of the figure packs (chalicelib/awards/keeping.py), in-memory: which periods it packs,
that a second run does nothing, that reports changed after it are seen (by the next run and by any
read meanwhile), that it stops on its budget and the next run finishes, and that a period's pack made
from its figures items equals one made from its reports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.awards import keeping, ranking, window
from chalicelib.core.catalogs import scoring_rubric
from chalicelib.core.clock import iso
from chalicelib.core.etag import etag_of
from chalicelib.store import keys
from chalicelib.store.table import Delete

# 2021-09-15 10:00 in Hà Nội; with the default 10 days 2021-08 locked on 2021-09-10, 2021-09 is open
NOW = datetime(2021, 9, 15, 3, 0, tzinfo=timezone.utc)
DAYS = 10
CODES = [*scoring_rubric().indicators, *([scoring_rubric().per] if scoring_rubric().per else [])]


def save(store, unit_id, period, values, at, status="submitted"):
    current = store.reports.get(unit_id, period)
    report = {"unit_id": unit_id, "period": period, "period_kind": "month",
              "version": current["version"] + 1 if current else 1, "values": values, "comments": {},
              "achievements": "Thành tích " * 20, "submitted_at": iso(at), "first_submitted_at": iso(at),
              "submitted_by": "test", "status": status}
    report["etag"] = etag_of(report, report["version"])
    store.reports.save(report, expected_etag=current["etag"] if current else None)


def conference(store, cid, periods, date="2021-10-01", **more):
    store.conferences.create({"id": cid, "title": f"Hội nghị {cid}", "date": date, "periods": periods,
                              "etag": f"e-{cid}", **more})


def truth(store, periods):
    every = ranking.unit_figures([r for p in periods for r in store.reports.for_period(p)])
    return {u: {c: v for c, v in f.items() if c in CODES} for u, f in every.items()}


def figures_of(store, periods):
    kept = store.figures.window(window.window_name(periods, tuple(dict.fromkeys(CODES))))
    return kept[1] if kept else None


def test_it_packs_the_locked_periods_and_the_open_conferences_windows(store):
    for unit_id in ("u1", "u2"):
        for period in ("2021-07", "2021-08", "2021-09"):
            save(store, unit_id, period, {"people_traced": 5, "officers_mobilised": 10}, NOW - timedelta(days=3))
    save(store, "u1", "2020-01", {"people_traced": 1}, NOW - timedelta(days=600))
    conference(store, "c1", ["2021-08", "2021-09"])  # reads 2021-09, still open
    conference(store, "c0", ["2020-01"], date="2020-03-01", finalised_at=iso(NOW - timedelta(days=500)))
    conference(store, "c2", ["2020-06", "2020-07"], date="2020-08-01")

    run = keeping.keep_figures(store, NOW, DAYS)

    assert run.periods["2021-08"] == run.periods["2021-07"] == "packed"
    assert run.periods["2021-09"] == "packed"  # open, but a conference reads it
    assert "2020-01" not in run.periods  # long past and only a finalised conference reads it
    # an older conference not finalised: its months, and the window before them its summary compares with
    assert [run.periods.get(p) for p in ("2020-04", "2020-05", "2020-06", "2020-07")] == ["packed"] * 4
    assert "2020-03" not in run.periods
    assert "2021-10" not in run.periods and run.windows == {"c1": "summed", "c2": "summed"} and run.left == []
    assert list(run.windows) == ["c1", "c2"]  # the coming conference first
    assert store.figures.pack("2021-08") is not None and store.figures.pack("2020-01") is None
    assert figures_of(store, ["2021-08", "2021-09"]) == truth(store, ["2021-08", "2021-09"])
    # months the recent window reaches back to with no report: an empty pack, made once
    assert run.periods["2020-09"] == "packed" and store.figures.pack("2020-09")[1] == {}
    assert "2020-08" not in run.periods  # older than the 13 months kept


def test_a_second_run_does_nothing_and_a_change_since_is_seen(store):
    for unit_id in ("u1", "u2", "u3"):
        save(store, unit_id, "2021-08", {"people_traced": 5, "officers_mobilised": 10}, NOW - timedelta(days=20))
    conference(store, "c1", ["2021-07", "2021-08"])
    keeping.keep_figures(store, NOW, DAYS)
    packed_as_of = store.figures.as_of("2021-08")

    again = keeping.keep_figures(store, NOW + timedelta(hours=1), DAYS)
    assert set(again.periods.values()) == {"kept"} and again.windows == {"c1": "kept"}
    assert store.figures.as_of("2021-08") == packed_as_of  # nothing written

    # a late report (an exception) and a return after the run: a read meanwhile sees them ...
    later = NOW + timedelta(hours=2)
    save(store, "u4", "2021-08", {"people_traced": 7, "officers_mobilised": 3}, later)
    report = store.reports.get("u1", "2021-08")
    store.reports.update_state("u1", "2021-08", report["etag"], {"status": "returned", "etag": "r"},
                               figures=(iso(later), report["values"]))
    assert window.window_figures(store, ["2021-07", "2021-08"], later, CODES) == truth(store, ["2021-07", "2021-08"])
    # ... and the next run packs the period anew and sums the window again
    third = keeping.keep_figures(store, NOW + timedelta(days=1), DAYS)
    assert third.periods["2021-08"] == "repacked" and third.windows == {"c1": "summed"}
    as_of, packed = store.figures.pack("2021-08")
    assert store.figures.changes("2021-08", as_of) == [] and set(packed) == {"u2", "u3", "u4"}
    assert figures_of(store, ["2021-07", "2021-08"]) == truth(store, ["2021-07", "2021-08"])


def test_a_run_stops_on_its_budget_and_the_next_finishes(store):
    for period in ("2021-06", "2021-07", "2021-08"):
        save(store, "u1", period, {"people_traced": 5}, NOW - timedelta(days=40))
    conference(store, "c1", ["2021-06", "2021-07", "2021-08"])
    ticks = iter(range(0, 10_000, 10))  # every look at the clock: 10 s later

    cut = keeping.keep_figures(store, NOW, DAYS, budget=25, clock=lambda: float(next(ticks)))
    assert cut.left and "conference c1" in cut.left and len(cut.periods) < 13
    done = keeping.keep_figures(store, NOW, DAYS)
    assert not done.left and done.windows == {"c1": "summed"}
    assert {p for p, what in done.periods.items() if what == "packed"} == \
        {p.code for p in keeping.recent_months(NOW)[1:]} - set(cut.periods)
    assert figures_of(store, ["2021-06", "2021-07", "2021-08"]) == truth(store, ["2021-06", "2021-07", "2021-08"])


def test_a_pack_from_the_figures_items_equals_one_from_the_reports(store, monkeypatch):
    for i in range(12):
        save(store, f"u{i}", "2021-08", {"people_traced": i, "checkpoints": 2 * i}, NOW - timedelta(days=30 - i))
    report = store.reports.get("u3", "2021-08")
    store.reports.update_state("u3", "2021-08", report["etag"], {"status": "returned", "etag": "r"},
                               figures=(iso(NOW - timedelta(days=2)), report["values"]))
    assert not store.figures.ready()  # an in-memory table: as a table from before the figures items
    from_reports = window._unpacked(store, "2021-08")
    store.figures.mark_ready()

    def unread(*_a, **_k):
        raise AssertionError("the reports were read")

    monkeypatch.setattr(store.reports, "figures_for_period", unread)
    assert window._unpacked(store, "2021-08") == from_reports and "u3" not in from_reports
    assert len(from_reports) == 11


def test_the_backfill_writes_the_missing_figures_items_only(store):
    for i in range(5):
        save(store, f"u{i}", "2021-08", {"people_traced": i}, NOW - timedelta(days=30))
    for i in (1, 3):  # stored before the figures items existed
        store.table.write(Delete(keys.period_figures(f"u{i}", "2021-08")))
    expected = window._unpacked(store, "2021-08")
    assert store.figures.backfill("2021-08", store.reports.figures_for_period("2021-08")) == 2
    assert store.figures.backfill("2021-08", store.reports.figures_for_period("2021-08")) == 0
    store.figures.mark_ready()
    assert window._unpacked(store, "2021-08") == expected


def test_the_cli_keeps_the_figures_as_the_daily_run_does(store, capsys):
    from chalicelib import cli

    save(store, "u1", "2021-08", {"people_traced": 5}, NOW - timedelta(days=30))
    conference(store, "c1", ["2021-08"])
    assert cli.main(["keep-figures", "--now", "2021-09-15T10:00:00+07:00"]) == 0
    out = capsys.readouterr().out
    assert "kỳ 2021-08: đã đóng gói số liệu" in out and "hội nghị c1: đã cộng lại số liệu của kỳ" in out
    assert cli.main(["keep-figures", "--now", "2021-09-15T11:00:00+07:00"]) == 0
    assert "kỳ 2021-08: không đổi" in capsys.readouterr().out


def test_the_cli_backfill_marks_the_figures_items_ready(store):
    from chalicelib import cli

    save(store, "u1", "2021-08", {"people_traced": 5}, NOW - timedelta(days=30))
    store.table.write(Delete(keys.period_figures("u1", "2021-08")))  # stored before the figures items
    assert not store.figures.ready()
    assert cli.main(["backfill"]) == 0
    assert store.figures.ready() and window._unpacked(store, "2021-08") == {"u1": {"people_traced": 5}}
