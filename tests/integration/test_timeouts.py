"""Nothing waits for ever: a runaway SQL statement is cancelled, Redis commands and every integration call have
timeouts, taken from the settings."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import build_engine, get_engine
from hygate_app.integrations.shelly import ShellyUnavailable
from hygate_app.integrations.ttlock import TTLockUnavailable


def statement_timeout(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SHOW statement_timeout")).scalar_one()


def test_a_statement_over_the_limit_is_cancelled_and_migrations_have_no_limit():
    url = get_settings().sqlalchemy_url
    strict = build_engine(url, statement_timeout=0.2)
    try:
        with strict.connect() as conn, pytest.raises(OperationalError, match="statement timeout"):
            conn.execute(text("SELECT pg_sleep(5)"))
    finally:
        strict.dispose()
    assert statement_timeout(get_engine()) == "1min"  # the app's engine: DB_STATEMENT_TIMEOUT's default
    migrations = build_engine(url)  # as alembic/env.py builds it
    try:
        assert statement_timeout(migrations) == "0"
    finally:
        migrations.dispose()


def test_redis_connections_have_timeouts():
    settings = get_settings()
    # A fresh client as the processes build it (an in-process RQ worker raises the shared one's read timeout
    # above its blocking wait, as RQ does in a worker process).
    options = providers.redis.__wrapped__().connection_pool.connection_kwargs
    assert (options["socket_connect_timeout"], options["socket_timeout"]) == (
        settings.redis_connect_timeout, settings.redis_socket_timeout)


@pytest.fixture
def short_read_timeout(monkeypatch):
    """The clients the product builds, after an administrator's HTTP_READ_TIMEOUT of 0.3 s."""
    monkeypatch.setenv("HTTP_READ_TIMEOUT", "0.3")
    get_settings.cache_clear()
    providers.forget_clients()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    providers.forget_clients()


def test_the_clients_the_product_builds_give_up_after_the_configured_read_timeout(stack, short_read_timeout):
    ttlock = get_settings().ttlock_base
    for url in (stack.shelly, ttlock):
        httpx.post(f"{url}/_sim/faults", json={"mode": "timeout", "count": 3, "delay_seconds": 3},
                   timeout=5).raise_for_status()
    try:
        with pytest.raises(ShellyUnavailable) as shelly:
            providers.shelly_client().get_status("shelly-demo-washer")
        with pytest.raises(TTLockUnavailable) as lock:
            providers.ttlock_client().list_locks()
    finally:
        for url in (stack.shelly, ttlock):
            httpx.post(f"{url}/_sim/faults", json={"mode": "ok"}, timeout=5).raise_for_status()
    # Without the timeout both would have had the simulators' 504 after three seconds.
    assert isinstance(shelly.value.__cause__, httpx.ReadTimeout)
    assert str(lock.value).startswith("timeout calling TTLock")
