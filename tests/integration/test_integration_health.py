"""Integration health from real call outcomes, and the e-mail to administrators when an integration keeps failing:
the outcome rules and the incident mail on PostgreSQL with the Resend simulator, the recorder on Redis, and on the
running stack a relay that cannot be switched turning the Shelly badge red, then green."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from redis import Redis
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.integrations.mailer import ResendClient
from hygate_app.integrations.retries import NO_RETRIES
from hygate_app.integrations.simulators.resend_sim import create_resend_simulator
from hygate_app.models import AuditLog, DeviceSessionStatus, Integration, IntegrationHealth, Role
from hygate_app.models.columns import utcnow
from hygate_app.services import integration_health
from hygate_app.services.dashboard import integration_statuses
from hygate_app.services.errors import RetryLater
from hygate_app.services.integration_health import MAIL_JOB, RECORD_JOB, AlertRule, HealthRecorder
from tests.support.catalogue import new_device
from tests.support.fakes import RecordingQueue
from tests.support.live_server import LiveServer
from tests.support.purchases import pay_for, session_of
from tests.support.stack import wait_for
from tests.support.staff import new_staff

RULE = AlertRule(failures=3, after=timedelta(minutes=2))
TTLOCK = Integration.ttlock


@pytest.fixture
def fresh_ttlock_row(pg) -> Iterator[None]:
    """These tests own the TTLock row while they run; nothing else in the suite calls TTLock meanwhile."""
    def forget() -> None:
        row = pg.get(IntegrationHealth, TTLOCK)
        if row is not None:
            pg.delete(row)
            pg.commit()

    forget()
    yield
    forget()


@pytest.fixture(scope="module")
def resend_sim() -> Iterator[LiveServer]:
    server = LiveServer().start(create_resend_simulator("re_health_key", rate_limit_per_second=0))
    yield server
    server.stop()


def outcome(pg, queue: RecordingQueue, at: datetime, error: str | None = "TTLock answered 500 on /v3/lock/detail"):
    return integration_health.apply_outcome(pg, TTLOCK, error, at, queue, RULE)


def mails(queue: RecordingQueue) -> list[tuple]:
    return queue.named(MAIL_JOB)


# --- the outcome rules -------------------------------------------------------------------------


def test_a_run_of_failures_many_and_long_enough_alerts_once_and_its_end_once(pg, fresh_ttlock_row):
    queue, t0 = RecordingQueue(), utcnow()
    for minutes in (0, 1, 1.5):  # three failures, but over a minute and a half only
        outcome(pg, queue, t0 + timedelta(minutes=minutes))
    assert mails(queue) == []

    row = outcome(pg, queue, t0 + timedelta(minutes=2))
    assert (row.ok, row.consecutive_failures, row.failing_since, row.alerted_at) == (
        False, 4, t0, t0 + timedelta(minutes=2))
    for minutes in (3, 4):
        outcome(pg, queue, t0 + timedelta(minutes=minutes))
    assert mails(queue) == [("ttlock", "failing", t0.isoformat(), 4, "TTLock answered 500 on /v3/lock/detail",
                             (t0 + timedelta(minutes=2)).isoformat())]

    row = outcome(pg, queue, t0 + timedelta(minutes=5), error=None)
    assert (row.ok, row.consecutive_failures, row.last_error, row.failing_since, row.alerted_at) == (
        True, 0, None, None, None)
    outcome(pg, queue, t0 + timedelta(minutes=6), error=None)
    assert [m[1] for m in mails(queue)] == ["failing", "recovered"]
    assert mails(queue)[1][2] == t0.isoformat()  # the same incident's key
    stamp = int(t0.timestamp() * 1000)
    assert [job_id for name, _, job_id in queue.jobs if name == MAIL_JOB] == [
        f"integration-failing-ttlock-{stamp}", f"integration-recovered-ttlock-{stamp}"]

    row = outcome(pg, queue, t0 + timedelta(minutes=7))  # a new incident starts
    assert (row.failing_since, row.consecutive_failures) == (t0 + timedelta(minutes=7), 1)


def test_a_short_outage_is_on_the_badge_but_mails_nobody(pg, fresh_ttlock_row):
    queue, t0 = RecordingQueue(), utcnow()
    outcome(pg, queue, t0)
    outcome(pg, queue, t0 + timedelta(minutes=5))
    assert integration_statuses(pg)[list(Integration).index(TTLOCK)].ok is False
    outcome(pg, queue, t0 + timedelta(minutes=6), error=None)
    assert mails(queue) == []


def test_an_outcome_older_than_the_one_applied_changes_nothing(pg, fresh_ttlock_row):
    queue, t0 = RecordingQueue(), utcnow()
    outcome(pg, queue, t0 + timedelta(seconds=1), error=None)
    row = outcome(pg, queue, t0)  # a failure whose job ran late
    assert (row.ok, row.consecutive_failures, row.last_check_at) == (True, 0, t0 + timedelta(seconds=1))


# --- the incident mail -------------------------------------------------------------------------


def test_each_administrator_gets_one_alert_per_incident_even_when_the_job_runs_again(pg, resend_sim):
    httpx.post(f"{resend_sim.url}/_sim/reset").raise_for_status()
    admin, other_admin = new_staff(pg, Role.admin), new_staff(pg, Role.admin)
    operator = new_staff(pg, Role.operator)
    mailer = ResendClient(resend_sim.url, "re_health_key", "Hygate <hygate@example.com>", retry=NO_RETRIES)
    since, at = utcnow() - timedelta(minutes=3), utcnow()

    def send(kind: str, *, final_attempt: bool = False) -> int:
        return integration_health.send_incident_mail(pg, mailer, TTLOCK, kind, since, 5, "TTLock answered 500",
                                                     at, final_attempt=final_attempt)

    httpx.post(f"{resend_sim.url}/_sim/faults", json={"status": 503, "count": 1}).raise_for_status()
    with pytest.raises(RetryLater):  # one mail did not go: RQ runs the job again
        send("failing")
    send("failing")
    send("failing", final_attempt=True)  # and again, as a retried job might
    send("recovered")

    def inbox(user) -> list[str]:
        return [m["subject"] for m in httpx.get(f"{resend_sim.url}/_sim/outbox", params={"to": user.email}).json()]

    for user in (admin, other_admin):
        assert inbox(user) == ["Resolved: TTLock works again", "ALERT: TTLock keeps failing"]
    assert inbox(operator) == []
    alerted = pg.exec(select(AuditLog).where(AuditLog.action == "integration.failing_alert_sent",
                                             AuditLog.target_id == "ttlock")).all()
    assert len(alerted) >= 2 and '"failing_since":"' + since.isoformat() + '"' in alerted[-1].details


# --- the recorder ------------------------------------------------------------------------------


def test_the_recorder_passes_on_failures_and_only_news_among_successes():
    redis = Redis.from_url(get_settings().redis_url)
    redis.delete("hygate:integration-health:resend:fresh")
    queue = RecordingQueue()
    recorder = HealthRecorder(Integration.resend, redis, queue)

    for error in (None, None, "Resend answered 503", "timeout calling Resend /emails", None, None):
        recorder(error)

    assert [args[1] for args in queue.named(RECORD_JOB)] == [
        None, "Resend answered 503", "timeout calling Resend /emails", None]
    redis.delete("hygate:integration-health:resend:fresh")


def test_a_recorder_without_redis_never_fails_the_call():
    recorder = HealthRecorder(Integration.resend, Redis(port=1, socket_connect_timeout=0.2), RecordingQueue())
    recorder(None)
    recorder("Resend answered 503")


def test_job_retries_are_spread_when_queued():
    from hygate_app.services.queue import RQJobQueue

    redis = Redis.from_url(get_settings().redis_url)
    queue = RQJobQueue(redis, rand=lambda: 0.0)
    queue.enqueue_at(utcnow() + timedelta(days=1), "jobs.integration_health.record_outcome", "resend", None,
                     utcnow().isoformat(), job_id="jitter-check", retries=[10, 60, 300])
    job = queue.queue.fetch_job("jitter-check")
    try:
        assert job.retry_intervals == [8, 45, 225]
    finally:
        job.delete()


# --- real calls on the running stack -----------------------------------------------------------


def shelly_row(pg) -> IntegrationHealth | None:
    pg.expire_all()
    return pg.get(IntegrationHealth, Integration.shelly)


def test_a_relay_that_cannot_be_switched_turns_the_shelly_badge_red_then_green(stack, pg):
    device = new_device(pg, stack.shelly, minutes=1)
    # Two runs of the relay-ON job use up their three attempts each; the third run gets through.
    httpx.post(f"{stack.shelly}/_sim/faults", json={"mode": "error500", "count": 6}, timeout=5).raise_for_status()
    try:
        payment = pay_for(stack, pg, device)
        red = wait_for(lambda: (row := shelly_row(pg)) and not row.ok and row, timeout=30,
                       message="the worker's failed relay call to turn the badge red")
        assert "answered 500" in red.last_error and red.failing_since is not None
        wait_for(lambda: (s := session_of(pg, payment)) and s.status == DeviceSessionStatus.active, timeout=60,
                 message="the job's retry to switch the relay ON")
    finally:
        httpx.post(f"{stack.shelly}/_sim/faults", json={"mode": "ok"}, timeout=5).raise_for_status()
    green = wait_for(lambda: (row := shelly_row(pg)) and row.ok and row, timeout=30,
                     message="the successful call to turn the badge green")
    assert (green.consecutive_failures, green.last_error, green.failing_since) == (0, None, None)
    assert integration_statuses(pg)[list(Integration).index(Integration.shelly)].ok is True
