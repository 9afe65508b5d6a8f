"""`/admin/payments`: every payment, filtered, sorted and paged on the server, with a CSV export of the filtered
list; `/admin/payments/[id]`: one payment with its Stripe ids, refunds and what it bought."""

import reflex as rx

from hygate_app.components.history_list import (
    facts,
    filter_buttons,
    filter_field,
    paged_table,
    select,
    sort_header,
    text_input,
)
from hygate_app.components.staff_shell import message, section, staff_shell
from hygate_app.components.tables import simple_table
from hygate_app.states.payments import LIST_PATH, STATUSES
from hygate_app.states.payments import PaymentDetailState as D
from hygate_app.states.payments import PaymentsState as S


def _filters() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                filter_field("From", text_input("from", S.query["from"], type="date", id="filter-from")),
                filter_field("To", text_input("to", S.query["to"], type="date", id="filter-to")),
                filter_field("Status", select("status", S.query["status"], "Any status",
                                              [(s, s.replace("_", " ")) for s in STATUSES], id="filter-status")),
                filter_field("Location", select("location", S.query["location"], "Any location",
                                                options=S.locations, id="filter-location")),
                filter_field("Door or device", select("place", S.place, "Any door or device", options=S.places,
                                                      id="filter-place")),
                filter_field("Search", text_input("q", S.query["q"], type="search", max_length=200,
                                                  placeholder="E-mail, item or Stripe id", id="filter-search")),
                gap="3", wrap="wrap", width="100%",
            ),
            filter_buttons(LIST_PATH),
            spacing="3", width="100%",
        ),
        on_submit=S.apply, reset_on_submit=False, key=S.form_key, width="100%",
    )


def _row(r: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["when"], href=r["href"], class_name="payment-link"), white_space="nowrap"),
        rx.table.cell(r["item"]),
        rx.table.cell(r["location"]),
        rx.table.cell(r["email"]),
        rx.table.cell(r["amount"], rx.cond(r["refunded"] != "", rx.text("refunded ", r["refunded"], size="1",
                                                                          color="var(--gray-11)")),
                      white_space="nowrap"),
        rx.table.cell(rx.badge(r["status"], variant="soft")),
        class_name="payment-row",
    )


def _list() -> rx.Component:
    headers = [sort_header("Date", "created", S), rx.table.column_header_cell("Item"),
               rx.table.column_header_cell("Location"), rx.table.column_header_cell("Customer"),
               sort_header("Amount", "amount", S), sort_header("Status", "status", S)]
    return paged_table(S, headers, _row, "No payments match these filters.", table_id="payments-table",
                       empty_id="no-payments")


def payments_page() -> rx.Component:
    return staff_shell(
        message(S.error, "red", id="error", role="alert"),
        section("Filters", _filters()),
        section("Payments", rx.hstack(
            rx.spacer(),
            rx.button(rx.el.a(rx.icon("download", size=16), "Export CSV", href=S.export_href, reload_document=True,
                              download=""), as_child=True, variant="soft", id="export-csv"),
            width="100%"), _list(), id="payments", data_address=S.form_key),
        title="Payments",
        access_denied=S.access_denied,
        wide=True,
    )


def _code(value: rx.Var[str]) -> rx.Component:
    return rx.cond(value != "", rx.code(value, variant="ghost"), rx.text("—", color="var(--gray-9)"))


def _details() -> rx.Component:
    p = D.payment
    return rx.vstack(
        section("Payment", facts(
            ("Status", rx.badge(p["status"], variant="soft"), "payment-status"),
            ("Item", p["item"], "payment-item"),
            ("Location", p["location"], "payment-location"),
            ("Amount", p["amount"], "payment-amount"),
            ("Refunded", p["refunded"], "payment-refunded"),
            ("Kept", p["kept"], "payment-kept"),
            ("Customer e-mail", rx.cond(p["email"] != "", p["email"], "—"), "payment-email"),
            ("Created", p["created"], "payment-created"),
            ("Paid", rx.cond(p["paid"] != "", p["paid"], "not paid"), "payment-paid"),
            ("Last change", p["updated"], "payment-updated"),
        )),
        section("Stripe", facts(
            ("Checkout session", _code(p["checkout"]), "stripe-checkout"),
            ("Payment intent", _code(p["intent"]), "stripe-intent"),
        )),
        section("Refunds", simple_table(
            ["Requested", "Amount", "Status", "Stripe refund", "Reason"], D.refunds,
            lambda r: [r["when"], r["amount"], rx.badge(r["status"], variant="soft"), _code(r["stripe_id"]),
                       rx.vstack(rx.text(r["reason"], size="2"),
                                 rx.cond(r["error"] != "", rx.text(r["error"], size="1", color="var(--red-11)")),
                                 spacing="0")],
            "No refunds.", id="refunds")),
        section("What it bought", rx.cond(
            D.bought,
            facts(
                ("Bought", rx.link(D.access["kind"], " ", D.access["id"], href=D.access["href"],
                                   id="bought-link"), "bought"),
                ("Place", rx.text(p["place"], rx.cond(p["plan"] != "", " · " + p["plan"], "")), "bought-place"),
                ("Status", rx.badge(D.access["status"], variant="soft"), "bought-status"),
                ("From", D.access["starts"], "bought-from"),
                ("Until", D.access["ends"], "bought-until"),
            ),
            rx.text("Nothing yet: a session or door access exists once the payment is confirmed and delivered.",
                    size="2", color="var(--gray-11)", class_name="empty-state", id="nothing-bought"),
        )),
        spacing="5", width="100%",
    )


def payment_detail_page() -> rx.Component:
    return staff_shell(
        rx.cond(
            D.loaded,
            rx.cond(D.found, _details(), rx.callout(
                "This payment does not exist. It may have been typed wrongly; go back to the list to find it.",
                color_scheme="amber", id="not-found", width="100%")),
            rx.text("Loading…", size="2", color="var(--gray-11)"),
        ),
        title=rx.cond(D.found & D.loaded, "Payment " + D.payment["id"].to(str), "Payment"),
        crumbs=(("Payments", LIST_PATH),),
        access_denied=D.access_denied,
        wide=True,
    )
