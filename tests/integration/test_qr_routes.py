"""The QR-code PDF routes over real HTTP against the running web process: staff only, by the role table."""

from __future__ import annotations

import httpx
import pytest

from hygate_app.models import Role
from tests.support.pdf import page_texts, qr_codes
from tests.support.records import named, new_device, new_door, new_location
from tests.support.staff import new_staff
from tests.support.staff_http import signed_in_client


@pytest.fixture
def place(pg):
    location = new_location(pg, name=named("Waschküche"))
    device, _ = new_device(pg, location, name="Waschmaschine 3")
    door = new_door(pg, location, name="Keller Tür")
    pg.commit()
    return location, device, door


def paths(place) -> list[str]:
    location, device, door = place
    return [f"/api/admin/qr/device/{device.id}.pdf", f"/api/admin/qr/door/{door.id}.pdf",
            f"/api/admin/qr/location/{location.id}.pdf"]


def test_anonymous_callers_are_refused_with_a_way_to_sign_in(stack, place):
    for path in paths(place):
        response = httpx.get(f"{stack.url}{path}", follow_redirects=False)
        assert response.status_code == 401 and "application/pdf" not in response.headers["content-type"]
        assert "/login" in response.text and response.headers["cache-control"] == "no-store"
    forged = httpx.get(f"{stack.url}{paths(place)[0]}", cookies={"hygate_session": "not-a-session"})
    assert forged.status_code == 401


def test_an_operator_gets_the_pdfs_inline_and_never_cached(stack, pg, place):
    location, device, door = place
    operator = new_staff(pg, Role.operator)
    with signed_in_client(stack.url, operator.email) as client:
        item = client.get(paths(place)[0])
        assert item.status_code == 200 and item.headers["content-type"] == "application/pdf"
        assert item.headers["content-disposition"] == 'inline; filename="hygate-qr-waschmaschine-3.pdf"'
        assert item.headers["cache-control"] == "no-store"
        assert "object-src 'self'" in item.headers["content-security-policy"]  # Chrome's viewer may show it
        assert device.display_code in page_texts(item.content)[0]
        assert qr_codes(item.content) == [[f"{stack.url}/use/{device.uid}"]]

        door_sheet = client.get(paths(place)[1])
        assert door_sheet.status_code == 200 and qr_codes(door_sheet.content) == [[f"{stack.url}/pay/{door.uid}"]]

        sheet = client.get(paths(place)[2])
        assert sheet.status_code == 200 and sheet.headers["content-type"] == "application/pdf"
        assert sheet.headers["content-disposition"].startswith('inline; filename="hygate-qr-waschkuche-')
        assert qr_codes(sheet.content) == [[f"{stack.url}/pay/{door.uid}", f"{stack.url}/use/{device.uid}"]]


def test_an_administrator_who_must_still_set_up_2fa_is_refused(stack, pg, place):
    """Administrators must enrol a second factor first (the default security setting): until then every module,
    these files included, is closed to them."""
    admin = new_staff(pg, Role.admin)
    with signed_in_client(stack.url, admin.email) as client:
        for path in paths(place):
            response = client.get(path)
            assert response.status_code == 403 and "two-factor" in response.text


def test_unknown_ids_and_empty_locations_get_a_page_not_a_pdf(stack, pg, place):
    operator = new_staff(pg, Role.operator)
    empty = new_location(pg, name=named("Attic"))
    pg.commit()
    with signed_in_client(stack.url, operator.email) as client:
        for path in ("/api/admin/qr/device/99999999.pdf", "/api/admin/qr/door/99999999.pdf",
                     "/api/admin/qr/location/99999999.pdf", "/api/admin/qr/device/99999999999999999999.pdf"):
            response = client.get(path)
            assert response.status_code == 404 and "does not exist" in response.text, path
        nothing = client.get(f"/api/admin/qr/location/{empty.id}.pdf")
        assert nothing.status_code == 409 and "no doors or devices" in nothing.text
        assert "application/pdf" not in nothing.headers["content-type"]
