"""Where TTLockClient keeps its OAuth2 tokens: one encrypted integration credential, so a restart or
another worker reuses them instead of logging in again."""

from __future__ import annotations

import json
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
    """A `TokenStore` on the encrypted credential table; each call opens its own short session.

    Tokens are saved with the account they were issued to (`account`: client id and username): after an
    administrator switches to another TTLock account, the old account's tokens are never used for it."""

    def __init__(self, sessions: Callable[[], AbstractContextManager[Session]] = session_scope,
                 ring: KeyRing | None = None, account: str = "") -> None:
        self._sessions = sessions
        self._ring = ring
        self._account = account

    def load(self) -> Tokens | None:
        with self._sessions() as db:
            stored = read_credential(db, Integration.ttlock, TOKENS_FIELD, self._ring)
        if stored is None:
            return None
        try:
            if json.loads(stored).get("account", "") != self._account:
                return None
            return Tokens.from_json(stored)
        except (ValueError, KeyError, TypeError, AttributeError):
            # Unreadable tokens only cost a fresh login; the next save overwrites them.
            return None

    def save(self, tokens: Tokens) -> None:
        with self._sessions() as db:
            value = json.dumps({**json.loads(tokens.to_json()), "account": self._account})
            store_credential(db, Integration.ttlock, TOKENS_FIELD, value, self._ring)
