"""Hundreds of distinct bad requests: each is refused with a 4xx problem+json, none is a
server error, and none leaves anything in the store.

The requests come from the route declarations (`operations()`: every route with a body or
a query parameter), from each request model's JSON schema (a wrong type, a too-long
string, a number out of range, null or nothing for a required field, per property), and
from a hand-written list (malformed and oversized bodies, deep nesting, unsafe text,
digits of other scripts, foreign and forged cursors, headers). They are sent as an admin,
and some as a unit token, with path parameters that exist (a unit, an open period with a
report, a conference, a nomination), so that they reach validation rather than a 404.

What the API should refuse but currently accepts is listed separately in
`SHOULD_REFUSE`, one strict xfail per case, each expecting its 4xx.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from helpers import open_period, person

from chalicelib.core.states import Role
from chalicelib.http.features import operations
from chalicelib.http.declaration import Operation

OWN, OTHER = "ca-nghe-an", "ca-ha-tinh"
PERIOD = "2021-08"
MISSING = object()
PROBLEM = "application/problem+json"


# -- the world the bad requests are sent into ---------------------------------------------

@dataclass
class World:
    admin: str
    unit: str                     # a unit token of OWN
    ids: dict[str, str]           # path parameter -> an existing value
    cursors: dict[str, str]       # listing -> a cursor it handed out
    etags: dict[str, str]

    def path(self, template: str, **override: str) -> str:
        return template.format_map({**self.ids, **override})


@pytest.fixture
def world(api, admin_token, store, clock) -> World:
    """2021-08-20 in Hà Nội; period 2021-08 open; units OWN and OTHER; a report, a conference, a nomination."""
    open_period(api, admin_token, PERIOD)
    for unit_id, name in ((OWN, "Công an tỉnh Nghệ An"), (OTHER, "Công an tỉnh Hà Tĩnh")):
        assert api.post("/v1/units", token=admin_token,
                        body={"id": unit_id, "name": name, "kind": "province"}).status_code == 201
    unit = api.post(f"/v1/units/{OWN}/tokens", token=admin_token, body={}).data["token"]
    report = api.put(f"/v1/units/{OWN}/reports/{PERIOD}", token=unit, body={"values": {"checkpoints": 4}})
    assert report.status_code == 201, report.body
    conference = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": [PERIOD],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
    assert conference.status_code == 201, conference.body
    nomination = api.post(f"/v1/units/{OWN}/nominations", token=admin_token, body={
        "conference_id": conference.data["id"], "kind": "collective", "name": "Phòng Cảnh sát giao thông",
        "award_form": "giay-khen", "achievements": "Hoàn thành xuất sắc nhiệm vụ."})
    assert nomination.status_code == 201, nomination.body
    clerk, _ = person(store, "unit", OWN, "Văn thư Nghệ An", now=clock.now())
    ids = {"unit_id": OWN, "period": PERIOD, "conference_id": conference.data["id"],
           "nomination_id": nomination.data["id"], "token_id": "0000000000000000", "document_id": "7K3FQ2MD",
           "account_id": clerk, "passkey_id": "A" * 43}
    # The admin is a person (a session): the routes of the signed-in person's own factors take no machine token.
    _, admin_session = person(store, "admin", name="Quản trị viên", now=clock.now())
    w = World(admin_session, unit, ids, {}, {"report": report.headers["ETag"].strip('"'),
                                            "conference": conference.headers["ETag"].strip('"'),
                                            "nomination": nomination.headers["ETag"].strip('"')})
    # One page of one item carries a cursor (as DynamoDB's does): one from every kind of listing.
    for name, url in (("units", "/v1/units"), ("tokens", "/v1/tokens"), ("conferences", "/v1/conferences"),
                      ("reports", f"/v1/units/{OWN}/reports?from={PERIOD}&to={PERIOD}"),
                      ("revisions", f"/v1/units/{OWN}/reports/{PERIOD}/revisions"),
                      ("report_audit", f"/v1/units/{OWN}/reports/{PERIOD}/audit"),
                      ("nominations", f"/v1/units/{OWN}/nominations?conference_id={ids['conference_id']}"),
                      ("nomination_audit", f"/v1/nominations/{ids['nomination_id']}/audit")):
        resp = api.get(url + ("&" if "?" in url else "?") + "limit=1", token=admin_token)
        assert resp.status_code == 200 and resp.data["next"], (url, resp.body)
        w.cursors[name] = resp.data["next"]
    return w


# -- a bad request ------------------------------------------------------------------------

@dataclass(frozen=True)
class Bad:
    method: str
    path: str                                # already resolved
    raw: str | bytes = ""
    headers: tuple[tuple[str, str], ...] = ()
    caller: str = "admin"                    # admin | unit | none
    expect: frozenset[int] | None = None     # None: any 4xx
    why: str = ""

    @property
    def key(self) -> tuple:
        raw = self.raw.encode("utf-8", "surrogatepass") if isinstance(self.raw, str) else self.raw
        return (self.caller, self.method, self.path, tuple(sorted(self.headers)), raw)


def body(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def nested(opening: str, closing: str, depth: int, core: str = "") -> str:
    return opening * depth + core + closing * depth


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# Valid bodies, one per body route; each bad request below changes one thing in one of them.
def valid_bodies(w: World) -> dict[str, dict[str, Any]]:
    return {
        "createUnit": {"id": "ca-moi", "name": "Đơn vị mới", "kind": "province", "emails": ["vp@bca.gov.vn"],
                       "parent_id": None},
        "patchUnit": {"name": "Tên mới", "emails": ["vp@bca.gov.vn"]},
        "createUnitToken": {"name": "Mã của văn thư", "valid_days": 30},
        "createToken": {"role": "leader", "name": "Lãnh đạo Cục", "valid_days": 30, "unit_id": None},
        "putReport": {"values": {"checkpoints": 5}, "comments": {"checkpoints": "Thêm chốt."},
                      "achievements": "Hoàn thành."},
        "reviewReport": {"action": "return", "note": "Đề nghị bổ sung."},
        "grantException": {"until": "2021-09-30T23:59:59+07:00", "reason": "Mất điện."},
        "setPeriod": {"deadline": "2021-09-10T23:59:59+07:00"},
        "createConference": {"title": "Hội nghị tổng kết", "date": "2021-09-30", "place": "Hà Nội",
                             "periods": [PERIOD], "recipients": ["Văn phòng <vp@bca.gov.vn>"],
                             "quotas": {"giay-khen": 3}, "number_prefix": "BC-BCA",
                             "signer": {"title": "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG", "name": "Nguyễn Văn B"},
                             "distribution": ["Như trên"], "nomination_deadline": "2021-09-20T17:00:00+07:00"},
        "patchConference": {"title": "Hội nghị sơ kết (sửa)", "recipients": ["vp@bca.gov.vn"]},
        "createNomination": {"conference_id": w.ids["conference_id"], "kind": "individual", "name": "Nguyễn Văn C",
                             "position": "Đại úy", "award_form": "giay-khen", "achievements": "Xuất sắc.",
                             "figures": {"checkpoints": 2}},
        "patchNomination": {"name": "Phòng Cảnh sát cơ động", "figures": {"checkpoints": 3}},
        "scoreNomination": {"scores": {"impact": 5, "exemplary": 6, "initiative": 7}, "note": "Tốt."},
        "decide": {"decision": "approve", "note": "", "award_form": None},
        "decideMany": {"items": [{"nomination_id": w.ids["nomination_id"], "etag": w.etags["nomination"],
                                  "decision": "hold", "note": ""}]},
        "finalise": {"note": "Chốt."},
        "createAccount": {"email": "vanthu@bca.gov.vn", "name": "Nguyễn Văn D", "role": "unit", "unit_id": OWN},
        "patchAccount": {"name": "Nguyễn Văn Đ", "status": "active", "role": "unit", "unit_id": OWN},
        "setPassword": {"token": "thp_0000000000000000_" + "A" * 43, "password": "một câu mật khẩu thật dài"},
        "requestPasswordReset": {"email": "vanthu@bca.gov.vn"},
        "signIn": {"email": "vanthu@bca.gov.vn", "password": "một câu mật khẩu thật dài", "otp": "123456",
                   "passkey": None},
        "passkeyChallenge": {"email": "vanthu@bca.gov.vn"},
        "confirmTotp": {"otp": "123456"},
        "addPasskey": {"credential": {"id": "abc", "type": "public-key"}, "name": "Điện thoại"},
        "submitDocument": {"signer_account_id": w.ids["account_id"], "number": None},
        "returnDocument": {"note": "Đề nghị sửa số liệu."},
        "replaceDocument": {"reason": "Sai tên đơn vị."},
    }


# Fields that are one line (names, titles) and fields that are prose (may have line breaks).
LINE_FIELDS = {
    "createUnit": ["name"], "patchUnit": ["name"], "createUnitToken": ["name"], "createToken": ["name"],
    "createConference": ["title", "place", "agency", "signer.name"], "patchConference": ["title", "place"],
    "createNomination": ["name", "position"], "patchNomination": ["name", "position"],
    "createAccount": ["name"], "patchAccount": ["name"], "addPasskey": ["name"],
}
PROSE_FIELDS = {
    "putReport": ["achievements", "comments.checkpoints"], "reviewReport": ["note"], "grantException": ["reason"],
    "createConference": ["signer.title"], "createNomination": ["achievements"], "decide": ["note"],
    "scoreNomination": ["note"], "finalise": ["note"], "returnDocument": ["note"], "replaceDocument": ["reason"],
}
# Mutations the API accepts today (bugs, each one in SHOULD_REFUSE below): left out of the clean-refusal test.
ACCEPTED_TODAY = {
    ("createConference", "nomination_deadline: number for a string"),
    ("patchConference", "nomination_deadline: number for a string"),
    ("grantException", "reason: blank"),
    ("createConference", "signer.title: blank"),
    ("createNomination", "achievements: blank"),
    ("patchNomination", "achievements: blank"),
}
UNSAFE_ANYWHERE = [("NUL", "a\x00b"), ("escape", "a\x1b[31mb"), ("bell", "\x07"), ("RTL override", "\u202eabc"),
                   ("LTR embedding", "a\u202ab"), ("zero-width only", "\u200b"), ("zero-width joiner only", "\u200d\u200d"),
                   ("BOM inside", "a\ufeffb"), ("unassigned", "a\U000e0fffb"), ("private use", "a\ue000b")]
UNSAFE_IN_A_LINE = [("line feed", "Hội nghị\nsơ kết"), ("carriage return", "a\rb"), ("CRLF", "a\r\nb"),
                    ("line separator", "a\u2028b"), ("paragraph separator", "a\u2029b"), ("tab", "a\tb")]


def set_path(data: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    *parents, last = dotted.split(".")
    target = out
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is MISSING:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return out


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """(the non-null branch of a property schema, whether null is allowed)."""
    if "$ref" in schema:
        return _resolve(defs[schema["$ref"].rsplit("/", 1)[1]], defs)
    branches = schema.get("anyOf")
    if branches:
        others = [b for b in branches if b.get("type") != "null"]
        nullable = len(others) != len(branches)
        resolved, _ = _resolve(others[0], defs)
        return {**resolved, **{k: v for k, v in schema.items() if k not in ("anyOf",)}}, nullable
    return schema, False


def wrong_values(prop: dict[str, Any], current: Any) -> Iterator[tuple[str, Any]]:
    """Values of the wrong type or out of range for one property (from its JSON schema)."""
    kind = prop.get("type")
    if "enum" in prop:
        yield "not one of the choices", "zz-not-a-choice"
    if kind == "string":
        yield "number for a string", 12345
        yield "list for a string", ["x"]
        yield "object for a string", {"x": 1}
        yield "boolean for a string", True
        if "maxLength" in prop:
            yield "one character too long", "x" * (prop["maxLength"] + 1)
        if prop.get("minLength", 0) >= 1:
            yield "blank", "   "
        if "pattern" in prop:
            yield "pattern: spaces and capitals", "NOT VALID"
            yield "pattern: a superscript digit", "ab²"
            yield "pattern: an Arabic-Indic digit", "ab٣"
            yield "pattern: trailing line feed", f"{current}\n" if isinstance(current, str) else "ab\n"
        if prop.get("format") == "date":
            yield "date in another format", "31/08/2021"
            yield "impossible date", "2021-02-30"
            yield "date with a time", "2021-08-31T10:00:00"
        if prop.get("format") == "date-time":
            yield "not an instant", "yesterday"
            yield "impossible instant", "2021-02-30T10:00:00+07:00"
    elif kind == "integer":
        yield "text for an integer", "abc"
        yield "fraction for an integer", 1.5
        yield "list for an integer", [1]
        if "minimum" in prop:
            yield "below the minimum", prop["minimum"] - 1
        if "maximum" in prop:
            yield "above the maximum", prop["maximum"] + 1
        yield "huge", 10 ** 30
    elif kind == "array":
        yield "string for a list", "x"
        yield "object for a list", {"a": 1}
        yield "number for a list", 5
        if prop.get("minItems", 0) >= 1:
            yield "empty list", []
        if "maxItems" in prop and isinstance(current, list) and current:
            yield "one item too many", current[:1] * (prop["maxItems"] + 1)
        items = prop.get("items", {})
        if items.get("type") == "string":
            yield "number in the list", [12345]
            if "pattern" in items:
                yield "item not matching the pattern", ["NOT VALID ²"]
            if "maxLength" in items:
                yield "item too long", ["x" * (items["maxLength"] + 1)]
    elif kind == "object":
        yield "string for an object", "x"
        yield "list for an object", [1]
        yield "number for an object", 5
        extra = prop.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("type") == "integer":
            yield "text as a value", {"giay-khen" if "quotas" in str(prop.get("title", "")).lower() else "impact": "x"}
            yield "negative value", {"giay-khen": -1, "impact": -1}
            yield "fraction as a value", {"impact": 1.5}
        if "maxProperties" in prop:
            yield "too many keys", {f"k{i}": 1 for i in range(prop["maxProperties"] + 1)}


def field_mutations(model: Any, base: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(what is wrong, body): one property wrong at a time; nested objects one level down."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})

    def walk(obj_schema: dict[str, Any], data: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
        required = set(obj_schema.get("required", []))
        for name, raw_prop in obj_schema.get("properties", {}).items():
            prop, nullable = _resolve(raw_prop, defs)
            dotted = f"{prefix}{name}"
            current = data.get(name) if isinstance(data, dict) else None
            for why, value in wrong_values(prop, current):
                yield f"{dotted}: {why}", set_path(base, dotted, value)
            if name in required and not nullable:
                yield f"{dotted}: null", set_path(base, dotted, None)
                if isinstance(data, dict) and name in data:
                    yield f"{dotted}: missing", set_path(base, dotted, MISSING)
            if prop.get("type") == "object" and "properties" in prop and isinstance(current, dict):
                yield f"{dotted}: unknown key", set_path(base, f"{dotted}.zz_unknown", 1)
                yield from walk(prop, current, f"{dotted}.")
            items = prop.get("items")
            if prop.get("type") == "array" and isinstance(items, dict) and isinstance(current, list) and current:
                item_schema, _ = _resolve(items, defs)
                if "properties" in item_schema and isinstance(current[0], dict):
                    yield from walk(item_schema, current[0], f"{dotted}.0.")

    yield "unknown field", {**base, "zz_unknown_field": 1}
    yield from walk(schema, base, "")


# -- the bad requests ---------------------------------------------------------------------

GENERIC_BODIES: list[tuple[str, str | bytes, frozenset[int]]] = [
    ("malformed JSON", "{not json", frozenset({400})),
    ("truncated JSON", '{"name": ', frozenset({400})),
    ("trailing comma", '{"name": "x",}', frozenset({400})),
    ("single quotes", "{'name': 'x'}", frozenset({400})),
    ("bare word", "hello", frozenset({400})),
    ("byte order mark", "\ufeff{}", frozenset({400})),
    ("invalid UTF-8", b"\xff\xfe\xfd{}", frozenset({400})),
    ("a 5000-digit number", "9" * 5000, frozenset({400})),
    ("JSON array", "[]", frozenset({422})),
    ("JSON array of an object", "[{}]", frozenset({422})),
    ("JSON string", '"text"', frozenset({422})),
    ("JSON number", "42", frozenset({422})),
    ("JSON true", "true", frozenset({422})),
    ("JSON null", "null", frozenset({422})),
    ("NaN", "NaN", frozenset({422})),
    ("a lone surrogate escape", '{"zz": "\\ud800"}', frozenset({422})),
    ("nested 20 levels (under the cap)", nested("[", "]", 20), frozenset({422})),
    ("nested 33 levels", nested("[", "]", 33), frozenset({422})),
    ("nested ~1,000 levels of [", nested("[", "]", 1000), frozenset({422})),
    ("nested ~5,000 levels of [", nested("[", "]", 5000), frozenset({422})),
    ('nested ~1,000 levels of {"a":', nested('{"a":', "}", 1000, "1"), frozenset({422})),
    ('nested ~5,000 levels of {"a":', nested('{"a":', "}", 5000, "1"), frozenset({422})),
    ("unclosed ~5,000 levels of [", "[" * 5000, frozenset({400, 422})),
    ("a 300 KB body", body({"zz": "x" * (300 * 1024)}), frozenset({413})),
]
EMPTY_BODIES = [("empty body", ""), ("whitespace only", " \n\t ")]
MEDIA_TYPES = ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data"]

LIMITS = ["0", "101", "-1", "abc", "1.5", "1e2", "", "%205", "%2B5", "0x10", "²", "٣", "５", "10%0A", "%00",
          "99999999999999999999999"]
PERIODS_REFUSED = ["2021-13", "2021-00", "21-08", "2021-8", "1999-12", "2101-01", "2021-W54", "2020-W00",
                   "2021-Q5", "2021-Q0", "2021-08-01", "²⁰²¹-08", "2021-08\u200b", "2021\u201008", "2021_08",
                   "2021-q3", "2021-w05"]


def garbage_cursors() -> list[tuple[str, str]]:
    return [
        ("garbage", "garbage!!"), ("not base64", "%%%"), ("base64 of text", b64("not json")),
        ("base64 of an array", b64("[]")), ("base64 of a number", b64("7")),
        ("a key with missing attributes", b64('{"PK": "UNITS"}')),
        ("a key with an extra attribute", b64('{"PK": "UNITS", "SK": "UNIT#a", "zz": "x"}')),
        ("a key with a number", b64('{"PK": "UNITS", "SK": 5}')),
        ("a key of another partition", b64('{"PK": "UNIT#zz", "SK": "REPORT#2021-08"}')),
        ("a superscript", "²"), ("an Arabic-Indic digit", "٣"), ("a NUL", "\x00"),
        ("a huge cursor (64 KB)", "A" * 65536),
        ("a nested cursor (1,000 levels)", b64(nested("[", "]", 1000))),
    ]


def bad_requests(w: World) -> Iterator[Bad]:
    ops = operations()
    bodies = valid_bodies(w)
    by_id = {op.operation_id: op for op in ops}

    def resolved(op: Operation, **override: str) -> str:
        return w.path(op.path, **override)

    # 1. every route with a body: malformed, empty, wrong JSON type, oversized, wrong media type
    for op in ops:
        model = op.body_model()
        if model is None:
            continue
        path = resolved(op)
        for why, raw, expect in GENERIC_BODIES:
            yield Bad(op.method, path, raw, expect=expect, why=f"{op.operation_id}: {why}")
        if not op.body_optional:
            for why, raw in EMPTY_BODIES:
                yield Bad(op.method, path, raw, expect=frozenset({400}), why=f"{op.operation_id}: {why}")
        for media in MEDIA_TYPES:
            yield Bad(op.method, path, body(bodies[op.operation_id]), (("Content-Type", media),),
                      expect=frozenset({415}), why=f"{op.operation_id}: Content-Type {media}")
        # 2. one property wrong at a time, from the model's JSON schema
        for why, data in field_mutations(model, bodies[op.operation_id]):
            if (op.operation_id, why) in ACCEPTED_TODAY:
                continue  # a bug: see SHOULD_REFUSE
            # "blank" is refused by the model where it strips, else by the domain (an ETag that matches nothing)
            yield Bad(op.method, path, body(data), expect=None if why.endswith(": blank") else frozenset({422}),
                      why=f"{op.operation_id}: {why}")
        # 3. text that must not be stored
        for field_name in LINE_FIELDS.get(op.operation_id, []) + PROSE_FIELDS.get(op.operation_id, []):
            unsafe = UNSAFE_ANYWHERE + (UNSAFE_IN_A_LINE if field_name in LINE_FIELDS.get(op.operation_id, [])
                                        else [("carriage return only", "a\rb\u2028c")])
            for why, text in unsafe:
                yield Bad(op.method, path, body(set_path(bodies[op.operation_id], field_name, text)),
                          expect=frozenset({422}), why=f"{op.operation_id}: {field_name} with {why}")

    # unsafe addresses and identifiers
    conference = bodies["createConference"]
    for why, address in [("a NUL", "a\x00b@bca.gov.vn"), ("a header injection", "vp@bca.gov.vn\r\nBcc: x@evil.example"),
                         ("a line break in the name", "Văn\nphòng <vp@bca.gov.vn>"), ("an RTL override", "\u202evp@bca.gov.vn"),
                         ("no domain", "vp@"), ("two addresses", "a@bca.gov.vn, b@bca.gov.vn"), ("blank", "   ")]:
        yield Bad("POST", "/v1/conferences", body({**conference, "recipients": [address]}),
                  expect=frozenset({422}), why=f"recipient with {why}")
    for why, email in [("a NUL", "a\x00@bca.gov.vn"), ("a zero-width space", "vp\u200b@bca.gov.vn"),
                       ("a space", "v p@bca.gov.vn"), ("no dot", "vp@bca")]:
        yield Bad("POST", "/v1/units", body({"id": "ca-moi", "name": "Mới", "emails": [email]}),
                  expect=frozenset({422}), why=f"unit email with {why}")
    for why, unit_id in [("capitals", "CA-NGHE-AN"), ("a superscript", "ca-²"), ("Arabic-Indic digits", "ca-٣٣"),
                         ("a space", "ca nghe an"), ("a zero-width space", "ca\u200bnghe"), ("a trailing line feed", "ca-moi\n"),
                         ("one character", "c"), ("64 characters", "c" * 64)]:
        yield Bad("POST", "/v1/units", body({"id": unit_id, "name": "Mới"}), expect=frozenset({422}),
                  why=f"unit id with {why}")
    for why, value in [("periods of two kinds", [PERIOD, "2021-Q3"]), ("a repeated period", [PERIOD, PERIOD]),
                       ("a superscript period", ["²⁰²¹-08"]), ("an impossible period", ["2021-13"]),
                       ("a period before 2000", ["1999-12"])]:
        yield Bad("POST", "/v1/conferences", body({**conference, "periods": value}), expect=frozenset({422}),
                  why=f"conference with {why}")
    for why, deadline in [("year 0001", "0001-01-01T00:00:00+07:00"), ("year 9999", "9999-12-31T23:59:59+07:00"),
                          ("year 9999 west of UTC", "9999-12-31T23:59:59-12:00"), ("year 1999", "1999-12-31T23:59:59+07:00"),
                          ("year 2101", "2101-01-01T00:00:00+07:00"), ("not ISO", "10/09/2021"), ("empty", ""),
                          ("Arabic-Indic digits", "٢٠٢١-09-10T23:59:59+07:00"), ("a trailing line feed", "2021-09-10T23:59:59+07:00\n"),
                          ("month 13", "2021-13-10T23:59:59+07:00"), ("hour 25", "2021-09-10T25:00:00+07:00"),
                          ("offset +25:00", "2021-09-10T23:59:59+25:00")]:
        yield Bad("PUT", f"/v1/periods/{PERIOD}", body({"deadline": deadline}), expect=frozenset({422}),
                  why=f"deadline {why}")
        yield Bad("POST", f"/v1/units/{OWN}/reports/{PERIOD}/exception", body({"until": deadline, "reason": "x"}),
                  expect=frozenset({422}), why=f"exception until {why}")
    yield Bad("POST", f"/v1/units/{OWN}/reports/{PERIOD}/exception",
              body({"until": "2021-08-01T00:00:00+07:00", "reason": "x"}), expect=frozenset({422}),
              why="exception ending in the past")
    for why, data in [("an empty report", {"values": {}}), ("all values null", {"values": {"checkpoints": None}}),
                      ("blank achievements only", {"values": {}, "achievements": "   "}),
                      ("a boolean value", {"values": {"checkpoints": True}}),
                      ("an unknown indicator", {"values": {"zz_unknown": 1}}),
                      ("penalised above detected", {"values": {"violations_detected": 1, "violations_penalised": 2}})]:
        yield Bad("PUT", f"/v1/units/{OWN}/reports/2021-07", body(data), caller="unit", expect=frozenset({422}),
                  why=f"report: {why}")
    yield Bad("PUT", f"/v1/units/{OWN}/reports/2021-09", body({"values": {"checkpoints": 1}}), caller="unit",
              expect=frozenset({422}), why="report for a period not begun")
    for why, scores in [("a boolean score", {"impact": True, "exemplary": 5, "initiative": 5}),
                        ("a missing criterion", {"impact": 5, "exemplary": 5}),
                        ("an unknown criterion", {"impact": 5, "exemplary": 5, "initiative": 5, "zz": 5}),
                        ("a score of 11", {"impact": 11, "exemplary": 5, "initiative": 5})]:
        yield Bad("POST", w.path("/v1/nominations/{nomination_id}/scores"), body({"scores": scores}),
                  expect=frozenset({422}), why=f"scores: {why}")
    yield Bad("POST", w.path("/v1/nominations/{nomination_id}/decision"), body({"decision": "reject"}),
              (("If-Match", w.etags["nomination"]),), expect=frozenset({422}), why="reject without a note")
    yield Bad("POST", w.path("/v1/conferences/{conference_id}/decisions"),
              body({"items": [bodies["decideMany"]["items"][0]] * 2}), expect=frozenset({422}),
              why="the same nomination twice")
    yield Bad("POST", w.path("/v1/units/{unit_id}/nominations"),
              body({**bodies["createNomination"], "conference_id": "20990101-zzzzzz"}), expect=frozenset({422}),
              why="nomination for a conference that does not exist")
    yield Bad("POST", w.path("/v1/units/{unit_id}/nominations"),
              body({**bodies["createNomination"], "award_form": "co-thi-dua-bo-cong-an"}), expect=frozenset({422}),
              why="a collective award form for an individual")

    # 4. path parameters: periods that are not periods, ids that do not exist
    for op in ops:
        if "period" in op.path_params:
            data = bodies.get(op.operation_id)
            raw = body(data) if data is not None else ""
            media = (("Content-Type", op.consumes),) if op.consumes else ()  # an uploaded workbook
            for period in PERIODS_REFUSED:
                yield Bad(op.method, resolved(op, period=period), raw, media, expect=frozenset({422}),
                          why=f"{op.operation_id}: period {period!r}")
    for template in ("/v1/units/{unit_id}", "/v1/units/{unit_id}/reports", "/v1/units/{unit_id}/nominations"):
        for unit_id in ("khong-co", "CA-NGHE-AN", "ca-nghe-an-٣", "ca-nghe-an\u200b"):
            yield Bad("GET", w.path(template, unit_id=unit_id), expect=frozenset({404}), why=f"unit {unit_id!r}")
    for unit_id in ("khong-co", "ca-nghe-an-²"):
        yield Bad("PUT", w.path("/v1/units/{unit_id}/reports/{period}", unit_id=unit_id),
                  body(bodies["putReport"]), expect=frozenset({404}), why=f"report of unit {unit_id!r}")
    for nomination_id in ("khong-co", "٣٣٣٣٣٣٣٣٣٣"):
        yield Bad("GET", w.path("/v1/nominations/{nomination_id}", nomination_id=nomination_id),
                  expect=frozenset({404}), why=f"nomination {nomination_id!r}")
        yield Bad("PATCH", w.path("/v1/nominations/{nomination_id}", nomination_id=nomination_id),
                  body(bodies["patchNomination"]), expect=frozenset({404}), why=f"patch nomination {nomination_id!r}")
    for conference_id in ("20990101-zzzzzz", "x"):
        yield Bad("PATCH", w.path("/v1/conferences/{conference_id}", conference_id=conference_id),
                  body(bodies["patchConference"]), expect=frozenset({404}), why=f"conference {conference_id!r}")
        yield Bad("POST", w.path("/v1/conferences/{conference_id}/compile", conference_id=conference_id),
                  expect=frozenset({404}), why=f"compile conference {conference_id!r}")
    for document_id in ("٣٣٣٣٣٣٣٣", "7K3F-Q2M", "0000000000", "ZZZZZZZZ"):
        yield Bad("GET", f"/v1/documents/{document_id}/verify", caller="none", expect=frozenset({404}),
                  why=f"verify {document_id!r}")
        yield Bad("GET", f"/v1/documents/{document_id}/file", headers=(("Accept", "application/pdf"),),
                  expect=frozenset({404}), why=f"file {document_id!r}")
    yield Bad("GET", "/v1/documents/7K3FQ2MD/file", expect=frozenset({406}), why="a PDF without Accept")
    for token_id in ("0000000000000000", "²", "zz"):
        yield Bad("DELETE", f"/v1/tokens/{token_id}", expect=frozenset({404}), why=f"revoke {token_id!r}")

    # 5. query parameters: limit, cursor, from/to on every listing
    for op in ops:
        if not op.query:
            continue
        base = resolved(op)
        names = {q.name for q in op.query}
        if "limit" in names:
            # over the route's own cap (100 on most listings, more where rows are small)
            cap = next(q for q in op.query if q.name == "limit").schema.get("maximum", 100)
            for limit in [str(cap + 1) if limit == "101" else limit for limit in LIMITS]:
                yield Bad("GET", f"{base}?limit={limit}", expect=frozenset({422}),
                          why=f"{op.operation_id}: limit {limit!r}")
        if "cursor" in names:
            for why, cursor in garbage_cursors():
                yield Bad("GET", f"{base}?cursor={cursor}", expect=frozenset({422}),
                          why=f"{op.operation_id}: cursor {why}")
            for listing, cursor in w.cursors.items():
                if base.split("?")[0] != _listing_path(w, listing):
                    yield Bad("GET", f"{base}?cursor={cursor}", expect=frozenset({422}),
                              why=f"{op.operation_id}: the cursor of {listing}")
    reports = f"/v1/units/{OWN}/reports"
    for query in ("from=2021-13", "to=abc", "from=²⁰²¹-08", "from=2021-W99", "from=2021-08&to=2021-Q3",
                  "from=1999-01", "to=2101-01", "from=2021-08\u200b", "from=2021-08&to=2021-W40",
                  f"from=2021-05&to=2021-07&cursor={w.cursors['reports']}",
                  f"from=2021-09&to=2021-12&cursor={w.cursors['reports']}"):
        yield Bad("GET", f"{reports}?{query}", expect=frozenset({422}), why=f"reports {query}")
    nominations = f"/v1/units/{OWN}/nominations"
    yield Bad("GET", f"{nominations}?conference_id=20990101-zzzzzz&cursor={w.cursors['nominations']}",
              expect=frozenset({422}), why="a nominations cursor with another conference filter")

    # 6. headers: Idempotency-Key, If-Match, Authorization, Accept
    for op_id in ("createUnit", "createConference", "createNomination"):
        op = by_id[op_id]
        for key in ("k" * 256, "", "a\tb", "a\x7fb"):
            yield Bad(op.method, resolved(op), body(bodies[op_id]), (("Idempotency-Key", key),),
                      expect=frozenset({422}), why=f"{op_id}: Idempotency-Key of {len(key)} characters {key[:3]!r}")
    yield Bad("PUT", w.path("/v1/units/{unit_id}/reports/{period}"), body(bodies["putReport"]), caller="unit",
              expect=frozenset({428}), why="replace a report without If-Match")
    for etag in ('"stale"', "*", "W/\"x\""):
        yield Bad("PUT", w.path("/v1/units/{unit_id}/reports/{period}"), body(bodies["putReport"]),
                  (("If-Match", etag),), caller="unit", expect=frozenset({412}), why=f"replace a report, If-Match {etag}")
        for op_id in ("patchUnit", "patchConference", "patchNomination", "finalise", "decide"):
            op = by_id[op_id]
            yield Bad(op.method, resolved(op), body(bodies[op_id]), (("If-Match", etag),),
                      expect=frozenset({412}), why=f"{op_id}: If-Match {etag}")
    yield Bad("POST", w.path("/v1/nominations/{nomination_id}/decision"), body(bodies["decide"]),
              expect=frozenset({428}), why="decide without If-Match")
    # defect 11: no blind edit of a nomination, no blind finalise
    for op_id in ("patchNomination", "finalise"):
        yield Bad(by_id[op_id].method, resolved(by_id[op_id]), body(bodies[op_id]),
                  expect=frozenset({428}), why=f"defect 11: {op_id} without If-Match")
    yield Bad("POST", w.path("/v1/units/{unit_id}/reports/{period}/review"), body(bodies["reviewReport"]),
              (("If-Match", '"stale"'),), expect=frozenset({412}), why="review with a stale ETag")
    for why, header in [("no scheme", w.admin), ("Basic", "Basic YWRtaW46YWRtaW4="), ("a bare Bearer", "Bearer"),
                        ("a forged secret", f"Bearer {w.admin[:-4]}AAAA"), ("a NUL", f"Bearer {w.admin}\x00"),
                        ("an unknown id", "Bearer thd_0000000000000000_" + "A" * 43)]:
        for method, path, raw in (("GET", "/v1/units", ""), ("POST", "/v1/units", "[]"),
                                  ("PUT", w.path("/v1/periods/{period}"), body(bodies["setPeriod"]))):
            yield Bad(method, path, raw, (("Authorization", header),), caller="none", expect=frozenset({401}),
                      why=f"Authorization with {why}")
    for method, path in (("GET", "/v1/me"), ("DELETE", "/v1/tokens/0000000000000000"), ("GET", "/v1/tokens")):
        yield Bad(method, path, caller="none", expect=frozenset({401}), why="no token")

    # 7. a unit token: bad bodies on its own routes, anything on routes it may not use
    own_report = w.path("/v1/units/{unit_id}/reports/{period}")
    own_nominations = w.path("/v1/units/{unit_id}/nominations")
    for why, raw, expect in GENERIC_BODIES:
        yield Bad("PUT", own_report, raw, caller="unit", expect=expect, why=f"unit report: {why}")
        yield Bad("POST", own_nominations, raw, caller="unit", expect=expect, why=f"unit nomination: {why}")
    for why, data in field_mutations(by_id["putReport"].body_model(), bodies["putReport"]):
        yield Bad("PUT", own_report, body(data), (("If-Match", w.etags["report"]),), caller="unit",
                  expect=frozenset({422}), why=f"unit report: {why}")
    for op in ops:
        if Role.UNIT not in op.access.roles and not op.access.public and op.body is not None:
            yield Bad(op.method, resolved(op), "[]", caller="unit", expect=frozenset({403}),
                      why=f"{op.operation_id}: a unit token on an admin route")
    for method, path, raw in (
            ("PUT", w.path("/v1/units/{unit_id}/reports/{period}", unit_id=OTHER), body(bodies["putReport"])),
            ("POST", w.path("/v1/units/{unit_id}/nominations", unit_id=OTHER), body(bodies["createNomination"])),
            ("GET", w.path("/v1/units/{unit_id}/reports", unit_id=OTHER), ""),
            ("GET", w.path("/v1/units/{unit_id}/reports/{period}", unit_id=OTHER), "")):
        yield Bad(method, path, raw, caller="unit", expect=frozenset({403}), why=f"a unit token on {OTHER}'s {path}")


def _listing_path(w: World, listing: str) -> str:
    return {"units": "/v1/units", "tokens": "/v1/tokens", "conferences": "/v1/conferences",
            "reports": f"/v1/units/{OWN}/reports", "revisions": f"/v1/units/{OWN}/reports/{PERIOD}/revisions",
            "report_audit": f"/v1/units/{OWN}/reports/{PERIOD}/audit",
            "nominations": f"/v1/units/{OWN}/nominations",
            "nomination_audit": f"/v1/nominations/{w.ids['nomination_id']}/audit"}[listing]


# -- checking the answers -------------------------------------------------------------------

def send(api, w: World, bad: Bad):
    token = {"admin": w.admin, "unit": w.unit, "none": None}[bad.caller]
    return api.call(bad.method, bad.path, token=token, raw=bad.raw, headers=dict(bad.headers))


def problems_with(bad: Bad, resp) -> list[str]:
    out = []
    status = resp.status_code
    if not 400 <= status < 500:
        return [f"status {status}: {(resp.body or b'')[:300]!r}"]
    if bad.expect is not None and status not in bad.expect:
        out.append(f"status {status}, expected {sorted(bad.expect)}: {(resp.body or b'')[:200]!r}")
    if not resp.headers.get("Content-Type", "").startswith(PROBLEM):
        out.append(f"Content-Type {resp.headers.get('Content-Type')!r}")
    data = resp.data if isinstance(resp.data, dict) else {}
    if data.get("status") != status or not isinstance(data.get("title"), str) or not data.get("title"):
        out.append(f"problem body without status/title: {data}")
    if not isinstance(data.get("detail"), str):
        out.append(f"problem body without detail: {data}")
    if status == 422:
        errors = data.get("errors")
        if not (isinstance(errors, list) and errors and all(
                isinstance(e, dict) and isinstance(e.get("field"), str) and isinstance(e.get("message"), str)
                and e["message"] for e in errors)):
            out.append(f"422 without an errors list of {{field, message}}: {data}")
    return out


def snapshot(store) -> dict:
    return copy.deepcopy(store.table._items)


def test_bad_requests_are_refused_cleanly_and_store_nothing(api, store, world):
    requests = {bad.key: bad for bad in bad_requests(world)}  # distinct by caller, method, URL, headers, body
    before = snapshot(store)
    failures = []
    statuses: dict[int, int] = {}
    for bad in requests.values():
        resp = send(api, world, bad)
        statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
        for problem in problems_with(bad, resp):
            failures.append(f"{bad.why} | {bad.caller} {bad.method} {bad.path[:120]!r} "
                            f"body {bad.raw[:80]!r}: {problem}")
    after = snapshot(store)
    print(f"\n{len(requests)} distinct bad requests; statuses {dict(sorted(statuses.items()))}")
    assert len(requests) >= 300
    assert not failures, f"{len(failures)} of {len(requests)}:\n" + "\n".join(failures[:60])
    # A refused sign-in is counted against its email and address (the throttle) and recorded (the
    # security log), by design: nothing else.
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
               and not k[0].startswith(("THROTTLE#", "AUDIT#sign-in:unknown"))}
    assert not changed, f"the bad requests changed the store: {sorted(changed)[:20]}"


def test_the_valid_bodies_the_mutations_start_from_are_valid(api, world):
    """Each bad body above differs from a valid one in one place; the valid ones really are valid."""
    from pydantic import ValidationError

    for op in operations():
        model = op.body_model()
        if model is None:
            continue
        try:
            model.model_validate(valid_bodies(world)[op.operation_id])
        except ValidationError as exc:  # pragma: no cover - a broken test, not a broken API
            pytest.fail(f"{op.operation_id}: {exc}")


# -- what the API should refuse but accepts -------------------------------------------------

@dataclass(frozen=True)
class ShouldRefuse:
    id: str
    reason: str
    request: Callable[[World], Bad]
    setup: Callable[[Any, World], None] | None = None


def _conference(w: World, **changes: Any) -> str:
    return body({**valid_bodies(w)["createConference"], **changes})


def _deep_cursor(depth: int) -> str:
    return b64(nested("[", "]", depth))


SHOULD_REFUSE = [
    ShouldRefuse("conference-nomination-deadline-a-number",
                 'POST /v1/conferences {"nomination_deadline": 0} -> 201, stored as "1970-01-01T00:00:00Z" '
                 "(pydantic lax datetime takes a Unix time); the schema says a date-time string",
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, nomination_deadline=0),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-nomination-deadline-year-9999",
                 'POST /v1/conferences {"nomination_deadline": "9999-12-31T23:59:59+07:00"} -> 201; '
                 "period deadlines and exceptions are held to 2000-2100, this deadline is not",
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, nomination_deadline="9999-12-31T23:59:59+07:00"),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-nomination-deadline-year-0001",
                 'POST /v1/conferences {"nomination_deadline": "0001-01-01T00:00:00+07:00"} -> 201 (not held to 2000-2100)',
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, nomination_deadline="0001-01-01T00:00:00+07:00"),
                               expect=frozenset({422}))),
    ShouldRefuse("exception-reason-blank",
                 'POST /v1/units/{unit_id}/reports/{period}/exception {"reason": "   "} -> 201 with reason "": '
                 "prose(min_length=1) strips after its length check (BeforeValidator ahead of StringConstraints)",
                 lambda w: Bad("POST", w.path("/v1/units/{unit_id}/reports/{period}/exception"),
                               body({"until": "2021-09-30T23:59:59+07:00", "reason": "   "}), expect=frozenset({422}))),
    ShouldRefuse("nomination-achievements-blank",
                 'POST /v1/units/{unit_id}/nominations {"achievements": " \\n "} -> 201 with achievements "" (same cause)',
                 lambda w: Bad("POST", w.path("/v1/units/{unit_id}/nominations"),
                               body({**valid_bodies(w)["createNomination"], "achievements": " \n "}),
                               expect=frozenset({422}))),
    ShouldRefuse("nomination-patch-achievements-blank",
                 'PATCH /v1/nominations/{id} {"achievements": "   "} -> 200 with achievements "" (same cause)',
                 lambda w: Bad("PATCH", w.path("/v1/nominations/{nomination_id}"), body({"achievements": "   "}),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-signer-title-blank",
                 'POST /v1/conferences {"signer": {"title": "   ", ...}} -> 201 with an empty signer title (same cause)',
                 lambda w: Bad("POST", "/v1/conferences",
                               _conference(w, signer={"title": "   ", "name": "Nguyễn Văn B"}), expect=frozenset({422}))),
    ShouldRefuse("conference-quota-a-string",
                 'POST /v1/conferences {"quotas": {"giay-khen": "5"}} -> 201 with 5 (lax int); the schema says integer',
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, quotas={"giay-khen": "5"}),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-quota-a-boolean",
                 'POST /v1/conferences {"quotas": {"giay-khen": true}} -> 201 with 1 (lax int)',
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, quotas={"giay-khen": True}),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-quota-unknown-award-form",
                 'POST /v1/conferences {"quotas": {"khong-co": 5}} -> 201; the award form is not in GET /v1/award-forms',
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, quotas={"khong-co": 5}),
                               expect=frozenset({422}))),
    ShouldRefuse("token-valid-days-a-boolean",
                 'POST /v1/tokens {"valid_days": true} -> 201, a token valid 1 day (lax int); the schema says integer',
                 lambda w: Bad("POST", "/v1/tokens", body({"role": "leader", "name": "Lãnh đạo", "valid_days": True}),
                               expect=frozenset({422}))),
    ShouldRefuse("token-valid-days-a-string",
                 'POST /v1/units/{unit_id}/tokens {"valid_days": "30"} -> 201 (lax int)',
                 lambda w: Bad("POST", w.path("/v1/units/{unit_id}/tokens"), body({"valid_days": "30"}),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-patch-date-year-0001",
                 'PATCH /v1/conferences/{id} {"date": "0001-01-01"} -> 200; POST refuses years outside 2000-2100, '
                 "ConferencePatch has no such check",
                 lambda w: Bad("PATCH", w.path("/v1/conferences/{conference_id}"), body({"date": "0001-01-01"}),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-patch-date-year-9999",
                 'PATCH /v1/conferences/{id} {"date": "9999-12-31"} -> 200 (as above)',
                 lambda w: Bad("PATCH", w.path("/v1/conferences/{conference_id}"), body({"date": "9999-12-31"}),
                               expect=frozenset({422}))),
    ShouldRefuse("conference-period-arabic-indic-digits",
                 'POST /v1/conferences {"periods": ["٢٠٢١-08"]} -> 201, stored as "2021-08": parse_period uses '
                 "\\d, which matches the digits of every script",
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, periods=["٢٠٢١-08"]), expect=frozenset({422}))),
    ShouldRefuse("conference-period-trailing-line-feed",
                 'POST /v1/conferences {"periods": ["2021-08\\n"]} -> 201: parse_period\'s "$" matches before a '
                 "final line feed (use \\Z or fullmatch)",
                 lambda w: Bad("POST", "/v1/conferences", _conference(w, periods=["2021-08\n"]), expect=frozenset({422}))),
    ShouldRefuse("period-path-arabic-indic-digits",
                 "GET /v1/periods/٢٠٢١-08 -> 200 (period 2021-08)",
                 lambda w: Bad("GET", "/v1/periods/٢٠٢١-08", expect=frozenset({422}))),
    ShouldRefuse("period-deadline-set-through-arabic-indic-digits",
                 'PUT /v1/periods/٢٠٢١-09 {"deadline": ...} -> 200 and the deadline of 2021-09 is changed',
                 lambda w: Bad("PUT", "/v1/periods/٢٠٢١-09", body({"deadline": "2021-10-10T23:59:59+07:00"}),
                               expect=frozenset({422}))),
    ShouldRefuse("report-submitted-through-arabic-indic-digits",
                 "PUT /v1/units/ca-nghe-an/reports/٢٠٢١-07 (unit token) -> 201, stored as the 2021-07 report",
                 lambda w: Bad("PUT", f"/v1/units/{OWN}/reports/٢٠٢١-07", body({"values": {"checkpoints": 1}}),
                               caller="unit", expect=frozenset({422})),
                 setup=lambda api, w: open_period(api, w.admin, "2021-07")),
    ShouldRefuse("period-path-trailing-line-feed",
                 "GET /v1/periods/2021-08%0A -> 200 (API Gateway decodes %0A into the path parameter)",
                 lambda w: Bad("GET", "/v1/periods/2021-08\n", expect=frozenset({422}))),
    ShouldRefuse("reports-from-arabic-indic-digits",
                 "GET /v1/units/ca-nghe-an/reports?from=٢٠٢١-08 -> 200",
                 lambda w: Bad("GET", f"/v1/units/{OWN}/reports?from=٢٠٢١-08", expect=frozenset({422}))),
    ShouldRefuse("reports-to-trailing-line-feed",
                 "GET /v1/units/ca-nghe-an/reports?to=2021-08%0A -> 200",
                 lambda w: Bad("GET", f"/v1/units/{OWN}/reports?to=2021-08%0A", expect=frozenset({422}))),
    ShouldRefuse("reports-from-after-to",
                 "GET /v1/units/ca-nghe-an/reports?from=2021-08&to=2021-05 -> 200 [] in memory, but 500 on DynamoDB "
                 "(ValidationException: BETWEEN bounds reversed, seen on DynamoDB Local)",
                 lambda w: Bad("GET", f"/v1/units/{OWN}/reports?from=2021-08&to=2021-05", expect=frozenset({422}))),
    ShouldRefuse("period-far-in-the-future",
                 'PUT /v1/periods/2099-12 {"deadline": "2100-01-10T23:59:59+07:00"} -> 200: a period 78 years ahead',
                 lambda w: Bad("PUT", "/v1/periods/2099-12", body({"deadline": "2100-01-10T23:59:59+07:00"}),
                               expect=frozenset({422}))),
    ShouldRefuse("cursor-nested-10000-levels",
                 "GET /v1/units?cursor=<base64 of 10,000 nested []> -> 500: decode_cursor's json.loads raises "
                 "RecursionError, which it does not catch (the body has a nesting cap, the cursor has none)",
                 lambda w: Bad("GET", f"/v1/units?cursor={_deep_cursor(10_000)}", expect=frozenset({422}))),
]


# Found by this suite and Schemathesis, fixed since; what is still open stays a strict xfail.
STILL_OPEN = {"period-path-trailing-line-feed"}


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.reason)]
                                               if c.id in STILL_OPEN else [])
                                  for c in SHOULD_REFUSE])
def test_should_refuse(api, world, case: ShouldRefuse):
    if case.setup is not None:
        case.setup(api, world)
    bad = case.request(world)
    resp = send(api, world, bad)
    assert not problems_with(bad, resp), f"{bad.method} {bad.path[:80]!r} -> {resp.status_code} {resp.body[:200]!r}"
