"""A client generated from /v1/openapi.json by openapi-python-client, used over real HTTP
against `chalice local`: it returns typed unit, report and conference objects."""

from __future__ import annotations

import datetime
import importlib
import sys

import pytest

from devtools.generate_client import generate
from devtools.stack import running_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client_package(tmp_path_factory):
    out = tmp_path_factory.mktemp("client") / "thidua_client"
    generate(out)
    sys.path.insert(0, str(out.parent))
    yield importlib.import_module("thidua_client")
    sys.path.remove(str(out.parent))
    for name in [m for m in sys.modules if m.startswith("thidua_client")]:
        del sys.modules[name]


def test_generated_client_returns_typed_objects(client_package):
    from thidua_client import AuthenticatedClient, Client
    from thidua_client.api.conferences import create_conference
    from thidua_client.api.reporting import get_report, put_report, set_period
    from thidua_client.api.service import health
    from thidua_client.api.units import create_unit, create_unit_token, list_units
    from thidua_client.models import (Conference, ConferenceIn, Health, IssuedToken, PeriodSettingsIn, Report,
                                      ReportIn, SignerIn, Unit, UnitIn, UnitList, UnitTokenIn)
    from thidua_client.models.indicator_values import IndicatorValues

    from chalicelib.core.clock import SystemClock
    from chalicelib.core.settings import settings
    from chalicelib.store import store_for
    from chalicelib.units.tokens import issue_token

    with running_stack() as stack:
        assert isinstance(health.sync(client=Client(stack.api_url)), Health)
        store = store_for(settings(stack.env))
        admin = AuthenticatedClient(stack.api_url, token=issue_token(store, "admin", "Sinh mã", SystemClock().now())["token"])

        unit = create_unit.sync(client=admin, body=UnitIn(id="ca-nghe-an", name="Công an tỉnh Nghệ An"))
        assert isinstance(unit, Unit) and unit.name == "Công an tỉnh Nghệ An"
        units = list_units.sync(client=admin)
        assert isinstance(units, UnitList) and [u.id for u in units.items] == ["ca-nghe-an"]

        set_period.sync("2021-08", client=admin, body=PeriodSettingsIn(deadline="2099-12-31T23:59:59+07:00"))
        token = create_unit_token.sync("ca-nghe-an", client=admin, body=UnitTokenIn())
        assert isinstance(token, IssuedToken)
        as_unit = AuthenticatedClient(stack.api_url, token=token.token)
        values = IndicatorValues(citizens_escorted=15000, violations_penalised=6969, violations_detected=21529)
        created = put_report.sync_detailed("ca-nghe-an", "2021-08", client=as_unit, body=ReportIn(values=values))
        assert created.status_code == 201 and isinstance(created.parsed, Report)
        assert created.parsed.values["citizens_escorted"] == 15000 and created.headers["etag"]
        read = get_report.sync("ca-nghe-an", "2021-08", client=as_unit)
        assert isinstance(read, Report) and read.version == 1

        conference = create_conference.sync(client=admin, body=ConferenceIn(
            title="Hội nghị sơ kết", date=datetime.date(2021, 8, 31), periods=["2021-08"],
            signer=SignerIn(title="CHÁNH VĂN PHÒNG", name="Nguyễn Văn A")))
        assert isinstance(conference, Conference) and conference.id.startswith("20210831-")
