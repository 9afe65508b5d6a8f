"""Devices from Shelly Cloud: refresh the online and relay state of the devices Hygate sells, list the
account's devices Hygate does not know yet, and import one of them into a location.

The sync is a generator of progress steps, so a page can show "n of m" while it runs; it reads the
cloud in bulk (ten devices a call, paced by the client to the cloud's rate limit) and writes only the
devices' observed state, which is not a setting and is not audited. An import is audited (as
`device.created`). An imported device has no usage plans: the guest page offers nothing until staff add one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session, select

from hygate_app.integrations.shelly import (
    BULK_STATUS_LIMIT,
    RelayStatus,
    ShellyAuthError,
    ShellyClient,
    ShellyError,
    ShellyRateLimited,
    ShellyUnavailable,
)
from hygate_app.models import Device
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, catalogue
from hygate_app.services.errors import NotFound, Unavailable
from hygate_app.services.typed_text import printable

T = TypeVar("T")


@dataclass(frozen=True)
class CloudDevice:
    """A device of the Shelly account that Hygate does not sell yet."""

    shelly_device_id: str
    name: str
    online: bool
    relay_on: bool | None


@dataclass(frozen=True)
class SyncReport:
    new: list[CloudDevice]
    refreshed: int
    # Names of Hygate devices the Shelly account no longer lists: they cannot be switched, so they are offline.
    missing: list[str]


@dataclass(frozen=True)
class SyncProgress:
    done: int
    total: int
    report: SyncReport | None = None  # set on the last step only


def cloud_call(fn: Callable[..., T], *args, **kwargs) -> T:
    """One client call (which retried a rate-limit refusal or a transient failure itself); every Shelly failure
    of the account becomes a message for staff."""
    try:
        return fn(*args, **kwargs)
    except ShellyRateLimited:
        raise Unavailable("Shelly Cloud is busy (rate limit); try again in a minute.") from None
    except ShellyAuthError:
        raise Unavailable("Shelly Cloud refused the auth key; check the Shelly integration settings.") from None
    except ShellyUnavailable:
        raise Unavailable("Shelly Cloud could not be reached; try again later.") from None


def sync_devices(shelly: ShellyClient, scope: Callable[[], AbstractContextManager[Session]]) -> Iterator[SyncProgress]:
    """Yields (0, m) once the account is listed, then after each bulk read, then a last step with the report.

    `scope` opens a database session (`db.session_scope`): one per write, none held while the cloud answers.
    """
    try:
        listed = {d.device_id: d for d in cloud_call(shelly.list_devices)}
    except ShellyError as exc:
        raise Unavailable(f"Shelly Cloud answered unexpectedly ({type(exc).__name__}).") from None
    with scope() as db:
        known = [(d.id, d.shelly_device_id, d.channel, d.name)
                 for d in db.exec(select(Device).order_by(Device.id)).all()]
    present = [(device_id, sid, channel) for device_id, sid, channel, _ in known if sid in listed]
    missing = [(device_id, name) for device_id, sid, _, name in known if sid not in listed]
    total = len(present)
    yield SyncProgress(0, total)

    with scope() as db:
        _store(db, {device_id: None for device_id, _ in missing})
    done = 0
    # Bulk reads report channel 0; a device on another channel of a multi-relay Shelly is read on its own.
    bulk = [(device_id, sid) for device_id, sid, channel in present if channel == 0]
    for start in range(0, len(bulk), BULK_STATUS_LIMIT):
        chunk = bulk[start:start + BULK_STATUS_LIMIT]
        statuses = _read(shelly.get_statuses, [sid for _, sid in chunk])
        with scope() as db:
            _store(db, {device_id: statuses.get(sid) for device_id, sid in chunk})
        done += len(chunk)
        yield SyncProgress(done, total)
    for device_id, sid, channel in present:
        if channel != 0:
            status = _read(shelly.get_status, sid, channel=channel)
            with scope() as db:
                _store(db, {device_id: status})
            done += 1
            yield SyncProgress(done, total)

    known_ids = {sid for _, sid, _, _ in known}
    new = [CloudDevice(d.device_id, d.name, d.online, d.is_on) for d in listed.values() if d.device_id not in known_ids]
    new.sort(key=lambda d: (d.name.lower(), d.shelly_device_id))
    yield SyncProgress(total, total, SyncReport(new, total, sorted(name for _, name in missing)))


def _read(fn: Callable[..., T], *args, **kwargs) -> T:
    try:
        return cloud_call(fn, *args, **kwargs)
    except ShellyError as exc:
        raise Unavailable(f"Shelly Cloud answered unexpectedly ({type(exc).__name__}).") from None


def _store(db: Session, observed: dict[int, RelayStatus | None], now: datetime | None = None) -> None:
    """What the cloud said of each device; None means the cloud does not know it (offline, relay unknown)."""
    now = now or utcnow()
    for device_id, status in observed.items():
        device = db.get(Device, device_id)
        if device is None:  # deleted while the sync ran
            continue
        device.online = bool(status and status.online)
        device.relay_on = status.is_on if status and status.online else None
        if device.online:
            device.last_seen_at = now
        db.add(device)
    db.commit()


def import_device(db: Session, actor: audit.Actor, shelly: ShellyClient, shelly_device_id: str, location_id: int,
                  name: str) -> Device:
    """Register a device of the Shelly account in a location, with its state read from the cloud now.

    No plans: the guest page says nothing is on sale there until staff add one.
    """
    shelly_device_id = (shelly_device_id or "").strip()
    if not shelly_device_id or not printable(shelly_device_id):
        raise NotFound("Choose a device from the Shelly account.")
    try:
        status = cloud_call(shelly.get_status, shelly_device_id)
    except ShellyError:
        # Whatever else it says, an id the account cannot read is not a device staff can sell.
        raise NotFound(f"Shelly Cloud does not know the device “{shelly_device_id}”.") from None
    device = catalogue.add_device(db, location_id=location_id, name=name, shelly_device_id=shelly_device_id,
                                  plans=[], actor=actor)
    _store(db, {device.id: status})
    db.refresh(device)
    return device
