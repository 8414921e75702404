"""scripts/with-postgres: the throwaway cluster goes when its command is stopped, under make too."""

import contextlib
import glob
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def cluster_directory(port: int) -> Path | None:
    """Return the throwaway cluster's directory: the one whose server was started on ``port``."""
    for options in glob.glob("/tmp/desk-pg.*/data/postmaster.opts"):
        if f'"-p" "{port}"' in Path(options).read_text():
            return Path(options).parents[1]
    return None


def test_stopping_make_as_a_service_manager_does_leaves_no_cluster_behind(tmp_path):
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        message = "PostgreSQL server binaries not found (apt-get install postgresql)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    url_file = tmp_path / "url"
    # As `make serve` runs it: make, which forwards a SIGTERM to its recipe, then the command.
    command = f'echo "$$DATABASE_URL" > {url_file}; trap "exit 143" TERM; sleep 120 & wait'
    makefile = tmp_path / "Makefile"
    makefile.write_text(f"serve:\n\t{PROJECT / 'scripts' / 'with-postgres'} bash -c '{command}'\n")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "-f", str(makefile), "serve"],
        cwd=PROJECT,
        env={k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS"}},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # Its own group, stopped as a service manager stops one: SIGTERM to every process in it.
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not url_file.exists() or not url_file.read_text().strip():
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.1)
        port = int(url_file.read_text().strip().rsplit(":", 1)[1].split("/")[0])
        directory = cluster_directory(port)
        assert directory is not None
        assert listening(port)

        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        # Whatever of the group is left (nothing, when all went well).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    assert not listening(port)
    assert not directory.exists()
