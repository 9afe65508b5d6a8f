"""The guest's language: chosen on each guest page's load from the language menu's cookie, else the browser's
Accept-Language; and that language's texts, which the pages read through `t("message.id")`.

Every guest page state is a substate of `GuestTextState`, so it reads `self.language` to format prices, times
and messages, and the pages stay thin: `rx.text(t("use.choose_time"))`. The whole catalogue of the current
language (a few KB) reaches the browser once per page load; a language switch reloads the page.
"""

from __future__ import annotations

import reflex as rx

from hygate_app.api.auth_cookies import read_cookie
from hygate_app.services import translations
from hygate_app.services.errors import DomainError


class GuestTextState(rx.State):
    language: str = translations.DEFAULT_LANGUAGE

    @rx.var
    def t(self) -> dict[str, str]:
        return translations.messages(self.language)

    @rx.event
    def choose_language(self):
        """On load of every guest page (first in `on_load`): the cookie and header of this page's connection."""
        headers = self.router.headers
        chosen = read_cookie(headers.cookie, translations.LANGUAGE_COOKIE)
        self.language = translations.choose_language(chosen, headers.accept_language)

    def _text(self, message_id: str, **params: object) -> str:
        return translations.gettext(self.language, message_id, **params)

    def _error_text(self, error: DomainError) -> str:
        """A service's error in the guest's language, by its message id; one with none gets a generic text."""
        return self._text(error.message_id or "error.generic")


def t(message_id: str) -> rx.Var[str]:
    """The message in the guest's current language, for a page (message ids are checked by a test)."""
    return GuestTextState.t[message_id]


def t_format(message_id: str, **values: rx.Var | str) -> rx.Var[str]:
    """A message with `{placeholders}` filled in the browser from state vars."""
    message = t(message_id)
    for name, value in values.items():
        message = message.replace("{" + name + "}", value)
    return message
