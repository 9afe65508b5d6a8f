"""`/admin/devices` (list, Shelly Cloud sync and import) and `/admin/devices/[id]` (settings, usage plans,
the running session)."""

import reflex as rx

from hygate_app.components.list_controls import filters, location_select, pager, sort_header, sync_panel
from hygate_app.components.staff_shell import confirm, field, message, section, staff_shell
from hygate_app.components.tables import simple_table
from hygate_app.states.devices import DeviceDetailState as D
from hygate_app.states.devices import DevicesState as S

CRUMBS = (("Devices", "/admin/devices"),)
SELECT_STYLE = {"padding": "6px", "border_radius": "6px", "width": "100%"}


def state_badge(text: rx.Var[str], good: str, bad: str) -> rx.Component:
    return rx.badge(text, color_scheme=rx.match(text, (good, "green"), (bad, "red"), "gray"), variant="soft")


def relay_badge(text: rx.Var[str]) -> rx.Component:
    """OFF is a relay at rest, not a fault: only ON stands out."""
    return rx.badge(text, color_scheme=rx.cond(text == "ON", "green", "gray"), variant="soft")


def _device_cells(r: rx.Var[dict[str, str]]) -> list:
    return [
        rx.link(r["name"], href="/admin/devices/" + r["id"], class_name="device-link", weight="medium"),
        r["code"], r["location"],
        rx.badge(r["mode"], color_scheme=rx.cond(r["mode"] == "active", "green", "amber"), variant="soft"),
        state_badge(r["online"], "online", "offline"),
        rx.hstack(relay_badge(r["relay"]), rx.cond(r["running"] != "", rx.badge("in use")),
                  spacing="1"),
        r["price"],
    ]


def _import_row(d: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.card(rx.form(rx.flex(
        rx.el.input(type="hidden", name="shelly_id", value=d["id"]),
        rx.vstack(rx.text(d["id"], size="1", color="var(--gray-11)"),
                  rx.hstack(state_badge(d["online"], "online", "offline"), relay_badge(d["relay"]),
                            spacing="1"), spacing="1", min_width="160px"),
        rx.input(name="name", default_value=d["name"], key=d["id"], required=True, max_length=120, aria_label="Name",
                 flex="1", min_width="160px"),
        location_select(S.locations, "location", "", aria_label="Location", style=SELECT_STYLE | {"width": "auto"}),
        rx.button("Import", type="submit", size="2"),
        gap="3", wrap="wrap", align="center", width="100%"),
        on_submit=S.import_device, reset_on_submit=False, width="100%"),
        class_name="cloud-device", width="100%")


def _sync() -> rx.Component:
    return sync_panel(
        S, title="Sync from Shelly Cloud",
        text="Refreshes the online and relay state of every device, and lists the devices of the Shelly account "
             "that Hygate does not sell yet so you can import them into a location.",
        button_id="sync-devices", items="devices", asking="Asking Shelly Cloud for its devices…",
        new_text="Not in Hygate yet: choose a name and a location, then import. An imported device sells nothing "
                 "until you add a usage plan.",
        import_row=_import_row, new_id="cloud-devices")


def devices_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        section("Devices", filters(S, "devices"), simple_table(
            [sort_header(S, "Name", "name"), "Code", sort_header(S, "Location", "location"),
             sort_header(S, "Mode", "mode"), sort_header(S, "Online", "online"), "Relay", "Price"], S.rows,
            _device_cells,
            "No devices match. Sync from Shelly Cloud below to import your devices.", id="device-list"),
            pager(S)),
        _sync(),
        title="Devices",
        access_denied=S.access_denied,
        wide=True,
    )


# ---------------------------------------------------------------- detail


def _facts() -> rx.Component:
    d = D.device

    def fact(label: str, value, **props) -> rx.Component:
        return rx.vstack(rx.text(label, size="1", color="var(--gray-11)"), rx.box(value, **props), spacing="1",
                         min_width="120px")

    return rx.flex(
        fact("Online", state_badge(d["online"], "online", "offline"), id="device-online"),
        fact("Relay", relay_badge(d["relay"]), id="device-relay"),
        fact("Last seen", rx.text(d["last_seen"], size="2")),
        fact("Shelly device", rx.text(d["shelly_id"], " · channel ", d["channel"], size="2")),
        fact("Display code", rx.code(d["code"])),
        fact("Guest page", rx.link("/use/" + d["uid"], href="/use/" + d["uid"], is_external=True, size="2")),
        gap="4", wrap="wrap",
    )


def _settings() -> rx.Component:
    d = D.device
    return section("Settings", rx.form(rx.vstack(
        field("Name", rx.input(name="name", default_value=d["name"], required=True, max_length=120,
                               id="device-name")),
        field("Location", location_select(D.locations, "location", d["location_id"], id="device-location",
                                          style=SELECT_STYLE)),
        field("Mode", rx.el.select(rx.el.option("Active", value="active"),
                                   rx.el.option("Maintenance (no new sales)", value="maintenance"),
                                   name="mode", default_value=d["mode"], id="device-mode",
                                   style=SELECT_STYLE)),
        rx.button("Save", type="submit", id="save-device"),
        spacing="3", width="100%"), key=d["key"], on_submit=D.save, reset_on_submit=False, width="100%"))


def _plan_fields(values: rx.Var[dict[str, str]] | None) -> list[rx.Component]:
    def value(key: str, default: str) -> rx.Var[str] | str:
        return values[key] if values is not None else default

    small = {"width": "90px"}
    return [
        field("Name", rx.input(name="name", default_value=value("name", ""), required=True, max_length=80)),
        rx.box(field("Minutes", rx.input(name="duration", default_value=value("duration", ""), inputmode="numeric",
                                          required=True)), **small),
        rx.box(field("Delay", rx.input(name="delay", default_value=value("delay", "0"), inputmode="numeric")),
               **small),
        rx.box(field("Price", rx.input(name="price", default_value=value("price_text", ""), inputmode="decimal",
                                        required=True)), **small),
        rx.box(field("Currency", rx.input(name="currency", default_value=value("currency", "EUR"), max_length=3,
                                           required=True)), **small),
        rx.el.label(rx.hstack(rx.el.input(type="checkbox", name="active",
                                          default_checked=values["active"] != "" if values is not None else True),
                              rx.text("Active", size="2"), spacing="1", align="center")),
    ]


def _plan_row(p: rx.Var[dict[str, str]]) -> rx.Component:
    arrows = rx.hstack(
        rx.icon_button(rx.icon("arrow-up", size=14), size="1", variant="soft", aria_label="Move up",
                       disabled=p["first"] != "", on_click=D.move_plan(p["id"], "up"), class_name="plan-up"),
        rx.icon_button(rx.icon("arrow-down", size=14), size="1", variant="soft", aria_label="Move down",
                       disabled=p["last"] != "", on_click=D.move_plan(p["id"], "down"), class_name="plan-down"),
        confirm(rx.button("Delete", size="1", variant="soft", color_scheme="red", class_name="plan-delete"),
                "Delete this plan?", "A plan that was ever bought is deactivated instead, so its payments keep it.",
                D.delete_plan(p["id"]), "Delete"),
        spacing="2")
    return rx.card(rx.vstack(
        rx.hstack(rx.text(p["name"], weight="medium", class_name="plan-name"), rx.text(p["price"], size="2"),
                  rx.cond(p["active"] != "", rx.badge("active", color_scheme="green"),
                          rx.badge("inactive", color_scheme="gray")),
                  rx.spacer(), arrows, align="center", width="100%", wrap="wrap"),
        rx.form(rx.flex(
            rx.el.input(type="hidden", name="id", value=p["id"]),
            *_plan_fields(p),
            rx.button("Save plan", type="submit", size="2", variant="soft"),
            gap="3", wrap="wrap", align="end", width="100%"), key=p["key"], on_submit=D.save_plan,
            reset_on_submit=False, width="100%"),
        spacing="2", width="100%"), class_name="plan-row", width="100%")


def _plans() -> rx.Component:
    return section(
        "Usage plans",
        rx.text("Guests see the active plans in this order.", size="2", color="var(--gray-11)"),
        rx.cond(D.plans.length() > 0, rx.vstack(rx.foreach(D.plans, _plan_row), spacing="2", width="100%",
                                                id="plans"),
                rx.text("No plans yet: guests cannot buy anything at this device until you add one.", size="2",
                        color="var(--gray-11)", class_name="empty-state")),
        rx.heading("Add a plan", size="3"),
        rx.form(rx.flex(*_plan_fields(None), rx.button("Add plan", type="submit", id="add-plan"),
                        gap="3", wrap="wrap", align="end", width="100%"),
                on_submit=D.add_plan, reset_on_submit=False, width="100%", id="new-plan"),
    )


def _running() -> rx.Component:
    r = D.running
    return section("Running session", rx.cond(
        r.contains("id"),
        rx.vstack(
            rx.hstack(rx.badge(r["status"], color_scheme="blue"), rx.text("Paid ", r["paid"], size="2"),
                      rx.text("Ends ", r["ends"], " (", rx.moment(r["ends_iso"], from_now=True), ")", size="2"),
                      spacing="3", wrap="wrap"),
            confirm(rx.button("Force end", color_scheme="red", id="force-end"), "Force end this session?",
                    "The device is switched off now. A session that has not started yet is refunded in full.",
                    D.force_end(r["id"]), "Force end"),
            spacing="3", id="running-session"),
        rx.text("Nothing is running on this device.", size="2", color="var(--gray-11)", class_name="empty-state"),
    ))


def device_page() -> rx.Component:
    return staff_shell(
        message(D.notice, "green", id="notice", role="status"),
        message(D.error, "red", id="error", role="alert"),
        rx.cond(
            D.found,
            rx.vstack(
                section("State", _facts(), rx.link(rx.button(rx.icon("qr-code", size=16), "QR code PDF",
                                                             variant="soft"),
                                                   href=D.qr_url, is_external=True, id="qr-pdf")),
                _running(), _settings(), _plans(), spacing="5", width="100%"),
            rx.cond(D.loaded, rx.callout(
                rx.text("This device does not exist. ", rx.link("Back to the devices", href="/admin/devices")),
                color_scheme="amber", id="not-found")),
        ),
        title=rx.cond(D.found, D.device["name"], "Device"),
        access_denied=D.access_denied,
        crumbs=CRUMBS,
        wide=True,
    )
