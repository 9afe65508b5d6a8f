"""Stripe webhook ingest: how many signed `checkout.session.completed` deliveries one web process takes per second
from many concurrent senders, how long each waits, and that every paid checkout still becomes exactly one session.

    .venv/bin/python bench/webhook_ingest.py [--events 3000] [--senders 100] [--duplicates 0.10] [--rate 0]

Fills a throwaway database with one pending device payment (each on its own device) per distinct event, starts
the simulators and one web process, then `--senders` keep-alive connections post the pre-signed events as fast as
the web process answers (or at `--rate` events/s, for the latency at a given load); a `--duplicates` share of the
posts are Stripe's redeliveries of an event already in the mix (some race their original). It prints the web
process's CPU per event and where it goes. The RQ workers (`--check-workers`) start only once every post is
answered, so the ingest figure is the web process alone; their rate and the exactly-once check follow. The relay-ON
jobs they queue are dropped with the Redis database at the end (the relay path has its own bench).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid

import stack
from stack import PORT, WEBHOOK_SECRET, configure, cpu_seconds, percentile

DB_NAME = f"bench_webhook_{uuid.uuid4().hex[:8]}"
configure(DB_NAME)

FILL = """
INSERT INTO locations (name, timezone, created_at) VALUES ('Bench laundry', 'Europe/Berlin', now());
INSERT INTO devices (uid, display_code, location_id, name, shelly_device_id, channel, mode, online, created_at,
                     updated_at)
SELECT 'bench-dev-' || i, 'B' || lpad(i::text, 7, '0'), 1, 'Washer ' || i, 'shelly-bench-' || i, 0, 'active', true,
       now(), now()
FROM generate_series(1, %(n)s) i;
INSERT INTO usage_plans (device_id, name, duration_minutes, delay_minutes, price_minor, currency, sort_order, active,
                         created_at)
SELECT id, 'Standard', 45, 0, 450, 'eur', 0, true, now() FROM devices;
INSERT INTO payments (guest_token, kind, device_id, usage_plan_id, location_id, item_name, amount_minor,
                      duration_minutes, delay_minutes, amount_refunded_minor, currency, status, idempotency_key,
                      stripe_checkout_session_id, created_at, updated_at)
SELECT 'bench-' || i, 'device', i, i, 1, 'Washer ' || i || ' · Standard', 450, 45, 0, 0, 'eur', 'pending',
       'bench-key-' || i, 'cs_bench_' || i, now(), now()
FROM generate_series(1, %(n)s) i;
ANALYZE;
"""


def fill(url: str, payments: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        conn.execute(FILL, {"n": payments})


def event_body(i: int, type_: str = "checkout.session.completed") -> bytes:
    """What Stripe posts when the guest of payment i has paid (the shape tests/support/webhooks.py builds)."""
    obj = {"id": f"cs_bench_{i}", "object": "checkout.session", "status": "complete", "payment_status": "paid",
           "amount_total": 450, "currency": "eur", "payment_intent": f"pi_bench_{i}",
           "client_reference_id": str(i), "metadata": {"payment_id": str(i)}}
    event = {"id": f"evt_bench_{type_[:6]}_{i}", "object": "event", "type": type_, "created": int(time.time()),
             "livemode": False, "data": {"object": obj}}
    return json.dumps(event).encode()


def request_bytes(body: bytes) -> bytes:
    from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload

    head = (f"POST /api/stripe/webhook HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n"
            f"Content-Type: application/json; charset=utf-8\r\nUser-Agent: Stripe/1.0\r\n"
            f"Stripe-Signature: {sign_stripe_payload(body, WEBHOOK_SECRET)}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def build_requests(total: int, duplicate_share: float) -> tuple[list[bytes], int]:
    """`total` posts: distinct events in order, each duplicate placed after a random earlier one (so some are
    delivered while their original is still in flight)."""
    distinct = total - round(total * duplicate_share)
    posts = [request_bytes(event_body(i)) for i in range(1, distinct + 1)]
    for _ in range(total - distinct):
        original = random.randrange(distinct)
        posts.insert(random.randint(original + 1, len(posts)), posts[original])
    return posts, distinct


async def _post(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    await reader.readexactly(length)
    return status


async def send_all(posts: list[bytes], senders: int, rate: float = 0) -> tuple[float, list[float], dict[int, int]]:
    """Each sender keeps one connection and posts the next waiting event as soon as its last one is answered; with
    a `rate`, post i is due at i / rate seconds and its latency counts from then, so a post that waited for a free
    sender is not flattered. Plain asyncio streams, not an HTTP library: the load generator takes little CPU."""
    queue = iter(enumerate(posts))
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    begin = time.perf_counter()

    async def sender() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
        try:
            for n, request in queue:
                started = time.perf_counter()
                if rate:
                    started = begin + n / rate
                    await asyncio.sleep(started - time.perf_counter())
                status = await _post(reader, writer, request)
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    await asyncio.gather(*(sender() for _ in range(senders)))
    return time.perf_counter() - begin, latencies, statuses


REDELIVERY = "record a redelivery"


def step_costs(samples: int = 300) -> dict[str, float]:
    """CPU ms per call of each blocking step of the route, timed here one step after another on fresh events of a
    type Hygate ignores: the route's own functions, so the web process's work without HTTP and thread hand-offs."""
    from hygate_app import providers
    from hygate_app.api.stripe_webhook import _record
    from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
    from hygate_app.services import stripe_events

    bodies = [event_body(i, "customer.created") for i in range(samples)]
    signed = [(body, sign_stripe_payload(body, WEBHOOK_SECRET)) for body in bodies]
    queue = providers.job_queue()
    providers.stripe_webhook_secret()  # connected, configuration read once
    costs: dict[str, float] = {}

    def cost(name: str, step, items: list) -> list:
        started = time.process_time()
        results = [step(item) for item in items]
        costs[name] = (time.process_time() - started) * 1000 / len(items)
        return results

    cost("read the webhook secret (settings version)", lambda _: providers.stripe_webhook_secret(), signed)
    events = cost("verify the signature, parse", lambda pair: stripe_events.verify(*pair, WEBHOOK_SECRET), signed)
    recorded = cost("record the event (insert, commit)", _record, events)
    cost("queue its job (RQ)", lambda r: stripe_events.enqueue_processing(queue, r.event_id), recorded)
    cost(REDELIVERY, _record, events)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000, help="posts in the measured run, duplicates included")
    parser.add_argument("--senders", type=int, default=100)
    parser.add_argument("--duplicates", type=float, default=0.10)
    parser.add_argument("--check-workers", type=int, default=4,
                        help="RQ workers that apply the events afterwards (0: no check)")
    parser.add_argument("--rate", type=float, default=0,
                        help="post at this many events/s instead of as fast as the web process answers")
    parser.add_argument("--warmup", type=int, default=300, help="ignored event types posted first")
    args = parser.parse_args()

    from sqlmodel import func, select

    from hygate_app.db import session_scope
    from hygate_app.models import DeviceSession, Payment, PaymentStatus, WebhookEvent, WebhookEventStatus

    with stack.throwaway(DB_NAME) as made:
        posts, distinct = build_requests(args.events, args.duplicates)
        fill(os.environ["DATABASE_URL"], distinct)
        warmup = [request_bytes(event_body(i, "charge.succeeded")) for i in range(args.warmup)]
        running = made.start(worker=False)
        asyncio.run(send_all(warmup, args.senders))
        web_pid = running.processes["web"].pid
        cpu_before = cpu_seconds(web_pid)
        seconds, latencies, statuses = asyncio.run(send_all(posts, args.senders, args.rate))
        cpu_ms = (cpu_seconds(web_pid) - cpu_before) * 1000 / len(posts)
        pace = f"at {args.rate:.0f}/s" if args.rate else "as fast as answered"
        print(f"{len(posts)} posts ({distinct} distinct events, {len(posts) - distinct} redeliveries) from "
              f"{args.senders} senders, {pace}, in {seconds:.1f} s")
        print(f"ingest: {len(posts) / seconds:.0f} events/s; latency ms p50 {statistics.median(latencies):.1f}, "
              f"p95 {percentile(latencies, 95):.1f}, p99 {percentile(latencies, 99):.1f}, max {max(latencies):.1f}; "
              f"status codes {dict(sorted(statuses.items()))}")
        print(f"web process CPU: {cpu_ms:.2f} ms per event (one core's ceiling: {1000 / cpu_ms:.0f} events/s)")
        ping = [f"GET /ping HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\n\r\n".encode()] * 2000
        cpu_before = cpu_seconds(web_pid)
        asyncio.run(send_all(ping, args.senders))
        costs = {"HTTP, middleware, response (GET /ping)": (cpu_seconds(web_pid) - cpu_before) * 1000 / len(ping),
                 **step_costs()}
        redelivery = costs.pop(REDELIVERY)
        costs["rest (thread hand-offs, 100 requests at once)"] = cpu_ms - sum(costs.values())
        print("where it goes, CPU ms per event (steps timed alone in the bench process):")
        for step, ms in costs.items():
            print(f"  {step:<45} {ms:5.2f}")
        print(f"  {'(' + REDELIVERY + ', instead)':<45} {redelivery:5.2f}")

        if not args.check_workers:
            return
        for n in range(args.check_workers):
            running.start(f"worker-{n}", "-m", "jobs.worker")
        started = time.monotonic()

        def waiting() -> int:
            with session_scope() as db:
                return db.exec(select(func.count()).select_from(WebhookEvent).where(
                    WebhookEvent.status == WebhookEventStatus.received)).one()

        while (left := waiting()) > 0:
            if time.monotonic() - started > 1800:
                raise TimeoutError(f"{left} events still unprocessed after 30 minutes")
            time.sleep(1)
        processed = time.monotonic() - started
        with session_scope() as db:
            events = db.exec(select(func.count()).select_from(WebhookEvent).where(
                WebhookEvent.type == "checkout.session.completed")).one()
            paid = db.exec(select(func.count()).select_from(Payment).where(Payment.status == PaymentStatus.paid)).one()
            sessions = db.exec(select(func.count()).select_from(DeviceSession)).one()
            per_payment = db.exec(select(func.count(DeviceSession.payment_id.distinct()))).one()
        with session_scope() as db:
            applied = db.exec(select(func.count()).select_from(WebhookEvent)).one()
        print(f"worker: {applied} events applied in {processed:.1f} s by {args.check_workers} workers "
              f"({applied / processed:.1f} events/s)")
        verdict = "exactly one session per paid checkout" if events == paid == sessions == per_payment == distinct \
            else "MISMATCH"
        print(f"check: {events} recorded events, {paid} paid payments, {sessions} sessions for {per_payment} "
              f"payments, {distinct} checkouts paid: {verdict}")


if __name__ == "__main__":
    main()
