"""`genuine serve` (what `make run` runs): the server and one worker, stopped together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if not path.exists():
        # Linux only (macOS has no /proc); CI runs on Linux, where a missing /proc is a failure.
        skip_or_fail("needs /proc to see child processes", "GENUINE_REQUIRE_SERVICES")
    return [int(child) for child in path.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return (
        Path(f"/proc/{pid}").exists()
        and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    )


@pytest.fixture
def served(tmp_path):
    env = os.environ | {
        "GENUINE_INSTANCE_PATH": str(tmp_path / "instance"),
        "PYTHONPATH": str(REPO / "server"),
    }
    env.pop("GENUINE_DATABASE_URL", None)
    env.pop("GENUINE_REDIS_URL", None)
    genuine = [sys.executable, "-m", "genuine"]
    subprocess.run([*genuine, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [*genuine, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz") as answer:
                assert answer.status == 200
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"genuine serve did not start: {server.communicate()[0]}")
            time.sleep(0.2)
    deadline = time.monotonic() + 10
    while not _children(server.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    yield server
    if server.poll() is None:
        server.kill()
    if not server.stdout.closed:
        server.communicate()


def test_serve_runs_a_worker_and_stopping_the_server_stops_it(served):
    (worker,) = _children(served.pid)
    assert "worker" in Path(f"/proc/{worker}/cmdline").read_text()
    served.send_signal(signal.SIGTERM)
    assert served.wait(20) == 0
    assert not _alive(worker)


def test_the_server_stops_when_its_worker_dies(served):
    (worker,) = _children(served.pid)
    os.kill(worker, signal.SIGKILL)
    assert served.wait(20) == 1
    assert "the worker stopped" in served.communicate()[0]
