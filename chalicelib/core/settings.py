"""Every `THIDUA_*` variable, read from the environment when asked for, never at import.

Chalice sets stage `environment_variables` (.chalice/config.json) in the Lambda
environment, and its test client sets them only for the duration of a call, so
every reader calls `settings()` at the moment it needs a value.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

DEFAULT_ARTIFACTS = "out/artifacts"
DEFAULT_OUTBOX = "out/outbox"


@dataclass(frozen=True)
class Settings:
    table_name: str                 # THIDUA_TABLE
    region: str                     # AWS_REGION / AWS_DEFAULT_REGION
    dynamodb_endpoint: str | None   # THIDUA_DDB_ENDPOINT; None: the real AWS endpoint
    store: str                      # THIDUA_STORE: "dynamodb" (default) or "memory" (tests, one process)
    stage: str                      # THIDUA_STAGE
    public_base_url: str            # THIDUA_PUBLIC_URL: how links in emails and QR codes reach the API
    deadline_days: int              # THIDUA_DEADLINE_DAYS: days after a period ends before it locks
    reminder_days: int              # THIDUA_REMINDER_DAYS: days before the deadline the first reminder goes out
    compile_days_before: int        # THIDUA_COMPILE_DAYS_BEFORE: a conference is compiled from this many days ahead
    artifacts: str                  # THIDUA_ARTIFACTS: a folder or s3://bucket/prefix
    mail: str                       # THIDUA_MAIL: outbox:<folder>, smtp://..., smtp+starttls://..., ses
    mail_from: str                  # THIDUA_MAIL_FROM
    ses_region: str | None          # THIDUA_SES_REGION
    ses_configuration_set: str | None  # THIDUA_SES_CONFIGURATION_SET
    smtp_timeout: float = 5.0       # THIDUA_SMTP_TIMEOUT (s): each SMTP connect, reply and send waits at most
                                    #   this; one message's conversation at most 3x this plus its upload
    ddb_attempts: int = 2           # THIDUA_DDB_ATTEMPTS: tries per DynamoDB call (botocore standard mode)
    ddb_connect_timeout: float = 1.0   # THIDUA_DDB_CONNECT_TIMEOUT (s)
    ddb_read_timeout: float = 2.0      # THIDUA_DDB_READ_TIMEOUT (s)
    render_workers: int = 0         # THIDUA_RENDER_WORKERS: processes a compile renders with; 0: one per CPU
    compile_trigger: str = "none"   # THIDUA_COMPILE_TRIGGER: what POST .../compile starts at once:
                                    #   "lambda" (invoke THIDUA_COMPILE_FUNCTION asynchronously), "thread"
                                    #   (a background worker in this process: the local stage), "none"
    compile_function: str = ""      # THIDUA_COMPILE_FUNCTION: the compile Lambda's name or ARN
    # THIDUA_IDEMPOTENCY_IN_PROGRESS_SECONDS: how long an Idempotency-Key's claim holds off a retry
    # while its first request may still run (longer than API Gateway's 29 s); tests shorten it.
    idempotency_in_progress_seconds: int = 30
    # THIDUA_PORTAL_URL: the web portal's address, for the links in invitation and reset emails; its
    # host is the WebAuthn relying party id and its origin the origin passkeys are bound to.
    portal_url: str = "http://localhost:8000/"
    # Digital signatures of issued documents (chalicelib/documents/signing.py). THIDUA_SIGNING_SECRET_PREFIX:
    # when set, each issuer's PKCS#12 is the Secrets Manager secret <prefix><issuer id> (the cloud);
    # otherwise THIDUA_SIGNING_DIR holds <issuer id>.p12 (`make pki`'s test PKI, relative to the repo root).
    signing_dir: str = ".cache/pki"
    signing_secret_prefix: str = ""
    # THIDUA_SIGNING_TRUST: the root certificates a signature must chain to, comma-separated PEM files
    # (relative to the repo root, i.e. the Lambda task root; e.g. the government CA's root shipped in
    # chalicelib/); empty: the test CA THIDUA_SIGNING_DIR/ca.crt when signing locally, none otherwise.
    signing_trust: str = ""
    # GET /v1/documents/{id}/file: a file larger than THIDUA_DOWNLOAD_REDIRECT_BYTES is not sent through
    # the Lambda body (6 MB, base64) but by a 303 to a presigned S3 URL that lives
    # THIDUA_DOWNLOAD_URL_SECONDS; smaller ones (and every file of a local folder) come inline.
    download_redirect_bytes: int = 1_000_000
    download_url_seconds: int = 300

    @property
    def webauthn_rp_id(self) -> str:
        from urllib.parse import urlsplit

        return urlsplit(self.portal_url).hostname or "localhost"

    @property
    def webauthn_origin(self) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(self.portal_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def is_local(self) -> bool:
        return self.dynamodb_endpoint is not None or self.store == "memory"

    @property
    def strict_responses(self) -> bool:
        """Outside production a response that breaks its declaration is a server error (tests see it)."""
        return self.stage in ("test", "local")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = -1.0
    if not 0 < value < 3600:  # also refuses nan and inf
        raise ValueError(f"{name} must be a number of seconds above 0, not {raw!r}")
    return value


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value


def settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    return Settings(
        table_name=env.get("THIDUA_TABLE", "thidua"),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-southeast-1",
        dynamodb_endpoint=env.get("THIDUA_DDB_ENDPOINT") or None,
        store=(env.get("THIDUA_STORE") or "dynamodb").strip().lower(),
        stage=env.get("THIDUA_STAGE", "local"),
        public_base_url=env.get("THIDUA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        deadline_days=_int(env, "THIDUA_DEADLINE_DAYS", 10),
        reminder_days=_int(env, "THIDUA_REMINDER_DAYS", 3),
        compile_days_before=_int(env, "THIDUA_COMPILE_DAYS_BEFORE", 7),
        artifacts=(env.get("THIDUA_ARTIFACTS") or DEFAULT_ARTIFACTS).strip(),
        mail=(env.get("THIDUA_MAIL") or f"outbox:{DEFAULT_OUTBOX}").strip(),
        mail_from=(env.get("THIDUA_MAIL_FROM") or "").strip(),
        ses_region=env.get("THIDUA_SES_REGION") or None,
        ses_configuration_set=env.get("THIDUA_SES_CONFIGURATION_SET") or None,
        smtp_timeout=_seconds(env, "THIDUA_SMTP_TIMEOUT", 5.0),
        ddb_attempts=_int(env, "THIDUA_DDB_ATTEMPTS", 2),
        ddb_connect_timeout=float(env.get("THIDUA_DDB_CONNECT_TIMEOUT") or 1.0),
        ddb_read_timeout=float(env.get("THIDUA_DDB_READ_TIMEOUT") or 2.0),
        render_workers=_int(env, "THIDUA_RENDER_WORKERS", 0),
        compile_trigger=(env.get("THIDUA_COMPILE_TRIGGER") or "none").strip().lower(),
        compile_function=(env.get("THIDUA_COMPILE_FUNCTION") or "").strip(),
        idempotency_in_progress_seconds=_positive(env, "THIDUA_IDEMPOTENCY_IN_PROGRESS_SECONDS",
                                                  Settings.idempotency_in_progress_seconds),
        portal_url=(env.get("THIDUA_PORTAL_URL") or "").strip() or Settings.portal_url,
        signing_dir=(env.get("THIDUA_SIGNING_DIR") or "").strip() or Settings.signing_dir,
        signing_secret_prefix=(env.get("THIDUA_SIGNING_SECRET_PREFIX") or "").strip(),
        signing_trust=(env.get("THIDUA_SIGNING_TRUST") or "").strip(),
        download_redirect_bytes=_int(env, "THIDUA_DOWNLOAD_REDIRECT_BYTES", Settings.download_redirect_bytes),
        download_url_seconds=_positive(env, "THIDUA_DOWNLOAD_URL_SECONDS", Settings.download_url_seconds),
    )
