"""Live countdown pages: what thousands of guests with `/session/<token>` open cost one web process, in memory and
in messages while their sessions run.

    .venv/bin/python bench/guest_pages.py [--guests 2000] [--watch 60] [--concurrency 50]

Fills a throwaway database with `--guests` running device sessions (paid a minute ago, 45 minutes left), starts
the simulators and one web process (state in Redis, as in production), then opens one guest tab per session
(`bench/guest_tab.py`: Reflex's websocket protocol, no browser), `--concurrency` at a time, each until its page shows
the running session. It reports the web process's resident memory before and with every tab open, then keeps them
open `--watch` seconds and counts what reaches each tab: state updates (page data) and Engine.IO heartbeats. The
countdown ticks in the browser, so the expected page data while a session runs is none; a page polling every 2 s
would make 30 requests a minute instead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections import Counter

from stack import PORT, REDIS_URL, configure, cpu_seconds, rss_mib, throwaway

DB_NAME = f"bench_guests_{uuid.uuid4().hex[:8]}"
configure(DB_NAME)

FILL = """
INSERT INTO locations (name, timezone, created_at) VALUES ('Bench laundry', 'Europe/Berlin', now());
INSERT INTO devices (uid, display_code, location_id, name, shelly_device_id, channel, mode, online, relay_on,
                     created_at, updated_at)
SELECT 'bench-dev-' || i, 'B' || lpad(i::text, 7, '0'), 1, 'Washer ' || i, 'shelly-bench-' || i, 0, 'active', true,
       true, now(), now()
FROM generate_series(1, %(n)s) i;
INSERT INTO usage_plans (device_id, name, duration_minutes, delay_minutes, price_minor, currency, sort_order, active,
                         created_at)
SELECT id, 'Standard', 46, 0, 450, 'eur', 0, true, now() FROM devices;
INSERT INTO payments (guest_token, kind, device_id, usage_plan_id, location_id, item_name, amount_minor,
                      duration_minutes, delay_minutes, amount_refunded_minor, currency, status, idempotency_key,
                      stripe_checkout_session_id, created_at, paid_at, updated_at)
SELECT 'bench-' || i, 'device', i, i, 1, 'Washer ' || i || ' · Standard', 450, 46, 0, 0, 'eur', 'paid',
       'bench-key-' || i, 'cs_bench_' || i, now() - interval '1 minute', now() - interval '1 minute', now()
FROM generate_series(1, %(n)s) i;
INSERT INTO device_sessions (payment_id, device_id, usage_plan_id, status, duration_minutes, delay_minutes, paid_at,
                             starts_at, ends_at, relay_on_at, created_at, updated_at)
SELECT id, device_id, usage_plan_id, 'active', 46, 0, paid_at, paid_at, paid_at + interval '46 minutes', paid_at,
       paid_at, paid_at
FROM payments;
ANALYZE;
"""


def fill(url: str, guests: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        conn.execute(FILL, {"n": guests})


def running(tab) -> bool:
    return tab.hydrated and tab.var("session_state", "loaded") and tab.var("session_state", "status") == "active"


async def open_tabs(guests: int, concurrency: int) -> tuple[list, list[float]]:
    from guest_tab import GuestTab

    limit = asyncio.Semaphore(concurrency)
    load_ms: list[float] = []

    async def one(i: int):
        async with limit:
            tab = GuestTab("127.0.0.1", PORT, f"/session/bench-{i}")
            started = time.perf_counter()
            await tab.open()
            await tab.wait_until(running, timeout=120)
            load_ms.append((time.perf_counter() - started) * 1000)
            return tab

    return await asyncio.gather(*(one(i) for i in range(1, guests + 1))), load_ms


def state_bytes_per_tab(tokens: list[str]) -> float:
    """Redis memory of the Reflex state a tab leaves (every key named after its token), averaged over a sample."""
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    return statistics.mean(sum(redis.memory_usage(key) or 0 for key in redis.scan_iter(f"{token}*", count=10_000))
                           for token in tokens)


async def run(args, web_pid: int) -> None:
    from guest_tab import GuestTab

    # One tab first, so the web process has loaded everything a guest page needs before the baseline.
    probe = GuestTab("127.0.0.1", PORT, "/session/bench-1")
    await probe.open()
    await probe.wait_until(running, timeout=120)
    await probe.close()
    await asyncio.sleep(1)
    baseline = rss_mib(web_pid)
    started, cpu_before = time.perf_counter(), cpu_seconds(web_pid)
    tabs, load_ms = await open_tabs(args.guests, args.concurrency)
    opened, open_cpu = time.perf_counter() - started, cpu_seconds(web_pid) - cpu_before
    with_tabs = rss_mib(web_pid)
    print(f"opened {len(tabs)} guest tabs in {opened:.1f} s ({len(tabs) / opened:.0f}/s, {args.concurrency} at a "
          f"time); page load ms p50 {statistics.median(load_ms):.0f}, max {max(load_ms):.0f}; web CPU "
          f"{open_cpu * 1000 / len(tabs):.0f} ms per page load")
    print(f"web process RSS: {baseline:.0f} MiB before, {with_tabs:.0f} MiB with {len(tabs)} tabs "
          f"({(with_tabs - baseline) * 1024 / len(tabs):.0f} KiB per tab)")
    sample = [t.token for t in tabs[:: max(1, len(tabs) // 20)]]
    print(f"Redis: {await asyncio.to_thread(state_bytes_per_tab, sample) / 1024:.1f} KiB of Reflex state per tab")

    await asyncio.sleep(2)  # let the last tabs' final load updates land before counting
    for tab in tabs:
        tab.updates = tab.pings = 0
    cpu_before = cpu_seconds(web_pid)
    await asyncio.sleep(args.watch)
    cpu = cpu_seconds(web_pid) - cpu_before
    per_minute = 60 / args.watch
    updates = [tab.updates * per_minute for tab in tabs]
    pings = [tab.pings * per_minute for tab in tabs]
    closed = Counter(tab.close_reason for tab in tabs if tab.closed.is_set())
    print(f"while the sessions run ({args.watch} s), per tab per minute: state updates mean "
          f"{statistics.mean(updates):.2f} (max {max(updates):.0f}), heartbeats {statistics.mean(pings):.1f}; "
          f"{sum(closed.values())} tabs closed {dict(closed)}; web CPU {100 * cpu / args.watch:.1f} % of a core; "
          f"RSS {rss_mib(web_pid):.0f} MiB")
    print(f"a 2 s poll instead: 30 requests per guest per minute, {len(tabs) * 30 / 60:.0f} requests/s for "
          f"{len(tabs)} guests")
    await asyncio.gather(*(tab.close() for tab in tabs))
    await asyncio.sleep(5)
    print(f"web process RSS 5 s after every tab closed: {rss_mib(web_pid):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=2000)
    parser.add_argument("--watch", type=int, default=60, help="seconds to count messages with every tab open")
    parser.add_argument("--concurrency", type=int, default=50, help="tabs opening at the same time")
    args = parser.parse_args()

    with throwaway(DB_NAME) as made:
        fill(os.environ["DATABASE_URL"], args.guests)
        running = made.start(worker=False)
        asyncio.run(run(args, running.processes["web"].pid))


if __name__ == "__main__":
    main()
