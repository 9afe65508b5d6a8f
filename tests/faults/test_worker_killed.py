"""A worker SIGKILLed in the middle of a relay job: its command reached the Shelly cloud (which is slow to
answer), its database transaction never committed, and RQ does not know what became of the job. The cleanup
pass, run as the cron runs it, finishes the work from the database."""

from __future__ import annotations

import httpx
import pytest

from hygate_app import providers
from hygate_app.models import DeviceSession, DeviceSessionStatus
from tests.support.catalogue import new_device, relay_state
from tests.support.faults import forget_dead_scheduler, set_fault, start_worker
from tests.support.purchases import pay_for, running_session, session_of
from tests.support.stack import wait_for

pytestmark = pytest.mark.faults
S = DeviceSessionStatus


def status_of(pg, session_id: int) -> DeviceSessionStatus:
    pg.expire_all()
    return pg.get(DeviceSession, session_id).status


def kill_when_the_command_lands(stack, shelly_id: str, turn: str) -> None:
    def landed() -> bool:
        commands = httpx.get(f"{stack.shelly}/_sim/commands", timeout=5).json()["commands"]
        return any(c["device_id"] == shelly_id and c["params"].get("turn") == turn and c["outcome"] == "slow:ok"
                   for c in commands)

    wait_for(landed, timeout=30, message=f"the relay-{turn} command to reach the Shelly cloud")
    stack.kill("worker")
    forget_dead_scheduler(providers.redis())
    start_worker(stack)  # as the process manager restarts a dead worker


@pytest.mark.parametrize("back", ["within the paid time", "after the paid end"])
def test_a_worker_killed_while_switching_a_relay_on(run, stack, pg, back):
    device = new_device(pg, stack.shelly, minutes=30)
    set_fault(stack.shelly, mode="slow", delay_seconds=60, device_id=device.shelly_device_id)
    payment = pay_for(stack, pg, device)
    kill_when_the_command_lands(stack, device.shelly_device_id, "on")
    # The relay is ON, the database never heard of it.
    assert session_of(pg, payment).status == S.pending
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is True

    run.minutes_pass(3 if back == "within the paid time" else 36)
    run.cleanup()
    run.settle()

    if back == "within the paid time":
        assert session_of(pg, payment).status == S.active
        run.minutes_pass(33)
        with pytest.raises(AssertionError, match="still active"):
            run.check_invariants()
        run.cleanup()
        assert session_of(pg, payment).status == S.completed
    else:
        assert session_of(pg, payment).status == S.failed
    run.check_invariants()


def test_a_worker_killed_while_switching_a_relay_off(run, stack, pg):
    device = new_device(pg, stack.shelly, minutes=30)
    session = running_session(stack, pg, device)
    run.minutes_pass(36)
    set_fault(stack.shelly, mode="slow", delay_seconds=60, device_id=device.shelly_device_id)
    providers.job_queue().enqueue("jobs.relay.switch_relay_off", session.id)  # what the scheduler does at the end
    kill_when_the_command_lands(stack, device.shelly_device_id, "off")
    assert status_of(pg, session.id) == S.active
    with pytest.raises(AssertionError, match="still active"):
        run.check_invariants()

    run.cleanup()

    assert status_of(pg, session.id) == S.completed
    run.check_invariants()
