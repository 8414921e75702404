"""The desk as `make serve` runs it: debug off, gunicorn, PostgreSQL, the sandbox on its own.

The stack runs on a database of its own, created on the PostgreSQL server of DATABASE_URL (the
throwaway cluster of `make test`'s PostgreSQL run) and dropped afterwards. The figures a run
measures are printed at the end of pytest's output.
"""

import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from cryptography.fernet import Fernet

# Real Chromium, launched as the browser tests launch it (fails under CI=true when missing).
from tests.browser.conftest import browser as browser

PROJECT = Path(__file__).resolve().parents[2]
FIGURES = pytest.StashKey[list[str]]()
# Far longer than the stack needs on an idle 2-core machine (about 30 s): a machine shared with
# other test runs can take four times as long.
START_SECONDS = 300.0
# The stack stops in about a second. The limits inside it are gunicorn's 5 s graceful timeout
# and a Clarus request's timeouts (the delivery worker finishes the task it is on): the wait is
# well beyond any of them. The group is checked the moment `make` exits, as a service manager
# watching its main process would: a process still there then was left behind by scripts/serve
# (its stop cut short), and is reported.
STOP_SECONDS = 150.0


def require(condition: bool, message: str) -> None:
    """Skip the test on a developer's machine when ``condition`` fails; under CI=true fail it."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smoke_database_url() -> Iterator[str]:
    """Return the URL of a new, empty database beside DATABASE_URL's; drop it afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    require(
        url.startswith(("postgres://", "postgresql://")),
        "The production smoke test needs PostgreSQL: run it as `make test` does, "
        "under scripts/with-postgres.",
    )
    import psycopg

    name = f"desk_smoke_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Served:
    """A running `make serve`, and when it got ready."""

    desk_url: str
    sandbox_url: str
    process: subprocess.Popen[bytes]
    log: Path
    # Seconds from the command to: the servers being started (migrations, collectstatic and the
    # demo done), then the desk and the sandbox both answering.
    setup_seconds: float = 0.0
    ready_seconds: float = 0.0
    stopped: bool = False
    # The processes still running when the stop gave up waiting (``ps``), for the test's report.
    left_behind: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]

    def stop(self) -> float | None:
        """Stop it as a service manager would: SIGTERM to the whole group.

        Return the seconds until every process of the group had exited, or None if some were
        still there after ``STOP_SECONDS`` (then what was left is in ``left_behind``, and they
        are killed).
        """
        if self.stopped:
            return 0.0
        self.stopped = True
        started = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=STOP_SECONDS)
        # The group's id is the make process's own pid, still held by any process left in it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, 0)
            self.left_behind = subprocess.run(
                ["ps", "-o", "pid,ppid,stat,etime,time,wchan:24,args", "-g", str(self.process.pid)],
                capture_output=True,
                text=True,
            ).stdout
            os.killpg(self.process.pid, signal.SIGKILL)
            return None
        return time.monotonic() - started


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def served(smoke_database_url: str, tmp_path: Path) -> Iterator[Served]:
    """Run `make serve` on its own database and ports until the test is done."""
    port, sandbox_port = free_port(), free_port()
    env = {
        **os.environ,
        # The production settings of docs/deploy.md, set by the operator.
        "DATABASE_URL": smoke_database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DESK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        # The sandbox's collected files too, should the stack have to be killed outright.
        "TMPDIR": str(tmp_path),
        "PORT": str(port),
        "SANDBOX_PORT": str(sandbox_port),
    }
    # What pytest and the browser fixture set for themselves.
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DESK_EXPECT_DATABASE", "MAKEFLAGS", "MFLAGS"):
        env.pop(name, None)
    log = tmp_path / "serve.log"
    started = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group, which the fixture stops as a service manager would.
            start_new_session=True,
        )
    stack = Served(
        desk_url=f"http://127.0.0.1:{port}",
        sandbox_url=f"http://127.0.0.1:{sandbox_port}/sandbox",
        process=process,
        log=log,
    )
    try:
        deadline = started + START_SECONDS
        while not stack.setup_seconds or not (
            _answers(f"{stack.desk_url}/login/") and _answers(f"{stack.sandbox_url}/")
        ):
            assert process.poll() is None, f"make serve stopped:\n{stack.output()}"
            assert time.monotonic() < deadline, f"make serve not ready:\n{stack.output()}"
            if not stack.setup_seconds and "Order desk: " in log.read_text(errors="replace"):
                stack.setup_seconds = time.monotonic() - started
            time.sleep(0.2)
        stack.ready_seconds = time.monotonic() - started
        yield stack
    finally:
        stack.stop()


HASHED = re.compile(r"\.[0-9a-f]{12}\.[a-z0-9]+$")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(FIGURES, [])
    if lines:
        terminalreporter.section("production smoke test")
        for line in lines:
            terminalreporter.write_line(line)
