"""devtools.demo_accounts: what it returns signs in, staff with their TOTP code, twice in a row."""

from __future__ import annotations

from chalicelib.accounts import factors
from chalicelib.bootstrap import services
from devtools.demo_accounts import create_demo_accounts
from helpers import seed_units


def test_the_demo_accounts_sign_in_with_what_they_return(api, store, clock):
    seed_units(store, [("bo-cong-an", "Bộ Công an", None, "ministry"),
                       ("ca-nghe-an", "Công an tỉnh Nghệ An", "bo-cong-an", "province")])
    create_demo_accounts(store, clock.now(), services.passwords)
    people = create_demo_accounts(store, clock.now(), services.passwords)  # again: reset, not duplicated
    assert [p["email"] for p in people][0] == "admin@thidua.local" and len(store.accounts.list().items) == 4
    for who in people:
        body = {"email": who["email"], "password": who["password"]}
        if who["totp_secret"]:
            body["otp"] = factors.totp_code(who["totp_secret"], clock.now())
        resp = api.post("/v1/sessions", body=body)
        assert resp.status_code == 201, (who["email"], resp.body)
        assert resp.data["needs_second_factor"] is False and resp.data["account"]["role"] == who["role"]
    assert {p["role"] for p in people if p["totp_secret"]} == {"admin", "leader"}
