"""`/access/{token}`: the guest's door code or QR code and its validity window, updated by server push."""

import reflex as rx

from hygate_app.components.guest_shell import display_code_badge, guest_shell, not_found_card, receipt_links
from hygate_app.states.guest_access import AccessState as S
from hygate_app.states.guest_text import t, t_format


def _credential() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.qr_image != "",
            rx.vstack(
                rx.image(src=S.qr_image, alt=t("access.qr_alt"), width="240px", height="240px",
                         id="qr-image", background="white", padding="8px", border_radius="8px"),
                rx.text(t("access.qr_hint"), size="2"),
                align="center",
                width="100%",
            ),
        ),
        rx.cond(
            S.passcode != "",
            rx.vstack(
                rx.text(t("access.your_code"), size="2", color="var(--gray-11)"),
                rx.text(S.passcode, id="passcode", size="8", weight="bold", font_family="monospace",
                        letter_spacing="0.08em", overflow_wrap="anywhere", text_align="center"),
                rx.button(rx.icon("copy"), t("access.copy_code"), variant="soft", size="2", id="copy-code",
                          on_click=[rx.set_clipboard(S.passcode), rx.toast.success(t("access.code_copied"))]),
                rx.text(t("access.code_hint"), size="2", text_align="center"),
                align="center",
                width="100%",
            ),
        ),
        rx.box(
            rx.text(t("access.valid_from"), " ", rx.el.strong(S.valid_from, id="valid-from"), size="3"),
            rx.text(t("access.valid_until"), " ", rx.el.strong(S.valid_until, id="valid-until"), size="3"),
            rx.text(t_format("common.local_time", zone=S.time_zone), size="1", color="var(--gray-11)"),
            id="validity",
            text_align="center",
        ),
        align="center",
        spacing="4",
        width="100%",
        id="credential",
    )


def _details() -> rx.Component:
    return rx.data_list.root(
        rx.data_list.item(rx.data_list.label(t("access.access_time")),
                          rx.data_list.value(t_format("common.minutes", minutes=S.access_minutes.to_string()))),
        rx.data_list.item(rx.data_list.label(t("common.amount")), rx.data_list.value(S.amount, id="amount")),
        rx.data_list.item(rx.data_list.label(t("common.location")), rx.data_list.value(S.location_name)),
        size="2",
    )


def access_page() -> rx.Component:
    return guest_shell(
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), padding="40px"),
            rx.cond(
                S.found,
                rx.vstack(
                    rx.vstack(
                        rx.heading(S.door_name, size="7", id="door-name"),
                        display_code_badge(S.display_code),
                        spacing="1",
                    ),
                    rx.box(
                        rx.cond(
                            (S.status == "awaiting_payment") | (S.status == "preparing"),
                            rx.center(rx.spinner(size="3"), padding="12px"),
                        ),
                        rx.text(S.status_text, id="status-text", size="4", weight="bold", text_align="center",
                                width="100%"),
                        id="access-status",
                        data_status=S.status,
                        width="100%",
                    ),
                    rx.cond(S.status == "ready", rx.card(_credential(), width="100%")),
                    rx.cond((S.status == "expired") & (S.valid_until != ""),
                            rx.text(t_format("access.ended_at", time=S.valid_until, zone=S.time_zone), size="2",
                                    text_align="center", width="100%")),
                    rx.cond(S.refund_text != "",
                            rx.callout(S.refund_text, color_scheme="blue", high_contrast=True, id="refund",
                                       width="100%")),
                    rx.card(_details(), width="100%"),
                    rx.cond(S.has_receipt, receipt_links(S.token)),
                    rx.text(t("common.keep_open"), size="1", color="var(--gray-11)"),
                    spacing="4",
                    width="100%",
                ),
                not_found_card("access"),
            ),
        ),
        title=t("title.access"),
    )
