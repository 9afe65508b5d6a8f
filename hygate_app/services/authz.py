"""Who may do what: the role table of PRODUCT.md, and the one check every admin handler and route calls."""

from __future__ import annotations

import enum

from sqlmodel import Session

from hygate_app.models import Role, TwoFactorMethod, User
from hygate_app.services import login_sessions, security_settings
from hygate_app.services.errors import PermissionDenied
from hygate_app.services.login_sessions import Principal


class Capability(enum.StrEnum):
    account = "account"  # one's own account page: every signed-in staff member
    dashboard = "dashboard"
    doors = "doors"
    devices = "devices"
    payments = "payments"
    reports = "reports"
    sessions = "sessions"
    locations_rename = "locations_rename"
    locations_manage = "locations_manage"  # create, delete
    integrations = "integrations"
    branding = "branding"
    security_settings = "security_settings"
    api_keys = "api_keys"
    privacy = "privacy"  # retention periods, erasing a guest's e-mail
    team = "team"
    audit_logs = "audit_logs"


OPERATOR = frozenset({
    Capability.account, Capability.dashboard, Capability.doors, Capability.devices, Capability.payments,
    Capability.reports, Capability.sessions, Capability.locations_rename,
})
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.admin: frozenset(Capability),
    Role.operator: OPERATOR,
}


class NotSignedIn(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("Please sign in.")


class MustEnrol2FA(PermissionDenied):
    def __init__(self) -> None:
        super().__init__("Set up two-factor authentication first (Account page).")


def must_enrol_2fa(user: User, settings: security_settings.SecuritySettings) -> bool:
    required = user.role == Role.admin and settings.require_2fa_for_admins
    return required and user.two_factor_method == TwoFactorMethod.none


def allows(principal: Principal, capability: Capability) -> bool:
    if principal.must_enrol_2fa and capability != Capability.account:
        return False
    return capability in ROLE_CAPABILITIES[principal.role]


def principal_for(db: Session, session_token: str | None) -> Principal | None:
    settings = security_settings.load(db)
    found = login_sessions.resolve(db, session_token, settings)
    if found is None:
        return None
    row, user = found
    return Principal(user.id, user.email, user.name, user.role, row.id, must_enrol_2fa(user, settings))


def authorise(db: Session, session_token: str | None, capability: Capability) -> Principal:
    """The guard: the caller's session, resolved against the database now, must allow `capability`."""
    principal = principal_for(db, session_token)
    if principal is None:
        raise NotSignedIn()
    if not allows(principal, capability):
        if principal.must_enrol_2fa:
            raise MustEnrol2FA()
        raise PermissionDenied("Your role does not allow this.")
    return principal
