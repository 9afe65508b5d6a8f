"""QR-code sheets: the branded page a door or device gets, the four-per-page sheet of a location, and that what is
printed (text and the QR code, decoded from the image in the PDF) leads to the right guest page."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hygate_app.services import audit, branding, qr_sheets
from hygate_app.services.branding import Branding
from hygate_app.services.errors import DomainError, NotFound
from tests.support.pdf import page_texts, qr_codes, reader
from tests.support.records import new_device, new_door, new_location

BASE = "https://pay.example.ch"


def flat(text: str) -> str:
    return " ".join(text.split())


def brand(db, **texts) -> None:
    values = {"header": "Waschsalon Müller", "subtitle": "Scan to pay", "footer": "Help: +41 44 123 45 67",
              "accent_colour": "#7a1f5c", **texts}
    branding.save(db, Branding(**values), audit.SYSTEM)
    db.commit()


def test_a_device_page_carries_branding_name_location_code_and_a_qr_code_of_its_guest_page(db):
    brand(db)
    location = new_location(db, name="Waschküche Zürich")
    device, _ = new_device(db, location, name="Waschmaschine links")
    db.commit()

    data = qr_sheets.item_sheet_pdf(db, "device", device.id, BASE)

    [text] = [flat(t) for t in page_texts(data)]
    for expected in ("Waschsalon Müller", "Scan to pay", "Help: +41 44 123 45 67", "Waschmaschine links",
                     "Waschküche Zürich", device.display_code, "Scan, pay by card, use"):
        assert expected in text
    assert qr_codes(data) == [[f"{BASE}/use/{device.uid}"]]


def test_a_door_page_leads_to_the_door_payment_page(db):
    location = new_location(db)
    door = new_door(db, location, name="Sauna entrance")
    db.commit()

    data = qr_sheets.item_sheet_pdf(db, "door", door.id, BASE + "/")

    [text] = [flat(t) for t in page_texts(data)]
    assert "Sauna entrance" in text and door.display_code in text and "Scan, pay by card, enter" in text
    assert "Hygate" in text  # the default branding header
    assert qr_codes(data) == [[f"{BASE}/pay/{door.uid}"]]


def test_stickers_are_printed_in_the_language_chosen_for_them(db):
    brand(db, sticker_language="de")
    location = new_location(db, name="Waschküche")
    device, _ = new_device(db, location, name="Trockner")
    door = new_door(db, location, name="Eingang")
    db.commit()

    [text] = [flat(t) for t in page_texts(qr_sheets.location_sheet_pdf(db, location.id, BASE))]
    for expected in ("Scannen, mit Karte bezahlen, nutzen", "Scannen, mit Karte bezahlen, eintreten",
                     "Die Bezahlseite zeigt diesen Code ebenfalls."):
        assert expected in text, expected
    assert "Scan, pay by card" not in text and "do not pay" not in text
    assert device.display_code in text and door.display_code in text


def test_a_sticker_language_no_guest_page_offers_is_refused(db):
    with pytest.raises(DomainError, match="languages offered"):
        brand(db, sticker_language="xx")
    assert branding.load(db).sticker_language == "en"


def test_a_location_sheet_has_four_cards_a_page_in_name_order_doors_and_devices_mixed(db):
    location = new_location(db, name="Laundry")
    other = new_location(db, name="Elsewhere")
    new_device(db, other, name="Not here")
    names = ["Eingang", "beta dryer", "Alpha washer", "Dryer 2", "zeta washer", "Cellar door"]
    items = {}
    for name in names:
        items[name] = new_door(db, location, name=name) if "door" in name or name == "Eingang" else \
            new_device(db, location, name=name)[0]
    db.commit()

    data = qr_sheets.location_sheet_pdf(db, location.id, BASE)

    texts = [flat(t) for t in page_texts(data)]
    assert len(texts) == 2
    in_order = sorted(names, key=str.casefold)
    printed = [[n for n in in_order if n in page] for page in texts]
    assert printed == [in_order[:4], in_order[4:]]
    assert all(page.count("Laundry") == len(cards) for page, cards in zip(texts, printed, strict=True))
    assert "Not here" not in " ".join(texts)

    def url(name):
        item = items[name]
        return f"{BASE}/{'pay' if name in ('Eingang', 'Cellar door') else 'use'}/{item.uid}"

    assert qr_codes(data) == [[url(n) for n in in_order[:4]], [url(n) for n in in_order[4:]]]
    for name in names:
        assert items[name].display_code in " ".join(texts)


def test_a_location_with_one_item_gives_one_page(db):
    location = new_location(db)
    device, _ = new_device(db, location)
    db.commit()
    data = qr_sheets.location_sheet_pdf(db, location.id, BASE)
    assert len(page_texts(data)) == 1 and qr_codes(data) == [[f"{BASE}/use/{device.uid}"]]


def test_names_in_any_script_never_break_the_pdf(db):
    brand(db, header="Laverie Château 🧺", footer="Ωμέγα · Привет · 洗衣房")
    location = new_location(db, name="Zürich 洗衣房")
    device, _ = new_device(db, location, name="Wäsche 🧺👨‍👩‍👧 Trockner")
    db.commit()

    [text] = [flat(t) for t in page_texts(qr_sheets.item_sheet_pdf(db, "device", device.id, BASE))]

    assert "Wäsche Trockner" in text  # emoji (and their joiners) left out
    assert "Zürich ???" in text  # letters the font lacks shown as "?"
    assert "Laverie Château" in text and "Ωμέγα · Привет · ???" in text
    assert device.display_code in text


def test_printable_keeps_what_the_font_has_and_replaces_the_rest():
    assert qr_sheets.printable("Waschküche Zürich") == "Waschküche Zürich"
    assert qr_sheets.printable("Sauna ♨️  2") == "Sauna ♨ 2"  # the font has ♨; the variation selector goes
    assert qr_sheets.printable("🧺 Washer 🫧") == "Washer"
    assert qr_sheets.printable("部屋 A") == "?? A"


def test_long_texts_are_fitted_not_spilled(db):
    brand(db, header="H" * 80, subtitle="s " * 80, footer="f " * 100)
    location = new_location(db, name="L" * 120)
    device, _ = new_device(db, location, name="Washing machine number " * 5)
    db.commit()

    [text] = page_texts(qr_sheets.item_sheet_pdf(db, "device", device.id, BASE))

    assert device.display_code in text and "…" in text  # cut with an ellipsis where even the smallest size is full


def test_the_logo_is_printed_and_a_damaged_one_is_left_out(db):
    location = new_location(db)
    device, _ = new_device(db, location)
    image = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(image, "PNG")
    branding.set_logo(db, image.getvalue(), "logo.png", audit.SYSTEM)
    db.commit()

    data = qr_sheets.item_sheet_pdf(db, "device", device.id, BASE)
    assert sorted(i.image.size for i in reader(data).pages[0].images)[0] == (40, 20)

    branding.set_logo(db, image.getvalue()[:40], "cut.png", audit.SYSTEM)  # a PNG signature, then nothing
    db.commit()
    damaged = qr_sheets.item_sheet_pdf(db, "device", device.id, BASE)
    assert len(reader(damaged).pages[0].images) == 1 and qr_codes(damaged) == [[f"{BASE}/use/{device.uid}"]]


def test_unknown_ids_are_not_found(db):
    location = new_location(db)
    device, _ = new_device(db, location)
    db.commit()
    with pytest.raises(NotFound):
        qr_sheets.item_sheet_pdf(db, "device", device.id + 1000, BASE)
    with pytest.raises(NotFound):
        qr_sheets.item_sheet_pdf(db, "door", device.id, BASE)  # a device id is not a door
    with pytest.raises(NotFound):
        qr_sheets.location_sheet_pdf(db, location.id + 1000, BASE)
    with pytest.raises(NotFound):
        qr_sheets.item_sheet_pdf(db, "device", 2**31, BASE)  # beyond PostgreSQL's integer, from a URL


def test_an_empty_location_is_an_error_not_an_empty_pdf(db):
    location = new_location(db, name="Attic")
    db.commit()
    with pytest.raises(DomainError, match="Attic.*no doors or devices"):
        qr_sheets.location_sheet_pdf(db, location.id, BASE)


@pytest.mark.parametrize(("name", "expected"), [
    ("Waschküche Zürich", "hygate-qr-waschkuche-zurich.pdf"),
    ('Room "A"; rm -rf', "hygate-qr-room-a-rm-rf.pdf"),
    ("洗衣房", "hygate-qr-device-7.pdf"),
])
def test_file_names_are_ascii_and_header_safe(name, expected):
    assert qr_sheets.filename(name, "device-7") == expected
