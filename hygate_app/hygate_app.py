"""Assembles the app: Reflex pages; in front of them the API routes, the closing of a connection whose body was too
large, the 404 page for impossible addresses and security headers; and the push listener."""

import reflex as rx

from hygate_app.api.request_limits import close_after_refusal
from hygate_app.api.routes import build_api
from hygate_app.api.security_headers import security_headers
from hygate_app.api.unknown_paths import unknown_paths
from hygate_app.components import app_wraps
from hygate_app.config import get_settings
from hygate_app.pages.admin.audit import audit_entry_page, audit_page
from hygate_app.pages.admin.dashboard import dashboard_page
from hygate_app.pages.admin.devices import device_page, devices_page
from hygate_app.pages.admin.doors import door_page, doors_page
from hygate_app.pages.admin.locations import locations_page
from hygate_app.pages.admin.payments import payment_detail_page, payments_page
from hygate_app.pages.admin.reports import reports_page
from hygate_app.pages.admin.sessions import session_detail_page, sessions_page
from hygate_app.pages.auth.sign_in import login_page, verify_page
from hygate_app.pages.guest.access import access_page
from hygate_app.pages.guest.not_found import not_found_page
from hygate_app.pages.guest.pay_door import pay_door_page
from hygate_app.pages.guest.session import session_page
from hygate_app.pages.guest.use_device import use_device_page
from hygate_app.pages.staff.account import account_page
from hygate_app.pages.staff.api_keys import api_keys_page
from hygate_app.pages.staff.branding import branding_page
from hygate_app.pages.staff.integrations import integrations_page
from hygate_app.pages.staff.privacy import privacy_page
from hygate_app.pages.staff.team import invite_page, security_page, team_page
from hygate_app.states.account import AccountState
from hygate_app.states.api_keys import ApiKeysState
from hygate_app.states.audit import AuditEntryState, AuditLogState
from hygate_app.states.branding import BrandingState
from hygate_app.states.dashboard import DashboardState
from hygate_app.states.devices import DeviceDetailState, DevicesState
from hygate_app.states.doors import DoorDetailState, DoorsState
from hygate_app.states.guest_access import AccessState
from hygate_app.states.guest_branding import GuestBrandState
from hygate_app.states.guest_device import UseState
from hygate_app.states.guest_door import PayDoorState
from hygate_app.states.guest_push import listen_for_guest_updates
from hygate_app.states.guest_session import SessionState
from hygate_app.states.guest_text import GuestTextState
from hygate_app.states.integrations import IntegrationsState
from hygate_app.states.locations import LocationsState
from hygate_app.states.payments import PaymentDetailState, PaymentsState
from hygate_app.states.privacy import PrivacyState
from hygate_app.states.reports import ReportsState
from hygate_app.states.sessions import SessionDetailState, SessionsState
from hygate_app.states.sign_in_pages import LoginState, VerifyState
from hygate_app.states.team import InviteState, SecuritySettingsState, TeamState

app = rx.App(
    # Staff pages are English; on guest pages the language menu sets <html lang> to the guest's language.
    html_lang="en",
    stylesheets=["/staff.css", "/guest.css"],
    api_transformer=[build_api(get_settings()), close_after_refusal, unknown_paths, security_headers],
    head_components=[
        rx.el.meta(name="theme-color", content="#0b6bcb"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
)
app_wraps.install(app)
# Guests
# The guest's language and the workspace's branding first, then the page's own data.
GUEST_FIRST = [GuestTextState.choose_language, GuestBrandState.load]
app.add_page(use_device_page, route="/use/[uid]", title="Pay and start | Hygate",
             on_load=[*GUEST_FIRST, UseState.load])
app.add_page(session_page, route="/session/[token]", title="Your session | Hygate",
             on_load=[*GUEST_FIRST, SessionState.load])
app.add_page(pay_door_page, route="/pay/[uid]", title="Door access | Hygate",
             on_load=[*GUEST_FIRST, PayDoorState.load])
app.add_page(access_page, route="/access/[token]", title="Your access | Hygate",
             on_load=[*GUEST_FIRST, AccessState.load])
# Staff
app.add_page(login_page, route="/login", title="Sign in | Hygate", on_load=LoginState.load)
app.add_page(verify_page, route="/login/verify", title="Verify | Hygate", on_load=VerifyState.load)
app.add_page(invite_page, route="/invite/[token]", title="Join | Hygate", on_load=InviteState.load)
app.add_page(dashboard_page, route="/admin", title="Dashboard | Hygate", on_load=DashboardState.load)
app.add_page(locations_page, route="/admin/locations", title="Locations | Hygate", on_load=LocationsState.load)
app.add_page(doors_page, route="/admin/doors", title="Doors | Hygate", on_load=DoorsState.load)
app.add_page(door_page, route="/admin/doors/[id]", title="Door | Hygate", on_load=DoorDetailState.load)
app.add_page(devices_page, route="/admin/devices", title="Devices | Hygate", on_load=DevicesState.load)
app.add_page(device_page, route="/admin/devices/[id]", title="Device | Hygate", on_load=DeviceDetailState.load)
app.add_page(payments_page, route="/admin/payments", title="Payments | Hygate", on_load=PaymentsState.load)
app.add_page(payment_detail_page, route="/admin/payments/[id]", title="Payment | Hygate",
             on_load=PaymentDetailState.load)
app.add_page(sessions_page, route="/admin/sessions", title="Sessions | Hygate", on_load=SessionsState.load)
app.add_page(session_detail_page, route="/admin/sessions/device/[id]", title="Session | Hygate",
             on_load=SessionDetailState.load)
app.add_page(session_detail_page, route="/admin/sessions/door/[id]", title="Door access | Hygate",
             on_load=SessionDetailState.load)
app.add_page(reports_page, route="/admin/reports", title="Reports | Hygate", on_load=ReportsState.load)
app.add_page(audit_page, route="/admin/audit", title="Audit Logs | Hygate", on_load=AuditLogState.load)
app.add_page(audit_entry_page, route="/admin/audit/[entry]", title="Audit entry | Hygate", on_load=AuditEntryState.load)
app.add_page(account_page, route="/account", title="Account | Hygate", on_load=AccountState.load)
app.add_page(team_page, route="/settings/team", title="Team | Hygate", on_load=TeamState.load)
app.add_page(security_page, route="/settings/security", title="Security | Hygate", on_load=SecuritySettingsState.load)
app.add_page(integrations_page, route="/settings/integrations", title="Integrations | Hygate",
             on_load=IntegrationsState.load)
app.add_page(branding_page, route="/settings/branding", title="Branding | Hygate", on_load=BrandingState.load)
app.add_page(api_keys_page, route="/settings/api-keys", title="API keys | Hygate", on_load=ApiKeysState.load)
app.add_page(privacy_page, route="/settings/privacy", title="Privacy | Hygate", on_load=PrivacyState.load)
app.add_page(not_found_page, route="404", title="Not found | Hygate", on_load=GUEST_FIRST)
# Guests arrive by QR code and staff at /login: the bare address (where `/use/..` also leads) was a blank page.
app.add_page(not_found_page, route="/", title="Hygate", on_load=GUEST_FIRST)
app.register_lifespan_task(listen_for_guest_updates)
