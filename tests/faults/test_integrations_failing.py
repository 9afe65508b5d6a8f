"""The Shelly and TTLock clouds failing while guests pay: server errors, timeouts, an answer lost after the
command was carried out, their request limits, and a cloud that stays down. Every payment still ends in what
was bought (after the worker's retries) or in the money back."""

from __future__ import annotations

import pytest

from hygate_app.config import get_settings
from hygate_app.models import DeviceSessionStatus, DoorAccessStatus, Payment, PaymentStatus
from tests.support.catalogue import new_device, relay_state
from tests.support.doors import add_lock, new_door
from tests.support.faults import set_fault
from tests.support.purchases import access_of, pay_for, pay_for_door, session_of

pytestmark = pytest.mark.faults

# The Shelly client gives up after 5 s, the TTLock client after 10 s.
SHELLY_FAULTS = {
    "server error": {"mode": "error500", "count": 2},
    "timeout": {"mode": "timeout", "count": 1, "delay_seconds": 6},
    "answer lost": {"mode": "slow", "count": 1, "delay_seconds": 6},
    "rate limit": {"mode": "rate_limited", "count": 2},
}
TTLOCK_FAULTS = {
    "server error": {"mode": "error500", "count": 2},
    "timeout": {"mode": "timeout", "count": 1, "delay_seconds": 11},
    "rate limit": {"mode": "errcode", "errcode": 30006, "count": 2},
}


def ttlock() -> str:
    return get_settings().ttlock_base


@pytest.mark.parametrize("fault", SHELLY_FAULTS.values(), ids=SHELLY_FAULTS)
def test_shelly_failing_for_a_while_still_starts_the_paid_relay(run, stack, pg, fault):
    device = new_device(pg, stack.shelly, minutes=30)
    set_fault(stack.shelly, device_id=device.shelly_device_id, **fault)
    payment = pay_for(stack, pg, device)
    run.settle()
    assert session_of(pg, payment).status == DeviceSessionStatus.active
    assert relay_state(stack.shelly, device.shelly_device_id)["on"] is True

    run.minutes_pass(36)
    run.cleanup()
    run.check_invariants()


@pytest.mark.parametrize("fault", TTLOCK_FAULTS.values(), ids=TTLOCK_FAULTS)
def test_ttlock_failing_for_a_while_still_makes_the_paid_code(run, stack, pg, fault):
    lock = add_lock(ttlock(), has_gateway=True)
    set_fault(ttlock(), lock_id=lock, **fault)
    payment = pay_for_door(stack, pg, new_door(pg, lock, minutes=30))
    run.settle()
    assert access_of(pg, payment).status == DoorAccessStatus.active

    run.minutes_pass(36)
    run.cleanup()  # the code is wiped from the lock
    run.check_invariants()


def test_clouds_that_stay_down_refund_the_guests(run, stack, pg):
    device = new_device(pg, stack.shelly, minutes=30)
    lock = add_lock(ttlock(), has_gateway=True)
    set_fault(stack.shelly, mode="error500", count=1000, device_id=device.shelly_device_id)
    set_fault(ttlock(), mode="error500", count=1000, lock_id=lock)
    washer, door = pay_for(stack, pg, device), pay_for_door(stack, pg, new_door(pg, lock, minutes=30))
    run.settle(timeout=90)  # the last of the worker's retries, then the refunds

    assert session_of(pg, washer).status == DeviceSessionStatus.failed
    assert access_of(pg, door).status == DoorAccessStatus.failed
    pg.expire_all()
    assert [pg.get(Payment, p.id).status for p in (washer, door)] == [PaymentStatus.refunded] * 2
    run.check_invariants()
