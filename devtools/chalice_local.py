"""`chalice local` with a listen backlog fit for bursts of concurrent clients.

socketserver's default backlog is 5: a burst of 50 simultaneous requests (our
concurrency checks, or a province's batch script) would see connection resets
that API Gateway never produces. Arguments are those of `chalice local`.
"""

from __future__ import annotations

import sys

from chalice.cli import main as chalice_main
from chalice.local import ThreadedHTTPServer

ThreadedHTTPServer.request_queue_size = 256

if __name__ == "__main__":
    sys.argv = ["chalice", "local", *sys.argv[1:]]
    sys.exit(chalice_main())
