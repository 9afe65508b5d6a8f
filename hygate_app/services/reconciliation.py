"""Reconciliation: the relays' real state against the paid sessions, every two minutes (jobs/reconcile.py).

Relays are read in bulk (ten a call, paced by the client under Shelly Cloud's one request a second), then:
- a relay ON that nobody paid for is switched OFF (`device.relay_off_unpaid`);
- an active session's relay found OFF before its end is switched ON again for the time left; when that fails
  the session is interrupted (free restart) or failed (pro-rata refund): services/session_recovery.py;
- an interrupted session whose relay is ON again resumes;
- an offline device is recorded; a session on it is interrupted once the device was offline on two reads in
  a row and has not been seen online for OFFLINE_INTERRUPT_AFTER, so one lost read never ends a session.
A read that fails is nobody's fault: those devices wait for the next pass. Before acting, the relay is read
again under the session's row lock, so a relay job that moved it meanwhile is never undone, and two passes
at once act once.

Which devices: each pass reads every device that a session holds or whose relay is not known to be OFF,
then as many others as its read budget leaves, in a slice that rotates from a cursor the caller keeps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, select

from hygate_app.integrations.shelly import BULK_STATUS_LIMIT, RelayStatus, ShellyError
from hygate_app.models import Device, DeviceSession, DeviceSessionStatus
from hygate_app.models.columns import utcnow
from hygate_app.services import audit, session_recovery
from hygate_app.services.device_sessions import OCCUPYING, SessionDeps
from hygate_app.services.device_sync import cloud_call
from hygate_app.services.errors import Unavailable

log = logging.getLogger(__name__)
S = DeviceSessionStatus
OFFLINE_INTERRUPT_AFTER = timedelta(minutes=5)
# Half of the cloud's 120 requests in a two-minute period: the other half stays free for the relay jobs.
DEFAULT_READ_CALLS = 60
Scope = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class DeviceRef:
    id: int
    shelly_device_id: str
    channel: int


@dataclass(frozen=True)
class ReadPlan:
    priority: list[DeviceRef]
    sweep: list[DeviceRef]
    next_cursor: int


@dataclass(frozen=True)
class Candidate:
    """A device whose read calls for an action: `kind` is restore | resume | offline | unpaid."""

    device: DeviceRef
    kind: str
    session_id: int | None = None
    since: datetime | None = None


@dataclass
class Summary:
    priority: int = 0
    swept: int = 0
    read: int = 0
    offline: int = 0
    api_calls: int = 0
    read_errors: int = 0
    unpaid_off: int = 0
    unpaid_off_failed: int = 0
    restored: int = 0
    resumed: int = 0
    interrupted: int = 0
    failed: int = 0
    skipped: int = 0
    next_cursor: int = 0
    error: str = ""


def plan_reads(db: Session, *, cursor: int, read_calls: int) -> ReadPlan:
    """Priority devices all; then the others after `cursor` by id, wrapping round, up to the budget."""
    occupied = select(DeviceSession.device_id).where(DeviceSession.status.in_(OCCUPYING))
    columns = (Device.id, Device.shelly_device_id, Device.channel)
    priority = [DeviceRef(*row) for row in db.exec(
        select(*columns).where(or_(Device.id.in_(occupied), Device.relay_on.is_(None), Device.relay_on.is_(True)))
        .order_by(Device.id)).all()]
    room = max(0, read_calls * BULK_STATUS_LIMIT - len(priority))
    others = select(*columns).where(Device.id.not_in(occupied), Device.relay_on.is_(False)).order_by(Device.id)
    sweep = [DeviceRef(*row) for row in db.exec(others.where(Device.id > cursor).limit(room)).all()]
    next_cursor = sweep[-1].id if sweep else cursor
    if len(sweep) < room:  # the end of the list: go round from the start
        wrapped = [DeviceRef(*row) for row in db.exec(others.where(Device.id <= cursor).limit(room - len(sweep))).all()]
        sweep += wrapped
        next_cursor = wrapped[-1].id if wrapped else 0
    return ReadPlan(priority, sweep, next_cursor)


def reconcile(scope: Scope, deps: SessionDeps, *, cursor: int = 0, read_calls: int = DEFAULT_READ_CALLS) -> dict:
    """One pass. Returns its summary (counts, the API calls made, the cursor for the next pass)."""
    calls_before = deps.shelly.requests_sent
    with scope() as db:
        plan = plan_reads(db, cursor=cursor, read_calls=read_calls)
    summary = Summary(priority=len(plan.priority), swept=len(plan.sweep), next_cursor=plan.next_cursor)
    devices = plan.priority + plan.sweep
    try:
        for start in range(0, len(devices), BULK_STATUS_LIMIT):
            _reconcile_chunk(scope, deps, devices[start:start + BULK_STATUS_LIMIT], summary)
    except Unavailable as exc:  # the cloud is down or refuses the key: every later read would fail the same way
        summary.error = str(exc)
        summary.next_cursor = cursor
    summary.api_calls = deps.shelly.requests_sent - calls_before
    result = asdict(summary)
    log.info("reconciliation: %s", result)
    return result


def _reconcile_chunk(scope: Scope, deps: SessionDeps, chunk: list[DeviceRef], summary: Summary) -> None:
    try:
        statuses = cloud_call(deps.shelly.get_statuses, [d.shelly_device_id for d in chunk],
                              {d.shelly_device_id: d.channel for d in chunk})
    except ShellyError as exc:
        log.warning("reconciliation: reading %d devices failed: %s", len(chunk), exc)
        summary.read_errors += len(chunk)
        return
    with scope() as db:
        candidates = _observe(db, chunk, statuses, summary, now=utcnow())
    for candidate in candidates:
        with scope() as db:
            outcome = _act(db, deps, candidate)
        _count(summary, outcome)


def _observe(db: Session, chunk: list[DeviceRef], statuses: dict[str, RelayStatus], summary: Summary, *,
             now: datetime) -> list[Candidate]:
    """Store what the cloud said of each device (not audited: an observation, not a change) and pick the ones
    that need an action."""
    candidates = []
    for ref in chunk:
        device = db.get(Device, ref.id)
        if device is None:  # deleted since the plan
            continue
        status = statuses.get(ref.shelly_device_id)
        online = bool(status and status.online)
        was_online, previous_seen = device.online, device.last_seen_at
        device.online = online
        device.relay_on = status.is_on if online else None
        if online:
            device.last_seen_at = now
        db.add(device)
        summary.read += 1
        summary.offline += not online
        sessions = db.exec(select(DeviceSession).where(DeviceSession.device_id == ref.id,
                                                       DeviceSession.status.in_(OCCUPYING))).all()
        candidate = _decide(ref, online, device.relay_on, was_online, previous_seen, list(sessions), now)
        if candidate is not None:
            candidates.append(candidate)
    db.commit()
    return candidates


def _decide(ref: DeviceRef, online: bool, is_on: bool | None, was_online: bool, previous_seen: datetime | None,
            sessions: list[DeviceSession], now: datetime) -> Candidate | None:
    active = next((s for s in sessions if s.status == S.active and now < s.ends_at), None)
    interrupted = next((s for s in sessions if s.status == S.interrupted and now < s.ends_at), None)
    if active is not None:
        # When delivery stopped, at the latest: the last time Hygate saw the device working.
        last_good = max(t for t in (previous_seen, active.relay_on_at) if t is not None)
        if not online:
            if not was_online and now - last_good >= OFFLINE_INTERRUPT_AFTER:
                return Candidate(ref, "offline", active.id, last_good)
            return None
        return Candidate(ref, "restore", active.id, last_good) if is_on is False else None
    if not online or not is_on:
        return None
    if interrupted is not None:
        return Candidate(ref, "resume", interrupted.id)
    # Pending (its relay-ON job is under way) and overdue active sessions (their OFF job or cleanup ends
    # them, completing the session) are paid for.
    if any(s.status in (S.pending, S.active) for s in sessions):
        return None
    return Candidate(ref, "unpaid")


def _act(db: Session, deps: SessionDeps, candidate: Candidate) -> str:
    if candidate.kind == "unpaid":
        return _switch_off_unpaid(db, deps, candidate.device)
    session = db.exec(select(DeviceSession).where(DeviceSession.id == candidate.session_id).with_for_update()).first()
    device = db.get(Device, candidate.device.id)
    now = utcnow()
    wanted = S.interrupted if candidate.kind == "resume" else S.active
    if session is None or device is None or session.status != wanted or now >= session.ends_at:
        return "skipped"  # another pass, a job or staff got there first
    if candidate.kind == "offline":
        if device.online:
            return "skipped"
        return session_recovery.interrupt(
            db, session, "The device went offline during the session.", deps, now=now, since=candidate.since,
            transient=True).value
    fresh = _read_again(deps, device)
    if fresh is None or not fresh.online:
        return "skipped"
    if candidate.kind == "resume":
        return session_recovery.resume(db, session, device, deps, now=now) if fresh.is_on else "skipped"
    if fresh.is_on is not False:
        return "skipped"
    return session_recovery.restore_relay(db, session, device, deps, now=now, since=candidate.since)


def _switch_off_unpaid(db: Session, deps: SessionDeps, ref: DeviceRef) -> str:
    device = db.exec(select(Device).where(Device.id == ref.id).with_for_update()).first()
    if device is None:
        return "skipped"
    paid = db.exec(select(DeviceSession.id).where(DeviceSession.device_id == ref.id,
                                                  DeviceSession.status.in_((S.pending, S.active)))).first()
    fresh = None if paid is not None else _read_again(deps, device)
    if fresh is None or not fresh.online or not fresh.is_on:
        return "skipped"
    now = utcnow()
    try:
        deps.shelly.set_relay(device.shelly_device_id, False, channel=device.channel)
    except ShellyError as exc:
        # Not a session's failure: the relay stays a candidate, and the next pass tries again.
        log.warning("reconciliation: relay of device %s is ON unpaid and could not be switched OFF: %s", device.id, exc)
        return "unpaid_off_failed"
    device.relay_on, device.last_seen_at = False, now
    db.add(device)
    audit.record(db, "device.relay_off_unpaid", target_type="device", target_id=device.id,
                 details={"shelly_device_id": device.shelly_device_id, "channel": device.channel})
    db.commit()
    return "unpaid_off"


def _read_again(deps: SessionDeps, device: Device) -> RelayStatus | None:
    try:
        return cloud_call(deps.shelly.get_status, device.shelly_device_id, channel=device.channel)
    except (ShellyError, Unavailable) as exc:
        log.warning("reconciliation: reading device %s again failed: %s", device.id, exc)
        return None


def _count(summary: Summary, outcome: str) -> None:
    """Outcomes are named as the summary's counters ("unpaid_off", "restored", "interrupted", …)."""
    field = outcome if outcome in _OUTCOMES else "skipped"
    setattr(summary, field, getattr(summary, field) + 1)


_OUTCOMES = {"unpaid_off", "unpaid_off_failed", "restored", "resumed", "interrupted", "failed"}
