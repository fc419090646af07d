"""Issue 20: the compile's gather reads what the bounded summary needs, never every report. Every
unit's figures come from the periods' packs (awards.window.period_figures: kept by a schedule, made
on a first read otherwise), the statuses of the last period from its small status items, and whole
reports (the achievements) only of the units the summary lists, in BatchGetItems. What it builds is
the same document as from whole items, and its fingerprint still changes with any counted figure."""

from __future__ import annotations

import datetime as dt

from chalicelib.conferences import service
from chalicelib.conferences.models import ConferenceIn
from chalicelib.core.settings import settings
from chalicelib.awards import window
from chalicelib.core.clock import iso
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
        self.queries.append((pk, kwargs.get("attrs")))
        return self._table.query(pk, **kwargs)

    def get_many(self, keys):
        self.batches.append(list(keys))
        return self._table.get_many(keys)

    def __getattr__(self, name):
        return getattr(self._table, name)


PERIODS = ("2021-07", "2021-08")


def _seeded(store):
    seed_units(store, UNITS)
    for unit_id, *_ in UNITS[1:]:
        for period in PERIODS:
            put_report(store, unit_id, period, {"citizens_escorted": 100}, f"{unit_id} {period} làm tốt.")
    return service.create_conference(store, None, ConferenceIn.model_validate({
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"], "recipients": ["a@bca.vn"],
        "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Thượng tướng Lê Văn Minh"}}), NOW)


def _document(inputs):
    return kinds.build_summary(inputs, kinds.Numbering(None, "X", None, "https://x/v", "XXXX-XXXX", 2021))


def test_the_gather_reads_packs_and_achievements_of_listed_units_only(store, monkeypatch):
    conference = _seeded(store)
    for period in PERIODS:  # packed ahead, as the schedule does (2021-07: the previous window)
        window.period_figures(store, period, NOW)
    recording = Recording(store.table)
    for repo in (store.reports, store.units, store.figures):
        monkeypatch.setattr(repo, "table", recording)

    inputs = kinds.gather_summary(store, conference, settings(), NOW)

    # no period's reports or statuses read by period: packs, and the listed units' reports by key
    assert not [pk for pk, _ in recording.queries if pk.startswith(("PERIOD#", "STATUS#"))]
    assert {pk for pk, _ in recording.queries if pk.startswith("FIGPACK#")} == {"FIGPACK#2021-07", "FIGPACK#2021-08"}
    unit_queries = [fields for pk, fields in recording.queries if pk == "UNITS"]
    assert unit_queries and all(fields and "emails" not in fields for fields in unit_queries)
    read_whole = {key for batch in recording.batches for key in batch}
    assert {pk for pk, _ in read_whole} == {"UNIT#bo-cong-an", "UNIT#ca-nghe-an", "UNIT#ca-ha-tinh"}  # listed only
    by_unit = {r["unit_id"]: r for r in inputs.aggregate.reports["2021-08"]}
    assert "achievements" not in by_unit["ca-vinh"] and by_unit["ca-nghe-an"]["achievements"]
    doc = _document(inputs)
    assert [h.unit_name for h in doc.highlights] == ["Công an tỉnh Hà Tĩnh", "Công an tỉnh Nghệ An"]
    rows = {r.unit_id: r.values["citizens_escorted"] for r in doc.unit_rows}
    assert rows == {"bo-cong-an": 500, "ca-ha-tinh": 200, "ca-nghe-an": 300}  # rolled up from the packs
    assert [i.previous for i in doc.indicators if i.code == "citizens_escorted"] == [500]  # the previous window
    assert [r.unit_name for r in doc.completeness] == ["Công an tỉnh Hà Tĩnh", "Công an tỉnh Nghệ An"]
    assert all(not r.status.startswith("Chưa nộp") for r in doc.completeness)  # from the status items


def test_without_packs_the_gather_makes_them_and_builds_the_same_document(store):
    conference = _seeded(store)
    first = kinds.gather_summary(store, conference, settings(), NOW)  # no pack yet: made on this read
    assert store.figures.pack("2021-08") is not None
    again = kinds.gather_summary(store, conference, settings(), NOW)
    assert kinds.fingerprint_summary(first) == kinds.fingerprint_summary(again)
    assert _document(first) == _document(again)


def test_the_fingerprint_changes_with_any_counted_figure_and_not_with_a_repack(store):
    conference = _seeded(store)
    before = kinds.fingerprint_summary(kinds.gather_summary(store, conference, settings(), NOW))
    # a repack (the schedule's, later) holds the same figures: the same fingerprint
    later = dt.datetime.now(dt.timezone.utc) - window.MARGIN  # the reports' clock is the real one (helpers)
    assert store.figures.put_pack("2021-08", iso(later), window.period_figures(store, "2021-08", NOW))
    assert kinds.fingerprint_summary(kinds.gather_summary(store, conference, settings(), NOW)) == before
    # a unit the summary does not list (a commune, read only through the pack) corrects a figure
    put_report(store, "ca-cua-lo", "2021-08", {"citizens_escorted": 101}, "ca-cua-lo sửa số liệu.")
    changed = kinds.gather_summary(store, conference, settings(), NOW)
    assert kinds.fingerprint_summary(changed) != before
    assert {r.unit_id: r.values["citizens_escorted"] for r in _document(changed).unit_rows}["ca-nghe-an"] == 301
    # and a figure of the previous window (the comparison column)
    put_report(store, "ca-hong-linh", "2021-07", {"citizens_escorted": 7}, "")
    assert kinds.fingerprint_summary(kinds.gather_summary(store, conference, settings(), NOW)) \
        != kinds.fingerprint_summary(changed)


def test_the_annex_says_what_the_board_says_of_each_listed_unit(store):
    from chalicelib.core.access import Principal
    from chalicelib.core.periods import parse_period
    from chalicelib.core.states import ReviewAction, Role
    from chalicelib.reporting.completeness import completeness_for
    from chalicelib.reporting.reports import review_report
    from helpers import Mailbox

    conference = _seeded(store)
    admin = Principal("adm", Role.ADMIN, None, "Văn phòng")
    for unit_id, action, note in (("ca-ha-tinh", ReviewAction.RETURN, "Bổ sung số liệu."),
                                  ("ca-nghe-an", ReviewAction.ACCEPT, ""), ("ca-vinh", ReviewAction.RETURN, "Sửa.")):
        work = store.unit_of_work()
        review_report(work, admin, unit_id, "2021-08", action, note, None, NOW, Mailbox())
        work.commit()

    inputs = kinds.gather_summary(store, conference, settings(), NOW)

    board = {r.unit_id: r for r in completeness_for(store, parse_period("2021-08"), settings().deadline_days, NOW).rows}
    annex = {r.unit_id: r for r in inputs.completeness if r.unit_id in {"ca-nghe-an", "ca-ha-tinh"}}
    assert annex and {u: (r.label, r.subtree_label) for u, r in annex.items()} == \
        {u: (board[u].label, board[u].subtree_label) for u in annex}
    assert annex["ca-ha-tinh"].label == "Bị trả lại" and annex["ca-nghe-an"].subtree_label.endswith("(1/2)")
    doc = _document(inputs)
    assert {r.unit_name: r.status for r in doc.completeness}["Công an tỉnh Hà Tĩnh"].startswith("Bị trả lại")
