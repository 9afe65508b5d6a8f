"""Receipts on the running stack: the printable page and the PDF by guest token over real HTTP (404 with no detail
for anything else), and the e-mail a paying guest gets: once, with the PDF attached, whatever Stripe redelivers."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.models import AuditLog, PaymentStatus
from tests.support.catalogue import new_device as new_shelly_device
from tests.support.pdf import page_texts
from tests.support.purchases import pay_for
from tests.support.records import add_payment, new_device, new_location
from tests.support.stack import wait_for


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def paid(pg):
    location = new_location(pg, "Europe/Vienna")
    device, _ = new_device(pg, location, name="Dryer 4", minutes=40)
    payment = add_payment(pg, device, amount=350, intent_id=f"pi_{uuid.uuid4().hex[:12]}")
    pg.commit()
    return payment, location


def test_the_printable_receipt_is_served_by_guest_token_and_never_stored(stack, paid):
    payment, location = paid
    page = httpx.get(f"{stack.url}/receipt/{payment.guest_token}", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    number = f"HY-{payment.paid_at.year}-{payment.id:06d}"
    for expected in (number, "Dryer 4 · Standard, 40 min", location.name, "€3.50", payment.stripe_payment_intent_id,
                     "Local time (Europe/Vienna)"):
        assert expected in page.text, expected


def test_the_pdf_receipt_downloads_with_its_number_as_the_file_name(stack, paid):
    payment, location = paid
    pdf = httpx.get(f"{stack.url}/api/receipt/{payment.guest_token}.pdf", timeout=10)
    number = f"HY-{payment.paid_at.year}-{payment.id:06d}"
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="receipt-{number}.pdf"'
    assert pdf.headers["cache-control"] == "no-store"
    text = flat(page_texts(pdf.content)[0])
    assert f"Receipt number {number}" in text and f"Location {location.name}" in text and "€3.50" in text


def test_unknown_unpaid_and_malformed_tokens_get_the_same_bare_404(stack, pg):
    pending = add_payment(pg, new_device(pg, new_location(pg))[0], status=PaymentStatus.pending)
    pg.commit()
    tokens = [pending.guest_token, "no-such-token", "x" * 65, "%2E%2E"]
    pages = [httpx.get(f"{stack.url}/receipt/{token}", timeout=10) for token in tokens]
    files = [httpx.get(f"{stack.url}/api/receipt/{token}.pdf", timeout=10) for token in tokens]
    assert {r.status_code for r in pages + files} == {404}
    assert len({r.text for r in pages}) == 1 and len({r.text for r in files}) == 1
    assert files[0].text == "Not found." and "application/pdf" not in files[0].headers["content-type"]
    assert pending.guest_token not in pages[0].text
    assert all(r.headers["cache-control"] == "no-store" for r in pages + files)


def test_a_paying_guest_with_an_address_gets_one_receipt_email_with_the_pdf(stack, pg):
    email = f"receipt-{uuid.uuid4().hex[:10]}@example.com"
    device = new_shelly_device(pg, stack.shelly, minutes=1)
    payment = pay_for(stack, pg, device, email=email)

    def mails() -> list[dict]:
        return httpx.get(f"{get_settings().resend_base}/_sim/outbox", params={"to": email}, timeout=5).json()

    [mail] = wait_for(mails, timeout=30, message="the receipt e-mail")
    # Stripe delivers the same event again, twice: still one e-mail.
    events = httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"]
    [completed] = [e for e in events if e["type"] == "checkout.session.completed"
                   and e["event"]["data"]["object"]["id"] == payment.stripe_checkout_session_id]
    for _ in range(2):
        httpx.post(f"{stack.stripe}/_sim/events/{completed['id']}/redeliver", timeout=5).raise_for_status()
    wait_for(lambda: all(e["delivery"]["status"] == "delivered"
                         for e in httpx.get(f"{stack.stripe}/_sim/events", timeout=5).json()["data"]
                         if e["id"] == completed["id"]), timeout=10, message="the redeliveries")

    pg.expire_all()
    pg.refresh(payment)
    number = f"HY-{payment.paid_at.year}-{payment.id:06d}"
    assert mail["subject"] == f"Your receipt {number}"
    assert f"{stack.url}/receipt/{payment.guest_token}" in mail["text"]
    [attachment] = mail["attachments"]
    assert attachment["filename"] == f"receipt-{number}.pdf" and attachment["content_type"] == "application/pdf"
    text = flat(page_texts(base64.b64decode(attachment["content"]))[0])
    assert f"Receipt number {number}" in text and device.name in text and payment.stripe_payment_intent_id in text
    assert len(mails()) == 1
    sent = pg.exec(select(AuditLog).where(AuditLog.action == "receipt.emailed",
                                          AuditLog.target_id == str(payment.id))).all()
    assert len(sent) == 1 and email not in sent[0].details
