"""Request and response bodies of accounts, sign-in and second factors (pydantic v2; the OpenAPI
schemas come from here). Strings arrive NFC-normalised; every text is capped. A password field is
never echoed back: no response model has one."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chalicelib.core.fields import Strict, line
from chalicelib.units.models import Name, Unit, UnitId

Role = Literal["admin", "leader", "unit"]
Status = Literal["invited", "active", "disabled"]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
# No stripping here: a sign-in email or code with stray whitespace is refused (422), not guessed at.
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")]
Otp = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
SetupToken = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


class AccountIn(Strict):
    email: Email
    name: Name
    role: Role
    unit_id: Optional[UnitId] = Field(None, description="Bắt buộc với vai trò unit; cán bộ có thể ghi đơn vị công tác "
                                                        "(để tránh chấm đề nghị của đơn vị mình).")


class AccountPatch(Strict):
    """PATCH /v1/accounts/{id}: only the fields given change (`unit_id: null` clears a staff member's unit)."""

    name: Optional[Name] = None
    status: Optional[Literal["active", "disabled"]] = None
    role: Optional[Role] = None
    unit_id: Optional[UnitId] = None


class PasswordIn(Strict):
    token: SetupToken
    password: Password


class EmailIn(Strict):
    email: Email


class SessionIn(Strict):
    email: Email
    password: Password
    otp: Optional[Otp] = Field(None, description="Mã 6 số của ứng dụng xác thực (TOTP)")
    passkey: Optional[dict[str, Any]] = Field(
        None, description="Kết quả navigator.credentials.get() (PublicKeyCredential dạng JSON) cho thử thách "
                          "lấy từ POST /v1/sessions/passkey-challenge")


class OtpIn(Strict):
    otp: Otp


class PasskeyIn(Strict):
    credential: dict[str, Any] = Field(description="Kết quả navigator.credentials.create() dạng JSON")
    name: Optional[line(100)] = None  # type: ignore[valid-type]


# -- responses -------------------------------------------------------------------------

class Factors(Strict):
    totp: bool
    passkeys: int


class Account(Strict):
    id: str
    email: str
    name: str
    role: Role
    unit_id: Optional[str]
    status: Status
    factors: Factors
    created_at: str
    last_sign_in_at: Optional[str]


class Invitation(Strict):
    sent: bool = Field(description="Thư mời đã được gửi đi (false: gửi lại sau bằng POST .../invitation)")
    email: str
    valid_until: str


class CreatedAccount(Account):
    invitation: Invitation


class AccountList(Strict):
    items: list[Account]
    next: Optional[str]


class Accepted(Strict):
    detail: str


class Session(Strict):
    token: str
    expires_at: str
    account: Account
    needs_second_factor: bool = Field(description="Phiên chỉ để thiết lập xác thực hai lớp (cán bộ chưa có yếu tố "
                                                  "thứ hai): chỉ dùng được /v1/me* và /v1/sessions/current")


class Me(Strict):
    account: Optional[Account]
    token_id: str
    role: Role
    unit_id: Optional[str]
    name: str
    unit: Optional[Unit]
    factors: Factors
    needs_second_factor: bool


class TotpSetup(Strict):
    secret: str
    uri: str
    qr_svg: str


class Passkey(Strict):
    id: str
    name: str
    created_at: str
    last_used_at: Optional[str]


class PasskeyList(Strict):
    items: list[Passkey]
    next: Optional[str]


class WebAuthnOptions(BaseModel):
    """PublicKeyCredentialCreationOptions / RequestOptions as JSON (binary fields base64url)."""

    model_config = ConfigDict(extra="allow", defer_build=True)
    challenge: str
