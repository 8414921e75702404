"""Chaos benchmark: agents key orders through the real desk while Clarus misbehaves.

Starts, on loopback only, the desk under gunicorn, the sandbox (the Clarus stand-in) under a
second gunicorn, and desk_worker processes, all on the throwaway PostgreSQL that ``bench/chaos``
starts with scripts/with-postgres. Agents key orders over HTTP while the sandbox's fault knobs
change in rounds; then the bench waits for every order to settle and counts, from the desk's and
the sandbox's tables, what was sent, rejected, duplicated or lost. See bench/README.md.

Exit status: 0 when nothing was duplicated or lost, 1 when something was, 2 when the run could
not finish its count (orders still waiting at the timeout, forms no agent could get saved), 3 when
the stack would not start.
"""

import argparse
import io
import os
import random
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.agents import Agent, Keying, Mode, Outcome
from bench.stack import LOOPBACK, Stack, free_port, postgres_cpu_seconds, wait_until_serving

# The copy of the tree bench/chaos runs from, and the virtualenv of the tree it was copied from.
ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SUBDOMAIN = "chaos"
CLIENT_ID = "chaos-desk"
CLIENT_SECRET = "chaos-desk-secret"
AGENT_PASSWORD = "chaos-bench-pass"

# The desk's settings for the run, unless the environment already sets them: short timeouts and
# retries so faults play out in seconds, not the production minutes.
DESK_SETTINGS = {
    "CLARUS_CONNECT_TIMEOUT": "1",
    "CLARUS_READ_TIMEOUT": "2",
    # Longer than a whole delivery (a lookup, a POST, a 401 and its retry), or a second sender
    # could take over an order whose first sender is still waiting on Clarus.
    "DESK_SEND_LEASE_SECONDS": "8",
    "DESK_RETRY_BASE_SECONDS": "0.2",
    "DESK_RETRY_MAX_SECONDS": "2",
    "DESK_SWEEP_INTERVAL_SECONDS": "1",
    # Persistent connections, as production would run: a new PostgreSQL backend per request
    # would make the bench measure PostgreSQL's process start-up.
    "DATABASE_CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    # The Clarus of the run is the sandbox on loopback.
    "DESK_CLARUS_HOSTS": "127.0.0.1,localhost",
}


@dataclass(frozen=True)
class Round:
    """One spell of Clarus behaviour: the sandbox's fault knobs, and whether processes crash."""

    name: str
    knobs: Mapping[str, int | None]
    crash: bool = False


def fault_rounds(*, calm_ms: int, timeout_ms: int, faults: bool = True) -> list[Round]:
    """Return the rounds, spread evenly over the orders keyed (sandbox/faults.py knobs)."""
    calm = {"latency_ms": calm_ms}
    if not faults:
        return [Round("calm (no faults)", calm)]
    return [
        Round("calm", calm),
        Round("slow Clarus, 800 ms", {"latency_ms": 800}),
        Round("500s for 12 requests", {**calm, "fail_next": 12}),
        Round(
            "429 with Retry-After 1 s for 12 requests",
            {**calm, "forced_status": 429, "retry_after_seconds": 1, "fail_next": 12},
        ),
        Round("8 connections dropped after store", {**calm, "drop_after_store": 8}),
        Round("access tokens expire after 3 goods-outs", {**calm, "expire_tokens_after": 3}),
        Round(f"read timeouts, {timeout_ms} ms", {"latency_ms": timeout_ms}),
        Round("422 for 4 requests", {**calm, "forced_status": 422, "fail_next": 4}),
        Round("crash: a desk server worker and a desk_worker SIGKILLed", calm, crash=True),
        Round(
            "storm: 503s, drops, token expiry, 300 ms",
            {
                "latency_ms": 300,
                "forced_status": 503,
                "fail_next": 10,
                "drop_after_store": 5,
                "expire_tokens_after": 4,
            },
        ),
        Round("calm", calm),
    ]


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/chaos", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    add = parser.add_argument
    add("--orders", type=int, default=200, help="orders to key (default 200)")
    add("--concurrency", type=int, default=12, help="agents keying at once (default 12)")
    add("--desk-workers", type=int, default=4, help="desk gunicorn workers (default 4)")
    add("--threads", type=int, default=4, help="threads per desk gunicorn worker (default 4)")
    add("--sandbox-workers", type=int, default=2, help="sandbox gunicorn workers (default 2)")
    add("--sandbox-threads", type=int, default=16, help="threads per sandbox worker (default 16)")
    add("--sweepers", type=int, default=2, help="desk_worker processes (default 2)")
    add("--latency-ms", type=int, default=200, help="Clarus latency when calm (default 200)")
    add("--double-click", type=float, default=0.15, help="share of forms posted twice at once")
    add("--resend", type=float, default=0.10, help="share of forms posted again after the answer")
    add("--settle-timeout", type=float, default=60, help="seconds to wait for orders to settle")
    add("--keying-timeout", type=float, default=180, help="seconds after which agents stop")
    add(
        "--timeout-latency-ms",
        type=int,
        default=None,
        help=(
            "Clarus latency in the read-timeout round (default: the desk's read timeout + 600 ms,\n"
            "short enough that Clarus has stored the order before the desk asks it)"
        ),
    )
    add(
        "--amendments",
        type=int,
        default=40,
        help="sent orders then amended through the amend page, under faults (default 40; 0: none)",
    )
    add("--amenders", type=int, default=4, help="supervisors amending at once (default 4)")
    add(
        "--approvals",
        action="store_true",
        help=(
            "hold orders of more than two lines for approval; two supervisors approve each\n"
            "over HTTP while the faults go on, and each must reach Clarus once"
        ),
    )
    add("--approvers", type=int, default=2, help="supervisors approving at once (default 2)")
    add("--no-faults", action="store_true", help="Clarus calm throughout: a baseline")
    add("--seed", type=int, default=None, help="random seed for the plan of orders")
    add("--keep-logs", action="store_true", help="keep the services' logs after a clean run")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.concurrency < 1 or args.sweepers < 0:
        parser.error("--orders and --concurrency must be at least 1, --sweepers at least 0.")
    return args


def configure_environment() -> None:
    """Set the environment the bench's Django and every process it starts share."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        # SQLite serialises every write: the bench would measure its lock, not the desk.
        raise SystemExit("DATABASE_URL is not PostgreSQL: run the bench as bench/chaos.")
    os.environ["DJANGO_SETTINGS_MODULE"] = "clarus_admin.settings"
    # Debug on: the sandbox is installed only in debug (or with DESK_SANDBOX), and the
    # production settings insist on HTTPS-only cookies, which a loopback bench cannot offer.
    os.environ["DJANGO_DEBUG"] = "true"
    for name, value in DESK_SETTINGS.items():
        os.environ.setdefault(name, value)
    # Nothing on loopback goes through a proxy, whatever the machine's settings.
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def cpu_used(stack: Stack) -> dict[str, float]:
    """Return the CPU seconds used so far by each kind of service, PostgreSQL and the agents."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    port = urlsplit(os.environ["DATABASE_URL"]).port or 5432
    return {
        **stack.cpu_by_service(),
        "postgresql": postgres_cpu_seconds(port),
        "bench agents": usage.ru_utime + usage.ru_stime,
    }


def say(text: str) -> None:
    print(text, flush=True)


@dataclass
class Run:
    """What the bench started and learnt along the way."""

    args: argparse.Namespace
    logs: Path
    prefix: str
    tenant_id: int = 0
    desk_url: str = ""
    timeline: list[str] = field(default_factory=list)
    started_at: float = 0.0
    keying_seconds: float = 0.0
    cpu_at_start: dict[str, float] = field(default_factory=dict)
    settle_seconds: float = 0.0


def provision(run: Run, *, sandbox_url: str) -> None:
    """Migrate, then create the sandbox client, the desk tenant and one login per agent."""
    from django.core.management import call_command

    from orders.models import Tenant

    quiet = io.StringIO()
    call_command("migrate", interactive=False, verbosity=0)
    call_command(
        "sandbox_client",
        subdomain=SUBDOMAIN,
        name="Chaos Warehouse",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        stdout=quiet,
    )
    call_command(
        "clarus_tenant",
        subdomain=SUBDOMAIN,
        name="Chaos 3PL",
        base_url=sandbox_url,
        token_url=f"{sandbox_url}/oauth/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        stdout=quiet,
    )
    for number in range(run.args.concurrency):
        call_command(
            "clarus_staff",
            tenant=SUBDOMAIN,
            username=f"agent{number}",
            role="agent",
            password=AGENT_PASSWORD,
            stdout=quiet,
        )
    for number in range(run.args.amenders):
        call_command(
            "clarus_staff",
            tenant=SUBDOMAIN,
            username=f"amender{number}",
            role="supervisor",
            password=AGENT_PASSWORD,
            stdout=quiet,
        )
    run.tenant_id = Tenant.objects.get(subdomain=SUBDOMAIN).pk
    if run.args.approvals:
        from bench.approving import approval_rule_add

        for number in range(max(run.args.approvers, 1)):
            call_command(
                "clarus_staff",
                tenant=SUBDOMAIN,
                username=f"approver{number}",
                role="supervisor",
                password=AGENT_PASSWORD,
                stdout=quiet,
            )
        approval_rule_add(tenant_id=run.tenant_id, username="approver0")


def apply_round(run: Run, chaos: Round, *, stack: Stack, keyed: int) -> None:
    """Set the round's fault knobs (sandbox_faults, as a person would) and crash what it says."""
    from django.core.management import call_command

    knobs = io.StringIO()
    call_command("sandbox_faults", subdomain=SUBDOMAIN, clear=True, stdout=knobs, **chaos.knobs)
    note = f"{time.monotonic() - run.started_at:6.1f} s  order {keyed:>5}  {chaos.name}"
    if chaos.crash:
        note += "  [" + crash(stack) + "]"
    run.timeline.append(note)
    say(f"  {note}")
    say(f"  {'':6}    {'':11}  knobs {knobs.getvalue().strip()}")


def crash(stack: Stack) -> str:
    """SIGKILL one desk gunicorn worker (its master starts another) and one desk_worker."""
    done = []
    desk = next(service for service in stack.services if service.name == "desk")
    workers = desk.children()
    if workers:
        victim = random.choice(workers)
        stack.kill(victim)
        done.append(f"desk worker {victim} killed")
    sweeper = next((s for s in stack.services if s.name.startswith("desk_worker")), None)
    if sweeper is not None:
        old = sweeper.pid
        new = stack.replace(sweeper)
        done.append(f"{sweeper.name} {old} killed, restarted as {new.pid}")
    return "; ".join(done)


def order_plan(run: Run) -> list[tuple[str, list[tuple[int, int]], Mode]]:
    """Return each order to key: reference, lines, and how the agent sends it."""
    rng = random.Random(run.args.seed)
    plan = []
    for number in range(run.args.orders):
        lines = [(rng.randint(100, 999), rng.randint(1, 20)) for _ in range(rng.randint(1, 3))]
        draw = rng.random()
        if draw < run.args.double_click:
            mode = Mode.DOUBLE_CLICK
        elif draw < run.args.double_click + run.args.resend:
            mode = Mode.RESEND
        else:
            mode = Mode.SINGLE
        plan.append((f"{run.prefix}-{number:05d}", lines, mode))
    return plan


def key_orders(run: Run, *, stack: Stack, rounds: Sequence[Round]) -> list[Keying]:
    """Have the agents key every planned order while the rounds of faults go by."""
    agents = [
        Agent(
            base_url=run.desk_url,
            username=f"agent{number}",
            password=AGENT_PASSWORD,
            tenant_id=run.tenant_id,
        )
        for number in range(run.args.concurrency)
    ]
    with ThreadPoolExecutor(max_workers=len(agents)) as pool:
        # list(): a refused sign-in raises here, not in a thread nobody watches.
        list(pool.map(Agent.login, agents))

    plan = order_plan(run)
    lock = threading.Lock()
    taken = 0
    results: list[Keying] = []
    stop = threading.Event()

    def work(agent: Agent) -> None:
        nonlocal taken
        while not stop.is_set():
            with lock:
                if taken >= len(plan):
                    return
                reference, lines, mode = plan[taken]
                taken += 1
            try:
                keying = agent.key(reference=reference, lines=lines, mode=mode)
            # Whatever breaks in the bench's own agent is counted in the report, not lost.
            except Exception as exc:
                keying = Keying(reference=reference, agent=agent.username, mode=mode)
                keying.page_error = f"the bench's agent failed: {exc!r}"
            with lock:
                results.append(keying)

    # CPU from here on: start-up, migrations and password hashing at sign-in are not the desk's
    # cost per order.
    run.cpu_at_start = cpu_used(stack)
    # Round i starts when the agents take order i·N/R: every round gets its share of orders.
    starts = [index * len(plan) // len(rounds) for index in range(len(rounds))]
    run.started_at = time.monotonic()
    deadline = run.started_at + run.args.keying_timeout
    # Daemons: an interrupted bench must not wait for agents blocked on a server it stopped.
    workers = [threading.Thread(target=work, args=(agent,), daemon=True) for agent in agents]
    for worker in workers:
        worker.start()
    next_round = 0
    try:
        while any(worker.is_alive() for worker in workers):
            with lock:
                progress = taken
            while next_round < len(rounds) and progress >= starts[next_round]:
                apply_round(run, rounds[next_round], stack=stack, keyed=progress)
                next_round += 1
            if time.monotonic() > deadline and not stop.is_set():
                say(f"  keying timeout ({run.args.keying_timeout:g} s): agents stop")
                stop.set()
            stack.check_alive()
            time.sleep(0.05)
    finally:
        stop.set()
    for agent in agents:
        agent.close()
    run.keying_seconds = time.monotonic() - run.started_at
    return results


def settle(run: Run) -> None:
    """Wait, with Clarus calm, until no order is waiting (but those the desk gave up on)."""
    from django.core.management import call_command

    from bench.tally import progress

    call_command(
        "sandbox_faults",
        subdomain=SUBDOMAIN,
        clear=True,
        latency_ms=run.args.latency_ms,
        stdout=io.StringIO(),
    )
    deadline = time.monotonic() + run.args.settle_timeout
    last_line = 0.0
    while True:
        state = progress(tenant_id=run.tenant_id)
        now = time.monotonic()
        if state.waiting - state.given_up <= 0 or now > deadline:
            break
        if now - last_line >= 5:
            say(f"  {now - run.started_at:6.1f} s  settling: {state.line()}")
            last_line = now
        time.sleep(0.25)
    run.settle_seconds = time.monotonic() - run.started_at - run.keying_seconds
    say(f"  {time.monotonic() - run.started_at:6.1f} s  settled: {state.line()}")


def amendment_rounds(*, calm_ms: int, timeout_ms: int, faults: bool = True) -> list[Round]:
    """Return the rounds of the amendment phase (sandbox/faults.py knobs apply to PATCH too)."""
    calm = {"latency_ms": calm_ms}
    if not faults:
        return [Round("calm (no faults)", calm)]
    return [
        Round("calm", calm),
        Round("500s for 6 requests", {**calm, "fail_next": 6}),
        Round(
            "4 connections dropped after the amendment is applied", {**calm, "drop_after_store": 4}
        ),
        Round(f"read timeouts, {timeout_ms} ms", {"latency_ms": timeout_ms}),
        Round("422 for 3 requests", {**calm, "forced_status": 422, "fail_next": 3}),
        Round(
            "storm: 503s, drops, 300 ms",
            {"latency_ms": 300, "forced_status": 503, "fail_next": 4, "drop_after_store": 3},
        ),
    ]


def amend_phase(run: Run, *, rounds: Sequence[Round]) -> tuple[Any, float] | None:
    """Amend some of the run's sent orders through the amend page, round by round of faults."""
    from django.core.management import call_command

    from bench.amending import amend_plans, amend_tally, run_amendments

    plans = amend_plans(tenant_id=run.tenant_id, prefix=run.prefix, count=run.args.amendments)
    if not plans:
        return None
    amenders = [
        Agent(
            base_url=run.desk_url,
            username=f"amender{number}",
            password=AGENT_PASSWORD,
            tenant_id=run.tenant_id,
        )
        for number in range(run.args.amenders)
    ]
    for amender in amenders:
        amender.login()
    say(f"Amending {len(plans)} sent orders, {len(amenders)} supervisors, {len(rounds)} round(s):")
    started = time.monotonic()
    results: list[Any] = []
    for index, chaos in enumerate(rounds):
        share = plans[index * len(plans) // len(rounds) : (index + 1) * len(plans) // len(rounds)]
        knobs = io.StringIO()
        call_command("sandbox_faults", subdomain=SUBDOMAIN, clear=True, stdout=knobs, **chaos.knobs)
        note = f"{time.monotonic() - started:6.1f} s  amendment {len(results):>4}  {chaos.name}"
        run.timeline.append(note)
        say(f"  {note}")
        results += run_amendments(
            clients=[(amender.http, amender.username) for amender in amenders], plans=share
        )
    call_command(
        "sandbox_faults",
        subdomain=SUBDOMAIN,
        clear=True,
        latency_ms=run.args.latency_ms,
        stdout=io.StringIO(),
    )
    for amender in amenders:
        amender.close()
    elapsed = time.monotonic() - started
    return amend_tally(plans=plans, results=results), elapsed


def amend_report(outcome: tuple[Any, float] | None) -> int:
    """Print the amendment figures; return 1 if one was lost or applied twice."""
    if outcome is None:
        say("  amendments            none (no sent order to amend)")
        return 0
    account, elapsed = outcome
    say(f"  amended (planned)     {account.amended} in {elapsed:.1f} s")
    say(f"  amendments applied    {account.applied}")
    say(f"  amendments lost       {len(account.lost)}")
    say(f"  applied twice         {len(account.twice)}")
    say(
        f"  not applied           {len(account.not_applied)} (the agent gave up; Clarus holds the "
        "order as before)"
    )
    say(f"  adopted after no answer {account.adopted} (found applied in Clarus, not sent again)")
    attempts = ", ".join(f"{k} ×{v}" for k, v in sorted(account.attempts_by_outcome.items()))
    say(f"  amendment requests    {attempts}")
    if account.desk_disagrees:
        say(f"  desk and Clarus disagree on the lines of {len(account.desk_disagrees)} order(s)")
    for order_id in (account.lost + account.twice)[:10]:
        say(f"    lost or twice: order {order_id}")
    return 1 if account.lost or account.twice or account.desk_disagrees else 0


def start_approvers(run: Run) -> Any:
    """Start the supervisors approving held orders (``--approvals``), or return None."""
    if not run.args.approvals:
        return None
    from bench.approving import Approvers

    supervisors = [
        Agent(
            base_url=run.desk_url,
            username=f"approver{number}",
            password=AGENT_PASSWORD,
            tenant_id=run.tenant_id,
        )
        for number in range(max(run.args.approvers, 1))
    ]
    approvers = Approvers(supervisors=supervisors, tenant_id=run.tenant_id)
    approvers.start()
    return approvers


def approvals_report(run: Run, approvers: Any) -> int:
    """Print what became of the held orders; return 1 if one was approved or sent twice."""
    from bench.approving import approval_tally

    account = approval_tally(tenant_id=run.tenant_id, prefix=run.prefix)
    answers = ", ".join(f"{k} ×{v}" for k, v in sorted(approvers.done.answers.items()))
    slowest = max(approvers.done.seconds, default=None)
    say(f"  held for approval     {account.held}")
    say(f"  approved              {account.approved} (twice: {account.approved_twice})")
    say(f"  approvals' answers    {answers or 'none'} (slowest {seconds(slowest)})")
    say(f"  sent once             {account.sent_once}")
    say(f"  sent twice            {account.sent_twice}")
    say(f"  rejected by Clarus    {account.rejected} (after approval: the 422 rounds)")
    say(f"  not sent              {account.not_sent} (still held, or given up by the desk)")
    for supervisor in approvers.supervisors:
        supervisor.close()
    # A lost order (sent on the desk, nowhere in Clarus) is counted by the summary above.
    return 1 if account.sent_twice or account.approved_twice else 0


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f} s"


def report(run: Run, keyings: Sequence[Keying], *, cpu: Mapping[str, float]) -> int:
    """Print the summary; return the exit status."""
    from bench.tally import order_story, percentile, tally

    args = run.args
    acknowledged = [keying.reference for keying in keyings if keying.acknowledged]
    account = tally(
        tenant_id=run.tenant_id,
        prefix=run.prefix,
        acknowledged=acknowledged,
        attempted=[keying.reference for keying in keyings],
    )
    posts = [post for keying in keyings for post in keying.posts]
    answers = Counter(
        "no answer" if post.status is None else f"{post.status} {post.outcome}" for post in posts
    )
    first_answers = [s for k in keyings if (s := k.first_answer_seconds) is not None]
    desk_duplicates = sum(1 for keying in keyings if len(keying.order_ids) > 1)
    not_keyed = args.orders - len(keyings)
    page_errors = [f"{k.reference}: {k.page_error}" for k in keyings if k.page_error]
    invalid = [
        p.detail for p in posts if p.outcome in (Outcome.INVALID, Outcome.DUPLICATE_REFERENCE)
    ]
    modes = Counter(keying.mode for keying in keyings)

    elapsed = run.keying_seconds + run.settle_seconds
    senders_http = args.desk_workers * args.threads
    senders = senders_http + args.sweepers
    calm = args.latency_ms / 1000
    measured = account.mean_sent_request_seconds

    say("")
    say(f"Chaos bench: {args.orders} orders, {args.concurrency} agents, {os.cpu_count()} CPU(s)")
    say(f"  code: {os.environ.get('CHAOS_CODE_VERSION', 'the working tree')}")
    say(
        f"  desk: gunicorn {args.desk_workers} workers × {args.threads} threads; sandbox: gunicorn "
        f"{args.sandbox_workers} × {args.sandbox_threads}; {args.sweepers} desk_worker(s); "
        f"read timeout {os.environ['CLARUS_READ_TIMEOUT']} s, lease "
        f"{os.environ['DESK_SEND_LEASE_SECONDS']} s; DJANGO_DEBUG=true"
    )
    say(f"  keyed                 {account.keyed}")
    say(
        f"    forms               {len(keyings)} ({modes[Mode.SINGLE]} single, "
        f"{modes[Mode.DOUBLE_CLICK]} double-clicked, {modes[Mode.RESEND]} resent after the answer)"
    )
    say(f"  sent                  {account.sent}")
    say(f"  rejected              {account.rejected}")
    say(f"  still waiting         {account.waiting} (given up by the desk: {account.given_up})")
    say(f"  duplicates at Clarus  {account.duplicates}")
    say(f"  lost                  {account.lost}")
    say(
        f"  elapsed               {elapsed:.1f} s (keying {run.keying_seconds:.1f} s, "
        f"settling {run.settle_seconds:.1f} s)"
    )
    say(f"  throughput            {account.sent / elapsed:.2f} orders sent/s")
    limit = f"{senders / calm:.0f} orders/s at the calm latency {calm * 1000:.0f} ms"
    if measured:
        limit += (
            f"; {senders / measured:.0f} orders/s at the measured mean {measured * 1000:.0f} ms"
        )
    say(
        f"  theoretical limit     {senders} senders ({senders_http} desk gunicorn threads sending "
        f"synchronously + {args.sweepers} desk_worker processes) ÷ Clarus latency: {limit}"
    )
    cycles = [keying.seconds for keying in keyings if keying.seconds]
    if cycles:
        cycle = statistics.fmean(cycles)
        say(
            f"  agents' own limit     {args.concurrency} agents, each waiting for its answers, ÷ "
            f"{cycle:.2f} s per form (entry page, POSTs, order page) = "
            f"{args.concurrency / cycle:.0f} forms/s"
        )
    cpu_total = sum(cpu.values())
    cores = os.cpu_count() or 1
    if account.sent and cpu_total:
        per_order = cpu_total / account.sent
        used = ", ".join(f"{name} {value:.1f} s" for name, value in cpu.items())
        say(
            f"  CPU used              {used}: {per_order:.3f} CPU-s "
            f"per order sent, so {cores} core(s) cap the run near {cores / per_order:.0f} orders/s"
        )
    p50, p95 = percentile(first_answers, 0.5), percentile(first_answers, 0.95)
    slowest = max(first_answers, default=None)
    say(
        f"  POST → answer         p50 {seconds(p50)}, p95 {seconds(p95)}, max {seconds(slowest)}"
        " (first POST of each form)"
    )
    say(f"  desk answers          {', '.join(f'{k} ×{v}' for k, v in sorted(answers.items()))}")
    attempts = ", ".join(f"{k} ×{v}" for k, v in sorted(account.attempts_by_status.items()))
    say(f"  goods-out requests    {attempts} (Clarus's answers, as the desk recorded them)")
    say(f"  adopted from Clarus   {account.adopted} (an earlier try had arrived; nothing resent)")
    checks = {
        "forms answered with two different orders": desk_duplicates,
        "sent orders with the wrong Clarus id": account.wrong_ids,
        "rejected orders that Clarus holds": account.rejected_but_in_clarus,
        "goods-outs in Clarus with no desk order": account.orphans,
        "forms no agent got saved": account.unsaved,
        "forms never keyed (keying timeout)": not_keyed,
    }
    for label, count in checks.items():
        if count:
            say(f"  {label}: {count}")
    for reference in account.duplicated_references[:10]:
        say(f"    duplicated: {reference}")
    for reference in account.lost_references[:10]:
        say(f"    lost: {reference}")
    for reference in (account.duplicated_references + account.lost_references)[:1]:
        say(f"    what happened to {reference}:")
        for line in order_story(tenant_id=run.tenant_id, reference=reference):
            say(f"      {line}")
    for line in page_errors[:10] + invalid[:10]:
        say(f"    agent saw: {line}")
    say("  fault rounds:")
    for line in run.timeline:
        say(f"    {line}")

    if (
        account.duplicates
        or account.lost
        or desk_duplicates
        or account.wrong_ids
        or account.rejected_but_in_clarus
        or account.orphans
    ):
        return 1
    if account.waiting or account.unsaved or not_keyed:
        return 2
    return 0


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    configure_environment()
    # SIGTERM (a CI timeout, a kill) unwinds like Ctrl+C, so the services are stopped; SIGINT
    # too when started in the background, where the shell hands it down ignored.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    logs = Path(tempfile.mkdtemp(prefix="desk-chaos-"))
    run = Run(args=args, logs=logs, prefix=f"CHAOS-{uuid.uuid4().hex[:6].upper()}")
    stack = Stack(root=ROOT, bin=VENV_BIN, logs=logs, env=dict(os.environ))
    status = 3
    setup_started = time.monotonic()
    try:
        desk_port, sandbox_port = free_port(), free_port()
        sandbox_url = f"http://{LOOPBACK}:{sandbox_port}/sandbox"
        run.desk_url = f"http://{LOOPBACK}:{desk_port}"
        say(f"Setting up: migrate, sandbox client, tenant, {args.concurrency} agent logins …")
        provision(run, sandbox_url=sandbox_url)
        # The sandbox is a server of its own, as Clarus is: the desk reaches it over the wire.
        stack.gunicorn(
            "sandbox", port=sandbox_port, workers=args.sandbox_workers, threads=args.sandbox_threads
        )
        stack.gunicorn("desk", port=desk_port, workers=args.desk_workers, threads=args.threads)
        for number in range(args.sweepers):
            # A short poll: the bench's retries are due in tenths of a second, not minutes.
            stack.manage(
                f"desk_worker-{number}",
                "desk_worker",
                "--interval=0.2",
                f"--worker-id=chaos-{number}",
            )
        wait_until_serving(f"{sandbox_url}/", stack=stack)
        wait_until_serving(f"{run.desk_url}/login/", stack=stack)
        say(
            f"Ready in {time.monotonic() - setup_started:.0f} s: desk {run.desk_url}/  "
            f"sandbox {sandbox_url}/  logs {logs}"
        )
        rounds = fault_rounds(
            calm_ms=args.latency_ms,
            timeout_ms=args.timeout_latency_ms or round(settings.CLARUS_READ_TIMEOUT * 1000) + 600,
            faults=not args.no_faults,
        )
        approvers = start_approvers(run)
        say(f"Keying {args.orders} orders, {args.concurrency} agents, {len(rounds)} round(s):")
        keyings = key_orders(run, stack=stack, rounds=rounds)
        settle(run)
        if approvers is not None:
            approvers.stop()
        cpu = {
            name: used - run.cpu_at_start.get(name, 0.0) for name, used in cpu_used(stack).items()
        }
        amended = None
        if args.amendments:
            amended = amend_phase(
                run,
                rounds=amendment_rounds(
                    calm_ms=args.latency_ms,
                    timeout_ms=args.timeout_latency_ms
                    or round(settings.CLARUS_READ_TIMEOUT * 1000) + 600,
                    faults=not args.no_faults,
                ),
            )
        status = report(run, keyings, cpu=cpu)
        if approvers is not None:
            say("Approvals:")
            status = max(status, approvals_report(run, approvers)) if status != 1 else status
        if args.amendments:
            say("Amendments:")
            status = max(status, amend_report(amended)) if status != 1 else status
    except (RuntimeError, OSError) as exc:
        say(f"chaos: {exc}")
        status = 3
    except KeyboardInterrupt:
        say("chaos: interrupted")
        status = 130
    finally:
        stack.stop()
        connections.close_all()
    if status == 0 and not args.keep_logs:
        shutil.rmtree(logs, ignore_errors=True)
    else:
        say(f"Logs of the desk, the sandbox and the workers: {logs}")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
