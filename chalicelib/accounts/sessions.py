"""Signing in, the session a person then holds, and authenticating every bearer token.

A session token reads `ths_<account id>_<session id>_<secret>`; the session item lives in the
account's partition and holds only the token's SHA-256 hash. Authenticating it reads the account
and the session in ONE BatchGetItem (with a route's own reads, `Operation.preload`): a disabled
account, a role or unit changed by an admin, a password set or reset (a new `session_epoch`) take effect on the
very next request. A session lasts 8 hours and ends after 30 minutes without a request.

Sign-in failures are counted per email (hashed; unknown emails count the same, so a lock tells
nothing about who has an account) and per address, in DynamoDB items with atomic counters and a
TTL: 5 per email or 20 per address within 15 minutes lock that email or address until the window
ends (429 + Retry-After); the account's owner is emailed once per lock window.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from chalicelib.accounts import factors as second
from chalicelib.accounts.service import (
    entity, factors, has_factor, is_staff, normal_email, person, public,
)
from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.bearer import Bearer, bearer_of
from chalicelib.core.clock import iso
from chalicelib.core.errors import TooManyRequests, Unauthorized
from chalicelib.core.states import Role
from chalicelib.store import Store, StoreUnavailable

if TYPE_CHECKING:
    from chalicelib.accounts.models import SessionIn
    from chalicelib.accounts.passwords import Passwords
    from chalicelib.core.settings import Settings

log = logging.getLogger("thidua.sessions")

SESSION_LIFETIME = timedelta(hours=8)
IDLE_LIMIT = timedelta(minutes=30)
# How stale `last_seen` may get before a request moves it. Writing it on every request would turn
# every read into a write (cost, and write contention with the request's own transaction); once per
# 5 minutes at most, a session ends between 25 and 30 minutes after its last request.
TOUCH_AFTER = timedelta(minutes=5)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_SECONDS = 15 * 60
WRONG = "Thư điện tử hoặc mật khẩu không đúng."
LOCKED = "Đăng nhập tạm khóa do nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút."

UNREAD: Any = object()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# -- throttling ---------------------------------------------------------------------------

def throttle_subjects(email: str, address: str) -> dict[str, str]:
    """The counters a sign-in attempt is charged to: the email (hashed: the table holds no list of
    guessed addresses) and the caller's address."""
    return {"email": "email:" + hashlib.sha256(email.encode()).hexdigest()[:32],
            "address": "address:" + (address or "unknown")[:64]}


LIMITS = {"email": ACCOUNT_LIMIT, "address": ADDRESS_LIMIT}


def _locked(counters: dict[str, dict[str, Any] | None], now_s: int) -> int:
    """Seconds until the attempt may be made (0: now)."""
    wait = 0
    for name, counter in counters.items():
        if counter and int(counter.get("count", 0)) >= LIMITS[name] and int(counter["window_until"]) > now_s:
            wait = max(wait, int(counter["window_until"]) - now_s)
    return wait


def _too_many(wait: int) -> TooManyRequests:
    return TooManyRequests(LOCKED.format(minutes=max(1, -(-wait // 60))), wait, reason="too_many_attempts")


# -- signing in ----------------------------------------------------------------------------

Notify = Callable[[dict[str, Any], int, int], None]  # (account, failures, locked until epoch)


def sign_in(store: Store, body: SessionIn, address: str, now: datetime, hasher: Passwords, conf: Settings,
            notify: Notify) -> dict[str, Any]:
    """A new session for the email and password (and second factor), or Unauthorized / TooManyRequests.

    Two reads (the email's guard with both throttle counters, then the account), one Argon2id
    verification whether or not the email has an account, and the session, the account's
    `last_sign_in_at` and the audit event staged for the request's commit. Failures are written
    at once (the request answers 401)."""
    email = normal_email(body.email)
    subjects = throttle_subjects(email, address)
    keys = dict(zip(subjects, store.accounts.throttle_keys(list(subjects.values()))))
    account, found = store.accounts.by_email(email, also=list(keys.values()), even=True)
    counters = {name: found.get(key) for name, key in keys.items()}
    now_s = int(now.timestamp())
    wait = _locked(counters, now_s)
    if wait:
        raise _too_many(wait)
    usable = account is not None and account["status"] == "active"
    if not hasher.verify(account.get("password_hash") if usable else None, body.password) or not usable:
        _failed(store, subjects, counters, account if usable else None, now, notify, "password")
        raise Unauthorized(WRONG, reason="invalid_credentials")
    assert account is not None
    method, enrolment_only, changes, condition = "password", False, {}, None
    if has_factor(account):
        method, changes, condition = _second_factor(store, account, body, now, conf, subjects, counters, notify)
    elif is_staff(account):
        enrolment_only = True  # may only enrol a factor (see access.Rule.enrolment)
    if counters["email"]:
        store.accounts.clear_failures(subjects["email"])
    return _open_session(store, account, body.password, hasher, now, address, method, enrolment_only,
                         changes, condition)


def _second_factor(store: Store, account: dict[str, Any], body: SessionIn, now: datetime, conf: Settings,
                   subjects: dict[str, str], counters: dict[str, Any], notify: Notify
                   ) -> tuple[str, dict[str, Any], Any]:
    enrolled = factors(account)
    offered = [name for name, on in (("totp", enrolled["totp"]), ("passkey", enrolled["passkeys"] > 0)) if on]
    if body.otp and enrolled["totp"]:
        used = second.check_totp(account, body.otp, now)
        if used is not None:
            store.explain(otp_replay=Unauthorized("Mã xác thực này vừa được dùng; hãy chờ mã mới.",
                                                  reason="second_factor_invalid", factors=offered))
            return "totp", *used
    elif body.passkey and enrolled["passkeys"]:
        if second.check_passkey_assertion(store, account, body.passkey, now, conf):
            return "passkey", {}, None
    else:
        raise Unauthorized("Cần xác thực hai lớp: nhập mã của ứng dụng xác thực hoặc dùng khóa truy cập.",
                           reason="second_factor_required", factors=offered)
    _failed(store, subjects, counters, account, now, notify, "second_factor")
    raise Unauthorized("Mã xác thực hoặc khóa truy cập không đúng.", reason="second_factor_invalid", factors=offered)


def _failed(store: Store, subjects: dict[str, str], counters: dict[str, Any], account: dict[str, Any] | None,
            now: datetime, notify: Notify, what: str) -> None:
    now_s = int(now.timestamp())
    for name, subject in subjects.items():
        counter = store.accounts.count_failure(subject, counters[name], now_s, WINDOW_SECONDS)
        if (name == "email" and account is not None and int(counter["count"]) >= ACCOUNT_LIMIT
                and store.accounts.claim_lock_notice(subject, int(counter["window_until"]))):
            notify(account, int(counter["count"]), int(counter["window_until"]))
    if account is not None:
        store.accounts.audit_now(audit.event(entity(account["id"]), "sign_in_failed", person(account, "sign-in"), now,
                                             failed=what, address=subjects["address"]))
    else:  # recorded too (a security log), and so that both failures cost the same writes
        store.accounts.audit_now(audit.event("sign-in:unknown", "sign_in_failed", None, now, failed=what,
                                             email=subjects["email"], address=subjects["address"]))


def _open_session(store: Store, account: dict[str, Any], password: str, hasher: Passwords, now: datetime,
                  address: str, method: str, enrolment_only: bool, changes: dict[str, Any],
                  condition: Any) -> dict[str, Any]:
    opened = start_session(store, account, now, address, method, enrolment_only)
    changes = {**changes, "last_sign_in_at": iso(now)}
    if hasher.needs_rehash(account["password_hash"]):
        changes["password_hash"] = hasher.hash(password)  # the cost was raised since it was set
    store.accounts.update(account["id"], changes, condition, guards="otp_replay")
    return {**opened, "account": public({**account, **changes})}


def start_session(store: Store, account: dict[str, Any], now: datetime, address: str = "unknown",
                  method: str = "password", enrolment_only: bool = False) -> dict[str, Any]:
    """Stage a new session of `account` (its credentials already checked); {token, expires_at, ...}."""
    session_id = secrets.token_hex(8)
    token = f"ths_{account['id']}_{session_id}_{secrets.token_urlsafe(32)}"
    until = now + SESSION_LIFETIME
    session = {"id": session_id, "account_id": account["id"], "hash": _digest(token), "created_at": iso(now),
               "valid_until": iso(until), "last_seen": iso(now), "enrolment_only": enrolment_only,
               "epoch": int(account.get("session_epoch") or 0),
               "address": address, "method": method, "expires_at": int(until.timestamp())}
    who = Principal(session_id, Role(account["role"]), account.get("unit_id"), account["name"], account["id"],
                    enrolment_only)
    store.accounts.create_session(session, audit=audit.event(entity(account["id"]), "signed_in", who, now,
                                                             method=method, address=address,
                                                             enrolment_only=enrolment_only))
    return {"token": token, "expires_at": iso(until), "account": public(account),
            "needs_second_factor": enrolment_only}


def sign_out(store: Store, who: Principal, now: datetime) -> None:
    assert who.account_id is not None
    store.accounts.end_session(who.account_id, who.token_id,
                               audit=audit.event(entity(who.account_id), "signed_out", who, now))


# -- authenticating every request ---------------------------------------------------------

def authenticate(store: Store, authorization: str | None, now: datetime,
                 found: Any = UNREAD) -> tuple[Principal, dict[str, Any] | None]:
    """The principal behind an `Authorization: Bearer` header (and the person's account), or Unauthorized.

    `found`: what `credential_keys` names, already read with the route's other reads."""
    if not authorization:
        raise Unauthorized("Thiếu tiêu đề Authorization: Bearer <token>.")
    bearer = bearer_of(authorization)
    if bearer is None:
        raise Unauthorized("Mã truy cập không đúng định dạng.")
    if found is UNREAD:
        found = store.accounts.credentials(bearer)
    if not bearer.is_session:
        from chalicelib.units.tokens import machine_principal

        return machine_principal(found.get("token"), bearer.secret, now), None
    return _session_principal(store, bearer, found.get("account"), found.get("session"), now)


def _session_principal(store: Store, bearer: Bearer, account: dict[str, Any] | None,
                       session: dict[str, Any] | None, now: datetime) -> tuple[Principal, dict[str, Any]]:
    if not session or not hmac.compare_digest(session.get("hash", ""), _digest(bearer.secret)) or account is None:
        raise Unauthorized("Phiên đăng nhập không hợp lệ hoặc đã kết thúc; hãy đăng nhập lại.", reason="session_ended")
    if account["status"] != "active":
        raise Unauthorized("Tài khoản đã bị vô hiệu hóa.", reason="account_disabled")
    if int(session.get("epoch") or 0) != int(account.get("session_epoch") or 0):
        raise Unauthorized("Phiên đăng nhập đã kết thúc (mật khẩu đã đổi hoặc tài khoản đã bị khóa); hãy đăng nhập lại.",
                           reason="session_ended")
    if now >= datetime.fromisoformat(session["valid_until"]):
        raise Unauthorized("Phiên đăng nhập đã hết hạn (8 giờ); hãy đăng nhập lại.", reason="session_expired")
    last_seen = datetime.fromisoformat(session["last_seen"])
    if now - last_seen >= IDLE_LIMIT:
        raise Unauthorized("Phiên đăng nhập đã kết thúc do không hoạt động quá 30 phút; hãy đăng nhập lại.",
                           reason="session_idle")
    if now - last_seen >= TOUCH_AFTER:
        try:  # written at once, not with the request's change: it must not fail that change, nor wait on it
            store.accounts.touch_session(account["id"], session["id"], iso(now),
                                         int(datetime.fromisoformat(session["valid_until"]).timestamp()))
        except StoreUnavailable:
            log.warning("could not move the idle clock of a session of account %s", account["id"])
    # A staff account with no second factor (an enrolment session, or a role raised since) may only enrol one.
    enrolment_only = bool(session.get("enrolment_only")) or (is_staff(account) and not has_factor(account))
    return Principal(session["id"], Role(account["role"]), account.get("unit_id"), account["name"], account["id"],
                     enrolment_only), account


def lock_notifier(mailer_of: Callable[[], Any]) -> Notify:
    """Email the account's owner that sign-in is locked (once per lock window: the caller claims it)."""
    def notify(account: dict[str, Any], failures: int, until: int) -> None:
        from datetime import timezone

        from chalicelib.accounts.service import _vn_time
        from chalicelib.delivery import emails

        try:
            emails.send(mailer_of(), [account["email"]], emails.render_subject("sign_in_locked"), "sign_in_locked",
                        ("sign-in-locked", account["id"], str(until)), account=account, failures=failures,
                        locked_until=_vn_time(datetime.fromtimestamp(until, timezone.utc)))
        except Exception:  # noqa: BLE001 - the lock holds whether or not the owner hears of it
            log.warning("could not email the sign-in lock notice of account %s", account["id"], exc_info=True)
    return notify
