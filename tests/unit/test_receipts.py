"""Receipts: the VAT arithmetic, the seller's settings, what a receipt states (refunds, no VAT, the location's clock),
and what its PDF and printable page say."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlmodel import select

from hygate_app.models import AuditLog, PaymentStatus, Refund, RefundStatus
from hygate_app.services import audit, branding, receipt_mail, receipt_page, receipt_pdf, receipt_settings, receipts
from hygate_app.services.branding import Branding
from hygate_app.services.errors import InvalidInput, NotFound
from hygate_app.services.receipt_settings import ReceiptSettings
from tests.support.pdf import page_texts, reader
from tests.support.records import add_payment, new_device, new_door, new_location, utc

ACTOR = audit.Actor("user", "1", "203.0.113.5", "pytest")
SELLER = ReceiptSettings(legal_name="Wasch & Co GmbH", address="Hauptstrasse 1\n10115 Berlin",
                         tax_id="DE123456789", vat_rate="19")


def flat(text: str) -> str:
    return " ".join(text.split())


# ---- VAT arithmetic ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("gross", "rate", "vat"), [
    (450, "19", 72),      # 71.85 → 72
    (119, "19", 19),      # exact
    (1077, "7.7", 77),    # exact with a decimal rate
    (3, "20", 1),         # 0.5 → 1: half-up, where half-even would give 0
    (9, "20", 2),         # 1.5 → 2
    (2, "20", 0),         # 0.33 → 0
    (1000, "8.1", 75),    # 74.93 → 75
    (0, "19", 0),
])
def test_included_vat_is_gross_times_rate_over_100_plus_rate_rounded_half_up(gross, rate, vat):
    assert receipts.included_vat(gross, Decimal(rate)) == vat


@given(gross=st.integers(min_value=0, max_value=10**9),
       rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2))
def test_included_vat_is_the_nearest_minor_unit_and_never_more_than_the_gross(gross, rate):
    vat = receipts.included_vat(gross, rate)
    exact = Fraction(gross) * Fraction(rate) / (100 + Fraction(rate))
    assert 0 <= vat <= gross
    assert -Fraction(1, 2) < vat - exact <= Fraction(1, 2)  # the nearest; a half goes up


# ---- the seller's settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("entered", "stored"), [("19", "19"), ("7,7", "7.7"), ("8.10 %", "8.1"), (" 5.5% ", "5.5"),
                                                 ("20.00", "20"), ("0.5", "0.5"), ("", ""), ("  ", "")])
def test_a_vat_rate_is_stored_normalised(entered, stored):
    assert receipt_settings.clean_rate(entered) == stored


@pytest.mark.parametrize("entered", ["0", "0.00", "100", "-5", "7.777", "1e1", "abc", "19 percent", "NaN"])
def test_a_vat_rate_outside_0_to_100_or_not_a_number_is_refused(entered):
    with pytest.raises(InvalidInput, match="VAT rate"):
        receipt_settings.clean_rate(entered)


def test_receipt_settings_are_cleaned_saved_audited_once_and_loaded_back(db):
    saved = receipt_settings.save(db, ReceiptSettings(legal_name="  Wasch  GmbH ", address=" Line 1 \n\n Line 2\n",
                                                      tax_id=" DE 123/456-7.8 ", vat_rate="7,7"), ACTOR)
    db.commit()
    assert saved == ReceiptSettings("Wasch GmbH", "Line 1\nLine 2", "DE 123/456-7.8", "7.7")
    assert receipt_settings.load(db) == saved and saved.address_lines == ("Line 1", "Line 2")
    assert saved.vat_percent == Decimal("7.7")
    receipt_settings.save(db, saved, ACTOR)  # unchanged: nothing written
    rows = db.exec(select(AuditLog).where(AuditLog.action == "settings.receipts_changed")).all()
    assert len(rows) == 1 and '"vat_rate":["","7.7"]' in rows[0].details


@pytest.mark.parametrize(("settings", "message"), [
    (ReceiptSettings(legal_name="x" * 121), "at most 120"),
    (ReceiptSettings(address="1\n2\n3\n4"), "at most 3"),
    (ReceiptSettings(address="x" * 121), "at most 120"),
    (ReceiptSettings(tax_id="DE<123>"), "VAT number"),
    (ReceiptSettings(tax_id="x" * 41), "at most 40"),
    (ReceiptSettings(legal_name="Wasch\x07"), "control"),
    (ReceiptSettings(vat_rate="120"), "VAT rate"),
])
def test_invalid_receipt_settings_are_refused_and_nothing_is_saved(db, settings, message):
    with pytest.raises(InvalidInput, match=message):
        receipt_settings.save(db, settings, ACTOR)
    assert receipt_settings.load(db) == ReceiptSettings()


def test_vat_applies_only_with_both_a_rate_and_a_vat_number():
    assert ReceiptSettings(vat_rate="19").vat_percent is None
    assert ReceiptSettings(tax_id="DE123456789").vat_percent is None
    assert ReceiptSettings(vat_rate="19", tax_id="DE123456789").vat_percent == Decimal("19")


# ---- what a receipt states -----------------------------------------------------------------------------------


@pytest.fixture
def berlin(db):
    return new_location(db, "Europe/Berlin", name="Waschsalon Mitte")


def test_a_paid_device_receipt_states_the_seller_item_location_local_time_amount_vat_and_reference(db, berlin):
    receipt_settings.save(db, SELLER, ACTOR)
    device, _ = new_device(db, berlin, name="Washer 7", minutes=45)
    payment = add_payment(db, device, amount=450, intent_id="pi_3Nabc", paid_at=utc(2026, 7, 1, 10, 5))
    receipt = receipts.load_receipt(db, payment.guest_token)
    assert receipt.number == f"HY-2026-{payment.id:06d}"
    assert (receipt.seller, receipt.seller_address, receipt.tax_id) == (
        "Wasch & Co GmbH", ("Hauptstrasse 1", "10115 Berlin"), "DE123456789")
    assert receipt.item == "Washer 7 · Standard, 45 min"
    assert receipt.location == "Waschsalon Mitte"
    assert (receipt.paid_at, receipt.time_zone) == ("Wed, Jul 1, 2026, 12:05", "Europe/Berlin")  # CEST, UTC+2
    assert receipt.reference == "pi_3Nabc"
    assert receipt.amounts() == [("Amount paid", "€4.50", "total"), ("incl. VAT 19%", "€0.72", "vat")]
    assert receipt.guest_page == f"/session/{payment.guest_token}"


def test_the_receipt_number_and_date_follow_the_locations_clock_across_new_year(db, berlin):
    device, _ = new_device(db, berlin)
    payment = add_payment(db, device, paid_at=utc(2026, 12, 31, 23, 30))  # 00:30 on 1 January in Berlin
    receipt = receipts.load_receipt(db, payment.guest_token)
    assert receipt.number == f"HY-2027-{payment.id:06d}"
    assert receipt.paid_at == "Fri, Jan 1, 2027, 00:30"
    utc_place = new_location(db, "UTC")
    other = add_payment(db, new_device(db, utc_place)[0], paid_at=utc(2026, 12, 31, 23, 30))
    assert receipts.load_receipt(db, other.guest_token).number.startswith("HY-2026-")


def test_without_a_vat_number_there_is_no_vat_line_and_the_branding_header_is_the_seller(db, berlin):
    receipt_settings.save(db, ReceiptSettings(vat_rate="19"), ACTOR)
    branding.save(db, Branding(header="Laundry Corner"), ACTOR)
    payment = add_payment(db, new_device(db, berlin)[0], amount=450)
    receipt = receipts.load_receipt(db, payment.guest_token)
    assert receipt.vat_rate == "" and receipt.seller == "Laundry Corner" and receipt.tax_id == ""
    assert [role for _, _, role in receipt.amounts()] == ["total"]
    texts = flat(page_texts(receipt_pdf.render(receipt, branding.load(db)))[0])
    assert "VAT" not in texts


def test_refunds_show_on_the_receipt_and_the_vat_is_that_of_what_was_finally_paid(db, berlin):
    receipt_settings.save(db, SELLER, ACTOR)
    payment = add_payment(db, new_device(db, berlin)[0], amount=1000, refunded=400,
                          status=PaymentStatus.partially_refunded, intent_id="pi_refunded")
    db.add(Refund(payment_id=payment.id, amount_minor=400, reason="unused minutes", idempotency_key="r1",
                  status=RefundStatus.succeeded))
    db.add(Refund(payment_id=payment.id, amount_minor=100, reason="goodwill", idempotency_key="r2"))
    db.flush()
    receipt = receipts.load_receipt(db, payment.guest_token)
    assert receipt.amounts() == [
        ("Amount paid", "€10.00", "line"), ("Refunded", "−€4.00", "line"), ("Refund in progress", "€1.00", "line"),
        ("Total", "€6.00", "total"), ("incl. VAT 19%", "€0.96", "vat"),  # 600 × 19 / 119 = 95.8
    ]


def test_a_fully_refunded_payment_still_has_its_receipt_with_a_zero_total(db, berlin):
    receipt_settings.save(db, SELLER, ACTOR)
    payment = add_payment(db, new_device(db, berlin)[0], amount=450, refunded=450, status=PaymentStatus.refunded)
    receipt = receipts.load_receipt(db, payment.guest_token)
    assert ("Total", "€0.00", "total") in receipt.amounts() and receipt.vat_minor == 0


def test_a_door_receipt_names_the_door_access_and_falls_back_to_our_payment_id(db, berlin):
    door = new_door(db, berlin, name="Gym entrance")
    payment = add_payment(db, door, amount=200)
    payment.duration_minutes = 60
    receipt = receipts.load_receipt(db, payment.guest_token)
    assert receipt.item == "Gym entrance, door access 60 min"
    assert receipt.reference == f"Hygate payment {payment.id}"
    assert receipt.guest_page == f"/access/{payment.guest_token}"


@pytest.mark.parametrize("status", [PaymentStatus.pending, PaymentStatus.expired, PaymentStatus.failed])
def test_an_unpaid_payment_has_no_receipt_and_says_so_as_an_unknown_token_does(db, berlin, status):
    payment = add_payment(db, new_device(db, berlin)[0], status=status)
    with pytest.raises(NotFound) as unpaid:
        receipts.load_receipt(db, payment.guest_token)
    with pytest.raises(NotFound) as unknown:
        receipts.load_receipt(db, "no-such-token")
    with pytest.raises(NotFound):
        receipts.load_receipt(db, "")
    assert str(unpaid.value) == str(unknown.value)


# ---- the PDF, the printable page, the e-mail text -------------------------------------------------------------


def test_the_pdf_states_every_fact_of_the_receipt_and_the_same_receipt_gives_the_same_bytes(db, berlin):
    receipt_settings.save(db, SELLER, ACTOR)
    branding.save(db, Branding(header="Laundry Corner", footer="Questions? +49 30 1234567"), ACTOR)
    payment = add_payment(db, new_device(db, berlin, name="Trockner Zürich")[0], amount=450, intent_id="pi_pdf",
                          paid_at=utc(2026, 3, 29, 1, 30))  # 03:30 CEST, just after the clocks went forward
    receipt = receipts.load_receipt(db, payment.guest_token)
    data = receipt_pdf.render(receipt, branding.load(db))
    [text] = [flat(t) for t in page_texts(data)]
    for expected in ("Laundry Corner", "Receipt", f"Receipt number HY-2026-{payment.id:06d}", "Wasch & Co GmbH",
                     "Hauptstrasse 1", "10115 Berlin", "VAT number: DE123456789", "Date Sun, Mar 29, 2026, 03:30",
                     "Local time (Europe/Berlin)", "Item Trockner Zürich · Standard, 30 min",
                     "Location Waschsalon Mitte", "Payment reference pi_pdf", "Amount paid €4.50",
                     "incl. VAT 19% €0.72", "Questions? +49 30 1234567"):
        assert expected in text, expected
    assert receipt_pdf.render(receipt, branding.load(db)) == data
    later = receipts.load_receipt(db, payment.guest_token)
    assert receipt_pdf.render(later, branding.load(db)) == data


def test_the_pdf_draws_a_logo_and_survives_a_damaged_one(db, berlin):
    png = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(png, format="PNG")
    branding.set_logo(db, png.getvalue(), "logo.png", ACTOR)
    receipt = receipts.load_receipt(db, add_payment(db, new_device(db, berlin)[0]).guest_token)
    assert len(reader(receipt_pdf.render(receipt, branding.load(db))).pages[0].images) == 1
    damaged = Branding(logo_mime="image/png", logo_base64="iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB")
    assert page_texts(receipt_pdf.render(receipt, damaged))[0]


def test_the_printable_page_shows_the_receipt_escaped_with_print_and_pdf_links(db, berlin):
    receipt_settings.save(db, ReceiptSettings(legal_name="<b>Evil</b> & Co", tax_id="DE1", vat_rate="19"), ACTOR)
    device, _ = new_device(db, berlin, name="<script>alert(1)</script>")
    payment = add_payment(db, device, amount=450, intent_id="pi_page")
    receipt = receipts.load_receipt(db, payment.guest_token)
    page = receipt_page.render(receipt, branding.load(db), "/api/branding/logo?v=abc")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in page
    assert f'href="/api/receipt/{payment.guest_token}.pdf"' in page
    assert f'href="/session/{payment.guest_token}"' in page
    assert 'onclick="window.print()"' in page and "@media print" in page
    assert '<img src="/api/branding/logo?v=abc"' in page
    assert "incl. VAT 19%" in page and "€0.72" in page and "pi_page" in page
    assert 'name="viewport"' in page


def test_the_email_text_sums_up_the_receipt_and_links_its_printable_page(db, berlin):
    receipt_settings.save(db, SELLER, ACTOR)
    payment = add_payment(db, new_device(db, berlin)[0], amount=450, intent_id="pi_mail",
                          paid_at=utc(2026, 1, 15, 9, 0))
    subject, text = receipt_mail.compose(receipts.load_receipt(db, payment.guest_token), "https://pay.example.com/")
    assert subject == f"Your receipt HY-2026-{payment.id:06d}"
    for expected in ("Wasch & Co GmbH", "VAT number: DE123456789",
                     "Date: Thu, Jan 15, 2026, 10:00 — Local time (Europe/Berlin)",
                     "Location: Waschsalon Mitte", "Payment reference: pi_mail", "Amount paid: €4.50",
                     "incl. VAT 19%: €0.72", f"https://pay.example.com/receipt/{payment.guest_token}"):
        assert expected in text, expected


def test_a_german_guest_gets_every_word_amount_and_date_of_the_receipt_in_german(db, berlin):
    receipt_settings.save(db, ReceiptSettings(legal_name="Wasch & Co GmbH", tax_id="DE123456789", vat_rate="7,7"),
                          ACTOR)
    device, _ = new_device(db, berlin, name="Waschmaschine 3", minutes=45)
    payment = add_payment(db, device, amount=1050, intent_id="pi_de", paid_at=utc(2026, 10, 25, 1, 30))
    payment.status, payment.amount_refunded_minor = PaymentStatus.partially_refunded, 350
    receipt = receipts.load_receipt(db, payment.guest_token, "de")
    # 02:30 CET: the clocks went back at 03:00 CEST that night.
    assert receipt.paid_at == "So., 25. Okt. 2026, 02:30"
    assert receipt.item == "Waschmaschine 3 · Standard, 45 Min."
    assert receipt.lines()[0] == ("Datum", "So., 25. Okt. 2026, 02:30", "Ortszeit (Europe/Berlin)")
    assert receipt.amounts() == [("Bezahlter Betrag", "10,50\xa0€", "line"), ("Erstattet", "−3,50\xa0€", "line"),
                                 ("Gesamt", "7,00\xa0€", "total"), ("inkl. MwSt. 7,7 %", "0,50\xa0€", "vat")]
    page = receipt_page.render(receipt, branding.load(db), "")
    assert '<html lang="de">' in page and ">Drucken<" in page and ">PDF herunterladen<" in page
    assert "Receipt" not in page and "Print" not in page
    [text] = [flat(t) for t in page_texts(receipt_pdf.render(receipt, branding.load(db)))]
    for expected in ("Beleg", f"Belegnummer HY-2026-{payment.id:06d}", "USt-IdNr.: DE123456789",
                     "Leistung Waschmaschine 3", "Gesamt 7,00", "Vielen Dank für Ihre Zahlung."):
        assert expected in text, expected
    subject, body = receipt_mail.compose(receipt, "https://pay.example.com")
    assert subject == f"Ihr Beleg HY-2026-{payment.id:06d}" and "Ihr Beleg ist als PDF angehängt." in body
    assert receipt_page.render_not_found(Branding(), "fr").count("Il n’y a pas de reçu ici.") == 1


def test_the_receipt_number_stays_the_same_when_the_payment_is_refunded_later(db, berlin):
    payment = add_payment(db, new_device(db, berlin)[0], amount=450, paid_at=utc(2026, 5, 5, 12))
    before = receipts.load_receipt(db, payment.guest_token).number
    payment.status, payment.amount_refunded_minor = PaymentStatus.refunded, 450
    payment.updated_at = payment.paid_at + timedelta(days=400)
    assert receipts.load_receipt(db, payment.guest_token).number == before
