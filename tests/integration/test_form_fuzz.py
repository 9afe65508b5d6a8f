"""Whatever a browser sends into a form reaches a service as text: every service a guest or staff form calls must
answer any text with a result or a domain error (a message for the page), never another exception.

Run against PostgreSQL, which refuses what SQLite stores (NUL in text, integers past 32 bits), with the simulators
behind the integrations the forms reach.
"""

from __future__ import annotations

import traceback
import uuid

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from hygate_app import providers
from hygate_app.config import get_settings
from hygate_app.models import Role, UsagePlan
from hygate_app.services import (
    account,
    api_keys,
    audit,
    audit_log_view,
    authz,
    branding,
    catalogue,
    catalogue_admin,
    checkout,
    device_sync,
    door_sync,
    guest_access,
    guest_sessions,
    history_filters,
    integration_settings,
    locations,
    passwords,
    payment_history,
    report_view,
    reports,
    session_history,
    sign_in,
    team,
)
from hygate_app.services.demo import seed_demo
from hygate_app.services.errors import DomainError
from hygate_app.services.ids import row_id
from hygate_app.services.paging import PageRequest
from tests.support.catalogue import new_device
from tests.support.doors import add_lock, new_door
from tests.support.fuzz import FUZZ, FUZZ_SLOW, NASTY, field, junk, numbers
from tests.support.staff import new_staff, session_token
from tests.support.staff_http import forget_sign_in_budgets
from tests.support.workspace_settings import forget_workspace_settings

ids = st.one_of(numbers, junk)


def outcome(pg, call):
    """The service's result, or the domain error it raised (after which the transaction is rolled back)."""
    try:
        return call()
    except DomainError as error:
        pg.rollback()
        assert str(error), "a domain error is shown to the user, so it needs a message"
        return error
    except Exception as error:
        pg.rollback()
        ours = [f for f in traceback.extract_tb(error.__traceback__) if "/hygate_app/" in f.filename]
        where = f" in {ours[-1].name} ({ours[-1].filename.rsplit('/', 2)[-1]}:{ours[-1].lineno})" if ours else ""
        raise AssertionError(f"{type(error).__name__}{where}: {str(error)[:200]}") from error


@pytest.fixture(scope="module")
def world(stack):
    """An administrator who signed in, with a location, device and door of their own (the examples change them; the
    demo's stay as other tests expect them), and a Shelly device and a lock in the simulators to import."""
    from hygate_app.db import session_scope

    with session_scope() as db:
        seed_demo(db)
        admin = new_staff(db, Role.admin)
        who = authz.principal_for(db, session_token(db, admin))
        actor = audit.Actor("user", str(who.user_id), "203.0.113.9", "fuzz")
        location = locations.create_location(db, actor, f"Fuzz {uuid.uuid4().hex[:8]}", "Europe/Berlin")
        device = new_device(db, stack.shelly)
        door = new_door(db, add_lock(get_settings().ttlock_base))
        plan = db.exec(select(UsagePlan).where(UsagePlan.device_id == device.id)).first()
        spare_device = f"shelly-fuzz-{uuid.uuid4().hex[:8]}"
        httpx.post(f"{stack.shelly}/_sim/devices", json={"id": spare_device, "name": "Spare"},
                   timeout=5).raise_for_status()
        spare_lock = str(add_lock(get_settings().ttlock_base))
        return {"who": who, "actor": actor, "location": location.id, "device": device.id, "door": door.id,
                "plan": plan.id, "spare_device": spare_device, "spare_lock": spare_lock}


@pytest.fixture(autouse=True)
def fresh_workspace(pg):
    """Sign-in budgets unspent, integration settings and branding as the environment has them, before and after."""

    def forget():
        forget_sign_in_budgets()
        forget_workspace_settings(pg)
        providers.forget_clients()

    forget()
    yield
    forget()


# ---------------------------------------------------------------- guests


@FUZZ
@given(text=junk)
def test_guest_links_and_the_checkout_email_take_any_text(pg, world, text):
    for lookup in (catalogue.device_offer, catalogue.door_offer, guest_sessions.load_session_view,
                   guest_access.load_access_view, team.valid_invitation):
        outcome(pg, lambda lookup=lookup: lookup(pg, text))
    outcome(pg, lambda: checkout.clean_email(text))


# ---------------------------------------------------------------- sign-in and account


@FUZZ_SLOW
@given(email=junk, password=junk, kind=junk, code=junk, pending=junk)
def test_sign_in_steps_take_any_text(pg, world, email, password, kind, code, pending):
    client = sign_in.Client("203.0.113.7", "fuzz")
    args = (pg, providers.redis(), providers.throttle())
    started = outcome(pg, lambda: sign_in.start(*args, providers.mailer(), email=email, password=password,
                                                client=client))
    assert isinstance(started, sign_in.Refused | DomainError)
    completed = outcome(pg, lambda: sign_in.complete(*args, pending_token=pending, kind=kind, code=code,
                                                     trust_device=False, client=client))
    assert isinstance(completed, sign_in.Refused | DomainError)


@FUZZ_SLOW
@given(current=junk, new=junk, name=junk, token=junk)
def test_password_and_invitation_forms_take_any_text(pg, world, current, new, name, token):
    who, actor = world["who"], world["actor"]
    outcome(pg, lambda: passwords.check_new_password(new, email=who.email))
    # The current password is never right here, so nothing changes.
    assert isinstance(outcome(pg, lambda: account.change_password(pg, who, actor, current=current, new=new)),
                      DomainError)
    outcome(pg, lambda: account.disable_2fa(pg, who, actor, password=current))
    outcome(pg, lambda: team.accept(pg, providers.throttle(), token, actor, name=name, password=new))
    outcome(pg, lambda: team.normalise_email(name))


# ---------------------------------------------------------------- catalogue

prices, currencies = field("4.50", "0", "12,5", "10000"), field("eur", "EUR", " usd ", "jpy")
minutes = field("30", "1", "1440", "0")


@FUZZ
@given(name=field("Laundry", "Sauna"), timezone=field("Europe/Berlin", "UTC"), location=ids)
def test_location_forms_take_any_text(pg, world, name, timezone, location):
    actor = world["actor"]
    outcome(pg, lambda: locations.create_location(pg, actor, name, timezone))
    outcome(pg, lambda: locations.location_row(pg, row_id(location)))
    outcome(pg, lambda: locations.rename_location(pg, actor, world["location"], name))
    outcome(pg, lambda: locations.set_location_timezone(pg, actor, world["location"], timezone))


@FUZZ
@given(name=field("Front door"), price=prices, currency=currencies, minutes=minutes,
       mode=field("active", "maintenance", "passage"), location=ids, lock=junk, search=junk)
def test_door_forms_take_any_text(pg, world, name, price, currency, minutes, mode, location, lock, search):
    actor, door_id = world["actor"], world["door"]

    def save():
        return door_sync.save_door(pg, actor, providers.ttlock_client, door_id, name=name,
                                   location_id=row_id(location) or world["location"], mode=mode,
                                   price_minor=catalogue_admin.parse_price(price, currency), currency=currency,
                                   access_minutes=catalogue_admin.parse_whole(minutes, "The access time"))

    outcome(pg, save)
    outcome(pg, lambda: catalogue_admin.update_door(pg, actor, door_id, name=name))
    for lock_id in (lock, world["spare_lock"]):
        outcome(pg, lambda lock_id=lock_id: door_sync.import_door(pg, actor, providers.ttlock_client(), lock_id,
                                                                  world["location"], name, currency=currency))
    outcome(pg, lambda: catalogue_admin.list_doors(pg, row_id(location) or None, search))


@FUZZ
@given(name=field("Quick wash"), duration=minutes, delay=field("", "0", "5"), price=prices, currency=currencies,
       mode=field("active", "maintenance"), location=ids, search=junk)
def test_device_and_plan_forms_take_any_text(pg, world, name, duration, delay, price, currency, mode, location,
                                             search):
    actor = world["actor"]

    def plan_values():
        return {"name": name, "duration_minutes": catalogue_admin.parse_whole(duration, "The duration"),
                "delay_minutes": catalogue_admin.parse_whole(delay or "0", "The delayed start"),
                "price_minor": catalogue_admin.parse_price(price, currency), "currency": currency}

    outcome(pg, lambda: catalogue_admin.update_device(pg, actor, world["device"], name=name, mode=mode,
                                                      location_id=row_id(location) or world["location"]))
    outcome(pg, lambda: catalogue_admin.add_plan(pg, actor, world["device"], **plan_values()))
    outcome(pg, lambda: catalogue_admin.update_plan(pg, actor, world["plan"], **plan_values()))
    outcome(pg, lambda: catalogue_admin.update_plan(pg, actor, world["plan"], name=name))
    outcome(pg, lambda: catalogue_admin.list_devices(pg, row_id(location) or None, search))


@FUZZ_SLOW
@given(shelly_id=field("shelly-demo-washer"), name=field("Dryer"))
def test_the_device_import_takes_any_text(pg, world, shelly_id, name):
    """Few examples: every call asks Shelly Cloud (the simulator), at most once a second."""
    for device_id in (shelly_id, world["spare_device"]):
        outcome(pg, lambda device_id=device_id: device_sync.import_device(
            pg, world["actor"], providers.shelly_client(), device_id, world["location"], name))


# ---------------------------------------------------------------- settings


@FUZZ
@given(header=field("Hygate"), subtitle=field("Scan and pay"), footer=field(""), accent=field("#0b6bcb"))
def test_branding_form_takes_any_text(pg, world, header, subtitle, footer, accent):
    new = branding.Branding(header=header, subtitle=subtitle, footer=footer, accent_colour=accent)
    outcome(pg, lambda: branding.save(pg, new, world["actor"]))
    outcome(pg, lambda: branding.set_logo(pg, header.encode("utf-8", "surrogatepass"), footer, world["actor"]))


@FUZZ
@given(integration=st.one_of(st.sampled_from(["stripe", "shelly", "ttlock", "resend"]), junk),
       name=st.one_of(st.sampled_from(["secret_key", "webhook_secret", "server_url", "auth_key", "sender"]), junk),
       value=field("sk_test_123", "https://shelly-42-eu.shelly.cloud", "Hygate <hygate@example.com>"),
       key_name=field("Accounting export"))
def test_integration_and_api_key_forms_take_any_text(pg, world, integration, name, value, key_name):
    actor = world["actor"]
    outcome(pg, lambda: integration_settings.save(pg, integration, name, value, actor))
    outcome(pg, lambda: integration_settings.clear(pg, integration, name, actor))
    outcome(pg, lambda: api_keys.create_api_key(pg, actor, world["who"].user_id, key_name))
    outcome(pg, lambda: api_keys.authenticate_api_key(pg, key_name))


# ---------------------------------------------------------------- lists, filters and reports


def _payments(pg, params):
    filters = history_filters.payment_filters(params)
    payment_history.list_payments(pg, filters, history_filters.page_request(params, history_filters.PAYMENT_SORTS))
    list(payment_history.payments_csv(pg, filters))


def _sessions(pg, params):
    session_history.list_sessions(pg, history_filters.session_filters(params),
                                  history_filters.page_request(params, history_filters.SESSION_SORTS))


def _report(pg, params):
    query = report_view.parse_request(params).query
    reports.revenue_report(pg, query)
    reports.usage_report(pg, query)


def _audit(pg, params):
    audit_log_view.list_audit_rows(pg, audit_log_view.parse_filters(pg, params), PageRequest())


# Each list or report with the parameters it reads, and a valid value for each.
LISTS = {
    _payments: {"from": "2026-01-01", "to": "2026-12-31", "status": "paid", "location": "1", "device": "1",
                "door": "1", "q": "demo", "sort": "amount", "order": "asc", "page": "2"},
    _sessions: {"kind": "door", "active": "1", "status": "active", "location": "1", "device": "1", "door": "1",
                "from": "2026-01-01", "to": "2026-12-31", "sort": "amount", "page": "2"},
    _report: {"kind": "usage", "period": "month", "group": "device", "from": "2026-01-01", "to": "2026-12-31",
              "location": "1"},
    _audit: {"actor": "admin@example.com", "actor_type": "user", "action": "auth.", "target_type": "payment",
             "target_id": "1", "ip": "127.0.0.1", "from": "2026-01-01", "to": "2026-12-31"},
}


@FUZZ
@given(data=st.data())
def test_history_filters_and_reports_take_any_text(pg, world, data):
    for show, valid in LISTS.items():
        params = data.draw(st.fixed_dictionaries({key: field(value) for key, value in valid.items()}))
        outcome(pg, lambda show=show, params=params: show(pg, params))


# ---------------------------------------------------------------- every nasty value in every field


def _door_mode(pg, w, mode):
    return door_sync.save_door(pg, w["actor"], providers.ttlock_client, w["door"], name="Fuzz door",
                               location_id=w["location"], mode=mode, price_minor=200, currency="eur",
                               access_minutes=60)


def _setting(integration: str, name: str):
    def save_and_clear(pg, w, text):
        outcome(pg, lambda: integration_settings.save(pg, integration, name, text, w["actor"]))
        integration_settings.clear(pg, integration, name, w["actor"])
    return save_and_clear


# One field at a time, the others valid: what random combinations above may miss (a bad price needs a good
# currency beside it to reach the arithmetic).
FIELDS = {
    "device link": lambda pg, w, t: catalogue.device_offer(pg, t),
    "door link": lambda pg, w, t: catalogue.door_offer(pg, t),
    "session link": lambda pg, w, t: guest_sessions.load_session_view(pg, t),
    "access link": lambda pg, w, t: guest_access.load_access_view(pg, t),
    "invitation link": lambda pg, w, t: team.accept(pg, providers.throttle(), t, w["actor"], name="New",
                                                    password="a long new password"),
    "checkout e-mail": lambda pg, w, t: checkout.clean_email(t),
    "invited e-mail": lambda pg, w, t: team.normalise_email(t),
    "sign-in e-mail": lambda pg, w, t: sign_in.find_user(pg, t),
    "second-factor step": lambda pg, w, t: sign_in.complete(
        pg, providers.redis(), providers.throttle(), pending_token=t, kind=t, code=t, trust_device=True,
        client=sign_in.Client("203.0.113.8", t)),
    "new password": lambda pg, w, t: passwords.check_new_password(t, email=t),
    "audit details": lambda pg, w, t: audit.record(pg, "fuzz.typed", actor=w["actor"], details={t: t}),
    "location name": lambda pg, w, t: locations.create_location(pg, w["actor"], t, "Europe/Berlin"),
    "location rename": lambda pg, w, t: locations.rename_location(pg, w["actor"], w["location"], t),
    "time zone": lambda pg, w, t: locations.set_location_timezone(pg, w["actor"], w["location"], t),
    "door name": lambda pg, w, t: catalogue_admin.update_door(pg, w["actor"], w["door"], name=t),
    "door price": lambda pg, w, t: catalogue_admin.parse_price(t, "eur"),
    "door currency": lambda pg, w, t: catalogue_admin.update_door(
        pg, w["actor"], w["door"], currency=t, price_minor=catalogue_admin.parse_price("4.50", t)),
    "minutes": lambda pg, w, t: catalogue_admin.parse_whole(t, "The access time"),
    "door mode": _door_mode,
    "lock id": lambda pg, w, t: door_sync.import_door(pg, w["actor"], providers.ttlock_client(), t, w["location"],
                                                      "Fuzz door"),
    "device name": lambda pg, w, t: catalogue_admin.update_device(pg, w["actor"], w["device"], name=t),
    "device mode": lambda pg, w, t: catalogue_admin.update_device(pg, w["actor"], w["device"], mode=t),
    "plan name": lambda pg, w, t: catalogue_admin.update_plan(pg, w["actor"], w["plan"], name=t),
    "plan currency": lambda pg, w, t: catalogue_admin.update_plan(pg, w["actor"], w["plan"], currency=t),
    "device search": lambda pg, w, t: catalogue_admin.list_devices(pg, None, t),
    "door search": lambda pg, w, t: catalogue_admin.list_doors(pg, None, t),
    "branding header": lambda pg, w, t: branding.save(pg, branding.Branding(header=t), w["actor"]),
    "branding footer": lambda pg, w, t: branding.save(pg, branding.Branding(footer=t), w["actor"]),
    "accent colour": lambda pg, w, t: branding.save(pg, branding.Branding(accent_colour=t), w["actor"]),
    "logo file name": lambda pg, w, t: branding.set_logo(pg, t.encode("utf-8", "surrogatepass"), t, w["actor"]),
    "Stripe key": _setting("stripe", "secret_key"),
    "Shelly server": _setting("shelly", "server_url"),
    "mail sender": _setting("resend", "sender"),
    "API key name": lambda pg, w, t: api_keys.create_api_key(pg, w["actor"], w["who"].user_id, t),
    "API key": lambda pg, w, t: api_keys.authenticate_api_key(pg, t),
    "list and report filters": lambda pg, w, t: [
        outcome(pg, lambda show=show, params={**valid, key: t}: show(pg, params))
        for show, valid in LISTS.items() for key in valid],
}


@pytest.mark.parametrize("text", NASTY, ids=lambda text: repr(text)[:24])
def test_every_field_takes_every_nasty_value(pg, world, text):
    for name, call in FIELDS.items():
        try:
            outcome(pg, lambda call=call: call(pg, world, text))
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from error
