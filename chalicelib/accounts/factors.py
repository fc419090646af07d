"""Second factors: TOTP (RFC 6238 with pyotp, its QR code drawn by segno as SVG) and passkeys
(WebAuthn with the `webauthn` library). Required for staff (admin, leader); open to every account.

pyotp, segno and webauthn are imported inside the functions that use them: the API's cold start
(every request authenticates through this package) loads none of them.

A TOTP code is accepted once: the account keeps the last time step used and a code of that step
or an earlier one is refused (a code seen over a shoulder cannot be replayed). A WebAuthn challenge
is stored single-use for 5 minutes, keyed by its value; verifying takes (deletes) it first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.accounts.service import entity, factors, is_staff
from chalicelib.core import audit
from chalicelib.core.access import Principal
from chalicelib.core.clock import iso
from chalicelib.core.errors import Conflict, NotFound, invalid
from chalicelib.store import Store
from chalicelib.store.table import Eq, Lt, Missing, all_of, any_of

if TYPE_CHECKING:
    from chalicelib.core.settings import Settings

ISSUER = "Thi đua - Khen thưởng"
STEP = 30
CHALLENGE_SECONDS = 300
NO_CHALLENGE = "Yêu cầu xác thực đã hết hạn hoặc đã dùng; hãy thử lại."


# -- TOTP -------------------------------------------------------------------------------

def _totp_step(secret: str, otp: str, now: datetime, after: int | None) -> int | None:
    """The time step (now ± 1, for clock drift) whose code is `otp`, if later than `after`."""
    import pyotp

    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.at(step * STEP), otp):
            return step
    return None


def totp_code(secret: str, now: datetime) -> str:
    """The code an authenticator app shows at `now` (for the demo and the tests)."""
    import pyotp

    return pyotp.TOTP(secret).at(int(now.timestamp()))


def _last_step(account: dict[str, Any]) -> int | None:
    value = account.get("totp_last_step")
    return None if value is None else int(value)


def _step_used(step: int):
    """The account's last used step is older than `step` (or none yet): a code is accepted once."""
    return any_of(Missing("totp_last_step"), Lt("totp_last_step", step))


def check_totp(account: dict[str, Any], otp: str, now: datetime) -> tuple[dict[str, Any], Any] | None:
    """None unless `otp` is the account's current code, not used before; else what the sign-in's write
    of the account must set and condition on (the step now used, and that no sign-in used it first)."""
    step = _totp_step(account["totp_secret"], otp, now, _last_step(account))
    if step is None:
        return None
    return {"totp_last_step": step}, _step_used(step)


def begin_totp(store: Store, who: Principal, account: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A new secret, pending until a code from it is confirmed (the enrolled one, if any, stays until then)."""
    import pyotp
    import segno

    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=account["email"], issuer_name=ISSUER)
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True,
                                    title="Mã QR cho ứng dụng xác thực")
    store.accounts.update(account["id"], {"totp_pending": secret, "updated_at": iso(now)})
    return {"secret": secret, "uri": uri, "qr_svg": out.getvalue().decode()}


def confirm_totp(store: Store, who: Principal, account: dict[str, Any], otp: str, now: datetime) -> None:
    pending = account.get("totp_pending")
    if not pending:
        raise Conflict("Chưa bắt đầu thiết lập ứng dụng xác thực (POST /v1/me/totp).")
    step = _totp_step(pending, otp, now, None)
    if step is None:
        raise invalid("otp", "Mã xác thực không đúng; kiểm tra giờ trên điện thoại và nhập mã đang hiện.")
    store.explain(pending=Conflict("Thiết lập đã thay đổi trong lúc xác nhận; hãy bắt đầu lại."))
    store.accounts.update(account["id"], {"totp_secret": pending, "totp_pending": None, "totp_last_step": step,
                                          "updated_at": iso(now)}, Eq("totp_pending", pending), guards="pending",
                          audit=audit.event(entity(account["id"]), "totp_enrolled", who, now))


def remove_totp(store: Store, who: Principal, account: dict[str, Any], now: datetime) -> None:
    if not account.get("totp_secret"):
        raise NotFound("ứng dụng xác thực đã thiết lập")
    passkeys = factors(account)["passkeys"]
    if is_staff(account) and passkeys == 0:
        raise Conflict("Tài khoản cán bộ phải giữ ít nhất một yếu tố xác thực thứ hai: hãy thêm khóa truy cập trước.",
                       reason="last_second_factor")
    store.explain(factors=Conflict("Các yếu tố xác thực vừa thay đổi; hãy thử lại."))
    store.accounts.update(account["id"], {"totp_secret": None, "totp_last_step": None, "updated_at": iso(now)},
                          Eq("passkeys", passkeys) if is_staff(account) else None, guards="factors",
                          audit=audit.event(entity(account["id"]), "totp_removed", who, now))


# -- passkeys (WebAuthn) ------------------------------------------------------------------

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def passkey_id(credential_id: bytes) -> str:
    """The passkey's id in paths and keys: a hash of the credential id (up to 1023 bytes, too long for a key)."""
    return _b64url(hashlib.sha256(credential_id).digest())


def public_passkey(passkey: dict[str, Any]) -> dict[str, Any]:
    return {"id": passkey["id"], "name": passkey["name"], "created_at": passkey["created_at"],
            "last_used_at": passkey.get("last_used_at")}


def _challenge_of(credential: dict[str, Any]) -> str | None:
    """The challenge the browser signed, read from clientDataJSON (None when malformed)."""
    try:
        client_data = json.loads(_unb64url(credential["response"]["clientDataJSON"]))
        challenge = client_data["challenge"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return challenge if isinstance(challenge, str) and 0 < len(challenge) <= 128 else None


def _take(store: Store, credential: dict[str, Any], purpose: str, account_id: str | None, now: datetime) -> str | None:
    challenge = _challenge_of(credential)
    record = store.accounts.take_challenge(challenge) if challenge else None
    if (record is None or record.get("purpose") != purpose or record.get("account_id") != account_id
            or int(record.get("valid_until", 0)) < int(now.timestamp())):
        return None
    return challenge


def registration_options(store: Store, account: dict[str, Any], conf: Settings, now: datetime) -> dict[str, Any]:
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor, ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    existing = store.accounts.passkeys(account["id"])
    options = generate_registration_options(
        rp_id=conf.webauthn_rp_id, rp_name=ISSUER, user_name=account["email"], user_id=account["id"].encode(),
        user_display_name=account["name"], timeout=CHALLENGE_SECONDS * 1000,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_unb64url(p["credential_id"])) for p in existing],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED))
    challenge = _b64url(options.challenge)
    store.accounts.put_challenge(challenge, {"purpose": "register", "account_id": account["id"]},
                                 int(now.timestamp()) + CHALLENGE_SECONDS)
    return json.loads(options_to_json(options))


def add_passkey(store: Store, who: Principal, account: dict[str, Any], credential: dict[str, Any], name: str | None,
                conf: Settings, now: datetime) -> dict[str, Any]:
    from webauthn import verify_registration_response

    challenge = _take(store, credential, "register", account["id"], now)
    if challenge is None:
        raise invalid("credential", NO_CHALLENGE)
    try:
        verified = verify_registration_response(credential=credential, expected_challenge=_unb64url(challenge),
                                                expected_rp_id=conf.webauthn_rp_id,
                                                expected_origin=conf.webauthn_origin)
    except Exception:  # noqa: BLE001 - the library raises many kinds for a bad credential: all are a 422
        raise invalid("credential", "Không xác minh được khóa truy cập; hãy thử lại.") from None
    passkey = {"id": passkey_id(verified.credential_id), "account_id": account["id"],
               "credential_id": _b64url(verified.credential_id),
               "public_key": _b64url(verified.credential_public_key), "sign_count": verified.sign_count,
               "name": name or "Khóa truy cập", "created_at": iso(now)}
    store.explain(passkey=Conflict("Khóa truy cập này đã được đăng ký."))
    store.accounts.add_passkey(passkey, audit=audit.event(entity(account["id"]), "passkey_added", who, now,
                                                          passkey_id=passkey["id"], name=passkey["name"]))
    return passkey


def remove_passkey(store: Store, who: Principal, account: dict[str, Any], passkey_id_: str, now: datetime) -> None:
    well_formed = len(passkey_id_) == 43 and all(c.isascii() and (c.isalnum() or c in "-_") for c in passkey_id_)
    if not well_formed or store.accounts.passkey(account["id"], passkey_id_) is None:
        raise NotFound(f"khóa truy cập '{passkey_id_}'")
    enrolled = factors(account)
    condition = None
    if is_staff(account):
        if not enrolled["totp"] and enrolled["passkeys"] <= 1:
            raise Conflict("Tài khoản cán bộ phải giữ ít nhất một yếu tố xác thực thứ hai.", reason="last_second_factor")
        condition = all_of(Eq("passkeys", enrolled["passkeys"]),
                           Eq("totp_secret", account["totp_secret"]) if enrolled["totp"] else Missing("totp_secret"))
    store.explain(passkey=NotFound(f"khóa truy cập '{passkey_id_}'"),
                  account=Conflict("Các yếu tố xác thực vừa thay đổi; hãy thử lại."))
    store.accounts.remove_passkey(account["id"], passkey_id_, condition,
                                  audit=audit.event(entity(account["id"]), "passkey_removed", who, now,
                                                    passkey_id=passkey_id_))


def authentication_options(store: Store, account: dict[str, Any] | None, conf: Settings, now: datetime) -> dict[str, Any]:
    """Options for navigator.credentials.get(): the account's passkeys, or none for an unknown email
    (a challenge is stored either way)."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers.structs import PublicKeyCredentialDescriptor, UserVerificationRequirement

    passkeys = store.accounts.passkeys(account["id"]) if account is not None else []
    options = generate_authentication_options(
        rp_id=conf.webauthn_rp_id, timeout=CHALLENGE_SECONDS * 1000,
        allow_credentials=[PublicKeyCredentialDescriptor(id=_unb64url(p["credential_id"])) for p in passkeys],
        user_verification=UserVerificationRequirement.PREFERRED)
    challenge = _b64url(options.challenge)
    store.accounts.put_challenge(challenge, {"purpose": "authenticate",
                                             "account_id": account["id"] if account else None},
                                 int(now.timestamp()) + CHALLENGE_SECONDS)
    return json.loads(options_to_json(options))


def check_passkey_assertion(store: Store, account: dict[str, Any], assertion: dict[str, Any], now: datetime,
                            conf: Settings) -> bool:
    from webauthn import verify_authentication_response

    challenge = _take(store, assertion, "authenticate", account["id"], now)
    raw_id = assertion.get("rawId") or assertion.get("id")
    if challenge is None or not isinstance(raw_id, str) or len(raw_id) > 1400:
        return False
    try:
        passkey = store.accounts.passkey(account["id"], passkey_id(_unb64url(raw_id)))
    except ValueError:
        return False
    if passkey is None:
        return False
    try:
        verified = verify_authentication_response(
            credential=assertion, expected_challenge=_unb64url(challenge), expected_rp_id=conf.webauthn_rp_id,
            expected_origin=conf.webauthn_origin, credential_public_key=_unb64url(passkey["public_key"]),
            credential_current_sign_count=int(passkey.get("sign_count") or 0))
    except Exception:  # noqa: BLE001 - any failed verification is a failed sign-in
        return False
    store.accounts.passkey_used(account["id"], passkey["id"], verified.new_sign_count, iso(now))
    return True
