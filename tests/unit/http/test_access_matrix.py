"""Every route in the app's route table × every kind of caller, checked against the route's
declared access rule. Authorization is decided before the body is read: each request here
carries an invalid body, and the callers a rule refuses still get 403, not 422.

Callers: machine tokens of each role, people's sessions of each role, and the sessions that must
not work (a disabled account's, one past its 8 hours, one idle for over 30 minutes) or only for
enrolling a second factor (a staff person without one)."""

from __future__ import annotations

from datetime import timedelta

import pytest

import app as app_module
from chalicelib.core.access import RULES, Principal, Rule
from chalicelib.core.clock import SystemClock
from chalicelib.core.states import Role
from chalicelib.http.features import operations
from chalicelib.units.tokens import revoke
from helpers import issue, person

NOMINATIONS: dict[str, str] = {}  # unit -> its nomination id, filled by the fixture
ACCOUNTS: dict[str, str] = {}     # "clerk" -> an account id, filled by the fixture
CALLERS = ("no token", "malformed", "revoked", "own unit", "other unit", "leader", "admin",
           "clerk session", "clerk session, other unit", "leader session", "admin session",
           "disabled account's session", "expired session", "idle session", "enrolment session")
OWN, OTHER = "ca-nghe-an", "ca-ha-tinh"
SIGN_OUT = ("DELETE", "/v1/sessions/current")


def declared() -> dict[tuple[str, str], Rule]:
    return {(op.method, op.path): op.access for op in operations()}


def test_every_served_route_declares_a_named_access_rule():
    rules = declared()
    for path, methods in app_module.app.routes.items():
        for method in methods:
            assert (method, path) in rules, f"{method} {path} has no declared access rule"
            assert rules[(method, path)] in RULES.values(), f"{method} {path}: not a named rule"


def test_a_route_cannot_be_declared_without_an_access_rule():
    from chalicelib.http.declaration import Feature

    with pytest.raises(TypeError):
        Feature("probe", "probe").route("GET", "/v1/probe", summary="x")  # type: ignore[call-arg]


@pytest.fixture
def callers(api, admin_token, store):
    for unit_id, name in ((OWN, "Công an tỉnh Nghệ An"), (OTHER, "Công an tỉnh Hà Tĩnh")):
        assert api.post("/v1/units", token=admin_token, body={"id": unit_id, "name": name}).status_code == 201
    revoked = api.post(f"/v1/units/{OWN}/tokens", token=admin_token, body={}).data
    revoke(store, None, revoked["id"], SystemClock().now())
    unit = issue(store, "unit", unit_id=OWN)
    conference = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    for unit_id in (OWN, OTHER):  # one nomination each: the resource-level half of the matrix
        resp = api.post(f"/v1/units/{unit_id}/nominations", token=admin_token, body={
            "conference_id": conference, "kind": "collective", "name": f"Tập thể {unit_id}",
            "award_form": "giay-khen", "achievements": "Hoàn thành xuất sắc nhiệm vụ."})
        assert resp.status_code == 201, resp.body
        NOMINATIONS[unit_id] = resp.data["id"]
    now = SystemClock().now()
    ACCOUNTS["clerk"], clerk = person(store, "unit", OWN, "Văn thư Nghệ An")
    return {
        "no token": (None, None),
        "malformed": ("not-a-token", None),
        "revoked": (revoked["token"], None),
        "own unit": (unit, Principal("u", Role.UNIT, OWN, "")),
        "other unit": (unit, Principal("u", Role.UNIT, OWN, "")),   # the same token, another unit's path
        "leader": (issue(store, "leader"), Principal("l", Role.LEADER, None, "")),
        "admin": (admin_token, Principal("a", Role.ADMIN, None, "")),
        "clerk session": (clerk, Principal("s", Role.UNIT, OWN, "", "c")),
        "clerk session, other unit": (clerk, Principal("s", Role.UNIT, OWN, "", "c")),
        "leader session": (person(store, "leader")[1], Principal("s", Role.LEADER, None, "", "l")),
        "admin session": (person(store, "admin")[1], Principal("s", Role.ADMIN, None, "", "a")),
        "disabled account's session": (person(store, "admin", status="disabled")[1], None),
        "expired session": (person(store, "admin", now=now - timedelta(hours=8, seconds=1))[1], None),
        "idle session": (person(store, "unit", OWN, now=now - timedelta(minutes=31))[1], None),
        "enrolment session": (person(store, "admin", totp=False, enrolment_only=True)[1],
                              Principal("s", Role.ADMIN, None, "", "e", enrolment_only=True)),
    }


@pytest.mark.parametrize("caller", CALLERS)
def test_route_matrix(api, callers, caller):
    token, principal = callers[caller]
    checked = 0
    other = caller.endswith("other unit")
    # Signing out last: it ends the session the other routes are tried with.
    for op in sorted(operations(), key=lambda op: (op.method, op.path) == SIGN_OUT):
        params = {p: {"unit_id": OTHER if other else OWN, "period": "2021-08",
                      "token_id": "0000000000000000", "conference_id": "20210805-aaaaaa",
                      "document_id": "7K3FQ2MD", "account_id": ACCOUNTS["clerk"], "passkey_id": "A" * 43,
                      "name": "missing.js", "import_id": "0" * 16, "nomination_id": NOMINATIONS[OTHER if other else OWN]}[p]
                  for p in op.path_params}
        path = op.path.format_map(params)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        resp = api.call(op.method, path, raw="[]" if op.body is not None else "", headers=headers)
        where = f"{caller}: {op.method} {path} -> {resp.status_code} {resp.body[:200]!r}"
        assert resp.status_code < 500, where
        if op.access.public:
            assert resp.status_code not in (401, 403), where
        elif principal is None:
            assert resp.status_code == 401, where
            assert resp.headers["Content-Type"].startswith("application/problem+json")
        elif op.access.allows(principal, params, owner=owner_of(params)):
            assert resp.status_code not in (401, 403), where
        else:
            assert resp.status_code == 403, where
            assert resp.data["status"] == 403 and resp.data["detail"]
            if principal.enrolment_only:
                assert resp.data["reason"] == "second_factor_enrolment_required", where
        checked += 1
    assert checked == len(declared())


def test_the_matrix_really_covers_sessions_and_the_rules_people_need():
    """The callers above reach what they should: the enrolment session only its own routes, machine
    tokens none of a person's routes."""
    enrolment = Principal("s", Role.ADMIN, None, "", "e", enrolment_only=True)
    machine = Principal("a", Role.ADMIN, None, "")
    reachable = {(op.method, op.path) for op in operations() if op.access.allows(enrolment, {})}
    assert reachable == {("GET", "/v1/me"), ("DELETE", "/v1/sessions/current"), ("POST", "/v1/me/totp"),
                         ("POST", "/v1/me/totp/confirm"), ("DELETE", "/v1/me/totp"), ("POST", "/v1/me/passkeys/options"),
                         ("POST", "/v1/me/passkeys"), ("GET", "/v1/me/passkeys"), ("DELETE", "/v1/me/passkeys/{passkey_id}"),
                         *((op.method, op.path) for op in operations() if op.access.public)}
    person_only = {(op.method, op.path) for op in operations() if op.access.person}
    assert person_only and not any(op.access.allows(machine, {}) for op in operations()
                                   if (op.method, op.path) in person_only)


def owner_of(params: dict[str, str]) -> str | None:
    """The resource half of the matrix: a nomination belongs to the unit that proposed it."""
    if "nomination_id" not in params:
        return None
    return OTHER if params["nomination_id"] == NOMINATIONS[OTHER] else OWN


# -- the nomination detail: the matrix above checks it against its rule; here, what each caller sees of it
DETAIL = {  # caller -> (status, visibility): a unit sees its own (no reviewers' scores, conflicts or audit)
    "no token": (401, None), "malformed": (401, None), "revoked": (401, None),
    "own unit": (200, "unit"), "other unit": (403, None), "leader": (200, "staff"), "admin": (200, "staff"),
    "clerk session": (200, "unit"), "clerk session, other unit": (403, None),
    "leader session": (200, "staff"), "admin session": (200, "staff"),
    "disabled account's session": (401, None), "expired session": (401, None), "idle session": (401, None),
    "enrolment session": (403, None),
}


@pytest.mark.parametrize("caller", CALLERS)
def test_the_nomination_detail_by_caller(api, callers, caller):
    token, _ = callers[caller]
    nomination = NOMINATIONS[OTHER if caller.endswith("other unit") else OWN]
    resp = api.get(f"/v1/nominations/{nomination}/detail", token=token)
    status, visibility = DETAIL[caller]
    assert resp.status_code == status, f"{caller}: {resp.status_code} {resp.body[:200]!r}"
    if status == 200:
        assert resp.data["visibility"] == visibility and resp.headers["ETag"]
        hidden = [k for k in ("score", "rank", "reviews", "conflicts", "audit") if resp.data[k] is None]
        assert hidden == ([] if visibility == "staff" else ["score", "rank", "reviews", "conflicts", "audit"])


def test_a_unit_token_sending_an_invalid_body_to_an_admin_route_gets_403(api, callers):
    token, _ = callers["own unit"]
    resp = api.post("/v1/units", token=token, raw='{"id": 1, "name": ""}')
    assert resp.status_code == 403
    resp = api.post(f"/v1/units/{OWN}/reports/2021-08/review", token=token, raw="[]")
    assert resp.status_code == 403


# -- the unit portal's routes: the subtree half (a parent unit acts for its sub-units, not upwards or sideways)

PORTAL_PARENT, PORTAL_CHILD = "ca-nghe-an", "pc-giao-thong"
PORTAL_ROUTES = {  # route -> the callers it allows (machine tokens of each role)
    "GET /v1/units/{unit_id}/periods": {"own unit", "parent unit", "leader", "admin"},
    # the nomination form's list of conferences: a parent nominates for its sub-units
    "GET /v1/units/{unit_id}/conferences": {"own unit", "parent unit", "leader", "admin"},
    # the nomination form's picker of the nominee's unit (the unit's subtree)
    "GET /v1/units/{unit_id}/nominee-units": {"own unit", "parent unit", "leader", "admin"},
    "GET /v1/units/{unit_id}/reports/{period}/workbook": {"own unit", "parent unit", "leader", "admin"},
    "POST /v1/units/{unit_id}/reports/{period}/workbook": {"own unit", "parent unit", "admin"},
    # what the import leads to: the parent submits and reads its sub-units' reports
    "PUT /v1/units/{unit_id}/reports/{period}": {"own unit", "parent unit", "admin"},
    "GET /v1/units/{unit_id}/reports/{period}/revisions": {"own unit", "parent unit", "leader", "admin"},
}


@pytest.fixture
def portal_callers(api, admin_token, store):
    from helpers import seed_units

    seed_units(store, [(PORTAL_PARENT, "Công an tỉnh Nghệ An", None, "province"),
                       (PORTAL_CHILD, "Phòng Cảnh sát giao thông", PORTAL_PARENT, "other"),
                       (OTHER, "Công an tỉnh Hà Tĩnh", None, "province")])
    return {"own unit": issue(store, "unit", unit_id=PORTAL_CHILD),
            "parent unit": issue(store, "unit", unit_id=PORTAL_PARENT),
            "other unit": issue(store, "unit", unit_id=OTHER),
            "leader": issue(store, "leader"), "admin": admin_token}


@pytest.mark.parametrize("route", sorted(PORTAL_ROUTES))
@pytest.mark.parametrize("caller", ("own unit", "parent unit", "other unit", "leader", "admin"))
def test_report_routes_allow_the_unit_its_parent_and_staff_only(api, portal_callers, clock, route, caller):
    from chalicelib.reporting.workbook import XLSX, template

    method, path = route.split(" ")
    path = path.format(unit_id=PORTAL_CHILD, period="2021-08")
    headers = {"Authorization": f"Bearer {portal_callers[caller]}", "Accept": XLSX}
    raw: bytes | str = b""
    if method == "PUT":
        api.put("/v1/periods/2021-08", token=portal_callers["admin"], body={"deadline": "2099-12-31T23:59:59+07:00"})
        raw, headers["Content-Type"] = '{"values": {"checkpoints": 3}}', "application/json"
    if method == "POST":
        from chalicelib.bootstrap import services
        from chalicelib.core.periods import period_of
        from chalicelib.core.settings import settings

        raw = template(services.store(settings()), PORTAL_CHILD, period_of("2021-08"), 10, clock.now())
        headers["Content-Type"] = XLSX
    resp = api.call(method, path, raw=raw, headers=headers)
    where = f"{caller}: {route} -> {resp.status_code} {resp.body[:200]!r}"
    if caller not in PORTAL_ROUTES[route]:
        assert resp.status_code == 403, where
    elif method == "PUT":
        assert resp.status_code == 201, where
    else:
        assert resp.status_code in ((404,) if route.endswith("/revisions") else (200,)), where  # no report yet


@pytest.mark.parametrize("caller,expected", [
    ("clerk of the unit", 200), ("clerk of its parent", 200), ("clerk of another unit", 403),
    ("leader session", 200), ("admin session", 200), ("disabled clerk's session", 401),
    ("expired clerk's session", 401), ("idle clerk's session", 401), ("enrolment session", 403)])
def test_a_units_conferences_as_people_see_them(api, portal_callers, store, caller, expected):
    """The nomination form's list of conferences, through people's sessions: the clerk of the unit or of
    a unit above it, staff; never a sideways clerk, and no session that has ended."""
    from helpers import person

    now = SystemClock().now()
    token = {
        "clerk of the unit": lambda: person(store, "unit", PORTAL_CHILD)[1],
        "clerk of its parent": lambda: person(store, "unit", PORTAL_PARENT)[1],
        "clerk of another unit": lambda: person(store, "unit", OTHER)[1],
        "leader session": lambda: person(store, "leader")[1],
        "admin session": lambda: person(store, "admin")[1],
        "disabled clerk's session": lambda: person(store, "unit", PORTAL_CHILD, status="disabled")[1],
        "expired clerk's session": lambda: person(store, "unit", PORTAL_CHILD, now=now - timedelta(hours=8, seconds=1))[1],
        "idle clerk's session": lambda: person(store, "unit", PORTAL_CHILD, now=now - timedelta(minutes=31))[1],
        "enrolment session": lambda: person(store, "admin", totp=False, enrolment_only=True)[1],
    }[caller]()
    resp = api.get(f"/v1/units/{PORTAL_CHILD}/conferences", token=token)
    assert resp.status_code == expected, f"{caller}: {resp.status_code} {resp.body[:200]!r}"
    if expected == 200:
        assert resp.data == {"items": [], "next": None}


@pytest.mark.parametrize("caller,expected", [
    ("unit token", 403), ("leader token", 200), ("admin token", 200),
    ("clerk session", 403), ("leader session", 200), ("admin session", 200), ("disabled admin's session", 401),
    ("expired admin's session", 401), ("idle leader's session", 401), ("enrolment session", 403)])
def test_the_period_picker_is_for_staff(api, portal_callers, store, caller, expected):
    """GET /v1/periods (the admin and leader pages' period picker): staff's machine tokens and sessions,
    never a unit's, and no session that has ended."""
    from helpers import person

    now = SystemClock().now()
    token = {
        "unit token": lambda: portal_callers["own unit"],
        "leader token": lambda: portal_callers["leader"],
        "admin token": lambda: portal_callers["admin"],
        "clerk session": lambda: person(store, "unit", PORTAL_CHILD)[1],
        "leader session": lambda: person(store, "leader")[1],
        "admin session": lambda: person(store, "admin")[1],
        "disabled admin's session": lambda: person(store, "admin", status="disabled")[1],
        "expired admin's session": lambda: person(store, "admin", now=now - timedelta(hours=8, seconds=1))[1],
        "idle leader's session": lambda: person(store, "leader", now=now - timedelta(minutes=31))[1],
        "enrolment session": lambda: person(store, "admin", totp=False, enrolment_only=True)[1],
    }[caller]()
    resp = api.get("/v1/periods?kind=month&count=3", token=token)
    assert resp.status_code == expected, f"{caller}: {resp.status_code} {resp.body[:200]!r}"
    if expected == 200:
        assert len(resp.data["items"]) == 3 and resp.data["next"] is None
