"""People's accounts on DynamoDB Local: the throttle's atomic counters (concurrent failures all
count, one owner notice per window, a new window after the old one), a session authenticated in one
BatchGetItem, and a disabled account's sessions refused on the very next request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.accounts.sessions import authenticate, throttle_subjects
from chalicelib.core.clock import SystemClock
from chalicelib.core.errors import Unauthorized
from chalicelib.store.repositories import Store
from helpers import person, together


def test_concurrent_failures_all_count_and_only_one_claims_the_notice(store: Store):
    subject = throttle_subjects("vanthu@bca.gov.vn", "203.0.113.7")["email"]
    now = 1_629_428_400
    results = together(*[lambda: store.accounts.count_failure(subject, None, now, 900) for _ in range(8)])
    assert all(r["window_until"] == now + 900 for r in results)
    stored = store.table.get(("THROTTLE#" + subject, "THROTTLE"))
    assert stored["count"] == 8  # every failure counted: the ADD is atomic, the window started once
    claims = together(*[lambda: store.accounts.claim_lock_notice(subject, now + 900) for _ in range(4)])
    assert claims.count(True) == 1
    later = store.accounts.count_failure(subject, stored, now + 901, 900)  # the window is over: a new one
    assert later == {"subject": subject, "count": 1, "window_until": now + 901 + 900}
    assert store.accounts.claim_lock_notice(subject, now + 901 + 900) is True  # a new window, a new notice


def test_a_session_is_one_batch_read_and_a_disabled_account_is_refused_at_once(store: Store, calls):
    now = SystemClock().now()
    account_id, token = person(store, "unit", "ca-nghe-an", now=now)
    calls.clear()
    principal, account = authenticate(store, f"Bearer {token}", now)
    assert calls == ["BatchGetItem"]
    assert (principal.account_id, principal.role, principal.unit_id) == (account_id, "unit", "ca-nghe-an")
    store.accounts.update(account_id, {"status": "disabled", "session_epoch": 1})
    with pytest.raises(Unauthorized):
        authenticate(store, f"Bearer {token}", now)
    store.accounts.update(account_id, {"status": "active"})
    with pytest.raises(Unauthorized):  # re-enabled, the old session stays ended
        authenticate(store, f"Bearer {token}", now)


def test_the_idle_clock_moves_with_one_write_at_most_every_few_minutes(store: Store, calls):
    now = SystemClock().now()
    _, token = person(store, "unit", "ca-nghe-an", now=now)
    calls.clear()
    authenticate(store, f"Bearer {token}", now + timedelta(minutes=4))
    assert calls == ["BatchGetItem"]
    calls.clear()
    authenticate(store, f"Bearer {token}", now + timedelta(minutes=6))
    assert calls == ["BatchGetItem", "UpdateItem"]
    authenticate(store, f"Bearer {token}", now + timedelta(minutes=35))  # 29 minutes after the touch: alive
    with pytest.raises(Unauthorized):  # 30 minutes after the last touch (at 35)
        authenticate(store, f"Bearer {token}", now + timedelta(minutes=65))


def test_accounts_list_by_unit_and_one_account_per_email(store: Store):
    from chalicelib.store import AlreadyExists

    now = SystemClock().now()
    person(store, "unit", "ca-nghe-an", email="a@bca.gov.vn", now=now)
    person(store, "unit", "ca-ha-tinh", email="b@bca.gov.vn", now=now)
    person(store, "leader", None, email="c@bca.gov.vn", now=now)
    with pytest.raises(AlreadyExists):
        person(store, "unit", "ca-ha-tinh", email="a@bca.gov.vn", now=now)
    assert [a["email"] for a in store.accounts.list("ca-nghe-an").items] == ["a@bca.gov.vn"]
    assert {a["email"] for a in store.accounts.list().items} == {"a@bca.gov.vn", "b@bca.gov.vn", "c@bca.gov.vn"}


def test_an_unknown_email_costs_the_same_calls_as_a_wrong_password(store: Store, calls):
    from argon2 import PasswordHasher

    from chalicelib.accounts.models import SessionIn
    from chalicelib.accounts.passwords import Passwords
    from chalicelib.accounts.sessions import sign_in
    from chalicelib.core.settings import settings

    hasher = Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    now = SystemClock().now()
    person(store, "unit", "ca-nghe-an", email="a@bca.gov.vn", now=now)
    made = []
    for n, email in enumerate(("a@bca.gov.vn", "khongco@bca.gov.vn", "a@bca.gov.vn", "khongco@bca.gov.vn")):
        calls.clear()
        with pytest.raises(Unauthorized) as refused:
            sign_in(store, SessionIn(email=email, password="sai mật khẩu rồi"), f"203.0.113.{n}", now, hasher,
                    settings(), lambda *_: None)
        made.append((list(calls), refused.value.detail))
    assert made[0] == made[1] and made[2] == made[3]
    assert made[0][0] == ["BatchGetItem", "GetItem", "PutItem", "PutItem", "PutItem"]  # 2 new windows, 1 audit
    assert made[2][0] == ["BatchGetItem", "GetItem", "UpdateItem", "PutItem", "PutItem"]  # the email's counted on
