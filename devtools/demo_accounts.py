"""The demo's people: accounts with known passwords (and TOTP secrets for staff), made through the
service layer, for `make demo` to call once the demo units exist.

    from devtools.demo_accounts import create_demo_accounts
    for person in create_demo_accounts(store):
        print(person["email"], person["password"], person["totp_secret"])

Running it again resets each demo account's password and TOTP secret (the same password, a new
secret): what it returns is always what signs in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.accounts import factors, service
from chalicelib.accounts.models import AccountIn
from chalicelib.accounts.passwords import Passwords
from chalicelib.core.access import Principal
from chalicelib.core.clock import SystemClock
from chalicelib.core.states import Role
from chalicelib.store import Store

DEMO_PASSWORD = "thidua-demo-2021"  # 16 characters, not on the common-password list
DEMO_ACCOUNTS = (
    # email, name, role, unit_id
    ("admin@thidua.local", "Quản trị viên", "admin", None),
    ("lanhdao@thidua.local", "Nguyễn Văn Lãnh Đạo", "leader", None),
    ("vanthu.nghean@thidua.local", "Trần Thị Văn Thư", "unit", "ca-nghe-an"),
    ("vanthu.bocongan@thidua.local", "Lê Văn Thư Ký", "unit", "bo-cong-an"),
)
DEMO = Principal("demo", Role.ADMIN, None, "make demo")


def create_demo_accounts(store: Store, now: datetime | None = None, passwords: Passwords | None = None,
                         password: str = DEMO_PASSWORD) -> list[dict[str, Any]]:
    """Create (or reset) the demo accounts; returns each one's id, email, name, role, unit_id,
    password and TOTP secret (None for unit clerks: no second factor needed). The units
    `ca-nghe-an` and `bo-cong-an` must exist."""
    now = now or SystemClock().now()
    passwords = passwords or Passwords()
    made = []
    for email, name, role, unit_id in DEMO_ACCOUNTS:
        existing, _ = store.accounts.by_email(email)
        if existing is None:
            account, token = service.create_account(store, DEMO, AccountIn(email=email, name=name, role=role,
                                                                           unit_id=unit_id), now)
        else:
            if existing["status"] == "disabled":
                store.accounts.update(existing["id"], {"status": "invited"})
            account, token = service.reinvite(store, DEMO, existing["id"], now)
        account = service.set_password(store, token, password, passwords, now)
        secret = _enrol_totp(store, account, now) if role in ("admin", "leader") else None
        made.append({"id": account["id"], "email": email, "name": name, "role": role, "unit_id": unit_id,
                     "password": password, "totp_secret": secret})
    return made


def _enrol_totp(store: Store, account: dict[str, Any], now: datetime) -> str:
    who = service.person(account, "demo")
    secret = factors.begin_totp(store, who, account, now)["secret"]
    pending = store.accounts.get(account["id"])
    # Confirmed with the previous 30-second step's code: the current one stays unused, so signing in
    # right after the demo (in the same step) is not refused as a replayed code.
    factors.confirm_totp(store, who, pending, factors.totp_code(secret, now - timedelta(seconds=30)), now)
    return secret
