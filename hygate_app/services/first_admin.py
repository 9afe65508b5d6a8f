"""The first administrator of a fresh installation (outside demo mode nobody can invite anyone yet).

Only while there is no active administrator: afterwards the team is managed in Settings → Team, so this
command can never be used to add a back-door account to a running installation.
"""

from __future__ import annotations

import secrets

from sqlmodel import Session, select

from hygate_app.models import Role, User
from hygate_app.services import audit, passwords
from hygate_app.services.errors import Conflict
from hygate_app.services.team import normalise_email


def create_first_admin(db: Session, email: str, name: str = "") -> str:
    """Returns the generated password, shown once to whoever ran the command; it should be changed (Account)."""
    if db.exec(select(User.id).where(User.role == Role.admin, User.is_active.is_(True))).first() is not None:
        raise Conflict("An administrator exists already: invite new members in Settings → Team.")
    address = normalise_email(email)
    if db.exec(select(User.id).where(User.email == address)).first() is not None:
        raise Conflict(f"A user {address} exists already.")
    password = secrets.token_urlsafe(16)
    user = User(email=address, name=name.strip()[:120], role=Role.admin,
                password_hash=passwords.hash_password(password))
    db.add(user)
    db.flush()
    audit.record(db, "team.first_admin_created", target_type="user", target_id=user.id, details={"email": address})
    db.commit()
    return password
