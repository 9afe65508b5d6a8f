"""Test set-up: a throwaway PostgreSQL database and a separate Redis database for every run.

The environment is set before any Hygate module reads its settings, so the code under test,
the web process and the RQ worker started by the tests all use the same throwaway stores.
"""

from __future__ import annotations

import base64
import os
import uuid

import psycopg
import pytest
from redis import Redis

ADMIN_DB_URL = os.environ.get("TEST_POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
TEST_DB_NAME = f"hygate_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
TEST_PORT = int(os.environ.get("HYGATE_TEST_PORT", "8765"))
SIMULATORS_URL = f"http://127.0.0.1:{TEST_PORT + 1}/_sim"

os.environ.update(
    DATABASE_URL=ADMIN_DB_URL.rsplit("/", 1)[0] + "/" + TEST_DB_NAME,
    REDIS_URL=TEST_REDIS_URL,
    PORT=str(TEST_PORT),
    # The simulators run as their own process, as the real services would, so they outlive a web restart.
    SIMULATORS_PORT=str(TEST_PORT + 1),
    STRIPE_API_BASE=f"{SIMULATORS_URL}/stripe",
    SHELLY_SERVER_URL=f"{SIMULATORS_URL}/shelly",
    RESEND_API_BASE=f"{SIMULATORS_URL}/resend",
    TTLOCK_API_BASE=f"{SIMULATORS_URL}/ttlock",
    TTLOCK_MIN_INTERVAL="0",
    # A fresh key per run: nothing encrypted outlives the throwaway database.
    ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
    HYGATE_DEMO="true",
    PUBLIC_URL="",
    STRIPE_SECRET_KEY="sk_test_simulator",
    STRIPE_WEBHOOK_SECRET="whsec_test_secret_for_the_suite",
    SHELLY_AUTH_KEY="shelly-simulator-key",
    RELAY_AUTO_OFF_MARGIN_SECONDS="30",
)


def pytest_configure(config: pytest.Config) -> None:
    with psycopg.connect(ADMIN_DB_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{TEST_DB_NAME}"')
    from hygate_app.cli import migrate

    migrate()
    Redis.from_url(TEST_REDIS_URL).flushdb()


def pytest_unconfigure(config: pytest.Config) -> None:
    from hygate_app.db import get_engine

    get_engine().dispose()
    with psycopg.connect(ADMIN_DB_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEST_DB_NAME}" WITH (FORCE)')


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """Simulators, web and worker processes; the frontend must have been built for the test port (`make test` does)."""
    from tests.support.stack import frontend_built_for, start_stack

    if not frontend_built_for(TEST_PORT):
        pytest.fail(f"The frontend is not built for port {TEST_PORT}: run `make test` (it builds it first).")
    running = start_stack(tmp_path_factory.mktemp("stack-logs"))
    yield running
    running.stop_all()


@pytest.fixture
def pg():
    """A session on the throwaway PostgreSQL database the stack uses."""
    from hygate_app.db import session_scope

    with session_scope() as session:
        yield session


@pytest.fixture(scope="module")
def scaled_out(stack):
    """A second web process and a second RQ worker beside the stack's: two of each on one PostgreSQL and one
    Redis, as `heroku ps:scale web=2 worker=2` runs them. Yields the second web process's own address."""
    from rq import Worker

    from hygate_app import providers
    from tests.support.stack import wait_for

    other_web = stack.start_other_web("web-b", TEST_PORT + 2)
    stack.start("worker-b", "-m", "jobs.worker")
    try:
        # The second worker registered with RQ (known by its pid: a count of registrations cannot tell a stale
        # one left by an earlier worker from it), and the first still running.
        pid = stack.processes["worker-b"].pid
        wait_for(lambda: pid in {w.pid for w in Worker.all(connection=providers.redis())}, timeout=60,
                 message=f"RQ worker {pid} to be registered")
        assert stack.processes["worker"].poll() is None, "the stack's own worker is not running"
        yield other_web
    finally:
        # Stopped even when the setup failed: a worker left running would take the next tests' jobs.
        for name in ("web-b", "worker-b"):
            if name in stack.processes:
                stack.stop(name)
