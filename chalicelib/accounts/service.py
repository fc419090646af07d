"""Accounts (admin): create, list, change, disable; invitation and password-reset links; setting a
password from such a link.

A link carries a one-time token `thp_<account id>_<secret>`; only its SHA-256 hash is kept, on the
account, with its kind and deadline (an invitation: 72 h, a reset: 30 min). A new link replaces
the old one, and setting a password removes it in the same conditional write: single use.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.accounts import passwords as rules
from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.clock import iso
from chalicelib.core.errors import Conflict, Invalid, NotFound, invalid
from chalicelib.core.states import Role
from chalicelib.store import Store
from chalicelib.store.table import Eq, all_of, any_of
from chalicelib.units.service import get_unit

if TYPE_CHECKING:
    from chalicelib.accounts.models import AccountIn, AccountPatch
    from chalicelib.accounts.passwords import Passwords
    from chalicelib.core.settings import Settings

log = logging.getLogger("thidua.accounts")

INVITATION_VALID = timedelta(hours=72)
RESET_VALID = timedelta(minutes=30)
STAFF = (Role.ADMIN.value, Role.LEADER.value)
_SETUP_RE = re.compile(r"^thp_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$")
BAD_LINK = "Liên kết đặt mật khẩu không hợp lệ, đã dùng hoặc đã hết hạn; hãy đề nghị gửi liên kết mới."


def entity(account_id: str) -> str:
    return f"account:{account_id}"


def normal_email(email: str) -> str:
    return unicodedata.normalize("NFC", email).strip().lower()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def factors(account: dict[str, Any]) -> dict[str, Any]:
    return {"totp": bool(account.get("totp_secret")), "passkeys": int(account.get("passkeys") or 0)}


def has_factor(account: dict[str, Any]) -> bool:
    enrolled = factors(account)
    return enrolled["totp"] or enrolled["passkeys"] > 0


def is_staff(account: dict[str, Any]) -> bool:
    return account.get("role") in STAFF


def next_epoch(account: dict[str, Any]) -> int:
    """A session is valid only while the account's `session_epoch` is the one it was opened under:
    moving it on (disabling, a new password) ends every session at once."""
    return int(account.get("session_epoch") or 0) + 1


def public(account: dict[str, Any]) -> dict[str, Any]:
    """An account as the API shows it: never a hash, a secret or a link."""
    return {"id": account["id"], "email": account["email"], "name": account["name"], "role": account["role"],
            "unit_id": account.get("unit_id"), "status": account["status"], "factors": factors(account),
            "created_at": account["created_at"], "last_sign_in_at": account.get("last_sign_in_at")}


def person(account: dict[str, Any], token_id: str) -> Principal:
    """The account's owner as the actor of what they do without a session (a link, a sign-in)."""
    return Principal(token_id, Role(account["role"]), account.get("unit_id"), account["name"], account["id"])


ACCOUNT_ID = re.compile(r"^[a-f0-9]{16}$")


def get_account(store: Store, account_id: str) -> dict[str, Any]:
    # Not an id this API hands out: no read (a path of any length must not reach a DynamoDB key).
    account = store.accounts.get(account_id) if ACCOUNT_ID.match(account_id) else None
    if account is None:
        raise NotFound(f"tài khoản '{account_id}'")
    return account


def _check_unit(store: Store, role: str, unit_id: str | None) -> None:
    if role == Role.UNIT.value and unit_id is None:
        raise invalid("unit_id", "Tài khoản của đơn vị phải gắn với một đơn vị.")
    if unit_id is not None:
        get_unit(store, unit_id)


def _new_link(account_id: str, kind: str, until: datetime) -> tuple[str, dict[str, Any]]:
    token = f"thp_{account_id}_{secrets.token_urlsafe(32)}"
    return token, {"setup_hash": digest(token), "setup_kind": kind, "setup_until": iso(until)}


def create_account(store: Store, who: Principal, body: AccountIn, now: datetime) -> tuple[dict[str, Any], str]:
    """The account (invited) and its invitation link's token; the email is the caller's to send."""
    _check_unit(store, body.role, body.unit_id)
    account_id = secrets.token_hex(8)
    token, link = _new_link(account_id, "invitation", now + INVITATION_VALID)
    account = {"id": account_id, "email": normal_email(body.email), "name": body.name, "role": body.role,
               "unit_id": body.unit_id, "status": "invited", "passkeys": 0, "created_at": iso(now),
               "created_by": who.actor, "updated_at": iso(now), **link}
    store.explain(email=Conflict("Thư điện tử này đã có tài khoản."))
    store.accounts.create(account, audit=audit.event(entity(account_id), "created", who, now, email=account["email"],
                                                     role=body.role, unit_id=body.unit_id))
    return account, token


def reinvite(store: Store, who: Principal, account_id: str, now: datetime) -> tuple[dict[str, Any], str]:
    """A new invitation link; the one before stops working."""
    account = get_account(store, account_id)
    if account["status"] == "disabled":
        raise Conflict("Tài khoản đang bị vô hiệu hóa; hãy kích hoạt lại trước khi gửi lời mời.")
    token, link = _new_link(account_id, "invitation", now + INVITATION_VALID)
    store.explain(account=NotFound(f"tài khoản '{account_id}'"))
    store.accounts.update(account_id, {**link, "updated_at": iso(now)},
                          audit=audit.event(entity(account_id), "invited_again", who, now))
    return {**account, **link}, token


def patch_account(store: Store, who: Principal, account_id: str, body: AccountPatch, now: datetime) -> dict[str, Any]:
    account = get_account(store, account_id)
    given = body.model_fields_set
    changes: dict[str, Any] = {k: getattr(body, k) for k in ("name", "role", "unit_id") if k in given}
    if changes.get("name") is None:
        changes.pop("name", None)
    if "role" in changes and changes["role"] is None:
        raise invalid("role", "Vai trò không được để trống.")
    role, unit_id = changes.get("role", account["role"]), changes.get("unit_id", account.get("unit_id"))
    if "role" in changes or "unit_id" in changes:
        _check_unit(store, role, unit_id)
    if "status" in given and body.status is not None:
        if body.status == "disabled":
            changes["status"] = "disabled"
            changes["session_epoch"] = next_epoch(account)  # every session ends, and stays ended if re-enabled
        elif account["status"] == "disabled":
            changes["status"] = "active" if account.get("password_hash") else "invited"
    if account_id == who.account_id and (changes.get("status") == "disabled" or changes.get("role", role) != Role.ADMIN):
        raise Conflict("Quản trị viên không thể tự vô hiệu hóa hoặc tự bỏ vai trò quản trị của mình.")
    if not changes:
        return account
    changes["updated_at"] = iso(now)
    store.explain(account=NotFound(f"tài khoản '{account_id}'"))
    shown = {k: v for k, v in changes.items() if k in ("name", "role", "unit_id", "status")}
    store.accounts.update(account_id, changes, audit=audit.event(entity(account_id), "changed", who, now, **shown))
    return {**account, **changes}


def setup_account(token: str) -> str | None:
    match = _SETUP_RE.match(token.strip())
    return match.group(1) if match else None


def set_password(store: Store, token: str, password: str, hasher: Passwords, now: datetime) -> dict[str, Any]:
    """Set the password from an invitation or reset link (single use): the account becomes active and
    every earlier session ends."""
    account_id = setup_account(token)
    account = store.accounts.get(account_id) if account_id else None
    if (account is None or account["status"] == "disabled" or not account.get("setup_hash")
            or not hmac.compare_digest(account["setup_hash"], digest(token.strip()))
            or now > datetime.fromisoformat(account["setup_until"])):
        raise invalid("token", BAD_LINK, BAD_LINK)
    problems = rules.problems(password, account["email"])
    if problems:
        raise Invalid(problems, "Mật khẩu chưa đạt yêu cầu.")
    changes = {"password_hash": hasher.hash(password), "password_set_at": iso(now), "status": "active",
               "setup_hash": None, "setup_kind": None, "setup_until": None, "session_epoch": next_epoch(account),
               "updated_at": iso(now)}
    store.explain(setup=invalid("token", BAD_LINK, BAD_LINK))
    store.accounts.update(
        account["id"], changes, all_of(Eq("setup_hash", account["setup_hash"]),
                                       any_of(Eq("status", "invited"), Eq("status", "active"))), guards="setup",
        audit=audit.event(entity(account["id"]), "password_set", person(account, "setup-link"), now,
                          link=account.get("setup_kind")))
    return {**account, **changes}


RESETS_PER_WINDOW = 3
RESET_WINDOW_SECONDS = 15 * 60


def request_reset(store: Store, email: str, now: datetime) -> tuple[dict[str, Any], str] | None:
    """A 30-minute reset link for the account with this email, if there is one that may sign in, and
    at most 3 per 15 minutes (nobody can flood a mailbox with reset emails; the answer is the same)."""
    email = normal_email(email)
    subject = "reset:" + hashlib.sha256(email.encode()).hexdigest()[:32]
    key, = store.accounts.throttle_keys([subject])
    account, found = store.accounts.by_email(email, also=[key])
    if account is None or account["status"] == "disabled":
        return None
    counted = store.accounts.count_failure(subject, found.get(key), int(now.timestamp()), RESET_WINDOW_SECONDS)
    if int(counted["count"]) > RESETS_PER_WINDOW:
        return None
    token, link = _new_link(account["id"], "reset", now + RESET_VALID)
    store.accounts.update(account["id"], link, audit=audit.event(entity(account["id"]), "reset_requested",
                                                                 person(account, "reset-link"), now))
    return {**account, **link}, token


# -- email -------------------------------------------------------------------------------

def link_for(conf: Settings, token: str) -> str:
    base = conf.portal_url if conf.portal_url.endswith("/") else conf.portal_url + "/"
    return f"{base}#/dat-mat-khau?token={token}"


def send_link(mailer: Any, conf: Settings, account: dict[str, Any], token: str) -> bool:
    """Email an invitation or reset link; False when the mail could not be handed over (logged without
    the link: the admin resends, the person asks again)."""
    from chalicelib.delivery import emails

    kind = account["setup_kind"]
    template = "account_invitation" if kind == "invitation" else "password_reset"
    until = datetime.fromisoformat(account["setup_until"])
    try:
        emails.send(mailer, [account["email"]], emails.render_subject(template), template,
                    ("account-link", account["id"], digest(token)[:16]), account=account,
                    link=link_for(conf, token), valid_until=_vn_time(until), portal=conf.portal_url)
    except Exception:  # noqa: BLE001 - any mail failure: the account stays as it is, the link is not logged
        log.warning("could not email the %s link of account %s", kind, account["id"], exc_info=True)
        return False
    return True


def _vn_time(moment: datetime) -> str:
    from chalicelib.core.periods import VN_TZ

    return moment.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")
