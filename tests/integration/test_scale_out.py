"""Two web processes and two RQ workers on one PostgreSQL and one Redis: paid work is shared between the
workers, and no job, relay command or Shelly Cloud call is done twice or refused for going too fast."""

from __future__ import annotations

import httpx
from rq import Worker
from rq.job import Job
from rq.results import Result
from sqlmodel import select

from hygate_app import providers
from hygate_app.models import DeviceSessionStatus, WebhookEvent
from tests.support.catalogue import new_device, relay_commands
from tests.support.purchases import pay_for, session_of
from tests.support.stack import wait_for

SESSIONS = 8


def cloud_calls(stack, shelly_ids: set[str]) -> list[dict]:
    commands = httpx.get(f"{stack.shelly}/_sim/commands", timeout=5).json()["commands"]
    return [c for c in commands if c.get("device_id") in shelly_ids]


def test_many_paid_sessions_at_once_are_shared_by_both_workers_and_each_relay_is_switched_on_once(
        stack, pg, scaled_out):
    # Long plans: no relay-OFF falls due while this suite runs.
    devices = [new_device(pg, stack.shelly, minutes=120) for _ in range(SESSIONS)]
    payments = [pay_for(stack, pg, device) for device in devices]

    sessions = [wait_for(lambda p=p: (s := session_of(pg, p)) and s.status == DeviceSessionStatus.active and s,
                         timeout=90, message="every relay to be switched ON") for p in payments]

    # Each relay got exactly one ON, and the account's one-call-a-second limit was never hit, although two
    # workers (each its own process) talked to Shelly Cloud at the same time.
    for device in devices:
        assert relay_commands(stack.shelly, device.shelly_device_id) == ["on"]
    calls = cloud_calls(stack, {device.shelly_device_id for device in devices})
    assert [c for c in calls if c["outcome"] != "ok"] == []

    # Every job (apply the webhook, then switch the relay ON) ran once, successfully; both workers took some.
    events = pg.exec(select(WebhookEvent.stripe_event_id).where(
        WebhookEvent.object_id.in_([p.stripe_checkout_session_id for p in payments]))).all()
    job_ids = [f"stripe-{event}" for event in events] + [f"relay-on-{session.id}" for session in sessions]
    redis = providers.redis()
    runs = [Job.fetch(job_id, connection=redis).results() for job_id in job_ids]
    assert [[r.type for r in job_runs] for job_runs in runs] == [[Result.Type.SUCCESSFUL]] * (2 * SESSIONS)
    assert {job_runs[0].worker_name for job_runs in runs} == {w.name for w in Worker.all(connection=redis)}
