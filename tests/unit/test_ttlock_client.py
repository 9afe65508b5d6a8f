"""TTLockClient against the TTLock simulator over real HTTP: tokens, paging, credentials, errors, pacing."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.retries import NO_RETRIES
from hygate_app.integrations.simulators.ttlock_sim import create_ttlock_simulator
from hygate_app.integrations.ttlock import (
    CredentialKind,
    Tokens,
    TTLockAuthError,
    TTLockClient,
    TTLockError,
    TTLockGatewayOffline,
    TTLockInvalidParameter,
    TTLockNotFound,
    TTLockQuotaExceeded,
    TTLockRateLimited,
    TTLockUnavailable,
    TTLockUnsupported,
    md5_password,
)
from hygate_app.models import AuditLog, Integration, IntegrationCredential
from hygate_app.services.credentials import store_credential
from hygate_app.services.encryption import KeyRing, generate_key
from hygate_app.services.ttlock_tokens import DatabaseTokenStore
from tests.support.live_server import LiveServer
from tests.support.ttlock import TTLOCK_ACCOUNT

FRONT, GYM = 7100001, 7100002  # the simulator's defaults: with a gateway, and without one
QR_LOCK, FAR_EAST_LOCK = 7100003, 7100004
control = httpx.Client(timeout=5)  # one client for the simulator's control calls: no TLS set-up per call
VISIT_START = datetime(2030, 3, 1, 10, 20, 30, tzinfo=UTC)
VISIT_END = datetime(2030, 3, 1, 11, 35, 10, tzinfo=UTC)


class MemoryTokenStore:
    def __init__(self, tokens: Tokens | None = None) -> None:
        self.tokens = tokens
        self.saved: list[Tokens] = []

    def load(self) -> Tokens | None:
        return self.tokens

    def save(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.saved.append(tokens)


@pytest.fixture(scope="module", autouse=True)
def _close_control() -> Iterator[None]:
    yield
    control.close()


@pytest.fixture
def cloud(ttlock_sim: LiveServer) -> str:
    control.post(f"{ttlock_sim.url}/_sim/reset").raise_for_status()
    for spec in ({"id": QR_LOCK, "alias": "Lobby QR door", "supports_qr": True, "battery": 64},
                 {"id": FAR_EAST_LOCK, "alias": "Mumbai door", "timezone_offset_ms": 19_800_000}):
        control.post(f"{ttlock_sim.url}/_sim/locks", json=spec).raise_for_status()
    return ttlock_sim.url


def client_for(url: str, **kwargs) -> TTLockClient:
    kwargs.setdefault("min_interval", 0)
    kwargs.setdefault("password", TTLOCK_ACCOUNT["password"])
    return TTLockClient(url, TTLOCK_ACCOUNT["client_id"], TTLOCK_ACCOUNT["client_secret"],
                        TTLOCK_ACCOUNT["username"], **kwargs)


def calls(url: str, path: str | None = None) -> list[dict]:
    entries = control.get(f"{url}/_sim/calls").json()["calls"]
    return [entry for entry in entries if path is None or entry["path"] == path]


def outcomes(url: str) -> list[tuple[str, str]]:
    return [(entry["path"], entry["outcome"]) for entry in calls(url)]


def issued(url: str) -> dict[int, dict]:
    return {c["id"]: c for c in control.get(f"{url}/_sim/credentials").json()["credentials"]}


def fault(url: str, **body) -> None:
    control.post(f"{url}/_sim/faults", json=body).raise_for_status()


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


# --- tokens ------------------------------------------------------------------------------------


def test_md5_is_lowercase_hex_as_the_api_documents():
    assert md5_password("123456") == "e10adc3949ba59abbe56e057f20f883e"


def test_the_account_password_is_sent_as_md5_and_every_call_is_signed(cloud):
    store = MemoryTokenStore()
    with client_for(cloud, token_store=store) as clear, \
            client_for(cloud, password=None, password_md5=md5_password(TTLOCK_ACCOUNT["password"]).upper()) as hashed:
        assert {lock.lock_id for lock in clear.list_locks()} >= {FRONT, GYM}
        assert hashed.lock_detail(FRONT).lock_id == FRONT

    grants = calls(cloud, "/oauth2/token")
    assert [g["outcome"] for g in grants] == ["granted", "granted"]
    assert all(g["params"]["password"] == "***" and g["params"]["clientId"] == TTLOCK_ACCOUNT["client_id"]
               for g in grants)
    signed = [c for c in calls(cloud) if c["path"].startswith("/v3/")]
    assert signed and all(c["params"]["accessToken"] == "***" for c in signed)
    assert all(abs(int(c["params"]["date"]) - time.time() * 1000) < 60_000 for c in signed)
    assert [t.lifetime_seconds for t in store.saved] == [90 * 24 * 3600]


def test_wrong_password_or_client_secret_is_a_permanent_auth_error(cloud):
    with client_for(cloud, password="not-the-password") as wrong_password, \
            TTLockClient(cloud, TTLOCK_ACCOUNT["client_id"], "wrong-secret", TTLOCK_ACCOUNT["username"],
                         password=TTLOCK_ACCOUNT["password"], min_interval=0) as wrong_secret:
        with pytest.raises(TTLockAuthError) as bad_account:
            wrong_password.list_locks()
        with pytest.raises(TTLockAuthError) as bad_client:
            wrong_secret.list_locks()
    assert (bad_account.value.errcode, bad_client.value.errcode) == (10007, 10001)
    assert not bad_account.value.is_transient and not bad_client.value.is_transient
    assert "invalid account or invalid password" in str(bad_account.value)
    assert calls(cloud, "/v3/lock/list") == []


def test_stored_tokens_are_reused_without_logging_in_again(cloud):
    store = MemoryTokenStore()
    with client_for(cloud, token_store=store) as first:
        first.list_locks()
    with client_for(cloud, token_store=store, password="the store makes this unused") as second:
        second.lock_detail(FRONT)
    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted"]
    assert len(store.saved) == 1


def test_tokens_close_to_expiry_are_refreshed_before_the_call(cloud):
    store = MemoryTokenStore()
    with client_for(cloud, token_store=store) as client:
        client.list_locks()
    fresh = store.tokens
    # Still valid on the server for 90 days; the store only says it ends in 60 s, inside the 5-minute margin.
    store.tokens = replace(fresh, expires_at=time.time() + 60)
    with client_for(cloud, token_store=store) as client:
        client.lock_detail(GYM)

    assert outcomes(cloud)[-2:] == [("/oauth2/token", "refreshed"), ("/v3/lock/detail", "ok")]
    assert calls(cloud, "/oauth2/token")[-1]["params"]["grant_type"] == "refresh_token"
    assert store.tokens.access_token != fresh.access_token
    assert store.tokens.expires_at > time.time() + 89 * 24 * 3600


def test_a_short_lived_token_is_refreshed_at_ten_percent_of_its_life(cloud):
    store = MemoryTokenStore()
    with client_for(cloud, token_store=store) as client:
        client.list_locks()
    granted = store.tokens
    # A 1000 s token is refreshed in its last 100 s (10 %), not in its last 300 s.
    outside = MemoryTokenStore(replace(granted, lifetime_seconds=1000, expires_at=time.time() + 150))
    inside = MemoryTokenStore(replace(granted, lifetime_seconds=1000, expires_at=time.time() + 90))
    with client_for(cloud, token_store=outside) as client:
        client.list_locks()
    with client_for(cloud, token_store=inside) as client:
        client.list_locks()
    assert outside.saved == [] and len(inside.saved) == 1
    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted", "refreshed"]


def test_a_token_expired_on_the_server_is_refreshed_once_and_the_call_retried(cloud):
    with client_for(cloud) as client:
        client.list_locks()
        control.post(f"{cloud}/_sim/tokens/expire").raise_for_status()
        detail = client.lock_detail(GYM)
    assert detail.lock_id == GYM
    assert outcomes(cloud)[1:] == [("/v3/lock/list", "ok"), ("/v3/lock/detail", "expired_token"),
                                   ("/oauth2/token", "refreshed"), ("/v3/lock/detail", "ok")]


def test_a_refused_refresh_token_falls_back_to_the_password_grant(cloud):
    with client_for(cloud) as client:
        client.list_locks()
        control.post(f"{cloud}/_sim/tokens/expire", json={"refresh_tokens": True}).raise_for_status()
        assert client.lock_detail(FRONT).has_gateway is True
    assert outcomes(cloud)[2:] == [("/v3/lock/detail", "expired_token"), ("/oauth2/token", "refresh_refused"),
                                   ("/oauth2/token", "granted"), ("/v3/lock/detail", "ok"),
                                   ("/v3/gateway/listByLock", "ok")]


def test_a_token_refused_again_after_refreshing_is_an_auth_error(cloud):
    with client_for(cloud) as client:
        client.list_locks()
        fault(cloud, mode="errcode", errcode=10004, count=2)
        with pytest.raises(TTLockAuthError) as caught:
            client.lock_detail(FRONT)
    assert caught.value.errcode == 10004 and not caught.value.is_transient
    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted", "refreshed"]


def test_workers_sharing_a_store_adopt_each_others_refreshed_token(cloud):
    shared = MemoryTokenStore()
    with client_for(cloud, token_store=shared) as first, client_for(cloud, token_store=shared) as second:
        first.list_locks()
        second.list_locks()
        control.post(f"{cloud}/_sim/tokens/expire").raise_for_status()
        first.lock_detail(GYM)
        second.lock_detail(GYM)  # refused with its old token, then takes the one `first` stored

    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted", "refreshed"]
    assert [c["outcome"] for c in calls(cloud, "/v3/lock/detail")] == ["expired_token", "ok", "expired_token", "ok"]


def test_threads_sharing_a_client_log_in_once(cloud):
    with client_for(cloud) as client, ThreadPoolExecutor(max_workers=4) as pool:
        details = list(pool.map(lambda lock_id: client.lock_detail(lock_id), [FRONT, GYM, QR_LOCK, FRONT]))
    assert [d.lock_id for d in details] == [FRONT, GYM, QR_LOCK, FRONT]
    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted"]


# --- locks -------------------------------------------------------------------------------------


def test_list_locks_follows_every_page(cloud):
    for n in range(5, 12):
        control.post(f"{cloud}/_sim/locks", json={"id": 7100000 + n, "alias": f"Door {n}", "battery": 10 * n % 100,
                                                "has_gateway": n % 2 == 0}).raise_for_status()
    with client_for(cloud) as client:
        locks = client.list_locks(page_size=4)

    pages = calls(cloud, "/v3/lock/list")
    assert [(p["params"]["pageNo"], p["params"]["pageSize"]) for p in pages] == [("1", "4"), ("2", "4"), ("3", "4")]
    assert [lock.lock_id for lock in locks] == [7100000 + n for n in range(1, 12)]
    by_id = {lock.lock_id: lock for lock in locks}
    assert by_id[QR_LOCK].name == "Lobby QR door" and by_id[QR_LOCK].battery == 64
    assert by_id[QR_LOCK].supports_qr and not by_id[FRONT].supports_qr
    assert by_id[FRONT].has_gateway and not by_id[GYM].has_gateway
    assert by_id[7100006].battery == 60 and by_id[7100006].has_gateway
    assert all(lock.supports_passage_mode and lock.mac.count(":") == 5 for lock in locks)
    with client_for(cloud) as client, pytest.raises(ValueError):
        client.list_locks(page_size=101)


def test_lock_detail_reports_battery_gateway_and_passage_mode(cloud):
    with client_for(cloud) as client:
        front = client.lock_detail(FRONT)
        control.post(f"{cloud}/_sim/locks/{FRONT}", json={"battery": 12, "gateway_online": False})
        weak = client.lock_detail(FRONT)
        gym = client.lock_detail(GYM)
        far = client.lock_detail(FAR_EAST_LOCK)

    assert (front.battery, front.has_gateway, front.gateway_online, front.passage_mode) == (90, True, True, False)
    assert (weak.battery, weak.has_gateway, weak.gateway_online) == (12, True, False)
    assert (gym.has_gateway, gym.gateway_online) == (False, False)
    assert far.timezone_offset_ms == 19_800_000 and far.name == "Mumbai door"
    # A lock without a gateway needs no gateway lookup.
    assert [c["params"]["lockId"] for c in calls(cloud, "/v3/gateway/listByLock")] == [str(FRONT), str(FRONT),
                                                                                       str(FAR_EAST_LOCK)]


def test_passage_mode_is_set_through_the_gateway_and_read_back(cloud):
    with client_for(cloud) as client:
        client.set_passage_mode(FRONT, True)
        on = client.lock_detail(FRONT).passage_mode
        client.set_passage_mode(FRONT, False)
        off = client.lock_detail(FRONT).passage_mode
        with pytest.raises(TTLockGatewayOffline) as no_gateway:
            client.set_passage_mode(GYM, True)
    assert (on, off) == (True, False)
    sent = [c["params"] for c in calls(cloud, "/v3/lock/configPassageMode") if c["outcome"] == "ok"]
    assert sent[0]["passageMode"] == "1" and sent[0]["type"] == "2" and sent[0]["isAllDay"] == "1"
    assert json.loads(sent[0]["weekDays"]) == [1, 2, 3, 4, 5, 6, 7]
    assert sent[1]["passageMode"] == "2"
    assert no_gateway.value.errcode == -2012 and not no_gateway.value.is_transient


# --- credentials -------------------------------------------------------------------------------


def test_cloud_passcodes_are_widened_to_whole_hours_around_the_visit(cloud):
    with client_for(cloud) as client:
        credential = client.create_timed_passcode(GYM, VISIT_START, VISIT_END, "Visit 42", exact=False)

    assert credential.kind is CredentialKind.cloud_passcode and credential.lock_id == GYM
    assert credential.valid_from == datetime(2030, 3, 1, 10, 0, tzinfo=UTC)
    assert credential.valid_until == datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    assert credential.code.isdigit() and 6 <= len(credential.code) <= 9
    held = issued(cloud)[credential.credential_id]
    assert (held["kind"], held["code"], held["name"]) == ("cloud_passcode", credential.code, "Visit 42")
    assert (held["start_ms"], held["end_ms"]) == (ms(credential.valid_from), ms(credential.valid_until))
    assert not held["deleted"]


def test_cloud_passcode_hours_follow_the_lock_clock(cloud):
    with client_for(cloud) as client:
        offset = client.lock_detail(FAR_EAST_LOCK).timezone_offset_ms
        credential = client.create_timed_passcode(FAR_EAST_LOCK, VISIT_START, VISIT_END, "Visit 43", exact=False,
                                                  timezone_offset_ms=offset)
    # 10:20:30 UTC is 15:50 in Mumbai (UTC+5:30): the code runs 15:00-18:00 there, 09:30-12:30 UTC.
    assert credential.valid_from == datetime(2030, 3, 1, 9, 30, tzinfo=UTC)
    assert credential.valid_until == datetime(2030, 3, 1, 12, 30, tzinfo=UTC)
    held = issued(cloud)[credential.credential_id]
    assert (held["start_ms"], held["end_ms"]) == (ms(credential.valid_from), ms(credential.valid_until))


def test_gateway_passcodes_are_exact_to_the_minute(cloud):
    with client_for(cloud) as client:
        credential = client.create_timed_passcode(FRONT, VISIT_START, VISIT_END, "Visit 44", exact=True)

    assert credential.kind is CredentialKind.gateway_passcode
    assert credential.valid_from == datetime(2030, 3, 1, 10, 20, tzinfo=UTC)
    assert credential.valid_until == datetime(2030, 3, 1, 11, 36, tzinfo=UTC)
    assert credential.code.isdigit() and len(credential.code) == 7
    held = issued(cloud)[credential.credential_id]
    assert (held["kind"], held["code"]) == ("gateway_passcode", credential.code)
    assert (held["start_ms"], held["end_ms"]) == (ms(credential.valid_from), ms(credential.valid_until))
    assert calls(cloud, "/v3/keyboardPwd/add")[0]["params"]["addType"] == "2"


def test_a_custom_code_already_on_the_lock_is_replaced_by_a_new_draw(cloud):
    with client_for(cloud) as client:
        client.list_locks()
        fault(cloud, mode="errcode", errcode=-3007, count=1)
        credential = client.create_timed_passcode(FRONT, VISIT_START, VISIT_END, "Visit 45", exact=True)
    attempts = calls(cloud, "/v3/keyboardPwd/add")
    assert [a["outcome"] for a in attempts] == ["errcode", "ok"]
    assert attempts[1]["params"]["keyboardPwd"] == credential.code
    assert list(issued(cloud)) == [credential.credential_id]


def test_gateway_passcodes_need_a_gateway_that_is_online(cloud):
    control.post(f"{cloud}/_sim/locks/{FRONT}", json={"gateway_online": False})
    with client_for(cloud) as client:
        with pytest.raises(TTLockGatewayOffline) as offline:
            client.create_timed_passcode(FRONT, VISIT_START, VISIT_END, "Visit", exact=True)
        with pytest.raises(TTLockGatewayOffline) as none:
            client.create_timed_passcode(GYM, VISIT_START, VISIT_END, "Visit", exact=True)
        fallback = client.create_timed_passcode(GYM, VISIT_START, VISIT_END, "Visit", exact=False)
    assert (offline.value.errcode, none.value.errcode) == (-3002, -2012)
    assert not offline.value.is_transient and "offline" in str(offline.value)
    assert list(issued(cloud)) == [fallback.credential_id]


def test_passcodes_are_deleted_through_the_gateway_or_from_the_cloud(cloud):
    with client_for(cloud) as client:
        exact = client.create_timed_passcode(FRONT, VISIT_START, VISIT_END, "Visit", exact=True)
        hourly = client.create_timed_passcode(GYM, VISIT_START, VISIT_END, "Visit", exact=False)
        client.delete_credential(exact, lock_has_gateway=True)
        client.delete_credential(hourly, lock_has_gateway=False)
        with pytest.raises(TTLockNotFound) as again:
            client.delete_passcode(FRONT, exact.credential_id)

    held = issued(cloud)
    assert held[exact.credential_id]["deleted"] and held[hourly.credential_id]["deleted"]
    assert [c["params"]["deleteType"] for c in calls(cloud, "/v3/keyboardPwd/delete")] == ["2", "1", "2"]
    assert again.value.errcode == -2009 and not again.value.is_transient


def test_qr_codes_carry_content_link_and_the_window_the_cloud_holds(cloud):
    start = datetime.now(UTC) - timedelta(minutes=1)
    end = start + timedelta(minutes=45, seconds=20)
    with client_for(cloud) as client:
        qr = client.create_qr_code(QR_LOCK, start, end, "Visit 46")
        content = client.qr_code_content(qr.credential_id)
        later = client.create_qr_code(QR_LOCK, start + timedelta(days=1), end + timedelta(days=1), "Tomorrow")
        client.delete_credential(qr, lock_has_gateway=False)
        with pytest.raises(TTLockUnsupported) as unsupported:
            client.create_qr_code(FRONT, start, end, "No camera")

    assert qr.kind is CredentialKind.qr_code and qr.code and qr.code == content
    assert qr.link and qr.link.endswith(str(qr.credential_id))
    assert qr.valid_from <= start and qr.valid_until >= end
    assert qr.valid_from.second == 0 and qr.valid_until.second == 0
    held = issued(cloud)
    assert (held[qr.credential_id]["start_ms"], held[qr.credential_id]["end_ms"]) == (
        ms(qr.valid_from), ms(qr.valid_until))
    assert held[qr.credential_id]["deleted"] and not held[later.credential_id]["deleted"]
    assert later.code is None  # the cloud gives no content before the window opens
    window_minutes = int((qr.valid_until - qr.valid_from).total_seconds()) // 60
    assert calls(cloud, "/v3/qrCode/add")[0]["params"]["refreshTime"] == str(window_minutes)
    assert unsupported.value.errcode == -4043 and not unsupported.value.is_transient


def test_timed_credentials_refuse_naive_or_backwards_times(cloud):
    with client_for(cloud) as client:
        with pytest.raises(ValueError):
            client.create_timed_passcode(FRONT, VISIT_END, VISIT_START, "Backwards", exact=True)
        with pytest.raises(ValueError):
            client.create_timed_passcode(FRONT, VISIT_START.replace(tzinfo=None), VISIT_END, "Naive", exact=False)
    assert issued(cloud) == {}


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("errcode", "error", "transient"), [
    (-3, TTLockInvalidParameter, False),
    (80000, TTLockInvalidParameter, False),
    (-1003, TTLockNotFound, False),
    (-2012, TTLockGatewayOffline, False),
    (-3036, TTLockGatewayOffline, False),
    (-2018, TTLockAuthError, False),
    (-4043, TTLockUnsupported, False),
    (30007, TTLockQuotaExceeded, False),
    (-3003, TTLockUnavailable, True),
    (90000, TTLockUnavailable, True),
    (30006, TTLockRateLimited, True),
    (4242, TTLockError, False),
])
def test_error_envelopes_map_to_clear_errors(cloud, errcode, error, transient):
    store = MemoryTokenStore()
    with client_for(cloud, token_store=store, retry=NO_RETRIES) as client:
        client.list_locks()
        fault(cloud, mode="errcode", errcode=errcode, errmsg=f"simulated {errcode}", count=1)
        with pytest.raises(TTLockError) as caught:
            client.lock_detail(FRONT)
    assert type(caught.value) is error
    assert caught.value.errcode == errcode and caught.value.is_transient is transient
    assert f"errcode {errcode}: simulated {errcode}" in str(caught.value)
    assert "/v3/lock/detail" in str(caught.value) and store.tokens.access_token not in str(caught.value)


def test_server_errors_and_timeouts_are_transient(cloud):
    with client_for(cloud, timeout=0.3, retry=NO_RETRIES) as client:
        client.list_locks()
        fault(cloud, mode="error500", count=1)
        with pytest.raises(TTLockUnavailable) as server_error:
            client.lock_detail(FRONT)
        fault(cloud, mode="timeout", count=1, delay_seconds=1.0)
        with pytest.raises(TTLockUnavailable) as timeout:
            client.lock_detail(FRONT)
        assert client.lock_detail(FRONT).lock_id == FRONT
    assert server_error.value.is_transient and timeout.value.is_transient


def test_an_unreachable_cloud_is_transient():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    with client_for(url) as client, pytest.raises(TTLockUnavailable) as caught:
        client.list_locks()
    assert caught.value.is_transient


def test_the_simulator_answers_with_the_real_envelope(cloud):
    wrong = control.post(f"{cloud}/oauth2/token", data={
        "clientId": TTLOCK_ACCOUNT["client_id"], "clientSecret": TTLOCK_ACCOUNT["client_secret"],
        "username": TTLOCK_ACCOUNT["username"], "password": md5_password("guess")}).json()
    assert wrong["errcode"] == 10007 and wrong["errmsg"] and "description" in wrong
    token = control.post(f"{cloud}/oauth2/token", data={
        "clientId": TTLOCK_ACCOUNT["client_id"], "clientSecret": TTLOCK_ACCOUNT["client_secret"],
        "username": TTLOCK_ACCOUNT["username"], "password": md5_password(TTLOCK_ACCOUNT["password"])}).json()
    assert set(token) >= {"access_token", "refresh_token", "expires_in", "uid"}
    stale = control.get(f"{cloud}/v3/lock/list", params={
        "clientId": TTLOCK_ACCOUNT["client_id"], "accessToken": token["access_token"], "pageNo": 1, "pageSize": 10,
        "date": int(time.time() * 1000) - 10 * 60_000}).json()
    assert stale["errcode"] == 80000
    too_big = control.get(f"{cloud}/v3/lock/list", params={
        "clientId": TTLOCK_ACCOUNT["client_id"], "accessToken": token["access_token"], "pageNo": 1,
        "pageSize": 101, "date": int(time.time() * 1000)}).json()
    assert too_big["errcode"] == -3


# --- pacing ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_cloud() -> Iterator[str]:
    """A cloud that refuses calls closer together than 50 ms."""
    server = LiveServer().start(create_ttlock_simulator(
        TTLOCK_ACCOUNT["client_id"], TTLOCK_ACCOUNT["client_secret"], TTLOCK_ACCOUNT["username"],
        md5_password(TTLOCK_ACCOUNT["password"]), rate_limit_per_second=20))
    yield server.url
    server.stop()


def test_paced_calls_are_never_closer_than_the_interval(strict_cloud):
    control.post(f"{strict_cloud}/_sim/reset").raise_for_status()
    interval = 0.05
    with client_for(strict_cloud, min_interval=interval) as client:
        for _ in range(3):
            client.lock_detail(FRONT)
            client.list_locks()
    arrivals = [c["arrived"] for c in calls(strict_cloud)]
    spacing = [(later - earlier) / interval for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert len(spacing) >= 9 and min(spacing) >= 1.0
    assert {c["outcome"] for c in calls(strict_cloud)} <= {"granted", "ok"}


def test_an_unpaced_client_is_rate_limited_and_that_is_transient(strict_cloud):
    control.post(f"{strict_cloud}/_sim/reset").raise_for_status()
    with client_for(strict_cloud, min_interval=0, retry=NO_RETRIES) as hammer:
        with pytest.raises(TTLockRateLimited) as caught:
            for _ in range(5):
                hammer.lock_detail(GYM)
    assert caught.value.errcode == 30006 and caught.value.is_transient
    assert "rate_limited" in [c["outcome"] for c in calls(strict_cloud, "/v3/lock/detail")]


# --- stored tokens -----------------------------------------------------------------------------


def test_tokens_round_trip_encrypted_through_the_credential_store(cloud, db):
    ring = KeyRing.from_strings(generate_key())
    store = DatabaseTokenStore(lambda: nullcontext(db), ring)
    assert store.load() is None
    with client_for(cloud, token_store=store) as first:
        first.list_locks()
    saved = store.load()
    row = db.exec(select(IntegrationCredential)).one()
    assert (row.integration, row.field) == ("ttlock", "oauth_tokens")
    assert saved.access_token not in row.ciphertext and saved.refresh_token not in row.ciphertext
    audit = db.exec(select(AuditLog).where(AuditLog.action == "integration_credential.stored")).one()
    assert saved.access_token not in audit.details
    assert saved.access_token not in repr(saved) and saved.refresh_token not in repr(saved)

    with client_for(cloud, token_store=DatabaseTokenStore(lambda: nullcontext(db), ring)) as second:
        assert second.lock_detail(FRONT).lock_id == FRONT
    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted"]


def test_unreadable_stored_tokens_cost_only_a_fresh_login(cloud, db):
    ring = KeyRing.from_strings(generate_key())
    store_credential(db, Integration.ttlock, "oauth_tokens", "not json", ring)
    store = DatabaseTokenStore(lambda: nullcontext(db), ring)
    assert store.load() is None
    with client_for(cloud, token_store=store) as client:
        client.list_locks()
    assert store.load() is not None
    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted"]


def test_tokens_of_another_account_are_not_used(cloud, db):
    ring = KeyRing.from_strings(generate_key())
    with client_for(cloud, token_store=DatabaseTokenStore(lambda: nullcontext(db), ring, account="app:old@x")) as c:
        c.list_locks()
    switched = DatabaseTokenStore(lambda: nullcontext(db), ring, account="app:new@x")
    assert switched.load() is None
    with client_for(cloud, token_store=switched) as client:
        client.list_locks()
    assert [c["outcome"] for c in calls(cloud, "/oauth2/token")] == ["granted", "granted"]


# --- the page ----------------------------------------------------------------------------------


def test_status_page_lists_locks_and_issued_credentials(cloud):
    with client_for(cloud) as client:
        credential = client.create_timed_passcode(FRONT, VISIT_START, VISIT_END, "Visit 47", exact=True)
    page = control.get(f"{cloud}/").text
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Front door" in page and "Gym door" in page and "no gateway" in page
    assert credential.code in page and "Visit 47" in page and "2030-03-01T10:20" in page
