"""Doors from TTLock: refresh the battery, gateway and passage-mode state of the doors Hygate sells, list the
account's locks Hygate does not know yet, import one of them into a location, and push passage mode to a lock.

As in `device_sync`, the sync is a generator of progress steps, so a page can show "n of m" while it runs;
it writes only what the locks report, which is not a setting and is not audited. The door's `online` is
"a gateway reported the lock recently": without one the cloud cannot reach the lock (its cloud passcodes
still work on the keypad). What the doors table has no column for (gateway, passage mode, QR reader, when it
was read) is kept per lock as a JSON value in `settings` under `ttlock.lock.<lockId>`, so this needs no
schema change. The TTLock integration's health (the dashboard badge) is recorded by the client itself, from
every call's outcome.

Passage mode is pushed to the lock directly while staff wait, not through the job queue, so the page can
say at once whether the lock obeyed: the lock is told first, and only when it accepted does Hygate change
the door's mode. A lock that cannot be reached leaves the door in its old mode, with the failure audited.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlmodel import Session, select

from hygate_app.integrations.ttlock import (
    LockDetail,
    TTLockAuthError,
    TTLockClient,
    TTLockError,
    TTLockGatewayOffline,
    TTLockNotFound,
    TTLockQuotaExceeded,
    TTLockUnsupported,
)
from hygate_app.models import CredentialKind, Door, DoorMode, Location, Setting
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, catalogue, catalogue_admin
from hygate_app.services.catalogue_admin import DoorRow
from hygate_app.services.errors import Conflict, InvalidInput, NotFound, Unavailable
from hygate_app.services.typed_text import clean_name

DEFAULT_PRICE_MINOR = 200
DEFAULT_ACCESS_MINUTES = 60
STATE_KEY = "ttlock.lock.{}"
T = TypeVar("T")


@dataclass(frozen=True)
class LockState:
    """What the lock last reported, and when; `in_account` is False once the account stopped listing it."""

    battery: int | None
    has_gateway: bool
    gateway_online: bool
    passage_mode: bool | None
    supports_qr: bool
    supports_passage_mode: bool
    synced_at: datetime
    in_account: bool = True


@dataclass(frozen=True)
class CloudLock:
    """A lock of the TTLock account that Hygate does not sell yet."""

    lock_id: str
    name: str
    battery: int | None
    has_gateway: bool
    supports_qr: bool


@dataclass(frozen=True)
class SyncReport:
    new: list[CloudLock]
    refreshed: int
    # Names of Hygate doors whose lock the account no longer lists: nothing can reach them, so they are offline.
    missing: list[str]


@dataclass(frozen=True)
class SyncProgress:
    done: int
    total: int
    report: SyncReport | None = None  # set on the last step only


@dataclass(frozen=True)
class DoorSaved:
    row: DoorRow
    # Set when the door's mode could not be pushed to its lock: the mode was left as it was.
    lock_error: str | None = None


# ---------------------------------------------------------------- calls


def ttlock_call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """One client call (which retried a transient refusal itself); a failure of the account becomes a message
    for staff. Errors about one lock (unknown, gateway offline, unsupported) are left to the caller, which knows
    the lock."""
    try:
        return fn(*args, **kwargs)
    except TTLockError as exc:
        if exc.is_transient:
            raise Unavailable("TTLock could not be reached or is busy; try again in a minute.") from None
        if isinstance(exc, TTLockAuthError):
            raise Unavailable("TTLock refused the account; check the TTLock integration settings.") from None
        if isinstance(exc, TTLockQuotaExceeded):
            raise Unavailable("The TTLock account has used up its API calls for this month.") from None
        raise


def _account_failure(exc: TTLockError) -> Unavailable:
    return Unavailable(f"TTLock answered unexpectedly ({type(exc).__name__}).")


def _is_lock_fault(exc: TTLockError) -> bool:
    """The cloud answered, about one lock: the integration itself works."""
    return isinstance(exc, (TTLockNotFound, TTLockGatewayOffline, TTLockUnsupported))


# ---------------------------------------------------------------- lock state


def lock_state(db: Session, lock_id: str | None) -> LockState | None:
    if not lock_id:
        return None
    row = db.get(Setting, STATE_KEY.format(lock_id))
    if row is None:
        return None
    data = json.loads(row.value)
    data["synced_at"] = datetime.fromisoformat(data["synced_at"])
    return LockState(**data)


def _save_state(db: Session, lock_id: str, state: LockState) -> None:
    key = STATE_KEY.format(lock_id)
    row = db.get(Setting, key) or Setting(key=key, value="{}")
    data = asdict(state)
    data["synced_at"] = state.synced_at.astimezone(UTC).isoformat()
    row.value, row.updated_at = json.dumps(data), utcnow()
    db.add(row)


def _state_from(detail: LockDetail, now: datetime) -> LockState:
    return LockState(detail.battery, detail.has_gateway, detail.gateway_online, detail.passage_mode,
                     detail.supports_qr, detail.supports_passage_mode, now)


def _observe(db: Session, door: Door, detail: LockDetail, now: datetime) -> None:
    """What the lock says, onto the door and its stored state. The credential kind follows the lock's QR reader."""
    door.battery_percent = detail.battery
    door.online = detail.gateway_online
    door.credential_kind = CredentialKind.qr if detail.supports_qr else CredentialKind.passcode
    db.add(door)
    _save_state(db, door.ttlock_lock_id, _state_from(detail, now))


def credential_summary(state: LockState | None) -> str:
    """Which credential a paying guest gets at this door, in staff's words (PRODUCT.md: say which kind each door
    uses, since cloud passcodes are only accurate to the hour)."""
    if state is None:
        return "Not known until the door is synced from TTLock."
    if state.supports_qr:
        return "QR code (the lock has a QR reader), valid for exactly the paid minutes."
    if state.has_gateway:
        text = "Passcode exact to the minute, written to the lock through its gateway."
        if not state.gateway_online:
            text += (" The gateway was offline at the last sync: while it is, guests get a cloud passcode valid on "
                     "whole hours instead.")
        return text
    return ("Cloud passcode valid on whole hours (the lock has no gateway): the paid window is widened to the "
            "hour around it.")


# ---------------------------------------------------------------- sync


def sync_doors(client: TTLockClient, scope: Callable[[], AbstractContextManager[Session]]) -> Iterator[SyncProgress]:
    """Yields (0, m) once the account's locks are listed, then after each lock is read, then a last step with
    the report. `scope` opens a database session (`db.session_scope`): one per write, none held while the
    cloud answers."""
    yield from _sync(client, scope)


def _sync(client: TTLockClient, scope: Callable[[], AbstractContextManager[Session]]) -> Iterator[SyncProgress]:
    try:
        listed = {str(lock.lock_id): lock for lock in ttlock_call(client.list_locks)}
    except TTLockError as exc:
        raise _account_failure(exc) from None
    with scope() as db:
        known = [(d.id, d.ttlock_lock_id, d.name) for d in
                 db.exec(select(Door).where(Door.ttlock_lock_id.is_not(None)).order_by(Door.id)).all()]
    present = [(door_id, lock_id) for door_id, lock_id, _ in known if lock_id in listed]
    missing = [(door_id, lock_id, name) for door_id, lock_id, name in known if lock_id not in listed]
    total = len(present)
    yield SyncProgress(0, total)

    with scope() as db:
        for door_id, lock_id, _ in missing:
            _mark_missing(db, door_id, lock_id)
        db.commit()
    done = 0
    for door_id, lock_id in present:
        try:
            detail = ttlock_call(client.lock_detail, int(lock_id))
        except TTLockNotFound:  # removed from the account while the sync ran
            detail = None
        except TTLockError as exc:
            raise _account_failure(exc) from None
        with scope() as db:
            if detail is None:
                _mark_missing(db, door_id, lock_id)
            elif (door := db.get(Door, door_id)) is not None:  # None: deleted while the sync ran
                _observe(db, door, detail, utcnow())
            db.commit()
        done += 1
        yield SyncProgress(done, total)

    known_ids = {lock_id for _, lock_id, _ in known}
    new = [CloudLock(str(lock.lock_id), lock.name, lock.battery, lock.has_gateway, lock.supports_qr)
           for lock in listed.values() if str(lock.lock_id) not in known_ids]
    new.sort(key=lambda lock: (lock.name.lower(), lock.lock_id))
    yield SyncProgress(total, total, SyncReport(new, total, sorted(name for _, _, name in missing)))


def _mark_missing(db: Session, door_id: int, lock_id: str) -> None:
    door = db.get(Door, door_id)
    if door is None:
        return
    door.online = False
    db.add(door)
    previous = lock_state(db, lock_id)
    if previous is not None:
        _save_state(db, lock_id, LockState(**{**asdict(previous), "gateway_online": False, "in_account": False}))


# ---------------------------------------------------------------- import


_LOCK_ID = re.compile(r"[0-9]{1,18}")  # TTLock's lockId, an integer


def import_door(db: Session, actor: audit.Actor, client: TTLockClient, lock_id: str, location_id: int, name: str,
                price_minor: int = DEFAULT_PRICE_MINOR, currency: str = "eur",
                access_minutes: int = DEFAULT_ACCESS_MINUTES) -> Door:
    """Register a lock of the TTLock account as a door of a location, with its state read from the cloud now.

    A lock already in passage mode becomes a door in passage mode, so Hygate does not sell what is open anyway.
    """
    lock_id = (lock_id or "").strip()
    if not _LOCK_ID.fullmatch(lock_id):  # not str.isdigit(): it takes "٣" and 5000 digits int() refuses
        raise NotFound("Choose a lock from the TTLock account.")
    if db.get(Location, location_id) is None:
        raise NotFound("This location does not exist.")
    name = clean_name(name, "door", 120)
    values = {"price_minor": catalogue_admin.clean_price(price_minor),
              "currency": catalogue_admin.clean_currency(currency),
              "access_minutes": catalogue_admin.clean_minutes(access_minutes, "The access time")}
    if db.exec(select(Door.id).where(Door.ttlock_lock_id == lock_id)).first() is not None:
        raise Conflict("This lock is already a door in Hygate.")
    detail = _read_lock(client, lock_id)
    door = Door(uid=catalogue.new_uid(), display_code=catalogue.new_display_code(), location_id=location_id,
                name=name, ttlock_lock_id=lock_id, mode=DoorMode.passage if detail.passage_mode else DoorMode.active,
                **values)
    db.add(door)
    db.flush()
    _observe(db, door, detail, utcnow())
    audit.record(db, "door.created", actor=actor, target_type="door", target_id=door.id,
                 details={"name": name, "ttlock_lock_id": lock_id, "location_id": location_id,
                          "mode": door.mode.value, **values})
    db.commit()
    db.refresh(door)
    return door


def _read_lock(client: TTLockClient, lock_id: str) -> LockDetail:
    try:
        return ttlock_call(client.lock_detail, int(lock_id))
    except TTLockNotFound:
        raise NotFound(f"The TTLock account has no lock {lock_id}.") from None
    except TTLockError as exc:
        raise _account_failure(exc) from None


# ---------------------------------------------------------------- mode and passage mode


def save_door(db: Session, actor: audit.Actor, client: Callable[[], TTLockClient], door_id: int, *, name: str,
              location_id: int, mode: str, price_minor: int, currency: str, access_minutes: int) -> DoorSaved:
    """Every field of the door's settings form. When the mode enters or leaves passage on a door with a lock, the
    other fields are saved first (a wrong value saves nothing and tells the lock nothing), then the lock is told;
    the mode changes only if the lock accepted. `client` builds the TTLock client, only when it is needed."""
    door = db.get(Door, door_id)
    if door is None:
        raise NotFound("This door does not exist.")
    try:
        wanted = DoorMode(str(mode))
    except ValueError:
        raise InvalidInput(f"“{mode}” is not a door mode.") from None
    fields = {"name": name, "location_id": location_id, "price_minor": price_minor, "currency": currency,
              "access_minutes": access_minutes}
    if not door.ttlock_lock_id or (door.mode == DoorMode.passage) == (wanted == DoorMode.passage):
        return DoorSaved(catalogue_admin.update_door(db, actor, door_id, mode=wanted, **fields))
    row = catalogue_admin.update_door(db, actor, door_id, **fields)
    error = push_passage_mode(db, actor, client(), door_id, wanted == DoorMode.passage)
    if error is not None:
        return DoorSaved(row, error)
    return DoorSaved(catalogue_admin.update_door(db, actor, door_id, mode=wanted))


def push_passage_mode(db: Session, actor: audit.Actor, client: TTLockClient, door_id: int, on: bool) -> str | None:
    """Tell the door's lock to stay open (or to lock again); audited either way. Returns None when the lock
    accepted, else what staff should read. Passage mode is set through the gateway: no gateway, no change."""
    door = db.get(Door, door_id)
    if door is None:
        raise NotFound("This door does not exist.")
    if not door.ttlock_lock_id:
        raise Conflict("This door has no TTLock lock.")
    lock_id = door.ttlock_lock_id
    wanted = "on" if on else "off"
    error: str | None = None
    try:
        ttlock_call(client.set_passage_mode, int(lock_id), on)
    except TTLockGatewayOffline:
        error = "the lock's gateway is offline (or it has none), so the lock cannot be told"
    except TTLockNotFound:
        error = "the TTLock account no longer has this lock"
    except TTLockUnsupported:
        error = "this lock has no passage mode"
    except Unavailable as exc:
        error = str(exc)
    except TTLockError as exc:
        error = f"TTLock answered unexpectedly ({type(exc).__name__})"
    else:
        previous = lock_state(db, lock_id)
        if previous is not None:
            _save_state(db, lock_id, LockState(**{**asdict(previous), "passage_mode": on, "synced_at": utcnow()}))
    audit.record(db, "door.passage_mode_pushed" if error is None else "door.passage_mode_failed", actor=actor,
                 target_type="door", target_id=door_id,
                 details={"ttlock_lock_id": lock_id, "passage_mode": wanted, **({"error": error} if error else {})})
    db.commit()
    if error is None:
        return None
    return f"The lock was not told to turn passage mode {wanted}: {error.rstrip('.')}."


def resend_passage_mode(db: Session, actor: audit.Actor, client: TTLockClient, door_id: int) -> str | None:
    """The door's current mode, pushed to its lock again (after a lock was changed by hand, or a failed push)."""
    door = db.get(Door, door_id)
    if door is None:
        raise NotFound("This door does not exist.")
    return push_passage_mode(db, actor, client, door_id, door.mode == DoorMode.passage)

