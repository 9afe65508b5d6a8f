"""Staff sign-in: password, then the second factor, then a login session.

Between the two steps the browser holds only a random "pending" token (HttpOnly cookie); what it
stands for lives in Redis for ten minutes. Every outcome writes an audit row; every refusal reads
the same, so the text, status and timing never tell whether an account exists.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from redis import Redis
from sqlmodel import Session, func, select

from hygate_app.models import TwoFactorMethod, User
from hygate_app.services import audit, login_sessions, passwords, security_settings, two_factor
from hygate_app.services.login_sessions import token_hash
from hygate_app.services.throttle import Throttle
from hygate_app.services.throttle import message as throttled_message
from hygate_app.services.typed_text import storable

PENDING_TTL = timedelta(minutes=10)
GENERIC_REFUSAL = "That e-mail and password do not match an active account."
CODE_REFUSAL = "That code is not valid. Check it and try again."


@dataclass(frozen=True)
class Client:
    ip: str | None
    user_agent: str | None

    def actor(self, user_id: int | None = None) -> audit.Actor:
        return audit.Actor("user" if user_id else "anonymous", None if user_id is None else str(user_id),
                           self.ip, self.user_agent)


@dataclass(frozen=True)
class SignedIn:
    session_token: str
    user_id: int
    trusted_device_token: str | None = None


@dataclass(frozen=True)
class SecondFactorRequired:
    pending_token: str
    method: TwoFactorMethod


@dataclass(frozen=True)
class Refused:
    message: str
    retry_after: int | None = None


@dataclass(frozen=True)
class Pending:
    user_id: int
    method: TwoFactorMethod


def find_user(db: Session, email: str) -> User | None:
    if not storable(email):
        return None
    return db.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def _needs_second_factor(user: User) -> bool:
    return user.two_factor_method != TwoFactorMethod.none


def start(db: Session, redis: Redis, throttle: Throttle, mailer, *, email: str, password: str, client: Client,
          trusted_token: str | None = None) -> SignedIn | SecondFactorRequired | Refused:
    """The password step."""
    account = email.strip().lower()[:254]
    decision = throttle.check("login", account=account, ip=client.ip or "")
    if not decision.allowed:
        audit.record(db, "auth.login_throttled", actor=client.actor(), details={"email": account})
        return Refused(throttled_message(decision), decision.retry_after)
    user = find_user(db, account) if account else None
    if user is None or not user.password_hash:
        passwords.verify_dummy(password)
        ok = False
    else:
        ok, new_hash = passwords.verify_and_update(password, user.password_hash)
        if ok and new_hash:
            user.password_hash = new_hash
            db.add(user)
    if not ok or user is None or not user.is_active:
        throttle.record_failure("login", account=account, ip=client.ip or "")
        audit.record(db, "auth.login_failed", actor=client.actor(), target_type="user",
                     target_id=user.id if user else None, details={"email": account})
        return Refused(GENERIC_REFUSAL)
    throttle.record_success("login", account=account, ip=client.ip or "")
    if not _needs_second_factor(user) or two_factor.is_trusted(db, user.id, trusted_token):
        return finish(db, user, client, via="password" if not _needs_second_factor(user) else "trusted_device")
    token = secrets.token_urlsafe(32)
    redis.set(_pending_key(token), json.dumps({"user_id": user.id, "version": user.session_version}),
              ex=int(PENDING_TTL.total_seconds()))
    audit.record(db, "auth.password_ok", actor=client.actor(user.id), target_type="user", target_id=user.id,
                 details={"second_factor": user.two_factor_method.value})
    if user.two_factor_method == TwoFactorMethod.email:
        send_email_code(db, redis, mailer, user, client)
    return SecondFactorRequired(token, user.two_factor_method)


def pending(db: Session, redis: Redis, pending_token: str | None) -> Pending | None:
    if not pending_token:
        return None
    raw = redis.get(_pending_key(pending_token))
    if raw is None:
        return None
    data = json.loads(raw)
    user = db.get(User, data["user_id"])
    if user is None or not user.is_active or user.session_version != data["version"]:
        return None
    return Pending(user.id, user.two_factor_method)


def send_email_code(db: Session, redis: Redis, mailer, user: User, client: Client) -> None:
    code = two_factor.issue_email_code(redis, user.id)
    mailer.send(
        user.email,
        f"Your Hygate sign-in code: {code}",
        f"Your sign-in code is {code}. It is valid for 5 minutes.\n\n"
        "If you did not try to sign in, change your password: someone knows it.",
    )
    audit.record(db, "auth.email_code_sent", actor=client.actor(user.id), target_type="user", target_id=user.id)


def complete(db: Session, redis: Redis, throttle: Throttle, *, pending_token: str | None, kind: str, code: str,
             trust_device: bool, client: Client) -> SignedIn | Refused:
    """The second step: `kind` is "totp", "email" or "backup_code"."""
    state = pending(db, redis, pending_token)
    if state is None:
        return Refused("Your sign-in has expired. Please sign in again.")
    user = db.get(User, state.user_id)
    throttle_kind = "backup_code" if kind == "backup_code" else "otp"
    decision = throttle.check(throttle_kind, account=user.email.lower(), ip=client.ip or "")
    if not decision.allowed:
        audit.record(db, "auth.second_factor_throttled", actor=client.actor(user.id), target_type="user",
                     target_id=user.id, details={"kind": kind})
        return Refused(throttled_message(decision), decision.retry_after)
    if kind == "backup_code":
        ok = two_factor.use_backup_code(db, user, code)
    elif kind == "totp" and user.two_factor_method == TwoFactorMethod.totp:
        ok = two_factor.verify_totp(db, user, code)
    elif kind == "email" and user.two_factor_method == TwoFactorMethod.email:
        ok = two_factor.verify_email_code(redis, user.id, code)
    else:
        ok = False
    if not ok:
        throttle.record_failure(throttle_kind, account=user.email.lower(), ip=client.ip or "")
        audit.record(db, "auth.second_factor_failed", actor=client.actor(user.id), target_type="user",
                     target_id=user.id, details={"kind": kind})
        return Refused(CODE_REFUSAL)
    throttle.record_success(throttle_kind, account=user.email.lower(), ip=client.ip or "")
    redis.delete(_pending_key(pending_token))
    if kind == "backup_code":
        audit.record(db, "auth.backup_code_used", actor=client.actor(user.id), target_type="user",
                     target_id=user.id, details={"left": two_factor.backup_codes_left(db, user.id)})
    signed_in = finish(db, user, client, via=kind)
    if not trust_device:
        return signed_in
    days = security_settings.load(db).trust_period_days
    if days <= 0:
        return signed_in
    device = two_factor.trust_device(db, user, days=days, user_agent=client.user_agent)
    audit.record(db, "auth.device_trusted", actor=client.actor(user.id), target_type="user", target_id=user.id,
                 details={"days": days})
    return SignedIn(signed_in.session_token, user.id, device)


def finish(db: Session, user: User, client: Client, *, via: str) -> SignedIn:
    token = login_sessions.create(db, user, security_settings.load(db), ip=client.ip, user_agent=client.user_agent)
    audit.record(db, "auth.login", actor=client.actor(user.id), target_type="user", target_id=user.id,
                 details={"via": via})
    return SignedIn(token, user.id)


def _pending_key(token: str) -> str:
    return f"hygate:pending-login:{token_hash(token)}"
