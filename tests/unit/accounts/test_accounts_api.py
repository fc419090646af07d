"""Accounts and sessions over HTTP (in-memory store, fixed clock): invitations, passwords, signing
in and out, session lifetimes, disabling, throttling, resets, and who a session's actions name."""

from __future__ import annotations

from chalicelib.accounts.passwords import common_passwords, problems
from tests.unit.accounts.conftest import GOOD_PASSWORD, link_token, text_of

CLERK = "vanthu.nghean@bca.gov.vn"


# -- invitations and passwords ---------------------------------------------------------------

def test_an_admin_invites_a_clerk_who_sets_a_password_and_signs_in(api, people, mailbox, admin_token):
    account, token = people.invite(CLERK)
    assert account["status"] == "invited" and account["factors"] == {"totp": False, "passkeys": 0}
    assert account["invitation"]["sent"] is True and account["invitation"]["email"] == CLERK
    message = mailbox.sent[-1]
    assert message["To"].addresses[0].addr_spec == CLERK and "Lời mời" in message["Subject"]
    assert "https://thidua.example.gov.vn" not in text_of(message)  # the portal's address, not the API's
    assert "http://localhost:8000/#/dat-mat-khau?token=" in text_of(message)
    assert message.get_body(("html",)).get_content().count(token) == 1
    assert api.post("/v1/password", body={"token": token, "password": GOOD_PASSWORD}).status_code == 204
    fetched = api.get(f"/v1/accounts/{account['id']}", token=admin_token).data
    assert fetched["status"] == "active" and "password" not in str(fetched) and "hash" not in str(fetched)
    signed = people.sign_in(CLERK)
    assert signed.status_code == 201, signed.body
    assert signed.data["token"].startswith("ths_") and signed.data["needs_second_factor"] is False
    assert signed.data["account"]["id"] == account["id"] and signed.data["expires_at"].startswith("2021-08-20T11:00")
    me = api.get("/v1/me", token=signed.data["token"]).data
    assert me["account"]["email"] == CLERK and me["unit"]["name"] == "Công an tỉnh Nghệ An"
    assert (me["role"], me["unit_id"], me["needs_second_factor"]) == ("unit", "ca-nghe-an", False)
    assert me["factors"] == {"totp": False, "passkeys": 0}


def test_a_link_sets_a_password_once_and_refuses_weak_ones(api, people):
    _, token = people.invite(CLERK)
    for weak, says in (("ngắn quá", "12"), ("matkhau123456", "phổ biến"), ("Password1234", "phổ biến"),
                       (CLERK, "thư điện tử")):
        resp = api.post("/v1/password", body={"token": token, "password": weak})
        assert resp.status_code == 422 and resp.data["errors"][0]["field"] == "password", weak
        assert says in resp.data["errors"][0]["message"], resp.data
    assert api.post("/v1/password", body={"token": token, "password": GOOD_PASSWORD}).status_code == 204
    again = api.post("/v1/password", body={"token": token, "password": GOOD_PASSWORD + "!"})
    assert again.status_code == 422 and again.data["errors"][0]["field"] == "token"
    forged = api.post("/v1/password", body={"token": token[:-4] + "AAAA", "password": GOOD_PASSWORD})
    assert forged.status_code == 422


def test_the_shipped_list_holds_thousands_of_long_common_passwords():
    listed = common_passwords()
    assert len(listed) > 3000 and all(len(p) >= 12 for p in listed)
    assert {"matkhau123456", "anhyeuem1234", "password1234", "qwertyuiop123", "111111111111"} <= listed
    assert not problems("một câu mật khẩu rất dài") and problems("MATKHAU123456")


def test_an_invitation_expires_after_72_hours_and_a_resent_one_replaces_it(api, people, admin_token, clock, mailbox):
    account, first = people.invite(CLERK)
    clock.advance(hours=72, seconds=1)
    assert api.post("/v1/password", body={"token": first, "password": GOOD_PASSWORD}).status_code == 422
    resent = api.post(f"/v1/accounts/{account['id']}/invitation", token=admin_token)
    assert resent.status_code == 202 and resent.data["sent"] is True
    second = link_token(mailbox.sent[-1])
    assert second != first
    assert api.post("/v1/password", body={"token": first, "password": GOOD_PASSWORD}).status_code == 422
    assert api.post("/v1/password", body={"token": second, "password": GOOD_PASSWORD}).status_code == 204


def test_account_rules_unit_needed_email_once_unknown_unit_listing_by_unit(api, people, admin_token):
    people.invite(CLERK)
    dup = api.post("/v1/accounts", token=admin_token, body={"email": CLERK.upper(), "name": "Khác", "role": "unit",
                                                            "unit_id": "ca-ha-tinh"})
    assert dup.status_code == 409
    no_unit = api.post("/v1/accounts", token=admin_token, body={"email": "a@bca.gov.vn", "name": "A", "role": "unit"})
    assert no_unit.status_code == 422 and no_unit.data["errors"][0]["field"] == "unit_id"
    unknown = api.post("/v1/accounts", token=admin_token, body={"email": "b@bca.gov.vn", "name": "B", "role": "unit",
                                                                "unit_id": "ca-khong-co"})
    assert unknown.status_code == 404
    people.invite("lanhdao@bca.gov.vn", role="leader", unit_id=None, name="Trần Văn Lãnh Đạo")
    people.invite("vanthu.hatinh@bca.gov.vn", unit_id="ca-ha-tinh")
    everyone = api.get("/v1/accounts", token=admin_token).data["items"]
    assert {a["email"] for a in everyone} == {CLERK, "lanhdao@bca.gov.vn", "vanthu.hatinh@bca.gov.vn"}
    nghe_an = api.get("/v1/accounts?unit_id=ca-nghe-an", token=admin_token).data["items"]
    assert [a["email"] for a in nghe_an] == [CLERK]


# -- signing in -------------------------------------------------------------------------------

def test_an_unknown_email_and_a_wrong_password_get_the_same_answer_after_the_same_work(people, passwords):
    people.active(CLERK)
    passwords.verified = 0
    unknown = people.sign_in("khongco@bca.gov.vn")
    assert passwords.verified == 1  # a dummy Argon2id verification, as for a real account
    wrong = people.sign_in(CLERK, "không phải mật khẩu này")
    assert passwords.verified == 2
    invited, _ = people.invite("moi@bca.gov.vn")
    not_yet = people.sign_in("moi@bca.gov.vn", GOOD_PASSWORD)
    assert passwords.verified == 3
    for resp in (unknown, wrong, not_yet):
        assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert unknown.data == wrong.data == not_yet.data
    assert "Thư điện tử hoặc mật khẩu không đúng" in wrong.data["detail"]


def test_signing_out_ends_the_session_and_only_that_one(api, people):
    people.active(CLERK)
    first, second = people.sign_in(CLERK).data["token"], people.sign_in(CLERK).data["token"]
    assert api.delete("/v1/sessions/current", token=first).status_code == 204
    assert api.get("/v1/me", token=first).status_code == 401
    assert api.get("/v1/me", token=second).status_code == 200


def test_a_machine_token_cannot_sign_out(api, admin_token):
    resp = api.delete("/v1/sessions/current", token=admin_token)
    assert resp.status_code == 403


def test_a_session_lasts_8_hours_and_ends_after_30_idle_minutes(api, people, clock):
    people.active(CLERK)
    token = people.sign_in(CLERK).data["token"]
    for _ in range(16):  # a request every 29 minutes keeps it alive ...
        clock.advance(minutes=29)
        assert api.get("/v1/me", token=token).status_code == 200
    clock.advance(minutes=29)  # ... until 8 hours have passed since signing in
    expired = api.get("/v1/me", token=token)
    assert expired.status_code == 401 and expired.data["reason"] == "session_expired"
    idle = people.sign_in(CLERK).data["token"]
    clock.advance(minutes=30)
    resp = api.get("/v1/me", token=idle)
    assert resp.status_code == 401 and resp.data["reason"] == "session_idle"


def test_the_idle_clock_is_written_at_most_every_5_minutes(api, people, clock, store):
    account = people.active(CLERK)
    token = people.sign_in(CLERK).data["token"]
    session_key = next(k for k in store.table._items if k[1].startswith("SESSION#"))
    seen = lambda: store.table._items[session_key]["last_seen"]  # noqa: E731
    signed_in = seen()
    clock.advance(minutes=4)
    assert api.get("/v1/me", token=token).status_code == 200 and seen() == signed_in
    clock.advance(minutes=2)
    assert api.get("/v1/me", token=token).status_code == 200 and seen() > signed_in
    assert account["id"] in session_key[0]


def test_disabling_an_account_ends_its_sessions_at_once_and_re_enabling_does_not_revive_them(api, people,
                                                                                             admin_token):
    account = people.active(CLERK)
    token = people.sign_in(CLERK).data["token"]
    disabled = api.patch(f"/v1/accounts/{account['id']}", token=admin_token, body={"status": "disabled"})
    assert disabled.status_code == 200 and disabled.data["status"] == "disabled"
    resp = api.get("/v1/me", token=token)
    assert resp.status_code == 401 and resp.data["reason"] == "account_disabled"
    assert people.sign_in(CLERK).status_code == 401
    enabled = api.patch(f"/v1/accounts/{account['id']}", token=admin_token, body={"status": "active"})
    assert enabled.data["status"] == "active"
    assert api.get("/v1/me", token=token).status_code == 401
    assert people.sign_in(CLERK).status_code == 201


def test_a_role_or_unit_changed_by_an_admin_applies_to_the_next_request(api, people, admin_token):
    account = people.active(CLERK)
    token = people.sign_in(CLERK).data["token"]
    moved = api.patch(f"/v1/accounts/{account['id']}", token=admin_token, body={"unit_id": "ca-ha-tinh"})
    assert moved.status_code == 200 and moved.data["unit_id"] == "ca-ha-tinh"
    assert api.get("/v1/me", token=token).data["unit_id"] == "ca-ha-tinh"
    assert api.get("/v1/units/ca-nghe-an/reports?from=2021-07&to=2021-08", token=token).status_code == 403
    listed = api.get("/v1/accounts?unit_id=ca-ha-tinh", token=admin_token).data["items"]
    assert [a["id"] for a in listed] == [account["id"]]


def test_an_admin_cannot_lock_themselves_out(api, people, mailbox, clock):
    from chalicelib.accounts import factors

    admin = people.active("quantri@bca.gov.vn", role="admin", unit_id=None, name="Quản trị viên")
    enrol = people.sign_in("quantri@bca.gov.vn").data["token"]
    secret = api.post("/v1/me/totp", token=enrol).data["secret"]
    assert api.post("/v1/me/totp/confirm", token=enrol,
                    body={"otp": factors.totp_code(secret, clock.now())}).status_code == 204
    clock.advance(seconds=30)
    token = people.sign_in("quantri@bca.gov.vn", otp=factors.totp_code(secret, clock.now())).data["token"]
    resp = api.patch(f"/v1/accounts/{admin['id']}", token=token, body={"status": "disabled"})
    assert resp.status_code == 409


# -- throttling -------------------------------------------------------------------------------

def test_five_failures_lock_the_email_for_the_window_and_the_owner_is_emailed_once(people, mailbox, clock):
    people.active(CLERK)
    sent = len(mailbox.sent)
    for _ in range(5):
        assert people.sign_in(CLERK, "sai mật khẩu rồi nhé").status_code == 401
    assert len(mailbox.sent) == sent + 1
    notice = mailbox.sent[-1]
    assert notice["To"].addresses[0].addr_spec == CLERK and "tạm khóa" in text_of(notice).lower()
    locked = people.sign_in(CLERK)  # even the right password, while locked
    assert locked.status_code == 429 and "tạm khóa" in locked.data["detail"]
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
    assert people.sign_in(CLERK, "sai nữa").status_code == 429
    assert len(mailbox.sent) == sent + 1  # once per lock window
    clock.advance(seconds=int(locked.headers["Retry-After"]))
    assert people.sign_in(CLERK).status_code == 201


def test_an_unknown_email_locks_the_same_way(people):
    for _ in range(5):
        assert people.sign_in("khongco@bca.gov.vn", "đoán mò mật khẩu").status_code == 401
    assert people.sign_in("khongco@bca.gov.vn", "đoán mò mật khẩu").status_code == 429


def test_twenty_failures_from_one_address_lock_the_address(people):
    people.active(CLERK)
    for n in range(20):
        assert people.sign_in(f"thu{n}@bca.gov.vn", "đoán mò mật khẩu").status_code == 401
    assert people.sign_in(CLERK).status_code == 429


def test_a_success_clears_the_emails_failures(people):
    people.active(CLERK)
    for _ in range(4):
        people.sign_in(CLERK, "gõ nhầm mật khẩu")
    assert people.sign_in(CLERK).status_code == 201
    for _ in range(4):
        assert people.sign_in(CLERK, "gõ nhầm mật khẩu").status_code == 401
    assert people.sign_in(CLERK).status_code == 201


# -- password reset --------------------------------------------------------------------------

def test_a_reset_link_works_once_for_30_minutes_and_ends_every_session(api, people, mailbox, clock):
    people.active(CLERK)
    token = people.sign_in(CLERK).data["token"]
    sent = len(mailbox.sent)
    unknown = api.post("/v1/password-resets", body={"email": "khongco@bca.gov.vn"})
    assert unknown.status_code == 202 and len(mailbox.sent) == sent
    known = api.post("/v1/password-resets", body={"email": CLERK})
    assert known.status_code == 202 and known.data == unknown.data and len(mailbox.sent) == sent + 1
    link = link_token(mailbox.sent[-1])
    assert "30 phút" in text_of(mailbox.sent[-1])
    clock.advance(minutes=31)
    assert api.post("/v1/password", body={"token": link, "password": "một mật khẩu mới dài hơn"}).status_code == 422
    api.post("/v1/password-resets", body={"email": CLERK})
    link = link_token(mailbox.sent[-1])
    assert api.post("/v1/password", body={"token": link, "password": "một mật khẩu mới dài hơn"}).status_code == 204
    assert api.get("/v1/me", token=token).status_code == 401
    assert people.sign_in(CLERK).status_code == 401
    assert people.sign_in(CLERK, "một mật khẩu mới dài hơn").status_code == 201


# -- what a person does is theirs ---------------------------------------------------------------

def test_a_clerks_report_names_the_person_and_shares_idempotency_with_the_units_token(api, people, admin_token,
                                                                                      store):
    from helpers import open_period

    open_period(api, admin_token, "2021-08")
    account = people.active(CLERK)
    session = people.sign_in(CLERK).data["token"]
    machine = api.post("/v1/units/ca-nghe-an/tokens", token=admin_token, body={}).data["token"]
    body, key = {"values": {"checkpoints": 12}}, {"Idempotency-Key": "phieu-2021-08"}
    first = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=session, body=body, headers=key)
    assert first.status_code == 201, first.body
    replay = api.put("/v1/units/ca-nghe-an/reports/2021-08", token=machine, body=body, headers=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert first.data["submitted_by"] == f"account:{account['id']}"
    events = api.get("/v1/units/ca-nghe-an/reports/2021-08/audit", token=admin_token).data["items"]
    submitted = [e for e in events if e["actor_account_id"] == account["id"]]
    assert submitted and submitted[0]["actor_name"] == "Nguyễn Thị Văn Thư"
    assert submitted[0]["actor"] == f"account:{account['id']}" and submitted[0]["actor_token"] != account["id"]


def test_sign_ins_failures_and_resets_are_audited_with_the_person(api, people, admin_token):
    account = people.active(CLERK)
    people.sign_in(CLERK, "sai mật khẩu rồi nhé")
    people.sign_in(CLERK)
    api.post("/v1/password-resets", body={"email": CLERK})
    events = api.get(f"/v1/accounts/{account['id']}/audit", token=admin_token).data["items"]
    assert [e["action"] for e in events] == ["reset_requested", "signed_in", "sign_in_failed", "password_set",
                                             "created"]
    assert all(e["actor_account_id"] == account["id"] and e["actor_name"] == "Nguyễn Thị Văn Thư"
               for e in events[:-1])


def test_at_most_three_reset_emails_per_15_minutes(api, people, mailbox, clock):
    people.active(CLERK)
    sent = len(mailbox.sent)
    answers = {api.post("/v1/password-resets", body={"email": CLERK}).status_code for _ in range(5)}
    assert answers == {202} and len(mailbox.sent) == sent + 3
    clock.advance(minutes=15)
    api.post("/v1/password-resets", body={"email": CLERK})
    assert len(mailbox.sent) == sent + 4


def test_a_retried_invitation_is_one_account_and_one_email(api, people, admin_token, mailbox):
    body = {"email": CLERK, "name": "Nguyễn Thị Văn Thư", "role": "unit", "unit_id": "ca-nghe-an"}
    key = {"Idempotency-Key": "moi-van-thu"}
    first = api.post("/v1/accounts", token=admin_token, body=body, headers=key)
    again = api.post("/v1/accounts", token=admin_token, body=body, headers=key)
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert first.data == again.data and first.headers["Location"] == f"/v1/accounts/{first.data['id']}"
    assert len(mailbox.sent) == 1


def test_a_clerk_raised_to_leader_may_only_enrol_a_factor_until_one_is_set(api, people, admin_token):
    account = people.active(CLERK)
    token = people.sign_in(CLERK).data["token"]
    assert api.get("/v1/conferences", token=token).status_code == 403  # a unit's session: not for staff routes
    raised = api.patch(f"/v1/accounts/{account['id']}", token=admin_token, body={"role": "leader", "unit_id": None})
    assert raised.status_code == 200 and (raised.data["role"], raised.data["unit_id"]) == ("leader", None)
    refused = api.get("/v1/conferences", token=token)
    assert refused.status_code == 403 and refused.data["reason"] == "second_factor_enrolment_required"
    assert api.get("/v1/me", token=token).data["needs_second_factor"] is True
    assert api.post("/v1/me/totp", token=token).status_code == 200


def test_paths_with_ids_this_api_never_hands_out_are_404s(api, people, admin_token):
    people.active(CLERK)
    token = people.sign_in(CLERK).data["token"]
    for path in ("/v1/accounts/" + "a" * 3000, "/v1/accounts/ZZZZ", "/v1/accounts/" + "a" * 3000 + "/audit"):
        assert api.get(path, token=admin_token).status_code == 404, path
    assert api.delete("/v1/me/passkeys/" + "A" * 3000, token=token).status_code == 404
