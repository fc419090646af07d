"""Schemathesis against the running local stack (DynamoDB Local + `chalice local`).

The schema is loaded from the stack's own `GET /v1/openapi.json` and every operation
goes through Schemathesis' phases (examples, coverage, fuzzing, and the stateful phase
over the links the document declares on create operations plus those Schemathesis infers), with every
applicable check. One engine run per module; the tests below read its results:

- `test_operation_conforms[<operation>]`: no failure of any check for that operation,
  apart from known application bugs listed in `KNOWN_BUGS` (none today);
- sanity tests: the run reached every operation, ran the stateful phase, raised no
  engine errors, and stayed within its time budget.

Deterministic (derandomized generation, no example database, a fixed seed), bounded
(25 examples per operation and phase), two workers: about 100 s on 2 cores.

Settings that are deliberate, not exclusions:
- `unexpected-methods` leaves out TRACE and QUERY: `chalice local` (http.server) has
  no handler for them and answers 501 itself; API Gateway never forwards them to us.
- `positive_data_acceptance` also accepts the statuses the domain documents for
  schema-valid input (412 stale ETag, 422 domain rule, 423 locked, 428 If-Match
  required, 429 sign-in locked after repeated failures): the document cannot express
  "a period that exists", "an opaque cursor" or "an email not yet locked out".
- `missing_required_header` also accepts 428: editing a nomination, deciding and finalising
  declare If-Match required and answer 428 without it (the contract's status for that).
- The PDF and workbook downloads are sent with their `Accept` (they answer 406 without
  it, as documented), and the workbook upload's body is serialized as any binary body;
  nothing is excluded.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from chalicelib.core.clock import SystemClock
from chalicelib.core.settings import settings
from chalicelib.http.features import operations
from chalicelib.store import store_for
from chalicelib.units.tokens import issue_token

pytestmark = pytest.mark.slow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_EXAMPLES = 25
SEED = 20210820
WORKERS = 2
# ~100 s for the engine on an idle 2-core machine (the stack starts in ~6 s more); the bound
# here only catches a runaway configuration, not a busy machine.
RUNAWAY_SECONDS = 600

# Every check Schemathesis has that applies to this API ("all" minus none): listed so
# the run fails loudly if a check silently stops running.
CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "response_schema_conformance", "negative_data_rejection",
    "positive_data_acceptance", "missing_required_header", "unsupported_method",
    "allow_header_conformance", "use_after_free", "ensure_resource_availability", "ignored_auth",
    "object_level_authorization",
)

# (operation, check) -> a known application bug, excused in test_operation_conforms. Empty: the one
# Schemathesis found (nomination_deadline taking a JSON number as a Unix time) is fixed.
KNOWN_BUGS: dict[tuple[str, str], str] = {}

# Schemathesis never tests the URL it loaded the schema from; tests/unit/http/test_openapi.py covers that one.
SCHEMA_OPERATION = "GET /v1/openapi.json"
OPERATIONS = sorted(f"{op.method} {op.path}" for op in operations() if f"{op.method} {op.path}" != SCHEMA_OPERATION)


def config_dict() -> dict[str, Any]:
    return {
        "seed": SEED,
        "workers": WORKERS,
        "continue-on-failure": True,  # one failure must not hide another in the same operation
        # Hypothesis' health checks judge the generator, not the API; on a busy CI worker "too_slow" would
        # turn a slow machine into an engine error.
        "suppress-health-check": ["all"],
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "423", "428", "429"]},
            # A change sent without its required If-Match is 428 Precondition Required (RFC 6585), as the
            # contract says; Schemathesis' own explanation (ST203) names this tuning. Its defaults stay.
            "missing_required_header": {"expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]},
        },
        "phases": {"coverage": {"unexpected-methods": ["get", "put", "post", "delete", "patch", "options"]}},
        "operations": [{"include-operation-id": "documentFile", "headers": {"Accept": "application/pdf"}},
                       {"include-operation-id": "reportWorkbook", "headers": {"Accept": XLSX}},
                       {"include-operation-id": "completenessWorkbook", "headers": {"Accept": XLSX}}],
    }


@dataclass
class Found:
    phase: str
    title: str
    message: str
    reproduce: str
    response: str


@dataclass
class Run:
    failures: dict[tuple[str, str], list[Found]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    checks_run: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)
    links: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    elapsed: float = 0.0
    tokens_minted: int = 0

    def describe(self, key: tuple[str, str]) -> str:
        out = []
        for found in self.failures[key][:3]:
            out.append(f"[{found.phase}] {found.title}: {found.message}\n    {found.reproduce}\n    -> {found.response}")
        return "\n".join(out)


def seed(base_url: str, token: str) -> None:
    """Something for the paths to hit: an open period, a unit, a conference, a nomination."""
    from devtools.stack import Http

    http = Http(base_url, token)
    status, _, body = http.call("PUT", "/v1/periods/2021-08", {"deadline": "2099-12-31T23:59:59+07:00"})
    assert status == 200, body
    status, _, body = http.call("POST", "/v1/units", {"id": "ca-nghe-an", "name": "Công an tỉnh Nghệ An",
                                                      "kind": "province"})
    assert status == 201, body
    status, _, body = http.call("POST", "/v1/conferences", {
        "title": "Hội nghị sơ kết", "date": "2021-08-31", "periods": ["2021-08"],
        "signer": {"title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn A"}})
    assert status == 201, body
    status, _, body = http.call("POST", "/v1/units/ca-nghe-an/nominations", {
        "conference_id": body["id"], "kind": "collective", "name": "Phòng Cảnh sát giao thông",
        "award_form": "giay-khen", "achievements": "Hoàn thành xuất sắc nhiệm vụ."})
    assert status == 201, body


def run_engine(api_url: str, env: dict[str, str]) -> Run:
    from schemathesis.config import SchemathesisConfig
    from schemathesis.engine import events, from_schema  # what `st run` drives

    store = store_for(settings(env))
    minted: dict[str, Any] = {"token": None, "id": None, "count": 0}
    lock = threading.Lock()

    def admin_token() -> str:
        """The admin token; a new one when the run revoked it (GET /v1/me -> DELETE /v1/tokens/{id})."""
        with lock:
            record = store.tokens.get(minted["id"]) if minted["id"] else None
            if record is None or record.get("revoked_at"):
                issued = issue_token(store, "admin", "Schemathesis", SystemClock().now())
                minted.update(token=issued["token"], id=issued["id"], count=minted["count"] + 1)
            return minted["token"]

    seed(api_url, admin_token())
    # The uploaded workbook is bytes, sent as any binary body is (Schemathesis knows no xlsx serializer).
    schemathesis.serializer.alias(XLSX, "application/octet-stream")
    # So is an uploaded PDF to verify (POST /v1/documents/verify).
    schemathesis.serializer.alias("application/pdf", "application/octet-stream")
    schema = schemathesis.openapi.from_url(f"{api_url}/v1/openapi.json",
                                           config=SchemathesisConfig.from_dict(config_dict()))

    @schema.auth(refresh_interval=None)  # asked before every call: survives the run revoking its own token
    class AdminBearer:
        def get(self, case: Any, context: Any) -> str:
            return admin_token()

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    run = Run()
    started = time.monotonic()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            for case_id, interaction in recorder.interactions.items():
                run.requests += 1
                if interaction.response is not None:
                    node = recorder.cases.get(case_id)
                    label = node.value.operation.label if node is not None else recorder.label
                    run.statuses[label][interaction.response.status_code] += 1
            for case_id, nodes in recorder.checks.items():
                for check in nodes:
                    run.checks_run.add(check.name)
                    info = check.failure_info
                    if info is None:
                        continue
                    failure = info.failure
                    node = recorder.cases.get(case_id)
                    label = failure.operation or (node.value.operation.label if node else recorder.label)
                    interaction = recorder.interactions.get(case_id)
                    response = interaction.response if interaction is not None else None
                    shown = (f"{response.status_code} {response.content[:300]!r}" if response is not None
                             else "no response")
                    run.failures[(label, check.name)].append(Found(
                        event.phase.value, failure.title, " ".join(failure.message.split())[:300],
                        info.code_sample.strip().splitlines()[-1] if info.code_sample else "", shown))
        elif isinstance(event, events.PhaseStarted) and event.payload is not None:
            payload = event.payload
            run.links = {"inferred": payload.inferred_transitions, "total": payload.transitions_total,
                         "selected": payload.transitions_selected}
        elif isinstance(event, events.PhaseFinished):
            run.phases[event.phase.name.value] = event.status.value
        elif isinstance(event, events.NonFatalError):
            run.errors.append(f"{event.label}: {event.value!r}")
        elif isinstance(event, events.FatalError):
            run.errors.append(f"fatal: {event.exception!r}")
    run.elapsed = time.monotonic() - started
    run.tokens_minted = minted["count"]
    return run


@pytest.fixture(scope="module")
def run() -> Run:
    from devtools import dynamodb_local
    from devtools.stack import running_stack

    try:
        stack_cm = running_stack(table="schemathesis")
        stack = stack_cm.__enter__()
    except dynamodb_local.SetupError as exc:
        pytest.skip(f"DynamoDB Local unavailable: {exc}")
    try:
        result = run_engine(stack.api_url, stack.env)
    finally:
        stack_cm.__exit__(None, None, None)
    print(f"\nschemathesis {schemathesis.__version__}: {result.requests} requests in {result.elapsed:.0f} s, "
          f"phases {result.phases}, links {result.links}, admin tokens minted {result.tokens_minted}, "
          f"checks run {len(result.checks_run)}, failures {sorted(result.failures)}")
    return result


def test_the_run_completed_every_phase_without_errors(run: Run):
    assert not run.errors, run.errors
    assert set(run.phases) >= {"examples", "coverage", "fuzzing", "stateful"}, run.phases
    assert run.phases["stateful"] != "skip", "no links: the stateful phase did not run"
    assert run.links.get("selected", 0) > 0, run.links
    assert run.elapsed < RUNAWAY_SECONDS, f"{run.elapsed:.0f} s"


def test_every_operation_was_reached_and_every_check_ran(run: Run):
    unreached = [label for label in OPERATIONS
                 if not any(status not in (401, 405, 415) for status in run.statuses.get(label, {}))]
    assert not unreached, f"only auth/method/media-type refusals for: {unreached}"
    assert set(CHECKS) <= run.checks_run, f"never ran: {set(CHECKS) - run.checks_run}"


def test_failures_belong_to_declared_operations(run: Run):
    assert {label for label, _ in run.failures} <= set(OPERATIONS), sorted(run.failures)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_conforms(run: Run, operation: str):
    found = {key: run.describe(key) for key in run.failures if key[0] == operation and key not in KNOWN_BUGS}
    assert not found, "\n".join(f"{check}:\n{text}" for (_, check), text in found.items())

