"""The guest pages' languages: every catalogue translates every message the code uses, the browser's language is
honoured, and prices and times are written for the language, in the location's currency and on its clock."""

from __future__ import annotations

import re
import string
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hygate_app.components.browser import COUNTDOWN_MESSAGES
from hygate_app.models import DeviceSessionStatus, Refund, RefundStatus
from hygate_app.models.columns import utcnow
from hygate_app.services import checkout, device_sessions, refunds, session_recovery, translations
from hygate_app.services.device_sessions import GuestPhase
from hygate_app.services.errors import Conflict, InvalidInput
from hygate_app.services.guest_sessions import load_session_view
from hygate_app.services.local_time import local_clock_text, local_datetime_text, location_zone
from hygate_app.services.money import format_amount
from tests.support import records

APP = Path(translations.__file__).resolve().parent.parent
COUNTDOWN_JSX = APP.parent / "assets" / "countdown_circle.jsx"
OTHER_LANGUAGES = [code for code in translations.LANGUAGES if code != translations.DEFAULT_LANGUAGE]
# The names a message id is written in: t("id") and t_format("id", …) on pages, self._text("id") in states,
# gettext(language, "id") in services, and N_("id") where an id is kept for later.
KEYWORDS = {"t": (1,), "t_format": (1,), "_text": (1,), "gettext": (2,), "N_": (1,)}


def catalogue(language: str):
    with translations.catalogue_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def ids_in_code() -> set[str]:
    found = extract_from_dir(str(APP), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=())
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def ids_in_countdown() -> set[str]:
    """The countdown circle (browser code) asks for `countdown.<id>`: its literal ids and each phase's."""
    source = COUNTDOWN_JSX.read_text()
    literal = set(re.findall(r'say\("([a-z_]+)"\)', source))
    plurals = set(re.findall(r"say\(`([a-z_]+)\$\{plural\}`\)", source))
    assert plurals == {"minutes_left_"}
    return {f"countdown.{name}" for name in literal | {p.value for p in GuestPhase}} | {
        "countdown.minutes_left_one", "countdown.minutes_left_other"}


def test_the_source_catalogue_has_every_message_the_code_uses():
    source = set(translations.messages(translations.DEFAULT_LANGUAGE))
    used = ids_in_code()
    assert len(used) > 60  # the extraction really finds the pages' messages
    assert used - source == set()


def test_the_countdown_circle_asks_for_the_messages_listed_for_it():
    assert ids_in_countdown() == set(COUNTDOWN_MESSAGES)


def test_every_message_of_the_catalogues_is_used():
    """A message no page shows any more is dead weight sent to every guest's browser: remove it."""
    source = set(translations.messages(translations.DEFAULT_LANGUAGE))
    assert source - ids_in_code() == set()


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_catalogue_translates_every_message_with_the_same_placeholders(language):
    source = {m.id: m.string for m in catalogue(translations.DEFAULT_LANGUAGE) if m.id}
    translated = {m.id: m for m in catalogue(language) if m.id}
    assert sorted(set(source) - set(translated)) == []  # missing
    assert sorted(set(translated) - set(source)) == []  # obsolete
    for message_id, english in source.items():
        message = translated[message_id]
        assert message.string and not message.fuzzy, f"{language}: {message_id} is not translated"
        assert placeholders(message.string) == placeholders(english), f"{language}: {message_id}"


def test_the_source_catalogue_has_no_empty_message():
    assert [m.id for m in catalogue(translations.DEFAULT_LANGUAGE) if m.id and not m.string] == []


@pytest.mark.parametrize(("cookie", "header", "language"), [
    (None, "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de"),
    (None, "it-IT, es;q=0.5, fr;q=0.7", "fr"),  # Italian is not offered: the next best by weight
    (None, "pt-BR", "en"),
    (None, "", "en"),
    (None, "de;q=0, es", "es"),  # q=0 means "not this one"
    (None, "fr;q=garbage, es;q=0.4", "es"),
    ("es", "de-DE", "es"),  # the language menu's choice wins over the browser
    ("xx", "fr-CA", "fr"),  # a forged cookie is ignored
])
def test_the_language_is_the_guests_choice_else_the_browsers_else_english(cookie, header, language):
    assert translations.choose_language(cookie, header) == language


def test_a_message_is_filled_in_and_a_missing_one_falls_back_to_english():
    assert translations.gettext("de", "pay.pay_price", price="2,00 €") == "2,00 € bezahlen"
    assert translations.gettext("fr", "no.such.message") == "no.such.message"
    assert translations.messages("xx") == translations.messages("en")


@pytest.mark.parametrize(("language", "price"), [
    ("en", "€2.00"), ("de", "2,00\xa0€"), ("fr", "2,00\xa0€"), ("es", "2,00\xa0€"),
])
def test_prices_are_written_for_the_language(language, price):
    assert format_amount(200, "eur", language) == price


def test_the_currency_is_the_locations_whatever_the_language():
    assert format_amount(1250, "chf", "de") == "12,50\xa0CHF"
    assert format_amount(1250, "usd", "en") == "$12.50"
    assert format_amount(450, "jpy", "fr") == "450\xa0JPY"


@pytest.mark.parametrize(("language", "start", "end"), [
    ("en", "Sun, Mar 29, 2026, 01:30", "Sun, Mar 29, 2026, 03:30"),
    ("de", "So., 29. März 2026, 01:30", "So., 29. März 2026, 03:30"),
    ("fr", "dim. 29 mars 2026, 01:30", "dim. 29 mars 2026, 03:30"),
    ("es", "dom, 29 mar 2026, 1:30", "dom, 29 mar 2026, 3:30"),
])
def test_an_hour_across_the_spring_dst_change_reads_right_in_each_language(language, start, end):
    berlin = location_zone("Europe/Berlin")
    at = records.utc(2026, 3, 29, 0, 30)  # 01:30 CET; an hour later the clocks have jumped to 03:30 CEST
    assert local_datetime_text(at, berlin, language) == start
    assert local_datetime_text(at.replace(hour=1), berlin, language) == end


@pytest.mark.parametrize(("language", "ends", "amount", "refund"), [
    ("en", "02:20", "€4.50", "€4.50 has been refunded to your card."),
    ("de", "02:20", "4,50\xa0€", "4,50\xa0€ wurden Ihrer Karte gutgeschrieben."),
    ("es", "2:20", "4,50\xa0€", "Se han devuelto 4,50\xa0€ a tu tarjeta."),
])
def test_a_session_across_the_autumn_dst_change_ends_at_the_right_local_time(db, language, ends, amount, refund):
    """Paid at 02:50 CEST for 30 minutes, the night the clocks go back at 03:00: it ends at 02:20 CET, not 03:20."""
    location = records.new_location(db, timezone="Europe/Berlin")
    device, _ = records.new_device(db, location, minutes=30)
    payment = records.add_payment(db, device, paid_at=records.utc(2026, 10, 25, 0, 50))
    device_sessions.create_for_payment(db, payment)
    db.add(Refund(payment_id=payment.id, amount_minor=450, reason="test", idempotency_key=f"r-{payment.id}",
                  status=RefundStatus.succeeded))
    db.commit()
    view = load_session_view(db, payment.guest_token, language)
    assert (view.ends_at_text, view.amount, view.refund_text) == (ends, amount, refund)


def _interrupted_session(db, timezone: str):
    """A 30-minute session interrupted with 6 minutes unused, its free restart offered for 15 more minutes."""
    location = records.new_location(db, timezone=timezone)
    device, _ = records.new_device(db, location, minutes=30)
    payment = records.add_payment(db, device, paid_at=utcnow() - timedelta(minutes=24))
    session = device_sessions.create_for_payment(db, payment)
    session.status, session.unused_seconds = DeviceSessionStatus.interrupted, 360
    session.restart_until = utcnow() + timedelta(minutes=15)
    device.online = False
    db.commit()
    return payment, session


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_the_free_restart_offer_is_written_on_the_locations_clock_in_the_guests_language(db, language):
    payment, session = _interrupted_session(db, "Europe/Berlin")
    view = load_session_view(db, payment.guest_token, language)
    berlin, utc = location_zone("Europe/Berlin"), location_zone("UTC")
    assert view.restart_until == local_clock_text(session.restart_until, berlin, language)
    assert view.restart_until != local_clock_text(session.restart_until, utc, language)
    assert (view.restart_minutes, view.restart_refund) == (
        6, format_amount(refunds.pro_rata_minor(payment.amount_minor, 360, 30 * 60), payment.currency, language))


def test_a_refused_restart_names_its_message(db):
    """The device is still offline: the guest reads why in their language (the refusal queues nothing)."""
    payment, _ = _interrupted_session(db, "UTC")
    with pytest.raises(Conflict) as raised:
        session_recovery.restart(db, payment.guest_token, queue=None, updates=None)
    assert raised.value.message_id == "restart.offline"
    assert translations.gettext("de", raised.value.message_id).startswith("Das Gerät ist noch offline.")


def test_an_unknown_time_zone_reads_as_utc():
    assert local_clock_text(records.utc(2026, 3, 29, 0, 30), location_zone("Mars/Olympus"), "de") == "00:30"


def test_a_guest_facing_error_names_its_message():
    with pytest.raises(InvalidInput) as raised:
        checkout.clean_email("not-an-email")
    assert translations.gettext("de", raised.value.message_id) == (
        "Bitte geben Sie eine gültige E-Mail-Adresse ein oder lassen Sie das Feld leer.")
    assert translations.gettext("en", raised.value.message_id) == str(raised.value)
