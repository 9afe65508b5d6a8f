"""Where TTLockClient keeps its OAuth2 tokens: one encrypted integration credential, so a restart or
another worker reuses them instead of logging in again."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlmodel import Session

from hygate_app.db import session_scope
from hygate_app.integrations.ttlock import Tokens
from hygate_app.models import Integration
from hygate_app.services.credentials import read_credential, store_credential
from hygate_app.services.encryption import KeyRing

TOKENS_FIELD = "oauth_tokens"


class DatabaseTokenStore:
    """A `TokenStore` on the encrypted credential table; each call opens its own short session."""

    def __init__(self, sessions: Callable[[], AbstractContextManager[Session]] = session_scope,
                 ring: KeyRing | None = None) -> None:
        self._sessions = sessions
        self._ring = ring

    def load(self) -> Tokens | None:
        with self._sessions() as db:
            stored = read_credential(db, Integration.ttlock, TOKENS_FIELD, self._ring)
        if stored is None:
            return None
        try:
            return Tokens.from_json(stored)
        except (ValueError, KeyError, TypeError):
            # Unreadable tokens only cost a fresh login; the next save overwrites them.
            return None

    def save(self, tokens: Tokens) -> None:
        with self._sessions() as db:
            store_credential(db, Integration.ttlock, TOKENS_FIELD, tokens.to_json(), self._ring)
