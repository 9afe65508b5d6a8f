"""The end of an interrupted session's free-restart window: the unused minutes are refunded."""

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import session_recovery
from hygate_app.services.guest_updates import RedisGuestUpdates


def end_restart_offer(session_id: int) -> None:
    with session_scope() as db:
        session_recovery.end_restart_offer(db, session_id, providers.job_queue(),
                                           RedisGuestUpdates(providers.redis()))
