"""Second factors: staff must have one (TOTP or a passkey); an enrolment session may only enrol
one; a TOTP code works once; passkeys work for every account, with single-use challenges."""

from __future__ import annotations

from chalicelib.accounts import factors
from tests.unit.accounts.authenticator import Authenticator

LEADER = "lanhdao@bca.gov.vn"


def enrol_totp(api, token, clock) -> str:
    setup = api.post("/v1/me/totp", token=token)
    assert setup.status_code == 200, setup.body
    assert setup.data["uri"].startswith("otpauth://totp/") and setup.data["secret"] in setup.data["uri"]
    assert setup.data["qr_svg"].lstrip().startswith("<svg") and "<title>" in setup.data["qr_svg"]
    secret = setup.data["secret"]
    wrong = api.post("/v1/me/totp/confirm", token=token, body={"otp": "000000"})
    assert wrong.status_code == 422 and wrong.data["errors"][0]["field"] == "otp"
    assert api.post("/v1/me/totp/confirm", token=token,
                    body={"otp": factors.totp_code(secret, clock.now())}).status_code == 204
    return secret


def test_a_leader_without_a_factor_gets_an_enrolment_session_then_signs_in_with_totp(api, people, clock):
    people.active(LEADER, role="leader", unit_id=None, name="Trần Văn Lãnh Đạo")
    signed = people.sign_in(LEADER)
    assert signed.status_code == 201 and signed.data["needs_second_factor"] is True
    enrol = signed.data["token"]
    me = api.get("/v1/me", token=enrol).data
    assert me["needs_second_factor"] is True and me["factors"] == {"totp": False, "passkeys": 0}
    refused = api.get("/v1/conferences", token=enrol)
    assert refused.status_code == 403 and refused.data["reason"] == "second_factor_enrolment_required"
    secret = enrol_totp(api, enrol, clock)
    assert api.get("/v1/conferences", token=enrol).status_code == 403  # still an enrolment session: sign in again
    needed = people.sign_in(LEADER)
    assert needed.status_code == 401
    assert needed.data["reason"] == "second_factor_required" and needed.data["factors"] == ["totp"]
    clock.advance(seconds=30)
    code = factors.totp_code(secret, clock.now())
    full = people.sign_in(LEADER, otp=code)
    assert full.status_code == 201 and full.data["needs_second_factor"] is False
    assert full.data["account"]["factors"] == {"totp": True, "passkeys": 0}
    assert api.get("/v1/conferences", token=full.data["token"]).status_code == 200
    replay = people.sign_in(LEADER, otp=code)  # the same code, again
    assert replay.status_code == 401 and replay.data["reason"] == "second_factor_invalid"
    wrong = people.sign_in(LEADER, otp="123456" if code != "123456" else "654321")
    assert wrong.status_code == 401 and wrong.data["reason"] == "second_factor_invalid"


def test_wrong_codes_count_towards_the_lock(api, people, clock):
    people.active(LEADER, role="leader", unit_id=None)
    secret = enrol_totp(api, people.sign_in(LEADER).data["token"], clock)
    good = factors.totp_code(secret, clock.now() + __import__("datetime").timedelta(seconds=30))
    bad = "111111" if good != "111111" else "222222"
    for _ in range(5):
        assert people.sign_in(LEADER, otp=bad).status_code == 401
    assert people.sign_in(LEADER, otp=bad).status_code == 429


def test_staff_keep_at_least_one_factor(api, people, clock):
    people.active(LEADER, role="leader", unit_id=None)
    secret = enrol_totp(api, people.sign_in(LEADER).data["token"], clock)
    clock.advance(seconds=30)
    token = people.sign_in(LEADER, otp=factors.totp_code(secret, clock.now())).data["token"]
    resp = api.delete("/v1/me/totp", token=token)
    assert resp.status_code == 409 and resp.data["reason"] == "last_second_factor"


def test_a_leader_adds_a_passkey_and_signs_in_with_it(api, people, clock):
    people.active(LEADER, role="leader", unit_id=None)
    enrol = people.sign_in(LEADER).data["token"]
    key = Authenticator()
    options = api.post("/v1/me/passkeys/options", token=enrol)
    assert options.status_code == 200 and options.data["rp"]["id"] == "localhost"
    added = api.post("/v1/me/passkeys", token=enrol, body={"credential": key.create(options.data), "name": "Máy tính"})
    assert added.status_code == 201, added.body
    assert added.data["name"] == "Máy tính" and added.data["last_used_at"] is None
    listed = api.get("/v1/me/passkeys", token=enrol).data["items"]
    assert [p["id"] for p in listed] == [added.data["id"]]
    needed = people.sign_in(LEADER)
    assert needed.status_code == 401 and needed.data["factors"] == ["passkey"]
    challenge = api.post("/v1/sessions/passkey-challenge", body={"email": LEADER})
    assert challenge.status_code == 200 and len(challenge.data["allowCredentials"]) == 1
    assertion = key.get(challenge.data)
    signed = people.sign_in(LEADER, passkey=assertion)
    assert signed.status_code == 201, signed.body
    assert signed.data["account"]["factors"] == {"totp": False, "passkeys": 1}
    again = people.sign_in(LEADER, passkey=assertion)  # the challenge is single-use
    assert again.status_code == 401
    elsewhere = key.get(api.post("/v1/sessions/passkey-challenge", body={"email": LEADER}).data,
                        origin="https://evil.example")
    assert people.sign_in(LEADER, passkey=elsewhere).status_code == 401
    token = signed.data["token"]
    last = api.delete(f"/v1/me/passkeys/{added.data['id']}", token=token)
    assert last.status_code == 409  # a leader's only factor


def test_a_passkey_challenge_expires_after_5_minutes(api, people, clock):
    people.active(LEADER, role="leader", unit_id=None)
    enrol = people.sign_in(LEADER).data["token"]
    key = Authenticator()
    options = api.post("/v1/me/passkeys/options", token=enrol).data
    clock.advance(minutes=5, seconds=1)
    late = api.post("/v1/me/passkeys", token=enrol, body={"credential": key.create(options)})
    assert late.status_code == 422 and late.data["errors"][0]["field"] == "credential"


def test_a_clerk_may_add_a_passkey_and_remove_it(api, people):
    people.active("vanthu@bca.gov.vn")
    token = people.sign_in("vanthu@bca.gov.vn").data["token"]
    key = Authenticator()
    options = api.post("/v1/me/passkeys/options", token=token).data
    added = api.post("/v1/me/passkeys", token=token, body={"credential": key.create(options)}).data
    assert api.delete(f"/v1/me/passkeys/{added['id']}", token=token).status_code == 204
    assert api.get("/v1/me/passkeys", token=token).data["items"] == []
    assert api.get("/v1/me", token=token).data["factors"] == {"totp": False, "passkeys": 0}
    assert api.delete(f"/v1/me/passkeys/{added['id']}", token=token).status_code == 404


def test_a_garbage_credential_is_a_422_not_a_500(api, people):
    people.active("vanthu@bca.gov.vn")
    token = people.sign_in("vanthu@bca.gov.vn").data["token"]
    for credential in ({}, {"response": "x"}, {"response": {"clientDataJSON": "!!!"}},
                       {"response": {"clientDataJSON": "eyJjaGFsbGVuZ2UiOiAxfQ"}}):
        resp = api.post("/v1/me/passkeys", token=token, body={"credential": credential})
        assert resp.status_code == 422, (credential, resp.body)
    signed = api.post("/v1/sessions", body={"email": "vanthu@bca.gov.vn", "password": "x" * 12,
                                             "passkey": {"response": {"clientDataJSON": 5}}})
    assert signed.status_code == 401


def test_one_leader_signed_in_twice_is_one_reviewer(api, people, admin_token, clock):
    people.active(LEADER, role="leader", unit_id=None)
    secret = enrol_totp(api, people.sign_in(LEADER).data["token"], clock)
    sessions = []
    for _ in range(2):
        clock.advance(seconds=30)
        sessions.append(people.sign_in(LEADER, otp=factors.totp_code(secret, clock.now())).data["token"])
    conference = api.post("/v1/conferences", token=admin_token, body={
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}}).data["id"]
    nomination = api.post("/v1/units/ca-nghe-an/nominations", token=admin_token, body={
        "conference_id": conference, "kind": "collective", "name": "Phòng Cảnh sát giao thông",
        "award_form": "giay-khen", "achievements": "Hoàn thành xuất sắc nhiệm vụ."}).data["id"]
    reviewers = set()
    for token, mark in zip(sessions, (5, 9)):
        resp = api.post(f"/v1/nominations/{nomination}/scores", token=token,
                        body={"scores": {"impact": mark, "exemplary": mark, "initiative": mark}})
        assert resp.status_code == 200, resp.body
        reviewers.add(resp.data["reviewer"])
    assert len(reviewers) == 1 and reviewers.pop().startswith("account:")
    shortlist = api.get(f"/v1/conferences/{conference}/shortlist", token=admin_token)
    assert shortlist.status_code == 200, shortlist.body
    entry = next(e for e in shortlist.data["items"] if e["nomination"]["id"] == nomination)
    assert entry["score"]["reviewer_count"] == 1  # the second session replaced the first's score
