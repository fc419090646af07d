"""Audit events: who changed what, and when. The store writes each with the change itself."""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Any

from chalicelib.core.access import Principal
from chalicelib.core.clock import iso


def report_entity(unit_id: str, period: str) -> str:
    return f"report:{unit_id}:{period}"


def event(entity: str, action: str, who: Principal | None, at: datetime, **detail: Any) -> dict[str, Any]:
    # The id sorts by creation time: events at the same (clock) instant keep their order.
    return {
        "id": f"{time.time_ns():x}{secrets.token_hex(2)}", "at": iso(at), "entity": entity, "action": action,
        # The person when signed in as one (account:<id>, their name), else the machine token;
        # `actor_token` always names the credential used (a session id or a token id).
        "actor": who.actor if who else "system", "actor_role": who.role.value if who else "system",
        "actor_name": who.name if who else "thidua", "actor_account_id": who.account_id if who else None,
        "actor_token": who.actor if who else None, "detail": detail,
    }
