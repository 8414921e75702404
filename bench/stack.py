"""Start the desk for real on loopback, and stop every process it started.

Each service runs in its own session (process group), so a Ctrl+C in the terminal reaches only
the bench, which then stops the services in order; nothing is ever stopped by name.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """Return the CPU time (user + system) a live process has used, or 0 if it is gone.

    With ``reaped_children``, add what its children used before it reaped them: a gunicorn
    master's workers that died, PostgreSQL's closed backends.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # Fields 14-17 of proc(5): utime, stime, cutime, cstime; the split starts at field 3.
    fields = [int(value) for value in stat.rsplit(")", 1)[1].split()[11:15]]
    ticks = sum(fields) if reaped_children else fields[0] + fields[1]
    return ticks / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """Return the pids whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces: the parent pid follows the ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def postgres_cpu_seconds(port: int) -> float:
    """Return the CPU time of the PostgreSQL server listening on ``port``, backends included.

    Only read from /proc: the server is scripts/with-postgres's to stop, not the bench's.
    """
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"/postgres") and f"-p {port}".encode() in b" ".join(argv):
            pid = int(entry.name)
            return cpu_seconds(pid, reaped_children=True) + sum(
                cpu_seconds(child) for child in children_of(pid)
            )
    return 0.0


@dataclass
class Service:
    """One process the bench started, with the file its output goes to."""

    name: str
    argv: Sequence[str]
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def children(self) -> list[int]:
        """Return the pids whose parent is this service (gunicorn's workers)."""
        return children_of(self.pid)


@dataclass
class Stack:
    """The processes of one bench run, started from the project root."""

    root: Path
    # The virtualenv's bin directory: its python and gunicorn.
    bin: Path
    logs: Path
    env: Mapping[str, str]
    services: list[Service] = field(default_factory=list)

    def start(self, name: str, argv: Sequence[str]) -> Service:
        log = self.logs / f"{name}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                argv,
                cwd=self.root,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own process group: the terminal's Ctrl+C is the bench's to handle.
                start_new_session=True,
            )
        service = Service(name=name, argv=argv, process=process, log=log)
        self.services.append(service)
        return service

    def gunicorn(self, name: str, *, port: int, workers: int, threads: int) -> Service:
        argv = [
            str(self.bin / "gunicorn"),
            "clarus_admin.wsgi",
            f"--workers={workers}",
            f"--threads={threads}",
            # gthread: a request waiting on Clarus holds one thread, not the whole worker.
            "--worker-class=gthread",
            f"--bind={LOOPBACK}:{port}",
            "--graceful-timeout=5",
            # Two servers on one machine: gunicorn's control socket has one default path.
            "--no-control-socket",
            "--error-logfile=-",
        ]
        return self.start(name, argv)

    def manage(self, name: str, *args: str) -> Service:
        return self.start(name, [str(self.bin / "python"), "manage.py", *args])

    def kill(self, pid: int) -> None:
        """SIGKILL one process the bench started (or a worker of one), as a crash would."""
        os.kill(pid, signal.SIGKILL)

    def replace(self, service: Service) -> Service:
        """Kill a service outright and start it again, as a supervisor would after a crash."""
        self.kill(service.pid)
        service.process.wait(timeout=10)
        self.services.remove(service)
        return self.start(service.name, service.argv)

    def cpu_by_service(self) -> dict[str, float]:
        """Return the CPU seconds each kind of service has used, its gunicorn workers included.

        A gunicorn worker killed by the crash round is counted in its master's reaped children;
        a desk_worker killed by it takes its count with it.
        """
        used: dict[str, float] = {}
        for service in self.services:
            kind = service.name.split("-")[0]
            used[kind] = (
                used.get(kind, 0.0)
                + cpu_seconds(service.pid, reaped_children=True)
                + sum(cpu_seconds(child) for child in service.children())
            )
        return used

    def check_alive(self) -> None:
        """Raise RuntimeError if a service has exited by itself."""
        for service in self.services:
            if service.process.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited with {service.process.returncode}; see {service.log}"
                )

    def stop(self, *, grace: float = 8.0) -> None:
        """Stop every service: SIGTERM to its process group, SIGKILL after ``grace`` seconds."""
        for service in reversed(self.services):
            if service.process.poll() is None:
                self._signal_group(service, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for service in reversed(self.services):
            try:
                service.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                # Still running, so the group is still ours: its gunicorn workers go with it.
                self._signal_group(service, signal.SIGKILL)
                service.process.wait(timeout=5)
        self.services.clear()

    @staticmethod
    def _signal_group(service: Service, signum: int) -> None:
        # The group id is the service's own pid: start_new_session made it the leader.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.pid, signum)


def wait_until_serving(url: str, *, stack: Stack, seconds: float = 30.0) -> None:
    """Wait until ``url`` answers; raise RuntimeError if it does not in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stack.check_alive()
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:g} s.")
