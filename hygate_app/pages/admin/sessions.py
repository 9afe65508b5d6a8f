"""`/admin/sessions`: device sessions and door accesses, active and past, filtered, sorted and paged on the server;
`/admin/sessions/device/[id]` and `/admin/sessions/door/[id]`: one of them with its timeline, and force end."""

import reflex as rx

from hygate_app.components.history_list import (
    fact_items,
    facts,
    filter_buttons,
    filter_field,
    paged_table,
    select,
    sort_header,
    text_input,
)
from hygate_app.components.staff_shell import confirm, message, section, staff_shell
from hygate_app.states.sessions import LIST_PATH, STATUSES
from hygate_app.states.sessions import SessionDetailState as D
from hygate_app.states.sessions import SessionsState as S

REFRESH_MS = 5_000


def _filters() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                filter_field("Kind", select("kind", S.query["kind"], "Sessions and accesses",
                                            [("device", "Device sessions"), ("door", "Door accesses")],
                                            id="filter-kind")),
                filter_field("Status", select("status", S.query["status"], "Any status",
                                              [(s, s) for s in STATUSES], id="filter-status")),
                filter_field("Location", select("location", S.query["location"], "Any location",
                                                options=S.locations, id="filter-location")),
                filter_field("Door or device", select("place", S.place, "Any door or device", options=S.places,
                                                      id="filter-place")),
                filter_field("Starts from", text_input("from", S.query["from"], type="date", id="filter-from")),
                filter_field("Starts until", text_input("to", S.query["to"], type="date", id="filter-to")),
                gap="3", wrap="wrap", width="100%",
            ),
            rx.el.label(rx.hstack(
                rx.el.input(type="checkbox", name="active", value="1", default_checked=S.query["active"] == "1",
                            id="filter-active"),
                rx.text("Only running or still valid", size="2"), spacing="2", align="center")),
            filter_buttons(LIST_PATH),
            spacing="3", width="100%",
        ),
        on_submit=S.apply, reset_on_submit=False, key=S.form_key, width="100%",
    )


def _row(r: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(r["kind"], variant="outline")),
        rx.table.cell(rx.link(r["place"], href=r["href"], class_name="session-link")),
        rx.table.cell(r["location"]),
        rx.table.cell(rx.badge(r["status"], variant="soft")),
        *[rx.table.cell(r[key], white_space="nowrap") for key in ("starts", "ends", "paid", "amount")],
        class_name="session-row", data_key=r["key"],
    )


def _list() -> rx.Component:
    headers = [rx.table.column_header_cell("Kind"), rx.table.column_header_cell("Door or device"),
               rx.table.column_header_cell("Location"), sort_header("Status", "status", S),
               sort_header("Starts", "starts", S), sort_header("Ends", "ends", S), sort_header("Paid", "paid", S),
               sort_header("Amount", "amount", S)]
    return paged_table(S, headers, _row, "No sessions or door accesses match these filters.",
                       table_id="sessions-table", empty_id="no-sessions")


def sessions_page() -> rx.Component:
    return staff_shell(
        message(S.error, "red", id="error", role="alert"),
        section("Filters", _filters()),
        section("Sessions and door accesses", _list(), id="sessions", data_address=S.form_key),
        title="Sessions",
        access_denied=S.access_denied,
        wide=True,
    )


def _timeline_event(e: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(e["at"], size="1", color="var(--gray-11)", min_width="150px"),
            rx.vstack(
                rx.text(e["label"], size="2", weight="medium", class_name="timeline-label"),
                rx.cond(e["reason"] != "", rx.text(e["reason"], size="1", color="var(--gray-11)")),
                rx.cond(e["actor"] != "", rx.text("by ", e["actor"], size="1", color="var(--gray-11)")),
                spacing="0"),
            spacing="3", align="start", wrap="wrap"),
        class_name="timeline-event", data_code=e["code"], padding="6px 0",
        border_bottom="1px solid var(--gray-a4)", list_style="none",
    )


def _force_end() -> rx.Component:
    button = rx.button(rx.icon("power", size=16), "Force end", color_scheme="red", variant="soft", id="force-end")
    return rx.cond(D.can_force_end, rx.cond(
        D.kind == "device",
        confirm(button, "End this session now?", "The device is switched off now. A session that has not started "
                "yet is cancelled and refunded in full; an interrupted one loses its free restart and gets its "
                "unused minutes refunded.", D.force_end, "End session",
                rx.cond(D.detail["status"] == "active", rx.checkbox(
                    "Refund the unused minutes to the guest (pro rata)", id="refund-unused",
                    checked=D.refund_unused, on_change=D.choose_refund_unused, margin_top="12px"))),
        confirm(button, "End this door access now?", "Its code is removed from the lock now. An access whose code "
                "was not made yet is cancelled and refunded in full.", D.force_end, "End access")))


def _details() -> rx.Component:
    d = D.detail
    device = D.kind == "device"
    return rx.vstack(
        rx.cond(D.can_force_end, rx.moment(interval=REFRESH_MS, on_change=D.tick, display="none")),
        section("Summary", rx.hstack(rx.spacer(), _force_end(), width="100%"), facts(
            ("Status", rx.badge(d["status"], variant="soft"), "session-status"),
            ("Door or device", d["place"], "session-place"),
            ("Location", d["location"], "session-location"),
            ("Paid", d["paid"], "session-paid"),
            ("Starts", d["starts"], "session-starts"),
            ("Ends", d["ends"], "session-ends"),
            ("Payment", rx.link(d["payment"], href=d["payment_href"], id="payment-link"), "session-payment"),
            extra=rx.cond(device, rx.fragment(*fact_items(
                ("Plan", rx.text(d["plan"], " · ", d["minutes"]), "session-plan"),
                ("Relay ON", rx.cond(d["relay_on"] != "", d["relay_on"], "—"), "session-relay-on"),
                ("Relay OFF", rx.cond(d["relay_off"] != "", d["relay_off"], "—"), "session-relay-off"),
                ("Ended", rx.cond(d["ended"] != "", d["ended"], "—"), "session-ended"),
            )), rx.fragment(*fact_items(("Credential", d["credential"], "session-credential")))),
        ), rx.cond(d["reason"] != "", rx.text(d["reason"], size="2", color="var(--gray-11)", id="session-reason"))),
        section("Timeline", rx.cond(
            D.timeline.length() > 0,
            rx.el.ol(rx.foreach(D.timeline, _timeline_event), id="timeline", padding="0", margin="0", width="100%"),
            rx.text("Nothing has happened yet.", size="2", color="var(--gray-11)", class_name="empty-state"),
        )),
        spacing="5", width="100%",
    )


def session_detail_page() -> rx.Component:
    return staff_shell(
        message(D.notice, "green", id="notice", role="status"),
        message(D.error, "red", id="error", role="alert"),
        rx.cond(
            D.loaded,
            rx.cond(D.found, _details(), rx.callout(
                rx.cond(D.kind == "device", "This device session does not exist.",
                        "This door access does not exist."),
                color_scheme="amber", id="not-found", width="100%")),
            rx.text("Loading…", size="2", color="var(--gray-11)"),
        ),
        title=rx.cond(D.found & D.loaded, D.detail["title"].to(str), "Session"),
        crumbs=(("Sessions", LIST_PATH),),
        access_denied=D.access_denied,
        wide=True,
    )
