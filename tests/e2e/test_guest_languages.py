"""Guests in their own language: a phone set to German, French or Spanish gets every word, price and time of the
guest pages in it (times on the location's clock, whatever the phone's), can switch language on the page, and
an unknown link is a 404 in the guest's language."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from hygate_app.config import get_settings
from hygate_app.models import DeviceSession, DoorAccess, Location, Payment
from hygate_app.services import translations
from hygate_app.services.local_time import local_clock_text, local_datetime_text, location_zone
from hygate_app.services.money import format_amount
from tests.support.catalogue import new_device
from tests.support.doors import add_lock, new_door
from tests.support.guest_browser import buy_first_plan

PRICE = 150  # new_device's plan: 1,50 €


def said(language: str, message_id: str, **params) -> str:
    return translations.gettext(language, message_id, **params)


def english_left_on(page, language: str) -> list[str]:
    """English messages showing on a page meant to be in `language` (those its translation does not share)."""
    shown = page.locator("body").inner_text()
    return [english for message_id, english in translations.messages("en").items()
            if "{" not in english and english != said(language, message_id) and english in shown]


def pay_on_the_checkout_page(page, then: str) -> None:
    """The simulated Stripe Checkout (Stripe's own page, in the browser's language, in production)."""
    page.wait_for_url(re.compile(r"/_sim/stripe/pay/"))
    page.locator("#pay").click()
    page.wait_for_url(re.compile(then))


def session_of(pg, page) -> tuple[DeviceSession, Location]:
    token = page.url.rsplit("/", 1)[-1]
    pg.expire_all()
    payment = pg.exec(select(Payment).where(Payment.guest_token == token)).one()
    return (pg.exec(select(DeviceSession).where(DeviceSession.payment_id == payment.id)).one(),
            pg.get(Location, payment.location_id))


def test_a_german_phone_pays_for_a_device_and_sees_every_word_price_and_time_in_german(stack, pg, phone_in):
    # The phone's own clock is Tokyo's: the times shown must still be the location's.
    phone = phone_in("de-DE", timezone_id="Asia/Tokyo")
    device = new_device(pg, stack.shelly, minutes=1, price=PRICE)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.locator("#device-name").wait_for()
    assert phone.evaluate("document.documentElement.lang") == "de"
    phone.wait_for_function("document.title === 'Bezahlen und starten | Hygate'")
    plan = phone.get_by_role("radio", name=re.compile("Quick test"))
    assert "1,50\xa0€" in plan.inner_text() and "1 Min." in plan.inner_text()
    phone.get_by_text("Wählen Sie Ihre Zeit").wait_for()
    phone.get_by_text("Code auf dem Aufkleber:").wait_for()
    phone.get_by_text("Sichere Zahlung über Stripe").wait_for()
    assert phone.get_by_role("radiogroup", name="Tarife").count() == 1
    assert phone.locator("#language-menu").input_value() == "de"
    assert english_left_on(phone, "de") == []

    # A wrong e-mail is told in German (the service's error, by its message id).
    plan.click()
    phone.get_by_label("E-Mail für eine Quittung (optional)").fill("keine-adresse")
    phone.get_by_role("button", name="Bezahlen und starten").click()
    assert phone.locator("#form-error").inner_text() == said("de", "error.email_invalid")

    phone.get_by_label("E-Mail für eine Quittung (optional)").fill("")
    phone.get_by_role("button", name="Bezahlen und starten").click()
    pay_on_the_checkout_page(phone, "/session/")
    phone.locator(".countdown[data-phase=running], .countdown[data-phase=finishing]").wait_for()
    assert phone.locator(".countdown-label").inner_text() in ("Verbleibende Zeit", "Endet bald – verbleibende Zeit")
    assert phone.locator("#status-text").inner_text() == "Ihr Gerät ist eingeschaltet."
    assert phone.locator("#amount").inner_text() == format_amount(PRICE, "eur", "de") == "1,50\xa0€"
    session, location = session_of(pg, phone)
    ends = local_clock_text(session.ends_at, location_zone(location.timezone), "de")
    assert phone.locator("#ends-at").inner_text() == ends
    phone.get_by_text("Endet um").wait_for()
    phone.wait_for_function("document.title === 'Ihre Sitzung | Hygate'")
    assert english_left_on(phone, "de") == []

    phone.locator("#countdown[data-status=complete]").wait_for(timeout=100_000)
    assert phone.locator("#status-text").inner_text() == "Ihre Sitzung ist beendet. Vielen Dank!"
    assert phone.locator(".countdown-time").inner_text() == "Fertig"
    assert phone.locator(".countdown-label").inner_text() == "Beendet"
    assert english_left_on(phone, "de") == []

    # The receipt speaks German too: every label, the amount and the date on the location's clock.
    payment = pg.get(Payment, session.payment_id)
    with phone.context.expect_page() as opened:
        phone.locator("#receipt-page").click()
    receipt = opened.value
    receipt.locator("#receipt").wait_for()
    assert receipt.evaluate("document.documentElement.lang") == "de"
    assert " ".join(receipt.locator("#receipt-number").inner_text().split()).startswith("Belegnummer HY-")
    facts = " ".join(receipt.locator("#facts").inner_text().split())
    paid_at = local_datetime_text(payment.paid_at, location_zone(location.timezone), "de")
    for expected in (f"Datum {paid_at}", f"Ortszeit ({location.timezone})", f"Leistung {device.name}",
                     f"Standort {location.name}", "Zahlungsreferenz"):
        assert expected in facts, expected
    assert " ".join(receipt.locator("#amounts").inner_text().split()) == "Bezahlter Betrag 1,50 €"
    assert receipt.get_by_role("button", name="Drucken").count() == 1
    assert receipt.get_by_role("link", name="PDF herunterladen").count() == 1
    for english in ("Receipt", "Amount paid", "Date", "Print", "Download PDF"):
        assert english not in receipt.locator("body").inner_text(), english
    receipt.close()


@pytest.mark.parametrize(("locale", "language", "pay", "time_left"), [
    ("fr-FR", "fr", "Payer et démarrer", "Temps restant"),
    ("es-ES", "es", "Pagar e iniciar", "Tiempo restante"),
])
def test_french_and_spanish_phones_pay_and_watch_their_session_in_their_language(stack, pg, phone_in, locale,
                                                                                language, pay, time_left):
    phone = phone_in(locale)
    device = new_device(pg, stack.shelly, minutes=2, price=PRICE)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.get_by_role("button", name=pay).wait_for()
    assert phone.evaluate("document.documentElement.lang") == language
    assert "1,50\xa0€" in phone.get_by_role("radio", name=re.compile("Quick test")).inner_text()
    assert english_left_on(phone, language) == []

    buy_first_plan(phone, stack, device)
    phone.locator(".countdown[data-phase=running]").wait_for()
    assert phone.locator(".countdown-label").inner_text() == time_left
    assert phone.locator("#status-text").inner_text() == said(language, "session.status.active")
    assert phone.locator("#amount").inner_text() == "1,50\xa0€"
    session, location = session_of(pg, phone)
    assert phone.locator("#ends-at").inner_text() == local_clock_text(session.ends_at, location_zone(location.timezone),
                                                                      language)
    assert english_left_on(phone, language) == []


def test_the_language_menu_switches_the_page_and_the_choice_is_remembered(stack, pg, phone):
    device = new_device(pg, stack.shelly)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.get_by_role("button", name="Pay and start").wait_for()
    assert phone.evaluate("document.documentElement.lang") == "en"

    phone.get_by_label("Language").select_option("es")
    phone.get_by_role("button", name="Pagar e iniciar").wait_for()
    assert phone.evaluate("document.documentElement.lang") == "es"
    assert phone.get_by_label("Idioma").input_value() == "es"

    # Another guest page, in a new tab, on this English phone: still Spanish.
    other = phone.context.new_page()
    other.goto(f"{stack.url}/no/such/page")
    other.get_by_text(said("es", "not_found.page")).wait_for()
    other.get_by_label("Idioma").select_option("en")
    other.get_by_text(said("en", "not_found.page")).wait_for()


@pytest.mark.parametrize(("locale", "language"), [("de-DE", "de"), ("fr-FR", "fr"), ("es-ES", "es")])
def test_unknown_links_give_the_not_found_page_in_the_guests_language_without_detail(stack, phone_in, locale,
                                                                                     language):
    phone = phone_in(locale)
    for path, message_id in (("/use/no-such-device", "not_found.device"), ("/pay/no-such-door", "not_found.door"),
                             ("/session/no-such-session", "not_found.session"),
                             ("/access/no-such-access", "not_found.access"), ("/no/such/page", "not_found.page")):
        phone.goto(f"{stack.url}{path}")
        card = phone.locator("#not-found")
        card.get_by_text(said(language, message_id)).wait_for()
        assert said(language, "not_found.title") in card.inner_text()
        page_text = phone.locator("body").inner_text()
        assert "no-such" not in page_text and "Traceback" not in page_text
        assert english_left_on(phone, language) == []


def test_a_german_phone_at_a_door_gets_its_code_with_the_window_in_german_on_the_locations_clock(stack, pg,
                                                                                               phone_in):
    phone = phone_in("de-DE", timezone_id="America/New_York")
    door = new_door(pg, add_lock(get_settings().ttlock_base), minutes=30)
    phone.goto(f"{stack.url}/pay/{door.uid}")
    assert phone.locator("#price").inner_text() == "2,00\xa0€"
    assert phone.locator("#access-minutes").inner_text() == "30 Min."
    phone.get_by_role("button", name="2,00\xa0€ bezahlen").click()
    pay_on_the_checkout_page(phone, "/access/")
    phone.locator("#access-status[data-status=ready]").wait_for(timeout=40_000)

    token = phone.url.rsplit("/", 1)[-1]
    pg.expire_all()
    payment = pg.exec(select(Payment).where(Payment.guest_token == token)).one()
    access = pg.exec(select(DoorAccess).where(DoorAccess.payment_id == payment.id)).one()
    zone = location_zone(pg.get(Location, payment.location_id).timezone)
    assert phone.locator("#valid-from").inner_text() == local_datetime_text(access.valid_from, zone, "de")
    assert phone.locator("#valid-until").inner_text() == local_datetime_text(access.valid_until, zone, "de")
    assert f"Ortszeit ({zone.key})" in phone.locator("#validity").inner_text()
    assert phone.locator("#status-text").inner_text() == "Ihr Zugang ist bereit."
    phone.get_by_role("button", name="Code kopieren").wait_for()
    assert english_left_on(phone, "de") == []



def test_a_lost_connection_is_told_in_the_guests_language_without_the_servers_address(stack, pg, phone_in):
    phone = phone_in("fr-FR")
    device = new_device(pg, stack.shelly)
    phone.goto(f"{stack.url}/use/{device.uid}")
    phone.get_by_role("button", name="Payer et démarrer").wait_for()
    stack.stop("web")
    try:
        notice = phone.locator("#connection-lost")
        notice.wait_for(timeout=30_000)
        assert notice.inner_text() == "Connexion perdue. Reconnexion…"
        assert "127.0.0.1" not in phone.locator("body").inner_text()
    finally:
        stack.start_web()
    notice.wait_for(state="detached", timeout=60_000)
