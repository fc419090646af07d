"""The local stack starts the server it says it started: two test workers can pick one free port."""

from __future__ import annotations

import pytest

from devtools.stack import PortTaken, running_api, running_stack

pytestmark = pytest.mark.slow


def test_a_port_already_served_by_another_stack_is_refused_not_used():
    with running_stack() as stack:
        port = int(stack.api_url.rsplit(":", 1)[1])
        with pytest.raises(PortTaken):
            with running_api(stack.env, port):
                pass
        with running_api(stack.env) as (url, api):  # no fixed port: a free one, served by its own process
            assert url != stack.api_url and api.poll() is None


def test_dynamodb_local_never_hands_out_a_port_another_server_holds():
    from devtools import dynamodb_local

    first = dynamodb_local.start()
    try:
        with pytest.raises(dynamodb_local.SetupError, match="served by another process"):
            dynamodb_local.start(port=first.port)
        second = dynamodb_local.start()
        try:
            assert second.port != first.port
        finally:
            second.stop()
    finally:
        first.stop()
