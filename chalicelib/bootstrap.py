"""The one composition root: where the clock, the settings, the store, the mailer, the artifact
store, the Lambda client and the compile worker come from.

Made once per process and handed on: the HTTP layer (`http/pipeline.py` builds each request's
context from it), the schedules and the compile function (`app.py`), the CLI. Nothing else
constructs them. Tests replace an attribute (`monkeypatch.setattr(services, "clock", ...)`),
never patch a module. Everything is made on first use, so importing this module (every API
cold start) loads neither boto3 nor the mail or render machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from chalicelib.core.clock import Clock, SystemClock
from chalicelib.core.settings import Settings, settings

if TYPE_CHECKING:
    from chalicelib.publishing.trigger import Worker
    from chalicelib.store import Store


def _lambda_client(conf: Settings) -> Any:
    from chalicelib.publishing.trigger import default_lambda_client

    return default_lambda_client(conf)


class Services:
    """The injection points of the app. Settings are read when asked (Chalice's test client sets
    stage variables only during a call), clients are made on first use and reused."""

    def __init__(self) -> None:
        self.clock: Clock = SystemClock()
        self.lambda_client: Callable[[Settings], Any] = _lambda_client
        self._worker: Worker | None = None
        self._passwords: Any = None

    def settings(self) -> Settings:
        return settings()

    def store(self, conf: Settings | None = None) -> Store:
        from chalicelib.store import store_for  # one client per table, cached there

        return store_for(conf or settings())

    def mailer(self, conf: Settings | None = None) -> Any:
        from chalicelib.delivery import mailer_for

        return mailer_for(conf or settings())

    def artifacts(self, conf: Settings | None = None) -> Any:
        from chalicelib.delivery import artifacts_for

        return artifacts_for(conf or settings())

    @property
    def passwords(self) -> Any:
        """Password hashing (Argon2id, `chalicelib.accounts.passwords`); tests set a cheaper one."""
        if self._passwords is None:
            from chalicelib.accounts.passwords import Passwords

            self._passwords = Passwords()
        return self._passwords

    @passwords.setter
    def passwords(self, passwords: Any) -> None:
        self._passwords = passwords

    @property
    def worker(self) -> Worker:
        """The local stage's background compile worker; its thread starts with the first request."""
        if self._worker is None:
            from chalicelib.publishing.trigger import Worker

            self._worker = Worker()
        return self._worker

    @worker.setter
    def worker(self, worker: Worker) -> None:
        self._worker = worker


services = Services()
