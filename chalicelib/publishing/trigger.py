"""What `POST /v1/conferences/{id}/compile` starts at once, after it has recorded the request.

THIDUA_COMPILE_TRIGGER chooses:

- "lambda" (AWS): an asynchronous invocation (InvocationType "Event") of the
  `compile_conference` function in app.py, which calls `run_requested` here. Lambda
  retries a failed run; the compile is idempotent, so a retry only finishes the job.
- "thread" (the local stage): one background worker thread in this process, fed by a
  queue, so compiles in one process run one after another.
- "none": nothing; the scheduled run (every 5 minutes) picks the recorded request up.

The request is recorded before the trigger fires and cleared only once the documents
are stored and delivered, so whatever goes wrong here (an invoke refused, a process
that dies mid-render) the schedule still compiles it. Exactly once holds whatever
runs it, and however often: the pipeline claims each document version and each
delivery.

Importing this module imports neither the pipeline (WeasyPrint) nor boto3: the API
Lambdas import it on their first compile request.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import queue
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from chalicelib.core.settings import Settings

if TYPE_CHECKING:
    from chalicelib.publishing.pipeline import CompileResult
    from chalicelib.store import Store

log = logging.getLogger("thidua.compile")

INVOKED = "invoked"      # the compile function was invoked asynchronously (AWS)
STARTED = "started"      # the background worker of this process took it (local stage)
SCHEDULED = "scheduled"  # left to the scheduled run

LambdaClientFactory = Callable[[Settings], Any]


# -- the compile itself, whoever starts it -----------------------------------------------

def requested_at(store: Store, conference_id: str) -> str | None:
    """When the pending compile request of this conference was recorded, if one is pending."""
    return next((r["requested_at"] for r in store.conferences.compile_requests()
                 if r["conference_id"] == conference_id), None)


def run_requested(conf: Settings, conference_id: str, now: dt.datetime, *, store: Store | None = None,
                  **kwargs: Any) -> CompileResult:
    """Compile one conference now and clear its compile request once everything is stored and sent.

    The request is read before compiling and cleared only if it is still that one: a
    request recorded meanwhile (the data may have changed after this run read it) is
    kept for the next run. Raises `CompileFailed` when some recipient was not reached
    (Lambda's async retry, or the schedule, sends the rest). `kwargs` go to
    `compile_conference` (artifacts, mailer, render).
    """
    from chalicelib.publishing.pipeline import CompileFailed, compile_conference
    from chalicelib.store import store_for

    store = store if store is not None else store_for(conf)
    pending = requested_at(store, conference_id)
    result = compile_conference(store, conference_id, conf=conf, now=now, **kwargs)
    if result.failed:
        raise CompileFailed(f"{conference_id}: not delivered to {', '.join(result.failed)}")
    if result.state == "stored" and pending is not None:
        store.conferences.clear_compile_request(conference_id, pending)
    return result


# -- "lambda": an asynchronous invocation of the compile function ----------------------

@functools.lru_cache(maxsize=4)
def _lambda_client(region: str) -> Any:
    import boto3
    from botocore.config import Config

    # Short budgets: the API answers 202 anyway, and the schedule is the safety net.
    return boto3.client("lambda", region_name=region, config=Config(
        connect_timeout=1, read_timeout=3, retries={"max_attempts": 2, "mode": "standard"}))


def default_lambda_client(conf: Settings) -> Any:
    """One Lambda client per region, made on the first compile request of this process."""
    return _lambda_client(conf.region)


def invoke_compile(conf: Settings, conference_id: str, client_factory: LambdaClientFactory) -> str:
    if not conf.compile_function:
        log.error("THIDUA_COMPILE_TRIGGER=lambda without THIDUA_COMPILE_FUNCTION: %s waits for the schedule",
                    conference_id)
        return SCHEDULED
    try:
        response = client_factory(conf).invoke(
            FunctionName=conf.compile_function, InvocationType="Event",
            Payload=json.dumps({"conference_id": conference_id}).encode())
        status = response.get("StatusCode")
        if status != 202:
            raise RuntimeError(f"Lambda answered {status} to an asynchronous invoke")
    except Exception as exc:  # noqa: BLE001 - the request is recorded: the schedule compiles it
        log.error("invoking %s for %s failed, left to the schedule: %s", conf.compile_function, conference_id, exc)
        return SCHEDULED
    return INVOKED


# -- "thread": a background worker in this process (the local stage) ------------------------

Job = Callable[[Settings, str, dt.datetime], Any]


class Worker:
    """One daemon thread fed by a queue: this process compiles one conference at a time.

    A conference already waiting in the queue is not queued twice; one being compiled is
    (the data may have changed after that run read it). A failure is logged and left to
    the schedule, which finds the request still recorded. The thread ends once the queue is
    empty and the next request starts another: an idle process keeps no thread (which would
    also stop the renderer forking, see documents/parallel.py).
    """

    def __init__(self, job: Job = run_requested) -> None:
        self.job = job
        self._queue: queue.Queue[tuple[Settings, str, dt.datetime, float]] = queue.Queue()
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, conf: Settings, conference_id: str, now: dt.datetime) -> bool:
        """Queue a compile; False when that conference is already waiting."""
        with self._lock:
            if conference_id in self._waiting:
                return False
            self._waiting.add(conference_id)
            self._queue.put((conf, conference_id, now, time.monotonic()))
            if self._thread is None:  # the loop clears it, under this lock, when it finds the queue empty
                self._thread = threading.Thread(target=self._loop, name="thidua-compile", daemon=True)
                self._thread.start()
        return True

    def join(self) -> None:
        """Wait until every queued compile has run (tests, benchmarks)."""
        self._queue.join()

    def _loop(self) -> None:
        while True:
            with self._lock:
                try:
                    conf, conference_id, now, queued = self._queue.get_nowait()
                except queue.Empty:
                    self._thread = None
                    return
                self._waiting.discard(conference_id)
            try:
                # The request's clock, advanced by the time spent waiting in the queue.
                self.job(conf, conference_id, now + dt.timedelta(seconds=time.monotonic() - queued))
            except Exception:  # noqa: BLE001 - the request stays recorded: the schedule retries
                log.exception("background compile of %s failed; the schedule will retry", conference_id)
            finally:
                self._queue.task_done()


# -- the entry point -------------------------------------------------------------------

def start_compile(conf: Settings, conference_id: str, now: dt.datetime, *,
                  lambda_client: LambdaClientFactory | None = None, worker: Worker | None = None) -> str:
    """Start the compile of a conference whose request is already recorded.

    Returns "invoked", "started" or "scheduled" (nothing started: the schedule will).
    Never raises for a trigger failure: the recorded request is the safety net.
    """
    from chalicelib.bootstrap import services  # the process's Lambda client and worker

    mode = conf.compile_trigger
    if mode == "lambda":
        return invoke_compile(conf, conference_id, lambda_client or services.lambda_client)
    if mode == "thread":
        (worker or services.worker).submit(conf, conference_id, now)
        return STARTED
    if mode not in ("none", ""):
        log.error("unknown THIDUA_COMPILE_TRIGGER %r: %s waits for the schedule", mode, conference_id)
    return SCHEDULED
