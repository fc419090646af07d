"""The app serves each thread's request to that thread's views (`chalice local` and concurrent tests)."""

from __future__ import annotations

import os
import threading

import app as app_module


def test_each_thread_sees_only_the_request_it_is_serving():
    app = app_module.app
    seen: dict[str, object] = {}
    set_by_other = threading.Event()
    read_here = threading.Event()

    def other_request() -> None:
        app.current_request = "the decision's request"
        set_by_other.set()
        read_here.wait(5)
        seen["other"] = app.current_request

    app.current_request = "the finalise request"
    thread = threading.Thread(target=other_request)
    thread.start()
    set_by_other.wait(5)
    seen["here"] = app.current_request  # another request arrived meanwhile on another thread
    read_here.set()
    thread.join(5)
    assert seen == {"here": "the finalise request", "other": "the decision's request"}


def test_concurrent_requests_each_get_their_own_body(api, admin_token):
    """Through the Chalice test client, 40 units created at once by 8 threads: each answer is its own."""
    from concurrent.futures import ThreadPoolExecutor

    def create(n: int):
        resp = api.post("/v1/units", token=admin_token,
                        body={"id": f"doi-{n}", "name": f"Đội {n}", "kind": "other"})
        return n, resp.status_code, (resp.data or {}).get("id")

    real_environ = os.environ  # the test client swaps os.environ per call, not thread-safely
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(create, range(40)))
    finally:
        os.environ = real_environ
    assert [(n, status, unit_id) for n, status, unit_id in results] == [(n, 201, f"doi-{n}") for n in range(40)]
