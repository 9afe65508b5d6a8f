"""Branding: any accent colour, drawn with text colours that read on and beside it; bounded texts; and a logo
that is a real PNG/JPEG/WebP — never SVG."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from sqlmodel import select

from hygate_app.models import AuditLog, Setting
from hygate_app.services import audit, branding
from hygate_app.services.branding import Branding
from hygate_app.services.errors import InvalidInput

ACTOR = audit.Actor("user", "1", "203.0.113.5", "pytest")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
WEBP = b"RIFF\x48\x00\x00\x00WEBPVP8 " + bytes(64)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def changed_rows(db):
    return db.exec(select(AuditLog).where(AuditLog.action == "branding.changed").order_by(AuditLog.id)).all()


def test_without_a_saved_row_the_defaults_carry_the_hygate_name_and_accent(db):
    loaded = branding.load(db)
    assert (loaded.header, loaded.accent_colour) == ("Hygate", "#0b6bcb")
    assert loaded.logo_data_uri is None and loaded.logo_bytes() is None


def test_saved_texts_are_trimmed_the_colour_lowercased_and_loaded_back(db):
    saved = branding.save(db, Branding(header="  Laundry   Corner ", subtitle=" Pay by card\n", footer="",
                                       accent_colour=" #0A5A9C "), ACTOR)
    db.commit()
    assert (saved.header, saved.subtitle, saved.accent_colour) == ("Laundry Corner", "Pay by card", "#0a5a9c")
    assert branding.load(db) == saved


@pytest.mark.parametrize(("field", "limit"), [("header", 80), ("subtitle", 160), ("footer", 200)])
def test_texts_longer_than_their_limit_are_refused_and_the_limit_itself_fits(db, field, limit):
    with pytest.raises(InvalidInput, match=f"at most {limit}"):
        branding.save(db, Branding(**{field: "x" * (limit + 1)}), ACTOR)
    assert getattr(branding.save(db, Branding(**{field: "x" * limit}), ACTOR), field) == "x" * limit


def test_an_empty_header_is_refused(db):
    with pytest.raises(InvalidInput, match="Header"):
        branding.save(db, Branding(header="   "), ACTOR)
    assert db.get(Setting, branding.KEY) is None


def test_control_characters_in_a_text_are_refused(db):
    with pytest.raises(InvalidInput, match="control"):
        branding.save(db, Branding(footer="call us\x07"), ACTOR)


@pytest.mark.parametrize("colour", ["0b6bcb", "#0b6bc", "#0b6bcbb", "#0g6bcb", "#fff", "navy", "rgb(0,0,0)", ""])
def test_an_accent_that_is_not_strict_six_digit_hex_is_refused(db, colour):
    with pytest.raises(InvalidInput, match="hex colour"):
        branding.save(db, Branding(accent_colour=colour), ACTOR)


def test_contrast_with_white_follows_wcag(db):
    assert branding.contrast_with_white("#ffffff") == pytest.approx(1.0)
    assert branding.contrast_with_white("#000000") == pytest.approx(21.0)
    assert branding.contrast_with_white("#767676") == pytest.approx(4.54, abs=0.01)
    assert branding.contrast_with_white("#0b6bcb") >= 4.5


def test_contrast_ratio_is_symmetric_and_follows_wcag():
    assert branding.contrast_ratio("#000000", "#ffffff") == branding.contrast_ratio("#ffffff", "#000000")
    assert branding.contrast_ratio("#0b6bcb", "#0b6bcb") == pytest.approx(1.0)
    assert branding.contrast_ratio("#767676", "#f0f0f0") == pytest.approx(4.0, abs=0.05)


def test_a_light_accent_is_kept_and_gets_black_text_instead_of_being_refused(db):
    saved = branding.save(db, Branding(accent_colour="#FFCC00"), ACTOR)
    assert saved.accent_colour == "#ffcc00"
    assert saved.palette.on_solid == "#000000"
    assert branding.palette("#0b6bcb").on_solid == "#ffffff"  # a dark accent keeps the usual white text
    # The edge of WCAG AA: 4.54:1 with white keeps white; 4.48:1 does not.
    assert branding.text_colour_on("#767676") == "#ffffff"
    assert branding.text_colour_on("#777777") == "#000000"


@pytest.mark.parametrize("accent", ["#ffcc00", "#f5e663", "#ffffff", "#777777", "#767676", "#0b6bcb", "#7a1fa2",
                                    "#000000", "#00ff00", "#ff00ff", "#c0c0c0", "#00ffff", "#ff0000"])
def test_every_colour_of_an_accents_palette_reads_where_it_is_used(accent):
    shades = branding.palette(accent)
    assert shades.solid == accent
    assert branding.contrast_ratio(shades.on_solid, shades.solid) >= branding.MIN_CONTRAST  # button text
    assert branding.contrast_ratio(shades.on_solid, shades.hover) >= branding.MIN_CONTRAST  # pressed button
    for background in ("#ffffff", "#f9f9f9", shades.tint):  # card, page, highlighted choice
        assert branding.contrast_ratio(shades.ink, background) >= branding.MIN_CONTRAST, background


def test_the_ink_is_the_accent_itself_when_it_already_reads_and_a_darker_shade_otherwise():
    assert branding.palette("#7a1fa2").ink == "#7a1fa2"
    light = branding.palette("#f5e663")
    assert light.ink != "#f5e663"
    assert branding.contrast_ratio(light.ink, "#ffffff") < 7  # darkened just enough: still the accent's hue


def test_a_save_is_audited_with_the_fields_that_changed(db):
    branding.save(db, Branding(header="Laundry Corner", accent_colour="#123456"), ACTOR)
    db.commit()
    (row,) = changed_rows(db)
    details = json.loads(row.details)
    assert details["changed"] == ["accent_colour", "header"]
    assert details["changes"]["header"] == ["Hygate", "Laundry Corner"]
    assert (row.actor_id, row.target_type, row.target_id) == ("1", "settings", "branding")


def test_saving_the_same_values_again_writes_no_audit_row(db):
    branding.save(db, Branding(header="Laundry Corner"), ACTOR)
    branding.save(db, Branding(header=" Laundry Corner "), ACTOR)
    assert len(changed_rows(db)) == 1


def test_saving_the_defaults_unchanged_stores_nothing(db):
    assert branding.save(db, Branding(), ACTOR) == Branding()
    assert db.get(Setting, branding.KEY) is None and changed_rows(db) == []


def test_save_never_changes_the_logo_whatever_the_form_sends(db):
    branding.set_logo(db, PNG, "logo.png", ACTOR)
    sneaked = Branding(logo_mime="image/svg+xml", logo_base64=base64.b64encode(SVG).decode())
    saved = branding.save(db, sneaked, ACTOR)
    assert saved.logo_mime == "image/png" and branding.load(db).logo_bytes() == PNG


@pytest.mark.parametrize(("data", "mime"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")])
def test_png_jpeg_and_webp_are_accepted_by_their_bytes_not_their_name(db, data, mime):
    saved = branding.set_logo(db, data, "logo.svg", ACTOR)
    db.commit()
    loaded = branding.load(db)
    assert loaded == saved and loaded.logo_mime == mime and loaded.logo_bytes() == data
    assert loaded.logo_data_uri == f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.mark.parametrize("data", [SVG, b"GIF89a" + bytes(32), b"<html><script>x</script>", b"RIFF\0\0\0\0WAVE",
                                  b"\x89PN"])
def test_svg_and_other_files_are_refused_even_named_as_png(db, data):
    with pytest.raises(InvalidInput, match="PNG, JPEG or WebP"):
        branding.set_logo(db, data, "logo.png", ACTOR)
    assert not branding.load(db).has_logo and changed_rows(db) == []


def test_an_empty_logo_is_refused(db):
    with pytest.raises(InvalidInput, match="empty"):
        branding.set_logo(db, b"", "logo.png", ACTOR)


def test_a_logo_over_512_kb_is_refused_and_512_kb_fits(db):
    limit = 512 * 1024
    with pytest.raises(InvalidInput, match="at most 512 KB"):
        branding.set_logo(db, PNG + bytes(limit + 1 - len(PNG)), "big.png", ACTOR)
    assert len(branding.set_logo(db, PNG + bytes(limit - len(PNG)), "ok.png", ACTOR).logo_bytes()) == limit


def test_a_new_logo_is_audited_by_type_size_and_fingerprint_never_its_bytes(db):
    branding.set_logo(db, PNG, "logo.png", ACTOR)
    db.commit()
    (row,) = changed_rows(db)
    details = json.loads(row.details)
    assert details["changed"] == ["logo"] and details["filename"] == "logo.png"
    assert details["changes"]["logo"] == [None, {"mime": "image/png", "bytes": len(PNG),
                                                 "sha256": hashlib.sha256(PNG).hexdigest()}]
    assert base64.b64encode(PNG).decode() not in row.details


def test_the_texts_survive_a_logo_upload(db):
    branding.save(db, Branding(header="Laundry Corner"), ACTOR)
    branding.set_logo(db, JPEG, "logo.jpg", ACTOR)
    assert branding.load(db).header == "Laundry Corner"


def test_removing_the_logo_clears_it_and_is_audited_once(db):
    branding.set_logo(db, PNG, "logo.png", ACTOR)
    assert not branding.remove_logo(db, ACTOR).has_logo
    assert branding.remove_logo(db, ACTOR).logo_data_uri is None
    db.commit()
    assert not branding.load(db).has_logo
    assert [json.loads(r.details)["changes"]["logo"][1] for r in changed_rows(db)] == [
        {"mime": "image/png", "bytes": len(PNG), "sha256": hashlib.sha256(PNG).hexdigest()}, None]


@pytest.mark.parametrize(("value", "ok"), [("#0b6bcb", True), ("#ABCDEF", True), ("0b6bcb", False),
                                           ("#0b6bc", False), ("#0b6bcbf", False), ("", False), ("red", False)])
def test_is_hex_colour_accepts_only_a_hash_and_six_hex_digits(value, ok):
    assert branding.is_hex_colour(value) is ok
