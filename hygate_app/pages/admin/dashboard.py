"""`/admin`: revenue, what is running now, the latest payments, the fleet and the integrations at a glance."""

import reflex as rx

from hygate_app.components.staff_shell import section, staff_shell
from hygate_app.components.tables import simple_table
from hygate_app.states.dashboard import DashboardState as S

REFRESH_MS = 15_000


def _revenue_card(r: rx.Var[dict[str, str]]) -> rx.Component:
    def figure(label: str, value: rx.Var[str]) -> rx.Component:
        return rx.vstack(rx.text(label, size="1", color="var(--gray-11)"), rx.text(value, size="5", weight="bold"),
                         spacing="0")

    return rx.card(rx.vstack(
        rx.badge(r["currency"], variant="soft"),
        rx.hstack(figure("Today", r["today"]), figure("7 days", r["week"]), figure("30 days", r["month"]),
                  spacing="6", wrap="wrap"),
        spacing="2"), class_name="revenue-card")


def _fleet_card(title: str, counts: rx.Var[dict[str, int]], id: str) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(title, size="2", weight="medium"),
        rx.hstack(
            rx.badge(counts["online"].to_string(), " online", color_scheme="green"),
            rx.badge(counts["offline"].to_string(), " offline", color_scheme="red"),
            rx.badge(counts["maintenance"].to_string(), " in maintenance", color_scheme="amber"),
            spacing="2", wrap="wrap"),
        spacing="2"), id=id, flex="1", min_width="220px")


def _integration_badge(i: rx.Var[dict[str, str]]) -> rx.Component:
    colour = rx.match(i["state"], ("ok", "green"), ("failing", "red"), "gray")
    label = rx.match(i["state"], ("ok", "working"), ("failing", "failing"), "not checked yet")
    return rx.card(rx.vstack(
        rx.hstack(rx.text(i["name"], weight="medium"), rx.badge(label, color_scheme=colour), spacing="2"),
        rx.cond(i["checked"] != "", rx.text("Last check ", i["checked"], size="1", color="var(--gray-11)")),
        rx.cond(i["error"] != "", rx.text(i["error"], size="1", color="var(--red-11)")),
        spacing="1"), class_name="integration-badge", flex="1", min_width="200px")


def dashboard_page() -> rx.Component:
    return staff_shell(
        # An invisible timer: the browser asks for fresh figures every few seconds while the page is open.
        rx.moment(interval=REFRESH_MS, on_change=S.tick, display="none"),
        section("Revenue", rx.cond(
            S.revenue.length() > 0,
            rx.flex(rx.foreach(S.revenue, _revenue_card), gap="3", wrap="wrap"),
            rx.text("No paid payments in the last 30 days.", size="2", color="var(--gray-11)", id="no-revenue"),
        ), id="revenue"),
        rx.flex(_fleet_card("Devices", S.devices, "fleet-devices"), _fleet_card("Doors", S.doors, "fleet-doors"),
                gap="3", wrap="wrap", width="100%"),
        section("Integrations", rx.flex(rx.foreach(S.integrations, _integration_badge), gap="3", wrap="wrap")),
        section("Running now", simple_table(
            ["Device", "Location", "Status", "Ends"], S.sessions,
            lambda r: [r["device"], r["location"], r["status"], rx.moment(r["ends"], from_now=True)],
            "Nothing is running.", id="running-sessions"),
            rx.cond(S.sessions_total > S.sessions.length(),
                    rx.text("and ", (S.sessions_total - S.sessions.length()).to_string(), " more", size="2")),
            simple_table(["Door", "Location", "Status", "Valid until"], S.accesses,
                         lambda r: [r["door"], r["location"], r["status"], rx.moment(r["until"], from_now=True)],
                         "No door access is open.", id="open-accesses")),
        section("Latest payments", simple_table(
            ["When", "Item", "Location", "Amount", "Status"], S.payments,
            lambda r: [r["when"], r["item"], r["location"], r["amount"], rx.badge(r["status"], variant="soft")],
            "No payments yet.", id="recent-payments")),
        title="Dashboard",
        access_denied=S.access_denied,
        wide=True,
    )
