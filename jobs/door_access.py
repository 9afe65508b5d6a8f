"""Door credential right after payment, its deletion from the lock at the paid end."""

from hygate_app import providers
from hygate_app.db import session_scope
from hygate_app.services import door_access
from jobs import is_final_attempt


def issue_door_credential(access_id: int) -> None:
    with session_scope() as db:
        door_access.issue_credential(db, access_id, providers.access_deps(), final_attempt=is_final_attempt())


def expire_door_access(access_id: int) -> None:
    with session_scope() as db:
        door_access.expire_access(db, access_id, providers.access_deps(), final_attempt=is_final_attempt())
