"""Audit events: who changed what, and when. Written with the change itself (see store)."""

from __future__ import annotations

import uuid
from typing import Any

from chalicelib.auth import Principal, now_iso


def report_entity(unit_id: str, period: str) -> str:
    return f"report:{unit_id}:{period}"


def event(entity: str, action: str, who: Principal | None, **detail: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex[:12], "at": now_iso(), "entity": entity, "action": action,
        "actor": who.token_id if who else "system", "actor_role": who.role if who else "system",
        "actor_name": who.name if who else "thidua", "detail": detail,
    }
