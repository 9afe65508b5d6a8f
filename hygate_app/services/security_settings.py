"""The workspace's security settings (Settings → Security), kept as one JSON row in `settings`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from hygate_app.services import audit, setting_rows
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
    return setting_rows.load(db, KEY, SecuritySettings)


def save(db: Session, new: SecuritySettings, actor: audit.Actor) -> SecuritySettings:
    for name, (low, high) in LIMITS.items():
        value = getattr(new, name)
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be between {low} and {high}.")
    return setting_rows.save(db, KEY, new, actor, "settings.security_changed")
