"""Staff members for tests, made through the services (real hashes, real encryption)."""

from __future__ import annotations

import re
import uuid

import httpx
import pyotp
from sqlmodel import Session

from hygate_app.models import Role, TwoFactorMethod, User
from hygate_app.models.columns import utcnow
from hygate_app.services import passwords, two_factor

PASSWORD = "a long staff password"


def new_staff(db: Session, role: Role = Role.operator, method: TwoFactorMethod = TwoFactorMethod.none) -> User:
    user = User(email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.com", name=f"Test {role.value}", role=role,
                password_hash=passwords.hash_password(PASSWORD), two_factor_method=method)
    db.add(user)
    db.commit()
    return user


def give_totp(db: Session, user: User) -> str:
    """Enrol an authenticator app with the previous time step, so the current code is still fresh."""
    from datetime import timedelta

    secret = two_factor.new_totp_secret()
    assert two_factor.enable_totp(db, user, secret, pyotp.TOTP(secret).at(utcnow() - timedelta(seconds=30)))
    db.commit()
    return secret


def mailed_code(resend_url: str, email: str) -> str:
    mails = httpx.get(f"{resend_url}/_sim/outbox", params={"to": email}, timeout=5).json()
    return re.search(r"\b(\d{6})\b", mails[0]["subject"]).group(1)


def session_token(db: Session, user: User) -> str:
    """A signed-in session for `user`, as sign-in would leave it: the value of the session cookie."""
    from hygate_app.services import login_sessions
    from hygate_app.services.security_settings import SecuritySettings

    token = login_sessions.create(db, user, SecuritySettings(), ip=None, user_agent=None)
    db.commit()
    return token
