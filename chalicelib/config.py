"""Configuration, read from the environment when asked for, never at import.

Chalice sets stage `environment_variables` (.chalice/config.json) in the Lambda
environment, and its test client sets them only for the duration of a call, so
every reader calls `settings()` at the moment it needs a value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Settings:
    table_name: str
    region: str
    dynamodb_endpoint: str | None  # None: the real AWS endpoint
    stage: str
    public_base_url: str  # how links in emails and QR codes reach the API
    deadline_days: int    # days after a period ends before it locks
    reminder_days: int    # how many days before the deadline the first reminder goes out

    @property
    def is_local(self) -> bool:
        return self.dynamodb_endpoint is not None


def settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        table_name=env.get("THIDUA_TABLE", "thidua"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-southeast-1",
        dynamodb_endpoint=env.get("THIDUA_DDB_ENDPOINT") or None,
        stage=env.get("THIDUA_STAGE", "local"),
        public_base_url=env.get("THIDUA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        deadline_days=int(env.get("THIDUA_DEADLINE_DAYS", "10")),
        reminder_days=int(env.get("THIDUA_REMINDER_DAYS", "3")),
    )
