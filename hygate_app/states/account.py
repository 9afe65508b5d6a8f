"""State of `/account`: the signed-in staff member's password, second factor, sessions and devices."""

from __future__ import annotations

import asyncio

import reflex as rx

from hygate_app.db import session_scope
from hygate_app.models import User
from hygate_app.services import account, login_sessions, security_settings, two_factor
from hygate_app.services.authz import Capability
from hygate_app.services.ids import row_id
from hygate_app.states.display import when
from hygate_app.states.staff import StaffState, principal, staff_event


def _snapshot(who) -> dict:
    with session_scope() as db:
        user = db.get(User, who.user_id)
        return {
            "email": user.email, "name": user.name, "role": user.role.value,
            "two_factor_method": user.two_factor_method.value,
            "must_enrol_2fa": who.must_enrol_2fa,
            "backup_codes_left": two_factor.backup_codes_left(db, user.id),
            "sessions": [
                {"id": str(s.id), "started": when(s.created_at), "last_seen": when(s.last_seen_at),
                 "ip": s.ip or "", "browser": (s.user_agent or "")[:80],
                 "current": "yes" if s.id == who.login_session_id else ""}
                for s in login_sessions.live_for_user(db, user, security_settings.load(db))
            ],
            "devices": [
                {"id": str(d.id), "since": when(d.created_at), "until": when(d.expires_at),
                 "browser": (d.user_agent or "")[:80]}
                for d in two_factor.trusted_devices(db, user.id)
            ],
        }


class AccountState(StaffState):
    email: str = ""
    name: str = ""
    role: str = ""
    two_factor_method: str = ""
    backup_codes_left: int = 0
    sessions: list[dict[str, str]] = []
    devices: list[dict[str, str]] = []
    new_backup_codes: list[str] = []
    totp_qr: str = ""
    totp_secret_text: str = ""
    _pending_totp_secret: str = ""

    @rx.var
    def is_admin(self) -> bool:
        return self.role == "admin"

    async def _refresh(self) -> None:
        data = await asyncio.to_thread(_snapshot, principal())
        for key, value in data.items():
            setattr(self, key, value)


    @staff_event(Capability.account)
    async def load(self):
        self.notice, self.error, self.new_backup_codes, self.totp_qr, self.totp_secret_text = "", "", [], "", ""
        await self._refresh()

    @staff_event(Capability.account)
    async def change_password(self, form: dict):
        if form.get("new", "") != form.get("confirm", ""):
            self.error, self.notice = "The two new passwords are not the same.", ""
            return
        await self._run(lambda db, who, actor: account.change_password(
            db, who, actor, current=form.get("current", ""), new=form.get("new", "")),
            "Password changed. Your other sessions were signed out.")

    @staff_event(Capability.account)
    async def start_totp_setup(self):
        self._pending_totp_secret = two_factor.new_totp_secret()
        uri = two_factor.provisioning_uri(self._pending_totp_secret, principal().email)
        svg = two_factor.qr_svg(uri)
        self.totp_qr = "data:image/svg+xml;utf8," + svg.replace("#", "%23").replace("\n", "")
        self.totp_secret_text = " ".join(self._pending_totp_secret[i:i + 4]
                                         for i in range(0, len(self._pending_totp_secret), 4))
        self.notice, self.error = "", ""

    @staff_event(Capability.account)
    async def confirm_totp(self, form: dict):
        if not self._pending_totp_secret:
            self.error = "Start the set-up again."
            return
        secret = self._pending_totp_secret
        codes = await self._run(lambda db, who, actor: account.enable_totp(
            db, who, actor, password=form.get("password", ""), secret=secret, code=form.get("code", "")),
            "Authenticator app is set up. Your other sessions were signed out.")
        if not self.error:
            self._pending_totp_secret, self.totp_qr, self.totp_secret_text = "", "", ""
            self.new_backup_codes = codes or []

    @staff_event(Capability.account)
    async def enable_email_2fa(self, form: dict):
        codes = await self._run(lambda db, who, actor: account.enable_email_2fa(
            db, who, actor, password=form.get("password", "")),
            "Sign-in codes will come by e-mail. Your other sessions were signed out.")
        self.new_backup_codes = codes or []

    @staff_event(Capability.account)
    async def disable_2fa(self, form: dict):
        await self._run(lambda db, who, actor: account.disable_2fa(db, who, actor, password=form.get("password", "")),
                        "Two-factor authentication is off.")

    @staff_event(Capability.account)
    async def regenerate_backup_codes(self, form: dict):
        codes = await self._run(lambda db, who, actor: account.regenerate_backup_codes(
            db, who, actor, password=form.get("password", "")),
            "New backup codes: the old ones no longer work.")
        self.new_backup_codes = codes or []

    @staff_event(Capability.account)
    async def dismiss_backup_codes(self):
        self.new_backup_codes = []

    @staff_event(Capability.account)
    async def revoke_session(self, session_id: str):
        await self._run(lambda db, who, actor: account.revoke_session(db, who, actor, row_id(session_id)),
                        "That session is signed out.")

    @staff_event(Capability.account)
    async def revoke_trusted_device(self, device_id: str):
        await self._run(lambda db, who, actor: account.revoke_trusted_device(db, who, actor, row_id(device_id)),
                        "That browser will be asked for a code again.")
