"""The running product for the benches: a throwaway PostgreSQL database, a Redis database, and the web process,
the simulators and (when asked) one RQ worker started as separate OS processes, as `make run` does.

Import this module first and call `configure()` before anything reads Hygate's settings. Ports and the Redis
database come from BENCH_PORT (web; the simulators take the next port) and BENCH_REDIS_URL, so a bench can run
beside test suites that use other ones.
"""

from __future__ import annotations

import base64
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ADMIN_URL = os.environ.get("BENCH_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PORT = int(os.environ.get("BENCH_PORT", "8850"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
WEBHOOK_SECRET = "whsec_bench_secret"


def configure(db_name: str) -> None:
    """The environment the bench and every process it starts share (the test suite's, on the bench's stores)."""
    simulators = f"http://127.0.0.1:{PORT + 1}/_sim"
    os.environ.update(
        DATABASE_URL=ADMIN_URL.rsplit("/", 1)[0] + "/" + db_name,
        REDIS_URL=REDIS_URL,
        PORT=str(PORT),
        SIMULATORS_PORT=str(PORT + 1),
        STRIPE_API_BASE=f"{simulators}/stripe",
        SHELLY_SERVER_URL=f"{simulators}/shelly",
        RESEND_API_BASE=f"{simulators}/resend",
        TTLOCK_API_BASE=f"{simulators}/ttlock",
        TTLOCK_MIN_INTERVAL="0",
        ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        HYGATE_DEMO="true",
        PUBLIC_URL="",
        STRIPE_SECRET_KEY="sk_test_simulator",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        SHELLY_AUTH_KEY="shelly-simulator-key",
    )


def create_database(db_name: str) -> None:
    """An empty database with the real migrations (dropped first if a run before was interrupted)."""
    drop_database(db_name)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    from hygate_app.cli import migrate

    migrate()


def database_exists(db_name: str) -> bool:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db_name,)).fetchone() is not None


def drop_database(db_name: str) -> None:
    from hygate_app.db import get_engine

    get_engine().dispose()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def flush_redis() -> None:
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()


@dataclass
class Made:
    """What one bench started: its stack, stopped when the bench ends."""

    stack: Any = None

    def start(self, *, worker: bool = True, web: bool = True):
        self.stack = start(worker=worker, web=web)
        return self.stack


@contextmanager
def throwaway(db_name: str) -> Iterator[Made]:
    """A fresh database and Redis database for one bench; at the end, whatever happened, what it started is
    stopped, Redis flushed and the database dropped."""
    create_database(db_name)
    flush_redis()
    made = Made()
    try:
        yield made
    finally:
        if made.stack is not None:
            made.stack.stop_all()
        flush_redis()
        drop_database(db_name)


def start(*, worker: bool = True, web: bool = True):
    """Simulators, and (unless told not to) web and one worker; stop them with `.stop_all()`. Logs go to a
    temporary directory printed here, for when a figure looks wrong."""
    from hygate_app.config import get_settings
    from tests.support.stack import Stack

    logs = Path(tempfile.mkdtemp(prefix="hygate-bench-"))
    print(f"logs of the started processes: {logs}", flush=True)
    stack = Stack(url=get_settings().base_url, logs=logs)
    stack.start_and_wait("simulators", f"{stack.shelly}/_sim/devices", "-m", "hygate_app.cli", "simulators")
    if worker:
        stack.start("worker", "-m", "jobs.worker")
    if web:
        stack.start_web()
    return stack


def post_paid_checkout(payment) -> float:
    """Stripe's `checkout.session.completed` for a payment, signed as Stripe signs, posted to the web process.
    Returns the time.time() it was sent at; raises if it was not accepted."""
    import json

    import httpx

    from hygate_app.integrations.simulators.stripe_sim import sign_stripe_payload
    from tests.support.webhooks import checkout_event

    body = json.dumps(checkout_event(payment)).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign_stripe_payload(body, WEBHOOK_SECRET)}
    sent = time.time()
    httpx.post(f"http://127.0.0.1:{PORT}/api/stripe/webhook", content=body, headers=headers,
               timeout=10).raise_for_status()
    return sent


def rss_mib(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far: with other work on the machine, CPU per request is a
    steadier figure than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], pct: float) -> float:
    """Nearest rank: the value that `pct` % of the values are at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def wait_until(predicate, timeout: float, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)
    return value
