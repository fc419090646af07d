"""Passwords: Argon2id hashes (argon2-cffi) and the rules a new password must meet.

A password is never logged, never stored (only its hash) and never returned. Verifying an
unknown email's password runs against a dummy hash of the same cost, so a wrong email and a
wrong password take the same time.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path
from typing import Any

from chalicelib.core.errors import FieldError

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON = Path(__file__).with_name("common_passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def problems(password: str, email: str | None = None) -> list[FieldError]:
    """Why `password` may not be chosen (empty: it may)."""
    password = unicodedata.normalize("NFC", password)
    if len(password) < MIN_LENGTH:
        return [FieldError("password", f"Mật khẩu phải dài ít nhất {MIN_LENGTH} ký tự.")]
    if len(password) > MAX_LENGTH:
        return [FieldError("password", f"Mật khẩu dài quá {MAX_LENGTH} ký tự.")]
    folded = password.lower()
    if folded in common_passwords() or "".join(folded.split()) in common_passwords():
        return [FieldError("password", "Mật khẩu này quá phổ biến (có trong danh sách mật khẩu hay bị dò ra); "
                                       "hãy chọn mật khẩu khác, ví dụ một câu dài dễ nhớ.")]
    if email and folded in (email.lower(), email.lower().partition("@")[0]):
        return [FieldError("password", "Mật khẩu không được trùng với thư điện tử.")]
    return []


class Passwords:
    """Argon2id hashing. The default cost is argon2-cffi's (RFC 9106's low-memory profile: t=3,
    m=64 MiB, p=4; about 0.1 s); tests hand in a cheaper hasher (`bootstrap.services.passwords`)."""

    def __init__(self, hasher: Any = None) -> None:
        if hasher is None:
            from argon2 import PasswordHasher

            hasher = PasswordHasher()
        self.hasher = hasher
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self.hasher.hash(unicodedata.normalize("NFC", password))

    def verify(self, stored: str | None, password: str) -> bool:
        """Whether `password` matches `stored`; with no stored hash (an unknown email, an account
        without a password yet), the same work against a dummy hash, and False."""
        from argon2.exceptions import InvalidHashError, VerificationError

        candidate = unicodedata.normalize("NFC", password)
        if stored is None:
            if self._dummy is None:
                self._dummy = self.hasher.hash("thidua dummy password")
            stored, candidate = self._dummy, candidate + "\0"  # never matches
        try:
            return bool(self.hasher.verify(stored, candidate))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return bool(self.hasher.check_needs_rehash(stored))
