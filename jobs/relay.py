"""Relay ON right after payment, relay OFF at the paid end."""

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import device_sessions
from jobs import is_final_attempt


def switch_relay_on(session_id: int) -> None:
    with session_scope() as db:
        device_sessions.switch_relay_on(db, session_id, providers.session_deps(), final_attempt=is_final_attempt())


def switch_relay_off(session_id: int) -> None:
    with session_scope() as db:
        device_sessions.switch_relay_off(db, session_id, providers.session_deps(), final_attempt=is_final_attempt())
