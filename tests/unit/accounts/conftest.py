"""People's accounts over the in-memory store: a cheap Argon2id (same code, tiny cost), a mailbox
instead of the outbox, the fixed clock."""

from __future__ import annotations

import re
from typing import Any

import pytest

from chalicelib.accounts.passwords import Passwords
from chalicelib.bootstrap import services
from helpers import Mailbox

GOOD_PASSWORD = "Ngựa ô phi qua cầu Hiền Lương"


class CountingPasswords(Passwords):
    """Argon2id at its lowest cost, counting the Argon2id verifications it really runs (real hashes
    and the dummy one alike)."""

    def __init__(self) -> None:
        from argon2 import PasswordHasher

        owner = self

        class Counting(PasswordHasher):
            def verify(self, hash, password):  # noqa: A002 - argon2-cffi's own parameter name
                owner.verified += 1
                return super().verify(hash, password)

        self.verified = 0
        super().__init__(Counting(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def passwords(monkeypatch) -> CountingPasswords:
    fake = CountingPasswords()
    monkeypatch.setattr(services, "_passwords", fake)
    return fake


@pytest.fixture
def mailbox(monkeypatch) -> Mailbox:
    box = Mailbox()
    monkeypatch.setattr(services, "mailer", lambda conf=None: box)
    return box


def text_of(message: Any) -> str:
    return message.get_body(("plain",)).get_content()


def link_token(message: Any) -> str:
    match = re.search(r"#/dat-mat-khau\?token=(thp_[A-Za-z0-9_-]+)", text_of(message))
    assert match, text_of(message)
    return match.group(1)


@pytest.fixture
def units(api, admin_token) -> None:
    for unit_id, name in (("ca-nghe-an", "Công an tỉnh Nghệ An"), ("ca-ha-tinh", "Công an tỉnh Hà Tĩnh")):
        assert api.post("/v1/units", token=admin_token, body={"id": unit_id, "name": name,
                                                              "kind": "province"}).status_code == 201


class People:
    """Accounts made through the API, as an admin would: invite, follow the link, sign in."""

    def __init__(self, api, admin_token, mailbox) -> None:
        self.api, self.admin, self.mailbox = api, admin_token, mailbox

    def invite(self, email: str, role: str = "unit", unit_id: str | None = "ca-nghe-an",
               name: str = "Nguyễn Thị Văn Thư") -> tuple[dict, str]:
        resp = self.api.post("/v1/accounts", token=self.admin, body={"email": email, "name": name, "role": role,
                                                                     "unit_id": unit_id})
        assert resp.status_code == 201, resp.body
        return resp.data, link_token(self.mailbox.sent[-1])

    def active(self, email: str, role: str = "unit", unit_id: str | None = "ca-nghe-an",
               password: str = GOOD_PASSWORD, name: str = "Nguyễn Thị Văn Thư") -> dict:
        account, token = self.invite(email, role, unit_id, name)
        resp = self.api.post("/v1/password", body={"token": token, "password": password})
        assert resp.status_code == 204, resp.body
        return account

    def sign_in(self, email: str, password: str = GOOD_PASSWORD, **extra: Any):
        return self.api.post("/v1/sessions", body={"email": email, "password": password, **extra})


@pytest.fixture
def people(api, admin_token, mailbox, units, clock) -> People:
    return People(api, admin_token, mailbox)
