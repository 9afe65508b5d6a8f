"""A staff member's own account: password, second factor, backup codes, sessions, trusted devices.

Every change asks for the current password again, ends the user's other sessions where it changes
how they authenticate, and writes an audit row.
"""

from __future__ import annotations

from sqlmodel import Session

from hygate_app.models import TwoFactorMethod, User
from hygate_app.services import audit, login_sessions, passwords, security_settings, two_factor
from hygate_app.services.errors import InvalidInput, PermissionDenied
from hygate_app.services.login_sessions import Principal


def _user(db: Session, principal: Principal) -> User:
    user = db.get(User, principal.user_id)
    if user is None or not user.is_active:
        raise PermissionDenied("Please sign in.")
    return user


def _confirm_password(user: User, password: str) -> None:
    if not user.password_hash or not passwords.verify_password(password, user.password_hash):
        raise InvalidInput("Your current password is not correct.")


def change_password(db: Session, principal: Principal, actor: audit.Actor, *, current: str, new: str) -> int:
    """Returns how many other sessions were ended."""
    user = _user(db, principal)
    _confirm_password(user, current)
    passwords.check_new_password(new, email=user.email)
    user.password_hash = passwords.hash_password(new)
    ended = login_sessions.end_all(db, user, keep_session_id=principal.login_session_id)
    audit.record(db, "account.password_changed", actor=actor, target_type="user", target_id=user.id,
                 details={"other_sessions_ended": ended})
    return ended


def enable_totp(db: Session, principal: Principal, actor: audit.Actor, *, password: str, secret: str,
                code: str) -> list[str] | None:
    """Switch to the authenticator app; returns fresh backup codes when the user had none."""
    user = _user(db, principal)
    _confirm_password(user, password)
    if not two_factor.enable_totp(db, user, secret, code):
        raise InvalidInput("That code does not match. Check the time on your phone and try the current code.")
    return _after_2fa_change(db, user, principal, actor, TwoFactorMethod.totp)


def enable_email_2fa(db: Session, principal: Principal, actor: audit.Actor, *, password: str) -> list[str] | None:
    user = _user(db, principal)
    _confirm_password(user, password)
    user.two_factor_method = TwoFactorMethod.email
    user.totp_secret_enc, user.totp_last_timecode = None, None
    return _after_2fa_change(db, user, principal, actor, TwoFactorMethod.email)


def disable_2fa(db: Session, principal: Principal, actor: audit.Actor, *, password: str) -> None:
    user = _user(db, principal)
    _confirm_password(user, password)
    if user.role.value == "admin" and security_settings.load(db).require_2fa_for_admins:
        raise InvalidInput("Two-factor authentication is required for administrators in this workspace.")
    user.two_factor_method = TwoFactorMethod.none
    user.totp_secret_enc, user.totp_last_timecode = None, None
    _after_2fa_change(db, user, principal, actor, TwoFactorMethod.none, new_codes=False)
    two_factor.revoke_all_trusted_devices(db, user.id)


def _after_2fa_change(db: Session, user: User, principal: Principal, actor: audit.Actor, method: TwoFactorMethod,
                      new_codes: bool = True) -> list[str] | None:
    db.add(user)
    ended = login_sessions.end_all(db, user, keep_session_id=principal.login_session_id)
    audit.record(db, "account.2fa_changed", actor=actor, target_type="user", target_id=user.id,
                 details={"method": method.value, "other_sessions_ended": ended})
    if new_codes and two_factor.backup_codes_left(db, user.id) == 0:
        return two_factor.generate_backup_codes(db, user)
    return None


def regenerate_backup_codes(db: Session, principal: Principal, actor: audit.Actor, *, password: str) -> list[str]:
    user = _user(db, principal)
    _confirm_password(user, password)
    if user.two_factor_method == TwoFactorMethod.none:
        raise InvalidInput("Set up two-factor authentication first.")
    codes = two_factor.generate_backup_codes(db, user)
    audit.record(db, "account.backup_codes_regenerated", actor=actor, target_type="user", target_id=user.id)
    return codes


def revoke_session(db: Session, principal: Principal, actor: audit.Actor, session_id: int) -> None:
    if not login_sessions.revoke(db, session_id, principal.user_id):
        raise InvalidInput("That session has already ended.")
    audit.record(db, "account.session_revoked", actor=actor, target_type="login_session", target_id=session_id)


def sign_out_everywhere(db: Session, principal: Principal, actor: audit.Actor) -> int:
    user = _user(db, principal)
    ended = login_sessions.end_all(db, user)
    audit.record(db, "account.signed_out_everywhere", actor=actor, target_type="user", target_id=user.id,
                 details={"sessions_ended": ended})
    return ended


def revoke_trusted_device(db: Session, principal: Principal, actor: audit.Actor, device_id: int) -> None:
    if not two_factor.revoke_trusted_device(db, principal.user_id, device_id):
        raise InvalidInput("That device is no longer trusted.")
    audit.record(db, "account.trusted_device_revoked", actor=actor, target_type="trusted_device",
                 target_id=device_id)
