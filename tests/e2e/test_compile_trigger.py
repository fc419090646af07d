"""Issue 10: after `POST /v1/conferences/{id}/compile` on the local stage (THIDUA_COMPILE_TRIGGER=thread),
the document is stored within render time plus 10 seconds, not at the next 5-minute schedule tick;
and asking again with unchanged data makes no new version. (Issue 18: what a compile stores is a draft,
unnumbered, and mailed to nobody; it used to be numbered 01/BC-BCA and mailed.)"""

from __future__ import annotations

import email
import email.policy
import email.utils
from collections import Counter

import pytest

from bench.compile_trigger import (CONFERENCE, create_conference, direct_store, documents, post_compile,
                                   render_seconds, seconds_until_listed, seed, thread_stack, wait_until)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trigger")
    with thread_stack(folder) as stack:
        yield stack, seed(stack), folder


def outbox(folder) -> Counter:
    """Conference emails per recipient address."""
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted((folder / "outbox").glob("*.eml"))] if (folder / "outbox").exists() else []
    return Counter(email.utils.parseaddr(m["To"])[1] for m in messages if m["X-Thidua-Document"])


def test_post_compile_stores_the_document_within_render_time_plus_10_s_and_only_once(world):
    stack, admin, folder = world
    cid = create_conference(admin, 1)
    recipients = {email.utils.parseaddr(r)[1] for r in CONFERENCE["recipients"]}

    took, accepted = seconds_until_listed(admin, cid, timeout=120)
    render = render_seconds(stack, cid)  # the same documents, rendered in this process, nothing stored
    assert accepted["status"] == "started"
    assert took <= render + 10, f"listed {took:.2f} s after POST; render alone {render:.2f} s"
    [summary] = [d for d in documents(admin, cid) if d["kind"] == "summary"]
    assert (summary["kind"], summary["version"], summary["number"], summary["stage"]) == ("summary", 1, None, "draft")

    # the request cleared: the schedule has nothing left to do; a draft goes to nobody
    wait_until(lambda: not direct_store(stack).conferences.compile_requests(), 30, "compile request cleared")
    assert outbox(folder) == Counter() and recipients

    # asked again, data unchanged: the compile runs, finds version 1 current and delivered, and stops
    assert post_compile(admin, cid)["status"] == "started"
    wait_until(lambda: not direct_store(stack).conferences.compile_requests(), 60, "second request cleared")
    assert [d for d in documents(admin, cid) if d["kind"] == "summary"] == [summary]
    assert outbox(folder) == Counter()
