"""The Chalice app object, with the request it is serving held per thread.

Chalice keeps `current_request` (and `lambda_context`) on the app object itself, which every
Blueprint view reads. On Lambda a process serves one request at a time, but `chalice local`
(`make serve`) serves each connection on its own thread, and so does a test that sends
requests at once: two requests in flight would each read whichever was set last (a finalise
reading a decision's body). Held per thread, each request sees its own.
"""

from __future__ import annotations

import threading
from typing import Any

from chalice import Chalice


class Application(Chalice):
    _serving = threading.local()

    @property  # type: ignore[override]
    def current_request(self) -> Any:
        return getattr(self._serving, "request", None)

    @current_request.setter
    def current_request(self, request: Any) -> None:
        self._serving.request = request

    @property  # type: ignore[override]
    def lambda_context(self) -> Any:
        return getattr(self._serving, "context", None)

    @lambda_context.setter
    def lambda_context(self, context: Any) -> None:
        self._serving.context = context
