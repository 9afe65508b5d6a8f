"""`/settings/team` and `/settings/security` (administrators), and `/invite/{token}` (the invited person)."""

import reflex as rx

from hygate_app.components.staff_shell import confirm, field, message, section, staff_shell
from hygate_app.pages.auth.sign_in import _card
from hygate_app.states.team import InviteState, SecuritySettingsState, TeamState


def _member_row(m: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(m["email"]), rx.text(m["name"], size="1", color="var(--gray-11)"),
                                spacing="0")),
        rx.table.cell(rx.select(["admin", "operator"], value=m["role"], size="1",
                                on_change=lambda role: TeamState.change_role(m["id"], role))),
        rx.table.cell(rx.cond(m["active"] != "", rx.badge("active", color_scheme="green"),
                              rx.badge("deactivated", color_scheme="gray"))),
        rx.table.cell(m["two_factor"]),
        rx.table.cell(m["last_login"]),
        rx.table.cell(rx.hstack(
            rx.cond(
                m["active"] != "",
                confirm(rx.button("Deactivate", size="1", variant="soft", color_scheme="red"),
                         "Deactivate this team member?",
                         "They are signed out at once and cannot sign in until reactivated.",
                         TeamState.deactivate(m["id"]), "Deactivate"),
                rx.button("Reactivate", size="1", variant="soft", on_click=TeamState.reactivate(m["id"])),
            ),
            confirm(rx.button("Sign out", size="1", variant="soft"), "Sign this person out everywhere?",
                     "Every session of theirs ends now.", TeamState.end_sessions(m["id"]), "Sign out"),
            spacing="2",
        )),
        class_name="member-row",
    )


def _invitation_row(i: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(i["email"]), rx.table.cell(i["role"]), rx.table.cell(i["expires"]),
        rx.table.cell(confirm(rx.button("Withdraw", size="1", variant="soft", color_scheme="red"),
                               "Withdraw this invitation?", "The link stops working.",
                               TeamState.revoke_invitation(i["id"]), "Withdraw")),
    )


def team_page() -> rx.Component:
    return staff_shell(
        message(TeamState.notice, "green", id="notice", role="status"),
        message(TeamState.error, "red", id="error", role="alert"),
        section(
            "Invite someone",
            rx.form(
                rx.flex(
                    field("E-mail", rx.input(name="email", type="email", required=True, width="100%",
                                             id="invite-email")),
                    field("Role", rx.el.select(rx.el.option("Operator", value="operator"),
                                               rx.el.option("Administrator", value="admin"),
                                               name="role", id="invite-role")),
                    rx.button("Send invitation", type="submit", id="send-invite"),
                    spacing="3", align="end", wrap="wrap", width="100%",
                ),
                on_submit=TeamState.invite, reset_on_submit=True, width="100%",
            ),
            rx.cond(TeamState.invite_link != "", rx.text(
                "Link (also e-mailed; works once, for 72 hours): ", rx.code(TeamState.invite_link, id="invite-link"),
                size="2")),
        ),
        section("Team", rx.box(rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                            ["Member", "Role", "Status", "2FA", "Last sign-in", ""]])),
            rx.table.body(rx.foreach(TeamState.members, _member_row)),
            size="1", width="100%",
        ), overflow_x="auto", width="100%")),
        section("Open invitations", rx.cond(
            TeamState.invitations.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                                ["E-mail", "Role", "Expires", ""]])),
                rx.table.body(rx.foreach(TeamState.invitations, _invitation_row)),
                size="1", width="100%",
            ),
            rx.text("No open invitations.", size="2", color="var(--gray-11)"),
        )),
        title="Team",
        crumbs=(("Settings", "/settings/security"),),
        access_denied=TeamState.access_denied,
    )


def security_page() -> rx.Component:
    s = SecuritySettingsState
    return staff_shell(
        message(s.notice, "green", id="notice", role="status"),
        message(s.error, "red", id="error", role="alert"),
        section("Sign-in and sessions", rx.form(
            rx.vstack(
                field("Trusted browser period (days, 0 = never trust)",
                      rx.input(name="trust_period_days", default_value=s.trust_period_days, key=s.trust_period_days,
                               input_mode="numeric", id="trust-period")),
                field("Sign out after inactivity (minutes)",
                      rx.input(name="idle_timeout_minutes", default_value=s.idle_timeout_minutes,
                               key=s.idle_timeout_minutes, input_mode="numeric", id="idle-timeout")),
                field("Longest session (hours)",
                      rx.input(name="absolute_lifetime_hours", default_value=s.absolute_lifetime_hours,
                               key=s.absolute_lifetime_hours, input_mode="numeric", id="lifetime")),
                rx.el.label(rx.hstack(
                    rx.el.input(type="checkbox", name="require_2fa_for_admins", id="require-2fa",
                                default_checked=s.require_2fa_for_admins, key=s.require_2fa_for_admins.to_string()),
                    rx.text("Administrators must use two-step verification", size="2"), spacing="2")),
                rx.button("Save", type="submit", id="save-security"),
                spacing="3", width="100%",
            ),
            on_submit=s.save, width="100%",
        )),
        title="Security",
        crumbs=(("Settings", "/settings/security"),),
        access_denied=s.access_denied,
    )


def invite_page() -> rx.Component:
    return _card(
        rx.heading("Join Hygate", size="6"),
        rx.cond(
            ~InviteState.valid,
            rx.callout("This invitation link is not valid any more. Ask an administrator for a new one.",
                       color_scheme="red", id="invite-invalid"),
            rx.cond(
                InviteState.done,
                rx.vstack(rx.callout("Your account is ready.", color_scheme="green", id="invite-done"),
                          rx.link(rx.button("Sign in", width="100%"), href="/login", width="100%"), width="100%"),
                rx.form(
                    rx.vstack(
                        rx.text("Invitation for ", rx.text.strong(InviteState.email)),
                        message(InviteState.error, "red", id="error", role="alert"),
                        field("Your name", rx.input(name="name", auto_complete="name", id="name")),
                        field("Choose a password (at least 12 characters)",
                              rx.input(name="password", type="password", auto_complete="new-password", required=True,
                                       id="new-password")),
                        field("Repeat the password", rx.input(name="confirm", type="password",
                                                              auto_complete="new-password", required=True,
                                                              id="confirm-password")),
                        rx.button("Create my account", type="submit", width="100%", id="accept"),
                        spacing="3", width="100%",
                    ),
                    on_submit=InviteState.accept, width="100%",
                ),
            ),
        ),
    )
