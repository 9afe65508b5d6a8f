"""Staff login sessions: a random id in an HttpOnly cookie, only its SHA-256 stored, with an idle
timeout, an absolute lifetime and a per-user version that ends every session at once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from hygate_app.models import LoginSession, Role, User
from hygate_app.models.columns import utcnow
from hygate_app.services.security_settings import SecuritySettings

# last_seen_at is written at most this often, so a busy page does not write on every event.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """The signed-in staff member behind a request, as resolved on the server."""

    user_id: int
    email: str
    name: str
    role: Role
    login_session_id: int
    # An administrator who must set up 2FA may only use the account page until they do.
    must_enrol_2fa: bool = False


def token_hash(token: str) -> str:
    """Tokens are 256-bit random values: a plain SHA-256 is enough, and a lookup by it is constant-time. Any text
    hashes (a lone surrogate too), so a junk token is simply one that matches nothing."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create(db: Session, user: User, settings: SecuritySettings, *, ip: str | None, user_agent: str | None,
           now: datetime | None = None) -> str:
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.add(LoginSession(
        user_id=user.id, session_hash=token_hash(token), session_version=user.session_version,
        ip=ip, user_agent=(user_agent or "")[:300] or None, created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=settings.absolute_lifetime_hours),
    ))
    user.last_login_at = now
    db.add(user)
    db.flush()
    return token


def resolve(db: Session, token: str | None, settings: SecuritySettings, *, now: datetime | None = None,
            ) -> tuple[LoginSession, User] | None:
    """The live session and its user, or None when the token is unknown, revoked, idle too long,
    past its lifetime, from an older session version, or the user is deactivated."""
    if not token:
        return None
    now = now or utcnow()
    row = db.exec(select(LoginSession).where(LoginSession.session_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if row.last_seen_at + timedelta(minutes=settings.idle_timeout_minutes) <= now:
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active or user.session_version != row.session_version:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.add(row)
    return row, user


def revoke(db: Session, session_id: int, user_id: int, now: datetime | None = None) -> bool:
    row = db.get(LoginSession, session_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = now or utcnow()
    db.add(row)
    return True


def end_all(db: Session, user: User, *, keep_session_id: int | None = None, now: datetime | None = None) -> int:
    """Bump the user's session version (every older session stops resolving at once) and mark the
    rows revoked for the record; `keep_session_id` survives (the one making a password change)."""
    now = now or utcnow()
    user.session_version += 1
    db.add(user)
    ended = 0
    for row in active_for_user(db, user.id, now=now):
        if row.id == keep_session_id:
            row.session_version = user.session_version
        else:
            row.revoked_at = now
            ended += 1
        db.add(row)
    db.flush()
    return ended


def active_for_user(db: Session, user_id: int, now: datetime | None = None) -> list[LoginSession]:
    now = now or utcnow()
    return list(db.exec(
        select(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None), LoginSession.expires_at > now)
        .order_by(LoginSession.last_seen_at.desc())
    ).all())


def live_for_user(db: Session, user: User, settings: SecuritySettings, now: datetime | None = None,
                  ) -> list[LoginSession]:
    """The sessions that would still resolve (not idle too long, current version): what the account page lists."""
    now = now or utcnow()
    idle_since = now - timedelta(minutes=settings.idle_timeout_minutes)
    return [row for row in active_for_user(db, user.id, now=now)
            if row.last_seen_at > idle_since and row.session_version == user.session_version]
