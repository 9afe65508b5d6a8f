"""State of `/settings/team` (administrators) and `/invite/{token}` (the invited person)."""

from __future__ import annotations

import asyncio
import dataclasses

import reflex as rx

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.db import session_scope
from hygate_app.models import Role
from hygate_app.services import audit, security_settings, team
from hygate_app.services.authz import Capability
from hygate_app.services.errors import DomainError
from hygate_app.services.ids import row_id
from hygate_app.services.sign_in import Refused
from hygate_app.states.display import when
from hygate_app.states.routing import last_path_segment
from hygate_app.states.staff import StaffState, staff_event


def _snapshot() -> dict:
    with session_scope() as db:
        return {
            "members": [
                {"id": str(u.id), "email": u.email, "name": u.name, "role": u.role.value,
                 "active": "yes" if u.is_active else "", "two_factor": u.two_factor_method.value,
                 "last_login": when(u.last_login_at) or "never"}
                for u in team.members(db)
            ],
            "invitations": [
                {"id": str(i.id), "email": i.email, "role": i.role.value,
                 "expires": when(i.expires_at)}
                for i in team.open_invitations(db)
            ],
        }


def _role(value) -> Role | None:
    return Role(value) if value in Role.__members__ else None


class TeamState(StaffState):
    members: list[dict[str, str]] = []
    invitations: list[dict[str, str]] = []
    invite_link: str = ""

    async def _refresh(self) -> None:
        data = await asyncio.to_thread(_snapshot)
        self.members, self.invitations = data["members"], data["invitations"]


    @staff_event(Capability.team)
    async def load(self):
        self.notice, self.error, self.invite_link = "", "", ""
        await self._refresh()

    @staff_event(Capability.team)
    async def invite(self, form: dict):
        role = _role(form.get("role", ""))
        if role is None:
            self.error = "Choose a role."
            return
        email = str(form.get("email", ""))[:254]
        link = await self._run(lambda db, who, actor: team.invite(
            db, who, actor, providers.mailer(), email=email, role=role, base_url=get_settings().base_url),
            f"Invitation sent to {email}.")
        self.invite_link = link or ""

    @staff_event(Capability.team)
    async def change_role(self, user_id: str, role: str):
        new_role = _role(role)
        if new_role is None:
            self.error = "Unknown role."
            return
        await self._run(lambda db, who, actor: team.change_role(db, who, actor, row_id(user_id), new_role),
                        "Role changed; their sessions were signed out.")

    @staff_event(Capability.team)
    async def deactivate(self, user_id: str):
        await self._run(lambda db, who, actor: team.set_active(db, who, actor, row_id(user_id), False),
                        "Deactivated: they are signed out and cannot sign in.")

    @staff_event(Capability.team)
    async def reactivate(self, user_id: str):
        await self._run(lambda db, who, actor: team.set_active(db, who, actor, row_id(user_id), True),
                        "Reactivated.")

    @staff_event(Capability.team)
    async def end_sessions(self, user_id: str):
        await self._run(lambda db, who, actor: team.end_sessions(db, actor, row_id(user_id)),
                        "Their sessions were signed out.")

    @staff_event(Capability.team)
    async def revoke_invitation(self, invitation_id: str):
        await self._run(lambda db, who, actor: team.revoke_invitation(db, actor, row_id(invitation_id)),
                        "Invitation withdrawn.")


class SecuritySettingsState(StaffState):
    trust_period_days: str = ""
    idle_timeout_minutes: str = ""
    absolute_lifetime_hours: str = ""
    require_2fa_for_admins: bool = True

    def _show(self, current: security_settings.SecuritySettings) -> None:
        self.trust_period_days = str(current.trust_period_days)
        self.idle_timeout_minutes = str(current.idle_timeout_minutes)
        self.absolute_lifetime_hours = str(current.absolute_lifetime_hours)
        self.require_2fa_for_admins = current.require_2fa_for_admins

    @staff_event(Capability.security_settings)
    async def load(self):
        self.notice, self.error = "", ""

        def read():
            with session_scope() as db:
                return security_settings.load(db)

        self._show(await asyncio.to_thread(read))

    @staff_event(Capability.security_settings)
    async def save(self, form: dict):
        self.notice, self.error = "", ""
        try:
            values = {name: int(str(form.get(name, "")).strip()) for name in security_settings.LIMITS}
        except ValueError:
            self.error = "Enter whole numbers."
            return
        new = dataclasses.replace(security_settings.SecuritySettings(), **values,
                                  require_2fa_for_admins=form.get("require_2fa_for_admins") == "on")
        actor = self._actor()

        def write():
            with session_scope() as db:
                return security_settings.save(db, new, actor)

        try:
            self._show(await asyncio.to_thread(write))
        except DomainError as exc:
            self.error = str(exc)
            return
        self.notice = "Security settings saved."


def _accept(token: str, actor: audit.Actor, name: str, password: str) -> str | None:
    """The refusal's message, or None when the account was created."""
    with session_scope() as db:
        outcome = team.accept(db, providers.throttle(), token, actor, name=name, password=password)
    return outcome.message if isinstance(outcome, Refused) else None


def _invited_email(token: str) -> str:
    with session_scope() as db:
        invitation = team.valid_invitation(db, token)
        return invitation.email if invitation else ""


class InviteState(rx.State):
    """Public: the invited person sets their password. The token in the URL is the only credential."""

    email: str = ""
    valid: bool = True
    done: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        self.done, self.error = False, ""
        self.email = await asyncio.to_thread(_invited_email, last_path_segment(self.router.url.path))
        self.valid = self.email != ""

    @rx.event
    async def accept(self, form: dict):
        if form.get("password", "") != form.get("confirm", ""):
            self.error = "The two passwords are not the same."
            return
        actor = audit.Actor("anonymous", None, self.router.session.client_ip or None,
                            (self.router.headers.user_agent or "")[:300] or None)
        token = last_path_segment(self.router.url.path)
        try:
            refusal = await asyncio.to_thread(_accept, token, actor, str(form.get("name", "")),
                                              str(form.get("password", "")))
        except DomainError as exc:
            self.error = str(exc)
            return
        if refusal:
            self.error = refusal
            return
        self.done, self.error = True, ""
