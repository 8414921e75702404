"""Agents keying orders through the desk's real HTTP stack, as a browser without JavaScript would.

Each agent signs in on the login page, draws the entry page for a fresh form token, and posts the
form. Some post the same form twice at once (a double click), some post it again after the answer
(a browser resend): the desk must turn each form into one goods-out whatever happens.
"""

import enum
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser

import httpx

# An agent whose POST got no usable answer (a dropped connection, a killed desk worker) posts
# the same form again after a pause, as they would press "Send" again: at most this many times.
MAX_TRANSPORT_RETRIES = 6
RETRY_PAUSE_SECONDS = 0.5
# A rejected order is sent again as it is (the agent "corrects" nothing: the bench's rejections
# are forced by the sandbox and pass once its count is used up), at most this many times.
MAX_REJECTED_RESENDS = 3
ORDER_PATH = re.compile(r"^/orders/(\d+)/$")
PROBLEM = re.compile(r'id="order-problem">(.*?)</div>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


class Mode(enum.StrEnum):
    """How the agent sends the form."""

    SINGLE = "single"
    DOUBLE_CLICK = "double click"
    RESEND = "resend"


class Outcome(enum.StrEnum):
    """What one POST of the entry form came back with."""

    ACKNOWLEDGED = "acknowledged"  # 302 to the order page: the desk has the order
    REJECTED = "rejected"  # the form again: Clarus rejected the order
    DUPLICATE_REFERENCE = "duplicate reference"  # the form again: reference already keyed
    INVALID = "invalid"  # the form again with field errors: a bench bug
    ERROR = "error"  # any other status, or no answer at all


@dataclass(frozen=True)
class Post:
    """One POST of the entry form and its answer."""

    seconds: float
    status: int | None
    outcome: Outcome
    order_id: int | None = None
    detail: str = ""


@dataclass
class Keying:
    """One order as one agent keyed it: every POST of its form."""

    reference: str
    agent: str
    mode: Mode
    posts: list[Post] = field(default_factory=list)
    page_error: str = ""
    # The agent's whole cycle: entry page, every POST, the order page.
    seconds: float = 0.0

    @property
    def order_ids(self) -> set[int]:
        """Return the desk orders the POSTs were sent to: more than one is a desk duplicate."""
        return {post.order_id for post in self.posts if post.order_id is not None}

    @property
    def acknowledged(self) -> bool:
        return any(post.outcome == Outcome.ACKNOWLEDGED for post in self.posts)

    @property
    def first_answer_seconds(self) -> float | None:
        """Return how long the first POST took to answer, if it was answered."""
        first = self.posts[0] if self.posts else None
        return first.seconds if first is not None and first.status is not None else None


class HiddenInputs(HTMLParser):
    """Collect the hidden inputs of a page: CSRF token, form token, tenant, management form."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name")
        if tag == "input" and found.get("type") == "hidden" and name:
            self.values[name] = found.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = HiddenInputs()
    parser.feed(html)
    return parser.values


def problem_text(html: str) -> str:
    """Return the entry page's problem banner as plain text, or ''."""
    match = PROBLEM.search(html)
    return " ".join(TAG.sub(" ", match.group(1)).split()) if match else ""


def order_form_data(
    hidden: dict[str, str], *, reference: str, lines: Sequence[tuple[int, int]], tenant_id: int
) -> dict[str, str]:
    """Return the entry form as an agent fills it in (the fields of templates/orders/)."""
    dispatch = date.today() + timedelta(days=7)
    data = {
        **hidden,
        "tenant": hidden.get("tenant") or str(tenant_id),
        "goods_out_type": "sales_order",
        "account_id": "7",
        "reference": reference,
        "expected_date_of_dispatch": f"{dispatch:%Y-%m-%d}T14:30",
        "delivery_name": "Jo Bloggs Ltd",
        "delivery_address_1": "1 High Street",
        "delivery_town": "Leeds",
        "delivery_postcode": "LS1 4AP",
        "delivery_country": "GB",
        "delivery_email": "jo@example.com",
        "lines-TOTAL_FORMS": str(len(lines)),
    }
    for index, (product_id, quantity) in enumerate(lines):
        data[f"lines-{index}-product_id"] = str(product_id)
        data[f"lines-{index}-quantity"] = str(quantity)
    return data


class Agent:
    """One signed-in member of staff with their own browser session."""

    def __init__(self, *, base_url: str, username: str, password: str, tenant_id: int) -> None:
        self.base_url = base_url
        self.username = username
        self.password = password
        self.tenant_id = tenant_id
        # Generous: the desk answers only once Clarus has (or the desk's own read timeout ran).
        self.http = httpx.Client(base_url=base_url, timeout=30.0, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def login(self) -> None:
        """Sign in through the login page; raise RuntimeError if the desk refuses."""
        page = self.http.get("/login/")
        page.raise_for_status()
        form = hidden_inputs(page.text)
        answer = self.http.post(
            "/login/",
            data={**form, "username": self.username, "password": self.password},
            headers={"Referer": f"{self.base_url}/login/"},
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{self.username} could not sign in (HTTP {answer.status_code}).")

    def key(self, *, reference: str, lines: Sequence[tuple[int, int]], mode: Mode) -> Keying:
        """Key one order: draw the form, post it as ``mode`` says, open the order page."""
        started = time.monotonic()
        keying = self._key(reference=reference, lines=lines, mode=mode)
        keying.seconds = time.monotonic() - started
        return keying

    def _key(self, *, reference: str, lines: Sequence[tuple[int, int]], mode: Mode) -> Keying:
        keying = Keying(reference=reference, agent=self.username, mode=mode)
        hidden = self._entry_page(keying)
        if hidden is None:
            return keying
        data = order_form_data(hidden, reference=reference, lines=lines, tenant_id=self.tenant_id)
        if mode == Mode.DOUBLE_CLICK:
            keying.posts.extend(self._post_twice_at_once(data))
        else:
            keying.posts.append(self._post(data))
        transport_retries = rejected_resends = 0
        while not keying.acknowledged:
            last = keying.posts[-1].outcome
            if last == Outcome.ERROR and transport_retries < MAX_TRANSPORT_RETRIES:
                transport_retries += 1
                time.sleep(RETRY_PAUSE_SECONDS)
            elif last == Outcome.REJECTED and rejected_resends < MAX_REJECTED_RESENDS:
                rejected_resends += 1
            else:
                break
            keying.posts.append(self._post(data))
        if keying.acknowledged and mode == Mode.RESEND:
            # The browser's "resend the form?" after the answer: must land on the same order.
            keying.posts.append(self._post(data))
        if keying.acknowledged:
            self._open_order(keying)
        return keying

    def _entry_page(self, keying: Keying) -> dict[str, str] | None:
        for _ in range(MAX_TRANSPORT_RETRIES):
            try:
                page = self.http.get("/orders/new/")
            except httpx.TransportError as exc:
                keying.page_error = f"GET /orders/new/: {type(exc).__name__}"
            else:
                if page.status_code == 200:
                    # A hiccup the agent got past is in the desk's logs, not the agent's account.
                    keying.page_error = ""
                    return hidden_inputs(page.text)
                keying.page_error = f"GET /orders/new/: HTTP {page.status_code}"
            time.sleep(RETRY_PAUSE_SECONDS)
        return None

    def _open_order(self, keying: Keying) -> None:
        # What the browser does after the redirect; it also reads the flash message, which
        # otherwise piles up in the agent's session.
        order_id = next(iter(sorted(keying.order_ids)))
        try:
            page = self.http.get(f"/orders/{order_id}/")
        except httpx.TransportError as exc:
            keying.page_error = f"GET /orders/{order_id}/: {type(exc).__name__}"
            return
        if page.status_code != 200:
            keying.page_error = f"GET /orders/{order_id}/: HTTP {page.status_code}"

    def _post_twice_at_once(self, data: dict[str, str]) -> list[Post]:
        posts: list[Post] = []
        lock = threading.Lock()

        def post() -> None:
            answer = self._post(data)
            with lock:
                posts.append(answer)

        clicks = [threading.Thread(target=post) for _ in range(2)]
        for click in clicks:
            click.start()
        for click in clicks:
            click.join()
        return posts

    def _post(self, data: dict[str, str]) -> Post:
        started = time.monotonic()
        try:
            answer = self.http.post(
                "/orders/new/", data=data, headers={"Referer": f"{self.base_url}/orders/new/"}
            )
        except httpx.TransportError as exc:
            return Post(
                seconds=time.monotonic() - started,
                status=None,
                outcome=Outcome.ERROR,
                detail=type(exc).__name__,
            )
        seconds = time.monotonic() - started
        status = answer.status_code
        if status == 302:
            match = ORDER_PATH.match(answer.headers.get("location", ""))
            if match:
                return Post(seconds, status, Outcome.ACKNOWLEDGED, order_id=int(match.group(1)))
            return Post(seconds, status, Outcome.ERROR, detail=answer.headers.get("location", ""))
        if status == 200:
            problem = problem_text(answer.text)
            if "Clarus rejected" in problem:
                return Post(seconds, status, Outcome.REJECTED, detail=problem)
            if "already used" in problem:
                return Post(seconds, status, Outcome.DUPLICATE_REFERENCE, detail=problem)
            return Post(seconds, status, Outcome.INVALID, detail=problem or answer.text[:300])
        return Post(seconds, status, Outcome.ERROR, detail=f"HTTP {status}")
