"""A fault-injecting HTTP proxy on 127.0.0.1 in front of DynamoDB Local.

The app's DynamoDB client is pointed at the proxy (``THIDUA_DDB_ENDPOINT``); the test
process switches the proxy's mode while requests flow through it:

    pass      forward every request byte-for-byte (and its answer back the same way)
    throttle  answer a fraction of the requests with the 400 ThrottlingException DynamoDB sends
    error5xx  answer a fraction of the requests with a 500 InternalServerError
    hang      accept, read the request, and never answer until the mode changes (or `hang_limit`)
    lose      forward the request (DynamoDB does the work) but answer 500 InternalServerError:
              the database's answer is lost on the way back
    stall     forward the request (DynamoDB does the work), then hold its answer and close the
              connection unanswered when the mode changes (or `hang_limit`): the database
              committed, then hung
    down      refuse connections (the listening socket is closed) and reset the open ones

    with FaultyProxy("http://127.0.0.1:8100") as proxy:
        proxy.set_mode("throttle", fraction=1 / 3)   # every third request
        ...
        proxy.set_mode("pass")
        print(proxy.counts())

`set_mode(mode, fraction, only={"UpdateItem"}, limit=1)` faults only the named operations
(X-Amz-Target), and at most `limit` of them (the rest pass). A fraction is applied
deterministically, counting the requests seen since the mode was set: 1/3 faults the
3rd, 6th, 9th ... request (no random generator, so a single sequential caller sees
exactly every third request faulted). Only
127.0.0.1 is used, every wait is bounded, and every thread is a daemon stopped by `stop()`.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from typing import Self
from urllib.parse import urlsplit

MODES = ("pass", "throttle", "error5xx", "hang", "down", "lose", "stall")
HOLDING = ("hang", "stall")  # modes that hold requests until the mode changes
HOST = "127.0.0.1"
JSON_10 = "application/x-amz-json-1.0"
THROTTLING_BODY = {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                   "message": "Rate of requests exceeds the allowed throughput."}
INTERNAL_ERROR_BODY = {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
                       "message": "Internal server error"}
MAX_HEAD = 64 * 1024
MAX_BODY = 32 * 1024 * 1024
_REASONS = {400: "Bad Request", 500: "Internal Server Error"}


class ProxyError(RuntimeError):
    pass


def error_response(status: int, error_type: str, body: dict[str, str]) -> bytes:
    """A complete DynamoDB-style JSON 1.0 error answer: body, Content-Length, CRC32, request id."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = [
        f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
        f"x-amzn-RequestId: {uuid.uuid4().hex.upper()}{uuid.uuid4().hex[:20].upper()}",
        f"x-amzn-ErrorType: {error_type}",
        f"x-amz-crc32: {zlib.crc32(payload) & 0xFFFFFFFF}",
        f"Content-Type: {JSON_10}",
        f"Content-Length: {len(payload)}",
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}",
    ]
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + payload


class _Closed(Exception):
    """The peer closed the connection (cleanly, between messages)."""


def _recv_until(sock: socket.socket, buf: bytearray, marker: bytes, limit: int) -> int:
    """Read until `marker` is in `buf`; its end offset. _Closed on EOF before any byte."""
    while True:
        idx = buf.find(marker)
        if idx >= 0:
            return idx + len(marker)
        if len(buf) > limit:
            raise ProxyError("HTTP head too large")
        chunk = sock.recv(65536)
        if not chunk:
            if buf:
                raise ProxyError("connection closed mid-message")
            raise _Closed()
        buf += chunk


def _recv_exact(sock: socket.socket, buf: bytearray, n: int) -> None:
    while len(buf) < n:
        chunk = sock.recv(min(65536, n - len(buf)))
        if not chunk:
            raise ProxyError("connection closed mid-message")
        buf += chunk


def _headers(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    out: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            out[name.strip().lower()] = value.strip()
    return lines[0], out


def read_message(sock: socket.socket, buf: bytearray, *, request: bool,
                 head_request: bool = False) -> tuple[bytes, str, dict[str, str], bool]:
    """One HTTP/1.1 message off `sock`, as the exact bytes received.

    `buf` holds bytes already read (and keeps what follows the message). Returns
    (raw bytes, start line, lower-cased headers, whether the body ran to EOF).
    Content-Length and chunked bodies are relayed as they came, chunk framing included.
    """
    end = _recv_until(sock, buf, b"\r\n\r\n", MAX_HEAD)
    head = bytes(buf[:end])
    start, headers = _headers(head[:-4])
    status = 0 if request else int(start.split(" ", 2)[1])
    no_body = head_request or (not request and (100 <= status < 200 or status in (204, 304)))
    until_eof = False
    if no_body:
        total = end
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        pos = end
        while True:
            line_end = _recv_until_from(sock, buf, pos)
            size = int(bytes(buf[pos:line_end - 2]).split(b";")[0].strip() or b"0", 16)
            if size > MAX_BODY:
                raise ProxyError("chunk too large")
            pos = line_end
            if size == 0:  # trailers, then the final CRLF
                while True:
                    line_end = _recv_until_from(sock, buf, pos)
                    blank = line_end - pos == 2
                    pos = line_end
                    if blank:
                        break
                break
            _recv_exact(sock, buf, pos + size + 2)
            pos += size + 2
        total = pos
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if not 0 <= length <= MAX_BODY:
            raise ProxyError("body too large")
        total = end + length
        _recv_exact(sock, buf, total)
    elif request:
        total = end
    else:  # a response without framing runs to EOF
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            if len(buf) > MAX_BODY:
                raise ProxyError("body too large")
            buf += chunk
        total, until_eof = len(buf), True
    raw = bytes(buf[:total])
    del buf[:total]
    return raw, start, headers, until_eof


def _recv_until_from(sock: socket.socket, buf: bytearray, pos: int) -> int:
    while True:
        idx = buf.find(b"\r\n", pos)
        if idx >= 0:
            return idx + 2
        if len(buf) - pos > MAX_HEAD:
            raise ProxyError("chunk line too long")
        chunk = sock.recv(65536)
        if not chunk:
            raise ProxyError("connection closed mid-message")
        buf += chunk


def _reset(sock: socket.socket | None) -> None:
    """Close with an RST (SO_LINGER 0), as a process that died would."""
    if sock is None:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class _Conn:
    def __init__(self, client: socket.socket) -> None:
        self.client = client
        self.upstream: socket.socket | None = None
        self.killed = False


class FaultyProxy:
    """A threaded proxy on 127.0.0.1 whose faults the test process switches (see the module doc)."""

    def __init__(self, upstream: str | None = None, *, port: int = 0, hang_limit: float = 60.0,
                 idle_timeout: float = 300.0, upstream_timeout: float = 30.0, max_connections: int = 512) -> None:
        self.upstream = upstream
        self.hang_limit = hang_limit
        self.idle_timeout = idle_timeout
        self.upstream_timeout = upstream_timeout
        self.max_connections = max_connections
        self._port = port
        self._lock = threading.Lock()
        self._mode = "pass"
        self._fraction = Fraction(1)
        self._seen_in_mode = 0
        self._limit: int | None = None
        self._faulted_in_mode = 0
        self._targets_faulted: frozenset[str] | None = None
        self._release = threading.Event()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._conns: set[_Conn] = set()
        self._threads: set[threading.Thread] = set()
        self._acceptor: threading.Thread | None = None
        self._counts: Counter[str] = Counter()
        self._targets: Counter[str] = Counter()
        self._slowest = 0.0

    # -- life cycle ---------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._port}"

    def start(self) -> FaultyProxy:
        self._listen()
        self._acceptor = threading.Thread(target=self._accept_loop, name="faulty-proxy-accept", daemon=True)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._release.set()
        with self._lock:
            self._close_listener()
            conns = list(self._conns)
        for conn in conns:
            self._kill(conn)
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
        with self._lock:
            threads = list(self._threads)
        deadline = time.monotonic() + 10
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 5
        while True:
            try:
                sock.bind((HOST, self._port))
                break
            except OSError:
                if self._port == 0 or time.monotonic() > deadline:
                    sock.close()
                    raise
                time.sleep(0.05)  # re-binding our own port after `down`
        sock.listen(256)
        self._port = sock.getsockname()[1]
        self._listener = sock

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept() on Linux
            except OSError:
                pass
            self._listener.close()
            self._listener = None

    # -- control --------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str, fraction: float | Fraction = 1, *, only: Iterable[str] | None = None,
                 limit: int | None = None, kill_open: bool = True) -> None:
        """Switch mode. `fraction` (0-1] of the requests get the fault (throttle, error5xx, hang, lose, stall).

        `only` limits the fault to these operations (X-Amz-Target without the service
        prefix, e.g. {"UpdateItem"}); other requests are forwarded and not counted
        towards the fraction. `limit`: at most this many requests get the fault; later ones
        are forwarded as in `pass` (e.g. hang one call and let the next ones through).

        `down` closes the listening socket (new connections are refused) and, with
        `kill_open`, resets every open connection, in-flight requests included.
        Leaving `hang` or `stall` releases the held requests (their connections are closed unanswered).
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        frac = Fraction(fraction).limit_denominator(1000)
        if not 0 < frac <= 1:
            raise ValueError("fraction must be in (0, 1]")
        if limit is not None and limit < 1:
            raise ValueError("limit must be at least 1")
        to_kill: list[_Conn] = []
        with self._lock:
            previous = self._mode
            self._mode, self._fraction, self._seen_in_mode = mode, frac, 0
            self._limit, self._faulted_in_mode = limit, 0
            self._targets_faulted = frozenset(only) if only is not None else None
            self._counts[f"switch:{mode}"] += 1
            if previous in HOLDING and mode != previous:
                self._release.set()
                self._release = threading.Event()
            if mode == "down":
                self._close_listener()
                if kill_open:
                    to_kill = list(self._conns)
            elif self._listener is None and not self._stopping.is_set():
                self._listen()
        for conn in to_kill:
            self._kill(conn)

    def release(self) -> None:
        """End a hang: the same as going back to `pass`."""
        self.set_mode("pass")

    def counts(self) -> dict[str, int]:
        """Requests seen per mode (`mode:<m>`), what was done with them, and per X-Amz-Target."""
        with self._lock:
            out = dict(self._counts)
            out.update({f"target:{k}": v for k, v in self._targets.items()})
            out["upstream_max_ms"] = round(self._slowest * 1000)
            return out

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()
            self._targets.clear()
            self._slowest = 0.0

    # -- serving ----------------------------------------------------------------------

    def _accept_loop(self) -> None:
        import select

        while not self._stopping.is_set():
            with self._lock:
                listener = self._listener
            if listener is None:
                self._stopping.wait(0.02)
                continue
            try:
                ready, _, _ = select.select([listener], [], [], 0.1)
                if not ready:
                    continue
                client, _ = listener.accept()
            except (OSError, ValueError):
                continue
            with self._lock:
                refuse = self._mode == "down" or len(self._conns) >= self.max_connections
                if not refuse:
                    conn = _Conn(client)
                    self._conns.add(conn)
            if refuse:
                self._count("reset")
                _reset(client)
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), name="faulty-proxy-conn", daemon=True)
            with self._lock:
                self._threads.add(thread)
            thread.start()

    def _decide(self, headers: dict[str, str]) -> tuple[str, bool, threading.Event]:
        """(mode, whether this request gets the fault, the hang release event)."""
        with self._lock:
            mode = self._mode
            target = headers.get("x-amz-target", "?").rsplit(".", 1)[-1]
            self._counts[f"mode:{mode}"] += 1
            self._targets[target] += 1
            if self._targets_faulted is not None and target not in self._targets_faulted:
                return mode, False, self._release
            self._seen_in_mode += 1
            n, f = self._seen_in_mode, self._fraction
            faulted = (n * f.numerator) // f.denominator > ((n - 1) * f.numerator) // f.denominator
            if faulted and self._limit is not None:
                faulted = self._faulted_in_mode < self._limit
                self._faulted_in_mode += faulted
            return mode, faulted, self._release

    def _count(self, what: str) -> None:
        with self._lock:
            self._counts[what] += 1

    def _serve(self, conn: _Conn) -> None:
        client = conn.client
        buf = bytearray()
        up_buf = bytearray()
        try:
            client.settimeout(self.idle_timeout)
            while not self._stopping.is_set() and not conn.killed:
                try:
                    raw, _, headers, _ = read_message(client, buf, request=True)
                except _Closed:
                    return
                mode, faulted, release = self._decide(headers)
                if mode == "down" or conn.killed:
                    self._count("reset")
                    _reset(client)
                    return
                if faulted and mode == "throttle":
                    self._count("throttled")
                    client.sendall(error_response(400, "ThrottlingException", THROTTLING_BODY))
                    continue
                if faulted and mode == "error5xx":
                    self._count("error5xx")
                    client.sendall(error_response(500, "InternalServerError", INTERNAL_ERROR_BODY))
                    continue
                if faulted and mode == "hang":
                    self._count("hung")
                    release.wait(self.hang_limit)
                    return  # closed unanswered
                if not self._forward(conn, raw, up_buf, lose=faulted and mode == "lose",
                                     stall=release if faulted and mode == "stall" else None):
                    return
        except (OSError, ProxyError):
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
                self._threads.discard(threading.current_thread())
            if conn.killed:
                _reset(client)
            else:
                try:
                    client.close()
                except OSError:
                    pass
            if conn.upstream is not None:
                try:
                    conn.upstream.close()
                except OSError:
                    pass

    def _forward(self, conn: _Conn, raw: bytes, up_buf: bytearray, lose: bool = False,
                 stall: threading.Event | None = None) -> bool:
        """Send one request upstream and relay its answer (`lose`: answer 500 instead; `stall`:
        hold it until the event is set, then close unanswered); False when the connection must end."""
        upstream = self.upstream
        if not upstream:
            self._count("no_upstream")
            return False
        for attempt in (1, 2):  # a pooled upstream connection may have been closed meanwhile
            fresh = conn.upstream is None
            if fresh:
                parts = urlsplit(upstream)
                try:
                    conn.upstream = socket.create_connection((parts.hostname or HOST, parts.port or 80),
                                                             timeout=self.upstream_timeout)
                except OSError:
                    self._count("upstream_unreachable")
                    return False
                up_buf.clear()
            try:
                sent = time.monotonic()
                conn.upstream.sendall(raw)
                answer, _, headers, until_eof = read_message(conn.upstream, up_buf, request=False)
                took = time.monotonic() - sent
                with self._lock:
                    self._slowest = max(self._slowest, took)
                    if took > 1.0:
                        self._counts["upstream_over_1s"] += 1
                break
            except (OSError, ProxyError, _Closed):
                try:
                    conn.upstream.close()
                except OSError:
                    pass
                conn.upstream = None
                if fresh or attempt == 2 or conn.killed:
                    self._count("upstream_failed")
                    return False
        if conn.killed:
            return False
        if stall is not None:
            self._count("stalled")  # DynamoDB has answered: the work is done
            stall.wait(self.hang_limit)
            return False
        if lose:
            conn.client.sendall(error_response(500, "InternalServerError", INTERNAL_ERROR_BODY))
            self._count("lost")
        else:
            conn.client.sendall(answer)
            self._count("forwarded")
        if until_eof or headers.get("connection", "").lower() == "close":
            conn.upstream.close()
            conn.upstream = None
        return True

    def _kill(self, conn: _Conn) -> None:
        conn.killed = True
        try:
            conn.client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.client.shutdown(socket.SHUT_RD)  # wakes its thread; the close then sends RST
        except OSError:
            pass
        if conn.upstream is not None:
            try:
                conn.upstream.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main(argv: list[str] | None = None) -> int:
    """Run standalone: python -m devtools.faulty_proxy UPSTREAM_URL [--port N] (mode stays `pass`)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m devtools.faulty_proxy")
    parser.add_argument("upstream")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    with FaultyProxy(args.upstream, port=args.port) as proxy:
        print(f"faulty proxy on {proxy.url} -> {args.upstream} (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
