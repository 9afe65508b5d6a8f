"""`/admin/doors` (list, sorting, TTLock sync and import) and `/admin/doors/[id]` (price, currency, access time, mode
and location of a door, its lock's state and its access history)."""

import reflex as rx

from hygate_app.components.list_controls import filters, location_select, pager, sort_header, sync_panel
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


def _import_row(lock: rx.Var[dict[str, str]]) -> rx.Component:
    small = {"width": "110px"}
    return rx.card(rx.form(rx.flex(
        rx.el.input(type="hidden", name="lock_id", value=lock["id"]),
        rx.vstack(rx.text("Lock ", lock["id"], size="1", color="var(--gray-11)"),
                  rx.hstack(rx.badge(lock["battery"], variant="soft"), rx.badge(lock["gateway"], variant="soft"),
                            rx.cond(lock["qr"] != "", rx.badge(lock["qr"], variant="soft")), spacing="1"),
                  spacing="1", min_width="160px"),
        rx.input(name="name", default_value=lock["name"], key=lock["id"], required=True, max_length=120,
                 aria_label="Name", flex="1", min_width="160px"),
        location_select(S.locations, "location", "", aria_label="Location", style=SELECT_STYLE | {"width": "auto"}),
        rx.box(rx.input(name="price", default_value="2.00", inputmode="decimal", required=True, aria_label="Price"),
               **small),
        rx.box(rx.input(name="currency", default_value="EUR", max_length=3, required=True, aria_label="Currency"),
               **small),
        rx.box(rx.input(name="minutes", default_value="60", inputmode="numeric", required=True,
                        aria_label="Access minutes"), **small),
        rx.button("Import", type="submit", size="2"),
        gap="3", wrap="wrap", align="center", width="100%"),
        on_submit=S.import_door, reset_on_submit=False, width="100%"),
        class_name="cloud-lock", width="100%")


def _sync() -> rx.Component:
    return sync_panel(
        S, title="Sync from TTLock",
        text="Refreshes the battery, gateway and passage mode of every door's lock, and lists the locks of the "
             "TTLock account that Hygate does not sell yet so you can import them into a location.",
        button_id="sync-doors", items="locks", asking="Asking TTLock for the account's locks…",
        new_text="Not in Hygate yet: choose a name, a location, the price and the access time, then import.",
        import_row=_import_row, new_id="cloud-locks")


def doors_page() -> rx.Component:
    headers = [sort_header(S, "Name", "name"), "Code", sort_header(S, "Location", "location"),
               sort_header(S, "Mode", "mode"), sort_header(S, "Online", "online"), "Battery", "Price", "Access"]
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        section("Doors", filters(S, "doors"), simple_table(
            headers, S.rows, _door_cells, "No doors match. Sync from TTLock below to import your locks.",
            id="door-list"), pager(S)),
        _sync(),
        title="Doors",
        access_denied=S.access_denied,
        wide=True,
    )


def _fact(label: str, value, **props) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color="var(--gray-11)"), rx.box(value, **props), spacing="1",
                     min_width="150px")


def _facts() -> rx.Component:
    d = D.door
    return rx.flex(
        _fact("Online", state_badge(d["online"], "online", "offline"), id="door-online"),
        _fact("Battery", rx.text(d["battery"], size="2"), id="door-battery"),
        _fact("Price", rx.text(d["price"], " for ", d["minutes"], " min", size="2"), id="door-price"),
        _fact("Last changed", rx.text(d["updated"], size="2")),
        _fact("Display code", rx.code(d["code"])),
        _fact("Guest page", rx.link("/pay/" + d["uid"], href="/pay/" + d["uid"], is_external=True, size="2")),
        gap="4", wrap="wrap",
    )


def _lock() -> rx.Component:
    d, lock = D.door, D.lock
    return section(
        "TTLock lock",
        rx.cond(d["lock_id"] == "", rx.text(
            "This door has no TTLock lock: guests cannot get a credential here, and its mode is not sent to a lock.",
            size="2", id="no-lock"), rx.vstack(
            rx.flex(
                _fact("Lock", rx.text(d["lock_id"], size="2"), id="lock-id"),
                _fact("Battery", rx.text(lock["battery"], size="2"), id="lock-battery"),
                _fact("Gateway", rx.badge(lock["gateway"], variant="soft", color_scheme=rx.match(
                    lock["gateway"], ("online", "green"), ("offline", "red"), "gray")), id="lock-gateway"),
                _fact("Lock passage mode", rx.badge(lock["passage"], variant="soft", color_scheme=rx.match(
                    lock["passage"], ("on", "blue"), "gray")), id="lock-passage"),
                _fact("Last synced", rx.text(lock["synced"], size="2"), id="lock-synced"),
                gap="4", wrap="wrap"),
            rx.vstack(rx.text("Credential for paying guests", size="1", color="var(--gray-11)"),
                      rx.text(d["credential"], size="2", id="door-credential"), spacing="1"),
            rx.cond(lock["missing"] == "yes", rx.callout(
                "The TTLock account no longer lists this lock: nothing can reach it.", color_scheme="red",
                id="lock-missing")),
            rx.cond(lock["mismatch"] == "yes", rx.callout(rx.flex(
                rx.text("The lock reports passage mode ", lock["passage"], " but this door is in ", d["mode"],
                        " mode in Hygate.", size="2"),
                rx.button("Send the door's mode to the lock", size="1", on_click=D.resend, id="resend-mode"),
                gap="3", wrap="wrap", align="center"), color_scheme="amber", id="lock-mismatch")),
            spacing="3", width="100%")),
        id="lock",
    )


def _history_cells(r: rx.Var[dict[str, str]]) -> list:
    return [
        rx.link("#" + r["id"], href=r["href"], class_name="access-link", weight="medium"),
        rx.badge(r["status"], variant="soft"), r["starts"], r["ends"], r["paid"], r["amount"],
    ]


def _history() -> rx.Component:
    return section(
        "Access history",
        simple_table(["Access", "Status", "Valid from", "Valid until", "Paid", "Amount"], D.history, _history_cells,
                     "Nobody has bought access to this door yet.", id="door-history"),
        rx.hstack(
            rx.button("Newer", size="1", variant="soft", disabled=D.history_page <= 1,
                      on_click=D.history_go((D.history_page - 1).to_string()), id="history-previous"),
            rx.text("Page ", D.history_page.to_string(), " of ", D.history_pages.to_string(), " · ",
                    D.history_total.to_string(), " in all", size="2", id="history-info"),
            rx.button("Older", size="1", variant="soft", disabled=D.history_page >= D.history_pages,
                      on_click=D.history_go((D.history_page + 1).to_string()), id="history-next"),
            spacing="3", align="center"),
        id="history",
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
        rx.text("A new price applies to checkouts started from now on. Passage mode is sent to the door's lock, and "
                "changes in Hygate only when the lock accepted it.", size="1", color="var(--gray-11)"),
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
                _lock(), _settings(), _history(), spacing="5", width="100%"),
            rx.cond(D.loaded, rx.callout(
                rx.text("This door does not exist. ", rx.link("Back to the doors", href="/admin/doors")),
                color_scheme="amber", id="not-found")),
        ),
        title=rx.cond(D.found, D.door["name"], "Door"),
        access_denied=D.access_denied,
        crumbs=CRUMBS,
        wide=True,
    )
