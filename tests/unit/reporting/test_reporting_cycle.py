"""The reporting cycle: deadlines, exceptions, review, completeness, reminders, audit."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers import invoke_concurrently, open_period

from chalicelib.reporting import reminders
from chalicelib.delivery import OutboxMailer
from chalicelib.core.periods import parse_period

PAST = "2021-09-10T23:59:59+07:00"
FUTURE = "2099-12-31T23:59:59+07:00"
FIGURES = {"values": {"checkpoints": 40, "citizens_escorted": 15000}}


def outbox(env) -> list[email.message.EmailMessage]:
    folder = Path(env["THIDUA_MAIL"].removeprefix("outbox:"))
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def make_unit(api, admin, unit_id, name, parent=None, kind="province"):
    resp = api.post("/v1/units", token=admin, body={"id": unit_id, "name": name, "parent_id": parent,
                                                   "kind": kind, "emails": [f"{unit_id}@example.vn"]})
    assert resp.status_code == 201, resp.body
    return api.post(f"/v1/units/{unit_id}/tokens", token=admin, body={}).data["token"]


def put(api, token, unit, period="2021-08", body=FIGURES, **headers):
    return api.put(f"/v1/units/{unit}/reports/{period}", token=token, body=body, headers=headers)


def test_deadline_exception_accept_return_and_resubmit(api, admin_token, env):
    token = make_unit(api, admin_token, "ca-nghe-an", "Công an tỉnh Nghệ An")

    late = put(api, token, "ca-nghe-an")
    assert late.status_code == 423
    assert late.headers["Content-Type"].startswith("application/problem+json")
    assert late.data["reason"] == "deadline_passed"
    assert "hết hạn" in late.data["detail"]
    assert api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token).status_code == 404

    # a unit cannot grant itself an exception
    assert api.post("/v1/units/ca-nghe-an/reports/2021-08/exception", token=token,
                    body={"until": FUTURE, "reason": "x"}).status_code == 403
    granted = api.post("/v1/units/ca-nghe-an/reports/2021-08/exception", token=admin_token,
                       body={"until": FUTURE, "reason": "Bổ sung số liệu tháng 8"})
    assert granted.status_code == 201
    created = put(api, token, "ca-nghe-an")
    assert created.status_code == 201

    accepted = api.post("/v1/units/ca-nghe-an/reports/2021-08/review", token=admin_token,
                        body={"action": "accept"})
    assert accepted.status_code == 200 and accepted.data["status"] == "accepted"
    locked = put(api, token, "ca-nghe-an", **{"If-Match": created.headers["ETag"]})
    assert locked.status_code == 423 and locked.data["reason"] == "accepted"

    no_note = api.post("/v1/units/ca-nghe-an/reports/2021-08/review", token=admin_token,
                       body={"action": "return"})
    assert no_note.status_code == 422 and no_note.data["errors"][0]["field"] == "note"
    note = "Số công dân được đón, dẫn chưa khớp với báo cáo của Phòng Cảnh sát quản lý hành chính."
    returned = api.post("/v1/units/ca-nghe-an/reports/2021-08/review", token=admin_token,
                        body={"action": "return", "note": note})
    assert returned.status_code == 200 and returned.data["status"] == "returned"
    assert returned.data["notified"] is True
    shown = api.get("/v1/units/ca-nghe-an/reports/2021-08", token=token).data
    assert shown["status"] == "returned" and shown["review"]["note"] == note

    mails = outbox(env)
    assert len(mails) == 1
    assert mails[0]["To"] == "ca-nghe-an@example.vn"
    assert "trả lại" in mails[0]["Subject"]
    assert note in text_of(mails[0])

    # The return changed the report's state, so it has a new ETag: the one read before is stale.
    stale = put(api, token, "ca-nghe-an", body={"values": {"checkpoints": 41}}, **{"If-Match": created.headers["ETag"]})
    assert stale.status_code == 412
    resubmitted = put(api, token, "ca-nghe-an", body={"values": {"checkpoints": 41}},
                      **{"If-Match": returned.headers["ETag"]})
    assert resubmitted.status_code == 200 and resubmitted.data["status"] == "submitted"

    events = api.get("/v1/units/ca-nghe-an/reports/2021-08/audit", token=admin_token).data["items"]
    actions = [e["action"] for e in reversed(events)]
    assert actions == ["exception_granted", "submitted", "accept", "return", "replaced"]
    assert all(e["at"] and e["actor"] for e in events)
    assert api.get("/v1/units/ca-nghe-an/reports/2021-08/audit", token=token).status_code == 403


def test_a_returned_report_resubmitted_after_the_deadline_locks_again(api, admin_token):
    token = make_unit(api, admin_token, "ca-ha-tinh", "Công an tỉnh Hà Tĩnh")
    open_period(api, admin_token, "2021-08", FUTURE)
    first = put(api, token, "ca-ha-tinh")
    assert first.status_code == 201
    open_period(api, admin_token, "2021-08", PAST)
    assert put(api, token, "ca-ha-tinh", **{"If-Match": first.headers["ETag"]}).data["reason"] == "deadline_passed"
    returned = api.post("/v1/units/ca-ha-tinh/reports/2021-08/review", token=admin_token,
                        body={"action": "return", "note": "Thiếu số liệu chốt kiểm soát."})
    again = put(api, token, "ca-ha-tinh", **{"If-Match": returned.headers["ETag"]})
    assert again.status_code == 200
    third = put(api, token, "ca-ha-tinh", **{"If-Match": again.headers["ETag"]})
    assert third.status_code == 423 and third.data["reason"] == "returned_resubmitted"


def test_completeness_shows_each_state_rates_and_rollup(api, admin_token):
    make_unit(api, admin_token, "bo-cong-an", "Bộ Công an", kind="ministry")
    a = make_unit(api, admin_token, "ca-a", "Công an tỉnh An Giang", "bo-cong-an")
    b = make_unit(api, admin_token, "ca-b", "Công an tỉnh Bắc Giang", "bo-cong-an")
    x = make_unit(api, admin_token, "cuc-y-te", "Cục Y tế", "bo-cong-an", "department")
    make_unit(api, admin_token, "bv-c", "Bệnh viện 199", "cuc-y-te", "hospital")
    d = make_unit(api, admin_token, "bv-d", "Bệnh viện 19-8", "cuc-y-te", "hospital")

    open_period(api, admin_token, "2021-08", FUTURE)
    for token, unit in ((a, "ca-a"), (x, "cuc-y-te"), (d, "bv-d")):
        assert put(api, token, unit).status_code == 201
    open_period(api, admin_token, "2021-08", PAST)
    api.post("/v1/units/ca-b/reports/2021-08/exception", token=admin_token, body={"until": FUTURE, "reason": "ốm"})
    assert put(api, b, "ca-b").status_code == 201
    api.post("/v1/units/bv-d/reports/2021-08/review", token=admin_token, body={"action": "return", "note": "sai"})

    resp = api.get("/v1/periods/2021-08/completeness", token=admin_token)
    assert resp.status_code == 200
    data = resp.data
    rows = {r["unit_id"]: r for r in data["rows"]}
    assert (rows["ca-a"]["state"], rows["ca-a"]["timeliness"], rows["ca-a"]["label"]) == ("submitted", "on_time", "Đúng hạn")
    assert (rows["ca-b"]["state"], rows["ca-b"]["timeliness"], rows["ca-b"]["label"]) == ("submitted", "late", "Nộp muộn")
    assert (rows["bv-c"]["state"], rows["bv-c"]["label"]) == ("missing", "Chưa nộp (quá hạn)")
    assert (rows["bv-d"]["state"], rows["bv-d"]["label"]) == ("returned", "Bị trả lại")
    assert data["totals"] == {"expected": 5, "complete": 3, "on_time": 2, "late": 1, "missing": 1,
                              "returned": 1, "accepted": 0}
    assert data["rates"] == {"reporting": 0.6, "on_time": 0.4}
    # Cục Y tế's row sums itself and its two hospitals; the ministry's sums everything.
    assert rows["cuc-y-te"]["counts"] == {"expected": 3, "complete": 1, "on_time": 1, "late": 0, "missing": 1,
                                          "returned": 1, "accepted": 0}
    assert rows["cuc-y-te"]["rates"]["reporting"] == pytest.approx(1 / 3, abs=1e-4)
    assert rows["bo-cong-an"]["counts"] == data["totals"]
    assert rows["bo-cong-an"]["expected"] is False
    # tree order, siblings in Vietnamese alphabetical order
    assert [r["unit_id"] for r in data["rows"]] == ["bo-cong-an", "ca-a", "ca-b", "cuc-y-te", "bv-d", "bv-c"]
    assert api.get("/v1/periods/2021-08/completeness", token=a).status_code == 403


def test_outlier_needs_a_comment(api, admin_token):
    token = make_unit(api, admin_token, "ca-nghe-an", "Công an tỉnh Nghệ An")
    for period, value in (("2021-05", 100), ("2021-06", 120), ("2021-07", 110)):
        open_period(api, admin_token, period)
        assert put(api, token, "ca-nghe-an", period, {"values": {"checkpoints": value}}).status_code == 201
    open_period(api, admin_token, "2021-08")
    outlier = put(api, token, "ca-nghe-an", body={"values": {"checkpoints": 5000, "citizens_escorted": 10}})
    assert outlier.status_code == 422
    assert [e["field"] for e in outlier.data["errors"]] == ["values.checkpoints"]
    assert "110" in outlier.data["errors"][0]["message"]
    ok = put(api, token, "ca-nghe-an", body={"values": {"checkpoints": 5000},
                                             "comments": {"checkpoints": "Tăng cường chốt do bùng phát dịch."}})
    assert ok.status_code == 201
    assert ok.data["comments"]["checkpoints"] == "Tăng cường chốt do bùng phát dịch."
    # 10x is allowed, just over is not (boundary)
    open_period(api, admin_token, "2021-09")
    assert put(api, token, "ca-nghe-an", "2021-09", {"values": {"checkpoints": 1100}}).status_code == 201


def _setup_reminder_units(api, admin_token):
    make_unit(api, admin_token, "bo-cong-an", "Bộ Công an", kind="ministry")
    tokens = {u: make_unit(api, admin_token, u, n, "bo-cong-an")
              for u, n in (("ca-a", "Công an tỉnh An Giang"), ("ca-b", "Công an tỉnh Bắc Giang"),
                           ("ca-c", "Công an tỉnh Cà Mau"))}
    return tokens


def _count(mails) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for m in mails:
        key = (m["To"], m["Subject"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_reminders_go_once_per_unit_and_kind_even_when_run_twice_concurrently(api, admin_token, store, env):
    tokens = _setup_reminder_units(api, admin_token)
    open_period(api, admin_token, "2021-08", "2021-09-10T23:59:59+07:00")
    # ca-a reported in time: it gets no reminders (the period was open when it submitted)
    open_period(api, admin_token, "2021-08", FUTURE)
    assert put(api, tokens["ca-a"], "ca-a").status_code == 201
    open_period(api, admin_token, "2021-08", "2021-09-10T23:59:59+07:00")

    mailer = OutboxMailer(Path(env["THIDUA_MAIL"].removeprefix("outbox:")))
    period = [parse_period("2021-08")]
    before = datetime(2021, 9, 8, 2, 0, tzinfo=timezone.utc)      # 2 days before the deadline
    overdue = datetime(2021, 9, 15, 2, 0, tzinfo=timezone.utc)

    def run(now):
        return reminders.send_reminders(store, mailer, 10, 3, now, periods=period)

    first = run(before)
    assert sorted(u for u, _, _ in first.sent) == ["ca-b", "ca-c"]
    assert not run(before).sent                      # the schedule fired twice: nothing new

    results = []
    threads = [threading.Thread(target=lambda: results.append(run(overdue))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(u for r in results for u, _, _ in r.sent) == ["ca-b", "ca-c"]

    counts = _count(outbox(env))
    assert counts == {
        ("ca-b@example.vn", "Nhắc nộp báo cáo tháng 8 năm 2021"): 1,
        ("ca-c@example.vn", "Nhắc nộp báo cáo tháng 8 năm 2021"): 1,
        ("ca-b@example.vn", "Quá hạn nộp báo cáo tháng 8 năm 2021"): 1,
        ("ca-c@example.vn", "Quá hạn nộp báo cáo tháng 8 năm 2021"): 1,
    }
    body = text_of(next(m for m in outbox(env) if "Quá hạn" in m["Subject"]))
    assert "Công an tỉnh" in body and "23:59 ngày 10/09/2021" in body


def test_the_scheduled_handler_twice_concurrently_sends_one_of_each(api, admin_token, env):
    """The real Chalice scheduled function, invoked as EventBridge would, twice at once."""
    from chalice.test import Client

    import app as app_module

    _setup_reminder_units(api, admin_token)
    with Client(app_module.app, stage_name="test") as client:
        event = client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                                detail={}, resources=[])
        outcomes = invoke_concurrently(client, "send_reminders", event)
        outcomes.append(client.lambda_.invoke("send_reminders", event).payload)
    sent = [tuple(s) for o in outcomes for s in o["sent"]]
    assert len(sent) == len(set(sent))                  # no (unit, period, kind) twice
    assert {u for u, _, _ in sent} == {"ca-a", "ca-b", "ca-c"}  # today some kind is always due
    counts = _count(outbox(env))
    assert len(counts) == len(sent) and set(counts.values()) == {1}


def test_period_deadline_can_be_read_and_set(api, admin_token):
    info = api.get("/v1/periods/2021-08", token=admin_token).data
    assert info["label"] == "tháng 8 năm 2021"
    assert info["deadline"].startswith("2021-09-10T23:59:59") and info["open"] is False
    assert api.put("/v1/periods/2021-08", token=admin_token, body={"deadline": "nope"}).status_code == 422
    open_period(api, admin_token, "2021-08")
    assert api.get("/v1/periods/2021-08", token=admin_token).data["open"] is True


def test_exception_in_the_past_is_refused(api, admin_token):
    make_unit(api, admin_token, "ca-x", "Công an tỉnh X")
    resp = api.post("/v1/units/ca-x/reports/2021-08/exception", token=admin_token,
                    body={"until": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(), "reason": "x"})
    assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "until"


# -- defect 9: the return note must survive a mail server that fails or hangs ------------------------

class DeadMailServer:
    def send(self, message):
        raise TimeoutError("timed out")


def _returned_with_dead_mail(api, admin_token, monkeypatch, unit="ca-nghe-an", note="Thiếu số liệu chốt kiểm soát."):
    from chalicelib.bootstrap import services

    token = make_unit(api, admin_token, unit, "Công an tỉnh Nghệ An")
    open_period(api, admin_token, "2021-08", FUTURE)
    assert put(api, token, unit).status_code == 201
    with monkeypatch.context() as patch:
        patch.setattr(services, "mailer", lambda conf: DeadMailServer())
        returned = api.post(f"/v1/units/{unit}/reports/2021-08/review", token=admin_token,
                            body={"action": "return", "note": note})
    assert returned.status_code == 200, returned.body
    assert returned.data["status"] == "returned" and returned.data["review"]["note"] == note
    assert returned.data["notified"] is False
    return token, returned


def test_defect_9_a_note_whose_email_failed_is_sent_once_by_the_next_reminders_run(api, admin_token, store, env,
                                                                                   monkeypatch):
    note = "Số công dân được đón, dẫn chưa khớp với báo cáo của Phòng Cảnh sát quản lý hành chính."
    _returned_with_dead_mail(api, admin_token, monkeypatch, note=note)
    assert outbox(env) == []
    mailer = OutboxMailer(Path(env["THIDUA_MAIL"].removeprefix("outbox:")))
    next_morning = datetime(2021, 8, 21, 1, 0, tzinfo=timezone.utc)
    period = [parse_period("2021-08")]

    failed = reminders.send_reminders(store, DeadMailServer(), 10, 3, next_morning, periods=period)
    assert [u for u, *_ in failed.notes_failed] == ["ca-nghe-an"] and outbox(env) == []  # still kept
    first = reminders.send_reminders(store, mailer, 10, 3, next_morning + timedelta(days=1), periods=period)
    assert [u for u, *_ in first.notes_sent] == ["ca-nghe-an"]
    second = reminders.send_reminders(store, mailer, 10, 3, next_morning + timedelta(days=2), periods=period)
    assert second.notes_sent == [] and second.notes_failed == []
    [mail] = outbox(env)
    assert mail["To"] == "ca-nghe-an@example.vn" and "trả lại" in mail["Subject"] and note in text_of(mail)


def test_defect_9_a_kept_note_the_unit_no_longer_needs_is_not_sent(api, admin_token, store, env, monkeypatch):
    token, returned = _returned_with_dead_mail(api, admin_token, monkeypatch)
    # The unit heard by phone and resubmitted: the note is out of date, the next run drops it.
    assert put(api, token, "ca-nghe-an", body={"values": {"checkpoints": 41}},
               **{"If-Match": returned.headers["ETag"]}).status_code == 200
    mailer = OutboxMailer(Path(env["THIDUA_MAIL"].removeprefix("outbox:")))
    run = reminders.send_reminders(store, mailer, 10, 3, datetime(2021, 8, 21, 1, 0, tzinfo=timezone.utc),
                                   periods=[parse_period("2021-08")])
    assert run.notes_sent == [] and outbox(env) == []


def test_defect_9_a_kept_note_goes_once_when_runs_overlap_or_a_sender_died(api, admin_token, store, env, monkeypatch):
    from chalicelib.reporting import return_notes
    from chalicelib.store.return_notes import ReturnNotes

    _returned_with_dead_mail(api, admin_token, monkeypatch)
    mailer = OutboxMailer(Path(env["THIDUA_MAIL"].removeprefix("outbox:")))
    now = datetime(2021, 8, 21, 1, 0, tzinfo=timezone.utc)
    runs = []
    threads = [threading.Thread(target=lambda: runs.append(return_notes.send_outstanding(store, mailer, now)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r.sent) for r in runs) == [0, 0, 0, 1] and len(outbox(env)) == 1

    # A sender that died mid-send left its claim: others leave it alone for a while, then take it over.
    report = store.reports.get("ca-nghe-an", "2021-08")
    store.reports.update_state("ca-nghe-an", "2021-08", report["etag"],
                               {"review": {**report["review"], "at": "2021-08-21T09:00:00+07:00"}, "etag": "x"})
    ReturnNotes(store.table).open({"unit_id": "ca-nghe-an", "period": "2021-08", "reviewed_at": "2021-08-21T09:00:00+07:00",
                                   "version": 1, "state": "sending", "claim": "dead", "attempts": 1,
                                   "claimed_at": "2021-08-21T08:00:00+07:00"})
    soon = return_notes.send_outstanding(store, mailer, now + timedelta(minutes=5))
    assert soon.sent == [] and len(soon.skipped) == 1
    later = return_notes.send_outstanding(store, mailer, now + return_notes.STALE_SEND + timedelta(minutes=1))
    assert [u for u, *_ in later.sent] == ["ca-nghe-an"] and len(outbox(env)) == 2
    assert ReturnNotes(store.table).outstanding() == []


class DyingProcess:
    """The API process killed while the note's email is on its way."""

    def send(self, message):
        raise SystemExit("killed")


def test_defect_9_the_note_is_stored_with_the_review_even_if_the_process_dies_sending_it(api, admin_token, store,
                                                                                         env):
    from chalicelib.core.access import Principal
    from chalicelib.core.states import Role, ReviewAction
    from chalicelib.reporting.return_notes import ReturnNotes
    from chalicelib.reporting.reports import review_report

    token = make_unit(api, admin_token, "ca-nghe-an", "Công an tỉnh Nghệ An")
    open_period(api, admin_token, "2021-08", FUTURE)
    assert put(api, token, "ca-nghe-an").status_code == 201
    work = store.unit_of_work()
    with pytest.raises(SystemExit):
        review_report(work, Principal("adm", Role.ADMIN, None, "Văn phòng"), "ca-nghe-an", "2021-08",
                      ReviewAction.RETURN, "Bổ sung số liệu.", None, datetime.now(timezone.utc), DyingProcess())
    assert store.reports.get("ca-nghe-an", "2021-08")["status"] == "returned"
    [kept] = ReturnNotes(store.table).outstanding()  # committed in the review's own transaction
    assert kept["unit_id"] == "ca-nghe-an" and kept["period"] == "2021-08"
    later = datetime.now(timezone.utc) + timedelta(minutes=11)  # past the dead sender's claim
    run = reminders.send_reminders(store, OutboxMailer(Path(env["THIDUA_MAIL"].removeprefix("outbox:"))), 10, 3,
                                   later, periods=[parse_period("2021-08")])
    assert [u for u, *_ in run.notes_sent] == ["ca-nghe-an"] and len(outbox(env)) == 1
