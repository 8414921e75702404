"""The desk behind PgBouncer in transaction mode (docs/deploy.md): keying, sending, the delivery
sweep and the streamed CSV export, each through a pool of two server connections, so that
consecutive transactions of one process land on different ones."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.production.conftest import PROJECT, free_port, require

pytestmark = pytest.mark.postgres_only

PGBOUNCER = "/usr/sbin/pgbouncer"


@pytest.fixture
def pgbouncer(smoke_database_url):
    """Return DATABASE_URL for PgBouncer in transaction mode in front of a new database."""
    require(
        Path(PGBOUNCER).exists(),
        "PgBouncer is not installed (make test installs it: apt-get install pgbouncer).",
    )
    # Its own directory under /tmp: as root, PgBouncer runs as postgres, which cannot enter
    # pytest's temporary directories.
    tmp_path = Path(tempfile.mkdtemp(prefix="desk-pgbouncer-"))
    target = urlsplit(smoke_database_url)
    port = free_port()
    database = target.path.lstrip("/")
    ini = tmp_path / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"{database} = host={target.hostname} port={target.port} dbname={database} "
        f"user={target.username or 'postgres'}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir = {tmp_path}\n"
        "auth_type = any\npool_mode = transaction\n"
        "default_pool_size = 2\nmax_client_conn = 50\n"
        f"logfile = {tmp_path / 'pgbouncer.log'}\npidfile = {tmp_path / 'pgbouncer.pid'}\n"
    )
    # PgBouncer refuses to run as root: as root it runs as the postgres user, as the cluster does.
    as_owner = []
    if os.getuid() == 0:
        shutil.chown(tmp_path, "postgres")
        shutil.chown(ini, "postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    process = subprocess.Popen([*as_owner, PGBOUNCER, str(ini)])
    try:
        deadline = time.monotonic() + 20
        while not (tmp_path / "pgbouncer.pid").exists():
            assert process.poll() is None, "PgBouncer stopped"
            assert time.monotonic() < deadline, "PgBouncer did not start"
            time.sleep(0.1)
        user = target.username or ""
        netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
        yield urlunsplit(target._replace(netloc=netloc))
    finally:
        process.terminate()
        process.wait(timeout=20)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_keying_sending_the_sweep_and_the_export_work_through_pgbouncer(
    smoke_database_url, pgbouncer
):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "true",
        "DESK_SANDBOX": "true",
        "DESK_CLARUS_HOSTS": "127.0.0.1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DESK_SEND_LEASE_SECONDS": "10",
        "DESK_SWEEP_INTERVAL_SECONDS": "1",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "true",
    }
    env.pop("DESK_EXPECT_DATABASE", None)
    # Migrations straight to PostgreSQL, as the deploy guide says; everything else via PgBouncer.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env={**env, "DATABASE_URL": smoke_database_url},
        check=True,
    )
    run = subprocess.run(
        [sys.executable, "tests/production/pgbouncer_run.py"],
        cwd=PROJECT,
        env={**env, "DATABASE_URL": pgbouncer},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result == {
        "vendor": "postgresql",
        "first": "sent",
        "second_before_sweep": "failed",
        "second": "sent",
        "export_status": 200,
        "export_references": ["PGB-1", "PGB-2"],
    }
