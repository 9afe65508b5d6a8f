"""Paid device sessions and door accesses made through the running stack: checkout as the guest page starts it,
then Pay on the simulated Stripe, whose signed webhook the web process turns into a session (relay-ON job) or a
door access (credential job)."""

from __future__ import annotations

import httpx
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.integrations.stripe_gateway import StripeGateway
from hygate_app.models import Device, DeviceSession, DeviceSessionStatus, Door, DoorAccess, DoorAccessStatus, Payment
from hygate_app.services import checkout
from tests.support.catalogue import first_plan
from tests.support.stack import wait_for


def open_checkout(stack, pg, device: Device, email: str = "guest@example.com") -> Payment:
    """A pending payment: the guest is on Stripe's page and has not paid (yet)."""
    gateway = StripeGateway(get_settings().stripe_secret_key, api_base=stack.stripe)
    started = checkout.start_device_checkout(pg, gateway, device_uid=device.uid, plan_id=first_plan(pg, device).id,
                                             email=email, base_url=stack.url)
    return pg.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()


def pay_for(stack, pg, device: Device, email: str = "guest@example.com") -> Payment:
    payment = open_checkout(stack, pg, device, email)
    httpx.post(f"{stack.stripe}/_sim/checkout/{payment.stripe_checkout_session_id}/pay", timeout=10).raise_for_status()
    return payment


def session_of(pg, payment: Payment) -> DeviceSession | None:
    pg.expire_all()
    return pg.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).first()


def running_session(stack, pg, device: Device, email: str = "guest@example.com") -> DeviceSession:
    """Paid, and the relay confirmed ON."""
    payment = pay_for(stack, pg, device, email)
    return wait_for(lambda: (s := session_of(pg, payment)) and s.status == DeviceSessionStatus.active and s,
                    timeout=30, message="the relay to be switched ON")


def pay_for_door(stack, pg, door: Door) -> Payment:
    gateway = StripeGateway(get_settings().stripe_secret_key, api_base=stack.stripe)
    started = checkout.start_door_checkout(pg, gateway, door_uid=door.uid, email=None, base_url=stack.url)
    payment = pg.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()
    httpx.post(f"{stack.stripe}/_sim/checkout/{payment.stripe_checkout_session_id}/pay", timeout=10).raise_for_status()
    return payment


def access_of(pg, payment: Payment) -> DoorAccess | None:
    pg.expire_all()
    return pg.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).first()


def settled(pg, payment: Payment, status: DoorAccessStatus) -> DoorAccess:
    return wait_for(lambda: (a := access_of(pg, payment)) and a.status == status and a, timeout=30,
                    message=f"the door access to become {status.value}")
