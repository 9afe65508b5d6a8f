"""The admin shell, the dashboard and locations in a browser: what an administrator does, and what an
operator can and cannot do."""

from __future__ import annotations

import uuid

from sqlmodel import select

from hygate_app.models import Location, Payment, PaymentKind, PaymentStatus, Role, TwoFactorMethod
from hygate_app.models.columns import utcnow
from hygate_app.services import catalogue
from tests.support.staff import new_staff
from tests.support.staff_browser import LAPTOP, nav_offers, open_module, signed_in


def paid_washer_payment(pg) -> tuple[str, Payment]:
    """A location with a device and one paid payment, as a webhook would leave it."""
    location = Location(name=f"Laundry {uuid.uuid4().hex[:6]}", timezone="Europe/Berlin")
    pg.add(location)
    pg.flush()
    device = catalogue.add_device(pg, location_id=location.id, name="Washer 7", shelly_device_id=uuid.uuid4().hex,
                                  plans=[catalogue.PlanSpec("Quick", 30, 450)])
    plan_id = catalogue.active_plans(pg, device.id)[0].id
    payment = Payment(guest_token=uuid.uuid4().hex, kind=PaymentKind.device, device_id=device.id,
                      usage_plan_id=plan_id, location_id=location.id, item_name="Washer 7 · Quick", amount_minor=450,
                      duration_minutes=30, delay_minutes=0,
                      currency="chf", status=PaymentStatus.paid, idempotency_key=uuid.uuid4().hex, paid_at=utcnow())
    pg.add(payment)
    pg.commit()
    return location.name, payment


def test_the_dashboard_shows_todays_payment_and_the_fleet(stack, pg, phone):
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    _, payment = paid_washer_payment(pg)
    signed_in(phone, stack.url, admin)
    revenue = phone.locator(".revenue-card", has_text="CHF")
    revenue.wait_for()
    assert "Today\n\nCHF4.50" in revenue.inner_text()
    phone.locator("#recent-payments", has_text="Washer 7 · Quick").wait_for()
    assert "online" in phone.locator("#fleet-devices").inner_text()
    assert phone.locator(".integration-badge").count() == 4

    # A second payment appears without reloading: the page refreshes itself.
    second = Payment(**{**payment.model_dump(exclude={"id"}), "guest_token": uuid.uuid4().hex,
                        "idempotency_key": uuid.uuid4().hex, "item_name": "Washer 7 · Again"})
    pg.add(second)
    pg.commit()
    phone.locator("#recent-payments", has_text="Washer 7 · Again").wait_for(timeout=40_000)


def test_admin_creates_renames_and_deletes_a_location(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    admin = new_staff(pg, Role.admin, TwoFactorMethod.email)
    occupied, _ = paid_washer_payment(pg)
    name = f"Car park {uuid.uuid4().hex[:6]}"
    signed_in(phone, stack.url, admin)
    open_module(phone, "nav-locations")
    phone.locator("#new-location-name").fill(name)
    phone.locator("#new-location-timezone").select_option("Europe/Paris")
    phone.locator("#create-location").click()
    phone.locator("#notice", has_text="Location created.").wait_for()
    phone.locator(".hygate-toast[data-type='success']", has_text="Location created.").wait_for()  # also a toast
    row = phone.locator(".location-row").filter(has=phone.locator(f"input[value='{name}']"))
    row.wait_for()
    assert pg.exec(select(Location).where(Location.name == name)).one().timezone == "Europe/Paris"

    phone.locator("#create-location").scroll_into_view_if_needed()
    phone.locator("#new-location-name").fill(name.upper())
    phone.locator("#create-location").click()
    phone.locator("#error").wait_for()  # names are unique whatever their case
    phone.locator(".hygate-toast[data-type='error']").wait_for()

    renamed = name + " North"
    row.get_by_label("Name").fill(renamed)
    row.get_by_role("button", name="Rename").click()
    phone.locator("#notice", has_text="Location renamed.").wait_for()
    pg.expire_all()
    assert pg.exec(select(Location).where(Location.name == renamed)).first() is not None

    busy = phone.locator(".location-row").filter(has=phone.locator(f"input[value='{occupied}']"))
    assert busy.get_by_role("button", name="Delete").is_disabled()

    empty = phone.locator(".location-row").filter(has=phone.locator(f"input[value='{renamed}']"))
    empty.get_by_role("button", name="Delete").click()
    phone.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    phone.locator("#notice", has_text="Location deleted.").wait_for()
    pg.expire_all()
    assert pg.exec(select(Location).where(Location.name == renamed)).first() is None


def test_operator_sees_the_dashboard_may_rename_but_not_create_or_delete(stack, pg, phone):
    phone.set_viewport_size(LAPTOP)
    operator = new_staff(pg, Role.operator, TwoFactorMethod.email)
    occupied, _ = paid_washer_payment(pg)
    signed_in(phone, stack.url, operator)
    phone.locator("#recent-payments").wait_for()
    assert not nav_offers(phone, "nav-team") and not nav_offers(phone, "nav-security")
    open_module(phone, "nav-locations")
    row = phone.locator(".location-row").filter(has=phone.locator(f"input[value='{occupied}']"))
    row.wait_for()
    assert phone.locator("#create-location").count() == 0
    assert row.get_by_role("button", name="Delete").count() == 0
    row.get_by_label("Name").fill(occupied + " B")
    row.get_by_role("button", name="Rename").click()
    phone.locator("#notice", has_text="Location renamed.").wait_for()
