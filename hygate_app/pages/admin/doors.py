"""`/admin/doors` (list) and `/admin/doors/[id]` (price, currency, access time, mode and location of a door)."""

import reflex as rx

from hygate_app.components.list_controls import filters, location_select, pager
from hygate_app.components.staff_shell import field, message, section, staff_shell
from hygate_app.components.tables import simple_table
from hygate_app.pages.admin.devices import SELECT_STYLE, state_badge
from hygate_app.states.doors import DoorDetailState as D
from hygate_app.states.doors import DoorsState as S

CRUMBS = (("Doors", "/admin/doors"),)
MODE_COLOURS = (("active", "green"), ("passage", "blue"))


def _door_cells(r: rx.Var[dict[str, str]]) -> list:
    return [
        rx.link(r["name"], href="/admin/doors/" + r["id"], class_name="door-link", weight="medium"),
        r["code"], r["location"],
        rx.badge(r["mode"], color_scheme=rx.match(r["mode"], *MODE_COLOURS, "amber"), variant="soft"),
        state_badge(r["online"], "online", "offline"),
        r["battery"], r["price"], r["minutes"] + " min",
    ]


def doors_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        section("Doors", filters(S, "doors"), simple_table(
            ["Name", "Code", "Location", "Mode", "Online", "Battery", "Price", "Access"], S.rows, _door_cells,
            "No doors match.", id="door-list"), pager(S)),
        section("Sync from TTLock", rx.text(
            "Importing doors from TTLock is not available yet: it arrives with the TTLock integration. Until then "
            "the doors listed here are the ones already in Hygate.", size="2", color="var(--gray-11)",
            id="ttlock-sync-unavailable")),
        title="Doors",
        access_denied=S.access_denied,
        wide=True,
    )


def _facts() -> rx.Component:
    d = D.door

    def fact(label: str, value, **props) -> rx.Component:
        return rx.vstack(rx.text(label, size="1", color="var(--gray-11)"), rx.box(value, **props), spacing="1",
                         min_width="120px")

    return rx.flex(
        fact("Online", state_badge(d["online"], "online", "offline"), id="door-online"),
        fact("Battery", rx.text(d["battery"], size="2"), id="door-battery"),
        fact("Price", rx.text(d["price"], " for ", d["minutes"], " min", size="2"), id="door-price"),
        fact("Last changed", rx.text(d["updated"], size="2")),
        fact("TTLock lock", rx.text(d["lock_id"], size="2")),
        fact("Guest credential", rx.text(d["credential"], size="2")),
        fact("Display code", rx.code(d["code"])),
        gap="4", wrap="wrap",
    )


def _settings() -> rx.Component:
    d = D.door
    small = {"width": "140px"}
    return section("Settings", rx.form(rx.vstack(
        field("Name", rx.input(name="name", default_value=d["name"], required=True, max_length=120, id="door-name")),
        field("Location", location_select(D.locations, "location", d["location_id"], id="door-location",
                                          style=SELECT_STYLE)),
        field("Mode", rx.el.select(rx.el.option("Active", value="active"),
                                   rx.el.option("Maintenance (no new sales)", value="maintenance"),
                                   rx.el.option("Passage (stays open)", value="passage"),
                                   name="mode", default_value=d["mode"], id="door-mode", style=SELECT_STYLE)),
        rx.flex(
            rx.box(field("Price", rx.input(name="price", default_value=d["price_text"], inputmode="decimal",
                                           required=True, id="door-price-input")), **small),
            rx.box(field("Currency", rx.input(name="currency", default_value=d["currency"], max_length=3,
                                              required=True, id="door-currency")), **small),
            rx.box(field("Access minutes", rx.input(name="minutes", default_value=d["minutes"], inputmode="numeric",
                                                    required=True, id="door-minutes")), **small),
            gap="3", wrap="wrap"),
        rx.text("A new price applies to checkouts started from now on.", size="1", color="var(--gray-11)"),
        rx.button("Save", type="submit", id="save-door"),
        spacing="3", width="100%"), key=d["key"], on_submit=D.save, reset_on_submit=False, width="100%"))


def door_page() -> rx.Component:
    return staff_shell(
        message(D.notice, "green", id="notice", role="status"),
        message(D.error, "red", id="error", role="alert"),
        rx.cond(
            D.found,
            rx.vstack(
                section("State", _facts(), rx.link(rx.button(rx.icon("qr-code", size=16), "QR code PDF",
                                                             variant="soft"),
                                                   href=D.qr_url, is_external=True, id="qr-pdf")),
                _settings(), spacing="5", width="100%"),
            rx.cond(D.loaded, rx.callout(
                rx.text("This door does not exist. ", rx.link("Back to the doors", href="/admin/doors")),
                color_scheme="amber", id="not-found")),
        ),
        title=rx.cond(D.found, D.door["name"], "Door"),
        access_denied=D.access_denied,
        crumbs=CRUMBS,
        wide=True,
    )
