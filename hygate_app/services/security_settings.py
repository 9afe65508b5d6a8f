"""The workspace's security settings (Settings → Security), kept as one JSON row in `settings`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from sqlmodel import Session

from hygate_app.models import Setting
from hygate_app.models.columns import utcnow
from hygate_app.services import audit
from hygate_app.services.errors import InvalidInput

KEY = "security"


@dataclass(frozen=True)
class SecuritySettings:
    trust_period_days: int = 30
    idle_timeout_minutes: int = 30
    absolute_lifetime_hours: int = 12
    require_2fa_for_admins: bool = True


LIMITS = {
    "trust_period_days": (0, 90),
    "idle_timeout_minutes": (5, 24 * 60),
    "absolute_lifetime_hours": (1, 7 * 24),
}


def load(db: Session) -> SecuritySettings:
    row = db.get(Setting, KEY)
    if row is None:
        return SecuritySettings()
    stored = json.loads(row.value)
    known = {f.name for f in fields(SecuritySettings)}
    return SecuritySettings(**{k: v for k, v in stored.items() if k in known})


def save(db: Session, new: SecuritySettings, actor: audit.Actor) -> SecuritySettings:
    for name, (low, high) in LIMITS.items():
        value = getattr(new, name)
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be between {low} and {high}.")
    old = load(db)
    row = db.get(Setting, KEY) or Setting(key=KEY, value="{}")
    row.value, row.updated_at = json.dumps(asdict(new)), utcnow()
    db.add(row)
    changes = {k: [v, asdict(new)[k]] for k, v in asdict(old).items() if asdict(new)[k] != v}
    audit.record(db, "settings.security_changed", actor=actor, target_type="settings", target_id=KEY,
                 details={"changes": changes})
    return new
