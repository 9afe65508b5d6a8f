"""The receipt e-mailed to the guest who gave an address at checkout: once per payment, with the PDF attached.

Queued after the payment is confirmed, never in the way of access: a failure is retried by the job and at worst
leaves the guest without the e-mail (their page still offers the receipt). Sent once: the job is queued once per
payment, Resend's Idempotency-Key (`receipt-<payment id>`) makes a repeated send within 24 h deliver nothing more,
and the `receipt.emailed` audit row stops any later run.
"""

from __future__ import annotations

import logging

from sqlmodel import Session, select

from hygate_app.integrations.mailer import Attachment, MailerError
from hygate_app.models import AuditLog, Payment
from hygate_app.services import audit, branding, receipt_pdf, receipts, translations
from hygate_app.services.errors import RetryLater
from hygate_app.services.queue import JobQueue

log = logging.getLogger(__name__)

JOB = "jobs.receipts.email_receipt"
RETRIES = [30, 120, 600, 1800, 3600]
SENT = "receipt.emailed"
# Resend's answer when the key was already used for a different body (the receipt changed since, a refund say):
# the receipt went out under that key before.
_ALREADY_SENT = "invalid_idempotent_request"


def enqueue(queue: JobQueue, payment_id: int) -> None:
    queue.enqueue(JOB, payment_id, job_id=f"receipt-{payment_id}", retries=RETRIES)


def _already_sent(db: Session, payment_id: int) -> bool:
    return db.exec(select(AuditLog.id).where(AuditLog.target_type == "payment",
                                             AuditLog.target_id == str(payment_id),
                                             AuditLog.action == SENT)).first() is not None


def compose(receipt: receipts.Receipt, base_url: str) -> tuple[str, str]:
    """Subject and plain-text body: the receipt's facts, and the link to its printable page."""
    lines = [receipt.text("thanks"), "", f"{receipt.text('number')}: {receipt.number}", f"{receipt.seller}",
             *receipt.seller_address]
    if receipt.tax_id:
        lines.append(f"{receipt.text('tax_id')}: {receipt.tax_id}")
    lines.append("")
    for label, value, note in receipt.lines():
        lines.append(f"{label}: {value}" + (f" — {note}" if note else ""))
    lines += [f"{label}: {value}" for label, value, _ in receipt.amounts()]
    lines += ["", receipt.text("email_attached"), f"{base_url.rstrip('/')}/receipt/{receipt.token}"]
    if receipt.footer:
        lines += ["", receipt.footer]
    return receipt.text("email_subject", number=receipt.number), "\n".join(lines) + "\n"


def email_receipt(db: Session, payment_id: int, mailer, *, base_url: str, final_attempt: bool) -> str | None:
    """Send the receipt if the payment has a guest e-mail and none was sent. Returns Resend's e-mail id when this
    call sent it. A transient failure raises RetryLater (until the last attempt); others are logged and audited."""
    payment = db.get(Payment, payment_id)
    if payment is None or not payment.customer_email or not receipts.is_available(payment):
        return None
    if _already_sent(db, payment.id):
        return None
    receipt = receipts.receipt_for(db, payment, payment.guest_language or translations.DEFAULT_LANGUAGE)
    subject, text = compose(receipt, base_url)
    pdf = receipt_pdf.render(receipt, branding.load(db))
    try:
        email_id = mailer.send(payment.customer_email, subject, text, idempotency_key=f"receipt-{payment.id}",
                               attachments=[Attachment(receipt.filename, pdf, "application/pdf")])
    except MailerError as exc:
        if exc.name != _ALREADY_SENT:
            return _failed(db, payment, exc, final_attempt)
        email_id = None
    # The address stays out of the audit log: it is append-only, and a guest may ask for their e-mail to be erased.
    audit.record(db, SENT, target_type="payment", target_id=payment.id,
                 details={"receipt": receipt.number, "email_id": email_id})
    db.commit()
    return email_id


def _failed(db: Session, payment: Payment, exc: MailerError, final_attempt: bool) -> None:
    if exc.transient and not final_attempt:
        db.rollback()
        raise RetryLater(str(exc)) from exc
    log.error("the receipt of payment %s could not be e-mailed: %s", payment.id, exc)
    audit.record(db, "receipt.email_failed", target_type="payment", target_id=payment.id,
                 details={"error": str(exc)[:200]})
    db.commit()
    return None
