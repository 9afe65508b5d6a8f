"""`/admin/locations`: the places doors and devices belong to, each with its time zone."""

import reflex as rx

from hygate_app.components.staff_shell import confirm, field, message, section, staff_shell
from hygate_app.states.locations import TIMEZONES
from hygate_app.states.locations import LocationAdminState as Admin
from hygate_app.states.locations import LocationsState as S


def _timezone_select(name: str, value: rx.Var[str] | str, **props) -> rx.Component:
    """A native select, its options fixed when the page is built (the zone list is not state): hundreds of
    zones stay fast and searchable by typing."""
    return rx.el.select(*[rx.el.option(z, value=z) for z in TIMEZONES], name=name, default_value=value, **props)


def _row(r: rx.Var[dict[str, str]]) -> rx.Component:
    rename = rx.form(rx.hstack(
        rx.el.input(type="hidden", name="id", value=r["id"]),
        rx.input(name="name", default_value=r["name"], key=r["name"], size="1", required=True, max_length=120,
                 aria_label="Name"),
        rx.button("Rename", size="1", variant="soft", type="submit"), spacing="2"),
        on_submit=S.rename, reset_on_submit=False)
    zone = rx.cond(S.can_manage, rx.form(rx.hstack(
        rx.el.input(type="hidden", name="id", value=r["id"]),
        _timezone_select("timezone", r["timezone"], key=r["timezone"], aria_label="Time zone"),
        rx.button("Set", size="1", variant="soft", type="submit"), spacing="2"),
        on_submit=Admin.set_timezone), rx.text(r["timezone"], size="2"))
    delete = rx.cond(S.can_manage, rx.cond(
        r["empty"] != "",
        confirm(rx.button("Delete", size="1", variant="soft", color_scheme="red"), "Delete this location?",
                "It has no doors or devices. This cannot be undone.", Admin.delete(r["id"]), "Delete"),
        rx.tooltip(rx.button("Delete", size="1", variant="soft", disabled=True),
                   content="Move or remove its doors and devices first."),
    ))
    return rx.table.row(rx.table.cell(rename), rx.table.cell(zone), rx.table.cell(r["doors"]),
                        rx.table.cell(r["devices"]), rx.table.cell(_qr_sheet(r)), rx.table.cell(delete),
                        class_name="location-row")


def _qr_sheet(r: rx.Var[dict[str, str]]) -> rx.Component:
    """A plain link (a PDF, not a page of the app) opening the location's printable QR codes in a new tab; an empty
    location has nothing to print, so it gets none."""
    return rx.cond(
        r["empty"] == "",
        rx.link("Print QR sheet", href="/api/admin/qr/location/" + r["id"] + ".pdf", is_external=True,
                rel="noopener", size="2", class_name="qr-sheet"),
        rx.text("—", size="2", color="var(--gray-9)", title="No doors or devices to print"),
    )


def _create_form() -> rx.Component:
    return rx.cond(S.can_manage, section("New location", rx.form(rx.vstack(
        field("Name", rx.input(name="name", required=True, max_length=120, id="new-location-name")),
        field("Time zone", _timezone_select("timezone", "UTC", id="new-location-timezone")),
        rx.button("Create location", type="submit", id="create-location"),
        spacing="3", width="100%"), on_submit=Admin.create, reset_on_submit=True, width="100%")))


def locations_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        _create_form(),
        section("Locations", rx.cond(
            S.rows.length() > 0,
            rx.box(rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ["Name", "Time zone", "Doors", "Devices", "QR codes", ""]])),
                rx.table.body(rx.foreach(S.rows, _row)),
                size="1", width="100%"), overflow_x="auto", width="100%"),
            rx.text("No locations yet.", size="2", color="var(--gray-11)", class_name="empty-state"),
        )),
        title="Locations",
        access_denied=S.access_denied,
    )
