"""Assembles the app: Reflex pages, the API routes and security headers in front of them, and the push listener."""

import reflex as rx

from hygate_app.api.routes import build_api
from hygate_app.api.security_headers import security_headers
from hygate_app.config import get_settings
from hygate_app.pages.admin.audit import audit_entry_page, audit_page
from hygate_app.pages.admin.dashboard import dashboard_page
from hygate_app.pages.admin.locations import locations_page
from hygate_app.pages.admin.reports import reports_page
from hygate_app.pages.auth.sign_in import login_page, verify_page
from hygate_app.pages.guest.not_found import not_found_page
from hygate_app.pages.guest.session import session_page
from hygate_app.pages.guest.use_device import use_device_page
from hygate_app.pages.staff.account import account_page
from hygate_app.pages.staff.team import invite_page, security_page, team_page
from hygate_app.states.account import AccountState
from hygate_app.states.audit import AuditEntryState, AuditLogState
from hygate_app.states.dashboard import DashboardState
from hygate_app.states.guest_device import UseState
from hygate_app.states.guest_push import listen_for_guest_updates
from hygate_app.states.guest_session import SessionState
from hygate_app.states.locations import LocationsState
from hygate_app.states.reports import ReportsState
from hygate_app.states.sign_in_pages import LoginState, VerifyState
from hygate_app.states.team import InviteState, SecuritySettingsState, TeamState

app = rx.App(
    api_transformer=[build_api(get_settings()), security_headers],
    head_components=[
        rx.el.meta(name="theme-color", content="#0b6bcb"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
)
# Guests
app.add_page(use_device_page, route="/use/[uid]", title="Pay and start | Hygate", on_load=UseState.load)
app.add_page(session_page, route="/session/[token]", title="Your session | Hygate", on_load=SessionState.load)
# Staff
app.add_page(login_page, route="/login", title="Sign in | Hygate", on_load=LoginState.load)
app.add_page(verify_page, route="/login/verify", title="Verify | Hygate", on_load=VerifyState.load)
app.add_page(invite_page, route="/invite/[token]", title="Join | Hygate", on_load=InviteState.load)
app.add_page(dashboard_page, route="/admin", title="Dashboard | Hygate", on_load=DashboardState.load)
app.add_page(locations_page, route="/admin/locations", title="Locations | Hygate", on_load=LocationsState.load)
app.add_page(reports_page, route="/admin/reports", title="Reports | Hygate", on_load=ReportsState.load)
app.add_page(audit_page, route="/admin/audit", title="Audit Logs | Hygate", on_load=AuditLogState.load)
app.add_page(audit_entry_page, route="/admin/audit/[entry]", title="Audit entry | Hygate", on_load=AuditEntryState.load)
app.add_page(account_page, route="/account", title="Account | Hygate", on_load=AccountState.load)
app.add_page(team_page, route="/settings/team", title="Team | Hygate", on_load=TeamState.load)
app.add_page(security_page, route="/settings/security", title="Security | Hygate", on_load=SecuritySettingsState.load)
app.add_page(not_found_page, route="404", title="Not found | Hygate")
app.register_lifespan_task(listen_for_guest_updates)
