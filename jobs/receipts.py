"""E-mail a paid payment's receipt to the guest (queued with job id `receipt-<payment id>`), with retries."""

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.services import receipt_mail
from jobs import is_final_attempt


def email_receipt(payment_id: int) -> str | None:
    with session_scope() as db:
        return receipt_mail.email_receipt(db, payment_id, providers.mailer(), base_url=get_settings().base_url,
                                          final_attempt=is_final_attempt())
