"""Fill the desk with a realistic order history, to see the supervisors' pages at scale.

Tenants, logins, orders, lines and one submission attempt per order, spread over the past months
with the mix a busy desk would have. Deterministic for a given seed (and ``until``). On PostgreSQL
rows go in with ``COPY``, a batch per transaction, so a million orders take minutes.

Each order is keyed data passed through the desk's own document builder (``orders.payloads``):
the stored header and address, and the request body byte for byte, are what the desk would have
stored and sent for it. Clarus's answers (ids, 422 errors, 5xx, silence) are made up here: they
are the other side of the wire.

Generated tenants have subdomains starting ``hist-`` and placeholder Clarus connections on the
reserved ``.invalid`` domain: nothing here is a real credential, and no generated order is ever
due for delivery (no drafts, nothing in ``sending``, no retry time on failed or unknown orders).
``manage.py desk_generate_history`` is the command line for it.
"""

import bisect
import itertools
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.utils import timezone

from orders.clarus.documents import (
    address_attributes,
    goods_out_body,
    goods_out_document,
    header_attributes,
)
from orders.domain import DeliveryAddress, LineInput, OrderHeader, normalised_name, phone_digits
from orders.models import (
    AttemptOutcome,
    Membership,
    Order,
    OrderLine,
    OrderStatus,
    Role,
    SubmissionAttempt,
    Tenant,
)

# Compact JSON for Clarus's answers and the COPY of JSON columns: one encoder, built once (a
# million orders would otherwise build six million).
_compact_json = json.JSONEncoder(separators=(",", ":")).encode

SUBDOMAIN_PREFIX = "hist-"
# (subdomain suffix, name, reference prefix), in order of size: the first tenant is the busiest.
TENANTS = (
    ("northgate", "Northgate Fulfilment", "SO-"),
    ("pennine", "Pennine 3PL", "PEN"),
    ("severn", "Severn Logistics", "SVN-"),
    ("fenland", "Fenland Distribution", "FD"),
    ("clyde", "Clyde Warehousing", "CW-"),
    ("mersey", "Mersey Freight", "MF"),
    ("solent", "Solent Stores", "SOL-"),
    ("wolds", "Wolds Contract Logistics", "WCL"),
)
TENANT_WEIGHTS = (30, 24, 19, 15, 12, 10, 8, 6)
PLACEHOLDER_SECRET = "placeholder-not-a-secret"

# A busy desk's outcomes: most orders go through, a few are rejected, a handful wait for a
# supervisor's "Send again" after the desk gave up (failed) or never heard back (unknown).
STATUS_MIX = (
    (OrderStatus.SENT, 0.905),
    (OrderStatus.REJECTED, 0.05),
    (OrderStatus.FAILED, 0.03),
    (OrderStatus.UNKNOWN, 0.015),
)
LINE_COUNT_WEIGHTS = (45, 25, 15, 9, 6)  # 1 to 5 lines

# UK postcode areas with a post town and county (address_3 and address_4 in Clarus's names).
AREAS = (
    ("LS", "Leeds", "West Yorkshire", 28),
    ("BD", "Bradford", "West Yorkshire", 24),
    ("M", "Manchester", "Greater Manchester", 40),
    ("B", "Birmingham", "West Midlands", 76),
    ("CV", "Coventry", "West Midlands", 12),
    ("G", "Glasgow", "Lanarkshire", 78),
    ("EH", "Edinburgh", "Midlothian", 55),
    ("AB", "Aberdeen", "Aberdeenshire", 25),
    ("CF", "Cardiff", "South Glamorgan", 24),
    ("BS", "Bristol", "", 41),
    ("NE", "Newcastle upon Tyne", "Tyne and Wear", 66),
    ("S", "Sheffield", "South Yorkshire", 36),
    ("L", "Liverpool", "Merseyside", 38),
    ("NG", "Nottingham", "Nottinghamshire", 25),
    ("LE", "Leicester", "Leicestershire", 19),
    ("DE", "Derby", "Derbyshire", 24),
    ("SO", "Southampton", "Hampshire", 53),
    ("RG", "Reading", "Berkshire", 45),
    ("OX", "Oxford", "Oxfordshire", 29),
    ("CB", "Cambridge", "Cambridgeshire", 25),
    ("PE", "Peterborough", "Cambridgeshire", 38),
    ("NR", "Norwich", "Norfolk", 35),
    ("EX", "Exeter", "Devon", 39),
    ("PL", "Plymouth", "Devon", 35),
    ("YO", "York", "North Yorkshire", 62),
    ("HU", "Hull", "East Riding of Yorkshire", 20),
    ("BN", "Brighton", "East Sussex", 45),
    ("MK", "Milton Keynes", "Buckinghamshire", 46),
    ("BT", "Belfast", "County Antrim", 94),
    ("SE", "London", "", 28),
    ("N", "London", "", 22),
    ("E", "London", "", 18),
    ("SW", "London", "", 20),
)
# Telephone numbers: only Ofcom's ranges kept for drama (1,000 numbers each, never given to
# anyone: https://www.ofcom.org.uk/phones-and-broadband/phone-numbers/numbers-for-drama), the
# town's own where it has one, so no generated row holds a real person's number. The cost: a
# number is shared by several generated customers, so a phone search finds tens of orders.
DRAMA_NUMBERS = {
    "LS": "0113 496 0",
    "S": "0114 496 0",
    "NG": "0115 496 0",
    "LE": "0116 496 0",
    "BS": "0117 496 0",
    "RG": "0118 496 0",
    "B": "0121 496 0",
    "EH": "0131 496 0",
    "G": "0141 496 0",
    "L": "0151 496 0",
    "M": "0161 496 0",
    "NE": "0191 498 0",
    "SE": "020 7946 0",
    "N": "020 7946 0",
    "E": "020 7946 0",
    "SW": "020 7946 0",
    "BT": "028 9649 6",
    "CF": "029 2018 0",
}
DRAMA_ELSEWHERE = "01632 960"
DRAMA_MOBILE = "07700 900"
# The letters Royal Mail uses in the last two places of a postcode.
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
FIRST_NAMES = (  # noqa: SIM905 - word lists read better as text
    "Amelia Oliver Isla George Ava Noah Mia Arthur Ivy Leo Grace Oscar Freya Harry Lily "
    "Jack Sophie Charlie Emily Jacob Ella Thomas Poppy William Ruby James Evie Alfie Chloe "
    "Henry Zara Priya Mohammed Aisha Kwame Siobhan Dylan Megan Callum Niamh Rhys Fatima "
    "Tomasz Agnieszka"
).split()
SURNAMES = (  # noqa: SIM905 - word lists read better as text
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Wood Jackson Clarke Khan Hughes Lewis Begum "
    "Edwards Turner Murphy Campbell MacDonald Kowalski Okafor Nowak O'Brien Singh Hussain "
    "Chen Shaw Lloyd Price"
).split()
COMPANY_WORDS = (  # noqa: SIM905 - word lists read better as text
    "Acorn Beacon Bramble Cedar Copper Harbour Heather Kestrel Lark Maple Meadow Oak "
    "Orchard Pebble Quarry Riverside Rowan Saltire Thistle Willow Yew Granite Juniper "
    "Foxglove Ember"
).split()
COMPANY_KINDS = (
    "Ltd",
    "Trading Ltd",
    "Supplies",
    "Home & Garden",
    "Cycles",
    "Pharmacy",
    "Cafe",
    "Hardware",
)
STREET_NAMES = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Park Avenue",
    "Mill Lane",
    "Queen Street",
    "Chapel Street",
    "Springfield Road",
    "Kingsway",
    "Market Place",
    "Bridge Street",
    "Orchard Close",
    "Westfield Drive",
    "Harbour View",
)
NOTES = (
    "Leave with neighbour if out",
    "Call before delivery",
    "Goods in via rear entrance",
    "Fragile - glass",
    "Pallet, tail-lift needed",
    "Deliver before noon",
)
# Clarus's answers' headers, as the desk stores them.
JSON_TYPE = {"Content-Type": "application/json"}
REJECTIONS = (
    (1101, "product_not_found", "Product {product} does not exist.", "lines_changes[0].product_id"),
    (1204, "invalid_postcode", "Postcode {postcode} is not valid for GB.", "address.postcode"),
    (1302, "insufficient_stock", "Not enough stock of product {product}.", None),
    (1007, "account_on_hold", "Account {account} is on hold.", "account_id"),
)


@dataclass
class TenantPlan:
    """What the generator needs to know about one tenant while it writes its orders."""

    tenant: Tenant
    reference_prefix: str
    next_reference: int
    next_clarus_id: int
    agent_ids: list[int]
    # Cumulative weights, for random.choices.
    agent_weights: list[float]
    accounts: list[int]
    account_weights: list[float]
    catalogue: range
    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Batch:
    orders: list[tuple[Any, ...]]
    lines: list[tuple[Any, ...]]
    attempts: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Totals:
    """What one run wrote."""

    orders: int
    lines: int
    attempts: int
    seconds: float
    # The sign-in of each generated tenant's supervisor, busiest tenant first.
    supervisors: list[str]


class HistoryExists(Exception):
    """Generated orders are already there and the run was not asked to add to them."""

    def __init__(self, orders: int) -> None:
        super().__init__(f"{orders:,} generated orders already exist.")
        self.orders = orders


ORDER_COLUMNS = (
    "id",
    "tenant",
    "created_by",
    "created_at",
    "updated_at",
    "form_token",
    "status",
    "clarus_id",
    "sent_at",
    "header",
    "address",
    "reference",
    "account_id",
    "postcode",
    "contact_name",
    "contact_email",
    "contact_phone",
    "lease_until",
    "next_attempt_at",
    "send_count",
    "status_note",
)
LINE_COLUMNS = ("order", "position", "product_id", "quantity")
ATTEMPT_COLUMNS = (
    "order",
    "tenant",
    "user",
    "started_at",
    "duration_ms",
    "method",
    "url",
    "request_headers",
    "request_body",
    "response_status",
    "response_headers",
    "response_body",
    "outcome",
    "error",
)


def generated_order_count() -> int:
    """Return how many generated orders the database holds (in every ``hist-`` tenant)."""
    return Order.objects.filter(tenant__subdomain__startswith=SUBDOMAIN_PREFIX).count()


def history_generate(
    *,
    orders: int,
    tenants: int,
    agents: int,
    seed: int,
    batch: int,
    days: int,
    until: datetime,
    append: bool = False,
    progress: "Progress | None" = None,
) -> Totals:
    """Write ``orders`` orders into the first ``tenants`` generated tenants, oldest first.

    Raise ``HistoryExists`` when generated orders are there already, unless ``append``. The same
    seed, ``until`` and starting point give the same rows.
    """
    existing = generated_order_count()
    if existing and not append:
        raise HistoryExists(existing)
    rng = random.Random(f"{seed}/{existing}")
    plans = _tenant_plans(rng, tenant_count=tenants, agents=agents)
    clock = Clock(rng, count=orders, until=until, days=days)
    pool = AddressPool(rng, size=max(200, orders // 6))
    writer = _writer()
    started = time.monotonic()
    if progress is not None:
        progress.start()
    lines = 0
    for first in range(0, orders, batch):
        size = min(batch, orders - first)
        with transaction.atomic():
            ids = writer.reserve_order_ids(size)
            rows = _generate(rng, plans, pool, clock, ids=ids, first=first)
            writer.write(Order, ORDER_COLUMNS, rows.orders)
            writer.write(OrderLine, LINE_COLUMNS, rows.lines)
            writer.write(SubmissionAttempt, ATTEMPT_COLUMNS, rows.attempts)
        lines += len(rows.lines)
        if progress is not None:
            progress.show(first + size)
    if progress is not None:
        progress.done()
    writer.finish()
    return Totals(
        orders=orders,
        lines=lines,
        attempts=orders,
        seconds=time.monotonic() - started,
        supervisors=[f"{plan.tenant.subdomain}-supervisor" for plan in plans],
    )


def _tenant_plans(rng: random.Random, *, tenant_count: int, agents: int) -> list[TenantPlan]:
    """Create the tenants and their staff if missing; return where each one's numbering is."""
    plans = []
    for index, (suffix, name, prefix) in enumerate(TENANTS[:tenant_count]):
        subdomain = SUBDOMAIN_PREFIX + suffix
        base_url = f"https://{subdomain}.clarus.invalid"
        tenant, _ = Tenant.objects.get_or_create(
            subdomain=subdomain,
            defaults={
                "name": name,
                "api_base_url": base_url,
                "token_url": f"{base_url}/oauth/token",
                "client_id": f"{subdomain}-desk",
                "client_secret": PLACEHOLDER_SECRET,
            },
        )
        staff = [(f"{subdomain}-supervisor", Role.SUPERVISOR)] + [
            (f"{subdomain}-agent{n:02d}", Role.AGENT) for n in range(1, agents + 1)
        ]
        agent_ids = []
        for username, role in staff:
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": role})
            if role == Role.AGENT:
                agent_ids.append(user.pk)
        orders = Order.objects.filter(tenant=tenant)
        highest = orders.aggregate(models.Max("clarus_id"))["clarus_id__max"]
        account_count = rng.randint(6, 30)
        plans.append(
            TenantPlan(
                tenant=tenant,
                reference_prefix=prefix,
                next_reference=100_001 + orders.count(),
                next_clarus_id=(highest or 200_000 + 37_000 * index) + 1,
                agent_ids=agent_ids,
                # Some agents key far more than others.
                agent_weights=_cumulative(rng.uniform(0.3, 3.0) for _ in agent_ids),
                accounts=[1000 + 100 * index + n for n in range(1, account_count + 1)],
                # A few big accounts, a long tail of small ones.
                account_weights=_cumulative(1 / n for n in range(1, account_count + 1)),
                catalogue=range(10_000 + 10_000 * index, 12_500 + 10_000 * index),
                url=f"{base_url}/api/goods_outs",
                headers={
                    # What the desk stores: the token redacted (orders.clarus.http).
                    "Authorization": "[redacted]",
                    "X-Clarus-Subdomain": subdomain,
                    "Content-Type": "application/json",
                },
            )
        )
    return plans


class Clock:
    """Creation times, oldest first: weekdays and office hours busy, nights and Sundays quiet,
    a year of growth and a December peak."""

    def __init__(self, rng: random.Random, *, count: int, until: datetime, days: int) -> None:
        self.rng = rng
        self.count = count
        hours = days * 24
        self.starts = [until - timedelta(hours=hours - h) for h in range(hours)]
        zone = timezone.get_current_timezone()
        cumulative = []
        total = 0.0
        for h, start in enumerate(self.starts):
            local = start.astimezone(zone)
            weight = HOUR_WEIGHTS[local.hour] * DAY_WEIGHTS[local.weekday()]
            weight *= (1.4 if local.month == 12 else 1.0) * (0.75 + 0.5 * h / hours)
            total += weight
            cumulative.append(total)
        self.cumulative = cumulative
        self.total = total
        # The last hour may end at ``until`` exactly: a small cut keeps every order before it.
        self.until = until

    def at(self, n: int) -> datetime:
        """Return the creation time of the ``n``-th order of the run (0-based)."""
        target = (n + self.rng.random()) / self.count * self.total
        hour = min(bisect.bisect_right(self.cumulative, target), len(self.cumulative) - 1)
        before = self.cumulative[hour - 1] if hour else 0.0
        share = (target - before) / (self.cumulative[hour] - before)
        return min(self.starts[hour] + timedelta(seconds=3600 * share), self.until)


HOUR_WEIGHTS = (
    (0.02,) * 7 + (0.3, 0.8, 1.0, 1.0, 1.0, 1.0, 0.8, 1.0, 1.0, 1.0, 0.6, 0.3, 0.3) + (0.08,) * 4
)
DAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.25, 0.1)


# (name, email, phone): the search columns of Order, normalised as orders.services.submission
# stores them.
Contact = tuple[str, str, str]


class AddressPool:
    """Delivery addresses: a few regular customers, many one-off ones, so a postcode search finds
    a handful of orders."""

    def __init__(self, rng: random.Random, *, size: int) -> None:
        self.rng = rng
        # Stored and sent as the desk's builder makes them from what an agent keyed.
        self.keyed = [self._keyed() for _ in range(size)]
        self.addresses = [address_attributes(keyed) for keyed in self.keyed]
        self.contacts: list[Contact] = [
            (
                normalised_name(a["name"]),
                a.get("email_address", "").lower(),
                phone_digits(a.get("phone_number", "")),
            )
            for a in self.addresses
        ]
        self.regulars = max(1, size // 20)

    def _keyed(self) -> DeliveryAddress:
        """Return a delivery address as an agent keys it."""
        rng = self.rng
        area, town, county, districts = rng.choice(AREAS)
        postcode = (
            f"{area}{rng.randint(1, districts)} {rng.randint(0, 9)}"
            f"{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"
        )
        company = rng.random() < 0.35
        if company:
            name = f"{rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_KINDS)}"
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        keyed = {
            "name": name,
            "address_1": f"{rng.randint(1, 240)} {rng.choice(STREET_NAMES)}",
            "town": town,
            "county": county,
            "postcode": postcode,
            "country": "GB",
        }
        # Email and phone are optional on the entry form: most orders carry both.
        if rng.random() < 0.92:
            keyed["email"] = self._email(name, company=company)
        if rng.random() < 0.88:
            mobile = not company and rng.random() < 0.6
            national = (DRAMA_MOBILE if mobile else DRAMA_NUMBERS.get(area, DRAMA_ELSEWHERE)) + (
                f"{rng.randrange(1000):03d}"
            )
            keyed["phone"] = self._as_typed(national)
        return DeliveryAddress(**keyed)

    def _email(self, name: str, *, company: bool) -> str:
        """Return an address on a domain reserved for examples (RFC 2606), as an agent types it."""
        rng = self.rng
        words = [w.lower().replace("'", "") for w in name.split()]
        number = rng.randint(1, 999)
        if company:
            box = rng.choice(("orders", "accounts", "info", "goodsin"))
            email = f"{box}@{words[0]}{number}.example"
        else:
            first, surname = words
            email = rng.choice(
                (
                    f"{first}.{surname}{number}@example.com",
                    f"{first[0]}{surname}{number}@example.net",
                    f"{first}{number}@example.org",
                )
            )
        # Agents sometimes copy an address with capitals in it; the search ignores case.
        if rng.random() < 0.1:
            local, _, domain = email.partition("@")
            email = f"{local.title()}@{domain.capitalize()}"
        return email

    def _as_typed(self, national: str) -> str:
        """Return a national number ("0113 496 0123") the way agents key them, in every form
        the customer reads it out."""
        roll = self.rng.random()
        if roll < 0.55:
            return national
        if roll < 0.75:
            return national.replace(" ", "")
        if roll < 0.95:
            return "+44 " + national[1:]
        return "+44 (0)" + national[1:]

    def pick(self) -> tuple[DeliveryAddress, dict[str, Any], Contact]:
        if self.rng.random() < 0.1:
            index = self.rng.randrange(self.regulars)
        else:
            index = self.rng.randrange(len(self.addresses))
        return self.keyed[index], self.addresses[index], self.contacts[index]


def _generate(
    rng: random.Random,
    plans: Sequence[TenantPlan],
    pool: AddressPool,
    clock: Clock,
    *,
    ids: Sequence[int],
    first: int,
) -> Batch:
    """Return the rows of one batch of orders, oldest first."""
    batch = Batch([], [], [])
    tenant_weights = _cumulative(TENANT_WEIGHTS[: len(plans)])
    statuses = [s for s, _ in STATUS_MIX]
    status_weights = _cumulative(w for _, w in STATUS_MIX)
    line_counts = range(1, len(LINE_COUNT_WEIGHTS) + 1)
    line_weights = _cumulative(LINE_COUNT_WEIGHTS)
    zone = timezone.get_current_timezone()
    for offset, order_id in enumerate(ids):
        plan = rng.choices(plans, cum_weights=tenant_weights)[0]
        created_at = clock.at(first + offset)
        agent_id = rng.choices(plan.agent_ids, cum_weights=plan.agent_weights)[0]
        account_id = rng.choices(plan.accounts, cum_weights=plan.account_weights)[0]
        reference = f"{plan.reference_prefix}{plan.next_reference}"
        plan.next_reference += 1
        keyed_address, address, contact = pool.pick()
        dispatch = (created_at + timedelta(days=rng.choice((0, 1, 1, 1, 2, 3)))).astimezone(zone)
        # The header as an agent keys it.
        keyed: dict[str, Any] = {
            "goods_out_type": "sales_order" if rng.random() < 0.92 else "transfer",
            "account_id": account_id,
            "reference": reference,
            "expected_date_of_dispatch": dispatch.replace(
                hour=rng.choice((10, 12, 14, 16)), minute=0, second=0, microsecond=0
            ),
        }
        if rng.random() < 0.15:
            keyed["delivery_notes"] = rng.choice(NOTES)
        keyed_header = OrderHeader(**keyed)
        header = header_attributes(keyed_header)
        lines = [
            LineInput(product_id=rng.choice(plan.catalogue), quantity=_quantity(rng))
            for _ in range(rng.choices(line_counts, cum_weights=line_weights)[0])
        ]
        status = rng.choices(statuses, cum_weights=status_weights)[0]
        # What the desk sends for this order, to the byte (orders.clarus.rest serialises it so).
        request_body = goods_out_body(
            goods_out_document(header=keyed_header, lines=lines, address=keyed_address)
        )
        started_at = created_at + timedelta(milliseconds=rng.randint(80, 400))
        answer = _clarus_answer(
            rng, plan, status=status, header=header, lines=lines, address=address
        )
        sent = status == OrderStatus.SENT
        sent_at = started_at + timedelta(milliseconds=answer.duration) if sent else None
        updated_at = (sent_at or started_at + timedelta(milliseconds=answer.duration)) + timedelta(
            milliseconds=5
        )
        batch.orders.append(
            (
                order_id,
                plan.tenant.pk,
                agent_id,
                created_at,
                updated_at,
                uuid.UUID(int=rng.getrandbits(128), version=4),
                status,
                answer.clarus_id,
                sent_at,
                header,
                address,
                reference,
                account_id,
                address["postcode"],
                *contact,
                None,
                # Never due: the delivery worker must not try to send generated orders.
                None,
                1,
                answer.note,
            )
        )
        batch.lines.extend(
            (order_id, position, line.product_id, line.quantity)
            for position, line in enumerate(lines, start=1)
        )
        batch.attempts.append(
            (
                order_id,
                plan.tenant.pk,
                agent_id,
                started_at,
                answer.duration,
                "POST",
                plan.url,
                plan.headers,
                request_body,
                answer.status,
                answer.headers,
                answer.body,
                answer.outcome,
                answer.error,
            )
        )
    return batch


class Answer(NamedTuple):
    """Clarus's side of one attempt, and what the desk made of it, as its attempt row keeps."""

    duration: int
    status: int | None
    headers: dict[str, str] | None
    body: str
    outcome: AttemptOutcome
    # The attempt's error and the order's status note.
    error: str
    note: str
    clarus_id: int | None = None


def _clarus_answer(
    rng: random.Random,
    plan: TenantPlan,
    *,
    status: OrderStatus,
    header: dict[str, Any],
    lines: Sequence[LineInput],
    address: dict[str, Any],
) -> Answer:
    """Return Clarus's answer to an order that ended in ``status``, and how long it took."""
    if status == OrderStatus.SENT:
        clarus_id = plan.next_clarus_id
        plan.next_clarus_id += rng.choice((1, 1, 1, 2, 3))
        goods_out = {
            "data": {
                "id": clarus_id,
                "type": "goods_outs",
                "attributes": {**header, "goods_out_status_id": 2},
            }
        }
        return Answer(
            duration=rng.randint(140, 1400),
            status=200,
            headers=JSON_TYPE,
            body=_compact_json(goods_out),
            outcome=AttemptOutcome.SENT,
            error="",
            note=f"Sent to Clarus as goods-out {clarus_id}.",
            clarus_id=clarus_id,
        )
    if status == OrderStatus.REJECTED:
        duration = rng.randint(90, 600)
        code, symbol, details, source = rng.choice(REJECTIONS)
        details = details.format(
            product=lines[0].product_id, postcode=address["postcode"], account=header["account_id"]
        )
        error = {"code": code, "symbol": symbol, "details": details, "source": source}
        note = "Clarus rejected the order: correct the fields marked and send it again."
        return Answer(
            duration=duration,
            status=422,
            headers=JSON_TYPE,
            body=_compact_json({"errors": [error]}),
            outcome=AttemptOutcome.REJECTED,
            error=note,
            note=note,
        )
    if status == OrderStatus.FAILED:
        duration = rng.randint(200, 3000)
        http_status = rng.choice((500, 502, 503, 503))
        note = (
            f"Clarus answered with an error (HTTP {http_status}). The order is saved but "
            "not sent. The desk gave up after 10 tries: use “Send again”."
        )
        problem = {"errors": [{"code": http_status, "details": "Service unavailable"}]}
        return Answer(
            duration=duration,
            status=http_status,
            headers=JSON_TYPE,
            body=_compact_json(problem),
            outcome=AttemptOutcome.SERVER_ERROR,
            error=note,
            note=note,
        )
    note = "No answer from Clarus within 20 s. Clarus may have received the order."
    return Answer(
        duration=20_000,
        status=None,
        headers=None,
        body="",
        outcome=AttemptOutcome.NO_ANSWER,
        error=note,
        note=note,
    )


def _cumulative(weights: Iterable[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _quantity(rng: random.Random) -> Decimal:
    if rng.random() < 0.08:
        return Decimal(rng.randint(1, 400)) / 20  # weighed goods, in kilograms
    return Decimal(rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 10, 12, 24, 48)))


class Progress:
    """A one-line progress bar on a terminal (a command's ``OutputWrapper``); silent when stderr
    is not one."""

    def __init__(self, out: Any, *, total: int) -> None:
        self.out = out
        self.total = total
        self.started = time.monotonic()
        self.enabled = bool(getattr(out, "isatty", lambda: False)())

    def start(self) -> None:
        """Count the rate from now, when the first batch begins."""
        self.started = time.monotonic()

    def show(self, done: int) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed else 0.0
        left = (self.total - done) / rate if rate else 0.0
        filled = int(30 * done / self.total)
        self.out.write(
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {done / self.total:4.0%} "
            f"{done:,}/{self.total:,} orders  {rate:,.0f}/s  {left:4.0f} s left ",
            style_func=_plain,
            ending="",
        )
        self.out.flush()

    def done(self) -> None:
        if self.enabled:
            self.out.write("")


def _plain(text: str) -> str:
    return text


class Writer:
    """Insert rows a table at a time: the portable way, with ``executemany``."""

    def reserve_order_ids(self, size: int) -> list[int]:
        table = connection.ops.quote_name(Order._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            (highest,) = cursor.fetchone()
        return list(range(highest + 1, highest + 1 + size))

    def write(
        self, model: type[models.Model], names: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        fields, extra = _columns(model, names)
        columns = _column_list((*fields, *extra))
        marks = ", ".join(["%s"] * (len(fields) + len(extra)))
        table = connection.ops.quote_name(model._meta.db_table)
        prepare: list[Callable[[Any], Any]] = [_preparer(f) for f in fields]
        defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                [tuple(p(v) for p, v in zip(prepare, row, strict=True)) + defaults for row in rows],
            )

    def finish(self) -> None:
        """Bring the planner's statistics up to date after a large load."""


class PostgresWriter(Writer):
    """Insert rows with ``COPY … FROM STDIN``, ids reserved from the table's sequence."""

    def reserve_order_ids(self, size: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Order._meta.db_table, size],
            )
            return [row[0] for row in cursor.fetchall()]

    def write(
        self, model: type[models.Model], names: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> None:
        fields, extra = _columns(model, names)
        columns = _column_list((*fields, *extra))
        table = connection.ops.quote_name(model._meta.db_table)
        json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
        defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            # Rows share objects (a tenant's headers, a regular customer's address): each one is
            # serialised once per call, while the rows hold it (so its id stays its own).
            texts: dict[int, str] = {}
            for row in rows:
                values = list(row)
                for i in json_at:
                    value = values[i]
                    if value is not None:
                        text = texts.get(id(value))
                        if text is None:
                            text = texts[id(value)] = _compact_json(value)
                        values[i] = text
                copy.write_row((*values, *defaults) if defaults else values)

    def finish(self) -> None:
        # What autovacuum would do soon after a bulk insert: the planner's statistics, and the
        # visibility map that lets COUNT(*) and index-only scans skip the heap.
        # VACUUM cannot run in a transaction (a test's, or a caller's): then statistics only.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for model in (Order, OrderLine, SubmissionAttempt):
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def _writer() -> Writer:
    return PostgresWriter() if connection.vendor == "postgresql" else Writer()


def _column_list(fields: Iterable[models.Field[Any, Any]]) -> str:
    return ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)


def _columns(
    model: type[models.Model], names: Sequence[str]
) -> tuple[list[models.Field[Any, Any]], list[models.Field[Any, Any]]]:
    """Return the fields for ``names``, and any other column (one added since this was
    written) to fill with its default."""
    fields = [f for f in map(model._meta.get_field, names) if isinstance(f, models.Field)]
    known = {f.column for f in fields}
    extra = [f for f in model._meta.concrete_fields if f.column not in known and not f.primary_key]
    return fields, extra


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, models.ForeignKey):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)
