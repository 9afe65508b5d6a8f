"""`/admin/reports`: revenue or usage per day, week or month, by location, door or device, as charts (one per
currency or measure: amounts of different currencies are never added) and a table, with a CSV export."""

import reflex as rx

from hygate_app.components.form_controls import native_select
from hygate_app.components.staff_shell import field, message, section, staff_shell
from hygate_app.components.tables import simple_table
from hygate_app.states.reports import ReportsState as S

KINDS = (("revenue", "Revenue"), ("usage", "Usage"))
PERIODS = (("day", "Day"), ("week", "Week"), ("month", "Month"))
GROUPINGS = (("none", "No grouping"), ("location", "Location"), ("door", "Door"), ("device", "Device"))
CHART_HEIGHT = 280


def _select(name: str, choices: tuple[tuple[str, str], ...], value: rx.Var[str], **props) -> rx.Component:
    """A native select, re-mounted (key) when the state's choice changes, so it shows the report's choice."""
    return native_select(*[rx.el.option(label, value=v) for v, label in choices], name=name, default_value=value,
                        key=value, **props)


def _location_select() -> rx.Component:
    return native_select(
        rx.el.option("All locations", value=""),
        rx.foreach(S.locations, lambda loc: rx.el.option(loc["name"], value=loc["id"])),
        name="location", default_value=S.location, key=S.location + S.locations.length().to_string(),
        id="report-location")


def _form() -> rx.Component:
    def cell(component: rx.Component) -> rx.Component:
        return rx.box(component, min_width="150px", flex="1")

    return section("What to show", rx.form(rx.vstack(
        rx.flex(
            cell(field("Report", _select("kind", KINDS, S.kind, id="report-kind"))),
            cell(field("Period", _select("period", PERIODS, S.period, id="report-period"))),
            cell(field("Grouping", _select("group", GROUPINGS, S.group_by, id="report-group"))),
            cell(field("Location", _location_select())),
            cell(field("From", rx.input(type="date", name="from", default_value=S.date_from, key=S.date_from,
                                        required=True, id="report-from"))),
            cell(field("To", rx.input(type="date", name="to", default_value=S.date_to, key=S.date_to,
                                      required=True, id="report-to"))),
            gap="3", wrap="wrap", width="100%"),
        rx.text("Dates are each location's local days.", size="1", color="var(--gray-11)"),
        rx.button("Show report", type="submit", id="show-report"),
        spacing="3", width="100%"), on_submit=S.run, reset_on_submit=False, width="100%"))


def _bars(chart: rx.Var) -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="period"),
        rx.recharts.y_axis(),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        rx.foreach(chart["series"].to(list[dict[str, str]]),
                   lambda s: rx.recharts.bar(data_key=s["key"], name=s["name"], fill=s["colour"], stack_id="all")),
        data=chart["data"].to(list[dict]), height=CHART_HEIGHT,
    )


def _lines(chart: rx.Var) -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="period"),
        rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        rx.foreach(chart["series"].to(list[dict[str, str]]),
                   lambda s: rx.recharts.line(data_key=s["key"], name=s["name"], stroke=s["colour"], dot=False,
                                              type_="linear")),
        data=chart["data"].to(list[dict]), height=CHART_HEIGHT,
    )


def _chart(chart: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.heading(chart["title"].to(str), size="3", as_="h3", class_name="chart-title"),
        rx.box(rx.cond(S.shown_kind == "revenue", _bars(chart), _lines(chart)), width="100%",
               height=f"{CHART_HEIGHT}px"),
        spacing="2", width="100%"), width="100%", class_name="report-chart")


def _total(t: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(t["label"], size="1", color="var(--gray-11)"),
        rx.text(t["value"], size="5", weight="bold"),
        rx.text(t["note"], size="1", color="var(--gray-11)"),
        spacing="0"), class_name="report-total", min_width="180px")


def _table() -> rx.Component:
    return rx.cond(
        S.shown_kind == "revenue",
        simple_table(["Period", "Group", "Currency", "Payments", "Gross", "Refunded", "Net"], S.rows,
                     lambda r: [r["period"], r["group"], r["currency"], r["payments"], r["gross"], r["refunded"],
                                r["net"]], "", id="report-table"),
        simple_table(["Period", "Group", "Device sessions", "Paid minutes", "Door accesses"], S.rows,
                     lambda r: [r["period"], r["group"], r["sessions"], r["minutes"], r["accesses"]], "",
                     id="report-table"),
    )


def _pager() -> rx.Component:
    return rx.cond(S.pages > 1, rx.hstack(
        rx.button("Previous", size="1", variant="soft", disabled=S.page <= 1, on_click=S.go_to_page(S.page - 1),
                  id="report-previous"),
        rx.text("Page ", S.page.to_string(), " of ", S.pages.to_string(), " (", S.total_rows.to_string(), " rows)",
                size="2", id="report-page"),
        rx.button("Next", size="1", variant="soft", disabled=S.page >= S.pages, on_click=S.go_to_page(S.page + 1),
                  id="report-next"),
        spacing="3", align="center"))


def _results() -> rx.Component:
    return section("Report", rx.text(S.caption, size="2", color="var(--gray-11)", id="report-caption"), rx.cond(
        S.total_rows > 0,
        rx.vstack(
            rx.hstack(rx.flex(rx.foreach(S.totals, _total), gap="3", wrap="wrap"), rx.spacer(),
                      rx.button(rx.el.a(rx.icon("download", size=16), "Export CSV", href=S.csv_href,
                                        id="export-csv"), as_child=True, variant="soft"),
                      width="100%", align="start", wrap="wrap"),
            rx.foreach(S.charts, _chart),
            _table(),
            _pager(),
            spacing="4", width="100%"),
        rx.text(rx.cond(S.shown_kind == "usage", "Nothing was used in this range.",
                        "No payments in this range."),
                size="2", color="var(--gray-11)", class_name="empty-state", id="report-empty"),
    ), id="report")


def reports_page() -> rx.Component:
    return staff_shell(
        message(S.notice, "green", id="notice", role="status"),
        message(S.error, "red", id="error", role="alert"),
        _form(),
        _results(),
        title="Reports",
        access_denied=S.access_denied,
        wide=True,
    )
