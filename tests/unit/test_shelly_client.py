"""ShellyClient against the Shelly Cloud simulator, over real HTTP on a local port."""

from __future__ import annotations

import contextlib
import socket
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from redis import Redis

from hygate_app.config import get_settings
from hygate_app.integrations.pacing import LocalPacer, RedisPacer
from hygate_app.integrations.retries import NO_RETRIES
from hygate_app.integrations.shelly import (
    RelayStatus,
    ShellyAuthError,
    ShellyClient,
    ShellyDeviceOffline,
    ShellyRateLimited,
    ShellyRelayMismatch,
    ShellyUnavailable,
)
from hygate_app.integrations.simulators.shelly_sim import create_shelly_simulator
from tests.support.live_server import LiveServer

AUTH_KEY = "sim-auth-key-0001"
DEVICES = [
    {"id": "shelly-washer-1", "name": "Washer 1", "online": True},
    {"id": "shelly-dryer-1", "name": "Dryer 1", "online": True, "gen": 2},
    {"id": "shelly-spare-1", "name": "Spare 1", "online": False},
    {"id": "shelly-stuck-1", "name": "Stuck 1", "online": True, "stuck": True},
]


def serve(app) -> LiveServer:
    return LiveServer().start(app)


@pytest.fixture(scope="module")
def loose_server() -> Iterator[LiveServer]:
    """A simulator whose limit is loose enough for quick tests of everything but pacing."""
    server = serve(create_shelly_simulator(AUTH_KEY, DEVICES, rate_limit_per_second=200))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def strict_server() -> Iterator[LiveServer]:
    server = serve(create_shelly_simulator(AUTH_KEY, DEVICES, rate_limit_per_second=4.0))
    yield server
    server.stop()


@pytest.fixture
def fast_cloud(loose_server: LiveServer) -> str:
    httpx.post(f"{loose_server.url}/_sim/reset").raise_for_status()
    return loose_server.url


@pytest.fixture
def real_limit_cloud(strict_server: LiveServer) -> str:
    httpx.post(f"{strict_server.url}/_sim/reset").raise_for_status()
    return strict_server.url


def client_for(url: str, **kwargs) -> ShellyClient:
    kwargs.setdefault("min_interval", 0.01)
    return ShellyClient(url, AUTH_KEY, **kwargs)


def commands(url: str, endpoint: str) -> list[dict]:
    entries = httpx.get(f"{url}/_sim/commands").json()["commands"]
    return [entry for entry in entries if entry["endpoint"] == endpoint]


def test_relay_on_with_auto_off_turns_itself_off_when_the_timer_runs_out(fast_cloud):
    with client_for(fast_cloud) as client:
        gen1 = client.set_relay("shelly-washer-1", True, auto_off_seconds=1)
        gen2 = client.set_relay("shelly-dryer-1", True, auto_off_seconds=1)

        assert gen1.is_on is True and gen2.is_on is True
        assert 0 < gen1.auto_off_remaining <= 1
        assert 0 < gen2.auto_off_remaining <= 1

        time.sleep(1.15)
        assert client.get_status("shelly-washer-1") == RelayStatus("shelly-washer-1", True, False, None)
        assert client.get_status("shelly-dryer-1") == RelayStatus("shelly-dryer-1", True, False, None)

    sent = commands(fast_cloud, "/device/relay/control")
    assert [(c["params"]["turn"], c["params"]["timer"]) for c in sent] == [("on", "1"), ("on", "1")]
    assert all(c["outcome"] == "ok" and c["at"] > 0 for c in sent)


def test_relay_off_is_an_absolute_command_that_clears_the_timer(fast_cloud):
    with client_for(fast_cloud) as client:
        client.set_relay("shelly-washer-1", True, auto_off_seconds=60)
        status = client.set_relay("shelly-washer-1", False)
        again = client.set_relay("shelly-washer-1", False)

    assert status == again == RelayStatus("shelly-washer-1", True, False, None)
    turns = [c["params"]["turn"] for c in commands(fast_cloud, "/device/relay/control")]
    assert turns == ["on", "off", "off"]


def test_bulk_status_reads_up_to_ten_devices_per_call(fast_cloud):
    extra = [f"shelly-bulk-{n}" for n in range(10)]
    for device_id in extra:
        httpx.post(f"{fast_cloud}/_sim/devices", json={"id": device_id, "name": device_id})
    with client_for(fast_cloud) as client:
        client.set_relay("shelly-bulk-3", True)
        ids = [*extra, "shelly-washer-1", "shelly-spare-1", "shelly-unknown"]
        statuses = client.get_statuses(ids)

    assert len(commands(fast_cloud, "/v2/devices/api/get")) == 2
    assert statuses["shelly-bulk-3"] == RelayStatus("shelly-bulk-3", True, True, None)
    assert statuses["shelly-bulk-4"].is_on is False
    assert statuses["shelly-washer-1"].online is True
    assert statuses["shelly-spare-1"] == RelayStatus("shelly-spare-1", False, None, None)
    assert "shelly-unknown" not in statuses


def test_list_devices_gives_names_online_state_and_relay_state(fast_cloud):
    with client_for(fast_cloud) as client:
        client.set_relay("shelly-dryer-1", True)
        devices = {device.device_id: device for device in client.list_devices()}

    assert devices["shelly-washer-1"].name == "Washer 1"
    assert devices["shelly-washer-1"].is_on is False
    assert devices["shelly-dryer-1"].is_on is True
    assert devices["shelly-spare-1"].online is False
    assert devices["shelly-spare-1"].is_on is None


def test_paced_client_stays_under_the_limit_and_an_unpaced_one_is_rate_limited(real_limit_cloud):
    with client_for(real_limit_cloud, min_interval=0.25) as paced:
        started = time.monotonic()
        paced.get_status("shelly-washer-1")
        paced.get_status("shelly-washer-1")
        assert time.monotonic() - started >= 0.25

    # Two calls straight after each other (the second at the latest lands inside the window, however slow the
    # machine is between the paced client and this one).
    with client_for(real_limit_cloud, min_interval=0, retry=NO_RETRIES) as hammer:
        with pytest.raises(ShellyRateLimited) as caught:
            hammer.get_status("shelly-washer-1")
            hammer.get_status("shelly-washer-1")
    assert caught.value.is_transient is True
    outcomes = [c["outcome"] for c in commands(real_limit_cloud, "/device/status")]
    assert outcomes[:2] == ["ok", "ok"] and outcomes[-1] == "rate_limited"


def two_clients_calling_at_once(url: str, pacers: list) -> set[str]:
    """Two clients with their own connections, as two worker processes have; the outcomes the cloud recorded."""
    clients = [client_for(url, pacer=pacer) for pacer in pacers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: _status_or_refusal(clients[i % 2]), range(4)))
    for client in clients:
        client.close()
    return {c["outcome"] for c in commands(url, "/device/status")}


def _status_or_refusal(client: ShellyClient) -> None:
    with contextlib.suppress(ShellyRateLimited):
        client.get_status("shelly-washer-1")


def test_clients_in_different_processes_share_the_accounts_pace_through_redis():
    server = serve(create_shelly_simulator(AUTH_KEY, DEVICES, rate_limit_per_second=2))
    try:
        # Each paced on its own, two clients together call twice as fast as the account allows.
        assert "rate_limited" in two_clients_calling_at_once(server.url, [LocalPacer(0.5), LocalPacer(0.5)])
        httpx.post(f"{server.url}/_sim/reset").raise_for_status()

        account = f"unit-{uuid.uuid4().hex}"
        pacers = [RedisPacer(Redis.from_url(get_settings().redis_url), account, 0.5) for _ in range(2)]
        assert two_clients_calling_at_once(server.url, pacers) == {"ok"}
    finally:
        server.stop()


def test_pacing_holds_when_threads_share_one_client():
    server = serve(create_shelly_simulator(AUTH_KEY, DEVICES, rate_limit_per_second=50))
    try:
        with client_for(server.url, min_interval=0.02) as client:
            with ThreadPoolExecutor(max_workers=4) as pool:
                results = list(pool.map(lambda _: client.get_status("shelly-washer-1"), range(8)))
        assert all(result.online for result in results)
        outcomes = {c["outcome"] for c in commands(server.url, "/device/status")}
        assert outcomes == {"ok"}
    finally:
        server.stop()


def test_server_errors_and_timeouts_are_transient_and_unavailable(fast_cloud):
    with client_for(fast_cloud, timeout=0.3, retry=NO_RETRIES) as client:
        httpx.post(f"{fast_cloud}/_sim/faults", json={"mode": "error500", "count": 1})
        with pytest.raises(ShellyUnavailable) as server_error:
            client.get_status("shelly-washer-1")

        httpx.post(f"{fast_cloud}/_sim/faults", json={"mode": "timeout", "count": 1, "delay_seconds": 1.0})
        with pytest.raises(ShellyUnavailable) as timeout:
            client.set_relay("shelly-washer-1", True)

        assert client.get_status("shelly-washer-1").online is True

    assert server_error.value.is_transient and timeout.value.is_transient


def test_a_slow_cloud_switches_the_relay_even_when_the_client_gives_up_waiting(fast_cloud):
    """The dangerous timeout: the command landed, only its answer was lost."""
    with client_for(fast_cloud, timeout=0.3, retry=NO_RETRIES) as client:
        httpx.post(f"{fast_cloud}/_sim/faults", json={"mode": "slow", "count": 1, "delay_seconds": 1.0})
        with pytest.raises(ShellyUnavailable):
            client.set_relay("shelly-washer-1", True)
        assert client.get_status("shelly-washer-1").is_on is True


def test_the_rate_limit_fault_answers_as_the_cloud_limit_does(fast_cloud):
    with client_for(fast_cloud, retry=NO_RETRIES) as client:
        httpx.post(f"{fast_cloud}/_sim/faults", json={"mode": "rate_limited", "count": 1})
        with pytest.raises(ShellyRateLimited):
            client.get_status("shelly-washer-1")
        assert client.get_status("shelly-washer-1").online is True


def test_unreachable_cloud_is_transient_and_unavailable():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with client_for(url) as client, pytest.raises(ShellyUnavailable):
        client.get_status("shelly-washer-1")


def test_wrong_auth_key_is_a_permanent_auth_error(fast_cloud):
    with ShellyClient(fast_cloud, "not-the-key", min_interval=0) as client:
        with pytest.raises(ShellyAuthError) as caught:
            client.get_status("shelly-washer-1")
    assert caught.value.is_transient is False


def test_offline_device_reads_as_unknown_and_refuses_commands(fast_cloud):
    with client_for(fast_cloud) as client:
        assert client.get_status("shelly-spare-1") == RelayStatus("shelly-spare-1", False, None, None)
        with pytest.raises(ShellyDeviceOffline) as caught:
            client.set_relay("shelly-spare-1", True, auto_off_seconds=600)

        httpx.post(f"{fast_cloud}/_sim/devices/shelly-spare-1/online", json={"online": True})
        assert client.set_relay("shelly-spare-1", True, auto_off_seconds=600).is_on is True

    assert caught.value.is_transient is False
    outcomes = [c["outcome"] for c in commands(fast_cloud, "/device/relay/control")]
    assert outcomes == ["offline", "ok"]


def test_relay_that_does_not_follow_the_command_raises_a_mismatch(fast_cloud):
    with client_for(fast_cloud) as client, pytest.raises(ShellyRelayMismatch):
        client.set_relay("shelly-stuck-1", True, auto_off_seconds=60)


def test_power_loss_shows_on_the_next_read(fast_cloud):
    with client_for(fast_cloud) as client:
        client.set_relay("shelly-washer-1", True, auto_off_seconds=600)
        httpx.post(f"{fast_cloud}/_sim/devices/shelly-washer-1/relay", json={"on": False})
        assert client.get_status("shelly-washer-1").is_on is False


def test_status_page_shows_each_device_and_refreshes_itself(fast_cloud):
    with client_for(fast_cloud) as client:
        client.set_relay("shelly-washer-1", True, auto_off_seconds=90)
    page = httpx.get(f"{fast_cloud}/").text

    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Washer 1" in page and "shelly-washer-1" in page
    assert "badge on'>ON" in page and "badge off'>OFF" in page
    assert "Auto-off in 1:30" in page or "Auto-off in 1:29" in page
    assert "offline" in page


def test_client_and_page_work_with_the_simulator_mounted_under_a_path():
    from starlette.applications import Starlette
    from starlette.routing import Mount

    simulator = create_shelly_simulator(AUTH_KEY, DEVICES, rate_limit_per_second=200)
    app = Starlette(routes=[Mount("/_sim/shelly", app=simulator)])
    server = serve(app)
    try:
        base = f"{server.url}/_sim/shelly"
        with client_for(base) as client:
            assert client.set_relay("shelly-washer-1", True, auto_off_seconds=30).is_on is True
        assert "Washer 1" in httpx.get(f"{base}/").text
        assert len(commands(base, "/device/relay/control")) == 1
    finally:
        server.stop()
