"""API keys for the programmatic API (Settings → API keys): the secret is shown once, only its SHA-256 is kept."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from hygate_app.models import ApiKey, User
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from hygate_app.services.errors import Conflict, InvalidInput, NotFound
from hygate_app.services.login_sessions import token_hash
from hygate_app.services.typed_text import printable

SCHEME = "hgk"
NAME_MAX = 80
# A key is far shorter than this; longer input is refused before it is hashed.
PRESENTED_MAX = 200
# last_used_at is written at most this often, so a busy integration does not write on every call.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class CreatedKey:
    id: int
    name: str
    prefix: str
    secret: str  # shown once to the administrator who created it, never stored


@dataclass(frozen=True)
class ApiKeyRow:
    id: int
    name: str
    prefix: str
    created_by_id: int
    created_by_email: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def hint(self) -> str:
        """How the list shows the key: enough to match it with the one an integration holds."""
        return f"{SCHEME}_{self.prefix}_…"


def _row(key: ApiKey, created_by_email: str | None) -> ApiKeyRow:
    return ApiKeyRow(key.id, key.name, key.prefix, key.created_by_id, created_by_email, key.created_at,
                     key.last_used_at, key.revoked_at)


def _row_with_creator(db: Session, key: ApiKey) -> ApiKeyRow:
    creator = db.get(User, key.created_by_id)
    return _row(key, creator.email if creator else None)


def _clean_name(db: Session, name: str) -> str:
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput(f"Give the key a name of 1 to {NAME_MAX} characters, e.g. the system that will use it.")
    if not printable(name):
        raise InvalidInput("The key's name may not contain control characters.")
    taken = db.exec(select(ApiKey.id).where(ApiKey.name == name, ApiKey.revoked_at.is_(None))).first()
    if taken is not None:
        raise Conflict("Another active API key already has this name: choose one that tells them apart.")
    return name


def create_api_key(db: Session, actor: audit.Actor, created_by_id: int, name: str) -> CreatedKey:
    """The prefix (random, not secret) lets staff tell keys apart; the whole secret is hashed for lookup."""
    name = _clean_name(db, name)
    if db.get(User, created_by_id) is None:
        raise NotFound("No such team member.")
    prefix = secrets.token_hex(4)
    secret = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, prefix=prefix, key_hash=token_hash(secret), created_by_id=created_by_id)
    db.add(key)
    db.flush()
    audit.record(db, "api_key.created", actor=actor, target_type="api_key", target_id=key.id,
                 details={"name": name, "prefix": prefix})
    return CreatedKey(key.id, name, prefix, secret)


def list_api_keys(db: Session) -> list[ApiKeyRow]:
    """Active keys first, newest first; a workspace has a handful, so no paging."""
    rows = db.exec(
        select(ApiKey, User.email).outerjoin(User, User.id == ApiKey.created_by_id)
        .order_by(ApiKey.revoked_at.is_(None).desc(), ApiKey.created_at.desc(), ApiKey.id.desc())
    ).all()
    return [_row(key, email) for key, email in rows]


def revoke_api_key(db: Session, actor: audit.Actor, key_id: int) -> ApiKeyRow:
    key = db.get(ApiKey, key_id)
    if key is None:
        raise NotFound("No such API key.")
    if key.revoked_at is not None:
        raise Conflict("This API key is already revoked.")
    key.revoked_at = utcnow()
    db.add(key)
    audit.record(db, "api_key.revoked", actor=actor, target_type="api_key", target_id=key.id,
                 details={"name": key.name, "prefix": key.prefix})
    return _row_with_creator(db, key)


def revoke_keys_created_by(db: Session, actor: audit.Actor, user_id: int, reason: str) -> int:
    """When their creator leaves the team, their keys go too (each revocation audited, with why)."""
    keys = db.exec(select(ApiKey).where(ApiKey.created_by_id == user_id, ApiKey.revoked_at.is_(None))
                   .order_by(ApiKey.id)).all()
    now = utcnow()
    for key in keys:
        key.revoked_at = now
        db.add(key)
        audit.record(db, "api_key.revoked", actor=actor, target_type="api_key", target_id=key.id,
                     details={"name": key.name, "prefix": key.prefix, "reason": reason})
    return len(keys)


def authenticate_api_key(db: Session, presented: str | None, now: datetime | None = None) -> ApiKeyRow | None:
    """The live key behind a presented secret, or None (unknown, malformed or revoked: the caller says 401)."""
    if not presented or len(presented) > PRESENTED_MAX or not presented.startswith(f"{SCHEME}_"):
        return None
    key = db.exec(select(ApiKey).where(ApiKey.key_hash == token_hash(presented))).first()
    if key is None or key.revoked_at is not None:
        return None
    now = now or utcnow()
    if key.last_used_at is None or now - key.last_used_at >= TOUCH_EVERY:
        key.last_used_at = now
        db.add(key)
    return _row_with_creator(db, key)
