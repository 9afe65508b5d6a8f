"""The frame of every staff page: a sidebar with the modules the signed-in role may open (a menu on
phones), a header with breadcrumbs, the colour-mode switch and the user menu, then the page.

Hiding a link is only convenience: every handler behind these pages checks the role on the server.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from hygate_app.components.browser import post_form
from hygate_app.components.guest_shell import ACCENT
from hygate_app.states.staff import StaffState


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str
    admin_only: bool = False

    @property
    def id(self) -> str:
        return "nav-" + self.href.rstrip("/").rsplit("/", 1)[-1]


# Only modules that exist are listed; each module adds its entry here when it lands.
MODULES = (
    NavItem("Dashboard", "/admin", "layout-dashboard"),
    NavItem("Doors", "/admin/doors", "door-open"),
    NavItem("Devices", "/admin/devices", "plug-zap"),
    NavItem("Locations", "/admin/locations", "map-pin"),
    NavItem("Payments", "/admin/payments", "credit-card"),
    NavItem("Reports", "/admin/reports", "chart-column"),
    NavItem("Sessions", "/admin/sessions", "timer"),
    NavItem("Audit Logs", "/admin/audit", "scroll-text", admin_only=True),
)
SETTINGS = (
    NavItem("Security", "/settings/security", "shield", admin_only=True),
    NavItem("Team", "/settings/team", "users", admin_only=True),
    NavItem("Integrations", "/settings/integrations", "plug", admin_only=True),
    NavItem("Branding", "/settings/branding", "palette", admin_only=True),
    NavItem("API keys", "/settings/api-keys", "key-round", admin_only=True),
    NavItem("Privacy", "/settings/privacy", "eye-off", admin_only=True),
)


def post_button(label: str, action: str, **props) -> rx.Component:
    """A real form POST (sign-out must not be a GET link, and the server needs the HttpOnly cookie)."""
    return post_form(rx.button(label, type="submit", variant="soft", **props), action=action, method="post")


def _current_path() -> rx.Var[str]:
    return rx.State.router.url.path


def _nav_link(item: NavItem, *, in_menu: bool = False) -> rx.Component:
    active = (_current_path() == item.href) | (_current_path() == item.href + "/")
    link = rx.link(
        rx.hstack(rx.icon(item.icon, size=16), rx.text(item.label, size="2"), spacing="2", align="center"),
        href=item.href,
        id=("menu-" if in_menu else "") + item.id,
        underline="none",
        padding="6px 10px",
        border_radius="8px",
        width="100%",
        color=rx.cond(active, "var(--accent-12)", "var(--gray-12)"),
        background=rx.cond(active, "var(--accent-a4)", "transparent"),
        aria_current=rx.cond(active, "page", "false"),
        _hover={"background": "var(--gray-a3)"},
    )
    if item.admin_only:
        return rx.cond(StaffState.viewer_is_admin, link)
    return rx.cond(~StaffState.must_enrol_2fa, link)


def _nav(in_menu: bool = False) -> rx.Component:
    return rx.vstack(
        *[_nav_link(i, in_menu=in_menu) for i in MODULES],
        rx.cond(StaffState.viewer_is_admin, rx.text("Settings", size="1", weight="bold", color="var(--gray-10)",
                                                    padding="10px 10px 2px")),
        *[_nav_link(i, in_menu=in_menu) for i in SETTINGS],
        spacing="1",
        width="100%",
    )


def _brand() -> rx.Component:
    return rx.link(
        rx.hstack(rx.box(width="12px", height="12px", border_radius="50%", background=ACCENT),
                  rx.text("Hygate", weight="bold", size="4"), align="center", spacing="2"),
        href="/admin", underline="none", color="var(--gray-12)",
    )


def _sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(_brand(), _nav(), spacing="5", width="100%"),
        width="220px", min_width="220px", padding="16px 12px", height="100vh", position="sticky", top="0",
        border_right="1px solid var(--gray-a5)", background="var(--color-panel-solid)",
        display=["none", "none", "block"],
    )


def _mobile_menu() -> rx.Component:
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(rx.icon_button(rx.icon("menu"), variant="soft", aria_label="Menu", id="open-menu")),
            rx.popover.content(_nav(in_menu=True), width="240px"),
        ),
        display=["block", "block", "none"],
    )


def _user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.button(rx.icon("circle-user", size=16),
                                  rx.text(StaffState.viewer_email, size="2", truncate=True,
                                          max_width=["96px", "200px", "260px"]),
                                  variant="ghost", id="user-menu")),
        rx.menu.content(
            rx.menu.item(rx.link("Your account", href="/account", id="nav-account", underline="none")),
            rx.menu.separator(),
            rx.menu.item(post_form(rx.el.button("Sign out", type="submit", id="sign-out",
                                                style={"all": "unset", "cursor": "pointer"}),
                                   action="/api/auth/logout", method="post")),
        ),
    )


def _breadcrumbs(crumbs: tuple[tuple[str, str], ...], title: rx.Var[str] | str) -> rx.Component:
    parts: list[rx.Component] = []
    for label, href in crumbs:
        parts += [rx.link(label, href=href, size="2", color="var(--gray-11)"), rx.text("/", size="2",
                                                                                        color="var(--gray-9)")]
    return rx.el.nav(rx.hstack(*parts, rx.text(title, size="2", weight="medium"), spacing="2", align="center",
                               wrap="wrap"), aria_label="Breadcrumb")


def _header(crumbs: tuple[tuple[str, str], ...], title: rx.Var[str] | str) -> rx.Component:
    return rx.hstack(
        _mobile_menu(),
        _breadcrumbs(crumbs, title),
        rx.spacer(),
        rx.color_mode.button(variant="ghost", id="colour-mode", aria_label="Switch light or dark"),
        _user_menu(),
        align="center", spacing="3", padding=["10px 12px", "10px 18px"], border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)", position="sticky", top="0", z_index="10", width="100%",
    )


def _toast() -> rx.Component:
    """The result of the last change, bottom right for a few seconds (assets/staff.css); announced politely."""
    return rx.cond(StaffState.toast_text != "", rx.box(
        rx.callout(StaffState.toast_text, icon=rx.cond(StaffState.toast_kind == "error", "circle-alert",
                                                        "circle-check"),
                   color_scheme=rx.cond(StaffState.toast_kind == "error", "red", "green"), variant="surface",
                   size="1", box_shadow="var(--shadow-4)"),
        key=StaffState.toast_seq.to_string(), class_name="hygate-toast", role="status", aria_live="polite",
        data_type=StaffState.toast_kind, position="fixed", bottom="16px", right="16px", z_index="50",
        max_width="min(420px, calc(100vw - 32px))",
    ))


def staff_shell(*children: rx.Component, title: rx.Var[str] | str, access_denied: rx.Var[str] | str = "",
                crumbs: tuple[tuple[str, str], ...] = (), wide: bool = False) -> rx.Component:
    return rx.hstack(
        _sidebar(),
        rx.box(
            _header(crumbs, title),
            rx.el.main(
                rx.heading(title, size="6", margin_bottom="16px"),
                rx.cond(
                    access_denied != "",
                    rx.callout(access_denied, color_scheme="red", role="alert", id="access-denied"),
                    rx.vstack(*children, spacing="5", width="100%"),
                ),
                padding="18px", max_width="1200px" if wide else "900px", margin="0 auto", width="100%",
            ),
            flex="1", min_width="0",
        ),
        _toast(),
        spacing="0", align="start", min_height="100vh", width="100%", background="var(--gray-2)",
    )


def section(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.card(rx.vstack(rx.heading(title, size="4"), *children, spacing="3", width="100%"), width="100%",
                   **props)


def field(label: str, control: rx.Component) -> rx.Component:
    """A labelled control; the label wraps it, so screen readers and tests find it by its label."""
    return rx.el.label(
        rx.vstack(rx.text(label, size="2", weight="medium"), control, spacing="1", width="100%"),
        width="100%", display="block",
    )


def message(text: rx.Var[str], color: str, **props) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, color_scheme=color, width="100%", **props))


def confirm(trigger: rx.Component, title: str, text: str, action, confirm_label: str,
            *choices: rx.Component) -> rx.Component:
    """Destructive actions ask first (`choices`: controls shown between the question and the buttons)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(text),
            *choices,
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm_label, color_scheme="red", on_click=action,
                                                 class_name="confirm")),
                spacing="3", justify="end", margin_top="12px",
            ),
        ),
    )
