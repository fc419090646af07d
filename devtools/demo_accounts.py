"""The demo's people: accounts with known passwords (and TOTP secrets for staff), made through the
service layer, for `make demo` to call once the demo units exist.

    from devtools.demo_accounts import create_demo_accounts
    for person in create_demo_accounts(store):
        print(person["email"], person["password"], person["totp_secret"])

Running it again resets each demo account's password and TOTP secret to the same fixed values:
what `make demo` prints signs in to `make serve` too, whose database is another one
(`ensure_demo_people` seeds it). `python -m devtools.demo_accounts code EMAIL` prints a
staff account's current TOTP code, for signing in without an authenticator app.
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
# Fixed (demo only, never for real people): so the codes `make demo` explains work on `make serve`.
DEMO_TOTP_SECRETS = {"admin@thidua.local": "THIDUADEMOQUANTRIVIENAAAAAAAAAAA",
                     "lanhdao@thidua.local": "THIDUADEMOLANHDAOAAAAAAAAAAAAAAA"}
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
        secret = _enrol_totp(store, account, DEMO_TOTP_SECRETS[email], now) if role in ("admin", "leader") else None
        made.append({"id": account["id"], "email": email, "name": name, "role": role, "unit_id": unit_id,
                     "password": password, "totp_secret": secret})
    return made


def _enrol_totp(store: Store, account: dict[str, Any], secret: str, now: datetime) -> str:
    who = service.person(account, "demo")
    factors.begin_totp(store, who, account, now)
    store.accounts.update(account["id"], {"totp_pending": secret})  # the demo's fixed secret, not a random one
    pending = store.accounts.get(account["id"])
    # Confirmed with the previous 30-second step's code: the current one stays unused, so signing in
    # right after the demo (in the same step) is not refused as a replayed code.
    factors.confirm_totp(store, who, pending, factors.totp_code(secret, now - timedelta(seconds=30)), now)
    return secret


def ensure_demo_people(store: Store, now: datetime | None = None) -> list[dict[str, Any]]:
    """For `make serve`: the demo units (when missing) and the demo accounts (reset to the demo's
    password and secrets), so the portal can be tried at once."""
    from chalicelib.units.models import UnitIn
    from chalicelib.units.service import create_unit
    from devtools import demo_data

    now = now or SystemClock().now()
    for unit_id, name, parent, kind in demo_data.UNITS:
        if store.units.get(unit_id) is None:
            create_unit(store, DEMO, UnitIn(id=unit_id, name=name, parent_id=parent, kind=kind,
                                            emails=demo_data.emails(unit_id)), now)
    return create_demo_accounts(store, now)


def sign_in_help(people: list[dict[str, Any]], url: str = "http://localhost:8000/") -> str:
    """How to sign in, in Vietnamese, as `make demo` and `make serve` print it."""
    lines = [f"Cổng thông tin: {url}  (mở bằng localhost, không dùng 127.0.0.1: khóa truy cập cần tên miền)",
             f"Mật khẩu của mọi tài khoản thử: {DEMO_PASSWORD}"]
    for p in people:
        extra = (f"mã xác thực: .venv/bin/python -m devtools.demo_accounts code {p['email']}"
                 f"  (khóa TOTP {p['totp_secret']})" if p["totp_secret"] else "")
        lines.append(f"  {p['email']:<30} {p['name']} ({p['role']}{', ' + p['unit_id'] if p['unit_id'] else ''})  "
                     f"{extra}".rstrip())
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    if len(sys.argv) == 3 and sys.argv[1] == "code" and sys.argv[2] in DEMO_TOTP_SECRETS:
        print(factors.totp_code(DEMO_TOTP_SECRETS[sys.argv[2]], SystemClock().now()))
    else:
        print(f"usage: python -m devtools.demo_accounts code {{{'|'.join(DEMO_TOTP_SECRETS)}}}", file=sys.stderr)
        sys.exit(2)
