"""Workspace settings kept as one JSON row each in `settings` (security, branding, receipts, retention): read into a
frozen dataclass, written back only when something changed, and that change audited with the old and new values."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any, TypeVar

from sqlmodel import Session

from hygate_app.models import Setting
from hygate_app.models.columns import utcnow
from hygate_app.services import audit

T = TypeVar("T")


def load(db: Session, key: str, cls: type[T]) -> T:
    """The stored values over the defaults; a name no longer known (an older version's) is ignored."""
    row = db.get(Setting, key)
    if row is None:
        return cls()
    known = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in json.loads(row.value).items() if k in known})


def write(db: Session, key: str, values: Any) -> None:
    row = db.get(Setting, key) or Setting(key=key, value="{}")
    row.value, row.updated_at = json.dumps(asdict(values)), utcnow()
    db.add(row)


def save(db: Session, key: str, new: T, actor: audit.Actor, action: str) -> T:
    """Write `new` (already checked) and audit what changed; nothing at all when nothing did. The caller commits."""
    old = load(db, key, type(new))
    if new == old:
        return old
    write(db, key, new)
    before, after = asdict(old), asdict(new)
    changes = {k: [v, after[k]] for k, v in before.items() if after[k] != v}
    audit.record(db, action, actor=actor, target_type="settings", target_id=key,
                 details={"changed": sorted(changes), "changes": changes})
    return new
