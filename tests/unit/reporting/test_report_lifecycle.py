"""The report lifecycle as a Hypothesis state machine, over the in-memory store (seconds).

The machine and its model are in `tests/state_machines.py`; the integration tier runs the
same machine over DynamoDB Local."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from state_machines import ReportLifecycle

SETTINGS = settings(max_examples=60, stateful_step_count=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def test_report_lifecycle_follows_the_model(api, store, admin_token, clock):
    run_state_machine_as_test(lambda: ReportLifecycle(api, store, admin_token, clock), settings=SETTINGS)
