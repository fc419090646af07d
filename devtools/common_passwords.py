"""Regenerate chalicelib/accounts/common_passwords.txt (run by hand; the file is committed).

    python -m devtools.common_passwords            # fetches Django's list with `pip download`

Source: the 20,000 most common passwords Django ships (django/contrib/auth/common-passwords.txt.gz,
BSD licence; compiled by Royce Williams from public breach corpora). Passwords under 12 characters
are refused by the length rule anyway, so the file keeps the listed ones of 12 or more, and adds
what people make of a short common password to pass a 12-character rule (the word plus "123456",
a year, "@123"...), Vietnamese ones included ("matkhau123456", "anhyeuem1234", "conganhanoi123").
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "chalicelib" / "accounts" / "common_passwords.txt"
MIN_LENGTH = 12
BASES_FROM_LIST = 400  # the most common short passwords that get padded
VIETNAMESE = (
    "matkhau", "matkhaumoi", "matkhaucuatoi", "anhyeuem", "emyeuanh", "yeuem", "yeuanh", "toiyeuem",
    "iloveyou", "vietnam", "vietnamvodich", "hanoi", "saigon", "danang", "haiphong", "nghean", "hatinh",
    "tphcm", "congan", "bocongan", "conganhanoi", "conganhcm", "conganhn", "canhsat", "csgt", "anninh",
    "thidua", "khenthuong", "thiduakhenthuong", "quantri", "quantrivien", "admin", "administrator",
    "password", "nguyen", "tran", "pham", "hoang", "huynh", "phan", "dang", "nguyenvana", "nguyenvanb",
    "tranvana", "hoangsa", "truongsa", "bachkhoa", "xinchao", "chaoban", "hanoi1", "vanphong", "baocao",
    "welcome", "changeme", "qwerty", "abc", "abcd", "asdfgh", "zxcvbn", "qazwsx", "letmein", "dragon",
)
SUFFIXES = ("1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789", "1234567890",
            "0123456789", "111", "1111", "111111", "000", "0000", "@", "@123", "@1234", "@12345", "@123456",
            "!", "123!", "@2024", "@2025", "@2026", "!@#", "!@#$", "123@", "1@", "2024", "2025", "2026",
            "1975", "1980", "1985", "1990", "1995", "2000")


def _django_list() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, "django"], check=True)
        wheel = next(Path(tmp).glob("django-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            raw = zf.read("django/contrib/auth/common-passwords.txt.gz")
    return [line.strip() for line in gzip.decompress(raw).decode("utf-8", "replace").splitlines() if line.strip()]


def _usable(word: str) -> bool:
    return word.isascii() and word.isprintable() and " " not in word


def build(listed: list[str]) -> list[str]:
    out: dict[str, None] = {}
    for word in listed:
        if len(word) >= MIN_LENGTH and _usable(word):
            out[word.lower()] = None
    bases = [w for w in listed[:BASES_FROM_LIST * 2] if _usable(w) and 4 <= len(w) < MIN_LENGTH][:BASES_FROM_LIST]
    for base in (*VIETNAMESE, *bases):
        for candidate in (base, base + base, *(base + s for s in SUFFIXES), *(s + base for s in ("123", "@"))):
            if len(candidate) >= MIN_LENGTH:
                out[candidate.lower()] = None
    digits = "1234567890"
    for n in range(MIN_LENGTH, 21):  # 111111111111, 123456789012, 098765432109 ...
        out[(digits * 3)[:n]] = None
        out[(digits[::-1] * 3)[:n]] = None
        for d in "0123456789":
            out[d * n] = None
    return list(out)


def main() -> None:
    words = build(_django_list())
    header = ("# Common and breached passwords of 12 characters or more, refused as passwords (lowercase,\n"
              "# one a line). Regenerate with `python -m devtools.common_passwords`; source and method there.\n")
    OUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} passwords -> {OUT}")


if __name__ == "__main__":
    main()
