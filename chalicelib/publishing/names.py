"""File names of stored documents and their attachments (no renderer: the API uses these too)."""

from __future__ import annotations

from typing import Any

STEMS = {"summary": "bao-cao-tong-hop", "proposal": "to-trinh-de-nghi-khen-thuong", "decision": "quyet-dinh-khen-thuong",
         "commendations": "danh-sach-de-nghi-khen-thuong"}


def stem(stream: str) -> str:
    kind, _, rest = stream.partition("@")
    base = STEMS.get(kind, kind)
    return f"{base}-{rest.replace('@', '-')}" if rest else base


def attachment_name(record: dict[str, Any], extension: str = "pdf") -> str:
    """"quyet-dinh-khen-thuong-bo-cong-an-bang-khen-bo-truong-so-12-QĐ-BCA.pdf"; a draft: "...-du-thao-v3.pdf"."""
    number = record.get("number")
    if not number:
        return f"{stem(record['kind'])}-du-thao-v{int(record['version'])}.{extension}"
    return f"{stem(record['kind'])}-so-{number.replace('/', '-')}.{extension}"
