"""Hypothesis state machines over the HTTP API, shared by the unit and integration tiers.

`ReportLifecycle` drives one or two units' reports for one or two periods through the
Chalice test client: create, replace (current, stale or missing If-Match), idempotent
retries, review (accept / return), deadlines moved, the clock moved, exceptions granted,
resubmission after a return. A model says what each call SHOULD answer, derived from the
rules of the reporting cycle, not from the code:

- a unit may write while the period is open (now <= deadline), or while an exception
  holds (now <= until), or whenever its report is returned for correction;
- an accepted report is locked whatever the date (423, reason `accepted`);
- a report that was returned and resubmitted locks again once the period is closed
  (423, reason `returned_resubmitted`); otherwise a closed period is 423 `deadline_passed`;
- the lock is decided before the preconditions: no report + If-Match is 412, a report and
  no If-Match is 428, a report and another ETag is 412;
- an Idempotency-Key is bound to (caller, method, path) and to the body: the same key and
  body replay the first answer (same status, body and ETag, `Idempotent-Replayed: true`)
  for 24 hours, whatever happened since; the same key with another body is 422;
- a review needs a note to return (422), a report (404), and the current ETag if it sends
  one (412);
- an exception must end in the future (422).

After every step the invariants compare the API with the model: the current report, its
ETag, its revisions (versions 1..n, one per accepted write, the values written) and its
audit log (one event per accepted write, review and exception, in order).

The fixtures are per test function and Hypothesis runs many examples in one, so every
example makes its own units (fresh ids): no example sees another's reports, exceptions,
audit events or idempotency records. Period deadlines are per table, so every example sets
the deadline of each period it uses before its first step.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chalicelib.core.clock import iso
from chalicelib.http.idempotency import TTL_SECONDS
from helpers import issue, seed_units

START = "2021-08-20T10:00:00+07:00"
PERIODS = ("2021-08", "2021-W33")  # both begun at START; two kinds: no history for the outlier rule
FAKE_ETAG = '"0-feedfacefeedface"'  # never issued: a report with version 0 does not exist
KEYS = ("k1", "k2", "k3")

_unit_numbers = itertools.count(1)

# Small figures (no outlier can be 10x a median of them) that keep the cross-field rules.
values_strategy = st.fixed_dictionaries(
    {"checkpoints": st.integers(10, 40)},
    optional={"citizens_escorted": st.integers(100, 400), "news_items": st.integers(1, 4)})
actors = st.sampled_from(["unit", "admin"])
keys = st.sampled_from((None, None, *KEYS))
picks = st.integers(0, 3)  # which slot / record / ETag, modulo how many there are
# Which slot a review or a replace acts on: mostly one that has a report (0: any slot).
targets = st.integers(0, 7)
if_matches = st.sampled_from(["none", "current", "stale"])  # what a review sends as If-Match


def pick(items: list[Any], index: int) -> Any:
    return items[index % len(items)]


@dataclass
class Written:
    """The model of the current report: what the last accepted write and reviews left."""
    version: int
    values: dict[str, int]
    timeliness: str
    status: str = "submitted"
    review: dict[str, Any] | None = None          # action, note, version, at
    resubmitted_after_return: bool = False


@dataclass
class Slot:
    """One unit's report for one period, as the model expects it."""
    unit_id: str
    period: str
    token: str
    report: Written | None = None
    etag: str | None = None                       # the ETag header of the current report, quoted
    seen_etags: list[str] = field(default_factory=list)
    writes: list[dict[str, int]] = field(default_factory=list)    # values of each accepted write
    events: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)  # action, detail, at
    exception_until: datetime | None = None
    acted_on: bool = True                         # by a call since the invariants last read it

    @property
    def path(self) -> str:
        return f"/v1/units/{self.unit_id}/reports/{self.period}"

    def stale_etag(self, index: int) -> str:
        stale = [e for e in self.seen_etags if e != self.etag]
        return pick(stale, index) if stale else FAKE_ETAG


@dataclass
class Recorded:
    """An Idempotency-Key's first answer, as the client saw it."""
    slot: Slot
    actor: str
    key: str
    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    etag: str | None
    data: Any
    expires_at: int


def report_body(values: dict[str, int]) -> dict[str, Any]:
    return {"values": values}


class ReportLifecycle(RuleBasedStateMachine):
    def __init__(self, api: Any, store: Any, admin_token: str, clock: Any) -> None:
        super().__init__()
        self.api, self.store, self.admin, self.clock = api, store, admin_token, clock
        self.clock.at = datetime.fromisoformat(START)  # every example starts at the same instant
        self.slots: list[Slot] = []
        self.deadlines: dict[str, datetime] = {}
        self.records: dict[tuple[str, str, str], Recorded] = {}  # (scope, path, key) -> first answer
        self.checks = 0

    # -- set-up ------------------------------------------------------------------------

    @initialize(units=st.integers(1, 2), periods=st.integers(1, 2),
                deadline_hours=st.lists(st.integers(-24, 168), min_size=2, max_size=2),
                first=st.lists(st.none() | values_strategy, min_size=4, max_size=4))
    def setup(self, units: int, periods: int, deadline_hours: list[int],
              first: list[dict[str, int] | None]) -> None:
        """Fresh units, the periods' deadlines, and (a head start) some reports already created."""
        n = next(_unit_numbers)
        unit_ids = [f"sm{n:05d}-{chr(ord('a') + i)}" for i in range(units)]
        seed_units(self.store, [(u, f"Đơn vị {u}", None, "province") for u in unit_ids])
        tokens = {u: issue(self.store, "unit", unit_id=u) for u in unit_ids}
        for period, hours in zip(PERIODS[:periods], deadline_hours):
            self._set_deadline(period, hours)
        self.slots = [Slot(u, p, tokens[u]) for u in unit_ids for p in PERIODS[:periods]]
        for slot, values in zip(self.slots, first):
            if values is not None:
                self.send_put(slot, "unit", report_body(values), None, None)

    # -- the model ----------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def lock(self, slot: Slot) -> str | None:
        """Why the unit may not write this report now (the 423 reason), or None."""
        status = slot.report.status if slot.report else None
        if status == "accepted":
            return "accepted"
        if status == "returned":
            return None
        now = self.now()
        if now <= self.deadlines[slot.period]:
            return None
        if slot.exception_until is not None and now <= slot.exception_until:
            return None
        if slot.report and slot.report.resubmitted_after_return:
            return "returned_resubmitted"
        return "deadline_passed"

    def expected_put(self, slot: Slot, if_match: str | None) -> tuple[int, str | None]:
        reason = self.lock(slot)
        if reason:
            return 423, reason
        if slot.report is not None and if_match is None:
            return 428, None
        if slot.report is None and if_match is not None:
            return 412, None
        if slot.report is not None and if_match != slot.etag:
            return 412, None
        return (201 if slot.report is None else 200), None

    def target(self, index: int) -> Slot:
        """A slot with a report, unless index is 0 (or no slot has one): then any slot."""
        existing = [s for s in self.slots if s.report is not None]
        return pick(existing if index and existing else self.slots, index)

    def scope(self, actor: str, slot: Slot) -> str:
        return f"unit:{slot.unit_id}" if actor == "unit" else "admin"

    def token(self, actor: str, slot: Slot) -> str:
        return slot.token if actor == "unit" else self.admin

    def _new_etag(self, slot: Slot, resp: Any, version: int) -> str:
        etag = resp.headers.get("ETag")
        assert etag and etag.startswith(f'"{version}-'), (etag, version)
        slot.etag = etag
        if etag not in slot.seen_etags:
            slot.seen_etags.append(etag)
        return etag

    def _apply_write(self, slot: Slot, values: dict[str, int], resp: Any) -> None:
        before = slot.report
        now = self.now()
        version = before.version + 1 if before else 1
        if before is None:
            timeliness = "on_time" if now <= self.deadlines[slot.period] else "late"
        else:
            timeliness = before.timeliness  # fixed at the first submission
        slot.report = Written(version, dict(values), timeliness, resubmitted_after_return=bool(
            before and (before.status == "returned" or before.resubmitted_after_return)))
        slot.writes.append(dict(values))
        slot.events.append(("submitted" if before is None else "replaced", {"version": version}, iso(now)))
        assert resp.headers.get("ETag") not in slot.seen_etags, "a new version must have a new ETag"
        self._new_etag(slot, resp, version)
        assert resp.data["version"] == version and resp.data["values"] == values, resp.data
        assert resp.data["status"] == "submitted" and resp.data["review"] is None, resp.data
        assert resp.data["timeliness"] == timeliness, (resp.data, timeliness)

    # -- calls ---------------------------------------------------------------------------

    def send_put(self, slot: Slot, actor: str, body: dict[str, Any], if_match: str | None,
                 key: str | None) -> Any:
        headers = {}
        if if_match is not None:
            headers["If-Match"] = if_match
        if key is not None:
            headers["Idempotency-Key"] = key
        resp = self.api.put(slot.path, token=self.token(actor, slot), body=body, headers=headers)
        slot.acted_on = True
        now_ts = int(self.now().timestamp())
        record = self.records.get((self.scope(actor, slot), slot.path, key)) if key else None
        if record is not None and now_ts > record.expires_at:
            record = None  # the key expired: a new request
        if record is not None:
            if record.body != body:
                assert resp.status_code == 422, (resp.status_code, resp.data)
                assert "Idempotent-Replayed" not in resp.headers, resp.headers
                assert resp.data["errors"][0]["field"] == "Idempotency-Key", resp.data
                return resp
            assert resp.status_code == record.status, (resp.status_code, record.status, resp.data)
            assert resp.headers.get("Idempotent-Replayed") == "true", resp.headers
            assert resp.headers.get("ETag") == record.etag, (resp.headers.get("ETag"), record.etag)
            assert resp.data == record.data, (resp.data, record.data)
            return resp
        status, reason = self.expected_put(slot, if_match)
        assert resp.status_code == status, (
            f"PUT {slot.path} If-Match={if_match} key={key}: expected {status}, got {resp.status_code}",
            resp.data)
        assert "Idempotent-Replayed" not in resp.headers, resp.headers
        if reason:
            assert resp.data["reason"] == reason, resp.data
        if key is not None:
            self.records[(self.scope(actor, slot), slot.path, key)] = Recorded(
                slot, actor, key, body, headers, resp.status_code, resp.headers.get("ETag"), resp.data,
                now_ts + TTL_SECONDS)
        if status in (200, 201):
            self._apply_write(slot, body["values"], resp)
        return resp

    def _set_deadline(self, period: str, hours: int) -> None:
        deadline = self.now() + timedelta(hours=hours)
        text = deadline.astimezone(datetime.fromisoformat(START).tzinfo).isoformat()
        resp = self.api.put(f"/v1/periods/{period}", token=self.admin, body={"deadline": text})
        assert resp.status_code == 200, resp.data
        self.deadlines[period] = datetime.fromisoformat(text)
        assert resp.data["open"] == (self.now() <= self.deadlines[period]), resp.data

    # -- rules ---------------------------------------------------------------------------

    @rule(slot=picks, actor=actors, values=values_strategy, key=keys)
    def put_without_if_match(self, slot: int, actor: str, values: dict[str, int], key: str | None) -> None:
        """Create; over an existing report, 428."""
        self.send_put(pick(self.slots, slot), actor, report_body(values), None, key)

    @rule(slot=targets, actor=actors, values=values_strategy, key=keys)
    def replace_with_current_etag(self, slot: int, actor: str, values: dict[str, int], key: str | None) -> None:
        s = self.target(slot)
        self.send_put(s, actor, report_body(values), s.etag or FAKE_ETAG, key)

    @rule(slot=targets, actor=actors, values=values_strategy, stale=picks)
    def replace_with_stale_etag(self, slot: int, actor: str, values: dict[str, int], stale: int) -> None:
        s = self.target(slot)
        resp = self.send_put(s, actor, report_body(values), s.stale_etag(stale), None)
        assert resp.status_code in (412, 423), resp.status_code  # and nothing written: the invariants

    @precondition(lambda self: self.records)
    @rule(record=picks)
    def retry_same_request(self, record: int) -> None:
        r = pick(list(self.records.values()), record)
        self.send_put(r.slot, r.actor, r.body, r.headers.get("If-Match"), r.key)

    @precondition(lambda self: self.records)
    @rule(record=picks, values=values_strategy)
    def reuse_key_with_another_body(self, record: int, values: dict[str, int]) -> None:
        r = pick(list(self.records.values()), record)
        if values == r.body["values"]:
            values = {**values, "checkpoints": values["checkpoints"] + 1}
        self.send_put(r.slot, r.actor, report_body(values), r.headers.get("If-Match"), r.key)

    @precondition(lambda self: any(s.report and s.report.status == "returned" for s in self.slots))
    @rule(slot=picks, values=values_strategy, after_deadline=st.booleans(),
          correct_again=st.none() | values_strategy)
    def resubmit_after_return(self, slot: int, values: dict[str, int], after_deadline: bool,
                              correct_again: dict[str, int] | None) -> None:
        """The correction (maybe once the period and any exception are over: the clock moves
        an hour past them); then, maybe, another one with its ETag (423 if the period is closed)."""
        s = pick([s for s in self.slots if s.report and s.report.status == "returned"], slot)
        if after_deadline:
            closes = max(self.deadlines[s.period], s.exception_until or self.deadlines[s.period])
            self.clock.at = max(self.clock.at, closes.astimezone(self.clock.at.tzinfo))
            self.clock.advance(hours=1)
        assert self.expected_put(s, s.etag) == (200, None)  # a returned report is open, whatever the date
        self.send_put(s, "unit", report_body(values), s.etag, None)
        if correct_again is not None:
            self.send_put(s, "unit", report_body(correct_again), s.etag, None)

    @rule(slot=targets, note=st.sampled_from(["", "Đạt."]), if_match=if_matches, stale=picks)
    def accept(self, slot: int, note: str, if_match: str, stale: int) -> None:
        self.review(slot, "accept", note, if_match, stale)

    @rule(slot=targets, note=st.sampled_from(["Bổ sung số liệu chốt kiểm soát.", " Số liệu chưa khớp. ", ""]),
          if_match=if_matches, stale=picks)
    def return_report(self, slot: int, note: str, if_match: str, stale: int) -> None:
        """With a note (blank: 422)."""
        self.review(slot, "return", note, if_match, stale)

    def review(self, slot: int, action: str, note: str, if_match: str, stale: int) -> None:
        """POST .../review without If-Match, with the current ETag or with a stale one."""
        s = self.target(slot)
        headers = {}
        if if_match == "current":
            headers["If-Match"] = s.etag or FAKE_ETAG
        elif if_match == "stale":
            headers["If-Match"] = s.stale_etag(stale)
        resp = self.api.post(f"{s.path}/review", token=self.admin, body={"action": action, "note": note},
                             headers=headers)
        s.acted_on = True
        note = note.strip()
        if action == "return" and not note:
            expected = 422
        elif s.report is None:
            expected = 404
        elif "If-Match" in headers and headers["If-Match"] != s.etag:
            expected = 412
        else:
            expected = 200
        assert resp.status_code == expected, (f"review {action} If-Match={if_match}: expected {expected}, "
                                              f"got {resp.status_code}", resp.data)
        if expected != 200:
            return
        before = (s.report.status, s.report.review)
        s.report.status = "accepted" if action == "accept" else "returned"
        s.report.review = {"action": action, "note": note, "version": s.report.version, "at": iso(self.now())}
        s.events.append((action, {"version": s.report.version}, iso(self.now())))
        previous = s.etag
        self._new_etag(s, resp, s.report.version)
        if (s.report.status, s.report.review) != before:
            assert s.etag != previous, "a review that changes the report must give it a new ETag"
        assert resp.data["status"] == s.report.status and resp.data["version"] == s.report.version, resp.data
        assert resp.data["notified"] == (False if action == "return" else None), resp.data  # no emails

    @rule(past_deadline=st.booleans(), period=picks, hours=st.integers(1, 48))
    def advance_clock(self, past_deadline: bool, period: int, hours: int) -> None:
        """By `hours`, or to `hours` past a period's deadline (if that is later)."""
        if past_deadline:
            deadline = self.deadlines[pick(sorted(self.deadlines), period)]
            self.clock.at = max(self.clock.at, deadline.astimezone(self.clock.at.tzinfo))
        self.clock.advance(hours=hours)

    @rule(period=picks, hours=st.integers(-48, 72))
    def set_deadline(self, period: int, hours: int) -> None:
        self._set_deadline(pick(sorted(self.deadlines), period), hours)

    @rule(slot=picks, hours=st.sampled_from([-1, 0, 1, 2, 6, 12, 24, 48]),
          then_submit=st.none() | values_strategy)
    def grant_exception(self, slot: int, hours: int, then_submit: dict[str, int] | None) -> None:
        """An exception until now + hours (422 unless in the future); then, maybe, the unit
        submits under it (created late, or replaced with the current ETag)."""
        s = pick(self.slots, slot)
        until = (self.now() + timedelta(hours=hours)).isoformat()
        resp = self.api.post(f"{s.path}/exception", token=self.admin,
                             body={"until": until, "reason": "Bổ sung số liệu"})
        s.acted_on = True
        if hours <= 0:
            assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "until", resp.data
            return
        assert resp.status_code == 201, resp.data
        s.exception_until = datetime.fromisoformat(until)
        assert datetime.fromisoformat(resp.data["until"]) == s.exception_until, resp.data
        s.events.append(("exception_granted", {"until": resp.data["until"]}, iso(self.now())))
        if then_submit is not None:
            self.send_put(s, "unit", report_body(then_submit), s.etag, None)

    # -- invariants ------------------------------------------------------------------------

    def _all(self, path: str, token: str) -> tuple[int, list[dict[str, Any]]]:
        items, cursor = [], None
        while True:
            query = "?limit=100" + (f"&cursor={quote(cursor, safe='')}" if cursor else "")
            resp = self.api.get(path + query, token=token)
            if resp.status_code != 200:
                return resp.status_code, items
            items += resp.data["items"]
            cursor = resp.data["next"]
            if not cursor:
                return 200, items

    @invariant()
    def api_matches_the_model(self) -> None:
        """Every report a call acted on: its current state and ETag, revisions and audit log.
        And one other report in turn, its current state and ETag: a write that lands on the
        wrong report changes that, and is seen within len(slots) steps. (Reading everything
        about every report after every step is too slow on DynamoDB Local.)"""
        if not self.slots:
            return
        self.checks += 1
        in_turn = self.slots[self.checks % len(self.slots)]
        for s in self.slots:
            if s.acted_on:
                s.acted_on = False
                self._check(s, everything=True)
            elif s is in_turn:
                self._check(s, everything=False)

    def _check(self, s: Slot, everything: bool) -> None:
        """The current report (and ETag); with `everything`, its revisions and audit log too."""
        current = self.api.get(s.path, token=s.token)
        if s.report is None:
            assert current.status_code == 404, (s.path, current.status_code)
            assert s.writes == []
        else:
            w = s.report
            assert current.status_code == 200, (s.path, current.status_code)
            assert current.headers["ETag"] == s.etag, (s.path, current.headers["ETag"], s.etag)
            d = current.data
            assert (d["version"], d["values"], d["status"], d["timeliness"]) == (
                w.version, w.values, w.status, w.timeliness), (s.path, d, w)
            review = d["review"] and {k: d["review"][k] for k in ("action", "note", "version", "at")}
            assert review == w.review, (s.path, d["review"], w.review)
        if not everything:
            return
        status, revisions = self._all(f"{s.path}/revisions", s.token)
        if s.report is None:
            assert status == 404, (s.path, status)
        else:
            w = s.report
            # every accepted write is exactly one revision: versions 1..n, n accepted writes
            assert status == 200
            assert [r["version"] for r in revisions] == list(range(1, len(s.writes) + 1)), (
                s.path, [r["version"] for r in revisions], len(s.writes))
            assert [r["values"] for r in revisions] == s.writes, s.path
            assert w.version == len(s.writes) and revisions[-1]["values"] == w.values
        _, events = self._all(f"{s.path}/audit", self.admin)
        seen = [(e["action"], {k: e["detail"].get(k) for k in detail}, e["at"])
                for e, (_, detail, _) in zip(reversed(events), s.events)]
        assert len(events) == len(s.events) and seen == s.events, (
            s.path, [(e["action"], e["detail"], e["at"]) for e in reversed(events)], s.events)
