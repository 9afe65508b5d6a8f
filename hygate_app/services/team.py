"""The team: invitations by e-mail (single use, expiring), role changes and deactivation."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import update
from sqlmodel import Session, func, select

from hygate_app.models import Invitation, Role, User
from hygate_app.models.columns import utcnow
from hygate_app.services import api_keys, audit, login_sessions, passwords
from hygate_app.services.errors import Conflict, InvalidInput, NotFound
from hygate_app.services.login_sessions import Principal, token_hash
from hygate_app.services.sign_in import Refused
from hygate_app.services.throttle import Throttle
from hygate_app.services.throttle import message as throttled_message

INVITATION_LIFETIME = timedelta(hours=72)
INVITATION_NOT_VALID = "This invitation link is not valid any more. Ask an administrator for a new one."


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput(f"That e-mail address is not valid: {exc}") from None


def members(db: Session) -> list[User]:
    return list(db.exec(select(User).order_by(User.is_active.desc(), func.lower(User.email))).all())


def open_invitations(db: Session, now: datetime | None = None) -> list[Invitation]:
    return list(db.exec(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > (now or utcnow()))
        .order_by(Invitation.created_at.desc())
    ).all())


def invite(db: Session, principal: Principal, actor: audit.Actor, mailer, *, email: str, role: Role,
           base_url: str) -> str:
    """Create the invitation, e-mail the link, return the link (shown once to the inviting admin)."""
    email = normalise_email(email)
    role = Role(role)
    if db.exec(select(User.id).where(func.lower(User.email) == email)).first() is not None:
        raise Conflict("Someone with that e-mail address is already on the team.")
    now = utcnow()
    for old in db.exec(select(Invitation).where(Invitation.email == email, Invitation.accepted_at.is_(None),
                                                Invitation.revoked_at.is_(None))).all():
        old.revoked_at = now
        db.add(old)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(email=email, role=role, token_hash=token_hash(token), invited_by_id=principal.user_id,
                            created_at=now, expires_at=now + INVITATION_LIFETIME)
    db.add(invitation)
    db.flush()
    link = f"{base_url}/invite/{token}"
    audit.record(db, "team.invited", actor=actor, target_type="invitation", target_id=invitation.id,
                 details={"email": email, "role": role.value})
    mailer.send(
        email,
        "You are invited to Hygate",
        f"{principal.name or principal.email} invited you to join their Hygate workspace as {role.value}.\n\n"
        f"Choose your password here (the link works once and expires in 72 hours):\n{link}\n",
    )
    return link


def valid_invitation(db: Session, token: str, now: datetime | None = None) -> Invitation | None:
    if not token:
        return None
    row = db.exec(select(Invitation).where(Invitation.token_hash == token_hash(token))).first()
    if row is None or row.accepted_at or row.revoked_at or row.expires_at <= (now or utcnow()):
        return None
    return row


def accept(db: Session, throttle: Throttle, token: str, actor: audit.Actor, *, name: str,
           password: str) -> User | Refused:
    """Set the password and create the account; the invitation is claimed atomically, so it works once.

    A wrong or spent link is returned as `Refused` (not raised), so its audit row and throttle failure are
    kept; a weak password raises InvalidInput and costs nothing, as the link itself was right.
    """
    ip = actor.ip or ""
    decision = throttle.check("invitation", account=token, ip=ip)
    if not decision.allowed:
        audit.record(db, "team.invitation_throttled", actor=actor, target_type="invitation")
        return Refused(throttled_message(decision), decision.retry_after)
    invitation = valid_invitation(db, token)
    if invitation is None:
        throttle.record_failure("invitation", account=token, ip=ip)
        audit.record(db, "team.invitation_refused", actor=actor, target_type="invitation")
        return Refused(INVITATION_NOT_VALID)
    passwords.check_new_password(password, email=invitation.email)
    claimed = db.execute(
        update(Invitation).where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if claimed != 1:  # accepted by a concurrent request between the check and the claim
        return Refused(INVITATION_NOT_VALID)
    if db.exec(select(User.id).where(func.lower(User.email) == invitation.email)).first() is not None:
        raise Conflict("An account with this e-mail address already exists.")
    user = User(email=invitation.email, name=name.strip()[:120], role=invitation.role,
                password_hash=passwords.hash_password(password))
    db.add(user)
    db.flush()
    throttle.record_success("invitation", account=token, ip=ip)
    audit.record(db, "team.invitation_accepted", actor=audit.Actor("user", str(user.id), actor.ip, actor.user_agent),
                 target_type="user", target_id=user.id, details={"invitation_id": invitation.id,
                                                                 "role": user.role.value})
    return user


def revoke_invitation(db: Session, actor: audit.Actor, invitation_id: int) -> None:
    row = db.get(Invitation, invitation_id)
    if row is None or row.accepted_at or row.revoked_at:
        raise NotFound("That invitation is no longer open.")
    row.revoked_at = utcnow()
    db.add(row)
    audit.record(db, "team.invitation_revoked", actor=actor, target_type="invitation", target_id=row.id,
                 details={"email": row.email})


def _member(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such team member.")
    return user


def _guard_last_admin(db: Session, user: User) -> None:
    if user.role != Role.admin or not user.is_active:
        return
    admins = db.exec(select(func.count()).select_from(User).where(User.role == Role.admin, User.is_active)).one()
    if admins <= 1:
        raise Conflict("This is the last active administrator: make someone else an administrator first.")


def change_role(db: Session, principal: Principal, actor: audit.Actor, user_id: int, role: Role) -> User:
    user, role = _member(db, user_id), Role(role)
    if user.role == role:
        return user
    if user.id == principal.user_id:
        raise Conflict("You cannot change your own role.")
    _guard_last_admin(db, user)
    old, user.role = user.role, role
    login_sessions.end_all(db, user)
    audit.record(db, "team.role_changed", actor=actor, target_type="user", target_id=user.id,
                 details={"from": old.value, "to": role.value})
    return user


def set_active(db: Session, principal: Principal, actor: audit.Actor, user_id: int, active: bool) -> User:
    user = _member(db, user_id)
    if user.is_active == active:
        return user
    if user.id == principal.user_id:
        raise Conflict("You cannot deactivate your own account.")
    if not active:
        _guard_last_admin(db, user)
    user.is_active = active
    login_sessions.end_all(db, user)
    if not active:
        api_keys.revoke_keys_created_by(db, actor, user.id, "creator deactivated")
    audit.record(db, "team.activated" if active else "team.deactivated", actor=actor, target_type="user",
                 target_id=user.id, details={"email": user.email})
    return user


def end_sessions(db: Session, actor: audit.Actor, user_id: int) -> int:
    user = _member(db, user_id)
    ended = login_sessions.end_all(db, user)
    audit.record(db, "team.sessions_ended", actor=actor, target_type="user", target_id=user.id,
                 details={"sessions_ended": ended})
    return ended
