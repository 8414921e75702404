"""Requests bench: the server's CPU time for what an agent does all day, at two commits.

Runs ``bench/requests_probe.py`` on a baseline commit (a git worktree of it, with its own
virtualenv) and on this checkout, in turns, and prints each figure's CPU milliseconds (p50), its
SQL queries per request, the ratio and the goal beside it. Both sides run with production
settings (``DJANGO_DEBUG=false``) on a throwaway SQLite file, in-process through Django's test
client; Clarus is the sandbox over loopback HTTP on another thread, so a submit's CPU time is the
desk's own, Clarus's left out (bench/README.md).

Run it with ``bench/requests`` (or ``make bench-requests``). Exit status: 0 when every goal is
met, 1 when one is not, 3 when the bench cannot run.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = ROOT / "bench" / "requests_probe.py"
BASELINE = "04a67ae"
ADDED_LINES = 4

# (figure, the probe's name for it, the ratio it must reach): None is shown without a goal.
FIGURES: list[tuple[str, str, float | None]] = [
    ("entry page", "entry page", 5.0),
    ("add-line fragment", "add-line fragment", 4.0),
    ("submit, beyond Clarus", "submit", 4.0),
    ("order page", "order page", 2.0),
    ("history page, 50 rows", "history page", 2.0),
    ("product suggestions, cold", "product suggestions, cold", None),
    ("product suggestions, warm", "product suggestions, warm", None),
]
PER_ORDER_GOAL = 4.0
# Written by the probe: whether the entry page copies new lines from its own template.
BUILT_IN_BROWSER = "lines built in the browser"


@dataclass
class Side:
    """One checkout under test: its root and the Python of its virtualenv."""

    label: str
    root: Path
    python: Path


def main(argv: Sequence[str] | None = None) -> int:
    options = _arguments(argv)
    try:
        baseline = _baseline(options.baseline, options.baseline_dir)
        current = Side(_label(ROOT), ROOT, ROOT / ".venv" / "bin" / "python")
        samples: dict[str, dict[str, dict[str, list[float]]]] = {}
        with tempfile.TemporaryDirectory(prefix="desk-bench-requests-") as scratch:
            for round_number in range(options.rounds):
                # In turns, so a machine that gets busier mid-run weighs on both sides alike.
                sides = [baseline, current] if round_number % 2 == 0 else [current, baseline]
                for side in sides:
                    print(f"Round {round_number + 1}: {side.label} …", file=sys.stderr)
                    _merge(samples.setdefault(side.label, {}), _probe(side, options, scratch))
    except (RuntimeError, subprocess.CalledProcessError) as problem:
        print(f"The bench could not run: {problem}", file=sys.stderr)
        return 3
    return _report(samples[baseline.label], samples[current.label], baseline, current, options)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/requests", description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"commit (default {BASELINE})")
    parser.add_argument(
        "--baseline-dir",
        type=Path,
        help="where its worktree is made, or already is (default: beside this checkout, "
        "named after the commit)",
    )
    parser.add_argument("--runs", type=int, default=30, help="timed runs per figure and round")
    parser.add_argument("--rounds", type=int, default=2, help="turns per side (default 2)")
    parser.add_argument("--products", type=int, default=200, help="in the sandbox's catalogue")
    return parser.parse_args(argv)


def _label(root: Path) -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head}{'+dirty' if dirty else ''}" or "this checkout"


def _uv() -> str:
    """Return the uv that ``make setup`` uses: from PATH, else the project's private copy."""
    found = shutil.which("uv")
    private = ROOT / ".tools" / "venv" / "bin" / "uv"
    if found:
        return found
    if private.exists():
        return str(private)
    raise RuntimeError("No uv: run 'make setup' first.")


def _baseline(commit: str, where: Path | None) -> Side:
    """Return the baseline's checkout: a detached worktree with its own virtualenv."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", f"{commit}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    root = (where or ROOT.parent / f"{ROOT.name}-at-{sha}").resolve()
    if not (root / "manage.py").exists():
        print(f"Making a worktree of {sha} at {root} …", file=sys.stderr)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(root), sha],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    there = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    if there != sha:
        # Its figures would be printed under the wrong commit's name.
        raise SystemExit(
            f"{root} holds {there or 'no commit'}, not {sha}: name it with --baseline."
        )
    python = root / ".venv" / "bin" / "python"
    if not python.exists():
        print(f"Installing {sha}'s dependencies in {root / '.venv'} …", file=sys.stderr)
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        subprocess.run([_uv(), "sync", "--frozen"], cwd=root, env=env, check=True)
    return Side(sha, root, python)


def _probe(side: Side, options: argparse.Namespace, scratch: str) -> dict[str, dict[str, list]]:
    out = Path(scratch) / f"{side.label}.json"
    log = Path(scratch) / f"{side.label}.log"
    with log.open("w") as errors:
        finished = subprocess.run(
            [
                str(side.python),
                str(PROBE),
                f"--runs={options.runs}",
                f"--products={options.products}",
                f"--out={out}",
            ],
            cwd=side.root,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    if finished.returncode != 0:
        raise RuntimeError(f"{side.label}: {log.read_text()[-2000:]}")
    samples: dict[str, dict[str, list]] = json.loads(out.read_text())
    return samples


def _merge(into: dict[str, dict[str, list]], more: dict[str, dict[str, list]]) -> None:
    for figure, series in more.items():
        for name, values in series.items():
            into.setdefault(figure, {}).setdefault(name, []).extend(values)


def _p50(samples: dict[str, dict[str, list]], figure: str, series: str = "cpu") -> float:
    return float(statistics.median(samples[figure][series]))


def _sql(samples: dict[str, dict[str, list]], figure: str) -> str:
    counts = sorted(set(samples[figure]["sql"]))
    return "/".join(str(count) for count in counts)


def _report(
    before: dict[str, dict[str, list]],
    after: dict[str, dict[str, list]],
    baseline: Side,
    current: Side,
    options: argparse.Namespace,
) -> int:
    runs = len(after["entry page"]["cpu"])
    print(
        f"Server CPU per request, ms p50 of {runs} runs (DJANGO_DEBUG=false, SQLite, in-process "
        "through Django's test client; Clarus is the sandbox over loopback HTTP on another "
        "thread, its time left out):"
    )
    head = (
        f"{'request':<27} {'SQL':>5} {'SQL':>5} {baseline.label:>9} {current.label:>13} "
        f"{'ratio':>7}  {'goal':<7} met"
    )
    print(head)
    print("-" * len(head))
    met_all = True
    for title, figure, goal in FIGURES:
        old, new = _p50(before, figure), _p50(after, figure)
        ratio = old / new if new else float("inf")
        met = goal is None or ratio >= goal
        met_all = met_all and met
        goal_text = f">= {goal:g}x" if goal else "-"
        print(
            f"{title:<27} {_sql(before, figure):>5} {_sql(after, figure):>5} {old:>9.1f} "
            f"{new:>13.1f} {ratio:>6.1f}x  {goal_text:<7} {'' if goal is None else _yes(met)}"
        )
    # Two counts of a keyed order: the first with four add-line fragments on both sides, as the
    # goal was set; the second with those the side's entry page really asks for (none when it
    # copies a blank line from its own <template>).
    definitions = [
        ("CPU per keyed order", {"before": ADDED_LINES, "after": ADDED_LINES}),
        (
            "  as each page asks",
            {"before": _asked_lines(before), "after": _asked_lines(after)},
        ),
    ]
    for title, added in definitions:
        per_order = {
            side: _p50(samples, "entry page")
            + added[side] * _p50(samples, "add-line fragment")
            + _p50(samples, "submit")
            + _p50(samples, "order page")
            for side, samples in (("before", before), ("after", after))
        }
        ratio = per_order["before"] / per_order["after"]
        met = ratio >= PER_ORDER_GOAL
        met_all = met_all and met
        print(
            f"{title:<27} {'':>5} {'':>5} {per_order['before']:>9.1f} "
            f"{per_order['after']:>13.1f} {ratio:>6.1f}x  >= {PER_ORDER_GOAL:g}x   {_yes(met)}"
        )
    print(
        f"(a keyed order: the entry page, {ADDED_LINES} added lines, the send and the order "
        'page, each at its p50; "as each page asks" counts the added lines only where the '
        f"entry page asks the server for them: {baseline.label} {_asked_lines(before)}, "
        f"{current.label} {_asked_lines(after)})"
    )
    print()
    print("Wall clock of the submit, ms p50 (the machine's load weighs on these):")
    for label, samples in ((baseline.label, before), (current.label, after)):
        wall, clarus = _p50(samples, "submit", "wall"), _p50(samples, "submit", "clarus_wall")
        print(
            f"  {label:<13} submit {wall:6.1f}, of which Clarus (the sandbox) {clarus:5.1f}: "
            f"{wall - clarus:5.1f} beyond Clarus"
        )
    return 0 if met_all else 1


def _asked_lines(samples: dict[str, dict[str, list]]) -> int:
    """Return how many add-line fragments keying an order asks the server for on this side."""
    built = samples.get(BUILT_IN_BROWSER, {}).get("flag", [0.0])
    return 0 if max(built) else ADDED_LINES


def _yes(met: bool) -> str:
    return "yes" if met else "NO"


if __name__ == "__main__":
    sys.exit(main())
