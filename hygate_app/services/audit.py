"""Appends hash-chained audit rows and verifies the chain (SHA-256 over RFC 8785 canonical JSON)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import rfc8785
from sqlalchemy import text
from sqlmodel import Session, select

from hygate_app.models import AuditLog, User
from hygate_app.models.columns import utcnow

GENESIS_HASH = "0" * 64
# Any constant: serialises appends on PostgreSQL so two writers never chain onto the same head.
_PG_CHAIN_LOCK = 7_351_223


@dataclass(frozen=True)
class Actor:
    type: str  # user | system | guest | stripe
    id: str | None = None
    ip: str | None = None
    user_agent: str | None = None


SYSTEM = Actor("system")
STRIPE = Actor("stripe")


def _canonical(row: AuditLog) -> bytes:
    return rfc8785.dumps(
        {
            "created_at": row.created_at.astimezone(UTC).isoformat(),
            "actor_type": row.actor_type,
            "actor_id": row.actor_id,
            "action": row.action,
            "target_type": row.target_type,
            "target_id": row.target_id,
            "ip": row.ip,
            "user_agent": row.user_agent,
            "details": json.loads(row.details),
        }
    )


def _utf8(value: Any) -> Any:
    """Details quote what people typed (a refused e-mail address, a filter), which may hold a lone surrogate from a
    browser's JSON; canonical JSON is UTF-8, so it is kept as U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {_utf8(k): _utf8(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_utf8(v) for v in value]
    return value


def row_hash(prev_hash: str, row: AuditLog) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(row)).hexdigest()


def record(
    db: Session,
    action: str,
    *,
    actor: Actor = SYSTEM,
    target_type: str | None = None,
    target_id: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one row in the caller's transaction, so the event and its audit row commit together."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHAIN_LOCK})
    head = db.exec(select(AuditLog.row_hash).order_by(AuditLog.id.desc()).limit(1)).first()
    prev = head or GENESIS_HASH
    row = AuditLog(
        created_at=utcnow(),
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        ip=actor.ip,
        user_agent=(actor.user_agent or None) and actor.user_agent[:300],
        details=rfc8785.dumps(_utf8(details or {})).decode(),
        prev_hash=prev,
        row_hash="",
    )
    row.row_hash = row_hash(prev, row)
    db.add(row)
    db.flush()
    return row


def first_broken_row(db: Session, batch: int = 1000) -> int | None:
    """Walk the chain in id order; return the id of the first row whose link or hash is wrong."""
    prev = GENESIS_HASH
    last_id = 0
    while True:
        rows = db.exec(select(AuditLog).where(AuditLog.id > last_id).order_by(AuditLog.id).limit(batch)).all()
        if not rows:
            return None
        for row in rows:
            if row.prev_hash != prev or row.row_hash != row_hash(prev, row):
                return row.id
            prev = row.row_hash
            last_id = row.id


def actor_label(db: Session, actor: Actor) -> str:
    """A staff member by e-mail (ids mean nothing in a session's history); anything else by its kind."""
    if actor.type == "user" and actor.id and actor.id.isdigit():
        user = db.get(User, int(actor.id))
        if user is not None:
            return user.email
    return actor.type if actor.id is None else f"{actor.type} {actor.id}"
