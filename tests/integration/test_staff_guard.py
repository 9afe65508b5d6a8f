"""Every handler of every staff state refuses an anonymous caller, and an operator where the role table
says so. The handlers are found by walking Reflex's state tree, so a new handler is covered without
editing this test; a state that is not a StaffState must be listed as public on purpose."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from reflex.istate.data import RouterData
from reflex.state import State

import hygate_app.hygate_app  # noqa: F401  (registers every page's state)
from hygate_app.api import auth_cookies
from hygate_app.models import Role, TwoFactorMethod, User
from hygate_app.services import authz, login_sessions, passwords
from hygate_app.services.security_settings import SecuritySettings
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
from hygate_app.states.guest_session import SessionState
from hygate_app.states.guest_text import GuestTextState
from hygate_app.states.integrations import IntegrationsState
from hygate_app.states.locations import LocationAdminState, LocationsState
from hygate_app.states.payments import PaymentDetailState, PaymentsState
from hygate_app.states.privacy import PrivacyState
from hygate_app.states.reports import ReportsState
from hygate_app.states.sessions import SessionDetailState, SessionsState
from hygate_app.states.sign_in_pages import LoginState, VerifyState
from hygate_app.states.staff import GUARD_MARK, StaffState, refusal
from hygate_app.states.team import InviteState, SecuritySettingsState, TeamState

# Pages anyone may open: guests and the sign-in steps. Nothing else may hold handlers unguarded.
PUBLIC_STATES = {UseState, SessionState, PayDoorState, AccessState, GuestBrandState, GuestTextState, LoginState,
                 VerifyState, InviteState}
# Reflex's own handlers on every state; setvar only dispatches to set_<var> methods, which no staff state has.
# The module each staff state belongs to (PRODUCT.md's role table): every handler of the state must
# require it, so a handler guarded with a weaker capability than its page is caught here.
STATE_CAPABILITY = {
    AccountState: authz.Capability.account,
    TeamState: authz.Capability.team,
    SecuritySettingsState: authz.Capability.security_settings,
    DashboardState: authz.Capability.dashboard,
    LocationsState: authz.Capability.locations_rename,
    LocationAdminState: authz.Capability.locations_manage,
    DoorsState: authz.Capability.doors,
    DoorDetailState: authz.Capability.doors,
    DevicesState: authz.Capability.devices,
    DeviceDetailState: authz.Capability.devices,
    IntegrationsState: authz.Capability.integrations,
    BrandingState: authz.Capability.branding,
    ApiKeysState: authz.Capability.api_keys,
    PrivacyState: authz.Capability.privacy,
    PaymentsState: authz.Capability.payments,
    PaymentDetailState: authz.Capability.payments,
    SessionsState: authz.Capability.sessions,
    SessionDetailState: authz.Capability.sessions,
    ReportsState: authz.Capability.reports,
    AuditLogState: authz.Capability.audit_logs,
    AuditEntryState: authz.Capability.audit_logs,
}
FRAMEWORK_HANDLERS = {"setvar", "hydrate", "hydrate_and_load", "set_is_hydrated"}


def all_states(cls=State):
    for sub in cls.get_substates():
        if sub.__module__.startswith("hygate_app."):
            yield sub
        yield from all_states(sub)


def describe(events) -> list[tuple]:
    """An event spec as what the browser would do: which action, with which arguments (None: nothing)."""
    return [tuple((k._js_expr, v._js_expr) for k, v in e.args) for e in events if e is not None]


def own_handlers(cls):
    return {name: h for name, h in cls.event_handlers.items() if name not in FRAMEWORK_HANDLERS}


STAFF_HANDLERS = [
    (cls, name, handler)
    for cls in all_states() if issubclass(cls, StaffState)
    for name, handler in own_handlers(cls).items()
]


def test_every_state_with_handlers_is_staff_or_listed_as_public():
    stray = [cls.__name__ for cls in all_states()
             if own_handlers(cls) and not issubclass(cls, StaffState) and cls not in PUBLIC_STATES]
    assert stray == []
    assert len(STAFF_HANDLERS) >= 15


@pytest.mark.parametrize(("cls", "name", "handler"), STAFF_HANDLERS,
                         ids=[f"{c.__name__}.{n}" for c, n, _ in STAFF_HANDLERS])
def test_handler_is_guarded(cls, name, handler):
    assert cls in STATE_CAPABILITY, f"add {cls.__name__} to STATE_CAPABILITY with the module it belongs to"
    assert getattr(handler.fn, GUARD_MARK, None) == STATE_CAPABILITY[cls], f"{cls.__name__}.{name}: wrong or no guard"
    assert not any(hasattr(cls, f"set_{var}") for var in cls.base_vars), "a setter lets the browser write state"


def make_session(pg, role: Role) -> str:
    user = User(email=f"{role.value}-{uuid.uuid4().hex[:8]}@example.com", role=role,
                password_hash=passwords.hash_password("a long test password"),
                two_factor_method=TwoFactorMethod.email)
    pg.add(user)
    pg.flush()
    token = login_sessions.create(pg, user, SecuritySettings(), ip=None, user_agent=None)
    pg.commit()
    return token


def call(cls, handler, session_token: str | None, args: list | None = None):
    """Call the handler as the websocket would, with dummy arguments of the right kind; the events it gave and
    the state it left."""
    root = State(_reflex_internal_init=True)
    cookie = f"{auth_cookies.session_cookie()}={session_token}" if session_token else ""
    root.router = RouterData.from_router_data({"headers": {"cookie": cookie, "user-agent": "pytest"}, "ip": "1.2.3.4"})
    state = root.get_substate(cls.get_full_name().split("."))
    if args is None:
        args = [{} if p.annotation in (dict, "dict") else "1"
                for p in list(inspect.signature(handler.fn).parameters.values())[1:]]

    async def run():
        result = handler.fn(state, *args)
        if inspect.isasyncgen(result):
            return [item async for item in result]
        return [await result]

    # A thread of its own: Playwright's sync API may leave an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result(), state


@pytest.mark.parametrize(("cls", "name", "handler"), STAFF_HANDLERS,
                         ids=[f"{c.__name__}.{n}" for c, n, _ in STAFF_HANDLERS])
def test_anonymous_caller_is_sent_to_sign_in(cls, name, handler):
    sent_to_sign_in = describe([refusal(authz.NotSignedIn())])
    assert ("path", '"/login"') in sent_to_sign_in[0]
    assert describe(call(cls, handler, None)[0]) == sent_to_sign_in
    assert describe(call(cls, handler, "forged-session-id")[0]) == sent_to_sign_in


@pytest.mark.parametrize(("cls", "name", "handler"),
                         [h for h in STAFF_HANDLERS if getattr(h[2].fn, GUARD_MARK, None) not in authz.OPERATOR],
                         ids=lambda v: getattr(v, "__name__", "") if isinstance(v, type) else str(v)[:30])
def test_operator_is_refused_where_the_role_table_says_so(pg, cls, name, handler):
    """Nothing runs: the page shows why instead of its content, and a toast says it too."""
    token = make_session(pg, Role.operator)
    events, state = call(cls, handler, token)
    assert describe(events) == []
    assert state.access_denied == "Your role does not allow this."
    assert (state.toast_kind, state.toast_text) == ("error", "Your role does not allow this.")


def test_the_outcome_of_a_change_is_also_a_toast(pg):
    """Success and failure of `_run` are shown as a toast, each restarting its timer (the page keeps its
    callout too)."""
    token = make_session(pg, Role.admin)
    handler = LocationAdminState.event_handlers["create"]
    form = {"name": f"Toast {uuid.uuid4().hex[:6]}", "timezone": "UTC"}
    _, made = call(LocationAdminState, handler, token, [form])
    assert (made.toast_kind, made.toast_text, made.toast_seq) == ("success", "Location created.", 1)
    _, refused = call(LocationAdminState, handler, token, [form])  # the name is taken now
    assert refused.toast_kind == "error" and refused.toast_text == refused.error != ""
