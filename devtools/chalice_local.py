"""`chalice local` as the deployed API behaves: a listen backlog fit for bursts, unknown paths
answered 404 problem+json as the deployed gateway is configured to (devtools/package.py), and
every method, not only the seven chalice's handler names, answered by the app.

socketserver's default backlog is 5: a burst of 50 simultaneous requests (our
concurrency checks, or a province's batch script) would see connection resets
that API Gateway never produces. Arguments are those of `chalice local`.
"""

from __future__ import annotations

import json
import os
import sys

from chalice import local
from chalice.cli import main as chalice_main

from devtools.package import NOT_FOUND_PROBLEM

local.ThreadedHTTPServer.request_queue_size = 256


class RouteNotFound(local.LocalGatewayException):
    CODE = 404


_handle_request = local.LocalGateway.handle_request


def handle_request(self, method, path, headers, body):  # type: ignore[no-untyped-def]
    try:
        return _handle_request(self, method, path, headers, body)
    except local.ForbiddenError as exc:
        if b"Missing Authentication Token" not in (exc.body or b"") and b"Authorization header" not in (exc.body or b""):
            raise
        raise RouteNotFound({"Content-Type": "application/problem+json"},
                            json.dumps(NOT_FOUND_PROBLEM, ensure_ascii=False).encode()) from None


local.LocalGateway.handle_request = handle_request

# Every answer names the process that served it: whoever started this server can tell it from
# another one that took the same port first (two test workers picking one free port at once).
SERVER_PID_HEADER = "X-Thidua-Local-Pid"
_end_headers = local.ChaliceRequestHandler.end_headers


def end_headers(self):  # type: ignore[no-untyped-def]
    self.send_header(SERVER_PID_HEADER, str(os.getpid()))
    _end_headers(self)


local.ChaliceRequestHandler.end_headers = end_headers


def any_method(self, name):  # type: ignore[no-untyped-def]
    """http.server answers a method without a `do_<METHOD>` itself (501, an HTML page): send TRACE,
    FOO, ... through the gateway like GET, so the app answers 405 problem+json with `Allow` on a
    known path and the 404 problem+json on an unknown one, as it does for DELETE /v1/health."""
    if name.startswith("do_"):
        return self._generic_handle
    raise AttributeError(name)


local.ChaliceRequestHandler.__getattr__ = any_method

if __name__ == "__main__":
    sys.argv = ["chalice", "local", *sys.argv[1:]]
    sys.exit(chalice_main())
