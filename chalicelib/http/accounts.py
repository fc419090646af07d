"""People over HTTP: accounts (admin), passwords from emailed links, signing in and out, who am I,
and the signed-in person's second factors."""

from __future__ import annotations

from typing import Any

from chalicelib.accounts import factors, service, sessions
from chalicelib.core.access import ADMIN, PERSON, PUBLIC, SELF
from chalicelib.core.errors import invalid
from chalicelib.http.context import Context, Reply, page
from chalicelib.http.declaration import PAGED, Feature, LazyModels, QueryParam

models = LazyModels("chalicelib.accounts.models")
reporting_models = LazyModels("chalicelib.reporting.models")
accounts = Feature(__name__, "accounts", "Tài khoản người dùng, đăng nhập, phiên và xác thực hai lớp.")
NO_CONTENT = Reply("", content_type="text/plain")


def _invitation(ctx: Context, account: dict[str, Any], token: str) -> dict[str, Any]:
    """Send the link once the account (or its new link) is stored: commit first, then mail."""
    ctx.store.commit()
    sent = service.send_link(ctx.mailer(), ctx.settings, account, token)
    return {"sent": sent, "email": account["email"], "valid_until": account["setup_until"]}


@accounts.route("POST", "/v1/accounts", summary="Tạo tài khoản và gửi thư mời (liên kết đặt mật khẩu, 72 giờ)",
                access=ADMIN, body=models.AccountIn, response=models.CreatedAccount, status=201, errors=(404, 409),
                idempotent=True, location=True,
                links=(("getAccount", {"account_id": "$response.body#/id"}),
                       ("patchAccount", {"account_id": "$response.body#/id"}),
                       ("inviteAccount", {"account_id": "$response.body#/id"})))
def create_account(ctx: Context) -> Reply:
    account, token = service.create_account(ctx.store, ctx.who, ctx.body, ctx.now())
    invitation = _invitation(ctx, account, token)
    return Reply({**service.public(account), "invitation": invitation}, location=f"/v1/accounts/{account['id']}")


@accounts.route("GET", "/v1/accounts", summary="Danh sách tài khoản (lọc theo đơn vị: ?unit_id=)", access=ADMIN,
                response=models.AccountList,
                query=(QueryParam("unit_id", "Chỉ tài khoản của đơn vị này", {"type": "string",
                                                                               "pattern": "^[a-z0-9][a-z0-9-]{1,62}$"}),
                       *PAGED))
def list_accounts(ctx: Context) -> Reply:
    unit_id = ctx.query("unit_id")
    if unit_id is not None and not _unit_id_ok(unit_id):
        raise invalid("unit_id", "Không đúng định dạng mã đơn vị.")
    result = ctx.store.accounts.list(unit_id, limit=ctx.limit, cursor=ctx.cursor)
    return Reply(page([service.public(a) for a in result.items], result.next))


def _unit_id_ok(unit_id: str) -> bool:
    import re

    return re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", unit_id) is not None


@accounts.route("GET", "/v1/accounts/{account_id}", summary="Xem tài khoản", access=ADMIN, response=models.Account,
                errors=(404,))
def get_account(ctx: Context, account_id: str) -> Reply:
    return Reply(service.public(service.get_account(ctx.store, account_id)))


@accounts.route("PATCH", "/v1/accounts/{account_id}",
                summary="Sửa tài khoản: tên, vai trò, đơn vị; vô hiệu hóa (mọi phiên kết thúc ngay) hoặc kích hoạt lại",
                access=ADMIN, body=models.AccountPatch, response=models.Account, errors=(404, 409))
def patch_account(ctx: Context, account_id: str) -> Reply:
    return Reply(service.public(service.patch_account(ctx.store, ctx.who, account_id, ctx.body, ctx.now())))


@accounts.route("GET", "/v1/accounts/{account_id}/audit",
                summary="Nhật ký của tài khoản: tạo, mời, đăng nhập (cả thất bại), đặt mật khẩu, yếu tố xác thực (mới trước)",
                access=ADMIN, response=reporting_models.AuditList, errors=(404,), query=PAGED)
def account_audit(ctx: Context, account_id: str) -> Reply:
    account_id = service.get_account(ctx.store, account_id)["id"]
    result = ctx.store.audit.list(service.entity(account_id), limit=ctx.limit, cursor=ctx.cursor)
    return Reply(page(result.items, result.next))


@accounts.route("POST", "/v1/accounts/{account_id}/invitation",
                summary="Gửi lại thư mời với liên kết mới (liên kết cũ hết hiệu lực)", access=ADMIN,
                response=models.Invitation, status=202, errors=(404, 409))
def invite_account(ctx: Context, account_id: str) -> Reply:
    account, token = service.reinvite(ctx.store, ctx.who, account_id, ctx.now())
    return Reply(_invitation(ctx, account, token))


@accounts.route("POST", "/v1/password", summary="Đặt mật khẩu từ liên kết mời hoặc đặt lại (dùng một lần)",
                access=PUBLIC, body=models.PasswordIn, status=204)
def set_password(ctx: Context) -> Reply:
    service.set_password(ctx.store, ctx.body.token, ctx.body.password, ctx.passwords(), ctx.now())
    return NO_CONTENT


@accounts.route("POST", "/v1/password-resets",
                summary="Gửi liên kết đặt lại mật khẩu (30 phút) nếu thư điện tử có tài khoản; luôn trả 202",
                access=PUBLIC, body=models.EmailIn, response=models.Accepted, status=202)
def request_password_reset(ctx: Context) -> Reply:
    issued = service.request_reset(ctx.store, ctx.body.email, ctx.now())
    if issued is not None:
        account, token = issued
        ctx.store.commit()
        service.send_link(ctx.mailer(), ctx.settings, account, token)
    return Reply({"detail": "Nếu thư điện tử này có tài khoản, liên kết đặt lại mật khẩu đã được gửi tới đó."})


@accounts.route("POST", "/v1/sessions",
                summary="Đăng nhập: thư điện tử, mật khẩu và (cán bộ) mã xác thực hoặc khóa truy cập; phiên 8 giờ",
                access=PUBLIC, body=models.SessionIn, response=models.Session, status=201, errors=(401, 429))
def sign_in(ctx: Context) -> Reply:
    return Reply(sessions.sign_in(ctx.store, ctx.body, ctx.address, ctx.now(), ctx.passwords(), ctx.settings,
                                  sessions.lock_notifier(ctx.mailer)))


@accounts.route("POST", "/v1/sessions/passkey-challenge",
                summary="Thử thách WebAuthn (dùng một lần, 5 phút) để đăng nhập bằng khóa truy cập",
                access=PUBLIC, body=models.EmailIn, response=models.WebAuthnOptions)
def passkey_challenge(ctx: Context) -> Reply:
    account, _ = ctx.store.accounts.by_email(service.normal_email(ctx.body.email))
    usable = account if account is not None and account["status"] == "active" else None
    return Reply(factors.authentication_options(ctx.store, usable, ctx.settings, ctx.now()))


@accounts.route("DELETE", "/v1/sessions/current", summary="Đăng xuất: kết thúc phiên đang dùng", access=PERSON,
                status=204)
def sign_out(ctx: Context) -> Reply:
    sessions.sign_out(ctx.store, ctx.who, ctx.now())
    return NO_CONTENT


@accounts.route("GET", "/v1/me", summary="Người dùng (hoặc mã truy cập) đang đăng nhập, đơn vị và yếu tố xác thực",
                access=SELF, response=models.Me)
def me(ctx: Context) -> Reply:
    from chalicelib.units.service import public as unit_public

    who = ctx.who
    unit = ctx.store.units.get(who.unit_id) if who.unit_id else None
    account = ctx.account
    return Reply({"account": service.public(account) if account else None, "token_id": who.token_id,
                  "role": who.role.value, "unit_id": who.unit_id, "name": who.name,
                  "unit": unit_public(unit) if unit else None,
                  "factors": service.factors(account) if account else {"totp": False, "passkeys": 0},
                  "needs_second_factor": who.enrolment_only})


@accounts.route("POST", "/v1/me/totp", summary="Bắt đầu thiết lập ứng dụng xác thực: khóa bí mật và mã QR (SVG)",
                access=PERSON, response=models.TotpSetup)
def begin_totp(ctx: Context) -> Reply:
    return Reply(factors.begin_totp(ctx.store, ctx.who, ctx.account, ctx.now()))


@accounts.route("POST", "/v1/me/totp/confirm", summary="Xác nhận ứng dụng xác thực bằng mã 6 số đang hiện",
                access=PERSON, body=models.OtpIn, status=204, errors=(409,))
def confirm_totp(ctx: Context) -> Reply:
    factors.confirm_totp(ctx.store, ctx.who, ctx.account, ctx.body.otp, ctx.now())
    return NO_CONTENT


@accounts.route("DELETE", "/v1/me/totp",
                summary="Bỏ ứng dụng xác thực (cán bộ: chỉ khi còn khóa truy cập)", access=PERSON, status=204,
                errors=(404, 409))
def remove_totp(ctx: Context) -> Reply:
    factors.remove_totp(ctx.store, ctx.who, ctx.account, ctx.now())
    return NO_CONTENT


@accounts.route("POST", "/v1/me/passkeys/options",
                summary="Tùy chọn WebAuthn để tạo khóa truy cập (thử thách dùng một lần, 5 phút)", access=PERSON,
                response=models.WebAuthnOptions)
def passkey_options(ctx: Context) -> Reply:
    return Reply(factors.registration_options(ctx.store, ctx.account, ctx.settings, ctx.now()))


@accounts.route("POST", "/v1/me/passkeys", summary="Đăng ký khóa truy cập (kết quả navigator.credentials.create())",
                access=PERSON, body=models.PasskeyIn, response=models.Passkey, status=201, errors=(409,))
def add_passkey(ctx: Context) -> Reply:
    passkey = factors.add_passkey(ctx.store, ctx.who, ctx.account, ctx.body.credential, ctx.body.name,
                                  ctx.settings, ctx.now())
    return Reply(factors.public_passkey(passkey))


@accounts.route("GET", "/v1/me/passkeys", summary="Các khóa truy cập của người dùng", access=PERSON,
                response=models.PasskeyList)
def list_passkeys(ctx: Context) -> Reply:
    items = ctx.store.accounts.passkeys(ctx.who.account_id or "")
    return Reply(page([factors.public_passkey(p) for p in items], None))


@accounts.route("DELETE", "/v1/me/passkeys/{passkey_id}",
                summary="Xóa khóa truy cập (cán bộ: phải còn một yếu tố xác thực khác)", access=PERSON, status=204,
                errors=(404, 409))
def remove_passkey(ctx: Context, passkey_id: str) -> Reply:
    factors.remove_passkey(ctx.store, ctx.who, ctx.account, passkey_id, ctx.now())
    return NO_CONTENT
