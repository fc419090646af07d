"""DynamoDB Local, fetched from its pinned npm package and run on loopback.

The official DynamoDB Local jar ships inside `amplify-dynamodb-simulator`; we
`npm pack` that exact version, check its SHA-256, and unpack only the emulator
into `.cache/` (ignored by git). No global npm install, no Docker.

    python -m devtools.dynamodb_local fetch        # download + verify + unpack
    python -m devtools.dynamodb_local run --port 8100
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

NPM_PACKAGE = "amplify-dynamodb-simulator"
NPM_VERSION = "2.9.30"  # bundles DynamoDB Local 1.25.1
TARBALL_SHA256 = "3503ffac19f183407909fecdacf4db51ab1fdad1da7b2f177016670b2d80e4b9"

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / ".cache" / "dynamodb-local" / NPM_VERSION
JAR = HOME / "DynamoDBLocal.jar"


class SetupError(RuntimeError):
    """A prerequisite is missing; the message tells the user what to do."""


def require_java() -> str:
    java = shutil.which("java")
    if not java:
        raise SetupError(
            "DynamoDB Local needs Java 17 or later, and `java` is not on PATH.\n"
            "Install it with: apt-get install -y openjdk-17-jre-headless"
        )
    return java


def fetch() -> Path:
    """Make sure the verified jar is unpacked under .cache/; return its folder."""
    if JAR.exists():
        return HOME
    npm = shutil.which("npm")
    if not npm:
        raise SetupError(
            "Fetching DynamoDB Local needs npm (it ships in an npm package).\n"
            "Install it with: apt-get install -y npm"
        )
    print(f"Fetching DynamoDB Local from npm package {NPM_PACKAGE}@{NPM_VERSION} ...")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [npm, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--silent"],
            cwd=tmp, check=True, stdout=subprocess.DEVNULL,
        )
        tarball = next(Path(tmp).glob("*.tgz"))
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        if digest != TARBALL_SHA256:
            raise SetupError(
                f"Checksum mismatch for {tarball.name}: got {digest}, "
                f"expected {TARBALL_SHA256}. Refusing to run it."
            )
        staging = Path(tmp) / "unpacked"
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/emulator/")]
            tar.extractall(staging, members=members, filter="data")
        HOME.parent.mkdir(parents=True, exist_ok=True)
        if HOME.exists():
            shutil.rmtree(HOME)
        shutil.move(str(staging / "package" / "emulator"), HOME)
    print(f"DynamoDB Local ready in {HOME.relative_to(ROOT)}")
    return HOME


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f"DynamoDB Local exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SetupError(f"DynamoDB Local did not listen on port {port} within {timeout:.0f}s")


def _wait_until_serving(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """The port opens before DynamoDB Local can answer: its first request loads SQLite and
    much of the JVM, which on a busy machine outlasts the store's 2 s read timeout (and a
    fixture's first `ensure_table` failed). Ask one real request, patiently, before handing it out."""
    import boto3
    from botocore.config import Config

    client = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-southeast-1",
                          aws_access_key_id="local", aws_secret_access_key="local",
                          config=Config(connect_timeout=5, read_timeout=timeout, retries={"total_max_attempts": 1}))
    try:
        client.list_tables(Limit=1)
    except Exception as exc:
        proc.kill()
        raise SetupError(f"DynamoDB Local on port {port} did not answer within {timeout:.0f}s: {exc}") from exc


@dataclass
class DynamoDBLocal:
    """A running DynamoDB Local process on 127.0.0.1."""

    port: int
    process: subprocess.Popen

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start(port: int | None = None, in_memory: bool = True, db_path: Path | None = None,
          quiet: bool = True) -> DynamoDBLocal:
    java = require_java()
    home = fetch()
    cmd = [
        java, f"-Djava.library.path={home / 'DynamoDBLocal_lib'}",
        "-jar", str(home / "DynamoDBLocal.jar"),
        "-port", "<port>", "-disableTelemetry",
    ]
    if in_memory:
        cmd.append("-inMemory")
    else:
        path = db_path or (ROOT / ".cache" / "dynamodb-data")
        path.mkdir(parents=True, exist_ok=True)
        cmd += ["-sharedDb", "-dbPath", str(path)]
    out = subprocess.DEVNULL if quiet else None
    chosen = port
    for attempt in range(1 if port else 5):
        chosen = port or free_port()
        proc = subprocess.Popen([*cmd[:5], str(chosen), *cmd[6:]], cwd=home, stdout=out, stderr=out)
        _wait_for_port(chosen, proc)
        if _listens(proc.pid, chosen):
            break
        # another test worker's server took the port between our pick and our bind: pick again
        proc.kill()
        proc.wait(timeout=10)
        if port or attempt == 4:
            raise SetupError(f"port {chosen} is served by another process")
    _wait_until_serving(chosen, proc)
    return DynamoDBLocal(port=chosen, process=proc)


def _listens(pid: int, port: int, timeout: float = 30.0) -> bool:
    """Whether process `pid` itself holds the listening socket on `port` (Linux /proc), waiting while
    it starts; False as soon as it exits (its bind failed) or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = open(table).read().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(fields[9])
        try:
            held = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
        except OSError:
            return False  # it exited
        if any(f"socket:[{inode}]" in held for inode in inodes):
            return True
        time.sleep(0.1)
    return False


def is_listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.dynamodb_local")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download, verify and unpack DynamoDB Local")
    run = sub.add_parser("run", help="run DynamoDB Local in the foreground")
    run.add_argument("--port", type=int, default=int(os.environ.get("THIDUA_DDB_PORT", "8100")))
    run.add_argument("--in-memory", action="store_true")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            fetch()
            require_java()
            return 0
        ddb = start(args.port, in_memory=args.in_memory, quiet=False)
        print(f"DynamoDB Local on {ddb.endpoint} (Ctrl-C to stop)")
        try:
            ddb.process.wait()
        except KeyboardInterrupt:
            ddb.stop()
        return 0
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
