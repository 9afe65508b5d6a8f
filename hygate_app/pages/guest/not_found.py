"""The branded 404 for any unknown address."""

import reflex as rx

from hygate_app.components.guest_shell import guest_shell, not_found_card
from hygate_app.states.guest_text import t


def not_found_page() -> rx.Component:
    return guest_shell(not_found_card("page"), title=t("title.not_found"))
