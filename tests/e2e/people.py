"""People and a stack for the browser tests, made as in production.

An admin's POST /v1/accounts, the emailed link (read from the outbox), POST /v1/password and,
for staff, an enrolled TOTP factor; signing in through the sign-in form. `portal_world` is
one stack (DynamoDB Local + chalice local behind browser.LosingProxy) with the demo units,
an admin machine token and a conference, for a test module's `world` fixture.
"""

from __future__ import annotations

import itertools
import time
import urllib.parse
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Iterator

import pytest

from browser import assert_accessible, button, emailed_link, fill, heading, norm, page_text, portal_stack, press, \
    screenshot, wait
from chalicelib.core.clock import SystemClock
from chalicelib.core.periods import VN_TZ, parse_period
from chalicelib.core.settings import settings
from chalicelib.store import store_for
from chalicelib.units.tokens import issue_token
from devtools import demo_data
from devtools.stack import ROOT, Http

pyotp = pytest.importorskip("pyotp")

DOMAIN = "ca.gov.vn"
UNITS = [u for u in demo_data.UNITS if u[0] in {
    "bo-cong-an", "cuc-y-te", "bv-19-8", "bv-y-hoc-co-truyen", "bv-199", "ca-nghe-an", "ca-bac-giang", "ca-da-nang",
    "ca-tp-hcm", "ca-binh-duong", "ca-dong-nai"}]
UNIT_NAMES = {u[0]: u[1] for u in UNITS}


def ok(result: tuple[int, dict, object], *expected: int) -> object:
    status, _, body = result
    assert status in (expected or (200,)), (status, body)
    return body


def current_period() -> str:
    return SystemClock().now().astimezone(VN_TZ).strftime("%Y-%m")


def previous_period() -> str:
    return parse_period(current_period()).previous().code


# -- people, made as in production --------------------------------------------------------------

@dataclass
class Person:
    id: str
    email: str
    name: str
    role: str
    unit_id: str | None
    password: str
    secret: str | None = None  # the TOTP secret, when enrolled


_numbers = itertools.count(1)
_last_step: dict[str, int] = {}


def otp(secret: str) -> str:
    """A TOTP code as an authenticator app shows it, never one of a time step already used for
    this secret (the API takes each step once): then the next step's code, which the API accepts
    for a step of clock drift; waiting only when even that one was used."""
    step = int(time.time()) // 30
    last = _last_step.get(secret)
    if last is not None and step <= last:
        step = last + 1
        while step > int(time.time()) // 30 + 1:
            time.sleep(0.5)
    _last_step[secret] = step
    return pyotp.TOTP(secret).at(step * 30)


def token_of(link: str) -> str:
    fragment = urllib.parse.urlsplit(link).fragment  # "/dat-mat-khau?token=..."
    return urllib.parse.parse_qs(fragment.partition("?")[2])["token"][0]


def invite(world, role: str, unit_id: str | None, name: str) -> tuple[dict, str]:
    """An account made by the admin over the API; (account, the emailed set-password link)."""
    email = f"{role}{next(_numbers)}.{int(time.time())}@{DOMAIN}"
    account = ok(world.api.call("POST", "/v1/accounts",
                                {"email": email, "name": name, "role": role, "unit_id": unit_id}), 201)
    link, _ = emailed_link(world.outbox, email)
    return account, link


def person(world, role: str, unit_id: str | None = None, *, name: str, totp: bool = True) -> Person:
    """An active account with a password (and, for staff when `totp`, an enrolled TOTP factor)."""
    account, link = invite(world, role, unit_id, name)
    password = f"Thi-đua-{next(_numbers)}-quyết-thắng!"
    ok(world.anonymous.call("POST", "/v1/password", {"token": token_of(link), "password": password}), 204)
    who = Person(account["id"], account["email"], name, role, unit_id, password)
    if role != "unit" and totp:
        status, _, session = world.anonymous.call("POST", "/v1/sessions", {"email": who.email, "password": password})
        assert status == 201, (status, session)  # a staff account's enrolment session
        me = Http(world.api_url, session["token"])
        who.secret = ok(me.call("POST", "/v1/me/totp"))["secret"]
        ok(me.call("POST", "/v1/me/totp/confirm", {"otp": otp(who.secret)}), 204)
        ok(me.call("DELETE", "/v1/sessions/current"), 204)
    return who


def portal_missing(api: Http) -> str | None:
    """Why the portal cannot be tried here yet (a branch not merged), or None. A portal whose
    source is here but not built is a failure, not a skip."""
    if not (ROOT / "web" / "package.json").exists():
        return "the portal's source (web/) is not here yet"
    if api.call("GET", "/v1/accounts")[0] == 404:
        return "the accounts API (/v1/accounts) is not here yet"
    assert (ROOT / "web" / "dist" / "index.html").exists(), "the portal is not built: run `make web`"
    return None

def portal_world(tmp_path_factory, name: str = "portal",
                 extra_env: dict[str, str] | None = None) -> Iterator[SimpleNamespace]:
    """The stack of a browser test module: the demo units (with their emails), an admin machine
    token (`api`), an anonymous client, a conference over the last two periods, the indicators' labels.
    `extra_env` adds settings (e.g. the local stage's THIDUA_COMPILE_TRIGGER=thread)."""
    with portal_stack(tmp_path_factory.mktemp(name), extra_env) as stack:
        store = store_for(settings(stack.env))
        admin_token = issue_token(store, "admin", "Văn phòng Bộ (máy)", SystemClock().now())["token"]
        api = Http(stack.api_url, admin_token)
        missing = portal_missing(api)
        if missing:
            pytest.skip(missing)
        for unit_id, name_, parent, kind in UNITS:
            ok(api.call("POST", "/v1/units", {"id": unit_id, "name": name_, "parent_id": parent, "kind": kind,
                                              "emails": demo_data.emails(unit_id)}), 201)
        conference = ok(api.call("POST", "/v1/conferences", {
            "title": "Hội nghị sơ kết công tác thi đua năm 2026", "date": "2027-01-15", "place": "Hà Nội",
            "periods": [previous_period(), current_period()],
            "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Thiếu tướng Nguyễn Văn A"}}), 201)
        catalog = ok(api.call("GET", "/v1/indicators"))
        yield SimpleNamespace(**vars(stack), api=api, anonymous=Http(stack.api_url), conference=conference,
                              labels={i["code"]: i["label"] for i in catalog["indicators"]})


def check(driver, screen: str, shot: bool = True) -> None:
    """axe-core on the screen as it is, and its screenshot when asked for (the plain screens are
    shot by test_every_screen_at_a_phones_and_a_laptops_width at both widths; a scenario shoots
    the states only it reaches)."""
    wait(driver, lambda d: "Đang tải" not in page_text(d), message=f"{screen} never finished loading")
    assert_accessible(driver, screen)
    if shot:
        screenshot(driver, screen)


def go(driver, world, route: str) -> None:
    """Open a hash route of the portal the way a bookmark would (the session is kept by the page)."""
    driver.get(f"{world.url}/#{route}")


def sign_in(driver, world, who: Person, *, second_factor: bool = True) -> None:
    """Sign in on the sign-in screen; with TOTP when the account has one; signed in when
    "Đăng xuất" is offered."""
    if "Đăng nhập" not in [norm(h.text) for h in driver.find_elements("tag name", "h1")]:
        go(driver, world, "/")
    heading(driver, "Đăng nhập")
    fill(driver, "Thư điện tử", who.email)
    fill(driver, "Mật khẩu", who.password)
    press(driver, "Đăng nhập")
    if who.secret and second_factor:
        fill(driver, "Mã xác thực (6 số)", otp(who.secret))
        press(driver, "Đăng nhập")
    if second_factor:
        signed_in(driver)


def signed_in(driver) -> None:
    button(driver, "Đăng xuất")


def sign_out(driver) -> None:
    press(driver, "Đăng xuất")
    heading(driver, "Đăng nhập")
