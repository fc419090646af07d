"""Over real HTTP on the local stack (chalice local + DynamoDB Local): a year of past awards imported
from a workbook (preview, then confirm), and the register search finds a person without diacritics."""

from __future__ import annotations

import pytest

from devtools import demo_register
from devtools.stack import Http, running_stack

pytestmark = pytest.mark.slow


def test_the_register_search_finds_a_person_without_diacritics():
    with running_stack() as stack:
        from chalicelib.core.clock import SystemClock
        from chalicelib.core.settings import settings
        from chalicelib.store import store_for
        from chalicelib.units.tokens import issue_token
        from devtools.demo import seed_units

        store = store_for(settings(stack.env))
        admin = Http(stack.api_url, issue_token(store, "admin", "Quản trị", SystemClock().now())["token"])
        tokens = seed_units(admin)
        imported = demo_register.import_past_awards(admin)
        assert imported["size"] == len(demo_register.PAST_AWARDS_2020)
        status, _, found = admin.call("GET", "/v1/register?q=nguyen%20thi%20hoa")
        assert status == 200 and [e["name"] for e in found["items"]] == ["Nguyễn Thị Hòa"]
        assert found["items"][0]["decision_date"] == "2020-11-25"
        # a unit sees its own subtree only: Nghệ An finds its director, not Bình Dương's officer
        nghe_an = Http(stack.api_url, tokens["ca-nghe-an"])
        status, _, mine = nghe_an.call("GET", "/v1/register?q=pham%20the%20tung")
        assert status == 200 and [e["name"] for e in mine["items"]] == ["Phạm Thế Tùng"]
        status, _, other = nghe_an.call("GET", "/v1/register?q=le%20van%20duc")
        assert status == 200 and other["items"] == []
