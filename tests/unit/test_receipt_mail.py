"""The e-mailed receipt, against the Resend simulator over real HTTP: queued once when a payment becomes paid (and
only with an address), sent once with its PDF, retried when Resend is briefly down, and never in the way of access."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from sqlmodel import select

from hygate_app.integrations.mailer import ResendClient
from hygate_app.integrations.retries import RetryPolicy
from hygate_app.integrations.simulators.resend_sim import create_resend_simulator
from hygate_app.models import AuditLog, Payment, PaymentStatus
from hygate_app.services import checkout, receipt_mail
from hygate_app.services.errors import RetryLater
from tests.support.live_server import LiveServer
from tests.support.pdf import page_texts
from tests.support.records import add_payment, new_device, new_location
from tests.support.webhooks import checkout_event, deliver

API_KEY = "re_unit_receipts"
BASE = "https://pay.example.com"


@pytest.fixture(scope="module")
def resend_server() -> Iterator[LiveServer]:
    server = LiveServer().start(create_resend_simulator(API_KEY, rate_limit_per_second=0))
    yield server
    server.stop()


@pytest.fixture
def resend(resend_server: LiveServer) -> str:
    httpx.post(f"{resend_server.url}/_sim/reset").raise_for_status()
    return resend_server.url


@pytest.fixture
def mailer(resend: str) -> Iterator[ResendClient]:
    with ResendClient(resend, API_KEY, "Hygate <hygate@demo.hygate.local>",
                      retry=RetryPolicy(attempts=2, base_delay=0.01)) as client:
        yield client


def outbox(url: str) -> list[dict]:
    return httpx.get(f"{url}/_sim/outbox").json()


def set_fault(url: str, status: int, count: int) -> None:
    httpx.post(f"{url}/_sim/faults", json={"status": status, "count": count}).raise_for_status()


def audit_actions(db, payment: Payment) -> list[str]:
    return list(db.exec(select(AuditLog.action).where(AuditLog.target_type == "payment",
                                                      AuditLog.target_id == str(payment.id),
                                                      AuditLog.action.like("receipt.%"))
                        .order_by(AuditLog.id)).all())


@pytest.fixture
def paid(db) -> Payment:
    device, _ = new_device(db, new_location(db, "Europe/Zurich"), name="Sauna 2")
    payment = add_payment(db, device, amount=1200, currency="chf", email="guest@example.com", intent_id="pi_sauna")
    db.commit()
    return payment


def test_the_receipt_is_emailed_once_with_its_pdf_attached(db, mailer, resend, paid):
    email_id = receipt_mail.email_receipt(db, paid.id, mailer, base_url=BASE, final_attempt=False)
    again = receipt_mail.email_receipt(db, paid.id, mailer, base_url=BASE, final_attempt=False)

    assert email_id and again is None
    [mail] = outbox(resend)
    number = f"HY-{paid.paid_at.year}-{paid.id:06d}"
    assert mail["id"] == email_id and mail["to"] == ["guest@example.com"]
    assert mail["subject"] == f"Your receipt {number}"
    assert f"{BASE}/receipt/{paid.guest_token}" in mail["text"] and "CHF" in mail["text"]
    [attachment] = mail["attachments"]
    assert (attachment["filename"], attachment["content_type"]) == (f"receipt-{number}.pdf", "application/pdf")
    text = " ".join(page_texts(base64.b64decode(attachment["content"]))[0].split())
    assert f"Receipt number {number}" in text and "Sauna 2" in text and "pi_sauna" in text
    assert audit_actions(db, paid) == ["receipt.emailed"]
    row = db.exec(select(AuditLog).where(AuditLog.action == "receipt.emailed")).one()
    assert "guest@example.com" not in row.details and email_id in row.details


def test_the_receipt_goes_out_in_the_language_of_the_page_the_guest_paid_on(db, demo, gateway, deps, mailer,
                                                                               resend, stripe_sim):
    started = checkout.start_device_checkout(db, gateway, device_uid="demo-washer", plan_id=1,
                                             email="gast@example.com", base_url="http://guest.test", language="de")
    payment = db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()
    assert payment.guest_language == "de"
    # Stripe's own page is asked for the same language.
    session = httpx.get(f"{stripe_sim.url}/v1/checkout/sessions/{payment.stripe_checkout_session_id}",
                        headers={"Authorization": "Bearer sk_test_unit"}).json()
    assert session["locale"] == "de"
    deliver(db, deps, checkout_event(payment))
    receipt_mail.email_receipt(db, payment.id, mailer, base_url=BASE, final_attempt=False)
    [mail] = outbox(resend)
    assert mail["subject"].startswith("Ihr Beleg HY-") and "Vielen Dank für Ihre Zahlung." in mail["text"]
    text = " ".join(page_texts(base64.b64decode(mail["attachments"][0]["content"]))[0].split())
    assert "Belegnummer" in text and "Receipt" not in text


def test_a_language_no_guest_page_offers_is_not_kept(db, demo, gateway):
    started = checkout.start_device_checkout(db, gateway, device_uid="demo-washer", plan_id=1, email=None,
                                             base_url="http://guest.test", language="xx<script>")
    assert db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one().guest_language is None


def test_a_payment_without_an_address_or_not_paid_sends_nothing(db, mailer, resend):
    device, _ = new_device(db, new_location(db))
    no_address = add_payment(db, device)
    pending = add_payment(db, device, status=PaymentStatus.pending, email="guest@example.com")
    db.commit()
    for payment in (no_address, pending):
        assert receipt_mail.email_receipt(db, payment.id, mailer, base_url=BASE, final_attempt=False) is None
    assert receipt_mail.email_receipt(db, 10**6, mailer, base_url=BASE, final_attempt=False) is None
    assert outbox(resend) == []


def test_resend_briefly_down_makes_the_job_retry_then_the_next_attempt_sends_it(db, mailer, resend, paid):
    set_fault(resend, 503, 2)  # the client's own two attempts both fail
    with pytest.raises(RetryLater):
        receipt_mail.email_receipt(db, paid.id, mailer, base_url=BASE, final_attempt=False)
    assert outbox(resend) == [] and audit_actions(db, paid) == []

    assert receipt_mail.email_receipt(db, paid.id, mailer, base_url=BASE, final_attempt=False)
    assert len(outbox(resend)) == 1


def test_on_the_last_attempt_or_a_permanent_refusal_the_failure_is_audited_not_raised(db, mailer, resend, paid):
    set_fault(resend, 503, 2)
    assert receipt_mail.email_receipt(db, paid.id, mailer, base_url=BASE, final_attempt=True) is None
    set_fault(resend, 422, 1)
    assert receipt_mail.email_receipt(db, paid.id, mailer, base_url=BASE, final_attempt=False) is None
    assert audit_actions(db, paid) == ["receipt.email_failed", "receipt.email_failed"]
    assert outbox(resend) == []


def test_a_receipt_changed_since_it_was_sent_under_the_key_counts_as_sent(db, mailer, resend, paid):
    """A retry after a lost answer, once a refund changed the receipt: Resend refuses the key's new body."""
    first = mailer.send("guest@example.com", "Your receipt", "an earlier version",
                        idempotency_key=f"receipt-{paid.id}")
    assert receipt_mail.email_receipt(db, paid.id, mailer, base_url=BASE, final_attempt=False) is None
    assert [m["id"] for m in outbox(resend)] == [first]
    assert audit_actions(db, paid) == ["receipt.emailed"]


# ---- queued by the Stripe event that makes the payment paid ----------------------------------------------------


@pytest.fixture
def payment_with_email(db, demo, gateway) -> Payment:
    started = checkout.start_device_checkout(db, gateway, device_uid="demo-washer", plan_id=1,
                                             email="guest@example.com", base_url="http://guest.test")
    return db.exec(select(Payment).where(Payment.guest_token == started.guest_token)).one()


def test_the_receipt_job_is_queued_once_after_the_access_job_when_the_payment_becomes_paid(db, deps,
                                                                                           payment_with_email):
    event = checkout_event(payment_with_email)
    deliver(db, deps, event)
    deliver(db, deps, event)  # a redelivery
    deliver(db, deps, checkout_event(payment_with_email, "checkout.session.async_payment_succeeded"))

    payment_id = payment_with_email.id
    assert deps.queue.named(receipt_mail.JOB) == [(payment_id,)]
    assert [job_id for name, _, job_id in deps.queue.jobs if name == receipt_mail.JOB] == [f"receipt-{payment_id}"]
    names = [name for name, _, _ in deps.queue.jobs]
    assert names.index("jobs.relay.switch_relay_on") < names.index(receipt_mail.JOB)


def test_without_an_address_no_receipt_job_is_queued(db, deps, payment):
    deliver(db, deps, checkout_event(payment))
    assert deps.queue.named("jobs.relay.switch_relay_on") and deps.queue.named(receipt_mail.JOB) == []


def test_a_queue_failing_for_the_receipt_does_not_fail_the_event(db, deps, payment_with_email):
    class ReceiptQueueDown(type(deps.queue)):
        def enqueue(self, func, *args, **kwargs):
            if func == receipt_mail.JOB:
                raise ConnectionError("Redis went away")
            super().enqueue(func, *args, **kwargs)

    failing = replace(deps, queue=ReceiptQueueDown())
    deliver(db, failing, checkout_event(payment_with_email))
    db.refresh(payment_with_email)
    assert payment_with_email.status == PaymentStatus.paid
    assert failing.queue.named("jobs.relay.switch_relay_on") and payment_with_email.guest_token in deps.updates.tokens
