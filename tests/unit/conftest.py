"""Unit-test fixtures: an in-memory SQLite database with the whole schema, and the demo catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine, select

import hygate_app.models  # noqa: F401
from hygate_app.integrations.shelly import ShellyClient
from hygate_app.integrations.simulators.shelly_sim import create_shelly_simulator
from hygate_app.integrations.simulators.stripe_sim import create_stripe_simulator
from hygate_app.integrations.simulators.ttlock_sim import create_ttlock_simulator
from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.integrations.ttlock import md5_password
from hygate_app.models import DeviceSession, Payment
from hygate_app.services import checkout
from hygate_app.services.demo import DEMO_SHELLY_DEVICES, seed_demo
from hygate_app.services.device_sessions import SessionDeps
from tests.support.fakes import RecordingQueue, RecordingUpdates
from tests.support.live_server import LiveServer
from tests.support.ttlock import TTLOCK_ACCOUNT
from tests.support.webhooks import WEBHOOK_SECRET, checkout_event, deliver


@pytest.fixture
def db() -> Iterator[Session]:
    engine = create_engine("sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def demo(db: Session):
    return seed_demo(db)


@pytest.fixture(scope="session")
def stripe_sim() -> Iterator[LiveServer]:
    server = LiveServer()
    # The simulator's own deliveries go nowhere here: unit tests sign and hand events over themselves.
    server.start(create_stripe_simulator(secret_key="sk_test_unit", webhook_secret=WEBHOOK_SECRET,
                                         webhook_url="http://127.0.0.1:9/unused", public_base_url=server.url))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shelly_sim() -> Iterator[LiveServer]:
    server = LiveServer()
    server.start(create_shelly_simulator("unit-key", [dict(d) for d in DEMO_SHELLY_DEVICES],
                                         rate_limit_per_second=0))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def ttlock_sim() -> Iterator[LiveServer]:
    """A TTLock cloud with the two default locks; tests reset it (`/_sim/reset`) before use."""
    server = LiveServer()
    server.start(create_ttlock_simulator(TTLOCK_ACCOUNT["client_id"], TTLOCK_ACCOUNT["client_secret"],
                                         TTLOCK_ACCOUNT["username"], md5_password(TTLOCK_ACCOUNT["password"])))
    yield server
    server.stop()


@pytest.fixture
def gateway(stripe_sim: LiveServer) -> StripeGateway:
    return StripeGateway("sk_test_unit", api_base=stripe_sim.url, timeout=5)


@pytest.fixture
def deps(shelly_sim: LiveServer) -> SessionDeps:
    httpx.post(f"{shelly_sim.url}/_sim/reset").raise_for_status()
    return SessionDeps(shelly=ShellyClient(shelly_sim.url, "unit-key", min_interval=0), queue=RecordingQueue(),
                       updates=RecordingUpdates(), auto_off_margin_seconds=30)


@pytest.fixture
def payment(db: Session, demo, gateway: StripeGateway) -> Payment:
    """A pending payment for the washer's 1-minute plan, with a real (simulated) Checkout Session."""
    started = checkout.start_device_checkout(db, gateway, device_uid="demo-washer", plan_id=1, email=None,
                                             base_url="http://guest.test")
    return db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()


@pytest.fixture
def paid_session(db: Session, deps: SessionDeps, payment: Payment) -> DeviceSession:
    """The washer's 1-minute plan, paid: a pending session whose relay-ON job has not run yet."""
    deliver(db, deps, checkout_event(payment))
    return db.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one()
