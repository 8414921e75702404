"""scripts/system-packages: what `make test` does about a missing Chromium or PostgreSQL.

apt-get and id are stand-ins on PATH: the tests never install anything, whoever runs them.
"""

import os
import stat
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT / "scripts" / "system-packages"


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def machine(tmp_path):
    """A PATH whose apt-get records its calls and installs a fake Chromium; root unless told."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    chromium = tmp_path / "chromium"
    calls = tmp_path / "apt-get.log"
    executable(
        bin_dir / "apt-get",
        f'#!/bin/sh\necho "$DEBIAN_FRONTEND $*" >> {calls}\n'
        f'[ "$1" = install ] && printf "#!/bin/sh\\n" > {chromium} && chmod +x {chromium}\n'
        "exit 0\n",
    )

    def run(*packages: str, uid: int = 0, ci: bool = False) -> subprocess.CompletedProcess[str]:
        executable(bin_dir / "id", f"#!/bin/sh\necho {uid}\n")
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
        env["CHROMIUM_PATH"] = str(chromium)
        env.pop("CI", None)
        if ci:
            env["CI"] = "true"
        return subprocess.run(
            [str(SCRIPT), *packages], env=env, capture_output=True, text=True, check=False
        )

    run.chromium = chromium  # type: ignore[attr-defined]
    run.calls = calls  # type: ignore[attr-defined]
    return run


def apt_calls(machine) -> list[str]:
    return machine.calls.read_text().splitlines() if machine.calls.exists() else []


def test_as_root_a_missing_package_is_installed_without_questions(machine):
    result = machine("chromium")

    assert result.returncode == 0, result.stderr
    assert apt_calls(machine) == [
        "noninteractive update -qq",
        "noninteractive install -y -qq --no-install-recommends chromium",
    ]
    assert machine.chromium.exists()


def test_packages_already_there_are_left_alone(machine):
    executable(machine.chromium, "#!/bin/sh\n")

    result = machine("chromium", uid=1000, ci=True)

    assert result.returncode == 0
    assert result.stdout + result.stderr == ""
    assert apt_calls(machine) == []


def test_without_root_it_says_which_command_to_run_and_goes_on(machine):
    result = machine("chromium", uid=1000)

    assert result.returncode == 0
    assert "    sudo apt-get install chromium\n" in result.stderr
    assert "skipped" in result.stderr
    assert apt_calls(machine) == []


def test_without_root_under_ci_nothing_is_skipped(machine):
    result = machine("chromium", uid=1000, ci=True)

    assert result.returncode == 1
    assert "    sudo apt-get install chromium\n" in result.stderr
    assert apt_calls(machine) == []
